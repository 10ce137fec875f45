//! The report function: on each EventBridge Scheduler event, the same scheduled run as
//! `canvass serve`'s timer (`canvass_pipeline::schedule::run_all`), over DynamoDB, into the
//! releases bucket. Firing twice is harmless: an existing release is left as it is.

use canvass_core::catalog::Catalog;
use canvass_core::releases::ReleaseStore;
use canvass_core::store::ResponseStore;
use canvass_pipeline::Outcome;
use serde::Serialize;
use time::Date;

/// Clients and settings, built once per cold start.
pub struct Deps {
    pub responses: Box<dyn ResponseStore>,
    pub catalog: Catalog,
    pub releases: ReleaseStore,
}

/// What one invocation did, per survey: returned to the scheduler and logged.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub surveys: Vec<SurveySummary>,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct SurveySummary {
    pub survey: String,
    pub release: Option<String>,
    pub new: bool,
    pub note: Option<String>,
}

/// Failures sorted the way the scheduler's retry policy needs them: a store that was down
/// is worth another attempt; a failed disclosure audit or a changed closed wave needs a
/// person, and retrying would only fail again.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{0}")]
    Retryable(String),
    #[error("{0}")]
    NonRetryable(String),
}

impl ReportError {
    pub fn kind(&self) -> &'static str {
        match self {
            ReportError::Retryable(_) => "Retryable",
            ReportError::NonRetryable(_) => "NonRetryable",
        }
    }
}

/// Runs every published survey's report as of `today`.
pub async fn handle(deps: &Deps, today: Date) -> Result<Summary, ReportError> {
    let report = canvass_pipeline::schedule::run_all(
        deps.responses.as_ref(),
        &deps.catalog,
        &deps.releases,
        today,
    )
    .await;
    let mut surveys = Vec::new();
    let mut failures = Vec::new();
    let mut all_retryable = true;
    for (survey, outcome) in report {
        match outcome {
            Ok(Outcome::Released {
                release_id, new, ..
            }) => surveys.push(SurveySummary {
                survey,
                release: Some(release_id),
                new,
                note: None,
            }),
            Ok(Outcome::NothingToPublish(why)) => surveys.push(SurveySummary {
                survey,
                release: None,
                new: false,
                note: Some(why),
            }),
            Err(e) => {
                all_retryable &= e.is_retryable();
                failures.push(format!("{survey}: {e}"));
            }
        }
    }
    match (failures.is_empty(), all_retryable) {
        (true, _) => Ok(Summary { surveys }),
        (false, true) => Err(ReportError::Retryable(failures.join("; "))),
        (false, false) => Err(ReportError::NonRetryable(failures.join("; "))),
    }
}
