//! The response API end to end in-process, over a real SQLite file.

use std::sync::Arc;

use async_trait::async_trait;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use canvass_core::record::{ResponseRecord, STORED_FIELDS};
use canvass_core::store::{Pages, PutOutcome, ResponseStore, StoreError};
use canvass_core::wave::IsoWeek;
use canvass_tests::harness::{Local, SURVEY, app_over, post_json, send, submission, valid_answers};
use serde_json::{Value, json};

const PATH: &str = "/surveys/platform-treatment/responses";
const SUB: &str = "3f1c9a2e-8b4d-4c1e-9f6a-2d7e5b8c0a14";

#[tokio::test]
async fn health_and_catalogue() {
    let local = Local::new();
    let app = local.app();
    let (status, _, body) = send(&app, Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"status": "ok"})));

    let request = Request::get("/surveys")
        .header("accept-language", "es-MX,es;q=0.9")
        .body(Body::empty())
        .unwrap();
    let (status, headers, body) = send(&app, request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["vary"], "Accept-Language");
    let surveys = body["surveys"].as_array().unwrap();
    assert_eq!(surveys.len(), 1);
    assert_eq!(surveys[0]["id"], SURVEY);
    assert_eq!(surveys[0]["version"], 1);
    assert!(
        surveys[0]["title"].as_str().unwrap().starts_with("Cómo"),
        "{body}"
    );
}

