//! Insider tests: someone holds the coalition's data folder (the SQLite file and anything
//! beside it, or the DynamoDB tables), the server's log and the server secret, and tries to
//! learn more than each response's answers and ISO week (docs/privacy.md, "Whoever holds the
//! data").
//!
//! Each test stores `N` responses through a real `canvass serve` process in a known order
//! (response `i` answers `income_share = i`, so the test can tell arrival order; the attacker
//! cannot), every other one with a solved proof of work, then attacks what is left:
//!
//! - **order**: the rows as read back, and (SQLite) the byte position of each row in the file;
//!   the recovered order must be no better than chance, measured as Kendall's tau against the
//!   arrival order: |tau| ≤ `TAU_LIMIT` (under a random order tau has mean 0 and standard
//!   deviation about 0.09 for N = 60, so the limit is about 4 standard deviations; storing in
//!   arrival order, as a rowid table does, gives tau = 1);
//! - **time**: no per-send log line to pair rows with, no journal or WAL history, every expiry
//!   in the control store rounded to the hour;
//! - **address**: every rate-limit counter key is recomputed for the true source network under
//!   every key the attacker can find (each stored value, the secret and its derived keys) and
//!   every hour of two days either side: a brute force over the whole coarsened space succeeds
//!   only if this one does, and it must find nothing;
//! - **link**: no proof-of-work marker names a submission, a response id or anything the
//!   secret derives from them;
//! - **oracle**: a second send under a used submission id, with the same or other answers, gets
//!   the reply a first send gets.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use canvass_core::ids::Secret;
use canvass_core::pow;
use canvass_core::ratelimit;
use canvass_core::store::unix_now;
use canvass_tests::dynamo::Dynamo;
use canvass_tests::harness::{SURVEY, valid_answers};
use canvass_tests::load::{self, Serve, dynamodb_store_arg, fresh_prefixed_tables};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

const N: usize = 60;
const TAU_LIMIT: f64 = 0.35;

type Http = Client<hyper_util::client::legacy::connect::HttpConnector, Full<axum::body::Bytes>>;

fn http() -> Http {
    Client::builder(TokioExecutor::new()).build_http()
}

async fn call(
    http: &Http,
    method: &str,
    url: &str,
    content_type: Option<&str>,
    body: String,
) -> (u16, Option<String>, String) {
    let mut request = axum::http::Request::builder().method(method).uri(url);
    if let Some(ct) = content_type {
        request = request.header("content-type", ct);
    }
    let response = http
        .request(
            request
                .body(Full::new(axum::body::Bytes::from(body)))
                .unwrap(),
        )
        .await
        .expect("the server answers");
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        location,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

fn answers_for(i: usize) -> Value {
    let mut answers = valid_answers();
    answers["income_share"] = json!(i);
    answers
}

/// The form body of a whole response on one page, as the form's script sends it.
fn form_body(submission: Uuid, i: usize, pow_payload: &str) -> String {
    let answers = answers_for(i);
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("_submission", submission.to_string()),
        ("_version", "1".into()),
        ("_page", "0".into()),
        ("_mode", "one".into()),
        ("_lang", "en".into()),
        ("_pow", pow_payload.into()),
        ("_website", String::new()),
    ] {
        form.append_pair(k, &v);
    }
    for (question, value) in answers.as_object().unwrap() {
        match value {
            Value::Array(items) => items.iter().for_each(|item| {
                form.append_pair(question, item.as_str().unwrap());
            }),
            Value::String(text) => {
                form.append_pair(question, text);
            }
            other => {
                form.append_pair(question, &other.to_string());
            }
        }
    }
    form.finish()
}

/// What the clients did, in arrival order: each response's submission id and whether it
/// carried a solved challenge.
struct Sent {
    submissions: Vec<Uuid>,
    challenges: Vec<String>,
}

