//! Load and reconciliation against a running `canvass serve` process, over real HTTP on
//! loopback, bounded in count and in time.
//!
//! A [`Plan`] fixes, from a seed, every submission the clients will send: most are sent once,
//! about 10 % are sent again under the same `submission_id` (right away on the same
//! connection, or after every client has finished its first pass, from whichever connection
//! picks it up), a few of those again with *different* answers (which must get the same
//! `201` as any send, so that the reply is no answer oracle, and change nothing), and about 5 % carry invalid answers (which must get `422` and never be
//! stored). [`run`] sends the plan with N concurrent clients (each a tokio task with its own
//! HTTP client and keep-alive connection), retries every `503` after its `Retry-After`
//! (bounded) and records every attempt with its status and timing. [`reconcile`] then compares
//! what the clients were told with what the store holds, read directly (the SQLite file, or
//! the DynamoDB table by a Scan): exactly the submissions that got a 2xx are stored, once
//! each, with the answers of the accepted body, and nothing else is.
//!
//! The response id of a submission is the server's keyed hash of it
//! (`Secret::response_id`); the server is started with [`SECRET_HEX`], so the plan knows
//! each submission's row in advance.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::Client as DynamoClient;
use axum::body::Bytes;
use canvass_core::ids::Secret;
use canvass_core::store::dynamodb::{DynamoStore, Endpoint, ScanSettings, build_client};
use canvass_core::store::{Listed, ResponseStore};
use canvass_core::tables::TableNames;
use futures::StreamExt;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::harness::{surveys_dir, valid_answers};
use crate::measure::percentile;

/// The secret `canvass serve` is started with, so that the plan can derive response ids.
pub const SECRET_HEX: &str = crate::dynamo::TEST_SECRET_HEX;

pub fn secret() -> Secret {
    Secret::from_hex(SECRET_HEX).unwrap()
}

// ---------------------------------------------------------------------------------------
// The plan

/// What the clients do with one submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// Sent once.
    Once,
    /// Sent, then the same body again at once on the same connection (expect `201`).
    RetrySoon,
    /// Sent, then the same body again after every client's first pass (expect `201`).
    RetryLater,
    /// Sent, then different answers under the same id at once (expect `201`, nothing changed).
    ConflictSoon,
    /// Sent, then different answers under the same id later (expect `201`, nothing changed).
    ConflictLater,
    /// Invalid answers (expect `422`, never stored).
    Invalid,
}

impl Kind {
    pub fn is_valid(self) -> bool {
        self != Kind::Invalid
    }
}

#[derive(Debug, Clone)]
pub struct Planned {
    pub submission_id: Uuid,
    /// The row the server must store it under: HMAC(secret, survey, submission id).
    pub response_id: String,
    pub kind: Kind,
    /// The answers of the first send (and of same-body retries).
    pub answers: Value,
    /// The different answers of a conflicting retry.
    pub other_answers: Option<Value>,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub survey: String,
    pub entries: Vec<Planned>,
}

/// splitmix64: a tiny deterministic generator, enough to spread a plan.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn uuid_v4(&mut self) -> Uuid {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.next().to_le_bytes());
        bytes[8..].copy_from_slice(&self.next().to_le_bytes());
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }
}

/// Valid answers for platform-treatment v1, varied so that rows differ.
fn varied_answers(rng: &mut Rng) -> Value {
    let mut answers = valid_answers();
    answers["income_share"] = json!(rng.below(101));
    answers["fee_impact"] = json!(1 + rng.below(5));
    answers["main_platform"] = json!(if rng.below(2) == 0 { "etsy" } else { "ebay" });
    answers
}

/// Answers the validator must refuse, each in a different way.
fn invalid_answers(rng: &mut Rng) -> Value {
    let mut answers = varied_answers(rng);
    match rng.below(4) {
        0 => answers["income_share"] = json!(150),
        1 => answers["main_platform"] = json!("myspace"),
        2 => {
            answers.as_object_mut().unwrap().remove("country");
        }
        _ => answers["fee_impact"] = json!(9),
    }
    answers
}

