//! `ResponseStore` on the `responses` table: conditional puts (in one transaction with the
//! week's progress counter), a parallel Scan, and the operator's removal of a week (a
//! filtered Scan, then `BatchWriteItem` deletes, then a recount of the week's counter).

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::operation::scan::builders::ScanFluentBuilder;
use aws_sdk_dynamodb::types::{
    AttributeValue, DeleteRequest, Put, Select, TransactWriteItem, WriteRequest,
};
use futures::{StreamExt, TryStreamExt};

use super::DynamoStore;
use super::client::{SCAN_ATTEMPT_TIMEOUT, SCAN_OPERATION_TIMEOUT, retry_config, timeout_config};
use super::errors::{Cancelled, cancelled, classify};
use super::progress::{MAX_ROUNDS, backoff};
use crate::record::ResponseRecord;
use crate::store::{
    Listed, Pages, ProgressStore, PutOutcome, ResponseStore, StoreError, WeekCount, WeekFilter,
};
use crate::tables::RESPONSES;
use crate::wave::IsoWeek;

type Item = HashMap<String, AttributeValue>;

/// Transactions in flight at once during a bulk load.
const BULK_CONCURRENCY: usize = 8;
/// Responses per bulk transaction: with one count update per week they span, at most 50
/// of DynamoDB's 100 items per transaction.
const BULK_PUTS: usize = 25;

/// DynamoDB's limit of requests per `BatchWriteItem`.
const BATCH_WRITE_MAX: usize = 25;
/// `BatchWriteItem` calls per batch (the first included) before what DynamoDB keeps leaving
/// unprocessed is given up on; the removal can simply be run again.
const MAX_BATCH_ROUNDS: u32 = 8;
const FIRST_BATCH_BACKOFF: Duration = Duration::from_millis(50);
const MAX_BATCH_BACKOFF: Duration = Duration::from_secs(2);

