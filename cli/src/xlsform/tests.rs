//! Tests of the workbook mapping: the shipped survey's round trip, the committed example
//! workbook, each mapped column and type, and every refusal with its message.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use canvass_core::check;
use canvass_core::definition::SurveyFile;
use canvass_core::survey::Status;

use super::sheet::{Sheet, Workbook};
use super::{export, import, read, toml_text, verify_built_in, write};

const SHIPPED: &str = include_str!("../../../surveys/platform-treatment/v1.toml");

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn shipped() -> SurveyFile {
    check::parse(Path::new("v1.toml"), SHIPPED).unwrap()
}

fn shipped_workbook() -> Workbook {
    let file = shipped();
    let survey = check::build(Path::new("v1.toml"), &file).unwrap();
    export::to_workbook(&file, &survey, Path::new("v1.xlsx"))
}

/// What import gives, with the original's status (import always makes a draft).
fn imported_as(workbook: &Workbook, status: Status) -> SurveyFile {
    let mut file = import::to_survey(workbook, None)
        .unwrap_or_else(|p| panic!("{}", render(&p)))
        .file;
    assert_eq!(file.status, Status::Draft, "an import is always a draft");
    file.status = status;
    file
}

fn render(problems: &[super::SheetProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn export_then_import_is_the_identity_on_the_shipped_survey() {
    let original = shipped();
    assert_eq!(imported_as(&shipped_workbook(), original.status), original);
}

#[test]
fn the_imported_toml_text_is_the_shipped_file_without_its_opening_comment() {
    let imported = imported_as(&shipped_workbook(), Status::Open);
    let body = &SHIPPED[SHIPPED.find("\nid = ").unwrap() + 1..];
    assert_eq!(toml_text::render(&imported, &[]), body);
}

#[test]
fn the_committed_example_workbook_is_the_shipped_survey() {
    // surveys/platform-treatment/v1.xlsx is what `canvass export` writes: if v1.toml or the
    // mapping changes, regenerate it (surveys/README.md, "Spreadsheets").
    let path = repo().join("surveys/platform-treatment/v1.xlsx");
    let (workbook, problems) = read::read(&path).unwrap();
    assert!(problems.is_empty(), "{}", render(&problems));
    let original = shipped();
    assert_eq!(imported_as(&workbook, original.status), original);
    let committed = std::fs::read(&path).unwrap();
    assert!(
        committed == write::xlsx_bytes(&shipped_workbook()).unwrap(),
        "{} is stale: run `canvass export surveys/platform-treatment/v1.toml -o {}`",
        path.display(),
        path.display()
    );
}

#[test]
fn xlsx_and_csv_files_round_trip_and_xlsx_bytes_are_stable() {
    let dir = tempfile::tempdir().unwrap();
    let original = shipped();
    let workbook = shipped_workbook();
    for name in ["form.xlsx", "form.survey.csv"] {
        let path = dir.path().join(name);
        write::write(&workbook, &path).unwrap();
        let (read_back, problems) = read::read(&path).unwrap();
        assert!(problems.is_empty(), "{}", render(&problems));
        assert_eq!(imported_as(&read_back, original.status), original, "{name}");
    }
    assert!(dir.path().join("form.choices.csv").exists());
    assert!(dir.path().join("form.settings.csv").exists());
    assert_eq!(
        write::xlsx_bytes(&workbook).unwrap(),
        write::xlsx_bytes(&workbook).unwrap()
    );
}

/// A minimal OpenDocument spreadsheet, as LibreOffice would save the sheets' text.
fn ods_bytes(workbook: &Workbook) -> Vec<u8> {
    fn escape(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    }
    let mut content = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3"><office:body><office:spreadsheet>"#,
    );
    for sheet in &workbook.sheets {
        content.push_str(&format!(
            r#"<table:table table:name="{}">"#,
            escape(&sheet.name)
        ));
        let rows = std::iter::once(&sheet.header).chain(sheet.rows.iter().map(|r| &r.cells));
        for cells in rows {
            content.push_str("<table:table-row>");
            for cell in cells {
                if cell.is_empty() {
                    content.push_str("<table:table-cell/>");
                } else {
                    content.push_str(&format!(
                        r#"<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>"#,
                        escape(cell)
                    ));
                }
            }
            content.push_str("</table:table-row>");
        }
        content.push_str("</table:table>");
    }
    content.push_str("</office:spreadsheet></office:body></office:document-content>");
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let files = [
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet".to_owned()),
        (
            "META-INF/manifest.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#.to_owned(),
        ),
        ("content.xml", content),
    ];
    for (name, text) in files {
        zip.start_file(name, stored).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn ods_workbooks_import_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("form.ods");
    std::fs::write(&path, ods_bytes(&shipped_workbook())).unwrap();
    let (workbook, problems) = read::read(&path).unwrap();
    assert!(problems.is_empty(), "{}", render(&problems));
    let original = shipped();
    assert_eq!(imported_as(&workbook, original.status), original);
}

// ---------------------------------------------------------------------------------------
// A small workbook written cell by cell, to test one column or type at a time.

type Cells = Vec<(&'static str, String)>;

fn labels(text: &str) -> Cells {
    vec![
        ("label::English (en)", text.to_owned()),
        ("label::Spanish (es)", format!("{text} (es)")),
        ("label::French (fr)", format!("{text} (fr)")),
    ]
}

fn row(pairs: &[(&'static str, &str)], label: &str) -> Cells {
    let mut cells: Cells = pairs.iter().map(|(c, v)| (*c, (*v).to_owned())).collect();
    if !label.is_empty() {
        cells.extend(labels(label));
    }
    cells
}

/// A sheet whose header is every column the rows use, in the order they first appear.
fn sheet(name: &str, rows: &[Cells]) -> Sheet {
    let mut header: Vec<String> = Vec::new();
    for r in rows {
        for (c, _) in r {
            if !header.iter().any(|h| h == c) {
                header.push((*c).to_owned());
            }
        }
    }
    let cells = rows
        .iter()
        .map(|r| {
            header
                .iter()
                .map(|h| {
                    r.iter()
                        .find(|(c, _)| c == h)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default()
                })
                .collect()
        })
        .collect();
    Sheet::new(name, PathBuf::from("test.xlsx"), header, cells)
}

struct Book {
    survey: Vec<Cells>,
    choices: Vec<Cells>,
    settings: Cells,
    extra: Vec<Sheet>,
}

impl Book {
    /// An intro, one select_one and one integer: a survey `canvass check` accepts.
    fn new() -> Book {
        Book {
            survey: vec![
                row(&[("type", "note"), ("name", "intro")], "Welcome"),
                row(
                    &[
                        ("type", "select_one sold"),
                        ("name", "sells"),
                        ("required", "yes"),
                    ],
                    "Do you sell?",
                ),
                row(
                    &[
                        ("type", "integer"),
                        ("name", "shops"),
                        ("constraint", ". >= 0 and . <= 60"),
                    ],
                    "How many shops?",
                ),
            ],
            choices: vec![
                row(&[("list_name", "sold"), ("name", "yes")], "Yes"),
                row(&[("list_name", "sold"), ("name", "no")], "No"),
            ],
            settings: vec![
                ("form_id", "demo".into()),
                ("form_title", "Demo".into()),
                ("canvass_title::Spanish (es)", "Demo (es)".into()),
                ("canvass_title::French (fr)", "Demo (fr)".into()),
                ("default_language", "English (en)".into()),
            ],
            extra: Vec::new(),
        }
    }

    fn with(mut self, cells: Cells) -> Book {
        self.survey.push(cells);
        self
    }

    fn workbook(&self) -> Workbook {
        let mut sheets = vec![
            sheet("survey", &self.survey),
            sheet("choices", &self.choices),
            sheet("settings", std::slice::from_ref(&self.settings)),
        ];
        sheets.extend(self.extra.iter().cloned());
        Workbook { sheets }
    }

    /// The whole import short of writing: the mapping, `canvass check`, the built-in lists.
    fn import(&self) -> Result<SurveyFile, String> {
        let imported = import::to_survey(&self.workbook(), None).map_err(|p| render(&p))?;
        let survey = check::build(Path::new("surveys/demo/v1.toml"), &imported.file)
            .map_err(|p| super::locate(Path::new("test.xlsx"), &imported, p))
            .map_err(|p| render(&p))?;
        let built_in = verify_built_in(&survey, &imported);
        if !built_in.is_empty() {
            return Err(render(&built_in));
        }
        Ok(imported.file)
    }

    fn refused(&self) -> String {
        match self.import() {
            Ok(file) => panic!("imported, but should be refused: {file:?}"),
            Err(problems) => problems,
        }
    }
}

fn assert_has(problems: &str, wanted: &[&str]) {
    for w in wanted {
        assert!(problems.contains(w), "`{w}` missing from:\n{problems}");
    }
}

#[test]
fn the_small_workbook_maps_field_by_field() {
    let file = Book::new().import().unwrap();
    assert_eq!(file.id, "demo");
    assert_eq!(file.status, Status::Draft);
    assert_eq!(file.languages, ["en", "es", "fr"]);
    assert_eq!(file.title["es"], "Demo (es)");
    assert_eq!(file.intro["fr"], "Welcome (fr)");
    let sells = &file.questions[0];
    assert_eq!(
        (sells.kind.as_str(), sells.required),
        ("single_choice", true)
    );
    let options = sells.options.as_ref().unwrap();
    assert_eq!(options[1].id, "no");
    assert_eq!(options[1].label["es"], "No (es)");
    let shops = &file.questions[1];
    assert_eq!(
        (shops.kind.as_str(), shops.min, shops.max),
        ("number", Some(0), Some(60))
    );
    assert!(!shops.required);
}

#[test]
fn relevant_in_both_forms_becomes_show_if() {
    for relevant in ["selected(${sells}, 'yes')", "${sells} = 'yes'"] {
        let file = Book::new()
            .with(row(
                &[
                    ("type", "integer"),
                    ("name", "years"),
                    ("relevant", relevant),
                    ("constraint", ". >= 0 and . <= 80"),
                ],
                "Years?",
            ))
            .import()
            .unwrap();
        let show_if = file.questions[2].show_if.as_ref().unwrap();
        assert_eq!(
            (show_if.question.as_str(), show_if.any_of.as_slice()),
            ("sells", &["yes".to_owned()][..])
        );
    }
}

#[test]
fn select_multiple_choice_filter_likert_units_and_built_in_lists() {
    let mut book = Book::new()
        .with(row(
            &[
                ("type", "select_multiple sold"),
                ("name", "both"),
                ("constraint", "count-selected(.) <= 1"),
            ],
            "Both?",
        ))
        .with(row(
            &[
                ("type", "select_one sold"),
                ("name", "main"),
                ("choice_filter", "selected(${both}, name)"),
            ],
            "Main?",
        ))
        .with(row(
            &[
                ("type", "select_one scale"),
                ("name", "mood"),
                ("appearance", "likert"),
            ],
            "Mood?",
        ))
        .with(row(
            &[("type", "select_one canvass_yes_no"), ("name", "held")],
            "Held?",
        ))
        .with(row(
            &[("type", "select_one canvass_country"), ("name", "country")],
            "Country?",
        ))
        .with({
            let mut cells = row(
                &[
                    ("type", "integer"),
                    ("name", "days"),
                    ("constraint", ". >= 0 and . <= 365"),
                ],
                "Days?",
            );
            cells.extend([
                ("canvass_unit::English (en)", "days".to_owned()),
                ("canvass_unit::Spanish (es)", "días".to_owned()),
                ("canvass_unit::French (fr)", "jours".to_owned()),
            ]);
            cells
        });
    for name in ["1", "2", "3", "4", "5"] {
        let label = match name {
            "1" => "Low",
            "5" => "High",
            middle => middle,
        };
        let mut cells = row(&[("list_name", "scale"), ("name", name)], "");
        cells.extend([
            ("label::English (en)", label.to_owned()),
            ("label::Spanish (es)", label.to_owned()),
            ("label::French (fr)", label.to_owned()),
        ]);
        book.choices.push(cells);
    }
    let file = book.import().unwrap();
    let q = |id: &str| file.questions.iter().find(|q| q.id == id).unwrap();
    assert_eq!(
        (q("both").kind.as_str(), q("both").max_choices),
        ("multiple_choice", Some(1))
    );
    assert_eq!(q("main").options_from.as_deref(), Some("both"));
    assert_eq!(q("main").options, None);
    assert_eq!(q("mood").kind, "likert");
    assert_eq!(q("mood").low_label.as_ref().unwrap()["en"], "Low");
    assert_eq!(q("mood").high_label.as_ref().unwrap()["fr"], "High");
    assert_eq!(
        (q("held").kind.as_str(), q("held").options.as_ref()),
        ("yes_no", None)
    );
    assert_eq!(q("country").kind, "country");
    assert_eq!(q("days").unit.as_ref().unwrap()["es"], "días");
}

#[test]
fn bare_codes_plain_labels_and_the_default_language() {
    let mut book = Book::new();
    // `label::es` is as good as `label::Spanish (es)`; a plain `label` is the default language.
    for cells in book.survey.iter_mut().chain(book.choices.iter_mut()) {
        for (column, _) in cells.iter_mut() {
            *column = match *column {
                "label::English (en)" => "label",
                "label::Spanish (es)" => "label::es",
                other => other,
            };
        }
    }
    let file = book.import().unwrap();
    assert_eq!(file.languages, ["en", "es", "fr"]);
    assert_eq!(file.questions[0].label["en"], "Do you sell?");

    // With French the default, the plain column and form_title are French.
    for cells in book.survey.iter_mut().chain(book.choices.iter_mut()) {
        for (column, _) in cells.iter_mut() {
            if *column == "label::French (fr)" {
                *column = "label::en";
            }
        }
    }
    for (column, value) in book.settings.iter_mut() {
        match *column {
            "canvass_title::French (fr)" => *column = "canvass_title::en",
            "default_language" => *value = "French (fr)".into(),
            _ => {}
        }
    }
    let file = book.import().unwrap();
    assert_eq!(file.languages, ["fr", "es", "en"]);
    assert_eq!(file.questions[0].label["fr"], "Do you sell?");
    assert_eq!(file.title["fr"], "Demo");
}

#[test]
fn refused_types_say_row_column_and_why() {
    let cases: &[(&str, &str)] = &[
        ("text", "free text can identify a seller"),
        ("string", "free text can identify a seller"),
        ("geopoint", "a location points to a seller's home"),
        ("geotrace", "a location points to a seller's home"),
        ("geoshape", "a location points to a seller's home"),
        (
            "image",
            "a photo, recording or file can show or name a seller",
        ),
        ("audio", "a photo, recording or file"),
        ("video", "a photo, recording or file"),
        ("file", "a photo, recording or file"),
        ("barcode", "a scanned code"),
        ("calculate", "a computed or hidden value is not an answer"),
        ("hidden", "a computed or hidden value is not an answer"),
        ("date", "an exact date or time can single out a seller"),
        ("time", "an exact date or time"),
        ("datetime", "an exact date or time"),
        ("decimal", "whole numbers only"),
        ("range", "not a slider"),
        ("start", "metadata records who answered"),
        ("end", "metadata records who answered"),
        ("today", "metadata records who answered"),
        ("deviceid", "metadata records who answered"),
        ("phonenumber", "metadata records who answered"),
        ("username", "metadata records who answered"),
        ("email", "metadata records who answered"),
        ("audit", "metadata records who answered"),
        ("begin group", "Canvass has no groups"),
        ("end group", "Canvass has no groups"),
        ("begin repeat", "one set of answers per seller"),
        ("end repeat", "one set of answers per seller"),
        ("rank", "no ranking question"),
        ("acknowledge", "an acknowledgement is not an answer"),
        (
            "note",
            "Canvass shows text only as the survey's introduction",
        ),
        (
            "select_one_from_file shops.csv",
            "choices from an outside file",
        ),
        (
            "select_one sold or_other",
            "`or_other` adds a free-text box",
        ),
        ("signature", "it is not a question type Canvass can store"),
    ];
    for (kind, reason) in cases {
        let problems = Book::new()
            .with(row(&[("type", kind), ("name", "extra")], "Extra?"))
            .refused();
        assert_has(
            &problems,
            &[
                &format!("test.xlsx (sheet `survey`, row 5, column `type`): type `{kind}`: "),
                reason,
                "\n    fix: ",
            ],
        );
    }
}

#[test]
fn refused_columns_say_row_column_and_why() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "calculation",
            "${shops} * 2",
            "a computed or hidden value is not an answer",
        ),
        (
            "default",
            "yes",
            "a preset answer would be stored as if the seller had given it",
        ),
        (
            "required_message",
            "Please!",
            "Canvass words its own validation messages",
        ),
        (
            "constraint_message::English (en)",
            "Too many",
            "Canvass words its own validation messages",
        ),
        (
            "image::English (en)",
            "shop.png",
            "shows no pictures or sound",
        ),
        ("guidance_hint", "Ask slowly", "one hint per question"),
        ("read_only", "yes", "a read-only question"),
        ("repeat_count", "3", "one set of answers per seller"),
        ("parameters", "start=1", "take no parameters"),
        (
            "colour",
            "red",
            "Canvass does not read this column, so what it says would be lost",
        ),
    ];
    for (column, value, reason) in cases {
        let problems = Book::new()
            .with(row(
                &[
                    ("type", "select_one sold"),
                    ("name", "extra"),
                    (column, value),
                ],
                "Extra?",
            ))
            .refused();
        assert_has(
            &problems,
            &[
                &format!("(sheet `survey`, row 5, column `{column}`): column `{column}`: "),
                reason,
            ],
        );
    }
    // An empty unknown column is no content: nothing is lost, nothing is refused.
    let mut book = Book::new();
    book.survey[1].push(("colour", String::new()));
    book.import().unwrap();
}

#[test]
fn refused_cells_of_known_columns() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[("type", "select_one sold"), ("relevant", "${shops} > 3")],
            "column `relevant`): `relevant` `${shops} > 3` is not skip logic Canvass can store",
        ),
        (
            &[
                ("type", "select_one sold"),
                ("relevant", "${later} = 'yes'"),
            ],
            "`relevant` refers to `${later}`, which is not an earlier question",
        ),
        (
            &[("type", "select_one sold"), ("relevant", "${shops} = '3'")],
            "`relevant` depends on `shops`, an integer question",
        ),
        (
            &[("type", "integer"), ("constraint", ". >= 0")],
            "`constraint` `. >= 0` is not a pair of bounds Canvass can store",
        ),
        (&[("type", "integer")], "integer `extra` has no bounds"),
        (
            &[("type", "integer"), ("constraint", ". >= 0 and . <= 1.5")],
            "is not a pair of bounds",
        ),
        (
            &[("type", "select_one sold"), ("constraint", ". != 'no'")],
            "does not apply to a select_one",
        ),
        (
            &[
                ("type", "select_multiple sold"),
                ("constraint", "count-selected(.) >= 1"),
            ],
            "is not a limit Canvass can store",
        ),
        (
            &[
                ("type", "select_one sold"),
                ("choice_filter", "filter = ${sells}"),
            ],
            "is not a filter Canvass can store: Canvass filters choices only to the answers given to an earlier question",
        ),
        (
            &[("type", "select_one sold"), ("appearance", "minimal")],
            "`appearance` `minimal` is not used",
        ),
        (
            &[
                ("type", "select_one sold"),
                ("required", "${sells} = 'yes'"),
            ],
            "is not yes or no",
        ),
        (
            &[("type", "select_one missing")],
            "list `missing` is not in the choices sheet",
        ),
        (
            &[("type", "select_multiple canvass_yes_no")],
            "is for select_one only",
        ),
        (
            &[("type", "select_one sold"), ("appearance", "likert")],
            "appearance `likert` needs list `sold` to have the choices 1, 2, 3, 4, 5",
        ),
        (&[("type", "select_one")], "names no single choice list"),
        (
            &[
                ("type", "select_one sold"),
                ("canvass_unit::English (en)", "km"),
            ],
            "question `extra` is not an integer, so it takes no unit",
        ),
        (
            &[
                ("type", "integer"),
                ("constraint", ". >= 0 and . <= 9"),
                ("choice_filter", "selected(${sells}, name)"),
            ],
            "`choice_filter` `selected(${sells}, name)` does not apply to an integer",
        ),
        (
            &[
                ("type", "select_one sold"),
                ("choice_filter", "selected(${later}, name)"),
            ],
            "refers to `later`, which is not an earlier question",
        ),
        (
            &[
                ("type", "select_one sold"),
                ("choice_filter", "selected(${shops}, name)"),
            ],
            "filters by `shops`, which is not a select_one or select_multiple with a list of its own",
        ),
    ];
    for (pairs, wanted) in cases {
        let mut pairs = pairs.to_vec();
        pairs.push(("name", "extra"));
        let problems = Book::new().with(row(&pairs, "Extra?")).refused();
        assert_has(&problems, &["(sheet `survey`, row 5", wanted]);
    }
}

