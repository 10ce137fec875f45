//! Which column of a sheet holds what: XLSForm's columns (and pyxform's aliases) per sheet,
//! the translated ones by language, and the problems of columns Canvass does not read.
//!
//! Every mapping rule reads cells through a [`Layout`], so an unknown column with content is
//! refused in one place, and a missing translation is said once per sheet.

use std::collections::{BTreeMap, BTreeSet};

use canvass_core::definition::Texts;

use super::language;
use super::problem::Found;
use super::refusals::{self, Refusal};
use super::sheet::{Row, Sheet, column_letter};

/// What one sheet's columns mean.
pub struct Spec {
    /// Canonical name and its aliases (pyxform's), for columns that are not translated.
    singles: &'static [(&'static str, &'static [&'static str])],
    /// Columns with one text per language (`label::English (en)`).
    texts: &'static [&'static str],
    refuse: fn(&str) -> Refusal,
}

pub const SURVEY_SPEC: Spec = Spec {
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

pub const CHOICES_SPEC: Spec = Spec {
    singles: &[("list_name", &["list name"]), ("name", &["value"])],
    texts: &["label"],
    refuse: |_| refusals::UNKNOWN_COLUMN,
};

pub const SETTINGS_SPEC: Spec = Spec {
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

pub const MESSAGES_SPEC: Spec = Spec {
    singles: &[("name", &[])],
    texts: &["message"],
    refuse: |_| refusals::UNKNOWN_COLUMN,
};

/// Which column holds what, on one sheet.
pub struct Layout<'a> {
    pub sheet: &'a Sheet,
    singles: BTreeMap<&'static str, usize>,
    /// Text columns by base name: (language code, or None for a plain `label`, column).
    pub texts: BTreeMap<&'static str, Vec<(Option<String>, usize)>>,
}

pub fn layout<'a>(f: &mut Found, sheet: &'a Sheet, spec: &Spec) -> Layout<'a> {
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

impl Layout<'_> {
    pub fn single<'r>(&self, row: &'r Row, name: &str) -> &'r str {
        self.singles.get(name).map(|i| row.get(*i)).unwrap_or("")
    }

    pub fn header(&self, index: usize) -> &str {
        self.sheet.header[index].trim()
    }

    pub fn single_header(&self, name: &str) -> String {
        self.singles
            .get(name)
            .map(|i| self.header(*i).to_owned())
            .unwrap_or_else(|| name.to_owned())
    }

    /// Gives plain (untranslated) columns the default language and reports columns that
    /// end up in the same language twice.
    pub fn resolve(&mut self, f: &mut Found, default: Option<&str>) {
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
    pub fn texts(&self, f: &mut Found, row: &Row, base: &str) -> Texts {
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
    pub fn require(
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

/// XLSForm's yes and no (pyxform's spellings); empty is no.
pub fn yes_no(text: &str) -> Option<bool> {
    match text {
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "true()" | "1" => Some(true),
        "" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "false()" | "0" => Some(false),
        _ => None,
    }
}
