//! A survey definition file (`surveys/{id}/v{version}.toml`) through `check`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use canvass_core::answers::{self, AnswerValue, Answers, Invalid};
use canvass_core::check::{self, Problem};
use canvass_core::definition::SurveyFile;
use canvass_core::form_pages::Pages;
use canvass_core::i18n::{BUILT_IN_LANGUAGES, MESSAGE_KEYS};
use canvass_core::survey::{Kind, LIKERT_MAX, LIKERT_MIN, Localized, Status, Survey};
use serde_json::Value;

use crate::responses;

/// Survey files are written by operators; far larger than any real one (the shipped survey is
/// about 30 KiB) is not worth the fuzzer's time.
const MAX_LEN: usize = 64 * 1024;

const PATH: &str = "surveys/fuzzed/v1.toml";

/// Parses `data` as a survey file and builds it as `canvass check` does.
///
/// Asserts that:
/// - every problem names the file, says what is wrong and how to fix it (non-blank), names
///   only questions that exist;
/// - a parsed file written back as TOML parses to the same file, with the same fingerprint
///   (what `surveys/lock.toml` freezes) and the same outcome of `check`;
/// - `check_sources` (what `canvass check` and the service run) agrees with `build`: a draft
///   passes as is, a published version only once frozen with its fingerprint;
/// - a survey `check` accepts keeps what the rest of Canvass relies on: unique ids that are
///   not the form's `_…` names, complete non-blank texts in every offered language, choice
///   questions with unique options, `max_choices` and number bounds that can be met, skip
///   logic on earlier choice questions' options only, non-blank validation messages in
///   every language, form pages that decide every condition on an earlier page;
/// - it can be answered: the first and the last option (or bound) of every shown question are
///   accepted as exactly those answers, and those answers are a fixed point
///   ([`responses::accepted`]); an empty response is refused for exactly the required
///   questions that are always shown.
pub fn survey_definition(data: &[u8]) {
    if data.len() > MAX_LEN {
        return;
    }
    // `check` reads files as UTF-8 and reports any other bytes itself.
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new(PATH);
    let file = match check::parse(path, source) {
        Ok(file) => file,
        Err(problem) => {
            sound_problem(&problem, path, None);
            return;
        }
    };

    let text = toml::to_string(&file).expect("a survey file serializes back to TOML");
    let again = check::parse(path, &text)
        .unwrap_or_else(|p| panic!("a survey file written back does not parse: {p}\n{text}"));
    assert_eq!(
        again, file,
        "a survey file written back reads differently:\n{text}"
    );
    assert_eq!(check::fingerprint(&again), check::fingerprint(&file));

    let built = check::build(path, &file);
    assert_eq!(
        check::build(path, &again),
        built,
        "check decides differently on the same file written back"
    );
    match built {
        Err(problems) => {
            assert!(!problems.is_empty(), "a refused survey names a problem");
            for problem in &problems {
                sound_problem(problem, path, Some(&file));
            }
        }
        Ok(survey) => {
            sound_survey(&file, &survey);
            agrees_with_check_sources(source, &survey);
            answerable(&survey);
        }
    }
}

fn sound_problem(problem: &Problem, path: &Path, file: Option<&SurveyFile>) {
    assert_eq!(problem.file, path, "a problem names another file");
    assert!(
        !problem.message.trim().is_empty(),
        "a problem without a message: {problem:?}"
    );
    assert!(
        !problem.fix.trim().is_empty(),
        "a problem without a fix: {problem:?}"
    );
    if let (Some(question), Some(file)) = (&problem.question, file) {
        assert!(
            file.questions.iter().any(|q| &q.id == question),
            "a problem names question `{question}`, which the file does not have"
        );
    }
}

fn complete(what: &str, texts: &Localized, languages: &[String]) {
    for lang in languages {
        assert!(
            texts.0.get(lang).is_some_and(|t| !t.trim().is_empty()),
            "{what} has no {lang} text: {texts:?}"
        );
    }
}

