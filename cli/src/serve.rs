//! `canvass serve`: every Router on one local server, over the embedded store.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use canvass_core::catalog::Catalog;
use canvass_core::releases::ReleaseStore;
use canvass_core::releases::folder::Folder;
use canvass_ingest::{AppState, IngestConfig};
use canvass_publish::PublishState;

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, env = "CANVASS_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Folder for the embedded store, the secret and releases.
    #[arg(long, env = "CANVASS_DATA", default_value = "data")]
    data: PathBuf,
    /// Where responses and control state live: `sqlite` (DATA/canvass.db) or
    /// `dynamodb://HOST:PORT?prefix=P` (e.g. DynamoDB Local; tables from `canvass dynamo-init`).
    #[arg(long, env = "CANVASS_STORE", default_value = "sqlite")]
    store: crate::store::StoreChoice,
    /// The public origin of the statistics (e.g. `https://stats.example.org`) for the embed
    /// snippet and the feed; by default the address the request was sent to.
    #[arg(long, env = "CANVASS_PUBLIC_URL")]
    public_url: Option<String>,
    /// Folder of survey definitions.
    #[arg(long, env = "CANVASS_SURVEYS", default_value = "surveys")]
    surveys: PathBuf,
    /// Seconds clients are told to wait when storage is down.
    #[arg(long, env = "CANVASS_RETRY_AFTER", default_value_t = 5)]
    retry_after: u32,
    /// Proof-of-work difficulty: the largest number a browser may have to try.
    #[arg(long, env = "CANVASS_POW_MAX_NUMBER", default_value_t = 100_000)]
    pow_max_number: u64,
    /// Stored responses and challenges allowed per source network (IPv4 /24, IPv6 /48) and
    /// hour (0: no limit); docs/form.md sizes it.
    #[arg(
        long,
        env = "CANVASS_RATE_LIMIT_PER_HOUR",
        default_value_t = canvass_ingest::state::DEFAULT_RATE_LIMIT_PER_HOUR
    )]
    rate_limit_per_hour: u32,
    /// Take the client address from X-Forwarded-For (only behind a proxy that sets it).
    /// The environment variable takes 1/0, true/false, yes/no, on/off.
    #[arg(
        long,
        env = "CANVASS_TRUST_FORWARDED_FOR",
        num_args = 0..=1,
        default_value_t = false,
        default_missing_value = "true",
        value_parser = clap::builder::BoolishValueParser::new(),
    )]
    trust_forwarded_for: bool,
    /// Seconds between passes of the embedded store's maintenance, which deletes expired
    /// control items and rewrites the file in key order so that it keeps no arrival order
    /// (docs/privacy.md); only when something was written since the last pass.
    #[arg(long, env = "CANVASS_STORE_MAINTENANCE_SECS", default_value_t = 600)]
    store_maintenance_secs: u64,
    /// Hours between scheduled report runs (the local stand-in for EventBridge Scheduler);
    /// the first runs at start. 0 turns the schedule off.
    #[arg(long, env = "CANVASS_REPORT_INTERVAL_HOURS", default_value_t = 168)]
    report_interval_hours: u64,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let catalog = match Catalog::load(&args.surveys) {
        Ok(catalog) => catalog,
        Err(problems) => {
            for p in &problems {
                eprintln!("{p}");
            }
            anyhow::bail!(
                "the surveys in {} do not pass `canvass check`",
                args.surveys.display()
            );
        }
    };
    let secret = crate::config::secret(&args.data)?;
    let store = args
        .store
        .open(
            &args.data,
            Duration::from_secs(args.store_maintenance_secs.max(1)),
        )
        .await?;
    let state = AppState::new(
        catalog,
        store.responses,
        store.control,
        store.progress,
        secret,
        IngestConfig {
            retry_after_secs: args.retry_after,
            pow: canvass_core::pow::Difficulty {
                max_number: args.pow_max_number,
                ..Default::default()
            },
            rate_limit: canvass_core::ratelimit::RateLimit {
                per_hour: args.rate_limit_per_hour,
            },
            trust_forwarded_for: args.trust_forwarded_for,
        },
    );
    let open: Vec<String> = state.catalog.open_surveys().map(|s| s.id.clone()).collect();
    let releases = Arc::new(ReleaseStore::new(Folder::new(args.data.join("releases"))));
    if args.report_interval_hours > 0 {
        crate::schedule::spawn(
            state.responses.clone(),
            state.catalog.clone(),
            releases.clone(),
            Duration::from_secs(args.report_interval_hours * 3600),
        );
    }
    // Tallied request counts are logged once an interval even when no request comes.
    tokio::spawn(async {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            canvass_ingest::access_log::flush_tally_if_due();
        }
    });
    let publish = canvass_publish::app(PublishState {
        public_url: args.public_url.clone(),
        retry_after_secs: args.retry_after,
        ..PublishState::new(releases)
    });
    let app = canvass_ingest::app(state).merge(publish);
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("listening on {}", args.addr))?;
    let base = format!("http://{}", listener.local_addr()?);
    println!("Canvass is running on {base}");
    println!("  surveys (JSON):  {base}/surveys");
    for id in &open {
        println!("  survey form:     {base}/s/{id}");
        println!("  responses:       POST {base}/surveys/{id}/responses");
    }
    println!("  statistics:      {base}/reports (?lang=es, ?lang=fr, …: in another language)");
    println!("  feed:            {base}/reports/feed.xml");
    println!("  store:           {}", store.description);
    println!("Press Ctrl-C to stop.");
    crate::listen::serve(listener, app, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(ExitCode::SUCCESS)
}
