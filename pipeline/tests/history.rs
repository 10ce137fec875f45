//! History is published once, then stays: earlier waves are carried as published, a
//! change to a published wave is revised only when both versions together pin nothing,
//! and nothing about an earlier wave blocks the next release. End to end over the SQLite
//! store and a release folder, as `canvass report` runs it.

mod common;

use std::path::Path;

use canvass_core::answers::AnswerValue;
use canvass_core::record::ResponseRecord;
use canvass_core::releases::ReleaseStore;
use canvass_core::releases::folder::Folder;
use canvass_core::store::ResponseStore;
use canvass_core::store::sqlite::SqliteStore;
use canvass_pipeline::{Options, Outcome, Silent, run};
use common::{AS_OF, Draw, SURVEY, catalog, week};
use time::Date;
use time::macros::date;

/// Q2 of 2025 has closed, Q3 not yet: the release of 2025-Q2.
const Q2_CLOSED: Date = date!(2025 - 07 - 15);

fn options(as_of: Date) -> Options {
    Options {
        survey_id: SURVEY.into(),
        as_of,
    }
}

async fn store_with(path: &Path, records: &[ResponseRecord]) -> SqliteStore {
    let store = SqliteStore::open(path).unwrap();
    store.put_many(records).await.unwrap();
    store
}

async fn report(store: &SqliteStore, releases: &Path, as_of: Date) -> String {
    let out = ReleaseStore::new(Folder::new(releases.to_path_buf()));
    match run(store, &catalog(), &out, &options(as_of), &Silent).await {
        Ok(Outcome::Released { release_id, .. }) => release_id,
        other => panic!("expected a release, got {other:?}"),
    }
}

fn file(releases: &Path, release: &str, name: &str) -> String {
    std::fs::read_to_string(releases.join(release).join(name)).unwrap()
}

/// The lines of a CSV of a release that belong to `wave`.
fn wave_lines(releases: &Path, release: &str, name: &str, wave: &str) -> Vec<String> {
    file(releases, release, name)
        .lines()
        .filter(|l| l.starts_with(&format!("{wave},")))
        .map(str::to_owned)
        .collect()
}

fn all_respondents(releases: &Path, release: &str, wave: &str) -> String {
    wave_lines(releases, release, "respondents.csv", wave)
        .into_iter()
        .find(|l| l.starts_with(&format!("{wave},all,")))
        .unwrap()
}

/// `n` identical responses, as a bot would send them, without the proof of work.
fn bots(draw: &mut Draw, n: usize, in_week: &str) -> Vec<ResponseRecord> {
    let template = draw.record("etsy", week(in_week));
    (0..n)
        .map(|i| {
            let mut r = template.clone();
            r.response_id = format!("b{i:031x}");
            r.pow_verified = false;
            r.answers
                .insert("suspended_12m".into(), AnswerValue::Choice("no".into()));
            r.answers.remove("suspension_reason_clear");
            r.answers.remove("suspension_outcome");
            r
        })
        .collect()
}

