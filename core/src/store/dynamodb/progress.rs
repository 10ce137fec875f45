//! `ProgressStore` on the `control` table, and the counter update that every response's
//! first write carries in its transaction.
//!
//! Two kinds of item, both with `expires_at` like all control state (docs/dynamodb.md):
//!
//! - a week's counter, split over [`COUNTER_SHARDS`] items so that no single item takes every
//!   write of a busy week (the responses table has no hot key; the counter must not add one,
//!   and transactions on one item would conflict): `pk = progress/{survey}/{week}/{shard}`,
//!   `sk = count`, with `responses` and `unverified`;
//! - the public snapshot of a wave: `pk = progress/{survey}/{wave}`, `sk = snapshot`, with
//!   `hour` and `responses_at_least`, replaced once its hour has passed (conditional write).
//!
//! A page view reads the snapshot only (one `GetItem`); the shards are summed at most once an
//! hour (`BatchGetItem`, 100 keys a call). No Scan, ever, on the read path.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, KeysAndAttributes, Put,
    ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update,
};

use super::DynamoStore;
use super::errors::{Cancelled, cancelled, classify};
use crate::record::ResponseRecord;
use crate::store::{
    ProgressStore, Snapshot, StoreError, WeekCount, counter_expires_at, snapshot_expires_at,
};
use crate::tables::CONTROL;
use crate::wave::{IsoWeek, Wave};

type Item = HashMap<String, AttributeValue>;

/// Items one week's counter is split over. 32 keeps concurrent transactions on a shard rare
/// at hundreds of responses a second, and a wave's 14 weeks within 5 `BatchGetItem` calls.
pub const COUNTER_SHARDS: u32 = 32;

/// Every attribute of a counter item: the privacy model's list for it (docs/privacy.md).
pub const COUNTER_ATTRIBUTES: [&str; 5] = ["pk", "sk", "responses", "unverified", "expires_at"];
/// Every attribute of a snapshot item.
pub const SNAPSHOT_ATTRIBUTES: [&str; 5] = ["pk", "sk", "hour", "responses_at_least", "expires_at"];

const COUNT_SORT_KEY: &str = "count";
const SNAPSHOT_SORT_KEY: &str = "snapshot";

/// DynamoDB's limit of keys per `BatchGetItem`.
const BATCH_GET_MAX: usize = 100;
/// Rounds of resending what `BatchGetItem` leaves unprocessed, and of a transaction that
/// met another one on the same item, before giving up with `Unavailable`.
pub(super) const MAX_ROUNDS: u32 = 8;
pub(super) const FIRST_BACKOFF: Duration = Duration::from_millis(20);
const MAX_BACKOFF: Duration = Duration::from_millis(500);

/// The backoff before round `round` (0 = the first retry).
pub(super) fn backoff(round: u32) -> Duration {
    (FIRST_BACKOFF * 2u32.saturating_pow(round)).min(MAX_BACKOFF)
}

fn counter_pk(survey_id: &str, week: IsoWeek, shard: u32) -> String {
    format!("progress/{survey_id}/{week}/{shard:02}")
}

fn snapshot_pk(survey_id: &str, wave: Wave) -> String {
    format!("progress/{survey_id}/{wave}")
}

fn key(pk: String, sk: &str) -> Item {
    HashMap::from([
        (CONTROL.partition_key.to_owned(), AttributeValue::S(pk)),
        (
            CONTROL.sort_key.expect("control has a sort key").to_owned(),
            AttributeValue::S(sk.to_owned()),
        ),
    ])
}

/// The shard a response is counted in: from its id (uniformly random), moved on by one for
/// each retry after a conflict so that the retry meets another shard.
fn shard_of(response_id: &str, attempt: u32) -> u32 {
    let hash = response_id.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    hash.wrapping_add(attempt) % COUNTER_SHARDS
}

fn number(n: impl ToString) -> AttributeValue {
    AttributeValue::N(n.to_string())
}

fn read_number(item: &Item, name: &str) -> Result<u64, StoreError> {
    match item.get(name) {
        Some(AttributeValue::N(n)) => n
            .parse::<i64>()
            .map(|n| n.max(0) as u64)
            .map_err(|e| StoreError::Failed(format!("progress item: {name}: {e}"))),
        None => Ok(0),
        Some(other) => Err(StoreError::Failed(format!(
            "progress item: {name} is {other:?}, not a number"
        ))),
    }
}

