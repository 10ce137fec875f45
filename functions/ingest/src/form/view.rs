//! What the templates show: the survey as form controls in one language, with the answers
//! given so far and the problems found. Every value reaches the page through askama's HTML
//! escaping; nothing here builds markup.

use std::collections::BTreeSet;

use askama::Template;
use canvass_core::answers::{self, AnswerValue, Answers, FieldErrors, Invalid};
use canvass_core::form_input::FormValues;
use canvass_core::form_pages::Pages;
use canvass_core::survey::{Kind, LIKERT_MAX, LIKERT_MIN, Question, Survey};

use super::fields::Mode;
use super::text::{self, Text};
use crate::assets::{self, Urls};

pub struct Hidden {
    pub name: String,
    pub value: String,
}

fn hidden(name: &str, value: impl Into<String>) -> Hidden {
    Hidden {
        name: name.to_owned(),
        value: value.into(),
    }
}

pub struct LanguageLink {
    pub code: String,
    pub name: String,
    pub href: String,
    pub current: bool,
}

/// The language switch: links on pages reached by a link, a small form of its own (carrying
/// the answers) on pages that answer a post, so switching never loses an answer.
pub struct Switch {
    pub languages: Vec<LanguageLink>,
    pub form: Option<SwitchForm>,
}

pub struct SwitchForm {
    pub action: String,
    pub hidden: Vec<Hidden>,
}

impl Switch {
    /// Links to `path?lang=…` for each language of the survey.
    pub fn links(languages: &[String], current: &str, path: &str) -> Switch {
        Switch {
            languages: languages
                .iter()
                .map(|code| LanguageLink {
                    code: code.clone(),
                    name: text::autonym(code).to_owned(),
                    href: format!("{path}?lang={code}"),
                    current: code == current,
                })
                .collect(),
            form: None,
        }
    }
}

pub struct SummaryItem {
    pub target: String,
    pub text: String,
}

pub struct ShowIf {
    pub question: String,
    pub any_of: String,
}

pub struct OptionView {
    pub dom_id: String,
    pub value: String,
    pub label: String,
    pub checked: bool,
}

pub struct QuestionView<'a> {
    pub id: &'a str,
    pub wrapper_id: String,
    /// Where the error summary links to: the control, or the first option of a group.
    pub field_id: String,
    pub hint_id: String,
    pub error_id: String,
    pub unit_id: String,
    pub label: &'a str,
    pub hint: Option<&'a str>,
    pub optional: bool,
    pub error: Option<String>,
    /// The problem is one the stylesheet can see put right from the controls alone (an
    /// unanswered question, a number that is not one of the allowed whole numbers), so the
    /// message stops showing once it is, including on a page seen again through Back.
    pub error_clears: bool,
    /// For check boxes whose problem clears: which of them on the page it is (1…
    /// `CLEARING_CHECKBOX_GROUPS`), since the stylesheet names each such group by class.
    pub checkbox_slot: usize,
    /// The answer is needed: `required` on the controls, so that `:invalid` says whether
    /// the question still lacks one (the form is `novalidate`: the browser never blocks).
    pub required: bool,
    /// For numbers: exactly the text the server takes as an allowed whole number.
    pub pattern: String,
    pub show_if: Option<ShowIf>,
    /// The earlier question whose answers are this one's options (`options_from`).
    pub options_from: Option<&'a str>,
    /// Does not apply given the answers so far: hidden, and its controls disabled.
    pub hidden: bool,
    /// `checkbox`, `radio`, `select` or `text`.
    pub widget: &'static str,
    pub options: Vec<OptionView>,
    /// For the country menu: the countries the browser's languages name (`es-MX` → Mexico),
    /// offered first in a group of their own; the full list follows.
    pub suggested: Vec<OptionView>,
    /// A long list of short choices, laid out in columns where the screen allows.
    pub columns: bool,
    pub value: String,
    pub unit: &'a str,
    pub describedby: String,
}

pub struct Section<'a> {
    pub index: usize,
    pub hidden: bool,
    pub questions: Vec<QuestionView<'a>>,
}