#[test]
fn texts_must_exist_in_every_language_and_insert_no_answers() {
    let mut cells = row(&[("type", "select_one sold"), ("name", "extra")], "Extra?");
    cells.retain(|(c, _)| *c != "label::French (fr)");
    let problems = Book::new().with(cells).refused();
    assert_has(
        &problems,
        &["row 5, column `label::French (fr)`): question `extra` has no French (fr) text"],
    );

    let problems = Book::new()
        .with(row(
            &[("type", "select_one sold"), ("name", "extra")],
            "You sell on ${sells}?",
        ))
        .refused();
    assert_has(
        &problems,
        &["`You sell on ${sells}?`: Canvass does not insert answers into texts"],
    );

    let mut book = Book::new();
    for cells in book.choices.iter_mut() {
        cells.retain(|(c, _)| *c != "label::French (fr)");
    }
    assert_has(
        &book.refused(),
        &[
            "sheet `choices`, column `label::French (fr)`): the sheet has no `label::French (fr)` column",
        ],
    );

    let mut book = Book::new();
    book.survey[0].retain(|(c, _)| *c == "type" || *c == "name");
    book.survey[0][0].1 = "integer".into();
    book.survey.remove(0);
    assert_has(&book.refused(), &["the survey has no introduction"]);

    let mut book = Book::new();
    book.settings.retain(|(c, _)| *c != "form_id");
    assert_has(
        &book.refused(),
        &["column `form_id`): the survey has no id", "pass --id"],
    );

    let mut book = Book::new();
    for cells in book.survey.iter_mut() {
        for (column, _) in cells.iter_mut() {
            if *column == "label::Spanish (es)" {
                *column = "label::Spanish";
            }
        }
    }
    assert_has(&book.refused(), &["`Spanish` names no language code"]);
}

