//! The linear model of one wave: what every published number is a sum of, and which sums
//! are tied together. Disclosure control and the audit both work on it.
//!
//! *Atoms* are the finest counts the tables are built from (respondents per platform,
//! answers per platform × question × option, answers per category or region × indicator
//! question × option, each with a "not answered" slot). Every published number (*cell*) is
//! a sum of atoms. *Constraints* are what anyone reading the survey definition knows about
//! atoms (a respondent gives one answer per question; a follow-up is asked only after a
//! given answer). Facts that the data shows to hold for every group are added too: more
//! true constraints can only narrow the ranges the audit computes, which is the safe side.

use std::collections::{BTreeMap, HashMap};

use crate::PipelineError;
use crate::counts::{WaveCounts, indicator_questions, slots};
use crate::spec::{QuestionKind, Spec};

pub type Atom = usize;
/// A linear expression over atoms: `(atom, coefficient)`, sorted by atom, no zeros.
pub type LinExpr = Vec<(Atom, i64)>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Le,
    Ge,
}

/// `expr cmp rhs`.
#[derive(Debug, Clone, PartialEq)]
pub struct Constraint {
    pub expr: LinExpr,
    pub cmp: Cmp,
    pub rhs: i64,
}

/// What a published number counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CellKind {
    /// respondents.csv `n`.
    Respondents,
    /// answers.csv `count`.
    AnswerCount,
    /// answers.csv `n` (respondents who answered the question).
    AnswerN,
    /// indicators.csv, by_category.csv, by_region.csv, trends.csv `count`.
    IndicatorCount,
    /// ... and their `n`.
    IndicatorN,
    /// numeric.csv `n`.
    NumericN,
}

impl CellKind {
    /// Whether the cell is a numerator with a denominator in the same row.
    pub fn is_count(self) -> bool {
        matches!(self, CellKind::AnswerCount | CellKind::IndicatorCount)
    }
}

/// The row dimension of a cell: one platform, all platforms, one category or one region.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    All,
    Platform(String),
    Category(String),
    Region(String),
}

/// Names a published number across releases: wave, what it counts, row, question or
/// indicator, option.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellKey {
    pub wave: i32,
    pub kind: CellKind,
    pub group: Group,
    /// Question id (answers, numeric) or indicator id; empty for respondents.
    pub item: String,
    /// Option id for answer counts; empty otherwise.
    pub option: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub key: CellKey,
    pub value: u64,
    /// The alias class: cells with the same expression are one number published twice.
    pub class: usize,
    /// For a count, the class of its row's `n`; for an indicator's `n` that leaves some
    /// answers out, the class of everyone who answered.
    pub denominator: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Class {
    pub expr: LinExpr,
    pub value: u64,
    pub cells: Vec<usize>,
}

/// `total = sum(parts)`, over classes, every member a published (or suppressed) number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    pub total: usize,
    pub parts: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Model {
    pub wave: i32,
    /// The true value of every atom.
    pub atoms: Vec<u64>,
    /// Atoms known to be zero (by a fact that holds for every group).
    pub zero: Vec<bool>,
    pub constraints: Vec<Constraint>,
    pub cells: Vec<Cell>,
    pub classes: Vec<Class>,
    pub relations: Vec<Relation>,
    pub by_key: HashMap<CellKey, usize>,
}

/// Which grouping an atom block belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Dim {
    Platform,
    Category,
    Region,
}

/// Atom numbering for one wave.
struct Layout {
    groups: usize,
    /// `size[g]` atoms (platform dimension only).
    size: Vec<Atom>,
    /// `[q] -> first atom` of the platform block (`groups × slots`), `None` for the platform question.
    platform: Vec<Option<Atom>>,
    category: BTreeMap<usize, Atom>,
    region: BTreeMap<usize, Atom>,
    category_groups: usize,
    region_groups: usize,
}

