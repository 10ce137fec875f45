//! The mapping from an XLSForm workbook to a Canvass survey file, collecting every problem.
//!
//! Each XLSForm column and type either maps to one field of [`SurveyFile`] or is refused
//! with its sheet, row, column and reason (see `refusals.rs`); nothing is dropped. What is
//! left to `canvass check` (slugs, duplicates, option counts, values of skip logic) is
//! checked by the caller on the result, located through [`Imported::rows`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use canvass_core::definition::{DisclosureFile, SurveyFile, Texts};
use canvass_core::survey::Status;
use canvass_core::wave::WaveLength;

use super::columns::{
    CHOICES_SPEC, Layout, MESSAGES_SPEC, SETTINGS_SPEC, SURVEY_SPEC, layout, yes_no,
};
use super::language;
use super::problem::{Found, SheetProblem};
use super::questions::{ChoiceRow, Context, Mapped, map_row};
use super::refusals;
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
    let context = Context {
        survey: &survey,
        choices: &choices,
        lists: &lists,
        languages: &languages,
    };
    let mut m = Mapped::default();
    for row in &survey_sheet.rows {
        map_row(f, &context, &mut m, row);
    }
    let Mapped {
        intro,
        questions,
        rows,
        built_in,
        used_lists,
        ..
    } = m;
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
