//! The production store: DynamoDB through aws-sdk-dynamodb, items mapped with serde_dynamo.
//!
//! - `responses` holds one item per response with exactly the fields of [`ResponseRecord`]
//!   (the privacy model's list), keyed by `response_id`. A put is conditional on
//!   `attribute_not_exists(response_id)`, so a retried submission is stored once and the
//!   retry is handed the stored record.
//! - `control` holds counters, single-use markers and salts under a generic `pk`/`sk`, each
//!   with `expires_at`. TTL deletion is lazy (items may linger for days after expiring), so
//!   every write compares `expires_at` with the current time in its condition: an expired
//!   item behaves exactly as an absent one.
//! - A response's first write is one `TransactWriteItems`: the conditional put and an `ADD`
//!   to its week's progress counter in `control` (a shard of it), so a retry that finds the
//!   id stored counts nothing and a failed write counts nothing (`progress.rs`).
//! - Listing is a parallel Scan, page by page: see [`ScanSettings`] for the consistency
//!   choice and docs/dynamodb.md for what it costs.
//! - Throttling, timeouts and unreachable endpoints are retried by the SDK with backoff; what
//!   still fails is `StoreError::Unavailable`, which the ingest function answers with `503`.
//!
//! [`ResponseRecord`]: crate::record::ResponseRecord

mod admin;
mod client;
mod control;
mod errors;
mod location;
mod progress;
mod responses;

use aws_sdk_dynamodb::Client;

pub use admin::{PreparedTable, create_tables};
pub use client::{Endpoint, build_client};
pub use location::{DynamoUrl, DynamoUrlError};
pub use progress::{COUNTER_ATTRIBUTES, COUNTER_SHARDS, SNAPSHOT_ATTRIBUTES};

use crate::tables::TableNames;

/// How the pipeline's listing reads the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanSettings {
    /// Parallel Scan segments, read concurrently. More segments read a large table faster
    /// (each segment is one sequential stream of 1 MB pages) at the same total cost.
    pub segments: u32,
    /// Strongly consistent reads cost twice the read capacity. The pipeline reports closed
    /// waves only, whose responses were written days before the run, so eventually
    /// consistent reads (which may miss a write from the last second or so) lose nothing:
    /// off by default.
    pub consistent_read: bool,
}

impl Default for ScanSettings {
    fn default() -> Self {
        ScanSettings {
            segments: 4,
            consistent_read: false,
        }
    }
}

/// Upper bound on segments: DynamoDB allows a million, but each one is a concurrent
/// request stream held open by this process.
pub const MAX_SEGMENTS: u32 = 1024;

/// Responses and control state in two DynamoDB tables.
#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: Client,
    tables: TableNames,
    scan: ScanSettings,
}

impl DynamoStore {
    /// A store over existing tables; builds nothing and calls nothing (no cold-start cost).
    pub fn new(client: Client, tables: TableNames) -> DynamoStore {
        DynamoStore {
            client,
            tables,
            scan: ScanSettings::default(),
        }
    }

    pub fn with_scan(mut self, scan: ScanSettings) -> DynamoStore {
        self.scan = ScanSettings {
            segments: scan.segments.clamp(1, MAX_SEGMENTS),
            ..scan
        };
        self
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn tables(&self) -> &TableNames {
        &self.tables
    }

    pub fn scan_settings(&self) -> ScanSettings {
        self.scan
    }
}
