//! `GET /reports/{release_id}/embed/{indicator}` and `/reports/latest/embed/{indicator}`: one
//! indicator's chart, its numbers as a table (the chart's text alternative) and the release's
//! citation, on a small page that any site may frame (the only such route: see
//! `security::framable_headers`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::base::public_base;
use crate::catalogue::{self, ReleaseView, featured};
use crate::page::{IndicatorView, LangQuery, indicators, language};
use crate::strings::{self, Strings};
use crate::{PublishError, PublishState};

#[derive(Template)]
#[template(path = "embed.html")]
struct EmbedPage<'a> {
    t: &'static Strings,
    release: &'a ReleaseView,
    ind: &'a IndicatorView,
    citation: String,
    any_suppressed: bool,
}

pub async fn release(
    State(state): State<PublishState>,
    Path((release_id, indicator)): Path<(String, String)>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, PublishError> {
    page(&state, &release_id, &indicator, &q, &headers).await
}

/// The featured survey's newest release: an embed that follows new releases.
pub async fn latest(
    State(state): State<PublishState>,
    Path(indicator): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, PublishError> {
    let latest = state.releases.latest().await?;
    let release_id = featured(&latest, state.featured_survey.as_deref())
        .ok_or(PublishError::NothingPublished)?
        .release_id
        .clone();
    page(&state, &release_id, &indicator, &q, &headers).await
}

async fn page(
    state: &PublishState,
    release_id: &str,
    indicator: &str,
    q: &LangQuery,
    headers: &HeaderMap,
) -> Result<Response, PublishError> {
    let lang = language(q, headers);
    let t = strings::for_language(lang);
    let release = catalogue::release(&state.releases, release_id, lang)
        .await?
        .ok_or(PublishError::NotFound)?;
    let views = indicators(
        &release,
        t,
        &public_base(state.public_url.as_deref(), headers),
    );
    let ind = views
        .iter()
        .find(|i| i.id == indicator)
        .ok_or(PublishError::NotFound)?;
    let citation = release.citation.as_ref().map_or_else(
        // Releases written before citations existed: what the page says for them.
        || {
            format!(
                "{}, release {}. {}",
                release.title, release.release_id, release.license
            )
        },
        |c| c.text.clone(),
    );
    let html = EmbedPage {
        t,
        release: &release,
        ind,
        citation,
        any_suppressed: ind.rows.iter().any(|r| r.suppressed),
    }
    .render()
    .map_err(|_| PublishError::Internal)?;
    let mut response = (StatusCode::OK, Html(html)).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    h.insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    h.insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(t.lang));
    Ok(response)
}
