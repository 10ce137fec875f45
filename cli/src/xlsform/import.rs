//! The mapping from an XLSForm workbook to a Canvass survey file, collecting every problem.
//!
//! Each XLSForm column and type either maps to one field of [`SurveyFile`] or is refused
//! with its sheet, row, column and reason (see `refusals.rs`); nothing is dropped. What is
//! left to `canvass check` (slugs, duplicates, option counts, values of skip logic) is
//! checked by the caller on the result, located through [`Imported::rows`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use canvass_core::definition::{
    ConditionFile, DisclosureFile, OptionFile, QuestionFile, SurveyFile, Texts,
};
use canvass_core::survey::Status;
use canvass_core::wave::WaveLength;

use super::expr;
use super::language;
use super::problem::SheetProblem;
use super::refusals::{self, Refusal};
use super::sheet::{CHOICES, KNOWN_SHEETS, MESSAGES, Row, SETTINGS, SURVEY, Sheet, Workbook};

/// Canvass's built-in yes / no / prefer-not question, as an XLSForm list name.
pub const YES_NO_LIST: &str = "canvass_yes_no";
/// Canvass's built-in country question (ISO 3166-1 codes, CLDR names), as a list name.
pub const COUNTRY_LIST: &str = "canvass_country";
/// The survey sheet's first row, a note with this name, is the survey's introduction.
pub const INTRO: &str = "intro";
/// The choice names of a likert list: Canvass's scale is 1 to 5.
pub const LIKERT_NAMES: [&str; 5] = ["1", "2", "3", "4", "5"];

/// A workbook turned into a survey file (version and status still to be decided).
#[derive(Debug, Clone)]
pub struct Imported {
    pub file: SurveyFile,
    /// Where each question is, to locate what `canvass check` finds.
    pub rows: BTreeMap<String, (PathBuf, u32)>,
    /// Rows given for a built-in list, compared with Canvass's own once the survey is built.
    pub built_in: Vec<BuiltInRows>,
    /// `version` from the settings sheet, if any: the caller says where the file really goes.
    pub settings_version: Option<String>,
}

/// The rows of `canvass_yes_no` or `canvass_country` as the workbook gives them.
#[derive(Debug, Clone)]
pub struct BuiltInRows {
    pub list: String,
    /// The first question that uses the list.
    pub question: String,
    pub file: PathBuf,
    pub rows: Vec<(u32, String, Texts)>,
}

struct Found {
    problems: Vec<SheetProblem>,
    /// (sheet, column) pairs already reported as missing, so a missing language column is
    /// said once, not once per row.
    missing_columns: BTreeSet<(String, String)>,
}

impl Found {
    fn at(
        &mut self,
        sheet: &Sheet,
        row: Option<u32>,
        column: Option<&str>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.problems.push(SheetProblem {
            file: sheet.file.clone(),
            sheet: Some(sheet.name.clone()),
            row,
            column: column.map(str::to_owned),
            message: message.into(),
            fix: fix.into(),
        });
    }

    fn refuse(
        &mut self,
        sheet: &Sheet,
        row: Option<u32>,
        column: Option<&str>,
        what: String,
        r: Refusal,
    ) {
        self.at(sheet, row, column, format!("{what}: {}", r.reason), r.fix);
    }
}

/// What one sheet's columns mean.
struct Spec {
    /// Canonical name and its aliases (pyxform's), for columns that are not translated.
    singles: &'static [(&'static str, &'static [&'static str])],
    /// Columns with one text per language (`label::English (en)`).
    texts: &'static [&'static str],
    refuse: fn(&str) -> Refusal,
}

const SURVEY_SPEC: Spec = Spec {
    singles: &[
        ("type", &[]),
        ("name", &[]),
        ("required", &[]),
        ("relevant", &["relevance"]),
        ("constraint", &[]),
        ("choice_filter", &[]),
        ("appearance", &[]),
    ],
    texts: &["label", "hint", "canvass_unit"],
    refuse: refusals::of_survey_column,
};

const CHOICES_SPEC: Spec = Spec {
    singles: &[("list_name", &["list name"]), ("name", &["value"])],
    texts: &["label"],
    refuse: |_| refusals::UNKNOWN_COLUMN,
};

const SETTINGS_SPEC: Spec = Spec {
    singles: &[
        ("form_id", &["set_form_id", "id_string"]),
        ("form_title", &["set_form_title"]),
        ("version", &[]),
        ("default_language", &[]),
        ("canvass_wave", &[]),
        ("canvass_disclosure_k", &[]),
        ("canvass_count_unverified", &[]),
        ("canvass_low_reliability_below", &[]),
        ("canvass_min_group_size", &[]),
    ],
    texts: &["canvass_title"],
    refuse: refusals::of_setting,
};

