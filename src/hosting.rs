//! What a platform hosts beside its events: the daily question's
//! [`Scheduler`] and the live rounds' [`Quizmaster`], started together
//! when the platform's client is up and stopped together when it ends.
//!
//! Stopping lets a tick or a live step in progress finish (up to
//! [`DRAIN`]), so a post the platform accepted is also noted in the store
//! and never sent again after a restart; the store's leases make several
//! replicas safe.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::identity::Platform;
use crate::quizmaster::{LiveChannel, Quizmaster};
use crate::scheduler::{DailyChannel, Scheduler};
use crate::service::Service;

/// How long a daily tick in progress may take to finish at shutdown (a
/// live step gets a second more: it may be waiting on the platform).
pub const DRAIN: Duration = Duration::from_secs(5);

/// The scheduler and the quizmaster of one platform, running.
pub struct Hosting {
    stop: CancellationToken,
    daily: JoinHandle<()>,
    live: JoinHandle<()>,
}

impl Hosting {
    /// Starts both for `platform`, posting through `daily` and `live`,
    /// until [`Hosting::stop`] or `shutdown`.
    pub fn start(
        platform: Platform,
        service: &Service,
        daily: impl DailyChannel + 'static,
        live: impl LiveChannel + 'static,
        shutdown: &CancellationToken,
    ) -> Hosting {
        let stop = shutdown.child_token();
        let scheduler = Scheduler::new(platform, service.clone(), daily);
        let tick = service.settings().daily_tick;
        let daily = tokio::spawn({
            let stop = stop.clone();
            async move { scheduler.run(Utc::now, tick, stop).await }
        });
        let quizmaster = Arc::new(Quizmaster::new(platform, service.clone(), live));
        let live = tokio::spawn({
            let stop = stop.clone();
            async move { quizmaster.run(Arc::new(Utc::now), stop).await }
        });
        Hosting { stop, daily, live }
    }

    /// Stops both, letting work in progress finish for up to [`DRAIN`].
    pub async fn stop(mut self) {
        self.stop.cancel();
        let (daily, live) = tokio::join!(
            tokio::time::timeout(DRAIN, &mut self.daily),
            tokio::time::timeout(DRAIN + Duration::from_secs(1), &mut self.live),
        );
        if daily.is_err() {
            tracing::warn!("the daily question's tick did not finish at shutdown");
            self.daily.abort();
        }
        if live.is_err() {
            tracing::warn!("the live rounds did not stop at shutdown");
            self.live.abort();
        }
    }
}
