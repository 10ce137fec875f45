//! Property tests: whatever arrives, the answer is a 2xx for a valid response or a 4xx with
//! a message, never a panic or a 5xx, and nothing invalid is ever stored.

use axum::body::Body;
use axum::http::Request;
use canvass_core::answers::{self};
use canvass_core::store::{Listed, ResponseStore};
use canvass_tests::harness::{Local, SURVEY, catalog, post_json, send, submission, valid_answers};
use futures::StreamExt;
use proptest::prelude::*;
use serde_json::{Value, json};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

const QUESTION_IDS: [&str; 19] = [
    "platforms",
    "main_platform",
    "years_selling",
    "category",
    "country",
    "income_share",
    "suspended_12m",
    "suspension_reason_clear",
    "suspension_outcome",
    "payout_held_12m",
    "payout_held_days",
    "payout_held_amount",
    "fee_impact",
    "support_rating",
    "arbitration_aware",
    "pace_pressure",
    "collective_action",
    "Main_Platform",
    "email",
];

/// Any JSON value, a few levels deep, biased towards the confusable cases.
fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        (-2i64..400).prop_map(Value::from),
        prop::sample::select(vec![
            "etsy",
            "Etsy",
            "ebay",
            "yes",
            "no",
            "prefer_not",
            "MX",
            "mx",
            "y3_5",
            "e\u{0301}tsy",
            "<script>alert(1)</script>",
            ""
        ])
        .prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn arb_answers() -> impl Strategy<Value = Value> {
    (
        prop::collection::btree_map(
            prop::sample::select(QUESTION_IDS.to_vec()),
            arb_json(),
            0..8,
        ),
        any::<bool>(),
    )
        .prop_map(|(changes, from_valid)| {
            let mut answers = if from_valid {
                valid_answers()
            } else {
                json!({})
            };
            for (k, v) in changes {
                answers[k] = v;
            }
            answers
        })
}

async fn stored(local: &Local) -> Vec<Listed> {
    let mut all = Vec::new();
    let mut pages = local.store.list(SURVEY);
    while let Some(page) = pages.next().await {
        all.extend(page.unwrap());
    }
    all
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_bytes_get_a_4xx_and_store_nothing(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        runtime().block_on(async {
            let local = Local::new();
            let (status, _, body) = send(&local.app(), post_json("/surveys/platform-treatment/responses", bytes)).await;
            assert!(status.is_client_error(), "{status} {body}");
            assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
            assert_eq!(local.count_rows(), 0);
        });
    }

    #[test]
    fn arbitrary_answers_are_validated_never_crash(answers in arb_answers(), version in prop_oneof![Just(json!(1)), any::<i64>().prop_map(Value::from), Just(json!(1.5)), Just(json!("1"))]) {
        runtime().block_on(async {
            let local = Local::new();
            let mut body = submission("3f1c9a2e-8b4d-4c1e-9f6a-2d7e5b8c0a14", answers);
            body["survey_version"] = version;
            let (status, _, reply) = send(&local.app(), post_json("/surveys/platform-treatment/responses", body.to_string())).await;
            assert!(status.is_success() || status.is_client_error(), "{status} {reply}");
            if status.is_client_error() {
                assert!(reply["message"].as_str().is_some_and(|m| !m.is_empty()), "{reply}");
                assert_eq!(local.count_rows(), 0);
            } else {
                // Whatever was accepted re-validates exactly as stored.
                let survey = catalog().accepting(SURVEY, 1).unwrap().clone();
                for item in stored(&local).await {
                    let Listed::Response(record) = item else { panic!("malformed row stored") };
                    let raw = serde_json::from_value(serde_json::to_value(&record.answers).unwrap()).unwrap();
                    assert_eq!(answers::validate(&survey, &raw).unwrap(), record.answers);
                }
            }
        });
    }
}

#[tokio::test]
async fn invalid_utf8_and_odd_encodings_are_refused_clearly() {
    let local = Local::new();
    let app = local.app();
    let mut bytes = submission("3f1c9a2e-8b4d-4c1e-9f6a-2d7e5b8c0a14", valid_answers())
        .to_string()
        .into_bytes();
    let at = bytes.iter().position(|b| *b == b'j').unwrap();
    bytes[at] = 0xff;
    let (status, _, body) = send(
        &app,
        post_json("/surveys/platform-treatment/responses", bytes),
    )
    .await;
    assert_eq!(status.as_u16(), 400, "{body}");
    let request = Request::post("/surveys/platform-treatment/responses")
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(Body::from(vec![0x1f, 0x8b, 0, 0]))
        .unwrap();
    let (status, _, _) = send(&app, request).await;
    assert!(status.is_client_error());
    assert_eq!(local.count_rows(), 0);
}