impl Plan {
    /// `submissions` submissions to `survey` (version 1), spread from `seed`: 5 % invalid,
    /// 10 % retried (4.5 % at once, 4.5 % later, 1 % with different answers).
    pub fn new(survey: &str, submissions: usize, seed: u64) -> Plan {
        let secret = secret();
        let mut rng = Rng(seed);
        let entries = (0..submissions)
            .map(|_| {
                let submission_id = rng.uuid_v4();
                let draw = rng.below(1000);
                let kind = match draw {
                    0..50 => Kind::Invalid,
                    50..95 => Kind::RetrySoon,
                    95..140 => Kind::RetryLater,
                    140..145 => Kind::ConflictSoon,
                    145..150 => Kind::ConflictLater,
                    _ => Kind::Once,
                };
                let answers = if kind == Kind::Invalid {
                    invalid_answers(&mut rng)
                } else {
                    varied_answers(&mut rng)
                };
                let other_answers =
                    matches!(kind, Kind::ConflictSoon | Kind::ConflictLater).then(|| {
                        let mut other = answers.clone();
                        let share = other["income_share"].as_u64().unwrap();
                        other["income_share"] = json!((share + 1) % 101);
                        other
                    });
                Planned {
                    submission_id,
                    response_id: secret.response_id(survey, submission_id).into_string(),
                    kind,
                    answers,
                    other_answers,
                }
            })
            .collect();
        Plan {
            survey: survey.to_owned(),
            entries,
        }
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.entries.iter().filter(|e| e.kind == kind).count()
    }

    fn body(&self, entry: usize, body: Body) -> String {
        let e = &self.entries[entry];
        let answers = match body {
            Body::Original => &e.answers,
            Body::Different => e
                .other_answers
                .as_ref()
                .expect("a conflict has other answers"),
        };
        json!({
            "submission_id": e.submission_id.to_string(),
            "survey_version": 1,
            "answers": answers,
        })
        .to_string()
    }
}

// ---------------------------------------------------------------------------------------
// Running it

/// Which body an attempt carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    Original,
    Different,
}

/// What the server said to one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Status {
        code: u16,
        retry_after: Option<String>,
        /// The `error` field of a JSON error body.
        error: Option<String>,
    },
    /// No HTTP answer at all: connection refused or reset, or the client's timeout.
    NoAnswer(String),
}

impl Answer {
    pub fn status(code: u16) -> Answer {
        Answer::Status {
            code,
            retry_after: None,
            error: None,
        }
    }

    pub fn unavailable(retry_after: &str) -> Answer {
        Answer::Status {
            code: 503,
            retry_after: Some(retry_after.to_owned()),
            error: Some("storage_unavailable".to_owned()),
        }
    }

    pub fn code(&self) -> Option<u16> {
        match self {
            Answer::Status { code, .. } => Some(*code),
            Answer::NoAnswer(_) => None,
        }
    }

    pub fn is_success(&self) -> bool {
        self.code().is_some_and(|c| (200..300).contains(&c))
    }

    /// A `503` or no answer: the client cannot know whether the write landed.
    pub fn is_unresolved(&self) -> bool {
        matches!(self, Answer::NoAnswer(_)) || self.code() == Some(503)
    }
}

/// One HTTP request and its answer.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// Index into the plan.
    pub entry: usize,
    pub body: Body,
    pub answer: Answer,
    pub sent_at: Instant,
    pub answered_at: Instant,
}

impl Attempt {
    pub fn latency(&self) -> Duration {
        self.answered_at.saturating_duration_since(self.sent_at)
    }
}

#[derive(Debug, Clone)]
pub struct RunOptions {
    pub clients: usize,
    /// The longest a client honours a `Retry-After` (so a wrong header cannot stall a run).
    pub max_retry_wait: Duration,
    /// How long one request keeps being retried after `503`s before it is left unresolved.
    pub retry_budget: Duration,
    /// A request without an answer after this is recorded as unanswered.
    pub request_timeout: Duration,
    /// Hard bound on the whole run: no request is started after it.
    pub deadline: Duration,
}

impl RunOptions {
    pub fn new(clients: usize) -> RunOptions {
        RunOptions {
            clients,
            max_retry_wait: Duration::from_secs(5),
            retry_budget: Duration::from_secs(90),
            request_timeout: Duration::from_secs(30),
            deadline: Duration::from_secs(300),
        }
    }
}

/// Every attempt of a run, and how long the run took.
#[derive(Debug, Clone)]
pub struct Run {
    pub attempts: Vec<Attempt>,
    pub elapsed: Duration,
    /// Plan entries never sent because the deadline passed.
    pub unsent: usize,
}

type Http = HttpClient<HttpConnector, Full<Bytes>>;

struct Shared {
    plan: Arc<Plan>,
    url: String,
    options: RunOptions,
    started: Instant,
    progress: Arc<AtomicUsize>,
    deferred: Mutex<Vec<(usize, Body)>>,
    next_deferred: AtomicUsize,
    barrier: tokio::sync::Barrier,
}

impl Shared {
    fn past_deadline(&self) -> bool {
        self.started.elapsed() >= self.options.deadline
    }
}

