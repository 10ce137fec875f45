//! `GET /reports`: the statistics page (HTML, or the catalogue as JSON when asked), and
//! `GET /reports/index.json`.

use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use canvass_core::i18n::negotiate;
use serde::Deserialize;

use crate::catalogue::{self, Catalogue, Download, EarlierRelease, ReleaseView};
use crate::strings::{self, LANGUAGES, Strings};
use crate::{PublishError, PublishState};

#[derive(Debug, Default, Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

struct Row {
    platform: String,
    share: String,
    interval: String,
    n: String,
    suppressed: bool,
    merged: bool,
    low_reliability: bool,
}

struct IndicatorView {
    id: String,
    label: String,
    chart: Option<String>,
    rows: Vec<Row>,
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

fn percent(x: f64) -> String {
    format!("{:.1}\u{a0}%", x * 100.0)
}

fn indicators(release: &ReleaseView) -> Vec<IndicatorView> {
    release
        .indicators
        .iter()
        .map(|i| IndicatorView {
            id: i.id.clone(),
            label: i.label.clone(),
            chart: i.chart.clone(),
            rows: i
                .rows
                .iter()
                .map(|r| Row {
                    platform: r.platform_label.clone(),
                    share: r.share.map(percent).unwrap_or_default(),
                    interval: match (r.ci_low, r.ci_high) {
                        (Some(lo), Some(hi)) => format!("{} – {}", percent(lo), percent(hi)),
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
    let available: Vec<String> = LANGUAGES.iter().map(|l| (*l).to_owned()).collect();
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let lang = negotiate(q.lang.as_deref(), accept, &available).to_owned();
    let catalogue = catalogue::build(&state.releases, Some(&lang)).await?;
    let t = strings::for_language(&lang);
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
        indicators: release.map(indicators).unwrap_or_default(),
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
