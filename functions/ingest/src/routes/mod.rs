pub mod challenge;
pub mod health;
pub mod progress;
pub mod responses;
pub mod surveys;

use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;
use serde::Deserialize;

use crate::AppError;

pub async fn not_found() -> AppError {
    AppError::NotFound
}

pub async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}

/// `?lang=es` picks the language explicitly; otherwise `Accept-Language` decides.
#[derive(Debug, Default, Deserialize)]
pub struct LangQuery {
    pub lang: Option<String>,
}

pub fn accept_language(headers: &HeaderMap) -> Option<&str> {
    headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok())
}
