//! Every number the pipeline computes, checked against an independent, naive
//! implementation (plain loops over the records) on random data; and every published
//! table checked against the disclosure rules.

mod common;

use std::collections::BTreeMap;

use canvass_core::answers::AnswerValue;
use canvass_core::countries::region_of;
use canvass_core::record::ResponseRecord;
use canvass_core::wave::{Wave, WaveLength};
use canvass_pipeline::disclosure::Prior;
use canvass_pipeline::disclosure::model::{CellKey, CellKind, Group};
use canvass_pipeline::spec::{QuestionKind, Spec};
use canvass_pipeline::stats::share_text;
use common::{Draw, PLATFORMS, Run, run_records};
use proptest::prelude::*;

fn wave_key(r: &ResponseRecord) -> i32 {
    let w = Wave::of_week(WaveLength::Quarter, r.iso_week);
    w.year * 100 + i32::from(w.index)
}

/// The option id a record gives to a published question, as plain strings.
fn answer_ids(spec: &Spec, q: usize, r: &ResponseRecord) -> Vec<String> {
    let question = &spec.questions[q];
    match r.answers.get(&question.source) {
        None => Vec::new(),
        Some(AnswerValue::Choice(c)) if question.id == "region" => {
            region_of(c).map(|r| vec![r.to_owned()]).unwrap_or_default()
        }
        Some(AnswerValue::Choice(c)) => vec![c.clone()],
        Some(AnswerValue::Choices(cs)) => cs.clone(),
        Some(AnswerValue::Number(v)) => vec![v.to_string()],
    }
}

/// Recoding the slow way (`recode.rs`): in each wave, a platform, category or region with
/// fewer than `min_group_size` respondents counts as `other`, so does a respondent in no
/// group; an `other` still too small leaves its respondents out; until nothing changes.
/// Every kept record with its three groups.
fn recoded<'a>(
    spec: &Spec,
    records: &'a [ResponseRecord],
) -> Vec<(&'a ResponseRecord, [String; 3])> {
    let min = spec.min_group_size();
    let dims = [spec.platform, spec.category, spec.region];
    let mut kept: Vec<(&ResponseRecord, [String; 3])> = records
        .iter()
        .map(|r| {
            let group = |q: usize| {
                answer_ids(spec, q, r)
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| "other".to_owned())
            };
            (r, dims.map(group))
        })
        .collect();
    // (wave, grouping) whose `other` is left out; once left out, always.
    let mut left: std::collections::BTreeSet<(i32, usize)> = Default::default();
    loop {
        kept.retain(|(r, groups)| {
            (0..3).all(|d| groups[d] != "other" || !left.contains(&(wave_key(r), d)))
        });
        let mut sizes: BTreeMap<(i32, usize, String), u64> = BTreeMap::new();
        for (r, groups) in &kept {
            for (d, g) in groups.iter().enumerate() {
                *sizes.entry((wave_key(r), d, g.clone())).or_default() += 1;
            }
        }
        let small = |r: &ResponseRecord, d: usize, g: &str| {
            sizes
                .get(&(wave_key(r), d, g.to_owned()))
                .is_some_and(|&n| n < min)
        };
        // Merging first, until nothing merges; then leaving out, as recode.rs does.
        let mut changed = false;
        for (r, groups) in &mut kept {
            for (d, group) in groups.iter_mut().enumerate() {
                if group != "other" && small(r, d, group) {
                    *group = "other".to_owned();
                    changed = true;
                }
            }
        }
        if !changed {
            for (r, _) in &kept {
                for d in 0..3 {
                    if small(r, d, "other") {
                        changed |= left.insert((wave_key(r), d));
                    }
                }
            }
        }
        if !changed {
            return kept;
        }
    }
}

