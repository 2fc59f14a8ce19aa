//! Library of the `collect` binary: sources, redaction and bundle assembly.
//!
//! Each source reads one place on the production host (MySQL, Docker, executor-manager,
//! Redis, the task workspace, log files) without changing it. The bundle writer of the
//! analyzer library stores what they found, after [`redact`] removed every secret.
//!
//! - [`cli`], [`config`], [`envfile`], [`units`]: the command line and its validation.
//! - [`source`]: the [`source::Source`] trait, the shared [`source::Context`] and facts.
//! - [`runner`]: runs the sources in [`sources::all`] order under per-source time limits.
//! - [`sources`]: one module per source.
//! - [`deployment`]: detects the Wegent flavour for `deployment.json`.
//! - [`assemble`], [`app`]: writes the bundle and prints the summary.
//! - [`console`], [`logging`], [`i18n`]: redacted output in English or Chinese.

pub mod app;
pub mod assemble;
pub mod cli;
pub mod config;
pub mod console;
pub mod deployment;
pub mod envfile;
pub mod i18n;
pub mod logging;
pub mod redact;
pub mod runner;
pub mod source;
pub mod sources;
pub mod units;
