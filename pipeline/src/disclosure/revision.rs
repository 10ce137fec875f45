//! Revisions: whether a published wave whose rows changed since (late rows, a restore,
//! responses an operator removed) may be published again with its new numbers.
//!
//! Whoever holds both releases knows the old numbers O and the new numbers N of the same
//! wave, and so, cell by cell, the difference D = N − O: the responses that changed. The
//! revision is therefore audited on one model of both versions together: the new wave's
//! atoms, the changed responses' atoms beside them, the old version as new minus (or
//! plus) changed, every constraint of the survey on all three, and every number either
//! release published. No withheld number of either version and no count of the changed
//! responses may be narrowed to a range narrower than k (an exact zero is not a
//! disclosure, as everywhere else).
//!
//! The direction of the change is taken as known (all added, or all removed: the strongest
//! thing an attacker could assume, and what a late batch or a removed week are). A change
//! both ways cannot be told apart from the published numbers alone and is not revised.

use std::collections::HashMap;

use crate::PipelineError;
use crate::disclosure::audit::{Known, audit_at};
use crate::disclosure::lp::{Row, feasible_point};
use crate::disclosure::model::CellKey;
use crate::disclosure::model::{CellKind, Class, Cmp, Constraint, Group, LinExpr, Model};
use crate::disclosure::{Earlier, Prior, Protection};

/// Whether the revision can be published, and if not, why (for the README).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Safe,
    Unsafe(String),
}

