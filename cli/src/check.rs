//! `canvass check [PATH] [--freeze]`.

use std::path::Path;
use std::process::ExitCode;

use canvass_core::check::{check_dir, check_file};

pub fn run(path: &Path, freeze: bool) -> anyhow::Result<ExitCode> {
    let (problems, checked, frozen) = if path.is_file() {
        let mut problems = Vec::new();
        let checked = usize::from(check_file(path, &mut problems).is_some());
        (problems, checked, Vec::new())
    } else {
        let report = check_dir(path, freeze);
        (report.problems, report.surveys.len(), report.newly_frozen)
    };
    for (id, version) in &frozen {
        println!("froze {id} version {version} in lock.toml");
    }
    if problems.is_empty() {
        println!("ok: {checked} survey version(s) in {} pass", path.display());
        return Ok(ExitCode::SUCCESS);
    }
    for problem in &problems {
        eprintln!("{problem}");
    }
    eprintln!("{} problem(s) found", problems.len());
    Ok(ExitCode::FAILURE)
}