#[test]
fn the_intro_note_takes_only_its_label() {
    let mut book = Book::new();
    book.survey[0].push(("required", "yes".into()));
    book.survey[0].push(("hint::English (en)", "More".into()));
    assert_has(
        &book.refused(),
        &[
            "(sheet `survey`, row 2, column `required`): the `intro` note takes no `required`",
            "(sheet `survey`, row 2, column `hint`): the `intro` note takes no hint",
        ],
    );
}

#[test]
fn refused_settings_sheets_and_lists() {
    let mut book = Book::new();
    book.settings
        .push(("submission_url", "https://example.invalid/submit".into()));
    book.settings
        .push(("instance_name", "concat(${sells})".into()));
    book.settings
        .push(("form_title::Spanish (es)", "Demo".into()));
    book.extra.push(sheet(
        "entities",
        &[vec![("list_name", "shops".to_owned())]],
    ));
    book.extra
        .push(sheet("notes", &[vec![("todo", "ask Ana".to_owned())]]));
    book.extra.push(sheet(
        "external_choices",
        &[vec![("list_name", "towns".to_owned())]],
    ));
    book.settings.push(("public_key", "MIIBIjANBg".into()));
    book.settings.push(("style", "pages".into()));
    book.settings.push(("canvass_wave", "fortnight".into()));
    book.settings.push(("canvass_disclosure_k", "ten".into()));
    book.choices
        .push(row(&[("list_name", "unused"), ("name", "a")], "A"));
    book.choices
        .push(row(&[("list_name", "sold"), ("name", "yes")], "Yes again"));
    let problems = book.refused();
    assert_has(
        &problems,
        &[
            "(sheet `settings`, row 2, column `submission_url`): column `submission_url`: answers go only to Canvass's own address",
            "column `instance_name`: an instance name is built from the answers",
            "column `form_title::Spanish (es)`: XLSForm gives `form_title` one language only",
            "(sheet `entities`): sheet `entities`: entities keep records that follow a seller",
            "(sheet `notes`): sheet `notes`: Canvass reads only the survey, choices, settings and messages sheets",
            "sheet `external_choices`: choices from an outside list would not be part of the frozen survey",
            "column `public_key`: Canvass does not encrypt answers for a key holder",
            "column `style`: Canvass lays out its form itself",
            "canvass_wave `fortnight` is not a reporting wave",
            "`canvass_disclosure_k` `ten` is not a whole number",
            "(sheet `choices`, row 4, column `list_name`): list `unused` is used by no question",
            "(sheet `choices`, row 5, column `name`): choice `yes` appears twice in list `sold`",
        ],
    );
    // Every problem is reported at once, not only the first.
    assert!(problems.matches("\n    fix: ").count() >= 7, "{problems}");
}