fn read_count(item: &Item) -> Result<WeekCount, StoreError> {
    Ok(WeekCount {
        responses: read_number(item, "responses")?,
        unverified: read_number(item, "unverified")?,
    })
}

fn read_snapshot(item: &Item) -> Result<Snapshot, StoreError> {
    Ok(Snapshot {
        hour: read_number(item, "hour")? as i64,
        responses_at_least: read_number(item, "responses_at_least")?,
    })
}

fn build_err(e: impl std::fmt::Display) -> StoreError {
    StoreError::Failed(format!("cannot build a progress request: {e}"))
}

impl DynamoStore {
    /// The transaction item that adds `count` to the counter of `survey_id`'s `week`, in the
    /// shard `seed` (a response id) and `attempt` pick: `ADD responses n, unverified u`.
    pub(super) fn count_update(
        &self,
        survey_id: &str,
        week: IsoWeek,
        seed: &str,
        attempt: u32,
        count: WeekCount,
    ) -> Result<TransactWriteItem, StoreError> {
        let shard = shard_of(seed, attempt);
        let update = Update::builder()
            .table_name(&self.tables.control)
            .set_key(Some(key(
                counter_pk(survey_id, week, shard),
                COUNT_SORT_KEY,
            )))
            .update_expression("SET #expires = :expires ADD #responses :n, #unverified :u")
            .expression_attribute_names("#expires", "expires_at")
            .expression_attribute_names("#responses", "responses")
            .expression_attribute_names("#unverified", "unverified")
            .expression_attribute_values(":expires", number(counter_expires_at(week)))
            .expression_attribute_values(":n", number(count.responses))
            .expression_attribute_values(":u", number(count.unverified))
            .build()
            .map_err(build_err)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// The count updates for `records`, one per survey and week they fall in.
    pub(super) fn count_updates(
        &self,
        records: &[&ResponseRecord],
        attempt: u32,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let mut groups: Vec<(&ResponseRecord, WeekCount)> = Vec::new();
        for r in records {
            let i = match groups.iter().position(|(first, _)| {
                first.survey_id == r.survey_id && first.iso_week == r.iso_week
            }) {
                Some(i) => i,
                None => {
                    groups.push((r, WeekCount::default()));
                    groups.len() - 1
                }
            };
            groups[i].1.responses += 1;
            groups[i].1.unverified += u64::from(!r.pow_verified);
        }
        groups
            .into_iter()
            .map(|(first, count)| {
                self.count_update(
                    &first.survey_id,
                    first.iso_week,
                    &first.response_id,
                    attempt,
                    count,
                )
            })
            .collect()
    }

    /// The items with `keys`, strongly consistent, resending what DynamoDB leaves
    /// unprocessed (it does under throttling).
    async fn batch_get(&self, keys: Vec<Item>) -> Result<Vec<Item>, StoreError> {
        let mut found = Vec::new();
        for chunk in keys.chunks(BATCH_GET_MAX) {
            let mut pending = Some(
                KeysAndAttributes::builder()
                    .set_keys(Some(chunk.to_vec()))
                    .consistent_read(true)
                    .build()
                    .map_err(build_err)?,
            );
            let mut round = 0;
            while let Some(request) = pending.take() {
                let out = self
                    .client
                    .batch_get_item()
                    .request_items(&self.tables.control, request)
                    .send()
                    .await
                    .map_err(classify)?;
                if let Some(mut items) = out.responses {
                    found.extend(items.remove(&self.tables.control).unwrap_or_default());
                }
                pending = out
                    .unprocessed_keys
                    .and_then(|mut left| left.remove(&self.tables.control))
                    .filter(|left| !left.keys().is_empty());
                if pending.is_some() {
                    round += 1;
                    if round >= MAX_ROUNDS {
                        return Err(StoreError::Unavailable(
                            "DynamoDB kept leaving counter reads unprocessed (throttled)".into(),
                        ));
                    }
                    tokio::time::sleep(backoff(round)).await;
                }
            }
        }
        Ok(found)
    }

    /// Each shard of one week's counter as stored (`None`: no item).
    async fn shards(
        &self,
        survey_id: &str,
        week: IsoWeek,
    ) -> Result<Vec<Option<WeekCount>>, StoreError> {
        let keys = (0..COUNTER_SHARDS)
            .map(|shard| key(counter_pk(survey_id, week, shard), COUNT_SORT_KEY))
            .collect();
        let mut shards = vec![None; COUNTER_SHARDS as usize];
        for item in self.batch_get(keys).await? {
            let Some(AttributeValue::S(pk)) = item.get(CONTROL.partition_key) else {
                continue;
            };
            if let Some(shard) =
                (0..COUNTER_SHARDS).find(|s| *pk == counter_pk(survey_id, week, *s))
            {
                shards[shard as usize] = Some(read_count(&item)?);
            }
        }
        Ok(shards)
    }

    /// One transaction that sets shard 0 to `counted` and empties the others, each on
    /// condition that it still holds what `before` read: any response counted meanwhile
    /// fails it, and the recount starts again.
    fn recount_items(
        &self,
        survey_id: &str,
        week: IsoWeek,
        before: &[Option<WeekCount>],
        counted: WeekCount,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let mut items = Vec::new();
        for (shard, was) in before.iter().enumerate() {
            let item_key = key(counter_pk(survey_id, week, shard as u32), COUNT_SORT_KEY);
            // DynamoDB refuses names and values an expression does not use.
            let (condition, names, values) = match was {
                Some(c) => (
                    "#responses = :responses AND #unverified = :unverified",
                    HashMap::from([
                        ("#responses".to_owned(), "responses".to_owned()),
                        ("#unverified".to_owned(), "unverified".to_owned()),
                    ]),
                    Some(HashMap::from([
                        (":responses".to_owned(), number(c.responses)),
                        (":unverified".to_owned(), number(c.unverified)),
                    ])),
                ),
                None => (
                    "attribute_not_exists(#pk)",
                    HashMap::from([("#pk".to_owned(), CONTROL.partition_key.to_owned())]),
                    None,
                ),
            };
            let item = if shard == 0 {
                let mut item = item_key;
                item.insert("responses".into(), number(counted.responses));
                item.insert("unverified".into(), number(counted.unverified));
                item.insert("expires_at".into(), number(counter_expires_at(week)));
                let put = Put::builder()
                    .table_name(&self.tables.control)
                    .set_item(Some(item))
                    .condition_expression(condition)
                    .set_expression_attribute_names(Some(names))
                    .set_expression_attribute_values(values)
                    .build()
                    .map_err(build_err)?;
                TransactWriteItem::builder().put(put).build()
            } else if was.is_some() {
                let delete = Delete::builder()
                    .table_name(&self.tables.control)
                    .set_key(Some(item_key))
                    .condition_expression(condition)
                    .set_expression_attribute_names(Some(names))
                    .set_expression_attribute_values(values)
                    .build()
                    .map_err(build_err)?;
                TransactWriteItem::builder().delete(delete).build()
            } else {
                let check = ConditionCheck::builder()
                    .table_name(&self.tables.control)
                    .set_key(Some(item_key))
                    .condition_expression(condition)
                    .set_expression_attribute_names(Some(names))
                    .build()
                    .map_err(build_err)?;
                TransactWriteItem::builder().condition_check(check).build()
            };
            items.push(item);
        }
        Ok(items)
    }
}

#[async_trait]
impl ProgressStore for DynamoStore {
    async fn week_counts(
        &self,
        survey_id: &str,
        weeks: &[IsoWeek],
    ) -> Result<Vec<WeekCount>, StoreError> {
        let mut by_pk: HashMap<String, usize> = HashMap::new();
        let mut keys = Vec::new();
        for (i, week) in weeks.iter().enumerate() {
            for shard in 0..COUNTER_SHARDS {
                let pk = counter_pk(survey_id, *week, shard);
                by_pk.insert(pk.clone(), i);
                keys.push(key(pk, COUNT_SORT_KEY));
            }
        }
        let mut counts = vec![WeekCount::default(); weeks.len()];
        for item in self.batch_get(keys).await? {
            let week = match item.get(CONTROL.partition_key) {
                Some(AttributeValue::S(pk)) => by_pk.get(pk).copied(),
                _ => None,
            };
            if let Some(i) = week {
                let c = read_count(&item)?;
                counts[i].responses += c.responses;
                counts[i].unverified += c.unverified;
            }
        }
        Ok(counts)
    }

