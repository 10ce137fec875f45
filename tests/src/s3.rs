//! An S3-API server on loopback for tests: moto's server mode (installed by `make test` into
//! `.tools/moto`), one private instance per test binary, killed when dropped.
//!
//! Nothing here skips: without moto the test fails and says how to install it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_s3::Client;
use canvass_core::releases::s3::build_client;

fn moto_server() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools/moto/bin/moto_server")
}

pub struct S3Server {
    child: Child,
    port: u16,
}

impl S3Server {
    pub async fn start() -> S3Server {
        let binary = moto_server();
        assert!(
            binary.exists(),
            "{} is missing: run `make test` (scripts/install-test-deps.sh installs moto)",
            binary.display()
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(&binary)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server starts");
        let server = S3Server { child, port };
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "moto_server did not start on port {port}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        server
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A client for this server and a fresh bucket.
    pub async fn bucket(&self) -> (Client, String) {
        let client = build_client(Some(&self.endpoint())).await;
        let bucket = format!("releases-{}", uuid::Uuid::new_v4().simple());
        client
            .create_bucket()
            .bucket(&bucket)
            .send()
            .await
            .expect("bucket created");
        (client, bucket)
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
