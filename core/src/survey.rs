//! The typed survey model every other part of Canvass works from.
//!
//! A [`Survey`] only exists once `check` has accepted its file, so code downstream can rely on
//! unique ids, complete translations, backward-only `show_if` references and sane bounds.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::wave::WaveLength;

/// Lifecycle of one survey version. Open and closed versions are published and frozen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Open,
    Closed,
}

impl Status {
    pub fn is_published(self) -> bool {
        matches!(self, Status::Open | Status::Closed)
    }
}

/// Text in every language the survey offers; `get` falls back to English, then to any text.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Localized(pub BTreeMap<String, String>);

impl Localized {
    pub fn get(&self, lang: &str) -> &str {
        self.0
            .get(lang)
            .or_else(|| self.0.get("en"))
            .or_else(|| self.0.values().next())
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// Disclosure-control settings, stated in every release's README.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Disclosure {
    /// Minimum cell size: counts 1..k-1 are suppressed.
    pub k: u32,
    /// Whether responses without a verified proof of work count in the published tables.
    pub count_unverified: bool,
    /// Shares with a denominator below this are flagged `low_reliability`.
    pub low_reliability_below: u32,
    /// A group (platform, category, region) with fewer respondents than this in a wave is
    /// merged into that wave's `other` group instead of being published on its own; an
    /// `other` group that stays below it is left out of the wave's tables.
    pub min_group_size: u32,
}

impl Default for Disclosure {
    fn default() -> Self {
        Disclosure {
            k: 10,
            count_unverified: true,
            low_reliability_below: 30,
            min_group_size: 30,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Survey {
    pub id: String,
    pub version: u32,
    pub status: Status,
    pub wave: WaveLength,
    /// Offered languages; the first is the default.
    pub languages: Vec<String>,
    pub title: Localized,
    pub intro: Localized,
    pub disclosure: Disclosure,
    /// Per-language overrides of validation messages: key -> language -> text.
    pub messages: BTreeMap<String, Localized>,
    pub questions: Vec<Question>,
    /// sha256 of the definition's content, `status` excluded: what `surveys/lock.toml` freezes.
    pub fingerprint: String,
}

impl Survey {
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    pub fn default_language(&self) -> &str {
        self.languages.first().map(String::as_str).unwrap_or("en")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Question {
    pub id: String,
    pub label: Localized,
    pub help: Option<Localized>,
    pub required: bool,
    pub show_if: Option<Condition>,
    /// The earlier question whose answers are this one's only valid options (`options_from`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options_from: Option<String>,
    pub kind: Kind,
}

/// Shown only when the earlier question `question` was answered with one of `any_of`
/// (for a multiple-choice question: when any of them was picked).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Condition {
    pub question: String,
    pub any_of: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Choice {
    pub id: String,
    pub label: Localized,
}

/// What kind of answer a question takes. There is deliberately no free-text kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Kind {
    SingleChoice {
        options: Vec<Choice>,
    },
    MultipleChoice {
        options: Vec<Choice>,
        max_choices: Option<u32>,
    },
    /// Yes / no / prefer not to say, with built-in labels.
    YesNo {
        options: Vec<Choice>,
    },
    /// 1..=5 with labels for both ends.
    Likert {
        low_label: Localized,
        high_label: Localized,
    },
    /// A whole number within inclusive bounds.
    Number {
        min: i64,
        max: i64,
        unit: Localized,
    },
    /// ISO 3166-1 alpha-2 code; reported by world region.
    Country {
        options: Vec<Choice>,
    },
}

pub const LIKERT_MIN: i64 = 1;
pub const LIKERT_MAX: i64 = 5;

impl Kind {
    /// The options of a choice question (single, multiple, yes/no, country), else empty.
    pub fn options(&self) -> &[Choice] {
        match self {
            Kind::SingleChoice { options }
            | Kind::MultipleChoice { options, .. }
            | Kind::YesNo { options }
            | Kind::Country { options } => options,
            Kind::Likert { .. } | Kind::Number { .. } => &[],
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Kind::SingleChoice { .. } => "single_choice",
            Kind::MultipleChoice { .. } => "multiple_choice",
            Kind::YesNo { .. } => "yes_no",
            Kind::Likert { .. } => "likert",
            Kind::Number { .. } => "number",
            Kind::Country { .. } => "country",
        }
    }
}
