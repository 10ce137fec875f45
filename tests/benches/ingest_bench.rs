//! `make bench`, ingest section (scripts/bench-ingest.sh runs it; results in
//! docs/benchmarks.md). Three measurements, each bounded in count and time, loopback only:
//!
//! 1. handler cost in-process: the Router answering a valid submission, with validation and
//!    the DynamoDB item mapping but no store round trip;
//! 2. HTTP throughput with 32 concurrent clients against DynamoDB Local, side by side in the
//!    same run with raw `PutItem` from the same SDK client to the same DynamoDB Local;
//! 3. process start to first response for the ingest Lambda binary, driven by a minimal Lambda
//!    Runtime API on loopback.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Request, StatusCode};
use axum::routing::{get, post};
use canvass_core::answers::{AnswerValue, Answers};
use canvass_core::ratelimit::RateLimit;
use canvass_core::record::ResponseRecord;
use canvass_core::store::dynamodb::DynamoStore;
use canvass_core::store::{
    ControlStore, Pages, ProgressStore, PutOutcome, ResponseStore, Snapshot, StoreError, WeekCount,
};
use canvass_core::tables::TableNames;
use canvass_core::wave::{IsoWeek, Wave};
use canvass_ingest::{AppState, IngestConfig};
use canvass_tests::dynamo::{DynamoLocal, TEST_SECRET_HEX, fresh_tables};
use canvass_tests::harness::{SURVEY, catalog, secret, submission, valid_answers};
use canvass_tests::measure::{median, percentile};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use tokio::sync::{Mutex, oneshot};
use tower::ServiceExt;
use uuid::Uuid;

const ROUNDS: usize = 3;
const HANDLER_REQUESTS: usize = 20_000;
const CLIENTS: usize = 32;
const LOAD_SECONDS: u64 = 8;
const COLD_STARTS: usize = 15;

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A store that keeps nothing but does the item mapping a DynamoDB put does, so the handler
/// benchmark measures everything up to the network round trip.
struct MappingOnly;

#[async_trait]
impl ResponseStore for MappingOnly {
    async fn put_if_absent(&self, record: &ResponseRecord) -> Result<PutOutcome, StoreError> {
        let item: HashMap<String, AttributeValue> =
            serde_dynamo::to_item(record).map_err(|e| StoreError::Failed(e.to_string()))?;
        std::hint::black_box(item);
        Ok(PutOutcome::Stored)
    }

    fn list(&self, _: &str) -> Pages<'_> {
        Box::pin(futures::stream::empty())
    }

    // It keeps nothing, so there is never anything to remove.
    async fn remove_week(&self, _: &str, _: IsoWeek, _: bool) -> Result<u64, StoreError> {
        Ok(0)
    }

    async fn count_week(&self, _: &str, _: IsoWeek, _: bool) -> Result<u64, StoreError> {
        Ok(0)
    }
}

#[async_trait]
impl ControlStore for MappingOnly {
    async fn increment(&self, _: &str, _: i64) -> Result<u64, StoreError> {
        Ok(1)
    }
    async fn claim(&self, _: &str, _: i64) -> Result<bool, StoreError> {
        Ok(true)
    }
}

// It counts nothing: the handler benchmark posts, and posts never read the counters.
#[async_trait]
impl ProgressStore for MappingOnly {
    async fn week_counts(&self, _: &str, weeks: &[IsoWeek]) -> Result<Vec<WeekCount>, StoreError> {
        Ok(vec![WeekCount::default(); weeks.len()])
    }
    async fn recount_week(&self, _: &str, _: IsoWeek) -> Result<WeekCount, StoreError> {
        Ok(WeekCount::default())
    }
    async fn snapshot(&self, _: &str, _: Wave) -> Result<Option<Snapshot>, StoreError> {
        Ok(None)
    }
    async fn offer_snapshot(&self, _: &str, _: Wave, s: Snapshot) -> Result<Snapshot, StoreError> {
        Ok(s)
    }
}

fn body_for(id: Uuid) -> String {
    submission(&id.to_string(), valid_answers()).to_string()
}

fn config(rate_limit_per_hour: u32) -> IngestConfig {
    IngestConfig {
        rate_limit: RateLimit {
            per_hour: rate_limit_per_hour,
        },
        ..IngestConfig::default()
    }
}

