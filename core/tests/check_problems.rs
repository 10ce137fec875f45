//! `check` names every problem with its file, question and fix, and never panics.

use std::path::{Path, PathBuf};

use canvass_core::check::{Problem, check_dir, check_file};
use proptest::prelude::*;

fn shipped() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../surveys")
}

fn shipped_v1() -> String {
    std::fs::read_to_string(shipped().join("platform-treatment/v1.toml")).unwrap()
}

/// Checks `source` as a lone draft file and returns its problems.
fn problems_of(source: &str) -> Vec<Problem> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.toml");
    std::fs::write(&path, source).unwrap();
    let mut problems = Vec::new();
    check_file(&path, &mut problems);
    problems
}

const MINIMAL: &str = r#"
id = "mini"
version = 1
status = "draft"
languages = ["en", "es", "fr"]
title = { en = "T", es = "T", fr = "T" }
intro = { en = "I", es = "I", fr = "I" }

[[questions]]
id = "sold"
type = "yes_no"
label = { en = "Sold?", es = "¿Vendió?", fr = "Vendu ?" }

[[questions]]
id = "items"
type = "number"
min = 0
max = 10
label = { en = "Items", es = "Artículos", fr = "Articles" }
show_if = { question = "sold", any_of = ["yes"] }
"#;

fn assert_problem(source: &str, question: Option<&str>, needle: &str) {
    let problems = problems_of(source);
    assert!(
        problems.iter().any(|p| p.question.as_deref() == question
            && p.message.contains(needle)
            && !p.fix.is_empty()),
        "expected a problem on {question:?} containing {needle:?}, got:\n{}",
        problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_minimal_survey_passes() {
    assert_eq!(problems_of(MINIMAL), vec![]);
}

#[test]
fn each_mistake_is_named_with_its_question_and_fix() {
    assert_problem(
        &MINIMAL.replace("\"sold\", any_of", "\"nope\", any_of"),
        Some("items"),
        "not an earlier question",
    );
    assert_problem(
        &MINIMAL.replace("\"sold\", any_of", "\"items\", any_of"),
        Some("items"),
        "itself",
    );
    assert_problem(
        &MINIMAL.replace("any_of = [\"yes\"]", "any_of = [\"si\"]"),
        Some("items"),
        "not an option",
    );
    assert_problem(
        &MINIMAL.replace("id = \"items\"", "id = \"sold\""),
        Some("sold"),
        "used twice",
    );
    assert_problem(
        &MINIMAL.replace("fr = \"Vendu ?\"", "de = \"Verkauft?\""),
        Some("sold"),
        "no `fr` text",
    );
    assert_problem(
        &MINIMAL.replace("min = 0", "min = 20"),
        Some("items"),
        "not valid",
    );
    assert_problem(
        &MINIMAL.replace("max = 10\n", ""),
        Some("items"),
        "needs both",
    );
    assert_problem(
        &MINIMAL.replace("type = \"yes_no\"", "type = \"free_text\""),
        Some("sold"),
        "unknown question type",
    );
    assert_problem(
        &MINIMAL.replace(
            "type = \"yes_no\"",
            "type = \"single_choice\"\noptions = []",
        ),
        Some("sold"),
        "0 option",
    );
    assert_problem(
        &MINIMAL.replace("type = \"yes_no\"", "type = \"yes_no\"\nmin = 1"),
        Some("sold"),
        "does not apply",
    );
    assert_problem(
        &MINIMAL.replace(
            "languages = [\"en\", \"es\", \"fr\"]",
            "languages = [\"en\", \"es\"]",
        ),
        None,
        "`fr` is missing",
    );
    assert_problem(
        &MINIMAL.replace("id = \"mini\"", "id = \"Mini Survey\""),
        None,
        "not a slug",
    );
    assert_problem(
        &MINIMAL.replace("version = 1", "version = 0"),
        None,
        "out of range",
    );
    assert_problem(
        &format!("{MINIMAL}\n[disclosure]\nk = 1\n"),
        None,
        "disclosure.k",
    );
    // Groups smaller than k could never be shown anyway: merging starts at k at least.
    assert_problem(
        &format!("{MINIMAL}\n[disclosure]\nk = 20\nmin_group_size = 12\n"),
        None,
        "disclosure.min_group_size = 12 is out of range",
    );
    assert_problem(
        &MINIMAL.replace("status = \"draft\"", "status = \"opne\""),
        None,
        "not a valid survey file",
    );
    assert_problem(
        &MINIMAL.replace("title = ", "colour = \"red\"\ntitle = "),
        None,
        "unknown field",
    );
}

#[test]
fn a_forward_reference_is_refused() {
    // `items` refers to `later`, which comes after it.
    let source = format!(
        "{}\n[[questions]]\nid = \"later\"\ntype = \"yes_no\"\nlabel = {{ en = \"L\", es = \"L\", fr = \"L\" }}\n",
        MINIMAL.replace("\"sold\", any_of", "\"later\", any_of")
    );
    assert_problem(&source, Some("items"), "not an earlier question");
}

#[test]
fn an_edit_to_a_frozen_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("platform-treatment")).unwrap();
    std::fs::copy(shipped().join("lock.toml"), dir.path().join("lock.toml")).unwrap();
    let edited = shipped_v1().replacen(
        "Which platforms do you sell on?",
        "Which platforms do you use?",
        1,
    );
    assert_ne!(edited, shipped_v1(), "the edit must change something");
    std::fs::write(dir.path().join("platform-treatment/v1.toml"), edited).unwrap();
    let report = check_dir(dir.path(), false);
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.message.contains("published and frozen")),
        "{:?}",
        report.problems
    );

    // Closing the open version is not an edit.
    let closed = shipped_v1().replacen("status = \"open\"", "status = \"closed\"", 1);
    std::fs::write(dir.path().join("platform-treatment/v1.toml"), closed).unwrap();
    assert!(check_dir(dir.path(), false).problems.is_empty());

    // Comments and formatting are not content either.
    let reformatted = format!("# a new comment\n{}", shipped_v1());
    std::fs::write(dir.path().join("platform-treatment/v1.toml"), reformatted).unwrap();
    assert!(check_dir(dir.path(), false).problems.is_empty());
}

