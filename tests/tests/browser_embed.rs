//! The embed page and the open data as another site uses them, in a real headless Chromium:
//! a page on one origin frames the chart page of the publish app on another (and sees its
//! chart, title and citation), fetches a CSV from it, and cannot frame the statistics page;
//! the embed page and the statistics page with its embed snippets pass axe-core at 375 px.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use canvass_core::releases::ReleaseStore;
use canvass_core::releases::folder::Folder;
use canvass_publish::{PublishState, app};
use canvass_tests::browser::{Browser, exclusive, serve_app};
use canvass_tests::sample::sample_release;
use fantoccini::Locator;
use serde_json::{Value, json};

const RID: &str = "platform-treatment-2026-Q3";

/// A newsroom's page on its own origin: both frames and the fetch are made by its script
/// (served as a file, so its CSP needs no inline exception), which records when each frame
/// has loaded.
fn newsroom(publish: &str) -> Router {
    let page = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
        <title>A newsroom</title></head><body><h1>A story</h1><div id=\"frames\"></div>\
        <pre id=\"csv\">waiting</pre><p id=\"page-fetch\">waiting</p>\
        <script src=\"/story.js\"></script></body></html>";
    let script = format!(
        "const publish = {publish:?};
         for (const [id, path] of [['embed', '/reports/{RID}/embed/suspended_12m'], ['page', '/reports']]) {{
           const frame = document.createElement('iframe');
           frame.id = id; frame.title = id; frame.width = 640; frame.height = 820;
           frame.addEventListener('load', () => {{ frame.dataset.loaded = 'yes'; }});
           frame.src = publish + path;
           document.getElementById('frames').append(frame);
         }}
         fetch(publish + '/reports/{RID}/indicators.csv')
           .then(r => r.text())
           .then(t => {{ document.getElementById('csv').textContent = t.split(/\\r?\\n/)[0]; }})
           .catch(e => {{ document.getElementById('csv').textContent = 'failed: ' + e; }});
         // The HTML page is not open data: the browser must refuse this read.
         fetch(publish + '/reports')
           .then(() => {{ document.getElementById('page-fetch').textContent = 'read'; }})
           .catch(() => {{ document.getElementById('page-fetch').textContent = 'blocked'; }});"
    );
    let csp = format!("default-src 'self'; frame-src {publish}; connect-src {publish}");
    Router::new()
        .route(
            "/",
            get(move || {
                let csp = csp.clone();
                async move {
                    (
                        [
                            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
                            (header::CONTENT_SECURITY_POLICY, csp),
                        ],
                        page,
                    )
                        .into_response()
                }
            }),
        )
        .route(
            "/story.js",
            get(move || {
                let script = script.clone();
                async move { ([(header::CONTENT_TYPE, "text/javascript")], script).into_response() }
            }),
        )
}

