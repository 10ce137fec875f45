//! The public progress count through the ingest Router (in-process `oneshot`, SQLite store,
//! pinned clock): `GET /surveys/{id}/progress` and the form's intro page. A total only,
//! rounded down to a multiple of 10, the same all hour (docs/privacy.md, "The progress
//! count"). The DynamoDB adapter passes the same store contract (`dynamodb_contract.rs`).

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use canvass_core::store::ResponseStore;
use canvass_core::store::sqlite::SqliteStore;
use canvass_ingest::{AppState, IngestConfig};
use canvass_tests::contract::records_in;
use canvass_tests::harness::{SURVEY, catalog, pinned_now, secret, send};
use http_body_util::BodyExt;
use serde_json::Value;
use time::OffsetDateTime;
use tower::ServiceExt;

const PROGRESS: &str = "/surveys/platform-treatment/progress";

/// 2026-03-04 15:47:13, in 2026-W10 and 2026-Q1 (the shipped survey's waves are quarters).
fn at_pinned() -> OffsetDateTime {
    pinned_now()
}

fn an_hour_later() -> OffsetDateTime {
    pinned_now() + time::Duration::hours(1)
}

fn app(store: &Arc<SqliteStore>, clock: fn() -> OffsetDateTime) -> Router {
    let mut state = AppState::new(
        catalog(),
        store.clone(),
        store.clone(),
        store.clone(),
        secret(),
        IngestConfig::default(),
    );
    state.clock = clock;
    canvass_ingest::app(state)
}

/// `n` responses in `week`, a third of them without a proof of work.
async fn store_responses(store: &SqliteStore, week: &str, n: i64) {
    let week = week.parse().unwrap();
    store
        .put_many(&records_in(SURVEY, week, true, n - n / 3))
        .await
        .unwrap();
    store
        .put_many(&records_in(SURVEY, week, false, n / 3))
        .await
        .unwrap();
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

async fn page(app: &Router, lang: &str) -> String {
    let response = app
        .clone()
        .oneshot(get(&format!("/s/{SURVEY}?lang={lang}")))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_json_is_a_rounded_total_the_same_all_hour() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(&dir.path().join("canvass.db")).unwrap());
    store_responses(&store, "2026-W01", 600).await;
    store_responses(&store, "2026-W10", 647).await;
    // Outside the open wave: the quarter before, and the week after the pinned one.
    store_responses(&store, "2025-W52", 500).await;
    store_responses(&store, "2026-W11", 70).await;
    let now = app(&store, at_pinned);

    let (status, headers, body) = send(&now, get(PROGRESS)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        serde_json::json!({
            "survey_id": SURVEY,
            "wave": "2026-Q1",
            "responses_at_least": 1240,
            "as_of": "2026-03-04T15:00:00Z",
            "next_update": "2026-03-04T16:00:00Z",
        }),
        "exactly these fields: a total and its hour, no breakdown"
    );
    assert_eq!(headers["access-control-allow-origin"], "*");
    // 15:47:13 → 16:00:00: a cache keeps it exactly until the count may change.
    assert_eq!(headers["cache-control"], "public, max-age=767");
    assert_eq!(headers["content-type"], "application/json");

    // More responses within the hour change nothing; nor does asking for a breakdown.
    store_responses(&store, "2026-W10", 30).await;
    for path in [
        PROGRESS.to_owned(),
        format!("{PROGRESS}?week=2026-W10"),
        format!("{PROGRESS}?by=main_platform&version=1&pow_verified=false"),
    ] {
        let (status, _, again) = send(&now, get(&path)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(again, body, "{path}");
    }
    let (status, _, _) = send(&now, get(&format!("{PROGRESS}/2026-W10"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no per-week route");

    // The next hour takes them in.
    let (_, headers, next) = send(&app(&store, an_hour_later), get(PROGRESS)).await;
    assert_eq!(next["responses_at_least"], 1270);
    assert_eq!(next["as_of"], "2026-03-04T16:00:00Z");
    assert_eq!(headers["cache-control"], "public, max-age=767");
    // And a reader still at the earlier hour is shown the newer number, not an older one.
    let (_, _, behind) = send(&now, get(PROGRESS)).await;
    assert_eq!(behind["responses_at_least"], 1270);

    let (status, _, body) = send(&now, get("/surveys/nope/progress")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "unknown_survey");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_intro_page_says_how_many_have_answered_in_its_language() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(&dir.path().join("canvass.db")).unwrap());
    store_responses(&store, "2026-W09", 1243).await;
    let app = app(&store, at_pinned);
    for (lang, sentence) in [
        ("en", "1,240 sellers have answered this quarter."),
        ("es", "1240 vendedores ya han respondido este trimestre."),
        (
            "fr",
            "1\u{202f}240 vendeurs et vendeuses ont déjà répondu ce trimestre.",
        ),
    ] {
        let html = page(&app, lang).await;
        assert!(
            html.contains(&format!(
                "<p class=\"answered\" data-progress>{sentence}</p>"
            )),
            "{lang}: {html}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn below_ten_the_page_says_nothing_and_the_json_says_zero() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(&dir.path().join("canvass.db")).unwrap());
    let app = app(&store, at_pinned);
    assert!(!page(&app, "en").await.contains("data-progress"));
    store_responses(&store, "2026-W10", 9).await;
    // The hour's snapshot was taken at 0; the next hour sees 9, still shown as nothing.
    let later = self::app(&store, an_hour_later);
    assert!(!page(&later, "en").await.contains("data-progress"));
    let (_, _, body) = send(&later, get(PROGRESS)).await;
    assert_eq!(body["responses_at_least"], 0);
    let value: &Value = &body["responses_at_least"];
    assert!(value.is_u64());
}