struct Builder<'a> {
    spec: &'a Spec,
    counts: &'a WaveCounts,
    layout: Layout,
    atoms: Vec<u64>,
    zero: Vec<bool>,
    constraints: Vec<Constraint>,
    /// Per dimension: questions whose "not answered" slot is empty in every group.
    complete: [Vec<bool>; 3],
    /// Per dimension: conditional questions answered exactly when their parent allows.
    exactly_when_shown: [Vec<bool>; 3],
}

fn dim_index(dim: Dim) -> usize {
    match dim {
        Dim::Platform => 0,
        Dim::Category => 1,
        Dim::Region => 2,
    }
}

/// Adds `coef * atom` into `expr`, keeping it sorted and free of zeros.
fn add(expr: &mut LinExpr, atom: Atom, coef: i64) {
    match expr.binary_search_by_key(&atom, |&(a, _)| a) {
        Ok(i) => {
            expr[i].1 += coef;
            if expr[i].1 == 0 {
                expr.remove(i);
            }
        }
        Err(i) => expr.insert(i, (atom, coef)),
    }
}

fn merge(into: &mut LinExpr, other: &LinExpr, coef: i64) {
    for &(a, c) in other {
        add(into, a, c * coef);
    }
}

impl<'a> Builder<'a> {
    fn new(spec: &'a Spec, counts: &'a WaveCounts) -> Builder<'a> {
        let groups = spec.platforms().len() + 1;
        let mut next = 0;
        let mut take = |n: usize| {
            let start = next;
            next += n;
            start
        };
        let size: Vec<Atom> = (0..groups).map(|_| take(1)).collect();
        let platform = (0..spec.questions.len())
            .map(|q| (q != spec.platform).then(|| take(groups * slots(spec, q))))
            .collect();
        let category_groups = spec.questions[spec.category].options.len() + 1;
        let region_groups = spec.questions[spec.region].options.len() + 1;
        let iq = indicator_questions(spec);
        let category = iq
            .iter()
            .map(|&q| (q, take(category_groups * slots(spec, q))))
            .collect();
        let region = iq
            .iter()
            .map(|&q| (q, take(region_groups * slots(spec, q))))
            .collect();
        let layout = Layout {
            groups,
            size,
            platform,
            category,
            region,
            category_groups,
            region_groups,
        };
        let n = next;
        let mut b = Builder {
            spec,
            counts,
            layout,
            atoms: vec![0; n],
            zero: vec![false; n],
            constraints: Vec::new(),
            complete: std::array::from_fn(|_| vec![false; spec.questions.len()]),
            exactly_when_shown: std::array::from_fn(|_| vec![false; spec.questions.len()]),
        };
        b.fill_values();
        b
    }

    fn groups(&self, dim: Dim) -> usize {
        match dim {
            Dim::Platform => self.layout.groups,
            Dim::Category => self.layout.category_groups,
            Dim::Region => self.layout.region_groups,
        }
    }

    fn atom(&self, dim: Dim, q: usize, g: usize, s: usize) -> Option<Atom> {
        let start = match dim {
            Dim::Platform => self.layout.platform[q]?,
            Dim::Category => *self.layout.category.get(&q)?,
            Dim::Region => *self.layout.region.get(&q)?,
        };
        Some(start + g * slots(self.spec, q) + s)
    }

    fn missing_slot(&self, q: usize) -> usize {
        slots(self.spec, q) - 1
    }

    fn fill_values(&mut self) {
        let c = self.counts;
        for g in 0..self.layout.groups {
            self.atoms[self.layout.size[g]] = c.size[g];
        }
        for q in 0..self.spec.questions.len() {
            for g in 0..self.layout.groups {
                for s in 0..slots(self.spec, q) {
                    if let Some(a) = self.atom(Dim::Platform, q, g, s) {
                        self.atoms[a] = c.by_platform[q][g][s];
                    }
                }
            }
        }
        for (dim, grids) in [(Dim::Category, &c.by_category), (Dim::Region, &c.by_region)] {
            for (&q, grid) in grids {
                for (g, row) in grid.iter().enumerate() {
                    for (s, &v) in row.iter().enumerate() {
                        if let Some(a) = self.atom(dim, q, g, s) {
                            self.atoms[a] = v;
                        }
                    }
                }
            }
        }
    }

    /// Group size as an expression: a platform's size atom, or for a category or region
    /// the sum of that option's answers over platform groups.
    fn size(&self, dim: Dim, g: usize) -> LinExpr {
        let mut e = LinExpr::new();
        match dim {
            Dim::Platform => add(&mut e, self.layout.size[g], 1),
            Dim::Category | Dim::Region => {
                let q = if dim == Dim::Category {
                    self.spec.category
                } else {
                    self.spec.region
                };
                for pg in 0..self.layout.groups {
                    if let Some(a) = self.atom(Dim::Platform, q, pg, g) {
                        add(&mut e, a, 1);
                    }
                }
            }
        }
        self.drop_zero(e)
    }

    fn drop_zero(&self, mut e: LinExpr) -> LinExpr {
        e.retain(|&(a, _)| !self.zero[a]);
        e
    }

    /// Respondents in group `g` who answered `q`, written canonically so that equal
    /// numbers get equal expressions.
    fn answered(&self, dim: Dim, g: usize, q: usize) -> LinExpr {
        let d = dim_index(dim);
        if self.complete[d][q] {
            return self.size(dim, g);
        }
        if self.exactly_when_shown[d][q] {
            let cond = self.spec.questions[q]
                .show_if
                .as_ref()
                .expect("conditional");
            let mut e = LinExpr::new();
            for &o in &cond.any_of {
                if let Some(a) = self.atom(dim, cond.parent, g, o) {
                    add(&mut e, a, 1);
                }
            }
            return self.drop_zero(e);
        }
        let mut e = self.size(dim, g);
        if let Some(a) = self.atom(dim, q, g, self.missing_slot(q)) {
            add(&mut e, a, -1);
        }
        self.drop_zero(e)
    }

    /// The sum of some options of a single-answer question; all options is "answered".
    fn options(&self, dim: Dim, g: usize, q: usize, set: &[usize]) -> LinExpr {
        let all = self.spec.questions[q].options.len();
        if self.spec.questions[q].kind == QuestionKind::Single
            && set.len() == all
            && (0..all).all(|o| set.contains(&o))
        {
            return self.answered(dim, g, q);
        }
        let mut e = LinExpr::new();
        for &o in set {
            if let Some(a) = self.atom(dim, q, g, o) {
                add(&mut e, a, 1);
            }
        }
        self.drop_zero(e)
    }

    fn value(&self, e: &LinExpr) -> i64 {
        e.iter().map(|&(a, c)| c * self.atoms[a] as i64).sum()
    }

    fn constrain(&mut self, expr: LinExpr, cmp: Cmp, rhs: i64) {
        if !expr.is_empty() {
            self.constraints.push(Constraint { expr, cmp, rhs });
        }
    }

    /// Structural constraints and the facts the data shows for every group.
    fn structure(&mut self) {
        let spec = self.spec;
        // Facts first: they decide the canonical forms.
        // Groups merged into `other` by recoding are empty in the recoded data.
        let recoding = &self.counts.recoding;
        for (d, q) in spec.groupings().into_iter().enumerate() {
            for &o in &recoding.merged[d] {
                if q == spec.platform {
                    for q2 in 0..spec.questions.len() {
                        for s in 0..slots(spec, q2) {
                            if let Some(a) = self.atom(Dim::Platform, q2, o, s) {
                                self.zero[a] = true;
                            }
                        }
                    }
                    self.zero[self.layout.size[o]] = true;
                } else {
                    for g in 0..self.layout.groups {
                        if let Some(a) = self.atom(Dim::Platform, q, g, o) {
                            self.zero[a] = true;
                        }
                    }
                }
            }
        }
        if self.atoms[self.layout.size[self.layout.groups - 1]] == 0 {
            self.zero[self.layout.size[self.layout.groups - 1]] = true;
        }
        for dim in [Dim::Platform, Dim::Category, Dim::Region] {
            let d = dim_index(dim);
            for q in 0..spec.questions.len() {
                let Some(_) = self.atom(dim, q, 0, 0) else {
                    continue;
                };
                let missing = self.missing_slot(q);
                let groups = self.groups(dim);
                let complete = (0..groups).all(|g| {
                    self.atom(dim, q, g, missing)
                        .is_some_and(|a| self.atoms[a] == 0)
                });
                if complete {
                    for g in 0..groups {
                        if let Some(a) = self.atom(dim, q, g, missing) {
                            self.zero[a] = true;
                        }
                    }
                    self.complete[d][q] = true;
                }
            }
        }
        // Atoms of a group known to be empty are zero.
        let orphans = self.layout.groups - 1;
        if self.zero[self.layout.size[orphans]] {
            for q in 0..spec.questions.len() {
                for s in 0..slots(spec, q) {
                    if let Some(a) = self.atom(Dim::Platform, q, orphans, s) {
                        self.zero[a] = true;
                    }
                }
            }
        }
        let iq = indicator_questions(spec);
        for dim in [Dim::Category, Dim::Region] {
            for g in 0..self.groups(dim) {
                if !self.size(dim, g).is_empty() {
                    continue;
                }
                for &q in &iq {
                    for s in 0..slots(spec, q) {
                        if let Some(a) = self.atom(dim, q, g, s) {
                            self.zero[a] = true;
                        }
                    }
                }
            }
        }
        for dim in [Dim::Platform, Dim::Category, Dim::Region] {
            let d = dim_index(dim);
            for q in 0..spec.questions.len() {
                let Some(cond) = spec.questions[q].show_if.clone() else {
                    continue;
                };
                if self.complete[d][q]
                    || self.atom(dim, q, 0, 0).is_none()
                    || self.atom(dim, cond.parent, 0, 0).is_none()
                    || spec.questions[cond.parent].kind != QuestionKind::Single
                {
                    continue;
                }
                let mut equal = true;
                let mut at_most = true;
                let mut pairs = Vec::new();
                for g in 0..self.groups(dim) {
                    let answered = self.answered(dim, g, q);
                    let mut shown = LinExpr::new();
                    for &o in &cond.any_of {
                        if let Some(a) = self.atom(dim, cond.parent, g, o) {
                            add(&mut shown, a, 1);
                        }
                    }
                    let (x, y) = (self.value(&answered), self.value(&shown));
                    equal &= x == y;
                    at_most &= x <= y;
                    let mut diff = answered;
                    merge(&mut diff, &shown, -1);
                    pairs.push(diff);
                }
                if equal {
                    self.exactly_when_shown[d][q] = true;
                }
                if equal || at_most {
                    let cmp = if equal { Cmp::Eq } else { Cmp::Le };
                    for diff in pairs {
                        let diff = self.drop_zero(diff);
                        self.constrain(diff, cmp, 0);
                    }
                }
            }
        }

        // One answer (or none) per respondent and question.
        for q in 0..spec.questions.len() {
            if q == spec.platform {
                continue;
            }
            for g in 0..self.layout.groups {
                let size = self.layout.size[g];
                let all: Vec<Atom> = (0..slots(spec, q))
                    .filter_map(|s| self.atom(Dim::Platform, q, g, s))
                    .collect();
                match spec.questions[q].kind {
                    QuestionKind::Multiple { max_choices } => {
                        let missing = *all.last().expect("a missing slot");
                        let picks = &all[..all.len() - 1];
                        for &o in picks {
                            let mut e = vec![(size, -1)];
                            add(&mut e, o, 1);
                            add(&mut e, missing, 1);
                            self.constrain(e, Cmp::Le, 0);
                        }
                        let mut at_least = vec![(size, -1)];
                        let mut at_most = vec![(size, -i64::from(max_choices))];
                        for &o in picks {
                            add(&mut at_least, o, 1);
                            add(&mut at_most, o, 1);
                        }
                        add(&mut at_least, missing, 1);
                        add(&mut at_most, missing, i64::from(max_choices));
                        self.constrain(at_least, Cmp::Ge, 0);
                        self.constrain(at_most, Cmp::Le, 0);
                    }
                    _ => {
                        let mut e = vec![(size, -1)];
                        for a in all {
                            add(&mut e, a, 1);
                        }
                        self.constrain(e, Cmp::Eq, 0);
                    }
                }
            }
        }
        // Category and region grids add up to their group sizes and to the platform grids.
        for dim in [Dim::Category, Dim::Region] {
            let qs: Vec<usize> = indicator_questions(spec);
            for q in qs {
                for g in 0..self.groups(dim) {
                    let mut e = self.size(dim, g);
                    for e2 in &mut e {
                        e2.1 = -e2.1;
                    }
                    for s in 0..slots(spec, q) {
                        if let Some(a) = self.atom(dim, q, g, s) {
                            add(&mut e, a, 1);
                        }
                    }
                    self.constrain(e, Cmp::Eq, 0);
                }
                for s in 0..slots(spec, q) {
                    let mut e = LinExpr::new();
                    for g in 0..self.groups(dim) {
                        if let Some(a) = self.atom(dim, q, g, s) {
                            add(&mut e, a, 1);
                        }
                    }
                    for pg in 0..self.layout.groups {
                        if let Some(a) = self.atom(Dim::Platform, q, pg, s) {
                            add(&mut e, a, -1);
                        }
                    }
                    self.constrain(e, Cmp::Eq, 0);
                }
            }
        }
        for a in 0..self.zero.len() {
            if self.zero[a] {
                self.constraints.push(Constraint {
                    expr: vec![(a, 1)],
                    cmp: Cmp::Eq,
                    rhs: 0,
                });
            }
        }
    }
}

