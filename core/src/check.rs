//! `canvass check`: turns survey files into typed [`Survey`]s and reports every problem with
//! the file, the question and the fix, instead of stopping at the first one.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::countries;
use crate::definition::{OptionFile, QuestionFile, SurveyFile, Texts};
use crate::i18n::{BUILT_IN_LANGUAGES, MESSAGE_KEYS, YES_NO_OPTIONS, yes_no_label};
use crate::lock::{LOCK_FILE, Lock};
use crate::survey::{Choice, Condition, Disclosure, Kind, Localized, Question, Status, Survey};

/// One thing wrong with a survey definition, and how to put it right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    pub question: Option<String>,
    pub message: String,
    pub fix: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(q) = &self.question {
            write!(f, " [{q}]")?;
        }
        write!(f, ": {}\n    fix: {}", self.message, self.fix)
    }
}

/// Problems found while building one survey; `file` is filled in by the caller.
struct Found {
    problems: Vec<Problem>,
    file: PathBuf,
}

impl Found {
    fn add(&mut self, question: Option<&str>, message: impl Into<String>, fix: impl Into<String>) {
        self.problems.push(Problem {
            file: self.file.clone(),
            question: question.map(str::to_owned),
            message: message.into(),
            fix: fix.into(),
        });
    }
}

fn is_slug(s: &str, extra: char) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == extra)
        && s.starts_with(|c: char| c.is_ascii_lowercase())
}

/// Parses TOML text into the file model; the error names line and column.
pub fn parse(file: &Path, source: &str) -> Result<SurveyFile, Problem> {
    toml::from_str::<SurveyFile>(source).map_err(|e| Problem {
        file: file.to_owned(),
        question: None,
        message: format!("not a valid survey file: {}", e.message().trim()),
        fix: match e.span() {
            Some(span) => {
                let line = source[..span.start.min(source.len())]
                    .lines()
                    .count()
                    .max(1);
                format!("correct the TOML near line {line} (see surveys/README.md for the format)")
            }
            None => "correct the TOML (see surveys/README.md for the format)".into(),
        },
    })
}

/// The content hash that freezes a published version; `status` is left out so that closing
/// an open version is not an edit.
pub fn fingerprint(file: &SurveyFile) -> String {
    let mut content = file.clone();
    content.status = Status::Draft;
    let canonical = serde_json::to_vec(&content).expect("survey files always serialize");
    hex::encode(Sha256::digest(canonical))
}

/// Builds the typed survey, or every problem that stops it.
pub fn build(path: &Path, file: &SurveyFile) -> Result<Survey, Vec<Problem>> {
    let mut found = Found {
        problems: Vec::new(),
        file: path.to_owned(),
    };
    let f = &mut found;
    if !is_slug(&file.id, '-') {
        f.add(
            None,
            format!("survey id `{}` is not a slug", file.id),
            "use lowercase letters, digits and `-`, starting with a letter, at most 64 characters",
        );
    }
    let version = u32::try_from(file.version)
        .ok()
        .filter(|v| (1..=10_000).contains(v));
    if version.is_none() {
        f.add(
            None,
            format!("version {} is out of range", file.version),
            "use a whole number from 1 to 10000",
        );
    }
    let languages = &file.languages;
    for lang in ["en", "es", "fr"] {
        if !languages.iter().any(|l| l == lang) {
            f.add(None, format!("language `{lang}` is missing from `languages`"),
                "every survey is offered in at least en, es and fr: add it and translate every text");
        }
    }
    let mut seen_langs = BTreeSet::new();
    for lang in languages {
        if !BUILT_IN_LANGUAGES.contains(&lang.as_str()) {
            f.add(
                None,
                format!("language `{lang}` has no built-in messages"),
                format!("use only {}", BUILT_IN_LANGUAGES.join(", ")),
            );
        }
        if !seen_langs.insert(lang) {
            f.add(
                None,
                format!("language `{lang}` is listed twice"),
                "list each language once",
            );
        }
    }
    let title = texts(f, None, "title", &file.title, languages);
    let intro = texts(f, None, "intro", &file.intro, languages);
    let disclosure = disclosure(f, file);
    let mut messages = BTreeMap::new();
    for (key, by_lang) in &file.messages {
        if !MESSAGE_KEYS.contains(&key.as_str()) {
            f.add(
                None,
                format!("`messages.{key}` is not a known message"),
                format!("use one of: {}", MESSAGE_KEYS.join(", ")),
            );
        }
        for (lang, text) in by_lang {
            if !languages.contains(lang) {
                f.add(
                    None,
                    format!(
                        "`messages.{key}` has text in `{lang}`, which the survey does not offer"
                    ),
                    "remove it or add the language to `languages`",
                );
            }
            // A blank override would replace the built-in message with nothing at all.
            if text.trim().is_empty() {
                f.add(
                    None,
                    format!("`messages.{key}` has blank `{lang}` text"),
                    format!("write the message, or remove `{lang}` to keep the built-in one"),
                );
            }
        }
        messages.insert(key.clone(), Localized(by_lang.clone()));
    }
    if file.questions.is_empty() {
        f.add(
            None,
            "the survey has no questions",
            "add at least one [[questions]] table",
        );
    }
    let mut questions: Vec<Question> = Vec::new();
    for q in &file.questions {
        if let Some(question) = question(f, q, &questions, languages) {
            questions.push(question);
        }
    }
    if !found.problems.is_empty() {
        return Err(found.problems);
    }
    Ok(Survey {
        id: file.id.clone(),
        version: version.expect("checked above"),
        status: file.status,
        wave: file.wave,
        languages: languages.clone(),
        title,
        intro,
        disclosure,
        messages,
        questions,
        fingerprint: fingerprint(file),
    })
}

