//! The pre-declared tables of a release, built from the counts and the suppression
//! decisions of each wave. Every option of every question and every group appears in
//! every table, published or suppressed, so a missing row never says anything.

use std::collections::BTreeMap;

use canvass_core::wave::{Wave, WaveLength};

use crate::counts::WaveCounts;
use crate::disclosure::Protection;
use crate::disclosure::model::{CellKey, CellKind, Group, Model};
use crate::spec::Spec;
use crate::stats::{quantile_text, share_text, wilson};
use crate::table::{Field, Table};

pub const OK: &str = "ok";
pub const LOW_RELIABILITY: &str = "low_reliability";
pub const SUPPRESSED: &str = "suppressed";
pub const MERGED: &str = "merged";
pub const ALL: &str = "all";

/// One wave, counted and protected.
#[derive(Debug, Clone)]
pub struct WaveResult {
    pub counts: WaveCounts,
    pub model: Model,
    pub protection: Protection,
}

impl WaveResult {
    /// The value of a cell if it is published, `None` if suppressed.
    pub fn published(&self, key: &CellKey) -> Option<u64> {
        let cell = &self.model.cells[*self.model.by_key.get(key)?];
        (!self.protection.suppressed[cell.class]).then_some(cell.value)
    }

    /// Whether `group` was merged into `other` in this wave (`recode.rs`).
    pub fn is_merged(&self, spec: &Spec, group: &Group) -> bool {
        let (dim, id) = match group {
            Group::All => return false,
            Group::Platform(id) => (0, id),
            Group::Category(id) => (1, id),
            Group::Region(id) => (2, id),
        };
        let q = spec.groupings()[dim];
        spec.questions[q]
            .option_index(id)
            .is_some_and(|o| self.counts.recoding.is_merged(dim, o))
    }

    /// Whether option `option` of question `q` is a group merged into `other`.
    pub fn is_merged_option(&self, spec: &Spec, q: usize, option: usize) -> bool {
        spec.groupings()
            .iter()
            .position(|&g| g == q)
            .is_some_and(|dim| dim > 0 && self.counts.recoding.is_merged(dim, option))
    }
}

/// The number columns of a row whose group is merged into `other`: empty, `merged`.
fn merged_cells(columns: usize) -> Vec<String> {
    let mut row = vec![String::new(); columns];
    row.push(MERGED.to_owned());
    row
}

/// A table's title in the survey's first language (`table-{name}` in `pipeline/locales`);
/// `labels.csv` has it in every language.
pub fn table_title(spec: &Spec, name: &str) -> String {
    crate::locale::text(spec.lang(), &format!("table-{name}"))
}

pub fn wave_of_key(length: WaveLength, key: i32) -> Wave {
    Wave {
        length,
        year: key / 100,
        index: (key % 100) as u8,
    }
}

pub fn wave_label(spec: &Spec, key: i32) -> String {
    wave_of_key(spec.wave_length, key).to_string()
}

fn statuses() -> Vec<String> {
    [OK, LOW_RELIABILITY, SUPPRESSED, MERGED]
        .map(String::from)
        .to_vec()
}

fn status_field() -> Field {
    Field::key(
        "status",
        "ok; low_reliability (published, but n is below the reliability threshold); suppressed (withheld to protect respondents: the numbers are empty); merged (a group too small in this wave to show on its own, counted in `other`: the numbers are empty)",
        statuses(),
    )
}

fn wave_field(spec: &Spec, waves: &[i32]) -> Field {
    Field::key(
        "wave",
        format!(
            "Reporting wave ({}) in which the responses were submitted",
            match spec.wave_length {
                WaveLength::Month => "calendar month",
                WaveLength::Quarter => "calendar quarter",
                WaveLength::Year => "calendar year",
            }
        ),
        waves.iter().map(|&w| wave_label(spec, w)).collect(),
    )
}

