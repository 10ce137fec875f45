//! The audit's linear programs, with the pure-Rust microlp solver.
//!
//! The audit asks hundreds of questions of the same feasible set: how high, how low can
//! this sum of unknowns go? Solved from scratch, each question first searches for a
//! feasible point again, and that search is most of the work. microlp cannot change the
//! objective of a solved problem, but it can add a constraint and re-optimise from where
//! it stood (dual simplex). So each piece is solved once, maximising a free-standing
//! `level` variable, and each question `max c·x` becomes the edit `level = c·x` of a copy
//! of that solution: the new optimum of `level` is the answer, reached in a few pivots
//! from a point that already meets every published number.

use std::collections::BTreeMap;

use microlp::{ComparisonOp, Error, OptimizationDirection, Problem, Solution, Variable};

use crate::PipelineError;
use crate::disclosure::model::{Cmp, LinExpr};

/// A constraint left over unknowns once published numbers are substituted.
pub type Row = (LinExpr, Cmp, i64);

/// The largest or smallest value of a sum of unknowns, with a point that reaches it
/// (`None` when the sum is unbounded).
pub type Optimum = (f64, Option<Vec<(usize, f64)>>);

/// One independent piece of a wave's unknowns, solved once.
pub struct PieceLp<'a> {
    rows: Vec<&'a Row>,
    /// `None` when the piece has no constraint: nothing to warm-start.
    solved: Option<Solved>,
}

struct Solved {
    base: Solution,
    /// The variable of each unknown (atom), sorted by atom.
    vars: BTreeMap<usize, Variable>,
    level: Variable,
    /// `level` lives in `[-bound, bound]`; a question answered at the bound gets a
    /// solve of its own, as its true optimum may lie beyond.
    bound: f64,
}

impl<'a> PieceLp<'a> {
    /// Solves the piece made of `rows` for a first feasible point.
    pub fn new(rows: Vec<&'a Row>) -> Result<Self, PipelineError> {
        if rows.is_empty() {
            return Ok(Self { rows, solved: None });
        }
        // The objective's terms are scaled to sum to 1 in absolute value, so `level` is a
        // weighted mean of unknowns, none above the largest published total in practice.
        let largest = rows.iter().map(|(_, _, rhs)| rhs.abs()).max().unwrap_or(0);
        let bound = 2.0 * largest as f64 + 2.0;
        let mut problem = Problem::new(OptimizationDirection::Maximize);
        let level = problem.add_var(1.0, (-bound, bound));
        let mut vars = BTreeMap::new();
        for row in &rows {
            add_row(&mut problem, &mut vars, row);
        }
        let base = problem
            .solve()
            .map_err(lp_failed)?
            .into_solution()
            .map_err(|_| PipelineError::Audit("the linear program was interrupted".into()))?;
        Ok(Self {
            rows,
            solved: Some(Solved {
                base,
                vars,
                level,
                bound,
            }),
        })
    }

    /// The largest (or smallest) value of `terms` over the piece.
    pub fn optimum(&self, terms: &LinExpr, maximise: bool) -> Result<Optimum, PipelineError> {
        let Some(solved) = &self.solved else {
            return cold(terms, &self.rows, maximise);
        };
        let mut merged: BTreeMap<usize, i64> = BTreeMap::new();
        for &(a, c) in terms {
            *merged.entry(a).or_default() += c;
        }
        merged.retain(|_, c| *c != 0);
        let scale: f64 = merged.values().map(|c| c.unsigned_abs() as f64).sum();
        if scale == 0.0 {
            return Ok((0.0, None));
        }
        let sign = if maximise { 1.0 } else { -1.0 };
        let mut edit = Vec::with_capacity(merged.len() + 1);
        edit.push((solved.level, 1.0));
        for (a, c) in merged {
            let Some(&var) = solved.vars.get(&a) else {
                return cold(terms, &self.rows, maximise);
            };
            edit.push((var, -sign * c as f64 / scale));
        }
        let solution = solved
            .base
            .clone()
            .add_constraint(edit, ComparisonOp::Eq, 0.0)
            .map_err(lp_failed)?
            .into_solution()
            .map_err(|_| PipelineError::Audit("the linear program was interrupted".into()))?;
        let level = solution.var_value(solved.level);
        if level.abs() >= solved.bound * (1.0 - 1e-9) {
            return cold(terms, &self.rows, maximise);
        }
        let point = solved
            .vars
            .iter()
            .map(|(&a, &var)| (a, solution.var_value(var)))
            .collect();
        Ok((sign * level * scale, Some(point)))
    }
}

