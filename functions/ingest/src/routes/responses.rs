//! `POST /surveys/{id}/responses`: validate, strip, coarsen, store once, then answer.

use std::net::IpAddr;

use axum::Json;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use canvass_core::i18n::negotiate;
use canvass_core::intake::{self, Accepted, Refused, Submission};
use canvass_core::ratelimit::Decision;
use serde_json::json;
use uuid::Uuid;

use super::{LangQuery, accept_language};
use crate::client_ip::ClientIp;
use crate::{AppError, AppState, BODY_LIMIT, form, rate_limit, submission};

fn media_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(
        value
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase(),
    )
}

/// JSON clients get JSON; HTML forms (`application/x-www-form-urlencoded`) get pages.
pub async fn submit(
    State(state): State<AppState>,
    Path(survey_id): Path<String>,
    Query(q): Query<LangQuery>,
    ClientIp(source): ClientIp,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    match media_type(&headers).as_deref() {
        Some("application/json") => {
            match submit_json(state, survey_id, q, source, headers, body).await {
                Ok(response) => response,
                Err(e) => e.into_response(),
            }
        }
        Some("application/x-www-form-urlencoded") => {
            form::post::submit(
                &state,
                &survey_id,
                q.lang.as_deref(),
                &headers,
                source,
                body,
            )
            .await
        }
        other => AppError::UnsupportedMediaType(other.unwrap_or("no Content-Type").to_owned())
            .into_response(),
    }
}

async fn submit_json(
    state: AppState,
    survey_id: String,
    q: LangQuery,
    source: Option<IpAddr>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    if !state.catalog.is_published(&survey_id) {
        return Err(AppError::UnknownSurvey(survey_id));
    }
    match rate_limit::check(&state, source).await {
        Ok(Decision::Allowed) => {}
        Ok(Decision::Limited { retry_after_secs }) => {
            return Ok(rate_limit::json_limited(retry_after_secs));
        }
        Err(e) => return Err(AppError::from_store(e, state.config.retry_after_secs)),
    }
    let body = body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge(BODY_LIMIT),
        _ => AppError::Malformed(rejection.body_text()),
    })?;
    let parsed = submission::parse(&body).map_err(AppError::Malformed)?;
    let submission_id = Uuid::parse_str(&parsed.submission_id)
        .ok()
        .filter(|id| id.get_version_num() == 4)
        .ok_or(AppError::InvalidSubmissionId)?;
    let submission = Submission {
        submission_id,
        survey_version: parsed.survey_version,
        answers: parsed.answers.0,
        pow_verified: false,
    };
    let now = (state.clock)();
    match intake::submit(
        &state.catalog,
        state.responses.as_ref(),
        &state.secret,
        &survey_id,
        &submission,
        now,
    )
    .await
    {
        // The same reply for a first send and for any later one under the same submission
        // id, whatever it carries: no answer oracle (`intake::Accepted`).
        Ok(Accepted) => {
            Ok((StatusCode::CREATED, Json(json!({ "status": "accepted" }))).into_response())
        }
        Err(refused) => Err(refusal(&state, &survey_id, &q, &headers, refused)),
    }
}

fn refusal(
    state: &AppState,
    survey_id: &str,
    q: &LangQuery,
    headers: &HeaderMap,
    refused: Refused,
) -> AppError {
    match refused {
        Refused::UnknownSurvey => AppError::UnknownSurvey(survey_id.to_owned()),
        Refused::VersionNotOpen { open: Some(open) } => AppError::VersionNotOpen(format!(
            "survey `{survey_id}` takes responses to version {open} only; reload the survey and answer again"
        )),
        Refused::VersionNotOpen { open: None } => AppError::VersionNotOpen(format!(
            "survey `{survey_id}` is closed and takes no more responses"
        )),
        Refused::InvalidAnswers { survey, errors } => {
            let lang = negotiate(
                q.lang.as_deref(),
                accept_language(headers),
                &survey.languages,
            );
            let fields = errors
                .iter()
                .map(|(question, invalid)| (question.clone(), invalid.message(&survey, lang)))
                .collect();
            let ids: Vec<&str> = errors.keys().map(String::as_str).collect();
            AppError::InvalidAnswers {
                message: format!("some answers need attention: {}", ids.join(", ")),
                fields,
            }
        }
        Refused::Store(e) => AppError::from_store(e, state.config.retry_after_secs),
    }
}
