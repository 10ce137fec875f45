//! `GET /reports`: the statistics page (HTML, or the catalogue as JSON when asked), and
//! `GET /reports/index.json`.

use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use canvass_core::i18n::negotiate;
use serde::Deserialize;

use crate::base::public_base;
use crate::catalogue::{self, Catalogue, Download, EarlierRelease, ReleaseView};
use crate::strings::{self, LANGUAGES, Strings};
use crate::{PublishError, PublishState};

#[derive(Debug, Default, Deserialize)]
pub struct LangQuery {
    pub lang: Option<String>,
}

pub struct Row {
    pub platform: String,
    pub share: String,
    pub interval: String,
    pub n: String,
    pub suppressed: bool,
    pub merged: bool,
    pub low_reliability: bool,
}

pub struct IndicatorView {
    pub id: String,
    pub label: String,
    pub chart: Option<String>,
    pub rows: Vec<Row>,
    /// The `<iframe>` of this indicator's embed page, as text to copy.
    pub embed: String,
}

struct LanguageLink {
    code: &'static str,
    name: &'static str,
    current: bool,
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage<'a> {
    t: &'static Strings,
    languages: Vec<LanguageLink>,
    release: Option<&'a ReleaseView>,
    indicators: Vec<IndicatorView>,
    downloads: Vec<&'a Download>,
    earlier: Vec<&'a EarlierRelease>,
}

fn percent(t: &Strings, x: f64) -> String {
    format!("{}\u{a0}%", t.decimal(x * 100.0))
}

/// `text` safe inside a double-quoted HTML attribute of someone else's page (the snippet is
/// pasted as it is; the template escapes it once more to show it).
fn attribute(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The release's indicators as the page and the embed page show them; `base` is the site's
/// origin, for the snippet pasted elsewhere (`base::public_base`).
pub fn indicators(release: &ReleaseView, t: &Strings, base: &str) -> Vec<IndicatorView> {
    release
        .indicators
        .iter()
        .map(|i| IndicatorView {
            id: i.id.clone(),
            label: i.label.clone(),
            chart: i.chart.clone(),
            embed: format!(
                "<iframe src=\"{src}\" title=\"{title}\" width=\"640\" height=\"820\" loading=\"lazy\"></iframe>",
                src = attribute(&format!("{base}{}", embed_url(&release.release_id, &i.id))),
                title = attribute(&i.label),
            ),
            rows: i
                .rows
                .iter()
                .map(|r| Row {
                    platform: r.platform_label.clone(),
                    share: r.share.map(|x| percent(t, x)).unwrap_or_default(),
                    interval: match (r.ci_low, r.ci_high) {
                        (Some(lo), Some(hi)) => format!("{} – {}", percent(t, lo), percent(t, hi)),
                        _ => String::new(),
                    },
                    n: r.n.map(|n| n.to_string()).unwrap_or_else(|| "—".into()),
                    suppressed: r.share.is_none(),
                    merged: r.status == "merged",
                    low_reliability: r.status == "low_reliability",
                })
                .collect(),
        })
        .collect()
}

pub fn embed_url(release_id: &str, indicator: &str) -> String {
    format!("/reports/{release_id}/embed/{indicator}")
}

/// `?lang=` if it is one of the page's languages, else the best of `Accept-Language`.
pub fn language(q: &LangQuery, headers: &HeaderMap) -> &'static str {
    let available: Vec<String> = LANGUAGES.iter().map(|l| (*l).to_owned()).collect();
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let lang = negotiate(q.lang.as_deref(), accept, &available);
    strings::for_language(lang).lang
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json") && !accept.contains("text/html"))
}

pub async fn reports(
    State(state): State<PublishState>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, PublishError> {
    if wants_json(&headers) {
        return Ok(json(
            catalogue::build(&state.releases, q.lang.as_deref()).await?,
        ));
    }
    let lang = language(&q, &headers);
    let catalogue = catalogue::build(&state.releases, Some(lang)).await?;
    let t = strings::for_language(lang);
    let featured = state
        .featured_survey
        .as_deref()
        .and_then(|id| catalogue.surveys.iter().find(|s| s.survey_id == id))
        .or_else(|| catalogue.surveys.first());
    let release = featured.map(|s| &s.latest);
    let page = ReportsPage {
        t,
        languages: LANGUAGES
            .iter()
            .zip(["English", "Español", "Français"])
            .map(|(code, name)| LanguageLink {
                code,
                name,
                current: *code == lang,
            })
            .collect(),
        indicators: release
            .map(|r| indicators(r, t, &public_base(state.public_url.as_deref(), &headers)))
            .unwrap_or_default(),
        downloads: release
            .map(|r| r.downloads.iter().collect())
            .unwrap_or_default(),
        earlier: featured
            .map(|s| s.releases.iter().collect())
            .unwrap_or_default(),
        release,
    };
    let html = page.render().map_err(|_| PublishError::Internal)?;
    let mut response = (StatusCode::OK, Html(html)).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    h.insert(
        header::VARY,
        HeaderValue::from_static("Accept, Accept-Language"),
    );
    h.insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(t.lang));
    Ok(response)
}

/// The catalogue as JSON; `?lang=es` gives labels and charts in that language.
pub async fn index_json(
    State(state): State<PublishState>,
    Query(q): Query<LangQuery>,
) -> Result<Response, PublishError> {
    Ok(json(
        catalogue::build(&state.releases, q.lang.as_deref()).await?,
    ))
}

fn json(catalogue: Catalogue) -> Response {
    let mut response = Json(catalogue).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/reports.css"),
    )
        .into_response()
}
