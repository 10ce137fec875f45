//! Releases in an S3 bucket (versioned, private), under a key prefix.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::config::timeout::TimeoutConfig;
use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};

use super::{Objects, ReleaseError};

#[derive(Debug, Clone)]
pub struct Bucket {
    client: Client,
    bucket: String,
    prefix: String,
}

/// Builds an S3 client once per process. `endpoint`: `None` for AWS (region and credentials
/// from the standard chain), or a URL such as a local S3-API server (path-style addressing,
/// placeholder credentials).
pub async fn build_client(endpoint: Option<&str>) -> Client {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https();
    let retry = RetryConfig::standard()
        .with_max_attempts(3)
        .with_max_backoff(Duration::from_secs(2));
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(2))
        .operation_attempt_timeout(Duration::from_secs(20))
        .operation_timeout(Duration::from_secs(60))
        .build();
    match endpoint {
        None => {
            let shared = aws_config::defaults(BehaviorVersion::latest())
                .http_client(http)
                .retry_config(retry)
                .timeout_config(timeouts)
                .load()
                .await;
            Client::new(&shared)
        }
        Some(url) => Client::from_conf(
            aws_sdk_s3::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::from_static("us-east-1"))
                .credentials_provider(Credentials::new(
                    "canvass-local",
                    "canvass-local",
                    None,
                    None,
                    "canvass-local",
                ))
                .endpoint_url(url)
                .force_path_style(true)
                .http_client(http)
                .retry_config(retry)
                .timeout_config(timeouts)
                .build(),
        ),
    }
}

impl Bucket {
    /// `prefix` is prepended to every key (e.g. `releases/`); it may be empty.
    pub fn new(client: Client, bucket: impl Into<String>, prefix: impl Into<String>) -> Bucket {
        Bucket {
            client,
            bucket: bucket.into(),
            prefix: prefix.into(),
        }
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }
}

fn failed<E: ProvideErrorMetadata + std::fmt::Debug, R: std::fmt::Debug>(
    e: SdkError<E, R>,
) -> ReleaseError {
    let detail = match e.code() {
        Some(code) => format!("{code}: {}", e.message().unwrap_or("")),
        None => format!("{e:?}"),
    };
    ReleaseError::Unavailable(detail)
}

#[async_trait]
impl Objects for Bucket {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ReleaseError> {
        let result = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(self.key(key))
            .send()
            .await;
        match result {
            Ok(object) => {
                let bytes = object
                    .body
                    .collect()
                    .await
                    .map_err(|e| ReleaseError::Unavailable(e.to_string()))?;
                Ok(Some(bytes.into_bytes().to_vec()))
            }
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => Ok(None),
            Err(e) => Err(failed(e)),
        }
    }

    async fn create(
        &self,
        key: &str,
        bytes: &[u8],
        content_type: &str,
    ) -> Result<bool, ReleaseError> {
        let result = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(self.key(key))
            .content_type(content_type)
            .if_none_match("*")
            .body(ByteStream::from(bytes.to_vec()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            // 412: the key exists. 409: a concurrent conditional write to it is in flight.
            Err(SdkError::ServiceError(e)) if matches!(e.raw().status().as_u16(), 412 | 409) => {
                Ok(false)
            }
            Err(e) => Err(failed(e)),
        }
    }

    async fn replace(
        &self,
        key: &str,
        bytes: &[u8],
        content_type: &str,
    ) -> Result<(), ReleaseError> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(self.key(key))
            .content_type(content_type)
            .cache_control("public, max-age=60")
            .body(ByteStream::from(bytes.to_vec()))
            .send()
            .await
            .map(|_| ())
            .map_err(failed)
    }
}
