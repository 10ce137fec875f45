//! The fuzz targets on stable, as ordinary tests: every file of `fuzz/corpus/<target>/` (the
//! checked-in seeds) and `fuzz/regressions/<target>/` (inputs that once broke something) goes
//! through the same function the libFuzzer binary calls, so a crash found once stays a failing
//! test. Running the fuzzer itself needs cargo-fuzz: `make fuzz` (docs/fuzzing.md).

use std::any::Any;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use canvass_fuzz_targets::{TARGETS, Target};

/// Far more than any input needs (milliseconds, in a debug build); a super-linear path on a
/// pathological input blows through it.
const BUDGET: Duration = Duration::from_secs(10);

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// The input files of a folder, sorted; READMEs and dot files are not inputs.
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{} cannot be read: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .filter(|path| {
            let name = path.file_name().unwrap().to_string_lossy();
            !name.starts_with('.') && !name.starts_with("README")
        })
        .collect();
    files.sort();
    files
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(a panic without a message)".to_owned())
}

/// Runs `data` through `target`; a panic or a run over [`BUDGET`] is a failure named `what`.
fn run(target: Target, what: &str, data: &[u8]) -> Option<String> {
    let start = Instant::now();
    let outcome = std::panic::catch_unwind(|| target(data));
    let took = start.elapsed();
    match outcome {
        Err(payload) => Some(format!("{what}: panicked: {}", panic_message(&*payload))),
        Ok(()) if took > BUDGET => Some(format!("{what}: took {took:?}")),
        Ok(()) => None,
    }
}

/// Replays `fuzz/{folder}/<target>/*` for every target; `at_least` files each.
fn replay(folder: &str, at_least: usize) {
    let mut failures = Vec::new();
    for (name, target) in TARGETS {
        let dir = fuzz_dir().join(folder).join(name);
        let files = inputs(&dir);
        assert!(
            files.len() >= at_least,
            "{} has {} input files, expected at least {at_least}",
            dir.display(),
            files.len()
        );
        for file in files {
            let data = std::fs::read(&file).unwrap();
            let what = format!("{name} on {}", file.display());
            failures.extend(run(target, &what, &data));
        }
    }
    assert!(
        failures.is_empty(),
        "{} input(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_seed_corpus_passes_every_invariant() {
    replay("corpus", 20);
}

#[test]
fn inputs_that_once_failed_pass_now() {
    replay("regressions", 0);
}

#[test]
fn every_target_has_its_fuzz_binary() {
    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap();
    for (name, _) in TARGETS {
        let source = fuzz_dir().join("fuzz_targets").join(format!("{name}.rs"));
        let text = std::fs::read_to_string(&source)
            .unwrap_or_else(|e| panic!("{}: {e}", source.display()));
        assert!(
            text.contains(&format!("canvass_fuzz_targets::{name}(data)")),
            "{} does not call canvass_fuzz_targets::{name}",
            source.display()
        );
        assert!(
            manifest.contains(&format!("name = \"{name}\"")),
            "fuzz/Cargo.toml has no [[bin]] {name}"
        );
    }
}

/// Inputs at the size limits, built to hit the loops that could go quadratic: as many answers,
/// values or questions as fit.
#[test]
fn inputs_at_the_size_limits_finish_in_time() {
    let limit = canvass_ingest::BODY_LIMIT;
    let mut failures = Vec::new();
    let mut check = |name: &str, data: Vec<u8>, max: usize| {
        assert!(
            data.len() <= max,
            "{name}: {} bytes is over the limit",
            data.len()
        );
        let target = TARGETS.iter().find(|(n, _)| name.starts_with(n)).unwrap().1;
        failures.extend(run(target, name, &data));
    };

    let mut many_answers = String::from(
        r#"{"submission_id":"3f1c9a2e-8b4d-4c1e-9f6a-2d7e5b8c0a14","survey_version":1,"answers":{"#,
    );
    let mut n = 0;
    while many_answers.len() < limit - 40 {
        many_answers.push_str(&format!(r#""q{n}":[1,"x"],"#));
        n += 1;
    }
    many_answers.push_str(r#""platforms":["etsy"]}}"#);
    check(
        "response_body: many unknown answers",
        many_answers.into_bytes(),
        limit,
    );

    let options = [
        "etsy", "ebay", "shopify", "depop", "vinted", "poshmark", "other",
    ];
    let mut long_list = String::from(
        r#"{"submission_id":"3f1c9a2e-8b4d-4c1e-9f6a-2d7e5b8c0a14","survey_version":1,"answers":{"platforms":["#,
    );
    let mut i = 0;
    while long_list.len() < limit - 20 {
        long_list.push_str(&format!(r#""{}","#, options[i % options.len()]));
        i += 1;
    }
    long_list.push_str(r#""etsy"]}}"#);
    check(
        "response_body: a long choice list",
        long_list.into_bytes(),
        limit,
    );

    let mut many_fields = String::new();
    let mut n = 0;
    while many_fields.len() < limit - 20 {
        many_fields.push_str(&format!("f{n}=1&platforms=etsy&"));
        n += 1;
    }
    check("form_body: many fields", many_fields.into_bytes(), limit);

    let mut one_field = String::from("tools=a");
    while one_field.len() < limit - 10 {
        one_field.push_str("&tools=b&delta=1");
    }
    check(
        "form_body: one field repeated",
        one_field.into_bytes(),
        limit,
    );

    let label = r#"{ en = "x", es = "x", fr = "x" }"#;
    let mut survey = format!(
        "id = \"big\"\nversion = 1\nstatus = \"draft\"\nlanguages = [\"en\", \"es\", \"fr\"]\n\
         title = {label}\nintro = {label}\n\n[[questions]]\nid = \"q0\"\ntype = \"multiple_choice\"\n\
         label = {label}\noptions = [\n"
    );
    let mut n = 0;
    while survey.len() < 32 * 1024 {
        survey.push_str(&format!("  {{ id = \"o{n}\", label = {label} }},\n"));
        n += 1;
    }
    survey.push_str("]\n");
    let mut q = 1;
    while survey.len() < 64 * 1024 - 200 {
        survey.push_str(&format!(
            "\n[[questions]]\nid = \"q{q}\"\ntype = \"single_choice\"\nlabel = {label}\n\
             options_from = \"q0\"\nshow_if = {{ question = \"q{}\", any_of = [\"o0\"] }}\n",
            q - 1
        ));
        q += 1;
    }
    check(
        "survey_definition: options_from a long list, many times",
        survey.into_bytes(),
        64 * 1024,
    );

    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
