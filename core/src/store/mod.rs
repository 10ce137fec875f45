//! The storage ports: narrow async traits the domain needs, with adapters beside them.

use async_trait::async_trait;
use futures::stream::BoxStream;

use crate::record::ResponseRecord;
use crate::wave::IsoWeek;

#[cfg(feature = "dynamodb")]
pub mod dynamodb;
#[cfg(feature = "sqlite")]
pub mod sqlite;

#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// Worth retrying later: the store is down, full, throttled or read-only. Maps to 503.
    #[error("storage is unavailable: {0}")]
    Unavailable(String),
    /// A fault that retrying will not fix. Maps to 500 without details.
    #[error("storage failed: {0}")]
    Failed(String),
}

/// What a conditional write found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PutOutcome {
    /// The record is now durably stored.
    Stored,
    /// A record with this id was stored before and is left as it was. What it holds is not
    /// returned: no caller may act on it (see `intake::Accepted`).
    AlreadyStored,
}

/// One item read back from the store.
#[derive(Debug, Clone, PartialEq)]
pub enum Listed {
    Response(ResponseRecord),
    /// An item that does not match the current record shape: reported, never guessed at.
    Malformed {
        response_id: String,
        problem: String,
    },
}

/// The responses of one survey and ISO week, optionally the unverified ones only: what
/// [`ResponseStore::remove_week`] and [`ResponseStore::count_week`] select, one type for
/// every adapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekFilter {
    pub survey_id: String,
    /// The ISO week as stored (`2026-W05`).
    pub week: String,
    pub unverified_only: bool,
}

impl WeekFilter {
    pub fn new(survey_id: &str, week: IsoWeek, unverified_only: bool) -> WeekFilter {
        WeekFilter {
            survey_id: survey_id.to_owned(),
            week: week.to_string(),
            unverified_only,
        }
    }
}

/// Pages of a listing, streamed so that no store is ever held in memory whole.
pub type Pages<'a> = BoxStream<'a, Result<Vec<Listed>, StoreError>>;

#[async_trait]
pub trait ResponseStore: Send + Sync + 'static {
    /// Stores `record` unless one with its id exists. Returns only once the write is durable.
    async fn put_if_absent(&self, record: &ResponseRecord) -> Result<PutOutcome, StoreError>;

    /// Bulk load for the seeder; records whose id exists are skipped. Returns how many were new.
    async fn put_many(&self, records: &[ResponseRecord]) -> Result<u64, StoreError> {
        let mut stored = 0;
        for record in records {
            if self.put_if_absent(record).await? == PutOutcome::Stored {
                stored += 1;
            }
        }
        Ok(stored)
    }

    /// Every stored response of a survey, all versions, page by page, in no particular order.
    fn list(&self, survey_id: &str) -> Pages<'_>;

    /// What [`list`](ResponseStore::list) reads, split into at most `parts` disjoint listings
    /// that can be read at once (one per core of the reader). Together they hold every
    /// response exactly once. An adapter that cannot split returns the one listing.
    fn list_parts(&self, survey_id: &str, parts: usize) -> Vec<Pages<'_>> {
        let _ = parts;
        vec![self.list(survey_id)]
    }

    /// Deletes every stored response of `survey_id` submitted in ISO week `week` (with
    /// `unverified_only`, only those with `pow_verified = false`). Returns how many were deleted.
    /// Durable before it returns; running it again deletes nothing more and returns 0.
    async fn remove_week(
        &self,
        survey_id: &str,
        week: IsoWeek,
        unverified_only: bool,
    ) -> Result<u64, StoreError>;

    /// How many responses `remove_week` with the same arguments would delete.
    async fn count_week(
        &self,
        survey_id: &str,
        week: IsoWeek,
        unverified_only: bool,
    ) -> Result<u64, StoreError>;
}

/// Short-lived control state: rate-limit counters and single-use markers.
/// Every item has an expiry (unix seconds); an expired item behaves as if absent.
#[async_trait]
pub trait ControlStore: Send + Sync + 'static {
    /// Adds one to the counter at `key` and returns the new count. A missing or expired
    /// counter starts again at 1 with `expires_at`.
    async fn increment(&self, key: &str, expires_at: i64) -> Result<u64, StoreError>;

    /// Records a single-use marker: `true` the first time, `false` while it has not expired.
    async fn claim(&self, key: &str, expires_at: i64) -> Result<bool, StoreError>;
}

/// Seconds since the Unix epoch, the unit of every expiry.
pub fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
