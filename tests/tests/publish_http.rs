//! The publish Router in-process over a folder of releases: the page, the catalogue, and
//! downloads with the right headers, ETags, 304s and refusals.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use canvass_core::releases::folder::Folder;
use canvass_core::releases::{Release, ReleaseStore};
use canvass_publish::{PublishState, app};
use http_body_util::BodyExt;
use sha2::{Digest, Sha256};
use tower::ServiceExt;

const RID: &str = "platform-treatment-2026-Q3";

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A small but complete release in the pipeline's format.
fn sample_release(id: &str, wave: &str) -> Release {
    let indicators = format!(
        "wave,main_platform,indicator,count,n,share,ci_low,ci_high,status\r\n\
         {wave},all,suspended_12m,40,100,0.4000,0.3094,0.4980,ok\r\n\
         {wave},etsy,suspended_12m,,,,,,suppressed\r\n\
         {wave},ebay,suspended_12m,12,25,0.4800,0.3000,0.6650,low_reliability\r\n"
    );
    let answers = "wave,main_platform,question_id,option_id,option_label,count,n,share,ci_low,ci_high,status\r\n\
        2026-Q3,all,platforms,etsy,Etsy,60,100,0.6000,0.5020,0.6906,ok\r\n\
        2026-Q3,all,platforms,ebay,eBay <script>,40,100,0.4000,0.3094,0.4980,ok\r\n";
    let respondents = format!("wave,main_platform,n,status\r\n{wave},all,100,ok\r\n");
    let chart = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>";
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    files.insert("indicators.csv".into(), indicators.into_bytes());
    files.insert("answers.csv".into(), answers.as_bytes().to_vec());
    files.insert("respondents.csv".into(), respondents.into_bytes());
    files.insert("charts/suspended_12m.svg".into(), chart.as_bytes().to_vec());
    files.insert("README.md".into(), b"# Methodology\n".to_vec());
    files.insert(
        "charts/es/suspended_12m.svg".into(),
        chart.replace("10", "11").into_bytes(),
    );
    let labels = format!(
        "scope,value,lang,label\r\n\
         indicator,suspended_12m,en,Shop suspended in the last 12 months\r\n\
         indicator,suspended_12m,es,Tienda suspendida en los últimos 12 meses\r\n\
         main_platform,all,es,Todas las plataformas\r\n\
         main_platform,ebay,es,eBay <script> (es)\r\n\
         release,{id},es,Cómo tratan las plataformas: {wave}\r\n\
         table,indicators,es,Indicadores por plataforma\r\n"
    );
    files.insert("labels.csv".into(), labels.into_bytes());
    let resources: Vec<serde_json::Value> = ["respondents", "answers", "indicators"]
        .iter()
        .map(|name| {
            let bytes = &files[&format!("{name}.csv")];
            let mut r = serde_json::json!({
                "name": name, "path": format!("{name}.csv"), "title": format!("The {name} table"),
                "bytes": bytes.len(), "hash": format!("sha256:{}", sha(bytes)),
            });
            if *name == "indicators" {
                r["schema"] = serde_json::json!({"fields": [{"name": "indicator", "type": "string",
                    "categories": [{"value": "suspended_12m", "label": "Shop suspended in the last 12 months"}]}]});
            }
            r
        })
        .collect();
    let package = serde_json::json!({
        "name": id, "title": "How platforms treat indie sellers", "version": "1.0.0",
        "created": "2026-10-05T00:00:00Z",
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/", "title": "Creative Commons Attribution 4.0 International"}],
        "resources": resources,
    });
    files.insert(
        "datapackage.json".into(),
        serde_json::to_vec_pretty(&package).unwrap(),
    );
    let sums: String = files
        .iter()
        .map(|(name, bytes)| format!("{}  {name}\n", sha(bytes)))
        .collect();
    // The citation comes after SHA256SUMS, as the pipeline writes it.
    files.insert(
        "CITATION.cff".into(),
        format!(
            "cff-version: 1.2.0\nidentifiers:\n- type: other\n  value: sha256:{}\n",
            sha(sums.as_bytes())
        )
        .into_bytes(),
    );
    files.insert("SHA256SUMS".into(), sums.into_bytes());
    Release {
        id: id.into(),
        survey_id: "platform-treatment".into(),
        wave: wave.into(),
        files,
    }
}

async fn published() -> (tempfile::TempDir, Router, Release) {
    let dir = tempfile::tempdir().unwrap();
    let store = ReleaseStore::new(Folder::new(dir.path()));
    store
        .publish(&sample_release("platform-treatment-2026-Q2", "2026-Q2"))
        .await
        .unwrap();
    let release = sample_release(RID, "2026-Q3");
    store.publish(&release).await.unwrap();
    let router = app(PublishState {
        releases: Arc::new(store),
        featured_survey: None,
    });
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
        html.contains("40.0\u{a0}%") && html.contains("30.9\u{a0}% – 49.8\u{a0}%"),
        "share and interval"
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
    let app = app(PublishState {
        releases: Arc::new(ReleaseStore::new(Folder::new(dir.path()))),
        featured_survey: None,
    });
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
