//! The publish Router in-process over a folder of releases: the page, the catalogue, the
//! Atom feed (validated by jing against RFC 4287's schema), the embeddable chart page, and
//! downloads with the right headers, ETags, 304s and refusals.

use std::io::Read;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use canvass_core::releases::folder::Folder;
use canvass_core::releases::{Release, ReleaseStore};
use canvass_publish::{PublishState, app};
use canvass_tests::sample::{sample_release, sha};
use http_body_util::BodyExt;
use tower::ServiceExt;

const RID: &str = "platform-treatment-2026-Q3";

async fn published() -> (tempfile::TempDir, Router, Release) {
    let dir = tempfile::tempdir().unwrap();
    let store = ReleaseStore::new(Folder::new(dir.path()));
    store
        .publish(&sample_release("platform-treatment-2026-Q2", "2026-Q2"))
        .await
        .unwrap();
    let release = sample_release(RID, "2026-Q3");
    store.publish(&release).await.unwrap();
    let router = app(PublishState::new(Arc::new(store)));
    (dir, router, release)
}

async fn get(
    app: &Router,
    uri: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut request = Request::get(uri);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    (
        status,
        headers,
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
}

#[tokio::test]
async fn the_page_shows_the_latest_statistics_in_the_asked_language() {
    let (_dir, app, _) = published().await;
    let (status, headers, body) =
        get(&app, "/reports", &[("accept-language", "es-ES,es;q=0.9")]).await;
    assert_eq!(status, StatusCode::OK);
    let html = String::from_utf8(body).unwrap();
    assert!(html.contains("<html lang=\"es\">"));
    assert_eq!(headers["content-language"], "es");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'self'")
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert!(headers.get("set-cookie").is_none());
    assert!(
        html.contains("Tienda suspendida en los últimos 12 meses"),
        "labels from the release, in the asked language"
    );
    assert!(
        html.contains("40,0\u{a0}%") && html.contains("30,9\u{a0}% – 49,8\u{a0}%"),
        "share and interval, with the Spanish decimal comma"
    );
    assert!(
        html.contains("Suprimido"),
        "a suppressed cell is said in words"
    );
    assert!(
        html.contains("menos de 30 respuestas"),
        "low reliability is flagged"
    );
    assert!(
        html.contains("eBay &#60;script&#62; (es)") || html.contains("eBay &lt;script&gt; (es)"),
        "labels are escaped"
    );
    assert!(!html.contains("<script>"));
    assert!(html.contains("/reports/platform-treatment-2026-Q3/charts/es/suspended_12m.svg"));
    assert!(html.contains("/reports/platform-treatment-2026-Q3/package.zip"));
    assert!(html.contains("/reports/platform-treatment-2026-Q3/indicators.csv"));
    assert!(
        html.contains("platform-treatment-2026-Q2"),
        "earlier releases are listed"
    );
    assert!(html.contains("Basado en <strong>100</strong>"));
    let (_, _, body) = get(&app, "/reports?lang=en", &[]).await;
    let english = String::from_utf8(body).unwrap();
    assert!(
        english.contains("40.0\u{a0}%") && english.contains("30.9\u{a0}% – 49.8\u{a0}%"),
        "share and interval with a decimal point in English"
    );
}

#[tokio::test]
async fn the_spanish_page_takes_every_data_label_and_chart_from_the_release_in_spanish() {
    let (_dir, app, _) = published().await;
    let (_, _, body) = get(&app, "/reports?lang=es", &[]).await;
    let html = String::from_utf8(body).unwrap();
    for spanish in [
        "<h1>Cómo tratan las plataformas: 2026-Q3</h1>",
        "Tienda suspendida en los últimos 12 meses",
        "Todas las plataformas",
        "eBay &#60;script&#62; (es)",
        "Indicadores por plataforma",
        "/reports/platform-treatment-2026-Q3/charts/es/suspended_12m.svg",
    ] {
        assert!(html.contains(spanish), "{spanish}: {html}");
    }
    for english in [
        "Shop suspended in the last 12 months",
        "All platforms",
        "The indicators table",
    ] {
        assert!(!html.contains(english), "{english} on the Spanish page");
    }
    // A language the release has no labels in falls back to the release's own words.
    let (_, _, body) = get(&app, "/reports?lang=fr", &[]).await;
    let html = String::from_utf8(body).unwrap();
    assert!(html.contains("Shop suspended in the last 12 months"));
    assert!(html.contains("/reports/platform-treatment-2026-Q3/charts/suspended_12m.svg"));
    // The catalogue as JSON in Spanish, for scripts.
    let (_, _, body) = get(&app, "/reports/index.json?lang=es", &[]).await;
    let catalogue: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        catalogue["surveys"][0]["latest"]["indicators"][0]["label"],
        "Tienda suspendida en los últimos 12 meses"
    );
}

