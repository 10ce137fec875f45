//! Disclosure control, one folder: `recode` (rare groups merged into `other`), `model` (every
//! published cell and the sums that tie them), this module (suppression), `audit` and `lp`
//! (the linear-programming proof), `prior`, `history` and `revision` (memory across
//! releases: what was published stays, and a changed wave is revised only if safe).
//!
//! Here, for one wave: primary suppression, secondary suppression, and the
//! audit loop that only lets a wave through once no suppressed number can be narrowed to
//! a range less than k wide. Groups too small to show were merged before (`recode.rs`).
//!
//! Rules (k from the survey, 10 by default):
//! - a count of 1..k-1 is suppressed, and so is a count whose complement in its row
//!   (n - count) is 1..k-1; a denominator n of 1..k-1 is suppressed, and with it its row;
//! - where a published total and all but one of its members are known, or the hidden
//!   parts of a published total add up to less than k, one more member is suppressed:
//!   the one that costs least (`Costs`: the numbers it takes with it, weighted by its
//!   value, plus the cover it would force in relations that hide nothing yet), so a
//!   group's size, which takes its whole row, is the last resort;
//! - a suppression published in an earlier release stays; a number published in an
//!   earlier release is never chosen to hide another, and the audit treats it as known;
//! - the audit then solves, for each suppressed number, its smallest and largest possible
//!   value; any range narrower than k gets its cheapest neighbour suppressed and the
//!   audit runs again, until none is left or the wave is refused.

pub mod audit;
pub mod history;
mod lp;
pub mod model;
pub mod prior;
pub mod recode;
pub mod revision;

use std::collections::HashMap;

