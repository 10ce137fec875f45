//! Fault injection under load: DynamoDB Local (its own instance, data on disk with
//! `-dbPath`) is killed with SIGKILL while 16 clients are sending submissions to a real
//! `canvass serve --store dynamodb://…` process, stays down for a few seconds, and is started
//! again on the same port and data folder.
//!
//! While it is down every answer that needs the store is `503` with `Retry-After`, never a
//! 2xx and never another 5xx; the same server process recovers without a restart; the clients
//! retry their `503`s; afterwards every submission that got a 2xx is in the table once, and
//! nothing else is. A write that landed just before the kill but whose answer was lost is
//! stored and answered `200` on its retry: the reconciliation accepts exactly that, and
//! nothing weaker (tests/src/load.rs).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use canvass_tests::dynamo::DynamoLocal;
use canvass_tests::harness::SURVEY;
use canvass_tests::load::{
    self, Answer, Body, Plan, RunOptions, Serve, Summary, dynamodb_store_arg, fresh_prefixed_tables,
};

const CLIENTS: usize = 16;
const SUBMISSIONS: usize = 2_000;
/// The kill comes once this many submissions have had their first pass.
const KILL_AFTER: usize = 600;
const DOWN_FOR: Duration = Duration::from_secs(4);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_killed_under_load_gives_503s_then_recovers_and_loses_nothing() {
    // A process kill, not a power cut, is the fault here: tmpfs (when there is one) keeps the
    // data across it like a disk would, without making every write wait for one.
    let shm = std::path::Path::new("/dev/shm");
    let db = if shm.is_dir() {
        tempfile::tempdir_in(shm).unwrap()
    } else {
        tempfile::tempdir().unwrap()
    };
    let mut local = DynamoLocal::start_persistent(db.path()).await;
    let (client, tables, prefix) = fresh_prefixed_tables(&local.endpoint()).await;
    let data = tempfile::tempdir().unwrap();
    let mut serve = Serve::start(
        &dynamodb_store_arg(&local.endpoint(), &prefix),
        data.path(),
        1,
    );
    let pid = serve.pid();

    let plan = Arc::new(Plan::new(SURVEY, SUBMISSIONS, 21));
    let progress = Arc::new(AtomicUsize::new(0));
    let options = RunOptions {
        // Long enough to outlast a JVM restart on a busy machine, short enough to fail a hang.
        retry_budget: Duration::from_secs(120),
        deadline: Duration::from_secs(240),
        ..RunOptions::new(CLIENTS)
    };
    let load = tokio::spawn({
        let base = serve.base.clone();
        let plan = plan.clone();
        let progress = progress.clone();
        async move { load::run(&base, plan, options, progress).await }
    });

    let waiting = Instant::now();
    while progress.load(Ordering::Relaxed) < KILL_AFTER {
        assert!(!load.is_finished(), "the load ended before the kill");
        assert!(
            waiting.elapsed() < Duration::from_secs(120),
            "the load did not get going"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::task::block_in_place(|| local.kill_hard());
    let killed_at = Instant::now();
    tokio::time::sleep(DOWN_FOR).await;
    let restart_at = Instant::now();
    local.restart().await;
    let back_at = Instant::now();
    let run = load.await.unwrap();

    let stored = load::stored_in_dynamodb(client, tables, SURVEY).await;
    let reconciliation = load::reconcile(&plan, &run.attempts, &stored);
    let summary = Summary::of(&plan, &run, &reconciliation);
    println!(
        "kill at {} of {SUBMISSIONS}, down {:.1} s, back after {:.1} s more: {}",
        KILL_AFTER,
        DOWN_FOR.as_secs_f64(),
        (back_at - restart_at).as_secs_f64(),
        summary.line()
    );

    // While it was down: never a 2xx, and a 503 with Retry-After for everything that needs
    // the store (invalid answers are refused with 422 before the store is asked).
    let down: Vec<_> = run
        .attempts
        .iter()
        .filter(|a| a.sent_at >= killed_at && a.answered_at <= restart_at)
        .collect();
    assert!(
        down.len() >= CLIENTS,
        "only {} requests were answered while DynamoDB was down",
        down.len()
    );
    for a in &down {
        let invalid = !plan.entries[a.entry].kind.is_valid();
        match &a.answer {
            Answer::Status {
                code: 503,
                retry_after: Some(secs),
                error,
            } => {
                assert_eq!(secs, "1");
                assert_eq!(error.as_deref(), Some("storage_unavailable"));
            }
            Answer::Status { code: 422, .. } if invalid => {}
            other => panic!(
                "while DynamoDB was down, {:?} {:?} got {other:?}",
                plan.entries[a.entry].kind, a.body
            ),
        }
    }

    // The same process recovered by itself: it is still running and accepted again.
    assert!(serve.is_running(), "{}", serve.log_tail());
    assert_eq!(serve.pid(), pid);
    let accepted_after = run
        .attempts
        .iter()
        .filter(|a| a.sent_at >= back_at && a.answer.is_success())
        .count();
    assert!(accepted_after > 0, "nothing was accepted after the restart");
    let resolved_503 = plan
        .entries
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            let mine: Vec<_> = run
                .attempts
                .iter()
                .filter(|a| a.entry == *i && a.body == Body::Original)
                .collect();
            mine.iter().any(|a| a.answer.code() == Some(503))
                && mine.iter().any(|a| a.answer.is_success())
        })
        .count();
    assert!(resolved_503 > 0, "no 503 was retried to an acceptance");
    println!(
        "{resolved_503} submissions answered 503 were accepted on retry ({} of them with 200: \
         the write had landed, its answer was lost); {} requests answered while down",
        reconciliation.landed_unanswered,
        down.len()
    );

    // Afterwards: exactly the acknowledged submissions are stored, once; every 503 was
    // retried to an answer, so none is left in doubt.
    reconciliation.assert_complete(&plan, &run);
    drop(serve);
}
