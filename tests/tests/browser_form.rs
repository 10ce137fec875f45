//! The survey form in a real headless Chromium: answered in English and in Spanish, with
//! and without JavaScript, following the skip logic, making a mistake (announced and
//! focused), fixing it and sending; exactly one response is stored each time. axe-core
//! checks every page state for accessibility violations, and a 375 px wide screenshot of
//! the form is kept under the cargo target folder (`tmp/browser-artifacts`).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use canvass_core::answers::AnswerValue;
use canvass_core::record::ResponseRecord;
use canvass_core::store::{Listed, ResponseStore};
use canvass_tests::browser::{self, Browser};
use canvass_tests::harness::{Local, SURVEY};
use futures::TryStreamExt;

#[derive(Clone, Copy)]
struct Words {
    lang: &'static str,
    title_starts: &'static str,
    error_prefix: &'static str,
    number_error: &'static str,
    required_error: &'static str,
    part_two: &'static str,
    thanks: &'static str,
}

const ENGLISH: Words = Words {
    lang: "en",
    title_starts: "How platforms treat",
    error_prefix: "Error:",
    number_error: "Enter a whole number between 0 and 100.",
    required_error: "Answer this question.",
    part_two: "Part 2 of 3",
    thanks: "Thank you",
};

const SPANISH: Words = Words {
    lang: "es",
    title_starts: "Cómo tratan las plataformas",
    error_prefix: "Error:",
    number_error: "Escriba un número entero entre 0 y 100.",
    required_error: "Responda a esta pregunta.",
    part_two: "Parte 2 de 3",
    thanks: "Gracias",
};

fn artifacts() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-artifacts")
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

/// Opens the form as a seller would: the link, then the language switch if needed.
async fn open(b: &Browser, base: &str, words: Words) {
    b.goto(&format!("{base}/s/{SURVEY}")).await;
    b.wait_for_title(|t| t.starts_with("How platforms treat"))
        .await;
    assert_eq!(b.attr("html", "lang").await.as_deref(), Some("en"));
    if words.lang != "en" {
        b.click_to_leave(&format!("nav a[hreflang='{}']", words.lang))
            .await;
        b.wait_for_title(|t| t.starts_with(words.title_starts))
            .await;
    }
    assert_eq!(b.attr("html", "lang").await.as_deref(), Some(words.lang));
}

async fn answer_part_one(b: &Browser, income_share: &str) {
    b.click("#q-platforms-etsy").await;
    b.click("#q-platforms-ebay").await;
    b.click("#q-main_platform-etsy").await;
    b.click("#q-years_selling-y3_5").await;
    b.click("#q-category-jewellery").await;
    b.select("#q-country", "MX").await;
    b.type_into("#q-income_share", income_share).await;
    b.click("#q-suspended_12m-yes").await;
}

async fn answer_part_two(b: &Browser) {
    b.click("#q-suspension_reason_clear-no").await;
    b.click("#q-suspension_outcome-waiting").await;
    b.click("#q-payout_held_12m-no").await;
}

async fn answer_part_three(b: &Browser, with_fee_impact: bool) {
    if with_fee_impact {
        b.click("#q-fee_impact-4").await;
    }
    b.click("#q-support_rating-2").await;
    b.click("#q-arbitration_aware-unsure").await;
    b.click("#q-pace_pressure-5").await;
    b.click("#q-collective_action-yes").await;
}

async fn send(b: &Browser) {
    b.click_to_leave("#survey .actions button:not([name])")
        .await;
}

/// The error summary has the focus, is announced, and names the problem in words.
async fn check_problem_is_announced_and_focused(b: &Browser, words: Words, message: &str) {
    b.wait_for_title(|t| t.starts_with(words.error_prefix))
        .await;
    let focused = b.focused().await;
    assert!(focused.contains("error-summary"), "focus is on {focused}");
    assert_eq!(
        b.attr(".error-summary", "role").await.as_deref(),
        Some("alert")
    );
    let summary = b.text(".error-summary").await;
    assert!(summary.contains(message), "{summary}");
    assert_eq!(
        b.attr("#q-income_share", "aria-invalid").await.as_deref(),
        Some("true")
    );
    assert!(b.text("#q-income_share-error").await.contains(message));
}

async fn assert_no_axe_violations(b: &Browser, state: &str) {
    let violations = b.axe_violations().await;
    assert!(violations.is_empty(), "{state}: {violations:#?}");
}

