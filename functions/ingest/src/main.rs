//! The ingest Lambda (`bootstrap`): reads its settings, checks the compiled-in surveys and
//! builds the DynamoDB client and the Router once per cold start, then hands the Router to
//! `lambda_http::run` for every API Gateway event. See `deployed` for the settings.

use canvass_ingest::deployed::{self, DeployedConfig};

// One invocation at a time per execution environment: a single-threaded runtime starts
// faster and is all a Lambda instance uses.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    canvass_core::telemetry::init();
    let config = DeployedConfig::from_env(|name| std::env::var(name).ok())?;
    let app = deployed::app(config).await?;
    lambda_http::run(app).await
}