#[tokio::test]
async fn the_page_and_the_catalogue_give_the_citation_tied_to_the_checksums() {
    let (_dir, app, release) = published().await;
    let sums = sha(&release.files["SHA256SUMS"]);
    let (_, _, body) = get(&app, "/reports", &[]).await;
    let html = String::from_utf8(body).unwrap();
    let expected = format!(
        "Canvass seller coalition (2026). How platforms treat indie sellers [data set], release {RID}. Licence CC-BY-4.0. SHA256SUMS sha256:{sums}."
    );
    assert!(html.contains(&expected), "{html}");
    assert!(html.contains("@misc{platform_treatment_2026_Q3,"), "BibTeX");
    assert!(html.contains(&format!("/reports/{RID}/CITATION.cff")));
    let (_, _, body) = get(&app, "/reports/index.json", &[]).await;
    let catalogue: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let citation = &catalogue["surveys"][0]["latest"]["citation"];
    assert_eq!(citation["text"], expected.as_str());
    assert!(
        citation["bibtex"]
            .as_str()
            .unwrap()
            .contains(&format!("sha256:{sums}"))
    );
    let (status, headers, cff) = get(&app, &format!("/reports/{RID}/CITATION.cff"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/yaml; charset=utf-8");
    assert_eq!(cff, release.files["CITATION.cff"]);
}

#[tokio::test]
async fn published_data_is_readable_from_any_origin_and_the_page_is_not() {
    let (_dir, app, _) = published().await;
    let origin = [("origin", "https://notebook.example")];
    for uri in [
        "/reports/index.json".to_owned(),
        format!("/reports/{RID}/indicators.csv"),
        format!("/reports/{RID}/package.zip"),
        "/reports/latest/indicators.csv".to_owned(),
    ] {
        let (status, headers, _) = get(&app, &uri, &origin).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert_eq!(headers["access-control-allow-origin"], "*", "{uri}");
        assert!(
            headers["access-control-expose-headers"]
                .to_str()
                .unwrap()
                .contains("etag"),
            "{uri}"
        );
        assert!(headers.get("access-control-allow-credentials").is_none());
    }
    // A preflight (a script sending If-None-Match) is answered for GET only.
    let preflight = Request::options(format!("/reports/{RID}/indicators.csv"))
        .header("origin", "https://notebook.example")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "if-none-match")
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(preflight).await.unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    let methods = response.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        methods.contains("GET") && !methods.contains("POST"),
        "{methods}"
    );
    // The HTML page keeps the strict same-origin policy.
    let (_, headers, _) = get(&app, "/reports", &origin).await;
    assert!(headers.get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn the_catalogue_comes_as_json() {
    let (_dir, app, release) = published().await;
    for (uri, accept) in [
        ("/reports", "application/json"),
        ("/reports/index.json", "*/*"),
    ] {
        let (status, headers, body) = get(&app, uri, &[("accept", accept)]).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        let catalogue: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let survey = &catalogue["surveys"][0];
        assert_eq!(survey["latest"]["release_id"], RID);
        assert_eq!(survey["releases"].as_array().unwrap().len(), 2);
        let indicators = &survey["latest"]["downloads"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["name"] == "indicators")
            .unwrap()
            .clone();
        assert_eq!(indicators["sha256"], sha(&release.files["indicators.csv"]));
    }
}

#[tokio::test]
async fn downloads_carry_type_name_etag_and_caching() {
    let (_dir, app, release) = published().await;
    let (status, headers, body) = get(&app, &format!("/reports/{RID}/indicators.csv"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, release.files["indicators.csv"]);
    assert_eq!(
        headers["content-type"],
        "text/csv; charset=utf-8; header=present"
    );
    assert_eq!(
        headers["content-disposition"],
        format!("attachment; filename=\"{RID}_indicators.csv\"")
    );
    let etag = format!("\"{}\"", sha(&body));
    assert_eq!(headers["etag"], etag.as_str());
    assert_eq!(
        headers["cache-control"],
        "public, max-age=31536000, immutable"
    );

    let (status, headers, body) = get(
        &app,
        &format!("/reports/{RID}/indicators.csv"),
        &[("if-none-match", &etag)],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    assert_eq!(headers["etag"], etag.as_str());
    let (status, _, _) = get(
        &app,
        &format!("/reports/{RID}/indicators.csv"),
        &[("if-none-match", "\"other\"")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let head = Request::head(format!("/reports/{RID}/indicators.csv"))
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(head).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["etag"], etag.as_str());
    assert!(
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .is_empty()
    );

    let (status, headers, body) = get(&app, "/reports/latest/indicators.csv", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body, release.files["indicators.csv"],
        "latest is the newest wave"
    );
    assert_eq!(headers["cache-control"], "public, max-age=300");

    let (_, headers, _) = get(
        &app,
        &format!("/reports/{RID}/charts/suspended_12m.svg"),
        &[],
    )
    .await;
    assert_eq!(headers["content-type"], "image/svg+xml");
    let (_, headers, _) = get(&app, &format!("/reports/{RID}/datapackage.json"), &[]).await;
    assert_eq!(headers["content-type"], "application/json");
}

#[tokio::test]
async fn the_package_zip_holds_every_file_and_is_stable() {
    let (_dir, app, release) = published().await;
    let (status, headers, zipped) = get(&app, &format!("/reports/{RID}/package.zip"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/zip");
    let (_, again, zipped_again) = get(&app, &format!("/reports/{RID}/package.zip"), &[]).await;
    assert_eq!(zipped, zipped_again, "the same bytes every time");
    assert_eq!(headers["etag"], again["etag"]);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zipped)).unwrap();
    assert_eq!(archive.len(), release.files.len());
    for (name, bytes) in &release.files {
        let mut file = archive.by_name(&format!("{RID}/{name}")).unwrap();
        let mut content = Vec::new();
        file.read_to_end(&mut content).unwrap();
        assert_eq!(&content, bytes, "{name}");
    }
}

#[tokio::test]
async fn unknown_names_and_path_tricks_are_404() {
    let (dir, app, _) = published().await;
    std::fs::write(dir.path().join("secret.txt"), "do not serve").unwrap();
    for uri in [
        format!("/reports/{RID}/nope.csv"),
        "/reports/nope/indicators.csv".to_owned(),
        format!("/reports/{RID}/..%2Fsecret.txt"),
        format!("/reports/{RID}/%2e%2e/secret.txt"),
        format!("/reports/{RID}/charts/..%2F..%2Fsecret.txt"),
        "/reports/..%2F/secret.txt".to_owned(),
        format!("/reports/{RID}/.%2e/.%2e/secret.txt"),
        format!("/reports/{RID}/..\\secret.txt"),
        "/reports/latest/..%2Fsecret.txt".to_owned(),
    ] {
        let (status, _, body) = get(&app, &uri, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert!(
            !String::from_utf8_lossy(&body).contains("do not serve"),
            "{uri}"
        );
    }
}

#[tokio::test]
async fn an_empty_store_says_nothing_is_published_yet() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(PublishState::new(Arc::new(ReleaseStore::new(Folder::new(
        dir.path(),
    )))));
    let (status, _, body) = get(&app, "/reports?lang=fr", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        String::from_utf8(body)
            .unwrap()
            .contains("Aucune statistique")
    );
    let (status, _, _) = get(&app, "/reports/latest/indicators.csv", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Runs jing (RELAX NG) on `xml` against RFC 4287's schema; whether it passed, and what it said.
fn jing(xml: &[u8]) -> (bool, String) {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/atom.rnc");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("feed.xml");
    std::fs::write(&file, xml).unwrap();
    let jing = std::env::var_os("CANVASS_JING").unwrap_or_else(|| "jing".into());
    let out = Command::new(&jing)
        .arg("-c")
        .arg(&schema)
        .arg(&file)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "jing ({}) could not run: {e}; install it with scripts/install-test-deps.sh \
                 (Debian's `jing` package) or set CANVASS_JING",
                jing.to_string_lossy()
            )
        });
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said)
}

/// The text of every `<tag>…</tag>` in `xml`, in order.
fn all<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    xml.split(&open)
        .skip(1)
        .map(|rest| rest.split(&close).next().unwrap())
        .collect()
}

fn entries(xml: &str) -> Vec<&str> {
    all(xml, "entry")
}

#[tokio::test]
async fn the_feed_is_valid_atom_and_jing_would_say_if_it_were_not() {
    let (_dir, app, release) = published().await;
    let (status, headers, body) = get(
        &app,
        "/reports/feed.xml",
        &[("origin", "https://reader.example")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers["content-type"],
        "application/atom+xml; charset=utf-8"
    );
    assert_eq!(headers["access-control-allow-origin"], "*");
    assert_eq!(headers["cache-control"], "public, max-age=300");
    assert_eq!(headers["etag"], format!("\"{}\"", sha(&body)).as_str());
    assert_eq!(headers["x-frame-options"], "DENY");
    let (valid, said) = jing(&body);
    assert!(
        valid,
        "jing rejected the feed: {said}\n{}",
        String::from_utf8_lossy(&body)
    );

    let xml = String::from_utf8(body).unwrap();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\">"), "{xml}");
    let head = xml.split("<entry>").next().unwrap();
    assert!(head.contains("<author><name>Canvass seller coalition</name></author>"));
    assert!(head.contains(
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"/reports/feed.xml?lang=en\"/>"
    ));
    assert!(
        head.contains("<link rel=\"alternate\" type=\"text/html\" href=\"/reports?lang=en\"/>")
    );
    assert!(head.contains("<rights>CC-BY-4.0: Creative Commons Attribution 4.0 International, https://creativecommons.org/licenses/by/4.0/</rights>"));
    // The newest release's day, not the clock's.
    assert_eq!(all(head, "updated"), ["2026-10-05T00:00:00Z"]);
    let feed_id = all(head, "id")[0];
    assert!(feed_id.starts_with("urn:uuid:"), "{feed_id}");

    let entries = entries(&xml);
    assert_eq!(entries.len(), 2, "one entry per release");
    let newest = entries[0];
    assert_eq!(all(newest, "updated"), ["2026-10-05T00:00:00Z"]);
    assert_eq!(all(newest, "published"), ["2026-10-05T00:00:00Z"]);
    assert_eq!(all(newest, "title"), ["How platforms treat indie sellers"]);
    let sums = sha(&release.files["SHA256SUMS"]);
    assert_eq!(
        all(newest, "summary"),
        [format!(
            "Canvass seller coalition (2026). How platforms treat indie sellers [data set], release {RID}. Licence CC-BY-4.0. SHA256SUMS sha256:{sums}."
        )]
    );
    for link in [
        format!(
            "<link rel=\"alternate\" type=\"text/markdown\" href=\"/reports/{RID}/README.md\"/>"
        ),
        format!(
            "<link rel=\"enclosure\" type=\"application/zip\" href=\"/reports/{RID}/package.zip\"/>"
        ),
    ] {
        assert!(newest.contains(&link), "{link}: {newest}");
    }
    assert!(
        entries[1].contains("release platform-treatment-2026-Q2."),
        "{}",
        entries[1]
    );
    assert_eq!(all(entries[1], "updated"), ["2026-07-05T00:00:00Z"]);

    // The validator is not a rubber stamp: a feed without its id, or with a date that is no
    // date, is rejected, and for that reason.
    let no_id = xml.replacen(&format!("<id>{feed_id}</id>"), "", 1);
    let (valid, said) = jing(no_id.as_bytes());
    assert!(!valid, "jing accepted a feed without an id");
    assert!(said.contains("missing required element \"id\""), "{said}");
    let bad_date = xml.replacen(
        "<updated>2026-10-05T00:00:00Z</updated>",
        "<updated>2026-10-05 (Monday)</updated>",
        1,
    );
    let (valid, said) = jing(bad_date.as_bytes());
    assert!(!valid, "jing accepted a feed with no date");
    assert!(said.contains("must be an ISO date and time"), "{said}");
}

#[tokio::test]
async fn feed_entries_are_newest_first_with_stable_ids_one_per_release_of_every_survey() {
    let (dir, app, _) = published().await;
    // Another survey's later release, with a title that needs escaping and a character XML
    // cannot carry at all.
    let mut other = sample_release("market-fees-2026-Q4", "2026-Q4");
    other.survey_id = "market-fees".into();
    let mut package: serde_json::Value =
        serde_json::from_slice(&other.files["datapackage.json"]).unwrap();
    package["title"] = "Fees & <fines>\u{1} \"quoted\"".into();
    other.files.insert(
        "datapackage.json".into(),
        serde_json::to_vec(&package).unwrap(),
    );
    ReleaseStore::new(Folder::new(dir.path()))
        .publish(&other)
        .await
        .unwrap();

    let (_, _, first) = get(&app, "/reports/feed.xml", &[]).await;
    let (_, _, again) = get(&app, "/reports/feed.xml", &[]).await;
    assert_eq!(first, again, "the same bytes on every request");
    let (valid, said) = jing(&first);
    assert!(valid, "{said}");
    let xml = String::from_utf8(first).unwrap();
    let entries = entries(&xml);
    let ids: Vec<&str> = entries.iter().map(|e| all(e, "id")[0]).collect();
    assert_eq!(ids.len(), 3, "{xml}");
    let updated: Vec<&str> = entries.iter().map(|e| all(e, "updated")[0]).collect();
    assert_eq!(
        updated,
        [
            "2027-01-05T00:00:00Z",
            "2026-10-05T00:00:00Z",
            "2026-07-05T00:00:00Z"
        ],
        "newest first, across surveys"
    );
    assert!(
        entries[0].contains("<title>Fees &#38; &#60;fines&#62; &#34;quoted&#34;</title>"),
        "{}",
        entries[0]
    );
    assert!(entries[0].contains("<category term=\"market-fees\"/>"));
    assert!(entries[1].contains(&format!("release {RID}.")));
    for id in &ids {
        let uuid = id
            .strip_prefix("urn:uuid:")
            .unwrap_or_else(|| panic!("{id}"));
        assert_eq!(uuid.len(), 36, "{id}");
        assert_eq!(&uuid[14..15], "5", "a name-based (v5) UUID: {id}");
    }
    let mut distinct = ids.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 3, "one id per release: {ids:?}");

    // In Spanish: the titles the release has in Spanish, the same ids (the same entries).
    let (_, headers, body) = get(&app, "/reports/feed.xml?lang=es", &[]).await;
    assert_eq!(headers["content-language"], "es");
    let spanish = String::from_utf8(body).unwrap();
    assert!(spanish.contains("xml:lang=\"es\""));
    assert!(spanish.contains("<title>Canvass: nuevas publicaciones de las estadísticas</title>"));
    let spanish_entries = self::entries(&spanish);
    assert_eq!(
        all(spanish_entries[1], "title"),
        ["Cómo tratan las plataformas: 2026-Q3"]
    );
    let spanish_ids: Vec<&str> = spanish_entries.iter().map(|e| all(e, "id")[0]).collect();
    assert_eq!(spanish_ids, ids);
    let (_, _, body) = get(
        &app,
        "/reports/feed.xml",
        &[("accept-language", "fr-CH, fr;q=0.9")],
    )
    .await;
    assert!(String::from_utf8(body).unwrap().contains("xml:lang=\"fr\""));
}

