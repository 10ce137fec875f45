//! `POST /surveys/{id}/responses`: validate, strip, coarsen, store once, then answer.

use axum::Json;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use bytes::Bytes;
use canvass_core::i18n::negotiate;
use canvass_core::intake::{self, Accepted, Refused, Submission};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{LangQuery, accept_language};
use crate::{AppError, AppState, BODY_LIMIT, submission};

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

pub async fn submit(
    State(state): State<AppState>,
    Path(survey_id): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    match media_type(&headers).as_deref() {
        Some("application/json") => {}
        other => {
            return Err(AppError::UnsupportedMediaType(
                other.unwrap_or("no Content-Type").to_owned(),
            ));
        }
    }
    if !state.catalog.is_published(&survey_id) {
        return Err(AppError::UnknownSurvey(survey_id));
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
        Ok(Accepted::New) => Ok((StatusCode::CREATED, Json(json!({ "status": "accepted" })))),
        Ok(Accepted::Repeat) => Ok((StatusCode::OK, Json(json!({ "status": "accepted" })))),
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
        Refused::Conflict => AppError::SubmissionConflict,
        Refused::Store(e) => AppError::from_store(e, state.config.retry_after_secs),
    }
}
