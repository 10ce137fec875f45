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

    /// Lines for the README, one sentence per kind of problem in a stable order, in `lang`; the problem itself is technical and
    /// stays as the reader of the store would see it.
    pub fn lines(&self, lang: &str) -> Vec<String> {
        let line = |id: &str, n: u64, key: &'static str, value: String| {
            crate::locale::text_with(lang, id, &[("n", n.into()), (key, value.into())])
        };
        let mut lines = Vec::new();
        for (problem, n) in &self.malformed {
            lines.push(line(
                "quality-malformed",
                *n,
                "problem",
                problem.to_string(),
            ));
        }
        for (version, n) in &self.unknown_version {
            lines.push(line(
                "quality-unknown-version",
                *n,
                "version",
                version.to_string(),
            ));
        }
        for (problem, n) in &self.invalid {
            lines.push(line("quality-invalid", *n, "problem", problem.to_string()));
        }
        for (problem, n) in &self.unpublished_answers {
            lines.push(line(
                "quality-unpublished",
                *n,
                "problem",
                problem.to_string(),
            ));
        }
        lines
    }
}
