//! The collection sources and the order they run in.
//!
//! [`all`] lists every source in run order. The order matters because later sources read
//! what earlier ones published in [`crate::source::Facts`]: docker finds executors named by
//! db's subtasks, executor-manager queries the executors db and docker found, and redis
//! is skipped when the earlier evidence shows the fork. To add a source, implement
//! [`crate::source::Source`] in a module here and put it into the list at the place whose
//! facts it needs; `--timeout` accepts its name automatically.

pub mod db;
pub mod docker;
pub mod executor_manager;
pub mod llm_probe;
pub mod log_files;
pub mod log_filter;
pub mod log_read;
pub mod redis;
pub mod workspace;

use crate::source::Source;

/// Returns every source, in run order.
pub fn all() -> Vec<Box<dyn Source>> {
    vec![
        Box::new(db::DbSource),
        Box::new(docker::DockerSource),
        Box::new(executor_manager::ExecutorManagerSource),
        Box::new(redis::RedisSource),
        Box::new(workspace::WorkspaceSource),
        Box::new(log_files::LogFilesSource),
        Box::new(llm_probe::LlmProbeSource),
    ]
}

/// Names of every source, for validating `--timeout`.
pub fn names() -> Vec<&'static str> {
    all().iter().map(|s| s.name()).collect()
}