/// 1. Per-request cost of the Router in-process, store excluded.
async fn handler_cost() -> (f64, f64) {
    let store = Arc::new(MappingOnly);
    let app = canvass_ingest::app(AppState::new(
        catalog(),
        store.clone(),
        store.clone(),
        store,
        secret(),
        config(0),
    ));
    let mut p50s = Vec::new();
    let mut p99s = Vec::new();
    for _ in 0..ROUNDS {
        let bodies: Vec<String> = (0..HANDLER_REQUESTS)
            .map(|_| body_for(Uuid::new_v4()))
            .collect();
        let mut times = Vec::with_capacity(HANDLER_REQUESTS);
        for body in bodies {
            let request = Request::post(format!("/surveys/{SURVEY}/responses"))
                .header("content-type", "application/json")
                .body(Body::from(body))
                .unwrap();
            let started = Instant::now();
            let response = app.clone().oneshot(request).await.unwrap();
            let _ = response.into_body().collect().await.unwrap();
            times.push(started.elapsed());
        }
        times.sort();
        p50s.push(micros(percentile(&times, 0.50)));
        p99s.push(micros(percentile(&times, 0.99)));
    }
    (median(p50s), median(p99s))
}

/// Requests per second and latency percentiles of one load run.
struct Load {
    per_second: f64,
    p50: Duration,
    p99: Duration,
    failures: u64,
}

/// Runs `CLIENTS` loops of `one` for `LOAD_SECONDS` (after a one-second warm-up).
async fn load<F, Fut>(one: F) -> Load
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let one = Arc::new(one);
    let warm_until = Instant::now() + Duration::from_secs(1);
    let until = warm_until + Duration::from_secs(LOAD_SECONDS);
    let failures = Arc::new(AtomicU64::new(0));
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let one = one.clone();
            let failures = failures.clone();
            tokio::spawn(async move {
                let mut times = Vec::new();
                loop {
                    let started = Instant::now();
                    if started >= until {
                        break;
                    }
                    let ok = one().await;
                    if started >= warm_until {
                        times.push(started.elapsed());
                        if !ok {
                            failures.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                times
            })
        })
        .collect();
    let mut times = Vec::new();
    for task in tasks {
        times.extend(task.await.unwrap());
    }
    times.sort();
    Load {
        per_second: times.len() as f64 / LOAD_SECONDS as f64,
        p50: percentile(&times, 0.50),
        p99: percentile(&times, 0.99),
        failures: failures.load(Ordering::Relaxed),
    }
}

async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    addr
}

fn ingest_over_http(
    addr: SocketAddr,
) -> impl Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send>> + Send + Sync + 'static
{
    let http = HttpClient::builder(TokioExecutor::new())
        .pool_max_idle_per_host(CLIENTS)
        .build_http::<Full<Bytes>>();
    let url = format!("http://{addr}/surveys/{SURVEY}/responses");
    move || {
        let http = http.clone();
        let request = Request::post(url.as_str())
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body_for(Uuid::new_v4()))))
            .unwrap();
        Box::pin(async move {
            match http.request(request).await {
                Ok(response) => {
                    let created = response.status() == StatusCode::CREATED;
                    let _ = response.into_body().collect().await;
                    created
                }
                Err(_) => false,
            }
        })
    }
}

fn raw_put_item(
    client: Client,
    tables: TableNames,
) -> impl Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send>> + Send + Sync + 'static
{
    let mut answers = Answers::new();
    for (question, value) in valid_answers().as_object().unwrap() {
        let answer = match value {
            Value::String(s) => AnswerValue::Choice(s.clone()),
            Value::Number(n) => AnswerValue::Number(n.as_i64().unwrap()),
            Value::Array(items) => AnswerValue::Choices(
                items
                    .iter()
                    .map(|i| i.as_str().unwrap().to_owned())
                    .collect(),
            ),
            _ => continue,
        };
        answers.insert(question.clone(), answer);
    }
    let template = ResponseRecord {
        response_id: String::new(),
        survey_id: SURVEY.to_owned(),
        survey_version: 1,
        iso_week: "2026-W10".parse().unwrap(),
        answers,
        pow_verified: false,
    };
    move || {
        let record = ResponseRecord {
            response_id: Uuid::new_v4().simple().to_string(),
            ..template.clone()
        };
        let item: HashMap<String, AttributeValue> = serde_dynamo::to_item(&record).unwrap();
        // The same request the adapter sends: same item, same condition.
        let put = client
            .put_item()
            .table_name(&tables.responses)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(response_id)");
        Box::pin(async move { put.send().await.is_ok() })
    }
}

