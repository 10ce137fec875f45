//! Logging set-up shared by every binary: JSON lines under Lambda (or when asked), readable
//! lines on a terminal. What gets logged is decided at each call site: never a body, a
//! header or an address.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber. `CANVASS_LOG` (or `RUST_LOG`) filters, default `info`;
/// `CANVASS_LOG_FORMAT=json|text` overrides the format chosen from the environment.
pub fn init() {
    let filter = EnvFilter::try_from_env("CANVASS_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new("info,rusqlite_migration=warn"));
    let json = match std::env::var("CANVASS_LOG_FORMAT").as_deref() {
        Ok("json") => true,
        Ok("text") => false,
        _ => std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some(),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, never into a file or a log service.
        .with_ansi(std::io::stderr().is_terminal());
    let _ = if json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .without_time()
            .try_init()
    } else {
        builder.compact().try_init()
    };
}
