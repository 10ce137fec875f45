//! Failures of the publish Router as JSON `{"error", "message"}`, never with internals. The
//! internal detail rides in the response's extensions to `log_failures`, which logs it and
//! says when to retry: conversions only convert.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use canvass_core::releases::ReleaseError;

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("no such file: see /reports for what is published")]
    NotFound,
    #[error("nothing has been published yet")]
    NothingPublished,
    /// The release store did not answer; the detail is for the log only.
    #[error("release storage is unavailable; please retry shortly")]
    Unavailable(String),
    /// The release store failed otherwise; the detail is for the log only.
    #[error("something went wrong on our side")]
    StoreFailed(String),
    #[error("something went wrong on our side")]
    Internal,
}

impl From<ReleaseError> for PublishError {
    fn from(e: ReleaseError) -> PublishError {
        match e {
            ReleaseError::BadPath(_) => PublishError::NotFound,
            ReleaseError::Unavailable(detail) => PublishError::Unavailable(detail),
            other => PublishError::StoreFailed(other.to_string()),
        }
    }
}

/// What went wrong inside, for the log (`log_failures`), never for the client.
#[derive(Debug, Clone)]
struct Failure(String);

impl IntoResponse for PublishError {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            PublishError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            PublishError::NothingPublished => (StatusCode::NOT_FOUND, "nothing_published"),
            PublishError::Unavailable(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, "storage_unavailable")
            }
            PublishError::StoreFailed(_) | PublishError::Internal => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal_error")
            }
        };
        let mut response = (
            status,
            Json(serde_json::json!({ "error": code, "message": self.to_string() })),
        )
            .into_response();
        if let PublishError::Unavailable(detail) | PublishError::StoreFailed(detail) = self {
            response.extensions_mut().insert(Failure(detail));
        }
        response
    }
}

/// Logs a failure's detail once, where every route's response passes, and tells the client
/// when to come back from a 503 (`retry_after_secs`, the operator's setting).
pub async fn log_failures(State(retry_after_secs): State<u32>, mut response: Response) -> Response {
    let status = response.status();
    if let Some(Failure(detail)) = response.extensions_mut().remove::<Failure>() {
        if status == StatusCode::SERVICE_UNAVAILABLE {
            tracing::warn!(%detail, "release store unavailable");
        } else {
            tracing::error!(error = %detail, "release store failed");
        }
    }
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
    }
    response
}
