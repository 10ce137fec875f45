//! `ControlStore` on the `control` table: every operation is one conditional write, and
//! every condition treats an item whose `expires_at` has passed as absent (TTL deletion
//! runs lazily, days late at worst).

use async_trait::async_trait;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};
use serde::{Deserialize, Serialize};

use super::DynamoStore;
use super::errors::classify;
use crate::store::{ControlStore, StoreError, unix_now};
use crate::tables::CONTROL;

/// The sort key of every ControlStore item: one item per key. `sk` exists so that later
/// kinds of control state can keep several items under one key.
const ITEM_SORT_KEY: &str = "item";

/// A control item as stored. Attribute names other than the keys and the TTL attribute
/// are this module's business.
#[derive(Debug, Serialize, Deserialize)]
struct ControlItem {
    pk: String,
    sk: String,
    expires_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    count: Option<u64>,
}

/// An increment that keeps losing races (the key is reset by another caller between our
/// two steps, over and over) gives up rather than spinning.
const MAX_INCREMENT_ROUNDS: usize = 8;

/// Absent, or present but expired.
const ABSENT: &str = "attribute_not_exists(#pk) OR #expires <= :now";

fn map_err(e: serde_dynamo::Error) -> StoreError {
    StoreError::Failed(format!("cannot map a control item: {e}"))
}

impl DynamoStore {
    fn control_key(
        &self,
        key: &str,
    ) -> Result<std::collections::HashMap<String, AttributeValue>, StoreError> {
        #[derive(Serialize)]
        struct Key<'a> {
            pk: &'a str,
            sk: &'a str,
        }
        serde_dynamo::to_item(Key {
            pk: key,
            sk: ITEM_SORT_KEY,
        })
        .map_err(map_err)
    }

    /// Writes `item` if no live item has its key; `Ok(None)` when it was written, otherwise
    /// the live item that stopped it.
    async fn put_when_absent(
        &self,
        item: &ControlItem,
        now: i64,
    ) -> Result<Option<ControlItem>, StoreError> {
        let request = self
            .client
            .put_item()
            .table_name(&self.tables.control)
            .set_item(Some(serde_dynamo::to_item(item).map_err(map_err)?))
            .condition_expression(ABSENT)
            .expression_attribute_names("#pk", CONTROL.partition_key)
            .expression_attribute_names("#expires", expires_attribute())
            .expression_attribute_values(":now", AttributeValue::N(now.to_string()))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        match request.send().await {
            Ok(_) => Ok(None),
            Err(e) => match e.as_service_error() {
                Some(PutItemError::ConditionalCheckFailedException(live)) => match live.item() {
                    Some(old) => Ok(Some(serde_dynamo::from_item(old.clone()).map_err(map_err)?)),
                    None => self.get_control(&item.pk).await?.map(Some).ok_or_else(|| {
                        StoreError::Unavailable("a control item vanished while read".into())
                    }),
                },
                _ => Err(classify(e)),
            },
        }
    }

    async fn get_control(&self, key: &str) -> Result<Option<ControlItem>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.tables.control)
            .set_key(Some(self.control_key(key)?))
            .consistent_read(true)
            .send()
            .await
            .map_err(classify)?;
        out.item
            .map(|item| serde_dynamo::from_item(item).map_err(map_err))
            .transpose()
    }

    /// Adds one to a live counter; `None` if there is no live counter to add to.
    async fn add_one(&self, key: &str, now: i64) -> Result<Option<u64>, StoreError> {
        let updated = self
            .client
            .update_item()
            .table_name(&self.tables.control)
            .set_key(Some(self.control_key(key)?))
            .update_expression("ADD #count :one")
            .condition_expression("attribute_exists(#pk) AND #expires > :now")
            .expression_attribute_names("#count", "count")
            .expression_attribute_names("#pk", CONTROL.partition_key)
            .expression_attribute_names("#expires", expires_attribute())
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .expression_attribute_values(":now", AttributeValue::N(now.to_string()))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await;
        match updated {
            Ok(out) => {
                #[derive(Deserialize)]
                struct Count {
                    count: u64,
                }
                let attributes = out.attributes.unwrap_or_default();
                let count: Count = serde_dynamo::from_item(attributes).map_err(map_err)?;
                Ok(Some(count.count))
            }
            Err(e) => match e.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(_)) => Ok(None),
                _ => Err(classify(e)),
            },
        }
    }
}

fn expires_attribute() -> &'static str {
    CONTROL
        .ttl_attribute
        .expect("the control table declares its TTL attribute")
}

#[async_trait]
impl ControlStore for DynamoStore {
    async fn increment(&self, key: &str, expires_at: i64) -> Result<u64, StoreError> {
        // Two atomic steps: add to a live counter, or (re)start one at 1. A caller that loses
        // the race to start it finds a live counter on the next round.
        for _ in 0..MAX_INCREMENT_ROUNDS {
            let now = unix_now();
            if let Some(count) = self.add_one(key, now).await? {
                return Ok(count);
            }
            let fresh = ControlItem {
                pk: key.to_owned(),
                sk: ITEM_SORT_KEY.to_owned(),
                expires_at,
                count: Some(1),
            };
            if self.put_when_absent(&fresh, now).await?.is_none() {
                return Ok(1);
            }
        }
        Err(StoreError::Unavailable(format!(
            "counter kept changing under {MAX_INCREMENT_ROUNDS} attempts"
        )))
    }

    async fn claim(&self, key: &str, expires_at: i64) -> Result<bool, StoreError> {
        let marker = ControlItem {
            pk: key.to_owned(),
            sk: ITEM_SORT_KEY.to_owned(),
            expires_at,
            count: None,
        };
        Ok(self.put_when_absent(&marker, unix_now()).await?.is_none())
    }
}
