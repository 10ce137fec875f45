//! A form post to `POST /surveys/{id}/responses`: the next part, the form again with its
//! problems, or the stored response and the thank-you page.
//!
//! Every answer is checked by the same code as the JSON API (`form_pages` runs
//! `answers::validate` on the parts answered so far; `intake::submit` on the whole response).
//! Whatever happens, the answers sent come back in the form, so nothing typed is ever lost.

use std::net::IpAddr;

use askama::Template;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use canvass_core::answers::{Answers, FieldErrors};
use canvass_core::catalog::Unavailable;
use canvass_core::form_input;
use canvass_core::form_pages::Pages;
use canvass_core::i18n::{BUILT_IN_LANGUAGES, negotiate, regions};
use canvass_core::intake::{self, Refused, Submission};
use canvass_core::pow::{self, PowError, PowKey};
use canvass_core::ratelimit::Decision;
use canvass_core::store::{StoreError, unix_now};
use canvass_core::survey::Survey;
use serde_json::Value;
use std::collections::BTreeMap;
use uuid::Uuid;

use super::fields::{self, Go, Mode, Posted};
use super::text::{self, Text};
use super::view::FormState;
use super::{form_html, not_found, notice};
use crate::routes::accept_language;
use crate::{AppState, rate_limit};

/// The HTTP status for a refused proof of work.
pub fn pow_status(error: &PowError) -> StatusCode {
    match error {
        PowError::Malformed(_) | PowError::UnsupportedAlgorithm => StatusCode::BAD_REQUEST,
        PowError::BadSignature | PowError::WrongSolution | PowError::Expired => {
            StatusCode::FORBIDDEN
        }
    }
}

fn pow_message(t: &Text, error: &PowError) -> &'static str {
    match error {
        PowError::Expired => t.pow_expired,
        _ => t.pow_failed,
    }
}

/// One form post being answered.
struct Answering<'a> {
    state: &'a AppState,
    survey: &'a Survey,
    pages: Pages,
    lang: &'a str,
    mode: Mode,
    page: usize,
    posted: &'a Posted,
    raw: BTreeMap<String, Value>,
    submission_id: Uuid,
    /// For the rate limit's keyed hash only.
    source: Option<IpAddr>,
    likely_countries: Vec<String>,
}

