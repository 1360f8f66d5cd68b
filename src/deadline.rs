//! Answering within a platform's deadline whatever the database does.
//!
//! Discord and Slack give an interaction three seconds for its first
//! response. A use case usually finishes in a few milliseconds, but while
//! the database restarts or a lock is held it can take seconds, and work
//! that is cut off may still have been stored. So an adapter never races
//! the deadline with the work itself: it gives the work [`DEFER_AFTER`],
//! and when that passes it sends the platform's "working on it" (a deferred
//! response, a bare acknowledgement), lets the same work run to its end,
//! and sends what it says: the result, or "not recorded, try again". What
//! a member finally reads always comes from the one run of the use case,
//! so it matches what was stored.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// How long an interaction's work may run before the platform is told to
/// wait: well inside the three seconds both platforms allow, with room for
/// the deferral's own round trip.
pub const DEFER_AFTER: Duration = Duration::from_millis(1500);

/// Work that did not finish in time, still running when awaited.
pub type Pending<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The outcome of giving work its budget.
pub enum Timely<'a, T> {
    /// Done within the budget: answer at once.
    Ready(T),
    /// Not done yet: defer, then await the rest.
    Late(Pending<'a, T>),
}

/// Runs `work` for up to `budget`: its result, or the work still going.
pub async fn within<'a, T>(
    budget: Duration,
    work: impl Future<Output = T> + Send + 'a,
) -> Timely<'a, T> {
    let mut work: Pending<'a, T> = Box::pin(work);
    match tokio::time::timeout(budget, &mut work).await {
        Ok(done) => Timely::Ready(done),
        Err(_) => Timely::Late(work),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn quick_work_is_ready_and_slow_work_goes_on_after_the_budget() {
        let budget = Duration::from_millis(50);
        let quick = within(budget, async { 7 }).await;
        assert!(matches!(quick, Timely::Ready(7)));

        let slow = within(budget, async {
            tokio::time::sleep(budget * 4).await;
            8
        })
        .await;
        let Timely::Late(rest) = slow else {
            panic!("five seconds of work came back within the budget");
        };
        // The same run finishes: nothing was cut off or started again.
        assert_eq!(rest.await, 8);
    }
}
