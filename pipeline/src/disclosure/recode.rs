//! Global recoding, the first step of disclosure control: in each wave, a group of a
//! grouping (main platform, category, region) with fewer respondents than the survey's
//! `disclosure.min_group_size` is merged into that grouping's residual group `other`, and
//! so are respondents in no named group at all (no main platform, an option a later
//! version dropped, no country given). A tiny group therefore never has to be
//! protected by hiding a large one, and "all minus the named groups" is always a
//! published group of its own.
//!
//! An `other` group that is still below the threshold after merging cannot be published
//! and cannot be protected without hiding large groups (all − named = other), so its
//! respondents are left out of that wave's tables altogether and counted in the README.
//! Merges come first, until none is left (they only make `other` larger); then a residual
//! still too small is left out. Leaving it out shrinks the groups of the other groupings,
//! so both steps repeat until nothing changes. Crafted responses only ever add respondents, so
//! they can push a residual over the threshold but never push a real group under it.

use std::collections::{BTreeMap, HashMap};

use crate::extract::{Code, Column, Columns, NONE};
use crate::spec::Spec;

/// What recoding did in one wave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WaveRecoding {
    /// Per grouping (platform, category, region, as [`Spec::groupings`]): the option
    /// indices merged into `other` in this wave, ascending.
    pub merged: [Vec<usize>; 3],
    /// Per grouping: whether `other` stayed below the threshold, so that its respondents
    /// were left out of the wave.
    pub residual_left_out: [bool; 3],
    /// Responses left out of the wave's tables.
    pub left_out: u64,
}

impl WaveRecoding {
    /// Whether option `option` of grouping `dim` (an index into [`Spec::groupings`]) is
    /// not published on its own in this wave.
    pub fn is_merged(&self, dim: usize, option: usize) -> bool {
        self.merged[dim].binary_search(&option).is_ok()
    }

    pub fn is_empty(&self) -> bool {
        self.merged.iter().all(Vec::is_empty) && self.left_out == 0
    }
}

/// Recoding of every wave, by wave key.
pub type Recoding = BTreeMap<i32, WaveRecoding>;

/// Recodes the grouping columns of `columns` in place and drops the responses left out.
pub fn recode(spec: &Spec, columns: &mut Columns) -> Recoding {
    let dims = spec.groupings();
    let residual = dims.map(|q| spec.residual(q) as Code);
    let min = spec.min_group_size();
    // Respondents outside every named group belong to the residual from the start.
    for (d, &q) in dims.iter().enumerate() {
        if let Column::Codes(codes) = &mut columns.questions[q] {
            for c in codes.iter_mut().filter(|c| **c == NONE) {
                *c = residual[d];
            }
        }
    }
    let codes = |d: usize| match &columns.questions[dims[d]] {
        Column::Codes(codes) => codes.as_slice(),
        _ => unreachable!("groupings are single-choice questions (Spec::new)"),
    };
    let counted = |i: usize| spec.disclosure.count_unverified || columns.verified[i];
    // The joint table of the three groupings per wave is all the decisions need.
    let mut joint: BTreeMap<i32, HashMap<[Code; 3], u64>> = BTreeMap::new();
    for i in (0..columns.len()).filter(|&i| counted(i)) {
        let key = [codes(0)[i], codes(1)[i], codes(2)[i]];
        *joint
            .entry(columns.wave[i])
            .or_default()
            .entry(key)
            .or_default() += 1;
    }
    let options = dims.map(|q| spec.questions[q].options.len());
    let mut decisions: BTreeMap<i32, (Vec<Vec<Code>>, WaveRecoding)> = BTreeMap::new();
    for (&wave, table) in &joint {
        decisions.insert(wave, decide(table, options, residual, min));
    }
    // Apply: map every response's groups, drop those left out.
    let mut keep = vec![true; columns.len()];
    for (i, kept) in keep.iter_mut().enumerate() {
        let Some((map, recoding)) = decisions.get(&columns.wave[i]) else {
            continue;
        };
        let mapped: [Code; 3] = std::array::from_fn(|d| map[d][codes(d)[i] as usize]);
        let left_out = (0..3).any(|d| recoding.residual_left_out[d] && mapped[d] == residual[d]);
        *kept = !left_out;
    }
    for (d, &q) in dims.iter().enumerate() {
        if let Column::Codes(codes) = &mut columns.questions[q] {
            for (i, c) in codes.iter_mut().enumerate() {
                if let Some((map, _)) = decisions.get(&columns.wave[i]) {
                    *c = map[d][*c as usize];
                }
            }
        }
    }
    let mut recoding: Recoding = decisions.into_iter().map(|(w, (_, r))| (w, r)).collect();
    for (i, &kept) in keep.iter().enumerate() {
        if !kept && counted(i) {
            recoding.entry(columns.wave[i]).or_default().left_out += 1;
        }
    }
    if keep.iter().any(|k| !k) {
        columns.retain(&keep);
    }
    recoding
}

