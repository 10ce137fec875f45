//! The store contract, written once. Every adapter (SQLite, DynamoDB) runs these same
//! functions; keys are unique per run so a shared table can be reused.

use std::collections::{BTreeMap, BTreeSet};

use canvass_core::answers::{AnswerValue, Answers};
use canvass_core::record::ResponseRecord;
use canvass_core::store::{
    ControlStore, Listed, ProgressStore, PutOutcome, ResponseStore, Snapshot, WeekCount, unix_now,
};
use canvass_core::wave::{IsoWeek, Wave, WaveLength};
use futures::StreamExt;
use uuid::Uuid;

fn record(survey_id: &str, n: i64) -> ResponseRecord {
    let mut answers = Answers::new();
    answers.insert("main_platform".into(), AnswerValue::Choice("etsy".into()));
    answers.insert(
        "platforms".into(),
        AnswerValue::Choices(vec!["etsy".into(), "ebay".into()]),
    );
    answers.insert("income_share".into(), AnswerValue::Number(n % 101));
    ResponseRecord {
        response_id: Uuid::new_v4().simple().to_string(),
        survey_id: survey_id.to_owned(),
        survey_version: 1,
        iso_week: "2026-W10".parse().unwrap(),
        answers,
        pow_verified: n % 2 == 0,
    }
}

async fn list_all(store: &dyn ResponseStore, survey_id: &str) -> Vec<Listed> {
    let mut items = Vec::new();
    let mut pages = store.list(survey_id);
    while let Some(page) = pages.next().await {
        items.extend(page.expect("listing works"));
    }
    items
}

/// Idempotent puts, bulk puts and complete streamed listings.
pub async fn response_store(store: &dyn ResponseStore) {
    let survey = format!("contract-{}", Uuid::new_v4().simple());
    let other = format!("{survey}-other");

    let first = record(&survey, 1);
    assert_eq!(
        store.put_if_absent(&first).await.unwrap(),
        PutOutcome::Stored
    );
    assert_eq!(
        store.put_if_absent(&first).await.unwrap(),
        PutOutcome::AlreadyStored,
        "a retried put stores once"
    );
    let mut changed = first.clone();
    changed
        .answers
        .insert("income_share".into(), AnswerValue::Number(99));
    assert_eq!(
        store.put_if_absent(&changed).await.unwrap(),
        PutOutcome::AlreadyStored,
        "a different record with a stored id is not stored"
    );
    assert_eq!(
        list_all(store, &survey).await,
        vec![Listed::Response(first.clone())],
        "a different record with a stored id never overwrites it"
    );

    // Enough records to span several pages of any adapter.
    let bulk: Vec<ResponseRecord> = (0..2_500).map(|n| record(&survey, n)).collect();
    assert_eq!(store.put_many(&bulk).await.unwrap(), 2_500);
    assert_eq!(
        store.put_many(&bulk[..10]).await.unwrap(),
        0,
        "bulk puts skip stored ids"
    );
    store.put_if_absent(&record(&other, 7)).await.unwrap();

    let listed = list_all(store, &survey).await;
    let ids: BTreeSet<String> = listed
        .iter()
        .map(|item| match item {
            Listed::Response(r) => {
                assert_eq!(r.survey_id, survey, "listing returns only the asked survey");
                r.response_id.clone()
            }
            Listed::Malformed {
                response_id,
                problem,
            } => panic!("malformed {response_id}: {problem}"),
        })
        .collect();
    assert_eq!(listed.len(), 2_501, "every stored response, each once");
    assert_eq!(ids.len(), 2_501);
    assert!(ids.contains(&first.response_id));
    let stored_first = listed.iter().find_map(|i| match i {
        Listed::Response(r) if r.response_id == first.response_id => Some(r.clone()),
        _ => None,
    });
    assert_eq!(stored_first, Some(first), "records round-trip unchanged");
    assert!(list_all(store, &format!("{survey}-none")).await.is_empty());

    // A listing in parts (one per core of the reader) holds the same responses, each once,
    // whatever the number of parts, and no part holds another survey's.
    let whole: BTreeSet<String> = ids;
    for parts in [1, 2, 3, 7] {
        let listings = store.list_parts(&survey, parts);
        assert!(
            (1..=parts).contains(&listings.len()),
            "{parts} part(s) asked, {} given",
            listings.len()
        );
        let mut seen = Vec::new();
        for mut pages in listings {
            while let Some(page) = pages.next().await {
                for item in page.expect("listing a part works") {
                    match item {
                        Listed::Response(r) => {
                            assert_eq!(r.survey_id, survey);
                            seen.push(r.response_id);
                        }
                        Listed::Malformed { response_id, .. } => panic!("malformed {response_id}"),
                    }
                }
            }
        }
        assert_eq!(
            seen.len(),
            whole.len(),
            "{parts} part(s): every response once"
        );
        assert_eq!(seen.into_iter().collect::<BTreeSet<_>>(), whole);
    }
}

