//! Workspace root of wegent-inspect.
//!
//! The tools live in `analyzer/` (the `analyze` binary and the bundle format) and
//! `collector/` (the `collect` binary). This package contains the end-to-end and snapshot
//! tests under `tests/`, which replay the bundles in `fixtures/`, and the recorder of
//! incident scenarios ([`scenario`], binary `record-scenario`).

pub mod scenario;
