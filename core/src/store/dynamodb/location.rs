//! `dynamodb://…` store addresses, as `canvass serve --store` and `CANVASS_STORE` take them:
//!
//! - `dynamodb://HOST:PORT?prefix=P` — any DynamoDB-compatible endpoint over plain HTTP, such
//!   as DynamoDB Local on this machine;
//! - `dynamodb://aws?prefix=P` — AWS itself, region and credentials from the standard chain.
//!
//! Optional parameters: `prefix` (table name prefix, default `canvass-`), `segments`
//! (parallel Scan segments) and `consistent` (`true` for strongly consistent scans).

use std::str::FromStr;

use super::client::Endpoint;
use super::{MAX_SEGMENTS, ScanSettings};
use crate::tables::{DEFAULT_PREFIX, TableNameError, TableNames};

const SCHEME: &str = "dynamodb://";
const EXAMPLE: &str = "dynamodb://127.0.0.1:8000?prefix=canvass-";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DynamoUrl {
    pub endpoint: Endpoint,
    pub tables: TableNames,
    pub scan: ScanSettings,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DynamoUrlError {
    #[error(
        "`{0}` is not a DynamoDB address: write it like {EXAMPLE} (or dynamodb://aws?prefix=… for AWS)"
    )]
    Shape(String),
    #[error("unknown parameter `{0}` in the DynamoDB address: use prefix, segments or consistent")]
    UnknownParameter(String),
    #[error("`segments={0}` is not valid: use a whole number from 1 to {MAX_SEGMENTS}")]
    Segments(String),
    #[error("`consistent={0}` is not valid: use true or false")]
    Consistent(String),
    #[error(transparent)]
    TableName(#[from] TableNameError),
}

impl FromStr for DynamoUrl {
    type Err = DynamoUrlError;

    fn from_str(text: &str) -> Result<DynamoUrl, DynamoUrlError> {
        let shape = || DynamoUrlError::Shape(text.to_owned());
        let rest = text.strip_prefix(SCHEME).ok_or_else(shape)?;
        let (authority, query) = rest.split_once('?').unwrap_or((rest, ""));
        let authority = authority.trim_end_matches('/');
        let endpoint = if authority == "aws" {
            Endpoint::Aws
        } else {
            let (host, port) = authority.rsplit_once(':').ok_or_else(shape)?;
            let port_ok = port.parse::<u16>().is_ok_and(|p| p > 0);
            let host_ok = !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':'));
            if !port_ok || !host_ok {
                return Err(shape());
            }
            Endpoint::Url(format!("http://{host}:{port}"))
        };
        let mut prefix = DEFAULT_PREFIX.to_owned();
        let mut scan = ScanSettings::default();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "prefix" => prefix = value.to_owned(),
                "segments" => {
                    scan.segments = value
                        .parse()
                        .ok()
                        .filter(|n| (1..=MAX_SEGMENTS).contains(n))
                        .ok_or_else(|| DynamoUrlError::Segments(value.to_owned()))?;
                }
                "consistent" => {
                    scan.consistent_read = value
                        .parse()
                        .map_err(|_| DynamoUrlError::Consistent(value.to_owned()))?;
                }
                other => return Err(DynamoUrlError::UnknownParameter(other.to_owned())),
            }
        }
        Ok(DynamoUrl {
            endpoint,
            tables: TableNames::with_prefix(&prefix)?,
            scan,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_and_aws_addresses_parse_with_their_options() {
        let local: DynamoUrl = "dynamodb://127.0.0.1:8000?prefix=test-&segments=8&consistent=true"
            .parse()
            .unwrap();
        assert_eq!(
            local.endpoint,
            Endpoint::Url("http://127.0.0.1:8000".into())
        );
        assert_eq!(local.tables.responses, "test-responses");
        assert_eq!(
            local.scan,
            ScanSettings {
                segments: 8,
                consistent_read: true
            }
        );
        let aws: DynamoUrl = "dynamodb://aws".parse().unwrap();
        assert_eq!(aws.endpoint, Endpoint::Aws);
        assert_eq!(aws.tables.control, "canvass-control");
        assert_eq!(aws.scan, ScanSettings::default());
    }

    #[test]
    fn bad_addresses_say_what_is_wrong() {
        let err = |s: &str| s.parse::<DynamoUrl>().unwrap_err();
        assert!(matches!(err("sqlite"), DynamoUrlError::Shape(_)));
        assert!(matches!(
            err("dynamodb://localhost"),
            DynamoUrlError::Shape(_)
        ));
        assert!(matches!(
            err("dynamodb://localhost:99999"),
            DynamoUrlError::Shape(_)
        ));
        assert!(matches!(
            err("dynamodb://h:1?table=x"),
            DynamoUrlError::UnknownParameter(_)
        ));
        assert!(matches!(
            err("dynamodb://h:1?segments=0"),
            DynamoUrlError::Segments(_)
        ));
        assert!(matches!(
            err("dynamodb://h:1?consistent=yes"),
            DynamoUrlError::Consistent(_)
        ));
        assert!(matches!(
            err("dynamodb://h:1?prefix=a b"),
            DynamoUrlError::TableName(_)
        ));
    }
}
