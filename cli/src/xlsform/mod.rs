//! `canvass import` and `canvass export`: survey versions authored as XLSForm workbooks.
//!
//! Field teams already write surveys in spreadsheets (KoboToolbox, ODK, SurveyCTO); a
//! volunteer should not have to write TOML by hand. Import turns a workbook into a *draft*
//! version file that passes `canvass check`, refusing (never dropping) what Canvass will
//! not store; export writes a version back as a workbook. The mapping is documented in
//! surveys/README.md, "Spreadsheets".

mod columns;
mod export;
mod expr;
mod import;
mod language;
mod problem;
mod questions;
mod read;
mod refusals;
mod sheet;
#[cfg(test)]
mod tests;
mod toml_text;
mod write;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use canvass_core::check::{self, Problem};
use canvass_core::lock::{LOCK_FILE, Lock};
use canvass_core::survey::{Status, Survey};

use import::Imported;
use problem::SheetProblem;

#[derive(clap::Args)]
pub struct ImportArgs {
    /// The workbook: FILE.xlsx, FILE.ods, or NAME.survey.csv with NAME.choices.csv and
    /// NAME.settings.csv beside it.
    pub file: PathBuf,
    /// The surveys folder the draft is written into, as SURVEYS/ID/vN.toml.
    #[arg(long, env = "CANVASS_SURVEYS", default_value = "surveys")]
    pub surveys: PathBuf,
    /// The survey id, instead of the settings sheet's `form_id`.
    #[arg(long)]
    pub id: Option<String>,
}

#[derive(clap::Args)]
pub struct ExportArgs {
    /// The survey version to export: surveys/ID/vN.toml.
    pub file: PathBuf,
    /// The workbook to write (replaced if it exists): FILE.xlsx, or NAME.survey.csv and its
    /// sibling sheets.
    #[arg(short, long)]
    pub output: PathBuf,
}

/// `canvass import`: the workbook becomes the next free version of its survey, as a draft.
pub fn run_import(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let (workbook, mut problems) = read::read(&args.file)?;
    let imported = match import::to_survey(&workbook, args.id.as_deref()) {
        Ok(imported) if problems.is_empty() => imported,
        Ok(_) => return Ok(refused(&problems)),
        Err(more) => {
            problems.extend(more);
            return Ok(refused(&problems));
        }
    };
    import_into(&args.file, &args.surveys, imported)
}

fn import_into(
    workbook: &Path,
    surveys: &Path,
    mut imported: Imported,
) -> anyhow::Result<ExitCode> {
    let id = imported.file.id.clone();
    // The id becomes a folder name: only look on disk once it is a plain slug (a bad id is
    // reported by the check below).
    let plain = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let version = if plain {
        next_free_version(surveys, &id)?
    } else {
        1
    };
    // Whatever the workbook says, an import is a draft: publishing is a separate decision.
    imported.file.version = version;
    imported.file.status = Status::Draft;
    let target = surveys.join(&id).join(format!("v{version}.toml"));
    let survey = match check::build(&target, &imported.file) {
        Ok(survey) => survey,
        Err(found) => return Ok(refused(&locate(workbook, &imported, found))),
    };
    let built_in = verify_built_in(&survey, &imported);
    if !built_in.is_empty() {
        return Ok(refused(&built_in));
    }
    let name = workbook
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = toml_text::render(
        &imported.file,
        &[
            format!("Imported by `canvass import` from {name}: a draft, invisible until its status is \"open\"."),
            "Edit the workbook and import it again (it becomes the next version), or edit this file;".into(),
            "`canvass check` checks it. The format is described in surveys/README.md.".into(),
        ],
    );
    // The text must say exactly what was imported, or the draft would not be this survey.
    let reread = check::parse(&target, &text).map_err(|p| anyhow::anyhow!("{p}"))?;
    anyhow::ensure!(
        reread == imported.file,
        "internal error: the TOML written for {} does not read back the same",
        target.display()
    );
    let folder = target.parent().expect("surveys/{id}");
    std::fs::create_dir_all(folder)
        .with_context(|| format!("cannot create {}", folder.display()))?;
    // create_new: never overwrite, even a version that appeared since it was counted.
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&target)
        .with_context(|| format!("cannot create {}", target.display()))?;
    out.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", target.display()))?;
    println!(
        "wrote {}: survey `{id}` version {version}, a draft of {} question(s) in {}",
        target.display(),
        imported.file.questions.len(),
        imported.file.languages.join(", ")
    );
    if let Some(said) = imported
        .settings_version
        .filter(|v| *v != version.to_string())
    {
        println!(
            "note: the settings sheet says version {said}; version {version} is the next free one for `{id}` (an import never replaces a version)"
        );
    }
    println!(
        "next: `canvass check {}`; to publish it, set status = \"open\" (and \"closed\" in the version open now), then `canvass check --freeze`",
        surveys.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// One more than every version of `id` on disk or frozen in the lock.
fn next_free_version(surveys: &Path, id: &str) -> anyhow::Result<i64> {
    let lock = Lock::load(&surveys.join(LOCK_FILE)).map_err(|p| anyhow::anyhow!("{p}"))?;
    let mut highest = lock
        .frozen
        .iter()
        .filter(|f| f.survey == id)
        .map(|f| i64::from(f.version))
        .max()
        .unwrap_or(0);
    let folder = surveys.join(id);
    if folder.is_dir() {
        for entry in std::fs::read_dir(&folder)
            .with_context(|| format!("cannot read {}", folder.display()))?
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(n) = name
                .strip_prefix('v')
                .and_then(|rest| rest.strip_suffix(".toml"))
                .and_then(|n| n.parse::<i64>().ok())
            {
                highest = highest.max(n);
            }
        }
    }
    Ok(highest + 1)
}

