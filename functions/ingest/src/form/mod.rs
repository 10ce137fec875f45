//! The survey as an HTML form: `GET /s/{id}`, the thank-you page, and form posts to
//! `POST /surveys/{id}/responses` (see [`post`]). Plain HTML that works without JavaScript;
//! see docs/form.md for the design.

pub mod fields;
pub mod post;
pub mod text;
pub mod view;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use canvass_core::answers::{Answers, FieldErrors};
use canvass_core::catalog::Unavailable;
use canvass_core::form_input::FormValues;
use canvass_core::form_pages::Pages;
use canvass_core::i18n::{BUILT_IN_LANGUAGES, negotiate, regions};
use uuid::Uuid;

use self::fields::Mode;
use self::view::{FormState, NoticePage, Switch};
use crate::AppState;
use crate::routes::{LangQuery, accept_language};

/// A notice in `lang`: never kept by any cache, marked with its language.
pub fn html(status: StatusCode, lang: &str, body: Result<String, askama::Error>) -> Response {
    page_response(status, lang, body, "no-store")
}

/// A page of the form itself. `private` keeps it out of every shared cache (it carries a
/// submission id and the answers so far); `no-cache` makes the browser ask again on any
/// ordinary visit, so a new visit gets a new submission id. Not `no-store`: the browser may
/// keep the page for its own history, so the Back and Forward gestures show a part again,
/// with its answers, instead of "Confirm Form Resubmission" (docs/form.md, "Back and
/// Forward without JavaScript").
pub fn form_html(status: StatusCode, lang: &str, body: Result<String, askama::Error>) -> Response {
    page_response(status, lang, body, "private, no-cache")
}

fn page_response(
    status: StatusCode,
    lang: &str,
    body: Result<String, askama::Error>,
    cache_control: &'static str,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(error = %e, "a form template failed to render");
            return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
        }
    };
    let mut response = (status, Html(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    if let Ok(value) = HeaderValue::from_str(lang) {
        headers.insert(header::CONTENT_LANGUAGE, value);
    }
    response
}

/// A notice for a survey that does not exist, in the best built-in language.
pub fn not_found(explicit: Option<&str>, headers: &HeaderMap) -> Response {
    let languages: Vec<String> = BUILT_IN_LANGUAGES.map(String::from).to_vec();
    let lang = negotiate(explicit, accept_language(headers), &languages);
    let t = text::get(lang);
    let page = NoticePage::new(
        lang,
        t.not_found_title,
        vec![t.not_found_body],
        Switch {
            languages: Vec::new(),
            form: None,
        },
    );
    html(StatusCode::NOT_FOUND, lang, page.render())
}

/// A notice about a survey, with a link to start it again.
pub fn notice(
    status: StatusCode,
    survey_id: &str,
    languages: &[String],
    lang: &str,
    message: &str,
) -> Response {
    let t = text::get(lang);
    let mut page = NoticePage::new(
        lang,
        t.problem_title,
        vec![message],
        Switch::links(languages, lang, &format!("/s/{survey_id}")),
    );
    page.link = Some(view::Link {
        href: format!("/s/{survey_id}?lang={lang}"),
        text: t.start_again.to_owned(),
    });
    html(status, lang, page.render())
}

/// `GET /s/{survey_id}`: the first part of the survey, with a fresh submission id.
pub async fn page(
    State(app): State<AppState>,
    Path(survey_id): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let survey = match app.catalog.open(&survey_id) {
        Ok(survey) => survey,
        Err(Unavailable::Unknown) => return not_found(q.lang.as_deref(), &headers),
        Err(Unavailable::VersionNotOpen { .. }) => {
            let languages: Vec<String> = BUILT_IN_LANGUAGES.map(String::from).to_vec();
            let lang = negotiate(q.lang.as_deref(), accept_language(&headers), &languages);
            return notice(
                StatusCode::GONE,
                &survey_id,
                &[],
                lang,
                text::get(lang).survey_closed,
            );
        }
    };
    let lang = negotiate(
        q.lang.as_deref(),
        accept_language(&headers),
        &survey.languages,
    );
    let pages = Pages::of(survey);
    let submission_id = Uuid::new_v4().to_string();
    let state = FormState {
        survey,
        pages: &pages,
        lang,
        mode: Mode::Pages,
        page: 0,
        values: &FormValues::new(),
        carried: &Answers::new(),
        errors: &FieldErrors::new(),
        notices: Vec::new(),
        submission_id: &submission_id,
        after_post: false,
        likely_countries: &regions(accept_language(&headers)),
    };
    let mut page = state.page();
    // Only this first page reads the count: one item read per visit, none per post.
    if let Some(n) = crate::routes::progress::for_intro(&app, survey)
        .await
        .and_then(|p| p.shown())
    {
        page.answered = Some(
            text::get(lang)
                .answered(survey.wave)
                .replace("{n}", &canvass_core::progress::group_digits(n, lang)),
        );
    }
    form_html(StatusCode::OK, lang, page.render())
}

/// `GET /s/{survey_id}/thanks`: where a successful form post is sent on to.
pub async fn thanks(
    State(state): State<AppState>,
    Path(survey_id): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let Ok(survey) = state.catalog.open(&survey_id) else {
        return not_found(q.lang.as_deref(), &headers);
    };
    let lang = negotiate(
        q.lang.as_deref(),
        accept_language(&headers),
        &survey.languages,
    );
    let t = text::get(lang);
    let mut page = NoticePage::new(
        lang,
        t.thanks_title,
        vec![t.thanks_body, t.thanks_privacy],
        Switch::links(&survey.languages, lang, &format!("/s/{survey_id}/thanks")),
    );
    page.success = true;
    html(StatusCode::OK, lang, page.render())
}
