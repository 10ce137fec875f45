//! Releases in a local folder (`DATA/releases`), the embedded default.

use std::io::Write;
use std::path::{Path, PathBuf};

use async_trait::async_trait;

use super::{Objects, ReleaseError};

#[derive(Debug, Clone)]
pub struct Folder {
    root: PathBuf,
}

impl Folder {
    pub fn new(root: impl Into<PathBuf>) -> Folder {
        Folder { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Writes to a unique temporary file beside `target` and syncs it.
    fn staged(&self, target: &Path, bytes: &[u8]) -> Result<PathBuf, ReleaseError> {
        let dir = target.parent().unwrap_or(&self.root);
        std::fs::create_dir_all(dir).map_err(io)?;
        let tmp = dir.join(format!(".partial-{}", uuid::Uuid::new_v4().simple()));
        let mut file = std::fs::File::create(&tmp).map_err(io)?;
        file.write_all(bytes).map_err(io)?;
        file.sync_all().map_err(io)?;
        Ok(tmp)
    }
}

fn io(e: std::io::Error) -> ReleaseError {
    ReleaseError::Unavailable(e.to_string())
}

#[async_trait]
impl Objects for Folder {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ReleaseError> {
        match std::fs::read(self.root.join(key)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(io(e)),
        }
    }

    async fn create(&self, key: &str, bytes: &[u8], _: &str) -> Result<bool, ReleaseError> {
        let target = self.root.join(key);
        let tmp = self.staged(&target, bytes)?;
        // A hard link never replaces an existing file: the folder's `If-None-Match: *`.
        let linked = std::fs::hard_link(&tmp, &target);
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(io(e)),
        }
    }

    async fn replace(&self, key: &str, bytes: &[u8], _: &str) -> Result<(), ReleaseError> {
        let target = self.root.join(key);
        let tmp = self.staged(&target, bytes)?;
        std::fs::rename(&tmp, &target).map_err(io)
    }
}
