//! What every handler shares: the surveys, the stores, the secret and the settings.

use std::sync::Arc;

use canvass_core::catalog::Catalog;
use canvass_core::ids::Secret;
use canvass_core::pow::Difficulty;
use canvass_core::ratelimit::RateLimit;
use canvass_core::store::{ControlStore, ProgressStore, ResponseStore};
use time::OffsetDateTime;

/// The default rate limit: stored responses and challenges per source key and clock hour.
/// Sized for many sellers behind one carrier-grade NAT, with keys coarsened to an IPv4 /24
/// or an IPv6 /48: see docs/form.md, "Rate limit", for the arithmetic.
pub const DEFAULT_RATE_LIMIT_PER_HOUR: u32 = 600;

#[derive(Debug, Clone)]
pub struct IngestConfig {
    /// Seconds a client is told to wait (`Retry-After`) when storage is down.
    pub retry_after_secs: u32,
    /// Proof-of-work difficulty and challenge lifetime.
    pub pow: Difficulty,
    /// Stored responses and challenges allowed per source and hour (0: no limit).
    pub rate_limit: RateLimit,
    /// Take the client address from the rightmost `X-Forwarded-For` entry (only behind a
    /// proxy that sets it) rather than from the connection.
    pub trust_forwarded_for: bool,
}

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig {
            retry_after_secs: 5,
            pow: Difficulty::default(),
            rate_limit: RateLimit {
                per_hour: DEFAULT_RATE_LIMIT_PER_HOUR,
            },
            trust_forwarded_for: false,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub catalog: Arc<Catalog>,
    pub responses: Arc<dyn ResponseStore>,
    pub control: Arc<dyn ControlStore>,
    /// The counters behind the public progress count (the intro page, `/progress`).
    pub progress: Arc<dyn ProgressStore>,
    pub secret: Arc<Secret>,
    pub config: IngestConfig,
    /// The current time; a plain function so tests can pin the week (and the hour of the
    /// progress count).
    pub clock: fn() -> OffsetDateTime,
}

impl AppState {
    pub fn new(
        catalog: Catalog,
        responses: Arc<dyn ResponseStore>,
        control: Arc<dyn ControlStore>,
        progress: Arc<dyn ProgressStore>,
        secret: Secret,
        config: IngestConfig,
    ) -> AppState {
        AppState {
            catalog: Arc::new(catalog),
            responses,
            control,
            progress,
            secret: Arc::new(secret),
            config,
            clock: OffsetDateTime::now_utc,
        }
    }
}