#[test]
fn a_published_version_must_be_frozen_and_stay_present() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("platform-treatment")).unwrap();
    std::fs::write(dir.path().join("platform-treatment/v1.toml"), shipped_v1()).unwrap();
    let report = check_dir(dir.path(), false);
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.message.contains("not frozen"))
    );
    let report = check_dir(dir.path(), true);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(
        report.newly_frozen,
        vec![("platform-treatment".to_owned(), 1)]
    );
    assert!(
        check_dir(dir.path(), false).problems.is_empty(),
        "the lock was written"
    );
    std::fs::remove_file(dir.path().join("platform-treatment/v1.toml")).unwrap();
    let report = check_dir(dir.path(), false);
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.message.contains("file is missing"))
    );
}

#[test]
fn a_misplaced_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("other")).unwrap();
    std::fs::write(dir.path().join("other/v3.toml"), MINIMAL).unwrap();
    let report = check_dir(dir.path(), false);
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.fix.contains("mini/v1.toml")),
        "{:?}",
        report.problems
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn arbitrary_text_never_panics(source in "\\PC{0,400}") {
        let _ = problems_of(&source);
    }

    #[test]
    fn mutilated_survey_files_never_panic(cut in 0usize..400, keep in 1usize..50) {
        // Drop a run of lines from the real survey: a likely operator mistake.
        let source = shipped_v1();
        let lines: Vec<&str> = source.lines().collect();
        let start = cut % lines.len();
        let end = (start + keep).min(lines.len());
        let mutated = [&lines[..start], &lines[end..]].concat().join("\n");
        let _ = problems_of(&mutated);
    }
}