impl Answering<'_> {
    /// The form at `page` (settled back to the first part with a problem, if an earlier part
    /// does not validate), with `errors` and `notices`.
    fn form(
        &self,
        status: StatusCode,
        page: usize,
        errors: &FieldErrors,
        notices: Vec<String>,
    ) -> Response {
        let (page, carried) = self.settle(page);
        let submission_id = self.submission_id.to_string();
        let view = FormState {
            survey: self.survey,
            pages: &self.pages,
            lang: self.lang,
            mode: self.mode,
            page,
            values: &self.posted.values,
            carried: &carried,
            errors,
            notices,
            submission_id: &submission_id,
            after_post: true,
            likely_countries: &self.likely_countries,
        };
        form_html(status, self.lang, view.page().render())
    }

    /// A page to show and the validated answers of the parts before it.
    fn settle(&self, page: usize) -> (usize, Answers) {
        if self.mode == Mode::One || page == 0 {
            return (0, Answers::new());
        }
        match self
            .pages
            .validate_through(self.survey, page - 1, &self.raw)
        {
            Ok(answers) => (page, answers),
            Err(errors) => {
                let first = self.first_page_with(&errors).unwrap_or(0).min(page - 1);
                self.settle(first)
            }
        }
    }

    fn first_page_with(&self, errors: &FieldErrors) -> Option<usize> {
        errors
            .keys()
            .filter_map(|id| self.pages.page_of(self.survey, id))
            .min()
    }

    /// The form again, on the first part with a problem.
    fn problems(&self, errors: &FieldErrors) -> Response {
        let page = match self.mode {
            Mode::One => 0,
            Mode::Pages => self.first_page_with(errors).unwrap_or(self.page),
        };
        self.form(StatusCode::UNPROCESSABLE_ENTITY, page, errors, Vec::new())
    }

    /// The form as it was sent, with one message above it.
    fn with_notice(&self, status: StatusCode, message: impl Into<String>) -> Response {
        self.form(status, self.page, &FieldErrors::new(), vec![message.into()])
    }

    fn store_failed(&self, error: StoreError) -> Response {
        let t = text::get(self.lang);
        match error {
            StoreError::Unavailable(detail) => {
                tracing::warn!(%detail, "store unavailable");
                let secs = self.state.config.retry_after_secs;
                let mut response =
                    self.with_notice(StatusCode::SERVICE_UNAVAILABLE, t.store_unavailable);
                rate_limit::retry_after(&mut response, secs);
                response
            }
            StoreError::Failed(detail) => {
                tracing::error!(%detail, "store failed");
                self.with_notice(StatusCode::INTERNAL_SERVER_ERROR, t.internal_error)
            }
        }
    }

    async fn next(&self) -> Response {
        if self.mode == Mode::Pages {
            match self
                .pages
                .validate_through(self.survey, self.page, &self.raw)
            {
                Err(errors) => return self.problems(&errors),
                Ok(answers) => {
                    if let Some(next) = self.pages.next(self.survey, self.page, &answers) {
                        return self.form(StatusCode::OK, next, &FieldErrors::new(), Vec::new());
                    }
                }
            }
        }
        self.send().await
    }

    /// The whole response: validated, proof of work redeemed, stored once.
    async fn send(&self) -> Response {
        let state = self.state;
        let t = text::get(self.lang);
        let mut submission = Submission {
            submission_id: self.submission_id,
            survey_version: self.survey.version,
            answers: self.raw.clone(),
            pow_verified: false,
        };
        let now = (state.clock)();
        if let Err(refused) = intake::prepare(
            &state.catalog,
            &state.secret,
            &self.survey.id,
            &submission,
            now,
        ) {
            return self.refused(refused);
        }
        if let Some(response) = self.over_limit().await {
            return response;
        }
        if let Some(payload) = &self.posted.pow {
            let key = PowKey::from_secret(&state.secret);
            let verified = match pow::verify(&key, payload, unix_now()) {
                Ok(verified) => verified,
                Err(e) => return self.with_notice(pow_status(&e), pow_message(t, &e)),
            };
            // A challenge used before verifies nothing, and says so to nobody: see `redeem`.
            match pow::redeem(state.control.as_ref(), &verified).await {
                Ok(fresh) => submission.pow_verified = fresh,
                Err(e) => return self.store_failed(e),
            }
        }
        match intake::submit(
            &state.catalog,
            state.responses.as_ref(),
            &state.secret,
            &self.survey.id,
            &submission,
            now,
        )
        .await
        {
            Ok(_) => {
                let location = format!("/s/{}/thanks?lang={}", self.survey.id, self.lang);
                let mut response = StatusCode::SEE_OTHER.into_response();
                if let Ok(value) = HeaderValue::from_str(&location) {
                    response.headers_mut().insert(header::LOCATION, value);
                }
                response
            }
            Err(refused) => self.refused(refused),
        }
    }

    /// Counts a response about to be stored against its source: the one step of the form a
    /// script would repeat. Continue, Back and the language switch store nothing and cost
    /// nothing, nor does a send with problems (it is shown again, with them).
    async fn over_limit(&self) -> Option<Response> {
        match rate_limit::check(self.state, self.source).await {
            Ok(Decision::Allowed) => None,
            Ok(Decision::Limited { retry_after_secs }) => {
                let t = text::get(self.lang);
                let minutes = retry_after_secs.div_ceil(60).to_string();
                let mut response = self.with_notice(
                    StatusCode::TOO_MANY_REQUESTS,
                    t.rate_limited.replace("{minutes}", &minutes),
                );
                rate_limit::retry_after(&mut response, retry_after_secs);
                Some(response)
            }
            Err(e) => Some(self.store_failed(e)),
        }
    }

    fn refused(&self, refused: Refused) -> Response {
        let t = text::get(self.lang);
        let start_again = |status, message| {
            notice(
                status,
                &self.survey.id,
                &self.survey.languages,
                self.lang,
                message,
            )
        };
        match refused {
            Refused::InvalidAnswers { errors, .. } => self.problems(&errors),
            Refused::UnknownSurvey | Refused::VersionNotOpen { open: None } => {
                start_again(StatusCode::GONE, t.survey_closed)
            }
            Refused::VersionNotOpen { open: Some(_) } => {
                start_again(StatusCode::CONFLICT, t.survey_changed)
            }
            Refused::Store(e) => self.store_failed(e),
        }
    }
}