fn sound_survey(file: &SurveyFile, survey: &Survey) {
    assert_eq!(survey.id, file.id);
    assert_eq!(i64::from(survey.version), file.version);
    assert!((1..=10_000).contains(&survey.version));
    let languages = &survey.languages;
    let unique: BTreeSet<&String> = languages.iter().collect();
    assert_eq!(unique.len(), languages.len(), "a language is listed twice");
    for lang in BUILT_IN_LANGUAGES {
        assert!(
            languages.iter().any(|l| l == lang),
            "`{lang}` is not offered"
        );
    }
    assert!(
        languages
            .iter()
            .all(|l| BUILT_IN_LANGUAGES.contains(&l.as_str())),
        "a language without built-in messages"
    );
    complete("the title", &survey.title, languages);
    complete("the intro", &survey.intro, languages);
    assert!((3..=1000).contains(&survey.disclosure.k));
    assert!(!survey.questions.is_empty(), "a survey without questions");

    let mut ids = BTreeSet::new();
    for (index, question) in survey.questions.iter().enumerate() {
        let id = question.id.as_str();
        assert!(ids.insert(id), "question id `{id}` is used twice");
        assert!(
            !id.is_empty() && !id.starts_with('_'),
            "question id `{id}` could be taken for one of the form's own fields"
        );
        complete(&format!("`{id}`'s label"), &question.label, languages);
        if let Some(help) = &question.help {
            complete(&format!("`{id}`'s help"), help, languages);
        }
        let options = question.kind.options();
        let option_ids: BTreeSet<&str> = options.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(
            option_ids.len(),
            options.len(),
            "`{id}` has an option twice"
        );
        for option in options {
            complete(
                &format!("`{id}` option `{}`", option.id),
                &option.label,
                languages,
            );
        }
        match &question.kind {
            Kind::SingleChoice { options }
            | Kind::YesNo { options }
            | Kind::Country { options } => {
                assert!(!options.is_empty(), "`{id}` has no options");
            }
            Kind::MultipleChoice {
                options,
                max_choices,
            } => {
                assert!(!options.is_empty(), "`{id}` has no options");
                if let Some(max) = max_choices {
                    assert!(
                        (1..=options.len()).contains(&(*max as usize)),
                        "`{id}`: max_choices = {max} with {} options",
                        options.len()
                    );
                }
            }
            Kind::Likert {
                low_label,
                high_label,
            } => {
                complete(&format!("`{id}`'s low_label"), low_label, languages);
                complete(&format!("`{id}`'s high_label"), high_label, languages);
            }
            Kind::Number { min, max, unit } => {
                assert!(min < max, "`{id}`: bounds {min}..={max}");
                if file.questions[index].unit.is_some() {
                    complete(&format!("`{id}`'s unit"), unit, languages);
                }
            }
        }
        if let Some(condition) = &question.show_if {
            let source = survey.questions[..index]
                .iter()
                .find(|q| q.id == condition.question)
                .unwrap_or_else(|| {
                    panic!(
                        "`{id}` depends on `{}`, not an earlier question",
                        condition.question
                    )
                });
            assert!(!condition.any_of.is_empty(), "`{id}` can never be shown");
            for value in &condition.any_of {
                assert!(
                    source.kind.options().iter().any(|o| &o.id == value),
                    "`{id}` depends on `{value}`, not an option of `{}`",
                    source.id
                );
            }
        }
    }

    for key in MESSAGE_KEYS {
        for lang in languages {
            let message = canvass_core::i18n::message(survey, key, lang, 1, 5);
            assert!(
                !message.trim().is_empty(),
                "the {lang} message `{key}` is blank"
            );
        }
    }

    let pages = Pages::of(survey);
    let mut next = 0;
    for page in 0..pages.len() {
        let range = pages.range(page);
        assert_eq!(
            range.start, next,
            "page {page} does not follow the one before"
        );
        assert!(!range.is_empty(), "page {page} is empty");
        for question in &survey.questions[range.clone()] {
            if let Some(condition) = &question.show_if {
                let on = pages.page_of(survey, &condition.question);
                assert!(
                    on.is_some_and(|p| p < page),
                    "`{}` on page {page} depends on `{}` on page {on:?}",
                    question.id,
                    condition.question
                );
            }
            // A question offering earlier answers lists those given on an earlier page.
            if let Some(source) = &question.options_from {
                let on = pages.page_of(survey, source);
                assert!(
                    on.is_some_and(|p| p < page),
                    "`{}` on page {page} offers the answers of `{source}` on page {on:?}",
                    question.id
                );
            }
        }
        next = range.end;
    }
    assert_eq!(
        next,
        survey.questions.len(),
        "pages do not cover the survey"
    );
}

/// `check_sources` on the same text, at the path the file belongs at, agrees with `build`.
fn agrees_with_check_sources(source: &str, survey: &Survey) {
    let dir = Path::new("surveys");
    let files = [(
        PathBuf::from(&survey.id).join(format!("v{}.toml", survey.version)),
        source.to_owned(),
    )];
    let unlocked = check::check_sources(dir, None, &files);
    if survey.status.is_published() {
        assert_eq!(unlocked.problems.len(), 1, "{:?}", unlocked.problems);
        assert!(
            unlocked.problems[0].message.contains("not frozen"),
            "{:?}",
            unlocked.problems
        );
        let lock = format!(
            "[[frozen]]\nsurvey = \"{}\"\nversion = {}\nsha256 = \"{}\"\n",
            survey.id, survey.version, survey.fingerprint
        );
        let locked = check::check_sources(dir, Some(&lock), &files);
        assert!(locked.problems.is_empty(), "{:?}", locked.problems);
        assert_eq!(locked.surveys, std::slice::from_ref(survey));
    } else {
        assert_eq!(survey.status, Status::Draft);
        assert!(unlocked.problems.is_empty(), "{:?}", unlocked.problems);
        assert_eq!(unlocked.surveys, std::slice::from_ref(survey));
    }
}