/// The revised wave `model`, protected as `protection`, against what earlier releases
/// published for the same wave (`prior`, other waves ignored).
pub fn check(
    model: &Model,
    protection: &Protection,
    prior: &Prior,
    k: u64,
    wave: &str,
) -> Result<Verdict, PipelineError> {
    let describe = |key: &CellKey| in_words(key, wave);
    let classes = model.classes.len();
    let mut old: Vec<Option<Earlier>> = vec![None; classes];
    for (key, earlier) in prior.iter().filter(|(key, _)| key.wave == model.wave) {
        let Some(&cell) = model.by_key.get(key) else {
            if matches!(earlier, Earlier::Published(_)) {
                return Ok(Verdict::Unsafe(format!(
                    "{} was published but is not part of the wave's tables now",
                    describe(key)
                )));
            }
            continue;
        };
        let class = model.cells[cell].class;
        old[class] = match (old[class], *earlier) {
            (Some(Earlier::Published(v)), _) | (_, Earlier::Published(v)) => {
                Some(Earlier::Published(v))
            }
            _ => Some(Earlier::Suppressed),
        };
    }
    let all = model
        .cells
        .iter()
        .find(|c| c.key.kind == CellKind::Respondents && c.key.group == Group::All)
        .map(|c| c.class);
    let (now, then) = match all.map(|c| (model.classes[c].value, old[c])) {
        Some((now, Some(Earlier::Published(then)))) => (now, then),
        _ => {
            return Ok(Verdict::Unsafe(
                "the wave's number of respondents was not published".into(),
            ));
        }
    };
    if now == then {
        return Ok(Verdict::Unsafe(
            "responses were both added and removed, so the change cannot be bounded".into(),
        ));
    }
    // O = N − D (responses added) or O = N + D (responses removed), D ≥ 0.
    let added = now > then;
    let sign: i64 = if added { -1 } else { 1 };
    let n = model.atoms.len();
    let shifted = |expr: &LinExpr| -> LinExpr { expr.iter().map(|&(a, c)| (a + n, c)).collect() };
    let older = |expr: &LinExpr| -> LinExpr {
        let mut e = expr.clone();
        e.extend(expr.iter().map(|&(a, c)| (a + n, sign * c)));
        e
    };

    // Cells published in both versions give D exactly: it must be 0 or at least k.
    for (c, class) in model.classes.iter().enumerate() {
        if let (Some(Earlier::Published(v)), Known::Published) = (old[c], protection.known[c]) {
            let d = class.value.abs_diff(v);
            if d > 0 && d < k {
                let key = &model.cells[class.cells[0]].key;
                return Ok(Verdict::Unsafe(format!(
                    "{} changed by {d}, fewer than k = {k}",
                    describe(key)
                )));
            }
        }
    }

    // A point for the changed responses that meets everything published: the audit's
    // stand-in for the truth, which is not known (only the new rows are).
    let truth: Vec<f64> = model.atoms.iter().map(|&v| v as f64).collect();
    let at_truth = |expr: &LinExpr| -> f64 { expr.iter().map(|&(a, c)| c as f64 * truth[a]).sum() };
    let mut rows: Vec<Row> = Vec::new();
    for constraint in &model.constraints {
        // Over D's atoms, numbered as N's here.
        rows.push((constraint.expr.clone(), constraint.cmp, constraint.rhs));
        // The older version's copy with the new atoms moved to the right-hand side.
        let d: LinExpr = constraint
            .expr
            .iter()
            .map(|&(a, c)| (a, sign * c))
            .collect();
        let rhs = constraint.rhs as f64 - at_truth(&constraint.expr);
        rows.push((d, constraint.cmp, rhs.round() as i64));
    }
    if added {
        for a in 0..n {
            rows.push((vec![(a, 1)], Cmp::Le, model.atoms[a] as i64));
        }
    }
    for (c, class) in model.classes.iter().enumerate() {
        if let Some(Earlier::Published(v)) = old[c] {
            let d: LinExpr = class.expr.iter().map(|&(a, x)| (a, sign * x)).collect();
            rows.push((d, Cmp::Eq, v as i64 - at_truth(&class.expr).round() as i64));
        }
    }
    let Some(point) = feasible_point(&rows)? else {
        return Ok(Verdict::Unsafe(
            "the published and the current numbers cannot both hold if responses were only added or only removed".into(),
        ));
    };
    let mut stand_in = truth.clone();
    stand_in.resize(2 * n, 0.0);
    for (a, v) in point {
        stand_in[n + a] = v;
    }

    // The joint model: N's classes and constraints as they are, then O's and D's.
    let mut constraints: Vec<Constraint> = model.constraints.clone();
    for constraint in &model.constraints {
        for expr in [shifted(&constraint.expr), older(&constraint.expr)] {
            constraints.push(Constraint {
                expr,
                cmp: constraint.cmp,
                rhs: constraint.rhs,
            });
        }
    }
    if added {
        for a in 0..n {
            constraints.push(Constraint {
                expr: vec![(a, 1), (a + n, -1)],
                cmp: Cmp::Ge,
                rhs: 0,
            });
        }
    }
    let mut joint_classes: Vec<Class> = model.classes.clone();
    let mut known: Vec<Known> = protection.known.clone();
    // What each joint class is, for the reason given when one fails.
    let mut what: Vec<(usize, &str)> = (0..classes).map(|c| (c, "the revised number")).collect();
    let value_at = |expr: &LinExpr| -> u64 {
        expr.iter()
            .map(|&(a, c)| c as f64 * stand_in[a])
            .sum::<f64>()
            .round()
            .max(0.0) as u64
    };
    for (c, class) in model.classes.iter().enumerate() {
        if let Some(earlier) = old[c] {
            let expr = older(&class.expr);
            let (value, state) = match earlier {
                Earlier::Published(v) => (v, Known::PublishedBefore),
                Earlier::Suppressed => (value_at(&expr), Known::Protected),
            };
            joint_classes.push(Class {
                expr,
                value,
                cells: class.cells.clone(),
            });
            known.push(state);
            what.push((c, "the number as first published"));
        }
        let both = matches!(old[c], Some(Earlier::Published(_)))
            && protection.known[c] == Known::Published;
        if !both {
            let expr = shifted(&class.expr);
            joint_classes.push(Class {
                value: value_at(&expr),
                expr,
                cells: class.cells.clone(),
            });
            known.push(Known::Protected);
            what.push((c, "the count of the changed responses"));
        }
    }
    let mut zero = model.zero.clone();
    zero.extend(model.zero.iter().copied());
    let joint = Model {
        wave: model.wave,
        atoms: stand_in.iter().map(|v| v.round().max(0.0) as u64).collect(),
        zero,
        constraints,
        cells: Vec::new(),
        classes: joint_classes,
        relations: Vec::new(),
        by_key: HashMap::new(),
    };
    let outcome = audit_at(&joint, &known, k, &stand_in)?;
    // An exact zero says nobody is in the cell: not a disclosure (as for published zeros).
    let failure = outcome
        .failures
        .iter()
        .find(|(_, r)| !(r.low.abs() < 1e-6 && r.high.abs() < 1e-6));
    Ok(match failure {
        None => Verdict::Safe,
        Some(&(class, range)) => {
            let (c, whose) = what[class];
            let key = &model.cells[model.classes[c].cells[0]].key;
            Verdict::Unsafe(format!(
                "{whose} for {} could be narrowed to [{:.1}, {:.1}], a range narrower than k = {k}",
                describe(key),
                range.low,
                range.high
            ))
        }
    })
}

/// A cell in words for the README: "the number of respondents of main platform `etsy` in 2026-Q1".
pub fn in_words(key: &CellKey, wave: &str) -> String {
    let item = &key.item;
    let what = match key.kind {
        CellKind::Respondents => "the number of respondents".to_owned(),
        CellKind::AnswerCount => format!("the count of `{item}` = `{}`", key.option),
        CellKind::AnswerN | CellKind::NumericN => format!("the number who answered `{item}`"),
        CellKind::IndicatorCount => format!("the count of indicator `{item}`"),
        CellKind::IndicatorN => format!("the number indicator `{item}` is taken among"),
    };
    let group = match &key.group {
        Group::All => "all respondents".to_owned(),
        Group::Platform(p) => format!("main platform `{p}`"),
        Group::Category(c) => format!("category `{c}`"),
        Group::Region(r) => format!("region `{r}`"),
    };
    format!("{what} of {group} in {wave}")
}