/// Stores `N` responses in a known order through `base`, half of them with a solved proof of
/// work, and checks on the way that the reply to a used submission id is no oracle.
async fn send_in_order(base: &str) -> Sent {
    let http = http();
    let responses = format!("{base}/surveys/{SURVEY}/responses");
    let mut sent = Sent {
        submissions: Vec::new(),
        challenges: Vec::new(),
    };
    for i in 0..N {
        let submission = Uuid::new_v4();
        if i % 2 == 0 {
            let (status, _, body) = call(
                &http,
                "GET",
                &format!("{base}/surveys/{SURVEY}/challenge"),
                None,
                String::new(),
            )
            .await;
            assert_eq!(status, 200, "{body}");
            let challenge: pow::Challenge = serde_json::from_str(&body).unwrap();
            let payload = pow::solve(&challenge).unwrap().to_payload();
            sent.challenges.push(challenge.challenge.clone());
            let body = form_body(submission, i, &payload);
            let (status, location, page) = call(
                &http,
                "POST",
                &responses,
                Some("application/x-www-form-urlencoded"),
                body.clone(),
            )
            .await;
            assert_eq!(status, 303, "{page}");
            // The same form sent again, or with other answers: the same redirect.
            let (again, again_location, _) = call(
                &http,
                "POST",
                &responses,
                Some("application/x-www-form-urlencoded"),
                form_body(submission, (i + 7) % N, &payload),
            )
            .await;
            assert_eq!((again, again_location), (status, location.clone()));
            let (status, _, _) = call(
                &http,
                "GET",
                &format!("{base}{}", location.unwrap()),
                None,
                String::new(),
            )
            .await;
            assert_eq!(status, 200);
        } else {
            let body = json!({ "submission_id": submission.to_string(), "survey_version": 1, "answers": answers_for(i) });
            let post = |body: &Value| {
                call(
                    &http,
                    "POST",
                    &responses,
                    Some("application/json"),
                    body.to_string(),
                )
            };
            let first = post(&body).await;
            assert_eq!(first.0, 201, "{}", first.2);
            // No answer oracle: a repeat and a guess under the used id are answered alike.
            let repeat = post(&body).await;
            let mut guess = body.clone();
            guess["answers"] = answers_for((i + 11) % N);
            let guessed = post(&guess).await;
            assert_eq!(repeat, first, "a repeat is answered like a first send");
            assert_eq!(
                guessed, first,
                "a guess under a used id is answered like a first send"
            );
        }
        sent.submissions.push(submission);
    }
    // One request on a route that is logged line by line, so the log check below can fail.
    let (status, _, _) = call(
        &http,
        "GET",
        &format!("{base}/surveys/{SURVEY}"),
        None,
        String::new(),
    )
    .await;
    assert_eq!(status, 200);
    sent
}

/// Kendall's tau between arrival order and `recovered`, the arrival indexes in the order an
/// attack put them.
fn kendall_tau(recovered: &[usize]) -> f64 {
    let n = recovered.len();
    let (mut concordant, mut discordant) = (0i64, 0i64);
    for a in 0..n {
        for b in a + 1..n {
            if recovered[a] < recovered[b] {
                concordant += 1;
            } else {
                discordant += 1;
            }
        }
    }
    (concordant - discordant) as f64 / ((n * (n - 1) / 2) as f64)
}

fn assert_no_better_than_chance(what: &str, recovered: &[usize]) {
    assert_eq!(recovered.len(), N, "{what}: every response was found");
    let tau = kendall_tau(recovered);
    assert!(
        tau.abs() <= TAU_LIMIT,
        "{what}: the order recovered has Kendall tau {tau:.2} against arrival (limit {TAU_LIMIT})"
    );
    eprintln!("{what}: Kendall tau {tau:+.3} (limit ±{TAU_LIMIT})");
}

/// Every key the attacker can find or derive: each value in the store, the secret, and the
/// secret's derived keys for every purpose the code names.
fn candidate_keys(secret: &Secret, stored_values: &[String]) -> Vec<Vec<u8>> {
    let mut keys: Vec<Vec<u8>> = stored_values
        .iter()
        .flat_map(|v| [v.as_bytes().to_vec(), hex::decode(v).unwrap_or_default()])
        .collect();
    keys.push(hex::decode(secret.to_hex()).unwrap());
    for purpose in [
        "canvass/ratelimit",
        "canvass/ratelimit/v1",
        "canvass/rate-limit/v1",
        "canvass/pow/v1",
        "canvass/response-id/v1",
    ] {
        keys.push(secret.derive(purpose).to_vec());
    }
    keys
}

/// Tries to recover the source network of each counter key; returns the keys it recovered.
fn brute_force_counters(counters: &[String], keys: &[Vec<u8>], source: IpAddr) -> Vec<String> {
    let hour = unix_now().div_euclid(3600);
    let mut found = Vec::new();
    for key in keys {
        for window in hour - 48..=hour + 48 {
            let candidate = ratelimit::counter_key(key, window, source);
            if counters.contains(&candidate) {
                found.push(candidate);
            }
        }
    }
    found
}

/// What a marker could be keyed by if it named its submission.
fn submission_derivations(secret: &Secret, sent: &Sent) -> Vec<String> {
    let mut out = Vec::new();
    for sub in &sent.submissions {
        let id = secret.response_id(SURVEY, *sub);
        out.push(sub.to_string());
        out.push(sub.simple().to_string());
        out.push(id.as_str().to_owned());
        out.push(hex::encode(Sha256::digest(sub.to_string().as_bytes())));
    }
    out
}

