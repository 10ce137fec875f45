//! `GET /surveys/{id}/challenge`: a fresh proof-of-work challenge (ALTCHA shape).
//!
//! Issuing keeps no state: the expiry is inside the signed salt, and a challenge is only
//! recorded once it is redeemed with a response.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use canvass_core::pow::{self, PowKey};
use canvass_core::store::unix_now;

use crate::{AppError, AppState};

pub async fn issue(
    State(state): State<AppState>,
    Path(survey_id): Path<String>,
) -> Result<Response, AppError> {
    if state.catalog.open(&survey_id).is_err() {
        return Err(AppError::UnknownSurvey(survey_id));
    }
    let key = PowKey::from_secret(&state.secret);
    let challenge = pow::issue(&key, state.config.pow, unix_now());
    let mut response = Json(challenge).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
