//! `make bench`, extraction section: how fast the report job reads a survey out of DynamoDB
//! Local, against boto3 reading the same table the same way in the same run.
//!
//! One table of `SCAN_ITEMS` responses (default 100 000, loaded before any clock starts),
//! then `SCAN_ROUNDS` rounds (default 5), the three paths alternating in each round:
//! - the store's parallel Scan (`DynamoStore::list`, `SCAN_SEGMENTS` segments, default 4),
//!   every item decoded with serde_dynamo;
//! - the pipeline's whole extraction (`canvass_pipeline::extract::extract`): the same Scan,
//!   each item checked against its survey version and pushed into typed columns;
//! - boto3 (PyPI), one thread per segment, same filter, every item deserialised
//!   (scripts/bench/scan_boto3.py).
//!
//! Item counts must agree before any timing is reported. Medians of items/s.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use canvass_core::intake::{Submission, prepare};
use canvass_core::store::ResponseStore;
use canvass_core::store::dynamodb::{DynamoStore, ScanSettings};
use canvass_pipeline::Silent;
use canvass_pipeline::extract::extract;
use canvass_pipeline::spec::Spec;
use canvass_tests::dynamo::{DynamoLocal, fresh_tables};
use canvass_tests::harness::{SURVEY, catalog, pinned_now, secret, valid_answers};
use canvass_tests::measure::median;
use futures::StreamExt;
use serde_json::Value;
use uuid::Uuid;

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name} must be a number"))
        })
        .unwrap_or(default)
}

fn main() {
    // `cargo bench` passes `--bench`; anything else (such as `cargo test --benches`) lists
    // nothing and exits, so `make test` does not run a benchmark.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let items = setting("SCAN_ITEMS", 100_000);
    let rounds = setting("SCAN_ROUNDS", 5);
    let segments = setting("SCAN_SEGMENTS", 4) as u32;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(items, rounds, segments));
}

async fn run(items: usize, rounds: usize, segments: u32) {
    let python = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.tools/boto3/bin/python");
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/bench/scan_boto3.py");
    assert!(
        python.exists(),
        "boto3 is not installed: run scripts/install-test-deps.sh"
    );
    let local = DynamoLocal::start().await;
    let (client, tables) = fresh_tables(&local.endpoint()).await;
    let store = DynamoStore::new(client, tables.clone()).with_scan(ScanSettings {
        segments,
        consistent_read: false,
    });

    // Load (not timed): valid responses spread over twelve weeks before the pinned date.
    let catalog = catalog();
    let secret = secret();
    let answers: std::collections::BTreeMap<String, Value> =
        serde_json::from_value(valid_answers()).unwrap();
    let started = Instant::now();
    let mut batch = Vec::with_capacity(1000);
    for i in 0..items {
        let submission = Submission {
            submission_id: Uuid::new_v4(),
            survey_version: 1,
            answers: answers.clone(),
            pow_verified: i % 10 != 0,
        };
        let when = pinned_now() - time::Duration::weeks((i % 12) as i64);
        batch.push(prepare(&catalog, &secret, SURVEY, &submission, when).expect("valid"));
        if batch.len() == 1000 || i + 1 == items {
            store.put_many(&batch).await.expect("load");
            batch.clear();
        }
    }
    eprintln!(
        "loaded {items} items in {:.1}s",
        started.elapsed().as_secs_f64()
    );

    let spec = Spec::from_catalog(&catalog, SURVEY).unwrap();
    // Every wave closed by then, so every item ends up in the columns.
    let as_of = pinned_now().date() + time::Duration::weeks(52);
    let (mut scan, mut pipeline, mut boto) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let started = Instant::now();
        let mut pages = store.list(SURVEY);
        let mut listed = 0;
        while let Some(page) = pages.next().await {
            listed += page.expect("scan").len();
        }
        let scan_s = started.elapsed().as_secs_f64();

        let started = Instant::now();
        let canvass_pipeline::extract::Extracted {
            columns, quality, ..
        } = extract(&store, &spec, as_of, &Silent)
            .await
            .expect("extract");
        let extract_s = started.elapsed().as_secs_f64();
        assert_eq!(quality.excluded(), 0, "{quality:?}");
        let extracted = columns.len();

        let out = Command::new(&python)
            .arg(&script)
            .args([
                local.endpoint().as_str(),
                tables.responses.as_str(),
                SURVEY,
                &segments.to_string(),
            ])
            .output()
            .expect("run boto3");
        assert!(
            out.status.success(),
            "boto3 failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let peer: Value = serde_json::from_slice(&out.stdout).expect("boto3 output");
        let boto_items = peer["items"].as_u64().unwrap() as usize;
        let boto_s = peer["seconds"].as_f64().unwrap();

        assert_eq!(listed, items, "the Rust scan read every item");
        assert_eq!(extracted, items, "the extraction accounted for every item");
        assert_eq!(boto_items, items, "boto3 read every item");
        eprintln!(
            "round {}: scan {scan_s:.3}s, extract {extract_s:.3}s, boto3 {boto_s:.3}s",
            round + 1
        );
        scan.push(items as f64 / scan_s);
        pipeline.push(items as f64 / extract_s);
        boto.push(items as f64 / boto_s);
    }
    let (scan, pipeline, boto) = (median(scan), median(pipeline), median(boto));
    println!(
        "\n{items} items, {segments} segments, median of {rounds} rounds\n\n| path | items/s | vs boto3 |\n|---|---:|---:|"
    );
    println!("| boto3 parallel scan, items deserialised (the peer) | {boto:.0} | 1.00 |");
    println!(
        "| `DynamoStore::list` parallel Scan, items decoded (serde_dynamo) | {scan:.0} | {:.2} |",
        scan / boto
    );
    println!(
        "| pipeline extraction: Scan + checks + typed columns | {pipeline:.0} | {:.2} |",
        pipeline / boto
    );
}