async fn wait_for_proof_of_work(b: &Browser) -> Duration {
    let started = Instant::now();
    loop {
        let value = b
            .client
            .execute(
                "return document.querySelector('input[name=_pow]').value",
                vec![],
            )
            .await
            .unwrap();
        if value.as_str().is_some_and(|v| !v.is_empty()) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no proof of work"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn check_the_one_response(records: &[ResponseRecord], pow_verified: bool) {
    assert_eq!(records.len(), 1, "exactly one stored response");
    let record = &records[0];
    assert_eq!(record.pow_verified, pow_verified);
    let answers = &record.answers;
    assert_eq!(
        answers["platforms"],
        AnswerValue::Choices(vec!["etsy".into(), "ebay".into()])
    );
    assert_eq!(answers["income_share"], AnswerValue::Number(60));
    assert_eq!(
        answers["suspension_outcome"],
        AnswerValue::Choice("waiting".into())
    );
    assert_eq!(answers["payout_held_12m"], AnswerValue::Choice("no".into()));
    assert!(!answers.contains_key("payout_held_days"), "skipped");
    assert_eq!(answers.len(), 15);
}

async fn with_javascript(words: Words) {
    let _one = browser::exclusive().await;
    let local = Local::new();
    let base = browser::serve(&local).await;
    let b = Browser::start(true).await;
    open(&b, &base, words).await;
    // The script puts every part on one page and hides what does not apply yet.
    assert!(b.displayed("[data-page='2']").await);
    assert!(!b.displayed("#question-suspension_reason_clear").await);
    assert_no_axe_violations(&b, "the form").await;
    let shot = artifacts().join(format!("form-375px-{}.png", words.lang));
    assert_eq!(b.screenshot(&shot).await, 375);
    println!("screenshot: {}", shot.display());

    answer_part_one(&b, "60 %").await;
    assert!(
        b.displayed("#question-suspension_reason_clear").await,
        "shown inline"
    );
    answer_part_two(&b).await;
    assert!(!b.displayed("#question-payout_held_days").await);
    answer_part_three(&b, false).await;
    let solved_in = wait_for_proof_of_work(&b).await;
    println!(
        "{}: proof of work ready {solved_in:?} after the answers",
        words.lang
    );
    send(&b).await;
    check_problem_is_announced_and_focused(&b, words, words.number_error).await;
    assert!(
        b.text(".error-summary")
            .await
            .contains(words.required_error)
    );
    // Every answer is kept, and what does not apply stays hidden.
    assert!(b.selected("#q-platforms-ebay").await);
    assert!(b.selected("#q-suspension_outcome-waiting").await);
    assert!(!b.displayed("#question-payout_held_days").await);
    assert_no_axe_violations(&b, "the form with errors").await;
    let shot = artifacts().join(format!("form-375px-{}-errors.png", words.lang));
    b.screenshot(&shot).await;

    b.type_into("#q-income_share", "60").await;
    b.click("#q-fee_impact-4").await;
    wait_for_proof_of_work(&b).await;
    send(&b).await;
    b.wait_for_title(|t| t == words.thanks).await;
    assert!(
        b.client
            .current_url()
            .await
            .unwrap()
            .as_str()
            .ends_with(&format!("/thanks?lang={}", words.lang))
    );
    assert_no_axe_violations(&b, "the thank-you page").await;
    check_the_one_response(&stored(&local).await, true);
    b.quit().await;
}

async fn without_javascript(words: Words) {
    let _one = browser::exclusive().await;
    let local = Local::new();
    let base = browser::serve(&local).await;
    let b = Browser::start(false).await;
    open(&b, &base, words).await;

    // Without the script the form comes in parts; the later parts are not shown.
    assert!(b.displayed("[data-page='0']").await);
    assert!(!b.displayed("[data-page='1']").await);
    assert_no_axe_violations(&b, "part 1 without JavaScript").await;
    let shot = artifacts().join(format!("form-375px-{}-no-js.png", words.lang));
    assert_eq!(b.screenshot(&shot).await, 375);

    answer_part_one(&b, "sesenta").await;
    send(&b).await;
    check_problem_is_announced_and_focused(&b, words, words.number_error).await;
    assert!(b.selected("#q-platforms-ebay").await, "answers kept");
    assert!(b.selected("#q-suspended_12m-yes").await);
    assert_no_axe_violations(&b, "part 1 with an error, without JavaScript").await;

    b.type_into("#q-income_share", "60").await;
    send(&b).await;
    b.wait_for_title(|t| t.starts_with(words.title_starts))
        .await;
    assert!(b.text("[data-page='1'] h2").await.contains(words.part_two));
    // Suspended: the follow-up questions are asked.
    assert!(b.displayed("#question-suspension_reason_clear").await);
    answer_part_two(&b).await;
    send(&b).await;
    b.wait_for_title(|t| t.starts_with(words.title_starts))
        .await;
    // Payouts not held: the follow-ups are skipped.
    assert!(b.displayed("#question-fee_impact").await);
    assert!(!b.displayed("#question-payout_held_days").await);
    answer_part_three(&b, true).await;
    assert_no_axe_violations(&b, "part 3 without JavaScript").await;
    send(&b).await;
    b.wait_for_title(|t| t == words.thanks).await;
    check_the_one_response(&stored(&local).await, false);
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn english_with_javascript() {
    with_javascript(ENGLISH).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spanish_with_javascript() {
    with_javascript(SPANISH).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spanish_without_javascript() {
    without_javascript(SPANISH).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn english_without_javascript() {
    without_javascript(ENGLISH).await;
}
