//! `CITATION.cff`: the release's citation in the Citation File Format 1.2.0, the format
//! reference managers, GitHub and Zenodo read. It is written after `SHA256SUMS` and carries
//! that file's SHA-256 (`canvass_core::releases::citation`), so it is the one file
//! `SHA256SUMS` cannot list.

use canvass_core::releases::citation::{Citation, LICENSE, PUBLISHER};
use serde::Serialize;

use crate::PipelineError;
use crate::write::datapackage::KEYWORDS;

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
struct CitationFile<'a> {
    cff_version: &'static str,
    message: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'a str,
    #[serde(rename = "abstract")]
    summary: &'a str,
    version: &'a str,
    date_released: String,
    authors: Vec<Entity>,
    license: &'static str,
    keywords: &'static [&'static str],
    identifiers: Vec<Identifier>,
}

#[derive(Debug, Serialize)]
struct Entity {
    name: &'static str,
}

#[derive(Debug, Serialize)]
struct Identifier {
    #[serde(rename = "type")]
    kind: &'static str,
    value: String,
    description: &'static str,
}

pub fn citation_file(citation: &Citation, description: &str) -> Result<Vec<u8>, PipelineError> {
    let file = CitationFile {
        cff_version: "1.2.0",
        message: "If you use these statistics, please cite them as below, with the release id.",
        kind: "dataset",
        title: &citation.title,
        summary: description,
        version: &citation.release_id,
        date_released: citation.released.to_string(),
        authors: vec![Entity { name: PUBLISHER }],
        license: LICENSE,
        keywords: KEYWORDS,
        identifiers: vec![Identifier {
            kind: "other",
            value: format!("sha256:{}", citation.sha256sums),
            description: "SHA-256 of the release's SHA256SUMS, which lists the SHA-256 of every other file",
        }],
    };
    serde_norway::to_string(&file)
        .map(String::into_bytes)
        .map_err(|e| PipelineError::Write(format!("CITATION.cff: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::{Date, Month};

    #[test]
    fn the_file_names_the_release_its_day_and_the_hash_of_its_checksums() {
        let citation = Citation {
            release_id: "s-2025-Q4".into(),
            title: "Survey: statistics for 2025-Q4".into(),
            released: Date::from_calendar_date(2026, Month::January, 5).unwrap(),
            sha256sums: "00ff".into(),
        };
        let text = String::from_utf8(citation_file(&citation, "About it").unwrap()).unwrap();
        let yaml: serde_norway::Value = serde_norway::from_str(&text).unwrap();
        assert_eq!(yaml["cff-version"].as_str(), Some("1.2.0"));
        assert_eq!(yaml["type"].as_str(), Some("dataset"));
        assert_eq!(yaml["version"].as_str(), Some("s-2025-Q4"));
        assert_eq!(yaml["date-released"].as_str(), Some("2026-01-05"));
        assert_eq!(yaml["abstract"].as_str(), Some("About it"));
        assert_eq!(
            yaml["identifiers"][0]["value"].as_str(),
            Some("sha256:00ff")
        );
    }
}