/// Every cell of every wave, counted the slow way.
fn naive(spec: &Spec, records: &[ResponseRecord]) -> BTreeMap<CellKey, u64> {
    let mut cells: BTreeMap<CellKey, u64> = BTreeMap::new();
    let mut bump = |wave, kind, group: Group, item: &str, option: &str| {
        *cells
            .entry(CellKey {
                wave,
                kind,
                group,
                item: item.to_owned(),
                option: option.to_owned(),
            })
            .or_default() += 1;
    };
    for (r, [platform, category, region]) in recoded(spec, records) {
        let wave = wave_key(r);
        let groups = [Group::All, Group::Platform(platform.clone())];
        for g in &groups {
            bump(wave, CellKind::Respondents, g.clone(), "", "");
        }
        for q in spec.answer_questions().chain(spec.number_questions()) {
            let question = &spec.questions[q];
            let ids = match q {
                _ if q == spec.platform => vec![platform.clone()],
                _ if q == spec.category => vec![category.clone()],
                _ if q == spec.region => vec![region.clone()],
                _ => answer_ids(spec, q, r),
            };
            if ids.is_empty() {
                continue;
            }
            for g in &groups {
                if matches!(question.kind, QuestionKind::Number { .. }) {
                    bump(wave, CellKind::NumericN, g.clone(), &question.id, "");
                    continue;
                }
                bump(wave, CellKind::AnswerN, g.clone(), &question.id, "");
                for id in &ids {
                    bump(wave, CellKind::AnswerCount, g.clone(), &question.id, id);
                }
            }
        }
        let mut ind_groups: Vec<Group> = groups.to_vec();
        ind_groups.push(Group::Category(category.clone()));
        ind_groups.push(Group::Region(region.clone()));
        for ind in &spec.indicators {
            let question = &spec.questions[ind.question];
            let ids = answer_ids(spec, ind.question, r);
            let Some(id) = ids.first() else { continue };
            let o = question.option_index(id).unwrap();
            for g in &ind_groups {
                if ind.among.contains(&o) {
                    bump(wave, CellKind::IndicatorN, g.clone(), &ind.id, "");
                }
                if ind.counts.contains(&o) {
                    bump(wave, CellKind::IndicatorCount, g.clone(), &ind.id, "");
                }
            }
        }
    }
    cells
}