#[derive(Template)]
#[template(path = "form.html")]
pub struct FormPage<'a> {
    pub lang: &'a str,
    pub t: &'static Text,
    pub has_errors: bool,
    /// A problem the stylesheet cannot see put right (a notice, a choice the survey does
    /// not offer…): the title says "Error:" and the summary always shows. Without one, the
    /// summary hides once every problem is fixed, and the title never says "Error:", so a
    /// page seen again through Back after it was put right shows no stale error.
    pub lasting_errors: bool,
    pub page_title: String,
    pub assets: Urls,
    pub with_script: bool,
    pub switch: Switch,
    pub title: &'a str,
    /// "Part 2 of 3", above the title, on every part when the form comes in parts.
    pub progress: Option<String>,
    /// The survey's introduction: on the first part only.
    pub intro: Option<&'a str>,
    /// "1,240 sellers have answered this quarter": on the first page a visit opens, once
    /// at least ten have (set by the handler, which reads the count).
    pub answered: Option<String>,
    /// Whether the heading takes the focus as the page loads (`autofocus`), so that a
    /// screen reader announces the new part; the error summary takes it when there is one.
    pub focus_heading: bool,
    pub notices: Vec<String>,
    pub summary: Vec<SummaryItem>,
    pub action: String,
    pub challenge_url: String,
    pub hidden: Vec<Hidden>,
    pub sections: Vec<Section<'a>>,
    pub submit_label: &'static str,
    pub show_back: bool,
}

pub struct Link {
    pub href: String,
    pub text: String,
}

/// A page with a message: thanks, or why nothing more can be done with this form.
#[derive(Template)]
#[template(path = "notice.html")]
pub struct NoticePage<'a> {
    pub lang: &'a str,
    pub t: &'static Text,
    pub lasting_errors: bool,
    pub page_title: &'a str,
    pub assets: Urls,
    pub with_script: bool,
    pub switch: Switch,
    pub success: bool,
    pub heading: &'a str,
    pub paragraphs: Vec<&'a str>,
    pub link: Option<Link>,
}

impl<'a> NoticePage<'a> {
    pub fn new(lang: &'a str, heading: &'a str, paragraphs: Vec<&'a str>, switch: Switch) -> Self {
        NoticePage {
            lang,
            t: text::get(lang),
            lasting_errors: false,
            page_title: heading,
            assets: assets::urls(),
            with_script: false,
            switch,
            success: false,
            heading,
            paragraphs,
            link: None,
        }
    }
}

/// Everything needed to draw the form at one point of answering it.
pub struct FormState<'a> {
    pub survey: &'a Survey,
    pub pages: &'a Pages,
    pub lang: &'a str,
    pub mode: Mode,
    /// The part shown (always 0 in one-page mode).
    pub page: usize,
    /// The answers as sent, shown again in the controls.
    pub values: &'a FormValues,
    /// Validated answers to the parts before `page`, carried as hidden fields.
    pub carried: &'a Answers,
    pub errors: &'a FieldErrors,
    pub notices: Vec<String>,
    pub submission_id: &'a str,
    /// Whether this page answers a post (then the language switch posts the answers too).
    pub after_post: bool,
    /// Regions from `Accept-Language`, most wanted first: offered first in the country menu.
    pub likely_countries: &'a [String],
}

