//! The privacy model, proven: identifying request data reaches neither storage nor logs.

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use canvass_tests::harness::{Local, send, submission, valid_answers};
use tracing_subscriber::fmt::MakeWriter;

/// Collects every log line written during the test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

const MARKERS: [&str; 6] = [
    "203.0.113.77",
    "SellerPhone-UA-marker",
    "cookie-marker",
    "referrer-marker.example",
    "3f1c9a2e",
    "198.51.100.23",
];

#[tokio::test]
async fn no_header_address_or_body_reaches_storage_or_logs() {
    let logs = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(logs.clone())
        .with_max_level(tracing::Level::TRACE)
        .json()
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let local = Local::new();
    let app = local.app();
    let body = submission("3f1c9a2e-8b4d-4c1e-9f6a-2d7e5b8c0a14", valid_answers()).to_string();
    for _ in 0..2 {
        let request = Request::post("/surveys/platform-treatment/responses")
            .header("content-type", "application/json")
            .header("x-forwarded-for", "203.0.113.77, 198.51.100.23")
            .header("x-real-ip", "203.0.113.77")
            .header("user-agent", "Mozilla/5.0 SellerPhone-UA-marker")
            .header("cookie", "session=cookie-marker")
            .header("referer", "https://referrer-marker.example/shop/bea")
            .body(Body::from(body.clone()))
            .unwrap();
        let (status, headers, _) = send(&app, request).await;
        assert_eq!(status, StatusCode::CREATED);
        assert!(headers.get("set-cookie").is_none(), "no cookies, ever");
    }
    // A refused request must not log its body either.
    let mut bad = valid_answers();
    bad["income_share"] = serde_json::json!("SECRET-BODY-marker");
    let request = Request::post("/surveys/platform-treatment/responses")
        .header("content-type", "application/json")
        .header("x-forwarded-for", "203.0.113.77")
        .body(Body::from(
            submission("3f1c9a2e-8b4d-4c1e-9f6a-2d7e5b8c0a15", bad).to_string(),
        ))
        .unwrap();
    send(&app, request).await;
    assert_eq!(local.count_rows(), 1);
    // A request on a route that is logged line by line, with the same identifying headers.
    let request = Request::get("/surveys/platform-treatment")
        .header("x-forwarded-for", "203.0.113.77, 198.51.100.23")
        .header("user-agent", "Mozilla/5.0 SellerPhone-UA-marker")
        .header("cookie", "session=cookie-marker")
        .header("referer", "https://referrer-marker.example/shop/bea")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, request).await.0, StatusCode::OK);

    // Everything on disk: the database file and anything beside it (its journal).
    let mut stored = Vec::new();
    for entry in std::fs::read_dir(local.dir.path()).unwrap() {
        stored.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    let stored = String::from_utf8_lossy(&stored);
    assert!(
        stored.contains("jewellery"),
        "the check reads the real files"
    );

    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("\"route\":\"/surveys/{survey_id}\""),
        "one line per request on other routes: {logs}"
    );
    // Sends are tallied, never logged one line each: a line per send would date it.
    assert!(
        !logs.contains("\"route\":\"/surveys/{survey_id}/responses\""),
        "a line per send: {logs}"
    );
    for marker in MARKERS.iter().chain(&["SECRET-BODY-marker", "jewellery"]) {
        assert!(
            !logs.contains(marker),
            "`{marker}` leaked into the logs:\n{logs}"
        );
    }
    for marker in MARKERS {
        assert!(!stored.contains(marker), "`{marker}` reached storage");
    }
}