#[tokio::test]
async fn a_survey_definition_comes_in_the_asked_language() {
    let app = Local::new().app();
    let (status, headers, body) = send(
        &app,
        Request::get("/surveys/platform-treatment?lang=fr")
            .header("accept-language", "es")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-language"], "fr");
    assert_eq!(body["language"], "fr");
    let questions = body["questions"].as_array().unwrap();
    assert_eq!(questions.len(), 17);
    let platforms = &questions[0];
    assert_eq!(platforms["id"], "platforms");
    assert_eq!(platforms["type"], "multiple_choice");
    assert!(platforms["label"].as_str().unwrap().contains("plateformes"));
    let held_days = questions
        .iter()
        .find(|q| q["id"] == "payout_held_days")
        .unwrap();
    assert_eq!(held_days["min"], 0);
    assert_eq!(held_days["max"], 365);
    assert_eq!(
        held_days["show_if"],
        json!({"question": "payout_held_12m", "any_of": ["yes"]})
    );
    let country = questions.iter().find(|q| q["id"] == "country").unwrap();
    let mexico = country["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == "MX")
        .unwrap();
    assert_eq!(mexico["label"], "Mexique");

    let (status, _, body) = send(
        &app,
        Request::get("/surveys/nope").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "unknown_survey");
}

#[tokio::test]
async fn a_response_is_stored_once_however_often_it_is_sent() {
    let local = Local::new();
    let app = local.app();
    let body = submission(SUB, valid_answers()).to_string();
    let (status, _, reply) = send(&app, post_json(PATH, body.clone())).await;
    assert_eq!(
        (status, reply),
        (StatusCode::CREATED, json!({"status": "accepted"}))
    );
    assert_eq!(local.count_rows(), 1);
    for _ in 0..3 {
        let (status, _, reply) = send(&app, post_json(PATH, body.clone())).await;
        assert_eq!(
            (status, reply),
            (StatusCode::CREATED, json!({"status": "accepted"})),
            "a repeat is answered exactly like the first send"
        );
    }
    assert_eq!(local.count_rows(), 1);

    // Same submission id, different answers: the same reply (no answer oracle), and the
    // first answers stay.
    let mut other = valid_answers();
    other["income_share"] = json!(10);
    let (status, _, reply) = send(&app, post_json(PATH, submission(SUB, other).to_string())).await;
    assert_eq!(
        (status, reply),
        (StatusCode::CREATED, json!({"status": "accepted"}))
    );
    assert_eq!(local.count_rows(), 1);
    assert_eq!(local.stored_answers()[0]["income_share"], json!(60));

    // A new submission id is a new response.
    let (status, _, _) = send(
        &app,
        post_json(
            PATH,
            submission("0b9d2c6e-1f3a-4e5b-8c7d-9a0b1c2d3e4f", valid_answers()).to_string(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(local.count_rows(), 2);
}

#[tokio::test]
async fn the_stored_row_holds_the_privacy_model_and_nothing_else() {
    let local = Local::new();
    let (status, _, _) = send(
        &local.app(),
        post_json(PATH, submission(SUB, valid_answers()).to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let conn = rusqlite::Connection::open(local.db()).unwrap();
    let mut stmt = conn.prepare("SELECT * FROM responses").unwrap();
    let columns: Vec<String> = stmt.column_names().into_iter().map(str::to_owned).collect();
    assert_eq!(columns, STORED_FIELDS);
    let (id, week, answers, verified): (String, String, String, bool) = stmt
        .query_row([], |r| {
            Ok((
                r.get("response_id")?,
                r.get("iso_week")?,
                r.get("answers")?,
                r.get("pow_verified")?,
            ))
        })
        .unwrap();
    assert_eq!(id.len(), 32);
    assert!(
        !id.contains(&SUB.replace('-', "")),
        "the client's submission id is not the stored id"
    );
    assert_eq!(
        week, "2026-W10",
        "only the ISO week of the pinned time is kept"
    );
    assert!(!verified);
    let answers: Value = serde_json::from_str(&answers).unwrap();
    assert_eq!(answers, valid_answers());
}

async fn expect(
    app: &axum::Router,
    request: Request<Body>,
    status: StatusCode,
    error: &str,
) -> Value {
    let (got, headers, body) = send(app, request).await;
    assert_eq!(got, status, "{body}");
    assert_eq!(body["error"], error, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    body
}

#[tokio::test]
async fn every_bad_request_gets_a_clear_4xx_and_stores_nothing() {
    let local = Local::new();
    let app = local.app();
    let valid = submission(SUB, valid_answers());

    let text = Request::post(PATH)
        .header("content-type", "text/plain")
        .body(Body::from(valid.to_string()))
        .unwrap();
    expect(
        &app,
        text,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    let bare = Request::post(PATH)
        .body(Body::from(valid.to_string()))
        .unwrap();
    expect(
        &app,
        bare,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;

    expect(
        &app,
        post_json("/surveys/nope/responses", valid.to_string()),
        StatusCode::NOT_FOUND,
        "unknown_survey",
    )
    .await;
    expect(
        &app,
        post_json(PATH, "{not json"),
        StatusCode::BAD_REQUEST,
        "malformed_request",
    )
    .await;
    expect(
        &app,
        post_json(PATH, ""),
        StatusCode::BAD_REQUEST,
        "malformed_request",
    )
    .await;
    let missing = expect(
        &app,
        post_json(PATH, r#"{"submission_id":"x","survey_version":1}"#),
        StatusCode::BAD_REQUEST,
        "malformed_request",
    )
    .await;
    assert!(
        missing["message"].as_str().unwrap().contains("answers"),
        "{missing}"
    );
    let extra = json!({"submission_id": SUB, "survey_version": 1, "answers": valid_answers(), "email": "a@b.c"});
    let extra = expect(
        &app,
        post_json(PATH, extra.to_string()),
        StatusCode::BAD_REQUEST,
        "malformed_request",
    )
    .await;
    assert!(
        extra["message"].as_str().unwrap().contains("email"),
        "{extra}"
    );
    let dup = format!(
        r#"{{"submission_id":"{SUB}","survey_version":1,"answers":{{"main_platform":"etsy","main_platform":"ebay"}}}}"#
    );
    let dup = expect(
        &app,
        post_json(PATH, dup),
        StatusCode::BAD_REQUEST,
        "malformed_request",
    )
    .await;
    assert!(
        dup["message"].as_str().unwrap().contains("given twice"),
        "{dup}"
    );
    let deep = format!(
        r#"{{"submission_id":"{SUB}","survey_version":1,"answers":{{"income_share":{}{}}}}}"#,
        "[".repeat(5000),
        "]".repeat(5000)
    );
    expect(
        &app,
        post_json(PATH, deep),
        StatusCode::BAD_REQUEST,
        "malformed_request",
    )
    .await;
    let big = format!(
        r#"{{"submission_id":"{SUB}","survey_version":1,"answers":{{"x":"{}"}}}}"#,
        "a".repeat(20_000)
    );
    expect(
        &app,
        post_json(PATH, big),
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    )
    .await;

    let wrong_version =
        json!({"submission_id": SUB, "survey_version": 2, "answers": valid_answers()});
    let v = expect(
        &app,
        post_json(PATH, wrong_version.to_string()),
        StatusCode::CONFLICT,
        "version_not_open",
    )
    .await;
    assert!(v["message"].as_str().unwrap().contains("version 1"));
    for bad_id in ["not-a-uuid", "3f1c9a2e-8b4d-1c1e-9f6a-2d7e5b8c0a14", ""] {
        expect(
            &app,
            post_json(PATH, submission(bad_id, valid_answers()).to_string()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_submission_id",
        )
        .await;
    }
    let get = Request::get(PATH).body(Body::empty()).unwrap();
    expect(
        &app,
        get,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    )
    .await;
    expect(
        &app,
        Request::get("/nothing").body(Body::empty()).unwrap(),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_eq!(local.count_rows(), 0);
}

/// Sends answers changed by `edit` and returns the 422 body's `fields`.
async fn invalid_fields(app: &axum::Router, lang: &str, edit: impl FnOnce(&mut Value)) -> Value {
    let mut answers = valid_answers();
    edit(&mut answers);
    let request = Request::post(PATH)
        .header("content-type", "application/json; charset=utf-8")
        .header("accept-language", lang)
        .body(Body::from(submission(SUB, answers).to_string()))
        .unwrap();
    let body = expect(
        app,
        request,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_answers",
    )
    .await;
    body["fields"].clone()
}

#[tokio::test]
async fn invalid_answers_are_named_per_question_in_the_respondents_language() {
    let local = Local::new();
    let app = local.app();
    let fields = invalid_fields(&app, "es", |a| a["income_share"] = json!(140)).await;
    assert_eq!(
        fields,
        json!({"income_share": "Escriba un número entre 0 y 100."})
    );
    let fields = invalid_fields(&app, "fr-CA", |a| a["income_share"] = json!(12.5)).await;
    assert_eq!(
        fields,
        json!({"income_share": "Saisissez un nombre entier entre 0 et 100."})
    );
    let fields = invalid_fields(&app, "en", |a| a["income_share"] = json!("40")).await;
    assert_eq!(
        fields["income_share"],
        "Enter a whole number between 0 and 100."
    );
    let fields = invalid_fields(&app, "en", |a| a["income_share"] = json!(1e300)).await;
    assert!(fields.get("income_share").is_some());
    let fields = invalid_fields(&app, "en", |a| a["income_share"] = json!(u64::MAX)).await;
    assert!(fields.get("income_share").is_some());

    // Skip logic: answering a question that does not apply is an error, not silently kept.
    let fields = invalid_fields(&app, "en", |a| a["payout_held_days"] = json!(30)).await;
    assert_eq!(
        fields,
        json!({"payout_held_days": "This question does not apply given your earlier answers."})
    );
    // A question that applies and is required must be answered.
    let fields = invalid_fields(&app, "en", |a| {
        a["payout_held_12m"] = json!("yes");
    })
    .await;
    assert!(
        fields.get("payout_held_days").is_some() && fields.get("payout_held_amount").is_some(),
        "{fields}"
    );
    // Options match exactly: no case folding, no look-alike letters.
    for fake in ["Etsy", "ETSY", "etsy ", "\u{0435}tsy", "et\u{0455}y"] {
        let fields = invalid_fields(&app, "en", |a| a["main_platform"] = json!(fake)).await;
        assert_eq!(
            fields,
            json!({"main_platform": "Choose one of the listed options."}),
            "{fake}"
        );
    }
    let fields = invalid_fields(&app, "en", |a| a["platforms"] = json!(["etsy", "etsy"])).await;
    assert_eq!(fields["platforms"], "Each option can be chosen only once.");
    let fields = invalid_fields(&app, "en", |a| a["platforms"] = json!("etsy")).await;
    assert_eq!(fields["platforms"], "Choose one or more options.");
    let fields = invalid_fields(&app, "en", |a| a["country"] = json!("XX")).await;
    assert!(fields.get("country").is_some());
    let fields = invalid_fields(&app, "en", |a| a["fee_impact"] = json!(6)).await;
    assert_eq!(fields["fee_impact"], "Enter a number between 1 and 5.");
    let fields = invalid_fields(&app, "en", |a| a["shop_name"] = json!("Bea's Beads")).await;
    assert_eq!(
        fields,
        json!({"shop_name": "This question is not part of the survey."})
    );
    let fields = invalid_fields(&app, "en", |a| {
        a.as_object_mut().unwrap().remove("category");
    })
    .await;
    assert_eq!(fields, json!({"category": "Answer this question."}));
    assert_eq!(local.count_rows(), 0);
}

/// A store that is down: every write fails as DynamoDB throttling or a full disk would.
struct DownStore;

#[async_trait]
impl ResponseStore for DownStore {
    async fn put_if_absent(&self, _: &ResponseRecord) -> Result<PutOutcome, StoreError> {
        Err(StoreError::Unavailable("injected outage".into()))
    }
    fn list(&self, _: &str) -> Pages<'_> {
        Box::pin(futures::stream::empty())
    }
    async fn remove_week(&self, _: &str, _: IsoWeek, _: bool) -> Result<u64, StoreError> {
        Err(StoreError::Unavailable("injected outage".into()))
    }
    async fn count_week(&self, _: &str, _: IsoWeek, _: bool) -> Result<u64, StoreError> {
        Err(StoreError::Unavailable("injected outage".into()))
    }
}

#[tokio::test]
async fn a_store_outage_is_a_503_with_retry_after_never_a_2xx() {
    let local = Local::new();
    let app = app_over(Arc::new(DownStore), local.store.clone());
    let (status, headers, body) = send(
        &app,
        post_json(PATH, submission(SUB, valid_answers()).to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(headers["retry-after"], "5");
    assert_eq!(body["error"], "storage_unavailable");
    assert!(
        !body.to_string().contains("injected"),
        "internals never leak: {body}"
    );
}
