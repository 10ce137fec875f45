//! The publish function: the public statistics page and every release file, for
//! journalists, researchers and advocates.
//!
//! [`app`] builds the Router; the Lambda binary serves it from S3 through `lambda_http`, and
//! `canvass serve` mounts it beside the ingest Router over the local releases folder.

mod catalogue;
mod error;
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
}

pub fn app(state: PublishState) -> Router {
    // Public, read-only data: any origin's notebook or script may read it. The page itself
    // (and every survey endpoint, which lives in ingest) stays same-origin.
    let open_data = Router::new()
        .route("/reports/index.json", get(page::index_json))
        .route("/reports/latest/{*file}", get(files::latest))
        .route("/reports/{release_id}/{*file}", get(files::release))
        .layer(security::open_data_cors());
    Router::new()
        .route("/reports", get(page::reports))
        .route("/reports/", get(page::reports))
        .route("/reports/assets/reports.css", get(page::stylesheet))
        .merge(open_data)
        .layer(axum::middleware::map_response(security::headers))
        .with_state(state)
}
