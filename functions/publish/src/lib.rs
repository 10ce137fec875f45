//! The publish function: the public statistics page and every release file, for
//! journalists, researchers and advocates.
//!
//! [`app`] builds the Router; the Lambda binary serves it from S3 through `lambda_http`, and
//! `canvass serve` mounts it beside the ingest Router over the local releases folder.

mod base;
mod catalogue;
mod embed;
mod error;
mod feed;
mod files;
mod page;
mod security;
mod strings;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use canvass_core::releases::ReleaseStore;

pub use error::PublishError;

#[derive(Clone)]
pub struct PublishState {
    pub releases: Arc<ReleaseStore>,
    /// The survey `/reports` and `/reports/latest/…` show when several have releases.
    pub featured_survey: Option<String>,
    /// The site's public origin (`https://stats.example.org`) for links that leave it (the
    /// embed snippet, the feed); `None` takes the request's `Host` (`base::public_base`).
    pub public_url: Option<String>,
    /// Seconds a client is told to wait (`Retry-After`) when release storage is down.
    pub retry_after_secs: u32,
}

/// `Retry-After` on a 503 unless the operator says otherwise: the same as ingest's default.
pub const DEFAULT_RETRY_AFTER_SECS: u32 = 5;

impl PublishState {
    /// The releases of `releases`, no featured survey, links from the request's host, the
    /// default `Retry-After`.
    pub fn new(releases: Arc<ReleaseStore>) -> PublishState {
        PublishState {
            releases,
            featured_survey: None,
            public_url: None,
            retry_after_secs: DEFAULT_RETRY_AFTER_SECS,
        }
    }
}

pub fn app(state: PublishState) -> Router {
    // Public, read-only data: any origin's notebook or script may read it. The page itself
    // (and every survey endpoint, which lives in ingest) stays same-origin.
    let open_data = Router::new()
        .route("/reports/index.json", get(page::index_json))
        .route("/reports/feed.xml", get(feed::feed))
        .route("/reports/latest/{*file}", get(files::latest))
        .route("/reports/{release_id}/{*file}", get(files::release))
        .layer(security::open_data_cors());
    let strict = Router::new()
        .route("/reports", get(page::reports))
        .route("/reports/", get(page::reports))
        .route("/reports/assets/reports.css", get(page::stylesheet))
        .merge(open_data)
        .layer(axum::middleware::map_response(security::headers));
    // The one page other sites may frame, with headers of its own rather than exceptions
    // inside the strict ones. Its static `embed` segment wins over the `{*file}` catch-all.
    let framable = Router::new()
        .route("/reports/latest/embed/{indicator}", get(embed::latest))
        .route(
            "/reports/{release_id}/embed/{indicator}",
            get(embed::release),
        )
        .layer(axum::middleware::map_response(security::framable_headers));
    // `strict` last: of two default fallbacks, merge keeps the argument's, so an unknown
    // path gets the strict headers.
    let retry_after = state.retry_after_secs;
    framable
        .merge(strict)
        .layer(axum::middleware::map_response_with_state(
            retry_after,
            error::log_failures,
        ))
        .with_state(state)
}
