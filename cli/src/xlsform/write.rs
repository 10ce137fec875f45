//! Writing a workbook to disk: XLSX through rust_xlsxwriter, or one CSV file per sheet.
//!
//! The same survey always gives the same bytes (the example workbook is committed, and a
//! regenerated one should show no change): the document's creation date is fixed.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook as Xlsx};

use super::read::{CSV_SURVEY_SUFFIX, csv_stem};
use super::sheet::Workbook;

/// Writes `workbook` to `path` (`.xlsx`, or `NAME.survey.csv` and its sibling sheets),
/// replacing what is there; returns the files written.
pub fn write(workbook: &Workbook, path: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_lowercase)
        .unwrap_or_default();
    match extension.as_str() {
        "xlsx" => {
            std::fs::write(path, xlsx_bytes(workbook)?)
                .with_context(|| format!("cannot write {}", path.display()))?;
            Ok(vec![path.to_owned()])
        }
        "csv" => write_csv(workbook, path),
        _ => bail!(
            "{}: Canvass writes .xlsx workbooks, or NAME{CSV_SURVEY_SUFFIX} with one CSV per sheet",
            path.display()
        ),
    }
}

/// The XLSX file: a bold, frozen header row and text columns wide enough to read.
pub fn xlsx_bytes(workbook: &Workbook) -> anyhow::Result<Vec<u8>> {
    let mut xlsx = Xlsx::new();
    // A fixed date: the file's bytes depend on the survey only.
    let created = ExcelDateTime::from_ymd(2026, 1, 1)?;
    xlsx.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&created)
            .set_comment("Written by `canvass export`; import it with `canvass import`."),
    );
    let bold = Format::new().set_bold();
    for sheet in &workbook.sheets {
        let ws = xlsx.add_worksheet();
        ws.set_name(&sheet.name)?;
        for (col, header) in sheet.header.iter().enumerate() {
            let col = u16::try_from(col).context("too many columns")?;
            ws.write_string_with_format(0, col, header, &bold)?;
            let width = if header.contains("::") { 45 } else { 22 };
            ws.set_column_width(col, width)?;
        }
        for (i, row) in sheet.rows.iter().enumerate() {
            let r = u32::try_from(i + 1).context("too many rows")?;
            for (col, cell) in row.cells.iter().enumerate() {
                if !cell.is_empty() {
                    // Always as text: a label such as `=5` or `10` must stay what it says.
                    ws.write_string(r, u16::try_from(col).context("too many columns")?, cell)?;
                }
            }
        }
        ws.set_freeze_panes(1, 0)?;
    }
    Ok(xlsx.save_to_buffer()?)
}

fn write_csv(workbook: &Workbook, path: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let stem = csv_stem(path)?;
    let dir = path.parent().unwrap_or(Path::new(""));
    let mut written = Vec::new();
    for sheet in &workbook.sheets {
        let file = dir.join(format!("{stem}.{}.csv", sheet.name));
        let mut out = csv::Writer::from_path(&file)
            .with_context(|| format!("cannot write {}", file.display()))?;
        out.write_record(&sheet.header)?;
        for row in &sheet.rows {
            let mut cells = row.cells.clone();
            cells.resize(sheet.header.len().max(cells.len()), String::new());
            out.write_record(&cells)?;
        }
        out.flush()?;
        written.push(file);
    }
    Ok(written)
}