/// The optimum of `terms` over `rows` solved from scratch.
fn cold(terms: &LinExpr, rows: &[&Row], maximise: bool) -> Result<Optimum, PipelineError> {
    let direction = if maximise {
        OptimizationDirection::Maximize
    } else {
        OptimizationDirection::Minimize
    };
    let mut problem = Problem::new(direction);
    let mut objective: BTreeMap<usize, f64> = BTreeMap::new();
    for &(a, c) in terms {
        *objective.entry(a).or_default() += c as f64;
    }
    let mut vars: BTreeMap<usize, Variable> = BTreeMap::new();
    for (&a, &c) in &objective {
        vars.insert(a, problem.add_var(c, (0.0, f64::INFINITY)));
    }
    for row in rows {
        add_row(&mut problem, &mut vars, row);
    }
    if vars.is_empty() {
        return Ok((0.0, None));
    }
    match problem.solve() {
        Ok(outcome) => {
            let solution = outcome
                .into_solution()
                .map_err(|_| PipelineError::Audit("the linear program was interrupted".into()))?;
            let point = vars
                .iter()
                .map(|(&a, &var)| (a, solution.var_value(var)))
                .collect();
            Ok((solution.objective(), Some(point)))
        }
        Err(Error::Unbounded) => Ok((
            if maximise {
                f64::INFINITY
            } else {
                f64::NEG_INFINITY
            },
            None,
        )),
        Err(e) => Err(lp_failed(e)),
    }
}

/// A point (atom, value) meeting every row, or `None` if there is none.
pub fn feasible_point(rows: &[Row]) -> Result<Option<Vec<(usize, f64)>>, PipelineError> {
    let mut problem = Problem::new(OptimizationDirection::Maximize);
    let mut vars: BTreeMap<usize, Variable> = BTreeMap::new();
    for row in rows {
        add_row(&mut problem, &mut vars, row);
    }
    match problem.solve() {
        Ok(outcome) => {
            let solution = outcome
                .into_solution()
                .map_err(|_| PipelineError::Audit("the linear program was interrupted".into()))?;
            Ok(Some(
                vars.iter()
                    .map(|(&a, &var)| (a, solution.var_value(var)))
                    .collect(),
            ))
        }
        Err(Error::Infeasible) => Ok(None),
        Err(e) => Err(lp_failed(e)),
    }
}

/// Adds `row` to `problem`, with a new non-negative variable for each atom not seen yet.
fn add_row(problem: &mut Problem, vars: &mut BTreeMap<usize, Variable>, (expr, cmp, rhs): &Row) {
    let terms: Vec<(Variable, f64)> = expr
        .iter()
        .map(|&(a, c)| {
            let var = *vars
                .entry(a)
                .or_insert_with(|| problem.add_var(0.0, (0.0, f64::INFINITY)));
            (var, c as f64)
        })
        .collect();
    problem.add_constraint(terms, comparison(*cmp), *rhs as f64);
}

fn comparison(cmp: Cmp) -> ComparisonOp {
    match cmp {
        Cmp::Eq => ComparisonOp::Eq,
        Cmp::Le => ComparisonOp::Le,
        Cmp::Ge => ComparisonOp::Ge,
    }
}

