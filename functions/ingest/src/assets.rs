//! The form's stylesheet and scripts, compiled into the binary and served as files (a strict
//! Content-Security-Policy allows no inline code). Each URL carries a hash of the content, so
//! browsers may cache a file for a year and a new release is fetched at once.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::AppError;

struct Asset {
    url: String,
    content_type: &'static str,
    body: &'static [u8],
}

impl Asset {
    fn new(stem: &str, extension: &str, content_type: &'static str, body: &'static str) -> Asset {
        let hash = hex::encode(&Sha256::digest(body.as_bytes())[..6]);
        Asset {
            url: format!("/static/{stem}.{hash}.{extension}"),
            content_type,
            body: body.as_bytes(),
        }
    }
}

struct All {
    css: Asset,
    js: Asset,
    worker: Asset,
}

static ALL: LazyLock<All> = LazyLock::new(|| All {
    css: Asset::new(
        "form",
        "css",
        "text/css; charset=utf-8",
        include_str!("../static/form.css"),
    ),
    js: Asset::new(
        "form",
        "js",
        "text/javascript; charset=utf-8",
        include_str!("../static/form.js"),
    ),
    worker: Asset::new(
        "pow-worker",
        "js",
        "text/javascript; charset=utf-8",
        include_str!("../static/pow-worker.js"),
    ),
});

/// The URLs templates link to.
#[derive(Debug, Clone, Copy)]
pub struct Urls {
    pub css: &'static str,
    pub js: &'static str,
    pub worker: &'static str,
}

pub fn urls() -> Urls {
    let all = &*ALL;
    Urls {
        css: &all.css.url,
        js: &all.js.url,
        worker: &all.worker.url,
    }
}

/// `GET /static/{file}`: only the current, hashed names exist.
pub async fn serve(Path(file): Path<String>) -> Result<Response, AppError> {
    let all = &*ALL;
    let asset = [&all.css, &all.js, &all.worker]
        .into_iter()
        .find(|a| a.url.strip_prefix("/static/") == Some(file.as_str()))
        .ok_or(AppError::NotFound)?;
    let mut response = (StatusCode::OK, asset.body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    Ok(response)
}
