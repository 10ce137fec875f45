//! Everything that stops a report, each said so that an operator knows what to do.

use canvass_core::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("survey `{0}` has no published version in the catalog")]
    UnknownSurvey(String),
    #[error("survey `{survey}` cannot be reported: {why}")]
    Unsupported { survey: String, why: String },
    #[error("reading responses: {0}")]
    Store(StoreError),
    #[error("computing tables: {0}")]
    Polars(#[from] polars::prelude::PolarsError),
    #[error("the tables are inconsistent, nothing was written (a bug): {0}")]
    Inconsistent(String),
    #[error(
        "disclosure audit failed: {cell} can be narrowed to [{low:.1}, {high:.1}], a range narrower than k = {k}; the release is not written"
    )]
    AuditFailed {
        cell: String,
        low: f64,
        high: f64,
        k: u64,
    },
    #[error("disclosure audit: {0}")]
    Audit(String),
    #[error(
        "{cell} was published as {before} in an earlier release but is {now} now; closed waves must not change, so the release is not written"
    )]
    ChangedSincePublished { cell: String, before: u64, now: u64 },
    #[error(
        "wave {wave} cannot be published safely yet: {why}. Earlier releases stay as they are; the wave is tried again at the next run (more responses usually make it publishable), and docs/methodology.md explains the rules"
    )]
    NewestWaveRefused { wave: String, why: String },
    #[error("writing the release: {0}")]
    Write(String),
    #[error("release `{0}` already exists with different content; releases are immutable")]
    ReleaseDiffers(String),
    #[error("reading the earlier release `{release}`: {why}")]
    PriorRelease { release: String, why: String },
    #[error("release store: {0}")]
    Io(#[from] std::io::Error),
    #[error("release storage is unavailable: {0}")]
    ReleasesUnavailable(String),
}

impl From<csv::Error> for PipelineError {
    fn from(e: csv::Error) -> Self {
        PipelineError::Write(e.to_string())
    }
}

impl From<serde_json::Error> for PipelineError {
    fn from(e: serde_json::Error) -> Self {
        PipelineError::Write(e.to_string())
    }
}