const MESSAGES_SPEC: Spec = Spec {
    singles: &[("name", &[])],
    texts: &["message"],
    refuse: |_| refusals::UNKNOWN_COLUMN,
};

/// Which column holds what, on one sheet.
struct Layout<'a> {
    sheet: &'a Sheet,
    singles: BTreeMap<&'static str, usize>,
    /// Text columns by base name: (language code, or None for a plain `label`, column).
    texts: BTreeMap<&'static str, Vec<(Option<String>, usize)>>,
}

fn layout<'a>(f: &mut Found, sheet: &'a Sheet, spec: &Spec) -> Layout<'a> {
    let mut out = Layout {
        sheet,
        singles: BTreeMap::new(),
        texts: BTreeMap::new(),
    };
    for (index, header) in sheet.header.iter().enumerate() {
        let header = header.trim();
        let used_in = |sheet: &Sheet| -> Vec<u32> {
            sheet
                .rows
                .iter()
                .filter(|r| !r.get(index).is_empty())
                .map(|r| r.number)
                .collect()
        };
        if header.is_empty() {
            for row in used_in(sheet) {
                f.at(
                    sheet,
                    Some(row),
                    Some(&format!("(column {})", column_letter(index))),
                    "this cell is in a column without a header, so its meaning is unknown",
                    "give the column its XLSForm header, or clear it",
                );
            }
            continue;
        }
        let (base, lang) = language::split_header(header);
        let single = spec
            .singles
            .iter()
            .find(|(name, aliases)| *name == base || aliases.contains(&base.as_str()))
            .map(|(name, _)| *name);
        let text = spec.texts.iter().find(|t| **t == base).copied();
        match (single, text, lang) {
            (Some(name), _, None) => {
                if out.singles.insert(name, index).is_some() {
                    f.at(
                        sheet,
                        Some(1),
                        Some(header),
                        format!("a second `{name}` column"),
                        "keep one of them",
                    );
                }
            }
            (_, Some(name), language) => {
                let code = match &language {
                    Some(l) => match language::code_of(l) {
                        Some(code) => Some(code),
                        None => {
                            f.at(
                                sheet,
                                Some(1),
                                Some(header),
                                format!("`{l}` names no language code"),
                                format!(
                                    "write the language XLSForm's way with its code, e.g. `{name}::Spanish (es)` or `{name}::es`"
                                ),
                            );
                            continue;
                        }
                    },
                    None => None,
                };
                out.texts.entry(name).or_default().push((code, index));
            }
            _ => {
                let refusal = (spec.refuse)(&base);
                for row in used_in(sheet) {
                    f.refuse(
                        sheet,
                        Some(row),
                        Some(header),
                        format!("column `{header}`"),
                        refusal,
                    );
                }
            }
        }
    }
    out
}

/// `A`, `B`, … `Z`, `AA`: how a spreadsheet names a column.
fn column_letter(mut index: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ASCII")
}

impl Layout<'_> {
    fn single<'r>(&self, row: &'r Row, name: &str) -> &'r str {
        self.singles.get(name).map(|i| row.get(*i)).unwrap_or("")
    }

    fn header(&self, index: usize) -> &str {
        self.sheet.header[index].trim()
    }

    fn single_header(&self, name: &str) -> String {
        self.singles
            .get(name)
            .map(|i| self.header(*i).to_owned())
            .unwrap_or_else(|| name.to_owned())
    }

    /// Gives plain (untranslated) columns the default language and reports columns that
    /// end up in the same language twice.
    fn resolve(&mut self, f: &mut Found, default: Option<&str>) {
        let sheet = self.sheet;
        for (base, columns) in &mut self.texts {
            let mut seen = BTreeSet::new();
            for (code, index) in columns.iter_mut() {
                let header = sheet.header[*index].trim().to_owned();
                if code.is_none() {
                    match default {
                        Some(d) => *code = Some(d.to_owned()),
                        None => {
                            f.at(
                                sheet,
                                Some(1),
                                Some(&header),
                                format!("column `{header}` does not say its language"),
                                format!("name it `{base}::English (en)` (or the language it is in), or set `default_language` in the settings sheet"),
                            );
                            continue;
                        }
                    }
                }
                let code = code.clone().expect("set above");
                if !seen.insert(code.clone()) {
                    f.at(
                        sheet,
                        Some(1),
                        Some(&header),
                        format!("a second `{base}` column in language `{code}`"),
                        "keep one column per language",
                    );
                }
            }
            columns.retain(|(code, _)| code.is_some());
        }
    }

    /// The texts of `base` on `row`, by language; a text that inserts an answer is refused.
    fn texts(&self, f: &mut Found, row: &Row, base: &str) -> Texts {
        let mut out = Texts::new();
        for (code, index) in self.texts.get(base).into_iter().flatten() {
            let text = row.get(*index);
            if text.is_empty() {
                continue;
            }
            if text.contains("${") {
                f.refuse(
                    self.sheet,
                    Some(row.number),
                    Some(self.header(*index)),
                    format!("`{text}`"),
                    refusals::PIPED_TEXT,
                );
            }
            out.insert(code.clone().expect("resolved"), text.to_owned());
        }
        out
    }

    /// Reports every language of the survey that `texts` lacks on this row.
    fn require(
        &self,
        f: &mut Found,
        row: &Row,
        base: &str,
        texts: &Texts,
        languages: &[String],
        what: &str,
    ) {
        for lang in languages.iter().filter(|l| !texts.contains_key(*l)) {
            let column = self
                .texts
                .get(base)
                .into_iter()
                .flatten()
                .find(|(code, _)| code.as_deref() == Some(lang.as_str()));
            match column {
                Some((_, index)) => f.at(
                    self.sheet,
                    Some(row.number),
                    Some(self.header(*index)),
                    format!("{what} has no {} text", language::display(lang)),
                    "write it: every text must exist in every language of the survey",
                ),
                None => {
                    let header = language::column(base, lang);
                    if f.missing_columns
                        .insert((self.sheet.name.clone(), header.clone()))
                    {
                        f.at(
                            self.sheet,
                            None,
                            Some(&header),
                            format!("the sheet has no `{header}` column, so {what} and every other `{base}` text on it lack {}", language::display(lang)),
                            format!("add a `{header}` column and translate every {base}"),
                        );
                    }
                }
            }
        }
    }
}