#[test]
fn built_in_lists_cannot_be_relabelled() {
    let mut book = Book::new().with(row(
        &[("type", "select_one canvass_yes_no"), ("name", "held")],
        "Held?",
    ));
    for (name, label) in [("yes", "Yes"), ("no", "No"), ("prefer_not", "Rather not")] {
        let mut cells = row(&[("list_name", "canvass_yes_no"), ("name", name)], "");
        let es = canvass_core::i18n::yes_no_label(name, "es").to_owned();
        let fr = canvass_core::i18n::yes_no_label(name, "fr").to_owned();
        cells.extend([
            ("label::English (en)", label.to_owned()),
            ("label::Spanish (es)", es),
            ("label::French (fr)", fr),
        ]);
        book.choices.push(cells);
    }
    assert_has(
        &book.refused(),
        &[
            "(sheet `choices`, row 6): list `canvass_yes_no` is Canvass's built-in list, and these rows are not it: choice `prefer_not` differs",
        ],
    );
    // Left out, the rows are Canvass's own.
    book.choices.truncate(2);
    book.import().unwrap();
}

#[test]
fn what_check_finds_is_placed_on_the_question_row() {
    let problems = Book::new()
        .with(row(
            &[("type", "select_one sold"), ("name", "Bad Name")],
            "Extra?",
        ))
        .refused();
    assert_has(
        &problems,
        &[
            "test.xlsx (sheet `survey`, row 5): question `Bad Name`: question id `Bad Name` is not valid",
        ],
    );
}

