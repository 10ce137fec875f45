//! Counting with polars: lazy `group_by().agg()` over the typed frame, turned into plain
//! count arrays per wave. Everything published is a sum of these counts (or a quantile),
//! so the tables, the suppression and the audit all start from the same numbers.
//!
//! Indicator counts are computed twice, once as a polars aggregation with the indicator's
//! option sets and once by adding answer counts, and the two must agree: a cheap guard
//! against a table built from the wrong column.

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::PipelineError;
use crate::frame::{VERIFIED, WAVE};
use crate::spec::{QuestionKind, Spec};

/// Counts by group and answer for one grouping variable and one question:
/// `[group][slot]`, where groups are the grouping question's options plus one last group
/// for "not answered", and slots are the question's options plus one last slot for
/// "not answered" (a number question has two slots: answered, not answered).
pub type Grid = Vec<Vec<u64>>;

/// The quartiles of a number question in one group.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quartiles {
    pub n: u64,
    pub p25: f64,
    pub median: f64,
    pub p75: f64,
}

/// Everything counted for one wave.
#[derive(Debug, Clone, PartialEq)]
pub struct WaveCounts {
    pub wave: i32,
    /// Responses in the wave, verified or not, before `count_unverified` applies.
    pub responses: u64,
    pub unverified: u64,
    /// Respondents per platform group (last: main platform not answered).
    pub size: Vec<u64>,
    /// By platform: `[question][group][slot]` for every published question.
    pub by_platform: Vec<Grid>,
    /// By category and by region: `[indicator question][group][slot]`, keyed by question.
    pub by_category: BTreeMap<usize, Grid>,
    pub by_region: BTreeMap<usize, Grid>,
    /// Quartiles per number question: `[question] -> [platform group..., all]`.
    pub quartiles: BTreeMap<usize, Vec<Option<Quartiles>>>,
}

/// Slots of a question: options plus "not answered" (numbers: answered, not answered).
pub fn slots(spec: &Spec, q: usize) -> usize {
    match spec.questions[q].kind {
        QuestionKind::Number { .. } => 2,
        _ => spec.questions[q].options.len() + 1,
    }
}

/// Questions that indicators are built on, each once, in question order.
pub fn indicator_questions(spec: &Spec) -> Vec<usize> {
    let mut qs: Vec<usize> = spec.indicators.iter().map(|i| i.question).collect();
    qs.sort_unstable();
    qs.dedup();
    qs
}

/// An expression that is true where question `q` has one of the option indices `codes`.
pub fn any_of(q: &str, codes: &[usize]) -> Expr {
    codes
        .iter()
        .map(|&c| col(q).to_physical().eq(lit(c as u32)))
        .reduce(|a, b| a.or(b))
        .unwrap_or_else(|| lit(false))
}

/// Count of rows in each group where `predicate` holds (nulls count as false).
fn count_where(predicate: Expr, name: &str) -> Expr {
    predicate
        .fill_null(lit(false))
        .cast(DataType::UInt64)
        .sum()
        .alias(name)
}

/// A grouping key as an option index; `None` for "not answered".
fn codes(df: &DataFrame, name: &str) -> Result<Vec<Option<u32>>, PipelineError> {
    let s = df.column(name)?.as_materialized_series();
    let physical = s.to_physical_repr().cast(&DataType::UInt32)?;
    Ok(physical.u32()?.iter().collect())
}

fn numbers(df: &DataFrame, name: &str) -> Result<Vec<u64>, PipelineError> {
    let s = df
        .column(name)?
        .as_materialized_series()
        .cast(&DataType::UInt64)?;
    Ok(s.u64()?.iter().map(|v| v.unwrap_or(0)).collect())
}

