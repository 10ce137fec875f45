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
use crate::disclosure::recode::WaveRecoding;
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
    /// Which groups this wave's counts merged into `other` (set after counting).
    pub recoding: WaveRecoding,
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
                    recoding: WaveRecoding::default(),
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

    // One pass per question. Indicator questions are counted by platform, category and
    // region at once and the three tables are its margins; number questions as a
    // histogram, which gives both the answered count and the quartiles.
    let by_indicator = [spec.platform, spec.category, spec.region];
    let indicators = indicator_questions(spec);
    let categories = spec.questions[spec.category].options.len() + 1;
    let regions = spec.questions[spec.region].options.len() + 1;
    for (qi, q) in spec.questions.iter().enumerate() {
        if qi == spec.platform {
            continue;
        }
        if let QuestionKind::Number { min, max } = q.kind {
            let histogram = cells(
                &counted,
                spec,
                qi,
                &[spec.platform],
                Slot::Value { min, max },
            )?;
            for (wave, quartiles) in quartiles(&histogram, platforms, min) {
                if let Some(w) = out.get_mut(&wave) {
                    w.quartiles.insert(qi, quartiles);
                }
            }
            for cell in histogram {
                if let Some(w) = out.get_mut(&cell.wave) {
                    // Slot 0 of the histogram is "not answered", the grid's last slot.
                    let slot = usize::from(cell.slot == 0);
                    w.by_platform[qi][cell.groups[0]][slot] += cell.n;
                }
            }
            continue;
        }
        let by: &[usize] = if indicators.contains(&qi) {
            &by_indicator
        } else {
            &by_indicator[..1]
        };
        for cell in cells(&counted, spec, qi, by, Slot::Option)? {
            let Some(w) = out.get_mut(&cell.wave) else {
                continue;
            };
            w.by_platform[qi][cell.groups[0]][cell.slot] += cell.n;
            if let [_, category, region] = cell.groups[..] {
                let empty = |groups| vec![vec![0; slots(spec, qi)]; groups];
                w.by_category.entry(qi).or_insert_with(|| empty(categories))[category]
                    [cell.slot] += cell.n;
                w.by_region.entry(qi).or_insert_with(|| empty(regions))[region][cell.slot] +=
                    cell.n;
            }
        }
    }
    check_indicators(spec, &counted, platform, &out)?;
    Ok(out)
}

/// The respondents of one wave in one group of each grouping question, with one answer.
struct Cell {
    wave: i32,
    /// Per grouping question, the option index; its option count means "not answered".
    groups: Vec<usize>,
    slot: usize,
    n: u64,
}

/// What a cell's slot is.
#[derive(Clone, Copy)]
enum Slot {
    /// The question's option index; its option count means "not answered".
    Option,
    /// A number question's value `v` as `v - min + 1`, with 0 for "not answered".
    Value { min: i64, max: i64 },
}

