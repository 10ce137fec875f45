//! `canvass serve`: every Router on one local server, over the embedded store.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use canvass_core::catalog::Catalog;
use canvass_core::store::sqlite::SqliteStore;
use canvass_ingest::{AppState, IngestConfig};

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, env = "CANVASS_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Folder for the embedded store, the secret and releases.
    #[arg(long, env = "CANVASS_DATA", default_value = "data")]
    data: PathBuf,
    /// Folder of survey definitions.
    #[arg(long, env = "CANVASS_SURVEYS", default_value = "surveys")]
    surveys: PathBuf,
    /// Seconds clients are told to wait when storage is down.
    #[arg(long, env = "CANVASS_RETRY_AFTER", default_value_t = 5)]
    retry_after: u32,
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
    let db = args.data.join("canvass.db");
    let store =
        Arc::new(SqliteStore::open(&db).with_context(|| format!("opening {}", db.display()))?);
    let state = AppState::new(
        catalog,
        store.clone(),
        store,
        secret,
        IngestConfig {
            retry_after_secs: args.retry_after,
        },
    );
    let open: Vec<String> = state.catalog.open_surveys().map(|s| s.id.clone()).collect();
    let app = canvass_ingest::app(state);
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("listening on {}", args.addr))?;
    let base = format!("http://{}", listener.local_addr()?);
    println!("Canvass is running on {base}");
    println!("  surveys (JSON):  {base}/surveys");
    for id in &open {
        println!("  responses:       POST {base}/surveys/{id}/responses");
    }
    println!("  embedded store:  {}", db.display());
    println!("Press Ctrl-C to stop.");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(ExitCode::SUCCESS)
}
