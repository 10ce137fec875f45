//! The schedule as a timer inside `canvass serve`: the same scheduled run as the report
//! Lambda, at start and then every interval.

use std::sync::Arc;
use std::time::Duration;

use canvass_core::catalog::Catalog;
use canvass_core::releases::ReleaseStore;
use canvass_core::store::ResponseStore;
use time::OffsetDateTime;

pub fn spawn(
    responses: Arc<dyn ResponseStore>,
    catalog: Arc<Catalog>,
    releases: Arc<ReleaseStore>,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let today = OffsetDateTime::now_utc().date();
            canvass_pipeline::schedule::run_all(
                responses.as_ref(),
                &catalog,
                releases.as_ref(),
                today,
            )
            .await;
        }
    })
}
