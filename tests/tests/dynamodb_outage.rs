//! DynamoDB going away mid-run: requests get `503` with `Retry-After` (never a 2xx) within a
//! few seconds, and when it comes back the same running service recovers by itself, with
//! everything acknowledged before the outage still there.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use axum::http::{StatusCode, header};
use canvass_core::store::dynamodb::DynamoStore;
use canvass_core::store::{Listed, ResponseStore};
use canvass_tests::dynamo::{DynamoLocal, deployed_app, fresh_tables};
use canvass_tests::harness::{SURVEY, post_json, send, submission, valid_answers};
use futures::StreamExt;
use uuid::Uuid;

fn post(id: Uuid) -> axum::http::Request<axum::body::Body> {
    post_json(
        &format!("/surveys/{SURVEY}/responses"),
        submission(&id.to_string(), valid_answers()).to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_dynamodb_gives_503_then_the_service_recovers_without_restart() {
    let data = tempfile::tempdir().unwrap();
    // Its own instance, with data on disk, since this test stops it.
    let mut local = DynamoLocal::start_persistent(data.path()).await;
    let (client, tables) = fresh_tables(&local.endpoint()).await;
    let app = deployed_app(&local.endpoint(), &tables).await;

    let before = Uuid::new_v4();
    let (status, _, body) = send(&app, post(before)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    local.stop();
    for _ in 0..3 {
        let started = Instant::now();
        let (status, headers, body) = send(&app, post(Uuid::new_v4())).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_eq!(body["error"], "storage_unavailable");
        assert_eq!(headers[header::RETRY_AFTER], "5");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "a dead store is reported promptly, not after {:?}",
            started.elapsed()
        );
    }
    // Reading a survey needs no store and keeps working.
    let get = axum::http::Request::get(format!("/surveys/{SURVEY}"))
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(send(&app, get).await.0, StatusCode::OK);

    local.restart().await;
    let after = Uuid::new_v4();
    let (status, _, body) = send(&app, post(after)).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "the same service recovered: {body}"
    );
    let (status, _, body) = send(&app, post(before)).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "a repeat of the response acknowledged before the outage: {body}"
    );

    let store = DynamoStore::new(client, tables);
    let mut stored = BTreeSet::new();
    let mut pages = store.list(SURVEY);
    while let Some(page) = pages.next().await {
        for item in page.unwrap() {
            match item {
                Listed::Response(r) => stored.insert(r.response_id),
                Listed::Malformed {
                    response_id,
                    problem,
                } => panic!("{response_id}: {problem}"),
            };
        }
    }
    assert_eq!(
        stored.len(),
        2,
        "exactly the two acknowledged responses: {stored:?}"
    );
}
