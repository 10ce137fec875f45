//! Sorting SDK failures into the two kinds the domain knows: worth retrying later
//! (`Unavailable`, a `503`) and not (`Failed`, a `500`).

use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;

use crate::store::StoreError;

/// Error codes DynamoDB uses for load and its own faults: the request was fine, the
/// service could not take it now.
const TRANSIENT_CODES: [&str; 7] = [
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "TransactionConflictException",
    "LimitExceededException",
];

pub(super) fn classify<E>(e: SdkError<E>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let transient = match &e {
        // Timeouts, refused or reset connections, truncated answers: the endpoint is down
        // or overloaded, and may well be back soon.
        SdkError::TimeoutError(_) | SdkError::ResponseError(_) => true,
        SdkError::DispatchFailure(failure) => !failure.is_user(),
        SdkError::ServiceError(service) => {
            service.raw().status().is_server_error()
                || service
                    .err()
                    .code()
                    .is_some_and(|code| TRANSIENT_CODES.contains(&code))
        }
        // The request could not even be built: a bug or a configuration error.
        _ => false,
    };
    let detail = DisplayErrorContext(&e).to_string();
    if transient {
        StoreError::Unavailable(detail)
    } else {
        StoreError::Failed(detail)
    }
}

/// Why DynamoDB cancelled a transaction, from its per-item cancellation reasons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Cancelled {
    /// The item at `index` (the first such) did not meet its condition.
    ConditionFailed { index: usize },
    /// Another transaction was writing one of the items: worth another round.
    Conflict,
    /// An item's partition was throttled.
    Throttled,
    /// Anything else (a validation error on an item): not worth retrying.
    Other,
}

/// `Some` when `e` is a cancelled transaction, with the reason that decides what to do.
pub(super) fn cancelled(e: &SdkError<TransactWriteItemsError>) -> Option<Cancelled> {
    let Some(TransactWriteItemsError::TransactionCanceledException(c)) = e.as_service_error()
    else {
        return None;
    };
    let codes: Vec<&str> = c
        .cancellation_reasons()
        .iter()
        .map(|r| r.code().unwrap_or("None"))
        .collect();
    Some(
        if let Some(index) = codes.iter().position(|c| *c == "ConditionalCheckFailed") {
            Cancelled::ConditionFailed { index }
        } else if codes.contains(&"TransactionConflict") {
            Cancelled::Conflict
        } else if codes.iter().any(|c| {
            matches!(
                *c,
                "ThrottlingError" | "ProvisionedThroughputExceeded" | "RequestLimitExceeded"
            )
        }) {
            Cancelled::Throttled
        } else {
            Cancelled::Other
        },
    )
}
