//! Amazon's DynamoDB Local for tests: reaching the instance `make test` started, starting
//! private instances (for tests that stop and restart one), and fresh tables per test.
//!
//! Nothing here skips: if DynamoDB Local cannot be reached or started, the test fails and
//! says how to install it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::Client;
use canvass_core::store::dynamodb::{DynamoStore, Endpoint, build_client, create_tables};
use canvass_core::tables::TableNames;
use uuid::Uuid;

/// Set by scripts/test.sh to the endpoint of the DynamoDB Local it started for the run.
pub const ENDPOINT_ENV: &str = "CANVASS_TEST_DYNAMODB";

/// How long a starting DynamoDB Local may take to answer (a JVM on a busy 2-core machine).
const START_WITHIN: Duration = Duration::from_secs(90);

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/dynamodb-local.sh")
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    listener.local_addr().unwrap().port()
}

/// One DynamoDB Local process owned by a test; stopped when dropped, and by its watchdog if
/// the test process dies without dropping it.
pub struct DynamoLocal {
    child: Option<Child>,
    port: u16,
    db_dir: Option<PathBuf>,
    log: tempfile::NamedTempFile,
}

impl DynamoLocal {
    /// A private in-memory instance.
    pub async fn start() -> DynamoLocal {
        DynamoLocal::launch(None).await
    }

    /// A private instance keeping its data in `dir`, so a restart finds the tables again.
    pub async fn start_persistent(dir: &Path) -> DynamoLocal {
        DynamoLocal::launch(Some(dir.to_owned())).await
    }

    async fn launch(db_dir: Option<PathBuf>) -> DynamoLocal {
        let mut local = DynamoLocal {
            child: None,
            port: free_port(),
            db_dir,
            log: tempfile::NamedTempFile::new().unwrap(),
        };
        local.spawn().await;
        local
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    async fn spawn(&mut self) {
        let log = self.log.reopen().unwrap();
        let mut command = Command::new("bash");
        command
            .arg(script())
            .arg("run")
            .arg(self.port.to_string())
            .arg(self.db_dir.as_deref().unwrap_or(Path::new("")))
            .arg(std::process::id().to_string())
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        let child = command
            .spawn()
            .expect("bash runs scripts/dynamodb-local.sh");
        self.child = Some(child);
        self.wait_until_ready().await;
    }

    async fn wait_until_ready(&mut self) {
        let started = Instant::now();
        let client = build_client(&Endpoint::Url(self.endpoint())).await;
        loop {
            if client.list_tables().send().await.is_ok() {
                return;
            }
            let exited = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten());
            if exited.is_some() || started.elapsed() > START_WITHIN {
                let log = std::fs::read_to_string(self.log.path()).unwrap_or_default();
                self.stop();
                panic!(
                    "DynamoDB Local did not start on port {} (install it with \
                     `scripts/dynamodb-local.sh install`, which `make test` runs):\n{log}",
                    self.port
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Stops the process and waits until it is gone (its port is free again).
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        // SIGTERM lets the wrapper stop Java before it exits; SIGKILL would orphan Java.
        let _ = Command::new("kill").arg(child.id().to_string()).status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
    }

    /// Kills the Java process with SIGKILL, as a crash or the OOM killer would (no shutdown,
    /// no flush), and waits until it and its wrapper script are gone. `restart` brings it back.
    pub fn kill_hard(&mut self) {
        let Some(mut wrapper) = self.child.take() else {
            return;
        };
        let java = java_child(wrapper.id()).unwrap_or_else(|| {
            let _ = wrapper.kill();
            panic!(
                "DynamoDB Local's wrapper {} has no java child",
                wrapper.id()
            )
        });
        let status = Command::new("kill")
            .args(["-KILL", &java.to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -KILL {java}");
        // The wrapper sees Java gone within half a second and exits, reaping it.
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = wrapper.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = wrapper.kill();
        let _ = wrapper.wait();
    }

    /// Starts it again on the same port (and data folder, if any).
    pub async fn restart(&mut self) {
        self.stop();
        self.spawn().await;
    }
}

/// The `java` process whose parent is `parent`, found in /proc by parent pid.
fn java_child(parent: u32) -> Option<u32> {
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state ppid ...`; comm may hold spaces, so split after the last ')'.
        let Some((head, tail)) = stat.rsplit_once(')') else {
            continue;
        };
        let comm = head.split_once('(').map_or("", |(_, c)| c);
        let ppid = tail
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(parent) && comm == "java" {
            return Some(pid);
        }
    }
    None
}

impl Drop for DynamoLocal {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The DynamoDB Local a test talks to: the run's shared instance when scripts/test.sh
/// started one, otherwise a private one for this test.
pub struct Dynamo {
    endpoint: String,
    _own: Option<DynamoLocal>,
}

impl Dynamo {
    pub async fn connect() -> Dynamo {
        match std::env::var(ENDPOINT_ENV) {
            Ok(endpoint) if !endpoint.is_empty() => Dynamo {
                endpoint,
                _own: None,
            },
            _ => {
                let own = DynamoLocal::start().await;
                Dynamo {
                    endpoint: own.endpoint(),
                    _own: Some(own),
                }
            }
        }
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    pub async fn client(&self) -> Client {
        build_client(&Endpoint::Url(self.endpoint.clone())).await
    }

    /// Both tables under a prefix no other test uses, created as `canvass dynamo-init` does.
    pub async fn fresh_tables(&self) -> (Client, TableNames) {
        fresh_tables(&self.endpoint).await
    }

    /// A store over fresh tables.
    pub async fn fresh_store(&self) -> DynamoStore {
        let (client, tables) = self.fresh_tables().await;
        DynamoStore::new(client, tables)
    }
}

/// Creates both tables under a new unique prefix at `endpoint`.
pub async fn fresh_tables(endpoint: &str) -> (Client, TableNames) {
    let client = build_client(&Endpoint::Url(endpoint.to_owned())).await;
    let prefix = format!("t{}-", &Uuid::new_v4().simple().to_string()[..12]);
    let tables = TableNames::with_prefix(&prefix).unwrap();
    create_tables(&client, &tables)
        .await
        .unwrap_or_else(|e| panic!("creating tables at {endpoint}: {e}"));
    (client, tables)
}

/// The secret the deployed-path tests give the function.
pub const TEST_SECRET_HEX: &str =
    "5e1f0c3a9b7d2e4f6a8c0b1d3e5f7a9c2b4d6e8f0a1c3e5b7d9f2a4c6e8b0d1f";

/// The Router exactly as the Lambda binary builds it (`deployed::app`), configured through
/// the same environment variables, against `tables` at `endpoint`.
pub async fn deployed_app(endpoint: &str, tables: &TableNames) -> axum::Router {
    use canvass_ingest::deployed::{self, DeployedConfig};
    let env = std::collections::HashMap::from([
        ("RESPONSES_TABLE", tables.responses.clone()),
        ("CONTROL_TABLE", tables.control.clone()),
        ("CANVASS_SECRET", TEST_SECRET_HEX.to_owned()),
        ("AWS_ENDPOINT_URL_DYNAMODB", endpoint.to_owned()),
    ]);
    let config = DeployedConfig::from_env(|k| env.get(k).cloned()).expect("complete settings");
    deployed::app(config).await.expect("the function starts")
}
