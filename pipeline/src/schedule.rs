//! One scheduled run: a release for every survey that has a published version. The report
//! Lambda (on the EventBridge Scheduler event) and `canvass serve`'s timer both call this,
//! so the schedule has one behaviour wherever it fires. Firing twice is harmless: a release
//! that exists byte for byte is left as it is.

use canvass_core::catalog::Catalog;
use canvass_core::store::ResponseStore;
use time::Date;

use crate::{Options, Outcome, PipelineError, ReleaseStore, Silent, run};

/// What happened to each survey.
pub type Report = Vec<(String, Result<Outcome, PipelineError>)>;

pub async fn run_all<S, R>(store: &S, catalog: &Catalog, releases: &R, as_of: Date) -> Report
where
    S: ResponseStore + ?Sized,
    R: ReleaseStore + ?Sized,
{
    let mut surveys: Vec<String> = catalog
        .all()
        .filter(|s| s.status.is_published())
        .map(|s| s.id.clone())
        .collect();
    surveys.dedup();
    let mut report = Vec::new();
    for survey_id in surveys {
        let options = Options {
            survey_id: survey_id.clone(),
            as_of,
        };
        let started = std::time::Instant::now();
        let outcome = run(store, catalog, releases, &options, &Silent).await;
        match &outcome {
            Ok(Outcome::Released {
                release_id,
                files,
                new,
                responses,
                ..
            }) => tracing::info!(
                survey = %survey_id, release = %release_id, files, new, responses,
                elapsed_ms = started.elapsed().as_millis() as u64, "report written"
            ),
            Ok(Outcome::NothingToPublish(why)) => {
                tracing::info!(survey = %survey_id, %why, "nothing to publish")
            }
            Err(e) => tracing::error!(survey = %survey_id, error = %e, "report failed"),
        }
        report.push((survey_id, outcome));
    }
    report
}

impl PipelineError {
    /// Whether running again later may succeed (a store was unavailable), as opposed to a
    /// failure that needs a person (a failed audit, a changed closed wave, a bug).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            PipelineError::Store(canvass_core::store::StoreError::Unavailable(_))
                | PipelineError::ReleasesUnavailable(_)
                | PipelineError::Io(_)
        )
    }
}
