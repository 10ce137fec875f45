//! The embedded store under real faults: a full disk gives a
//! clear 503, never a 2xx for an unstored response, never corruption, and the service recovers
//! without a restart. A file system that goes read-only under the open database (as ext4 does
//! on an I/O error with `errors=remount-ro`) gives the same 503, never corruption, and keeps
//! everything acknowledged before it failed; it comes back only after an fsck, a remount and a
//! restart of the service. Many concurrent writers never surface `database is locked`.
//!
//! The disks are real file systems mounted for the test (a tmpfs; an ext4 image on a loop
//! device), so these tests need root (as `make test` and CI run); they fail, rather than skip,
//! without it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode, header};
use canvass_core::store::sqlite::SqliteStore;
use canvass_core::store::{Listed, ResponseStore, StoreError};
use canvass_tests::harness::{
    SURVEY, app_over, count_rows, post_json, secret, send, submission, valid_answers,
};
use futures::StreamExt;
use serde_json::Value;
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

fn run(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("`{program}` cannot run ({e}): scripts/install-test-deps.sh"))
}

/// Runs a command that must succeed; returns its standard output.
fn run_ok(program: &str, args: &[&str]) -> String {
    let out = run(program, args);
    assert!(
        out.status.success(),
        "`{program} {}` failed ({}), as root? {}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// An ext4 file system in an image file on a loop device, mounted with `errors=remount-ro` as a
/// data volume is. Dropped, it is unmounted and its loop device detached, whatever state the
/// test left it in.
struct Ext4Disk {
    dir: tempfile::TempDir,
    device: Option<String>,
    mounted: bool,
}

impl Ext4Disk {
    fn create(size: &str) -> Ext4Disk {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("mnt")).unwrap();
        let mut disk = Ext4Disk {
            dir,
            device: None,
            mounted: false,
        };
        let image = disk.dir.path().join("ext4.img");
        let image = image.to_str().unwrap();
        run_ok("truncate", &["-s", size, image]);
        run_ok("mkfs.ext4", &["-q", "-F", image]);
        disk.device = Some(run_ok("losetup", &["--find", "--show", image]));
        disk.mount();
        disk
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("mnt")
    }

    fn device(&self) -> &str {
        self.device.as_deref().expect("a loop device is attached")
    }

    fn mount(&mut self) {
        let path = self.path();
        run_ok(
            "mount",
            &[
                "-t",
                "ext4",
                "-o",
                "errors=remount-ro",
                self.device(),
                path.to_str().unwrap(),
            ],
        );
        self.mounted = true;
    }

    /// What a failing disk does to ext4: an error is recorded, the journal aborted and the file
    /// system turned read-only under every open file. ext4's own test hook raises the error.
    fn fail(&self) {
        let name = Path::new(self.device())
            .file_name()
            .unwrap()
            .to_str()
            .unwrap();
        std::fs::write(format!("/sys/fs/ext4/{name}/trigger_fs_error"), "1\n")
            .expect("ext4's trigger_fs_error hook (needs root)");
    }

    /// Asks for the file system back read-write, as an operator might try first. Whether the
    /// kernel says yes varies; what counts is the state after.
    fn try_remount_rw(&self) {
        // `ignore`: not the current options (a kernel-only `emergency_ro` among them) again.
        let _ = run(
            "mount",
            &[
                "--options-mode",
                "ignore",
                "-o",
                "remount,rw",
                self.path().to_str().unwrap(),
            ],
        );
    }

    fn assert_read_only(&self) {
        let err = std::fs::write(self.path().join("probe"), "x").unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::ReadOnlyFilesystem, "{err}");
    }

    /// Unmounts, waiting for the last database connections to close on their own threads.
    fn unmount(&mut self) {
        let path = self.path();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let out = run("umount", &[path.to_str().unwrap()]);
            if out.status.success() {
                self.mounted = false;
                return;
            }
            assert!(
                Instant::now() < deadline,
                "umount: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `e2fsck` as an operator runs it: replays the journal and repairs. Then a second,
    /// read-only pass must find the file system clean.
    fn fsck(&self) {
        let out = run("e2fsck", &["-f", "-y", self.device()]);
        let report = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        // 0: clean; 1: errors corrected (at least the recorded error itself).
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "e2fsck ({}): {report}",
            out.status
        );
        let again = run("e2fsck", &["-f", "-n", self.device()]);
        assert!(
            again.status.success(),
            "clean after repair ({}): {}",
            again.status,
            String::from_utf8_lossy(&again.stdout)
        );
    }
}

impl Drop for Ext4Disk {
    fn drop(&mut self) {
        let path = self.path();
        if self.mounted {
            let clean = Command::new("umount")
                .arg(&path)
                .status()
                .is_ok_and(|s| s.success());
            if !clean {
                let _ = Command::new("umount").arg("-l").arg(&path).status();
            }
        }
        if let Some(device) = &self.device {
            // Busy (lazily unmounted), it is detached when its last user closes.
            let _ = Command::new("losetup").args(["-d", device]).status();
        }
    }
}

fn response_id(submission_id: Uuid) -> String {
    secret().response_id(SURVEY, submission_id).into_string()
}

async fn post_id(app: &axum::Router, id: Uuid) -> (StatusCode, HeaderMap, Value) {
    let body = submission(&id.to_string(), valid_answers()).to_string();
    send(app, post_json(PATH, body)).await
}

/// A refusal that tells the client to retry: `503`, `Retry-After`, `storage_unavailable`.
fn assert_unavailable(status: StatusCode, headers: &HeaderMap, body: &Value) {
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"], "storage_unavailable", "{body}");
    let retry_after = headers
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok()?.parse::<u32>().ok());
    assert!(
        retry_after.is_some_and(|s| s > 0),
        "Retry-After: {retry_after:?}"
    );
}

