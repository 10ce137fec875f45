//! The audit: for every suppressed number, the smallest and largest value it could take
//! given everything published (this release and earlier ones) and everything the survey
//! definition implies. Linear programming with the pure-Rust microlp solver (`lp.rs`).
//!
//! Published numbers first fix what they pin down exactly (a sum with one unknown left
//! gives that unknown; a sum of non-negative unknowns equal to zero makes them all zero),
//! then the remaining unknowns fall apart into independent pieces, and each suppressed
//! number's range is the sum of small LPs over the pieces it touches.

use std::collections::BTreeMap;

use crate::PipelineError;
use crate::disclosure::lp::{Optimum, PieceLp, Row};
use crate::disclosure::model::{Cmp, Constraint, LinExpr, Model};

/// The feasible range of one suppressed number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    pub low: f64,
    pub high: f64,
}

impl Range {
    pub fn width(&self) -> f64 {
        self.high - self.low
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditOutcome {
    /// Suppressed classes whose range was computed.
    pub checked: usize,
    /// Classes whose range is narrower than k, with the range.
    pub failures: Vec<(usize, Range)>,
    /// Linear programs solved (the audit's cost; over every round, in a protection).
    pub solves: usize,
}

/// What the audit is told about each class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Known {
    /// Published in this release.
    Published,
    /// Suppressed here but published in an earlier release: public, so not protected.
    PublishedBefore,
    /// Suppressed and never published: must keep a range at least k wide.
    Protected,
    /// Suppressed, but a published zero total already says it is zero.
    PubliclyZero,
}

/// What one audit of a wave learns that stays true in later audits of the same wave with
/// more numbers suppressed: fewer published numbers only relax the constraints, so a point
/// feasible now stays feasible, and a range proven at least k wide stays so. Disclosure
/// control audits round after round; the memo lets each round re-check only what changed.
#[derive(Debug, Default, Clone)]
pub struct Memo {
    /// Per class: its range was proven at least k wide.
    wide: Vec<bool>,
    /// Feasible points, each over the free atoms of one piece (sorted by atom).
    points: Vec<Vec<(usize, f64)>>,
}

/// Computes the range of every protected class and reports those narrower than `k`.
pub fn audit(model: &Model, known: &[Known], k: u64) -> Result<AuditOutcome, PipelineError> {
    audit_again(model, known, k, &mut Memo::default())
}

/// [`audit`] of a model whose true atoms are not all known (a revision's model, whose
/// changed rows are unknown): `point` must meet every constraint and every published
/// number, and stands in for the truth as the audit's first feasible point.
pub fn audit_at(
    model: &Model,
    known: &[Known],
    k: u64,
    point: &[f64],
) -> Result<AuditOutcome, PipelineError> {
    audit_from(model, known, k, &mut Memo::default(), point)
}

/// [`audit`], reusing and extending what earlier audits of the same wave proved. `known`
/// must publish no number that the earlier audits' `known` withheld.
pub fn audit_again(
    model: &Model,
    known: &[Known],
    k: u64,
    memo: &mut Memo,
) -> Result<AuditOutcome, PipelineError> {
    let truth: Vec<f64> = model.atoms.iter().map(|&v| v as f64).collect();
    audit_from(model, known, k, memo, &truth)
}

fn audit_from(
    model: &Model,
    known: &[Known],
    k: u64,
    memo: &mut Memo,
    truth: &[f64],
) -> Result<AuditOutcome, PipelineError> {
    memo.wide.resize(model.classes.len(), false);
    let atoms = model.atoms.len();
    let mut equations: Vec<Constraint> = model.constraints.clone();
    for (class, state) in model.classes.iter().zip(known) {
        if matches!(state, Known::Published | Known::PublishedBefore) {
            equations.push(Constraint {
                expr: class.expr.clone(),
                cmp: Cmp::Eq,
                rhs: class.value as i64,
            });
        }
    }
    let fixed = propagate(atoms, &equations, model.wave)?;

    // What is left: constraints over free atoms, grouped into independent pieces.
    let mut parent: Vec<usize> = (0..atoms).collect();
    let mut residual: Vec<Row> = Vec::new();
    for c in &equations {
        let (free, rhs) = substitute(&c.expr, c.rhs, &fixed);
        if free.is_empty() {
            continue;
        }
        for w in free.windows(2) {
            union(&mut parent, w[0].0, w[1].0);
        }
        residual.push((free, c.cmp, rhs));
    }
    let mut rows: BTreeMap<usize, Vec<&Row>> = BTreeMap::new();
    for row in &residual {
        rows.entry(find(&mut parent, row.0[0].0))
            .or_default()
            .push(row);
    }
    let mut pieces = Pieces {
        rows,
        solved: BTreeMap::new(),
        first_solves: 0,
    };

    let mut outcome = AuditOutcome::default();
    let threshold = k as f64 - 1e-6;
    // Feasible points found by earlier solves, per piece. A suppressed number's value at
    // any of them is a value it can take, so many ranges are proven wide enough without
    // a solve of their own. Pieces are independent: deltas in different pieces add up.
    let mut points: Points = BTreeMap::new();
    for point in &memo.points {
        let mut split: BTreeMap<usize, Vec<(usize, f64)>> = BTreeMap::new();
        for &(a, v) in point {
            if fixed[a].is_none() {
                split.entry(find(&mut parent, a)).or_default().push((a, v));
            }
        }
        for (root, part) in split {
            points.entry(root).or_default().push(part);
        }
    }

    // The numbers to check: protected ones not already proven wide by an earlier round.
    let mut targets = Vec::new();
    for (ci, class) in model.classes.iter().enumerate() {
        if known[ci] != Known::Protected {
            continue;
        }
        outcome.checked += 1;
        if memo.wide[ci] {
            continue;
        }
        let (free, offset) = substitute(&class.expr, 0, &fixed);
        let mut by_piece: BTreeMap<usize, LinExpr> = BTreeMap::new();
        for &(a, c) in &free {
            by_piece
                .entry(find(&mut parent, a))
                .or_default()
                .push((a, c));
        }
        targets.push(Target {
            class: ci,
            // The value at the first feasible point: the truth, or its stand-in.
            value: class.expr.iter().map(|&(a, c)| c as f64 * truth[a]).sum(),
            // `substitute` moves the fixed part to the right-hand side: the expression's
            // value is `free + (-offset)`.
            constant: -(offset as f64),
            by_piece,
        });
    }

    // Seed every piece with a few extreme points at once: push all the numbers up
    // together, down together, and in a few fixed mixed directions. Not worth it for the
    // few numbers a later round re-checks.
    let mut seeds: BTreeMap<usize, BTreeMap<usize, i64>> = BTreeMap::new();
    for target in targets.iter().filter(|_| targets.len() >= SEED_MIN) {
        for (root, terms) in &target.by_piece {
            for &(a, c) in terms {
                *seeds.entry(*root).or_default().entry(a).or_default() += c;
            }
        }
    }
    for (root, weights) in &seeds {
        for direction in 0..6u64 {
            let terms: LinExpr = weights
                .iter()
                .filter(|&(_, &c)| c != 0)
                .map(|(&a, &c)| {
                    // Directions 0 and 1: all up, all down; then fixed pseudo-random signs.
                    let mixed = (a as u64 ^ (direction * 0x9E37_79B9))
                        .count_ones()
                        .is_multiple_of(2);
                    let sign = match direction {
                        0 => 1,
                        1 => -1,
                        _ if mixed => 1,
                        _ => -1,
                    };
                    (a, sign * c.signum())
                })
                .collect();
            if terms.is_empty() {
                continue;
            }
            explore(&mut pieces, *root, &terms, true, &mut points, &mut outcome)?;
        }
    }
    // Then, while many numbers are not yet seen to move k, push just those together, up
    // and down: one LP can prove many ranges at once. Stop when a batch stops paying.
    let mut open: Vec<&Target> = targets
        .iter()
        .filter(|t| seen(t, &points, truth).width() < threshold)
        .collect();
    while open.len() >= BATCH_MIN {
        for sign in [1, -1] {
            let mut weights: BTreeMap<usize, BTreeMap<usize, i64>> = BTreeMap::new();
            for target in &open {
                for (root, terms) in &target.by_piece {
                    for &(a, c) in terms {
                        *weights.entry(*root).or_default().entry(a).or_default() += sign * c;
                    }
                }
            }
            for (root, weights) in &weights {
                let terms: LinExpr = weights
                    .iter()
                    .filter(|&(_, &c)| c != 0)
                    .map(|(&a, &c)| (a, c))
                    .collect();
                if terms.is_empty() {
                    continue;
                }
                explore(&mut pieces, *root, &terms, true, &mut points, &mut outcome)?;
            }
        }
        let before = open.len();
        open.retain(|t| seen(t, &points, truth).width() < threshold);
        if open.len() * 5 > before * 4 {
            break;
        }
    }

    // The rest: an LP of their own, the maximum first, the minimum only if still needed.
    for target in &targets {
        let mut range = seen(target, &points, truth);
        if range.width() < threshold {
            range.high = optimum(target, true, &mut pieces, &mut points, &mut outcome)?;
            range.low = seen(target, &points, truth).low;
        }
        if range.width() < threshold {
            range.low = optimum(target, false, &mut pieces, &mut points, &mut outcome)?;
        }
        if range.width() < threshold {
            outcome.failures.push((target.class, range));
        } else {
            memo.wide[target.class] = true;
        }
    }
    outcome.solves += pieces.first_solves;
    memo.points = points.into_values().flatten().collect();
    Ok(outcome)
}

/// Fixes every atom the equations pin down. Errors if the equations contradict the data.
fn propagate(
    atoms: usize,
    equations: &[Constraint],
    wave: i32,
) -> Result<Vec<Option<i64>>, PipelineError> {
    let mut fixed: Vec<Option<i64>> = vec![None; atoms];
    let mut by_atom: Vec<Vec<usize>> = vec![Vec::new(); atoms];
    for (i, c) in equations.iter().enumerate() {
        for &(a, _) in &c.expr {
            by_atom[a].push(i);
        }
    }
    let mut queue: Vec<usize> = (0..equations.len()).collect();
    let mut queued = vec![true; equations.len()];
    while let Some(i) = queue.pop() {
        queued[i] = false;
        let c = &equations[i];
        let (free, rhs) = substitute(&c.expr, c.rhs, &fixed);
        let mut newly = Vec::new();
        match (c.cmp, free.as_slice()) {
            (Cmp::Eq, []) if rhs != 0 => {
                return Err(PipelineError::Inconsistent(format!(
                    "wave {wave}: published numbers contradict each other"
                )));
            }
            (Cmp::Eq, [(a, coef)]) => {
                if rhs % coef != 0 {
                    return Err(PipelineError::Inconsistent(format!(
                        "wave {wave}: a count would not be a whole number"
                    )));
                }
                newly.push((*a, rhs / coef));
            }
            // Non-negative unknowns adding up to zero (or to at most zero) are all zero.
            (Cmp::Eq | Cmp::Le, terms) if rhs == 0 && terms.iter().all(|&(_, c)| c > 0) => {
                newly.extend(terms.iter().map(|&(a, _)| (a, 0)));
            }
            (Cmp::Ge, terms) if rhs == 0 && terms.iter().all(|&(_, c)| c < 0) => {
                newly.extend(terms.iter().map(|&(a, _)| (a, 0)));
            }
            _ => {}
        }
        for (a, v) in newly {
            if v < 0 {
                return Err(PipelineError::Inconsistent(format!(
                    "wave {wave}: published numbers imply a negative count"
                )));
            }
            fixed[a] = Some(v);
            for &j in &by_atom[a] {
                if !queued[j] {
                    queued[j] = true;
                    queue.push(j);
                }
            }
        }
    }
    Ok(fixed)
}

/// Splits `expr cmp rhs` into its free atoms and the right-hand side with fixed atoms moved over.
fn substitute(expr: &LinExpr, rhs: i64, fixed: &[Option<i64>]) -> (LinExpr, i64) {
    let mut free = LinExpr::new();
    let mut rhs = rhs;
    for &(a, c) in expr {
        match fixed[a] {
            Some(v) => rhs -= c * v,
            None => free.push((a, c)),
        }
    }
    (free, rhs)
}

fn find(parent: &mut [usize], a: usize) -> usize {
    let mut root = a;
    while parent[root] != root {
        root = parent[root];
    }
    let mut x = a;
    while parent[x] != root {
        let next = parent[x];
        parent[x] = root;
        x = next;
    }
    root
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        parent[ra.max(rb)] = ra.min(rb);
    }
}

