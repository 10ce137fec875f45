//! `canvass_pipeline::run` end to end over the SQLite store and a release folder: byte
//! identical re-runs, closed waves only, no release for an empty survey, bad items reported.

mod common;

use canvass_core::releases::ReleaseStore;
use canvass_core::releases::folder::Folder;
use canvass_core::store::ResponseStore;
use canvass_core::store::sqlite::SqliteStore;
use canvass_pipeline::{Options, Outcome, Silent, run};
use common::{AS_OF, Draw, SURVEY, catalog, week};
use time::macros::date;

fn options(as_of: time::Date) -> Options {
    Options {
        survey_id: SURVEY.into(),
        as_of,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_release_is_written_once_and_rewritten_identically() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("canvass.db")).unwrap();
    let mut draw = Draw::new(21);
    let mut records = draw.many(900);
    // The open wave (2025-Q4 on AS_OF) must not be published.
    records.push(draw.record("etsy", week("2025-W41")));
    store.put_many(&records).await.unwrap();
    let out = ReleaseStore::new(Folder::new(dir.path().join("releases")));
    let catalog = catalog();

    let first = run(&store, &catalog, &out, &options(AS_OF), &Silent)
        .await
        .unwrap();
    let Outcome::Released {
        release_id,
        new,
        responses,
        ..
    } = first
    else {
        panic!("expected a release, got {first:?}");
    };
    assert_eq!(release_id, "platform-treatment-2025-Q3");
    assert!(new);
    let folder = dir.path().join("releases").join(&release_id);
    // Recoding may leave out respondents of an `other` group too small to show; the
    // datapackage counts them. The open-wave response is never used.
    let package: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("datapackage.json")).unwrap()).unwrap();
    let left_out: u64 = package["recoding"]
        .as_array()
        .unwrap()
        .iter()
        .map(|note| note["left_out"].as_u64().unwrap())
        .sum();
    assert_eq!(
        responses + left_out,
        900,
        "the open-wave response is left out"
    );
    let snapshot: Vec<(String, Vec<u8>)> = walk(&folder);
    for file in [
        "answers.csv",
        "indicators.csv",
        "numeric.csv",
        "respondents.csv",
        "by_category.csv",
        "by_region.csv",
        "trends.csv",
        "datapackage.json",
        "README.md",
        "SHA256SUMS",
        "CITATION.cff",
        "charts/suspended_12m.svg",
        "charts/suspended_12m.png",
        "charts/share.png",
        "charts/fr/suspended_12m.svg",
        "charts/fr/suspended_12m.png",
        "charts/es/share.png",
    ] {
        assert!(snapshot.iter().any(|(p, _)| p == file), "missing {file}");
    }
    // Every SVG chart has its PNG at the stated width, in proportion; every language its
    // share image at the size link previews use.
    let png_size = |path: &str| {
        let (_, bytes) = snapshot.iter().find(|(p, _)| p == path).unwrap();
        canvass_pipeline::write::png::png_size(bytes).unwrap_or_else(|| panic!("{path}"))
    };
    for (path, svg) in snapshot.iter().filter(|(p, _)| p.ends_with(".svg")) {
        let svg = String::from_utf8_lossy(svg);
        let view_height: f64 = svg
            .split("viewBox=\"0 0 640 ")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .and_then(|h| h.parse().ok())
            .unwrap_or_else(|| panic!("{path} has no viewBox"));
        assert_eq!(
            png_size(&path.replace(".svg", ".png")),
            (1280, (view_height * 2.0).round() as u32),
            "{path}"
        );
    }
    for lang in ["", "es/", "fr/"] {
        assert_eq!(png_size(&format!("charts/{lang}share.png")), (1200, 630));
    }
    // Every table's title is in labels.csv, in every language.
    let labels = std::fs::read_to_string(folder.join("labels.csv")).unwrap();
    for (path, _) in snapshot.iter().filter(|(p, _)| p.ends_with(".csv")) {
        let name = path.trim_end_matches(".csv");
        for lang in ["en", "es", "fr"] {
            assert!(
                labels
                    .lines()
                    .any(|l| l.starts_with(&format!("table,{name},{lang},"))),
                "labels.csv has no {lang} title for {name}"
            );
        }
    }
    let trends = String::from_utf8(std::fs::read(folder.join("trends.csv")).unwrap()).unwrap();
    assert!(
        !trends.contains("2025-Q4"),
        "the open wave is never published"
    );
    let latest = std::fs::read_to_string(dir.path().join("releases/latest.json")).unwrap();
    assert!(latest.contains("platform-treatment-2025-Q3"));

    // Same data, a later as-of date in the same open wave: the very same bytes.
    let again = run(
        &store,
        &catalog,
        &out,
        &options(date!(2025 - 11 - 20)),
        &Silent,
    )
    .await
    .unwrap();
    assert!(
        matches!(again, Outcome::Released { new: false, .. }),
        "{again:?}"
    );
    assert_eq!(walk(&folder), snapshot);

    // SHA256SUMS lists every other file with its hash, except the citation written after
    // it, which carries SHA256SUMS's own hash instead.
    let sums = std::fs::read_to_string(folder.join("SHA256SUMS")).unwrap();
    let citation = std::fs::read_to_string(folder.join("CITATION.cff")).unwrap();
    assert!(
        citation.contains(&format!(
            "sha256:{}",
            canvass_pipeline::write::sha256_hex(sums.as_bytes())
        )),
        "{citation}"
    );
    for (path, bytes) in &snapshot {
        if path == "SHA256SUMS" || path == "CITATION.cff" {
            continue;
        }
        let line = format!("{}  {path}", canvass_pipeline::write::sha256_hex(bytes));
        assert!(sums.lines().any(|l| l == line), "{line}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_release_without_responses_or_without_a_closed_wave() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("canvass.db")).unwrap();
    let out = ReleaseStore::new(Folder::new(dir.path().join("releases")));
    let catalog = catalog();
    let empty = run(&store, &catalog, &out, &options(AS_OF), &Silent)
        .await
        .unwrap();
    match empty {
        Outcome::NothingToPublish(why) => assert!(why.contains("no responses"), "{why}"),
        other => panic!("{other:?}"),
    }
    let mut draw = Draw::new(2);
    store
        .put_many(&[draw.record("etsy", week("2025-W41"))])
        .await
        .unwrap();
    let open = run(&store, &catalog, &out, &options(AS_OF), &Silent)
        .await
        .unwrap();
    match open {
        Outcome::NothingToPublish(why) => {
            assert!(
                why.contains("has closed") && why.contains("1 response(s) wait"),
                "{why}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(!dir.path().join("releases").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_items_are_counted_not_mixed_in() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("canvass.db");
    let store = SqliteStore::open(&db).unwrap();
    let mut draw = Draw::new(8);
    let mut records = draw.many(400);
    let mut unknown = draw.record("etsy", week("2025-W30"));
    unknown.survey_version = 7;
    let mut removed = draw.record("etsy", week("2025-W30"));
    removed.answers.insert(
        "category".into(),
        canvass_core::answers::AnswerValue::Choice("ceramics".into()),
    );
    records.push(unknown);
    records.push(removed);
    store.put_many(&records).await.unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        "INSERT INTO responses VALUES ('bad1', 'platform-treatment', 1, '2025-W30', '{not json', 1)",
        [],
    )
    .unwrap();
    drop(conn);
    let store = SqliteStore::open(&db).unwrap();
    let out = ReleaseStore::new(Folder::new(dir.path().join("releases")));
    let outcome = run(&store, &catalog(), &out, &options(AS_OF), &Silent)
        .await
        .unwrap();
    let Outcome::Released {
        release_id,
        responses,
        ..
    } = outcome
    else {
        panic!("{outcome:?}");
    };
    assert_eq!(responses, 400);
    let readme = std::fs::read_to_string(
        dir.path()
            .join("releases")
            .join(release_id)
            .join("README.md"),
    )
    .unwrap();
    assert!(
        readme.contains("1 stored item(s) could not be read (answers)"),
        "{readme}"
    );
    assert!(
        readme.contains("survey version 7, which is not in the catalog"),
        "{readme}"
    );
    assert!(
        readme.contains("do not fit their own survey version"),
        "{readme}"
    );
}

fn walk(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((path, prefix)) = stack.pop() {
        for entry in std::fs::read_dir(&path).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            if entry.file_type().unwrap().is_dir() {
                stack.push((entry.path(), rel));
            } else {
                out.push((rel, std::fs::read(entry.path()).unwrap()));
            }
        }
    }
    out.sort();
    out
}
