//! Adversarial data for disclosure control: tiny platforms, near-unanimous answers, a
//! platform seen in one wave only; and an audit recomputed independently, as one big
//! linear program per wave with no presolve and no splitting.

mod common;

use std::collections::BTreeMap;

use canvass_core::answers::AnswerValue;
use canvass_pipeline::PipelineError;
use canvass_pipeline::audit::{Known, audit};
use canvass_pipeline::disclosure::{Earlier, Prior};
use canvass_pipeline::model::{CellKind, Cmp, Group, Model};
use canvass_pipeline::tables::WaveResult;
use common::{Draw, Run, run_records, week};
use good_lp::{
    Expression, ProblemVariables, ResolutionError, Solution, SolverModel, microlp, variable,
};

/// Protected classes to check independently: every small one up to 20, and 10 of the
/// others spread evenly (each check is two whole-wave LPs).
fn protected_sample(model: &Model, known: &[Known], k: u64) -> Vec<usize> {
    let protected: Vec<usize> = (0..model.classes.len())
        .filter(|&c| known[c] == Known::Protected)
        .collect();
    let (small, large): (Vec<usize>, Vec<usize>) =
        protected.iter().partition(|&&c| model.classes[c].value < k);
    let step = (large.len() / 10).max(1);
    small
        .into_iter()
        .take(20)
        .chain(large.into_iter().step_by(step).take(10))
        .collect()
}

/// The min and max of one class over the whole model at once: no presolve, no splitting,
/// no shortcuts, only the constraints and every number the release publishes.
fn independent_range(model: &Model, known: &[Known], ci: usize) -> (f64, f64) {
    let class = &model.classes[ci];
    let mut bounds = [0.0; 2];
    for (i, maximise) in [false, true].into_iter().enumerate() {
        let mut vars = ProblemVariables::new();
        let x: Vec<_> = (0..model.atoms.len())
            .map(|_| vars.add(variable().min(0.0)))
            .collect();
        let expr = |terms: &[(usize, i64)]| {
            terms
                .iter()
                .fold(Expression::from(0.0), |e, &(a, c)| e + c as f64 * x[a])
        };
        let objective = expr(&class.expr);
        let problem = if maximise {
            vars.maximise(objective.clone())
        } else {
            vars.minimise(objective.clone())
        };
        let mut lp = problem.using(microlp);
        for c in &model.constraints {
            let e = expr(&c.expr);
            lp = lp.with(match c.cmp {
                Cmp::Eq => e.eq(c.rhs as f64),
                Cmp::Le => e.leq(c.rhs as f64),
                Cmp::Ge => e.geq(c.rhs as f64),
            });
        }
        for (other, state) in model.classes.iter().zip(known) {
            if matches!(state, Known::Published | Known::PublishedBefore) {
                lp = lp.with(expr(&other.expr).eq(other.value as f64));
            }
        }
        bounds[i] = match lp.solve() {
            Ok(s) => s.eval(&objective),
            Err(ResolutionError::Unbounded) => f64::INFINITY,
            Err(e) => panic!("independent LP failed: {e}"),
        };
    }
    (bounds[0], bounds[1])
}

/// The release holds up: every protected number has a range at least k wide, by the
/// pipeline's audit and by the independent one, and no published count is 1..k-1.
fn assert_protected(run: &Run) {
    let k = run.spec.k() as f64;
    for result in run.results.values() {
        let p = &result.protection;
        assert!(p.audit.failures.is_empty());
        let model = &result.model;
        for ci in protected_sample(model, &p.known, run.spec.k()) {
            let (low, high) = independent_range(model, &p.known, ci);
            assert!(
                high - low >= k - 1e-6,
                "wave {}: {:?} can be narrowed to [{low}, {high}]",
                model.wave,
                model.cells[model.classes[ci].cells[0]].key
            );
        }
        // A number exempt from the width test because the release already says it is 0
        // must really be pinned to 0 by what is published.
        let exempt = (0..model.classes.len()).filter(|&c| p.known[c] == Known::PubliclyZero);
        for ci in exempt.take(20) {
            let (_, high) = independent_range(model, &p.known, ci);
            assert!(
                high < 1e-6,
                "wave {}: {:?} is treated as publicly zero but can be {high}",
                model.wave,
                model.cells[model.classes[ci].cells[0]].key
            );
        }
    }
    for file in [
        "answers.csv",
        "indicators.csv",
        "trends.csv",
        "by_category.csv",
        "by_region.csv",
        "respondents.csv",
        "numeric.csv",
    ] {
        for row in run.rows(file) {
            for col in ["count", "n"] {
                if let Some(v) = row.get(col).filter(|v| !v.is_empty()) {
                    let v: u64 = v.parse().unwrap();
                    assert!(
                        v == 0 || v >= run.spec.k(),
                        "{file}: {col} = {v} in {row:?}"
                    );
                }
            }
        }
    }
}

