//! `GET /surveys` and `GET /surveys/{id}`: the open surveys, localized.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use canvass_core::catalog::Unavailable;
use canvass_core::i18n::negotiate;
use canvass_core::survey::{Condition, Kind, Survey};
use serde::Serialize;

use super::{LangQuery, accept_language};
use crate::{AppError, AppState};

#[derive(Serialize)]
struct SurveySummary<'a> {
    id: &'a str,
    version: u32,
    title: &'a str,
    languages: &'a [String],
    definition: String,
    responses: String,
}

pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let surveys: Vec<SurveySummary<'_>> = state
        .catalog
        .open_surveys()
        .map(|s| {
            let lang = negotiate(q.lang.as_deref(), accept_language(&headers), &s.languages);
            SurveySummary {
                id: &s.id,
                version: s.version,
                title: s.title.get(lang),
                languages: &s.languages,
                definition: format!("/surveys/{}", s.id),
                responses: format!("/surveys/{}/responses", s.id),
            }
        })
        .collect();
    let mut response = Json(serde_json::json!({ "surveys": surveys })).into_response();
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    response
}

#[derive(Serialize)]
struct SurveyView<'a> {
    id: &'a str,
    version: u32,
    language: &'a str,
    languages: &'a [String],
    title: &'a str,
    intro: &'a str,
    questions: Vec<QuestionView<'a>>,
}

#[derive(Serialize)]
struct QuestionView<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    required: bool,
    label: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    show_if: Option<&'a Condition>,
    #[serde(skip_serializing_if = "Option::is_none")]
    options: Option<Vec<OptionView<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_choices: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    min: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    low_label: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    high_label: Option<&'a str>,
}

#[derive(Serialize)]
struct OptionView<'a> {
    id: &'a str,
    label: &'a str,
}

fn view<'a>(survey: &'a Survey, lang: &'a str) -> SurveyView<'a> {
    let questions = survey
        .questions
        .iter()
        .map(|q| {
            let options = q.kind.options();
            let mut v = QuestionView {
                id: &q.id,
                kind: q.kind.name(),
                required: q.required,
                label: q.label.get(lang),
                help: q.help.as_ref().map(|h| h.get(lang)),
                show_if: q.show_if.as_ref(),
                options: (!options.is_empty()).then(|| {
                    options
                        .iter()
                        .map(|o| OptionView {
                            id: &o.id,
                            label: o.label.get(lang),
                        })
                        .collect()
                }),
                max_choices: None,
                min: None,
                max: None,
                unit: None,
                low_label: None,
                high_label: None,
            };
            match &q.kind {
                Kind::MultipleChoice { max_choices, .. } => v.max_choices = *max_choices,
                Kind::Number { min, max, unit } => {
                    v.min = Some(*min);
                    v.max = Some(*max);
                    v.unit = Some(unit.get(lang)).filter(|u| !u.is_empty());
                }
                Kind::Likert {
                    low_label,
                    high_label,
                } => {
                    v.min = Some(canvass_core::survey::LIKERT_MIN);
                    v.max = Some(canvass_core::survey::LIKERT_MAX);
                    v.low_label = Some(low_label.get(lang));
                    v.high_label = Some(high_label.get(lang));
                }
                _ => {}
            }
            v
        })
        .collect();
    SurveyView {
        id: &survey.id,
        version: survey.version,
        language: lang,
        languages: &survey.languages,
        title: survey.title.get(lang),
        intro: survey.intro.get(lang),
        questions,
    }
}

pub async fn show(
    State(state): State<AppState>,
    Path(survey_id): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let survey = state.catalog.open(&survey_id).map_err(|e| match e {
        Unavailable::Unknown => AppError::UnknownSurvey(survey_id.clone()),
        Unavailable::VersionNotOpen { .. } => AppError::VersionNotOpen(format!(
            "survey `{survey_id}` is closed and takes no more responses"
        )),
    })?;
    let lang = negotiate(
        q.lang.as_deref(),
        accept_language(&headers),
        &survey.languages,
    );
    let mut response = Json(view(survey, lang)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    if let Ok(value) = HeaderValue::from_str(lang) {
        headers.insert(header::CONTENT_LANGUAGE, value);
    }
    Ok(response)
}
