//! The HTML survey form in-process over a real SQLite file: headers, languages, skip logic
//! without JavaScript, errors with every answer kept, escaping, and the abuse controls
//! (proof of work, honeypot, rate limit). The same form in a real browser is in
//! `browser_form.rs`.

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode};
use canvass_core::ids::Secret;
use canvass_core::pow::{self, Difficulty, PowKey, Solution};
use canvass_core::ratelimit::RateLimit;
use canvass_core::record::ResponseRecord;
use canvass_core::store::{Listed, ResponseStore, unix_now};
use canvass_ingest::IngestConfig;
use canvass_tests::harness::{Local, SURVEY, post_json, secret, send};
use futures::TryStreamExt;
use serde_json::{Value, json};

const FORM: &str = "/s/platform-treatment";
const POST: &str = "/surveys/platform-treatment/responses";

fn get(path: &str, accept_language: Option<&str>) -> Request<Body> {
    let mut request = Request::get(path);
    if let Some(langs) = accept_language {
        request = request.header("accept-language", langs);
    }
    request.body(Body::empty()).unwrap()
}

fn form_post(fields: &[(&str, &str)]) -> Request<Body> {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    Request::post(POST)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap()
}

fn from(request: Request<Body>, address: &str) -> Request<Body> {
    let mut request = request;
    let peer = SocketAddr::new(address.parse().unwrap(), 40000);
    request.extensions_mut().insert(ConnectInfo(peer));
    request
}

async fn page(app: &Router, request: Request<Body>) -> (StatusCode, HeaderMap, String) {
    let (status, headers, body) = send(app, request).await;
    let text = match body {
        Value::String(text) => text,
        other => other.to_string(),
    };
    (status, headers, text)
}

/// The `value` of the hidden field `name` in a page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in:\n{html}"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// The opening tag of the element with `id`.
fn tag<'a>(html: &'a str, id: &str) -> &'a str {
    let marker = format!("id=\"{id}\"");
    let at = html.find(&marker).unwrap_or_else(|| panic!("no #{id}"));
    let open = html[..at].rfind('<').unwrap();
    let close = at + html[at..].find('>').unwrap();
    &html[open..=close]
}

fn machinery<'a>(submission: &'a str, page: &'a str, mode: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("_submission", submission),
        ("_version", "1"),
        ("_page", page),
        ("_mode", mode),
        ("_lang", "en"),
        ("_pow", ""),
        ("_website", ""),
    ]
}

const PART_ONE: [(&str, &str); 8] = [
    ("platforms", "etsy"),
    ("platforms", "ebay"),
    ("main_platform", "etsy"),
    ("years_selling", "y3_5"),
    ("category", "jewellery"),
    ("country", "MX"),
    ("income_share", "60"),
    ("suspended_12m", "no"),
];

const PART_THREE: [(&str, &str); 5] = [
    ("fee_impact", "4"),
    ("support_rating", "2"),
    ("arbitration_aware", "unsure"),
    ("pace_pressure", "5"),
    ("collective_action", "yes"),
];

/// Every answer of a complete response, on one page (as the script sends it).
fn whole(submission: &str) -> Vec<(&str, &str)> {
    let mut fields = machinery(submission, "0", "one");
    fields.extend(PART_ONE);
    fields.push(("payout_held_12m", "yes"));
    fields.push(("payout_held_days", "30"));
    fields.push(("payout_held_amount", "usd_500_1999"));
    fields.extend(PART_THREE);
    fields
}

async fn stored(local: &Local) -> Vec<ResponseRecord> {
    let pages: Vec<Vec<Listed>> = local.store.list(SURVEY).try_collect().await.unwrap();
    pages
        .into_iter()
        .flatten()
        .map(|item| match item {
            Listed::Response(record) => record,
            other => panic!("{other:?}"),
        })
        .collect()
}

fn app_with(local: &Local, config: IngestConfig) -> Router {
    local.app_with(config)
}

