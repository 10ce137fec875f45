//! `GET /surveys/{id}/progress`: the open wave's response total, rounded down to a multiple
//! of 10 and refreshed at most hourly, as JSON for the coalition's own site; and the same
//! number for the form's intro page. A total only: no route gives any breakdown of it.

use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use canvass_core::catalog::Unavailable;
use canvass_core::progress::{self, Progress};
use canvass_core::survey::Survey;

use crate::{AppError, AppState};

/// How long the form page waits for the count before it renders without it: the form
/// matters, the count does not.
const INTRO_WAIT: Duration = Duration::from_millis(800);

pub async fn show(
    State(state): State<AppState>,
    Path(survey_id): Path<String>,
) -> Result<Response, AppError> {
    let survey = state.catalog.open(&survey_id).map_err(|e| match e {
        Unavailable::Unknown => AppError::UnknownSurvey(survey_id.clone()),
        Unavailable::VersionNotOpen { .. } => AppError::VersionNotOpen(format!(
            "survey `{survey_id}` is closed: it has no open wave to count"
        )),
    })?;
    let now = (state.clock)();
    let progress = progress::current(state.progress.as_ref(), &survey.id, survey.wave, now)
        .await
        .map_err(|e| AppError::from_store(e, state.config.retry_after_secs))?;
    let max_age = progress.max_age_secs(now);
    let mut response = Json(&progress).into_response();
    let headers = response.headers_mut();
    // Every reader sees the same number until the next hour, so any cache may keep it
    // until then, and any site may show it.
    if let Ok(value) = HeaderValue::from_str(&format!("public, max-age={max_age}")) {
        headers.insert(header::CACHE_CONTROL, value);
    }
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    Ok(response)
}

/// The count for the intro page of `survey`, or `None` (shown as nothing) when the store
/// does not answer in time or fails: the form never waits long or breaks for it.
pub async fn for_intro(state: &AppState, survey: &Survey) -> Option<Progress> {
    let now = (state.clock)();
    let read = progress::current(state.progress.as_ref(), &survey.id, survey.wave, now);
    match tokio::time::timeout(INTRO_WAIT, read).await {
        Ok(Ok(progress)) => Some(progress),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "the progress count could not be read; the form shows none");
            None
        }
        Err(_) => {
            tracing::warn!("the progress count took too long; the form shows none");
            None
        }
    }
}
