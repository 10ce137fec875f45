//! `ResponseStore` on the `responses` table: conditional puts and a parallel Scan.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::AttributeValue;
use futures::{StreamExt, TryStreamExt};

use super::DynamoStore;
use super::client::{SCAN_ATTEMPT_TIMEOUT, SCAN_OPERATION_TIMEOUT, retry_config, timeout_config};
use super::errors::classify;
use crate::record::ResponseRecord;
use crate::store::{Listed, Pages, PutOutcome, ResponseStore, StoreError};
use crate::tables::RESPONSES;

type Item = HashMap<String, AttributeValue>;

/// Puts in flight at once during a bulk load (each is one conditional `PutItem`).
const BULK_CONCURRENCY: usize = 32;

/// Reads a stored item, or says exactly what is wrong with it (which attribute, which
/// problem), naming the item by its id.
pub(super) fn listed(item: Item) -> Listed {
    let response_id = match item.get(RESPONSES.partition_key) {
        Some(AttributeValue::S(id)) => id.clone(),
        _ => String::from("(no response_id)"),
    };
    let item: serde_dynamo::Item = item.into();
    let value = serde_dynamo::AttributeValue::M(item.into());
    let deserializer = serde_dynamo::Deserializer::from_attribute_value(value);
    match serde_path_to_error::deserialize::<_, ResponseRecord>(deserializer) {
        Ok(record) => Listed::Response(record),
        Err(e) => Listed::Malformed {
            response_id,
            problem: match e.path().to_string().as_str() {
                "." => e.inner().to_string(),
                path => format!("{path}: {}", e.inner()),
            },
        },
    }
}

impl DynamoStore {
    /// One segment of the parallel Scan, one page per stream element, empty pages skipped.
    fn scan_segment(&self, survey_id: String, segment: i32, total: i32) -> Pages<'_> {
        // `None` once the segment is exhausted; `Some(key)` to continue from `key`.
        futures::stream::unfold(Some(None::<Item>), move |start| {
            let survey_id = survey_id.clone();
            async move {
                let start = start?;
                let page = self
                    .client
                    .scan()
                    .table_name(&self.tables.responses)
                    .segment(segment)
                    .total_segments(total)
                    .consistent_read(self.scan.consistent_read)
                    // Items with no survey id (or one of the wrong type) belong to no survey;
                    // every listing reports them rather than letting them vanish.
                    .filter_expression("#survey = :survey OR NOT attribute_type(#survey, :string)")
                    .expression_attribute_names("#survey", "survey_id")
                    .expression_attribute_values(":survey", AttributeValue::S(survey_id))
                    .expression_attribute_values(":string", AttributeValue::S("S".into()))
                    .set_exclusive_start_key(start)
                    .customize()
                    .config_override(
                        aws_sdk_dynamodb::config::Builder::default()
                            .retry_config(retry_config())
                            .timeout_config(timeout_config(
                                SCAN_ATTEMPT_TIMEOUT,
                                SCAN_OPERATION_TIMEOUT,
                            )),
                    )
                    .send()
                    .await;
                match page {
                    Ok(out) => {
                        let next = out.last_evaluated_key.filter(|key| !key.is_empty());
                        let items = out.items.unwrap_or_default();
                        let page: Vec<Listed> = items.into_iter().map(listed).collect();
                        Some((Ok(page), next.map(Some)))
                    }
                    // The stream ends after an error: the caller decides whether to retry.
                    Err(e) => Some((Err(classify(e)), None)),
                }
            }
        })
        .try_filter(|page| futures::future::ready(!page.is_empty()))
        .boxed()
    }
}

#[async_trait]
impl ResponseStore for DynamoStore {
    async fn put_if_absent(&self, record: &ResponseRecord) -> Result<PutOutcome, StoreError> {
        let item: Item = serde_dynamo::to_item(record)
            .map_err(|e| StoreError::Failed(format!("cannot map the record: {e}")))?;
        let put = self
            .client
            .put_item()
            .table_name(&self.tables.responses)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#id)")
            .expression_attribute_names("#id", RESPONSES.partition_key)
            .send()
            .await;
        let failed = match put {
            Ok(_) => return Ok(PutOutcome::Stored),
            Err(e) => e,
        };
        match failed.as_service_error() {
            Some(PutItemError::ConditionalCheckFailedException(_)) => Ok(PutOutcome::AlreadyStored),
            _ => Err(classify(failed)),
        }
    }

    async fn put_many(&self, records: &[ResponseRecord]) -> Result<u64, StoreError> {
        // BatchWriteItem takes no conditions, so a bulk load is many conditional puts at once.
        // Collected first: a lazy `map` here trips the compiler's `Send` check on this future.
        let puts: Vec<_> = records.iter().map(|r| self.put_if_absent(r)).collect();
        let outcomes: Vec<PutOutcome> = futures::stream::iter(puts)
            .buffer_unordered(BULK_CONCURRENCY)
            .try_collect()
            .await?;
        Ok(outcomes
            .iter()
            .filter(|o| matches!(o, PutOutcome::Stored))
            .count() as u64)
    }

    fn list(&self, survey_id: &str) -> Pages<'_> {
        let total = self.scan.segments as i32;
        let segments =
            (0..total).map(|segment| self.scan_segment(survey_id.to_owned(), segment, total));
        futures::stream::select_all(segments).boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(pairs: &[(&str, AttributeValue)]) -> Item {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    fn good() -> Vec<(&'static str, AttributeValue)> {
        vec![
            ("response_id", AttributeValue::S("ab".repeat(16))),
            ("survey_id", AttributeValue::S("s".into())),
            ("survey_version", AttributeValue::N("1".into())),
            ("iso_week", AttributeValue::S("2026-W10".into())),
            (
                "answers",
                AttributeValue::M(item(&[
                    ("n", AttributeValue::N("3".into())),
                    ("c", AttributeValue::S("etsy".into())),
                    ("l", AttributeValue::L(vec![AttributeValue::S("a".into())])),
                ])),
            ),
            ("pow_verified", AttributeValue::Bool(true)),
        ]
    }

    #[test]
    fn a_record_maps_to_exactly_the_stored_fields_and_back() {
        let Listed::Response(record) = listed(item(&good())) else {
            panic!("a well-formed item is read");
        };
        let again: Item = serde_dynamo::to_item(&record).unwrap();
        let mut keys: Vec<&str> = again.keys().map(String::as_str).collect();
        keys.sort_unstable();
        let mut expected = crate::record::STORED_FIELDS.to_vec();
        expected.sort_unstable();
        assert_eq!(keys, expected);
        assert_eq!(again, item(&good()));
    }

    #[test]
    fn malformed_items_name_the_item_and_the_attribute() {
        let problem = |pairs: Vec<(&'static str, AttributeValue)>| match listed(item(&pairs)) {
            Listed::Malformed {
                response_id,
                problem,
            } => {
                assert_eq!(response_id, "ab".repeat(16));
                problem
            }
            Listed::Response(r) => panic!("read a malformed item as {r:?}"),
        };
        let mut missing = good();
        missing.retain(|(k, _)| *k != "answers");
        assert!(problem(missing).contains("answers"));
        let mut wrong_type = good();
        wrong_type[2].1 = AttributeValue::S("one".into());
        assert!(problem(wrong_type).starts_with("survey_version"));
        let mut bad_week = good();
        bad_week[3].1 = AttributeValue::S("2026-W99".into());
        assert!(problem(bad_week).starts_with("iso_week"));
        let mut extra = good();
        extra.push(("source_ip", AttributeValue::S("192.0.2.1".into())));
        assert!(problem(extra).contains("source_ip"));
    }
}
