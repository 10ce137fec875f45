//! HTML form fields as raw answers of the same shape the JSON API takes, so that a form post
//! and a JSON post go through one validation (`answers::validate`, via `intake`).
//!
//! A form sends every value as text and a multiple-choice question as the same name
//! repeated. Here numbers and Likert points become JSON numbers, choice lists become arrays
//! and a repeated single choice becomes an array (which validation then refuses). Nothing is
//! judged here: text that is not a whole number stays text, and validation names the problem.
//! Names starting with `_` belong to the form's own machinery (question ids cannot start
//! with `_`) and are not answers.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::survey::{Kind, Survey};

/// Non-blank form values by field name, in the order they were sent.
pub type FormValues = BTreeMap<String, Vec<String>>;

/// Whether a field name is the form's own (submission id, page, proof of work…).
pub fn is_machinery(name: &str) -> bool {
    name.starts_with('_')
}

/// Groups decoded `name=value` pairs by name, leaving out the form's own fields and values
/// that are blank (an empty text box or the "choose…" entry of a list is "not answered").
pub fn group<I, K, V>(pairs: I) -> FormValues
where
    I: IntoIterator<Item = (K, V)>,
    K: Into<String>,
    V: Into<String>,
{
    let mut values = FormValues::new();
    for (name, value) in pairs {
        let (name, value) = (name.into(), value.into());
        if is_machinery(&name) || value.trim().is_empty() {
            continue;
        }
        values.entry(name).or_default().push(value);
    }
    values
}

/// The raw answers for `answers::validate`, shaped per question type.
pub fn raw_answers(survey: &Survey, values: &FormValues) -> BTreeMap<String, Value> {
    values
        .iter()
        .map(|(name, given)| {
            let value = match survey.question(name).map(|q| &q.kind) {
                Some(Kind::MultipleChoice { .. }) => {
                    Value::Array(given.iter().cloned().map(Value::String).collect())
                }
                Some(Kind::Likert { .. } | Kind::Number { .. }) => one(given, number),
                Some(_) | None => one(given, |s| Value::String(s.to_owned())),
            };
            (name.clone(), value)
        })
        .collect()
}

/// A single value as `convert` makes it; several values as an array (refused later).
fn one(given: &[String], convert: fn(&str) -> Value) -> Value {
    match given {
        [only] => convert(only),
        many => Value::Array(many.iter().map(|s| convert(s)).collect()),
    }
}

fn number(text: &str) -> Value {
    let trimmed = text.trim();
    match trimmed.parse::<i64>() {
        Ok(n) => Value::from(n),
        // Too big for i64 but still a whole number: keep it a number so the answer is
        // refused as out of range rather than as "not a whole number".
        Err(_) if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) => {
            Value::from(u64::MAX)
        }
        Err(_) => Value::String(text.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::answers::{self, Invalid};
    use crate::check;

    fn survey() -> Survey {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../surveys");
        let report = check::check_dir(&dir, false);
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        report
            .surveys
            .into_iter()
            .find(|s| s.id == "platform-treatment")
            .unwrap()
    }

    fn pairs(list: &[(&str, &str)]) -> FormValues {
        group(list.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    #[test]
    fn fields_take_the_json_shapes() {
        let s = survey();
        let raw = raw_answers(
            &s,
            &pairs(&[
                ("_submission", "x"),
                ("platforms", "etsy"),
                ("platforms", "ebay"),
                ("main_platform", "etsy"),
                ("income_share", " 60 "),
                ("fee_impact", "4"),
                ("country", ""),
                ("mystery", "<b>x</b>"),
            ]),
        );
        assert_eq!(raw["platforms"], json!(["etsy", "ebay"]));
        assert_eq!(raw["main_platform"], json!("etsy"));
        assert_eq!(raw["income_share"], json!(60));
        assert_eq!(raw["fee_impact"], json!(4));
        assert_eq!(raw["mystery"], json!("<b>x</b>"));
        assert!(!raw.contains_key("country"));
        assert!(!raw.contains_key("_submission"));
    }

    #[test]
    fn text_that_is_no_number_is_left_for_validation_to_name() {
        let s = survey();
        let raw = raw_answers(
            &s,
            &pairs(&[
                ("income_share", "sixty"),
                ("fee_impact", "99999999999999999999999"),
                ("main_platform", "etsy"),
                ("years_selling", "y1_2"),
                ("years_selling", "y3_5"),
            ]),
        );
        let errors = answers::validate(&s, &raw).unwrap_err();
        assert_eq!(
            errors["income_share"],
            Invalid::NotAWholeNumber { min: 0, max: 100 }
        );
        assert_eq!(errors["fee_impact"], Invalid::OutOfRange { min: 1, max: 5 });
        assert_eq!(errors["years_selling"], Invalid::ExpectedOne);
    }
}
