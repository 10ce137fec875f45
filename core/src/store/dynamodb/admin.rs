//! Creating the tables as [`crate::tables`] declares them (`canvass dynamo-init`, tests).
//! Idempotent: an existing table with the right keys is left alone apart from switching on
//! settings it lacks; one with other keys is an error, never altered.

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::client::Waiters;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::operation::create_table::CreateTableError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    SseSpecification, TimeToLiveSpecification, TimeToLiveStatus,
};

use super::errors::classify;
use crate::store::StoreError;
use crate::tables::{TableNames, TableSpec};

/// How long to wait for a new table to become active (seconds on AWS, instant locally).
const ACTIVE_WITHIN: Duration = Duration::from_secs(120);

/// What was done to one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedTable {
    pub name: String,
    pub created: bool,
}

fn keys(spec: &TableSpec) -> Vec<(&'static str, KeyType)> {
    let mut keys = vec![(spec.partition_key, KeyType::Hash)];
    if let Some(sort) = spec.sort_key {
        keys.push((sort, KeyType::Range));
    }
    keys
}

fn build_err(e: impl std::fmt::Display) -> StoreError {
    StoreError::Failed(format!("cannot build the request: {e}"))
}

/// Creates (or completes) both tables.
pub async fn create_tables(
    client: &Client,
    names: &TableNames,
) -> Result<Vec<PreparedTable>, StoreError> {
    let mut prepared = Vec::new();
    for (spec, name) in names.specs() {
        prepared.push(prepare(client, &spec, name).await?);
    }
    Ok(prepared)
}

async fn prepare(
    client: &Client,
    spec: &TableSpec,
    name: &str,
) -> Result<PreparedTable, StoreError> {
    let mut request = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .sse_specification(SseSpecification::builder().enabled(true).build())
        .deletion_protection_enabled(spec.deletion_protection);
    for (attribute, key_type) in keys(spec) {
        request = request
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(attribute)
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .map_err(build_err)?,
            )
            .key_schema(
                KeySchemaElement::builder()
                    .attribute_name(attribute)
                    .key_type(key_type)
                    .build()
                    .map_err(build_err)?,
            );
    }
    let created = match request.send().await {
        Ok(_) => true,
        Err(e)
            if matches!(
                e.as_service_error(),
                Some(CreateTableError::ResourceInUseException(_))
            ) =>
        {
            verify_keys(client, spec, name).await?;
            false
        }
        Err(e) => return Err(classify(e)),
    };
    client
        .wait_until_table_exists()
        .table_name(name)
        .wait(ACTIVE_WITHIN)
        .await
        .map_err(|e| {
            StoreError::Unavailable(format!(
                "table {name} did not become active: {}",
                DisplayErrorContext(&e)
            ))
        })?;
    if let Some(attribute) = spec.ttl_attribute {
        enable_ttl(client, name, attribute).await?;
    }
    Ok(PreparedTable {
        name: name.to_owned(),
        created,
    })
}

async fn verify_keys(client: &Client, spec: &TableSpec, name: &str) -> Result<(), StoreError> {
    let described = client
        .describe_table()
        .table_name(name)
        .send()
        .await
        .map_err(classify)?;
    let found: Vec<(String, KeyType)> = described
        .table()
        .map(|t| t.key_schema())
        .unwrap_or_default()
        .iter()
        .map(|k| (k.attribute_name().to_owned(), k.key_type().clone()))
        .collect();
    let wanted: Vec<(String, KeyType)> = keys(spec)
        .into_iter()
        .map(|(a, k)| (a.to_owned(), k))
        .collect();
    if found != wanted {
        return Err(StoreError::Failed(format!(
            "table {name} exists with keys {found:?}, but Canvass needs {wanted:?}; \
             use another --prefix or remove the table"
        )));
    }
    Ok(())
}

async fn enable_ttl(client: &Client, name: &str, attribute: &str) -> Result<(), StoreError> {
    let current = client
        .describe_time_to_live()
        .table_name(name)
        .send()
        .await
        .map_err(classify)?;
    let description = current.time_to_live_description();
    let status = description.and_then(|d| d.time_to_live_status());
    let on = matches!(
        status,
        Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
    );
    match (on, description.and_then(|d| d.attribute_name())) {
        (true, Some(a)) if a == attribute => return Ok(()),
        (true, other) => {
            return Err(StoreError::Failed(format!(
                "table {name} has TTL on {other:?}, but Canvass expires items by `{attribute}`"
            )));
        }
        (false, _) => {}
    }
    client
        .update_time_to_live()
        .table_name(name)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .enabled(true)
                .attribute_name(attribute)
                .build()
                .map_err(build_err)?,
        )
        .send()
        .await
        .map_err(classify)?;
    Ok(())
}