/// Sends the plan to `base` (`http://127.0.0.1:PORT`) and records every attempt.
/// `progress` counts plan entries whose first pass is done (a fault test watches it).
pub async fn run(
    base: &str,
    plan: Arc<Plan>,
    options: RunOptions,
    progress: Arc<AtomicUsize>,
) -> Run {
    let clients = options.clients.max(1);
    let shared = Arc::new(Shared {
        url: format!("{base}/surveys/{}/responses", plan.survey),
        plan,
        options,
        started: Instant::now(),
        progress,
        deferred: Mutex::new(Vec::new()),
        next_deferred: AtomicUsize::new(0),
        barrier: tokio::sync::Barrier::new(clients),
    });
    let tasks: Vec<_> = (0..clients)
        .map(|me| tokio::spawn(client(shared.clone(), me, clients)))
        .collect();
    let mut attempts = Vec::new();
    let mut sent = BTreeSet::new();
    for task in tasks {
        let (mine, entries) = task.await.expect("a load client panicked");
        attempts.extend(mine);
        sent.extend(entries);
    }
    Run {
        attempts,
        elapsed: shared.started.elapsed(),
        unsent: shared.plan.entries.len() - sent.len(),
    }
}

async fn client(shared: Arc<Shared>, me: usize, clients: usize) -> (Vec<Attempt>, Vec<usize>) {
    // One client, one keep-alive connection, requests one after the other.
    let http: Http = HttpClient::builder(TokioExecutor::new())
        .pool_max_idle_per_host(1)
        .build_http();
    let mut attempts = Vec::new();
    let mut sent = Vec::new();
    let n = shared.plan.entries.len();
    for entry in (me..n).step_by(clients) {
        if shared.past_deadline() {
            break;
        }
        sent.push(entry);
        let first = send(&shared, &http, entry, Body::Original, &mut attempts).await;
        match shared.plan.entries[entry].kind {
            Kind::RetrySoon => {
                send(&shared, &http, entry, Body::Original, &mut attempts).await;
            }
            // Only an accepted submission can conflict; an unresolved one could still be
            // absent, and then the different answers would rightly be stored.
            Kind::ConflictSoon if first.is_success() => {
                send(&shared, &http, entry, Body::Different, &mut attempts).await;
            }
            Kind::RetryLater => shared
                .deferred
                .lock()
                .unwrap()
                .push((entry, Body::Original)),
            Kind::ConflictLater if first.is_success() => shared
                .deferred
                .lock()
                .unwrap()
                .push((entry, Body::Different)),
            _ => {}
        }
        shared.progress.fetch_add(1, Ordering::Relaxed);
    }
    // Later retries go out once every first pass is done, from whichever client is free.
    shared.barrier.wait().await;
    loop {
        let k = shared.next_deferred.fetch_add(1, Ordering::Relaxed);
        let Some((entry, body)) = shared.deferred.lock().unwrap().get(k).copied() else {
            break;
        };
        if shared.past_deadline() {
            break;
        }
        send(&shared, &http, entry, body, &mut attempts).await;
    }
    (attempts, sent)
}

/// One request, retried after each `503` (or lost answer) within the budget; returns the
/// last answer.
async fn send(
    shared: &Shared,
    http: &Http,
    entry: usize,
    body: Body,
    attempts: &mut Vec<Attempt>,
) -> Answer {
    let text = Bytes::from(shared.plan.body(entry, body));
    let began = Instant::now();
    loop {
        let request = axum::http::Request::post(shared.url.as_str())
            .header("content-type", "application/json")
            .body(Full::new(text.clone()))
            .unwrap();
        let sent_at = Instant::now();
        let answer =
            match tokio::time::timeout(shared.options.request_timeout, exchange(http, request))
                .await
            {
                Ok(answer) => answer,
                Err(_) => Answer::NoAnswer(format!(
                    "no answer within {:?}",
                    shared.options.request_timeout
                )),
            };
        attempts.push(Attempt {
            entry,
            body,
            answer: answer.clone(),
            sent_at,
            answered_at: Instant::now(),
        });
        if !answer.is_unresolved()
            || began.elapsed() >= shared.options.retry_budget
            || shared.past_deadline()
        {
            return answer;
        }
        let wait = match &answer {
            Answer::Status {
                retry_after: Some(secs),
                ..
            } => secs
                .trim()
                .parse::<u64>()
                .map(Duration::from_secs)
                .unwrap_or(Duration::from_secs(1)),
            _ => Duration::from_secs(1),
        };
        tokio::time::sleep(wait.min(shared.options.max_retry_wait)).await;
    }
}

async fn exchange(http: &Http, request: axum::http::Request<Full<Bytes>>) -> Answer {
    let response = match http.request(request).await {
        Ok(response) => response,
        Err(e) => return Answer::NoAnswer(format!("{e:?}")),
    };
    let code = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(axum::http::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = match response.into_body().collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => return Answer::NoAnswer(format!("body cut short after status {code}: {e}")),
    };
    let error = serde_json::from_slice::<Value>(&bytes)
        .ok()
        .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_owned));
    Answer::Status {
        code,
        retry_after,
        error,
    }
}

// ---------------------------------------------------------------------------------------
// Reconciliation

