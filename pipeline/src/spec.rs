//! What a release publishes, derived from the survey definition: the grouping variables,
//! the published questions with every option, and the headline indicators.
//!
//! The newest published version of the survey is the reference: its questions and options
//! are the columns of every table. Older versions are still read; an answer that the
//! reference no longer offers is reported as a data-quality note, never guessed at.

use std::sync::Arc;

use canvass_core::catalog::Catalog;
use canvass_core::countries;
use canvass_core::survey::{Disclosure, Kind, LIKERT_MAX, LIKERT_MIN, Localized, Survey};
use canvass_core::wave::WaveLength;

use crate::PipelineError;
use crate::indicators::{Among, HEADLINE, IndicatorDef};
use crate::locale;

/// The question whose answer groups respondents by platform.
pub const PLATFORM_QUESTION: &str = "main_platform";
/// The question whose answer groups respondents by what they sell.
pub const CATEGORY_QUESTION: &str = "category";
/// The id under which the country question is published, coarsened to world regions.
pub const REGION_QUESTION: &str = "region";
/// The residual group of every grouping: rare groups merged, and respondents in no group.
pub const RESIDUAL: &str = "other";

/// How a published question's answers are counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuestionKind {
    /// One option per respondent (single choice, yes/no, Likert points, world region).
    Single,
    /// Several options per respondent; option counts do not sum to n.
    Multiple { max_choices: u32 },
    /// A whole number: published as quartiles in numeric.csv, never as counts.
    Number { min: i64, max: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opt {
    pub id: String,
    /// In every language of the survey.
    pub label: Localized,
}

/// Shown only when `parent` was answered with one of `any_of` (option indices).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShowIf {
    pub parent: usize,
    pub any_of: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionSpec {
    pub id: String,
    pub label: Localized,
    pub kind: QuestionKind,
    pub options: Vec<Opt>,
    pub required: bool,
    pub show_if: Option<ShowIf>,
    /// The survey question the answers come from (`country` for `region`).
    pub source: String,
}

impl QuestionSpec {
    pub fn option_index(&self, id: &str) -> Option<usize> {
        self.options.iter().position(|o| o.id == id)
    }

    pub fn is_number(&self) -> bool {
        matches!(self.kind, QuestionKind::Number { .. })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorSpec {
    pub id: String,
    pub label: Localized,
    /// The exact rule in words, per language (`rule-{id}` in `pipeline/locales`).
    pub rule: Localized,
    /// Index into [`Spec::questions`].
    pub question: usize,
    /// Option indices counted in the numerator.
    pub counts: Vec<usize>,
    /// Option indices making up the denominator (all options for "everyone who answered").
    pub among: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Spec {
    pub survey_id: String,
    /// The title in the survey's first language.
    pub title: String,
    /// The survey's languages, first the default: every label comes in each of them.
    pub languages: Vec<String>,
    /// Every version of the survey that can have responses, oldest first.
    pub versions: Vec<Arc<Survey>>,
    /// The newest published version: its questions are the tables' columns.
    pub reference: Arc<Survey>,
    pub disclosure: Disclosure,
    pub wave_length: WaveLength,
    /// Published questions in survey order; `country` appears as `region`.
    pub questions: Vec<QuestionSpec>,
    /// Index of `main_platform` in `questions`.
    pub platform: usize,
    pub category: usize,
    pub region: usize,
    pub indicators: Vec<IndicatorSpec>,
}

impl Spec {
    /// The publication spec of `survey_id` from every version in the catalog.
    pub fn from_catalog(catalog: &Catalog, survey_id: &str) -> Result<Spec, PipelineError> {
        let versions: Vec<Arc<Survey>> = catalog
            .all()
            .filter(|s| s.id == survey_id && s.status.is_published())
            .cloned()
            .collect();
        let reference = versions
            .iter()
            .max_by_key(|s| s.version)
            .cloned()
            .ok_or_else(|| PipelineError::UnknownSurvey(survey_id.to_owned()))?;
        Spec::new(versions, reference)
    }

    pub fn new(versions: Vec<Arc<Survey>>, reference: Arc<Survey>) -> Result<Spec, PipelineError> {
        let bad = |why: String| PipelineError::Unsupported {
            survey: reference.id.clone(),
            why,
        };
        let languages = reference.languages.clone();
        if let Some(lang) = languages.iter().find(|l| !locale::has_language(l)) {
            return Err(bad(format!(
                "the survey is offered in `{lang}`, but the release has no words in it (add pipeline/locales/{lang}/release.ftl)"
            )));
        }
        let each = |text: &dyn Fn(&str) -> String| {
            Localized(languages.iter().map(|l| (l.clone(), text(l))).collect())
        };
        let mut questions = Vec::new();
        for q in &reference.questions {
            let label = each(&|l| q.label.get(l).to_owned());
            let opts = |choices: &[canvass_core::survey::Choice]| {
                choices
                    .iter()
                    .map(|c| Opt {
                        id: c.id.clone(),
                        label: each(&|l| c.label.get(l).to_owned()),
                    })
                    .collect::<Vec<_>>()
            };
            let (id, kind, options) = match &q.kind {
                Kind::SingleChoice { options } | Kind::YesNo { options } => {
                    (q.id.clone(), QuestionKind::Single, opts(options))
                }
                Kind::MultipleChoice {
                    options,
                    max_choices,
                } => (
                    q.id.clone(),
                    QuestionKind::Multiple {
                        max_choices: max_choices.unwrap_or(options.len() as u32),
                    },
                    opts(options),
                ),
                Kind::Likert {
                    low_label,
                    high_label,
                } => {
                    let options = (LIKERT_MIN..=LIKERT_MAX)
                        .map(|v| Opt {
                            id: v.to_string(),
                            label: each(&|l| {
                                if v == LIKERT_MIN {
                                    format!("{v} ({})", low_label.get(l))
                                } else if v == LIKERT_MAX {
                                    format!("{v} ({})", high_label.get(l))
                                } else {
                                    v.to_string()
                                }
                            }),
                        })
                        .collect();
                    (q.id.clone(), QuestionKind::Single, options)
                }
                Kind::Number { min, max, .. } => (
                    q.id.clone(),
                    QuestionKind::Number {
                        min: *min,
                        max: *max,
                    },
                    Vec::new(),
                ),
                Kind::Country { .. } => {
                    let options = countries::regions()
                        .iter()
                        .map(|r| Opt {
                            id: r.id.clone(),
                            label: each(&|l| r.names.get(l).to_owned()),
                        })
                        .collect();
                    (REGION_QUESTION.to_owned(), QuestionKind::Single, options)
                }
            };
            questions.push(QuestionSpec {
                id,
                label,
                kind,
                options,
                required: q.required,
                show_if: None,
                source: q.id.clone(),
            });
        }
        // Conditions refer to earlier questions by their survey id.
        for (i, q) in reference.questions.iter().enumerate() {
            if let Some(cond) = &q.show_if {
                let parent = questions
                    .iter()
                    .position(|p| p.source == cond.question)
                    .ok_or_else(|| bad(format!("`{}` depends on an unknown question", q.id)))?;
                let any_of = cond
                    .any_of
                    .iter()
                    .filter_map(|o| questions[parent].option_index(o))
                    .collect();
                questions[i].show_if = Some(ShowIf { parent, any_of });
            }
        }
        let find = |id: &str| {
            questions
                .iter()
                .position(|q| q.id == id)
                .ok_or_else(|| bad(format!("the survey has no `{id}` question to group by")))
        };
        let platform = find(PLATFORM_QUESTION)?;
        let category = find(CATEGORY_QUESTION)?;
        let region = find(REGION_QUESTION)?;
        for g in [platform, category] {
            if questions[g].kind != QuestionKind::Single {
                return Err(bad(format!(
                    "`{}` must be a single choice",
                    questions[g].id
                )));
            }
        }
        // Every grouping has a residual group that rare groups and respondents outside
        // every named group are counted in (`recode.rs`): the survey's own `other` option
        // where it has one, else one added here.
        for g in [platform, category, region] {
            if questions[g].option_index(RESIDUAL).is_none() {
                questions[g].options.push(Opt {
                    id: RESIDUAL.to_owned(),
                    label: each(&|l| locale::text(l, "group-other")),
                });
            }
        }
        let indicators = HEADLINE
            .iter()
            .filter_map(|def| indicator(&questions, def, &languages).transpose())
            .collect::<Result<Vec<_>, String>>()
            .map_err(bad)?;
        Ok(Spec {
            survey_id: reference.id.clone(),
            title: reference.title.get(reference.default_language()).to_owned(),
            languages,
            disclosure: reference.disclosure,
            wave_length: reference.wave,
            versions,
            reference,
            questions,
            platform,
            category,
            region,
            indicators,
        })
    }

    /// Questions published in answers.csv: every question with options except the
    /// platform itself (that is respondents.csv), in survey order.
    pub fn answer_questions(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.questions.len()).filter(|&q| q != self.platform && !self.questions[q].is_number())
    }

    /// Questions published in numeric.csv.
    pub fn number_questions(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.questions.len()).filter(|&q| self.questions[q].is_number())
    }

    /// The grouping questions, in the order recoding and the model use: platform,
    /// category, region.
    pub fn groupings(&self) -> [usize; 3] {
        [self.platform, self.category, self.region]
    }

    /// The option index of the residual group of grouping question `q`.
    pub fn residual(&self, q: usize) -> usize {
        self.questions[q]
            .option_index(RESIDUAL)
            .expect("every grouping has a residual option (Spec::new)")
    }

    pub fn min_group_size(&self) -> u64 {
        u64::from(self.disclosure.min_group_size)
    }

    pub fn platforms(&self) -> &[Opt] {
        &self.questions[self.platform].options
    }

    /// The survey's first language: the one of README.md, the charts without a language
    /// folder and the CSVs' `option_label`.
    pub fn lang(&self) -> &str {
        self.languages.first().map(String::as_str).unwrap_or("en")
    }

    pub fn k(&self) -> u64 {
        u64::from(self.disclosure.k.max(1))
    }
}

/// An indicator applies when its question exists; a question that exists with other
/// options is a definition error, not something to skip silently.
fn indicator(
    questions: &[QuestionSpec],
    def: &IndicatorDef,
    languages: &[String],
) -> Result<Option<IndicatorSpec>, String> {
    let Some(qi) = questions.iter().position(|q| q.id == def.question) else {
        return Ok(None);
    };
    let q = &questions[qi];
    if q.kind != QuestionKind::Single {
        return Err(format!(
            "indicator `{}` needs a single-answer question",
            def.id
        ));
    }
    let index = |id: &str| {
        q.option_index(id)
            .ok_or_else(|| format!("indicator `{}`: `{}` has no option `{id}`", def.id, q.id))
    };
    let counts = def
        .counts
        .iter()
        .map(|o| index(o))
        .collect::<Result<Vec<_>, _>>()?;
    let among = match def.among {
        Among::Answered => (0..q.options.len()).collect(),
        Among::Options(ids) => ids.iter().map(|o| index(o)).collect::<Result<_, _>>()?,
    };
    Ok(Some(IndicatorSpec {
        id: def.id.to_owned(),
        label: Localized(
            languages
                .iter()
                .map(|l| (l.clone(), locale::indicator(l, def.id)))
                .collect(),
        ),
        rule: Localized(
            languages
                .iter()
                .map(|l| (l.clone(), locale::text(l, &format!("rule-{}", def.id))))
                .collect(),
        ),
        question: qi,
        counts,
        among,
    }))
}