/// `canvass check`'s problems, placed on the row of the question they are about.
fn locate(workbook: &Path, imported: &Imported, found: Vec<Problem>) -> Vec<SheetProblem> {
    found
        .into_iter()
        .map(|p| {
            let row = p.question.as_ref().and_then(|q| imported.rows.get(q));
            SheetProblem {
                file: row
                    .map(|(f, _)| f.clone())
                    .unwrap_or_else(|| workbook.to_owned()),
                sheet: row.map(|_| sheet::SURVEY.to_owned()),
                row: row.map(|(_, n)| *n),
                column: None,
                message: match &p.question {
                    Some(q) => format!("question `{q}`: {}", p.message),
                    None => p.message,
                },
                fix: p.fix,
            }
        })
        .collect()
}

/// The rows given for `canvass_yes_no` and `canvass_country` must be Canvass's own: a
/// changed label would otherwise be silently replaced by the built-in one.
fn verify_built_in(survey: &Survey, imported: &Imported) -> Vec<SheetProblem> {
    let mut problems = Vec::new();
    for given in &imported.built_in {
        let Some(question) = survey.question(&given.question) else {
            continue;
        };
        let options = question.kind.options();
        let first_difference = given
            .rows
            .iter()
            .zip(options)
            .find(|((_, name, label), o)| *name != o.id || *label != o.label.0)
            .map(|((row, name, _), _)| (Some(*row), format!("choice `{name}` differs")))
            .or_else(|| {
                (given.rows.len() != options.len()).then(|| {
                    (
                        given.rows.get(options.len()).map(|r| r.0),
                        format!(
                            "it has {} rows where Canvass has {}",
                            given.rows.len(),
                            options.len()
                        ),
                    )
                })
            });
        if let Some((row, what)) = first_difference {
            problems.push(SheetProblem {
                file: given.file.clone(),
                sheet: Some(sheet::CHOICES.to_owned()),
                row,
                column: None,
                message: format!(
                    "list `{}` is Canvass's built-in list, and these rows are not it: {what}",
                    given.list
                ),
                fix: "delete the list's rows (Canvass supplies them), or copy them unchanged from a workbook `canvass export` wrote; for your own labels make a list with another name".into(),
            });
        }
    }
    problems
}

fn refused(problems: &[SheetProblem]) -> ExitCode {
    // In the order an operator goes through the workbook: sheet by sheet, row by row.
    let rank = |p: &SheetProblem| {
        let sheet = p.sheet.as_deref().unwrap_or("").to_lowercase();
        let known = sheet::KNOWN_SHEETS.iter().position(|k| *k == sheet);
        (
            known.unwrap_or(sheet::KNOWN_SHEETS.len()),
            p.row.unwrap_or(0),
        )
    };
    let mut problems = problems.to_vec();
    problems.sort_by_key(rank);
    for problem in &problems {
        eprintln!("{problem}");
    }
    eprintln!("{} problem(s) found; nothing was written", problems.len());
    ExitCode::FAILURE
}

/// `canvass export`: a checked version file, written as a workbook.
pub fn run_export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let source = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let checked = check::parse(&args.file, &source)
        .map_err(|p| vec![p])
        .and_then(|file| check::build(&args.file, &file).map(|survey| (file, survey)));
    let (file, survey) = match checked {
        Ok(checked) => checked,
        Err(problems) => {
            for problem in &problems {
                eprintln!("{problem}");
            }
            eprintln!(
                "{} problem(s) found; correct the survey file before exporting it",
                problems.len()
            );
            return Ok(ExitCode::FAILURE);
        }
    };
    let workbook = export::to_workbook(&file, &survey, &args.output);
    for written in write::write(&workbook, &args.output)? {
        println!("wrote {}", written.display());
    }
    println!(
        "survey `{}` version {}: {} question(s) in {}; `canvass import` reads it back",
        file.id,
        file.version,
        file.questions.len(),
        file.languages.join(", ")
    );
    Ok(ExitCode::SUCCESS)
}
