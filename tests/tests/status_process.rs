//! `canvass status` as an operator runs it: the real binary over a folder seeded by
//! `canvass seed` (and over DynamoDB Local), as a table and as JSON, checked against what
//! the store holds, before and after a `canvass remove`.
//!
//! Runs the `canvass` binary that `cargo test --workspace` builds next to this test.

use std::collections::BTreeMap;
use std::path::Path;

use canvass_core::record::ResponseRecord;
use canvass_core::store::sqlite::SqliteStore;
use canvass_core::store::{Listed, ResponseStore};
use canvass_core::wave::IsoWeek;
use canvass_tests::dynamo::Dynamo;
use canvass_tests::harness::SURVEY;
use canvass_tests::load::{dynamodb_store_arg, fresh_prefixed_tables};
use canvass_tests::operator::{canvass, stderr, stdout};
use futures::StreamExt;
use serde_json::Value;

/// week → (responses, unverified), from listing every stored response.
async fn tally(store: &dyn ResponseStore) -> BTreeMap<String, (u64, u64)> {
    let mut counts: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut pages = store.list(SURVEY);
    while let Some(page) = pages.next().await {
        for item in page.expect("listing works") {
            let Listed::Response(r) = item else {
                panic!("malformed item: {item:?}");
            };
            let entry = counts.entry(r.iso_week.to_string()).or_default();
            entry.0 += 1;
            entry.1 += u64::from(!r.pow_verified);
        }
    }
    counts
}

