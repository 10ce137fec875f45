//! Published releases: immutable folders of files plus `latest.json`, behind a narrow port.
//!
//! A release is written all-or-nothing: every file of `{release_id}/` first, each with a
//! create-only write (S3 `If-None-Match: *`, a no-clobber link on a folder), then
//! `latest.json` last. A run that fails half-way leaves `latest.json` on the previous good
//! release; the next run finishes the same (deterministic) release, skipping the files that
//! are already there byte for byte. An existing file is never overwritten: a release id that
//! exists with other bytes is an error, so two overlapping runs cannot corrupt anything.

pub mod citation;
pub mod folder;
#[cfg(feature = "s3")]
pub mod s3;

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

pub const LATEST: &str = "latest.json";

/// Every file of one release, by path inside the release (`charts/x.svg`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub id: String,
    pub survey_id: String,
    /// The wave the release is named after, e.g. `2025-Q4`.
    pub wave: String,
    pub files: BTreeMap<String, Vec<u8>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Published {
    /// Written now (at least one file was new).
    New,
    /// Already there with exactly these bytes: nothing to do.
    Identical,
}

#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    /// Worth retrying: the store is unreachable, throttled or failing.
    #[error("release storage is unavailable: {0}")]
    Unavailable(String),
    #[error("release `{0}` already exists with different content; releases are immutable")]
    Differs(String),
    #[error("release storage holds something unexpected: {0}")]
    Corrupt(String),
    #[error("not a valid release path: {0}")]
    BadPath(String),
}

/// `latest.json`: for each survey, the newest release and every release ever completed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Latest {
    pub surveys: BTreeMap<String, SurveyReleases>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyReleases {
    pub release_id: String,
    pub wave: String,
    pub path: String,
    /// Completed releases, oldest first.
    #[serde(default)]
    pub releases: Vec<ReleaseEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseEntry {
    pub release_id: String,
    pub wave: String,
}

/// What differs between a folder and an S3 bucket: three object operations.
#[async_trait]
pub trait Objects: Send + Sync + 'static {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ReleaseError>;
    /// Writes `bytes` unless `key` exists; `Ok(false)` when it existed (nothing written).
    async fn create(
        &self,
        key: &str,
        bytes: &[u8],
        content_type: &str,
    ) -> Result<bool, ReleaseError>;
    /// Replaces `key` atomically (only `latest.json` is ever replaced).
    async fn replace(
        &self,
        key: &str,
        bytes: &[u8],
        content_type: &str,
    ) -> Result<(), ReleaseError>;
}

/// The content type every release file is stored and served with.
pub fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("csv") => "text/csv; charset=utf-8; header=present",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("md") => "text/markdown; charset=utf-8",
        Some("cff") => "text/yaml; charset=utf-8",
        Some("zip") => "application/zip",
        _ if path.ends_with("SHA256SUMS") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// A release id or a path inside a release: plain names and `/`, nothing that could climb
/// out of the release or be read differently by another store.
pub fn check_path(path: &str) -> Result<(), ReleaseError> {
    let ok = !path.is_empty()
        && path.len() <= 200
        && path.split('/').all(|part| {
            !part.is_empty()
                && part != "."
                && part != ".."
                && !part.starts_with('.')
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        });
    if ok {
        Ok(())
    } else {
        Err(ReleaseError::BadPath(path.to_owned()))
    }
}

/// Releases over any [`Objects`].
pub struct ReleaseStore {
    objects: Box<dyn Objects>,
}

impl ReleaseStore {
    pub fn new(objects: impl Objects) -> ReleaseStore {
        ReleaseStore {
            objects: Box::new(objects),
        }
    }

    pub async fn latest(&self) -> Result<Latest, ReleaseError> {
        match self.objects.get(LATEST).await? {
            None => Ok(Latest::default()),
            Some(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| ReleaseError::Corrupt(format!("{LATEST}: {e}"))),
        }
    }

    /// Completed releases of one survey, oldest first.
    pub async fn releases_of(&self, survey_id: &str) -> Result<Vec<ReleaseEntry>, ReleaseError> {
        Ok(self
            .latest()
            .await?
            .surveys
            .remove(survey_id)
            .map(|s| s.releases)
            .unwrap_or_default())
    }

    /// One file of a release; `None` when it does not exist.
    pub async fn read(
        &self,
        release_id: &str,
        path: &str,
    ) -> Result<Option<Vec<u8>>, ReleaseError> {
        check_path(release_id)?;
        check_path(path)?;
        self.objects.get(&format!("{release_id}/{path}")).await
    }

    /// Stores a whole release, then records it in `latest.json` (pointing at it when it is
    /// the survey's newest wave).
    pub async fn publish(&self, release: &Release) -> Result<Published, ReleaseError> {
        check_path(&release.id)?;
        let mut created = false;
        // datapackage.json last among the release's files: its presence marks a whole release.
        let (package, rest): (Vec<_>, Vec<_>) = release
            .files
            .iter()
            .partition(|(path, _)| path.as_str() == "datapackage.json");
        for (path, bytes) in rest.into_iter().chain(package) {
            check_path(path)?;
            let key = format!("{}/{path}", release.id);
            if self.objects.create(&key, bytes, content_type(path)).await? {
                created = true;
            } else if self.objects.get(&key).await?.as_deref() != Some(bytes.as_slice()) {
                return Err(ReleaseError::Differs(release.id.clone()));
            }
        }
        let mut latest = self.latest().await?;
        let before = latest.clone();
        let entry = ReleaseEntry {
            release_id: release.id.clone(),
            wave: release.wave.clone(),
        };
        let survey = latest
            .surveys
            .entry(release.survey_id.clone())
            .or_insert_with(|| SurveyReleases {
                release_id: release.id.clone(),
                wave: release.wave.clone(),
                path: format!("{}/datapackage.json", release.id),
                releases: Vec::new(),
            });
        if !survey.releases.contains(&entry) {
            survey.releases.push(entry);
            survey
                .releases
                .sort_by(|a, b| a.wave.cmp(&b.wave).then(a.release_id.cmp(&b.release_id)));
        }
        if survey.wave < release.wave {
            survey.release_id = release.id.clone();
            survey.wave = release.wave.clone();
            survey.path = format!("{}/datapackage.json", release.id);
        }
        if latest != before {
            let mut text = serde_json::to_vec_pretty(&latest).expect("latest.json serializes");
            text.push(b'\n');
            self.objects
                .replace(LATEST, &text, content_type(LATEST))
                .await?;
            created = true;
        }
        Ok(if created {
            Published::New
        } else {
            Published::Identical
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_could_escape_are_refused() {
        for good in [
            "answers.csv",
            "charts/fee_impact.svg",
            "platform-treatment-2026-Q3",
            "SHA256SUMS",
        ] {
            assert!(check_path(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "..",
            "../x",
            "a/../b",
            "/etc/passwd",
            "a//b",
            ".hidden",
            "a/.git",
            "a\\b",
            "%2e%2e",
            "a b",
            "é.csv",
        ] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
    }
}
