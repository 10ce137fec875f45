//! The report Lambda (`bootstrap`): builds the DynamoDB and S3 clients and checks the
//! compiled-in surveys once per cold start, then runs the scheduled report per event.
//!
//! | variable | meaning |
//! |---|---|
//! | `RESPONSES_TABLE` | the responses table (read with a parallel Scan) |
//! | `RELEASES_BUCKET`, `RELEASES_PREFIX` | where releases go (prefix default `releases/`) |
//! | `SCAN_SEGMENTS` | parallel Scan segments (default: the store's) |

use canvass_core::releases::ReleaseStore;
use canvass_core::releases::s3::{Bucket, build_client as s3_client};
use canvass_core::store::dynamodb::{DynamoStore, Endpoint, build_client};
use canvass_core::tables::TableNames;
use canvass_report::{Deps, ReportError, handle};
use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde_json::Value;

#[derive(Debug)]
struct Failure(ReportError);

impl From<Failure> for Diagnostic {
    fn from(f: Failure) -> Diagnostic {
        Diagnostic {
            error_type: f.0.kind().to_owned(),
            error_message: f.0.to_string(),
        }
    }
}

fn required(name: &str) -> Result<String, lambda_runtime::Error> {
    std::env::var(name).map_err(|_| format!("{name} is not set").into())
}

/// mimalloc for every allocation: the report decodes millions of small answer values on
/// every core at once (docs/benchmarks.md, "The report end to end").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    canvass_core::telemetry::init();
    let catalog = canvass_core::embedded::catalog().map_err(|problems| {
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        format!(
            "the compiled-in surveys do not pass `canvass check`:\n{}",
            text.join("\n")
        )
    })?;
    let tables = TableNames::from_env(|name| std::env::var(name).ok())?;
    let dynamo = build_client(&Endpoint::Aws).await;
    let bucket = required("RELEASES_BUCKET")?;
    let prefix = std::env::var("RELEASES_PREFIX").unwrap_or_else(|_| "releases/".into());
    let deps = Deps {
        responses: Box::new(DynamoStore::new(dynamo, tables)),
        catalog,
        releases: ReleaseStore::new(Bucket::new(s3_client(None).await, bucket, prefix)),
    };
    let deps = &deps;
    lambda_runtime::run(service_fn(move |_event: LambdaEvent<Value>| async move {
        let today = time::OffsetDateTime::now_utc().date();
        handle(deps, today).await.map_err(Failure)
    }))
    .await
}
