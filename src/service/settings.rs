//! A community's own settings: its time zone (where its days, weeks,
//! months and streaks begin) and the language of its messages, set by its
//! admins on any platform and shown with the review settings.

use chrono_tz::Tz;

use super::{Caller, Service, ServiceError};
use crate::config::Locale;
use crate::quiz;
use crate::refusal::Refusal;
use crate::store::Community;
use crate::view::AdminReply;

impl Service {
    /// The community's settings: time zone, language, desired retention and
    /// exam date. Admins only.
    pub async fn community_settings(&self, caller: &Caller) -> Result<AdminReply, ServiceError> {
        Self::admin_only(caller)?;
        let (community, _) = self.member(caller).await?;
        Ok(self.settings_reply(&community, None))
    }

    /// Sets the community's time zone (an IANA name such as
    /// `Europe/Berlin`). Admins only. Days, weeks, months and streaks
    /// follow it from the next answer on; schedules set before keep the
    /// zone they were set in.
    pub async fn set_time_zone(
        &self,
        caller: &Caller,
        typed: &str,
    ) -> Result<AdminReply, ServiceError> {
        Self::admin_only(caller)?;
        let zone: Tz = typed
            .trim()
            .parse()
            .map_err(|_| Refusal::BadTimeZone(typed.trim().to_string()))?;
        let (mut community, _) = self.member(caller).await?;
        self.store()
            .set_community_time_zone(community.id, zone, self.now())
            .await?;
        self.forget_members();
        community.time_zone = zone;
        let texts = self.texts_for(&community);
        Ok(self.settings_reply(&community, Some(texts.time_zone_set(zone.name()))))
    }

    /// Sets the language of the community's messages (`ko` or `en`).
    /// Admins only.
    pub async fn set_language(
        &self,
        caller: &Caller,
        typed: &str,
    ) -> Result<AdminReply, ServiceError> {
        Self::admin_only(caller)?;
        let language =
            Locale::parse(typed).ok_or_else(|| Refusal::BadLanguage(typed.trim().to_string()))?;
        let (mut community, _) = self.member(caller).await?;
        self.store()
            .set_community_language(community.id, language)
            .await?;
        self.forget_members();
        community.locale = language.code().to_string();
        let texts = self.texts_for(&community);
        Ok(self.settings_reply(&community, Some(texts.language_set())))
    }

    /// The settings as the admin reads them, after `done` when a change was
    /// made.
    fn settings_reply(&self, community: &Community, done: Option<String>) -> AdminReply {
        let texts = self.texts_for(community);
        let today = quiz::local_day(self.now(), community.time_zone);
        let mut lines: Vec<String> = done.into_iter().collect();
        lines.push(texts.community_settings(
            community.time_zone.name(),
            community.language(),
            community.retention,
            community.exam_on,
            today,
        ));
        AdminReply::text(lines.join("\n"))
    }
}
