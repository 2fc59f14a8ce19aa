//! Diagnostic logging (`tracing`) to stderr, redacted line by line.
//!
//! The level comes from `WEGENT_LOG`, in tracing's filter syntax such as `debug` or
//! `wegent_collector=trace`. By default only errors are shown, because progress lines
//! already report each source. Every line is redacted with the run's redactor before it
//! is written, like all other output.
//!
//! The client libraries underneath (bollard, hyper, reqwest, sqlx, rustls) are capped at
//! `info` whatever level `WEGENT_LOG` requests. At `debug` bollard prints whole Docker API
//! responses, including container environments with their secrets, before any source
//! has seen them. The line redactor cannot rely on recognising every value there.

use std::sync::Arc;

use tracing_subscriber::EnvFilter;

use crate::redact::{RedactingMakeWriter, Redactor};

/// Most detailed level allowed for client libraries that log raw requests and responses.
const CLIENT_LIBRARY_CAPS: &[&str] = &[
    "bollard=info",
    "hyper=info",
    "hyper_util=info",
    "reqwest=info",
    "h2=info",
    "rustls=info",
    "sqlx=info",
    "redis=info",
];

/// Installs the global subscriber; later calls are ignored.
pub fn init(redactor: Arc<Redactor>) {
    let mut filter =
        EnvFilter::try_from_env("WEGENT_LOG").unwrap_or_else(|_| EnvFilter::new("error"));
    for directive in CLIENT_LIBRARY_CAPS {
        if let Ok(directive) = directive.parse() {
            filter = filter.add_directive(directive);
        }
    }
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(false)
        .with_writer(RedactingMakeWriter::new(std::io::stderr, redactor))
        .try_init();
}