fn lp_failed(e: Error) -> PipelineError {
    PipelineError::Audit(format!("the linear program failed: {e}"))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The warm answer to every question must be the cold one.
    fn assert_same(rows: &[Row], terms: &LinExpr) {
        let rows: Vec<&Row> = rows.iter().collect();
        let piece = PieceLp::new(rows.clone()).expect("the piece solves");
        for maximise in [true, false] {
            let (warm, point) = piece.optimum(terms, maximise).expect("warm");
            let (cold, _) = cold(terms, &rows, maximise).expect("cold");
            if cold.is_infinite() {
                assert_eq!(warm, cold, "maximise {maximise}: {terms:?} over {rows:?}");
                continue;
            }
            // microlp works in floating point: relative to the optimum's size.
            assert!(
                (warm - cold).abs() < 1e-6 * (1.0 + cold.abs()),
                "maximise {maximise}: warm {warm}, cold {cold}: {terms:?} over {rows:?}"
            );
            // The point reaches the optimum and meets every row; only a sum whose terms
            // cancel out comes without one.
            let Some(point) = point else {
                let mut sum: BTreeMap<usize, i64> = BTreeMap::new();
                for &(a, c) in terms {
                    *sum.entry(a).or_default() += c;
                }
                assert!(sum.values().all(|&c| c == 0), "no point for {terms:?}");
                assert_eq!(warm, 0.0);
                continue;
            };
            let at = |a: usize| point.iter().find(|&&(x, _)| x == a).map_or(0.0, |p| p.1);
            let value: f64 = terms.iter().map(|&(a, c)| c as f64 * at(a)).sum();
            assert!(
                (value - cold).abs() < 1e-6 * (1.0 + cold.abs()),
                "the point gives {value}, not {cold}"
            );
            for (expr, cmp, rhs) in &rows {
                let lhs: f64 = expr.iter().map(|&(a, c)| c as f64 * at(a)).sum();
                let rhs = *rhs as f64;
                let met = match cmp {
                    Cmp::Eq => (lhs - rhs).abs() < 1e-6,
                    Cmp::Le => lhs <= rhs + 1e-6,
                    Cmp::Ge => lhs >= rhs - 1e-6,
                };
                assert!(met, "{lhs} {cmp:?} {rhs} fails at {point:?}");
            }
        }
    }

    #[test]
    fn a_cell_between_two_totals() {
        // a + b = 12, a + c = 15, b + c + d = 20: b + c = 27 − 2a ≤ 20, so a lies in
        // [3.5, 12].
        let rows = vec![
            (vec![(0, 1), (1, 1)], Cmp::Eq, 12),
            (vec![(0, 1), (2, 1)], Cmp::Eq, 15),
            (vec![(1, 1), (2, 1), (3, 1)], Cmp::Eq, 20),
        ];
        let piece = PieceLp::new(rows.iter().collect()).unwrap();
        assert_eq!(piece.optimum(&vec![(0, 1)], true).unwrap().0.round(), 12.0);
        let low = piece.optimum(&vec![(0, 1)], false).unwrap().0;
        assert!((low - 3.5).abs() < 1e-9, "{low}");
        assert_same(&rows, &vec![(0, 1)]);
        assert_same(&rows, &vec![(2, 2), (3, -1)]);
    }

    #[test]
    fn an_unbounded_sum_is_infinite_both_ways() {
        // Only a difference is published: a − b = 3. Past the level's bound, the cold solve
        // decides.
        let rows = vec![(vec![(0, 1), (1, -1)], Cmp::Eq, 3)];
        let piece = PieceLp::new(rows.iter().collect()).unwrap();
        assert_eq!(piece.optimum(&vec![(0, 1)], true).unwrap().0, f64::INFINITY);
        assert_eq!(piece.optimum(&vec![(0, 1)], false).unwrap().0.round(), 3.0);
        assert_eq!(
            piece
                .optimum(&vec![(0, -1), (1, 1)], true)
                .unwrap()
                .0
                .round(),
            -3.0
        );
        assert_same(&rows, &vec![(1, -2)]);
    }

    #[test]
    fn a_piece_without_rows_is_solved_cold() {
        let piece = PieceLp::new(Vec::new()).unwrap();
        assert_eq!(piece.optimum(&vec![(4, 1)], true).unwrap().0, f64::INFINITY);
        assert_eq!(piece.optimum(&vec![(4, 1)], false).unwrap().0, 0.0);
    }

    #[test]
    fn repeated_and_cancelling_terms_are_merged() {
        let rows = [(vec![(0, 1), (1, 1)], Cmp::Eq, 10)];
        let piece = PieceLp::new(rows.iter().collect()).unwrap();
        let doubled = vec![(0, 1), (0, 1), (1, 1), (1, -1)];
        assert_eq!(piece.optimum(&doubled, true).unwrap().0.round(), 20.0);
        assert_eq!(piece.optimum(&vec![(0, 1), (0, -1)], true).unwrap().0, 0.0);
    }

    /// Rows over a known non-negative integer point, so the piece is feasible, as a
    /// wave's published numbers are.
    fn piece() -> impl Strategy<Value = (Vec<Row>, LinExpr)> {
        (2usize..30)
            .prop_flat_map(|atoms| {
                let truth = prop::collection::vec(0i64..40, atoms);
                let expr = || prop::collection::vec((0..atoms, -2i64..4), 1..8);
                let rows = prop::collection::vec((expr(), 0u8..4), 1..25);
                (truth, rows, expr())
            })
            .prop_map(|(truth, rows, terms)| {
                let rows = rows
                    .into_iter()
                    .map(|(expr, kind)| {
                        let mut merged: BTreeMap<usize, i64> = BTreeMap::new();
                        for (a, c) in expr {
                            *merged.entry(a).or_default() += c;
                        }
                        merged.retain(|_, c| *c != 0);
                        let expr: LinExpr = merged.into_iter().collect();
                        let at: i64 = expr.iter().map(|&(a, c)| c * truth[a]).sum();
                        // Mostly totals, as published; some slack rows, as the survey implies.
                        match kind {
                            0 => (expr, Cmp::Le, at + 3),
                            1 => (expr, Cmp::Ge, at - 2),
                            _ => (expr, Cmp::Eq, at),
                        }
                    })
                    .filter(|(expr, _, _)| !expr.is_empty())
                    .collect();
                (rows, terms)
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]
        #[test]
        fn warm_answers_are_the_cold_ones((rows, terms) in piece()) {
            prop_assume!(!rows.is_empty());
            assert_same(&rows, &terms);
        }
    }
}
