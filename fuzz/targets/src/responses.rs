//! Invariants of answer validation, shared by the targets: what an accepted response and a
//! refusal must look like, whichever way the answers came in.

use std::collections::{BTreeMap, BTreeSet};

use canvass_core::answers::{self, AnswerValue, Answers, FieldErrors, Invalid};
use canvass_core::form_input;
use canvass_core::form_pages::Pages;
use canvass_core::record::ResponseRecord;
use canvass_core::survey::{Kind, LIKERT_MAX, LIKERT_MIN, Survey};
use canvass_ingest::parsers;
use serde_json::Value;

use crate::fixtures::{STAND_IN_ID, now, secret};

/// `null` and `[]` mean "not answered" (as in `answers::validate`).
fn given(raw: &BTreeMap<String, Value>, id: &str) -> bool {
    match raw.get(id) {
        None | Some(Value::Null) => false,
        Some(Value::Array(items)) => !items.is_empty(),
        Some(_) => true,
    }
}

/// Validates `raw` and checks the outcome: [`accepted`] or [`refused`].
pub fn validate_and_check(
    survey: &Survey,
    raw: &BTreeMap<String, Value>,
) -> Result<Answers, FieldErrors> {
    let outcome = answers::validate(survey, raw);
    match &outcome {
        Ok(answers) => accepted(survey, raw, answers),
        Err(errors) => refused(survey, raw, errors),
    }
    outcome
}

/// An accepted response: exactly the answers sent, every one shown and of its question's
/// shape, every required question that is shown answered; and a fixed point, so that the same
/// answers sent again as JSON or as a form post are accepted as the very same answers, and the
/// stored record reads back as it was written.
pub fn accepted(survey: &Survey, raw: &BTreeMap<String, Value>, answers: &Answers) {
    let sent: BTreeSet<&str> = raw
        .keys()
        .filter(|id| given(raw, id))
        .map(String::as_str)
        .collect();
    let kept: BTreeSet<&str> = answers.keys().map(String::as_str).collect();
    assert_eq!(
        sent, kept,
        "accepted answers must be exactly the non-blank answers sent"
    );
    for id in raw.keys() {
        assert!(
            survey.question(id).is_some(),
            "an answer to `{id}`, which is no question, was accepted"
        );
    }
    for question in &survey.questions {
        let shown = answers::is_shown(question, answers);
        match answers.get(&question.id) {
            None => assert!(
                !(shown && question.required),
                "required question `{}` is shown but was accepted unanswered",
                question.id
            ),
            Some(answer) => {
                assert!(
                    shown,
                    "`{}` was accepted though it is not shown",
                    question.id
                );
                fits(&question.kind, answer)
                    .unwrap_or_else(|why| panic!("accepted `{}` = {answer:?}: {why}", question.id));
                if let Some(from) = &question.options_from {
                    assert!(
                        answers::is_among(answer, answers.get(from)),
                        "accepted `{}` = {answer:?}, not among the answers to `{from}`",
                        question.id
                    );
                }
            }
        }
    }

    // Sent again as a JSON body, through the ingest function's parser.
    let body = serde_json::json!({
        "submission_id": STAND_IN_ID.to_string(),
        "survey_version": survey.version,
        "answers": answers,
    });
    let bytes = serde_json::to_vec(&body).expect("answers serialize");
    let parsed = parsers::json(&bytes)
        .unwrap_or_else(|e| panic!("accepted answers re-sent as JSON do not parse: {e}"));
    assert_eq!(
        answers::validate(survey, &parsed.answers.0).as_ref(),
        Ok(answers),
        "accepted answers re-sent as JSON are not accepted the same"
    );

    // Sent again as a form post, through the form's own field parser.
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("_submission", &STAND_IN_ID.to_string());
    form.append_pair("_version", &survey.version.to_string());
    for (id, answer) in answers {
        match answer {
            AnswerValue::Number(n) => {
                form.append_pair(id, &n.to_string());
            }
            AnswerValue::Choice(choice) => {
                form.append_pair(id, choice);
            }
            AnswerValue::Choices(choices) => {
                for choice in choices {
                    form.append_pair(id, choice);
                }
            }
        }
    }
    let posted = parsers::form(form.finish().as_bytes());
    let from_form = form_input::raw_answers(survey, &posted.values);
    assert_eq!(
        answers::validate(survey, &from_form).as_ref(),
        Ok(answers),
        "accepted answers re-sent as a form post are not accepted the same"
    );

    // Stored and read back (the SQLite store keeps the answers as this JSON).
    let record = ResponseRecord::new(
        secret().response_id(&survey.id, STAND_IN_ID),
        &survey.id,
        survey.version,
        now(),
        answers.clone(),
        false,
    );
    let stored = serde_json::to_string(&record).expect("records serialize");
    let read: ResponseRecord = serde_json::from_str(&stored)
        .unwrap_or_else(|e| panic!("a stored record does not read back: {e}\n{stored}"));
    assert_eq!(read, record, "a stored record reads back different");
}

