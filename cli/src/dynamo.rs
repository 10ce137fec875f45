//! `canvass dynamo-init`: creates the DynamoDB tables with the keys, TTL and settings that
//! `canvass_core::tables` declares (the same source the SAM template is checked against).

use std::process::ExitCode;

use anyhow::Context;
use canvass_core::store::dynamodb::{Endpoint, build_client, create_tables};
use canvass_core::tables::{DEFAULT_PREFIX, TableNames};

#[derive(clap::Args)]
pub struct InitArgs {
    /// DynamoDB endpoint, e.g. http://127.0.0.1:8000 for DynamoDB Local, or `aws` for AWS
    /// itself (region and credentials from the standard AWS settings).
    #[arg(long, env = "CANVASS_DYNAMODB_ENDPOINT")]
    endpoint: String,
    /// Prefix of the table names (`{prefix}responses`, `{prefix}control`).
    #[arg(long, default_value = DEFAULT_PREFIX)]
    prefix: String,
}

fn endpoint(text: &str) -> anyhow::Result<Endpoint> {
    if text == "aws" {
        return Ok(Endpoint::Aws);
    }
    anyhow::ensure!(
        (text.starts_with("http://") || text.starts_with("https://"))
            && text.len() > "https://".len(),
        "--endpoint `{text}` is not a URL: write it like http://127.0.0.1:8000 (or `aws`)"
    );
    Ok(Endpoint::Url(text.trim_end_matches('/').to_owned()))
}

pub async fn init(args: InitArgs) -> anyhow::Result<ExitCode> {
    let endpoint = endpoint(&args.endpoint)?;
    let tables = TableNames::with_prefix(&args.prefix)?;
    let client = build_client(&endpoint).await;
    let prepared = create_tables(&client, &tables)
        .await
        .with_context(|| format!("preparing the tables at {}", args.endpoint))?;
    for table in &prepared {
        let what = if table.created {
            "created"
        } else {
            "ready (already existed)"
        };
        println!("{}: {what}", table.name);
    }
    if let Endpoint::Url(url) = &endpoint {
        let authority = url.split_once("://").map_or(url.as_str(), |(_, rest)| rest);
        println!(
            "Serve with: canvass serve --store 'dynamodb://{authority}?prefix={}'",
            args.prefix
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_urls_or_aws() {
        assert_eq!(endpoint("aws").unwrap(), Endpoint::Aws);
        assert_eq!(
            endpoint("http://127.0.0.1:8000/").unwrap(),
            Endpoint::Url("http://127.0.0.1:8000".into())
        );
        assert!(
            endpoint("127.0.0.1:8000")
                .unwrap_err()
                .to_string()
                .contains("not a URL")
        );
    }
}
