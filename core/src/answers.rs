//! Answer validation: what a respondent sent, checked against the survey definition.
//!
//! Only declared questions and declared options survive; everything else is refused with a
//! reason per question, never silently dropped or kept.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::i18n;
use crate::survey::{Kind, LIKERT_MAX, LIKERT_MIN, Question, Survey};

/// One validated answer: an option id, several option ids, or a whole number.
///
/// Serialized untagged (`3`, `"etsy"`, `["etsy","ebay"]`); read back by [`AnswerValue`]'s own
/// `Deserialize`, which goes by the value's type directly instead of buffering it to try each
/// variant in turn (serde's untagged derive): the report reads millions of these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum AnswerValue {
    Number(i64),
    Choice(String),
    Choices(Vec<String>),
}

impl<'de> Deserialize<'de> for AnswerValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AnswerVisitor)
    }
}

struct AnswerVisitor;

impl<'de> serde::de::Visitor<'de> for AnswerVisitor {
    type Value = AnswerValue;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a whole number, an option id or a list of option ids")
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<AnswerValue, E> {
        Ok(AnswerValue::Number(v))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<AnswerValue, E> {
        i64::try_from(v)
            .map(AnswerValue::Number)
            .map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(v), &self))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<AnswerValue, E> {
        Ok(AnswerValue::Choice(v.to_owned()))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<AnswerValue, E> {
        Ok(AnswerValue::Choice(v))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<AnswerValue, A::Error> {
        let mut ids = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(id) = seq.next_element::<String>()? {
            ids.push(id);
        }
        Ok(AnswerValue::Choices(ids))
    }
}

/// Validated answers by question id, in a stable order.
pub type Answers = BTreeMap<String, AnswerValue>;

/// Why one answer was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    Required,
    NotAnOption,
    NotAWholeNumber {
        min: i64,
        max: i64,
    },
    OutOfRange {
        min: i64,
        max: i64,
    },
    NotShown,
    UnknownQuestion,
    ExpectedOne,
    ExpectedList,
    RepeatedChoice,
    TooManyChoices {
        max: u32,
    },
    /// An `options_from` question answered with an option not given to its source question.
    NotAmongEarlier,
}

impl Invalid {
    pub fn key(&self) -> &'static str {
        match self {
            Invalid::Required => "required",
            Invalid::NotAnOption => "not_an_option",
            Invalid::NotAWholeNumber { .. } => "not_a_whole_number",
            Invalid::OutOfRange { .. } => "out_of_range",
            Invalid::NotShown => "not_shown",
            Invalid::UnknownQuestion => "unknown_question",
            Invalid::ExpectedOne => "expected_one",
            Invalid::ExpectedList => "expected_list",
            Invalid::RepeatedChoice => "repeated_choice",
            Invalid::TooManyChoices { .. } => "too_many_choices",
            Invalid::NotAmongEarlier => "not_among_earlier",
        }
    }

    /// The message shown to the respondent, in their language.
    pub fn message(&self, survey: &Survey, lang: &str) -> String {
        let (min, max) = match *self {
            Invalid::NotAWholeNumber { min, max } | Invalid::OutOfRange { min, max } => (min, max),
            Invalid::TooManyChoices { max } => (0, i64::from(max)),
            _ => (0, 0),
        };
        i18n::message(survey, self.key(), lang, min, max)
    }
}

/// Refused answers by question id (or by the unknown key that was sent).
pub type FieldErrors = BTreeMap<String, Invalid>;

/// Whether a question is shown, given the answers validated so far.
pub fn is_shown(question: &Question, answers: &Answers) -> bool {
    let Some(condition) = &question.show_if else {
        return true;
    };
    match answers.get(&condition.question) {
        Some(AnswerValue::Choice(c)) => condition.any_of.contains(c),
        Some(AnswerValue::Choices(cs)) => cs.iter().any(|c| condition.any_of.contains(c)),
        Some(AnswerValue::Number(_)) | None => false,
    }
}

/// Validates raw answers (JSON values by question id) against `survey`.
///
/// `null` and an empty list mean "not answered". Questions are checked in order, so skip
/// logic sees the validated answers of earlier questions.
pub fn validate(survey: &Survey, raw: &BTreeMap<String, Value>) -> Result<Answers, FieldErrors> {
    validate_questions(&survey.questions, raw)
}

/// [`validate`] against the first questions of a survey only (the pages of a multi-part form
/// answered so far): answers to any other question are unknown here.
pub fn validate_questions(
    questions: &[Question],
    raw: &BTreeMap<String, Value>,
) -> Result<Answers, FieldErrors> {
    let mut answers = Answers::new();
    let mut errors = FieldErrors::new();
    for key in raw.keys() {
        if !questions.iter().any(|q| &q.id == key) {
            errors.insert(key.clone(), Invalid::UnknownQuestion);
        }
    }
    for question in questions {
        let given = raw.get(&question.id).filter(|v| !is_blank(v));
        let parent_invalid = question
            .show_if
            .as_ref()
            .is_some_and(|c| errors.contains_key(&c.question));
        if parent_invalid {
            // Whether this question applies is unknown until the earlier answer is fixed.
            continue;
        }
        let shown = is_shown(question, &answers);
        match (given, shown) {
            (None, true) if question.required => {
                errors.insert(question.id.clone(), Invalid::Required);
            }
            (None, _) => {}
            (Some(_), false) => {
                errors.insert(question.id.clone(), Invalid::NotShown);
            }
            (Some(value), true) => match check_value(&question.kind, value)
                .and_then(|answer| among_earlier(question, &answers, answer))
            {
                Ok(answer) => {
                    answers.insert(question.id.clone(), answer);
                }
                Err(invalid) => {
                    errors.insert(question.id.clone(), invalid);
                }
            },
        }
    }
    if errors.is_empty() {
        Ok(answers)
    } else {
        Err(errors)
    }
}