/// Answers a form post. `source` is used for the rate limit's keyed hash only, and only
/// when a response is about to be stored.
pub async fn submit(
    state: &AppState,
    survey_id: &str,
    query_lang: Option<&str>,
    headers: &HeaderMap,
    source: Option<IpAddr>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let posted = match &body {
        Ok(bytes) => fields::parse(bytes),
        Err(_) => Posted::default(),
    };
    let explicit = posted.lang.as_deref().or(query_lang);
    let survey = match state.catalog.open(survey_id) {
        Ok(survey) => survey,
        Err(Unavailable::Unknown) => return not_found(explicit, headers),
        Err(Unavailable::VersionNotOpen { .. }) => {
            let languages: Vec<String> = BUILT_IN_LANGUAGES.map(String::from).to_vec();
            let lang = negotiate(explicit, accept_language(headers), &languages);
            return notice(
                StatusCode::GONE,
                survey_id,
                &[],
                lang,
                text::get(lang).survey_closed,
            );
        }
    };
    let lang = negotiate(explicit, accept_language(headers), &survey.languages);
    let t = text::get(lang);
    let unreadable = |status| {
        notice(
            status,
            survey_id,
            &survey.languages,
            lang,
            t.form_unreadable,
        )
    };
    if let Err(rejection) = &body {
        return unreadable(rejection.status());
    }
    let pages = Pages::of(survey);
    let version_ok = posted.version.as_deref() == Some(survey.version.to_string().as_str());
    if posted.version.is_some() && !version_ok {
        return notice(
            StatusCode::CONFLICT,
            survey_id,
            &survey.languages,
            lang,
            t.survey_changed,
        );
    }
    let submission_id = posted
        .submission
        .as_deref()
        .and_then(|s| Uuid::parse_str(s).ok())
        .filter(|id| id.get_version_num() == 4);
    let page = match posted.page.as_deref() {
        None => Some(0),
        Some(p) => p.parse::<usize>().ok().filter(|p| *p < pages.len()),
    };
    let (Some(submission_id), Some(page), true) = (submission_id, page, version_ok) else {
        return unreadable(StatusCode::BAD_REQUEST);
    };
    let answering = Answering {
        state,
        survey,
        raw: form_input::raw_answers(survey, &posted.values),
        pages,
        lang,
        mode: posted.mode(),
        page,
        posted: &posted,
        submission_id,
        source,
        likely_countries: regions(accept_language(headers)),
    };
    if !posted.unexpected.is_empty() {
        let names: Vec<String> = posted
            .unexpected
            .iter()
            .map(|n| format!("«{}»", n.chars().take(40).collect::<String>()))
            .collect();
        return answering.with_notice(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("{}: {}", t.unexpected_field, names.join(", ")),
        );
    }
    if !posted.honeypot.is_empty() {
        return answering.with_notice(StatusCode::UNPROCESSABLE_ENTITY, t.honeypot_filled);
    }
    match posted.go() {
        Go::Stay => answering.form(StatusCode::OK, page, &FieldErrors::new(), Vec::new()),
        Go::Back => {
            let back = match page.checked_sub(1) {
                None => 0,
                Some(before) => answering
                    .pages
                    .validate_through(survey, before, &answering.raw)
                    .ok()
                    .and_then(|answers| answering.pages.previous(survey, page, &answers))
                    .unwrap_or(0),
            };
            answering.form(StatusCode::OK, back, &FieldErrors::new(), Vec::new())
        }
        Go::Next => answering.next().await,
    }
}
