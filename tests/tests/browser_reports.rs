//! The statistics page in a real headless Chromium, over a release the real pipeline built:
//! charts render, every download link returns a file whose sha256 matches datapackage.json,
//! and axe-core finds no accessibility violations.

use std::collections::BTreeMap;
use std::sync::Arc;

use canvass_core::intake::{Submission, prepare};
use canvass_core::releases::ReleaseStore;
use canvass_core::releases::folder::Folder;
use canvass_core::store::ResponseStore;
use canvass_pipeline::{Options, Outcome, Silent};
use canvass_publish::{PublishState, app};
use canvass_tests::browser::{Browser, exclusive};
use canvass_tests::harness::{Local, SURVEY, catalog, secret, valid_answers};
use serde_json::{Value, json};
use time::macros::{date, datetime};

/// 3 000 varied, valid responses over two closed quarters, through the same validation.
async fn seed(local: &Local) {
    let catalog = catalog();
    let platforms = ["etsy", "ebay", "shopify", "depop", "etsy", "etsy", "vinted"];
    let mut records = Vec::new();
    for i in 0..3_000u32 {
        let mut answers = valid_answers();
        let platform = platforms[(i % 7) as usize];
        answers["platforms"] = json!([platform]);
        answers["main_platform"] = json!(platform);
        answers["income_share"] = json!(i % 101);
        answers["fee_impact"] = json!(1 + i % 5);
        answers["pace_pressure"] = json!(1 + (i / 3) % 5);
        answers["collective_action"] = json!(["yes", "maybe", "no"][(i % 3) as usize]);
        if i % 4 == 0 {
            answers["suspended_12m"] = json!("no");
            let map = answers.as_object_mut().unwrap();
            map.remove("suspension_reason_clear");
            map.remove("suspension_outcome");
        }
        let raw: BTreeMap<String, Value> = serde_json::from_value(answers).unwrap();
        let submission = Submission {
            submission_id: uuid::Uuid::from_u128(
                0x4000_0000_0000_4000_8000_0000_0000_0000 | u128::from(i),
            ),
            survey_version: 1,
            answers: raw,
            pow_verified: i % 10 != 0,
        };
        let when = if i % 2 == 0 {
            datetime!(2026-02-11 12:00 UTC)
        } else {
            datetime!(2026-05-13 12:00 UTC)
        };
        records.push(prepare(&catalog, &secret(), SURVEY, &submission, when).unwrap());
    }
    local.store.put_many(&records).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_statistics_page_works_in_a_real_browser() {
    let _one = exclusive().await;
    let local = Local::new();
    seed(&local).await;
    let releases = Arc::new(ReleaseStore::new(Folder::new(
        local.dir.path().join("releases"),
    )));
    let options = Options {
        survey_id: SURVEY.into(),
        as_of: date!(2026 - 11 - 30),
    };
    let outcome = canvass_pipeline::run(
        local.store.as_ref(),
        &catalog(),
        releases.as_ref(),
        &options,
        &Silent,
    )
    .await
    .unwrap();
    let Outcome::Released { release_id, .. } = outcome else {
        panic!("no release: {outcome:?}")
    };

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = app(PublishState::new(releases.clone()));
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let browser = Browser::start(true).await;
    browser.goto(&format!("{base}/reports")).await;
    let title = browser.wait_for_title(|t| !t.is_empty()).await;
    assert!(title.contains("Published statistics"), "{title}");

    // Every chart is an SVG the browser decoded and drew.
    // Charts load lazily as they scroll into view: ask for each now and wait for it to decode.
    let charts = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             Promise.all(Array.from(document.querySelectorAll('img')).map(i => {
               i.loading = 'eager';
               return i.decode().then(() => [i.getAttribute('src'), i.naturalWidth > 0], () => [i.getAttribute('src'), false]);
             })).then(done);",
            vec![],
        )
        .await
        .unwrap();
    let charts = charts.as_array().unwrap();
    assert_eq!(
        charts.len(),
        8,
        "one chart per headline indicator: {charts:?}"
    );
    for chart in charts {
        assert_eq!(chart[1], true, "chart did not render: {chart}");
    }

    // Every download link, fetched by the page itself, matches the published checksum.
    let package: Value = serde_json::from_slice(
        &releases
            .read(&release_id, "datapackage.json")
            .await
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    let expected: BTreeMap<String, String> = package["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                format!("/reports/{release_id}/{}", r["path"].as_str().unwrap()),
                r["hash"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("sha256:")
                    .to_owned(),
            )
        })
        .collect();
    let fetched = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const links = Array.from(document.querySelectorAll('a[href$=\".csv\"]')).map(a => a.getAttribute('href'));
             Promise.all(links.map(async href => {
               const r = await fetch(href);
               const digest = await crypto.subtle.digest('SHA-256', await r.arrayBuffer());
               return [href, r.status, Array.from(new Uint8Array(digest)).map(b => b.toString(16).padStart(2, '0')).join('')];
             })).then(done).catch(e => done(String(e)));",
            vec![],
        )
        .await
        .unwrap();
    let fetched = fetched
        .as_array()
        .unwrap_or_else(|| panic!("fetch failed: {fetched}"));
    assert_eq!(
        fetched.len(),
        expected.len(),
        "a link for every table: {fetched:?}"
    );
    for item in fetched {
        let href = item[0].as_str().unwrap();
        assert_eq!(item[1], 200, "{href}");
        assert_eq!(
            Some(item[2].as_str().unwrap()),
            expected.get(href).map(String::as_str),
            "{href}"
        );
    }
    let zip_status = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const a = document.querySelector('a[href$=\"package.zip\"]');
             fetch(a.getAttribute('href')).then(r => done([r.status, r.headers.get('content-type')]));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(zip_status, json!([200, "application/zip"]));

    // On a 375 px phone nothing scrolls sideways, not the page, not a table, in any language.
    for lang in ["en", "es", "fr"] {
        browser.goto(&format!("{base}/reports?lang={lang}")).await;
        browser.wait_for_title(|t| !t.is_empty()).await;
        let overflowing = browser
            .client
            .execute(
                "const wide = Array.from(document.querySelectorAll('.scroll'))
                   .filter(e => e.scrollWidth > e.clientWidth)
                   .map(e => [e.getAttribute('aria-label'), e.clientWidth, e.scrollWidth]);
                 const page = document.documentElement;
                 if (page.scrollWidth > page.clientWidth) wide.push(['page', page.clientWidth, page.scrollWidth]);
                 return wide;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            overflowing,
            json!([]),
            "{lang}: wider than the screen at 375 px"
        );
    }
    // A reader in Spanish or French sees no English that comes from the data (every label
    // labels.csv gives in English and differently in their language), and every chart in
    // their language, as SVG and as a PNG that decodes at the stated size.
    let labels = String::from_utf8(
        releases
            .read(&release_id, "labels.csv")
            .await
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    let label = |scope: &str, value: &str, lang: &str| {
        labels.lines().find_map(|line| {
            let mut cells = line.splitn(4, ',');
            let key = (cells.next()?, cells.next()?, cells.next()?);
            (key == (scope, value, lang)).then(|| cells.next().unwrap_or("").trim().to_owned())
        })
    };
    for lang in ["es", "fr"] {
        browser.goto(&format!("{base}/reports?lang={lang}")).await;
        browser.wait_for_title(|t| !t.is_empty()).await;
        // textContent, not the visible text: folded sections count too.
        let text = browser
            .client
            .execute("return document.body.textContent;", vec![])
            .await
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned();
        let mut checked = 0;
        for line in labels.lines().skip(1) {
            let cells: Vec<&str> = line.splitn(4, ',').collect();
            let [scope, value, "en", english] = cells[..] else {
                continue;
            };
            if !["indicator", "main_platform"].contains(&scope) {
                continue;
            }
            // The page names a platform by the part of its label before any parenthesis (the
            // CSV quotes a label with a comma).
            let short = |l: &str| {
                let l = l.trim_matches('"');
                l.split(" (").next().unwrap_or(l).trim().to_owned()
            };
            let english = short(english);
            let english = english.as_str();
            let translated = short(&label(scope, value, lang).unwrap_or_default());
            if translated != english && !translated.contains(english) {
                assert!(
                    !text.contains(english),
                    "{lang}: English `{english}` ({scope} {value}) on the page"
                );
                assert!(text.contains(&translated), "{lang}: `{translated}` missing");
                checked += 1;
            }
        }
        assert!(
            checked >= 5,
            "{lang}: only {checked} labels differ from English"
        );
        let sizes = browser
            .client
            .execute_async(
                "const [lang, id] = arguments;
                 const done = arguments[arguments.length - 1];
                 const svgs = Array.from(document.querySelectorAll('img[src$=\".svg\"]')).map(i => i.getAttribute('src'));
                 const pngs = svgs.map(s => s.replace(/\\.svg$/, '.png')).concat([`/reports/${id}/charts/${lang}/share.png`]);
                 Promise.all(pngs.map(src => { const i = new Image(); i.src = src;
                   return i.decode().then(() => [src, i.naturalWidth, i.naturalHeight], () => [src, 0, 0]); }))
                   .then(all => done([svgs, all]));",
                vec![json!(lang), json!(release_id)],
            )
            .await
            .unwrap();
        let svgs = sizes[0].as_array().unwrap();
        assert_eq!(svgs.len(), 8, "{lang}: {sizes}");
        for svg in svgs {
            assert!(
                svg.as_str()
                    .unwrap()
                    .starts_with(&format!("/reports/{release_id}/charts/{lang}/")),
                "{lang}: {svg}"
            );
        }
        let pngs = sizes[1].as_array().unwrap();
        assert_eq!(pngs.len(), 9);
        for png in &pngs[..8] {
            assert_eq!(png[1], 1280, "{lang}: {png}");
            assert!(png[2].as_u64().unwrap() > 300, "{lang}: {png}");
        }
        assert_eq!(
            pngs[8].as_array().unwrap()[1..],
            [json!(1200), json!(630)],
            "{lang}: share image"
        );
        // The methodology the page links is the release README in the reader's language:
        // none of the English README's headings, and the citation in their words.
        let readme = browser
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 const a = Array.from(document.querySelectorAll('a')).find(a => /README/.test(a.getAttribute('href')));
                 fetch(a.getAttribute('href')).then(r => r.text()).then(t => done([a.getAttribute('href'), a.parentElement.textContent, t]));",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            readme[0],
            json!(format!("/reports/{release_id}/README.{lang}.md")),
            "{lang}"
        );
        let link_text = readme[1].as_str().unwrap();
        assert!(!link_text.contains("README.md"), "{lang}: {link_text}");
        let english = String::from_utf8(
            releases
                .read(&release_id, "README.md")
                .await
                .unwrap()
                .unwrap(),
        )
        .unwrap();
        let translated = readme[2].as_str().unwrap();
        let headings: Vec<&str> = english.lines().filter(|l| l.starts_with('#')).collect();
        assert!(headings.len() >= 8, "{headings:?}");
        for heading in headings {
            assert!(
                !translated.contains(heading),
                "{lang}: `{heading}` in English"
            );
        }
        let cite = if lang == "es" {
            "[conjunto de datos]"
        } else {
            "[jeu de données]"
        };
        assert!(text.contains(cite), "{lang}: the citation is not in {lang}");
    }

    browser.goto(&format!("{base}/reports")).await;
    browser.wait_for_title(|t| !t.is_empty()).await;

    let violations = browser.axe_violations().await;
    assert!(violations.is_empty(), "axe-core: {violations:#?}");
    let artifact = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target/test-artifacts/reports-375px.png");
    assert_eq!(browser.screenshot(&artifact).await, 375);
    // And one with the first indicator's table in view, to look at.
    browser
        .client
        .execute(
            "document.querySelector('.scroll').scrollIntoView();",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        browser
            .screenshot(&artifact.with_file_name("reports-375px-table.png"))
            .await,
        375
    );
    browser.quit().await;
}