const EARLIER: [&str; 2] = ["2025-Q1", "2025-Q2"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn earlier_waves_are_carried_exactly_as_published() {
    let dir = tempfile::tempdir().unwrap();
    let releases = dir.path().join("releases");
    let mut draw = Draw::new(41);
    let store = store_with(&dir.path().join("canvass.db"), &draw.many(1500)).await;
    let q2 = report(&store, &releases, Q2_CLOSED).await;
    let q3 = report(&store, &releases, AS_OF).await;
    assert_eq!(
        (q2.as_str(), q3.as_str()),
        ("platform-treatment-2025-Q2", "platform-treatment-2025-Q3")
    );
    for wave in EARLIER {
        for name in ["trends.csv", "respondents.csv"] {
            let then = wave_lines(&releases, &q2, name, wave);
            assert!(!then.is_empty(), "{name} of {q2} has {wave}");
            assert_eq!(
                wave_lines(&releases, &q3, name, wave),
                then,
                "{name} {wave}"
            );
        }
    }
    let readme = file(&releases, &q3, "README.md");
    assert!(
        readme.contains("No earlier wave has changed since it was published"),
        "{readme}"
    );
    assert!(readme.contains(&format!("| 2025-Q2 | as published in `{q2}` |")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_few_late_rows_keep_the_published_numbers_and_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let releases = dir.path().join("releases");
    let mut draw = Draw::new(42);
    let store = store_with(&dir.path().join("canvass.db"), &draw.many(1500)).await;
    let q2 = report(&store, &releases, Q2_CLOSED).await;
    // Three responses of Q2 arrive late (a restore, a delayed batch).
    let late: Vec<ResponseRecord> = (0..3)
        .map(|_| draw.record("etsy", week("2025-W15")))
        .collect();
    store.put_many(&late).await.unwrap();
    let q3 = report(&store, &releases, AS_OF).await;
    for name in ["trends.csv", "respondents.csv"] {
        assert_eq!(
            wave_lines(&releases, &q3, name, "2025-Q2"),
            wave_lines(&releases, &q2, name, "2025-Q2"),
            "three late rows would be exposed by the difference: the numbers stand"
        );
    }
    let readme = file(&releases, &q3, "README.md");
    assert!(
        readme.contains("**2025-Q2 kept as published**: 3 response(s) added since"),
        "{readme}"
    );
    assert!(readme.contains("fewer than k = 10"), "{readme}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_bot_week_is_revised_and_explained() {
    let dir = tempfile::tempdir().unwrap();
    let releases = dir.path().join("releases");
    let mut draw = Draw::new(43);
    let genuine = draw.many(1500);
    let flood = bots(&mut draw, 300, "2025-W20");
    let mut stored = genuine.clone();
    stored.extend(flood.iter().cloned());
    let before = store_with(&dir.path().join("before.db"), &stored).await;
    let q2 = report(&before, &releases, Q2_CLOSED).await;
    let then = all_respondents(&releases, &q2, "2025-Q2");

    // The operator removes the unverified responses of the bot week (`canvass remove`);
    // the store then holds the genuine responses only.
    let after = store_with(&dir.path().join("after.db"), &genuine).await;
    let q3 = report(&after, &releases, AS_OF).await;
    let now = all_respondents(&releases, &q3, "2025-Q2");
    let count = |line: &str| -> u64 { line.split(',').nth(2).unwrap().parse().unwrap() };
    assert_eq!(count(&then) - count(&now), 300, "{then} / {now}");
    let readme = file(&releases, &q3, "README.md");
    assert!(
        readme.contains("**2025-Q2 revised**: 300 response(s) removed since"),
        "{readme}"
    );
    // The wave nobody touched is carried as it was.
    assert_eq!(
        wave_lines(&releases, &q3, "trends.csv", "2025-Q1"),
        wave_lines(&releases, &q2, "trends.csv", "2025-Q1")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_earlier_wave_never_blocks_the_next_release() {
    // The v1 behaviour: any change to a published wave refused every later release.
    let dir = tempfile::tempdir().unwrap();
    let releases = dir.path().join("releases");
    let mut draw = Draw::new(44);
    let records = draw.many(1500);
    let store = store_with(&dir.path().join("canvass.db"), &records).await;
    report(&store, &releases, Q2_CLOSED).await;
    // Q1 loses a response (a clean-up) and Q2 gains one: both waves change.
    let gone = records
        .iter()
        .position(|r| r.iso_week == week("2025-W03"))
        .unwrap();
    let mut now: Vec<ResponseRecord> = records.clone();
    now.remove(gone);
    now.push(draw.record("ebay", week("2025-W15")));
    let changed = store_with(&dir.path().join("changed.db"), &now).await;
    let q3 = report(&changed, &releases, AS_OF).await;
    assert_eq!(q3, "platform-treatment-2025-Q3");
    let readme = file(&releases, &q3, "README.md");
    for wave in EARLIER {
        assert!(
            readme.contains(&format!("**{wave} kept as published**")),
            "{wave}: {readme}"
        );
    }
}
