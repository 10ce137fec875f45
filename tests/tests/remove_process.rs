//! `canvass remove` as an operator runs it: the real binary over a folder seeded by
//! `canvass seed` (and over DynamoDB Local), a dry run that deletes nothing, `--yes`, and bad
//! input refused with a message that names the problem.
//!
//! Runs the `canvass` binary that `cargo test --workspace` builds next to this test.

use std::collections::BTreeMap;

use canvass_core::record::ResponseRecord;
use canvass_core::store::sqlite::SqliteStore;
use canvass_core::store::{Listed, ResponseStore};
use canvass_core::wave::IsoWeek;
use canvass_tests::dynamo::Dynamo;
use canvass_tests::harness::SURVEY;
use canvass_tests::load::{dynamodb_store_arg, fresh_prefixed_tables};
use canvass_tests::operator::{canvass, stderr, stdout};
use futures::StreamExt;

async fn listed(store: &dyn ResponseStore) -> Vec<ResponseRecord> {
    let mut records = Vec::new();
    let mut pages = store.list(SURVEY);
    while let Some(page) = pages.next().await {
        for item in page.expect("listing works") {
            match item {
                Listed::Response(r) => records.push(r),
                Listed::Malformed { problem, .. } => panic!("malformed item: {problem}"),
            }
        }
    }
    records
}

/// (week, verified) → how many responses.
fn tally(records: &[ResponseRecord]) -> BTreeMap<(IsoWeek, bool), u64> {
    let mut counts = BTreeMap::new();
    for r in records {
        *counts.entry((r.iso_week, r.pow_verified)).or_default() += 1;
    }
    counts
}

fn week(text: &str) -> IsoWeek {
    text.parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_counts_and_yes_removes_exactly_that() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let seeded = canvass(
        &[
            "seed",
            "--responses",
            "600",
            "--weeks",
            "4",
            "--until",
            "2026-W10",
        ],
        &data,
    );
    assert!(seeded.status.success(), "{}", stderr(&seeded));

    let db = data.join("canvass.db");
    let before = tally(&listed(&SqliteStore::open(&db).unwrap()).await);
    let spoiled = [week("2026-W08"), week("2026-W09")];
    let unverified: Vec<u64> = spoiled
        .iter()
        .map(|w| before.get(&(*w, false)).copied().unwrap_or(0))
        .collect();
    assert!(
        unverified.iter().all(|n| *n > 0),
        "the seed gives every week unverified responses: {before:?}"
    );

    let remove = [
        "remove",
        "--week",
        "2026-W09",
        "--week",
        "2026-W08",
        "--unverified-only",
    ];
    let dry = canvass(&remove, &data);
    assert!(dry.status.success(), "{}", stderr(&dry));
    let text = stdout(&dry);
    assert!(text.contains("Dry run, nothing removed"), "{text}");
    for (w, n) in spoiled.iter().zip(&unverified) {
        assert!(
            text.contains(&format!("{w}: {n} would be removed")),
            "{text}"
        );
    }
    let total: u64 = unverified.iter().sum();
    assert!(text.contains(&format!("total: {total}")), "{text}");
    assert!(
        text.contains("canvass remove --week 2026-W09 --week 2026-W08 --unverified-only")
            && text.trim_end().ends_with("--yes"),
        "the dry run says what to run: {text}"
    );
    assert_eq!(
        tally(&listed(&SqliteStore::open(&db).unwrap()).await),
        before,
        "a dry run deletes nothing"
    );

    let mut yes = remove.to_vec();
    yes.push("--yes");
    let done = canvass(&yes, &data);
    assert!(done.status.success(), "{}", stderr(&done));
    let text = stdout(&done);
    assert!(
        text.contains(&format!("Removed {total} unverified responses")),
        "{text}"
    );
    for (w, n) in spoiled.iter().zip(&unverified) {
        assert!(text.contains(&format!("{w}: {n} removed")), "{text}");
    }
    // 2026-W08 and W09 both have their Thursday in February: one quarter, 2026-Q1.
    assert!(
        text.contains("(2026-Q1)") && text.contains("\"Revisions\""),
        "{text}"
    );

    let after = tally(&listed(&SqliteStore::open(&db).unwrap()).await);
    let mut expected = before.clone();
    for w in spoiled {
        expected.remove(&(w, false));
    }
    assert_eq!(
        after, expected,
        "exactly the unverified responses of the two weeks are gone"
    );

    let again = canvass(&yes, &data);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stdout(&again).contains("Nothing was removed"),
        "{}",
        stdout(&again)
    );
}

