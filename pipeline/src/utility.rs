//! How much a release keeps: per table, the numbers of its newest wave that are
//! published, withheld because they are small (primary) and withheld only to protect
//! others (secondary). `canvass report --stats` prints it; `make bench` tabulates it.

use serde::Serialize;

use crate::disclosure::model::{CellKey, CellKind, Group};
use crate::tables::WaveResult;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableUtility {
    pub table: &'static str,
    pub published: usize,
    pub primary: usize,
    pub secondary: usize,
    /// Counts of indicators whose n is at least 30 withheld by secondary suppression.
    pub secondary_indicators_n30: usize,
}

/// The table a number is published in.
fn table_of(key: &CellKey) -> &'static str {
    match (key.kind, &key.group) {
        (CellKind::Respondents, _) => "respondents",
        (CellKind::AnswerCount | CellKind::AnswerN, _) => "answers",
        (CellKind::NumericN, _) => "numeric",
        (_, Group::Category(_)) => "by_category",
        (_, Group::Region(_)) => "by_region",
        _ => "indicators",
    }
}

pub const TABLES: [&str; 6] = [
    "respondents",
    "answers",
    "indicators",
    "numeric",
    "by_category",
    "by_region",
];

pub fn utility(result: &WaveResult) -> Vec<TableUtility> {
    let model = &result.model;
    let p = &result.protection;
    let mut out: Vec<TableUtility> = TABLES
        .iter()
        .map(|&table| TableUtility {
            table,
            published: 0,
            primary: 0,
            secondary: 0,
            secondary_indicators_n30: 0,
        })
        .collect();
    for cell in &model.cells {
        let table = table_of(&cell.key);
        let row = out
            .iter_mut()
            .find(|t| t.table == table)
            .expect("every table is listed");
        let class = cell.class;
        if !p.suppressed[class] {
            row.published += 1;
        } else if p.primary[class] {
            row.primary += 1;
        } else {
            row.secondary += 1;
            let n = cell.denominator.map(|d| model.classes[d].value);
            if cell.key.kind == CellKind::IndicatorCount && n.is_some_and(|n| n >= 30) {
                row.secondary_indicators_n30 += 1;
            }
        }
    }
    out
}
