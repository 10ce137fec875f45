//! Items in the table that do not match the current record shape are reported by the
//! listing as data-quality errors with their ids: never a panic, never silently dropped,
//! never guessed into a response.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;
use canvass_core::answers::{AnswerValue, Answers};
use canvass_core::record::ResponseRecord;
use canvass_core::store::{Listed, PutOutcome, ResponseStore};
use canvass_tests::dynamo::Dynamo;
use futures::StreamExt;

const SURVEY: &str = "quality-survey";

fn record(id: &str) -> ResponseRecord {
    let mut answers = Answers::new();
    answers.insert("main_platform".into(), AnswerValue::Choice("etsy".into()));
    ResponseRecord {
        response_id: id.to_owned(),
        survey_id: SURVEY.to_owned(),
        survey_version: 1,
        iso_week: "2026-W10".parse().unwrap(),
        answers,
        pow_verified: true,
    }
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

fn n(v: &str) -> AttributeValue {
    AttributeValue::N(v.to_owned())
}

/// A well-formed item with one attribute replaced (`Some`) or removed (`None`).
fn item(id: &str, change: (&str, Option<AttributeValue>)) -> HashMap<String, AttributeValue> {
    let mut item: HashMap<String, AttributeValue> = serde_dynamo::to_item(record(id)).unwrap();
    match change {
        (attribute, Some(value)) => item.insert(attribute.to_owned(), value),
        (attribute, None) => item.remove(attribute),
    };
    item
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_items_are_reported_with_their_ids() {
    let dynamo = Dynamo::connect().await;
    let store = dynamo.fresh_store().await;
    let client = store.client().clone();
    let table = store.tables().responses.clone();

    let good: BTreeSet<String> = (0..5).map(|i| format!("{i:032x}")).collect();
    for id in &good {
        assert_eq!(
            store.put_if_absent(&record(id)).await.unwrap(),
            PutOutcome::Stored
        );
    }
    // What an older or newer version of the code, or a hand edit, might have left.
    let bad: BTreeMap<&str, (&str, Option<AttributeValue>)> = BTreeMap::from([
        ("bad-missing-answers", ("answers", None)),
        ("bad-version-text", ("survey_version", Some(s("v2")))),
        ("bad-version-negative", ("survey_version", Some(n("-1")))),
        ("bad-week", ("iso_week", Some(s("2026-W77")))),
        ("bad-pow-type", ("pow_verified", Some(s("yes")))),
        ("bad-answers-type", ("answers", Some(s("etsy")))),
        (
            "bad-answer-value",
            (
                "answers",
                Some(AttributeValue::M(HashMap::from([(
                    "q".into(),
                    AttributeValue::Bool(true),
                )]))),
            ),
        ),
        (
            "bad-extra-attribute",
            ("submitted_at", Some(s("2026-03-04T15:47:13Z"))),
        ),
        ("bad-no-survey", ("survey_id", None)),
        ("bad-survey-type", ("survey_id", Some(n("7")))),
    ]);
    for (id, change) in &bad {
        client
            .put_item()
            .table_name(&table)
            .set_item(Some(item(id, change.clone())))
            .send()
            .await
            .unwrap();
    }
    // Another survey's well-formed items are not this listing's business.
    store
        .put_if_absent(&ResponseRecord {
            survey_id: "other".into(),
            ..record("f".repeat(32).as_str())
        })
        .await
        .unwrap();

    let mut responses = BTreeSet::new();
    let mut malformed = BTreeMap::new();
    let mut pages = store.list(SURVEY);
    while let Some(page) = pages.next().await {
        for listed in page.expect("a listing with malformed items still works") {
            match listed {
                Listed::Response(r) => assert!(responses.insert(r.response_id)),
                Listed::Malformed {
                    response_id,
                    problem,
                } => {
                    assert!(malformed.insert(response_id, problem).is_none());
                }
            }
        }
    }
    assert_eq!(responses, good);
    let ids: BTreeSet<&str> = malformed.keys().map(String::as_str).collect();
    assert_eq!(ids, bad.keys().copied().collect::<BTreeSet<_>>());
    // Each problem names the attribute at fault.
    for (id, (attribute, _)) in &bad {
        let problem = &malformed[*id];
        assert!(
            problem.contains(attribute),
            "{id}: `{problem}` should name `{attribute}`"
        );
    }

    // A submission whose id is taken by a malformed item never overwrites it (and, like any
    // repeat, is not told what is stored): the listing keeps reporting the item.
    let clash = record("bad-week");
    assert_eq!(
        store.put_if_absent(&clash).await.unwrap(),
        PutOutcome::AlreadyStored
    );
    let mut still_malformed = false;
    let mut pages = store.list(SURVEY);
    while let Some(page) = pages.next().await {
        still_malformed |= page.unwrap().iter().any(
            |l| matches!(l, Listed::Malformed { response_id, .. } if response_id == "bad-week"),
        );
    }
    assert!(still_malformed, "the malformed item was overwritten");
}
