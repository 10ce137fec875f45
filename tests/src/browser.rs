//! A real browser for the form tests: Debian's headless Chromium driven over WebDriver
//! (chromedriver, installed by `scripts/install-test-deps.sh`), against the ingest Router
//! served on a loopback port over a temporary SQLite store.
//!
//! Each [`Browser`] runs its own chromedriver on a free port with a fresh profile; the whole
//! process group (driver and browser) is killed when it is dropped, even after a failed test.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::http::Method;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use tokio::sync::{Mutex, MutexGuard};

use crate::harness::Local;

/// One browser at a time: the machine is small and Chromium is not.
static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

pub async fn exclusive() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().await
}

fn tool(env: &str, default: &str) -> PathBuf {
    let path = std::env::var_os(env).map_or_else(|| PathBuf::from(default), PathBuf::from);
    assert!(
        path.exists(),
        "{} is missing: run scripts/install-test-deps.sh (or set {env})",
        path.display()
    );
    path
}

/// Serves the ingest Router of `local` on a free loopback port; returns its base URL.
/// The server runs until the test's runtime ends.
pub async fn serve(local: &Local) -> String {
    serve_app(local.app()).await
}

/// Serves `app` on a free loopback port (the browser's address, 127.0.0.1, is its source
/// for the rate limit); returns its base URL.
pub async fn serve_app(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    base
}

/// A Chrome DevTools Protocol command, sent through chromedriver.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (Method::POST, Some(body.to_string()))
    }
}