/// The constraints of each independent piece of unknowns, and its LP once solved.
struct Pieces<'a> {
    rows: BTreeMap<usize, Vec<&'a Row>>,
    solved: BTreeMap<usize, PieceLp<'a>>,
    /// LPs solved for a piece's first feasible point, from which every question starts.
    first_solves: usize,
}

impl Pieces<'_> {
    /// The largest (or smallest) value of `terms` over the piece whose root is `root`.
    fn optimum(
        &mut self,
        root: usize,
        terms: &LinExpr,
        maximise: bool,
    ) -> Result<Optimum, PipelineError> {
        if !self.solved.contains_key(&root) {
            let rows = self.rows.get(&root).cloned().unwrap_or_default();
            self.first_solves += usize::from(!rows.is_empty());
            self.solved.insert(root, PieceLp::new(rows)?);
        }
        self.solved[&root].optimum(terms, maximise)
    }
}

/// Fewer numbers to check than this get no seeding LPs.
const SEED_MIN: usize = 32;

/// Batches of fewer open numbers than this are not worth an LP: they get their own.
const BATCH_MIN: usize = 8;

/// One protected number to check, split over the pieces it touches.
struct Target {
    class: usize,
    value: f64,
    /// The part of its value fixed by published numbers.
    constant: f64,
    by_piece: BTreeMap<usize, LinExpr>,
}

