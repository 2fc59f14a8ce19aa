//! Diagnostic logging (`tracing`) to stderr, redacted line by line.
//!
//! The level comes from `WEGENT_LOG`, in tracing's filter syntax such as `debug` or
//! `wegent_collector=trace`. By default only errors are shown, because progress lines
//! already report each source. Every line is redacted with the run's redactor before it
//! is written, like all other output.

use std::sync::Arc;

use tracing_subscriber::EnvFilter;

use crate::redact::{RedactingMakeWriter, Redactor};

/// Installs the global subscriber; later calls are ignored.
pub fn init(redactor: Arc<Redactor>) {
    let filter = EnvFilter::try_from_env("WEGENT_LOG").unwrap_or_else(|_| EnvFilter::new("error"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(false)
        .with_writer(RedactingMakeWriter::new(std::io::stderr, redactor))
        .try_init();
}