fn week(text: &str) -> IsoWeek {
    text.parse().unwrap()
}

/// `count` records of `survey` in `week`, verified or not, each with a fresh id.
pub fn records_in(survey: &str, week: IsoWeek, verified: bool, count: i64) -> Vec<ResponseRecord> {
    (0..count)
        .map(|n| ResponseRecord {
            iso_week: week,
            pow_verified: verified,
            ..record(survey, n)
        })
        .collect()
}

fn ids(records: &[ResponseRecord]) -> BTreeSet<String> {
    records.iter().map(|r| r.response_id.clone()).collect()
}

/// Says how many ids are missing and how many should not be there, not thousands of ids.
fn assert_same_ids(found: BTreeSet<String>, expected: &BTreeSet<String>, what: &str) {
    let missing = expected.difference(&found).count();
    let unexpected = found.difference(expected).count();
    assert!(
        missing == 0 && unexpected == 0,
        "{what}: {missing} missing, {unexpected} that should be gone"
    );
}

/// What a listing holds, by response id.
async fn listed_by_id(
    store: &dyn ResponseStore,
    survey_id: &str,
) -> BTreeMap<String, ResponseRecord> {
    list_all(store, survey_id)
        .await
        .into_iter()
        .map(|item| match item {
            Listed::Response(r) => (r.response_id.clone(), r),
            Listed::Malformed {
                response_id,
                problem,
            } => panic!("malformed {response_id}: {problem}"),
        })
        .collect()
}

/// A survey and its neighbours: the target week (verified and not, more than one
/// `BatchWriteItem` of each), the next week, and another survey in the same week.
struct Spoiled {
    survey: String,
    other: String,
    week: IsoWeek,
    verified: Vec<ResponseRecord>,
    unverified: Vec<ResponseRecord>,
    next_week: Vec<ResponseRecord>,
    other_survey: Vec<ResponseRecord>,
}

async fn spoiled(store: &dyn ResponseStore) -> Spoiled {
    let survey = format!("contract-{}", Uuid::new_v4().simple());
    let other = format!("{survey}-other");
    let target = week("2026-W10");
    let next = week("2026-W11");
    let s = Spoiled {
        verified: records_in(&survey, target, true, 40),
        unverified: records_in(&survey, target, false, 60),
        next_week: [
            records_in(&survey, next, false, 12),
            records_in(&survey, next, true, 8),
        ]
        .concat(),
        other_survey: [
            records_in(&other, target, false, 10),
            records_in(&other, target, true, 5),
        ]
        .concat(),
        survey,
        other,
        week: target,
    };
    for batch in [&s.verified, &s.unverified, &s.next_week, &s.other_survey] {
        assert_eq!(store.put_many(batch).await.unwrap(), batch.len() as u64);
    }
    s
}