/// Feasible points found by solves, per piece, each sorted by atom.
type Points = BTreeMap<usize, Vec<Vec<(usize, f64)>>>;

/// The largest (or smallest) value a target can take: one LP per piece it touches. Keeps
/// the optimal points, which later targets can use.
fn optimum(
    target: &Target,
    maximise: bool,
    pieces: &mut Pieces,
    points: &mut Points,
    outcome: &mut AuditOutcome,
) -> Result<f64, PipelineError> {
    let mut value = target.constant;
    for (root, terms) in &target.by_piece {
        value += explore(pieces, *root, terms, maximise, points, outcome)?;
    }
    Ok(value)
}

/// One LP over one piece: its optimum, with the point reached kept for later targets.
fn explore(
    pieces: &mut Pieces,
    root: usize,
    terms: &LinExpr,
    maximise: bool,
    points: &mut Points,
    outcome: &mut AuditOutcome,
) -> Result<f64, PipelineError> {
    let (best, point) = pieces.optimum(root, terms, maximise)?;
    outcome.solves += 1;
    points.entry(root).or_default().extend(point);
    Ok(best)
}

/// The range of values a target takes over the feasible points found so far: a range it
/// can certainly take (maybe narrower than the true one).
fn seen(target: &Target, points: &Points, truth: &[f64]) -> Range {
    let (mut low, mut high) = (target.value, target.value);
    for (root, terms) in &target.by_piece {
        let (mut down, mut up) = (0.0f64, 0.0f64);
        for point in points.get(root).map(Vec::as_slice).unwrap_or(&[]) {
            let delta: f64 = terms
                .iter()
                .map(|&(a, c)| {
                    let at = point
                        .binary_search_by_key(&a, |&(x, _)| x)
                        .map_or(truth[a], |i| point[i].1);
                    c as f64 * (at - truth[a])
                })
                .sum();
            down = down.min(delta);
            up = up.max(delta);
        }
        low += down;
        high += up;
    }
    Range { low, high }
}
