//! Release files for download: right type and name, strong ETag, long caching for immutable
//! releases, 304 on a matching `If-None-Match`, and the whole package as a zip.

use std::io::Write;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use canvass_core::releases::{check_path, content_type};
use sha2::{Digest, Sha256};

use crate::catalogue::featured;
use crate::{PublishError, PublishState};

pub const PACKAGE_ZIP: &str = "package.zip";

#[derive(Clone, Copy)]
enum Caching {
    /// A release never changes: cache it for a year.
    Immutable,
    /// `latest` moves when a new release is published.
    Latest,
}

pub async fn latest(
    State(state): State<PublishState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PublishError> {
    let latest = state.releases.latest().await?;
    let survey = featured(&latest, state.featured_survey.as_deref())
        .ok_or(PublishError::NothingPublished)?;
    serve(&state, &survey.release_id, &file, &headers, Caching::Latest).await
}

pub async fn release(
    State(state): State<PublishState>,
    Path((release_id, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, PublishError> {
    serve(&state, &release_id, &file, &headers, Caching::Immutable).await
}

async fn serve(
    state: &PublishState,
    release_id: &str,
    file: &str,
    request: &HeaderMap,
    caching: Caching,
) -> Result<Response, PublishError> {
    check_path(release_id)?;
    check_path(file)?;
    let bytes = if file == PACKAGE_ZIP {
        package_zip(state, release_id).await?
    } else {
        state
            .releases
            .read(release_id, file)
            .await?
            .ok_or(PublishError::NotFound)?
    };
    let cache = match caching {
        Caching::Immutable => "public, max-age=31536000, immutable",
        Caching::Latest => "public, max-age=300",
    };
    let mut content = HeaderMap::new();
    content.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(file)),
    );
    let name = format!("{release_id}_{}", file.replace('/', "_"));
    let disposition = if file.ends_with(".svg") {
        "inline"
    } else {
        "attachment"
    };
    content.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("{disposition}; filename=\"{name}\""))
            .expect("checked names are ASCII"),
    );
    Ok(conditional(request, bytes, cache, content))
}

/// `bytes` with a strong ETag (their SHA-256) and `cache` as `Cache-Control`, or an empty
/// 304 when `If-None-Match` names that ETag; `content` (type, disposition) goes on the 200.
pub fn conditional(
    request: &HeaderMap,
    bytes: Vec<u8>,
    cache: &'static str,
    content: HeaderMap,
) -> Response {
    let etag = format!("\"{}\"", hex::encode(Sha256::digest(&bytes)));
    let mut headers = HeaderMap::new();
    headers.insert(
        header::ETAG,
        HeaderValue::from_str(&etag).expect("hex is a valid header"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    let matches = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim() == "*"
                || v.split(',')
                    .any(|tag| tag.trim().trim_start_matches("W/") == etag)
        });
    if matches {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    headers.extend(content);
    (StatusCode::OK, headers, Body::from(bytes)).into_response()
}

/// Every file listed in the release's `SHA256SUMS`, plus that file and `CITATION.cff`
/// (written after it), in one zip whose bytes depend only on the release (fixed timestamps,
/// listed order).
async fn package_zip(state: &PublishState, release_id: &str) -> Result<Vec<u8>, PublishError> {
    let sums = state
        .releases
        .read(release_id, "SHA256SUMS")
        .await?
        .ok_or(PublishError::NotFound)?;
    let sums_text = String::from_utf8(sums.clone()).map_err(|_| PublishError::Internal)?;
    let mut names: Vec<&str> = sums_text
        .lines()
        .filter_map(|l| l.split_once("  ").map(|(_, name)| name))
        .collect();
    names.push("SHA256SUMS");
    let citation = state.releases.read(release_id, "CITATION.cff").await?;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for name in names {
        let bytes = if name == "SHA256SUMS" {
            sums.clone()
        } else {
            state
                .releases
                .read(release_id, name)
                .await?
                .ok_or(PublishError::Internal)?
        };
        zip.start_file(format!("{release_id}/{name}"), options)
            .map_err(|_| PublishError::Internal)?;
        zip.write_all(&bytes).map_err(|_| PublishError::Internal)?;
    }
    // Releases written before citations existed have none.
    if let Some(bytes) = citation {
        zip.start_file(format!("{release_id}/CITATION.cff"), options)
            .map_err(|_| PublishError::Internal)?;
        zip.write_all(&bytes).map_err(|_| PublishError::Internal)?;
    }
    let cursor = zip.finish().map_err(|_| PublishError::Internal)?;
    Ok(cursor.into_inner())
}
