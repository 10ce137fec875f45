//! `canvass report`: builds the release of the last closed wave from the local store and
//! writes it to `OUT/{release_id}/`, through the same `canvass_pipeline::run` the scheduled
//! report function calls.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;

use anyhow::Context;
use canvass_core::releases::ReleaseStore;
use canvass_core::releases::folder::Folder;
use canvass_core::store::sqlite::SqliteStore;
use canvass_pipeline::{Options, Outcome, Progress};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use time::{Date, OffsetDateTime, macros::format_description};

#[derive(clap::Args)]
pub struct Args {
    /// Folder of the embedded store (DATA/canvass.db).
    #[arg(long, env = "CANVASS_DATA", default_value = "data")]
    data: PathBuf,
    /// Folder of survey definitions.
    #[arg(long, env = "CANVASS_SURVEYS", default_value = "surveys")]
    surveys: PathBuf,
    /// Survey to report on.
    #[arg(long, default_value = "platform-treatment")]
    survey: String,
    /// Where releases go (default: DATA/releases).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Decide which waves are closed as of this day (YYYY-MM-DD) instead of today: for
    /// tests and to re-issue a past release exactly.
    #[arg(long, value_parser = parse_date)]
    as_of: Option<Date>,
    /// Also print, per table of the release's wave, how many numbers are published and
    /// how many withheld as small (primary) or to protect others (secondary), as JSON.
    #[arg(long)]
    stats: bool,
}

fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text, format_description!("[year]-[month]-[day]"))
        .map_err(|_| format!("`{text}` is not a date like 2026-01-31"))
}

/// A spinner with the stage and the number of items read, on a terminal only; each stage's
/// duration is logged (`RUST_LOG=canvass=debug`) so an operator can see where a run goes.
struct Bar {
    bar: ProgressBar,
    read: Mutex<u64>,
    current: Mutex<Option<(String, std::time::Instant)>>,
}

impl Bar {
    fn end_stage(&self) {
        if let Some((stage, started)) = self.current.lock().expect("progress lock").take() {
            tracing::debug!(
                stage,
                took_ms = started.elapsed().as_millis() as u64,
                "report stage done"
            );
        }
    }
}

impl Progress for Bar {
    fn stage(&self, name: &str) {
        self.end_stage();
        *self.current.lock().expect("progress lock") =
            Some((name.to_owned(), std::time::Instant::now()));
        self.bar.set_message(name.to_owned());
    }

    fn read(&self, items: u64) {
        let mut read = self.read.lock().expect("progress lock");
        *read += items;
        self.bar.set_position(*read);
    }
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let catalog = crate::config::catalog(&args.surveys)?;
    let db = args.data.join("canvass.db");
    anyhow::ensure!(
        db.exists(),
        "no store at {}: nothing has been collected there (try `canvass seed --data {}`)",
        db.display(),
        args.data.display()
    );
    let store = SqliteStore::open(&db).with_context(|| format!("opening {}", db.display()))?;
    let out = args.out.unwrap_or_else(|| args.data.join("releases"));
    let releases = ReleaseStore::new(Folder::new(&out));
    let as_of = args
        .as_of
        .unwrap_or_else(|| OffsetDateTime::now_utc().date());
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(
        ProgressStyle::with_template("{spinner} {msg}: {pos} item(s) read, {elapsed}")
            .expect("valid template"),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let progress = Bar {
        bar,
        read: Mutex::new(0),
        current: Mutex::new(None),
    };
    let options = Options {
        survey_id: args.survey.clone(),
        as_of,
    };
    let outcome = canvass_pipeline::run(&store, &catalog, &releases, &options, &progress).await;
    progress.end_stage();
    progress.bar.finish_and_clear();
    match outcome? {
        Outcome::Released {
            release_id,
            files,
            new,
            responses,
            utility,
        } => {
            let path = out.join(&release_id);
            if new {
                println!(
                    "wrote release {release_id} ({files} files, {responses} responses) to {}",
                    path.display()
                );
            } else {
                println!(
                    "release {release_id} is already in {} with exactly these files: nothing to do",
                    path.display()
                );
            }
            if args.stats {
                println!("{}", serde_json::to_string(&utility)?);
            }
            Ok(ExitCode::SUCCESS)
        }
        Outcome::NothingToPublish(why) => {
            eprintln!("{why}");
            Ok(ExitCode::from(2))
        }
    }
}