fn platform_rows(run: &Run, file: &str, platform: &str) -> Vec<BTreeMap<String, String>> {
    run.rows(file)
        .into_iter()
        .filter(|r| r["main_platform"] == platform)
        .collect()
}

fn base(draw: &mut Draw) -> Vec<canvass_core::record::ResponseRecord> {
    let mut records = Vec::new();
    for (platform, n) in [("etsy", 260), ("ebay", 140), ("shopify", 90), ("depop", 60)] {
        for i in 0..n {
            let w = if i % 2 == 0 { "2025-W30" } else { "2025-W33" };
            records.push(draw.record(platform, week(w)));
        }
    }
    records
}

#[test]
fn a_platform_with_one_nine_ten_or_eleven_sellers_is_never_exposed() {
    for size in [1usize, 9, 10, 11] {
        let mut draw = Draw::new(size as u64);
        let mut records = base(&mut draw);
        for _ in 0..size {
            records.push(draw.record("vinted", week("2025-W35")));
        }
        let run =
            run_records(&records, &Prior::new()).unwrap_or_else(|e| panic!("size {size}: {e}"));
        assert_protected(&run);
        let vinted = platform_rows(&run, "respondents.csv", "vinted");
        let n = &vinted.last().unwrap()["n"];
        if size < 10 {
            assert!(n.is_empty(), "size {size}: respondents n must be withheld");
            for row in platform_rows(&run, "answers.csv", "vinted") {
                assert_eq!(row["status"], "suppressed", "size {size}: {row:?}");
            }
        }
        // The "all" row always publishes the total.
        let all = platform_rows(&run, "respondents.csv", "all");
        assert_eq!(all.last().unwrap()["n"], (550 + size).to_string());
    }
}

#[test]
fn all_but_one_identical_answers_reveal_nobody() {
    let mut draw = Draw::new(3);
    let mut records = base(&mut draw);
    for r in &mut records {
        r.answers.insert(
            "collective_action".into(),
            AnswerValue::Choice("yes".into()),
        );
    }
    records[17]
        .answers
        .insert("collective_action".into(), AnswerValue::Choice("no".into()));
    let run = run_records(&records, &Prior::new()).unwrap();
    assert_protected(&run);
    for row in run.rows("answers.csv") {
        if row["question_id"] == "collective_action" && row["main_platform"] == "all" {
            // 549 yes and 1 no: both would reveal the one dissenter.
            if row["option_id"] != "maybe" {
                assert_eq!(row["status"], "suppressed", "{row:?}");
            }
        }
    }
    let indicator = run
        .rows("indicators.csv")
        .into_iter()
        .find(|r| r["main_platform"] == "all" && r["indicator"] == "collective_action_yes")
        .unwrap();
    assert_eq!(indicator["status"], "suppressed");
}

#[test]
fn an_indicator_nobody_reached_is_no_secret_in_any_small_category() {
    // Nobody feels pushed to an unsustainable pace (4-5 of 5), so the published "all"
    // count is 0, and so is every category's. A category of three sellers has its counts
    // suppressed; the audit must see that the zero total already says they are 0, not
    // refuse the wave because the range is [0, 0]. (Found by the naive property test.)
    let mut draw = Draw::new(11);
    let mut records = base(&mut draw);
    for r in &mut records {
        r.answers.insert(
            "pace_pressure".into(),
            AnswerValue::Number(1 + (r.answers.len() % 3) as i64),
        );
        r.answers
            .insert("category".into(), AnswerValue::Choice("jewellery".into()));
    }
    for r in records.iter_mut().take(3) {
        r.answers
            .insert("category".into(), AnswerValue::Choice("toys".into()));
    }
    let run = run_records(&records, &Prior::new()).expect("the wave is released");
    assert_protected(&run);
    let toys: Vec<_> = run
        .rows("by_category.csv")
        .into_iter()
        .filter(|r| r["category"] == "toys" && r["indicator"] == "pace_pressure_high")
        .collect();
    assert!(!toys.is_empty(), "the category is listed");
    for row in toys {
        // Three sellers: their n stays hidden whatever the count.
        assert!(row["n"].is_empty(), "{row:?}");
    }
    let all = run
        .rows("indicators.csv")
        .into_iter()
        .find(|r| r["main_platform"] == "all" && r["indicator"] == "pace_pressure_high")
        .unwrap();
    assert_eq!(all["count"], "0");
}

