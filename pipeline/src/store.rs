//! Where releases go: a small port, so the same pipeline writes to a folder on a laptop
//! and (later) to S3. Releases are immutable: publishing an existing id succeeds only if
//! every byte is the same.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::PipelineError;

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
    /// Written now.
    New,
    /// Already there with exactly these bytes: nothing to do.
    Identical,
}

#[async_trait]
pub trait ReleaseStore: Send + Sync {
    /// Ids of every stored release.
    async fn release_ids(&self) -> Result<Vec<String>, PipelineError>;
    /// One file of a stored release, if it exists.
    async fn read(&self, release_id: &str, path: &str) -> Result<Option<Vec<u8>>, PipelineError>;
    /// Stores a whole release and points `latest.json` at it if it is the newest.
    async fn publish(&self, release: &Release) -> Result<Published, PipelineError>;
}

/// Releases as folders: `ROOT/{release_id}/…` and `ROOT/latest.json`.
#[derive(Debug, Clone)]
pub struct FolderStore {
    root: PathBuf,
}

impl FolderStore {
    pub fn new(root: impl Into<PathBuf>) -> FolderStore {
        FolderStore { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
}

/// `latest.json`: the newest release of each survey.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Latest {
    surveys: BTreeMap<String, LatestRelease>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct LatestRelease {
    release_id: String,
    wave: String,
    path: String,
}

fn files_under(
    dir: &Path,
    prefix: &str,
    out: &mut BTreeMap<String, Vec<u8>>,
) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        if entry.file_type()?.is_dir() {
            files_under(&entry.path(), &path, out)?;
        } else {
            out.insert(path, std::fs::read(entry.path())?);
        }
    }
    Ok(())
}

#[async_trait]
impl ReleaseStore for FolderStore {
    async fn release_ids(&self) -> Result<Vec<String>, PipelineError> {
        let mut ids = Vec::new();
        match std::fs::read_dir(&self.root) {
            Ok(entries) => {
                for entry in entries {
                    let entry = entry?;
                    let name = entry.file_name().to_string_lossy().into_owned();
                    if entry.file_type()?.is_dir() && !name.starts_with('.') {
                        ids.push(name);
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
        ids.sort();
        Ok(ids)
    }

    async fn read(&self, release_id: &str, path: &str) -> Result<Option<Vec<u8>>, PipelineError> {
        match std::fs::read(self.root.join(release_id).join(path)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn publish(&self, release: &Release) -> Result<Published, PipelineError> {
        let target = self.root.join(&release.id);
        if target.exists() {
            let mut existing = BTreeMap::new();
            files_under(&target, "", &mut existing)?;
            return if existing == release.files {
                Ok(Published::Identical)
            } else {
                Err(PipelineError::ReleaseDiffers(release.id.clone()))
            };
        }
        std::fs::create_dir_all(&self.root)?;
        // Written beside the target and renamed into place: a reader never sees half a release.
        let staging = self
            .root
            .join(format!(".{}.partial-{}", release.id, std::process::id()));
        if staging.exists() {
            std::fs::remove_dir_all(&staging)?;
        }
        for (path, bytes) in &release.files {
            let file = staging.join(path);
            if let Some(dir) = file.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&file, bytes)?;
        }
        std::fs::rename(&staging, &target)?;

        let latest_path = self.root.join("latest.json");
        let mut latest: Latest = match std::fs::read(&latest_path) {
            Ok(bytes) => serde_json::from_slice(&bytes)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Latest::default(),
            Err(e) => return Err(e.into()),
        };
        let newer = latest
            .surveys
            .get(&release.survey_id)
            .is_none_or(|l| l.wave < release.wave);
        if newer {
            latest.surveys.insert(
                release.survey_id.clone(),
                LatestRelease {
                    release_id: release.id.clone(),
                    wave: release.wave.clone(),
                    path: format!("{}/datapackage.json", release.id),
                },
            );
            let mut text = serde_json::to_vec_pretty(&latest)?;
            text.push(b'\n');
            let tmp = self.root.join(".latest.json.partial");
            std::fs::write(&tmp, text)?;
            std::fs::rename(tmp, latest_path)?;
        }
        Ok(Published::New)
    }
}

/// The shared release store of `canvass-core` (a folder or an S3 bucket), as the pipeline's
/// port: what `canvass report`, `canvass serve` and the report Lambda write through.
#[async_trait]
impl ReleaseStore for canvass_core::releases::ReleaseStore {
    async fn release_ids(&self) -> Result<Vec<String>, PipelineError> {
        let latest = self.latest().await.map_err(release_error)?;
        let mut ids: Vec<String> = latest
            .surveys
            .values()
            .flat_map(|s| s.releases.iter().map(|r| r.release_id.clone()))
            .collect();
        ids.sort();
        Ok(ids)
    }

    async fn read(&self, release_id: &str, path: &str) -> Result<Option<Vec<u8>>, PipelineError> {
        canvass_core::releases::ReleaseStore::read(self, release_id, path)
            .await
            .map_err(release_error)
    }

    async fn publish(&self, release: &Release) -> Result<Published, PipelineError> {
        let shared = canvass_core::releases::Release {
            id: release.id.clone(),
            survey_id: release.survey_id.clone(),
            wave: release.wave.clone(),
            files: release.files.clone(),
        };
        match canvass_core::releases::ReleaseStore::publish(self, &shared)
            .await
            .map_err(release_error)?
        {
            canvass_core::releases::Published::New => Ok(Published::New),
            canvass_core::releases::Published::Identical => Ok(Published::Identical),
        }
    }
}

fn release_error(e: canvass_core::releases::ReleaseError) -> PipelineError {
    match e {
        canvass_core::releases::ReleaseError::Differs(id) => PipelineError::ReleaseDiffers(id),
        canvass_core::releases::ReleaseError::Unavailable(why) => {
            PipelineError::ReleasesUnavailable(why)
        }
        other => PipelineError::Write(other.to_string()),
    }
}