/// Counts question `qi` by wave, by each question in `by` and by slot, with one group-by.
///
/// Every key is packed into one integer first: polars hashes a single integer column
/// directly, where several key columns would first be row-encoded.
fn cells(
    lf: &LazyFrame,
    spec: &Spec,
    qi: usize,
    by: &[usize],
    slot: Slot,
) -> Result<Vec<Cell>, PipelineError> {
    let q = &spec.questions[qi];
    let name = q.id.as_str();
    let lf = match q.kind {
        QuestionKind::Multiple { .. } => lf
            .clone()
            .select(
                [col(WAVE), col(name)]
                    .into_iter()
                    .chain(by.iter().map(|&b| col(spec.questions[b].id.as_str())))
                    .collect::<Vec<_>>(),
            )
            .explode(
                cols([name]),
                ExplodeOptions {
                    empty_as_null: true,
                    keep_nulls: true,
                },
            ),
        _ => lf.clone(),
    };
    let (slot, slots) = match slot {
        Slot::Option => {
            let slots = slots(spec, qi) as i64;
            (code_or(name, slots - 1), slots)
        }
        Slot::Value { min, max } => {
            let values = lf
                .clone()
                .select([col(name).min().alias("min"), col(name).max().alias("max")])
                .collect()?;
            let seen = |c: &str| -> Result<Option<i64>, PipelineError> {
                let s = values
                    .column(c)?
                    .as_materialized_series()
                    .cast(&DataType::Int64)?;
                Ok(s.i64()?.get(0))
            };
            if seen("min")?.is_some_and(|v| v < min) || seen("max")?.is_some_and(|v| v > max) {
                return Err(PipelineError::Inconsistent(format!(
                    "{name}: a value outside {min}..={max} reached the tables"
                )));
            }
            let value =
                (col(name).cast(DataType::Int64) - lit(min) + lit(1i64)).fill_null(lit(0i64));
            (value, max - min + 2)
        }
    };
    let radices: Vec<i64> = by
        .iter()
        .map(|&b| spec.questions[b].options.len() as i64 + 1)
        .collect();
    let mut key = col(WAVE).cast(DataType::Int64);
    for (&b, &radix) in by.iter().zip(&radices) {
        key = key * lit(radix) + code_or(spec.questions[b].id.as_str(), radix - 1);
    }
    let df = lf
        .group_by([(key * lit(slots) + slot).alias("_key")])
        .agg([len().cast(DataType::UInt64).alias("_n")])
        .collect()?;
    let keys = df.column("_key")?.as_materialized_series().i64()?.clone();
    Ok(keys
        .iter()
        .zip(numbers(&df, "_n")?)
        .map(|(key, n)| {
            let mut key = key.unwrap_or_default();
            let slot = key.rem_euclid(slots) as usize;
            key = key.div_euclid(slots);
            let mut groups = vec![0; by.len()];
            for (group, &radix) in groups.iter_mut().zip(&radices).rev() {
                *group = key.rem_euclid(radix) as usize;
                key = key.div_euclid(radix);
            }
            Cell {
                wave: key as i32,
                groups,
                slot,
                n,
            }
        })
        .collect())
}

/// A categorical column's option index as `Int64`, with `missing` where it is null.
fn code_or(name: &str, missing: i64) -> Expr {
    col(name)
        .to_physical()
        .cast(DataType::Int64)
        .fill_null(lit(missing))
}

/// Per wave, the quartiles of a number question by platform group and for all platforms
/// (the last entry), from its histogram by platform (`Slot::Value` cells). A group gets
/// quartiles when it has respondents, NaN ones when none of them answered; those without a
/// main platform count in "all" only.
fn quartiles(
    histogram: &[Cell],
    platforms: usize,
    min: i64,
) -> BTreeMap<i32, Vec<Option<Quartiles>>> {
    let mut by_wave: BTreeMap<i32, Vec<Option<Vec<u64>>>> = BTreeMap::new();
    for cell in histogram {
        let groups = by_wave
            .entry(cell.wave)
            .or_insert_with(|| vec![None; platforms + 1]);
        // A respondent without a main platform (index `platforms`) counts in "all" once.
        let platform = cell.groups[0];
        let into: &[usize] = if platform < platforms {
            &[platform, platforms]
        } else {
            &[platforms]
        };
        for &g in into {
            let counts = groups[g].get_or_insert_with(Vec::new);
            if counts.len() <= cell.slot {
                counts.resize(cell.slot + 1, 0);
            }
            counts[cell.slot] += cell.n;
        }
    }
    by_wave
        .into_iter()
        .map(|(wave, groups)| {
            let quartiles = groups
                .iter()
                .map(|counts| {
                    counts
                        .as_ref()
                        .map(|c| quartiles_of(&c[1.min(c.len())..], min))
                })
                .collect();
            (wave, quartiles)
        })
        .collect()
}

