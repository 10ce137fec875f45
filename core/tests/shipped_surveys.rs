//! The surveys shipped in `surveys/` pass `canvass check` exactly as committed.

use std::path::Path;

use canvass_core::check::check_dir;

#[test]
fn shipped_surveys_pass_check_and_are_frozen() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../surveys");
    let report = check_dir(&dir, false);
    let problems: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        report
            .surveys
            .iter()
            .any(|s| s.id == "platform-treatment" && s.version == 1)
    );
}
