//! Facts derived once from a bundle and shared by every rule.
//!
//! TODO: being written; the fields below are the contract rules can rely on.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::analysis::ClockCalibration;
use crate::bundle::model::{ContainerInfo, Flavour, SubtaskRow, TaskRow};

/// Why a task runs without an executor container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoExecutorReason {
    /// `labels.source == chat_shell` or a Chat shell: served by chat_shell/backend.
    ChatShell,
    /// Upstream device mode: executor name `device-<id>`.
    Device,
    /// Group chat message that triggered no AI turn.
    GroupChatWithoutAi,
}

/// Facts every rule can read.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub flavour: Flavour,
    /// Reference time of the analysis, UTC.
    pub now: DateTime<Utc>,
    pub clock: ClockCalibration,
    /// The `tasks` row, when the DB source delivered it.
    pub task: Option<&'a TaskRow>,
    /// `$.status.status` of the task row.
    pub task_status: Option<String>,
    /// `$.metadata.labels` as strings.
    pub labels: BTreeMap<String, String>,
    /// All subtasks, oldest first.
    pub subtasks: &'a [crate::bundle::model::SubtaskRow],
    /// The newest ASSISTANT subtask (by message_id, then id): the execution that counts.
    pub latest_assistant: Option<&'a SubtaskRow>,
    /// Executor containers of this task (label task_id or named by a subtask), newest first.
    pub executor_containers: Vec<&'a ContainerInfo>,
    /// Set when this task is not expected to have an executor container.
    pub no_executor_expected: Option<NoExecutorReason>,
    /// Whether the DB source delivered the task data (else most rules cannot decide).
    pub db_available: bool,
    /// Newest sign of activity of the task on the reference clock (DB updates, log lines).
    pub last_activity: Option<DateTime<Utc>>,
}
