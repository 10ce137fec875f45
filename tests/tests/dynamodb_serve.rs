//! `canvass dynamo-init` then `canvass serve --store dynamodb://…` against DynamoDB Local: a
//! response posted over HTTP is read back from the table by a separate client (boto3), so
//! the item is what any DynamoDB tool sees, not just what our own adapter reads.
//!
//! Runs the `canvass` binary that `cargo test --workspace` builds next to this test.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use canvass_core::ids::Secret;
use canvass_tests::dynamo::{Dynamo, TEST_SECRET_HEX};
use canvass_tests::harness::{SURVEY, submission, valid_answers};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use uuid::Uuid;

fn canvass_binary() -> PathBuf {
    // target/debug/deps/<this test> -> target/debug/canvass
    let exe = std::env::current_exe().unwrap();
    let path = exe.parent().unwrap().parent().unwrap().join("canvass");
    assert!(
        path.exists(),
        "{} is missing: build it with `cargo build -p canvass-cli` (`make test` does)",
        path.display()
    );
    path
}

fn boto3_python() -> PathBuf {
    let python = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.tools/boto3/bin/python");
    assert!(
        python.exists(),
        "boto3 is not installed: run scripts/install-test-deps.sh (`make test` does)"
    );
    python
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_on_dynamodb_stores_what_boto3_reads_back() {
    let dynamo = Dynamo::connect().await;
    let prefix = format!("serve{}-", &Uuid::new_v4().simple().to_string()[..8]);
    let init = Command::new(canvass_binary())
        .args([
            "dynamo-init",
            "--endpoint",
            dynamo.endpoint(),
            "--prefix",
            &prefix,
        ])
        .output()
        .unwrap();
    let init_out = String::from_utf8_lossy(&init.stdout);
    assert!(
        init.status.success(),
        "{init_out}{}",
        String::from_utf8_lossy(&init.stderr)
    );
    assert!(
        init_out.contains(&format!("{prefix}responses: created")),
        "{init_out}"
    );

    let authority = dynamo.endpoint().trim_start_matches("http://");
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(canvass_binary())
        .args(["serve", "--addr", "127.0.0.1:0"])
        .arg("--store")
        .arg(format!("dynamodb://{authority}?prefix={prefix}"))
        .arg("--data")
        .arg(data.path())
        .arg("--surveys")
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../surveys"))
        .env("CANVASS_SECRET", TEST_SECRET_HEX)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _server = Server(child);
    let mut lines = BufReader::new(stdout).lines();
    let base = loop {
        let line = lines.next().expect("serve prints its address").unwrap();
        if let Some(url) = line.strip_prefix("Canvass is running on ") {
            break url.trim().to_owned();
        }
    };
    let banner: Vec<String> = lines
        .by_ref()
        .take_while(|l| l.as_ref().is_ok_and(|l| !l.starts_with("Press")))
        .map(Result::unwrap)
        .collect();
    assert!(
        banner.iter().any(|l| l.contains("DynamoDB at")),
        "{banner:?}"
    );

    let submission_id = Uuid::new_v4();
    let body = submission(&submission_id.to_string(), valid_answers()).to_string();
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<axum::body::Bytes>>();
    let request = axum::http::Request::post(format!("{base}/surveys/{SURVEY}/responses"))
        .header("content-type", "application/json")
        .body(Full::new(axum::body::Bytes::from(body)))
        .unwrap();
    let response = client.request(request).await.unwrap();
    let status = response.status();
    let text = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(status.as_u16(), 201, "{}", String::from_utf8_lossy(&text));

    let response_id = Secret::from_hex(TEST_SECRET_HEX)
        .unwrap()
        .response_id(SURVEY, submission_id);
    let script = r#"
import json, sys, boto3
endpoint, table, key = sys.argv[1:]
client = boto3.client("dynamodb", endpoint_url=endpoint, region_name="eu-west-1",
                      aws_access_key_id="AnotherKey", aws_secret_access_key="AnotherSecret")
item = client.get_item(TableName=table, Key={"response_id": {"S": key}}, ConsistentRead=True).get("Item")
print(json.dumps(item))
"#;
    let read = Command::new(boto3_python())
        .args([
            "-c",
            script,
            dynamo.endpoint(),
            &format!("{prefix}responses"),
            response_id.as_str(),
        ])
        .output()
        .unwrap();
    assert!(
        read.status.success(),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    let item: Value = serde_json::from_slice(&read.stdout).unwrap();
    assert_eq!(item["response_id"]["S"], response_id.as_str());
    assert_eq!(item["survey_id"]["S"], SURVEY);
    assert_eq!(item["survey_version"]["N"], "1");
    assert_eq!(item["answers"]["M"]["main_platform"]["S"], "etsy");
    assert_eq!(item["answers"]["M"]["income_share"]["N"], "60");
    assert_eq!(item["pow_verified"]["BOOL"], false);
    assert_eq!(item.as_object().unwrap().len(), 6, "{item}");
}