#[test]
fn a_platform_seen_in_one_wave_only_is_listed_everywhere() {
    let mut draw = Draw::new(5);
    let mut records = base(&mut draw);
    for i in 0..200 {
        let w = if i % 2 == 0 { "2025-W10" } else { "2025-W20" };
        records.push(draw.record("etsy", week(w)));
    }
    for _ in 0..25 {
        records.push(draw.record("poshmark", week("2025-W20")));
    }
    let run = run_records(&records, &Prior::new()).unwrap();
    assert_protected(&run);
    let trends = platform_rows(&run, "trends.csv", "poshmark");
    let waves: Vec<&str> = trends.iter().map(|r| r["wave"].as_str()).collect();
    assert!(waves.contains(&"2025-Q1") && waves.contains(&"2025-Q2") && waves.contains(&"2025-Q3"));
    for row in &trends {
        if row["wave"] != "2025-Q2" {
            assert_eq!(row["n"], "0", "{row:?}");
            assert_eq!(row["status"], "low_reliability");
        }
    }
    // Every option of every question, for every platform, is in answers.csv.
    let spec = &run.spec;
    let per_platform: usize = spec
        .answer_questions()
        .map(|q| spec.questions[q].options.len())
        .sum();
    assert_eq!(
        run.rows("answers.csv").len(),
        per_platform * (spec.platforms().len() + 1)
    );
}

#[test]
fn the_audit_catches_a_number_left_derivable() {
    let mut draw = Draw::new(9);
    let records = base(&mut draw);
    let run = run_records(&records, &Prior::new()).unwrap();
    let result: &WaveResult = run.results.values().last().unwrap();
    let model = &result.model;
    // Hide one published count and nothing else: its row total gives it away.
    let target = model
        .cells
        .iter()
        .find(|c| {
            c.key.kind == CellKind::AnswerCount
                && c.key.group == Group::Platform("etsy".into())
                && c.key.item == "years_selling"
                && c.value >= 10
        })
        .unwrap();
    let mut known: Vec<Known> = result
        .protection
        .suppressed
        .iter()
        .map(|&s| {
            if s {
                Known::Protected
            } else {
                Known::Published
            }
        })
        .collect();
    for k in known.iter_mut() {
        if *k == Known::Protected {
            *k = Known::Published;
        }
    }
    known[target.class] = Known::Protected;
    let outcome = audit(model, &known, 10).unwrap();
    assert_eq!(outcome.failures.len(), 1);
    let (class, range) = outcome.failures[0];
    assert_eq!(class, target.class);
    assert_eq!(range.low, target.value as f64);
    assert_eq!(range.high, target.value as f64);
}

#[test]
fn an_earlier_suppression_stays_and_a_changed_wave_is_refused() {
    let mut draw = Draw::new(11);
    let records = base(&mut draw);
    let first = run_records(&records, &Prior::new()).unwrap();
    let result = first.results.values().last().unwrap();
    // Pretend an earlier release withheld a number that would now be published.
    let published = result
        .model
        .cells
        .iter()
        .find(|c| {
            c.key.kind == CellKind::IndicatorCount
                && c.key.group == Group::Platform("etsy".into())
                && !result.protection.suppressed[c.class]
        })
        .unwrap();
    let mut prior = Prior::new();
    prior.insert(published.key.clone(), Earlier::Suppressed);
    let second = run_records(&records, &prior).unwrap();
    assert_protected(&second);
    let again = second.results.values().last().unwrap();
    let cell = &again.model.cells[again.model.by_key[&published.key]];
    assert!(again.protection.suppressed[cell.class], "stays suppressed");

    let mut changed = Prior::new();
    changed.insert(
        published.key.clone(),
        Earlier::Published(published.value + 1),
    );
    match run_records(&records, &changed) {
        Err(PipelineError::ChangedSincePublished { before, now, .. }) => {
            assert_eq!((before, now), (published.value + 1, published.value));
        }
        other => panic!("expected a refusal, got {:?}", other.err()),
    }
}
