//! From a typed frame to every file of a release, in memory: counts, disclosure control
//! per wave, tables, CSVs, charts, datapackage.json, README.md and SHA256SUMS.

use std::collections::BTreeMap;

use canvass_core::releases::citation::{CITATION_FILE, Citation, PUBLISHER};
use polars::prelude::DataFrame;

use crate::PipelineError;
use crate::counts::{self, WaveCounts};
use crate::disclosure::history::{self, Published, WaveHistory};
use crate::disclosure::model::{CellKind, Group, Model};
use crate::disclosure::recode::Recoding;
use crate::disclosure::revision::{self, Verdict};
use crate::disclosure::{Earlier, Prior, protect};
use crate::locale;
use crate::progress::Progress;
use crate::quality::DataQuality;
use crate::spec::{IndicatorSpec, Spec};
use crate::store::Release;
use crate::table::Table;
use crate::tables::{self, WaveResult, wave_label};
use crate::utility::{TableUtility, utility};
use crate::write::charts::{Bar, Chart, SHARE_HEIGHT, SHARE_WIDTH, short_label};
use crate::write::citation::citation_file;
use crate::write::datapackage::{About, RecodingNote, Written, datapackage};
use crate::write::png::{CHART_PNG_WIDTH, pngs};
use crate::write::readme::{ListedFile, ReadmeInput, readme, readme_file};
use crate::write::{csv::to_csv, sha256_hex, sha256sums};

/// The id of the release covering `wave`: `platform-treatment-2025-Q4`.
pub fn release_id(spec: &Spec, wave: i32) -> String {
    format!("{}-{}", spec.survey_id, wave_label(spec, wave))
}

/// The day a release of `wave` becomes citable: the day after its last submission day. It
/// depends on the wave alone, never on the clock, so re-runs write the same bytes.
pub fn released_on(spec: &Spec, wave: i32) -> time::Date {
    tables::wave_of_key(spec.wave_length, wave)
        .last_submission_day()
        .next_day()
        .expect("not the last day of time")
}

/// What one wave of this release needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Job {
    /// The newest wave: protected, or the release is refused.
    Newest,
    /// Never published before: protected, or left out.
    First,
    /// Published, and its responses changed: a revision is tried.
    Revise,
}

/// What a job produced: the wave's result, or why it has none.
type Done = Result<(WaveResult, Option<Verdict>), PipelineError>;

/// Counts every wave in `waves` (closed waves with responses, ascending), carries the
/// waves `published` covers unchanged, and protects the rest, one worker per core.
pub fn protect_waves(
    spec: &Spec,
    frame: &DataFrame,
    waves: &[i32],
    recoding: &Recoding,
    prior: &Prior,
    published: Option<&Published>,
    progress: &dyn Progress,
) -> Result<Protected, PipelineError> {
    progress.stage("tables");
    let mut counted = counts::count(spec, frame, waves)?;
    for (wave, counts) in &mut counted {
        counts.recoding = recoding.get(wave).cloned().unwrap_or_default();
    }
    let newest = *waves.last().expect("at least one wave");
    let mut history: BTreeMap<i32, WaveHistory> = BTreeMap::new();
    let mut jobs: Vec<(i32, WaveCounts, Model, Job)> = Vec::new();
    for (wave, counts) in counted {
        let model = Model::build(spec, &counts)?;
        let job = match published {
            _ if wave == newest => Job::Newest,
            Some(p) if p.covers(wave) => {
                let same_groups =
                    p.recoding.get(&wave) == recoding_note(spec, wave, &counts).as_ref();
                if same_groups && history::unchanged(&model, prior) {
                    history.insert(wave, WaveHistory::Carried);
                    continue;
                }
                Job::Revise
            }
            _ => Job::First,
        };
        jobs.push((wave, counts, model, job));
    }
    // Waves published before but without responses now (all removed) keep their numbers.
    for &wave in published
        .map(|p| p.trends.rows.keys())
        .into_iter()
        .flatten()
    {
        if wave < newest && !waves.contains(&wave) {
            history.insert(
                wave,
                WaveHistory::Kept {
                    then: published_respondents(prior, wave),
                    now: 0,
                    why: "no response of the wave is stored any more".into(),
                },
            );
        }
    }

    progress.stage("disclosure control and audit");
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(jobs.len())
        .max(1);
    let mut done: Vec<(usize, Done, u64)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((wave, counts, model, job)) = jobs.get(i) else {
                            return mine;
                        };
                        let started = std::time::Instant::now();
                        let result = run_job(spec, *wave, counts, model, *job, prior);
                        mine.push((i, result, started.elapsed().as_millis() as u64));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a protection worker panicked"))
            .collect()
    });
    done.sort_by_key(|(i, _, _)| *i);
    let mut results = BTreeMap::new();
    for ((wave, _, model, job), (_, outcome, ms)) in jobs.into_iter().zip(done) {
        let now = model
            .by_key
            .get(&respondents_key(wave))
            .map_or(0, |&c| model.cells[c].value);
        let (result, verdict) = match (job, outcome) {
            (Job::Newest, Err(e)) => {
                return Err(PipelineError::NewestWaveRefused {
                    wave: wave_label(spec, wave),
                    why: e.to_string(),
                });
            }
            (Job::First, Err(e)) => {
                history.insert(wave, WaveHistory::LeftOut { why: e.to_string() });
                continue;
            }
            (Job::Revise, Err(e)) => {
                let why = format!("the revised wave cannot be protected ({e})");
                history.insert(wave, kept(prior, wave, now, why));
                continue;
            }
            (_, Ok(done)) => done,
        };
        match (job, verdict) {
            (Job::Revise, Some(Verdict::Unsafe(why))) => {
                history.insert(wave, kept(prior, wave, now, why));
                continue;
            }
            (Job::Revise, _) => {
                let then = published_respondents(prior, wave).unwrap_or_default();
                history.insert(wave, WaveHistory::Revised { then, now });
            }
            _ => {}
        }
        tracing::info!(
            wave = %wave_label(spec, wave),
            primary = result.protection.primary_cells,
            secondary = result.protection.secondary_cells,
            audited = result.protection.audit.checked,
            rounds = result.protection.rounds,
            solves = result.protection.audit.solves,
            ms,
            "wave protected"
        );
        results.insert(wave, result);
    }
    Ok(Protected { results, history })
}

