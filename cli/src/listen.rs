//! The local server's accept loop: axum's Router over hyper's HTTP/1, with the read timeouts
//! that `axum::serve` does not set, so that a client that stalls cannot hold a connection
//! (and a task) open forever.
//!
//! - the request head must arrive within `HEADER_TIMEOUT` of the connection going idle
//!   (first request or between keep-alive requests);
//! - a whole request, body included, must be read and answered within `REQUEST_TIMEOUT`
//!   (`408 request_timeout` otherwise, in the API's JSON shape).

use std::net::SocketAddr;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt;
use tower_http::timeout::TimeoutLayer;

/// Time for a request's line and headers to arrive.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Time for a whole request, body included (the API's bodies are at most 16 KiB, and a store
/// call gives up after a few seconds).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// Serves `app` on `listener` until `shutdown` completes, then lets requests in flight
/// finish (for at most `REQUEST_TIMEOUT`).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    // The timeout wraps the Router; the explanation wraps the timeout's bare 408.
    let app = app
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(axum::middleware::map_response(explain_timeout));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors and the like: wait a moment rather than spin.
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // The peer address is handed to the rate limit's keyed hash only (ClientIp).
        let service = app
            .clone()
            .map_request(move |mut request: axum::http::Request<Incoming>| {
                request
                    .extensions_mut()
                    .insert(ConnectInfo::<SocketAddr>(peer));
                request
            });
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT)
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client that goes away or stalls ends its own connection; nothing to report.
            let _ = connection.await;
        });
    }
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(REQUEST_TIMEOUT) => {}
    }
    Ok(())
}

/// The timeout's bare `408`, in the API's error shape.
async fn explain_timeout(response: Response) -> Response {
    if response.status() != StatusCode::REQUEST_TIMEOUT {
        return response;
    }
    let message = format!(
        "the request was not received and answered within {} s; send it again (a response is stored at most once per submission_id)",
        REQUEST_TIMEOUT.as_secs()
    );
    (
        StatusCode::REQUEST_TIMEOUT,
        Json(serde_json::json!({ "error": "request_timeout", "message": message })),
    )
        .into_response()
}