fn assert_log_dates_no_send(log: &str) {
    assert!(
        log.lines()
            .any(|l| l.contains("route=/surveys/{survey_id}") && l.contains("request")),
        "requests on other routes are logged (the check below could fail):\n{log}"
    );
    for route in [
        "/surveys/{survey_id}/responses",
        "/surveys/{survey_id}/challenge",
        "/s/{survey_id}/thanks",
    ] {
        let lines: Vec<&str> = log
            .lines()
            .filter(|l| l.contains(&format!("route={route}")) && !l.contains("requests tallied"))
            .collect();
        assert!(lines.is_empty(), "a line per request on {route}: {lines:?}");
    }
    assert!(!log.contains("127.0.0.1"), "an address in the log");
}

/// Waits until the server's log shows a maintenance pass that began after the last send.
fn wait_for_maintenance(serve: &Serve) {
    let before = serve.log_count("store maintenance");
    let deadline = Instant::now() + Duration::from_secs(30);
    while serve.log_count("store maintenance") <= before {
        assert!(
            Instant::now() < deadline,
            "no maintenance pass:\n{}",
            serve.log_tail()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_insider_with_the_sqlite_folder_the_log_and_the_secret_learns_no_order_time_or_address()
{
    let data = tempfile::tempdir().unwrap();
    let serve = Serve::start_with(
        "sqlite",
        data.path(),
        &[
            "--rate-limit-per-hour",
            "100000",
            "--store-maintenance-secs",
            "1",
            "--pow-max-number",
            "5000",
        ],
        "info",
    );
    let sent = send_in_order(&serve.base).await;
    wait_for_maintenance(&serve);

    // The attacker's copy of the folder, taken while the server runs.
    let seized = tempfile::tempdir().unwrap();
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(data.path()).unwrap() {
        let entry = entry.unwrap();
        let bytes = std::fs::read(entry.path()).unwrap();
        std::fs::write(seized.path().join(entry.file_name()), &bytes).unwrap();
        files.insert(entry.file_name().to_string_lossy().into_owned(), bytes);
    }
    // The server runs with the secret the attacker also holds (CANVASS_SECRET).
    let secret = load::secret();
    // No history beside the file: no WAL, and the rollback journal empty between commits.
    assert!(
        !files.contains_key("canvass.db-wal"),
        "a WAL keeps commit history"
    );
    if let Some(journal) = files.get("canvass.db-journal") {
        assert!(
            journal.is_empty(),
            "the journal holds {} bytes",
            journal.len()
        );
    }

    let db = rusqlite::Connection::open(seized.path().join("canvass.db")).unwrap();
    let rows: Vec<(String, Value)> = db
        .prepare("SELECT response_id, answers FROM responses")
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                serde_json::from_str(&r.get::<_, String>(1)?).unwrap(),
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let arrival = |answers: &Value| answers["income_share"].as_u64().unwrap() as usize;
    assert_no_better_than_chance(
        "rows as read back",
        &rows.iter().map(|(_, a)| arrival(a)).collect::<Vec<_>>(),
    );
    // Where each row's bytes (its answers, only in the table's own pages) sit in the file.
    let file = &files["canvass.db"];
    let mut by_position: Vec<(usize, usize)> = rows
        .iter()
        .map(|(_, answers)| {
            let i = arrival(answers);
            let needle = format!("\"income_share\":{i},");
            let at = find(file, needle.as_bytes()).expect("each row is in the file");
            (at, i)
        })
        .collect();
    by_position.sort();
    assert_no_better_than_chance(
        "rows by position in the file",
        &by_position.iter().map(|(_, i)| *i).collect::<Vec<_>>(),
    );

    // Control items: keys, values and expiries.
    let control: Vec<(String, Option<String>, i64)> = db
        .prepare("SELECT key, value, expires_at FROM control")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    attack_control(&secret, &sent, &control, file);
    assert_log_dates_no_send(&serve.log_text());
    for (name, bytes) in &files {
        assert!(find(bytes, b"127.0.0.").is_none(), "an address in {name}");
    }
}

/// The control-store attacks shared by both stores.
fn attack_control(
    secret: &Secret,
    sent: &Sent,
    control: &[(String, Option<String>, i64)],
    raw: &[u8],
) {
    let counters: Vec<String> = control
        .iter()
        .filter(|(k, ..)| k.starts_with("ratelimit/"))
        .map(|(k, ..)| k.clone())
        .collect();
    assert!(!counters.is_empty(), "the rate limit counted the sends");
    let values: Vec<String> = control.iter().filter_map(|(_, v, _)| v.clone()).collect();
    let keys = candidate_keys(secret, &values);
    let source: IpAddr = "127.0.0.1".parse().unwrap();
    assert_eq!(
        brute_force_counters(&counters, &keys, source),
        Vec::<String>::new(),
        "a counter key was traced back to its network"
    );
    // The attack itself works: a counter keyed with any key the attacker holds is found.
    let planted = ratelimit::counter_key(&keys[0], unix_now().div_euclid(3600), source);
    assert_eq!(
        brute_force_counters(std::slice::from_ref(&planted), &keys, source),
        vec![planted]
    );

    let markers: Vec<&(String, Option<String>, i64)> = control
        .iter()
        .filter(|(k, ..)| k.starts_with("pow/"))
        .collect();
    assert_eq!(
        markers.len(),
        sent.challenges.len(),
        "one marker per solved challenge"
    );
    let derived = submission_derivations(secret, sent);
    for (key, value, expires) in &markers {
        for d in derived.iter().chain(&sent.challenges) {
            assert!(!key.contains(d.as_str()), "marker {key} names {d}");
            assert!(
                value.as_deref().is_none_or(|v| !v.contains(d.as_str())),
                "marker {key} holds {d}"
            );
        }
        assert_eq!(
            expires % 3600,
            0,
            "marker {key} expires at an exact time {expires}"
        );
    }
    for (key, _, expires) in control {
        assert!(
            *expires == i64::MAX || expires % 3600 == 0,
            "{key} carries a time finer than the hour: {expires}"
        );
    }
    // Markers in the file, against the order the challenges were solved (the test knows
    // each challenge, so it knows each marker's key; the attacker does not).
    if !raw.is_empty() {
        let mut positions: Vec<(usize, usize)> = sent
            .challenges
            .iter()
            .enumerate()
            .map(|(made, challenge)| {
                let key = pow::marker_key(challenge);
                let at = find(raw, key.as_bytes()).expect("each marker is in the file");
                (at, made)
            })
            .collect();
        positions.sort();
        let order: Vec<usize> = positions.iter().map(|(_, i)| *i).collect();
        let tau = kendall_tau(&order);
        // Markers are not linked to responses; their own order is checked loosely (fewer).
        assert!(
            tau.abs() <= 0.5,
            "markers lie in the order they were made: tau {tau:.2}"
        );
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_insider_with_the_dynamodb_tables_the_log_and_the_secret_learns_no_order_time_or_address()
 {
    let dynamo = Dynamo::connect().await;
    let (client, tables, prefix) = fresh_prefixed_tables(dynamo.endpoint()).await;
    let data = tempfile::tempdir().unwrap();
    let serve = Serve::start_with(
        &dynamodb_store_arg(dynamo.endpoint(), &prefix),
        data.path(),
        &[
            "--rate-limit-per-hour",
            "100000",
            "--pow-max-number",
            "5000",
        ],
        "info",
    );
    let sent = send_in_order(&serve.base).await;

    // The attacker scans both tables, as a console user or a restored backup would.
    let mut rows = Vec::new();
    let mut start = None;
    loop {
        let page = client
            .scan()
            .table_name(&tables.responses)
            .set_exclusive_start_key(start)
            .send()
            .await
            .unwrap();
        rows.extend(page.items.unwrap_or_default());
        start = page.last_evaluated_key;
        if start.is_none() {
            break;
        }
    }
    let arrival: Vec<usize> = rows
        .iter()
        .map(|item| {
            let answers = item["answers"].as_m().unwrap();
            answers["income_share"].as_n().unwrap().parse().unwrap()
        })
        .collect();
    assert_no_better_than_chance("items as scanned", &arrival);
    for item in &rows {
        let mut names: Vec<&str> = item.keys().map(String::as_str).collect();
        names.sort_unstable();
        let mut fields = canvass_core::record::STORED_FIELDS.to_vec();
        fields.sort_unstable();
        assert_eq!(names, fields, "an item holds more than the privacy model");
    }

    let items = client
        .scan()
        .table_name(&tables.control)
        .send()
        .await
        .unwrap()
        .items
        .unwrap_or_default();
    let control: Vec<(String, Option<String>, i64)> = items
        .iter()
        .map(|item| {
            (
                item["pk"].as_s().unwrap().clone(),
                item.get("value").and_then(|v| v.as_s().ok()).cloned(),
                item["expires_at"].as_n().unwrap().parse().unwrap(),
            )
        })
        .collect();
    attack_control(&load::secret(), &sent, &control, &[]);
    assert_log_dates_no_send(&serve.log_text());
}
