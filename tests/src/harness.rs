//! Driving the ingest Router in-process over a real SQLite file in a temporary folder.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use canvass_core::catalog::Catalog;
use canvass_core::ids::Secret;
use canvass_core::store::sqlite::SqliteStore;
use canvass_core::store::{ControlStore, ProgressStore, ResponseStore};
use canvass_ingest::{AppState, IngestConfig};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

pub const SURVEY: &str = "platform-treatment";

pub fn surveys_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../surveys")
}

pub fn catalog() -> Catalog {
    Catalog::load(&surveys_dir()).expect("shipped surveys pass check")
}

pub fn secret() -> Secret {
    Secret::new(vec![42; 32]).unwrap()
}

/// A pinned submission time: Wednesday of ISO week 2026-W10.
pub fn pinned_now() -> time::OffsetDateTime {
    time::macros::datetime!(2026-03-04 15:47:13 UTC)
}

pub struct Local {
    pub dir: tempfile::TempDir,
    pub store: Arc<SqliteStore>,
}

impl Local {
    pub fn new() -> Local {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(&dir.path().join("canvass.db")).unwrap());
        Local { dir, store }
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("canvass.db")
    }

    pub fn app(&self) -> Router {
        app_over(self.store.clone(), self.store.clone())
    }

    /// The Router over this store with other settings (a tighter rate limit, say).
    pub fn app_with(&self, config: IngestConfig) -> Router {
        let mut state = AppState::new(
            catalog(),
            self.store.clone(),
            self.store.clone(),
            self.store.clone(),
            secret(),
            config,
        );
        state.clock = pinned_now;
        canvass_ingest::app(state)
    }

    /// Rows in the responses table, read with a separate connection.
    pub fn count_rows(&self) -> i64 {
        count_rows(&self.db())
    }

    /// The stored answers of every row, as JSON, in key order.
    pub fn stored_answers(&self) -> Vec<serde_json::Value> {
        let conn = rusqlite::Connection::open(self.db()).unwrap();
        let mut statement = conn
            .prepare("SELECT answers FROM responses ORDER BY response_id")
            .unwrap();
        statement
            .query_map([], |row| row.get::<_, String>(0))
            .unwrap()
            .map(|text| serde_json::from_str(&text.unwrap()).unwrap())
            .collect()
    }
}

impl Default for Local {
    fn default() -> Self {
        Local::new()
    }
}

pub fn count_rows(db: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("SELECT count(*) FROM responses", [], |row| row.get(0))
        .unwrap()
}

/// The Router over `responses`, with `control` also keeping the progress counters.
pub fn app_over<C: ControlStore + ProgressStore>(
    responses: Arc<dyn ResponseStore>,
    control: Arc<C>,
) -> Router {
    let mut state = AppState::new(
        catalog(),
        responses,
        control.clone(),
        control,
        secret(),
        IngestConfig::default(),
    );
    state.clock = pinned_now;
    canvass_ingest::app(state)
}

/// A complete, valid set of answers for platform-treatment v1.
pub fn valid_answers() -> Value {
    json!({
        "platforms": ["etsy", "ebay"],
        "main_platform": "etsy",
        "years_selling": "y3_5",
        "category": "jewellery",
        "country": "MX",
        "income_share": 60,
        "suspended_12m": "yes",
        "suspension_reason_clear": "no",
        "suspension_outcome": "waiting",
        "payout_held_12m": "no",
        "fee_impact": 4,
        "support_rating": 2,
        "arbitration_aware": "unsure",
        "pace_pressure": 5,
        "collective_action": "yes"
    })
}

pub fn submission(submission_id: &str, answers: Value) -> Value {
    json!({ "submission_id": submission_id, "survey_version": 1, "answers": answers })
}

pub fn post_json(path: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(path)
        .header("content-type", "application/json")
        .body(body.into())
        .unwrap()
}

/// Sends one request; returns status, headers and the body parsed as JSON (or a string).
pub async fn send(app: &Router, request: Request<Body>) -> (StatusCode, HeaderMap, Value) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, headers, body)
}