/// A Scan page or a batch of 25 writes takes longer than a single-item call.
fn long_call() -> aws_sdk_dynamodb::config::Builder {
    aws_sdk_dynamodb::config::Builder::default()
        .retry_config(retry_config())
        .timeout_config(timeout_config(SCAN_ATTEMPT_TIMEOUT, SCAN_OPERATION_TIMEOUT))
}

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

    /// One segment's Scan for the items `filter` selects. Strongly consistent, whatever the
    /// listing uses, so that a count equals what a removal then finds and a removal run again
    /// finds nothing it already deleted.
    /// Runs `per_segment` on every Scan segment at once and adds up what they return.
    async fn sum_over_segments<F, Fut>(&self, per_segment: F) -> Result<u64, StoreError>
    where
        F: Fn(i32, i32) -> Fut,
        Fut: std::future::Future<Output = Result<u64, StoreError>>,
    {
        let total = self.scan.segments as i32;
        let segments: Vec<_> = (0..total)
            .map(|segment| per_segment(segment, total))
            .collect();
        Ok(futures::future::try_join_all(segments).await?.iter().sum())
    }

    fn week_scan(&self, filter: &WeekFilter, segment: i32, total: i32) -> ScanFluentBuilder {
        let mut expression = String::from("#survey = :survey AND #week = :week");
        let mut scan = self
            .client
            .scan()
            .table_name(&self.tables.responses)
            .segment(segment)
            .total_segments(total)
            .consistent_read(true)
            .expression_attribute_names("#survey", "survey_id")
            .expression_attribute_names("#week", "iso_week")
            .expression_attribute_values(":survey", AttributeValue::S(filter.survey_id.clone()))
            .expression_attribute_values(":week", AttributeValue::S(filter.week.clone()));
        if filter.unverified_only {
            expression.push_str(" AND #verified = :unverified");
            scan = scan
                .expression_attribute_names("#verified", "pow_verified")
                .expression_attribute_values(":unverified", AttributeValue::Bool(false));
        }
        scan.filter_expression(expression)
    }

    async fn count_segment(
        &self,
        filter: &WeekFilter,
        segment: i32,
        total: i32,
    ) -> Result<u64, StoreError> {
        let mut start = None;
        let mut count = 0;
        loop {
            let out = self
                .week_scan(filter, segment, total)
                .select(Select::Count)
                .set_exclusive_start_key(start)
                .customize()
                .config_override(long_call())
                .send()
                .await
                .map_err(classify)?;
            count += out.count.max(0) as u64;
            start = out.last_evaluated_key.filter(|key| !key.is_empty());
            if start.is_none() {
                return Ok(count);
            }
        }
    }

    /// What one segment's Scan of a week finds: all responses, and the unverified ones.
    async fn count_segment_split(
        &self,
        filter: &WeekFilter,
        segment: i32,
        total: i32,
    ) -> Result<WeekCount, StoreError> {
        let mut start = None;
        let mut count = WeekCount::default();
        loop {
            let out = self
                .week_scan(filter, segment, total)
                .projection_expression("#pow")
                .expression_attribute_names("#pow", "pow_verified")
                .set_exclusive_start_key(start)
                .customize()
                .config_override(long_call())
                .send()
                .await
                .map_err(classify)?;
            for item in out.items.unwrap_or_default() {
                count.responses += 1;
                if !matches!(item.get("pow_verified"), Some(AttributeValue::Bool(true))) {
                    count.unverified += 1;
                }
            }
            start = out.last_evaluated_key.filter(|key| !key.is_empty());
            if start.is_none() {
                return Ok(count);
            }
        }
    }

    /// What is stored for one survey and week, by a strongly consistent parallel Scan (the
    /// recount of its counter).
    pub(super) async fn count_stored(
        &self,
        survey_id: &str,
        week: IsoWeek,
    ) -> Result<WeekCount, StoreError> {
        let filter = WeekFilter::new(survey_id, week, false);
        let total = self.scan.segments as i32;
        let segments: Vec<_> = (0..total)
            .map(|segment| self.count_segment_split(&filter, segment, total))
            .collect();
        Ok(futures::future::try_join_all(segments)
            .await?
            .into_iter()
            .fold(WeekCount::default(), |a, b| WeekCount {
                responses: a.responses + b.responses,
                unverified: a.unverified + b.unverified,
            }))
    }

    /// Deletes page by page as the Scan goes: deleting what a segment has already passed
    /// does not disturb its `ExclusiveStartKey`, and no page of keys is held longer.
    async fn remove_segment(
        &self,
        filter: &WeekFilter,
        segment: i32,
        total: i32,
    ) -> Result<u64, StoreError> {
        let mut start = None;
        let mut removed = 0;
        loop {
            let out = self
                .week_scan(filter, segment, total)
                .projection_expression("#id")
                .expression_attribute_names("#id", RESPONSES.partition_key)
                .set_exclusive_start_key(start)
                .customize()
                .config_override(long_call())
                .send()
                .await
                .map_err(classify)?;
            // Only the key was projected, so each item is exactly its own key.
            let keys = out.items.unwrap_or_default();
            for batch in keys.chunks(BATCH_WRITE_MAX) {
                self.delete_batch(batch).await?;
                removed += batch.len() as u64;
            }
            start = out.last_evaluated_key.filter(|key| !key.is_empty());
            if start.is_none() {
                return Ok(removed);
            }
        }
    }

    /// One `BatchWriteItem` of deletes, resending what DynamoDB leaves unprocessed (it does
    /// under throttling) with backoff until none is left.
    async fn delete_batch(&self, keys: &[Item]) -> Result<(), StoreError> {
        let mut pending = keys
            .iter()
            .map(|key| {
                DeleteRequest::builder()
                    .set_key(Some(key.clone()))
                    .build()
                    .map(|delete| WriteRequest::builder().delete_request(delete).build())
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| StoreError::Failed(format!("cannot build a delete request: {e}")))?;
        let mut backoff = FIRST_BATCH_BACKOFF;
        for round in 1..=MAX_BATCH_ROUNDS {
            let out = self
                .client
                .batch_write_item()
                .request_items(&self.tables.responses, pending)
                .customize()
                .config_override(long_call())
                .send()
                .await
                .map_err(classify)?;
            pending = out
                .unprocessed_items
                .and_then(|mut left| left.remove(&self.tables.responses))
                .unwrap_or_default();
            if pending.is_empty() {
                return Ok(());
            }
            if round < MAX_BATCH_ROUNDS {
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BATCH_BACKOFF);
            }
        }
        Err(StoreError::Unavailable(format!(
            "DynamoDB left {} delete(s) unprocessed after {MAX_BATCH_ROUNDS} tries (throttled); \
             what was deleted stays deleted, run the removal again",
            pending.len()
        )))
    }
}

