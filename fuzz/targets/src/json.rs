//! The JSON body of `POST /surveys/{id}/responses`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use canvass_core::intake::{self, Refused, Submission};
use canvass_ingest::BODY_LIMIT;
use canvass_ingest::parsers;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use uuid::Uuid;

use crate::fixtures::{STAND_IN_ID, now, secret, surveys};
use crate::responses;

/// The three fields of a body, when `value` has exactly them with their types.
fn shape(value: &Value) -> Option<(&str, u32, &serde_json::Map<String, Value>)> {
    let object = value.as_object()?;
    if object.len() != 3 {
        return None;
    }
    let id = object.get("submission_id")?.as_str()?;
    let version = u32::try_from(object.get("survey_version")?.as_u64()?).ok()?;
    let answers = object.get("answers")?.as_object()?;
    Some((id, version, answers))
}

/// The keys of a JSON object in the order sent, repeated ones too, each with its value's keys
/// when that is an object. `serde_json::Value` keeps only the last of repeated keys, so this
/// is how the targets see, independently of the parser under test, that a body repeats one.
struct Keys(Vec<(String, Option<Vec<String>>)>);

/// The keys of an object; `None` for any other value.
struct InnerKeys(Option<Vec<String>>);

impl<'de> Deserialize<'de> for Keys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Top;
        impl<'de> Visitor<'de> for Top {
            type Value = Keys;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Keys, A::Error> {
                let mut keys = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    let InnerKeys(inner) = map.next_value()?;
                    keys.push((key, inner));
                }
                Ok(Keys(keys))
            }
        }
        d.deserialize_map(Top)
    }
}

impl<'de> Deserialize<'de> for InnerKeys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Inner;
        impl<'de> Visitor<'de> for Inner {
            type Value = InnerKeys;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<InnerKeys, A::Error> {
                let mut keys = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    map.next_value::<IgnoredAny>()?;
                    keys.push(key);
                }
                Ok(InnerKeys(Some(keys)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<InnerKeys, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(InnerKeys(None))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<InnerKeys, E> {
                Ok(InnerKeys(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<InnerKeys, E> {
                Ok(InnerKeys(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<InnerKeys, E> {
                Ok(InnerKeys(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<InnerKeys, E> {
                Ok(InnerKeys(None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<InnerKeys, E> {
                Ok(InnerKeys(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<InnerKeys, E> {
                Ok(InnerKeys(None))
            }
        }
        d.deserialize_any(Inner)
    }
}

fn twice<'a>(keys: impl Iterator<Item = &'a String>) -> bool {
    let mut seen = BTreeSet::new();
    keys.into_iter().any(|k| !seen.insert(k))
}

/// Whether a body repeats a top-level field or an answer (`None`: not a JSON object).
fn repeats_a_key(data: &[u8]) -> Option<bool> {
    let Keys(top) = serde_json::from_slice(data).ok()?;
    let answers_repeat = top
        .iter()
        .filter(|(key, _)| key == "answers")
        .filter_map(|(_, inner)| inner.as_ref())
        .any(|keys| twice(keys.iter()));
    Some(twice(top.iter().map(|(key, _)| key)) || answers_repeat)
}

/// Parses `data` as the ingest function does and validates it against each fixture survey.
///
/// Asserts that:
/// - a refused body says why (a non-empty message), and a body that is well-formed JSON of
///   the right shape is refused only when it repeats a field or an answer (which
///   `serde_json::Value` lets through, keeping the last; [`Keys`] sees it);
/// - an accepted body is JSON with exactly `submission_id`, `survey_version` and `answers`,
///   repeats none of them and no answer, and the parser's fields are those of the document;
/// - validation ([`responses::validate_and_check`]): accepted answers are exactly the answers
///   sent, shown, of the right shape, and a fixed point through JSON, the form and the store;
///   refusals are on real answers or questions, of the right kind, with messages;
/// - `intake::prepare` (what the handler calls) refuses another version than the open one,
///   and otherwise decides exactly as validation does, storing exactly the validated answers.
pub fn response_body(data: &[u8]) {
    // The Router refuses larger bodies (413) before anything reads them.
    if data.len() > BODY_LIMIT {
        return;
    }
    let document = serde_json::from_slice::<Value>(data);
    let repeats = repeats_a_key(data);
    let body = match parsers::json(data) {
        Err(message) => {
            assert!(!message.trim().is_empty(), "a refused body must say why");
            if let Some(value) = document.as_ref().ok().filter(|v| shape(v).is_some()) {
                assert_eq!(
                    repeats,
                    Some(true),
                    "a well-formed body {value} was refused: {message}"
                );
            }
            return;
        }
        Ok(body) => body,
    };
    assert_eq!(
        repeats,
        Some(false),
        "a body that repeats a field or an answer was accepted"
    );
    let document = document.unwrap_or_else(|e| panic!("an accepted body is not JSON: {e}"));
    let (id, version, answers) = shape(&document)
        .unwrap_or_else(|| panic!("an accepted body has another shape: {document}"));
    assert_eq!(id, body.submission_id);
    assert_eq!(version, body.survey_version);
    let parsed: Vec<(&String, &Value)> = body.answers.0.iter().collect();
    let in_document: Vec<(&String, &Value)> = answers.iter().collect();
    assert_eq!(
        parsed, in_document,
        "the parser's answers are not the document's"
    );

    let submission_id = Uuid::parse_str(&body.submission_id)
        .ok()
        .filter(|id| id.get_version_num() == 4)
        .unwrap_or(STAND_IN_ID);
    for fixture in surveys() {
        let survey = &fixture.survey;
        let raw: &BTreeMap<String, Value> = &body.answers.0;
        let validated = responses::validate_and_check(survey, raw);
        let submission = Submission {
            submission_id,
            survey_version: body.survey_version,
            answers: raw.clone(),
            pow_verified: false,
        };
        let prepared = intake::prepare(&fixture.catalog, secret(), &survey.id, &submission, now());
        match (prepared, validated) {
            (Err(Refused::VersionNotOpen { open }), _) => {
                assert_ne!(
                    body.survey_version, survey.version,
                    "the open version was refused"
                );
                assert_eq!(open, Some(survey.version));
            }
            (Ok(record), Ok(answers)) => {
                assert_eq!(body.survey_version, survey.version);
                assert_eq!(
                    record.answers, answers,
                    "the record holds other answers than validated"
                );
                assert_eq!(record.survey_id, survey.id);
                assert_eq!(record.survey_version, survey.version);
                assert_eq!(
                    record.response_id,
                    secret()
                        .response_id(&survey.id, submission_id)
                        .into_string()
                );
            }
            (Err(Refused::InvalidAnswers { errors, .. }), Err(expected)) => {
                assert_eq!(
                    errors, expected,
                    "intake refuses other answers than validation"
                );
            }
            (prepared, validated) => {
                panic!("intake decided {prepared:?}, validation {validated:?}")
            }
        }
    }
}
