//! Every way a request can fail, as JSON `{"error": code, "message": text}` with the right
//! status. Internal details are logged (without respondent data) and never sent.

use std::collections::BTreeMap;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use canvass_core::store::StoreError;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("there is no published survey `{0}`")]
    UnknownSurvey(String),
    #[error("nothing here: see GET /surveys for what this service offers")]
    NotFound,
    #[error("this method is not allowed here")]
    MethodNotAllowed,
    #[error("send the response as application/json (got {0})")]
    UnsupportedMediaType(String),
    #[error("the request body is over the {0}-byte limit")]
    PayloadTooLarge(usize),
    #[error("the request body is not a valid response: {0}")]
    Malformed(String),
    #[error("{0}")]
    VersionNotOpen(String),
    #[error(
        "submission_id must be a UUID version 4 chosen by the client, like 3f1c9a2e-8b4d-4c1e-9f6a-2d7e5b8c0a14"
    )]
    InvalidSubmissionId,
    #[error("{message}")]
    InvalidAnswers {
        message: String,
        fields: BTreeMap<String, String>,
    },
    #[error("storage is unavailable; nothing was stored, please retry")]
    StoreUnavailable { retry_after_secs: u32 },
    #[error("something went wrong on our side; nothing was stored, please retry")]
    Internal,
}

#[derive(Serialize)]
struct Body<'a> {
    error: &'a str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<&'a BTreeMap<String, String>>,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::UnknownSurvey(_) | AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Malformed(_) => StatusCode::BAD_REQUEST,
            AppError::VersionNotOpen(_) => StatusCode::CONFLICT,
            AppError::InvalidSubmissionId | AppError::InvalidAnswers { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::StoreUnavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::UnknownSurvey(_) => "unknown_survey",
            AppError::NotFound => "not_found",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::UnsupportedMediaType(_) => "unsupported_media_type",
            AppError::PayloadTooLarge(_) => "payload_too_large",
            AppError::Malformed(_) => "malformed_request",
            AppError::VersionNotOpen(_) => "version_not_open",
            AppError::InvalidSubmissionId => "invalid_submission_id",
            AppError::InvalidAnswers { .. } => "invalid_answers",
            AppError::StoreUnavailable { .. } => "storage_unavailable",
            AppError::Internal => "internal_error",
        }
    }

    /// Maps a store failure: transient ones become 503, the rest an opaque 500.
    pub fn from_store(e: StoreError, retry_after_secs: u32) -> AppError {
        match e {
            StoreError::Unavailable(detail) => {
                tracing::warn!(%detail, "store unavailable");
                AppError::StoreUnavailable { retry_after_secs }
            }
            StoreError::Failed(detail) => {
                tracing::error!(%detail, "store failed");
                AppError::Internal
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let fields = match &self {
            AppError::InvalidAnswers { fields, .. } => Some(fields),
            _ => None,
        };
        let body = Body {
            error: self.code(),
            message: self.to_string(),
            fields,
        };
        let mut response = (self.status(), Json(body)).into_response();
        if let AppError::StoreUnavailable { retry_after_secs } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
    }
}
