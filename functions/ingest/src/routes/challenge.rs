//! `GET /surveys/{id}/challenge`: a fresh proof-of-work challenge (ALTCHA shape).
//!
//! Issuing keeps no state: the expiry is inside the signed salt, and a challenge is only
//! recorded once it is redeemed with a response. Each challenge counts against the source's
//! rate limit, like each stored response: a script that wants verified responses must come
//! here for every one of them.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use canvass_core::pow::{self, PowKey};
use canvass_core::ratelimit::Decision;
use canvass_core::store::unix_now;

use crate::client_ip::ClientIp;
use crate::{AppError, AppState, rate_limit};

pub async fn issue(
    State(state): State<AppState>,
    Path(survey_id): Path<String>,
    ClientIp(source): ClientIp,
) -> Result<Response, AppError> {
    if state.catalog.open(&survey_id).is_err() {
        return Err(AppError::UnknownSurvey(survey_id));
    }
    match rate_limit::check(&state, source).await {
        Ok(Decision::Allowed) => {}
        Ok(Decision::Limited { retry_after_secs }) => {
            return Ok(rate_limit::challenge_limited(retry_after_secs));
        }
        Err(e) => return Err(AppError::from_store(e, state.config.retry_after_secs)),
    }
    let key = PowKey::from_secret(&state.secret);
    let challenge = pow::issue(&key, state.config.pow, unix_now());
    let mut response = Json(challenge).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
