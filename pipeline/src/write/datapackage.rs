//! `datapackage.json`: a Frictionless Data Package (v2) describing every CSV with a Table
//! Schema (types, enum constraints, primary key, missing values), its size and sha256.
//! Serialised from structs, so key order is fixed and the output byte-identical.

use canvass_core::releases::citation::{LICENSE, LICENSE_TITLE, LICENSE_URL, PUBLISHER};
use serde::Serialize;

use crate::PipelineError;
use crate::table::Table;

const PACKAGE_PROFILE: &str = "https://datapackage.org/profiles/2.0/datapackage.json";

/// The release format's version: raised when the tables or their meaning change.
pub const FORMAT_VERSION: &str = "2.0.0";

pub const KEYWORDS: &[&str] = &["survey", "online sellers", "platforms", "statistics"];

#[derive(Debug, Clone, Serialize)]
pub struct Package {
    #[serde(rename = "$schema")]
    schema: &'static str,
    name: String,
    id: String,
    title: String,
    description: String,
    version: &'static str,
    /// When the release became citable (RFC 3339), the same day as `CITATION.cff`'s.
    created: String,
    keywords: &'static [&'static str],
    licenses: Vec<License>,
    contributors: Vec<Contributor>,
    sources: Vec<Source>,
    /// Groups merged into `other` per wave (a Canvass property; Frictionless allows them).
    recoding: Vec<RecodingNote>,
    /// The survey's languages, first the default (a Canvass property): `README.md` is in the
    /// first, `README.{lang}.md` and `charts/{lang}/` in each other, `labels.csv` in all.
    languages: Vec<String>,
    resources: Vec<Resource>,
}

/// One wave's recoding, as `datapackage.json` states it (`recode.rs`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct RecodingNote {
    pub wave: String,
    /// Platforms, categories and regions counted in `other` in this wave.
    pub merged_main_platform: Vec<String>,
    pub merged_category: Vec<String>,
    pub merged_region: Vec<String>,
    /// Responses left out of the wave's tables (an `other` group too small to show).
    pub left_out: u64,
}

#[derive(Debug, Clone, Serialize)]
struct License {
    name: &'static str,
    path: &'static str,
    title: &'static str,
}

#[derive(Debug, Clone, Serialize)]
struct Contributor {
    title: &'static str,
    roles: Vec<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
struct Source {
    title: String,
}

#[derive(Debug, Clone, Serialize)]
struct Resource {
    name: String,
    path: String,
    #[serde(rename = "type")]
    kind: &'static str,
    title: String,
    description: String,
    format: &'static str,
    mediatype: &'static str,
    encoding: &'static str,
    bytes: u64,
    hash: String,
    dialect: Dialect,
    schema: Schema,
}

#[derive(Debug, Clone, Serialize)]
struct Dialect {
    delimiter: &'static str,
    #[serde(rename = "lineTerminator")]
    line_terminator: &'static str,
    #[serde(rename = "quoteChar")]
    quote_char: &'static str,
    header: bool,
}

#[derive(Debug, Clone, Serialize)]
struct Schema {
    fields: Vec<SchemaField>,
    #[serde(rename = "primaryKey")]
    primary_key: Vec<&'static str>,
    #[serde(rename = "missingValues")]
    missing_values: Vec<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
struct SchemaField {
    name: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    description: String,
    constraints: Constraints,
    /// Table Schema v2 `categories`: the label of each value, for the headline indicators.
    #[serde(skip_serializing_if = "Option::is_none")]
    categories: Option<Vec<Category>>,
}

#[derive(Debug, Clone, Serialize)]
struct Category {
    value: String,
    label: String,
}

fn categories(about: &About, field: &str) -> Option<Vec<Category>> {
    (field == "indicator").then(|| {
        about
            .indicators
            .iter()
            .map(|(value, label)| Category {
                value: value.clone(),
                label: label.clone(),
            })
            .collect()
    })
}

#[derive(Debug, Clone, Serialize)]
struct Constraints {
    required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(rename = "enum")]
    values: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    minimum: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    maximum: Option<u32>,
}

/// What the package says about itself.
#[derive(Debug, Clone)]
pub struct About {
    pub release_id: String,
    pub title: String,
    pub description: String,
    pub source: String,
    pub recoding: Vec<RecodingNote>,
    /// The day the release became citable (see `write::citation`).
    pub released: time::Date,
    /// Each headline indicator's id and label in the survey's first language; every
    /// language is in `labels.csv`.
    pub indicators: Vec<(String, String)>,
    /// The survey's languages, first the default.
    pub languages: Vec<String>,
}

/// One CSV with its bytes, for sizes and hashes.
pub struct Written<'a> {
    pub table: &'a Table,
    pub bytes: &'a [u8],
}

pub fn datapackage(about: &About, tables: &[Written<'_>]) -> Result<Vec<u8>, PipelineError> {
    let package = Package {
        schema: PACKAGE_PROFILE,
        name: about.release_id.to_lowercase(),
        id: about.release_id.clone(),
        title: about.title.clone(),
        description: about.description.clone(),
        version: FORMAT_VERSION,
        created: format!("{}T00:00:00Z", about.released),
        keywords: KEYWORDS,
        contributors: vec![Contributor {
            title: PUBLISHER,
            roles: vec!["publisher"],
        }],
        licenses: vec![License {
            name: LICENSE,
            path: LICENSE_URL,
            title: LICENSE_TITLE,
        }],
        recoding: about.recoding.clone(),
        languages: about.languages.clone(),
        sources: vec![Source {
            title: about.source.clone(),
        }],
        resources: tables
            .iter()
            .map(|w| Resource {
                name: w.table.name.to_owned(),
                path: format!("{}.csv", w.table.name),
                kind: "table",
                title: w.table.title.clone(),
                description: w.table.description.clone(),
                format: "csv",
                mediatype: "text/csv",
                encoding: "utf-8",
                bytes: w.bytes.len() as u64,
                hash: format!("sha256:{}", crate::write::sha256_hex(w.bytes)),
                dialect: Dialect {
                    delimiter: ",",
                    line_terminator: "\r\n",
                    quote_char: "\"",
                    header: true,
                },
                schema: Schema {
                    fields: w
                        .table
                        .fields
                        .iter()
                        .map(|f| SchemaField {
                            name: f.name,
                            kind: f.kind.name(),
                            description: f.description.clone(),
                            constraints: Constraints {
                                required: f.required,
                                values: f.values.clone(),
                                minimum: f.minimum,
                                maximum: f.maximum,
                            },
                            categories: categories(about, f.name),
                        })
                        .collect(),
                    primary_key: w.table.primary_key.clone(),
                    missing_values: vec![""],
                },
            })
            .collect(),
    };
    let mut text = serde_json::to_vec_pretty(&package)?;
    text.push(b'\n');
    Ok(text)
}