/// Removing a week deletes exactly that survey's responses of that week, and counts first
/// what it then deletes; a second run deletes nothing.
pub async fn remove_week(store: &dyn ResponseStore) {
    let s = spoiled(store).await;
    assert_eq!(
        store.count_week(&s.survey, s.week, false).await.unwrap(),
        100,
        "the dry run counts every response of the week, verified or not"
    );
    assert_eq!(
        listed_by_id(store, &s.survey).await.len(),
        120,
        "counting deletes nothing"
    );
    assert_eq!(
        store.remove_week(&s.survey, s.week, false).await.unwrap(),
        100,
        "the removal deletes what the count said"
    );
    let left = listed_by_id(store, &s.survey).await;
    assert_same_ids(
        left.keys().cloned().collect(),
        &ids(&s.next_week),
        "only the week's responses are gone; the next week's are all there",
    );
    for r in &s.next_week {
        assert_eq!(
            left.get(&r.response_id),
            Some(r),
            "kept records are unchanged"
        );
    }
    assert_same_ids(
        listed_by_id(store, &s.other).await.into_keys().collect(),
        &ids(&s.other_survey),
        "another survey's responses of the same week are untouched",
    );
    assert_eq!(store.count_week(&s.survey, s.week, false).await.unwrap(), 0);
    assert_eq!(
        store.remove_week(&s.survey, s.week, false).await.unwrap(),
        0,
        "a second run deletes nothing"
    );
    assert_eq!(
        listed_by_id(store, &s.survey).await.len(),
        s.next_week.len()
    );
}

/// With `unverified_only`, the week's verified responses stay.
pub async fn remove_week_unverified_only(store: &dyn ResponseStore) {
    let s = spoiled(store).await;
    assert_eq!(
        store.count_week(&s.survey, s.week, true).await.unwrap(),
        60,
        "the dry run counts the unverified responses only"
    );
    assert_eq!(
        store.remove_week(&s.survey, s.week, true).await.unwrap(),
        60
    );
    let left = listed_by_id(store, &s.survey).await;
    let expected: BTreeSet<String> = ids(&s.verified)
        .union(&ids(&s.next_week))
        .cloned()
        .collect();
    assert_same_ids(
        left.keys().cloned().collect(),
        &expected,
        "the week's verified responses and every other week's, unverified ones included, stay",
    );
    assert!(
        left.values()
            .all(|r| r.pow_verified || r.iso_week != s.week)
    );
    assert_eq!(
        listed_by_id(store, &s.other).await.len(),
        s.other_survey.len(),
        "another survey's unverified responses of the same week stay"
    );
    assert_eq!(store.count_week(&s.survey, s.week, true).await.unwrap(), 0);
    assert_eq!(
        store.remove_week(&s.survey, s.week, true).await.unwrap(),
        0,
        "a second run deletes nothing"
    );
    assert_eq!(
        store.count_week(&s.survey, s.week, false).await.unwrap(),
        40,
        "the verified ones are still there to count"
    );
}

/// A week, or a survey, with nothing stored: zero, and nothing else is touched.
pub async fn remove_empty_week(store: &dyn ResponseStore) {
    let s = spoiled(store).await;
    let empty = [
        (s.survey.clone(), week("2026-W12")),
        (s.survey.clone(), week("2025-W10")),
        (format!("{}-none", s.survey), s.week),
    ];
    for (survey, week) in &empty {
        for unverified_only in [false, true] {
            assert_eq!(
                store
                    .count_week(survey, *week, unverified_only)
                    .await
                    .unwrap(),
                0,
                "{survey} {week}"
            );
            assert_eq!(
                store
                    .remove_week(survey, *week, unverified_only)
                    .await
                    .unwrap(),
                0,
                "{survey} {week}"
            );
        }
    }
    assert_eq!(listed_by_id(store, &s.survey).await.len(), 120);
    assert_eq!(
        listed_by_id(store, &s.other).await.len(),
        s.other_survey.len()
    );
}