/// The quartiles of the values `counts` describes (`counts[i]` values equal `min + i`), by
/// the Hyndman-Fan type 7 rule: linear interpolation between order statistics, as R's
/// default, numpy's default, DuckDB's `quantile_cont` and polars' `Linear`, whose
/// arithmetic this follows to the bit.
fn quartiles_of(counts: &[u64], min: i64) -> Quartiles {
    let n: u64 = counts.iter().sum();
    // The value of rank `r` (0-based) in sorted order.
    let ranked = |r: u64| {
        let mut below = 0;
        for (i, &c) in counts.iter().enumerate() {
            below += c;
            if below > r {
                return (min + i as i64) as f64;
            }
        }
        f64::NAN
    };
    let quantile = |p: f64| {
        if n == 0 {
            return f64::NAN;
        }
        let float_idx = (n - 1) as f64 * p;
        let (low, high) = (float_idx as u64, float_idx.ceil() as u64);
        let lower = ranked(low);
        if low == high {
            return lower;
        }
        let upper = ranked(high);
        if lower == upper {
            lower
        } else {
            (float_idx - low as f64) * (upper - lower) + lower
        }
    };
    Quartiles {
        n,
        p25: quantile(0.25),
        median: quantile(0.5),
        p75: quantile(0.75),
    }
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn cell(wave: i32, platform: usize, slot: usize, n: u64) -> Cell {
        Cell {
            wave,
            groups: vec![platform],
            slot,
            n,
        }
    }

    #[test]
    fn respondents_without_a_main_platform_count_in_all_once() {
        // Two platforms; index 2 is "not answered". Values are `slot - 1 + min`.
        let histogram = [
            cell(7, 0, 1, 1), // platform 0: one 10
            cell(7, 1, 3, 1), // platform 1: one 12
            cell(7, 2, 5, 2), // no platform: two 14s
            cell(7, 2, 0, 4), // no platform, not answered: no value
            cell(8, 1, 0, 1), // wave 8: one respondent who did not answer
        ];
        let by_wave = quartiles(&histogram, 2, 10);
        let wave = &by_wave[&7];
        assert_eq!(wave.len(), 3);
        assert_eq!(wave[0].map(|q| (q.n, q.median)), Some((1, 10.0)));
        assert_eq!(wave[1].map(|q| (q.n, q.median)), Some((1, 12.0)));
        let all = wave[2].expect("all platforms");
        // 10, 12, 14, 14: each respondent once.
        assert_eq!((all.n, all.p25, all.median, all.p75), (4, 11.5, 13.0, 14.0));
        let later = &by_wave[&8];
        assert!(later[0].is_none(), "no respondent on platform 0 in wave 8");
        let nobody = later[1].expect("platform 1 has a respondent");
        assert_eq!(nobody.n, 0);
        assert!(nobody.median.is_nan());
    }

    proptest! {
        /// Quartiles from a histogram are polars' own `Linear` quantiles, to the bit.
        #[test]
        fn histogram_quartiles_are_polars_quartiles(
            min in -5i64..5,
            values in prop::collection::vec(0i64..40, 0..200),
        ) {
            let values: Vec<i64> = values.into_iter().map(|v| v + min).collect();
            let mut counts = vec![0u64; 40];
            for &v in &values {
                counts[(v - min) as usize] += 1;
            }
            let got = quartiles_of(&counts, min);
            prop_assert_eq!(got.n, values.len() as u64);
            let series = Series::new("v".into(), &values);
            for (p, got) in [(0.25, got.p25), (0.5, got.median), (0.75, got.p75)] {
                let want = series
                    .i64()
                    .unwrap()
                    .quantile(p, QuantileMethod::Linear)
                    .unwrap()
                    .unwrap_or(f64::NAN);
                prop_assert!(
                    want.to_bits() == got.to_bits(),
                    "p{}: polars {} histogram {}", p, want, got
                );
            }
        }
    }
}