fn texts(
    f: &mut Found,
    question: Option<&str>,
    field: &str,
    texts: &Texts,
    languages: &[String],
) -> Localized {
    for lang in languages {
        if texts.get(lang).is_none_or(|t| t.trim().is_empty()) {
            f.add(
                question,
                format!("`{field}` has no `{lang}` text"),
                format!("add `{lang} = \"…\"` to `{field}`"),
            );
        }
    }
    for lang in texts.keys() {
        if !languages.contains(lang) {
            f.add(
                question,
                format!("`{field}` has text in `{lang}`, which the survey does not offer"),
                "remove it or add the language to `languages`",
            );
        }
    }
    Localized(texts.clone())
}

fn disclosure(f: &mut Found, file: &SurveyFile) -> Disclosure {
    let mut d = Disclosure::default();
    let Some(given) = &file.disclosure else {
        return d;
    };
    if let Some(k) = given.k {
        match u32::try_from(k).ok().filter(|k| (3..=1000).contains(k)) {
            Some(k) => d.k = k,
            None => f.add(
                None,
                format!("disclosure.k = {k} is out of range"),
                "use a minimum cell size from 3 to 1000 (10 is the default)",
            ),
        }
    }
    if let Some(n) = given.low_reliability_below {
        match u32::try_from(n).ok().filter(|n| *n <= 100_000) {
            Some(n) => d.low_reliability_below = n,
            None => f.add(
                None,
                format!("disclosure.low_reliability_below = {n} is out of range"),
                "use a whole number from 0 to 100000 (30 is the default)",
            ),
        }
    }
    // Unset, it is the default or k, whichever is larger.
    d.min_group_size = d.min_group_size.max(d.k);
    if let Some(n) = given.min_group_size {
        match u32::try_from(n).ok().filter(|n| (d.k..=100_000).contains(n)) {
            Some(n) => d.min_group_size = n,
            None => f.add(
                None,
                format!("disclosure.min_group_size = {n} is out of range"),
                format!(
                    "use a whole number from k = {} to 100000 (30 is the default): smaller groups are merged into `other`",
                    d.k
                ),
            ),
        }
    }
    if let Some(c) = given.count_unverified {
        d.count_unverified = c;
    }
    d
}

/// Fields that only some question types take, and which ones take them.
const TYPED_FIELDS: [(&str, &[&str]); 7] = [
    ("options", &["single_choice", "multiple_choice"]),
    ("options_from", &["single_choice", "multiple_choice"]),
    ("max_choices", &["multiple_choice"]),
    ("min", &["number"]),
    ("max", &["number"]),
    ("unit", &["number"]),
    ("low_label", &["likert"]),
];