fn yes_no(text: &str) -> Option<bool> {
    match text {
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "true()" | "1" => Some(true),
        "" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "false()" | "0" => Some(false),
        _ => None,
    }
}

/// One choice row, as read from the choices sheet.
struct ChoiceRow<'a> {
    row: &'a Row,
    name: String,
    label: Texts,
}

/// A question already mapped, as later rows may refer to it.
struct Earlier {
    id: String,
    list: Option<String>,
    kind: String,
}

/// Turns a workbook into a survey file; `id` (from `--id`) overrides the settings' form_id.
pub fn to_survey(workbook: &Workbook, id: Option<&str>) -> Result<Imported, Vec<SheetProblem>> {
    let mut f = Found {
        problems: Vec::new(),
        missing_columns: BTreeSet::new(),
    };
    let f = &mut f;
    for sheet in &workbook.sheets {
        let known = KNOWN_SHEETS
            .iter()
            .any(|k| sheet.name.trim().eq_ignore_ascii_case(k));
        let has_content =
            !sheet.rows.is_empty() || sheet.header.iter().any(|h| !h.trim().is_empty());
        if !known && has_content {
            f.refuse(
                sheet,
                None,
                None,
                format!("sheet `{}`", sheet.name),
                refusals::of_sheet(&sheet.name),
            );
        }
    }
    let Some(survey_sheet) = workbook.sheet(SURVEY) else {
        let file = workbook
            .sheets
            .first()
            .map(|s| s.file.clone())
            .unwrap_or_default();
        f.problems.push(SheetProblem {
            file,
            sheet: None,
            row: None,
            column: None,
            message: "the workbook has no `survey` sheet".into(),
            fix: "name the sheet of questions `survey` (XLSForm's survey, choices and settings sheets; see surveys/README.md)".into(),
        });
        return Err(std::mem::take(&mut f.problems));
    };
    let empty = |name: &str| Sheet {
        name: name.to_owned(),
        file: survey_sheet.file.clone(),
        ..Sheet::default()
    };
    let (choices_empty, settings_empty, messages_empty) =
        (empty(CHOICES), empty(SETTINGS), empty(MESSAGES));
    let choices_sheet = workbook.sheet(CHOICES).unwrap_or(&choices_empty);
    let settings_sheet = workbook.sheet(SETTINGS).unwrap_or(&settings_empty);
    let messages_sheet = workbook.sheet(MESSAGES).unwrap_or(&messages_empty);

    let mut survey = layout(f, survey_sheet, &SURVEY_SPEC);
    let mut choices = layout(f, choices_sheet, &CHOICES_SPEC);
    let mut settings = layout(f, settings_sheet, &SETTINGS_SPEC);
    let mut messages = layout(f, messages_sheet, &MESSAGES_SPEC);

    // Settings: one row of values under the header.
    for extra in settings_sheet.rows.iter().skip(1) {
        f.at(
            settings_sheet,
            Some(extra.number),
            None,
            "the settings sheet has more than one row of values",
            "keep the header and one row of values",
        );
    }
    let no_row = Row {
        number: 2,
        cells: Vec::new(),
    };
    let setting_row = settings_sheet.rows.first().unwrap_or(&no_row);

    // Languages: the default first, then every other in the order its columns appear.
    let default = match settings.single(setting_row, "default_language") {
        "" => None,
        given => match language::code_of(given) {
            Some(code) => Some(code),
            None => {
                f.at(
                    settings_sheet,
                    Some(setting_row.number),
                    Some(&settings.single_header("default_language")),
                    format!("default_language `{given}` names no language code"),
                    "write it with its code, e.g. `English (en)`",
                );
                None
            }
        },
    };
    let mut languages: Vec<String> = default.iter().cloned().collect();
    for l in [&survey, &choices, &settings, &messages] {
        for columns in l.texts.values() {
            for (code, _) in columns {
                if let Some(code) = code
                    && !languages.contains(code)
                {
                    languages.push(code.clone());
                }
            }
        }
    }
    // A plain `label` column is in the default language (XLSForm's "default").
    let default = default.or_else(|| languages.first().cloned());
    if languages.is_empty() && default.is_none() {
        f.at(survey_sheet, Some(1), None, "no column says which language it is in",
            "name the text columns by language, e.g. `label::English (en)`, `label::Spanish (es)`, `label::French (fr)`");
    }
    for l in [&mut survey, &mut choices, &mut settings, &mut messages] {
        l.resolve(f, default.as_deref());
    }

    let settings_file = settings_fields(f, &settings, setting_row, &languages, id);
    let lists = choice_lists(f, &choices);
    let mut used_lists = BTreeSet::new();
    let mut intro = None;
    let mut questions: Vec<QuestionFile> = Vec::new();
    let mut earlier: Vec<Earlier> = Vec::new();
    let mut rows = BTreeMap::new();
    let mut built_in = Vec::new();
    let languages_ref = &languages;

    for row in &survey_sheet.rows {
        let kind_cell = survey.single(row, "type");
        let type_header = survey.single_header("type");
        let name = survey.single(row, "name").to_owned();
        if kind_cell.is_empty() {
            f.at(
                survey_sheet,
                Some(row.number),
                Some(&type_header),
                "this row has no type",
                "give it a type (select_one LIST, select_multiple LIST, integer) or clear the row",
            );
            continue;
        }
        let words: Vec<&str> = kind_cell.split_whitespace().collect();
        let head = words[0].to_lowercase();
        let collapsed = words.join(" ");
        if head == "note" && name == INTRO && questions.is_empty() && intro.is_none() {
            for column in [
                "required",
                "relevant",
                "constraint",
                "choice_filter",
                "appearance",
            ] {
                if !survey.single(row, column).is_empty() {
                    f.at(
                        survey_sheet,
                        Some(row.number),
                        Some(&survey.single_header(column)),
                        format!("the `intro` note takes no `{column}`"),
                        "clear the cell",
                    );
                }
            }
            for base in ["hint", "canvass_unit"] {
                if !survey.texts(f, row, base).is_empty() {
                    f.at(
                        survey_sheet,
                        Some(row.number),
                        Some(base),
                        format!("the `intro` note takes no {base}"),
                        "put the whole introduction in its label",
                    );
                }
            }
            let texts = survey.texts(f, row, "label");
            survey.require(f, row, "label", &texts, languages_ref, "the introduction");
            intro = Some(texts);
            continue;
        }
        let (select, list) = match (head.as_str(), words.len()) {
            ("select_one" | "select_multiple", 2) => {
                (Some(head.clone()), Some(words[1].to_owned()))
            }
            ("select_one" | "select_multiple", 3) if words[2].eq_ignore_ascii_case("or_other") => {
                f.refuse(
                    survey_sheet,
                    Some(row.number),
                    Some(&type_header),
                    format!("type `{collapsed}`"),
                    refusals::OR_OTHER,
                );
                continue;
            }
            ("select_one" | "select_multiple", _) => {
                f.at(
                    survey_sheet,
                    Some(row.number),
                    Some(&type_header),
                    format!("type `{collapsed}` names no single choice list"),
                    format!("write `{head} LIST`, LIST being a list_name of the choices sheet"),
                );
                continue;
            }
            ("integer" | "int", 1) => (None, None),
            _ => {
                let refusal = refusals::of_type(&collapsed)
                    .or_else(|| refusals::of_type(&head))
                    .unwrap_or(refusals::UNKNOWN_TYPE);
                f.refuse(
                    survey_sheet,
                    Some(row.number),
                    Some(&type_header),
                    format!("type `{collapsed}`"),
                    refusal,
                );
                continue;
            }
        };
        if name.is_empty() {
            f.at(
                survey_sheet,
                Some(row.number),
                Some(&survey.single_header("name")),
                "this question has no name",
                "give it a name: lowercase letters, digits and `_`, starting with a letter",
            );
            continue;
        }
        rows.insert(name.clone(), (survey_sheet.file.clone(), row.number));
        let at = |column: &str| (Some(row.number), survey.single_header(column));
        let required = match yes_no(survey.single(row, "required")) {
            Some(r) => r,
            None => {
                let (r, c) = at("required");
                f.at(survey_sheet, r, Some(&c), format!("required `{}` is not yes or no", survey.single(row, "required")),
                    "write yes or leave it empty: a question shown only sometimes is required only when shown");
                false
            }
        };
        let label = survey.texts(f, row, "label");
        survey.require(
            f,
            row,
            "label",
            &label,
            languages_ref,
            &format!("question `{name}`"),
        );
        let hint = survey.texts(f, row, "hint");
        if !hint.is_empty() {
            survey.require(
                f,
                row,
                "hint",
                &hint,
                languages_ref,
                &format!("the hint of `{name}`"),
            );
        }
        let unit = survey.texts(f, row, "canvass_unit");
        let show_if = match survey.single(row, "relevant") {
            "" => None,
            text => match expr::relevant(text) {
                Some((question, any_of)) => {
                    match earlier.iter().find(|e| e.id == question) {
                        None => {
                            let (r, c) = at("relevant");
                            f.at(survey_sheet, r, Some(&c), format!("`relevant` refers to `${{{question}}}`, which is not an earlier question"),
                                "skip logic may depend only on a question asked before this one: move the row or correct the name");
                        }
                        Some(e)
                            if !matches!(
                                e.kind.as_str(),
                                "single_choice" | "multiple_choice" | "yes_no" | "country"
                            ) =>
                        {
                            let (r, c) = at("relevant");
                            f.at(survey_sheet, r, Some(&c), format!("`relevant` depends on `{question}`, an {} question", if e.kind == "number" { "integer" } else { "likert" }),
                                "skip logic can depend on select_one and select_multiple questions only");
                        }
                        Some(_) => {}
                    }
                    Some(ConditionFile { question, any_of })
                }
                None => {
                    let (r, c) = at("relevant");
                    f.at(survey_sheet, r, Some(&c), format!("`relevant` `{text}` is not skip logic Canvass can store"),
                        "write `selected(${QUESTION}, 'OPTION')` or `${QUESTION} = 'OPTION'`, several joined by `or`, all about one earlier select question");
                    None
                }
            },
        };
        let constraint = survey.single(row, "constraint");
        let choice_filter = survey.single(row, "choice_filter");
        let appearance = survey.single(row, "appearance");
        let mut q = QuestionFile {
            id: name.clone(),
            kind: String::new(),
            required,
            label,
            help: (!hint.is_empty()).then_some(hint),
            show_if,
            options: None,
            options_from: None,
            max_choices: None,
            min: None,
            max: None,
            unit: None,
            low_label: None,
            high_label: None,
        };
        let refuse_cell = |f: &mut Found, column: &str, text: &str, why: &str, fix: &str| {
            let (r, c) = at(column);
            f.at(
                survey_sheet,
                r,
                Some(&c),
                format!("`{column}` `{text}` {why}"),
                fix,
            );
        };
        if !unit.is_empty() && select.is_some() {
            f.at(
                survey_sheet,
                Some(row.number),
                Some("canvass_unit"),
                format!("question `{name}` is not an integer, so it takes no unit"),
                "clear the canvass_unit cells",
            );
        }
        match (select.as_deref(), list) {
            (None, _) => {
                q.kind = "number".into();
                match expr::bounds(constraint) {
                    Some((min, max)) => (q.min, q.max) = (Some(min), Some(max)),
                    None if constraint.is_empty() => {
                        let (r, c) = at("constraint");
                        f.at(survey_sheet, r, Some(&c), format!("integer `{name}` has no bounds"),
                            "Canvass numbers are bounded: write `. >= MIN and . <= MAX` in `constraint`, e.g. `. >= 0 and . <= 100`");
                    }
                    None => refuse_cell(
                        f,
                        "constraint",
                        constraint,
                        "is not a pair of bounds Canvass can store",
                        "write `. >= MIN and . <= MAX` with whole numbers, e.g. `. >= 0 and . <= 60`",
                    ),
                }
                if !unit.is_empty() {
                    survey.require(
                        f,
                        row,
                        "canvass_unit",
                        &unit,
                        languages_ref,
                        &format!("the unit of `{name}`"),
                    );
                    q.unit = Some(unit);
                }
                for column in ["choice_filter", "appearance"] {
                    let text = survey.single(row, column);
                    if !text.is_empty() {
                        let refusal = refusals::of_survey_column(column);
                        refuse_cell(f, column, text, "does not apply to an integer", refusal.fix);
                    }
                }
            }
            (Some(select), Some(list)) => {
                let multiple = select == "select_multiple";
                let built = list == YES_NO_LIST || list == COUNTRY_LIST;
                used_lists.insert(list.clone());
                if built {
                    if multiple {
                        f.at(survey_sheet, Some(row.number), Some(&type_header),
                            format!("the built-in list `{list}` is for select_one only"),
                            "write `select_one` here, or make a list of your own for a select_multiple");
                    }
                    q.kind = if list == YES_NO_LIST {
                        "yes_no"
                    } else {
                        "country"
                    }
                    .into();
                    if let Some(given) = lists.get(&list)
                        && !built_in.iter().any(|b: &BuiltInRows| b.list == list)
                    {
                        built_in.push(BuiltInRows {
                            list: list.clone(),
                            question: name.clone(),
                            file: choices_sheet.file.clone(),
                            rows: given
                                .iter()
                                .map(|c| (c.row.number, c.name.clone(), c.label.clone()))
                                .collect(),
                        });
                    }
                    for column in ["constraint", "choice_filter", "appearance"] {
                        let text = survey.single(row, column);
                        if !text.is_empty() {
                            refuse_cell(
                                f,
                                column,
                                text,
                                &format!("does not apply to the built-in list `{list}`"),
                                "clear the cell",
                            );
                        }
                    }
                } else if appearance.eq_ignore_ascii_case("likert") {
                    q.kind = "likert".into();
                    if multiple {
                        refuse_cell(
                            f,
                            "appearance",
                            appearance,
                            "applies to select_one only",
                            "write `select_one`, or clear the cell for a select_multiple",
                        );
                    }
                    match lists.get(&list) {
                        Some(choices_rows) if choices_rows.iter().map(|c| c.name.as_str()).eq(LIKERT_NAMES) => {
                            for c in &choices_rows[1..4] {
                                for (lang, text) in &c.label {
                                    if text != &c.name {
                                        let column = choices.texts.get("label").into_iter().flatten()
                                            .find(|(code, _)| code.as_deref() == Some(lang.as_str()))
                                            .map(|(_, i)| choices.header(*i).to_owned());
                                        f.at(choices_sheet, Some(c.row.number), column.as_deref(),
                                            format!("choice {} of likert list `{list}` is labelled `{text}`", c.name),
                                            format!("Canvass labels only the ends of a scale: write `{}` or leave it empty", c.name));
                                    }
                                }
                            }
                            let (low, high) = (&choices_rows[0], &choices_rows[4]);
                            choices.require(f, low.row, "label", &low.label, languages_ref, &format!("choice 1 of list `{list}`"));
                            choices.require(f, high.row, "label", &high.label, languages_ref, &format!("choice 5 of list `{list}`"));
                            q.low_label = Some(low.label.clone());
                            q.high_label = Some(high.label.clone());
                        }
                        Some(_) => f.at(survey_sheet, Some(row.number), Some(&type_header),
                            format!("appearance `likert` needs list `{list}` to have the choices 1, 2, 3, 4, 5 in that order"),
                            "name the choices 1 to 5 (Canvass's scale), labelling 1 and 5; or clear `appearance` for an ordinary select_one"),
                        None => f.at(survey_sheet, Some(row.number), Some(&type_header),
                            format!("list `{list}` is not in the choices sheet"), "add its choices to the choices sheet, or correct the list name"),
                    }
                    for column in ["constraint", "choice_filter"] {
                        let text = survey.single(row, column);
                        if !text.is_empty() {
                            refuse_cell(
                                f,
                                column,
                                text,
                                "does not apply to a likert question",
                                "clear the cell",
                            );
                        }
                    }
                } else {
                    q.kind = if multiple {
                        "multiple_choice"
                    } else {
                        "single_choice"
                    }
                    .into();
                    if !appearance.is_empty() {
                        refuse_cell(
                            f,
                            "appearance",
                            appearance,
                            &format!(
                                "is not used: {}",
                                refusals::of_survey_column("appearance").reason
                            ),
                            "clear the cell",
                        );
                    }
                    if !lists.contains_key(&list) {
                        f.at(
                            survey_sheet,
                            Some(row.number),
                            Some(&type_header),
                            format!("list `{list}` is not in the choices sheet"),
                            "add its choices to the choices sheet, or correct the list name",
                        );
                    }
                    match (choice_filter, expr::options_from(choice_filter)) {
                        ("", _) => {
                            q.options = Some(
                                lists
                                    .get(&list)
                                    .map(|rows| {
                                        rows.iter()
                                            .map(|c| OptionFile {
                                                id: c.name.clone(),
                                                label: c.label.clone(),
                                            })
                                            .collect()
                                    })
                                    .unwrap_or_default(),
                            );
                            for c in lists.get(&list).into_iter().flatten() {
                                choices.require(
                                    f,
                                    c.row,
                                    "label",
                                    &c.label,
                                    languages_ref,
                                    &format!("choice `{}` of list `{list}`", c.name),
                                );
                            }
                        }
                        (_, Some(source)) => {
                            match earlier.iter().find(|e| e.id == source) {
                                Some(e)
                                    if matches!(
                                        e.kind.as_str(),
                                        "single_choice" | "multiple_choice"
                                    ) =>
                                {
                                    if e.list.as_deref() != Some(list.as_str()) {
                                        f.at(survey_sheet, Some(row.number), Some(&type_header),
                                            format!("`choice_filter` takes the choices of `{source}`, which come from list `{}`, not `{list}`", e.list.as_deref().unwrap_or("?")),
                                            format!("write `{select} {}`", e.list.as_deref().unwrap_or("?")));
                                    }
                                }
                                Some(_) => refuse_cell(
                                    f,
                                    "choice_filter",
                                    choice_filter,
                                    &format!(
                                        "filters by `{source}`, which is not a select_one or select_multiple with a list of its own"
                                    ),
                                    "filter by an earlier select question with a list of its own",
                                ),
                                None => refuse_cell(
                                    f,
                                    "choice_filter",
                                    choice_filter,
                                    &format!(
                                        "refers to `{source}`, which is not an earlier question"
                                    ),
                                    "the choices may come only from the answers to a question asked before this one",
                                ),
                            }
                            q.options_from = Some(source);
                        }
                        (_, None) => {
                            let refusal = refusals::of_survey_column("choice_filter");
                            refuse_cell(
                                f,
                                "choice_filter",
                                choice_filter,
                                &format!("is not a filter Canvass can store: {}", refusal.reason),
                                refusal.fix,
                            );
                        }
                    }
                    match (constraint, multiple) {
                        ("", _) => {}
                        (_, true) => match expr::max_choices(constraint) {
                            Some(n) => q.max_choices = Some(n),
                            None => refuse_cell(
                                f,
                                "constraint",
                                constraint,
                                "is not a limit Canvass can store",
                                "write `count-selected(.) <= N` to allow at most N choices, or clear the cell",
                            ),
                        },
                        (_, false) => refuse_cell(
                            f,
                            "constraint",
                            constraint,
                            "does not apply to a select_one",
                            "clear the cell: a select_one's answer is one of its choices",
                        ),
                    }
                }
                earlier.push(Earlier {
                    id: name.clone(),
                    list: earlier
                        .iter()
                        .find(|e| Some(&e.id) == q.options_from.as_ref())
                        .and_then(|e| e.list.clone())
                        .or(Some(list)),
                    kind: q.kind.clone(),
                });
                questions.push(q);
                continue;
            }
            (Some(_), None) => unreachable!("a select always names its list"),
        }
        earlier.push(Earlier {
            id: name.clone(),
            list: None,
            kind: q.kind.clone(),
        });
        questions.push(q);
    }
    if intro.is_none() {
        f.at(survey_sheet, Some(2), Some(&survey.single_header("type")), "the survey has no introduction",
            "make the first row a `note` named `intro`, its label the introduction in every language");
    }
    for (list, rows) in &lists {
        if !used_lists.contains(list) {
            f.at(
                choices_sheet,
                Some(rows[0].row.number),
                Some(&choices.single_header("list_name")),
                format!("list `{list}` is used by no question"),
                "delete its rows, or use it in the survey sheet",
            );
        }
    }
    let messages = message_texts(f, &messages, messages_sheet);

    if !f.problems.is_empty() {
        return Err(std::mem::take(&mut f.problems));
    }
    let (id, title, wave, disclosure, settings_version) = settings_file;
    Ok(Imported {
        file: SurveyFile {
            id,
            version: 1,
            status: Status::Draft,
            wave,
            languages,
            title,
            intro: intro.unwrap_or_default(),
            disclosure,
            messages,
            questions,
        },
        rows,
        built_in,
        settings_version,
    })
}

