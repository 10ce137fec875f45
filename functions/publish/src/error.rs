//! Failures of the publish Router as JSON `{"error", "message"}`, never with internals.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use canvass_core::releases::ReleaseError;

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("no such file: see /reports for what is published")]
    NotFound,
    #[error("nothing has been published yet")]
    NothingPublished,
    #[error("release storage is unavailable; please retry shortly")]
    Unavailable,
    #[error("something went wrong on our side")]
    Internal,
}

impl From<ReleaseError> for PublishError {
    fn from(e: ReleaseError) -> PublishError {
        match e {
            ReleaseError::BadPath(_) => PublishError::NotFound,
            ReleaseError::Unavailable(detail) => {
                tracing::warn!(%detail, "release store unavailable");
                PublishError::Unavailable
            }
            other => {
                tracing::error!(error = %other, "release store failed");
                PublishError::Internal
            }
        }
    }
}

impl IntoResponse for PublishError {
    fn into_response(self) -> Response {
        let (status, code) = match self {
            PublishError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            PublishError::NothingPublished => (StatusCode::NOT_FOUND, "nothing_published"),
            PublishError::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "storage_unavailable"),
            PublishError::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "internal_error"),
        };
        let mut response = (
            status,
            Json(serde_json::json!({ "error": code, "message": self.to_string() })),
        )
            .into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        response
    }
}
