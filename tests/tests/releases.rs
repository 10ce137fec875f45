//! The release store, written once and run against a folder and an S3-API server (moto):
//! all-or-nothing publication, `latest.json` last, create-only writes, concurrent runs.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use canvass_core::releases::folder::Folder;
use canvass_core::releases::s3::Bucket;
use canvass_core::releases::{Objects, Published, Release, ReleaseError, ReleaseStore};
use canvass_tests::s3::S3Server;

fn release(id: &str, wave: &str, salt: &str) -> Release {
    let files: BTreeMap<String, Vec<u8>> = [
        ("answers.csv", format!("wave,count\n{wave},{salt}\n")),
        (
            "charts/suspended_12m.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_owned(),
        ),
        ("README.md", format!("# {id}\n")),
        ("datapackage.json", format!("{{\"name\":\"{id}\"}}")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.into_bytes()))
    .collect();
    Release {
        id: id.to_owned(),
        survey_id: "platform-treatment".into(),
        wave: wave.to_owned(),
        files,
    }
}

/// Objects that fail on the `fail_at`-th create: a run interrupted half-way.
struct Interrupted<O> {
    inner: O,
    creates: AtomicUsize,
    fail_at: usize,
}

#[async_trait]
impl<O: Objects> Objects for Interrupted<O> {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ReleaseError> {
        self.inner.get(key).await
    }
    async fn create(
        &self,
        key: &str,
        bytes: &[u8],
        content_type: &str,
    ) -> Result<bool, ReleaseError> {
        if self.creates.fetch_add(1, Ordering::SeqCst) + 1 == self.fail_at {
            return Err(ReleaseError::Unavailable(
                "injected: the run died here".into(),
            ));
        }
        self.inner.create(key, bytes, content_type).await
    }
    async fn replace(
        &self,
        key: &str,
        bytes: &[u8],
        content_type: &str,
    ) -> Result<(), ReleaseError> {
        self.inner.replace(key, bytes, content_type).await
    }
}

/// The suite; `objects` makes handles onto one shared, initially empty storage.
async fn contract<O: Objects + Clone>(objects: O) {
    let store = ReleaseStore::new(objects.clone());
    assert!(store.latest().await.unwrap().surveys.is_empty());

    let q2 = release("pt-2026-Q2", "2026-Q2", "1");
    assert_eq!(store.publish(&q2).await.unwrap(), Published::New);
    assert_eq!(
        store.publish(&q2).await.unwrap(),
        Published::Identical,
        "re-running is a no-op"
    );
    for (path, bytes) in &q2.files {
        assert_eq!(
            store.read(&q2.id, path).await.unwrap().as_ref(),
            Some(bytes)
        );
    }
    assert_eq!(
        store.latest().await.unwrap().surveys["platform-treatment"].release_id,
        q2.id
    );

    // A release is immutable: other bytes under the same id are refused, the original stays.
    let forged = release("pt-2026-Q2", "2026-Q2", "999");
    assert!(matches!(
        store.publish(&forged).await,
        Err(ReleaseError::Differs(_))
    ));
    assert_eq!(
        store.read(&q2.id, "answers.csv").await.unwrap(),
        Some(q2.files["answers.csv"].clone())
    );

    // A run that dies half-way leaves latest on the previous good release...
    let q3 = release("pt-2026-Q3", "2026-Q3", "2");
    for fail_at in 1..=q3.files.len() {
        let broken = ReleaseStore::new(Interrupted {
            inner: objects.clone(),
            creates: AtomicUsize::new(0),
            fail_at,
        });
        assert!(broken.publish(&q3).await.is_err());
        let latest = store.latest().await.unwrap();
        assert_eq!(
            latest.surveys["platform-treatment"].release_id, q2.id,
            "fail_at {fail_at}"
        );
        assert!(
            latest.surveys["platform-treatment"]
                .releases
                .iter()
                .all(|r| r.release_id != q3.id)
        );
    }
    // ...and the next run completes the same release.
    assert_eq!(store.publish(&q3).await.unwrap(), Published::New);
    let latest = store.latest().await.unwrap();
    assert_eq!(latest.surveys["platform-treatment"].release_id, q3.id);

    // An older wave published late never moves latest back; it joins the history in order.
    let q1 = release("pt-2026-Q1", "2026-Q1", "3");
    store.publish(&q1).await.unwrap();
    let entry = &store.latest().await.unwrap().surveys["platform-treatment"];
    assert_eq!(entry.release_id, q3.id);
    let history: Vec<&str> = entry
        .releases
        .iter()
        .map(|r| r.release_id.as_str())
        .collect();
    assert_eq!(history, ["pt-2026-Q1", "pt-2026-Q2", "pt-2026-Q3"]);

    // Overlapping runs of the same release: all succeed, nothing is corrupted.
    let q4 = release("pt-2026-Q4", "2026-Q4", "4");
    let stores: Vec<ReleaseStore> = (0..4).map(|_| ReleaseStore::new(objects.clone())).collect();
    let results = futures::future::join_all(stores.iter().map(|s| s.publish(&q4))).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    for (path, bytes) in &q4.files {
        assert_eq!(
            store.read(&q4.id, path).await.unwrap().as_ref(),
            Some(bytes)
        );
    }
    assert_eq!(
        store.latest().await.unwrap().surveys["platform-treatment"].release_id,
        q4.id
    );

    // Names that could climb out of a release are refused before any storage call.
    for bad in ["../latest.json", "a/../../b", ".hidden", ""] {
        assert!(
            matches!(store.read(&q4.id, bad).await, Err(ReleaseError::BadPath(_))),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn folder_release_store_meets_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    contract(Folder::new(dir.path())).await;
    // Nothing half-written is left behind in the folder.
    let leftovers: Vec<_> = walk(dir.path())
        .into_iter()
        .filter(|p| p.contains(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[tokio::test]
async fn s3_release_store_meets_the_contract() {
    let server = S3Server::start().await;
    let (client, bucket) = server.bucket().await;
    contract(Bucket::new(client.clone(), &bucket, "releases/")).await;
    // Everything lives under the prefix, with the right content types.
    let listed = client
        .list_objects_v2()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    let keys: Vec<String> = listed
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_owned))
        .collect();
    assert!(keys.iter().all(|k| k.starts_with("releases/")), "{keys:?}");
    assert!(keys.contains(&"releases/latest.json".to_owned()));
    let head = client
        .head_object()
        .bucket(&bucket)
        .key("releases/pt-2026-Q2/answers.csv")
        .send()
        .await
        .unwrap();
    assert_eq!(
        head.content_type(),
        Some("text/csv; charset=utf-8; header=present")
    );
}

#[tokio::test]
async fn an_unreachable_bucket_is_unavailable_not_empty() {
    let client = canvass_core::releases::s3::build_client(Some("http://127.0.0.1:9")).await;
    let store = ReleaseStore::new(Bucket::new(client, "nowhere", ""));
    assert!(matches!(
        store.latest().await,
        Err(ReleaseError::Unavailable(_))
    ));
    assert!(matches!(
        store.publish(&release("x", "2026-Q1", "1")).await,
        Err(ReleaseError::Unavailable(_))
    ));
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        }
        out.push(path.display().to_string());
    }
    out
}
