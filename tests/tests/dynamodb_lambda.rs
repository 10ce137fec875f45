//! The ingest Lambda end to end: an API Gateway HTTP API (v2) event, turned into a request
//! and back into a Lambda response exactly as `lambda_http::run` does, through the Router
//! the Lambda binary builds (`deployed::app`), against tables in DynamoDB Local. The stored
//! item is checked attribute by attribute against the privacy model's list.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use axum::Router;
use canvass_core::ids::Secret;
use canvass_core::record::STORED_FIELDS;
use canvass_core::tables::RESPONSES;
use canvass_core::wave::IsoWeek;
use canvass_ingest::deployed::DeployedConfig;
use canvass_tests::dynamo::{Dynamo, TEST_SECRET_HEX, deployed_app};
use lambda_http::request::LambdaRequest;
use lambda_http::{Adapter, Context, LambdaEvent, Service};
use serde_json::Value;
use uuid::Uuid;

fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// One invocation as the Lambda runtime would make it.
async fn invoke(app: &Router, event: &Value) -> (u16, HashMap<String, String>, Value) {
    let request: LambdaRequest = serde_json::from_value(event.clone()).expect("a v2 event");
    let mut adapter = Adapter::from(app.clone());
    let response = adapter
        .call(LambdaEvent::new(request, Context::default()))
        .await
        .expect("the Router never errors");
    let response = serde_json::to_value(response).unwrap();
    let status = response["statusCode"].as_u64().unwrap() as u16;
    let headers = response["headers"]
        .as_object()
        .map(|h| {
            h.iter()
                .map(|(k, v)| {
                    (
                        k.to_ascii_lowercase(),
                        v.as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let body = response["body"]
        .as_str()
        .map(|b| serde_json::from_str(b).unwrap_or(Value::String(b.to_owned())))
        .unwrap_or(Value::Null);
    (status, headers, body)
}

async fn scan_all(client: &Client, table: &str) -> Vec<HashMap<String, AttributeValue>> {
    let out = client
        .scan()
        .table_name(table)
        .consistent_read(true)
        .send()
        .await
        .unwrap();
    assert!(
        out.last_evaluated_key.is_none(),
        "a small table fits one page"
    );
    out.items.unwrap_or_default()
}

/// The DynamoDB form of a JSON answer: option ids as strings, lists as lists, numbers as N.
fn attribute_of(answer: &Value) -> AttributeValue {
    match answer {
        Value::String(s) => AttributeValue::S(s.clone()),
        Value::Number(n) => AttributeValue::N(n.to_string()),
        Value::Array(items) => AttributeValue::L(items.iter().map(attribute_of).collect()),
        other => panic!("the fixture has no {other} answers"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_gateway_event_is_stored_with_exactly_the_privacy_models_attributes() {
    let dynamo = Dynamo::connect().await;
    let (client, tables) = dynamo.fresh_tables().await;
    let app = deployed_app(dynamo.endpoint(), &tables).await;
    let event = fixture("apigw-v2-submit.json");
    let submitted: Value = serde_json::from_str(event["body"].as_str().unwrap()).unwrap();

    let week_before = IsoWeek::of(time::OffsetDateTime::now_utc());
    let (status, headers, body) = invoke(&app, &event).await;
    let week_after = IsoWeek::of(time::OffsetDateTime::now_utc());
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["status"], "accepted");
    assert!(headers["content-type"].starts_with("application/json"));

    let items = scan_all(&client, &tables.responses).await;
    assert_eq!(items.len(), 1);
    let item = &items[0];
    let names: BTreeSet<&str> = item.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        STORED_FIELDS.into_iter().collect(),
        "nothing beyond the privacy model's list"
    );

    let submission = Uuid::parse_str(submitted["submission_id"].as_str().unwrap()).unwrap();
    let expected_id = Secret::from_hex(TEST_SECRET_HEX)
        .unwrap()
        .response_id("platform-treatment", submission);
    assert_eq!(
        item[RESPONSES.partition_key],
        AttributeValue::S(expected_id.as_str().to_owned())
    );
    assert_eq!(
        item["survey_id"],
        AttributeValue::S("platform-treatment".into())
    );
    assert_eq!(item["survey_version"], AttributeValue::N("1".into()));
    let week = item["iso_week"].as_s().unwrap();
    assert!(
        [week_before.to_string(), week_after.to_string()].contains(week),
        "the ISO week of submission, never a time: {week}"
    );
    assert_eq!(item["pow_verified"], AttributeValue::Bool(false));
    let answers = item["answers"].as_m().unwrap();
    let sent = submitted["answers"].as_object().unwrap();
    assert_eq!(
        answers.keys().collect::<BTreeSet<_>>(),
        sent.keys().collect::<BTreeSet<_>>(),
        "every declared answer, and only those"
    );
    for (question, value) in sent {
        assert_eq!(
            answers[question],
            attribute_of(value),
            "answer to {question}"
        );
    }

    // Nothing from the request's envelope reaches either table: no address, agent,
    // referrer, cookie, request id or time.
    let control = scan_all(&client, &tables.control).await;
    let everything = format!("{items:?}{control:?}");
    for needle in [
        event["requestContext"]["http"]["sourceIp"]
            .as_str()
            .unwrap(),
        event["headers"]["user-agent"].as_str().unwrap(),
        event["headers"]["referer"].as_str().unwrap(),
        "seller_session",
        "9a8b7c6d5e4f",
        event["requestContext"]["requestId"].as_str().unwrap(),
        "15:47",
        "1772639233",
        "a1b2c3d4e5",
    ] {
        assert!(!everything.contains(needle), "`{needle}` was stored");
    }

    // The runtime delivering the same event again (a client or API Gateway retry) stores
    // nothing new and gets the same answer as the first time (no answer oracle).
    let (status, _, body) = invoke(&app, &event).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["status"], "accepted");
    assert_eq!(scan_all(&client, &tables.responses).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_events_get_clear_refusals_and_store_nothing() {
    let dynamo = Dynamo::connect().await;
    let (client, tables) = dynamo.fresh_tables().await;
    let app = deployed_app(dynamo.endpoint(), &tables).await;

    let (status, _, body) = invoke(&app, &fixture("apigw-v2-invalid.json")).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"], "invalid_answers");
    let fields = body["fields"].as_object().unwrap();
    assert!(
        fields.contains_key("main_platform") && fields.contains_key("fee_impact"),
        "{body}"
    );

    let mut no_type = fixture("apigw-v2-submit.json");
    no_type["headers"]
        .as_object_mut()
        .unwrap()
        .remove("content-type");
    let (status, _, body) = invoke(&app, &no_type).await;
    assert_eq!(status, 415, "{body}");

    let mut unknown = fixture("apigw-v2-submit.json");
    unknown["rawPath"] = "/surveys/no-such-survey/responses".into();
    unknown["requestContext"]["http"]["path"] = "/surveys/no-such-survey/responses".into();
    let (status, _, body) = invoke(&app, &unknown).await;
    assert_eq!(status, 404, "{body}");

    assert!(scan_all(&client, &tables.responses).await.is_empty());

    // Reading a survey needs no store and follows `?lang=`.
    let (status, _, body) = invoke(&app, &fixture("apigw-v2-get-survey.json")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"], "platform-treatment");
}

#[tokio::test]
async fn the_lambda_refuses_to_start_on_missing_settings() {
    let missing =
        DeployedConfig::from_env(|k| (k == "RESPONSES_TABLE").then(|| "x-responses".to_owned()));
    assert!(missing.unwrap_err().to_string().contains("CONTROL_TABLE"));
}