/// One row read back from the store: its id, and its answers (or why they are unreadable).
#[derive(Debug, Clone)]
pub struct Stored {
    pub response_id: String,
    pub answers: Result<Value, String>,
}

/// The verdict: `problems` is empty when everything holds.
#[derive(Debug, Clone, Default)]
pub struct Reconciliation {
    pub problems: Vec<String>,
    /// Distinct submissions that got a 2xx.
    pub accepted: usize,
    /// Distinct rows in the store.
    pub stored: usize,
    /// Valid submissions whose last answer was a `503` or none, stored (the write landed,
    /// its answer was lost) or not: either is correct.
    pub unresolved_stored: usize,
    pub unresolved_absent: usize,
    /// Submissions first acknowledged (`201`) after a `503` or a lost answer: the earlier
    /// write had landed and only its answer was lost.
    pub landed_unanswered: usize,
}

impl Reconciliation {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }

    /// One line for a report: `ok` or the number of problems.
    pub fn verdict(&self) -> String {
        if self.is_ok() {
            format!("ok ({} stored = {} accepted)", self.stored, self.accepted)
        } else {
            format!("**{} problems**", self.problems.len())
        }
    }

    /// The whole plan went through: the reconciliation is clean, nothing was left unsent or
    /// in doubt (every 503 retried to an answer), every valid submission was acknowledged,
    /// and the store holds exactly those.
    pub fn assert_complete(&self, plan: &Plan, run: &Run) {
        self.assert_ok();
        assert_eq!(run.unsent, 0, "the run was cut short by its deadline");
        assert_eq!(
            self.unresolved_stored + self.unresolved_absent,
            0,
            "a 503 was left without an answer"
        );
        assert_eq!(
            self.accepted,
            plan.entries.len() - plan.count(Kind::Invalid),
            "every valid submission was acknowledged"
        );
        assert_eq!(self.stored, self.accepted);
    }

    /// Panics listing (the first 50) problems.
    pub fn assert_ok(&self) {
        assert!(
            self.is_ok(),
            "reconciliation failed with {} problems:\n{}",
            self.problems.len(),
            self.problems
                .iter()
                .take(50)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

/// Compares what every client was told with what the store holds.
///
/// Rules, per attempt: the only statuses are `201`, `422` and `503` (never a `500`, never a
/// `429` with the rate limit off, never a lost connection), and every `503` carries
/// `Retry-After`. Per submission: a valid body gets `201` (or `503`), however often it is
/// sent; different answers under an accepted id get the same `201` (or `503`): the reply
/// never says whether an id was used or whether its answers match (no answer oracle);
/// invalid answers get `422` (or `503`). Against the store: every submission that got a
/// `201` is stored (no lost write), once (no duplicate), with the answers of its first,
/// accepted body (a later send under its id changed nothing); nothing invalid, unknown or
/// refused is stored; a valid submission without a `201` may be stored only if its last
/// answer left it unresolved (`503` or no answer: the write may have landed).
pub fn reconcile(plan: &Plan, attempts: &[Attempt], stored: &[Stored]) -> Reconciliation {
    let mut problems = Vec::new();
    let mut by_entry: BTreeMap<usize, Vec<&Attempt>> = BTreeMap::new();
    for a in attempts {
        by_entry.entry(a.entry).or_default().push(a);
        let id = plan.entries.get(a.entry).map(|e| e.submission_id);
        match &a.answer {
            Answer::NoAnswer(why) => problems.push(format!("{id:?}: no HTTP answer: {why}")),
            Answer::Status {
                code, retry_after, ..
            } => {
                if !matches!(code, 201 | 422 | 503) {
                    problems.push(format!("{id:?}: unexpected status {code}"));
                }
                if *code == 503 && retry_after.is_none() {
                    problems.push(format!("{id:?}: 503 without Retry-After"));
                }
            }
        }
    }
    for list in by_entry.values_mut() {
        list.sort_by_key(|a| a.sent_at);
    }

    let mut rows: BTreeMap<&str, Vec<&Stored>> = BTreeMap::new();
    for s in stored {
        rows.entry(s.response_id.as_str()).or_default().push(s);
    }
    for (id, copies) in &rows {
        if copies.len() > 1 {
            problems.push(format!("response {id} is stored {} times", copies.len()));
        }
    }
    let planned: BTreeMap<&str, usize> = plan
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.response_id.as_str(), i))
        .collect();
    for id in rows.keys() {
        if !planned.contains_key(id) {
            problems.push(format!("response {id} is stored but was never sent"));
        }
    }

    let mut accepted = 0;
    let mut unresolved_stored = 0;
    let mut unresolved_absent = 0;
    let mut landed_unanswered = 0;
    let none = Vec::new();
    for (i, e) in plan.entries.iter().enumerate() {
        let list = by_entry.get(&i).unwrap_or(&none);
        let row = rows.get(e.response_id.as_str()).map(|copies| copies[0]);
        let sid = e.submission_id;
        if !e.kind.is_valid() {
            for a in list {
                if !matches!(a.answer.code(), Some(422 | 503) | None) {
                    problems.push(format!(
                        "{sid}: invalid answers got {:?}, not 422",
                        a.answer.code()
                    ));
                }
            }
            if row.is_some() {
                problems.push(format!("{sid}: invalid answers were stored"));
            }
            continue;
        }
        // The original body: 201 (or unresolved), however often it is sent.
        let mut acknowledged = false;
        let mut unresolved_before = false;
        let mut last_original: Option<&Answer> = None;
        for a in list.iter().filter(|a| a.body == Body::Original) {
            last_original = Some(&a.answer);
            match a.answer.code() {
                Some(201) => {
                    // Accepted after an unresolved attempt: that write may be the one kept.
                    if !acknowledged && unresolved_before {
                        landed_unanswered += 1;
                    }
                    acknowledged = true;
                }
                Some(503) | None => unresolved_before = true,
                Some(other) => {
                    problems.push(format!("{sid}: valid answers got {other}"));
                }
            }
        }
        for a in list.iter().filter(|a| a.body == Body::Different) {
            if !matches!(a.answer.code(), Some(201 | 503) | None) {
                problems.push(format!(
                    "{sid}: different answers under an accepted id got {:?}, not the 201 any send gets",
                    a.answer.code()
                ));
            }
        }
        if acknowledged {
            accepted += 1;
            match row {
                None => problems.push(format!("{sid}: acknowledged with a 2xx but not stored")),
                Some(s) => match &s.answers {
                    Ok(answers) if *answers == e.answers => {}
                    Ok(answers) => problems.push(format!(
                        "{sid}: stored answers differ from the accepted ones: {answers}"
                    )),
                    Err(why) => problems.push(format!("{sid}: stored item unreadable: {why}")),
                },
            }
        } else if last_original.is_some_and(Answer::is_unresolved) {
            if row.is_some() {
                unresolved_stored += 1;
            } else {
                unresolved_absent += 1;
            }
        } else if row.is_some() {
            problems.push(format!(
                "{sid}: stored, but its answers were {:?}",
                list.iter().map(|a| a.answer.code()).collect::<Vec<_>>()
            ));
        }
    }
    Reconciliation {
        problems,
        accepted,
        stored: rows.len(),
        unresolved_stored,
        unresolved_absent,
        landed_unanswered,
    }
}