/// Collects cells, alias classes and relations.
struct Cells {
    cells: Vec<Cell>,
    classes: Vec<Class>,
    by_expr: HashMap<LinExpr, usize>,
    by_key: HashMap<CellKey, usize>,
}

impl Cells {
    fn push(
        &mut self,
        key: CellKey,
        expr: LinExpr,
        value: u64,
        denominator: Option<usize>,
    ) -> usize {
        let id = self.cells.len();
        let class = match self.by_expr.get(&expr) {
            Some(&c) => c,
            None => {
                let c = self.classes.len();
                self.classes.push(Class {
                    expr: expr.clone(),
                    value,
                    cells: Vec::new(),
                });
                self.by_expr.insert(expr, c);
                c
            }
        };
        self.classes[class].cells.push(id);
        self.by_key.insert(key.clone(), id);
        self.cells.push(Cell {
            key,
            value,
            class,
            denominator,
        });
        class
    }
}

impl Model {
    pub fn build(spec: &Spec, counts: &WaveCounts) -> Result<Model, PipelineError> {
        let mut b = Builder::new(spec, counts);
        b.structure();
        let wave = counts.wave;
        let platforms = spec.platforms();
        let p_count = platforms.len();
        let recoding = &counts.recoding;
        // Platform groups published on their own (`all`, the last, always is); groups
        // merged into `other` have no cells, and no option cells of a merged category or
        // region either.
        let shown: Vec<bool> = (0..=p_count).map(|g| !recoding.is_merged(0, g)).collect();
        let named = |all: usize| (0..all).filter(|&gi| shown[gi]).collect::<Vec<usize>>();
        let option_shown = |q: usize, o: usize| {
            let [_, category, region] = spec.groupings();
            !((q == category && recoding.is_merged(1, o))
                || (q == region && recoding.is_merged(2, o)))
        };
        let groups: Vec<(Group, Vec<usize>)> = platforms
            .iter()
            .enumerate()
            .map(|(i, p)| (Group::Platform(p.id.clone()), vec![i]))
            .chain(std::iter::once((Group::All, (0..=p_count).collect())))
            .collect();
        let mut cells = Cells {
            cells: Vec::new(),
            classes: Vec::new(),
            by_expr: HashMap::new(),
            by_key: HashMap::new(),
        };
        let key = |kind, group: &Group, item: &str, option: &str| CellKey {
            wave,
            kind,
            group: group.clone(),
            item: item.to_owned(),
            option: option.to_owned(),
        };
        let sum = |f: &dyn Fn(usize) -> LinExpr, members: &[usize]| {
            let mut e = LinExpr::new();
            for &g in members {
                merge(&mut e, &f(g), 1);
            }
            e
        };
        let push = |cells: &mut Cells, k: CellKey, e: LinExpr, d: Option<usize>| {
            let v = b.value(&e);
            let v = u64::try_from(v).expect("counts are never negative");
            cells.push(k, e, v, d)
        };

        // respondents.csv
        let mut respondents = BTreeMap::new();
        for (gi, (group, members)) in groups.iter().enumerate() {
            if !shown[gi] {
                continue;
            }
            let e = sum(&|g| b.size(Dim::Platform, g), members);
            respondents.insert(
                gi,
                push(
                    &mut cells,
                    key(CellKind::Respondents, group, "", ""),
                    e,
                    None,
                ),
            );
        }
        // answers.csv
        let mut answer_n: BTreeMap<(usize, usize), usize> = BTreeMap::new();
        let mut answer_count: BTreeMap<(usize, usize, usize), usize> = BTreeMap::new();
        for q in spec.answer_questions() {
            let question = &spec.questions[q];
            for (gi, (group, members)) in groups.iter().enumerate() {
                if !shown[gi] {
                    continue;
                }
                let e = sum(&|g| b.answered(Dim::Platform, g, q), members);
                let n = push(
                    &mut cells,
                    key(CellKind::AnswerN, group, &question.id, ""),
                    e,
                    None,
                );
                answer_n.insert((gi, q), n);
                for (o, opt) in question.options.iter().enumerate() {
                    if !option_shown(q, o) {
                        continue;
                    }
                    let e = sum(
                        &|g| {
                            b.atom(Dim::Platform, q, g, o)
                                .map(|a| b.drop_zero(vec![(a, 1)]))
                                .unwrap_or_default()
                        },
                        members,
                    );
                    let c = push(
                        &mut cells,
                        key(CellKind::AnswerCount, group, &question.id, &opt.id),
                        e,
                        Some(n),
                    );
                    answer_count.insert((gi, q, o), c);
                }
            }
        }
        // numeric.csv
        let mut numeric_n: BTreeMap<(usize, usize), usize> = BTreeMap::new();
        for q in spec.number_questions() {
            for (gi, (group, members)) in groups.iter().enumerate() {
                if !shown[gi] {
                    continue;
                }
                let e = sum(&|g| b.answered(Dim::Platform, g, q), members);
                numeric_n.insert(
                    (gi, q),
                    push(
                        &mut cells,
                        key(CellKind::NumericN, group, &spec.questions[q].id, ""),
                        e,
                        None,
                    ),
                );
            }
        }
        // indicators.csv (and trends.csv), by_category.csv, by_region.csv
        let mut ind: BTreeMap<(Dim, usize, usize), (usize, usize)> = BTreeMap::new();
        let mut ind_groups: Vec<(Dim, usize, Group, Vec<usize>)> = groups
            .iter()
            .enumerate()
            .filter(|(gi, _)| shown[*gi])
            .map(|(gi, (g, m))| (Dim::Platform, gi, g.clone(), m.clone()))
            .collect();
        for (dim, q) in [(Dim::Category, spec.category), (Dim::Region, spec.region)] {
            for (ci, opt) in spec.questions[q].options.iter().enumerate() {
                if !option_shown(q, ci) {
                    continue;
                }
                let group = if dim == Dim::Category {
                    Group::Category(opt.id.clone())
                } else {
                    Group::Region(opt.id.clone())
                };
                ind_groups.push((dim, ci, group, vec![ci]));
            }
        }
        for (dim, gi, group, members) in &ind_groups {
            for (i, indicator) in spec.indicators.iter().enumerate() {
                let q = indicator.question;
                let n_expr = sum(&|g| b.options(*dim, g, q, &indicator.among), members);
                // When only some answers count in the denominator ("yes or no"), the rest
                // ("prefer not to say") is its complement within everyone who answered: the
                // same rule as for a count within its n applies.
                let answered = sum(&|g| b.answered(*dim, g, q), members);
                let within = (answered != n_expr)
                    .then(|| cells.by_expr.get(&answered).copied())
                    .flatten();
                let n = push(
                    &mut cells,
                    key(CellKind::IndicatorN, group, &indicator.id, ""),
                    n_expr,
                    within,
                );
                let c_expr = sum(&|g| b.options(*dim, g, q, &indicator.counts), members);
                let c = push(
                    &mut cells,
                    key(CellKind::IndicatorCount, group, &indicator.id, ""),
                    c_expr,
                    Some(n),
                );
                ind.insert((*dim, *gi, i), (c, n));
            }
        }

        // Relations between published numbers, for secondary suppression.
        let mut relations = Vec::new();
        let all = p_count; // index of the "all" group in `groups`
        let no_orphans = b.zero[b.layout.size[p_count]];
        if no_orphans {
            relations.push(Relation {
                total: respondents[&all],
                parts: named(all).iter().map(|gi| respondents[gi]).collect(),
            });
        }
        for q in spec.answer_questions() {
            let options = spec.questions[q].options.len();
            let single = spec.questions[q].kind == QuestionKind::Single;
            for gi in (0..=all).filter(|&gi| shown[gi]) {
                if single {
                    relations.push(Relation {
                        total: answer_n[&(gi, q)],
                        parts: (0..options)
                            .filter_map(|o| answer_count.get(&(gi, q, o)).copied())
                            .collect(),
                    });
                }
            }
            if no_orphans {
                for o in (0..options).filter(|&o| option_shown(q, o)) {
                    relations.push(Relation {
                        total: answer_count[&(all, q, o)],
                        parts: named(all)
                            .iter()
                            .map(|&gi| answer_count[&(gi, q, o)])
                            .collect(),
                    });
                }
                relations.push(Relation {
                    total: answer_n[&(all, q)],
                    parts: named(all).iter().map(|&gi| answer_n[&(gi, q)]).collect(),
                });
            }
            if let Some(cond) = &spec.questions[q].show_if
                && b.exactly_when_shown[0][q]
                && answer_n.contains_key(&(0, cond.parent))
            {
                for gi in (0..=all).filter(|&gi| shown[gi]) {
                    relations.push(Relation {
                        total: answer_n[&(gi, q)],
                        parts: cond
                            .any_of
                            .iter()
                            .map(|&o| answer_count[&(gi, cond.parent, o)])
                            .collect(),
                    });
                }
            }
        }
        for q in spec.number_questions() {
            if no_orphans {
                relations.push(Relation {
                    total: numeric_n[&(all, q)],
                    parts: named(all).iter().map(|&gi| numeric_n[&(gi, q)]).collect(),
                });
            }
            if let Some(cond) = &spec.questions[q].show_if
                && b.exactly_when_shown[0][q]
                && answer_n.contains_key(&(0, cond.parent))
            {
                for gi in (0..=all).filter(|&gi| shown[gi]) {
                    relations.push(Relation {
                        total: numeric_n[&(gi, q)],
                        parts: cond
                            .any_of
                            .iter()
                            .map(|&o| answer_count[&(gi, cond.parent, o)])
                            .collect(),
                    });
                }
            }
        }
        for (i, indicator) in spec.indicators.iter().enumerate() {
            let q = indicator.question;
            for gi in (0..=all).filter(|&gi| shown[gi]) {
                let (c, n) = ind[&(Dim::Platform, gi, i)];
                relations.push(Relation {
                    total: c,
                    parts: indicator
                        .counts
                        .iter()
                        .map(|&o| answer_count[&(gi, q, o)])
                        .collect(),
                });
                relations.push(Relation {
                    total: n,
                    parts: indicator
                        .among
                        .iter()
                        .map(|&o| answer_count[&(gi, q, o)])
                        .collect(),
                });
                // The complements: n = count + the other answers it is taken among, and
                // everyone who answered = n + the answers it leaves out.
                relations.push(Relation {
                    total: n,
                    parts: std::iter::once(c)
                        .chain(
                            indicator
                                .among
                                .iter()
                                .filter(|o| !indicator.counts.contains(o))
                                .map(|&o| answer_count[&(gi, q, o)]),
                        )
                        .collect(),
                });
                let options = spec.questions[q].options.len();
                relations.push(Relation {
                    total: answer_n[&(gi, q)],
                    parts: std::iter::once(n)
                        .chain(
                            (0..options)
                                .filter(|o| !indicator.among.contains(o))
                                .map(|o| answer_count[&(gi, q, o)]),
                        )
                        .collect(),
                });
            }
            if no_orphans {
                for pick in [0, 1] {
                    let of = |gi| {
                        let (c, n) = ind[&(Dim::Platform, gi, i)];
                        if pick == 0 { c } else { n }
                    };
                    relations.push(Relation {
                        total: of(all),
                        parts: named(all).into_iter().map(of).collect(),
                    });
                }
            }
            for (dim, dq) in [(Dim::Category, spec.category), (Dim::Region, spec.region)] {
                let groups = spec.questions[dq].options.len();
                // Only when every respondent is in one of the published groups.
                if !b.complete[0][dq] {
                    continue;
                }
                for pick in [0, 1] {
                    let of = |gi| {
                        let (c, n) = ind[&(dim, gi, i)];
                        if pick == 0 { c } else { n }
                    };
                    let (c_all, n_all) = ind[&(Dim::Platform, all, i)];
                    relations.push(Relation {
                        total: if pick == 0 { c_all } else { n_all },
                        parts: (0..groups)
                            .filter(|&gi| option_shown(dq, gi))
                            .map(of)
                            .collect(),
                    });
                }
            }
        }

        let model = Model {
            wave,
            atoms: b.atoms,
            zero: b.zero,
            constraints: b.constraints,
            cells: cells.cells,
            classes: cells.classes,
            relations: dedup(relations),
            by_key: cells.by_key,
        };
        model.check()?;
        Ok(model)
    }