/// 2. HTTP against DynamoDB Local, next to the raw PutItem ceiling, alternating per round.
async fn throughput() -> Vec<(String, f64, f64, f64, u64)> {
    let local = DynamoLocal::start().await;
    let (client, tables) = fresh_tables(&local.endpoint()).await;
    let store = Arc::new(DynamoStore::new(client.clone(), tables.clone()));
    let plain = serve(canvass_ingest::app(AppState::new(
        catalog(),
        store.clone(),
        store.clone(),
        store.clone(),
        secret(),
        config(0),
    )))
    .await;
    let limited = serve(canvass_ingest::app(AppState::new(
        catalog(),
        store.clone(),
        store.clone(),
        store,
        secret(),
        config(u32::MAX),
    )))
    .await;
    let names = [
        "raw PutItem (ceiling)",
        "POST /responses, rate limit off",
        "POST /responses, rate limit on",
    ];
    let mut results: Vec<Vec<Load>> = vec![Vec::new(), Vec::new(), Vec::new()];
    for _ in 0..ROUNDS {
        results[0].push(load(raw_put_item(client.clone(), tables.clone())).await);
        results[1].push(load(ingest_over_http(plain)).await);
        results[2].push(load(ingest_over_http(limited)).await);
    }
    drop(local);
    names
        .iter()
        .zip(results)
        .map(|(name, runs)| {
            (
                (*name).to_owned(),
                median(runs.iter().map(|l| l.per_second).collect()),
                median(runs.iter().map(|l| millis(l.p50)).collect()),
                median(runs.iter().map(|l| millis(l.p99)).collect()),
                runs.iter().map(|l| l.failures).sum(),
            )
        })
        .collect()
}

/// What the fake Lambda Runtime API saw of one process.
#[derive(Default)]
struct Runtime {
    event: Mutex<Option<String>>,
    first_next: Mutex<Option<oneshot::Sender<Instant>>>,
    response: Mutex<Option<oneshot::Sender<(Instant, String)>>>,
}

async fn next(State(rt): State<Arc<Runtime>>) -> (StatusCode, HeaderMap, String) {
    let arrived = Instant::now();
    if let Some(tx) = rt.first_next.lock().await.take() {
        let _ = tx.send(arrived);
    }
    let Some(event) = rt.event.lock().await.take() else {
        // One event per process: later polls wait until the process is stopped.
        std::future::pending::<()>().await;
        unreachable!()
    };
    let mut headers = HeaderMap::new();
    let deadline = (std::time::SystemTime::now() + Duration::from_secs(30))
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    headers.insert(
        "lambda-runtime-aws-request-id",
        "bench-request".parse().unwrap(),
    );
    headers.insert(
        "lambda-runtime-deadline-ms",
        deadline.to_string().parse().unwrap(),
    );
    headers.insert(
        "lambda-runtime-invoked-function-arn",
        "arn:aws:lambda:eu-west-1:123456789012:function:ingest"
            .parse()
            .unwrap(),
    );
    headers.insert(
        "lambda-runtime-trace-id",
        "Root=1-00000000-000000000000000000000000".parse().unwrap(),
    );
    (StatusCode::OK, headers, event)
}

async fn respond(
    State(rt): State<Arc<Runtime>>,
    Path(_id): Path<String>,
    body: String,
) -> StatusCode {
    if let Some(tx) = rt.response.lock().await.take() {
        let _ = tx.send((Instant::now(), body));
    }
    StatusCode::ACCEPTED
}

/// An init error ends the run like a response would, so the caller sees it.
async fn init_failed(State(rt): State<Arc<Runtime>>, body: String) -> StatusCode {
    if let Some(tx) = rt.response.lock().await.take() {
        let _ = tx.send((Instant::now(), format!("{{\"init_error\": {body:?}}}")));
    }
    StatusCode::ACCEPTED
}

