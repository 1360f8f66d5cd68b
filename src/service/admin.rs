//! Administration: the daily question's schedules and reloading the
//! content. A community's admins use these from their platform; the
//! operator uses the unchecked ones ([`Service::all_schedules`],
//! [`Service::remove_schedule`], [`Service::set_daily_as_operator`]) from
//! the command line.

use chrono::Utc;

use super::{Caller, Service, ServiceError};
use crate::daily::{DailySettings, NewSchedule};
use crate::i18n::Texts;
use crate::identity::{ExternalId, Platform};
use crate::refusal::Refusal;
use crate::view::{AdminReply, ReloadReport, ScheduleLine};

/// A daily question's settings as typed: unset ones take their defaults
/// (the community's time zone, every topic, an 8-hour reveal).
#[derive(Debug, Clone, Default)]
pub struct DailyRequest<'a> {
    pub time: &'a str,
    pub time_zone: Option<&'a str>,
    /// Topic ids or names, comma separated.
    pub topics: Option<&'a str>,
    pub reveal_after: Option<&'a str>,
}

impl Service {
    pub(super) fn admin_only(caller: &Caller) -> Result<(), ServiceError> {
        if caller.admin {
            Ok(())
        } else {
            Err(Refusal::AdminOnly.into())
        }
    }

    /// Posts a question to `channel` of the caller's community every day.
    pub async fn set_daily(
        &self,
        caller: &Caller,
        channel: String,
        request: &DailyRequest<'_>,
    ) -> Result<AdminReply, ServiceError> {
        Self::admin_only(caller)?;
        let (community, _) = self.member(caller).await?;
        let identity = &caller.identity;
        let schedule = self.new_schedule(
            identity.platform,
            identity.community.clone(),
            channel,
            request,
            community.time_zone,
        )?;
        self.save_schedule(self.texts_for(&community), &schedule)
            .await
    }

    /// The same, for the operator: no community row is needed, and an unset
    /// zone is the service's default one.
    pub async fn set_daily_as_operator(
        &self,
        platform: Platform,
        community: ExternalId,
        channel: String,
        request: &DailyRequest<'_>,
    ) -> Result<AdminReply, ServiceError> {
        let (zone, texts) = match self.store().find_community(platform, &community).await? {
            Some(found) => (found.time_zone, self.texts_for(&found)),
            None => (self.settings().time_zone, self.texts()),
        };
        let schedule = self.new_schedule(platform, community, channel, request, zone)?;
        self.save_schedule(texts, &schedule).await
    }

    fn new_schedule(
        &self,
        platform: Platform,
        community: ExternalId,
        channel: String,
        request: &DailyRequest<'_>,
        default_zone: chrono_tz::Tz,
    ) -> Result<NewSchedule, ServiceError> {
        let settings = DailySettings {
            time: request.time,
            time_zone: request.time_zone,
            topics: request.topics,
            reveal_after: request.reveal_after,
        };
        let content = self.content();
        settings
            .schedule(platform, community, channel, &content.bank, default_zone)
            .map_err(|err| Refusal::from(err).into())
    }

    async fn save_schedule(
        &self,
        texts: Texts,
        schedule: &NewSchedule,
    ) -> Result<AdminReply, ServiceError> {
        let now = Utc::now();
        let saved = self.store().set_schedule(schedule, now).await?;
        Ok(AdminReply {
            text: Some(texts.schedule_saved().into()),
            schedules: vec![ScheduleLine::new(texts, &saved, now)],
        })
    }

    /// Turns the daily question off in `channel`, or in the whole
    /// community when unset.
    pub async fn daily_off(
        &self,
        caller: &Caller,
        channel: Option<&str>,
    ) -> Result<AdminReply, ServiceError> {
        Self::admin_only(caller)?;
        let identity = &caller.identity;
        let count = self
            .store()
            .disable_schedules(identity.platform, &identity.community, channel, Utc::now())
            .await?;
        Ok(AdminReply::text(
            self.texts_of(identity).schedules_off(count),
        ))
    }

    /// The community's schedules, with any delivery trouble.
    pub async fn daily_show(&self, caller: &Caller) -> Result<AdminReply, ServiceError> {
        Self::admin_only(caller)?;
        let identity = &caller.identity;
        let schedules = self
            .store()
            .schedules(Some(identity.platform), Some(&identity.community))
            .await?;
        Ok(self.schedule_list(self.texts_of(identity), &schedules))
    }

    /// Every schedule of every community, for the operator.
    pub async fn all_schedules(&self) -> Result<AdminReply, ServiceError> {
        let schedules = self.store().schedules(None, None).await?;
        Ok(self.schedule_list(self.texts(), &schedules))
    }

    fn schedule_list(&self, texts: Texts, schedules: &[crate::daily::Schedule]) -> AdminReply {
        let now = Utc::now();
        AdminReply {
            text: schedules.is_empty().then(|| texts.no_schedules().into()),
            schedules: schedules
                .iter()
                .map(|s| ScheduleLine::new(texts, s, now))
                .collect(),
        }
    }

    /// Deletes a channel's schedule, for the operator.
    pub async fn remove_schedule(
        &self,
        platform: Platform,
        community: &ExternalId,
        channel: &str,
    ) -> Result<AdminReply, ServiceError> {
        let removed = self
            .store()
            .remove_schedule(platform, community, channel)
            .await?;
        if !removed {
            return Err(Refusal::NoSchedule.into());
        }
        Ok(AdminReply::text(self.texts().schedule_removed()))
    }

    /// Reads the question banks and notes again, off the async workers;
    /// when the new content has errors, the running content stays.
    pub async fn reload(&self, caller: &Caller) -> Result<ReloadReport, ServiceError> {
        Self::admin_only(caller)?;
        let before = self.content();
        let content = self.shared_content().clone();
        let reloaded = tokio::task::spawn_blocking(move || content.reload())
            .await
            .map_err(|err| ServiceError::failed("reloading the content", err))?;
        let texts = self.texts_of(&caller.identity);
        Ok(match reloaded {
            Ok(report) => {
                tracing::info!("content reloaded: {}", report.summary());
                let mut lines = vec![texts.reloaded(
                    report.topics,
                    report.questions,
                    report.sections,
                    report.warnings(),
                )];
                // The new content is in; a failure to tell about changed
                // keys is logged and leaves it so.
                match self
                    .answer_key_changes(texts, &before, &self.content())
                    .await
                {
                    Ok(changes) => lines.extend(changes),
                    Err(err) => err.log("checking changed answer keys"),
                }
                ReloadReport::Done(lines.join("\n"))
            }
            Err(err) => {
                tracing::warn!("content reload refused: {err}");
                ReloadReport::Refused {
                    title: texts.reload_failed().into(),
                    errors: err
                        .diagnostics
                        .iter()
                        .filter(|d| d.is_error())
                        .map(|d| d.to_string())
                        .collect(),
                }
            }
        })
    }
}
