//! `canvass`: run the whole pipeline locally, check survey definitions, seed test data.

mod check;
mod config;
mod dynamo;
mod listen;
mod remove;
mod report;
mod schedule;
mod seed;
mod serve;
mod status;
mod store;
mod xlsform;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "canvass",
    version,
    about = "Anonymous seller surveys, published as safe statistics"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the local server on the embedded store (SQLite in DATA/canvass.db) or DynamoDB.
    Serve(serve::Args),
    /// Create the DynamoDB tables (keys, TTL, settings as the SAM template declares them).
    DynamoInit(dynamo::InitArgs),
    /// Turn an XLSForm workbook (.xlsx, .ods, NAME.survey.csv) into a draft survey version;
    /// refuses, with row, column and reason, whatever Canvass will not store.
    Import(xlsform::ImportArgs),
    /// Write a survey version back as an XLSForm workbook (.xlsx or NAME.survey.csv).
    Export(xlsform::ExportArgs),
    /// Check survey definitions and report every problem with its fix.
    Check {
        /// A surveys folder (one sub-folder per survey) or a single survey file.
        #[arg(env = "CANVASS_SURVEYS", default_value = "surveys")]
        path: PathBuf,
        /// Freeze published versions that are not yet in lock.toml.
        #[arg(long)]
        freeze: bool,
    },
    /// Store plausible, deterministic synthetic responses (through the same validation).
    Seed(seed::Args),
    /// Build the release of the last closed wave: safe CSV tables, datapackage.json, README, charts.
    Report(report::Args),
    /// Remove the responses of ISO weeks declared spoiled (e.g. a bot attack); a dry run
    /// that only counts unless --yes.
    Remove(remove::Args),
    /// Responses per ISO week of the open and last closed wave, the share without proof of
    /// work, and what the next release holds and when it runs (operators only).
    Status(status::Args),
}

/// mimalloc for every allocation: the report decodes millions of small answer values on
/// every core at once (docs/benchmarks.md, "The report end to end").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    canvass_core::telemetry::init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve::run(args).await,
        Command::DynamoInit(args) => dynamo::init(args).await,
        Command::Import(args) => xlsform::run_import(args),
        Command::Export(args) => xlsform::run_export(args),
        Command::Check { path, freeze } => check::run(&path, freeze),
        Command::Seed(args) => seed::run(args).await,
        Command::Report(args) => report::run(args).await,
        Command::Remove(args) => remove::run(args).await,
        Command::Status(args) => status::run(args).await,
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
