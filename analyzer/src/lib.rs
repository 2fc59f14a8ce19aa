//! Library of the `analyze` binary and home of the bundle format.
//!
//! - [`bundle`]: typed members of a version 1 bundle, the reader that validates an
//!   archive or folder, and the writer the collector uses.
//! - [`engine`]: derives facts from a bundle (active subtask, clocks, containers) and
//!   runs the ordered rule catalogue into an [`engine::Analysis`].
//! - [`rules`]: one diagnosis rule per file.
//! - [`report`]: text, Markdown and JSON renderings of an analysis.
//! - [`i18n`]: English and Simplified Chinese message catalogues.

pub mod bundle;
pub mod engine;
pub mod i18n;
pub mod report;
pub mod rules;