fn platform_field(spec: &Spec) -> Field {
    let mut values = vec![ALL.to_owned()];
    values.extend(spec.platforms().iter().map(|p| p.id.clone()));
    Field::key(
        "main_platform",
        "The respondent's main platform (the one that brings them the most income); `all` for every respondent; `other` for other platforms, platforms too small in the wave to show on their own (status `merged`) and respondents without a main platform",
        values,
    )
}

/// Platform groups in publication order: `all` first, then the survey's order.
fn platform_groups(spec: &Spec) -> Vec<(String, Group)> {
    std::iter::once((ALL.to_owned(), Group::All))
        .chain(
            spec.platforms()
                .iter()
                .map(|p| (p.id.clone(), Group::Platform(p.id.clone()))),
        )
        .collect()
}

fn key(wave: i32, kind: CellKind, group: &Group, item: &str, option: &str) -> CellKey {
    CellKey {
        wave,
        kind,
        group: group.clone(),
        item: item.to_owned(),
        option: option.to_owned(),
    }
}

/// `count, n, share, ci_low, ci_high, status` for one count over one denominator.
fn share_cells(result: &WaveResult, count: &CellKey, n: &CellKey, low_below: u64) -> Vec<String> {
    let n_value = result.published(n);
    let c_value = result.published(count);
    match (c_value, n_value) {
        (Some(x), Some(n)) => {
            let (share, low, high) = match wilson(x, n) {
                Some((lo, hi)) => (
                    share_text(x as f64 / n as f64),
                    share_text(lo),
                    share_text(hi),
                ),
                None => (String::new(), String::new(), String::new()),
            };
            let status = if n < low_below { LOW_RELIABILITY } else { OK };
            vec![
                x.to_string(),
                n.to_string(),
                share,
                low,
                high,
                status.to_owned(),
            ]
        }
        (_, n) => vec![
            String::new(),
            n.map(|n| n.to_string()).unwrap_or_default(),
            String::new(),
            String::new(),
            String::new(),
            SUPPRESSED.to_owned(),
        ],
    }
}

fn share_fields(count: &str, among: &str) -> Vec<Field> {
    vec![
        Field::count(
            "count",
            format!("Number of respondents {count}; empty when suppressed"),
        ),
        Field::count(
            "n",
            format!("Number of respondents {among} (the denominator); empty when suppressed"),
        ),
        Field::share(
            "share",
            "count / n, as a proportion between 0 and 1; empty when suppressed or n = 0",
        ),
        Field::share(
            "ci_low",
            "Lower bound of the 95 % Wilson score interval of the share (sampling variability only)",
        ),
        Field::share(
            "ci_high",
            "Upper bound of the 95 % Wilson score interval of the share (sampling variability only)",
        ),
        status_field(),
    ]
}

fn low_below(spec: &Spec) -> u64 {
    u64::from(spec.disclosure.low_reliability_below)
}

pub fn respondents(spec: &Spec, results: &BTreeMap<i32, WaveResult>) -> Table {
    let waves: Vec<i32> = results.keys().copied().collect();
    let mut rows = Vec::new();
    for (&w, result) in results {
        for (id, group) in platform_groups(spec) {
            let n = result.published(&key(w, CellKind::Respondents, &group, "", ""));
            let status = match n {
                _ if result.is_merged(spec, &group) => MERGED,
                None => SUPPRESSED,
                Some(n) if n < low_below(spec) => LOW_RELIABILITY,
                Some(_) => OK,
            };
            rows.push(vec![
                wave_label(spec, w),
                id,
                n.map(|n| n.to_string()).unwrap_or_default(),
                status.to_owned(),
            ]);
        }
    }
    Table {
        name: "respondents",
        title: table_title(spec, "respondents"),
        description: "How many responses each published figure rests on.".into(),
        fields: vec![
            wave_field(spec, &waves),
            platform_field(spec),
            Field::count("n", "Number of respondents; empty when suppressed"),
            status_field(),
        ],
        primary_key: vec!["wave", "main_platform"],
        rows,
    }
}

