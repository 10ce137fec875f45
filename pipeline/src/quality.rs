//! What the extraction could not use, and why: printed in the release README's data-quality
//! section, so that nothing is dropped without a trace and nothing doubtful is counted.

use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DataQuality {
    /// Items the store returned for the survey.
    pub items: u64,
    /// Items that are not a valid response record (unreadable, wrong survey).
    pub malformed: BTreeMap<String, u64>,
    /// Responses filed under a survey version the catalog does not know, by version.
    pub unknown_version: BTreeMap<u32, u64>,
    /// Responses whose answers do not fit their own survey version, by problem.
    pub invalid: BTreeMap<String, u64>,
    /// Answers valid in their version but not published, because the reference version no
    /// longer offers them (the rest of the response is used), by problem.
    pub unpublished_answers: BTreeMap<String, u64>,
    /// Responses from waves that are still open on the as-of date (published later).
    pub open_wave: u64,
}

impl DataQuality {
    pub fn excluded(&self) -> u64 {
        self.malformed.values().sum::<u64>()
            + self.unknown_version.values().sum::<u64>()
            + self.invalid.values().sum::<u64>()
    }

    /// Adds another part's counts to these.
    pub fn merge(&mut self, other: DataQuality) {
        fn add<K: Ord>(into: &mut BTreeMap<K, u64>, from: BTreeMap<K, u64>) {
            for (key, n) in from {
                *into.entry(key).or_default() += n;
            }
        }
        self.items += other.items;
        add(&mut self.malformed, other.malformed);
        add(&mut self.unknown_version, other.unknown_version);
        add(&mut self.invalid, other.invalid);
        add(&mut self.unpublished_answers, other.unpublished_answers);
        self.open_wave += other.open_wave;
    }

    pub(crate) fn note(map: &mut BTreeMap<String, u64>, problem: String) {
        *map.entry(problem).or_default() += 1;
    }

    /// Lines for the README, one per kind of problem, stable order.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for (problem, n) in &self.malformed {
            lines.push(format!(
                "{n} stored item(s) could not be read ({problem}); excluded."
            ));
        }
        for (version, n) in &self.unknown_version {
            lines.push(format!(
                "{n} response(s) filed under survey version {version}, which is not in the catalog; excluded."
            ));
        }
        for (problem, n) in &self.invalid {
            lines.push(format!(
                "{n} response(s) do not fit their own survey version ({problem}); excluded."
            ));
        }
        for (problem, n) in &self.unpublished_answers {
            lines.push(format!(
                "{n} answer(s) left out of the tables ({problem}); the rest of each response is used."
            ));
        }
        lines
    }
}
