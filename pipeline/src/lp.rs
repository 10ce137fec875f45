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
use crate::model::{Cmp, LinExpr};

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
        for (expr, cmp, rhs) in &rows {
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
    for (expr, cmp, rhs) in rows {
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