/// Type 7 quantile, by sorting.
fn quantile(values: &mut [i64], p: f64) -> f64 {
    values.sort_unstable();
    let h = (values.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(values.len() - 1);
    values[lo] as f64 + (h - lo as f64) * (values[hi] - values[lo]) as f64
}

fn check(run: &Run, records: &[ResponseRecord]) {
    let spec = &run.spec;
    let k = spec.k();
    let expected = naive(spec, records);
    // Every cell the model holds (published or not) has the naive value (0 if absent).
    for result in run.results.values() {
        for cell in &result.model.cells {
            let want = expected.get(&cell.key).copied().unwrap_or(0);
            assert_eq!(cell.value, want, "{:?}", cell.key);
        }
    }
    // Every published number in the CSVs is the naive one, and obeys the rules.
    for file in [
        "answers.csv",
        "indicators.csv",
        "trends.csv",
        "by_category.csv",
        "by_region.csv",
        "respondents.csv",
    ] {
        for row in run.rows(file) {
            let wave = canvass_pipeline::disclosure::prior::wave_key_of_label(
                WaveLength::Quarter,
                &row["wave"],
            )
            .unwrap();
            let group = if let Some(c) = row.get("category") {
                Group::Category(c.clone())
            } else if let Some(r) = row.get("region") {
                Group::Region(r.clone())
            } else if row["main_platform"] == "all" {
                Group::All
            } else {
                Group::Platform(row["main_platform"].clone())
            };
            let item = row
                .get("question_id")
                .or_else(|| row.get("indicator"))
                .cloned()
                .unwrap_or_default();
            let (n_kind, c_kind) = match file {
                "answers.csv" => (CellKind::AnswerN, CellKind::AnswerCount),
                "respondents.csv" => (CellKind::Respondents, CellKind::Respondents),
                _ => (CellKind::IndicatorN, CellKind::IndicatorCount),
            };
            let get = |kind, option: &str| {
                expected
                    .get(&CellKey {
                        wave,
                        kind,
                        group: group.clone(),
                        item: item.clone(),
                        option: option.to_owned(),
                    })
                    .copied()
                    .unwrap_or(0)
            };
            let n_want = get(n_kind, "");
            let small = |v: u64| v > 0 && v < k;
            if !row["n"].is_empty() {
                let n: u64 = row["n"].parse().unwrap();
                assert_eq!(n, n_want, "{file} {row:?}");
                assert!(!small(n), "{file}: published n {n} below k: {row:?}");
            }
            let status = row["status"].as_str();
            if status == "merged" {
                // A group too small to show: empty, and nobody is in it after recoding.
                assert!(row["n"].is_empty() && row.get("count").is_none_or(|c| c.is_empty()));
                // The row's group is merged, or (answers.csv) the option is a merged group.
                let mut merged_as: Vec<(usize, String)> = match &group {
                    Group::Platform(p) => vec![(0, p.clone())],
                    Group::Category(c) => vec![(1, c.clone())],
                    Group::Region(r) => vec![(2, r.clone())],
                    Group::All => Vec::new(),
                };
                if file == "answers.csv" {
                    let dim = ["main_platform", "category", "region"]
                        .iter()
                        .position(|q| *q == row["question_id"]);
                    merged_as.extend(dim.map(|d| (d, row["option_id"].clone())));
                }
                let recoded = recoded(spec, records);
                let empty = |(dim, id): &(usize, String)| {
                    id != "other"
                        && !recoded
                            .iter()
                            .any(|(r, groups)| wave_key(r) == wave && groups[*dim] == *id)
                };
                assert!(merged_as.iter().any(empty), "{file} {row:?}");
                continue;
            }
            if let Some(count) = row.get("count") {
                let option = row.get("option_id").cloned().unwrap_or_default();
                let want = get(c_kind, &option);
                if status == "suppressed" {
                    assert!(
                        count.is_empty() && row["share"].is_empty(),
                        "{file} {row:?}"
                    );
                } else {
                    let x: u64 = count.parse().unwrap();
                    assert_eq!(x, want, "{file} {row:?}");
                    assert!(!small(x) && !small(n_want - x), "{file}: {row:?}");
                    if n_want > 0 {
                        assert_eq!(row["share"], share_text(x as f64 / n_want as f64));
                    }
                    let low_below = u64::from(spec.disclosure.low_reliability_below);
                    assert_eq!(status == "low_reliability", n_want < low_below, "{row:?}");
                }
                if small(want) || small(n_want.saturating_sub(want)) {
                    assert_eq!(status, "suppressed", "primary rule: {file} {row:?}");
                }
            }
        }
    }
    // Quartiles of the release wave, for all platforms, by sorting.
    let last = *run.results.keys().last().unwrap();
    for row in run.rows("numeric.csv") {
        if row["main_platform"] != "all" || row["p25"].is_empty() {
            continue;
        }
        let mut values: Vec<i64> = recoded(&run.spec, records)
            .into_iter()
            .map(|(r, _)| r)
            .filter(|r| wave_key(r) == last)
            .filter_map(|r| match r.answers.get(&row["question_id"]) {
                Some(AnswerValue::Number(v)) => Some(*v),
                _ => None,
            })
            .collect();
        for (col, p) in [("p25", 0.25), ("median", 0.5), ("p75", 0.75)] {
            let want = quantile(&mut values, p);
            let got: f64 = row[col].parse().unwrap();
            assert!((got - want).abs() <= 0.005 + 1e-9, "{col}: {got} vs {want}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, .. ProptestConfig::default() })]

    #[test]
    fn tables_match_a_naive_count(seed in any::<u64>(), n in 30usize..400, platforms in 1usize..=14) {
        let mut draw = Draw::new(seed);
        let mut records = draw.many(n);
        // Concentrate on a few platforms so that groups of every size occur.
        for (i, r) in records.iter_mut().enumerate() {
            let p = PLATFORMS[i % platforms];
            r.answers.insert("main_platform".into(), AnswerValue::Choice(p.to_owned()));
            if let Some(AnswerValue::Choices(list)) = r.answers.get_mut("platforms")
                && !list.iter().any(|x| x == p)
            {
                list.push(p.to_owned());
                list.sort_by_key(|x| PLATFORMS.iter().position(|o| o == x));
            }
        }
        let run = run_records(&records, &Prior::new()).unwrap();
        check(&run, &records);
    }
}
