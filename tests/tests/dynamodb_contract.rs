//! The store contract (the same suite SQLite passes) against Amazon's DynamoDB Local, plus
//! what only DynamoDB has: table creation as `canvass dynamo-init` does it.

use canvass_core::store::dynamodb::{DynamoStore, ScanSettings, create_tables};
use canvass_core::tables::{CONTROL, RESPONSES, TableNames};
use canvass_tests::contract;
use canvass_tests::dynamo::Dynamo;

/// One test at a time on the shared DynamoDB Local: run together, the concurrent cases
/// (40 increments, racing transactions) slowed it past the client's 1.5 s attempt timeout,
/// and an increment the SDK then retried was applied twice (a gap in the counts).
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_response_store_meets_the_contract() {
    let _one_at_a_time = ONE_AT_A_TIME.lock().await;
    let dynamo = Dynamo::connect().await;
    let store = dynamo.fresh_store().await;
    contract::response_store(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_control_store_meets_the_contract() {
    let _one_at_a_time = ONE_AT_A_TIME.lock().await;
    let dynamo = Dynamo::connect().await;
    let store = dynamo.fresh_store().await;
    contract::control_store(&store).await;
}

/// The listing is complete whatever the number of segments and the read consistency.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_listing_is_complete_with_one_or_many_segments() {
    let _one_at_a_time = ONE_AT_A_TIME.lock().await;
    let dynamo = Dynamo::connect().await;
    let (client, tables) = dynamo.fresh_tables().await;
    for scan in [
        ScanSettings {
            segments: 1,
            consistent_read: true,
        },
        ScanSettings {
            segments: 13,
            consistent_read: false,
        },
    ] {
        let store = DynamoStore::new(client.clone(), tables.clone()).with_scan(scan);
        contract::response_store(&store).await;
    }
}

/// The removal's Scan runs in as many segments as the listing's, some of them empty here.
fn removal_scans() -> [ScanSettings; 2] {
    [
        ScanSettings::default(),
        ScanSettings {
            segments: 13,
            consistent_read: false,
        },
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_removes_exactly_the_weeks_responses() {
    let _one_at_a_time = ONE_AT_A_TIME.lock().await;
    let dynamo = Dynamo::connect().await;
    let (client, tables) = dynamo.fresh_tables().await;
    for scan in removal_scans() {
        let store = DynamoStore::new(client.clone(), tables.clone()).with_scan(scan);
        contract::remove_week(&store).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_removes_only_unverified_responses_when_asked() {
    let _one_at_a_time = ONE_AT_A_TIME.lock().await;
    let dynamo = Dynamo::connect().await;
    let (client, tables) = dynamo.fresh_tables().await;
    for scan in removal_scans() {
        let store = DynamoStore::new(client.clone(), tables.clone()).with_scan(scan);
        contract::remove_week_unverified_only(&store).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_removing_an_empty_week_deletes_nothing() {
    let _one_at_a_time = ONE_AT_A_TIME.lock().await;
    let dynamo = Dynamo::connect().await;
    let store = dynamo.fresh_store().await;
    contract::remove_empty_week(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn table_creation_is_idempotent_and_declares_keys_and_ttl() {
    let _one_at_a_time = ONE_AT_A_TIME.lock().await;
    let dynamo = Dynamo::connect().await;
    let (client, tables) = dynamo.fresh_tables().await;
    // Again over existing tables: nothing is created, nothing fails.
    let again = create_tables(&client, &tables).await.unwrap();
    assert!(again.iter().all(|t| !t.created), "{again:?}");

    for (spec, name) in tables.specs() {
        let table = client
            .describe_table()
            .table_name(name)
            .send()
            .await
            .unwrap();
        let table = table.table().unwrap();
        let keys: Vec<&str> = table
            .key_schema()
            .iter()
            .map(|k| k.attribute_name())
            .collect();
        let mut expected = vec![spec.partition_key];
        expected.extend(spec.sort_key);
        assert_eq!(keys, expected, "{name}");
        assert_eq!(
            table
                .billing_mode_summary()
                .and_then(|b| b.billing_mode())
                .map(|m| m.as_str()),
            Some("PAY_PER_REQUEST")
        );
        assert_eq!(
            table.deletion_protection_enabled(),
            Some(spec.deletion_protection)
        );
        let ttl = client
            .describe_time_to_live()
            .table_name(name)
            .send()
            .await
            .unwrap();
        let ttl = ttl.time_to_live_description().unwrap();
        match spec.ttl_attribute {
            Some(attribute) => assert_eq!(ttl.attribute_name(), Some(attribute)),
            None => assert_eq!(ttl.attribute_name(), None),
        }
    }
    assert_eq!(CONTROL.ttl_attribute, Some("expires_at"));
    assert_eq!(RESPONSES.partition_key, "response_id");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_table_with_other_keys_is_refused_not_altered() {
    let _one_at_a_time = ONE_AT_A_TIME.lock().await;
    let dynamo = Dynamo::connect().await;
    let (client, tables) = dynamo.fresh_tables().await;
    // The control table's name given as the responses table: its keys are pk/sk.
    let clash = TableNames {
        responses: tables.control.clone(),
        control: tables.control.clone(),
    };
    let err = create_tables(&client, &clash).await.unwrap_err();
    assert!(err.to_string().contains("exists with keys"), "{err}");
}

/// The retry of a submission gets the stored item back in the same round trip: DynamoDB (and
/// DynamoDB Local) return it with the failed condition, so no extra `GetItem` is needed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_put_condition_returns_the_stored_item() {
    let _one_at_a_time = ONE_AT_A_TIME.lock().await;
    use aws_sdk_dynamodb::operation::put_item::PutItemError;
    use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};

    let dynamo = Dynamo::connect().await;
    let (client, tables) = dynamo.fresh_tables().await;
    let put = |v: &str| {
        client
            .put_item()
            .table_name(&tables.responses)
            .item("response_id", AttributeValue::S("same".into()))
            .item("v", AttributeValue::S(v.into()))
            .condition_expression("attribute_not_exists(response_id)")
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
    };
    put("first").await.unwrap();
    let err = put("second").await.unwrap_err();
    let Some(PutItemError::ConditionalCheckFailedException(failed)) = err.as_service_error() else {
        panic!("expected a failed condition, got {err:?}");
    };
    assert_eq!(
        failed.item().unwrap()["v"],
        AttributeValue::S("first".into())
    );
}

/// The progress counters and snapshot on DynamoDB Local, and what their items hold: exactly
/// the attributes docs/privacy.md lists, expiries on whole hours, nothing in the responses
/// table but responses (the report's Scan reads only those).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_progress_store_meets_the_contract() {
    let _one_at_a_time = ONE_AT_A_TIME.lock().await;
    use aws_sdk_dynamodb::types::AttributeValue;
    use canvass_core::store::ResponseStore;
    use canvass_core::store::dynamodb::{COUNTER_ATTRIBUTES, SNAPSHOT_ATTRIBUTES};

    let dynamo = Dynamo::connect().await;
    let (client, tables) = dynamo.fresh_tables().await;
    let store = DynamoStore::new(client.clone(), tables.clone());
    let survey = contract::progress_store(&store).await;

    let control = client
        .scan()
        .table_name(&tables.control)
        .send()
        .await
        .unwrap()
        .items
        .unwrap_or_default();
    let progress: Vec<_> = control
        .iter()
        .filter(|item| matches!(&item["pk"], AttributeValue::S(pk) if pk.starts_with("progress/")))
        .collect();
    assert!(progress.len() > 3, "counters and snapshots were written");
    for item in progress {
        let mut names: Vec<&str> = item.keys().map(String::as_str).collect();
        names.sort_unstable();
        let mut expected = match item["sk"].as_s().unwrap().as_str() {
            "count" => COUNTER_ATTRIBUTES.to_vec(),
            "snapshot" => SNAPSHOT_ATTRIBUTES.to_vec(),
            other => panic!("a progress item of unknown kind {other}"),
        };
        expected.sort_unstable();
        assert_eq!(names, expected, "{item:?}");
        let expires: i64 = item["expires_at"].as_n().unwrap().parse().unwrap();
        assert_eq!(expires % 3600, 0, "an expiry finer than the hour: {item:?}");
    }
    // The responses table holds responses only, and the listing reads every one of them.
    let responses = client
        .scan()
        .table_name(&tables.responses)
        .send()
        .await
        .unwrap()
        .items
        .unwrap_or_default();
    let mut fields = canvass_core::record::STORED_FIELDS.to_vec();
    fields.sort_unstable();
    for item in &responses {
        let mut names: Vec<&str> = item.keys().map(String::as_str).collect();
        names.sort_unstable();
        assert_eq!(names, fields);
    }
    let mut listed = 0;
    let mut pages = store.list(&survey);
    while let Some(page) = futures::StreamExt::next(&mut pages).await {
        for item in page.unwrap() {
            assert!(
                matches!(item, canvass_core::store::Listed::Response(_)),
                "{item:?}"
            );
            listed += 1;
        }
    }
    assert_eq!(listed, 25, "5 in W11 and 20 in W12 are left");
}

/// A response and its count are one write: when the count cannot be written (here its table
/// is missing), the response is not stored either, and nothing is counted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_response_whose_count_fails_is_not_stored() {
    let _one_at_a_time = ONE_AT_A_TIME.lock().await;
    use canvass_core::store::{ProgressStore, ResponseStore};

    let dynamo = Dynamo::connect().await;
    let (client, tables) = dynamo.fresh_tables().await;
    let broken = DynamoStore::new(
        client.clone(),
        TableNames {
            responses: tables.responses.clone(),
            control: format!("{}-missing", tables.control),
        },
    );
    let week = "2026-W10".parse().unwrap();
    let record = contract::records_in("s", week, true, 1).remove(0);
    assert!(broken.put_if_absent(&record).await.is_err());
    let store = DynamoStore::new(client, tables);
    assert_eq!(store.count_week("s", week, false).await.unwrap(), 0);
    assert_eq!(
        store.week_counts("s", &[week]).await.unwrap()[0].responses,
        0
    );
    // The same send, once the store works, is stored and counted once.
    assert_eq!(
        store.put_if_absent(&record).await.unwrap(),
        canvass_core::store::PutOutcome::Stored
    );
    assert_eq!(
        store.week_counts("s", &[week]).await.unwrap()[0].responses,
        1
    );
}