/// week → (responses, unverified) as `status --json` reports a wave.
fn weeks_of(wave: &Value) -> BTreeMap<String, (u64, u64)> {
    wave["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["responses"].as_u64().unwrap() > 0)
        .map(|w| {
            (
                w["week"].as_str().unwrap().to_owned(),
                (
                    w["responses"].as_u64().unwrap(),
                    w["unverified"].as_u64().unwrap(),
                ),
            )
        })
        .collect()
}

fn json_status(args: &[&str], data: &Path) -> Value {
    let mut all = vec!["status", "--json"];
    all.extend(args);
    let out = canvass(&all, data);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("status --json prints JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_shows_each_week_the_bot_signal_and_the_next_release() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // 600 responses in 2026-W07…W10 (the open 2026-Q1 as of 4 March) and 100 in
    // 2025-W49…W50 (the last closed wave, 2025-Q4).
    for (n, weeks, until, seed) in [("600", "4", "2026-W10", "1"), ("100", "2", "2025-W50", "2")] {
        let seeded = canvass(
            &[
                "seed",
                "--responses",
                n,
                "--weeks",
                weeks,
                "--until",
                until,
                "--seed",
                seed,
            ],
            &data,
        );
        assert!(seeded.status.success(), "{}", stderr(&seeded));
    }
    let db = data.join("canvass.db");
    let stored = tally(&SqliteStore::open(&db).unwrap()).await;

    let status = json_status(&["--as-of", "2026-03-04"], &data);
    assert_eq!(status["survey_id"], SURVEY);
    let open = &status["open_wave"];
    assert_eq!(open["wave"], "2026-Q1");
    assert_eq!(open["closed"], false);
    let listed: Vec<&str> = open["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["week"].as_str().unwrap())
        .collect();
    assert_eq!(listed.first(), Some(&"2026-W01"));
    assert_eq!(
        listed.last(),
        Some(&"2026-W10"),
        "weeks that have not begun are not listed"
    );
    let closed = &status["last_closed_wave"];
    assert_eq!(closed["wave"], "2025-Q4");
    assert_eq!(closed["closed"], true);
    let mut shown = weeks_of(open);
    shown.extend(weeks_of(closed));
    assert_eq!(shown, stored, "every week as the store holds it");
    assert_eq!(open["responses"], 600);
    assert_eq!(closed["responses"], 100);
    let unverified = open["unverified"].as_u64().unwrap();
    assert!(unverified > 0, "the seed leaves some without proof of work");
    for w in open["weeks"].as_array().unwrap() {
        match w["responses"].as_u64().unwrap() {
            0 => assert!(w["unverified_share"].is_null()),
            n => {
                let share = w["unverified_share"].as_f64().unwrap();
                let expected = w["unverified"].as_u64().unwrap() as f64 / n as f64;
                assert!((share - expected).abs() < 1e-9, "{w}");
            }
        }
    }
    assert_eq!(status["public_count"], 600);
    let next = &status["next_release"];
    assert_eq!(next["wave"], "2026-Q1");
    assert_eq!(next["responses_so_far"], 600);
    assert_eq!(next["closes_after"], "2026-03-29");
    assert!(
        next["first_run"].is_null(),
        "the local timer counts from the server's start"
    );

    // The table, with the deployed schedule.
    let out = canvass(
        &[
            "status",
            "--as-of",
            "2026-03-04",
            "--schedule",
            "cron(0 6 ? * MON *)",
        ],
        &data,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let (w10, w10_unverified) = stored["2026-W10"];
    let row = text
        .lines()
        .find(|l| l.trim_start().starts_with("2026-W10"))
        .unwrap_or_else(|| panic!("no 2026-W10 row: {text}"));
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(cells[1], w10.to_string(), "{row}");
    assert_eq!(cells[2], w10_unverified.to_string(), "{row}");
    assert!(cells[3].ends_with('%'), "{row}");
    for expected in [
        "Open wave 2026-Q1 (open until 2026-03-29)",
        "Last closed wave 2025-Q4 (closed after 2025-12-28)",
        "Public count: 600",
        "operators only",
        "Next release: wave 2026-Q1 with 600 response(s) so far",
        "2026-03-30 06:00 (UTC)",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }

    // After a removal the counters say what is left.
    let removed = canvass(
        &["remove", "--week", "2026-W09", "--unverified-only", "--yes"],
        &data,
    );
    assert!(removed.status.success(), "{}", stderr(&removed));
    let after = json_status(&["--as-of", "2026-03-04"], &data);
    let stored_after = tally(&SqliteStore::open(&db).unwrap()).await;
    assert_eq!(stored_after["2026-W09"].1, 0);
    let mut shown = weeks_of(&after["open_wave"]);
    shown.extend(weeks_of(&after["last_closed_wave"]));
    assert_eq!(shown, stored_after);

    // Mistakes are named, and a mistyped folder is not an empty store.
    let out = canvass(&["status", "--schedule", "rate(7 days)"], &data);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("cron(M H ? * DAYS *)"),
        "{}",
        stderr(&out)
    );
    let typo = dir.path().join("typo");
    let out = canvass(&["status"], &typo);
    assert!(stderr(&out).contains("no store at"), "{}", stderr(&out));
    assert!(!typo.join("canvass.db").exists());
}

/// The same on DynamoDB, including `--recount` for counters that missed responses (here:
/// responses written behind the counters' back, as a store from before them would hold).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_reads_dynamodb_counters_and_recounts_them() {
    use aws_sdk_dynamodb::types::AttributeValue;

    let dynamo = Dynamo::connect().await;
    let (client, tables, prefix) = fresh_prefixed_tables(dynamo.endpoint()).await;
    let store = canvass_core::store::dynamodb::DynamoStore::new(client.clone(), tables.clone());
    let week = |w: &str| w.parse::<IsoWeek>().unwrap();
    let records: Vec<ResponseRecord> = (0..90)
        .map(|n| ResponseRecord {
            iso_week: if n % 3 == 0 {
                week("2026-W09")
            } else {
                week("2026-W10")
            },
            pow_verified: n % 4 != 0,
            ..canvass_tests::contract::records_in(SURVEY, week("2026-W10"), true, 1).remove(0)
        })
        .collect();
    store.put_many(&records).await.unwrap();
    // One response stored without its count.
    let uncounted = canvass_tests::contract::records_in(SURVEY, week("2026-W10"), false, 1);
    let mut item: std::collections::HashMap<String, AttributeValue> =
        serde_dynamo::to_item(&uncounted[0]).unwrap();
    item.retain(|k, _| canvass_core::record::STORED_FIELDS.contains(&k.as_str()));
    client
        .put_item()
        .table_name(&tables.responses)
        .set_item(Some(item))
        .send()
        .await
        .unwrap();

    let store_arg = dynamodb_store_arg(dynamo.endpoint(), &prefix);
    let data = tempfile::tempdir().unwrap();
    let args = ["--as-of", "2026-03-04", "--store", &store_arg];
    let status = json_status(&args, data.path());
    let counted = weeks_of(&status["open_wave"]);
    assert_eq!(counted["2026-W09"], (30, 8));
    assert_eq!(counted["2026-W10"], (60, 15), "the counters miss one");
    assert_eq!(
        status["next_release"]["first_run"], "2026-03-30T06:00",
        "a DynamoDB store is the deployment: the template's schedule"
    );
    let mut recount = args.to_vec();
    recount.push("--recount");
    let status = json_status(&recount, data.path());
    let stored = tally(&store).await;
    assert_eq!(weeks_of(&status["open_wave"]), stored);
    assert_eq!(stored["2026-W10"], (61, 16));
}
