//! `--store`: where the local server (and other commands) keep responses and control state.
//!
//! `sqlite` (the default) is the embedded file `DATA/canvass.db`; `dynamodb://HOST:PORT?prefix=P`
//! is any DynamoDB endpoint, such as DynamoDB Local, with tables made by `canvass dynamo-init`;
//! `dynamodb://aws?prefix=P` is AWS itself.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use canvass_core::store::dynamodb::{DynamoStore, DynamoUrl, Endpoint, build_client};
use canvass_core::store::sqlite::SqliteStore;
use canvass_core::store::{ControlStore, ProgressStore, ResponseStore};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreChoice {
    Sqlite,
    Dynamo(DynamoUrl),
}

impl FromStr for StoreChoice {
    type Err = String;

    fn from_str(text: &str) -> Result<StoreChoice, String> {
        if text == "sqlite" {
            return Ok(StoreChoice::Sqlite);
        }
        if text.starts_with("dynamodb://") {
            return text
                .parse()
                .map(StoreChoice::Dynamo)
                .map_err(|e| e.to_string());
        }
        Err(format!(
            "`{text}` is not a store: use `sqlite` or `dynamodb://HOST:PORT?prefix=P`"
        ))
    }
}

/// Both stores, opened, and a line saying where they are.
pub struct Opened {
    pub responses: Arc<dyn ResponseStore>,
    pub control: Arc<dyn ControlStore>,
    pub progress: Arc<dyn ProgressStore>,
    pub description: String,
}

impl StoreChoice {
    /// Like [`StoreChoice::open`], for commands that read what was collected: an embedded
    /// store that does not exist is an error, since opening would create an empty one and
    /// a mistyped folder must not look like "0".
    pub async fn open_existing(
        &self,
        data: &Path,
        maintenance_every: Duration,
    ) -> anyhow::Result<Opened> {
        if *self == StoreChoice::Sqlite {
            let db = data.join("canvass.db");
            anyhow::ensure!(
                db.exists(),
                "no store at {}: check --data (nothing has been collected there)",
                db.display()
            );
        }
        self.open(data, maintenance_every).await
    }

    /// Opens the chosen store; `maintenance_every` is how often the embedded SQLite store
    /// purges expired control items and rewrites its file in key order.
    pub async fn open(&self, data: &Path, maintenance_every: Duration) -> anyhow::Result<Opened> {
        match self {
            StoreChoice::Sqlite => {
                let db = data.join("canvass.db");
                let store = Arc::new(
                    SqliteStore::open_with(&db, maintenance_every)
                        .with_context(|| format!("opening {}", db.display()))?,
                );
                Ok(Opened {
                    responses: store.clone(),
                    control: store.clone(),
                    progress: store,
                    description: format!("embedded SQLite, {}", db.display()),
                })
            }
            StoreChoice::Dynamo(url) => {
                let client = build_client(&url.endpoint).await;
                let where_ = match &url.endpoint {
                    Endpoint::Aws => "AWS".to_owned(),
                    Endpoint::Url(endpoint) => endpoint.clone(),
                };
                let description = format!(
                    "DynamoDB at {where_}, tables {} and {}",
                    url.tables.responses, url.tables.control
                );
                let store =
                    Arc::new(DynamoStore::new(client, url.tables.clone()).with_scan(url.scan));
                Ok(Opened {
                    responses: store.clone(),
                    control: store.clone(),
                    progress: store,
                    description,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_choices_parse_and_refuse_clearly() {
        assert_eq!("sqlite".parse::<StoreChoice>(), Ok(StoreChoice::Sqlite));
        assert!(matches!(
            "dynamodb://127.0.0.1:8000?prefix=x-".parse::<StoreChoice>(),
            Ok(StoreChoice::Dynamo(_))
        ));
        assert!(
            "postgres://x"
                .parse::<StoreChoice>()
                .unwrap_err()
                .contains("not a store")
        );
        assert!(
            "dynamodb://nohost"
                .parse::<StoreChoice>()
                .unwrap_err()
                .contains("not a DynamoDB address")
        );
    }
}
