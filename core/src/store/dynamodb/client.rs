//! Building the SDK client once, with the retry and timeout policy every call shares.
//!
//! The policy is chosen so that a dead endpoint turns into `StoreError::Unavailable` (and a
//! `503`) within about two seconds instead of hanging a request, while a throttled or briefly
//! unreachable DynamoDB is retried with backoff. Connections are pooled and re-established
//! on demand, so the service recovers by itself when the endpoint comes back.

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region, SharedHttpClient};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};

/// Where DynamoDB is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// AWS itself, with region and credentials from the standard chain (on Lambda: the
    /// function's environment; the chain never reaches further there).
    Aws,
    /// Any other endpoint, such as DynamoDB Local: fixed placeholder credentials and region,
    /// since a local endpoint checks neither and no real key should be needed to use one.
    Url(String),
}

/// Attempts per call, the first included. Three attempts with the backoff below fit inside
/// the operation timeout.
const MAX_ATTEMPTS: u32 = 3;
const INITIAL_BACKOFF: Duration = Duration::from_millis(50);
const MAX_BACKOFF: Duration = Duration::from_millis(400);

/// Connecting to a live endpoint on the same network takes milliseconds; one that does not
/// answer in a second will not answer in time for a waiting respondent either.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// One attempt of a single-item call. DynamoDB answers in single-digit milliseconds.
const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(1500);
/// A whole call, retries included: the bound on how long a request waits before a `503`.
const OPERATION_TIMEOUT: Duration = Duration::from_millis(2500);

/// One Scan page reads up to 1 MB and may take longer than a single-item call.
pub(super) const SCAN_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
pub(super) const SCAN_OPERATION_TIMEOUT: Duration = Duration::from_secs(30);

pub(super) fn retry_config() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(MAX_ATTEMPTS)
        .with_initial_backoff(INITIAL_BACKOFF)
        .with_max_backoff(MAX_BACKOFF)
}

pub(super) fn timeout_config(attempt: Duration, operation: Duration) -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(attempt)
        .operation_timeout(operation)
        .build()
}

/// rustls with ring: no C toolchain needed to build it, and smaller than the SDK's default.
fn http_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// The region and credentials placeholders used for non-AWS endpoints.
pub const LOCAL_REGION: &str = "us-east-1";
// DynamoDB Local accepts only letters and digits in an access key id.
const LOCAL_KEY: &str = "canvasslocal";

/// Builds a client; call once per process and share it (it pools connections).
pub async fn build_client(endpoint: &Endpoint) -> Client {
    let timeouts = timeout_config(ATTEMPT_TIMEOUT, OPERATION_TIMEOUT);
    match endpoint {
        Endpoint::Aws => {
            let shared = aws_config::defaults(BehaviorVersion::latest())
                .http_client(http_client())
                .retry_config(retry_config())
                .timeout_config(timeouts)
                .load()
                .await;
            Client::new(&shared)
        }
        Endpoint::Url(url) => {
            let config = aws_sdk_dynamodb::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::from_static(LOCAL_REGION))
                .credentials_provider(Credentials::new(
                    LOCAL_KEY, LOCAL_KEY, None, None, LOCAL_KEY,
                ))
                .endpoint_url(url)
                .http_client(http_client())
                .retry_config(retry_config())
                .timeout_config(timeouts)
                .build();
            Client::from_conf(config)
        }
    }
}
