//! The per-source rate limit, answered as JSON or (in `form`) as a page. What counts is what
//! a script would repeat: every JSON response post, every form send about to be stored, and
//! every proof-of-work challenge. The steps of the form without JavaScript (Continue, Back,
//! the language switch) store nothing and are not counted.

use std::net::IpAddr;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use canvass_core::ratelimit::{self, Decision};
use canvass_core::store::{StoreError, unix_now};
use serde_json::json;

use crate::AppState;

/// Counts this request. Without a known source (an in-process caller) there is nothing to
/// key on, so nothing is counted.
pub async fn check(state: &AppState, source: Option<IpAddr>) -> Result<Decision, StoreError> {
    match source {
        Some(ip) => {
            ratelimit::check(
                state.control.as_ref(),
                state.config.rate_limit,
                ip,
                unix_now(),
            )
            .await
        }
        None => Ok(Decision::Allowed),
    }
}

pub fn retry_after(response: &mut Response, secs: u32) {
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
}

/// `429` for a response post from a JSON client, in the API's error shape.
pub fn json_limited(retry_after_secs: u32) -> Response {
    limited(
        retry_after_secs,
        "too many responses from this network in the current hour",
    )
}

/// `429` for a challenge request.
pub fn challenge_limited(retry_after_secs: u32) -> Response {
    limited(
        retry_after_secs,
        "too many challenges and responses from this network in the current hour",
    )
}

fn limited(retry_after_secs: u32, what: &str) -> Response {
    let mut response = (
        StatusCode::TOO_MANY_REQUESTS,
        Json(json!({
            "error": "rate_limited",
            "message": format!(
                "{what}; nothing was stored, retry after {retry_after_secs} seconds"
            ),
        })),
    )
        .into_response();
    retry_after(&mut response, retry_after_secs);
    response
}