#[tokio::test]
async fn an_empty_store_gives_a_valid_feed_with_no_entries() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(PublishState::new(Arc::new(ReleaseStore::new(Folder::new(
        dir.path(),
    )))));
    let (status, headers, body) = get(&app, "/reports/feed.xml", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers["content-type"],
        "application/atom+xml; charset=utf-8"
    );
    let (valid, said) = jing(&body);
    assert!(valid, "{said}");
    let xml = String::from_utf8(body).unwrap();
    assert!(entries(&xml).is_empty());
    assert_eq!(all(&xml, "updated"), ["1970-01-01T00:00:00Z"]);
    let (_, again, _) = get(&app, "/reports/feed.xml", &[]).await;
    assert_eq!(headers["etag"], again["etag"]);
    let (status, _, _) = get(
        &app,
        "/reports/feed.xml",
        &[("if-none-match", headers["etag"].to_str().unwrap())],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn the_page_offers_the_feed_and_an_embed_snippet_in_every_language() {
    let (_dir, app, _) = published().await;
    for (lang, feed, embed) in [
        ("en", "Follow new releases (Atom feed)", "Embed this chart"),
        (
            "es",
            "Seguir las nuevas publicaciones (feed Atom)",
            "Insertar este gráfico",
        ),
        (
            "fr",
            "Suivre les nouvelles publications (flux Atom)",
            "Intégrer ce graphique",
        ),
    ] {
        let (_, _, body) = get(&app, &format!("/reports?lang={lang}"), &[]).await;
        let html = String::from_utf8(body).unwrap();
        let head = html.split("</head>").next().unwrap();
        assert!(
            head.contains(&format!("<link rel=\"alternate\" type=\"application/atom+xml\" href=\"/reports/feed.xml?lang={lang}\" title=\"")),
            "{lang}: {head}"
        );
        assert!(
            html.contains(&format!(
                "<a href=\"/reports/feed.xml?lang={lang}\" type=\"application/atom+xml\">{feed}</a>"
            )),
            "{lang}"
        );
        assert!(
            html.contains(&format!("<summary>{embed}</summary>")),
            "{lang}"
        );
        // The snippet, shown as text (escaped once by the page, pasted as it reads).
        let snippet = format!("&#60;iframe src=&#34;/reports/{RID}/embed/suspended_12m&#34;");
        assert!(html.contains(&snippet), "{lang}: {html}");
        assert!(html.contains("readonly"), "{lang}");
        // A withheld cell links to the page's note on why; the embed page has no such note
        // to link to, and says it in place (the same table template, `numbers.html`).
        assert!(
            html.contains("<td colspan=\"2\"><a href=\"#suppression\">"),
            "{lang}: {html}"
        );
        let (_, _, body) = get(
            &app,
            &format!("/reports/{RID}/embed/suspended_12m?lang={lang}"),
            &[],
        )
        .await;
        let embed = String::from_utf8(body).unwrap();
        assert!(embed.contains("<table id=\"numbers\">"), "{lang}: {embed}");
        assert!(!embed.contains("href=\"#suppression\""), "{lang}: {embed}");
    }
    // Pasted into another site, the snippet must name this one: the host the page was
    // asked on, or the operator's public URL, which wins; the feed's links likewise.
    let (_, _, body) = get(&app, "/reports", &[("host", "stats.example.org")]).await;
    let html = String::from_utf8(body).unwrap();
    let absolute = format!(
        "&#60;iframe src=&#34;https://stats.example.org/reports/{RID}/embed/suspended_12m&#34;"
    );
    assert!(html.contains(&absolute), "{html}");
    let (_, _, body) = get(&app, "/reports/feed.xml", &[("host", "127.0.0.1:8080")]).await;
    let xml = String::from_utf8(body).unwrap();
    assert!(
        xml.contains(&format!(
            "<link rel=\"enclosure\" type=\"application/zip\" href=\"http://127.0.0.1:8080/reports/{RID}/"
        )),
        "{xml}"
    );
    assert!(
        xml.contains("href=\"http://127.0.0.1:8080/reports/feed.xml?lang=en\""),
        "{xml}"
    );
    let dir = tempfile::tempdir().unwrap();
    let configured = canvass_publish::app(PublishState {
        public_url: Some("https://coalition.example/".into()),
        ..PublishState::new(Arc::new(ReleaseStore::new(Folder::new(dir.path()))))
    });
    let (_, _, body) = get(
        &configured,
        "/reports/feed.xml",
        &[("host", "elsewhere.example")],
    )
    .await;
    let xml = String::from_utf8(body).unwrap();
    assert!(
        xml.contains("href=\"https://coalition.example/reports/feed.xml?lang=en\""),
        "{xml}"
    );
    let dir = tempfile::tempdir().unwrap();
    let empty = canvass_publish::app(PublishState::new(Arc::new(ReleaseStore::new(Folder::new(
        dir.path(),
    )))));
    let (_, _, body) = get(&empty, "/reports", &[]).await;
    assert!(
        String::from_utf8(body)
            .unwrap()
            .contains("Follow new releases (Atom feed)"),
        "before the first release too"
    );
}

fn csp(headers: &axum::http::HeaderMap) -> &str {
    headers["content-security-policy"].to_str().unwrap()
}

#[tokio::test]
async fn the_embed_page_may_be_framed_by_any_site_and_nothing_else_may() {
    let (_dir, app, release) = published().await;
    let embed = format!("/reports/{RID}/embed/suspended_12m");
    let (status, headers, body) = get(&app, &embed, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let policy = csp(&headers);
    assert!(policy.contains("frame-ancestors *;"), "{policy}");
    assert!(
        !policy.contains("'none'; base-uri")
            && policy.contains("default-src 'self'")
            && policy.contains("object-src 'none'"),
        "{policy}"
    );
    assert!(
        headers.get("x-frame-options").is_none(),
        "X-Frame-Options would forbid framing"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    let html = String::from_utf8(body).unwrap();
    let sums = sha(&release.files["SHA256SUMS"]);
    for expected in [
        "<h1 id=\"indicator-title\">Shop suspended in the last 12 months</h1>".to_owned(),
        format!(
            "<img src=\"/reports/{RID}/charts/suspended_12m.svg\" alt=\"Bar chart: share of sellers by main platform, with 95% intervals, for Shop suspended in the last 12 months. The numbers are in the table below.\""
        ),
        "<th scope=\"row\">All platforms</th>".to_owned(),
        "40.0\u{a0}%".to_owned(),
        "30.9\u{a0}% – 49.8\u{a0}%".to_owned(),
        "<td colspan=\"2\">Suppressed</td>".to_owned(),
        "(fewer than 30 answers: read with care)".to_owned(),
        "Suppressed: fewer than 10 sellers".to_owned(),
        format!(
            "Canvass seller coalition (2026). How platforms treat indie sellers [data set], release {RID}. Licence CC-BY-4.0. SHA256SUMS sha256:{sums}."
        ),
        format!("<a href=\"/reports/{RID}/package.zip\" target=\"_blank\" rel=\"noopener\">"),
    ] {
        assert!(html.contains(&expected), "{expected}: {html}");
    }
    assert!(!html.contains("<script"), "{html}");

    // The featured survey's newest release, and an earlier release of its own.
    let (status, headers, body) = get(&app, "/reports/latest/embed/suspended_12m", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(csp(&headers).contains("frame-ancestors *;"));
    assert!(headers.get("x-frame-options").is_none());
    assert!(
        String::from_utf8(body)
            .unwrap()
            .contains(&format!("release {RID}."))
    );
    let (status, _, body) = get(
        &app,
        "/reports/platform-treatment-2026-Q2/embed/suspended_12m",
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8(body).unwrap().contains("Wave 2026-Q2"));

    // Everything else keeps refusing to be framed, the fallback 404 included, and a release
    // file is still a release file beside the embed route.
    for uri in [
        "/reports".to_owned(),
        "/reports/".to_owned(),
        "/reports/index.json".to_owned(),
        "/reports/feed.xml".to_owned(),
        "/reports/assets/reports.css".to_owned(),
        format!("/reports/{RID}/indicators.csv"),
        format!("/reports/{RID}/charts/suspended_12m.svg"),
        "/reports/latest/indicators.csv".to_owned(),
        format!("/reports/{RID}/nope.csv"),
        "/nowhere".to_owned(),
    ] {
        let (status, headers, _) = get(&app, &uri, &[]).await;
        assert!(
            status == StatusCode::OK || status == StatusCode::NOT_FOUND,
            "{uri}: {status}"
        );
        assert_eq!(headers["x-frame-options"], "DENY", "{uri}");
        assert!(csp(&headers).contains("frame-ancestors 'none';"), "{uri}");
    }
    let (status, headers, body) = get(&app, &format!("/reports/{RID}/indicators.csv"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, release.files["indicators.csv"]);
    assert_eq!(
        headers["content-type"],
        "text/csv; charset=utf-8; header=present"
    );
}

#[tokio::test]
async fn the_embed_page_speaks_the_asked_language() {
    let (_dir, app, _) = published().await;
    let (_, headers, body) = get(
        &app,
        &format!("/reports/{RID}/embed/suspended_12m?lang=es"),
        &[],
    )
    .await;
    assert_eq!(headers["content-language"], "es");
    let html = String::from_utf8(body).unwrap();
    for spanish in [
        "<html lang=\"es\">",
        "<h1 id=\"indicator-title\">Tienda suspendida en los últimos 12 meses</h1>",
        "Cómo tratan las plataformas: 2026-Q3 · Oleada 2026-Q3",
        "<th scope=\"row\">Todas las plataformas</th>",
        "eBay &#60;script&#62; (es)",
        "<td colspan=\"2\">Suprimido</td>",
        "menos de 30 respuestas",
        "Plataforma principal",
        "Fuente:",
        "/reports/platform-treatment-2026-Q3/charts/es/suspended_12m.svg",
        "Las cifras están en la tabla de abajo.",
    ] {
        assert!(html.contains(spanish), "{spanish}: {html}");
    }
    assert!(
        !html.contains("All platforms") && !html.contains("Shop suspended"),
        "{html}"
    );
    let (_, _, body) = get(
        &app,
        &format!("/reports/{RID}/embed/suspended_12m"),
        &[("accept-language", "fr")],
    )
    .await;
    let html = String::from_utf8(body).unwrap();
    assert!(
        html.contains("<html lang=\"fr\">")
            && html.contains("Masqué")
            && html.contains("Plateforme principale"),
        "{html}"
    );
}

#[tokio::test]
async fn unknown_releases_and_indicators_have_no_embed_page() {
    let (_dir, app, _) = published().await;
    for uri in [
        "/reports/nope/embed/suspended_12m".to_owned(),
        format!("/reports/{RID}/embed/nope"),
        "/reports/latest/embed/nope".to_owned(),
        format!("/reports/{RID}/embed"),
        format!("/reports/{RID}/embed/suspended_12m/more"),
        "/reports/..%2Fsecret/embed/suspended_12m".to_owned(),
    ] {
        let (status, headers, body) = get(&app, &uri, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{uri}"
        );
        let error: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(error["error"], "not_found", "{uri}");
    }
    let dir = tempfile::tempdir().unwrap();
    let empty = canvass_publish::app(PublishState::new(Arc::new(ReleaseStore::new(Folder::new(
        dir.path(),
    )))));
    let (status, _, body) = get(&empty, "/reports/latest/embed/suspended_12m", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let error: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(error["error"], "nothing_published");
}

#[tokio::test]
async fn storage_down_is_a_503_with_the_operators_retry_after_and_no_internals() {
    // A release folder whose `latest.json` cannot be read (it is a folder: EISDIR, which
    // root cannot bypass the way it bypasses permissions).
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("not-a-folder");
    std::fs::create_dir_all(root.join("latest.json")).unwrap();
    let app = app(PublishState {
        retry_after_secs: 9,
        ..PublishState::new(Arc::new(ReleaseStore::new(Folder::new(&root))))
    });
    for uri in [
        "/reports",
        "/reports/index.json",
        "/reports/feed.xml",
        "/reports/latest/indicators.csv",
    ] {
        let (status, headers, body) = get(&app, uri, &[]).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{uri}");
        assert_eq!(headers["retry-after"], "9", "{uri}");
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error"], "storage_unavailable", "{uri}");
        let message = body["message"].as_str().unwrap();
        assert!(
            !message.contains("not-a-folder") && !message.to_lowercase().contains("directory"),
            "{uri}: {message}"
        );
    }
    // A 404 is not told to retry.
    let (status, headers, _) = get(&app, "/nope", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(headers.get("retry-after").is_none());
}
