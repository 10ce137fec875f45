use axum::Json;
use serde_json::{Value, json};

/// Liveness only: the process answers. Storage health shows as 503s on writes.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}