/// chromedriver and the Chromium it starts, in a process group of their own.
struct Driver {
    child: Child,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The group id is the driver's pid (`process_group(0)`); Chromium inherits it.
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Browser {
    pub client: Client,
    javascript: bool,
    _driver: Driver,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// A headless Chromium with a phone's 375 px wide screen, with or without JavaScript
    /// (turned off the way the browser's own setting does, before the first page loads).
    pub async fn start(javascript: bool) -> Browser {
        let chromium = tool("CANVASS_CHROMIUM", "/usr/bin/chromium");
        let chromedriver = tool("CANVASS_CHROMEDRIVER", "/usr/bin/chromedriver");
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            probe.local_addr().unwrap().port()
        };
        let driver = Driver {
            child: {
                use std::os::unix::process::CommandExt;
                Command::new(&chromedriver)
                    .arg(format!("--port={port}"))
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .process_group(0)
                    .spawn()
                    .expect("chromedriver starts")
            },
        };
        let profile = tempfile::tempdir().unwrap();
        let mut options = json!({
            "binary": chromium,
            "args": [
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--disable-breakpad",
                "--disable-crash-reporter",
                "--lang=en",
                format!("--user-data-dir={}", profile.path().display()),
            ],
        });
        if !javascript {
            // The browser's own setting, as a seller would turn it off.
            options["prefs"] = json!({ "profile.managed_default_content_settings.javascript": 2 });
        }
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert("goog:chromeOptions".into(), options);
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(e) if Instant::now() > deadline => panic!("chromedriver did not start: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        };
        let browser = Browser {
            client,
            javascript,
            _driver: driver,
            _profile: profile,
        };
        // Chromium's windows are at least 500 px wide: emulate the phone's screen instead.
        browser.phone_screen(375, 812).await;
        browser
    }

    /// Emulates a phone's screen of `width` × `height` CSS pixels.
    pub async fn phone_screen(&self, width: u32, height: u32) {
        self.client
            .issue_cmd(Cdp {
                cmd: "Emulation.setDeviceMetricsOverride",
                params: json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": true }),
            })
            .await
            .unwrap();
    }

    /// The height of the whole page, in CSS pixels.
    pub async fn page_height(&self) -> u64 {
        self.client
            .execute("return document.documentElement.scrollHeight", vec![])
            .await
            .unwrap()
            .as_u64()
            .unwrap()
    }

    /// The browser's own Back (the phone's Back gesture), waiting until the page shown
    /// before is gone.
    pub async fn back(&self) {
        let old = self.client.find(Locator::Css("html")).await.unwrap();
        self.client.back().await.unwrap();
        self.wait_until_gone(old, "Back").await;
    }

    /// The browser's own Forward.
    pub async fn forward(&self) {
        let old = self.client.find(Locator::Css("html")).await.unwrap();
        self.client.forward().await.unwrap();
        self.wait_until_gone(old, "Forward").await;
    }

    async fn wait_until_gone(&self, old: fantoccini::elements::Element, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while old.tag_name().await.is_ok() {
            assert!(Instant::now() < deadline, "{what} loaded no page");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// How many elements match `css`.
    pub async fn count(&self, css: &str) -> usize {
        self.client.find_all(Locator::Css(css)).await.unwrap().len()
    }

    pub async fn quit(self) {
        let _ = self.client.clone().close().await;
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Clicks something that loads a new page (a link, a submit button) and waits until the
    /// old page is gone, so that nothing is read from it by mistake.
    pub async fn click_to_leave(&self, css: &str) {
        let old = self.client.find(Locator::Css("html")).await.unwrap();
        self.click(css).await;
        self.wait_until_gone(old, &format!("clicking {css}")).await;
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let field = self.client.find(Locator::Css(css)).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    pub async fn select(&self, css: &str, value: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .select_by_value(value)
            .await
            .unwrap();
    }

    pub async fn attr(&self, css: &str, name: &str) -> Option<String> {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .attr(name)
            .await
            .unwrap()
    }

    pub async fn displayed(&self, css: &str) -> bool {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .is_displayed()
            .await
            .unwrap()
    }

    pub async fn selected(&self, css: &str) -> bool {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .is_selected()
            .await
            .unwrap()
    }

    pub async fn text(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .text()
            .await
            .unwrap()
    }

    /// Waits (up to 30 s) until the page title satisfies `ready`; returns it.
    pub async fn wait_for_title(&self, ready: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let title = self.client.title().await.unwrap_or_default();
            if ready(&title) {
                return title;
            }
            assert!(Instant::now() < deadline, "the page title stayed {title:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The element that has the focus, as `tag#id.class`.
    pub async fn focused(&self) -> String {
        let element = self.client.active_element().await.unwrap();
        format!(
            "{}#{}.{}",
            element.tag_name().await.unwrap(),
            element.attr("id").await.unwrap().unwrap_or_default(),
            element.attr("class").await.unwrap().unwrap_or_default()
        )
    }

    /// Runs axe-core (from `.tools`, installed by `scripts/install-test-deps.sh`) on the
    /// current page; returns its violations, one line each.
    pub async fn axe_violations(&self) -> Vec<String> {
        if !self.javascript {
            // With JavaScript off the page runs no script of its own, and timers never fire;
            // axe (injected by the driver, which still may) only needs them to yield, so
            // promise jobs stand in for them.
            self.client
                .execute(
                    "window.setTimeout = (f, _ms, ...a) => { Promise.resolve().then(() => f(...a)); return 0; };
                     window.clearTimeout = () => {};",
                    vec![],
                )
                .await
                .unwrap();
        }
        self.run_axe().await
    }

    async fn run_axe(&self) -> Vec<String> {
        let path = std::env::var_os("CANVASS_AXE").map_or_else(
            || {
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../.tools/node_modules/axe-core/axe.min.js")
            },
            PathBuf::from,
        );
        let source = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!("{}: {e}; run scripts/install-test-deps.sh", path.display())
        });
        self.client
            .execute(&format!("{source}\n;return typeof axe;"), vec![])
            .await
            .unwrap();
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                   .then(r => done(r.violations.map(v =>
                     v.id + ' (' + v.impact + '): ' + v.help + ' at ' +
                     v.nodes.map(n => n.target.join(' ')).join(', '))))
                   .catch(e => done(['axe failed: ' + e]));",
                vec![],
            )
            .await
            .unwrap();
        match result {
            Value::Array(items) => items
                .iter()
                .map(|v| v.as_str().unwrap_or("?").to_owned())
                .collect(),
            other => vec![format!("unexpected axe result {other}")],
        }
    }

    /// Saves a screenshot of the whole page at the current width; returns its width in pixels.
    pub async fn screenshot(&self, path: &Path) -> u32 {
        let png = self.client.screenshot().await.unwrap();
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, &png).unwrap();
        // PNG: 8-byte signature, then the IHDR chunk whose data starts with the width.
        u32::from_be_bytes(png[16..20].try_into().unwrap())
    }
}
