//! The report Lambda's handler end to end: responses in DynamoDB Local, the scheduled run,
//! a release in an S3-API server (moto); firing twice changes nothing.

use std::collections::BTreeMap;

use canvass_core::intake::{Submission, prepare};
use canvass_core::releases::ReleaseStore;
use canvass_core::releases::s3::Bucket;
use canvass_core::store::ResponseStore;
use canvass_report::{Deps, handle};
use canvass_tests::dynamo::Dynamo;
use canvass_tests::harness::{SURVEY, catalog, secret, valid_answers};
use canvass_tests::s3::S3Server;
use serde_json::{Value, json};
use time::macros::{date, datetime};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduled_event_writes_a_release_to_the_bucket_once() {
    let dynamo = Dynamo::connect().await;
    let store = dynamo.fresh_store().await;
    let catalog = catalog();
    load(&store, &seeded(&catalog, 200)).await;

    let s3 = S3Server::start().await;
    let (client, bucket) = s3.bucket().await;
    let deps = Deps {
        responses: Box::new(store),
        catalog,
        releases: ReleaseStore::new(Bucket::new(client.clone(), &bucket, "releases/")),
    };
    let first = handle(&deps, date!(2026 - 11 - 30)).await.unwrap();
    assert_eq!(first.surveys.len(), 1);
    let release = first.surveys[0]
        .release
        .clone()
        .expect("a release was written");
    assert!(first.surveys[0].new);
    assert_eq!(release, "platform-treatment-2026-Q2");

    let latest = client
        .get_object()
        .bucket(&bucket)
        .key("releases/latest.json")
        .send()
        .await
        .unwrap();
    let latest: Value =
        serde_json::from_slice(&latest.body.collect().await.unwrap().into_bytes()).unwrap();
    assert_eq!(latest["surveys"][SURVEY]["release_id"], release.as_str());
    for file in [
        "datapackage.json",
        "SHA256SUMS",
        "CITATION.cff",
        "README.md",
        "indicators.csv",
    ] {
        let key = format!("releases/{release}/{file}");
        assert!(
            client
                .head_object()
                .bucket(&bucket)
                .key(&key)
                .send()
                .await
                .is_ok(),
            "{key}"
        );
    }

    // The schedule firing again: same release, nothing rewritten.
    let again = handle(&deps, date!(2026 - 11 - 30)).await.unwrap();
    assert_eq!(again.surveys[0].release.as_deref(), Some(release.as_str()));
    assert!(!again.surveys[0].new);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_bucket_is_a_retryable_failure() {
    let dynamo = Dynamo::connect().await;
    let store = dynamo.fresh_store().await;
    load(&store, &seeded(&catalog(), 50)).await;
    let deps = Deps {
        responses: Box::new(store),
        catalog: catalog(),
        releases: ReleaseStore::new(Bucket::new(
            canvass_core::releases::s3::build_client(Some("http://127.0.0.1:9")).await,
            "nowhere",
            "",
        )),
    };
    let error = handle(&deps, date!(2026 - 11 - 30)).await.unwrap_err();
    assert_eq!(error.kind(), "Retryable", "{error}");
}

/// `count` valid responses in 2026-Q2, through the same validation as real ones.
fn seeded(
    catalog: &canvass_core::catalog::Catalog,
    count: u32,
) -> Vec<canvass_core::record::ResponseRecord> {
    (0..count)
        .map(|i| {
            let mut answers = valid_answers();
            answers["income_share"] = json!(i % 101);
            answers["collective_action"] = json!(["yes", "maybe", "no"][(i % 3) as usize]);
            let raw: BTreeMap<String, Value> = serde_json::from_value(answers).unwrap();
            let submission = Submission {
                submission_id: uuid::Uuid::from_u128(
                    0x4000_0000_0000_4000_8000_0000_0000_0000 | u128::from(i),
                ),
                survey_version: 1,
                answers: raw,
                pow_verified: true,
            };
            prepare(
                catalog,
                &secret(),
                SURVEY,
                &submission,
                datetime!(2026-05-13 12:00 UTC),
            )
            .unwrap()
        })
        .collect()
}

/// Seeding is set-up, not the subject: a busy DynamoDB Local may time out once, so retry.
async fn load(store: &impl ResponseStore, records: &[canvass_core::record::ResponseRecord]) {
    for attempt in 1..=5 {
        match store.put_many(records).await {
            Ok(_) => return,
            Err(e) if attempt < 5 => eprintln!("seeding attempt {attempt} failed: {e}"),
            Err(e) => panic!("seeding failed: {e}"),
        }
    }
}
