//! A published table: typed columns (which become the Table Schema) and rows of text
//! already formatted for the CSV. One type for every table, so every writer treats them
//! the same way.

/// Frictionless field types used by the release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    String,
    Integer,
    Number,
}

impl FieldType {
    pub fn name(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Integer => "integer",
            FieldType::Number => "number",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub kind: FieldType,
    pub description: String,
    /// The complete list of values a category column can take.
    pub values: Option<Vec<String>>,
    /// Whether the column is never empty.
    pub required: bool,
    pub minimum: Option<u32>,
    pub maximum: Option<u32>,
}

impl Field {
    pub fn key(name: &'static str, description: impl Into<String>, values: Vec<String>) -> Field {
        Field {
            name,
            kind: FieldType::String,
            description: description.into(),
            values: Some(values),
            required: true,
            minimum: None,
            maximum: None,
        }
    }

    pub fn text(name: &'static str, description: impl Into<String>) -> Field {
        Field {
            name,
            kind: FieldType::String,
            description: description.into(),
            values: None,
            required: true,
            minimum: None,
            maximum: None,
        }
    }

    pub fn count(name: &'static str, description: impl Into<String>) -> Field {
        Field {
            name,
            kind: FieldType::Integer,
            description: description.into(),
            values: None,
            required: false,
            minimum: Some(0),
            maximum: None,
        }
    }

    pub fn share(name: &'static str, description: impl Into<String>) -> Field {
        Field {
            name,
            kind: FieldType::Number,
            description: description.into(),
            values: None,
            required: false,
            minimum: Some(0),
            maximum: Some(1),
        }
    }

    pub fn number(name: &'static str, description: impl Into<String>) -> Field {
        Field {
            name,
            kind: FieldType::Number,
            description: description.into(),
            values: None,
            required: false,
            minimum: None,
            maximum: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// File stem: `answers` is written as `answers.csv`.
    pub name: &'static str,
    pub title: String,
    pub description: String,
    pub fields: Vec<Field>,
    pub primary_key: Vec<&'static str>,
    /// Formatted cells; an empty string is a missing value (suppressed or undefined).
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }
}
