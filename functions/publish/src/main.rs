//! The publish Lambda: releases from S3, served by the same Router as `canvass serve`.

use std::sync::Arc;

use canvass_core::releases::ReleaseStore;
use canvass_core::releases::s3::{Bucket, build_client};
use canvass_publish::{PublishState, app};

fn required(name: &str) -> Result<String, lambda_http::Error> {
    std::env::var(name).map_err(|_| format!("{name} is not set").into())
}

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    canvass_core::telemetry::init();
    let bucket = required("RELEASES_BUCKET")?;
    let prefix = std::env::var("RELEASES_PREFIX").unwrap_or_else(|_| "releases/".into());
    let endpoint = std::env::var("S3_ENDPOINT").ok();
    let client = build_client(endpoint.as_deref()).await;
    let retry_after_secs = match std::env::var("CANVASS_RETRY_AFTER") {
        Ok(v) => v
            .parse::<u32>()
            .ok()
            .filter(|s| (1..=3600).contains(s))
            .ok_or_else(|| {
                format!("CANVASS_RETRY_AFTER must be whole seconds from 1 to 3600, not `{v}`")
            })?,
        Err(_) => canvass_publish::DEFAULT_RETRY_AFTER_SECS,
    };
    let state = PublishState {
        featured_survey: std::env::var("FEATURED_SURVEY").ok(),
        // A custom domain in front of the API; otherwise links take the request's host.
        public_url: std::env::var("PUBLIC_URL").ok().filter(|u| !u.is_empty()),
        retry_after_secs,
        ..PublishState::new(Arc::new(ReleaseStore::new(Bucket::new(
            client, bucket, prefix,
        ))))
    };
    lambda_http::run(app(state)).await
}