#[test]
fn import_writes_the_next_free_version_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let surveys = dir.path();
    let workbook = shipped_workbook();
    let run = || {
        let imported = import::to_survey(&workbook, None).unwrap();
        super::import_into(Path::new("v1.xlsx"), surveys, imported).unwrap()
    };
    run();
    run();
    let folder = surveys.join("platform-treatment");
    let v1 = std::fs::read_to_string(folder.join("v1.toml")).unwrap();
    let v2 = check::parse(
        Path::new("v2.toml"),
        &std::fs::read_to_string(folder.join("v2.toml")).unwrap(),
    )
    .unwrap();
    assert!(v1.starts_with("# Imported by `canvass import` from v1.xlsx"));
    assert_eq!((v2.version, v2.status), (2, Status::Draft));
    // A version frozen in the lock counts even when its file is gone.
    std::fs::write(
        surveys.join("lock.toml"),
        "[[frozen]]\nsurvey = \"platform-treatment\"\nversion = 7\nsha256 = \"00\"\n",
    )
    .unwrap();
    assert_eq!(
        super::next_free_version(surveys, "platform-treatment").unwrap(),
        8
    );
    assert_eq!(super::next_free_version(surveys, "other").unwrap(), 1);
    std::fs::remove_file(surveys.join("lock.toml")).unwrap();
    let report = check::check_dir(surveys, false);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.surveys.len(), 2);
}