/// Counters and single-use markers, each with expiry.
pub async fn control_store(store: &dyn ControlStore) {
    let run = Uuid::new_v4().simple().to_string();
    let later = unix_now() + 3600;
    let past = unix_now() - 10;

    let counter = format!("rate:{run}");
    assert_eq!(store.increment(&counter, later).await.unwrap(), 1);
    assert_eq!(store.increment(&counter, later).await.unwrap(), 2);
    assert_eq!(store.increment(&counter, later).await.unwrap(), 3);

    let stale = format!("rate-stale:{run}");
    assert_eq!(store.increment(&stale, past).await.unwrap(), 1);
    assert_eq!(
        store.increment(&stale, past).await.unwrap(),
        1,
        "an expired counter starts again"
    );

    let marker = format!("pow:{run}");
    assert!(store.claim(&marker, later).await.unwrap());
    assert!(
        !store.claim(&marker, later).await.unwrap(),
        "a marker is single-use"
    );
    let old_marker = format!("pow-stale:{run}");
    assert!(store.claim(&old_marker, past).await.unwrap());
    assert!(
        store.claim(&old_marker, later).await.unwrap(),
        "an expired marker can be claimed again"
    );

    // Concurrent increments are atomic: every caller sees a distinct count.
    let busy = format!("rate-busy:{run}");
    let counts = futures::future::join_all((0..40).map(|_| store.increment(&busy, later))).await;
    let counts: BTreeSet<u64> = counts.into_iter().map(Result::unwrap).collect();
    assert_eq!(counts, (1..=40).collect::<BTreeSet<u64>>());

    // Concurrent claims: exactly one wins.
    let race = format!("pow-race:{run}");
    let wins = futures::future::join_all((0..20).map(|_| store.claim(&race, later))).await;
    assert_eq!(wins.into_iter().filter(|w| *w.as_ref().unwrap()).count(), 1);
}

fn counted(responses: u64, unverified: u64) -> WeekCount {
    WeekCount {
        responses,
        unverified,
    }
}

