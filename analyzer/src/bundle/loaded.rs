//! A bundle after it was opened and verified: every JSON member parsed into its type,
//! and the log members reduced to an index of the lines the rules care about.
//!
//! Log members can be hundreds of megabytes, so the reader never keeps them whole. It
//! streams each one once and verifies its checksum on the way. It keeps only lines that
//! match [`crate::bundle::log_index::KEYWORDS`] plus the first and last lines of each
//! member, up to a fixed number per member.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};

use super::model::*;

/// An opened, verified bundle.
#[derive(Debug, Clone, Default)]
pub struct Bundle {
    pub manifest: Option<Manifest>,
    pub deployment: Option<Deployment>,
    pub db_server: Option<DbServer>,
    /// Outer `None`: member absent. `Some(None)`: the member contains `null` because the
    /// row does not exist.
    pub task: Option<Option<TaskRow>>,
    pub subtasks: Option<Subtasks>,
    pub models: Option<Models>,
    pub owner: Option<Owner>,
    pub containers: Option<Containers>,
    pub executor_manager: Option<ExecutorManager>,
    pub redis: Option<RedisState>,
    pub workspace: Option<Workspace>,
    pub llm_probe: Option<LlmProbe>,
    /// `executors/<name>/inspect.json`, keyed by executor name.
    pub executors: BTreeMap<String, ExecutorInspect>,
    /// Text members (`logs/*.txt`, `executors/*/logs.txt`) and their sizes.
    pub text_members: Vec<TextMember>,
    /// Kept lines of all text members, in member order then line order.
    pub log_lines: Vec<LogLine>,
}

/// Size facts of one text member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextMember {
    pub path: String,
    pub bytes: u64,
    pub lines: u64,
    /// Lines dropped from the index because the per-member limit was reached.
    pub lines_not_indexed: u64,
}

/// One kept log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// Member path, for example `logs/executor-manager.txt`.
    pub member: String,
    /// 1-based line number inside the member.
    pub line_no: u64,
    /// The line without the Docker timestamp prefix, redacted as stored.
    pub text: String,
    /// Docker's RFC 3339 prefix (`docker logs --timestamps`), which is UTC.
    pub docker_time: Option<DateTime<Utc>>,
    /// The application's own leading timestamp, naive (its zone depends on the service).
    pub app_time: Option<NaiveDateTime>,
}

impl Bundle {
    /// Returns the task id from the manifest.
    pub fn task_id(&self) -> Option<i64> {
        self.manifest.as_ref().map(|m| m.task_id)
    }

    /// Manifest entry of a source, by name.
    pub fn source(&self, name: &str) -> Option<&SourceEntry> {
        self.manifest.as_ref()?.sources.iter().find(|s| s.name == name)
    }

    /// Kept lines of one member.
    pub fn lines_of<'a>(&'a self, member: &'a str) -> impl Iterator<Item = &'a LogLine> + 'a {
        self.log_lines.iter().filter(move |l| l.member == member)
    }
}
