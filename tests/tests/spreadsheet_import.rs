//! `canvass import` and `canvass export` as an operator runs them: the example workbook
//! becomes a draft that `canvass check` accepts, an exported workbook is XLSForm that ODK's
//! own converter (pyxform) accepts, refusals stop the import with every reason, and the
//! spreadsheet crates stay out of the Lambda functions.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use canvass_core::check;
use canvass_core::survey::Status;
use canvass_tests::load::canvass_binary;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn canvass(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(canvass_binary())
        .args(args)
        .output()
        .expect("canvass runs")
}

fn text(out: &Output) -> String {
    format!(
        "status {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn shipped() -> canvass_core::definition::SurveyFile {
    let path = repo().join("surveys/platform-treatment/v1.toml");
    check::parse(&path, &std::fs::read_to_string(&path).unwrap()).unwrap()
}

#[test]
fn the_example_workbook_imports_as_a_draft_that_check_accepts() {
    let surveys = tempfile::tempdir().unwrap();
    let workbook = repo().join("surveys/platform-treatment/v1.xlsx");
    for expected in [1, 2] {
        let out = canvass(&[
            "import".as_ref(),
            workbook.as_os_str(),
            "--surveys".as_ref(),
            surveys.path().as_os_str(),
        ]);
        assert!(out.status.success(), "{}", text(&out));
        let written = surveys
            .path()
            .join(format!("platform-treatment/v{expected}.toml"));
        assert!(String::from_utf8_lossy(&out.stdout).contains(&written.display().to_string()));
        let mut draft =
            check::parse(&written, &std::fs::read_to_string(&written).unwrap()).unwrap();
        // The second import goes to the next free version: nothing is ever overwritten.
        assert_eq!((draft.version, draft.status), (expected, Status::Draft));
        let mut original = shipped();
        original.status = Status::Draft;
        draft.version = 1;
        assert_eq!(draft, original);
    }
    let out = canvass(&["check".as_ref(), surveys.path().as_os_str()]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("ok: 2 survey version(s)"));
}

#[test]
fn the_exported_workbook_is_xlsform_that_pyxform_converts() {
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("platform-treatment.xlsx");
    let toml = repo().join("surveys/platform-treatment/v1.toml");
    let out = canvass(&[
        "export".as_ref(),
        toml.as_os_str(),
        "-o".as_ref(),
        xlsx.as_os_str(),
    ]);
    assert!(out.status.success(), "{}", text(&out));

    let xls2xform = repo().join(".tools/pyxform/bin/xls2xform");
    assert!(
        xls2xform.exists(),
        "pyxform is not installed: run scripts/install-test-deps.sh (`make test` does)"
    );
    // --skip_validate: ODK Validate is a separate Java download pyxform does not ship; the
    // conversion itself checks the workbook's types, names, lists, references and
    // expressions. --json reports (on stderr) its warnings, which must be none.
    let xform = dir.path().join("platform-treatment.xml");
    let out = Command::new(&xls2xform)
        .arg("--skip_validate")
        .arg("--json")
        .arg(&xlsx)
        .arg(&xform)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stderr)
        .unwrap_or_else(|_| panic!("xls2xform said: {}", text(&out)));
    assert_eq!(report["code"], 100, "{report}");
    assert_eq!(report["warnings"], serde_json::json!([]), "{report}");
    let xml = std::fs::read_to_string(&xform).unwrap();
    // The skip logic, bounds and "one of the earlier answers" mean the same in ODK.
    for wanted in [
        r#"relevant=" /data/suspended_12m  = 'yes'""#,
        r#"constraint=". &gt;= 0 and . &lt;= 365""#,
        "item[selected( /data/platforms , name)]",
        r#"<translation lang="Spanish (es)">"#,
        r#"<translation lang="French (fr)">"#,
    ] {
        assert!(xml.contains(wanted), "{wanted} missing from the XForm");
    }
}

#[test]
fn a_workbook_asking_for_identifying_data_is_refused_with_every_reason() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        (
            "shops.survey.csv",
            "type,name,label::English (en),label::Spanish (es),label::French (fr)\n\
             note,intro,Hi,Hola,Salut\n\
             text,shop_name,Your shop's name?,¿Su tienda?,Votre boutique ?\n\
             geopoint,workshop,Where do you work?,¿Dónde?,Où ?\n\
             deviceid,device,,,\n",
        ),
        (
            "shops.settings.csv",
            "form_id,form_title,canvass_title::es,canvass_title::fr,default_language\n\
             shops,Shops,Tiendas,Boutiques,English (en)\n",
        ),
    ];
    for (name, content) in files {
        std::fs::write(dir.path().join(name), content).unwrap();
    }
    let surveys = dir.path().join("surveys");
    let out = canvass(&[
        "import".as_ref(),
        dir.path().join("shops.survey.csv").as_os_str(),
        "--surveys".as_ref(),
        surveys.as_os_str(),
    ]);
    assert!(!out.status.success(), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for wanted in [
        "shops.survey.csv (sheet `survey`, row 3, column `type`): type `text`: free text can identify a seller",
        "shops.survey.csv (sheet `survey`, row 4, column `type`): type `geopoint`: a location points to a seller's home or workshop",
        "shops.survey.csv (sheet `survey`, row 5, column `type`): type `deviceid`: metadata records who answered",
        "    fix: ",
        "3 problem(s) found; nothing was written",
    ] {
        assert!(
            stderr.contains(wanted),
            "`{wanted}` missing:\n{}",
            text(&out)
        );
    }
    assert!(!surveys.exists(), "a refused import writes nothing");
}

/// The spreadsheet crates are the operator's tool's only: no Lambda function links them.
#[test]
fn the_lambda_functions_do_not_link_the_spreadsheet_crates() {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    // canvass-cli first, to show the check would see them if they were there.
    for package in [
        "canvass-cli",
        "canvass-ingest",
        "canvass-publish",
        "canvass-report",
    ] {
        let out = Command::new(&cargo)
            .current_dir(repo())
            .args([
                "tree",
                "--quiet",
                "--package",
                package,
                "--edges",
                "normal,build",
                "--all-features",
                "--prefix",
                "none",
                "--format",
                "{p}",
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out));
        let tree = String::from_utf8_lossy(&out.stdout);
        assert!(tree.contains(package), "{tree}");
        for crate_name in ["calamine", "rust_xlsxwriter"] {
            let links = tree
                .lines()
                .any(|l| l.starts_with(&format!("{crate_name} ")));
            assert_eq!(
                links,
                package == "canvass-cli",
                "{package} and {crate_name}"
            );
        }
    }
}