/// Whether an accepted answer has its question's shape.
fn fits(kind: &Kind, answer: &AnswerValue) -> Result<(), String> {
    let is_option = |id: &String| kind.options().iter().any(|o| &o.id == id);
    match (kind, answer) {
        (
            Kind::SingleChoice { .. } | Kind::YesNo { .. } | Kind::Country { .. },
            AnswerValue::Choice(id),
        ) if is_option(id) => Ok(()),
        (
            Kind::MultipleChoice {
                options,
                max_choices,
            },
            AnswerValue::Choices(ids),
        ) => {
            let positions: Vec<usize> = ids
                .iter()
                .map(|id| options.iter().position(|o| &o.id == id))
                .collect::<Option<_>>()
                .ok_or("a choice is not an option")?;
            if ids.is_empty() {
                return Err("an empty list was kept".into());
            }
            if !positions.windows(2).all(|w| w[0] < w[1]) {
                return Err("choices are repeated or not in option order".into());
            }
            match max_choices {
                Some(max) if ids.len() > *max as usize => Err(format!("more than {max} choices")),
                _ => Ok(()),
            }
        }
        (Kind::Likert { .. }, AnswerValue::Number(n)) if (LIKERT_MIN..=LIKERT_MAX).contains(n) => {
            Ok(())
        }
        (Kind::Number { min, max, .. }, AnswerValue::Number(n)) if (*min..=*max).contains(n) => {
            Ok(())
        }
        _ => Err(format!("does not fit a {} question", kind.name())),
    }
}

/// A refusal: every problem is on an answer that was sent or a question that exists, is the
/// right kind of problem for what was sent, carries its question's own bounds, and has a
/// message in every language the survey offers.
pub fn refused(survey: &Survey, raw: &BTreeMap<String, Value>, errors: &FieldErrors) {
    assert!(!errors.is_empty(), "a refusal names at least one answer");
    for (id, invalid) in errors {
        let question = survey.question(id);
        match invalid {
            Invalid::UnknownQuestion => {
                assert!(question.is_none(), "`{id}` is a question, not unknown");
                assert!(raw.contains_key(id), "unknown `{id}` was never sent");
            }
            Invalid::Required => {
                let question =
                    question.unwrap_or_else(|| panic!("`{id}` required but no question"));
                assert!(question.required, "`{id}` is not required");
                assert!(!given(raw, id), "`{id}` was answered but called missing");
            }
            other => {
                let question = question
                    .unwrap_or_else(|| panic!("`{id}` refused ({other:?}) but no question"));
                assert!(
                    given(raw, id),
                    "`{id}` refused ({other:?}) though not answered"
                );
                let bounds = match (&question.kind, other) {
                    (
                        Kind::Number { min, max, .. },
                        Invalid::OutOfRange { .. } | Invalid::NotAWholeNumber { .. },
                    ) => Some((*min, *max)),
                    (
                        Kind::Likert { .. },
                        Invalid::OutOfRange { .. } | Invalid::NotAWholeNumber { .. },
                    ) => Some((LIKERT_MIN, LIKERT_MAX)),
                    _ => None,
                };
                match other {
                    Invalid::OutOfRange { min, max } | Invalid::NotAWholeNumber { min, max } => {
                        assert_eq!(
                            Some((*min, *max)),
                            bounds,
                            "`{id}`: {other:?} on a {} question",
                            question.kind.name()
                        );
                    }
                    Invalid::TooManyChoices { max } => assert!(
                        matches!(question.kind, Kind::MultipleChoice { max_choices: Some(m), .. } if m == *max),
                        "`{id}`: {other:?} on a question without that limit"
                    ),
                    Invalid::ExpectedList | Invalid::RepeatedChoice => assert!(
                        matches!(question.kind, Kind::MultipleChoice { .. }),
                        "`{id}`: {other:?} on a {} question",
                        question.kind.name()
                    ),
                    Invalid::ExpectedOne => assert!(
                        !question.kind.options().is_empty()
                            && !matches!(question.kind, Kind::MultipleChoice { .. }),
                        "`{id}`: {other:?} on a {} question",
                        question.kind.name()
                    ),
                    Invalid::NotAnOption => assert!(
                        !question.kind.options().is_empty(),
                        "`{id}`: {other:?} on a {} question",
                        question.kind.name()
                    ),
                    Invalid::NotAmongEarlier => assert!(
                        question.options_from.is_some(),
                        "`{id}`: {other:?} on a question with its own options"
                    ),
                    Invalid::NotShown | Invalid::Required | Invalid::UnknownQuestion => {}
                }
            }
        }
        for lang in &survey.languages {
            let message = invalid.message(survey, lang);
            assert!(
                !message.trim().is_empty(),
                "the {lang} message for `{id}` ({invalid:?}) is blank"
            );
        }
    }
}

/// The form's pages agree with whole validation: validating the pages up to `p` gives the
/// whole response's answers and problems on those pages, no more and no fewer.
pub fn pages_agree(
    survey: &Survey,
    raw: &BTreeMap<String, Value>,
    whole: &Result<Answers, FieldErrors>,
) {
    let pages = Pages::of(survey);
    for page in 0..pages.len() {
        let end = pages.range(page).end;
        let asked: BTreeSet<&str> = survey.questions[..end]
            .iter()
            .map(|q| q.id.as_str())
            .collect();
        let through = pages.validate_through(survey, page, raw);
        match (whole, &through) {
            (Ok(all), Ok(part)) => {
                let expected: Answers = all
                    .iter()
                    .filter(|(id, _)| asked.contains(id.as_str()))
                    .map(|(id, a)| (id.clone(), a.clone()))
                    .collect();
                assert_eq!(part, &expected, "page {page} validates to other answers");
            }
            (Ok(_), Err(errors)) => {
                panic!("pages through {page} refused {errors:?}, but the whole response is valid")
            }
            (Err(all), part) => {
                let expected: FieldErrors = all
                    .iter()
                    .filter(|(id, _)| asked.contains(id.as_str()))
                    .map(|(id, e)| (id.clone(), e.clone()))
                    .collect();
                let found = part.as_ref().err().cloned().unwrap_or_default();
                assert_eq!(
                    found, expected,
                    "pages through {page} and the whole response disagree on their problems"
                );
            }
        }
    }
}
