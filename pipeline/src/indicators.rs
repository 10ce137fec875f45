//! The headline indicators, declared once: each is a share of the answers to one question.
//!
//! Every table, chart and README line about indicators is generated from this list, so a
//! definition changes here and nowhere else. Numerators and denominators are sets of option
//! ids (Likert points are the ids "1".."5"); `Among::Answered` means everyone who answered.

/// Who a share is taken among.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Among {
    /// Everyone who answered the question.
    Answered,
    /// Only those who gave one of these answers (e.g. yes or no, leaving out "prefer not to say").
    Options(&'static [&'static str]),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndicatorDef {
    /// Its label in each language is `indicator-{id}` in `pipeline/locales`, and its exact
    /// rule in words (for the README) `rule-{id}`.
    pub id: &'static str,
    pub question: &'static str,
    pub counts: &'static [&'static str],
    pub among: Among,
}

const YES_OR_NO: Among = Among::Options(&["yes", "no"]);

/// The headline indicators of the platform-treatment survey, in publication order.
pub const HEADLINE: [IndicatorDef; 8] = [
    IndicatorDef {
        id: "suspended_12m",
        question: "suspended_12m",
        counts: &["yes"],
        among: YES_OR_NO,
    },
    IndicatorDef {
        id: "no_clear_reason",
        question: "suspension_reason_clear",
        counts: &["no"],
        among: Among::Answered,
    },
    IndicatorDef {
        id: "payout_held_12m",
        question: "payout_held_12m",
        counts: &["yes"],
        among: YES_OR_NO,
    },
    IndicatorDef {
        id: "fee_impact_high",
        question: "fee_impact",
        counts: &["4", "5"],
        among: Among::Answered,
    },
    IndicatorDef {
        id: "support_poor",
        question: "support_rating",
        counts: &["1", "2"],
        among: Among::Answered,
    },
    IndicatorDef {
        id: "arbitration_unaware",
        question: "arbitration_aware",
        counts: &["no", "unsure"],
        among: Among::Answered,
    },
    IndicatorDef {
        id: "pace_pressure_high",
        question: "pace_pressure",
        counts: &["4", "5"],
        among: Among::Answered,
    },
    IndicatorDef {
        id: "collective_action_yes",
        question: "collective_action",
        counts: &["yes"],
        among: Among::Answered,
    },
];
