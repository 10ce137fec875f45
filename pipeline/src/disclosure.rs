//! Disclosure control for one wave: primary suppression, secondary suppression, and the
//! audit loop that only lets a wave through once no suppressed number can be narrowed to
//! a range less than k wide.
//!
//! Rules (k from the survey, 10 by default):
//! - a count of 1..k-1 is suppressed, and so is a count whose complement in its row
//!   (n - count) is 1..k-1; a denominator n of 1..k-1 is suppressed, and with it its row;
//! - where a published total and all but one of its parts are known, another part is
//!   suppressed too (the smallest one of at least k, else the largest), until the
//!   suppressed parts of every relation add up to at least k;
//! - a suppression published in an earlier release stays; a number published in an
//!   earlier release is never chosen to hide another, and the audit treats it as known;
//! - the audit then solves, for each suppressed number, its smallest and largest possible
//!   value; any range narrower than k gets one more neighbour suppressed and the audit
//!   runs again, until none is left or the wave is refused.

use std::collections::HashMap;

use crate::PipelineError;
use crate::audit::{AuditOutcome, Known, Memo, audit_again};
use crate::model::{CellKey, Model};

/// What an earlier release said about a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Earlier {
    Published(u64),
    Suppressed,
}

/// Everything earlier releases published, by cell.
pub type Prior = HashMap<CellKey, Earlier>;

#[derive(Debug, Clone)]
pub struct Protection {
    /// Per alias class of the model.
    pub suppressed: Vec<bool>,
    /// Cells suppressed by the primary rule (or kept suppressed from an earlier release).
    pub primary_cells: usize,
    /// Cells suppressed to protect others.
    pub secondary_cells: usize,
    pub audit: AuditOutcome,
    pub known: Vec<Known>,
    /// Audit rounds it took.
    pub rounds: usize,
}

/// More rounds than this means the rules cannot protect the wave: refuse it.
const MAX_ROUNDS: usize = 60;

pub fn protect(model: &Model, k: u64, prior: &Prior) -> Result<Protection, PipelineError> {
    let classes = model.classes.len();
    let mut locked = vec![false; classes];
    let mut suppressed = vec![false; classes];
    for (key, earlier) in prior {
        if key.wave != model.wave {
            continue;
        }
        let Some(&cell) = model.by_key.get(key) else {
            continue;
        };
        let class = model.cells[cell].class;
        match *earlier {
            Earlier::Published(before) if before != model.cells[cell].value => {
                return Err(PipelineError::ChangedSincePublished {
                    cell: describe(key),
                    before,
                    now: model.cells[cell].value,
                });
            }
            Earlier::Published(_) => locked[class] = true,
            Earlier::Suppressed => suppressed[class] = true,
        }
    }
    for cell in &model.cells {
        let v = cell.value;
        let small = |x: u64| x > 0 && x < k;
        let primary = match cell.denominator {
            Some(d) => {
                let n = model.classes[d].value;
                small(v) || small(n.saturating_sub(v))
            }
            None => small(v),
        };
        if primary {
            suppressed[cell.class] = true;
        }
    }
    let primary_classes = suppressed.clone();

    let mut index: Vec<Vec<usize>> = vec![Vec::new(); classes];
    for (r, rel) in model.relations.iter().enumerate() {
        index[rel.total].push(r);
        for &p in &rel.parts {
            index[p].push(r);
        }
    }

    let mut rounds = 0;
    // Each round only suppresses more, so what a round proves holds in the next.
    let mut memo = Memo::default();
    let mut solves = 0;
    loop {
        rounds += 1;
        complete(model, k, &locked, &mut suppressed);
        let known = known_states(model, &locked, &suppressed);
        let mut outcome = audit_again(model, &known, k, &mut memo)?;
        solves += outcome.solves;
        if outcome.failures.is_empty() {
            outcome.solves = solves;
            let count =
                |pick: &dyn Fn(usize) -> bool| model.cells.iter().filter(|c| pick(c.class)).count();
            return Ok(Protection {
                primary_cells: count(&|c| primary_classes[c]),
                secondary_cells: count(&|c| suppressed[c] && !primary_classes[c]),
                suppressed,
                audit: outcome,
                known,
                rounds,
            });
        }
        let mut progress = false;
        for &(failing, range) in &outcome.failures {
            match neighbour(model, k, &locked, &suppressed, &index, failing) {
                Some(c) => {
                    suppressed[c] = true;
                    progress = true;
                }
                None => {
                    tracing::debug!(class = failing, ?range, "no neighbour left to suppress");
                }
            }
        }
        if !progress || rounds >= MAX_ROUNDS {
            let (failing, range) = outcome.failures[0];
            let key = &model.cells[model.classes[failing].cells[0]].key;
            return Err(PipelineError::AuditFailed {
                cell: describe(key),
                low: range.low,
                high: range.high,
                k,
            });
        }
    }
}

