//! The workbook as import and export see it: named sheets of text cells under a header row.
//!
//! Reading (xlsx, ods, csv) and writing (xlsx, csv) convert to and from this one model, so
//! the mapping to a survey is written once and tested without files.

use std::path::PathBuf;

/// The sheets Canvass reads; any other sheet with content is refused, never ignored.
pub const SURVEY: &str = "survey";
pub const CHOICES: &str = "choices";
pub const SETTINGS: &str = "settings";
/// Canvass's own sheet: per-survey overrides of the validation messages.
pub const MESSAGES: &str = "messages";
pub const KNOWN_SHEETS: [&str; 4] = [SURVEY, CHOICES, SETTINGS, MESSAGES];

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Workbook {
    pub sheets: Vec<Sheet>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sheet {
    /// As written in the workbook (matched case-insensitively).
    pub name: String,
    /// The file that holds this sheet: the workbook, or this sheet's own CSV file.
    pub file: PathBuf,
    pub header: Vec<String>,
    /// Rows below the header that have at least one non-empty cell.
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// As the spreadsheet shows it: the header is row 1.
    pub number: u32,
    pub cells: Vec<String>,
}

impl Workbook {
    pub fn sheet(&self, name: &str) -> Option<&Sheet> {
        self.sheets
            .iter()
            .find(|s| s.name.trim().eq_ignore_ascii_case(name))
    }
}

impl Sheet {
    /// A sheet built in memory (export), its rows numbered as a spreadsheet would show them.
    pub fn new(name: &str, file: PathBuf, header: Vec<String>, rows: Vec<Vec<String>>) -> Sheet {
        Sheet {
            name: name.to_owned(),
            file,
            header,
            rows: rows
                .into_iter()
                .zip(2u32..)
                .map(|(cells, number)| Row { number, cells })
                .collect(),
        }
    }
}

impl Row {
    /// The trimmed cell in column `index`; a short row reads as empty cells.
    pub fn get(&self, index: usize) -> &str {
        self.cells.get(index).map(|c| c.trim()).unwrap_or("")
    }
}

/// `A`, `B`, … `Z`, `AA`: how a spreadsheet names a column.
pub fn column_letter(mut index: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ASCII")
}