pub fn answers(spec: &Spec, wave: i32, result: &WaveResult) -> Table {
    let mut rows = Vec::new();
    let mut question_ids = Vec::new();
    let mut option_ids: Vec<String> = Vec::new();
    for q in spec.answer_questions() {
        let question = &spec.questions[q];
        question_ids.push(question.id.clone());
        for o in &question.options {
            if !option_ids.contains(&o.id) {
                option_ids.push(o.id.clone());
            }
        }
    }
    for (gid, group) in platform_groups(spec) {
        for q in spec.answer_questions() {
            let question = &spec.questions[q];
            let n = key(wave, CellKind::AnswerN, &group, &question.id, "");
            for (oi, o) in question.options.iter().enumerate() {
                let count = key(wave, CellKind::AnswerCount, &group, &question.id, &o.id);
                let mut row = vec![
                    wave_label(spec, wave),
                    gid.clone(),
                    question.id.clone(),
                    o.id.clone(),
                    o.label.get(spec.lang()).to_owned(),
                ];
                if result.is_merged(spec, &group) || result.is_merged_option(spec, q, oi) {
                    row.extend(merged_cells(5));
                } else {
                    row.extend(share_cells(result, &count, &n, low_below(spec)));
                }
                rows.push(row);
            }
        }
    }
    let mut fields = vec![
        wave_field(spec, &[wave]),
        platform_field(spec),
        Field::key(
            "question_id",
            "The question (see README.md for the wording); `region` is the country question coarsened to world regions",
            question_ids,
        ),
        Field::key("option_id", "The answer option", option_ids),
        Field::text("option_label", "The answer option as shown in English"),
    ];
    fields.extend(share_fields(
        "who gave this answer (for a multiple-choice question: who picked this option)",
        "in the group who answered the question",
    ));
    Table {
        name: "answers",
        title: table_title(spec, "answers"),
        description: "Every option of every question, for all respondents and for each main platform. For the multiple-choice question `platforms`, shares do not add up to 1.".into(),
        fields,
        primary_key: vec!["wave", "main_platform", "question_id", "option_id"],
        rows,
    }
}

fn indicator_field(spec: &Spec) -> Field {
    Field::key(
        "indicator",
        "The headline indicator (definitions in README.md)",
        spec.indicators.iter().map(|i| i.id.clone()).collect(),
    )
}

/// Indicators by platform for the given waves: `indicators.csv` (one wave) and `trends.csv`.
pub fn indicators(
    spec: &Spec,
    results: &BTreeMap<i32, WaveResult>,
    waves: &[i32],
    name: &'static str,
) -> Table {
    let mut rows = Vec::new();
    for &w in waves {
        let result = &results[&w];
        for (gid, group) in platform_groups(spec) {
            for ind in &spec.indicators {
                let mut row = vec![wave_label(spec, w), gid.clone(), ind.id.clone()];
                if result.is_merged(spec, &group) {
                    row.extend(merged_cells(5));
                } else {
                    row.extend(share_cells(
                        result,
                        &key(w, CellKind::IndicatorCount, &group, &ind.id, ""),
                        &key(w, CellKind::IndicatorN, &group, &ind.id, ""),
                        low_below(spec),
                    ));
                }
                rows.push(row);
            }
        }
    }
    let mut fields = vec![
        wave_field(spec, waves),
        platform_field(spec),
        indicator_field(spec),
    ];
    fields.extend(share_fields(
        "for whom the indicator holds",
        "the indicator is taken among",
    ));
    let title = table_title(spec, name);
    let description = if name == "trends" {
        "Each headline indicator in every closed wave, with the same suppression as when that wave was first published.".to_owned()
    } else {
        "The headline indicators of this release's wave, for all respondents and for each main platform.".to_owned()
    };
    Table {
        name,
        title,
        description,
        fields,
        primary_key: vec!["wave", "main_platform", "indicator"],
        rows,
    }
}