/// An `options_from` question takes only options given as answers to its source question
/// ("your main platform" is one of "the platforms you sell on").
fn among_earlier(
    question: &Question,
    answers: &Answers,
    answer: AnswerValue,
) -> Result<AnswerValue, Invalid> {
    match &question.options_from {
        Some(from) if !is_among(&answer, answers.get(from)) => Err(Invalid::NotAmongEarlier),
        _ => Ok(answer),
    }
}

/// Whether every option of `answer` was given in `earlier`.
pub fn is_among(answer: &AnswerValue, earlier: Option<&AnswerValue>) -> bool {
    let given = |id: &String| match earlier {
        Some(AnswerValue::Choice(c)) => c == id,
        Some(AnswerValue::Choices(cs)) => cs.contains(id),
        Some(AnswerValue::Number(_)) | None => false,
    };
    match answer {
        AnswerValue::Choice(id) => given(id),
        AnswerValue::Choices(ids) => ids.iter().all(given),
        AnswerValue::Number(_) => true,
    }
}

/// Answers as stored: a `null` or an empty list is "not answered" for that question only,
/// as at intake ([`validate`]), so one blank answer never costs the whole response.
pub fn deserialize_stored<'de, D>(deserializer: D) -> Result<Answers, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct StoredVisitor;

    impl<'de> serde::de::Visitor<'de> for StoredVisitor {
        type Value = Answers;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("answers by question id")
        }

        // Blank answers are skipped as they are read: no second map is built.
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Answers, A::Error> {
            let mut answers = Answers::new();
            while let Some((question, value)) = map.next_entry::<String, Option<AnswerValue>>()? {
                match value {
                    // A repeated key counts as its last value, as in a map read whole.
                    None => drop(answers.remove(&question)),
                    Some(AnswerValue::Choices(ids)) if ids.is_empty() => {
                        drop(answers.remove(&question))
                    }
                    Some(value) => {
                        answers.insert(question, value);
                    }
                }
            }
            Ok(answers)
        }
    }

    deserializer.deserialize_map(StoredVisitor)
}

fn is_blank(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

fn check_value(kind: &Kind, value: &Value) -> Result<AnswerValue, Invalid> {
    match kind {
        Kind::SingleChoice { options } | Kind::YesNo { options } | Kind::Country { options } => {
            let Value::String(id) = value else {
                return Err(Invalid::ExpectedOne);
            };
            // Exact match only: `Etsy` or a look-alike Unicode `etsy` is not the option `etsy`.
            options
                .iter()
                .any(|o| &o.id == id)
                .then(|| AnswerValue::Choice(id.clone()))
                .ok_or(Invalid::NotAnOption)
        }
        Kind::MultipleChoice {
            options,
            max_choices,
        } => {
            let Value::Array(items) = value else {
                return Err(Invalid::ExpectedList);
            };
            let mut picked: Vec<String> = Vec::with_capacity(items.len());
            for item in items {
                let Value::String(id) = item else {
                    return Err(Invalid::ExpectedList);
                };
                if !options.iter().any(|o| &o.id == id) {
                    return Err(Invalid::NotAnOption);
                }
                if picked.contains(id) {
                    return Err(Invalid::RepeatedChoice);
                }
                picked.push(id.clone());
            }
            if let Some(max) = max_choices.filter(|max| picked.len() > *max as usize) {
                return Err(Invalid::TooManyChoices { max });
            }
            // Stored in the definition's option order, so equal answers compare equal.
            picked.sort_by_key(|id| options.iter().position(|o| &o.id == id));
            Ok(AnswerValue::Choices(picked))
        }
        Kind::Likert { .. } => whole_number(value, LIKERT_MIN, LIKERT_MAX),
        Kind::Number { min, max, .. } => whole_number(value, *min, *max),
    }
}

fn whole_number(value: &Value, min: i64, max: i64) -> Result<AnswerValue, Invalid> {
    let Value::Number(n) = value else {
        return Err(Invalid::NotAWholeNumber { min, max });
    };
    match (n.as_i64(), n.as_u64()) {
        (Some(v), _) if (min..=max).contains(&v) => Ok(AnswerValue::Number(v)),
        (Some(_), _) | (None, Some(_)) => Err(Invalid::OutOfRange { min, max }),
        (None, None) => Err(Invalid::NotAWholeNumber { min, max }),
    }
}