// ---------------------------------------------------------------------------------------
// Reading the store directly

/// Every row of `survey` in a SQLite store file, read with its own connection.
pub fn stored_in_sqlite(db: &Path, survey: &str) -> Vec<Stored> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let mut statement = conn
        .prepare("SELECT response_id, answers FROM responses WHERE survey_id = ?1")
        .unwrap();
    statement
        .query_map([survey], |row| {
            let response_id: String = row.get(0)?;
            let text: String = row.get(1)?;
            Ok(Stored {
                response_id,
                answers: serde_json::from_str(&text).map_err(|e| e.to_string()),
            })
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Every item of `survey` in a DynamoDB responses table, by a strongly consistent Scan.
pub async fn stored_in_dynamodb(
    client: DynamoClient,
    tables: TableNames,
    survey: &str,
) -> Vec<Stored> {
    let store = DynamoStore::new(client, tables).with_scan(ScanSettings {
        segments: 4,
        consistent_read: true,
    });
    let mut stored = Vec::new();
    let mut pages = store.list(survey);
    while let Some(page) = pages.next().await {
        for item in page.expect("scanning the responses table") {
            stored.push(match item {
                Listed::Response(record) => Stored {
                    response_id: record.response_id.clone(),
                    answers: serde_json::to_value(&record.answers).map_err(|e| e.to_string()),
                },
                Listed::Malformed {
                    response_id,
                    problem,
                } => Stored {
                    response_id,
                    answers: Err(problem),
                },
            });
        }
    }
    stored
}

/// Both tables under a new unique prefix at `endpoint`; returns the prefix too, for
/// `--store dynamodb://…?prefix=`.
pub async fn fresh_prefixed_tables(endpoint: &str) -> (DynamoClient, TableNames, String) {
    let client = build_client(&Endpoint::Url(endpoint.to_owned())).await;
    let prefix = format!("load{}-", &Uuid::new_v4().simple().to_string()[..10]);
    let tables = TableNames::with_prefix(&prefix).unwrap();
    canvass_core::store::dynamodb::create_tables(&client, &tables)
        .await
        .unwrap_or_else(|e| panic!("creating tables at {endpoint}: {e}"));
    (client, tables, prefix)
}

/// `--store` for `canvass serve` on DynamoDB at `endpoint` (`http://HOST:PORT`).
pub fn dynamodb_store_arg(endpoint: &str, prefix: &str) -> String {
    let authority = endpoint.trim_start_matches("http://");
    format!("dynamodb://{authority}?prefix={prefix}")
}

// ---------------------------------------------------------------------------------------
// Summary

/// Counts, throughput and latency of one run.
#[derive(Debug, Clone)]
pub struct Summary {
    pub submissions: usize,
    pub requests: usize,
    pub accepted: usize,
    /// Planned resends under an id already sent (same or different answers).
    pub retries: usize,
    pub invalid: usize,
    pub conflicts: usize,
    pub unavailable: usize,
    pub elapsed: Duration,
    pub p50: Duration,
    pub p90: Duration,
    pub p99: Duration,
}

impl Summary {
    pub fn of(plan: &Plan, run: &Run, reconciliation: &Reconciliation) -> Summary {
        let mut latencies: Vec<Duration> = run.attempts.iter().map(Attempt::latency).collect();
        latencies.sort();
        Summary {
            submissions: plan.entries.len(),
            requests: run.attempts.len(),
            accepted: reconciliation.accepted,
            retries: plan
                .entries
                .iter()
                .filter(|e| e.kind != Kind::Once && e.kind != Kind::Invalid)
                .count(),
            invalid: plan.count(Kind::Invalid),
            conflicts: run
                .attempts
                .iter()
                .filter(|a| a.body == Body::Different && a.answer.code() == Some(201))
                .count(),
            unavailable: run
                .attempts
                .iter()
                .filter(|a| a.answer.code() == Some(503))
                .count(),
            elapsed: run.elapsed,
            p50: percentile(&latencies, 0.50),
            p90: percentile(&latencies, 0.90),
            p99: percentile(&latencies, 0.99),
        }
    }

    pub fn requests_per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    pub fn line(&self) -> String {
        format!(
            "{} submissions, {} requests in {:.1} s ({:.0} req/s), {} accepted, {} retries, {} invalid, {} different bodies under an accepted id answered 201 (unchanged), {} 503s; latency p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms",
            self.submissions,
            self.requests,
            self.elapsed.as_secs_f64(),
            self.requests_per_second(),
            self.accepted,
            self.retries,
            self.invalid,
            self.conflicts,
            self.unavailable,
            ms(self.p50),
            ms(self.p90),
            ms(self.p99),
        )
    }
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

// ---------------------------------------------------------------------------------------
// The server process

/// The `canvass` binary: `CANVASS_BIN` if set, else the one cargo built next to the running
/// test or bench (`target/{debug,release}/canvass`).
pub fn canvass_binary() -> PathBuf {
    let path = match std::env::var_os("CANVASS_BIN") {
        Some(path) => PathBuf::from(path),
        None => {
            let exe = std::env::current_exe().unwrap();
            exe.parent().unwrap().parent().unwrap().join("canvass")
        }
    };
    assert!(
        path.exists(),
        "{} is missing: build it with `cargo build -p canvass-cli` (`make test` does)",
        path.display()
    );
    path
}

/// A `canvass serve` process on a free loopback port, killed when dropped.
pub struct Serve {
    child: Child,
    pub base: String,
    log: PathBuf,
}

impl Serve {
    /// Starts `canvass serve --store STORE --data DATA` with the rate limit and the report
    /// timer off, `Retry-After: retry_after`, and the plan's secret; waits for its banner.
    pub fn start(store: &str, data: &Path, retry_after: u32) -> Serve {
        Serve::start_with(
            store,
            data,
            &[
                "--retry-after",
                &retry_after.to_string(),
                "--rate-limit-per-hour",
                "0",
            ],
            "warn",
        )
    }

    /// Starts `canvass serve` with settings from the environment `env` (rate limit off).
    pub fn start_with_env(store: &str, data: &Path, env: &[(&str, &str)]) -> Serve {
        Serve::spawn(store, data, &["--rate-limit-per-hour", "0"], "warn", env)
    }

    /// Starts `canvass serve --store STORE --data DATA ARGS…` with the report timer off, the
    /// plan's secret and the log filter `log`; waits for its banner.
    pub fn start_with(store: &str, data: &Path, args: &[&str], log_filter: &str) -> Serve {
        Serve::spawn(store, data, args, log_filter, &[])
    }

    fn spawn(
        store: &str,
        data: &Path,
        args: &[&str],
        log_filter: &str,
        env: &[(&str, &str)],
    ) -> Serve {
        std::fs::create_dir_all(data).unwrap();
        let log = data.join("serve.log");
        let mut child = Command::new(canvass_binary())
            .args(["serve", "--addr", "127.0.0.1:0", "--store", store])
            .arg("--data")
            .arg(data)
            .arg("--surveys")
            .arg(surveys_dir())
            .args(["--report-interval-hours", "0"])
            .args(args)
            .env("CANVASS_SECRET", SECRET_HEX)
            .env("CANVASS_LOG", log_filter)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("canvass serve starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        // Reads the banner, then drains stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(url) = line.strip_prefix("Canvass is running on ") {
                    let _ = tx.send(url.trim().to_owned());
                }
            }
        });
        let mut serve = Serve {
            child,
            base: String::new(),
            log,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(base) = rx.recv_timeout(Duration::from_millis(100)) {
                serve.base = base;
                return serve;
            }
            if !serve.is_running() || Instant::now() > deadline {
                panic!("canvass serve did not start:\n{}", serve.log_tail());
            }
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The end of its log (stderr), for failure messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// Its whole log (stderr) so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Lines of its log containing `needle`.
    pub fn log_count(&self, needle: &str) -> usize {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains(needle))
            .count()
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------
// Reconciliation must be able to fail: crafted outcome sets.

#[cfg(test)]
mod tests {
    use super::*;

    /// A plan with one of each kind, in the order of `kinds`.
    fn plan_of(kinds: &[Kind]) -> Plan {
        let mut plan = Plan::new("platform-treatment", 0, 1);
        let mut rng = Rng(7);
        for &kind in kinds {
            let submission_id = rng.uuid_v4();
            let answers = if kind == Kind::Invalid {
                invalid_answers(&mut rng)
            } else {
                varied_answers(&mut rng)
            };
            let mut other = answers.clone();
            other["income_share"] = json!(101);
            plan.entries.push(Planned {
                submission_id,
                response_id: secret()
                    .response_id("platform-treatment", submission_id)
                    .into_string(),
                kind,
                answers,
                other_answers: Some(other),
            });
        }
        plan
    }

    struct Outcomes {
        t: Instant,
        attempts: Vec<Attempt>,
    }

    impl Outcomes {
        fn new() -> Outcomes {
            Outcomes {
                t: Instant::now(),
                attempts: Vec::new(),
            }
        }

        fn add(&mut self, entry: usize, body: Body, answer: Answer) -> &mut Outcomes {
            self.t += Duration::from_millis(1);
            self.attempts.push(Attempt {
                entry,
                body,
                answer,
                sent_at: self.t,
                answered_at: self.t + Duration::from_micros(500),
            });
            self
        }
    }

    fn row(plan: &Plan, entry: usize) -> Stored {
        Stored {
            response_id: plan.entries[entry].response_id.clone(),
            answers: Ok(plan.entries[entry].answers.clone()),
        }
    }

    /// Once, RetrySoon, ConflictSoon, Invalid, each answered as the service should.
    fn healthy() -> (Plan, Outcomes, Vec<Stored>) {
        let plan = plan_of(&[
            Kind::Once,
            Kind::RetrySoon,
            Kind::ConflictSoon,
            Kind::Invalid,
        ]);
        let mut o = Outcomes::new();
        o.add(0, Body::Original, Answer::status(201))
            .add(1, Body::Original, Answer::status(201))
            .add(1, Body::Original, Answer::status(201))
            .add(2, Body::Original, Answer::status(201))
            .add(2, Body::Different, Answer::status(201))
            .add(3, Body::Original, Answer::status(422));
        let stored = vec![row(&plan, 0), row(&plan, 1), row(&plan, 2)];
        (plan, o, stored)
    }

    fn problems(plan: &Plan, o: &Outcomes, stored: &[Stored]) -> Vec<String> {
        reconcile(plan, &o.attempts, stored).problems
    }

    #[test]
    fn a_healthy_run_reconciles() {
        let (plan, o, stored) = healthy();
        let r = reconcile(&plan, &o.attempts, &stored);
        r.assert_ok();
        assert_eq!((r.accepted, r.stored), (3, 3));
    }

    #[test]
    fn a_lost_write_is_detected() {
        let (plan, o, mut stored) = healthy();
        stored.remove(1);
        let p = problems(&plan, &o, &stored);
        assert!(p.iter().any(|p| p.contains("not stored")), "{p:?}");
    }

    #[test]
    fn a_duplicate_row_is_detected() {
        let (plan, o, mut stored) = healthy();
        stored.push(row(&plan, 0));
        let p = problems(&plan, &o, &stored);
        assert!(p.iter().any(|p| p.contains("stored 2 times")), "{p:?}");
    }

    #[test]
    fn a_reply_that_tells_a_repeat_from_a_first_send_is_detected() {
        // 200 for a repeat or 409 for different answers would be an answer oracle.
        let (plan, mut o, stored) = healthy();
        o.add(1, Body::Original, Answer::status(200));
        let p = problems(&plan, &o, &stored);
        assert!(
            p.iter().any(|p| p.contains("unexpected status 200")),
            "{p:?}"
        );
        let (plan, mut o, stored) = healthy();
        o.add(2, Body::Different, Answer::status(409));
        let p = problems(&plan, &o, &stored);
        assert!(
            p.iter().any(|p| p.contains("not the 201 any send gets")),
            "{p:?}"
        );
    }

    #[test]
    fn a_stored_invalid_submission_is_detected() {
        let (plan, o, mut stored) = healthy();
        stored.push(row(&plan, 3));
        let p = problems(&plan, &o, &stored);
        assert!(
            p.iter().any(|p| p.contains("invalid answers were stored")),
            "{p:?}"
        );
    }

    #[test]
    fn a_row_nobody_sent_is_detected() {
        let (plan, o, mut stored) = healthy();
        stored.push(Stored {
            response_id: "0".repeat(32),
            answers: Ok(json!({})),
        });
        let p = problems(&plan, &o, &stored);
        assert!(p.iter().any(|p| p.contains("never sent")), "{p:?}");
    }

    #[test]
    fn a_conflict_that_changed_the_answers_is_detected() {
        let (plan, o, mut stored) = healthy();
        stored[2].answers = Ok(plan.entries[2].other_answers.clone().unwrap());
        let p = problems(&plan, &o, &stored);
        assert!(
            p.iter().any(|p| p.contains("differ from the accepted")),
            "{p:?}"
        );
    }

    #[test]
    fn different_answers_refused_as_invalid_are_detected() {
        let (plan, mut o, stored) = healthy();
        o.add(2, Body::Different, Answer::status(422));
        let p = problems(&plan, &o, &stored);
        assert!(p.iter().any(|p| p.contains("not the 201")), "{p:?}");
    }

    #[test]
    fn a_500_a_bare_503_and_a_dropped_connection_are_detected() {
        let (plan, mut o, stored) = healthy();
        o.add(0, Body::Original, Answer::status(500))
            .add(1, Body::Original, Answer::status(503))
            .add(1, Body::Original, Answer::NoAnswer("reset".into()));
        let p = problems(&plan, &o, &stored);
        assert!(
            p.iter().any(|p| p.contains("unexpected status 500")),
            "{p:?}"
        );
        assert!(p.iter().any(|p| p.contains("without Retry-After")), "{p:?}");
        assert!(p.iter().any(|p| p.contains("no HTTP answer")), "{p:?}");
    }

    #[test]
    fn a_refused_submission_that_was_stored_is_detected() {
        let plan = plan_of(&[Kind::Once]);
        let mut o = Outcomes::new();
        o.add(0, Body::Original, Answer::status(422));
        let p = problems(&plan, &o, &[row(&plan, 0)]);
        assert!(
            p.iter().any(|p| p.contains("valid answers got 422")),
            "{p:?}"
        );
        assert!(p.iter().any(|p| p.contains("stored, but")), "{p:?}");
    }

    #[test]
    fn a_write_whose_answer_was_lost_is_accepted_on_retry() {
        // 503 (the write may have landed, the answer did not), then the retry: 201.
        let plan = plan_of(&[Kind::Once, Kind::Once]);
        let mut o = Outcomes::new();
        o.add(0, Body::Original, Answer::unavailable("1"))
            .add(0, Body::Original, Answer::status(201))
            // Never resolved and not stored: also correct (nobody was told "accepted").
            .add(1, Body::Original, Answer::unavailable("1"));
        let r = reconcile(&plan, &o.attempts, &[row(&plan, 0)]);
        r.assert_ok();
        assert_eq!((r.accepted, r.unresolved_absent), (1, 1));
        assert_eq!(r.landed_unanswered, 1);
        // ... but unresolved and stored is correct too, and counted.
        let r = reconcile(&plan, &o.attempts, &[row(&plan, 0), row(&plan, 1)]);
        r.assert_ok();
        assert_eq!(r.unresolved_stored, 1);
    }

    #[test]
    fn plans_are_deterministic_and_mixed_as_documented() {
        let a = Plan::new("platform-treatment", 20_000, 3);
        let b = Plan::new("platform-treatment", 20_000, 3);
        assert!(
            a.entries
                .iter()
                .zip(&b.entries)
                .all(|(x, y)| x.submission_id == y.submission_id && x.answers == y.answers)
        );
        let share = |k: Kind| a.count(k) as f64 / 20_000.0;
        assert!((0.04..0.06).contains(&share(Kind::Invalid)));
        let retried = share(Kind::RetrySoon)
            + share(Kind::RetryLater)
            + share(Kind::ConflictSoon)
            + share(Kind::ConflictLater);
        assert!((0.09..0.11).contains(&retried), "{retried}");
        assert!(
            a.entries
                .iter()
                .all(|e| e.submission_id.get_version_num() == 4)
        );
    }
}
