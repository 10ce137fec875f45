//! The ingest function: serves survey definitions and takes responses.
//!
//! [`app`] builds the axum `Router`; the Lambda binary hands it to `lambda_http::run`, and
//! `canvass serve` mounts the same Router locally. Clients and config are built once by the
//! caller and passed in through [`AppState`].

pub mod access_log;
mod assets;
mod client_ip;
#[cfg(feature = "dynamodb")]
pub mod deployed;
pub mod error;
mod form;
mod rate_limit;
mod routes;
mod security_headers;
pub mod state;
mod submission;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

pub use error::AppError;
pub use state::{AppState, IngestConfig};

/// The two request-body parsers of `POST /surveys/{id}/responses` on their own, for the fuzz
/// targets (`fuzz/targets`, docs/fuzzing.md); the Router is the API, not these.
#[doc(hidden)]
pub mod parsers {
    pub use crate::form::fields::{Posted, parse as form};
    pub use crate::submission::{Answers, Body, parse as json};
}

/// Largest request body accepted, in bytes.
pub const BODY_LIMIT: usize = 16 * 1024;

pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(routes::health::healthz))
        .route("/surveys", get(routes::surveys::list))
        .route("/surveys/{survey_id}", get(routes::surveys::show))
        .route(
            "/surveys/{survey_id}/challenge",
            get(routes::challenge::issue),
        )
        .route("/surveys/{survey_id}/progress", get(routes::progress::show))
        .route("/s/{survey_id}", get(form::page))
        .route("/s/{survey_id}/thanks", get(form::thanks))
        .route("/static/{file}", get(assets::serve))
        .route(
            "/surveys/{survey_id}/responses",
            post(routes::responses::submit),
        )
        .fallback(routes::not_found)
        .method_not_allowed_fallback(routes::method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(access_log::log))
        .layer(axum::middleware::map_response(security_headers::add))
        .with_state(state)
}