/// Protects one wave; a revision is then audited against the wave as published.
fn run_job(
    spec: &Spec,
    wave: i32,
    counts: &WaveCounts,
    model: &Model,
    job: Job,
    prior: &Prior,
) -> Done {
    let own;
    let against = if job == Job::Revise {
        own = history::suppressions_only(prior, wave);
        &own
    } else {
        prior
    };
    let protection = protect(model, spec.k(), against)?;
    let verdict = match job {
        Job::Revise => Some(revision::check(
            model,
            &protection,
            prior,
            spec.k(),
            &wave_label(spec, wave),
        )?),
        _ => None,
    };
    let result = WaveResult {
        counts: counts.clone(),
        model: model.clone(),
        protection,
    };
    Ok((result, verdict))
}

fn kept(prior: &Prior, wave: i32, now: u64, why: String) -> WaveHistory {
    WaveHistory::Kept {
        then: published_respondents(prior, wave),
        now,
        why,
    }
}

/// The published number of respondents (`all`) of a wave.
fn published_respondents(prior: &Prior, wave: i32) -> Option<u64> {
    match prior.get(&respondents_key(wave)) {
        Some(Earlier::Published(v)) => Some(*v),
        _ => None,
    }
}

fn respondents_key(wave: i32) -> crate::disclosure::model::CellKey {
    crate::disclosure::model::CellKey {
        wave,
        kind: CellKind::Respondents,
        group: Group::All,
        item: String::new(),
        option: String::new(),
    }
}

/// The protected waves of a release and what it does with every earlier wave.
pub struct Protected {
    pub results: BTreeMap<i32, WaveResult>,
    pub history: BTreeMap<i32, WaveHistory>,
}

/// The tables of a release whose last wave is the newest in `results`.
pub fn tables(spec: &Spec, protected: &Protected, published: Option<&Published>) -> Vec<Table> {
    let results = &protected.results;
    let waves: Vec<i32> = results.keys().copied().collect();
    let wave = *waves.last().expect("at least one wave");
    let result = &results[&wave];
    let mut respondents = tables::respondents(spec, results);
    let mut trends = tables::indicators(spec, results, &waves, "trends");
    if let Some(p) = published {
        let carried: Vec<i32> = protected
            .history
            .iter()
            .filter(|(_, h)| h.is_carried())
            .map(|(&w, _)| w)
            .collect();
        history::splice(spec, &mut respondents, &p.respondents, &carried);
        history::splice(spec, &mut trends, &p.trends, &carried);
    }
    vec![
        respondents,
        tables::answers(spec, wave, result),
        tables::indicators(spec, results, &[wave], "indicators"),
        tables::numeric(spec, wave, result),
        tables::by_dimension(spec, wave, result, true),
        tables::by_dimension(spec, wave, result, false),
        trends,
        crate::labels::labels(spec, wave),
    ]
}