/// The decisions for one wave from its joint table: per grouping, the option each option
/// is published as, and what was merged or left out.
fn decide(
    table: &HashMap<[Code; 3], u64>,
    options: [usize; 3],
    residual: [Code; 3],
    min: u64,
) -> (Vec<Vec<Code>>, WaveRecoding) {
    let mut map: Vec<Vec<Code>> = options.iter().map(|&n| (0..n as Code).collect()).collect();
    let mut left_out = [false; 3];
    loop {
        let kept = |key: &[Code; 3]| {
            (0..3).all(|d| !(left_out[d] && map[d][key[d] as usize] == residual[d]))
        };
        let mut sizes: Vec<Vec<u64>> = options.iter().map(|&n| vec![0; n]).collect();
        for (key, &n) in table.iter().filter(|(key, _)| kept(key)) {
            for d in 0..3 {
                sizes[d][map[d][key[d] as usize] as usize] += n;
            }
        }
        // Merges first, until none is left; only then is a residual still too small
        // left out (merges can only make it larger).
        let mut merged_any = false;
        for d in 0..3 {
            for (o, &size) in sizes[d].iter().enumerate() {
                if o as Code != residual[d] && size > 0 && size < min {
                    for m in map[d].iter_mut().filter(|m| **m == o as Code) {
                        *m = residual[d];
                    }
                    merged_any = true;
                }
            }
        }
        if merged_any {
            continue;
        }
        let mut left_any = false;
        for d in 0..3 {
            let rest = sizes[d][residual[d] as usize];
            if !left_out[d] && rest > 0 && rest < min {
                left_out[d] = true;
                left_any = true;
            }
        }
        if !left_any {
            break;
        }
    }
    let merged = std::array::from_fn(|d| {
        (0..options[d])
            .filter(|&o| o as Code != residual[d] && map[d][o] == residual[d])
            .collect()
    });
    let recoding = WaveRecoding {
        merged,
        residual_left_out: left_out,
        left_out: 0,
    };
    (map, recoding)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[([Code; 3], u64)]) -> HashMap<[Code; 3], u64> {
        rows.iter().copied().collect()
    }

    #[test]
    fn a_rare_group_is_merged_and_a_lone_residual_left_out() {
        // Platforms 0, 1, 2 (residual); one respondent on platform 1.
        let t = table(&[([0, 0, 0], 40), ([1, 0, 0], 1)]);
        let (map, r) = decide(&t, [3, 1, 1], [2, 0, 0], 30);
        assert_eq!(map[0], vec![0, 2, 2]);
        assert_eq!(r.merged[0], vec![1]);
        assert!(r.residual_left_out[0]);
        assert!(!r.residual_left_out[1] && !r.residual_left_out[2]);
    }

    #[test]
    fn rare_groups_together_make_a_published_residual() {
        let t = table(&[([0, 0, 0], 40), ([1, 0, 0], 20), ([2, 0, 0], 15)]);
        let (map, r) = decide(&t, [4, 1, 1], [3, 0, 0], 30);
        assert_eq!(map[0], vec![0, 3, 3, 3]);
        assert_eq!(r.merged[0], vec![1, 2]);
        assert!(!r.residual_left_out[0]);
    }

    #[test]
    fn leaving_a_residual_out_shrinks_the_other_groupings() {
        // Category 0 has 30 respondents, but 5 of them are in a platform residual of 5
        // that is left out: category 0 then has 25 and is merged too.
        let t = table(&[([0, 0, 0], 25), ([1, 0, 0], 5), ([0, 1, 0], 40)]);
        let (map, r) = decide(&t, [2, 3, 1], [1, 2, 0], 30);
        assert!(r.residual_left_out[0]);
        assert_eq!(map[1], vec![2, 1, 2]);
        assert!(r.residual_left_out[1], "the category residual has 25 left");
    }
}