/// The progress counters: every stored response counted once in its own week, retries and
/// repeats (one at a time or all at once) counted never, a removal leaving the counter equal
/// to what is left; and the hourly snapshot, replaced only by a later hour. Returns the
/// survey id used, so that an adapter's test can look at the items it left.
pub async fn progress_store<S: ResponseStore + ProgressStore>(store: &S) -> String {
    let survey = format!("progress-{}", Uuid::new_v4().simple());
    let other = format!("{survey}-other");
    let (w10, w11, w12, w13) = (
        week("2026-W10"),
        week("2026-W11"),
        week("2026-W12"),
        week("2026-W13"),
    );
    let weeks = [w10, w11, w12, w13];
    assert_eq!(
        store.week_counts(&survey, &weeks).await.unwrap(),
        vec![WeekCount::default(); 4],
        "nothing stored, nothing counted"
    );

    let first = records_in(&survey, w10, true, 1).remove(0);
    assert_eq!(
        store.put_if_absent(&first).await.unwrap(),
        PutOutcome::Stored
    );
    let mut changed = first.clone();
    changed.pow_verified = false;
    changed
        .answers
        .insert("income_share".into(), AnswerValue::Number(99));
    for retry in [&first, &first, &changed] {
        assert_eq!(
            store.put_if_absent(retry).await.unwrap(),
            PutOutcome::AlreadyStored
        );
    }
    assert_eq!(
        store.week_counts(&survey, &[w10]).await.unwrap(),
        vec![counted(1, 0)],
        "a retry, even with other answers or flags, counts nothing"
    );

    let unverified = records_in(&survey, w10, false, 25);
    let next_week = records_in(&survey, w11, true, 5);
    assert_eq!(store.put_many(&unverified).await.unwrap(), 25);
    assert_eq!(store.put_many(&next_week).await.unwrap(), 5);
    assert_eq!(store.put_many(&unverified).await.unwrap(), 0);
    store
        .put_many(&records_in(&other, w11, false, 7))
        .await
        .unwrap();

    // Many sends at once, each also retried at once: each counted exactly once.
    let busy: Vec<ResponseRecord> = (0..20)
        .map(|n| ResponseRecord {
            iso_week: w12,
            pow_verified: n % 2 == 0,
            ..record(&survey, n)
        })
        .collect();
    let sends = busy.iter().chain(&busy).map(|r| store.put_if_absent(r));
    let outcomes: Vec<PutOutcome> = futures::future::join_all(sends)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| **o == PutOutcome::Stored)
            .count(),
        20,
        "each of the 20 is stored by exactly one of its two sends"
    );
    assert_eq!(
        store.week_counts(&survey, &weeks).await.unwrap(),
        vec![
            counted(26, 25),
            counted(5, 0),
            counted(20, 10),
            counted(0, 0)
        ],
        "every response in its own week, the unverified ones apart; another survey's apart"
    );
    assert_eq!(
        store.week_counts(&other, &[w11]).await.unwrap(),
        vec![counted(7, 7)]
    );
    assert_eq!(
        store.week_counts(&survey, &[w12, w10]).await.unwrap(),
        vec![counted(20, 10), counted(26, 25)],
        "in the order asked"
    );

    // A removal keeps the counter truthful, and so does running it again.
    assert_eq!(store.remove_week(&survey, w10, true).await.unwrap(), 25);
    assert_eq!(
        store.week_counts(&survey, &[w10]).await.unwrap(),
        vec![counted(1, 0)]
    );
    assert_eq!(store.remove_week(&survey, w10, false).await.unwrap(), 1);
    assert_eq!(store.remove_week(&survey, w10, false).await.unwrap(), 0);
    assert_eq!(
        store.week_counts(&survey, &[w10, w11]).await.unwrap(),
        vec![counted(0, 0), counted(5, 0)]
    );
    assert_eq!(
        store.recount_week(&survey, w12).await.unwrap(),
        counted(20, 10),
        "a recount finds what was counted"
    );
    assert_eq!(
        store.week_counts(&survey, &[w12]).await.unwrap(),
        vec![counted(20, 10)],
        "and leaves it as it was"
    );
    assert_eq!(
        store.recount_week(&survey, w13).await.unwrap(),
        counted(0, 0)
    );

    // The snapshot: first offer of an hour wins, an earlier hour never replaces a later one.
    let wave = Wave::of_week(WaveLength::Quarter, w10);
    let hour = unix_now().div_euclid(3600) * 3600;
    let snap = |hour, n| Snapshot {
        hour,
        responses_at_least: n,
    };
    assert_eq!(store.snapshot(&survey, wave).await.unwrap(), None);
    assert_eq!(
        store
            .offer_snapshot(&survey, wave, snap(hour, 120))
            .await
            .unwrap(),
        snap(hour, 120)
    );
    assert_eq!(
        store.snapshot(&survey, wave).await.unwrap(),
        Some(snap(hour, 120))
    );
    for late in [snap(hour, 130), snap(hour - 3600, 200)] {
        assert_eq!(
            store.offer_snapshot(&survey, wave, late).await.unwrap(),
            snap(hour, 120),
            "the hour's snapshot does not change"
        );
    }
    assert_eq!(
        store.snapshot(&other, wave).await.unwrap(),
        None,
        "one per survey"
    );
    let later = futures::future::join_all(
        (0..10).map(|n| store.offer_snapshot(&survey, wave, snap(hour + 3600, 140 + n))),
    )
    .await;
    let winners: BTreeSet<u64> = later
        .into_iter()
        .map(|s| {
            let s = s.unwrap();
            assert_eq!(s.hour, hour + 3600);
            s.responses_at_least
        })
        .collect();
    assert_eq!(
        winners.len(),
        1,
        "racing offers all see one winner: {winners:?}"
    );
    survey
}
