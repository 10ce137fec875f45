//! From a typed frame to every file of a release, in memory: counts, disclosure control
//! per wave, tables, CSVs, charts, datapackage.json, README.md and SHA256SUMS.

use std::collections::BTreeMap;

use polars::prelude::DataFrame;

use crate::PipelineError;
use crate::counts::{self, WaveCounts};
use crate::disclosure::{Prior, Protection, protect};
use crate::model::{CellKind, Group, Model};
use crate::progress::Progress;
use crate::quality::DataQuality;
use crate::spec::Spec;
use crate::store::Release;
use crate::table::Table;
use crate::tables::{self, WaveResult, wave_label};
use crate::write::charts::{Bar, chart, short_label};
use crate::write::datapackage::{About, Written, datapackage};
use crate::write::readme::{ReadmeInput, readme};
use crate::write::{csv::to_csv, sha256_hex, sha256sums};

/// The id of the release covering `wave`: `platform-treatment-2025-Q4`.
pub fn release_id(spec: &Spec, wave: i32) -> String {
    format!("{}-{}", spec.survey_id, wave_label(spec, wave))
}

/// One wave's model and protection, with how long it took (ms).
type Protected = (Model, Protection, u64);

/// Counts and protects every wave in `waves` (closed waves with responses, ascending).
pub fn protect_waves(
    spec: &Spec,
    frame: &DataFrame,
    waves: &[i32],
    prior: &Prior,
    progress: &dyn Progress,
) -> Result<BTreeMap<i32, WaveResult>, PipelineError> {
    progress.stage("tables");
    let counted = counts::count(spec, frame, waves)?;
    progress.stage("disclosure control and audit");
    // Waves are protected independently (each against the prior), so they run side by
    // side, one worker per core; results are collected in wave order.
    let counted: Vec<(i32, WaveCounts)> = counted.into_iter().collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(counted.len())
        .max(1);
    let mut done: Vec<(usize, Result<Protected, PipelineError>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((_, counts)) = counted.get(i) else {
                            return mine;
                        };
                        let started = std::time::Instant::now();
                        let protected = Model::build(spec, counts).and_then(|model| {
                            let protection = protect(&model, spec.k(), prior)?;
                            Ok((model, protection, started.elapsed().as_millis() as u64))
                        });
                        mine.push((i, protected));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a protection worker panicked"))
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    let mut results = BTreeMap::new();
    for ((wave, counts), (_, protected)) in counted.into_iter().zip(done) {
        let (model, protection, ms) = protected?;
        tracing::info!(
            wave = %wave_label(spec, wave),
            primary = protection.primary_cells,
            secondary = protection.secondary_cells,
            audited = protection.audit.checked,
            rounds = protection.rounds,
            solves = protection.audit.solves,
            ms,
            "wave protected"
        );
        results.insert(
            wave,
            WaveResult {
                counts,
                model,
                protection,
            },
        );
    }
    Ok(results)
}

/// The tables of a release whose last wave is the newest in `results`.
pub fn tables(spec: &Spec, results: &BTreeMap<i32, WaveResult>) -> Vec<Table> {
    let waves: Vec<i32> = results.keys().copied().collect();
    let wave = *waves.last().expect("at least one wave");
    let result = &results[&wave];
    vec![
        tables::respondents(spec, results),
        tables::answers(spec, wave, result),
        tables::indicators(spec, results, &[wave], "indicators"),
        tables::numeric(spec, wave, result),
        tables::by_dimension(spec, wave, result, true),
        tables::by_dimension(spec, wave, result, false),
        tables::indicators(spec, results, &waves, "trends"),
    ]
}

/// Every file of the release.
pub fn build(
    spec: &Spec,
    frame: &DataFrame,
    waves: &[i32],
    quality: &DataQuality,
    prior: &Prior,
    progress: &dyn Progress,
) -> Result<Release, PipelineError> {
    let results = protect_waves(spec, frame, waves, prior, progress)?;
    files(spec, &results, quality, progress)
}

pub fn files(
    spec: &Spec,
    results: &BTreeMap<i32, WaveResult>,
    quality: &DataQuality,
    progress: &dyn Progress,
) -> Result<Release, PipelineError> {
    progress.stage("writing");
    let wave = *results.keys().last().expect("at least one wave");
    let id = release_id(spec, wave);
    let tables = tables(spec, results);
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut csvs = Vec::new();
    for table in &tables {
        csvs.push(to_csv(table)?);
    }
    let package = datapackage(
        &About {
            release_id: id.clone(),
            title: format!("{}: statistics for {}", spec.title, wave_label(spec, wave)),
            description: format!(
                "Published statistics of the anonymous Canvass survey `{}` for the wave {}, with trends over every earlier closed wave. Small groups are suppressed (k = {}); see README.md.",
                spec.survey_id,
                wave_label(spec, wave),
                spec.k()
            ),
            source: format!(
                "Canvass survey `{}`, version(s) {}: anonymous opt-in responses of online sellers",
                spec.survey_id,
                spec.versions
                    .iter()
                    .map(|v| v.version.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
        &tables
            .iter()
            .zip(&csvs)
            .map(|(table, bytes)| Written { table, bytes })
            .collect::<Vec<_>>(),
    )?;
    let package_sha = sha256_hex(&package);
    let mut listing = Vec::new();
    for (table, bytes) in tables.iter().zip(csvs) {
        listing.push((format!("{}.csv", table.name), table.title.clone()));
        files.insert(format!("{}.csv", table.name), bytes);
    }
    for (path, svg) in charts(spec, wave, &results[&wave]) {
        files.insert(path, svg.into_bytes());
    }
    listing.push((
        "charts/*.svg".to_owned(),
        "one chart per headline indicator: share by main platform with its interval".to_owned(),
    ));
    listing.push((
        "datapackage.json".to_owned(),
        "the machine-readable description of every table".to_owned(),
    ));
    files.insert("datapackage.json".to_owned(), package);
    let text = readme(&ReadmeInput {
        spec,
        release_id: &id,
        wave,
        results,
        quality,
        files: listing,
        datapackage_sha256: package_sha,
    });
    files.insert("README.md".to_owned(), text.into_bytes());
    let sums = sha256sums(files.iter());
    files.insert("SHA256SUMS".to_owned(), sums);
    Ok(Release {
        id,
        survey_id: spec.survey_id.clone(),
        wave: wave_label(spec, wave),
        files,
    })
}

fn charts(spec: &Spec, wave: i32, result: &WaveResult) -> Vec<(String, String)> {
    let mut groups: Vec<(String, Group)> = vec![("All platforms".to_owned(), Group::All)];
    groups.extend(
        spec.platforms()
            .iter()
            .map(|p| (short_label(&p.label), Group::Platform(p.id.clone()))),
    );
    spec.indicators
        .iter()
        .map(|ind| {
            let bars: Vec<Bar> = groups
                .iter()
                .map(|(label, group)| {
                    let key = |kind| crate::model::CellKey {
                        wave,
                        kind,
                        group: group.clone(),
                        item: ind.id.clone(),
                        option: String::new(),
                    };
                    let count = result.published(&key(CellKind::IndicatorCount));
                    let n = result.published(&key(CellKind::IndicatorN));
                    let (share, ci, status) = match (count, n) {
                        (Some(x), Some(n)) if n > 0 => (
                            Some(x as f64 / n as f64),
                            crate::stats::wilson(x, n),
                            if n < u64::from(spec.disclosure.low_reliability_below) {
                                tables::LOW_RELIABILITY
                            } else {
                                tables::OK
                            },
                        ),
                        (Some(_), Some(_)) => (None, None, tables::LOW_RELIABILITY),
                        _ => (None, None, tables::SUPPRESSED),
                    };
                    Bar {
                        label: label.clone(),
                        status: status.to_owned(),
                        n,
                        share,
                        ci,
                    }
                })
                .collect();
            let subtitle = format!(
                "Share of sellers, {}, by main platform",
                wave_label(spec, wave)
            );
            (
                format!("charts/{}.svg", ind.id),
                chart(&ind.label, &subtitle, &bars, spec.k()),
            )
        })
        .collect()
}