fn question(
    f: &mut Found,
    q: &QuestionFile,
    earlier: &[Question],
    languages: &[String],
) -> Option<Question> {
    let id = q.id.as_str();
    let qid = Some(id);
    let before = f.problems.len();
    if !is_slug(id, '_') {
        f.add(
            qid,
            format!("question id `{id}` is not valid"),
            "use lowercase letters, digits and `_`, starting with a letter, at most 64 characters",
        );
    }
    if earlier.iter().any(|e| e.id == id) {
        f.add(
            qid,
            format!("question id `{id}` is used twice"),
            "give every question its own id",
        );
    }
    let label = texts(f, qid, "label", &q.label, languages);
    let help = q.help.as_ref().map(|h| texts(f, qid, "help", h, languages));
    let present = |field: &str| match field {
        "options" => q.options.is_some(),
        "options_from" => q.options_from.is_some(),
        "max_choices" => q.max_choices.is_some(),
        "min" => q.min.is_some(),
        "max" => q.max.is_some(),
        "unit" => q.unit.is_some(),
        _ => q.low_label.is_some() || q.high_label.is_some(),
    };
    const KINDS: [&str; 6] = [
        "single_choice",
        "multiple_choice",
        "yes_no",
        "likert",
        "number",
        "country",
    ];
    if !KINDS.contains(&q.kind.as_str()) {
        let fix = if q.kind.contains("text") {
            "Canvass has no free-text questions, since text can identify a seller: offer options instead".to_owned()
        } else {
            format!("use one of: {}", KINDS.join(", "))
        };
        f.add(qid, format!("unknown question type `{}`", q.kind), fix);
        return None;
    }
    for (field, kinds) in TYPED_FIELDS {
        if present(field) && !kinds.contains(&q.kind.as_str()) {
            let field = if field == "low_label" {
                "low_label/high_label"
            } else {
                field
            };
            f.add(
                qid,
                format!("`{field}` does not apply to a {} question", q.kind),
                format!("remove it, or change the type to {}", kinds.join(" or ")),
            );
        }
    }
    let show_if = q
        .show_if
        .as_ref()
        .and_then(|c| condition(f, id, c, earlier));
    let kind = match q.kind.as_str() {
        "single_choice" | "multiple_choice" => {
            let options = choice_options(f, q, earlier, languages);
            if q.kind == "single_choice" {
                Kind::SingleChoice { options }
            } else {
                let max_choices = match q.max_choices {
                    None => None,
                    Some(m) => match u32::try_from(m)
                        .ok()
                        .filter(|m| *m >= 1 && (*m as usize) <= options.len().max(1))
                    {
                        Some(m) => Some(m),
                        None => {
                            f.add(
                                qid,
                                format!("max_choices = {m} is out of range"),
                                format!(
                                    "use a number from 1 to the number of options ({})",
                                    options.len()
                                ),
                            );
                            None
                        }
                    },
                };
                Kind::MultipleChoice {
                    options,
                    max_choices,
                }
            }
        }
        "yes_no" => Kind::YesNo {
            options: YES_NO_OPTIONS
                .iter()
                .map(|id| Choice {
                    id: (*id).to_owned(),
                    label: Localized(
                        languages
                            .iter()
                            .map(|l| (l.clone(), yes_no_label(id, l).to_owned()))
                            .collect(),
                    ),
                })
                .collect(),
        },
        "likert" => {
            let mut end = |field: &str, given: &Option<Texts>| match given {
                Some(t) => texts(f, qid, field, t, languages),
                None => {
                    f.add(qid, format!("a likert question needs `{field}`"),
                        format!("add `{field} = {{ en = \"…\", es = \"…\", fr = \"…\" }}` for the end of the scale"));
                    Localized::default()
                }
            };
            let low_label = end("low_label", &q.low_label);
            let high_label = end("high_label", &q.high_label);
            Kind::Likert {
                low_label,
                high_label,
            }
        }
        "number" => {
            let (min, max) = match (q.min, q.max) {
                (Some(min), Some(max))
                    if min < max && min > -1_000_000_000 && max < 1_000_000_000 =>
                {
                    (min, max)
                }
                (Some(min), Some(max)) => {
                    f.add(
                        qid,
                        format!("bounds min = {min}, max = {max} are not valid"),
                        "set min below max, both within ±999999999",
                    );
                    (0, 0)
                }
                _ => {
                    f.add(
                        qid,
                        "a number question needs both `min` and `max`",
                        "add inclusive bounds, e.g. `min = 0` and `max = 100`",
                    );
                    (0, 0)
                }
            };
            let unit = q
                .unit
                .as_ref()
                .map(|u| texts(f, qid, "unit", u, languages))
                .unwrap_or_default();
            Kind::Number { min, max, unit }
        }
        _ => Kind::Country {
            options: countries::choices(languages),
        },
    };
    (f.problems.len() == before).then(|| Question {
        id: id.to_owned(),
        label,
        help,
        required: q.required,
        show_if,
        options_from: q.options_from.clone(),
        kind,
    })
}

