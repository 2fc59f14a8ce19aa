//! The result of analysing one bundle, before it is rendered in a language.
//!
//! Every user-facing string is a [`Msg`]: a catalogue key plus named arguments. The
//! renderers resolve it in English or Chinese, so one analysis feeds every report format
//! and both languages, and rule ids stay the same in all of them.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::bundle::model::{Flavour, RedactionSummary, SourceEntry};

/// Urgency of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Explains why the task cannot finish, or why it failed.
    Critical,
    /// Something wrong that may mislead or slow the task, but is not the cause.
    Warning,
    /// Context for the reader: a checked condition, an applied offset.
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// Overall verdict of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Completed,
    Failed,
    Cancelled,
    /// PENDING/RUNNING and progressing normally.
    Running,
    /// Claims PENDING/RUNNING/CANCELLING but cannot progress.
    Stuck,
    /// The task row does not exist.
    NotFound,
    /// The sources needed to decide are missing.
    Inconclusive,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Completed => "completed",
            Verdict::Failed => "failed",
            Verdict::Cancelled => "cancelled",
            Verdict::Running => "running",
            Verdict::Stuck => "stuck",
            Verdict::NotFound => "not_found",
            Verdict::Inconclusive => "inconclusive",
        }
    }

    /// True when the report shows a problem; `analyze` then exits with status 1.
    pub fn is_problem(self) -> bool {
        !matches!(self, Verdict::Completed | Verdict::Running)
    }
}

/// A user-facing message: a catalogue key and its named arguments.
///
/// Keys are `<rule-id>.<part>` for rule messages (`executor-missing.title`) and
/// `<area>.<part>` for the rest (`verdict.stuck`, `timeline.subtask-created`). Arguments
/// are substituted into `{name}` placeholders of the catalogue text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Msg {
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl Msg {
    pub fn new(key: &'static str) -> Self {
        Msg {
            key,
            args: Vec::new(),
        }
    }

    /// Adds a named argument.
    pub fn arg(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, value.to_string()));
        self
    }

    /// Adds a named argument that is a list: the items are joined with
    /// [`LIST_SEPARATOR`], which the renderer replaces by the language's own separator
    /// (`, ` in English, `、` in Chinese).
    pub fn list<S: AsRef<str>>(self, name: &'static str, items: &[S]) -> Self {
        let joined = items
            .iter()
            .map(|item| item.as_ref())
            .collect::<Vec<_>>()
            .join(LIST_SEPARATOR);
        self.arg(name, joined)
    }
}

/// Separator between the items of a list argument (see [`Msg::list`]), never shown to a
/// reader.
pub const LIST_SEPARATOR: &str = "\u{1f}";

/// A pointer into the bundle that supports a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// Member path, for example `db/subtasks.json`.
    pub source: String,
    /// Location inside the member: `id=301`, `line 1042`, `/status/status`, `name=wegent-task-…`.
    pub locator: String,
    /// The observed value or line, already redacted in the bundle. Data only: words the
    /// analyzer adds go into `note`, so renderers can translate them.
    pub excerpt: String,
    /// The analyzer's observation beyond the excerpt, such as the absence of a container.
    pub note: Option<Msg>,
}

impl Evidence {
    pub fn new(
        source: impl Into<String>,
        locator: impl Into<String>,
        excerpt: impl Into<String>,
    ) -> Self {
        Evidence {
            source: source.into(),
            locator: locator.into(),
            excerpt: excerpt.into(),
            note: None,
        }
    }

    /// Adds a note that renderers show, translated, before the excerpt.
    pub fn with_note(mut self, note: Msg) -> Self {
        self.note = Some(note);
        self
    }
}

/// One diagnosis produced by a rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Stable kebab-case rule id.
    pub rule: &'static str,
    pub severity: Severity,
    pub title: Msg,
    pub detail: Msg,
    pub evidence: Vec<Evidence>,
    pub next_steps: Vec<Msg>,
}

/// One event of the merged timeline, on the reference clock (UTC).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineEvent {
    pub at: DateTime<Utc>,
    /// Member path the event comes from.
    pub source: String,
    pub event: Msg,
}

/// The clock offsets the engine applied, so the report can state them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClockCalibration {
    /// Offset of the backend process clock from UTC, in seconds.
    pub backend_offset_seconds: i64,
    /// Offset of the MySQL session clock used by backend connections, in seconds.
    pub db_session_offset_seconds: i64,
    /// Offset of executor-manager and executor logs, in seconds (Asia/Shanghai by default).
    pub em_offset_seconds: i64,
    /// Basis of each offset, one message per offset.
    pub basis: Vec<Msg>,
}

/// Compact view of one subtask for the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubtaskSummary {
    pub id: i64,
    pub message_id: i64,
    pub role: String,
    pub status: String,
    pub progress: i64,
    pub executor_name: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub error_message: Option<String>,
}

/// The task as the engine understood it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskSummary {
    pub kind: String,
    /// `$.status.status` of the task row.
    pub status: Option<String>,
    pub progress: Option<i64>,
    /// Fork only.
    pub status_phase: Option<String>,
    pub task_type: Option<String>,
    pub source: Option<String>,
    pub is_active: i64,
    pub updated_at: Option<DateTime<Utc>>,
}

/// Sources that were not fully collected.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CollectionState {
    /// Names of sources whose status is failed or partial.
    pub incomplete_sources: Vec<String>,
    pub sources: Vec<SourceEntry>,
}

/// Everything the renderers need.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    pub task_id: i64,
    pub verdict: Verdict,
    pub summary: Msg,
    pub flavour: Flavour,
    /// Reference time of the analysis (`--now`, else the bundle's collected_at).
    pub now: DateTime<Utc>,
    pub collected_at: Option<DateTime<Utc>>,
    pub clock: ClockCalibration,
    pub task: Option<TaskSummary>,
    /// All subtasks, oldest first; the text report shows only the newest N.
    pub subtasks: Vec<SubtaskSummary>,
    /// Sorted by severity, then by catalogue order.
    pub findings: Vec<Finding>,
    /// Sorted by time.
    pub timeline: Vec<TimelineEvent>,
    pub collection: CollectionState,
    pub redaction: RedactionSummary,
}