impl DynamoStore {
    /// One transaction of conditional puts and their counts. The ids found stored are taken
    /// out and the rest sent again, so that each is stored, and counted, exactly once.
    async fn put_chunk(&self, chunk: &[ResponseRecord]) -> Result<u64, StoreError> {
        let mut pending: Vec<&ResponseRecord> = chunk.iter().collect();
        let mut conflicts = 0;
        while !pending.is_empty() {
            let mut items = Vec::with_capacity(pending.len() * 2);
            for record in &pending {
                let item: Item = serde_dynamo::to_item(record)
                    .map_err(|e| StoreError::Failed(format!("cannot map the record: {e}")))?;
                let put = Put::builder()
                    .table_name(&self.tables.responses)
                    .set_item(Some(item))
                    .condition_expression("attribute_not_exists(#id)")
                    .expression_attribute_names("#id", RESPONSES.partition_key)
                    .build()
                    .map_err(|e| StoreError::Failed(format!("cannot build the put: {e}")))?;
                items.push(TransactWriteItem::builder().put(put).build());
            }
            items.extend(self.count_updates(&pending, conflicts)?);
            let written = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items))
                .customize()
                .config_override(long_call())
                .send()
                .await;
            let failed = match written {
                Ok(_) => return Ok(pending.len() as u64),
                Err(e) => e,
            };
            match cancelled(&failed) {
                Some(Cancelled::ConditionFailed { .. }) => {
                    let stored = failed_conditions(&failed);
                    let before = pending.len();
                    pending = pending
                        .into_iter()
                        .enumerate()
                        .filter(|(i, _)| !stored.contains(i))
                        .map(|(_, r)| r)
                        .collect();
                    if pending.len() == before {
                        return Err(classify(failed));
                    }
                }
                Some(Cancelled::Conflict) if conflicts + 1 < MAX_ROUNDS => {
                    tokio::time::sleep(backoff(conflicts)).await;
                    conflicts += 1;
                }
                Some(Cancelled::Conflict | Cancelled::Throttled) => {
                    return Err(StoreError::Unavailable(
                        "DynamoDB throttled or kept conflicting with a bulk write; nothing of this batch was stored".into(),
                    ));
                }
                _ => return Err(classify(failed)),
            }
        }
        Ok(0)
    }
}

/// Which items of a cancelled transaction failed their condition: DynamoDB gives one reason
/// per item, in the order sent, so for the puts these are the ids already stored.
fn failed_conditions(
    e: &aws_sdk_dynamodb::error::SdkError<
        aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError,
    >,
) -> Vec<usize> {
    use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
    let Some(TransactWriteItemsError::TransactionCanceledException(c)) = e.as_service_error()
    else {
        return Vec::new();
    };
    c.cancellation_reasons()
        .iter()
        .enumerate()
        .filter(|(_, r)| r.code() == Some("ConditionalCheckFailed"))
        .map(|(i, _)| i)
        .collect()
}