/// Every file of the release, and how much of its newest wave it publishes.
#[allow(clippy::too_many_arguments)]
pub fn build(
    spec: &Spec,
    frame: &DataFrame,
    waves: &[i32],
    recoding: &Recoding,
    quality: &DataQuality,
    prior: &Prior,
    published: Option<&Published>,
    progress: &dyn Progress,
) -> Result<(Release, Vec<TableUtility>), PipelineError> {
    let protected = protect_waves(spec, frame, waves, recoding, prior, published, progress)?;
    let newest = protected.results.values().last().expect("the newest wave");
    let utility = utility(newest);
    Ok((
        files(spec, &protected, published, quality, progress)?,
        utility,
    ))
}

pub fn files(
    spec: &Spec,
    protected: &Protected,
    published: Option<&Published>,
    quality: &DataQuality,
    progress: &dyn Progress,
) -> Result<Release, PipelineError> {
    progress.stage("writing");
    let results = &protected.results;
    let wave = *results.keys().last().expect("at least one wave");
    let id = release_id(spec, wave);
    let tables = tables(spec, protected, published);
    let recoding = recoding_notes(spec, protected, published);
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut csvs = Vec::new();
    for table in &tables {
        csvs.push(to_csv(table)?);
    }
    let released = released_on(spec, wave);
    let about = About {
        release_id: id.clone(),
        title: crate::labels::release_title(spec, wave, spec.lang()),
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
        recoding: recoding.clone(),
        released,
        indicators: spec
            .indicators
            .iter()
            .map(|i| (i.id.clone(), i.label.get(spec.lang()).to_owned()))
            .collect(),
        languages: spec.languages.clone(),
    };
    let package = datapackage(
        &about,
        &tables
            .iter()
            .zip(&csvs)
            .map(|(table, bytes)| Written { table, bytes })
            .collect::<Vec<_>>(),
    )?;
    let package_sha = sha256_hex(&package);
    let mut listing = Vec::new();
    for (table, bytes) in tables.iter().zip(csvs) {
        listing.push(ListedFile::new(
            format!("{}.csv", table.name),
            format!("table-{}", table.name),
            Vec::new(),
        ));
        files.insert(format!("{}.csv", table.name), bytes);
    }
    files.extend(charts(spec, &id, wave, &results[&wave])?);
    listing.push(ListedFile::new(
        "charts/*.svg",
        "file-charts-svg",
        Vec::new(),
    ));
    listing.push(ListedFile::new(
        "charts/*.png",
        "file-charts-png",
        vec![("width", CHART_PNG_WIDTH.into())],
    ));
    listing.push(ListedFile::new(
        "charts/share.png",
        "file-share",
        vec![
            ("width", SHARE_WIDTH.into()),
            ("height", SHARE_HEIGHT.into()),
        ],
    ));
    for lang in spec.languages.iter().skip(1) {
        listing.push(ListedFile::new(
            format!("charts/{lang}/"),
            "file-charts-lang",
            vec![("lang", lang.clone().into())],
        ));
    }
    for lang in spec.languages.iter().skip(1) {
        listing.push(ListedFile::new(
            readme_file(spec, lang),
            "file-readme-lang",
            vec![("lang", lang.clone().into())],
        ));
    }
    listing.push(ListedFile::new(
        "datapackage.json",
        "file-datapackage",
        Vec::new(),
    ));
    files.insert("datapackage.json".to_owned(), package);
    listing.push(ListedFile::new(CITATION_FILE, "file-citation", Vec::new()));
    let input = ReadmeInput {
        spec,
        release_id: &id,
        wave,
        results,
        history: &protected.history,
        carried_from: published.map(|p| p.release_id.as_str()),
        recoding: &recoding,
        quality,
        files: listing,
        datapackage_sha256: package_sha,
    };
    for lang in &spec.languages {
        files.insert(readme_file(spec, lang), readme(&input, lang).into_bytes());
    }
    let sums = sha256sums(files.iter());
    let cff = citation_file(
        &Citation {
            release_id: id.clone(),
            title: about.title.clone(),
            released,
            sha256sums: sha256_hex(&sums),
        },
        &about.description,
    )?;
    files.insert("SHA256SUMS".to_owned(), sums);
    files.insert(CITATION_FILE.to_owned(), cff);
    Ok(Release {
        id,
        survey_id: spec.survey_id.clone(),
        wave: wave_label(spec, wave),
        files,
    })
}

/// Per wave with anything merged or left out, what recoding did: as published for the
/// waves carried from the earlier release.
pub fn recoding_notes(
    spec: &Spec,
    protected: &Protected,
    published: Option<&Published>,
) -> Vec<RecodingNote> {
    let mut notes: BTreeMap<i32, RecodingNote> = protected
        .results
        .iter()
        .filter_map(|(&w, r)| Some((w, recoding_note(spec, w, &r.counts)?)))
        .collect();
    if let Some(p) = published {
        for (w, h) in &protected.history {
            if let (true, Some(note)) = (h.is_carried(), p.recoding.get(w)) {
                notes.insert(*w, note.clone());
            }
        }
    }
    notes.into_values().collect()
}