fn floats(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>, PipelineError> {
    let s = df
        .column(name)?
        .as_materialized_series()
        .cast(&DataType::Float64)?;
    Ok(s.f64()?.iter().collect())
}

fn waves_of(df: &DataFrame) -> Result<Vec<i32>, PipelineError> {
    let s = df
        .column(WAVE)?
        .as_materialized_series()
        .cast(&DataType::Int32)?;
    Ok(s.i32()?.iter().map(|v| v.unwrap_or(0)).collect())
}

/// Counts every closed wave in `waves` from the frame.
pub fn count(
    spec: &Spec,
    frame: &DataFrame,
    waves: &[i32],
) -> Result<BTreeMap<i32, WaveCounts>, PipelineError> {
    let platforms = spec.platforms().len();
    let mut out: BTreeMap<i32, WaveCounts> = waves
        .iter()
        .map(|&wave| {
            (
                wave,
                WaveCounts {
                    wave,
                    responses: 0,
                    unverified: 0,
                    size: vec![0; platforms + 1],
                    by_platform: (0..spec.questions.len())
                        .map(|q| vec![vec![0; slots(spec, q)]; platforms + 1])
                        .collect(),
                    by_category: BTreeMap::new(),
                    by_region: BTreeMap::new(),
                    quartiles: BTreeMap::new(),
                },
            )
        })
        .collect();

    // Verification is counted over every response, before the rule on unverified ones.
    let verified = frame
        .clone()
        .lazy()
        .group_by([col(WAVE)])
        .agg([
            len().cast(DataType::UInt64).alias("n"),
            count_where(col(VERIFIED).not(), "unverified"),
        ])
        .collect()?;
    for ((wave, n), unverified) in waves_of(&verified)?
        .into_iter()
        .zip(numbers(&verified, "n")?)
        .zip(numbers(&verified, "unverified")?)
    {
        if let Some(w) = out.get_mut(&wave) {
            w.responses = n;
            w.unverified = unverified;
        }
    }

    let counted = if spec.disclosure.count_unverified {
        frame.clone().lazy()
    } else {
        frame.clone().lazy().filter(col(VERIFIED))
    };
    let platform = spec.questions[spec.platform].id.as_str();

    let sizes = counted
        .clone()
        .group_by([col(WAVE), col(platform)])
        .agg([len().cast(DataType::UInt64).alias("n")])
        .collect()?;
    for ((wave, g), n) in waves_of(&sizes)?
        .into_iter()
        .zip(codes(&sizes, platform)?)
        .zip(numbers(&sizes, "n")?)
    {
        if let Some(w) = out.get_mut(&wave) {
            w.size[g.map_or(platforms, |g| g as usize)] = n;
        }
    }

    for (qi, q) in spec.questions.iter().enumerate() {
        if qi == spec.platform {
            continue;
        }
        let grid = grid(&counted, spec, platform, qi)?;
        for (wave, group, slot, n) in grid {
            if let Some(w) = out.get_mut(&wave) {
                w.by_platform[qi][group.unwrap_or(platforms)][slot] += n;
            }
        }
        if let QuestionKind::Number { .. } = q.kind {
            for (wave, group, quartiles) in quartiles(&counted, platform, &q.id, platforms)? {
                if let Some(w) = out.get_mut(&wave) {
                    w.quartiles
                        .entry(qi)
                        .or_insert_with(|| vec![None; platforms + 1])[group] = Some(quartiles);
                }
            }
        }
    }

    for (dim, groups) in [
        (spec.category, spec.questions[spec.category].options.len()),
        (spec.region, spec.questions[spec.region].options.len()),
    ] {
        let by = spec.questions[dim].id.as_str();
        for qi in indicator_questions(spec) {
            for (wave, group, slot, n) in grid(&counted, spec, by, qi)? {
                if let Some(w) = out.get_mut(&wave) {
                    let grids = if dim == spec.category {
                        &mut w.by_category
                    } else {
                        &mut w.by_region
                    };
                    grids
                        .entry(qi)
                        .or_insert_with(|| vec![vec![0; slots(spec, qi)]; groups + 1])
                        [group.unwrap_or(groups)][slot] += n;
                }
            }
        }
    }
    check_indicators(spec, &counted, platform, &out)?;
    Ok(out)
}

/// `(wave, group, slot, count)` rows.
type GridRows = Vec<(i32, Option<usize>, usize, u64)>;

/// `(wave, group, slot, count)` of question `qi` grouped by the question `by`.
fn grid(lf: &LazyFrame, spec: &Spec, by: &str, qi: usize) -> Result<GridRows, PipelineError> {
    let q = &spec.questions[qi];
    let name = q.id.as_str();
    let (lf, key) = match q.kind {
        QuestionKind::Number { .. } => (
            lf.clone()
                .select([col(WAVE), col(by), col(name).is_null().alias("_missing")]),
            "_missing",
        ),
        QuestionKind::Multiple { .. } => (
            lf.clone().select([col(WAVE), col(by), col(name)]).explode(
                cols([name]),
                ExplodeOptions {
                    empty_as_null: true,
                    keep_nulls: true,
                },
            ),
            name,
        ),
        QuestionKind::Single => (lf.clone(), name),
    };
    let df = lf
        .group_by([col(WAVE), col(by), col(key)])
        .agg([len().cast(DataType::UInt64).alias("_n")])
        .collect()?;
    let missing_slot = slots(spec, qi) - 1;
    let slot_of: Vec<usize> = match q.kind {
        QuestionKind::Number { .. } => df
            .column(key)?
            .as_materialized_series()
            .bool()?
            .iter()
            .map(|m| if m == Some(true) { 1 } else { 0 })
            .collect(),
        _ => codes(&df, key)?
            .into_iter()
            .map(|c| c.map_or(missing_slot, |c| c as usize))
            .collect(),
    };
    Ok(waves_of(&df)?
        .into_iter()
        .zip(codes(&df, by)?)
        .zip(slot_of)
        .zip(numbers(&df, "_n")?)
        .map(|(((w, g), s), n)| (w, g.map(|g| g as usize), s, n))
        .collect())
}

/// Quartiles by the Hyndman-Fan type 7 rule (linear interpolation between order
/// statistics, as R's default, numpy's default and DuckDB's `quantile_cont`), per platform
/// group and for all platforms (the last entry).
fn quartiles(
    lf: &LazyFrame,
    platform: &str,
    q: &str,
    platforms: usize,
) -> Result<Vec<(i32, usize, Quartiles)>, PipelineError> {
    let aggs = || {
        [
            col(q).count().cast(DataType::UInt64).alias("_n"),
            col(q)
                .quantile(lit(0.25), QuantileMethod::Linear)
                .alias("_p25"),
            col(q)
                .quantile(lit(0.5), QuantileMethod::Linear)
                .alias("_p50"),
            col(q)
                .quantile(lit(0.75), QuantileMethod::Linear)
                .alias("_p75"),
        ]
    };
    let mut out = Vec::new();
    let by_platform = lf
        .clone()
        .group_by([col(WAVE), col(platform)])
        .agg(aggs())
        .collect()?;
    let all = lf.clone().group_by([col(WAVE)]).agg(aggs()).collect()?;
    for (df, grouped) in [(by_platform, true), (all, false)] {
        let groups = if grouped {
            codes(&df, platform)?
        } else {
            vec![None; df.height()]
        };
        let rows = waves_of(&df)?
            .into_iter()
            .zip(groups)
            .zip(numbers(&df, "_n")?)
            .zip(floats(&df, "_p25")?)
            .zip(floats(&df, "_p50")?)
            .zip(floats(&df, "_p75")?);
        for (((((wave, group), n), p25), p50), p75) in rows {
            let index = match (grouped, group) {
                (false, _) => platforms,
                (true, Some(g)) => g as usize,
                // Responses without a main platform are in "all" only.
                (true, None) => continue,
            };
            let value = |v: Option<f64>| v.unwrap_or(f64::NAN);
            out.push((
                wave,
                index,
                Quartiles {
                    n,
                    p25: value(p25),
                    median: value(p50),
                    p75: value(p75),
                },
            ));
        }
    }
    Ok(out)
}

/// Recounts every indicator by platform with a polars expression over its option sets and
/// compares with the sum of answer counts.
fn check_indicators(
    spec: &Spec,
    lf: &LazyFrame,
    platform: &str,
    counts: &BTreeMap<i32, WaveCounts>,
) -> Result<(), PipelineError> {
    if spec.indicators.is_empty() {
        return Ok(());
    }
    let mut aggs = Vec::new();
    for (i, ind) in spec.indicators.iter().enumerate() {
        let q = spec.questions[ind.question].id.as_str();
        aggs.push(count_where(any_of(q, &ind.counts), &format!("_c{i}")));
        aggs.push(count_where(any_of(q, &ind.among), &format!("_n{i}")));
    }
    let df = lf
        .clone()
        .group_by([col(WAVE), col(platform)])
        .agg(aggs)
        .collect()?;
    let waves = waves_of(&df)?;
    let groups = codes(&df, platform)?;
    for (i, ind) in spec.indicators.iter().enumerate() {
        let c = numbers(&df, &format!("_c{i}"))?;
        let n = numbers(&df, &format!("_n{i}"))?;
        for row in 0..df.height() {
            let Some(w) = counts.get(&waves[row]) else {
                continue;
            };
            let g = groups[row].map_or(spec.platforms().len(), |g| g as usize);
            let slots = &w.by_platform[ind.question][g];
            let want_c: u64 = ind.counts.iter().map(|&o| slots[o]).sum();
            let want_n: u64 = ind.among.iter().map(|&o| slots[o]).sum();
            if (want_c, want_n) != (c[row], n[row]) {
                return Err(PipelineError::Inconsistent(format!(
                    "indicator {} in wave {}: aggregation gives {}/{}, answer counts give {want_c}/{want_n}",
                    ind.id, waves[row], c[row], n[row]
                )));
            }
        }
    }
    Ok(())
}
