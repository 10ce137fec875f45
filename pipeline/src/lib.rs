//! canvass-pipeline: turns stored responses into a public release of safe statistics.
//!
//! extract (store pages → typed columns) → frame (polars, typed from the survey) → counts
//! (lazy group-bys) → model + disclosure control + audit, per wave → tables → writers
//! (CSV, datapackage.json, README.md, charts, SHA256SUMS) → a [`ReleaseStore`].
//!
//! [`run`] is the one entry point: `canvass report`, the scheduled report function and the
//! local server's timer all call it. This is the only crate that links polars.

pub mod counts;
pub mod disclosure;
mod error;
pub mod extract;
pub mod frame;
pub mod indicators;
pub mod labels;
pub mod locale;
pub mod progress;
pub mod quality;
pub mod release;
pub mod schedule;
pub mod spec;
pub mod stats;
pub mod store;
pub mod table;
pub mod tables;
pub mod utility;
pub mod write;

use canvass_core::catalog::Catalog;
use canvass_core::store::ResponseStore;
use time::Date;

use disclosure::{history, prior, recode};

pub use error::PipelineError;
pub use progress::{Progress, Silent};
pub use spec::Spec;
pub use store::{Published, Release, ReleaseStore};

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
