//! A form post to `POST /surveys/{id}/responses` (`application/x-www-form-urlencoded`).

use canvass_core::form_input;
use canvass_core::survey::Kind;
use canvass_ingest::BODY_LIMIT;
use canvass_ingest::parsers::{self, Posted};
use serde_json::Value;

use crate::fixtures::surveys;
use crate::responses;

/// The form's own fields, each read once (the first non-blank value wins).
const MACHINERY: [&str; 7] = [
    "_submission",
    "_version",
    "_page",
    "_mode",
    "_lang",
    "_pow",
    "_go",
];

fn own_fields(posted: &Posted) -> [&Option<String>; 7] {
    [
        &posted.submission,
        &posted.version,
        &posted.page,
        &posted.mode,
        &posted.lang,
        &posted.pow,
        &posted.go,
    ]
}

/// `posted` written back as a form body.
fn encode(posted: &Posted) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (name, value) in MACHINERY.iter().zip(own_fields(posted)) {
        if let Some(value) = value {
            form.append_pair(name, value);
        }
    }
    if !posted.honeypot.is_empty() {
        form.append_pair("_website", &posted.honeypot);
    }
    for name in &posted.unexpected {
        form.append_pair(name, "");
    }
    for (name, values) in &posted.values {
        for value in values {
            form.append_pair(name, value);
        }
    }
    form.finish()
}

/// Reads `data` as the form's field parser does, shapes the answers for each fixture survey
/// and validates them, whole and page by page.
///
/// Asserts that:
/// - answers never include the form's own `_…` fields or blank values, and every `_…` name
///   the form does not send is reported as unexpected;
/// - what was read, written back as a form body, reads the same (fields, answers, honeypot,
///   unexpected names);
/// - `form_input::raw_answers` gives one raw answer per field: a list for a multiple choice
///   question, a JSON number for a whole number sent to a number or Likert question, a list
///   when a single-answer question got several values, the text otherwise;
/// - validation holds the invariants of [`responses::validate_and_check`], and the form's
///   pages agree with whole validation ([`responses::pages_agree`]).
pub fn form_body(data: &[u8]) {
    if data.len() > BODY_LIMIT {
        return;
    }
    let posted = parsers::form(data);
    for (name, values) in &posted.values {
        assert!(
            !name.starts_with('_'),
            "the form's own field `{name}` was taken as an answer"
        );
        assert!(!values.is_empty(), "`{name}` has no values");
        assert!(
            values.iter().all(|v| !v.trim().is_empty()),
            "`{name}` kept a blank value"
        );
    }
    for name in &posted.unexpected {
        assert!(
            name.starts_with('_') && !MACHINERY.contains(&name.as_str()) && name != "_website",
            "`{name}` is not an unexpected field"
        );
    }
    for (name, value) in MACHINERY.iter().zip(own_fields(&posted)) {
        assert!(
            value.as_ref().is_none_or(|v| !v.trim().is_empty()),
            "`{name}` kept a blank value"
        );
    }

    let again = parsers::form(encode(&posted).as_bytes());
    assert_eq!(again.values, posted.values, "answers read back differently");
    assert_eq!(
        own_fields(&again),
        own_fields(&posted),
        "the form's fields read back differently"
    );
    assert_eq!(again.honeypot, posted.honeypot);
    assert_eq!(again.unexpected, posted.unexpected);

    for fixture in surveys() {
        let survey = &fixture.survey;
        let raw = form_input::raw_answers(survey, &posted.values);
        assert!(
            raw.keys().eq(posted.values.keys()),
            "raw answers are not one per field"
        );
        for (name, values) in &posted.values {
            let value = &raw[name];
            let kind = survey.question(name).map(|q| &q.kind);
            match (kind, values.as_slice()) {
                (Some(Kind::MultipleChoice { .. }), _) => {
                    let expected: Vec<Value> = values.iter().cloned().map(Value::String).collect();
                    assert_eq!(
                        value,
                        &Value::Array(expected),
                        "`{name}`: choices not kept as a list"
                    );
                }
                (_, [_, _, ..]) => assert!(
                    value.as_array().is_some_and(|a| a.len() == values.len()),
                    "`{name}`: several values not kept as a list of them: {value}"
                ),
                (Some(Kind::Likert { .. } | Kind::Number { .. }), [text]) => {
                    if let Ok(n) = text.trim().parse::<i64>() {
                        assert_eq!(
                            value,
                            &Value::from(n),
                            "`{name}`: the whole number {text:?}"
                        );
                    } else {
                        assert!(
                            value.is_u64() || value == &Value::String(text.clone()),
                            "`{name}`: {text:?} became {value}"
                        );
                    }
                }
                (_, [text]) => {
                    assert_eq!(
                        value,
                        &Value::String(text.clone()),
                        "`{name}`: text changed"
                    );
                }
                (_, []) => unreachable!("checked above: every field has a value"),
            }
        }
        let whole = responses::validate_and_check(survey, &raw);
        responses::pages_agree(survey, &raw, &whole);
    }
}
