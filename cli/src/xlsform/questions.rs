//! The survey sheet's rows: the introduction note, then one question per row, each type and
//! column mapped to its Canvass field or refused (surveys/README.md, "The mapping").

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use canvass_core::definition::{ConditionFile, OptionFile, QuestionFile, Texts};

use super::columns::{Layout, yes_no};
use super::expr;
use super::import::{BuiltInRows, COUNTRY_LIST, INTRO, LIKERT_NAMES, YES_NO_LIST};
use super::problem::Found;
use super::refusals;
use super::sheet::Row;

/// One choice row, as read from the choices sheet.
pub struct ChoiceRow<'a> {
    pub row: &'a Row,
    pub name: String,
    pub label: Texts,
}

/// A question already mapped, as later rows may refer to it.
struct Earlier {
    id: String,
    list: Option<String>,
    kind: String,
}

/// What the rows of the survey sheet are read against.
pub struct Context<'a, 'b> {
    pub survey: &'b Layout<'a>,
    pub choices: &'b Layout<'a>,
    pub lists: &'b BTreeMap<String, Vec<ChoiceRow<'a>>>,
    pub languages: &'b [String],
}

/// What the rows mapped so far give.
#[derive(Default)]
pub struct Mapped {
    pub intro: Option<Texts>,
    pub questions: Vec<QuestionFile>,
    earlier: Vec<Earlier>,
    /// Where each question is, to locate what `canvass check` finds.
    pub rows: BTreeMap<String, (PathBuf, u32)>,
    pub built_in: Vec<BuiltInRows>,
    pub used_lists: BTreeSet<String>,
}

/// Maps one row of the survey sheet: the intro note, or one question.
pub fn map_row(f: &mut Found, c: &Context, m: &mut Mapped, row: &Row) {
    let (survey, choices, lists, languages_ref) = (c.survey, c.choices, c.lists, c.languages);
    let (survey_sheet, choices_sheet) = (survey.sheet, choices.sheet);
    let Mapped {
        intro,
        questions,
        earlier,
        rows,
        built_in,
        used_lists,
    } = m;
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
        return;
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
        *intro = Some(texts);
        return;
    }
    let (select, list) = match (head.as_str(), words.len()) {
        ("select_one" | "select_multiple", 2) => (Some(head.clone()), Some(words[1].to_owned())),
        ("select_one" | "select_multiple", 3) if words[2].eq_ignore_ascii_case("or_other") => {
            f.refuse(
                survey_sheet,
                Some(row.number),
                Some(&type_header),
                format!("type `{collapsed}`"),
                refusals::OR_OTHER,
            );
            return;
        }
        ("select_one" | "select_multiple", _) => {
            f.at(
                survey_sheet,
                Some(row.number),
                Some(&type_header),
                format!("type `{collapsed}` names no single choice list"),
                format!("write `{head} LIST`, LIST being a list_name of the choices sheet"),
            );
            return;
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
            return;
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
        return;
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
                    f.at(
                        survey_sheet,
                        Some(row.number),
                        Some(&type_header),
                        format!("the built-in list `{list}` is for select_one only"),
                        "write `select_one` here, or make a list of your own for a select_multiple",
                    );
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
                                &format!("refers to `{source}`, which is not an earlier question"),
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
            return;
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
