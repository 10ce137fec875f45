//! The surveys a running service knows: every checked version, and which one is open.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crate::check::{self, Problem};
use crate::survey::{Status, Survey};

#[derive(Debug, Default, Clone)]
pub struct Catalog {
    by_id: BTreeMap<String, Vec<Arc<Survey>>>,
}

/// Why a survey cannot take a response.
#[derive(Debug, PartialEq, Eq)]
pub enum Unavailable {
    /// No published version exists (drafts are invisible).
    Unknown,
    /// The survey exists, but `version` is not the open one.
    VersionNotOpen { open: Option<u32> },
}

impl Catalog {
    pub fn new(surveys: impl IntoIterator<Item = Survey>) -> Catalog {
        let mut by_id: BTreeMap<String, Vec<Arc<Survey>>> = BTreeMap::new();
        for survey in surveys {
            by_id
                .entry(survey.id.clone())
                .or_default()
                .push(Arc::new(survey));
        }
        for versions in by_id.values_mut() {
            versions.sort_by_key(|s| s.version);
        }
        Catalog { by_id }
    }

    /// Loads and checks a surveys folder; any problem refuses the whole catalog, since a
    /// service must never run on a definition that `canvass check` rejects.
    pub fn load(dir: &Path) -> Result<Catalog, Vec<Problem>> {
        let report = check::check_dir(dir, false);
        if !report.problems.is_empty() {
            return Err(report.problems);
        }
        Ok(Catalog::new(report.surveys))
    }

    /// Every version of every survey, drafts included (the pipeline reads old versions).
    pub fn all(&self) -> impl Iterator<Item = &Arc<Survey>> {
        self.by_id.values().flatten()
    }

    pub fn open_surveys(&self) -> impl Iterator<Item = &Arc<Survey>> {
        self.all().filter(|s| s.status == Status::Open)
    }

    pub fn version(&self, id: &str, version: u32) -> Option<&Arc<Survey>> {
        self.by_id.get(id)?.iter().find(|s| s.version == version)
    }

    /// Whether any version of the survey was ever published (drafts are invisible).
    pub fn is_published(&self, id: &str) -> bool {
        self.by_id
            .get(id)
            .is_some_and(|v| v.iter().any(|s| s.status.is_published()))
    }

    /// The open version of a survey, or why there is none.
    pub fn open(&self, id: &str) -> Result<&Arc<Survey>, Unavailable> {
        if !self.is_published(id) {
            return Err(Unavailable::Unknown);
        }
        self.by_id[id]
            .iter()
            .find(|s| s.status == Status::Open)
            .ok_or(Unavailable::VersionNotOpen { open: None })
    }

    /// The survey version a response may be filed under.
    pub fn accepting(&self, id: &str, version: u32) -> Result<&Arc<Survey>, Unavailable> {
        let open = self.open(id)?;
        if open.version == version {
            Ok(open)
        } else {
            Err(Unavailable::VersionNotOpen {
                open: Some(open.version),
            })
        }
    }
}