fn choice_options(
    f: &mut Found,
    q: &QuestionFile,
    earlier: &[Question],
    languages: &[String],
) -> Vec<Choice> {
    let qid = Some(q.id.as_str());
    match (&q.options, &q.options_from) {
        (Some(_), Some(_)) => {
            f.add(
                qid,
                "both `options` and `options_from` are given",
                "keep one of them",
            );
            Vec::new()
        }
        (None, None) => {
            f.add(
                qid,
                format!("a {} question needs options", q.kind),
                "add [[questions.options]] tables, or `options_from = \"<earlier question>\"`",
            );
            Vec::new()
        }
        (None, Some(from)) => match earlier.iter().find(|e| &e.id == from) {
            Some(source)
                if !source.kind.options().is_empty()
                    && matches!(
                        source.kind,
                        Kind::SingleChoice { .. } | Kind::MultipleChoice { .. }
                    ) =>
            {
                source.kind.options().to_vec()
            }
            Some(_) => {
                f.add(
                    qid,
                    format!("`options_from = \"{from}\"` names a question without its own options"),
                    "name an earlier single or multiple choice question",
                );
                Vec::new()
            }
            None => {
                f.add(
                    qid,
                    format!("`options_from = \"{from}\"` names no earlier question"),
                    "name a single or multiple choice question that comes before this one",
                );
                Vec::new()
            }
        },
        (Some(options), None) => options_list(f, q, options, languages),
    }
}

fn options_list(
    f: &mut Found,
    q: &QuestionFile,
    options: &[OptionFile],
    languages: &[String],
) -> Vec<Choice> {
    let qid = Some(q.id.as_str());
    if options.len() < 2 {
        f.add(
            qid,
            format!("the option list has {} option(s)", options.len()),
            "give at least two options",
        );
    }
    let mut ids = BTreeSet::new();
    options
        .iter()
        .map(|o| {
            if !is_slug(&o.id, '_') {
                f.add(
                    qid,
                    format!("option id `{}` is not valid", o.id),
                    "use lowercase letters, digits and `_`, starting with a letter",
                );
            }
            if !ids.insert(o.id.as_str()) {
                f.add(
                    qid,
                    format!("option id `{}` is used twice", o.id),
                    "give every option its own id",
                );
            }
            let label = texts(
                f,
                qid,
                &format!("options.{}.label", o.id),
                &o.label,
                languages,
            );
            Choice {
                id: o.id.clone(),
                label,
            }
        })
        .collect()
}

fn condition(
    f: &mut Found,
    id: &str,
    c: &crate::definition::ConditionFile,
    earlier: &[Question],
) -> Option<Condition> {
    let qid = Some(id);
    if c.question == id {
        f.add(
            qid,
            "`show_if` refers to the question itself (a cycle)",
            "refer to an earlier question",
        );
        return None;
    }
    let Some(source) = earlier.iter().find(|e| e.id == c.question) else {
        f.add(qid, format!("`show_if` refers to `{}`, which is not an earlier question", c.question),
            "skip logic may only depend on questions asked before this one: move the question or fix the id");
        return None;
    };
    let options = source.kind.options();
    if options.is_empty() {
        f.add(
            qid,
            format!(
                "`show_if` refers to `{}`, a {} question",
                c.question,
                source.kind.name()
            ),
            "skip logic can depend on choice, yes/no and country questions only",
        );
        return None;
    }
    if c.any_of.is_empty() {
        f.add(
            qid,
            "`show_if.any_of` is empty, so the question would never be shown",
            "list the answers that show it",
        );
    }
    for value in &c.any_of {
        if !options.iter().any(|o| &o.id == value) {
            f.add(
                qid,
                format!(
                    "`show_if.any_of` has `{value}`, which is not an option of `{}`",
                    c.question
                ),
                format!("use option ids of `{}`", c.question),
            );
        }
    }
    Some(Condition {
        question: c.question.clone(),
        any_of: c.any_of.clone(),
    })
}

/// What `check_dir` found: the surveys that are sound, every problem, and the lock as it
/// should be after freezing (when asked to).
#[derive(Debug, Default)]
pub struct Report {
    pub surveys: Vec<Survey>,
    pub problems: Vec<Problem>,
    pub files_read: usize,
    pub newly_frozen: Vec<(String, u32)>,
}

/// Checks every `{id}/v{version}.toml` below `dir` against each other and `dir/lock.toml`.
/// With `freeze`, published versions missing from the lock are added to it (and written).
pub fn check_dir(dir: &Path, freeze: bool) -> Report {
    let mut report = Report::default();
    let lock_path = dir.join(LOCK_FILE);
    let mut lock = match Lock::load(&lock_path) {
        Ok(lock) => lock,
        Err(problem) => {
            report.problems.push(problem);
            return report;
        }
    };
    let mut files = Vec::new();
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            for entry in entries.flatten() {
                let path = entry.path();
                if let Some(inner) = path
                    .is_dir()
                    .then(|| std::fs::read_dir(&path).ok())
                    .flatten()
                {
                    files.extend(
                        inner
                            .flatten()
                            .map(|e| e.path())
                            .filter(|p| p.extension().is_some_and(|e| e == "toml")),
                    );
                }
            }
        }
        Err(e) => {
            report.problems.push(Problem {
                file: dir.to_owned(),
                question: None,
                message: format!("cannot read the surveys folder: {e}"),
                fix: "pass the folder that holds one sub-folder per survey".into(),
            });
            return report;
        }
    }
    let sources = files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).map_err(|e| e.to_string());
            (path, text)
        })
        .collect();
    check_all(dir, &lock_path, &mut lock, sources, freeze, &mut report);
    if freeze && !report.newly_frozen.is_empty() && report.problems.is_empty() {
        report.problems.extend(lock.save(&lock_path).err());
    }
    report
}