type SettingsFields = (
    String,
    Texts,
    WaveLength,
    Option<DisclosureFile>,
    Option<String>,
);

fn settings_fields(
    f: &mut Found,
    settings: &Layout,
    row: &Row,
    languages: &[String],
    id: Option<&str>,
) -> SettingsFields {
    let sheet = settings.sheet;
    let at = |name: &str| (Some(row.number), settings.single_header(name));
    let form_id = match (id, settings.single(row, "form_id")) {
        (Some(id), _) => id.to_owned(),
        (None, "") => {
            let (r, c) = at("form_id");
            f.at(
                sheet,
                r,
                Some(&c),
                "the survey has no id",
                "write it in `form_id` (lowercase letters, digits and `-`), or pass --id",
            );
            String::new()
        }
        (None, given) => given.to_owned(),
    };
    let mut title = settings.texts(f, row, "canvass_title");
    if let Some(default) = languages.first() {
        let form_title = settings.single(row, "form_title");
        if !form_title.is_empty() {
            if form_title.contains("${") {
                let (r, c) = at("form_title");
                f.refuse(
                    sheet,
                    r,
                    Some(&c),
                    format!("`{form_title}`"),
                    refusals::PIPED_TEXT,
                );
            }
            match title.get(default) {
                Some(other) if other != form_title => {
                    let (r, c) = at("form_title");
                    f.at(
                        sheet,
                        r,
                        Some(&c),
                        format!(
                            "`form_title` and `{}` differ",
                            language::column("canvass_title", default)
                        ),
                        "keep one of them: form_title is the title in the default language",
                    );
                }
                _ => {
                    title.insert(default.clone(), form_title.to_owned());
                }
            }
        }
    }
    settings.require(
        f,
        row,
        "canvass_title",
        &title,
        languages,
        "the survey's title",
    );
    let wave = match settings.single(row, "canvass_wave") {
        "" | "quarter" => WaveLength::Quarter,
        "month" => WaveLength::Month,
        "year" => WaveLength::Year,
        other => {
            let (r, c) = at("canvass_wave");
            f.at(
                sheet,
                r,
                Some(&c),
                format!("canvass_wave `{other}` is not a reporting wave"),
                "write month, quarter or year (quarter if empty)",
            );
            WaveLength::Quarter
        }
    };
    let mut whole = |name: &str| -> Option<i64> {
        let text = settings.single(row, name);
        if text.is_empty() {
            return None;
        }
        text.parse()
            .map_err(|_| {
                let (r, c) = at(name);
                f.at(
                    sheet,
                    r,
                    Some(&c),
                    format!("`{name}` `{text}` is not a whole number"),
                    "write a whole number, or leave it empty for the default",
                );
            })
            .ok()
    };
    let k = whole("canvass_disclosure_k");
    let low = whole("canvass_low_reliability_below");
    let min_group = whole("canvass_min_group_size");
    let unverified_text = settings.single(row, "canvass_count_unverified");
    let unverified = match unverified_text {
        "" => None,
        text => match yes_no(text) {
            Some(b) => Some(b),
            None => {
                let (r, c) = at("canvass_count_unverified");
                f.at(
                    sheet,
                    r,
                    Some(&c),
                    format!("`canvass_count_unverified` `{text}` is not yes or no"),
                    "write yes or no, or leave it empty (yes)",
                );
                None
            }
        },
    };
    let disclosure = [
        "canvass_disclosure_k",
        "canvass_count_unverified",
        "canvass_low_reliability_below",
        "canvass_min_group_size",
    ]
    .iter()
    .any(|n| !settings.single(row, n).is_empty())
    .then_some(DisclosureFile {
        k,
        count_unverified: unverified,
        low_reliability_below: low,
        min_group_size: min_group,
    });
    let version = Some(settings.single(row, "version").to_owned()).filter(|v| !v.is_empty());
    (form_id, title, wave, disclosure, version)
}