impl<'a> FormState<'a> {
    pub fn page(self) -> FormPage<'a> {
        let survey = self.survey;
        let t = text::get(self.lang);
        let action = format!("/surveys/{}/responses", survey.id);
        let first = match self.mode {
            Mode::Pages => self.page.min(self.pages.len().saturating_sub(1)),
            Mode::One => 0,
        };
        let shown = shown_by_values(survey, self.values, self.errors);
        let mut summary = Vec::new();
        let mut checkbox_slots = 0;
        let mut lasting_errors = false;
        let sections: Vec<Section<'a>> = (first..self.pages.len())
            .map(|index| {
                let section_hidden = self.mode == Mode::Pages && index != first;
                let questions = survey.questions[self.pages.range(index)]
                    .iter()
                    .map(|q| {
                        let mut view = self.question(q, !shown.contains(q.id.as_str()));
                        if view.error_clears && view.widget == "checkbox" {
                            if checkbox_slots < CLEARING_CHECKBOX_GROUPS {
                                checkbox_slots += 1;
                                view.checkbox_slot = checkbox_slots;
                            } else {
                                view.error_clears = false;
                            }
                        }
                        if let (Some(error), false, false) =
                            (&view.error, view.hidden, section_hidden)
                        {
                            lasting_errors |= !view.error_clears;
                            summary.push(SummaryItem {
                                target: view.field_id.clone(),
                                text: format!("{}: {error}", view.label),
                            });
                        }
                        view
                    })
                    .collect();
                Section {
                    index,
                    hidden: section_hidden,
                    questions,
                }
            })
            .collect();
        let mut notices = self.notices;
        for (name, invalid) in self.errors {
            if *invalid == Invalid::UnknownQuestion {
                let name: String = name.chars().take(40).collect();
                notices.push(format!("{}: «{name}»", t.unexpected_field));
            }
        }
        let machinery = |hidden_fields: &mut Vec<Hidden>| {
            hidden_fields.push(hidden("_submission", self.submission_id));
            hidden_fields.push(hidden("_version", survey.version.to_string()));
            hidden_fields.push(hidden("_page", first.to_string()));
            hidden_fields.push(hidden("_mode", self.mode.as_str()));
        };
        let mut hidden_fields = Vec::new();
        machinery(&mut hidden_fields);
        hidden_fields.push(hidden("_lang", self.lang));
        hidden_fields.push(hidden("_pow", ""));
        if self.mode == Mode::Pages {
            for q in &survey.questions[..self.pages.range(first).start] {
                carry(&mut hidden_fields, &q.id, self.carried.get(&q.id));
            }
        }
        let mut switch = Switch::links(&survey.languages, self.lang, &format!("/s/{}", survey.id));
        if self.after_post {
            let mut carried = Vec::new();
            machinery(&mut carried);
            carried.push(hidden("_go", "stay"));
            for q in &survey.questions {
                for value in self.values.get(&q.id).into_iter().flatten() {
                    carried.push(hidden(&q.id, value.clone()));
                }
            }
            switch.form = Some(SwitchForm {
                action: action.clone(),
                hidden: carried,
            });
        }
        let last = self.mode == Mode::One || first + 1 >= self.pages.len();
        let has_errors = !summary.is_empty() || !notices.is_empty();
        let lasting = lasting_errors || !notices.is_empty();
        let title = survey.title.get(self.lang);
        let progress = (self.mode == Mode::Pages && self.pages.len() > 1).then(|| {
            t.part
                .replace("{n}", &(first + 1).to_string())
                .replace("{total}", &self.pages.len().to_string())
        });
        FormPage {
            lang: self.lang,
            t,
            has_errors,
            lasting_errors: lasting,
            page_title: match (&progress, first) {
                (Some(progress), 1..) => format!("{progress} – {title}"),
                _ => title.to_owned(),
            },
            assets: assets::urls(),
            with_script: true,
            switch,
            title,
            progress,
            intro: (first == 0).then(|| survey.intro.get(self.lang)),
            answered: None,
            focus_heading: self.after_post && !has_errors,
            notices,
            summary,
            challenge_url: format!("/surveys/{}/challenge", survey.id),
            action,
            hidden: hidden_fields,
            sections,
            submit_label: if last {
                t.send_button
            } else {
                t.continue_button
            },
            show_back: self.mode == Mode::Pages && first > 0,
        }
    }

    /// Whether option `id` of `q` is listed. A question that offers only earlier answers
    /// (`options_from`) lists just those when they were given on an earlier part; the
    /// script does the same on the one-page form as the answers change.
    fn offered(&self, q: &Question, id: &str) -> bool {
        let Some(from) = &q.options_from else {
            return true;
        };
        match self.carried.get(from) {
            Some(given) if self.mode == Mode::Pages => {
                answers::is_among(&AnswerValue::Choice(id.to_owned()), Some(given))
            }
            _ => true,
        }
    }

    fn question(&self, q: &'a Question, hidden: bool) -> QuestionView<'a> {
        let lang = self.lang;
        let given: &[String] = self.values.get(&q.id).map_or(&[], Vec::as_slice);
        let option = |id: &str, label: String| OptionView {
            dom_id: format!("q-{}-{id}", q.id),
            value: id.to_owned(),
            checked: given.iter().any(|g| g == id),
            label,
        };
        let mut suggested = Vec::new();
        let (widget, options, unit) = match &q.kind {
            Kind::MultipleChoice { options, .. } => (
                "checkbox",
                options
                    .iter()
                    .filter(|o| self.offered(q, &o.id))
                    .map(|o| option(&o.id, o.label.get(lang).to_owned()))
                    .collect(),
                "",
            ),
            Kind::SingleChoice { options } | Kind::YesNo { options } => (
                "radio",
                options
                    .iter()
                    .filter(|o| self.offered(q, &o.id))
                    .map(|o| option(&o.id, o.label.get(lang).to_owned()))
                    .collect(),
                "",
            ),
            Kind::Likert {
                low_label,
                high_label,
            } => (
                "radio",
                (LIKERT_MIN..=LIKERT_MAX)
                    .map(|point| {
                        let label = match point {
                            LIKERT_MIN => format!("{point} – {}", low_label.get(lang)),
                            LIKERT_MAX => format!("{point} – {}", high_label.get(lang)),
                            _ => point.to_string(),
                        };
                        option(&point.to_string(), label)
                    })
                    .collect(),
                "",
            ),
            Kind::Country { options } => {
                let mut sorted: Vec<OptionView> = options
                    .iter()
                    .map(|o| option(&o.id, o.label.get(lang).to_owned()))
                    .collect();
                sorted.sort_by_cached_key(|o| collation_key(&o.label));
                suggested = self
                    .likely_countries
                    .iter()
                    .filter_map(|code| options.iter().find(|o| &o.id == code))
                    .map(|o| option(&o.id, o.label.get(lang).to_owned()))
                    .collect();
                // One option carries the selection: the suggested one if the answer is there.
                for o in &mut sorted {
                    o.checked &= !suggested.iter().any(|s: &OptionView| s.value == o.value);
                }
                ("select", sorted, "")
            }
            Kind::Number { unit, .. } => ("text", Vec::new(), unit.get(lang)),
        };
        let field_id = match widget {
            "checkbox" | "radio" => options
                .first()
                .map_or_else(|| format!("q-{}", q.id), |o: &OptionView| o.dom_id.clone()),
            _ => format!("q-{}", q.id),
        };
        let hint = q
            .help
            .as_ref()
            .map(|h| h.get(lang))
            .filter(|h| !h.is_empty());
        let invalid = self.errors.get(&q.id);
        let error = invalid.map(|invalid| invalid.message(self.survey, lang));
        let error_clears = matches!(
            invalid,
            Some(Invalid::Required | Invalid::NotAWholeNumber { .. } | Invalid::OutOfRange { .. })
        );
        let pattern = match &q.kind {
            Kind::Number { min, max, .. } => whole_number_pattern(*min, *max),
            _ => String::new(),
        };
        let ids = |suffix: &str| format!("q-{}-{suffix}", q.id);
        let mut describedby = Vec::new();
        if hint.is_some() {
            describedby.push(ids("hint"));
        }
        if error.is_some() {
            describedby.push(ids("error"));
        }
        if !unit.is_empty() {
            describedby.push(ids("unit"));
        }
        QuestionView {
            id: &q.id,
            wrapper_id: format!("question-{}", q.id),
            field_id,
            hint_id: ids("hint"),
            error_id: ids("error"),
            unit_id: ids("unit"),
            label: q.label.get(lang),
            hint,
            optional: !q.required,
            error,
            error_clears,
            checkbox_slot: 0,
            required: q.required,
            pattern,
            show_if: q.show_if.as_ref().map(|c| ShowIf {
                question: c.question.clone(),
                any_of: c.any_of.join(" "),
            }),
            options_from: q.options_from.as_deref(),
            hidden,
            widget,
            columns: widget != "select"
                && !matches!(q.kind, Kind::Likert { .. })
                && options.len() > COLUMNS_FROM,
            options,
            suggested,
            value: if widget == "text" {
                given.first().cloned().unwrap_or_default()
            } else {
                String::new()
            },
            unit,
            describedby: describedby.join(" "),
        }
    }
}

