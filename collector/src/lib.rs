//! Library of the `collect` binary: sources, redaction and bundle assembly.
//!
//! Each source reads one place on the production host (MySQL, Docker, executor-manager,
//! Redis, the task workspace, log files) without changing it. The bundle writer of the
//! analyzer library stores what they found, after [`redact`] removed every secret.

pub mod redact;
