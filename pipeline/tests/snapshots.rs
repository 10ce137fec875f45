//! Golden files: a small fixed fixture through the whole pipeline. A change in any number,
//! label, rule or layout shows up as a reviewed snapshot diff (`cargo insta review`).

mod common;

use canvass_pipeline::disclosure::Prior;
use common::{Draw, run_records};

#[test]
fn a_small_release_looks_exactly_like_this() {
    let records = Draw::new(42).many(700);
    let run = run_records(&records, &Prior::new()).unwrap();
    for file in [
        "respondents.csv",
        "indicators.csv",
        "numeric.csv",
        "by_category.csv",
        "by_region.csv",
        "trends.csv",
        "README.md",
        "README.es.md",
        "README.fr.md",
        "datapackage.json",
        "SHA256SUMS",
        "CITATION.cff",
        "labels.csv",
        "charts/suspended_12m.svg",
        "charts/es/suspended_12m.svg",
    ] {
        insta::assert_snapshot!(file.replace(['/', '.'], "_"), run.file(file));
    }
    // answers.csv is long: its `all` rows and one platform are enough to pin the format.
    let text = run.file("answers.csv");
    let answers = text
        .lines()
        .filter(|l| l.starts_with("wave,") || l.contains(",all,") || l.contains(",depop,"))
        .map(|l| l.trim_end_matches('\r'))
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("answers_csv_excerpt", answers);
    // Run it again: byte-identical.
    let again = run_records(&records, &Prior::new()).unwrap();
    assert_eq!(again.release.files, run.release.files);
}