/// Secondary suppression by the relation rules, repeated until nothing changes.
fn complete(model: &Model, k: u64, locked: &[bool], suppressed: &mut [bool]) {
    loop {
        let mut changed = false;
        // A row whose n is hidden hides its counts.
        for cell in &model.cells {
            if let Some(d) = cell.denominator
                && suppressed[d]
                && !suppressed[cell.class]
            {
                suppressed[cell.class] = true;
                changed = true;
            }
        }
        let zero = publicly_zero(model, suppressed);
        for rel in &model.relations {
            let members = std::iter::once(rel.total).chain(rel.parts.iter().copied());
            let hidden: Vec<usize> = members
                .clone()
                .filter(|&c| suppressed[c] && !zero[c])
                .collect();
            if hidden.is_empty() {
                continue;
            }
            let hidden_parts: u64 = rel
                .parts
                .iter()
                .filter(|&&c| suppressed[c] && !zero[c])
                .map(|&c| model.classes[c].value)
                .sum();
            let exposed = hidden.len() == 1 || (!suppressed[rel.total] && hidden_parts < k);
            if !exposed {
                continue;
            }
            // A part rather than the total: hiding a total (a group's size) would hide
            // every row that repeats it.
            let pick = choose(model, k, locked, suppressed, rel.parts.iter().copied())
                .or_else(|| choose(model, k, locked, suppressed, std::iter::once(rel.total)));
            if let Some(c) = pick {
                suppressed[c] = true;
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

/// The cheapest cover among `candidates`: the smallest count of at least k, else the
/// largest non-zero one; parts are listed before the total, ties go to the first.
fn choose(
    model: &Model,
    k: u64,
    locked: &[bool],
    suppressed: &[bool],
    candidates: impl Iterator<Item = usize>,
) -> Option<usize> {
    let mut best: Option<(usize, u64)> = None;
    for c in candidates {
        let v = model.classes[c].value;
        if suppressed[c] || locked[c] || v == 0 {
            continue;
        }
        let better = match best {
            None => true,
            Some((_, b)) if b >= k => v >= k && v < b,
            Some((_, b)) => v >= k || v > b,
        };
        if better {
            best = Some((c, v));
        }
    }
    best.map(|(c, _)| c)
}

/// A class to suppress so that `failing` gets a wider range: one in a relation with it,
/// or, if those are all hidden already, one in a relation with those, and so on.
fn neighbour(
    model: &Model,
    k: u64,
    locked: &[bool],
    suppressed: &[bool],
    index: &[Vec<usize>],
    failing: usize,
) -> Option<usize> {
    // Parts anywhere within reach first, totals only when no part is left.
    for allow_totals in [false, true] {
        let mut frontier = vec![failing];
        let mut seen = vec![false; model.classes.len()];
        seen[failing] = true;
        for _ in 0..4 {
            let mut next = Vec::new();
            let mut candidates = Vec::new();
            for &c in &frontier {
                for &r in &index[c] {
                    let rel = &model.relations[r];
                    let members = rel.parts.iter().map(|&p| (p, false));
                    for (m, is_total) in members.chain(std::iter::once((rel.total, true))) {
                        if seen[m] {
                            continue;
                        }
                        seen[m] = true;
                        if suppressed[m] {
                            next.push(m);
                        } else if allow_totals || !is_total {
                            candidates.push(m);
                        }
                    }
                }
            }
            if let Some(c) = choose(model, k, locked, suppressed, candidates.into_iter()) {
                return Some(c);
            }
            if next.is_empty() {
                break;
            }
            frontier = next;
        }
    }
    None
}

/// Classes whose value everyone can read as zero from a published zero total.
fn publicly_zero(model: &Model, suppressed: &[bool]) -> Vec<bool> {
    let mut covered = model.zero.clone();
    for (c, class) in model.classes.iter().enumerate() {
        if !suppressed[c] && class.value == 0 && class.expr.iter().all(|&(_, k)| k > 0) {
            for &(a, _) in &class.expr {
                covered[a] = true;
            }
        }
    }
    let mut zero: Vec<bool> = model
        .classes
        .iter()
        .map(|class| class.value == 0 && class.expr.iter().all(|&(a, _)| covered[a]))
        .collect();
    // Relations tie numbers built from different atoms (all platforms, and the categories
    // that add up to it): counts are never negative, so the parts of a zero total are
    // zero, and a total of zero parts is zero.
    loop {
        let mut changed = false;
        for rel in &model.relations {
            let members = std::iter::once(rel.total).chain(rel.parts.iter().copied());
            let now_zero = zero[rel.total] || rel.parts.iter().all(|&p| zero[p]);
            if !now_zero {
                continue;
            }
            for m in members {
                if !zero[m] && model.classes[m].value == 0 {
                    zero[m] = true;
                    changed = true;
                }
            }
        }
        if !changed {
            return zero;
        }
    }
}

fn known_states(model: &Model, locked: &[bool], suppressed: &[bool]) -> Vec<Known> {
    let zero = publicly_zero(model, suppressed);
    (0..model.classes.len())
        .map(|c| {
            if !suppressed[c] {
                Known::Published
            } else if locked[c] {
                Known::PublishedBefore
            } else if zero[c] {
                Known::PubliclyZero
            } else {
                Known::Protected
            }
        })
        .collect()
}

pub fn describe(key: &CellKey) -> String {
    let mut text = format!("{:?} in wave {} for {:?}", key.kind, key.wave, key.group);
    if !key.item.is_empty() {
        text.push_str(&format!(", {}", key.item));
    }
    if !key.option.is_empty() {
        text.push_str(&format!(" = {}", key.option));
    }
    text
}