/// The choices sheet's lists, in order, each with its rows.
fn choice_lists<'a>(f: &mut Found, choices: &Layout<'a>) -> BTreeMap<String, Vec<ChoiceRow<'a>>> {
    let sheet = choices.sheet;
    let mut lists: BTreeMap<String, Vec<ChoiceRow<'a>>> = BTreeMap::new();
    for row in &sheet.rows {
        let list = choices.single(row, "list_name");
        let name = choices.single(row, "name");
        if list.is_empty() {
            f.at(
                sheet,
                Some(row.number),
                Some(&choices.single_header("list_name")),
                "this choice has no list_name",
                "write the name of the list it belongs to",
            );
            continue;
        }
        if name.is_empty() {
            f.at(
                sheet,
                Some(row.number),
                Some(&choices.single_header("name")),
                format!("a choice of list `{list}` has no name"),
                "give it a name: lowercase letters, digits and `_`, starting with a letter",
            );
            continue;
        }
        let label = choices.texts(f, row, "label");
        let rows = lists.entry(list.to_owned()).or_default();
        if rows.iter().any(|c| c.name == name) {
            f.at(
                sheet,
                Some(row.number),
                Some(&choices.single_header("name")),
                format!("choice `{name}` appears twice in list `{list}`"),
                "give every choice of a list its own name",
            );
        }
        rows.push(ChoiceRow {
            row,
            name: name.to_owned(),
            label,
        });
    }
    lists
}

fn message_texts(f: &mut Found, messages: &Layout, sheet: &Sheet) -> BTreeMap<String, Texts> {
    let mut out = BTreeMap::new();
    for row in &sheet.rows {
        let name = messages.single(row, "name");
        let texts = messages.texts(f, row, "message");
        if name.is_empty() {
            f.at(
                sheet,
                Some(row.number),
                Some(&messages.single_header("name")),
                "this message has no name",
                "write the key of the message it replaces (surveys/README.md lists them)",
            );
            continue;
        }
        if out.insert(name.to_owned(), texts).is_some() {
            f.at(
                sheet,
                Some(row.number),
                Some(&messages.single_header("name")),
                format!("message `{name}` is given twice"),
                "keep one row per message",
            );
        }
    }
    out
}