async fn eventually(browser: &Browser, script: &str, ready: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let value = browser.client.execute(script, vec![]).await.unwrap();
        if ready(&value) {
            return value;
        }
        assert!(Instant::now() < deadline, "{script} stayed {value}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_site_can_embed_the_chart_and_fetch_the_data_but_not_frame_the_page() {
    let _one = exclusive().await;
    let dir = tempfile::tempdir().unwrap();
    let store = ReleaseStore::new(Folder::new(dir.path()));
    store
        .publish(&sample_release(RID, "2026-Q3"))
        .await
        .unwrap();
    let publish = serve_app(app(PublishState::new(Arc::new(store)))).await;
    // Another host and port: another origin, and another site.
    let newsroom = serve_app(newsroom(&publish))
        .await
        .replace("127.0.0.1", "localhost");
    assert!(publish.starts_with("http://127.0.0.1:"), "{publish}");

    let browser = Browser::start(true).await;
    browser.goto(&format!("{newsroom}/")).await;
    browser.wait_for_title(|t| t == "A newsroom").await;

    // The CSV, read across origins by the newsroom's script; the page itself is not readable.
    let csv = eventually(
        &browser,
        "return document.getElementById('csv').textContent",
        |v| v != "waiting",
    )
    .await;
    assert_eq!(
        csv,
        "wave,main_platform,indicator,count,n,share,ci_low,ci_high,status"
    );
    let page_fetch = eventually(
        &browser,
        "return document.getElementById('page-fetch').textContent",
        |v| v != "waiting",
    )
    .await;
    assert_eq!(page_fetch, "blocked");

    let loaded =
        "return ['embed', 'page'].map(id => document.getElementById(id).dataset.loaded === 'yes')";
    eventually(&browser, loaded, |v| v == &json!([true, true])).await;

    // Inside the embed frame: the chart drawn, its title, its numbers and the citation.
    browser
        .client
        .find(Locator::Css("#embed"))
        .await
        .unwrap()
        .enter_frame()
        .await
        .unwrap();
    let inside = eventually(
        &browser,
        "const img = document.querySelector('img');
         return img && img.complete ? [location.href, document.querySelector('h1').textContent,
           img.naturalWidth > 0, document.getElementById('citation-text').textContent,
           document.querySelectorAll('#numbers tbody tr').length] : null;",
        |v| !v.is_null(),
    )
    .await;
    assert_eq!(
        inside[0],
        format!("{publish}/reports/{RID}/embed/suspended_12m")
    );
    assert_eq!(inside[1], "Shop suspended in the last 12 months");
    assert_eq!(inside[2], true, "the chart did not render in the frame");
    let citation = inside[3].as_str().unwrap();
    assert!(
        citation.starts_with("Canvass seller coalition (2026). How platforms treat indie sellers [data set], release platform-treatment-2026-Q3."),
        "{citation}"
    );
    assert_eq!(inside[4], 3, "a row per platform");
    browser.client.enter_parent_frame().await.unwrap();

    // The statistics page refuses to be framed: the frame holds the browser's error page.
    browser
        .client
        .find(Locator::Css("#page"))
        .await
        .unwrap()
        .enter_frame()
        .await
        .unwrap();
    let blocked = browser
        .client
        .execute(
            "return [location.href, document.title, document.getElementById('main') !== null]",
            vec![],
        )
        .await
        .unwrap();
    assert_ne!(
        blocked[0],
        format!("{publish}/reports"),
        "the statistics page loaded inside another site's frame: {blocked}"
    );
    assert_eq!(blocked[2], false, "{blocked}");
    assert!(
        !blocked[1]
            .as_str()
            .unwrap_or_default()
            .contains("Published statistics"),
        "{blocked}"
    );
    browser.client.enter_parent_frame().await.unwrap();
    let artifact = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target/test-artifacts/embed-in-another-site.png");
    browser.screenshot(&artifact).await;

    // The embed page on its own, and the statistics page with every embed snippet open:
    // accessible, and nothing wider than a 375 px phone.
    let wide = "const page = document.documentElement;
        return Array.from(document.querySelectorAll('.scroll'))
          .filter(e => e.scrollWidth > e.clientWidth)
          .map(e => e.getAttribute('aria-label'))
          .concat(page.scrollWidth > page.clientWidth ? ['page'] : []);";
    for (uri, title) in [
        (
            format!("{publish}/reports/{RID}/embed/suspended_12m?lang=fr"),
            "Shop suspended",
        ),
        (
            format!("{publish}/reports?lang=es"),
            "Estadísticas publicadas",
        ),
    ] {
        browser.goto(&uri).await;
        browser.wait_for_title(|t| t.contains(title)).await;
        browser
            .client
            .execute(
                "document.querySelectorAll('details').forEach(d => d.open = true)",
                vec![],
            )
            .await
            .unwrap();
        let overflowing = browser.client.execute(wide, vec![]).await.unwrap();
        assert_eq!(
            overflowing,
            json!([]),
            "{uri}: wider than the screen at 375 px"
        );
        let violations = browser.axe_violations().await;
        assert!(violations.is_empty(), "{uri}: axe-core: {violations:#?}");
    }
    browser.quit().await;
}
