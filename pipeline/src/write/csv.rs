//! CSV as the release publishes it: RFC 4180 (comma, double quotes only where needed, CRLF
//! line ends), UTF-8, a header row, and no text cell that a spreadsheet would run as a
//! formula or that starts with a control character.

use crate::PipelineError;
use crate::table::{FieldType, Table};

/// Characters a spreadsheet treats as the start of a formula or a command.
const RISKY_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Makes a text cell safe to open in a spreadsheet: control characters become spaces and
/// a cell that would start a formula gets a leading apostrophe (the OWASP advice).
pub fn safe_text(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if cleaned.starts_with(RISKY_START) {
        format!("'{cleaned}")
    } else {
        cleaned
    }
}

pub fn to_csv(table: &Table) -> Result<Vec<u8>, PipelineError> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(Vec::new());
    writer.write_record(table.fields.iter().map(|f| f.name))?;
    for row in &table.rows {
        debug_assert_eq!(row.len(), table.fields.len(), "{}", table.name);
        let cells = row
            .iter()
            .zip(&table.fields)
            .map(|(cell, field)| match field.kind {
                FieldType::String => safe_text(cell),
                // Numbers are formatted by the pipeline: digits, a point, nothing else.
                FieldType::Integer | FieldType::Number => cell.clone(),
            });
        writer.write_record(cells)?;
    }
    writer
        .into_inner()
        .map_err(|e| PipelineError::Write(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risky_cells_are_defused() {
        assert_eq!(safe_text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(safe_text("+1"), "'+1");
        assert_eq!(safe_text("-1"), "'-1");
        assert_eq!(safe_text("@SUM"), "'@SUM");
        assert_eq!(safe_text("\tx"), " x");
        assert_eq!(safe_text("a\r\nb"), "a  b");
        assert_eq!(safe_text("Etsy"), "Etsy");
        assert_eq!(safe_text("$100–499"), "$100–499");
        for text in ["=1", "+", "-", "@", "\t", "\r", "\n=1"] {
            let safe = safe_text(text);
            assert!(!safe.starts_with(RISKY_START), "{text:?} -> {safe:?}");
        }
    }
}
