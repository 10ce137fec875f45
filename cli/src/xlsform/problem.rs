//! A problem found in a workbook, located by file, sheet, row and column, with its fix.
//!
//! Shaped like `canvass check`'s problems (what is wrong, then `fix:`), so an operator reads
//! both the same way; the location is the cell the operator has to change.

use std::collections::BTreeSet;
use std::fmt;
use std::path::PathBuf;

use super::refusals::Refusal;
use super::sheet::Sheet;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetProblem {
    /// The workbook, or for CSV input the one CSV file of that sheet.
    pub file: PathBuf,
    pub sheet: Option<String>,
    /// The row number as the spreadsheet shows it (the header is row 1).
    pub row: Option<u32>,
    /// The column header, as written in the sheet.
    pub column: Option<String>,
    pub message: String,
    pub fix: String,
}

impl fmt::Display for SheetProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        let mut at = Vec::new();
        if let Some(sheet) = &self.sheet {
            at.push(format!("sheet `{sheet}`"));
        }
        if let Some(row) = self.row {
            at.push(format!("row {row}"));
        }
        if let Some(column) = &self.column {
            at.push(format!("column `{column}`"));
        }
        if !at.is_empty() {
            write!(f, " ({})", at.join(", "))?;
        }
        write!(f, ": {}\n    fix: {}", self.message, self.fix)
    }
}

/// The problems found so far while mapping a workbook: all of them are reported at once.
pub struct Found {
    pub problems: Vec<SheetProblem>,
    /// (sheet, column) pairs already reported as missing, so a missing language column is
    /// said once, not once per row.
    pub missing_columns: BTreeSet<(String, String)>,
}

impl Found {
    pub fn at(
        &mut self,
        sheet: &Sheet,
        row: Option<u32>,
        column: Option<&str>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.problems.push(SheetProblem {
            file: sheet.file.clone(),
            sheet: Some(sheet.name.clone()),
            row,
            column: column.map(str::to_owned),
            message: message.into(),
            fix: fix.into(),
        });
    }

    pub fn refuse(
        &mut self,
        sheet: &Sheet,
        row: Option<u32>,
        column: Option<&str>,
        what: String,
        r: Refusal,
    ) {
        self.at(sheet, row, column, format!("{what}: {}", r.reason), r.fix);
    }
}