/// Checks survey files held in memory (such as the surveys compiled into the Lambda binary)
/// exactly as [`check_dir`] checks a folder. `files` are `{id}/v{version}.toml` paths
/// relative to the surveys folder `dir`, with their text; `lock` is the text of its lock file.
pub fn check_sources(dir: &Path, lock: Option<&str>, files: &[(PathBuf, String)]) -> Report {
    let mut report = Report::default();
    let lock_path = dir.join(LOCK_FILE);
    let mut lock = match lock.map(|text| Lock::parse(&lock_path, text)).transpose() {
        Ok(lock) => lock.unwrap_or_default(),
        Err(problem) => {
            report.problems.push(problem);
            return report;
        }
    };
    let sources = files
        .iter()
        .map(|(path, text)| (dir.join(path), Ok(text.clone())))
        .collect();
    check_all(dir, &lock_path, &mut lock, sources, false, &mut report);
    report
}

/// The checks shared by [`check_dir`] and [`check_sources`]: each file on its own, then the
/// files against each other and the lock.
fn check_all(
    dir: &Path,
    lock_path: &Path,
    lock: &mut Lock,
    mut sources: Vec<(PathBuf, Result<String, String>)>,
    freeze: bool,
    report: &mut Report,
) {
    sources.sort_by(|a, b| a.0.cmp(&b.0));
    let mut seen: BTreeMap<(String, u32), PathBuf> = BTreeMap::new();
    for (path, text) in sources {
        report.files_read += 1;
        let Some(survey) = check_text(&path, text, &mut report.problems) else {
            continue;
        };
        let expected = PathBuf::from(&survey.id).join(format!("v{}.toml", survey.version));
        if !path.ends_with(&expected) {
            report.problems.push(Problem {
                file: path.clone(),
                question: None,
                message: format!(
                    "survey `{}` version {} is not where it belongs",
                    survey.id, survey.version
                ),
                fix: format!("name the file {}", dir.join(&expected).display()),
            });
            continue;
        }
        if let Some(other) = seen.insert((survey.id.clone(), survey.version), path.clone()) {
            report.problems.push(Problem {
                file: path.clone(),
                question: None,
                message: format!(
                    "version {} of `{}` is also defined in {}",
                    survey.version,
                    survey.id,
                    other.display()
                ),
                fix: "keep one file per version".into(),
            });
            continue;
        }
        lock.verify(&path, &survey, freeze, report);
        report.surveys.push(survey);
    }
    lock.verify_nothing_missing(lock_path, &report.surveys, &mut report.problems);
    let mut open: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    for s in report.surveys.iter().filter(|s| s.status == Status::Open) {
        open.entry(&s.id).or_default().push(s.version);
    }
    for (id, versions) in open.into_iter().filter(|(_, v)| v.len() > 1) {
        report.problems.push(Problem {
            file: dir.join(id),
            question: None,
            message: format!("survey `{id}` has several open versions: {versions:?}"),
            fix: "close every version but one (status = \"closed\")".into(),
        });
    }
}

/// Parses and builds one file's text (or reports why it could not be read).
fn check_text(
    path: &Path,
    text: Result<String, String>,
    problems: &mut Vec<Problem>,
) -> Option<Survey> {
    let source = match text {
        Ok(s) => s,
        Err(e) => {
            problems.push(Problem {
                file: path.to_owned(),
                question: None,
                message: format!("cannot read the file: {e}"),
                fix: "make it a readable UTF-8 text file".into(),
            });
            return None;
        }
    };
    let file = parse(path, &source).map_err(|p| problems.push(p)).ok()?;
    build(path, &file).map_err(|p| problems.extend(p)).ok()
}

/// Reads, parses and builds one file, adding what is wrong to `problems`.
pub fn check_file(path: &Path, problems: &mut Vec<Problem>) -> Option<Survey> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string());
    check_text(path, text, problems)
}