/// How many check-box questions with a problem that clears the stylesheet tells apart on
/// one page (`.clears-1` … in form.css); past that, a problem stays until the next send.
const CLEARING_CHECKBOX_GROUPS: usize = 4;

/// An HTML `pattern` matching exactly the text `form_input` reads as a whole number in
/// `min..=max` (`i64` parsing after trimming: an optional sign, leading zeros), so that the
/// browser's `:valid` agrees with the server about a number question.
pub fn whole_number_pattern(min: i64, max: i64) -> String {
    let mut alternatives = Vec::new();
    if max >= 0 {
        let from = min.max(0).unsigned_abs();
        alternatives.push(format!(
            "\\+?0*(?:{})",
            digits_between(from, max.unsigned_abs())
        ));
    }
    if min < 0 {
        let from = if max < 0 { max.unsigned_abs() } else { 1 };
        alternatives.push(format!(
            "-0*(?:{})",
            digits_between(from, min.unsigned_abs())
        ));
    }
    if (min..=max).contains(&0) {
        // "-0" reads as 0.
        alternatives.push("-0+".to_owned());
    }
    format!("\\s*(?:{})\\s*", alternatives.join("|"))
}

/// A regular expression (no anchors, no leading zeros) for the integers `lo..=hi`.
fn digits_between(lo: u64, hi: u64) -> String {
    let mut pieces = Vec::new();
    // Split by number of digits, then into runs `prefix [a-b] \d…` of one length each.
    let mut width_start = 0u64;
    let mut width_end = 9u64;
    loop {
        let (a, b) = (lo.max(width_start), hi.min(width_end));
        let mut start = a;
        while a <= b && start <= b {
            let mut step = 1u64;
            while start.is_multiple_of(step * 10)
                && step < 10u64.pow(18)
                && start + step * 10 - 1 <= b
            {
                step *= 10;
            }
            let mut end = start + step - 1;
            while end + step <= b && !((end + 1) / step).is_multiple_of(10) {
                end += step;
            }
            pieces.push(run(start, end));
            start = end + 1;
        }
        if width_end >= hi || width_end >= 10u64.pow(18) {
            break;
        }
        width_start = width_end + 1;
        width_end = width_end * 10 + 9;
    }
    pieces.join("|")
}