fn ingest_binary() -> PathBuf {
    if let Ok(path) = std::env::var("CANVASS_INGEST_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().join("ingest")
}

/// 3. Process start to ready-for-events and to first response, for the ingest binary.
async fn cold_start() -> (f64, f64, f64, f64) {
    let binary = ingest_binary();
    assert!(
        binary.exists(),
        "{} is missing: scripts/bench-ingest.sh builds it",
        binary.display()
    );
    let local = DynamoLocal::start().await;
    let (_, tables) = fresh_tables(&local.endpoint()).await;
    let event: Value = serde_json::from_str(
        &std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/apigw-v2-submit.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let mut ready = Vec::new();
    let mut first = Vec::new();
    for _ in 0..COLD_STARTS {
        let mut event = event.clone();
        event["body"] = body_for(Uuid::new_v4()).into();
        let (ready_tx, ready_rx) = oneshot::channel();
        let (response_tx, response_rx) = oneshot::channel();
        let runtime = Arc::new(Runtime {
            event: Mutex::new(Some(event.to_string())),
            first_next: Mutex::new(Some(ready_tx)),
            response: Mutex::new(Some(response_tx)),
        });
        let api = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(respond),
            )
            .route("/2018-06-01/runtime/invocation/{id}/error", post(respond))
            .route("/2018-06-01/runtime/init/error", post(init_failed))
            .with_state(runtime);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let api_addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move { axum::serve(listener, api).await });
        let started = Instant::now();
        let mut child = Command::new(&binary)
            .env_clear()
            .env("AWS_LAMBDA_RUNTIME_API", api_addr.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", "ingest")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", "bench")
            .env("AWS_REGION", "eu-west-1")
            .env("RESPONSES_TABLE", &tables.responses)
            .env("CONTROL_TABLE", &tables.control)
            .env("CANVASS_SECRET", TEST_SECRET_HEX)
            .env("AWS_ENDPOINT_URL_DYNAMODB", local.endpoint())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let ready_at = tokio::time::timeout(Duration::from_secs(10), ready_rx)
            .await
            .unwrap()
            .unwrap();
        let (answered_at, answer) = tokio::time::timeout(Duration::from_secs(10), response_rx)
            .await
            .unwrap()
            .unwrap();
        let _ = child.kill();
        let _ = child.wait();
        server.abort();
        let answer: Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(answer["statusCode"], 201, "{answer}");
        ready.push(millis(ready_at - started));
        first.push(millis(answered_at - started));
    }
    drop(local);
    let p90 = |mut v: Vec<f64>| {
        v.sort_by(|a, b| a.total_cmp(b));
        v[(v.len() * 9) / 10]
    };
    (
        median(ready.clone()),
        p90(ready),
        median(first.clone()),
        p90(first),
    )
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // `cargo test --all-targets` (make test) also runs bench targets, without `--bench`: the
    // measurements belong to `make bench` only.
    if !std::env::args().any(|arg| arg == "--bench") {
        println!("ingest_bench: measurements run under `cargo bench` (make bench) only");
        return;
    }
    println!("## Ingest (`scripts/bench-ingest.sh`)\n");
    let (p50, p99) = handler_cost().await;
    println!(
        "Handler cost in-process (validation + mapping, store excluded), {HANDLER_REQUESTS} requests x {ROUNDS} rounds, medians:\n"
    );
    println!("| p50 | p99 |\n|---|---|\n| {p50:.1} µs | {p99:.1} µs |\n");

    let rows = throughput().await;
    let ceiling = rows[0].1;
    println!(
        "{CLIENTS} concurrent clients for {LOAD_SECONDS} s x {ROUNDS} rounds against DynamoDB Local, medians:\n"
    );
    println!("| path | requests/s | vs ceiling | p50 | p99 | failed |\n|---|---|---|---|---|---|");
    for (name, rps, p50, p99, failed) in &rows {
        println!(
            "| {name} | {rps:.0} | {:.0} % | {p50:.1} ms | {p99:.1} ms | {failed} |",
            rps / ceiling * 100.0
        );
    }
    println!();

    let (ready, ready_p90, first, first_p90) = cold_start().await;
    println!(
        "Ingest binary ({}), process start to ..., {COLD_STARTS} starts:\n",
        ingest_binary().display()
    );
    println!("| | median | p90 |\n|---|---|---|");
    println!("| ready for the first event | {ready:.1} ms | {ready_p90:.1} ms |");
    println!("| first response sent (a stored submission) | {first:.1} ms | {first_p90:.1} ms |");
    let size = std::fs::metadata(ingest_binary())
        .map(|m| m.len())
        .unwrap_or(0);
    println!("\nHost binary: {:.2} MiB", size as f64 / 1048576.0);
}
