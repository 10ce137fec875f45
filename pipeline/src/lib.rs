//! canvass-pipeline: turns stored responses into a public release of safe statistics.
//!
//! extract (store pages → typed columns) → frame (polars, typed from the survey) → counts
//! (lazy group-bys) → model + disclosure control + audit, per wave → tables → writers
//! (CSV, datapackage.json, README.md, charts, SHA256SUMS) → a [`ReleaseStore`].
//!
//! [`run`] is the one entry point: `canvass report`, the scheduled report function and the
//! local server's timer all call it. This is the only crate that links polars.

pub mod audit;
pub mod counts;
pub mod disclosure;
pub mod extract;
pub mod frame;
pub mod history;
pub mod indicators;
pub mod labels;
pub mod locale;
mod lp;
pub mod model;
pub mod prior;
pub mod progress;
pub mod quality;
pub mod recode;
pub mod release;
pub mod revision;
pub mod schedule;
pub mod spec;
pub mod stats;
pub mod store;
pub mod table;
pub mod tables;
pub mod utility;
pub mod write;

use canvass_core::catalog::Catalog;
use canvass_core::store::{ResponseStore, StoreError};
use time::Date;

pub use progress::{Progress, Silent};
pub use spec::Spec;
pub use store::{Published, Release, ReleaseStore};

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

/// What to report.
#[derive(Debug, Clone)]
pub struct Options {
    pub survey_id: String,
    /// Waves whose last week ended before this day are closed and published.
    pub as_of: Date,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A release was written (`new`) or was already there, byte for byte.
    Released {
        release_id: String,
        files: usize,
        new: bool,
        responses: u64,
        /// Per table of the newest wave: published, primary and secondary suppressions.
        utility: Vec<utility::TableUtility>,
    },
    /// Nothing can be published yet, and why.
    NothingToPublish(String),
}

/// Extracts every response of the survey, builds the release of the last closed wave and
/// stores it. Earlier releases in `releases` keep their suppressions.
pub async fn run<S, R>(
    store: &S,
    catalog: &Catalog,
    releases: &R,
    options: &Options,
    progress: &dyn Progress,
) -> Result<Outcome, PipelineError>
where
    S: ResponseStore + ?Sized,
    R: ReleaseStore + ?Sized,
{
    let spec = Spec::from_catalog(catalog, &options.survey_id)?;
    progress.stage("reading responses");
    let extract::Extracted {
        mut columns,
        quality,
        waves,
    } = extract::extract(store, &spec, options.as_of, progress).await?;
    if quality.items == 0 {
        return Ok(Outcome::NothingToPublish(format!(
            "survey `{}` has no responses yet: no release written",
            spec.survey_id
        )));
    }
    let waves: Vec<i32> = waves.into_iter().collect();
    let Some(&last) = waves.last() else {
        return Ok(Outcome::NothingToPublish(format!(
            "no wave of survey `{}` with usable responses has closed by {}: {} response(s) wait in the open wave, {} could not be used; no release written",
            spec.survey_id,
            options.as_of,
            quality.open_wave,
            quality.excluded()
        )));
    };
    let prior = prior::load(releases, &spec, last).await?;
    let published = history::load_latest(releases, &spec, last).await?;
    // The polars work runs on a plain thread: inside an async runtime polars would need a
    // multi-threaded one (it calls `block_in_place`), and a Lambda or a test may not have it.
    let ((release, utility), responses) = std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let recoding = recode::recode(&spec, &mut columns);
                let frame = frame::build(&spec, &columns)?;
                let release = release::build(
                    &spec,
                    &frame,
                    &waves,
                    &recoding,
                    &quality,
                    &prior,
                    published.as_ref(),
                    progress,
                )?;
                Ok::<_, PipelineError>((release, frame.height() as u64))
            })
            .join()
            .map_err(|_| PipelineError::Inconsistent("the table builder panicked".into()))?
    })?;
    drop(columns);
    let files = release.files.len();
    let published = releases.publish(&release).await?;
    Ok(Outcome::Released {
        release_id: release.id,
        files,
        new: published == Published::New,
        responses,
        utility,
    })
}