/// What recoding did in one wave, if anything.
fn recoding_note(spec: &Spec, wave: i32, counts: &WaveCounts) -> Option<RecodingNote> {
    let recoding = &counts.recoding;
    if recoding.is_empty() {
        return None;
    }
    let ids = |dim: usize| {
        let q = spec.groupings()[dim];
        recoding.merged[dim]
            .iter()
            .map(|&o| spec.questions[q].options[o].id.clone())
            .collect()
    };
    Some(RecodingNote {
        wave: wave_label(spec, wave),
        merged_main_platform: ids(0),
        merged_category: ids(1),
        merged_region: ids(2),
        left_out: recoding.left_out,
    })
}

/// Where the chart of `indicator` in `lang` is: the survey's first language at
/// `charts/{indicator}.svg`, every other in its own folder, `charts/{lang}/{indicator}.svg`.
pub fn chart_path(spec: &Spec, lang: &str, indicator: &str) -> String {
    if lang == spec.lang() {
        format!("charts/{indicator}.svg")
    } else {
        format!("charts/{lang}/{indicator}.svg")
    }
}

/// Every chart in every language of the survey, as SVG and as PNG, and each language's
/// share image of the headline (first) indicator.
fn charts(
    spec: &Spec,
    release_id: &str,
    wave: i32,
    result: &WaveResult,
) -> Result<Vec<(String, Vec<u8>)>, PipelineError> {
    // Every SVG first, then every PNG at once on every core; the files keep this order.
    let mut svgs: Vec<(String, String, Option<u32>)> = Vec::new();
    for lang in &spec.languages {
        let drawn = charts_in(spec, lang, wave, result);
        if let Some((_, headline, subtitle, bars)) = drawn.first() {
            let source = locale::text_with(
                lang,
                "share-source",
                &[
                    ("publisher", PUBLISHER.into()),
                    ("release", release_id.to_owned().into()),
                ],
            );
            let share = Chart {
                lang,
                title: headline.label.get(lang),
                subtitle,
                bars,
                k: spec.k(),
                reliable: spec.disclosure.low_reliability_below,
            }
            .share_image(&source);
            svgs.push((share_path(spec, lang), share, None));
        }
        for (path, ind, subtitle, bars) in drawn {
            let svg = Chart {
                lang,
                title: ind.label.get(lang),
                subtitle: &subtitle,
                bars: &bars,
                k: spec.k(),
                reliable: spec.disclosure.low_reliability_below,
            }
            .svg();
            svgs.push((path, svg, Some(CHART_PNG_WIDTH)));
        }
    }
    let jobs: Vec<(&str, u32)> = svgs
        .iter()
        .map(|(_, svg, width)| (svg.as_str(), width.unwrap_or(SHARE_WIDTH)))
        .collect();
    let rendered = pngs(&jobs)?;
    let mut files = Vec::new();
    for ((path, svg, width), png) in svgs.into_iter().zip(rendered) {
        match width {
            // The share image is published as PNG only.
            None => files.push((path, png)),
            Some(_) => {
                files.push((path.replace(".svg", ".png"), png));
                files.push((path, svg.into_bytes()));
            }
        }
    }
    Ok(files)
}

/// Where the share image in `lang` is, beside that language's charts.
pub fn share_path(spec: &Spec, lang: &str) -> String {
    chart_path(spec, lang, "share").replace(".svg", ".png")
}

/// One language's charts, ready to draw: path, indicator, subtitle and bars.
fn charts_in<'s>(
    spec: &'s Spec,
    lang: &str,
    wave: i32,
    result: &WaveResult,
) -> Vec<(String, &'s IndicatorSpec, String, Vec<Bar>)> {
    let mut groups: Vec<(String, Group)> = vec![(locale::text(lang, "group-all"), Group::All)];
    // A group merged into `other` has no bar of its own: it is in `other`'s.
    groups.extend(
        spec.platforms()
            .iter()
            .map(|p| {
                (
                    short_label(p.label.get(lang)),
                    Group::Platform(p.id.clone()),
                )
            })
            .filter(|(_, g)| !result.is_merged(spec, g)),
    );
    spec.indicators
        .iter()
        .map(|ind| {
            let bars: Vec<Bar> = groups
                .iter()
                .map(|(label, group)| {
                    let key = |kind| crate::disclosure::model::CellKey {
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
            let subtitle = locale::text_with(
                lang,
                "chart-subtitle",
                &[("wave", wave_label(spec, wave).into())],
            );
            (chart_path(spec, lang, &ind.id), ind, subtitle, bars)
        })
        .collect()
}
