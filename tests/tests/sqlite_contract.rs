//! The store contract against the embedded SQLite adapter.

use canvass_core::store::sqlite::SqliteStore;
use canvass_tests::contract;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_response_store_meets_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("canvass.db")).unwrap();
    contract::response_store(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_control_store_meets_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("canvass.db")).unwrap();
    contract::control_store(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reopening_keeps_data_and_migrates_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("canvass.db");
    {
        let store = SqliteStore::open(&path).unwrap();
        contract::response_store(&store).await;
    }
    let again = SqliteStore::open(&path).unwrap();
    contract::response_store(&again).await;
    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 3);
    // A WAL is persistent and would be reported here; the rollback journal is not.
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_ne!(mode, "wal", "a WAL keeps every commit's pages in order");
}

/// A database made by the first schema (rowid tables in arrival order, a WAL, a stored
/// rate-limit salt) is rewritten at open: keyed tables, no old control items, every row kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_database_is_rewritten_in_key_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("canvass.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.execute_batch(
            "CREATE TABLE responses (response_id TEXT PRIMARY KEY NOT NULL, survey_id TEXT NOT NULL,
                survey_version INTEGER NOT NULL, iso_week TEXT NOT NULL, answers TEXT NOT NULL,
                pow_verified INTEGER NOT NULL);
             CREATE INDEX responses_by_survey ON responses (survey_id);
             CREATE TABLE control (key TEXT PRIMARY KEY NOT NULL, counter INTEGER NOT NULL DEFAULT 0,
                value TEXT, expires_at INTEGER NOT NULL);
             INSERT INTO control (key, value, expires_at) VALUES ('ratelimit/salt/20000', 'ab', 9999999999);
             PRAGMA user_version = 1;",
        )
        .unwrap();
        for i in 0..50 {
            conn.execute(
                "INSERT INTO responses VALUES (?1, 's', 1, '2026-W10', '{}', 0)",
                [format!("{:032x}", (i * 7919 + 13) % 1000)],
            )
            .unwrap();
        }
    }
    let store = SqliteStore::open(&path).unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let schema: String = conn
        .query_row(
            "SELECT group_concat(sql, ' ') FROM sqlite_master WHERE type = 'table'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        schema.matches("WITHOUT ROWID").count(),
        schema.matches("CREATE TABLE").count(),
        "every table is keyed, none in arrival order: {schema}"
    );
    let rows: i64 = conn
        .query_row("SELECT count(*) FROM responses", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 50);
    let salts: i64 = conn
        .query_row("SELECT count(*) FROM control", [], |r| r.get(0))
        .unwrap();
    assert_eq!(salts, 0, "old control items (salts) are gone");
    let file = std::fs::read(&path).unwrap();
    assert!(
        !file
            .windows(b"ratelimit/salt".len())
            .any(|w| w == b"ratelimit/salt"),
        "the old salt's bytes are still in the file"
    );
}

/// Expired control items are deleted by the maintenance timer, not after some number of
/// writes; live ones stay.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_control_items_are_deleted_on_the_timer() {
    use canvass_core::store::{ControlStore, unix_now};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("canvass.db");
    let store = SqliteStore::open_with(&path, std::time::Duration::from_millis(200)).unwrap();
    store.increment("gone", unix_now() - 1).await.unwrap();
    store.claim("also-gone", unix_now() - 1).await.unwrap();
    store.claim("live", unix_now() + 3600).await.unwrap();
    let count = || -> i64 {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .unwrap();
        conn.query_row("SELECT count(*) FROM control", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(count(), 3);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while count() > 1 {
        assert!(std::time::Instant::now() < deadline, "expired items stayed");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let conn = rusqlite::Connection::open(&path).unwrap();
    let key: String = conn
        .query_row("SELECT key FROM control", [], |r| r.get(0))
        .unwrap();
    assert_eq!(key, "live");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_removes_exactly_the_weeks_responses() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("canvass.db")).unwrap();
    contract::remove_week(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_removes_only_unverified_responses_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("canvass.db")).unwrap();
    contract::remove_week_unverified_only(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_removing_an_empty_week_deletes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("canvass.db")).unwrap();
    contract::remove_empty_week(&store).await;
}

/// A removal is on disk when it returns, and leaves nothing of the removed responses in the
/// file: `secure_delete` zeroes their cells (table and index), the journal is emptied.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_removal_is_on_disk_and_leaves_no_trace_in_the_file() {
    use canvass_core::store::ResponseStore;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("canvass.db");
    let store = SqliteStore::open(&path).unwrap();
    let spoiled = "2026-W10".parse().unwrap();
    let gone = contract::records_in("s", spoiled, false, 300);
    let kept = contract::records_in("s", "2026-W11".parse().unwrap(), false, 30);
    store.put_many(&gone).await.unwrap();
    store.put_many(&kept).await.unwrap();
    assert_eq!(store.remove_week("s", spoiled, false).await.unwrap(), 300);
    // Read while the store is still open: no maintenance pass (VACUUM) has run since.
    let file = std::fs::read(&path).unwrap();
    let holds = |id: &str| file.windows(id.len()).any(|w| w == id.as_bytes());
    for r in &kept {
        assert!(
            holds(&r.response_id),
            "a kept response is missing from the file"
        );
    }
    for r in &gone {
        assert!(
            !holds(&r.response_id),
            "a removed response's id is still in the file"
        );
    }
    let journal = dir.path().join("canvass.db-journal");
    assert!(
        std::fs::metadata(&journal).map_or(true, |m| m.len() == 0),
        "the rollback journal still holds pages"
    );
    let conn = rusqlite::Connection::open(&path).unwrap();
    let rows: i64 = conn
        .query_row("SELECT count(*) FROM responses", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 30, "another connection sees the removal");
}

