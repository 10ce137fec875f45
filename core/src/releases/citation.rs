//! How a release is cited, in one place for every renderer: `CITATION.cff` (written by the
//! pipeline), the release README and the statistics page's text and BibTeX. A citation
//! names the release id and the SHA-256 of its `SHA256SUMS`, which lists the SHA-256 of
//! every other file, so a quoted number can be traced to the exact bytes.

use time::Date;

/// Who publishes every release: the author of the citation, the data package's publisher.
pub const PUBLISHER: &str = "Canvass seller coalition";
/// The SPDX id of the licence of every release.
pub const LICENSE: &str = "CC-BY-4.0";
pub const LICENSE_TITLE: &str = "Creative Commons Attribution 4.0 International";
pub const LICENSE_URL: &str = "https://creativecommons.org/licenses/by/4.0/";
/// The file a release's citation is written to, after `SHA256SUMS`, so not listed in it.
pub const CITATION_FILE: &str = "CITATION.cff";

/// The words of a citation line that are not names or ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CitationWords {
    pub data_set: &'static str,
    pub release: &'static str,
    pub licence: &'static str,
}

impl CitationWords {
    pub const ENGLISH: CitationWords = CitationWords {
        data_set: "data set",
        release: "release",
        licence: "Licence",
    };
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citation {
    pub release_id: String,
    pub title: String,
    /// The day the release became citable: fixed by its wave, never by the clock.
    pub released: Date,
    /// The SHA-256 of the release's `SHA256SUMS`, in hex.
    pub sha256sums: String,
}

impl Citation {
    /// The day in a `datapackage.json` `created` stamp (`2026-01-05T00:00:00Z`).
    pub fn day_of(created: &str) -> Option<Date> {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        Date::parse(created.get(..10)?, &format).ok()
    }

    /// One line in the author–year style journalists and researchers paste.
    pub fn text(&self) -> String {
        self.text_in(&CitationWords::ENGLISH)
    }

    /// The same line with its few words in another language (the statistics page's).
    pub fn text_in(&self, words: &CitationWords) -> String {
        format!(
            "{PUBLISHER} ({year}). {title} [{data_set}], {release} {id}. {licence} {LICENSE}. SHA256SUMS sha256:{sums}.",
            year = self.released.year(),
            title = self.title,
            data_set = words.data_set,
            release = words.release,
            licence = words.licence,
            id = self.release_id,
            sums = self.sha256sums,
        )
    }

    pub fn bibtex(&self) -> String {
        format!(
            "@misc{{{key},\n  author = {{{{{PUBLISHER}}}}},\n  title = {{{{{title}}}}},\n  year = {{{year}}},\n  month = {{{month}}},\n  version = {{{id}}},\n  howpublished = {{Data set}},\n  note = {{Licence {LICENSE}. SHA256SUMS sha256:{sums}}}\n}}\n",
            key = self
                .release_id
                .replace(|c: char| !c.is_ascii_alphanumeric(), "_"),
            title = self.title,
            year = self.released.year(),
            month = u8::from(self.released.month()),
            id = self.release_id,
            sums = self.sha256sums,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Month;

    fn example() -> Citation {
        Citation {
            release_id: "platform-treatment-2025-Q4".into(),
            title: "Sellers: statistics for 2025-Q4".into(),
            released: Date::from_calendar_date(2026, Month::January, 5).unwrap(),
            sha256sums: "00ff".into(),
        }
    }

    #[test]
    fn the_day_is_read_from_the_packages_created_stamp() {
        assert_eq!(
            Citation::day_of("2026-01-05T00:00:00Z"),
            Some(example().released)
        );
        assert_eq!(Citation::day_of("2026-13-05T00:00:00Z"), None);
        assert_eq!(Citation::day_of("2026"), None);
    }

    #[test]
    fn text_and_bibtex_name_the_release_its_year_and_the_checksums() {
        let c = example();
        assert_eq!(
            c.text(),
            "Canvass seller coalition (2026). Sellers: statistics for 2025-Q4 [data set], release platform-treatment-2025-Q4. Licence CC-BY-4.0. SHA256SUMS sha256:00ff."
        );
        let bib = c.bibtex();
        assert!(
            bib.starts_with("@misc{platform_treatment_2025_Q4,\n"),
            "{bib}"
        );
        // Double braces keep BibTeX from re-casing or splitting the names.
        assert!(
            bib.contains("author = {{Canvass seller coalition}},"),
            "{bib}"
        );
        assert!(bib.contains("year = {2026},\n  month = {1},"), "{bib}");
        assert!(
            bib.contains("version = {platform-treatment-2025-Q4}"),
            "{bib}"
        );
        assert!(bib.contains("sha256:00ff}"), "{bib}");
        assert!(bib.ends_with("}\n"), "{bib}");
    }
}
