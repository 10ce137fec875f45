//! The surveys compiled into the binary by build.rs, checked exactly as `canvass check`
//! checks the folder before the function takes a single response.

use std::path::{Path, PathBuf};

use crate::catalog::Catalog;
use crate::check::{self, Problem};

include!(concat!(env!("OUT_DIR"), "/embedded_surveys.rs"));

/// Every compiled-in survey file with its path below the surveys folder.
pub fn files() -> Vec<(PathBuf, String)> {
    FILES
        .iter()
        .map(|(path, text)| (PathBuf::from(path), (*text).to_owned()))
        .collect()
}

/// The catalog, or every problem that stops it (any problem refuses all, as in
/// `Catalog::load`).
pub fn catalog() -> Result<Catalog, Vec<Problem>> {
    let report = check::check_sources(Path::new("surveys"), LOCK, &files());
    if !report.problems.is_empty() {
        return Err(report.problems);
    }
    Ok(Catalog::new(report.surveys))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn surveys_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../surveys")
    }

    #[test]
    fn the_embedded_surveys_are_the_checked_folder() {
        let embedded = catalog().expect("the shipped surveys pass check");
        let on_disk = Catalog::load(&surveys_dir()).expect("the shipped surveys pass check");
        let summary = |c: &Catalog| -> Vec<(String, u32, String)> {
            c.all()
                .map(|s| (s.id.clone(), s.version, s.fingerprint.clone()))
                .collect()
        };
        assert!(!summary(&embedded).is_empty());
        assert_eq!(summary(&embedded), summary(&on_disk));
    }

    #[test]
    fn an_edited_frozen_survey_in_memory_is_refused_like_on_disk() {
        let mut edited = files();
        let (_, text) = edited
            .iter_mut()
            .find(|(path, _)| path.ends_with("v1.toml"))
            .expect("a v1 survey ships");
        *text = text.replacen("en = \"", "en = \"Edited: ", 1);
        let report = check::check_sources(Path::new("surveys"), LOCK, &edited);
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.message.contains("frozen, but its content changed")),
            "{:?}",
            report.problems
        );
        let report = check::check_sources(Path::new("surveys"), Some("frozen = 3"), &files());
        assert!(report.problems[0].message.contains("not a valid lock file"));
    }
}
