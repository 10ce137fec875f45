//! Frame: the extracted columns as a polars DataFrame typed from the survey definition.
//!
//! Single-answer questions (Likert points included) are `Enum` columns whose categories are
//! the full option list, so a group-by can never invent or lose an option; multiple choice
//! is a `List(Enum)`; numbers are `Int64`; `wave` is the sortable wave key and `verified`
//! the proof-of-work flag.

use polars::prelude::*;

use crate::PipelineError;
use crate::extract::{Column, Columns, NONE};
use crate::spec::{QuestionSpec, Spec};

pub const WAVE: &str = "wave";
pub const VERIFIED: &str = "verified";

/// The `Enum` type of a question: its options, in definition order.
pub fn enum_dtype(q: &QuestionSpec) -> Result<DataType, PipelineError> {
    let categories = FrozenCategories::new(q.options.iter().map(|o| o.id.as_str()))?;
    Ok(DataType::from_frozen_categories(categories))
}

/// The schema every frame of this survey has, whether built from a store or read from Parquet.
pub fn schema(spec: &Spec) -> Result<Schema, PipelineError> {
    let mut schema = Schema::default();
    schema.insert(WAVE.into(), DataType::Int32);
    schema.insert(VERIFIED.into(), DataType::Boolean);
    for q in &spec.questions {
        let dtype = match q.kind {
            crate::spec::QuestionKind::Single => enum_dtype(q)?,
            crate::spec::QuestionKind::Multiple { .. } => DataType::List(Box::new(enum_dtype(q)?)),
            crate::spec::QuestionKind::Number { .. } => DataType::Int64,
        };
        schema.insert(q.id.as_str().into(), dtype);
    }
    Ok(schema)
}

pub fn build(spec: &Spec, columns: &Columns) -> Result<DataFrame, PipelineError> {
    let height = columns.len();
    let mut out: Vec<polars::prelude::Column> = Vec::with_capacity(2 + spec.questions.len());
    out.push(Series::new(WAVE.into(), &columns.wave).into());
    out.push(Series::new(VERIFIED.into(), &columns.verified).into());
    for (q, column) in spec.questions.iter().zip(&columns.questions) {
        let name: PlSmallStr = q.id.as_str().into();
        let series = match column {
            Column::Codes(codes) => {
                let dtype = enum_dtype(q)?;
                let physical = UInt32Chunked::from_iter_options(
                    name.clone(),
                    codes.iter().map(|&c| (c != NONE).then_some(u32::from(c))),
                )
                .into_series()
                .cast(&dtype.to_physical())?;
                Series::from_cats_and_dtype(&physical, &dtype, true)?
            }
            Column::Multi(lists) => {
                let mut builder = ListStringChunkedBuilder::new(name.clone(), height, height * 2);
                for list in lists {
                    match list {
                        Some(codes) => builder.append_values_iter(
                            codes.iter().map(|&c| q.options[usize::from(c)].id.as_str()),
                        ),
                        None => builder.append_null(),
                    }
                }
                builder
                    .finish()
                    .into_series()
                    .strict_cast(&DataType::List(Box::new(enum_dtype(q)?)))?
            }
            Column::Numbers(values) => Series::new(name, values),
        };
        out.push(series.into());
    }
    Ok(DataFrame::new(height, out)?)
}