/// `by_category.csv` or `by_region.csv`.
pub fn by_dimension(spec: &Spec, wave: i32, result: &WaveResult, category: bool) -> Table {
    let q = if category { spec.category } else { spec.region };
    let question = &spec.questions[q];
    let column: &'static str = if category { "category" } else { "region" };
    let mut rows = Vec::new();
    for opt in &question.options {
        let group = if category {
            Group::Category(opt.id.clone())
        } else {
            Group::Region(opt.id.clone())
        };
        for ind in &spec.indicators {
            let mut row = vec![wave_label(spec, wave), opt.id.clone(), ind.id.clone()];
            if result.is_merged(spec, &group) {
                row.extend(merged_cells(5));
            } else {
                row.extend(share_cells(
                    result,
                    &key(wave, CellKind::IndicatorCount, &group, &ind.id, ""),
                    &key(wave, CellKind::IndicatorN, &group, &ind.id, ""),
                    low_below(spec),
                ));
            }
            rows.push(row);
        }
    }
    let mut fields = vec![
        wave_field(spec, &[wave]),
        Field::key(
            column,
            if category {
                "What the respondent mainly sells"
            } else {
                "World region of the respondent's country (UN M49 grouping)"
            },
            question.options.iter().map(|o| o.id.clone()).collect(),
        ),
        indicator_field(spec),
    ];
    fields.extend(share_fields(
        "for whom the indicator holds",
        "the indicator is taken among",
    ));
    Table {
        name: if category { "by_category" } else { "by_region" },
        title: table_title(spec, if category { "by_category" } else { "by_region" }),
        description: "All platforms together.".into(),
        fields,
        primary_key: vec!["wave", column, "indicator"],
        rows,
    }
}

pub fn numeric(spec: &Spec, wave: i32, result: &WaveResult) -> Table {
    let k = spec.k();
    let mut rows = Vec::new();
    let groups = platform_groups(spec);
    for (gi, (gid, group)) in groups.iter().enumerate() {
        for q in spec.number_questions() {
            let question = &spec.questions[q];
            let n = result.published(&key(wave, CellKind::NumericN, group, &question.id, ""));
            // `all` is the last entry of the quartile list; platforms keep their order.
            let index = if gi == 0 {
                spec.platforms().len()
            } else {
                gi - 1
            };
            let quartiles = result.counts.quartiles.get(&q).and_then(|list| list[index]);
            let mut row = vec![wave_label(spec, wave), gid.clone(), question.id.clone()];
            match (n, quartiles) {
                _ if result.is_merged(spec, group) => row.extend(merged_cells(4)),
                (None, _) => {
                    row.extend([String::new(), String::new(), String::new(), String::new()]);
                    row.push(SUPPRESSED.to_owned());
                }
                (Some(n), Some(qs)) if n >= k && qs.n == n => {
                    row.push(n.to_string());
                    row.extend([qs.p25, qs.median, qs.p75].map(quantile_text));
                    row.push(
                        if n < low_below(spec) {
                            LOW_RELIABILITY
                        } else {
                            OK
                        }
                        .to_owned(),
                    );
                }
                (Some(n), _) => {
                    row.push(n.to_string());
                    row.extend([String::new(), String::new(), String::new()]);
                    row.push(LOW_RELIABILITY.to_owned());
                }
            }
            rows.push(row);
        }
    }
    Table {
        name: "numeric",
        title: table_title(spec, "numeric"),
        description: "Lower quartile, median and upper quartile (linear interpolation between order statistics, Hyndman-Fan type 7). Minima and maxima are never published.".into(),
        fields: vec![
            wave_field(spec, &[wave]),
            platform_field(spec),
            Field::key("question_id", "The number question", spec.number_questions().map(|q| spec.questions[q].id.clone()).collect()),
            Field::count("n", "Respondents who answered; empty when suppressed"),
            Field::number("p25", "Lower quartile; only where n >= k"),
            Field::number("median", "Median; only where n >= k"),
            Field::number("p75", "Upper quartile; only where n >= k"),
            status_field(),
        ],
        primary_key: vec!["wave", "main_platform", "question_id"],
        rows,
    }
}
