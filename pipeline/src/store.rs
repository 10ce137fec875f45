//! Where releases go: the pipeline's port, implemented by the shared release store of
//! `canvass-core` (a folder or an S3 bucket, files created once, `latest.json` last). The
//! port keeps the pipeline's tests and its error type independent of how releases are kept.

use async_trait::async_trait;

use crate::PipelineError;

pub use canvass_core::releases::{Published, Release};

#[async_trait]
pub trait ReleaseStore: Send + Sync {
    /// Ids of every stored release.
    async fn release_ids(&self) -> Result<Vec<String>, PipelineError>;
    /// One file of a stored release, if it exists.
    async fn read(&self, release_id: &str, path: &str) -> Result<Option<Vec<u8>>, PipelineError>;
    /// Stores a whole release and points `latest.json` at it if it is the newest.
    async fn publish(&self, release: &Release) -> Result<Published, PipelineError>;
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
        canvass_core::releases::ReleaseStore::publish(self, release)
            .await
            .map_err(release_error)
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
