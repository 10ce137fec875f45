//! The ingest function as deployed: DynamoDB stores, the surveys compiled into the binary,
//! and settings from the environment. The Lambda binary (`main.rs`) and the tests of the
//! Lambda path build the Router through here, so they run the same set-up.
//!
//! | variable | meaning |
//! |---|---|
//! | `RESPONSES_TABLE`, `CONTROL_TABLE` | table names (required) |
//! | `CANVASS_SECRET` | the server secret, hex, at least 32 bytes (required) |
//! | `CANVASS_RETRY_AFTER` | seconds clients wait after a `503` (default 5) |
//! | `AWS_ENDPOINT_URL_DYNAMODB` | another DynamoDB endpoint, e.g. DynamoDB Local (optional) |
//!
//! The secret reaches the environment from a `SecureString` in SSM Parameter Store (or
//! Secrets Manager) through the SAM template's dynamic reference, so it is in no file, no
//! image and no log; rotating it means redeploying with the new value.

use std::sync::Arc;

use axum::Router;
use canvass_core::catalog::Catalog;
use canvass_core::ids::{Secret, WeakSecret};
use canvass_core::store::dynamodb::{DynamoStore, Endpoint, build_client};
use canvass_core::tables::{TableNameError, TableNames};

use crate::{AppState, IngestConfig};

pub const SECRET_ENV: &str = "CANVASS_SECRET";
pub const RETRY_AFTER_ENV: &str = "CANVASS_RETRY_AFTER";
/// The SDK's own name for a DynamoDB endpoint override.
pub const ENDPOINT_ENV: &str = "AWS_ENDPOINT_URL_DYNAMODB";

/// Everything the deployed function reads from its environment.
#[derive(Debug, Clone)]
pub struct DeployedConfig {
    pub tables: TableNames,
    pub secret: Secret,
    pub endpoint: Endpoint,
    pub retry_after_secs: u32,
}

/// Why the function cannot start; every message names the setting and the fix.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Tables(#[from] TableNameError),
    #[error("{SECRET_ENV} is not set: pass the server secret (hex, from `openssl rand -hex 32`)")]
    MissingSecret,
    #[error("{SECRET_ENV}: {0}")]
    WeakSecret(WeakSecret),
    #[error("{RETRY_AFTER_ENV} must be whole seconds from 1 to 3600, not `{0}`")]
    RetryAfter(String),
    #[error("the surveys compiled into this binary do not pass `canvass check`:\n{0}")]
    Surveys(String),
}

impl DeployedConfig {
    /// Reads the settings through `var`, so tests pass a map and the binary the process
    /// environment.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<DeployedConfig, StartError> {
        let tables = TableNames::from_env(&var)?;
        let secret = var(SECRET_ENV)
            .filter(|s| !s.trim().is_empty())
            .ok_or(StartError::MissingSecret)?;
        let secret = Secret::from_hex(&secret).map_err(StartError::WeakSecret)?;
        let retry_after_secs = match var(RETRY_AFTER_ENV) {
            None => IngestConfig::default().retry_after_secs,
            Some(text) => text
                .trim()
                .parse()
                .ok()
                .filter(|s| (1..=3600).contains(s))
                .ok_or(StartError::RetryAfter(text))?,
        };
        let endpoint = match var(ENDPOINT_ENV).filter(|e| !e.is_empty()) {
            Some(url) => Endpoint::Url(url),
            None => Endpoint::Aws,
        };
        Ok(DeployedConfig {
            tables,
            secret,
            endpoint,
            retry_after_secs,
        })
    }
}

/// The surveys compiled into this binary, checked.
pub fn catalog() -> Result<Catalog, StartError> {
    canvass_core::embedded::catalog().map_err(|problems| {
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        StartError::Surveys(text.join("\n"))
    })
}

/// Builds the catalog, the DynamoDB client and the Router: once per cold start.
pub async fn app(config: DeployedConfig) -> Result<Router, StartError> {
    let catalog = catalog()?;
    let client = build_client(&config.endpoint).await;
    let store = Arc::new(DynamoStore::new(client, config.tables));
    let settings = IngestConfig {
        retry_after_secs: config.retry_after_secs,
        // API Gateway appends the caller's address to X-Forwarded-For; the rightmost entry
        // is the one it wrote.
        trust_forwarded_for: true,
        ..IngestConfig::default()
    };
    let state = AppState::new(
        catalog,
        store.clone(),
        store.clone(),
        store,
        config.secret,
        settings,
    );
    Ok(crate::app(state))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| map.get(k).cloned()
    }

    const SECRET: &str = "0000000000000000000000000000000000000000000000000000000000000001";

    #[test]
    fn settings_come_from_the_environment() {
        let config = DeployedConfig::from_env(env(&[
            ("RESPONSES_TABLE", "p-responses"),
            ("CONTROL_TABLE", "p-control"),
            ("CANVASS_SECRET", SECRET),
            ("CANVASS_RETRY_AFTER", "7"),
            ("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000"),
        ]))
        .unwrap();
        assert_eq!(config.tables.responses, "p-responses");
        assert_eq!(config.retry_after_secs, 7);
        assert_eq!(
            config.endpoint,
            Endpoint::Url("http://127.0.0.1:8000".into())
        );
        let aws = DeployedConfig::from_env(env(&[
            ("RESPONSES_TABLE", "p-responses"),
            ("CONTROL_TABLE", "p-control"),
            ("CANVASS_SECRET", SECRET),
        ]))
        .unwrap();
        assert_eq!(aws.endpoint, Endpoint::Aws);
        assert_eq!(aws.retry_after_secs, 5);
    }

    #[test]
    fn missing_or_bad_settings_are_named() {
        let base = [
            ("RESPONSES_TABLE", "p-responses"),
            ("CONTROL_TABLE", "p-control"),
        ];
        let err = |extra: &[(&str, &str)]| {
            let mut pairs = base.to_vec();
            pairs.extend_from_slice(extra);
            DeployedConfig::from_env(env(&pairs))
                .unwrap_err()
                .to_string()
        };
        assert!(err(&[]).contains("CANVASS_SECRET is not set"));
        assert!(err(&[("CANVASS_SECRET", "abcd")]).contains("at least 32 bytes"));
        assert!(
            err(&[("CANVASS_SECRET", SECRET), ("CANVASS_RETRY_AFTER", "0")])
                .contains("CANVASS_RETRY_AFTER")
        );
        let no_tables = DeployedConfig::from_env(env(&[("CANVASS_SECRET", SECRET)]));
        assert!(
            no_tables
                .unwrap_err()
                .to_string()
                .contains("RESPONSES_TABLE")
        );
    }
}