/// Every bad input stops before the store is touched, names the problem, exits non-zero.
#[test]
fn bad_input_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let seeded = canvass(&["seed", "--responses", "20"], &data);
    assert!(seeded.status.success(), "{}", stderr(&seeded));
    let cases: [(&[&str], &[&str]); 6] = [
        (
            &["remove", "--week", "2026-W99"],
            &["2026-W99", "not an ISO week"],
        ),
        (
            &["remove", "--week", "2026-10"],
            &["2026-10", "not an ISO week"],
        ),
        (
            &["remove", "--week", "2999-W01"],
            &["2999-W01", "has not begun"],
        ),
        (
            &["remove", "--week", "2026-W10", "--survey", "no-such-survey"],
            &["no-such-survey", "not a published survey", SURVEY],
        ),
        (&["remove"], &["--week"]),
        (
            &["remove", "--week", "2026-W10", "--store", "postgres://x"],
            &["postgres://x", "not a store"],
        ),
    ];
    for (args, words) in cases {
        let out = canvass(args, &data);
        assert!(!out.status.success(), "{args:?} succeeded");
        let message = stderr(&out);
        for word in words {
            assert!(message.contains(word), "{args:?}: {message}");
        }
    }
    // A folder with no store is not an empty store: nothing is created there.
    let empty = dir.path().join("typo");
    let out = canvass(&["remove", "--week", "2026-W10"], &empty);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("no store at"), "{}", stderr(&out));
    assert!(!empty.join("canvass.db").exists());
}

/// The same command on DynamoDB, chosen with `--store` as for `canvass serve`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removal_works_on_dynamodb_too() {
    let dynamo = Dynamo::connect().await;
    let (client, tables, prefix) = fresh_prefixed_tables(dynamo.endpoint()).await;
    let store = canvass_core::store::dynamodb::DynamoStore::new(client, tables);
    let records: Vec<ResponseRecord> = (0..90)
        .map(|n| ResponseRecord {
            iso_week: if n % 3 == 0 {
                week("2026-W10")
            } else {
                week("2026-W11")
            },
            pow_verified: n % 2 == 0,
            ..canvass_tests::contract::records_in(SURVEY, week("2026-W10"), true, 1).remove(0)
        })
        .collect();
    store.put_many(&records).await.unwrap();
    let before = tally(&records);
    let store_arg = dynamodb_store_arg(dynamo.endpoint(), &prefix);
    let data = tempfile::tempdir().unwrap();
    let remove = ["remove", "--week", "2026-W10", "--store", &store_arg];

    let dry = canvass(&remove, data.path());
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(
        stdout(&dry).contains("2026-W10: 30 would be removed"),
        "{}",
        stdout(&dry)
    );
    assert_eq!(tally(&listed(&store).await), before);

    let mut yes = remove.to_vec();
    yes.push("--yes");
    let done = canvass(&yes, data.path());
    assert!(done.status.success(), "{}", stderr(&done));
    assert!(
        stdout(&done).contains("Removed 30 responses"),
        "{}",
        stdout(&done)
    );
    let mut expected = before;
    expected.retain(|(w, _), _| *w != week("2026-W10"));
    assert_eq!(tally(&listed(&store).await), expected);
}
