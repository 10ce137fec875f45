//! Request logging: method, route template, status, latency, and deliberately nothing else
//! (no address, header, query string or body).
//!
//! The routes a send goes through (the post itself, the challenge fetched before it, the
//! thank-you page after it) get no line of their own: a timestamped line per send, paired
//! with the stored rows, would date each response (docs/privacy.md). They are tallied instead
//! and logged as counts per route and status once per `TALLY_INTERVAL`, which says how busy
//! the survey is and whether a flood is under way without saying when any one send came.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

/// How often tallied routes are logged, as counts.
pub const TALLY_INTERVAL: Duration = Duration::from_secs(3600);

/// The routes that are tallied rather than logged one line per request.
const TALLIED: &[(Method, &str)] = &[
    (Method::POST, "/surveys/{survey_id}/responses"),
    (Method::GET, "/surveys/{survey_id}/challenge"),
    (Method::GET, "/s/{survey_id}/thanks"),
];

pub async fn log(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    if TALLIED.iter().any(|(m, r)| *m == method && *r == route) {
        TALLY.count(&method, &route, status);
        TALLY.flush_if_due(TALLY_INTERVAL);
    } else {
        tracing::info!(
            method = %method,
            route = %route,
            status,
            latency_us = started.elapsed().as_micros() as u64,
            "request"
        );
    }
    response
}

/// Logs the tally if `TALLY_INTERVAL` has passed; for a timer in long-running servers (under
/// Lambda the next request does it).
pub fn flush_tally_if_due() {
    TALLY.flush_if_due(TALLY_INTERVAL);
}

static TALLY: Tally = Tally {
    inner: Mutex::new(None),
};

struct Tally {
    inner: Mutex<Option<Counts>>,
}

struct Counts {
    since: Instant,
    by_route: BTreeMap<(String, String, u16), u64>,
}

impl Tally {
    fn with<T>(&self, f: impl FnOnce(&mut Counts) -> T) -> T {
        let mut held = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let counts = held.get_or_insert_with(|| Counts {
            since: Instant::now(),
            by_route: BTreeMap::new(),
        });
        f(counts)
    }

    fn count(&self, method: &Method, route: &str, status: u16) {
        self.with(|c| {
            *c.by_route
                .entry((method.to_string(), route.to_owned(), status))
                .or_default() += 1;
        });
    }

    fn flush_if_due(&self, interval: Duration) {
        let due = self.with(|c| {
            if c.since.elapsed() < interval {
                return None;
            }
            c.since = Instant::now();
            Some(std::mem::take(&mut c.by_route))
        });
        for ((method, route, status), requests) in due.into_iter().flatten() {
            tracing::info!(
                method = %method,
                route = %route,
                status,
                requests,
                interval_secs = interval.as_secs(),
                "requests tallied"
            );
        }
    }
}
