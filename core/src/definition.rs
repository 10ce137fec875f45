//! The survey file format as written by operators (`surveys/{id}/v{version}.toml`).
//!
//! These structs mirror the TOML one to one and accept nothing unknown; `check` turns them
//! into the typed [`crate::survey::Survey`] and reports every problem it finds at once.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Text keyed by language tag ("en", "es", "fr").
pub type Texts = BTreeMap<String, String>;

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SurveyFile {
    pub id: String,
    pub version: i64,
    pub status: crate::survey::Status,
    #[serde(default)]
    pub wave: crate::wave::WaveLength,
    pub languages: Vec<String>,
    pub title: Texts,
    pub intro: Texts,
    #[serde(default)]
    pub disclosure: Option<DisclosureFile>,
    /// Per-language overrides of the built-in validation messages, by message key.
    #[serde(default)]
    pub messages: BTreeMap<String, Texts>,
    #[serde(default)]
    pub questions: Vec<QuestionFile>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DisclosureFile {
    pub k: Option<i64>,
    pub count_unverified: Option<bool>,
    pub low_reliability_below: Option<i64>,
    /// Absent from the fingerprint when unset, so that versions frozen before it stay frozen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_group_size: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct QuestionFile {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub required: bool,
    pub label: Texts,
    pub help: Option<Texts>,
    pub show_if: Option<ConditionFile>,
    /// Choice questions: the options, in display order.
    pub options: Option<Vec<OptionFile>>,
    /// Choice questions: reuse the options of an earlier question.
    pub options_from: Option<String>,
    /// Multiple choice: at most this many options may be picked.
    pub max_choices: Option<i64>,
    /// Number questions: inclusive bounds and the unit shown beside the field.
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub unit: Option<Texts>,
    /// Likert questions: the labels of 1 and 5.
    pub low_label: Option<Texts>,
    pub high_label: Option<Texts>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OptionFile {
    pub id: String,
    pub label: Texts,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ConditionFile {
    pub question: String,
    pub any_of: Vec<String>,
}
