//! `canvass status`: what an operator needs while a survey runs. Responses per ISO week of
//! the open wave and of the last closed one, the share of each week without a solved proof
//! of work (a flood of them is the bot signal), the public count, and what the next release
//! will hold and when it runs. A table on stdout, or `--json`.
//!
//! Per-week numbers are for the operator only: no route serves them (docs/privacy.md).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use canvass_core::report_schedule::{DEFAULT_CRON, DEFAULT_INTERVAL_HOURS, ReportSchedule};
use canvass_core::status::{self, Status, WaveLine};
use canvass_core::store::sqlite::DEFAULT_MAINTENANCE_EVERY;
use time::macros::{format_description, time};
use time::{Date, OffsetDateTime};

use crate::store::StoreChoice;

#[derive(clap::Args)]
pub struct Args {
    /// Survey to show.
    #[arg(long, default_value = "platform-treatment")]
    survey: String,
    /// Folder of the embedded store (DATA/canvass.db).
    #[arg(long, env = "CANVASS_DATA", default_value = "data")]
    data: PathBuf,
    /// Where the responses are: `sqlite` (DATA/canvass.db) or `dynamodb://HOST:PORT?prefix=P`
    /// (`dynamodb://aws?prefix=P` for AWS itself).
    #[arg(long, env = "CANVASS_STORE", default_value = "sqlite")]
    store: StoreChoice,
    /// Folder of survey definitions.
    #[arg(long, env = "CANVASS_SURVEYS", default_value = "surveys")]
    surveys: PathBuf,
    /// The deployed report schedule (the stack's `ReportSchedule`), an EventBridge cron
    /// expression. Without it: the template's default for a DynamoDB store, `canvass
    /// serve`'s timer for the embedded one.
    #[arg(long, env = "CANVASS_REPORT_SCHEDULE")]
    schedule: Option<String>,
    /// Time zone of --schedule (the stack's `ReportScheduleTimezone`).
    #[arg(long, env = "CANVASS_REPORT_SCHEDULE_TIMEZONE", default_value = "UTC")]
    schedule_timezone: String,
    /// Hours between `canvass serve`'s report runs, as it is started with.
    #[arg(long, env = "CANVASS_REPORT_INTERVAL_HOURS", default_value_t = DEFAULT_INTERVAL_HOURS)]
    report_interval_hours: u64,
    /// First recount the weeks shown from the stored responses (one Scan per week on
    /// DynamoDB): for responses stored before the counters existed.
    #[arg(long)]
    recount: bool,
    /// Print the status as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Show the status as of this day (YYYY-MM-DD, at noon UTC) instead of now: which wave is
    /// open and which weeks have begun.
    #[arg(long, value_parser = parse_date)]
    as_of: Option<Date>,
}

fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text, format_description!("[year]-[month]-[day]"))
        .map_err(|_| format!("`{text}` is not a date like 2026-01-31"))
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let catalog = crate::config::catalog(&args.surveys)?;
    // The open version; else the newest published one (the waves are the survey's).
    let survey = catalog
        .open(&args.survey)
        .ok()
        .or_else(|| {
            catalog
                .all()
                .filter(|s| s.id == args.survey && s.status.is_published())
                .max_by_key(|s| s.version)
        })
        .ok_or_else(|| {
            anyhow::anyhow!(
                "survey `{}` is not a published survey in {}",
                args.survey,
                args.surveys.display()
            )
        })?;
    let schedule = match (&args.schedule, &args.store) {
        (Some(expression), _) => ReportSchedule::cron(expression, &args.schedule_timezone)?,
        (None, StoreChoice::Sqlite) => ReportSchedule::Every {
            hours: args.report_interval_hours,
        },
        (None, StoreChoice::Dynamo(_)) => ReportSchedule::cron(DEFAULT_CRON, "UTC")?,
    };
    let store = args
        .store
        .open_existing(&args.data, DEFAULT_MAINTENANCE_EVERY)
        .await?;
    let now = match args.as_of {
        Some(day) => day.with_time(time!(12:00)).assume_utc(),
        None => OffsetDateTime::now_utc(),
    };
    if args.recount {
        status::recount(store.progress.as_ref(), survey, now)
            .await
            .with_context(|| format!("recounting in {}", store.description))?;
    }
    let status = status::status(store.progress.as_ref(), survey, now, &schedule)
        .await
        .with_context(|| format!("reading the counters in {}", store.description))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&status)?);
    } else {
        print!("{}", table(&status, &store.description, &schedule));
    }
    Ok(ExitCode::SUCCESS)
}

fn share(part: u64, whole: u64) -> String {
    if whole == 0 {
        "–".to_owned()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

fn wave_table(out: &mut String, title: &str, wave: &WaveLine) {
    let state = if wave.closed {
        format!("closed after {}", wave.last_submission_day)
    } else {
        format!("open until {}", wave.last_submission_day)
    };
    out.push_str(&format!("\n{title} {} ({state})\n", wave.wave));
    out.push_str(&format!(
        "  {:<10} {:>10} {:>12} {:>8}\n",
        "week", "responses", "without PoW", "share"
    ));
    for w in &wave.weeks {
        out.push_str(&format!(
            "  {:<10} {:>10} {:>12} {:>8}\n",
            w.week,
            w.responses,
            w.unverified,
            share(w.unverified, w.responses)
        ));
    }
    out.push_str(&format!(
        "  {:<10} {:>10} {:>12} {:>8}\n",
        "total",
        wave.responses,
        wave.unverified,
        share(wave.unverified, wave.responses)
    ));
}

fn table(status: &Status, store: &str, schedule: &ReportSchedule) -> String {
    let mut out = format!(
        "Survey {} v{}, as of {} (UTC); store: {store}\n",
        status.survey_id, status.version, status.today
    );
    wave_table(&mut out, "Open wave", &status.open_wave);
    wave_table(&mut out, "Last closed wave", &status.last_closed_wave);
    out.push_str(&format!(
        "\nPublic count: {} (GET /surveys/{}/progress and the form's first page: the open \
         wave's total, rounded down to a multiple of 10, refreshed hourly, shown from 10 on).\n\
         The per-week numbers above are for operators only; no route serves them.\n",
        status.public_count, status.survey_id
    ));
    let next = &status.next_release;
    let when = match (&next.first_run, schedule) {
        (Some(at), ReportSchedule::Cron { timezone, .. }) => {
            format!(
                "the first scheduled run after that is {} ({timezone})",
                at.replace('T', " ")
            )
        }
        _ => "the first report run of `canvass serve` after that releases it (at start, then \
              every interval from its start), or `canvass report` by hand"
            .to_owned(),
    };
    out.push_str(&format!(
        "\nNext release: wave {} with {} response(s) so far; the wave takes answers until {} \
         and {when}.\nSchedule: {}.\n",
        next.wave, next.responses_so_far, next.closes_after, next.schedule
    ));
    out
}
