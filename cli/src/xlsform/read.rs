//! Reading a workbook from disk: XLSX and ODS through calamine, or a set of CSV files.
//!
//! CSV has no sheets, so a CSV workbook is one file per sheet, named after the survey
//! sheet's file: `NAME.survey.csv` with `NAME.choices.csv`, `NAME.settings.csv` and
//! `NAME.messages.csv` beside it. Every `NAME.*.csv` is read, so that a sheet Canvass does
//! not know is refused rather than missed.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use calamine::{Data, Reader, open_workbook_auto};

use super::problem::SheetProblem;
use super::sheet::{Row, Sheet, Workbook, column_letter};

/// The suffix that marks the survey sheet of a CSV workbook.
pub const CSV_SURVEY_SUFFIX: &str = ".survey.csv";

/// Reads the workbook, with a problem for each cell that holds a spreadsheet error.
pub fn read(path: &Path) -> anyhow::Result<(Workbook, Vec<SheetProblem>)> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_lowercase)
        .unwrap_or_default();
    match extension.as_str() {
        "xlsx" | "xlsm" | "ods" => read_spreadsheet(path),
        "csv" => read_csv(path),
        _ => bail!(
            "{}: not a workbook Canvass reads: give an .xlsx or .ods file, or NAME{CSV_SURVEY_SUFFIX} (see surveys/README.md)",
            path.display()
        ),
    }
}

fn read_spreadsheet(path: &Path) -> anyhow::Result<(Workbook, Vec<SheetProblem>)> {
    let mut book =
        open_workbook_auto(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut problems = Vec::new();
    let mut sheets = Vec::new();
    for name in book.sheet_names() {
        let range = book
            .worksheet_range(&name)
            .with_context(|| format!("cannot read sheet `{name}` of {}", path.display()))?;
        let (first_row, first_col) = range.start().unwrap_or((0, 0));
        let mut grid = Vec::new();
        for (i, cells) in range.rows().enumerate() {
            // Numbered as the spreadsheet shows them, whatever empty rows come first.
            let number = first_row + i as u32 + 1;
            let mut row = vec![String::new(); first_col as usize];
            for (j, cell) in cells.iter().enumerate() {
                row.push(match cell {
                    Data::Error(e) => {
                        problems.push(SheetProblem {
                            file: path.to_owned(),
                            sheet: Some(name.clone()),
                            row: Some(number),
                            column: Some(format!(
                                "(column {})",
                                column_letter(first_col as usize + j)
                            )),
                            message: format!("the cell holds a spreadsheet error ({e})"),
                            fix: "type the value itself, or correct the formula".into(),
                        });
                        String::new()
                    }
                    other => text(other),
                });
            }
            grid.push((number, row));
        }
        sheets.push(sheet_of(name, path.to_owned(), grid));
    }
    Ok((Workbook { sheets }, problems))
}

/// A cell as text: whole numbers without `.0` (a spreadsheet stores `1` as 1.0).
fn text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// The first row is the header; rows with no text are left out (their numbers are kept).
fn sheet_of(name: String, file: PathBuf, grid: Vec<(u32, Vec<String>)>) -> Sheet {
    let mut rows = grid.into_iter();
    let header = rows.next().map(|(_, cells)| cells).unwrap_or_default();
    Sheet {
        name,
        file,
        header,
        rows: rows
            .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()))
            .map(|(number, cells)| Row { number, cells })
            .collect(),
    }
}

/// `NAME.survey.csv` → `NAME`, the stem every sheet's file shares.
pub fn csv_stem(path: &Path) -> anyhow::Result<String> {
    let file_name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    match file_name.strip_suffix(CSV_SURVEY_SUFFIX) {
        Some(stem) if !stem.is_empty() => Ok(stem.to_owned()),
        _ => bail!(
            "{}: a CSV workbook is one file per sheet: pass NAME{CSV_SURVEY_SUFFIX}, with NAME.choices.csv, NAME.settings.csv (and NAME.messages.csv) beside it",
            path.display()
        ),
    }
}

fn read_csv(path: &Path) -> anyhow::Result<(Workbook, Vec<SheetProblem>)> {
    let stem = csv_stem(path)?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    if !path.exists() {
        bail!("{}: no such file", path.display());
    }
    let mut files: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let sheet = name
                .strip_prefix(&format!("{stem}."))?
                .strip_suffix(".csv")?;
            // `NAME.x.y.csv` belongs to another workbook (`NAME.x`), not to this one.
            (!sheet.is_empty() && !sheet.contains('.')).then(|| (sheet.to_owned(), entry.path()))
        })
        .collect();
    files.sort();
    let mut sheets = Vec::new();
    for (sheet, file) in files {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(&file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        let mut grid = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let record = record.with_context(|| format!("{}: not valid CSV", file.display()))?;
            let mut cells: Vec<String> = record.iter().map(str::to_owned).collect();
            // Spreadsheet programs often start a UTF-8 CSV with a byte order mark.
            if let Some(first) = cells.first_mut()
                && let Some(rest) = first.strip_prefix('\u{feff}')
            {
                *first = rest.to_owned();
            }
            grid.push((i as u32 + 1, cells));
        }
        sheets.push(sheet_of(sheet, file, grid));
    }
    Ok((Workbook { sheets }, Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_a_person_typed_them() {
        assert_eq!(text(&Data::Float(1.0)), "1");
        assert_eq!(text(&Data::Float(-60.0)), "-60");
        assert_eq!(text(&Data::Float(1.5)), "1.5");
        assert_eq!(text(&Data::Int(10)), "10");
        assert_eq!(text(&Data::Bool(true)), "true");
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(26), "AA");
    }

    #[test]
    fn csv_workbooks_are_named_by_their_survey_sheet() {
        assert_eq!(csv_stem(Path::new("a/form.survey.csv")).unwrap(), "form");
        assert!(csv_stem(Path::new("a/form.csv")).is_err());
        assert!(csv_stem(Path::new(".survey.csv")).is_err());
    }
}