#[async_trait]
impl ResponseStore for DynamoStore {
    /// One transaction: the put, on condition that the id is new, and the count of it in
    /// its week's counter. A transaction that meets another on the same counter shard is
    /// sent again on the next shard; the put's condition keeps every round idempotent.
    async fn put_if_absent(&self, record: &ResponseRecord) -> Result<PutOutcome, StoreError> {
        let item: Item = serde_dynamo::to_item(record)
            .map_err(|e| StoreError::Failed(format!("cannot map the record: {e}")))?;
        for attempt in 0..MAX_ROUNDS {
            let put = Put::builder()
                .table_name(&self.tables.responses)
                .set_item(Some(item.clone()))
                .condition_expression("attribute_not_exists(#id)")
                .expression_attribute_names("#id", RESPONSES.partition_key)
                .build()
                .map_err(|e| StoreError::Failed(format!("cannot build the put: {e}")))?;
            let count = WeekCount {
                responses: 1,
                unverified: u64::from(!record.pow_verified),
            };
            let written = self
                .client
                .transact_write_items()
                .transact_items(TransactWriteItem::builder().put(put).build())
                .transact_items(self.count_update(
                    &record.survey_id,
                    record.iso_week,
                    &record.response_id,
                    attempt,
                    count,
                )?)
                .send()
                .await;
            let failed = match written {
                Ok(_) => return Ok(PutOutcome::Stored),
                Err(e) => e,
            };
            match cancelled(&failed) {
                Some(Cancelled::ConditionFailed { index: 0 }) => {
                    return Ok(PutOutcome::AlreadyStored);
                }
                Some(Cancelled::Conflict) => tokio::time::sleep(backoff(attempt)).await,
                Some(Cancelled::Throttled) => {
                    return Err(StoreError::Unavailable(
                        "DynamoDB throttled the write; nothing was stored".into(),
                    ));
                }
                _ => return Err(classify(failed)),
            }
        }
        Err(StoreError::Unavailable(format!(
            "the write met other writes on its counter {MAX_ROUNDS} times; nothing was stored"
        )))
    }

    async fn put_many(&self, records: &[ResponseRecord]) -> Result<u64, StoreError> {
        // BatchWriteItem takes no conditions, so a bulk load is conditional puts in
        // transactions, with one count per week each, several at once.
        // Collected first: a lazy `map` here trips the compiler's `Send` check on this future.
        let chunks: Vec<_> = records
            .chunks(BULK_PUTS)
            .map(|chunk| self.put_chunk(chunk))
            .collect();
        let stored: Vec<u64> = futures::stream::iter(chunks)
            .buffer_unordered(BULK_CONCURRENCY)
            .try_collect()
            .await?;
        Ok(stored.iter().sum())
    }

    fn list(&self, survey_id: &str) -> Pages<'_> {
        let total = self.scan.segments as i32;
        let segments =
            (0..total).map(|segment| self.scan_segment(survey_id.to_owned(), segment, total));
        futures::stream::select_all(segments).boxed()
    }

    /// The Scan's segments dealt out over the parts (each part reads its segments at once).
    fn list_parts(&self, survey_id: &str, parts: usize) -> Vec<Pages<'_>> {
        let total = self.scan.segments as i32;
        let parts = parts.clamp(1, total as usize) as i32;
        (0..parts)
            .map(|part| {
                let segments = (part..total)
                    .step_by(parts as usize)
                    .map(|segment| self.scan_segment(survey_id.to_owned(), segment, total));
                futures::stream::select_all(segments).boxed()
            })
            .collect()
    }

    async fn remove_week(
        &self,
        survey_id: &str,
        week: IsoWeek,
        unverified_only: bool,
    ) -> Result<u64, StoreError> {
        let filter = WeekFilter::new(survey_id, week, unverified_only);
        let removed = self
            .sum_over_segments(|segment, total| self.remove_segment(&filter, segment, total))
            .await?;
        // The deletes are not in the counter's transaction, so the week is recounted from
        // what is left; running the removal again recounts again.
        self.recount_week(survey_id, week).await?;
        Ok(removed)
    }

    async fn count_week(
        &self,
        survey_id: &str,
        week: IsoWeek,
        unverified_only: bool,
    ) -> Result<u64, StoreError> {
        let filter = WeekFilter::new(survey_id, week, unverified_only);
        self.sum_over_segments(|segment, total| self.count_segment(&filter, segment, total))
            .await
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
