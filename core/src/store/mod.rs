//! The storage ports: narrow async traits the domain needs, with adapters beside them.

use async_trait::async_trait;
use futures::stream::BoxStream;

use crate::record::ResponseRecord;
use crate::wave::{IsoWeek, Wave};

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

/// Every `ResponseStore` is also counted: storing a response adds one to its survey's
/// counter for its ISO week (a [`WeekCount`], read through [`ProgressStore`]) in the same
/// atomic write, so a retry that finds the id stored counts nothing and a write that fails
/// counts nothing; `remove_week` recounts the week it removed from.
#[async_trait]
pub trait ResponseStore: Send + Sync + 'static {
    /// Stores `record` unless one with its id exists, and counts it into its week's counter
    /// in the same atomic write. Returns only once the write is durable.
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
    /// Afterwards the week's counter holds what is left (see [`ProgressStore::recount_week`]).
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

/// How many responses of one survey one ISO week holds, as the store's counter keeps them:
/// the operator's view (`canvass status`); the public only ever sees a rounded wave total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WeekCount {
    pub responses: u64,
    /// Of those, how many came without a solved proof of work (`pow_verified = false`).
    pub unverified: u64,
}

/// The public count of one wave as everyone sees it during one clock hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snapshot {
    /// Unix seconds at the start of the clock hour it was taken in (a multiple of 3 600).
    pub hour: i64,
    /// The wave's total when it was taken, rounded down to a multiple of 10.
    pub responses_at_least: u64,
}

/// The counters behind the public progress count (`canvass_core::progress`) and
/// `canvass status`. Reading them never lists responses: on DynamoDB a few item reads
/// instead of a Scan. The counters are written by [`ResponseStore`] itself, in the same
/// atomic write as each response, so they can only be read here (or recounted).
#[async_trait]
pub trait ProgressStore: Send + Sync + 'static {
    /// The counters of `survey_id` for each of `weeks`, in the order asked; a week nothing
    /// was counted in is zero.
    async fn week_counts(
        &self,
        survey_id: &str,
        weeks: &[IsoWeek],
    ) -> Result<Vec<WeekCount>, StoreError>;

    /// Sets the week's counter to what is stored for it now and returns that: after a
    /// removal, and for responses stored before the counters existed. Exact even while new
    /// responses arrive for the week.
    async fn recount_week(&self, survey_id: &str, week: IsoWeek) -> Result<WeekCount, StoreError>;

    /// The snapshot stored for `wave` of `survey_id`, if any. Its hour, not its expiry,
    /// says whether it is current: the expiry only lets the store delete it later.
    async fn snapshot(&self, survey_id: &str, wave: Wave) -> Result<Option<Snapshot>, StoreError>;

    /// Stores `offered` unless a snapshot of the same or a later hour is stored, in one
    /// conditional write; returns whichever snapshot is stored afterwards, so that readers
    /// racing to refresh it all show the one that won.
    async fn offer_snapshot(
        &self,
        survey_id: &str,
        wave: Wave,
        offered: Snapshot,
    ) -> Result<Snapshot, StoreError>;
}

/// How long a week's counter is kept after the week ends: long enough for `canvass status`
/// to show the last closed wave (a year at most), and then it expires like all control state.
pub const COUNTER_KEPT_DAYS: i64 = 400;

/// When the counter of `week` expires: midnight UTC `COUNTER_KEPT_DAYS` after the week's
/// Sunday, so that, like every control expiry, it is a whole hour and dates nothing.
pub fn counter_expires_at(week: IsoWeek) -> i64 {
    let end = week.sunday().midnight().assume_utc().unix_timestamp() + 86_400;
    end + COUNTER_KEPT_DAYS * 86_400
}

/// When a snapshot taken in `hour` expires: an hour after its own hour ends, by which time a
/// newer one has replaced it for any reader (expired and absent behave alike).
pub fn snapshot_expires_at(hour: i64) -> i64 {
    hour + 2 * 3600
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
