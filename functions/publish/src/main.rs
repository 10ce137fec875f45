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
    let state = PublishState {
        releases: Arc::new(ReleaseStore::new(Bucket::new(client, bucket, prefix))),
        featured_survey: std::env::var("FEATURED_SURVEY").ok(),
        // A custom domain in front of the API; otherwise links take the request's host.
        public_url: std::env::var("PUBLIC_URL").ok().filter(|u| !u.is_empty()),
    };
    lambda_http::run(app(state)).await
}