    /// The relations must hold on the true values and every constraint on the true atoms:
    /// a failure here is a bug in the tables, caught before anything is published.
    fn check(&self) -> Result<(), PipelineError> {
        for r in &self.relations {
            let parts: u64 = r.parts.iter().map(|&p| self.classes[p].value).sum();
            if parts != self.classes[r.total].value {
                let key = &self.cells[self.classes[r.total].cells[0]].key;
                return Err(PipelineError::Inconsistent(format!(
                    "wave {}: {key:?} is {} but its parts add up to {parts}",
                    self.wave, self.classes[r.total].value
                )));
            }
        }
        for c in &self.constraints {
            let v: i64 = c.expr.iter().map(|&(a, k)| k * self.atoms[a] as i64).sum();
            let ok = match c.cmp {
                Cmp::Eq => v == c.rhs,
                Cmp::Le => v <= c.rhs,
                Cmp::Ge => v >= c.rhs,
            };
            if !ok {
                return Err(PipelineError::Inconsistent(format!(
                    "wave {}: a structural constraint does not hold on the data",
                    self.wave
                )));
            }
        }
        Ok(())
    }

    pub fn class_of(&self, key: &CellKey) -> Option<usize> {
        self.by_key.get(key).map(|&c| self.cells[c].class)
    }
}

/// Drops relations that say nothing (a total that is its only part) and repeats.
fn dedup(relations: Vec<Relation>) -> Vec<Relation> {
    let mut seen = std::collections::HashSet::new();
    relations
        .into_iter()
        .filter_map(|mut r| {
            r.parts.retain(|&p| p != r.total);
            r.parts.sort_unstable();
            r.parts.dedup();
            if r.parts.is_empty() {
                return None;
            }
            seen.insert((r.total, r.parts.clone())).then_some(r)
        })
        .collect()
}