use crate::PipelineError;
use crate::disclosure::audit::{AuditOutcome, Known, Memo, audit_again};
use crate::disclosure::model::{CellKey, Model};

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
    /// Per alias class: suppressed by the primary rule (or kept from an earlier release).
    pub primary: Vec<bool>,
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

    let costs = Costs::new(model);
    let mut rounds = 0;
    // Each round only suppresses more, so what a round proves holds in the next.
    let mut memo = Memo::default();
    let mut solves = 0;
    loop {
        rounds += 1;
        complete(model, k, &locked, &mut suppressed, &index, &costs);
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
                primary: primary_classes,
                audit: outcome,
                known,
                rounds,
            });
        }
        let mut progress = false;
        for &(failing, range) in &outcome.failures {
            let zero = publicly_zero(model, &suppressed);
            let state = State {
                model,
                locked: &locked,
                suppressed: &suppressed,
                zero: &zero,
                index: &index,
                costs: &costs,
            };
            match neighbour(&state, failing) {
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

/// What hiding a class costs: every published number it takes with it (its own cells,
/// and for a denominator the counts of its row, which rule 1 hides too), weighted by the
/// class's value. A large group's size is therefore the dearest choice there is, and a
/// small cell the cheapest: the least information lost, as tau-ARGUS's and sdcTable's
/// cost functions measure it.
struct Costs {
    /// Cells whose denominator is the class, per class.
    dependents: Vec<Vec<usize>>,
}

impl Costs {
    fn new(model: &Model) -> Costs {
        let mut dependents = vec![Vec::new(); model.classes.len()];
        for cell in &model.cells {
            if let Some(d) = cell.denominator {
                dependents[d].push(cell.class);
            }
        }
        Costs { dependents }
    }

    fn own(&self, model: &Model, suppressed: &[bool], c: usize) -> u64 {
        let lost = model.classes[c].cells.len() as u64
            + self.dependents[c]
                .iter()
                .filter(|&&d| !suppressed[d])
                .count() as u64;
        model.classes[c].value.max(1) * lost
    }
}

/// Secondary suppression by the relation rules, repeated until nothing changes.
fn complete(
    model: &Model,
    k: u64,
    locked: &[bool],
    suppressed: &mut [bool],
    index: &[Vec<usize>],
    costs: &Costs,
) {
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
        for (r, rel) in model.relations.iter().enumerate() {
            let Some(need) = exposure(model, k, suppressed, &zero, rel) else {
                continue;
            };
            let members = std::iter::once(rel.total).chain(rel.parts.iter().copied());
            let state = State {
                model,
                locked,
                suppressed,
                zero: &zero,
                index,
                costs,
            };
            if let Some(c) = cheapest(&state, r, need, members) {
                suppressed[c] = true;
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

/// How much more a relation needs hidden to protect what it hides (`None`: nothing).
/// One hidden member is given away by the others; hidden parts of a published total that
/// add up to less than k are known to be small.
fn exposure(
    model: &Model,
    k: u64,
    suppressed: &[bool],
    zero: &[bool],
    rel: &crate::disclosure::model::Relation,
) -> Option<u64> {
    let hidden = |c: usize| suppressed[c] && !zero[c];
    let members = std::iter::once(rel.total).chain(rel.parts.iter().copied());
    let count = members.filter(|&c| hidden(c)).count();
    if count == 0 {
        return None;
    }
    let hidden_parts: u64 = rel
        .parts
        .iter()
        .filter(|&&c| hidden(c))
        .map(|&c| model.classes[c].value)
        .sum();
    if !suppressed[rel.total] && hidden_parts < k {
        Some(k - hidden_parts)
    } else if count == 1 {
        Some(0)
    } else {
        None
    }
}

/// The suppression state a choice is made against.
struct State<'a> {
    model: &'a Model,
    locked: &'a [bool],
    suppressed: &'a [bool],
    zero: &'a [bool],
    index: &'a [Vec<usize>],
    costs: &'a Costs,
}

impl State<'_> {
    fn eligible(&self, c: usize) -> bool {
        !self.suppressed[c] && !self.locked[c] && self.model.classes[c].value > 0
    }

    /// The cost of hiding `c` to protect relation `current` (`None`: it cannot be
    /// chosen): its own cost plus, for every other relation it is in that has nothing
    /// hidden yet (which hiding it would expose), the cheapest member there, the cover
    /// that relation would need in turn. A complement in a row or column that is already
    /// protected costs nothing extra, so suppressions close into small rectangles
    /// instead of cascading. Zeros and numbers published before are never chosen.
    fn cost(&self, current: usize, c: usize) -> Option<u64> {
        if !self.eligible(c) {
            return None;
        }
        let mut cost = self.costs.own(self.model, self.suppressed, c);
        for &r in &self.index[c] {
            if r == current {
                continue;
            }
            let other = &self.model.relations[r];
            let members = || std::iter::once(other.total).chain(other.parts.iter().copied());
            if members().any(|m| self.suppressed[m] && !self.zero[m]) {
                continue;
            }
            let cover = members()
                .filter(|&m| m != c && self.eligible(m))
                .map(|m| self.costs.own(self.model, self.suppressed, m))
                .min()
                // Nothing left to hide there: only the audit can tell whether that is safe.
                .unwrap_or(u64::MAX / 4);
            cost = cost.saturating_add(cover);
        }
        Some(cost)
    }
}

/// The candidate that protects relation `current` at the least cost. One that covers
/// the need (the total, or a part of at least `need`) comes before one that does not;
/// then the cheapest; then the larger value (more protection for the same cost); then
/// table order.
fn cheapest(
    state: &State<'_>,
    current: usize,
    need: u64,
    candidates: impl Iterator<Item = usize>,
) -> Option<usize> {
    let rel = &state.model.relations[current];
    candidates
        .filter_map(|c| {
            let cost = state.cost(current, c)?;
            let v = state.model.classes[c].value;
            let covers = c == rel.total || v >= need;
            Some((!covers, cost, u64::MAX - v, c))
        })
        .min()
        .map(|(_, _, _, c)| c)
}

/// A class to suppress so that `failing` gets a wider range: the cheapest member of a
/// relation with it, or, if those are all hidden already, of a relation with those, and
/// so on, nearer ones first.
fn neighbour(state: &State<'_>, failing: usize) -> Option<usize> {
    let model = state.model;
    let mut frontier = vec![failing];
    let mut seen = vec![false; model.classes.len()];
    seen[failing] = true;
    for _ in 0..4 {
        let mut next = Vec::new();
        let mut best: Option<(u64, usize)> = None;
        for &c in &frontier {
            for &r in &state.index[c] {
                let rel = &model.relations[r];
                for m in std::iter::once(rel.total).chain(rel.parts.iter().copied()) {
                    if seen[m] {
                        continue;
                    }
                    seen[m] = true;
                    if state.suppressed[m] {
                        next.push(m);
                    } else if let Some(cost) = state.cost(r, m)
                        && best.is_none_or(|b| (cost, m) < b)
                    {
                        best = Some((cost, m));
                    }
                }
            }
        }
        if let Some((_, c)) = best {
            return Some(c);
        }
        if next.is_empty() {
            break;
        }
        frontier = next;
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
