//! The short load-and-reconcile run of `make test` (the full one is `make bench`,
//! tests/benches/load_bench.rs): 16 concurrent clients send 2 000 submissions to a real
//! `canvass serve` process over HTTP, with same-id retries, conflicting retries and invalid
//! answers mixed in; afterwards the store, read directly, holds exactly the submissions that
//! were acknowledged, once each, and nothing else (tests/src/load.rs says what is checked).
//!
//! Runs the `canvass` binary that `cargo test --workspace` builds next to this test.

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

use canvass_tests::dynamo::Dynamo;
use canvass_tests::harness::SURVEY;
use canvass_tests::load::{
    self, Plan, RunOptions, Serve, Summary, dynamodb_store_arg, fresh_prefixed_tables,
};

const CLIENTS: usize = 16;
const SUBMISSIONS: usize = 2_000;

fn options() -> RunOptions {
    RunOptions {
        // Far above what the run needs, so a hang fails the test instead of stalling it.
        deadline: Duration::from_secs(120),
        ..RunOptions::new(CLIENTS)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_serve_under_load_stores_each_acknowledged_submission_once() {
    let data = tempfile::tempdir().unwrap();
    let mut serve = Serve::start("sqlite", data.path(), 1);
    let plan = Arc::new(Plan::new(SURVEY, SUBMISSIONS, 11));
    let run = load::run(
        &serve.base,
        plan.clone(),
        options(),
        Arc::new(AtomicUsize::new(0)),
    )
    .await;
    assert!(serve.is_running(), "{}", serve.log_tail());
    let stored = load::stored_in_sqlite(&data.path().join("canvass.db"), SURVEY);
    let reconciliation = load::reconcile(&plan, &run.attempts, &stored);
    let summary = Summary::of(&plan, &run, &reconciliation);
    println!("sqlite: {}", summary.line());
    reconciliation.assert_complete(&plan, &run);
    assert!(
        summary.conflicts > 0,
        "the plan exercised conflicting retries"
    );

    // The same check over the real file notices one row lost behind its back.
    let db = data.path().join("canvass.db");
    let lost = plan.entries.iter().find(|e| e.kind.is_valid()).unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.busy_timeout(Duration::from_secs(10)).unwrap();
    let deleted = conn
        .execute(
            "DELETE FROM responses WHERE response_id = ?1",
            [&lost.response_id],
        )
        .unwrap();
    assert_eq!(deleted, 1);
    let stored = load::stored_in_sqlite(&db, SURVEY);
    let problems = load::reconcile(&plan, &run.attempts, &stored).problems;
    assert_eq!(
        problems,
        vec![format!(
            "{}: acknowledged with a 2xx but not stored",
            lost.submission_id
        )]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_serve_under_load_stores_each_acknowledged_submission_once() {
    let dynamo = Dynamo::connect().await;
    let (client, tables, prefix) = fresh_prefixed_tables(dynamo.endpoint()).await;
    let data = tempfile::tempdir().unwrap();
    let mut serve = Serve::start(
        &dynamodb_store_arg(dynamo.endpoint(), &prefix),
        data.path(),
        1,
    );
    let plan = Arc::new(Plan::new(SURVEY, SUBMISSIONS, 12));
    let run = load::run(
        &serve.base,
        plan.clone(),
        options(),
        Arc::new(AtomicUsize::new(0)),
    )
    .await;
    assert!(serve.is_running(), "{}", serve.log_tail());
    let stored = load::stored_in_dynamodb(client, tables, SURVEY).await;
    let reconciliation = load::reconcile(&plan, &run.attempts, &stored);
    let summary = Summary::of(&plan, &run, &reconciliation);
    println!("dynamodb: {}", summary.line());
    // DynamoDB Local may throttle a burst into a 503; every one was retried to an answer.
    reconciliation.assert_complete(&plan, &run);
}
