//! The embedded store under real faults: a full disk gives a
//! clear 503, never a 2xx for an unstored response, never corruption, and the service recovers
//! without a restart. Many concurrent writers never surface `database is locked`.
//!
//! The disk is a real tmpfs mounted for the test, so these tests need root (as `make test` and
//! CI run); they fail, rather than skip, without it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use axum::http::StatusCode;
use canvass_core::store::sqlite::SqliteStore;
use canvass_tests::harness::{app_over, count_rows, post_json, send, submission, valid_answers};
use uuid::Uuid;

const PATH: &str = "/surveys/platform-treatment/responses";

/// A tmpfs of a given size, unmounted on drop.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> SmallDisk {
        let dir = tempfile::tempdir().unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .expect("the mount command exists");
        assert!(
            status.success(),
            "mounting a tmpfs needs root: run the tests as `make test` does"
        );
        SmallDisk { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn remount(&self, options: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(self.dir.path())
            .status()
            .unwrap();
        assert!(status.success(), "remount {options}");
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

fn integrity_ok(db: &PathBuf) -> bool {
    let conn = rusqlite::Connection::open(db).unwrap();
    let result: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    result == "ok"
}

async fn post_new(app: &axum::Router) -> (StatusCode, axum::http::HeaderMap) {
    let body = submission(&Uuid::new_v4().to_string(), valid_answers()).to_string();
    let (status, headers, _) = send(app, post_json(PATH, body)).await;
    (status, headers)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_is_a_503_and_nothing_acknowledged_is_lost() {
    let disk = SmallDisk::mount("400k");
    let db = disk.path().join("canvass.db");
    let store = Arc::new(SqliteStore::open(&db).unwrap());
    let app = app_over(store.clone(), store.clone());
    let mut accepted = 0;
    let mut refused = 0;
    for _ in 0..4000 {
        let (status, headers) = post_new(&app).await;
        match status {
            StatusCode::CREATED => accepted += 1,
            StatusCode::SERVICE_UNAVAILABLE => {
                assert!(headers.contains_key("retry-after"));
                refused += 1;
                if refused == 20 {
                    break;
                }
            }
            other => panic!("unexpected {other} on a full disk"),
        }
    }
    assert!(
        accepted > 0 && refused == 20,
        "the disk filled up: {accepted} accepted, {refused} refused"
    );
    // Room again: the same running service takes responses without a restart.
    disk.remount("size=8m");
    let (status, _) = post_new(&app).await;
    assert_eq!(status, StatusCode::CREATED, "recovers once space is back");
    accepted += 1;
    drop(app);
    drop(store);
    assert!(integrity_ok(&db), "no corruption");
    assert_eq!(
        count_rows(&db),
        accepted,
        "every acknowledged response is stored, no other"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_concurrent_writers_never_see_a_locked_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("canvass.db");
    // Two stores on one file, as two processes would be: each has its own writer.
    let first = Arc::new(SqliteStore::open(&db).unwrap());
    let second = Arc::new(SqliteStore::open(&db).unwrap());
    let apps = [
        app_over(first.clone(), first),
        app_over(second.clone(), second),
    ];
    let tasks = (0..400).map(|i| {
        let app = apps[i % 2].clone();
        tokio::spawn(async move { post_new(&app).await.0 })
    });
    let statuses = futures::future::join_all(tasks).await;
    for status in &statuses {
        assert_eq!(*status.as_ref().unwrap(), StatusCode::CREATED);
    }
    assert_eq!(count_rows(&db), 400);
}