#[tokio::test]
async fn the_form_page_is_strict_about_headers_and_speaks_the_asked_language() {
    let app = Local::new().app();
    let (status, headers, html) = page(&app, get(FORM, None)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.starts_with("default-src 'self'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"));
    assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    // Kept by the seller's own browser for Back and Forward only, never by a shared cache.
    assert_eq!(headers["cache-control"], "private, no-cache");
    assert!(headers.get("set-cookie").is_none());
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    // Part 1 shows where the seller is and the intro; the heading does not steal the focus
    // on arrival.
    assert!(html.contains(
        "<h1 id=\"form-heading\"><span class=\"progress\" data-part>Part 1 of 4<span class=\"vh\"> – </span></span>How platforms treat indie sellers</h1>"
    ));
    assert!(html.contains("<p class=\"intro\">This survey is anonymous"));
    assert!(!html.contains("<style") && !html.contains(" style=") && !html.contains("<script>"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "nothing from elsewhere"
    );
    assert!(html.contains("<title>How platforms treat indie sellers</title>"));
    assert!(html.contains(
        "href=\"/s/platform-treatment?lang=es\" hreflang=\"es\" lang=\"es\">Español</a>"
    ));
    let submission = hidden(&html, "_submission");
    assert_eq!(
        uuid::Uuid::parse_str(&submission)
            .unwrap()
            .get_version_num(),
        4
    );
    let (_, _, again) = page(&app, get(FORM, None)).await;
    assert_ne!(
        hidden(&again, "_submission"),
        submission,
        "a fresh id per rendering"
    );

    let (_, headers, html) = page(&app, get(FORM, Some("es-MX,es;q=0.9,en;q=0.5"))).await;
    assert_eq!(headers["content-language"], "es");
    assert!(html.contains("<html lang=\"es\">"));
    assert!(html.contains("Cómo tratan las plataformas"));
    assert!(html.contains(">Continuar</button>"));
    let (_, _, html) = page(&app, get(&format!("{FORM}?lang=fr"), Some("es"))).await;
    assert!(html.contains("<html lang=\"fr\">") && html.contains("Sur quelles plateformes"));

    // Every control has a label; every choice group is a fieldset with a legend.
    assert_eq!(
        html.matches("<fieldset").count(),
        html.matches("<legend").count()
    );
    for id in [
        "q-income_share",
        "q-country",
        "q-platforms-etsy",
        "q-fee_impact-5",
    ] {
        assert!(html.contains(&format!("for=\"{id}\"")), "{id} has a label");
    }

    let (status, _, html) = page(&app, get("/s/nope?lang=es", None)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Encuesta no encontrada"));
}

#[tokio::test]
async fn the_page_with_its_files_weighs_under_50_kilobytes() {
    let app = Local::new().app();
    for lang in ["en", "es", "fr"] {
        let (_, _, html) = page(&app, get(&format!("{FORM}?lang={lang}"), None)).await;
        let mut total = html.len();
        let urls: Vec<String> = [
            "href=\"/static/",
            "src=\"/static/",
            "data-worker=\"/static/",
        ]
        .iter()
        .map(|attr| {
            let start = html.find(attr).unwrap() + attr.len() - "/static/".len();
            html[start..].split('"').next().unwrap().to_owned()
        })
        .collect();
        for url in &urls {
            let (status, headers, body) = page(&app, get(url, None)).await;
            assert_eq!(status, StatusCode::OK, "{url}");
            assert_eq!(
                headers["cache-control"],
                "public, max-age=31536000, immutable"
            );
            assert_eq!(headers["x-content-type-options"], "nosniff");
            let kind = headers["content-type"].to_str().unwrap();
            assert!(
                kind.starts_with("text/css") || kind.starts_with("text/javascript"),
                "{kind}"
            );
            total += body.len();
        }
        assert!(total < 50 * 1024, "{lang}: {total} bytes");
        println!("{lang}: the form page with its files weighs {total} bytes");
    }
    let (status, _, _) = page(&app, get("/static/form.000000000000.css", None)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn without_javascript_skip_logic_goes_part_by_part_and_stores_once() {
    let local = Local::new();
    let app = local.app();
    let (_, _, html) = page(&app, get(FORM, None)).await;
    let submission = hidden(&html, "_submission");
    assert!(tag(&html, "question-suspension_reason_clear").contains(" hidden"));

    // Part 1 asks only for the platforms: part 2 offers the main platform among them.
    let mut fields = machinery(&submission, "0", "pages");
    fields.extend(&PART_ONE[..2]);
    let (status, _, html) = page(&app, form_post(&fields)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(hidden(&html, "_page"), "1");
    // The new part says where the seller is, first, and takes the focus; no intro again.
    assert!(html.contains("<title>Part 2 of 4 – How platforms treat indie sellers</title>"));
    assert!(html.contains(
        "<h1 id=\"form-heading\" class=\"later\" tabindex=\"-1\" autofocus><span class=\"progress\" data-part>Part 2 of 4<"
    ));
    assert!(!html.contains("class=\"intro\""));
    assert_eq!(html.matches("autofocus").count(), 1);
    assert!(html.contains("id=\"q-main_platform-etsy\""));
    assert!(html.contains("id=\"q-main_platform-ebay\""));
    assert!(
        !html.contains("id=\"q-main_platform-depop\""),
        "not a platform given"
    );
    assert_eq!(html.matches("name=\"main_platform\"").count(), 2);

    // Part 2 answered "not suspended": part 3 asks only about payouts.
    let mut fields = machinery(&submission, "1", "pages");
    fields.extend(PART_ONE);
    let (status, _, html) = page(&app, form_post(&fields)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(hidden(&html, "_page"), "2");
    assert!(html.contains("<title>Part 3 of 4 – How platforms treat indie sellers</title>"));
    assert!(tag(&html, "question-suspension_reason_clear").contains(" hidden"));
    assert!(tag(&html, "q-suspension_outcome-waiting").contains(" disabled"));
    assert!(!tag(&html, "question-payout_held_12m").contains(" hidden"));
    assert!(
        html.contains("name=\"suspended_12m\" value=\"no\""),
        "part 2 travels along"
    );
    assert!(html.contains(">Back</button>"));

    // Part 3 "payouts held": part 4 asks for how long.
    let mut fields = machinery(&submission, "2", "pages");
    fields.extend(PART_ONE);
    fields.push(("payout_held_12m", "yes"));
    let (status, _, html) = page(&app, form_post(&fields)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(hidden(&html, "_page"), "3");
    assert!(!tag(&html, "question-payout_held_days").contains(" hidden"));
    assert!(html.contains(">Send my answers</button>"));

    let mut fields = machinery(&submission, "3", "pages");
    fields.extend(PART_ONE);
    fields.extend([
        ("payout_held_12m", "yes"),
        ("payout_held_days", "30"),
        ("payout_held_amount", "usd_500_1999"),
    ]);
    fields.extend(PART_THREE);
    let (status, headers, _) = page(&app, form_post(&fields)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], "/s/platform-treatment/thanks?lang=en");
    // A double click or a re-post stores nothing more.
    let (status, _, _) = page(&app, form_post(&fields)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let records = stored(&local).await;
    assert_eq!(records.len(), 1);
    assert!(!records[0].pow_verified, "no JavaScript, no proof of work");
    assert_eq!(records[0].answers.len(), 15);

    let (status, _, html) = page(&app, get("/s/platform-treatment/thanks?lang=es", None)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Gracias</h1>"));
}

#[tokio::test]
async fn back_and_the_language_switch_keep_every_answer() {
    let local = Local::new();
    let app = local.app();
    let submission = uuid::Uuid::new_v4().to_string();
    let mut fields = machinery(&submission, "2", "pages");
    fields.extend(PART_ONE);
    fields.push(("payout_held_12m", "no"));
    fields.push(("_go", "back"));
    let (status, _, html) = page(&app, form_post(&fields)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(hidden(&html, "_page"), "1");
    assert!(
        html.contains("name=\"platforms\" value=\"ebay\""),
        "part 1 travels along"
    );
    assert!(tag(&html, "q-main_platform-etsy").contains(" checked"));
    assert!(tag(&html, "q-income_share").contains("value=\"60\""));
    assert!(
        tag(&html, "q-payout_held_12m-no").contains(" checked"),
        "later answers stay too"
    );

    // The switch posts the answers and the chosen language; nothing is checked.
    let mut fields: Vec<(&str, &str)> = vec![
        ("_lang", "fr"),
        ("_submission", &submission),
        ("_version", "1"),
        ("_page", "1"),
        ("_mode", "pages"),
        ("_go", "stay"),
    ];
    fields.extend(PART_ONE);
    fields.push(("income_share", "not yet"));
    let (status, headers, html) = page(&app, form_post(&fields)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-language"], "fr");
    assert!(html.contains("<html lang=\"fr\">"));
    assert!(!html.contains("error-summary"));
    assert!(html.contains("<option value=\"MX\" selected>Mexique</option>"));
    assert_eq!(hidden(&html, "_submission"), submission);
    assert_eq!(local.count_rows(), 0);
}

#[tokio::test]
async fn problems_come_back_summarised_tied_to_fields_with_every_answer_kept() {
    let local = Local::new();
    let app = local.app();
    let submission = uuid::Uuid::new_v4().to_string();
    let mut fields: Vec<(&str, &str)> = whole(&submission)
        .into_iter()
        .filter(|(name, _)| *name != "fee_impact" && *name != "income_share")
        .collect();
    fields.push(("income_share", "sixty"));
    let (status, _, html) = page(&app, form_post(&fields)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Both problems are ones the stylesheet sees put right from the controls (`.clears`):
    // the title stays the page's own, so that it is not stale when Back shows it again.
    assert!(html.contains("<title>How platforms treat indie sellers</title>"));
    assert!(tag(&html, "question-income_share").contains("class=\"q q-error clears\""));
    assert!(tag(&html, "question-fee_impact").contains("class=\"q q-error clears\""));
    assert!(!html.contains("error-summary lasting"));
    let summary = tag(&html, "error-summary-title");
    assert!(summary.starts_with("<h2"));
    assert!(html.contains("role=\"alert\" tabindex=\"-1\" autofocus"));
    assert!(html.contains("<a href=\"#q-income_share\">"));
    assert!(html.contains("<a href=\"#q-fee_impact-1\">"));
    assert!(html.contains("Enter a whole number between 0 and 100."));
    let input = tag(&html, "q-income_share");
    assert!(input.contains("value=\"sixty\"") && input.contains(" required"));
    assert!(input.contains(r#"pattern="\s*(?:\+?0*(?:\d|[1-9]\d|100)|-0+)\s*""#));
    assert!(
        !input.contains("aria-invalid"),
        "it would stay when put right"
    );
    assert!(tag(&html, "q-fee_impact-1").contains(" required"));
    assert!(input.contains(
        "aria-describedby=\"q-income_share-hint q-income_share-error q-income_share-unit\""
    ));
    assert!(tag(&html, "q-fee_impact-error").contains("class=\"error-slot\""));
    // Every other answer is still there.
    assert!(tag(&html, "q-platforms-ebay").contains(" checked"));
    assert!(tag(&html, "q-payout_held_days").contains("value=\"30\""));
    assert!(tag(&html, "q-collective_action-yes").contains(" checked"));
    assert!(html.contains("<option value=\"MX\" selected>"));
    assert_eq!(hidden(&html, "_submission"), submission);
    assert_eq!(hidden(&html, "_mode"), "one");

    // In Spanish, with the message in Spanish.
    fields.retain(|(name, _)| *name != "_lang");
    fields.push(("_lang", "es"));
    let (_, _, html) = page(&app, form_post(&fields)).await;
    assert!(html.contains("<title>Cómo tratan"));
    assert!(html.contains("Escriba un número entero entre 0 y 100."));
    assert!(html.contains("Hay un problema"));
    assert_eq!(local.count_rows(), 0);
}

#[tokio::test]
async fn injected_markup_and_fields_are_never_echoed_unescaped() {
    let local = Local::new();
    let app = local.app();
    let submission = uuid::Uuid::new_v4().to_string();
    let mut fields = whole(&submission);
    fields.retain(|(name, _)| *name != "income_share" && *name != "main_platform");
    fields.push(("income_share", "\"><script>alert(1)</script>"));
    fields.push(("main_platform", "<img src=x onerror=alert(2)>"));
    fields.push(("<b>shop</b>", "<i>x</i>"));
    let (status, _, html) = page(&app, form_post(&fields)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for raw in ["<script>alert", "<img src=x", "<b>shop", "<i>x"] {
        assert!(!html.contains(raw), "`{raw}` echoed:\n{html}");
    }
    assert!(html.contains("value=\"&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;\""));
    // A choice the survey does not offer cannot be seen put right from the controls: it
    // keeps "Error:" in the title, `aria-invalid` and the summary until the next send.
    assert!(html.contains("<title>Error: How platforms treat"));
    assert!(tag(&html, "question-main_platform").contains("class=\"q q-error\""));
    assert!(tag(&html, "q-main_platform-etsy").contains("aria-invalid=\"true\""));
    assert!(html.contains("class=\"error-summary lasting\""));
    assert!(html.contains("«&#60;b&#62;shop&#60;/b&#62;»"));

    // The form's own names too, and oversized bodies.
    let mut fields = whole(&submission);
    fields.push(("_<script>", "1"));
    let (status, _, html) = page(&app, form_post(&fields)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!html.contains("<script>") && html.contains("«_&#60;script&#62;»"));
    let big = "9".repeat(20_000);
    let mut fields = whole(&submission);
    fields.push(("income_share", &big));
    let (status, headers, html) = page(&app, form_post(&fields)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(html.contains("could not be read"));
    assert_eq!(local.count_rows(), 0);
}

#[tokio::test]
async fn a_filled_honeypot_stores_nothing_and_says_why() {
    let local = Local::new();
    let app = local.app();
    let submission = uuid::Uuid::new_v4().to_string();
    let mut fields = whole(&submission);
    fields.retain(|(name, _)| *name != "_website");
    fields.push(("_website", "http://spam.example/"));
    let (status, _, html) = page(&app, form_post(&fields)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("A field meant to stay empty was filled in"));
    assert!(!html.contains("spam.example"), "the trap is empty again");
    assert!(tag(&html, "q-platforms-etsy").contains(" checked"));
    assert_eq!(local.count_rows(), 0);
}

fn key() -> PowKey {
    PowKey::from_secret(&secret())
}

#[tokio::test]
async fn a_solved_challenge_verifies_once_and_forgeries_are_refused() {
    let local = Local::new();
    let app = app_with(
        &local,
        IngestConfig {
            pow: Difficulty {
                max_number: 5_000,
                ttl_secs: 600,
            },
            ..IngestConfig::default()
        },
    );
    let (status, headers, challenge) =
        send(&app, get("/surveys/platform-treatment/challenge", None)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["cache-control"], "no-store");
    for field in ["algorithm", "challenge", "salt", "signature", "maxnumber"] {
        assert!(challenge.get(field).is_some(), "{field} in {challenge}");
    }
    assert_eq!(challenge["algorithm"], "SHA-256");
    assert_eq!(challenge["maxnumber"], 5_000);
    let challenge: pow::Challenge = serde_json::from_value(challenge).unwrap();
    let solution = pow::solve(&challenge).unwrap();
    let payload = solution.to_payload();

    let first = uuid::Uuid::new_v4().to_string();
    let with_pow = |submission: &str, payload: &str| {
        let mut fields: Vec<(String, String)> = whole(submission)
            .into_iter()
            .filter(|(name, _)| *name != "_pow")
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        fields.push(("_pow".into(), payload.to_owned()));
        let borrowed: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        form_post(&borrowed)
    };
    let (status, _, _) = page(&app, with_pow(&first, &payload)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // The same submission sent again (a double click) is answered alike and stored once.
    // Another submission with the same solution is answered alike too (the reply must not
    // tell whether a challenge, or a submission id, was used), but it verifies nothing:
    // single use holds, and it is stored unverified.
    let (status, _, _) = page(&app, with_pow(&first, &payload)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let second = uuid::Uuid::new_v4().to_string();
    let (status, _, _) = page(&app, with_pow(&second, &payload)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let records = stored(&local).await;
    assert_eq!(records.len(), 2);
    let verified_of = |sub: &str| {
        let id = secret().response_id(SURVEY, uuid::Uuid::parse_str(sub).unwrap());
        records
            .iter()
            .find(|r| r.response_id == id.as_str())
            .map(|r| r.pow_verified)
    };
    assert_eq!(verified_of(&first), Some(true));
    assert_eq!(
        verified_of(&second),
        Some(false),
        "a replayed challenge verifies nothing"
    );

    let forged: Vec<(StatusCode, &str, String)> = vec![
        (
            StatusCode::FORBIDDEN,
            "did not pass",
            Solution {
                signature: "00".repeat(32),
                ..solution.clone()
            }
            .to_payload(),
        ),
        (
            StatusCode::FORBIDDEN,
            "did not pass",
            Solution {
                number: solution.number + 1,
                ..solution.clone()
            }
            .to_payload(),
        ),
        (
            StatusCode::FORBIDDEN,
            "did not pass",
            pow::solve(&pow::issue(
                &PowKey::from_secret(&Secret::new(vec![3; 32]).unwrap()),
                Difficulty {
                    max_number: 50,
                    ttl_secs: 600,
                },
                unix_now(),
            ))
            .unwrap()
            .to_payload(),
        ),
        (
            StatusCode::FORBIDDEN,
            "expired",
            pow::solve(&pow::issue(
                &key(),
                Difficulty {
                    max_number: 50,
                    ttl_secs: 600,
                },
                unix_now() - 601,
            ))
            .unwrap()
            .to_payload(),
        ),
        (
            StatusCode::BAD_REQUEST,
            "did not pass",
            "bm90IGpzb24=".to_owned(),
        ),
        (
            StatusCode::BAD_REQUEST,
            "did not pass",
            Solution {
                algorithm: "SHA-1".into(),
                ..solution.clone()
            }
            .to_payload(),
        ),
    ];
    for (expected, message, payload) in forged {
        let (status, _, html) =
            page(&app, with_pow(&uuid::Uuid::new_v4().to_string(), &payload)).await;
        assert_eq!(status, expected, "{payload}");
        assert!(html.contains(message), "{message}: {html}");
        assert!(
            tag(&html, "q-platforms-etsy").contains(" checked"),
            "answers kept"
        );
    }
    assert_eq!(local.count_rows(), 2, "no refused payload stored anything");

    let (status, _, body) = send(&app, get("/surveys/nope/challenge", None)).await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::NOT_FOUND, &json!("unknown_survey"))
    );
}

#[tokio::test]
async fn the_rate_limit_answers_429_and_keeps_no_address() {
    let local = Local::new();
    let app = app_with(
        &local,
        IngestConfig {
            rate_limit: RateLimit { per_hour: 2 },
            ..IngestConfig::default()
        },
    );
    let json_body = canvass_tests::harness::submission(
        "3f1c9a2e-8b4d-4c1e-9f6a-2d7e5b8c0a14",
        canvass_tests::harness::valid_answers(),
    )
    .to_string();
    for expected in [StatusCode::CREATED, StatusCode::CREATED] {
        let (status, _, _) =
            send(&app, from(post_json(POST, json_body.clone()), "192.0.2.7")).await;
        assert_eq!(status, expected);
    }
    let (status, headers, body) =
        send(&app, from(post_json(POST, json_body.clone()), "192.0.2.7")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["error"], "rate_limited");
    let wait: u32 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=3600).contains(&wait));

    // A form gets a friendly page in its language, answers kept.
    let submission = uuid::Uuid::new_v4().to_string();
    let mut fields = whole(&submission);
    fields.retain(|(name, _)| *name != "_lang");
    fields.push(("_lang", "es"));
    let (status, headers, html) = page(&app, from(form_post(&fields), "192.0.2.7")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(headers.contains_key("retry-after"));
    assert!(html.contains("Se han enviado muchas respuestas desde su red"));
    assert!(tag(&html, "q-platforms-etsy").contains(" checked"));

    // An IPv4 neighbour in the same /24 is counted with it; another network is not.
    let (status, _, _) = page(&app, from(form_post(&fields), "192.0.2.200")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let (status, _, _) = page(&app, from(form_post(&fields), "198.51.100.1")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // So is an IPv6 neighbour in the same /48.
    for _ in 0..2 {
        send(
            &app,
            from(post_json(POST, json_body.clone()), "2001:db8::1"),
        )
        .await;
    }
    let (status, _, _) = send(
        &app,
        from(post_json(POST, json_body.clone()), "2001:db8:0:ffff::2"),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(local.count_rows(), 2);

    // The control table holds keyed hashes, never an address, and no salt to recompute them.
    let conn = rusqlite::Connection::open(local.db()).unwrap();
    let mut rows = conn
        .prepare("SELECT key, coalesce(value, '') FROM control")
        .unwrap();
    let items: Vec<String> = rows
        .query_map([], |r| {
            Ok(format!(
                "{} {}",
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(
        items.iter().any(|i| i.starts_with("ratelimit/")),
        "the counters are there: {items:?}"
    );
    assert!(
        !items.iter().any(|i| i.contains("salt")),
        "a salt in the store: {items:?}"
    );
    for item in &items {
        for address in ["192.0.2", "198.51", "2001:db8"] {
            assert!(!item.contains(address), "{item}");
        }
    }
}

/// The rate limit counts what a script would repeat, stored responses and challenges, not
/// the steps of the form: a seller without JavaScript who goes back and forth through every
/// part, switches language and sends costs one unit, however many posts that takes.
#[tokio::test]
async fn only_stored_responses_and_challenges_count_against_the_rate_limit() {
    let local = Local::new();
    let app = app_with(
        &local,
        IngestConfig {
            rate_limit: RateLimit { per_hour: 1 },
            ..IngestConfig::default()
        },
    );
    let seller = "192.0.2.7";
    let submission = uuid::Uuid::new_v4().to_string();
    let post = |page: &str, go: Option<&str>, lang: &str, later: bool| {
        let mut fields = machinery(&submission, page, "pages");
        fields.retain(|(name, _)| *name != "_lang");
        fields.push(("_lang", lang));
        fields.extend(PART_ONE);
        if later {
            fields.push(("payout_held_12m", "no"));
            fields.extend(PART_THREE);
        }
        if let Some(go) = go {
            fields.push(("_go", go));
        }
        from(form_post(&fields), seller)
    };
    let steps = [
        ("0", None, "en", false, "1"),        // Continue from part 1
        ("1", Some("back"), "en", true, "0"), // Back
        ("0", Some("stay"), "es", true, "0"), // the language switch
        ("0", None, "es", true, "1"),         // Continue
        ("1", None, "es", true, "2"),         // Continue
        ("2", None, "es", true, "3"),         // Continue
        ("3", Some("back"), "fr", true, "2"), // Back
        ("2", Some("stay"), "en", true, "2"), // the language switch
        ("2", None, "en", true, "3"),         // Continue
    ];
    for (page_sent, go, lang, later, shown) in steps {
        let (status, _, html) = page(&app, post(page_sent, go, lang, later)).await;
        assert_eq!(status, StatusCode::OK, "{page_sent} {go:?}: {html}");
        assert_eq!(hidden(&html, "_page"), shown);
    }
    // A send with a problem comes back with it, and costs nothing either.
    let mut wrong = machinery(&submission, "3", "pages");
    wrong.extend(PART_ONE);
    wrong.push(("payout_held_12m", "no"));
    let (status, _, _) = page(&app, from(form_post(&wrong), seller)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, _) = page(&app, post("3", None, "en", true)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the one unit is the send");
    assert_eq!(local.count_rows(), 1);

    // The limit of one is used: the next send or challenge from that address waits.
    let (status, _, html) = page(
        &app,
        from(form_post(&whole(&uuid::Uuid::new_v4().to_string())), seller),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(html.contains("Many answers have been sent from your network"));
    let challenge = || from(get("/surveys/platform-treatment/challenge", None), seller);
    let (status, headers, body) = send(&app, challenge()).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["error"], "rate_limited");
    assert!(headers.contains_key("retry-after"));
    // Steps of the form still work: a seller who is waiting can keep answering.
    let (status, _, _) = page(&app, post("0", Some("stay"), "es", true)).await;
    assert_eq!(status, StatusCode::OK);

    // Challenges count on their own: a script fetching them is limited like one sending.
    let challenge = || {
        from(
            get("/surveys/platform-treatment/challenge", None),
            "198.51.100.9",
        )
    };
    assert_eq!(send(&app, challenge()).await.0, StatusCode::OK);
    assert_eq!(
        send(&app, challenge()).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(local.count_rows(), 1);
}

#[tokio::test]
async fn the_country_menu_offers_the_browsers_countries_first() {
    let app = Local::new().app();
    let (_, _, html) = page(&app, get(FORM, Some("es-MX,es;q=0.9,en-US;q=0.5"))).await;
    let menu = &html[html.find("<select id=\"q-country\"").unwrap()..];
    let menu = &menu[..menu.find("</select>").unwrap()];
    let suggested = "<optgroup label=\"Sugeridos según el idioma de su navegador\">\n<option value=\"MX\">México</option>\n<option value=\"US\">Estados Unidos</option>\n</optgroup>\n<optgroup label=\"Todos los países\">";
    assert!(menu.contains(suggested), "{menu}");
    assert_eq!(menu.matches("<option").count(), 1 + 2 + 248);
    // An answer is selected once, in the suggestions when it is there.
    let submission = uuid::Uuid::new_v4().to_string();
    let mut fields = machinery(&submission, "0", "pages");
    fields.extend(PART_ONE);
    fields.push(("_go", "stay"));
    let mut request = form_post(&fields);
    request
        .headers_mut()
        .insert("accept-language", "es-MX".parse().unwrap());
    let (_, _, html) = page(&app, request).await;
    assert_eq!(html.matches(" selected>").count(), 1);
    assert!(html.contains("<option value=\"MX\" selected>Mexico</option>\n</optgroup>"));
    // Without a region in the header, one plain list.
    let (_, _, html) = page(&app, get(FORM, Some("fr"))).await;
    assert!(!html.contains("<optgroup"));
}

#[tokio::test]
async fn a_trusted_proxy_address_is_the_rightmost_forwarded_entry() {
    let local = Local::new();
    let app = app_with(
        &local,
        IngestConfig {
            rate_limit: RateLimit { per_hour: 1 },
            trust_forwarded_for: true,
            ..IngestConfig::default()
        },
    );
    let post = |forwarded: &str| {
        let mut request = from(
            form_post(&whole("3f1c9a2e-8b4d-4c1e-9f6a-2d7e5b8c0a14")),
            "10.0.0.1",
        );
        request
            .headers_mut()
            .insert("x-forwarded-for", forwarded.parse().unwrap());
        request
    };
    let (status, _, _) = page(&app, post("203.0.113.5, 192.0.2.9")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = page(&app, post("198.51.100.77, 192.0.2.9")).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "a spoofed left entry changes nothing"
    );
    // The rightmost entry decides: another network counts on its own.
    let (status, _, _) = page(&app, post("198.51.100.77, 203.0.113.10")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn json_clients_keep_their_behaviour() {
    let local = Local::new();
    let app = local.app();
    let body = canvass_tests::harness::submission(
        "3f1c9a2e-8b4d-4c1e-9f6a-2d7e5b8c0a14",
        canvass_tests::harness::valid_answers(),
    )
    .to_string();
    let (status, headers, reply) = send(&app, post_json(POST, body)).await;
    assert_eq!(
        (status, reply),
        (StatusCode::CREATED, json!({"status": "accepted"}))
    );
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let text = Request::post(POST)
        .header("content-type", "text/plain")
        .body(Body::from("x"))
        .unwrap();
    let (status, _, reply) = send(&app, text).await;
    assert_eq!(
        (status, &reply["error"]),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            &json!("unsupported_media_type")
        )
    );
    assert_eq!(stored(&local).await.len(), 1);
}