/// The progress counters and snapshot on SQLite, and the columns they are kept in: exactly
/// those docs/privacy.md lists, every expiry on a whole hour.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_progress_store_meets_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("canvass.db");
    let store = SqliteStore::open(&path).unwrap();
    contract::progress_store(&store).await;
    let conn = rusqlite::Connection::open(&path).unwrap();
    let columns = |table: &str| -> Vec<String> {
        conn.prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(
        columns("progress"),
        [
            "survey_id",
            "iso_week",
            "responses",
            "unverified",
            "expires_at"
        ]
    );
    assert_eq!(
        columns("progress_snapshot"),
        [
            "survey_id",
            "wave",
            "hour",
            "responses_at_least",
            "expires_at"
        ]
    );
    let expiries: Vec<i64> = conn
        .prepare(
            "SELECT expires_at FROM progress UNION ALL SELECT expires_at FROM progress_snapshot",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(!expiries.is_empty());
    assert!(expiries.iter().all(|e| e % 3600 == 0), "{expiries:?}");
}

/// A database from before the counters is counted when it is opened: the counters are
/// exact from the first open on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opening_an_older_database_counts_what_it_holds() {
    use canvass_core::store::ProgressStore;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("canvass.db");
    {
        let store = SqliteStore::open(&path).unwrap();
        contract::response_store(&store).await;
    }
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "DROP TABLE progress; DROP TABLE progress_snapshot; PRAGMA user_version = 2;
         INSERT INTO responses VALUES ('ff00', 'old', 1, '2026-W10', '{}', 0);
         INSERT INTO responses VALUES ('ff01', 'old', 1, '2026-W10', '{}', 1);
         INSERT INTO responses VALUES ('ff02', 'old', 1, '2026-W11', '{}', 1);",
    )
    .unwrap();
    drop(conn);
    let store = SqliteStore::open(&path).unwrap();
    let weeks = ["2026-W10".parse().unwrap(), "2026-W11".parse().unwrap()];
    let counts = store.week_counts("old", &weeks).await.unwrap();
    assert_eq!(
        counts
            .iter()
            .map(|c| (c.responses, c.unverified))
            .collect::<Vec<_>>(),
        [(2, 1), (1, 0)]
    );
}

/// docs/privacy.md names every attribute and column the progress count is kept in.
#[test]
fn the_privacy_model_lists_every_progress_attribute() {
    use canvass_core::store::dynamodb::{COUNTER_ATTRIBUTES, SNAPSHOT_ATTRIBUTES};
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/privacy.md"),
    )
    .unwrap();
    let section = doc
        .split("## The progress count")
        .nth(1)
        .expect("docs/privacy.md has a section on the progress count");
    let section = section.split("\n## ").next().unwrap();
    let columns = [
        "survey_id",
        "iso_week",
        "wave",
        "hour",
        "responses",
        "unverified",
        "responses_at_least",
        "expires_at",
    ];
    for name in COUNTER_ATTRIBUTES
        .iter()
        .chain(&SNAPSHOT_ATTRIBUTES)
        .chain(&columns)
    {
        assert!(
            section.contains(&format!("`{name}`")),
            "docs/privacy.md, The progress count, does not name `{name}`"
        );
    }
}
