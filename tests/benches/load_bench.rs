//! `make bench`, load and reconciliation section (scripts/bench-load.sh runs it; results in
//! docs/benchmarks.md): 64 concurrent clients send 20 000 submissions to a real `canvass
//! serve` process over loopback HTTP, on SQLite and on DynamoDB Local, with same-id retries,
//! conflicting retries and invalid answers mixed in (tests/src/load.rs), then the store is
//! read directly and reconciled. Each store is run `ROUNDS` times, each round on a fresh store
//! and server; throughput and latency are the medians of the rounds.
//!
//! The short version of the same run is a test: tests/tests/load_reconcile.rs.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

use canvass_tests::dynamo::DynamoLocal;
use canvass_tests::harness::SURVEY;
use canvass_tests::load::{
    self, Plan, Reconciliation, RunOptions, Serve, Summary, dynamodb_store_arg,
    fresh_prefixed_tables, ms,
};
use canvass_tests::measure::median;

const ROUNDS: usize = 3;
const CLIENTS: usize = 64;
const SUBMISSIONS: usize = 20_000;
const SEED: u64 = 2026;

fn options() -> RunOptions {
    RunOptions {
        deadline: Duration::from_secs(600),
        ..RunOptions::new(CLIENTS)
    }
}

/// One round: a server over `store`, the plan, the store read back by `read`.
async fn round<F, Fut>(
    store: &str,
    data: &Path,
    plan: &Arc<Plan>,
    read: F,
) -> (Summary, Reconciliation)
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Vec<load::Stored>>,
{
    let mut serve = Serve::start(store, data, 1);
    let run = load::run(
        &serve.base,
        plan.clone(),
        options(),
        Arc::new(AtomicUsize::new(0)),
    )
    .await;
    let mut reconciliation = load::reconcile(plan, &run.attempts, &read().await);
    if !serve.is_running() {
        reconciliation
            .problems
            .push(format!("the server stopped:\n{}", serve.log_tail()));
    }
    if run.unsent > 0 {
        reconciliation
            .problems
            .push(format!("{} submissions never sent (deadline)", run.unsent));
    }
    let summary = Summary::of(plan, &run, &reconciliation);
    eprintln!("  {store}: {}", summary.line());
    (summary, reconciliation)
}

struct Row {
    store: &'static str,
    rounds: Vec<(Summary, Reconciliation)>,
}

fn print_table(rows: &[Row]) {
    println!(
        "| store | submissions | accepted | retries | invalid | 503s | throughput (req/s) | p50 | p90 | p99 | reconciliation |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for row in rows {
        let first = &row.rounds[0].0;
        let of = |f: fn(&Summary) -> f64| median(row.rounds.iter().map(|(s, _)| f(s)).collect());
        let unavailable: Vec<String> = row
            .rounds
            .iter()
            .map(|(s, _)| s.unavailable.to_string())
            .collect();
        let failed = row.rounds.iter().filter(|(_, r)| !r.is_ok()).count();
        let verdict = if failed == 0 {
            format!(
                "ok in {}/{} rounds: stored = accepted, no duplicate, no other 5xx",
                row.rounds.len(),
                row.rounds.len()
            )
        } else {
            format!("**failed in {failed}/{} rounds**", row.rounds.len())
        };
        println!(
            "| {} | {} | {} | {} | {} | {} | {:.0} | {:.1} ms | {:.1} ms | {:.1} ms | {} |",
            row.store,
            first.submissions,
            first.accepted,
            first.retries,
            first.invalid,
            unavailable.join(" / "),
            of(Summary::requests_per_second),
            of(|s| ms(s.p50)),
            of(|s| ms(s.p90)),
            of(|s| ms(s.p99)),
            verdict,
        );
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // `cargo test --all-targets` (make test) also runs bench targets, without `--bench`: the
    // measurements belong to `make bench` only.
    if !std::env::args().any(|arg| arg == "--bench") {
        println!("load_bench: measurements run under `cargo bench` (make bench) only");
        return;
    }
    let plan = Arc::new(Plan::new(SURVEY, SUBMISSIONS, SEED));
    let mut rows = Vec::new();

    eprintln!("SQLite, {ROUNDS} rounds");
    let mut rounds = Vec::new();
    for _ in 0..ROUNDS {
        let data = tempfile::tempdir().unwrap();
        let db = data.path().join("canvass.db");
        rounds.push(
            round("sqlite", data.path(), &plan, || async move {
                load::stored_in_sqlite(&db, SURVEY)
            })
            .await,
        );
    }
    rows.push(Row {
        store: "SQLite (`--store sqlite`)",
        rounds,
    });

    eprintln!("DynamoDB Local, {ROUNDS} rounds");
    let local = DynamoLocal::start().await;
    let mut rounds = Vec::new();
    for _ in 0..ROUNDS {
        let data = tempfile::tempdir().unwrap();
        let (client, tables, prefix) = fresh_prefixed_tables(&local.endpoint()).await;
        rounds.push(
            round(
                &dynamodb_store_arg(&local.endpoint(), &prefix),
                data.path(),
                &plan,
                || load::stored_in_dynamodb(client, tables, SURVEY),
            )
            .await,
        );
    }
    drop(local);
    rows.push(Row {
        store: "DynamoDB Local (`--store dynamodb://…`)",
        rounds,
    });

    println!(
        "## Load and reconciliation (`scripts/bench-load.sh`)\n\n{CLIENTS} clients, {SUBMISSIONS} submissions, {ROUNDS} rounds per store (fresh store and server each), medians:\n"
    );
    print_table(&rows);
    let problems: Vec<&String> = rows
        .iter()
        .flat_map(|r| r.rounds.iter())
        .flat_map(|(_, r)| r.problems.iter())
        .collect();
    if !problems.is_empty() {
        eprintln!("\nreconciliation problems:");
        for p in problems.iter().take(50) {
            eprintln!("  {p}");
        }
        std::process::exit(1);
    }
}