/// `start..=end` of equal length, differing in one digit and then only in full runs of
/// 0…9: the shared prefix, one digit range, then `\d` for each full run.
fn run(start: u64, end: u64) -> String {
    let (s, e) = (start.to_string(), end.to_string());
    s.chars()
        .zip(e.chars())
        .map(|(a, b)| match (a, b) {
            _ if a == b => a.to_string(),
            ('0', '9') => "\\d".to_owned(),
            _ => format!("[{a}-{b}]"),
        })
        .collect()
}

/// Choice lists longer than this are laid out in columns (the platform lists): each choice
/// keeps its 28 px target and its whole label, and the list takes half the height.
const COLUMNS_FROM: usize = 6;

/// Hidden fields for an answer carried from an earlier part.
fn carry(fields: &mut Vec<Hidden>, id: &str, answer: Option<&AnswerValue>) {
    match answer {
        Some(AnswerValue::Number(n)) => fields.push(hidden(id, n.to_string())),
        Some(AnswerValue::Choice(c)) => fields.push(hidden(id, c.clone())),
        Some(AnswerValue::Choices(cs)) => {
            fields.extend(cs.iter().map(|c| hidden(id, c.clone())));
        }
        None => {}
    }
}

/// Which questions apply given the values as sent: the same rule the script applies in the
/// browser (a condition holds when its question applies and one of the listed options was
/// picked). A question with a problem is always shown, so that it can be fixed.
fn shown_by_values<'s>(
    survey: &'s Survey,
    values: &FormValues,
    errors: &FieldErrors,
) -> BTreeSet<&'s str> {
    let mut shown = BTreeSet::new();
    for q in &survey.questions {
        let applies = match &q.show_if {
            None => true,
            Some(c) => {
                shown.contains(c.question.as_str())
                    && values
                        .get(&c.question)
                        .is_some_and(|given| given.iter().any(|g| c.any_of.contains(g)))
            }
        };
        if applies || errors.contains_key(&q.id) {
            shown.insert(q.id.as_str());
        }
    }
    shown
}

/// Sorts country names the way a reader expects: case and the common Latin accents ignored.
fn collation_key(label: &str) -> String {
    label
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'ā' => 'a',
            'ç' | 'č' => 'c',
            'é' | 'è' | 'ê' | 'ë' | 'ē' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_patterns_spell_out_the_allowed_range() {
        assert_eq!(
            whole_number_pattern(0, 100),
            r"\s*(?:\+?0*(?:\d|[1-9]\d|100)|-0+)\s*"
        );
        assert_eq!(
            whole_number_pattern(0, 365),
            r"\s*(?:\+?0*(?:\d|[1-9]\d|[1-2]\d\d|3[0-5]\d|36[0-5])|-0+)\s*"
        );
        assert_eq!(whole_number_pattern(1, 5), r"\s*(?:\+?0*(?:[1-5]))\s*");
        assert_eq!(
            whole_number_pattern(-20, -3),
            r"\s*(?:-0*(?:[3-9]|1\d|20))\s*"
        );
    }
}
