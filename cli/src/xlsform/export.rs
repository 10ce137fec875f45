//! The mapping from a Canvass survey file back to an XLSForm workbook: the inverse of
//! `import.rs`, so that importing what this writes gives the same survey file.
//!
//! The built survey supplies what the file leaves to Canvass (the yes / no labels, the
//! country names), so the workbook is complete XLSForm that other tools can open too.

use std::collections::BTreeMap;
use std::path::Path;

use canvass_core::definition::{QuestionFile, SurveyFile, Texts};
use canvass_core::survey::Survey;

use super::expr;
use super::import::{COUNTRY_LIST, INTRO, LIKERT_NAMES, YES_NO_LIST};
use super::language;
use super::sheet::{CHOICES, MESSAGES, SETTINGS, SURVEY, Sheet, Workbook};

/// The workbook of one survey version. `survey` is `file` as `canvass check` built it.
pub fn to_workbook(file: &SurveyFile, survey: &Survey, path: &Path) -> Workbook {
    let languages = &file.languages;
    let texts_header = |base: &str| -> Vec<String> {
        languages
            .iter()
            .map(|l| language::column(base, l))
            .collect()
    };
    let texts_cells = |texts: Option<&Texts>| -> Vec<String> {
        languages
            .iter()
            .map(|l| texts.and_then(|t| t.get(l)).cloned().unwrap_or_default())
            .collect()
    };
    let qs = &file.questions;
    // Only the columns some question uses, so the sheet stays readable.
    let has_hint = qs.iter().any(|q| q.help.is_some());
    let has_relevant = qs.iter().any(|q| q.show_if.is_some());
    let has_constraint = qs
        .iter()
        .any(|q| q.kind == "number" || q.max_choices.is_some());
    let has_filter = qs.iter().any(|q| q.options_from.is_some());
    let has_appearance = qs.iter().any(|q| q.kind == "likert");
    let has_unit = qs.iter().any(|q| q.unit.is_some());

    let mut header = vec!["type".to_owned(), "name".to_owned()];
    header.extend(texts_header("label"));
    if has_hint {
        header.extend(texts_header("hint"));
    }
    header.push("required".into());
    for (used, name) in [
        (has_relevant, "relevant"),
        (has_constraint, "constraint"),
        (has_filter, "choice_filter"),
        (has_appearance, "appearance"),
    ] {
        if used {
            header.push(name.into());
        }
    }
    if has_unit {
        header.extend(texts_header("canvass_unit"));
    }

    let mut survey_rows = Vec::new();
    let mut choice_rows: Vec<Vec<String>> = Vec::new();
    let mut list_of: BTreeMap<&str, String> = BTreeMap::new();
    let mut kind_of: BTreeMap<&str, &str> = BTreeMap::new();
    let mut written_built_in: Vec<&str> = Vec::new();

    let mut intro = vec!["note".to_owned(), INTRO.to_owned()];
    intro.extend(texts_cells(Some(&file.intro)));
    survey_rows.push(intro);

    for (q, built) in qs.iter().zip(&survey.questions) {
        // A question's own list is named after it; a name Canvass reserves gets a suffix.
        let own_list = if q.id.starts_with("canvass_") {
            format!("{}_list", q.id)
        } else {
            q.id.clone()
        };
        let select = |multiple: bool, list: &str| {
            format!(
                "{} {list}",
                if multiple {
                    "select_multiple"
                } else {
                    "select_one"
                }
            )
        };
        let mut constraint = String::new();
        let mut filter = String::new();
        let mut appearance = String::new();
        let kind = match q.kind.as_str() {
            "single_choice" | "multiple_choice" => {
                let multiple = q.kind == "multiple_choice";
                let list = match &q.options_from {
                    Some(from) => {
                        filter = expr::write_options_from(from);
                        list_of.get(from.as_str()).cloned().unwrap_or_default()
                    }
                    None => {
                        for o in q.options.iter().flatten() {
                            let mut row = vec![own_list.clone(), o.id.clone()];
                            row.extend(texts_cells(Some(&o.label)));
                            choice_rows.push(row);
                        }
                        own_list.clone()
                    }
                };
                if let Some(n) = q.max_choices {
                    constraint = expr::write_max_choices(n);
                }
                list_of.insert(&q.id, list.clone());
                select(multiple, &list)
            }
            "yes_no" | "country" => {
                let list = if q.kind == "yes_no" {
                    YES_NO_LIST
                } else {
                    COUNTRY_LIST
                };
                if !written_built_in.contains(&list) {
                    written_built_in.push(list);
                    for choice in built.kind.options() {
                        let mut row = vec![list.to_owned(), choice.id.clone()];
                        row.extend(texts_cells(Some(&choice.label.0)));
                        choice_rows.push(row);
                    }
                }
                select(false, list)
            }
            "likert" => {
                appearance = "likert".into();
                for name in LIKERT_NAMES {
                    let mut row = vec![own_list.clone(), name.to_owned()];
                    row.extend(match name {
                        "1" => texts_cells(q.low_label.as_ref()),
                        "5" => texts_cells(q.high_label.as_ref()),
                        middle => languages.iter().map(|_| middle.to_owned()).collect(),
                    });
                    choice_rows.push(row);
                }
                select(false, &own_list)
            }
            _ => {
                if let (Some(min), Some(max)) = (q.min, q.max) {
                    constraint = expr::write_bounds(min, max);
                }
                "integer".to_owned()
            }
        };
        let relevant = q
            .show_if
            .as_ref()
            .map(|c| {
                let multiple = kind_of.get(c.question.as_str()) == Some(&"multiple_choice");
                expr::write_relevant(&c.question, &c.any_of, multiple)
            })
            .unwrap_or_default();
        kind_of.insert(&q.id, q.kind.as_str());
        survey_rows.push(question_row(
            q,
            kind,
            &texts_cells,
            [
                (has_relevant, relevant),
                (has_constraint, constraint),
                (has_filter, filter),
                (has_appearance, appearance),
            ],
            has_hint,
            has_unit,
        ));
    }

    let mut choices_header = vec!["list_name".to_owned(), "name".to_owned()];
    choices_header.extend(texts_header("label"));

    let default = languages.first().cloned().unwrap_or_default();
    let mut settings_header = vec![
        "form_id".to_owned(),
        "form_title".to_owned(),
        "version".to_owned(),
        "default_language".to_owned(),
    ];
    let mut settings_row = vec![
        file.id.clone(),
        file.title.get(&default).cloned().unwrap_or_default(),
        file.version.to_string(),
        language::display(&default),
    ];
    for lang in languages.iter().skip(1) {
        settings_header.push(language::column("canvass_title", lang));
        settings_row.push(file.title.get(lang).cloned().unwrap_or_default());
    }
    settings_header.push("canvass_wave".into());
    settings_row.push(
        serde_json::to_value(file.wave)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
    );
    if let Some(d) = &file.disclosure {
        let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
        for (name, value) in [
            ("canvass_disclosure_k", d.k.map(|v| v.to_string())),
            ("canvass_count_unverified", d.count_unverified.map(yes_no)),
            (
                "canvass_low_reliability_below",
                d.low_reliability_below.map(|v| v.to_string()),
            ),
            (
                "canvass_min_group_size",
                d.min_group_size.map(|v| v.to_string()),
            ),
        ] {
            if let Some(value) = value {
                settings_header.push(name.into());
                settings_row.push(value);
            }
        }
    }

    let mut sheets = vec![
        Sheet::new(SURVEY, path.to_owned(), header, survey_rows),
        Sheet::new(CHOICES, path.to_owned(), choices_header, choice_rows),
        Sheet::new(
            SETTINGS,
            path.to_owned(),
            settings_header,
            vec![settings_row],
        ),
    ];
    if !file.messages.is_empty() {
        let mut header = vec!["name".to_owned()];
        header.extend(texts_header("message"));
        let rows = file
            .messages
            .iter()
            .map(|(key, texts)| {
                let mut row = vec![key.clone()];
                row.extend(texts_cells(Some(texts)));
                row
            })
            .collect();
        sheets.push(Sheet::new(MESSAGES, path.to_owned(), header, rows));
    }
    Workbook { sheets }
}

/// One survey-sheet row, its cells in the order of the header `to_workbook` built.
fn question_row(
    q: &QuestionFile,
    kind: String,
    texts_cells: &dyn Fn(Option<&Texts>) -> Vec<String>,
    optional: [(bool, String); 4],
    has_hint: bool,
    has_unit: bool,
) -> Vec<String> {
    let mut row = vec![kind, q.id.clone()];
    row.extend(texts_cells(Some(&q.label)));
    if has_hint {
        row.extend(texts_cells(q.help.as_ref()));
    }
    row.push(if q.required { "yes" } else { "" }.to_owned());
    for (used, cell) in optional {
        if used {
            row.push(cell);
        }
    }
    if has_unit {
        row.extend(texts_cells(q.unit.as_ref()));
    }
    row
}
