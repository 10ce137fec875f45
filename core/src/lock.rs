//! `surveys/lock.toml`: the fingerprints of published survey versions, which freeze them.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::check::{Problem, Report};
use crate::survey::{Status, Survey};

pub const LOCK_FILE: &str = "lock.toml";

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    #[serde(default)]
    pub frozen: Vec<Frozen>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Frozen {
    pub survey: String,
    pub version: u32,
    pub sha256: String,
}

impl Lock {
    /// A missing lock file is an empty lock.
    pub fn load(path: &Path) -> Result<Lock, Problem> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Lock::default()),
            Err(e) => {
                return Err(problem(
                    path,
                    format!("cannot read the lock file: {e}"),
                    "make it readable",
                ));
            }
        };
        Lock::parse(path, &text)
    }

    /// Reads lock file text; `path` only names it in a problem.
    pub fn parse(path: &Path, text: &str) -> Result<Lock, Problem> {
        toml::from_str(text).map_err(|e| {
            problem(
                path,
                format!("not a valid lock file: {}", e.message().trim()),
                "restore it from version control; never edit fingerprints by hand",
            )
        })
    }

    pub fn save(&self, path: &Path) -> Result<(), Problem> {
        let body = toml::to_string(self).expect("the lock always serializes");
        let text = format!(
            "# Published survey versions are frozen: `canvass check` refuses any change to them.\n\
             # Written by `canvass check --freeze`; a change to a survey means a new version.\n\n{body}"
        );
        std::fs::write(path, text).map_err(|e| {
            problem(
                path,
                format!("cannot write the lock file: {e}"),
                "make the folder writable",
            )
        })
    }

    fn entry(&self, survey: &str, version: u32) -> Option<&Frozen> {
        self.frozen
            .iter()
            .find(|f| f.survey == survey && f.version == version)
    }

    /// Compares one survey with its frozen fingerprint (or freezes it, when asked).
    pub(crate) fn verify(
        &mut self,
        file: &Path,
        survey: &Survey,
        freeze: bool,
        report: &mut Report,
    ) {
        match (self.entry(&survey.id, survey.version), survey.status) {
            (Some(frozen), _) if frozen.sha256 != survey.fingerprint => report.problems.push(problem(
                file,
                format!("version {} of `{}` is published and frozen, but its content changed", survey.version, survey.id),
                format!("undo the edit, or copy the file to v{}.toml with `version = {}` and `status = \"draft\"` and change that", survey.version + 1, survey.version + 1),
            )),
            (Some(_), Status::Draft) => report.problems.push(problem(
                file,
                format!("version {} of `{}` was published and cannot go back to draft", survey.version, survey.id),
                "set status to \"open\" or \"closed\"",
            )),
            (None, status) if status.is_published() => {
                if freeze {
                    self.frozen.push(Frozen { survey: survey.id.clone(), version: survey.version, sha256: survey.fingerprint.clone() });
                    self.frozen.sort_by(|a, b| (&a.survey, a.version).cmp(&(&b.survey, b.version)));
                    report.newly_frozen.push((survey.id.clone(), survey.version));
                } else {
                    report.problems.push(problem(
                        file,
                        format!("version {} of `{}` is {} but not frozen in {LOCK_FILE}", survey.version, survey.id, if status == Status::Open { "open" } else { "closed" }),
                        "run `canvass check --freeze` to freeze it, and commit the lock file",
                    ));
                }
            }
            _ => {}
        }
    }

    /// A frozen version whose file is gone would leave its stored responses unreadable.
    pub(crate) fn verify_nothing_missing(
        &self,
        path: &Path,
        surveys: &[Survey],
        problems: &mut Vec<Problem>,
    ) {
        for f in &self.frozen {
            if !surveys
                .iter()
                .any(|s| s.id == f.survey && s.version == f.version)
            {
                problems.push(problem(
                    path,
                    format!(
                        "version {} of `{}` is frozen but its file is missing or broken",
                        f.version, f.survey
                    ),
                    format!(
                        "restore {}/v{}.toml: its responses cannot be read without it",
                        f.survey, f.version
                    ),
                ));
            }
        }
    }
}

fn problem(file: &Path, message: impl Into<String>, fix: impl Into<String>) -> Problem {
    Problem {
        file: file.to_owned(),
        question: None,
        message: message.into(),
        fix: fix.into(),
    }
}