async fn stored_ids(store: &SqliteStore) -> BTreeSet<String> {
    try_stored_ids(store)
        .await
        .expect("the stored responses can be read")
}

async fn try_stored_ids(store: &SqliteStore) -> Result<BTreeSet<String>, StoreError> {
    let mut ids = BTreeSet::new();
    let mut pages = store.list(SURVEY);
    while let Some(page) = pages.next().await {
        for item in page? {
            match item {
                Listed::Response(r) => ids.insert(r.response_id),
                Listed::Malformed {
                    response_id,
                    problem,
                } => panic!("{response_id}: {problem}"),
            };
        }
    }
    Ok(ids)
}

/// What the writers were told, and when.
#[derive(Default)]
struct Outcomes {
    /// `201`, answered before the file system began to fail.
    acknowledged: Vec<Uuid>,
    /// `201`, answered while it was failing: in flight when the error hit.
    acknowledged_in_flight: Vec<Uuid>,
    /// `503`.
    refused: Vec<Uuid>,
}

const HEALTHY: u8 = 0;
const FAILING: u8 = 1;
const READ_ONLY: u8 = 2;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_file_system_is_a_503_and_keeps_what_was_acknowledged() {
    let mut disk = Ext4Disk::create("64M");
    let db = disk.path().join("canvass.db");
    let store = Arc::new(SqliteStore::open(&db).unwrap());
    let app = app_over(store.clone(), store.clone());

    // Writers keep posting while the file system turns read-only under them.
    let outcomes = Arc::new(Mutex::new(Outcomes::default()));
    let phase = Arc::new(AtomicU8::new(HEALTHY));
    let writers: Vec<_> = (0..8)
        .map(|_| {
            let (app, outcomes, phase) = (app.clone(), outcomes.clone(), phase.clone());
            tokio::spawn(async move {
                let mut refusals = 0;
                for _ in 0..5000 {
                    let id = Uuid::new_v4();
                    let started = phase.load(Ordering::SeqCst);
                    let (status, headers, body) = post_id(&app, id).await;
                    if status == StatusCode::CREATED {
                        assert!(
                            started != READ_ONLY,
                            "a 2xx from a read-only file system: {body}"
                        );
                        let mut outcomes = outcomes.lock().unwrap();
                        match phase.load(Ordering::SeqCst) {
                            HEALTHY => outcomes.acknowledged.push(id),
                            _ => outcomes.acknowledged_in_flight.push(id),
                        }
                        continue;
                    }
                    assert_unavailable(status, &headers, &body);
                    outcomes.lock().unwrap().refused.push(id);
                    refusals += 1;
                    if refusals == 5 {
                        return;
                    }
                }
                panic!("the file system never turned read-only under this writer");
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    while outcomes.lock().unwrap().acknowledged.len() < 200 {
        assert!(Instant::now() < deadline, "the writers are too slow");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    phase.store(FAILING, Ordering::SeqCst);
    disk.fail();
    phase.store(READ_ONLY, Ordering::SeqCst);
    for writer in writers {
        writer.await.unwrap();
    }
    disk.assert_read_only();

    // Read-only: every new response is refused, for a retry.
    for _ in 0..10 {
        let id = Uuid::new_v4();
        let (status, headers, body) = post_id(&app, id).await;
        assert_unavailable(status, &headers, &body);
        outcomes.lock().unwrap().refused.push(id);
    }
    let Outcomes {
        acknowledged,
        acknowledged_in_flight,
        mut refused,
    } = std::mem::take(&mut *outcomes.lock().unwrap());
    // A repeat of a refused submission is refused again, and so is a repeat of an
    // acknowledged one: answering it otherwise would tell a stored id from a new one (no
    // answer oracle), so a repeat costs a write like any send.
    let (status, headers, body) = post_id(&app, refused[0]).await;
    assert_unavailable(status, &headers, &body);
    let (status, headers, body) = post_id(&app, acknowledged[0]).await;
    assert_unavailable(status, &headers, &body);
    // Reading a survey needs no store and keeps working; so does reading what is stored.
    let get = axum::http::Request::get(format!("/surveys/{SURVEY}"))
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(send(&app, get).await.0, StatusCode::OK);
    let kept: BTreeSet<String> = acknowledged.iter().copied().map(response_id).collect();
    let sent = |refused: &[Uuid]| -> BTreeSet<String> {
        acknowledged
            .iter()
            .chain(&acknowledged_in_flight)
            .chain(refused)
            .copied()
            .map(response_id)
            .collect()
    };
    // While read-only, a listing either shows every acknowledged response and nothing unsent,
    // or, when the failure cut a commit short, says "unavailable, retry later": the rollback
    // journal (no WAL keeps commit history: docs/privacy.md) must be rolled back before the
    // next read, which needs a writable disk. Never a wrong listing, never another error.
    match try_stored_ids(&store).await {
        Ok(visible) => assert!(
            visible.is_superset(&kept) && visible.is_subset(&sent(&refused)),
            "while read-only, every acknowledged response is listed ({} of {}), nothing unsent",
            visible.intersection(&kept).count(),
            kept.len()
        ),
        Err(StoreError::Unavailable(why)) => eprintln!("while read-only, listing: {why}"),
        Err(other) => panic!("while read-only, listing failed with {other:?}"),
    }

    // ext4 keeps a file system it turned read-only on an error read-only until it has been
    // unmounted and checked: asked to remount read-write it refuses, or (6.x kernels, which
    // mark it `emergency_ro`) says yes and stays read-only. So the running service cannot
    // recover by itself; it keeps refusing, never a 2xx.
    disk.try_remount_rw();
    disk.assert_read_only();
    let id = Uuid::new_v4();
    let (status, headers, body) = post_id(&app, id).await;
    assert_unavailable(status, &headers, &body);
    refused.push(id);

    // The operator's way back: stop the service, unmount, fsck, mount, start it again.
    drop(app);
    drop(store);
    disk.unmount();
    disk.fsck();
    disk.mount();
    assert!(integrity_ok(&db), "no corruption");
    let store = Arc::new(SqliteStore::open(&db).unwrap());
    let stored = stored_ids(&store).await;
    assert!(
        stored.is_superset(&kept) && stored.is_subset(&sent(&refused)),
        "after the repair every response acknowledged before the failure is stored ({} of {}), \
         nothing unsent",
        stored.intersection(&kept).count(),
        kept.len()
    );
    let app = app_over(store.clone(), store.clone());
    let (status, _, body) = post_id(&app, Uuid::new_v4()).await;
    assert_eq!(status, StatusCode::CREATED, "a restart recovers: {body}");
    for &id in &acknowledged {
        let (status, _, body) = post_id(&app, id).await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "acknowledged, still stored: {body}"
        );
    }
    // A refused response may have reached the disk or not; its retry settles it, once. So may
    // one acknowledged in the instant the file system failed: the kernel can report its fsync
    // as done and then drop it with the aborted journal (docs/architecture.md).
    for &id in acknowledged_in_flight.iter().chain(&refused) {
        let (status, _, body) = post_id(&app, id).await;
        assert!(status == StatusCode::CREATED, "{status} {body}");
    }
    drop(app);
    drop(store);
    assert_eq!(
        count_rows(&db) as usize,
        acknowledged.len() + acknowledged_in_flight.len() + refused.len() + 1,
        "every submission stored exactly once"
    );
    assert!(integrity_ok(&db), "no corruption");
}