    async fn recount_week(&self, survey_id: &str, week: IsoWeek) -> Result<WeekCount, StoreError> {
        for round in 0..MAX_ROUNDS {
            let before = self.shards(survey_id, week).await?;
            let counted = self.count_stored(survey_id, week).await?;
            if counted == WeekCount::default() && before.iter().all(Option::is_none) {
                // Nothing stored and nothing counted: no item to write.
                return Ok(counted);
            }
            let items = self.recount_items(survey_id, week, &before, counted)?;
            let written = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items))
                .send()
                .await;
            let failed = match written {
                Ok(_) => return Ok(counted),
                Err(e) => e,
            };
            match cancelled(&failed) {
                // A response was counted in the week meanwhile: count again.
                Some(Cancelled::ConditionFailed { .. } | Cancelled::Conflict) => {
                    tokio::time::sleep(backoff(round)).await;
                }
                Some(Cancelled::Throttled) => {
                    return Err(StoreError::Unavailable(format!(
                        "recounting {week}: DynamoDB is throttling; run it again"
                    )));
                }
                _ => return Err(classify(failed)),
            }
        }
        Err(StoreError::Unavailable(format!(
            "responses kept arriving in {week} while it was recounted ({MAX_ROUNDS} tries); run it again"
        )))
    }

    async fn snapshot(&self, survey_id: &str, wave: Wave) -> Result<Option<Snapshot>, StoreError> {
        // Eventually consistent, at half the cost: a stale read can only be of an earlier
        // hour, and then the refresh's conditional write finds and returns the newer one.
        let out = self
            .client
            .get_item()
            .table_name(&self.tables.control)
            .set_key(Some(key(snapshot_pk(survey_id, wave), SNAPSHOT_SORT_KEY)))
            .send()
            .await
            .map_err(classify)?;
        out.item.map(|item| read_snapshot(&item)).transpose()
    }

    async fn offer_snapshot(
        &self,
        survey_id: &str,
        wave: Wave,
        offered: Snapshot,
    ) -> Result<Snapshot, StoreError> {
        let mut item = key(snapshot_pk(survey_id, wave), SNAPSHOT_SORT_KEY);
        item.insert("hour".into(), number(offered.hour));
        item.insert(
            "responses_at_least".into(),
            number(offered.responses_at_least),
        );
        item.insert(
            "expires_at".into(),
            number(snapshot_expires_at(offered.hour)),
        );
        let put = self
            .client
            .put_item()
            .table_name(&self.tables.control)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk) OR #hour < :hour")
            .expression_attribute_names("#pk", CONTROL.partition_key)
            .expression_attribute_names("#hour", "hour")
            .expression_attribute_values(":hour", number(offered.hour))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match put {
            Ok(_) => Ok(offered),
            Err(e) => match e.as_service_error() {
                // Another reader stored this hour's (or a later) snapshot first: show theirs.
                Some(PutItemError::ConditionalCheckFailedException(lost)) => match lost.item() {
                    Some(stored) => read_snapshot(stored),
                    None => self.snapshot(survey_id, wave).await?.ok_or_else(|| {
                        StoreError::Unavailable("a progress snapshot vanished while read".into())
                    }),
                },
                _ => Err(classify(e)),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_spread_over_every_shard_and_retries_move_on() {
        let mut seen = vec![0u32; COUNTER_SHARDS as usize];
        for n in 0..3200u32 {
            let id = format!("{:032x}", u128::from(n).wrapping_mul(0x9e37_79b9_7f4a_7c15));
            seen[shard_of(&id, 0) as usize] += 1;
            assert_ne!(shard_of(&id, 0), shard_of(&id, 1));
        }
        assert!(seen.iter().all(|n| (50..=150).contains(n)), "{seen:?}");
    }

    #[test]
    fn keys_say_what_they_count_and_nothing_finer_than_a_week() {
        let week: IsoWeek = "2026-W10".parse().unwrap();
        assert_eq!(counter_pk("s", week, 7), "progress/s/2026-W10/07");
        let wave = Wave::of_week(crate::wave::WaveLength::Quarter, week);
        assert_eq!(snapshot_pk("s", wave), "progress/s/2026-Q1");
    }
}
