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
    assert_eq!(version, 1);
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}