#[derive(Clone, Copy)]
enum End {
    First,
    Last,
}

/// Answers every shown question with its first or last option (all it may pick, for a
/// multiple choice question), or its lowest or highest number.
fn answer_all(survey: &Survey, end: End) -> (BTreeMap<String, Value>, Answers) {
    let mut raw = BTreeMap::new();
    let mut expected = Answers::new();
    for question in &survey.questions {
        if !answers::is_shown(question, &expected) {
            continue;
        }
        let pick = |options: &[canvass_core::survey::Choice]| {
            let option = match end {
                End::First => options.first(),
                End::Last => options.last(),
            };
            option
                .unwrap_or_else(|| panic!("`{}` has no option to pick", question.id))
                .id
                .clone()
        };
        // `options_from`: only the answers given to the source question are options.
        let given: Vec<canvass_core::survey::Choice>;
        let kind_options =
            |options: &[canvass_core::survey::Choice]| -> Vec<canvass_core::survey::Choice> {
                let source = question
                    .options_from
                    .as_ref()
                    .and_then(|from| expected.get(from));
                options
                    .iter()
                    .filter(|o| {
                        question.options_from.is_none()
                            || answers::is_among(&AnswerValue::Choice(o.id.clone()), source)
                    })
                    .cloned()
                    .collect()
            };
        if let Kind::SingleChoice { options } | Kind::MultipleChoice { options, .. } =
            &question.kind
        {
            given = kind_options(options);
            if given.is_empty() {
                // Nothing was given to choose from: the question cannot be answered.
                continue;
            }
        } else {
            given = Vec::new();
        }
        let (value, answer) = match &question.kind {
            Kind::SingleChoice { .. } => {
                let id = pick(&given);
                (Value::String(id.clone()), AnswerValue::Choice(id))
            }
            Kind::YesNo { options } | Kind::Country { options } => {
                let id = pick(options);
                (Value::String(id.clone()), AnswerValue::Choice(id))
            }
            Kind::MultipleChoice { max_choices, .. } => {
                let count = match end {
                    End::First => 1,
                    End::Last => max_choices.map_or(given.len(), |m| m as usize),
                };
                let ids: Vec<String> = given.iter().take(count).map(|o| o.id.clone()).collect();
                (
                    Value::Array(ids.iter().cloned().map(Value::String).collect()),
                    AnswerValue::Choices(ids),
                )
            }
            Kind::Likert { .. } => {
                let n = match end {
                    End::First => LIKERT_MIN,
                    End::Last => LIKERT_MAX,
                };
                (Value::from(n), AnswerValue::Number(n))
            }
            Kind::Number { min, max, .. } => {
                let n = match end {
                    End::First => *min,
                    End::Last => *max,
                };
                (Value::from(n), AnswerValue::Number(n))
            }
        };
        raw.insert(question.id.clone(), value);
        expected.insert(question.id.clone(), answer);
    }
    (raw, expected)
}

fn answerable(survey: &Survey) {
    for end in [End::First, End::Last] {
        let (raw, expected) = answer_all(survey, end);
        let outcome = answers::validate(survey, &raw);
        assert_eq!(
            outcome.as_ref(),
            Ok(&expected),
            "a complete response is refused"
        );
        responses::accepted(survey, &raw, &expected);
    }
    let always_required: BTreeSet<&str> = survey
        .questions
        .iter()
        .filter(|q| q.required && q.show_if.is_none())
        .map(|q| q.id.as_str())
        .collect();
    match answers::validate(survey, &BTreeMap::new()) {
        Ok(answers) => {
            assert!(answers.is_empty(), "answers made up from nothing");
            assert!(always_required.is_empty(), "an empty response is accepted");
        }
        Err(errors) => {
            assert!(
                errors.values().all(|e| *e == Invalid::Required),
                "an empty response refused for {errors:?}"
            );
            let refused: BTreeSet<&str> = errors.keys().map(String::as_str).collect();
            assert_eq!(
                refused, always_required,
                "an empty response refused for other questions"
            );
        }
    }
}
