//! Facts derived once from a bundle and shared by every rule.
//!
//! [`Facts::from_bundle`] decides the flavour, the reference time and the clock offsets,
//! picks the execution that counts (the newest ASSISTANT subtask), finds that execution's
//! executor name and container, and selects the log lines that concern the task. Rules
//! read these facts instead of deriving them again, so they agree with each other. Every
//! member may be missing; a missing member leaves the matching facts empty.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use regex::Regex;
use serde_json::Value;

use super::analysis::ClockCalibration;
use super::clock::{self, parse_naive, parse_utc};
use super::rule::Options;
use crate::bundle::loaded::{Bundle, LogLine};
use crate::bundle::model::{ContainerInfo, Flavour, SourceStatus, SubtaskRow, TaskRow};

/// Subtask and task statuses that end an execution.
pub const TERMINAL_STATUSES: [&str; 4] = ["COMPLETED", "FAILED", "CANCELLED", "DELETE"];

/// Log lines that mention the task but show housekeeping, not progress: heartbeats, the
/// cleanup job, and the collector's own executor-manager probes.
const HOUSEKEEPING_MARKERS: [&str; 6] = [
    "heartbeat",
    "executor_job",
    "executor/status",
    "executor/address",
    "executor/load",
    "get executor status",
];

/// Reason a task runs without an executor container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoExecutorReason {
    /// `labels.source == chat_shell` or a Chat shell: served by chat_shell/backend.
    ChatShell,
    /// Upstream device mode: executor name `device-<id>`.
    Device,
    /// Group chat message that triggered no AI turn.
    GroupChatWithoutAi,
}

/// Origin of the executor name of the active execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameSource {
    /// `subtasks.executor_name` of the newest assistant subtask.
    Subtask,
    /// Upstream Redis hash `running_task:meta:<task_id>`, field `executor_name`.
    RedisMeta,
    /// A container labelled with this task id (upstream first turns have no name yet).
    ContainerLabel,
}

/// The executor name of the active execution and its origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutorName {
    pub name: String,
    pub source: NameSource,
}

/// Facts every rule can read.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub flavour: Flavour,
    /// Reference time of the analysis, UTC.
    pub now: DateTime<Utc>,
    pub clock: ClockCalibration,
    /// Task id from the manifest, else from the task row, else 0.
    pub task_id: i64,
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
    /// The executor name of the newest assistant subtask, or where it was found instead.
    pub executor_name: Option<ExecutorName>,
    /// The container the newest assistant subtask runs in, when Docker listed it.
    pub active_container: Option<&'a ContainerInfo>,
    /// Whether Docker was listed (`services/containers.json` present), so an absent
    /// container means the container does not exist.
    pub docker_listed: bool,
    /// Set when this task is not expected to have an executor container.
    pub no_executor_expected: Option<NoExecutorReason>,
    /// Whether the DB source delivered the task data (else most rules cannot decide).
    pub db_available: bool,
    /// Kept log lines that concern this task (its ids or executor names), member order.
    pub task_lines: Vec<&'a LogLine>,
    /// Newest sign of activity of the task on the reference clock (DB updates, log lines).
    pub last_activity: Option<DateTime<Utc>>,
}

impl<'a> Facts<'a> {
    /// Derives the facts of a bundle.
    pub fn from_bundle(bundle: &'a Bundle, options: &Options) -> Facts<'a> {
        let task = bundle.task.as_ref().and_then(|t| t.as_ref());
        let subtasks: &'a [SubtaskRow] = bundle
            .subtasks
            .as_ref()
            .map(|s| s.subtasks.as_slice())
            .unwrap_or(&[]);
        let task_id = bundle.task_id().or(task.map(|t| t.id)).unwrap_or(0);

        let collected_at = bundle
            .manifest
            .as_ref()
            .and_then(|m| parse_utc(&m.collected_at));
        let clock = clock::calibrate(bundle, collected_at);
        let flavour = detect_flavour(bundle, task);
        let now = options
            .now
            .or(collected_at)
            .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);

        let task_status = task
            .and_then(|t| t.json.pointer("/status/status"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let labels = task
            .map(|t| string_map(t.json.pointer("/metadata/labels")))
            .unwrap_or_default();
        let latest_assistant = latest_assistant(subtasks);

        let executor_containers = executor_containers(bundle, task_id, subtasks);
        let executor_name = executor_name(bundle, latest_assistant, &executor_containers);
        let active_container = active_container(
            bundle,
            latest_assistant,
            executor_name.as_ref(),
            &executor_containers,
        );
        let no_executor_expected = no_executor_expected(task, &labels, subtasks, latest_assistant);

        let db_failed = bundle
            .source("db")
            .is_some_and(|s| s.status == SourceStatus::Failed);
        let db_available = !db_failed && bundle.task.is_some();

        let mut facts = Facts {
            flavour,
            now,
            clock,
            task_id,
            task,
            task_status,
            labels,
            subtasks,
            latest_assistant,
            executor_containers,
            executor_name,
            active_container,
            docker_listed: bundle.containers.is_some(),
            no_executor_expected,
            db_available,
            task_lines: Vec::new(),
            last_activity: None,
        };
        facts.task_lines = facts.select_task_lines(bundle);
        facts.last_activity = facts.compute_last_activity();
        facts
    }

    /// Status of the newest assistant subtask.
    pub fn latest_status(&self) -> Option<&'a str> {
        self.latest_assistant.map(|s| s.status.as_str())
    }

    /// True when the task row has the given `$.status.status`.
    pub fn task_is(&self, status: &str) -> bool {
        self.task_status.as_deref() == Some(status)
    }

    /// True when the task row's status ends the task.
    pub fn task_is_terminal(&self) -> bool {
        self.task_status
            .as_deref()
            .is_some_and(|s| TERMINAL_STATUSES.contains(&s))
    }

    /// Returns a task label, such as `source` or `type`.
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels.get(name).map(String::as_str)
    }

    /// `tasks.created_at` on the reference clock (backend clock).
    pub fn task_created(&self) -> Option<DateTime<Utc>> {
        self.task
            .and_then(|t| parse_naive(&t.created_at))
            .map(|v| self.clock.backend_to_utc(v))
    }

    /// `tasks.updated_at` on the reference clock (backend clock).
    pub fn task_updated(&self) -> Option<DateTime<Utc>> {
        self.task
            .and_then(|t| parse_naive(&t.updated_at))
            .map(|v| self.clock.backend_to_utc(v))
    }

    /// `subtasks.created_at` on the reference clock (MySQL session clock).
    pub fn subtask_created(&self, row: &SubtaskRow) -> Option<DateTime<Utc>> {
        row.created_at
            .as_deref()
            .and_then(parse_naive)
            .map(|v| self.clock.session_to_utc(v))
    }

    /// `subtasks.updated_at` on the reference clock: the fork writes it mostly through the
    /// MySQL session, upstream through the backend process.
    pub fn subtask_updated(&self, row: &SubtaskRow) -> Option<DateTime<Utc>> {
        let value = row.updated_at.as_deref().and_then(parse_naive)?;
        Some(match self.flavour {
            Flavour::Upstream => self.clock.backend_to_utc(value),
            Flavour::Fork | Flavour::Unknown => self.clock.session_to_utc(value),
        })
    }

    /// `subtasks.completed_at` on the reference clock, or `None` when it does not mark a
    /// finish: the 1970 sentinel, or a non-terminal row (whose value is its creation time).
    pub fn subtask_completed(&self, row: &SubtaskRow) -> Option<DateTime<Utc>> {
        let value = row.completed_at.as_deref().and_then(parse_naive)?;
        if clock::is_unset(value) || !TERMINAL_STATUSES.contains(&row.status.as_str()) {
            return None;
        }
        Some(self.clock.backend_to_utc(value))
    }

    /// Time of a log line on the reference clock.
    pub fn log_time(&self, line: &LogLine) -> Option<DateTime<Utc>> {
        self.clock.log_line_to_utc(line)
    }

    /// Returns how long before the reference time an instant was.
    pub fn age(&self, at: DateTime<Utc>) -> Duration {
        self.now - at
    }

    /// True when a task log line is housekeeping (heartbeats, cleanup, probes).
    pub fn is_housekeeping(line: &LogLine) -> bool {
        let lower = line.text.to_ascii_lowercase();
        HOUSEKEEPING_MARKERS.iter().any(|m| lower.contains(m))
    }

    /// Task lines whose text contains any of the needles (case-insensitive).
    pub fn task_lines_containing(&self, needles: &[&str]) -> Vec<&'a LogLine> {
        self.task_lines
            .iter()
            .copied()
            .filter(|line| {
                let lower = line.text.to_ascii_lowercase();
                needles
                    .iter()
                    .any(|n| lower.contains(&n.to_ascii_lowercase()))
            })
            .collect()
    }

    /// Selects the kept lines of this task: every line of an executor log (the collector
    /// stores only this task's executors) and service log lines that name the task.
    fn select_task_lines(&self, bundle: &'a Bundle) -> Vec<&'a LogLine> {
        let pattern = self.task_pattern();
        let names_task = |text: &str| pattern.as_ref().is_some_and(|p| p.is_match(text));

        bundle
            .log_lines
            .iter()
            .filter(|line| line.member.starts_with("executors/") || names_task(&line.text))
            .collect()
    }

    /// Builds a pattern for the ways logs name this task: `task_id=89`, `task 89`, `task_id: [89]`,
    /// `task id 89`, Python dict reprs `'task_id': 89` and `"task_id": 89`,
    /// `ID=89`, `][89]`, subtask ids, `resp_<sid>`, `89/<sid>` and executor names. Digits
    /// end at a word boundary, so task 89 does not match 890.
    fn task_pattern(&self) -> Option<Regex> {
        if self.task_id <= 0 {
            return None;
        }
        let id = self.task_id;
        let mut parts = vec![
            format!(r#"\btask(?:[_ ]id)?['"]?\s*[=: -]\s*\[?{id}\b"#),
            format!(r"\bID={id}\b"),
            format!(r"\]\[{id}\]"),
            format!(r"\btask-{id}\b"),
            format!(r"\bworkspace-{id}\b"),
        ];
        for row in self.subtasks {
            let sid = row.id;
            parts.push(format!(r#"\bsubtask(?:[_ ]id)?['"]?\s*[=: ]\s*{sid}\b"#));
            parts.push(format!(r"\bresp_{sid}\b"));
            parts.push(format!(r"\b{id}/{sid}\b"));
        }
        let mut names: Vec<&str> = self
            .executor_containers
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        names.extend(
            self.subtasks
                .iter()
                .filter_map(|s| s.executor_name.as_deref()),
        );
        if let Some(name) = &self.executor_name {
            names.push(&name.name);
        }
        for name in names.into_iter().filter(|n| !n.is_empty()) {
            parts.push(regex::escape(name));
        }
        Regex::new(&format!("(?i){}", parts.join("|"))).ok()
    }

    fn compute_last_activity(&self) -> Option<DateTime<Utc>> {
        let mut times = Vec::new();

        times.extend(self.task_updated());
        let json_updated = self
            .task
            .and_then(|t| t.json.pointer("/status/updatedAt"))
            .and_then(Value::as_str);
        times.extend(
            json_updated
                .and_then(parse_naive)
                .map(|v| self.clock.backend_to_utc(v)),
        );

        for row in self.subtasks {
            times.extend(self.subtask_created(row));
            times.extend(self.subtask_updated(row));
        }

        for container in &self.executor_containers {
            times.extend(container.started_at.as_deref().and_then(parse_utc));
        }

        for line in &self.task_lines {
            if !Self::is_housekeeping(line) {
                times.extend(self.log_time(line));
            }
        }

        times
            .into_iter()
            .filter(|t| *t <= self.now + Duration::minutes(5))
            .max()
    }
}

fn string_map(value: Option<&Value>) -> BTreeMap<String, String> {
    let Some(Value::Object(map)) = value else {
        return BTreeMap::new();
    };
    map.iter()
        .map(|(k, v)| {
            let text = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.clone(), text)
        })
        .collect()
}

fn latest_assistant(subtasks: &[SubtaskRow]) -> Option<&SubtaskRow> {
    subtasks
        .iter()
        .filter(|s| s.role == "ASSISTANT")
        .max_by_key(|s| (s.message_id, s.id))
}

/// Returns the flavour `deployment.json` names. When that is unknown, the first heuristic
/// that decides wins: `statusPhase` in the task JSON (fork only), the `client_origin` column
/// (upstream only), executor-manager routes, Redis task keys, executor environment.
fn detect_flavour(bundle: &Bundle, task: Option<&TaskRow>) -> Flavour {
    if let Some(deployment) = &bundle.deployment
        && deployment.flavour != Flavour::Unknown
    {
        return deployment.flavour;
    }

    if let Some(status) = task
        .and_then(|t| t.json.pointer("/status"))
        .and_then(Value::as_object)
        && (status.contains_key("statusPhase") || status.contains_key("progressText"))
    {
        return Flavour::Fork;
    }

    let has_client_origin = task.is_some_and(|t| t.client_origin.is_some())
        || bundle
            .db_server
            .as_ref()
            .and_then(|s| s.columns.get("tasks"))
            .is_some_and(|cols| cols.iter().any(|c| c.name == "client_origin"));
    if has_client_origin {
        return Flavour::Upstream;
    }

    if let Some(routes) = bundle
        .executor_manager
        .as_ref()
        .and_then(|em| em.routes.as_ref())
    {
        if routes
            .iter()
            .any(|r| r.ends_with("/executor/status") || r.ends_with("/tasks/receive"))
        {
            return Flavour::Fork;
        }
        if routes.iter().any(|r| {
            r.ends_with("/v1/responses")
                || r.contains("/heartbeat")
                || r.ends_with("/executor/address")
        }) {
            return Flavour::Upstream;
        }
    }

    if let Some(redis) = &bundle.redis
        && (redis.heartbeat.as_ref().is_some_and(|h| h.value.is_some())
            || !redis.running_task_meta.is_empty())
    {
        return Flavour::Upstream;
    }

    for inspect in bundle.executors.values() {
        if inspect.env.contains_key("TASK_INFO") {
            return Flavour::Fork;
        }
        if inspect.env.contains_key("HEARTBEAT_TYPE") {
            return Flavour::Upstream;
        }
    }

    Flavour::Unknown
}

/// Executor containers of the task from `services/containers.json` and the per-executor
/// inspect members, without validation containers, newest first.
fn executor_containers<'a>(
    bundle: &'a Bundle,
    task_id: i64,
    subtasks: &[SubtaskRow],
) -> Vec<&'a ContainerInfo> {
    let task_label = task_id.to_string();
    let named = |name: &str| {
        subtasks
            .iter()
            .any(|s| s.executor_name.as_deref() == Some(name))
    };
    let belongs = |c: &ContainerInfo| {
        let validation = c
            .labels
            .get("aigc.weibo.com/task-type")
            .is_some_and(|v| v == "validation");
        let labelled = c.labels.get("task_id") == Some(&task_label);
        !validation
            && (c.role == crate::bundle::model::ContainerRole::Executor
                || labelled
                || named(&c.name))
    };

    let mut found: Vec<&ContainerInfo> = Vec::new();
    if let Some(containers) = &bundle.containers {
        found.extend(containers.containers.iter().filter(|c| belongs(c)));
    }
    for inspect in bundle.executors.values() {
        if !found.iter().any(|c| c.name == inspect.container.name) {
            found.push(&inspect.container);
        }
    }

    found.sort_by_key(|c| std::cmp::Reverse(c.created.as_deref().and_then(parse_utc)));
    found
}

fn executor_name(
    bundle: &Bundle,
    latest: Option<&SubtaskRow>,
    containers: &[&ContainerInfo],
) -> Option<ExecutorName> {
    let from_row = latest
        .and_then(|s| s.executor_name.as_deref())
        .filter(|n| !n.trim().is_empty());
    if let Some(name) = from_row {
        return Some(ExecutorName {
            name: name.to_string(),
            source: NameSource::Subtask,
        });
    }

    let from_redis = bundle
        .redis
        .as_ref()
        .and_then(|r| r.running_task_meta.get("executor_name"))
        .filter(|n| !n.is_empty());
    if let Some(name) = from_redis {
        return Some(ExecutorName {
            name: name.clone(),
            source: NameSource::RedisMeta,
        });
    }

    let latest_id = latest.map(|s| s.id.to_string());
    let by_subtask = containers
        .iter()
        .find(|c| latest_id.is_some() && c.labels.get("subtask_id") == latest_id.as_ref());
    let labelled =
        by_subtask.or_else(|| containers.iter().find(|c| c.labels.contains_key("task_id")));
    labelled.map(|c| ExecutorName {
        name: c.name.clone(),
        source: NameSource::ContainerLabel,
    })
}

fn active_container<'a>(
    bundle: &'a Bundle,
    latest: Option<&SubtaskRow>,
    name: Option<&ExecutorName>,
    containers: &[&'a ContainerInfo],
) -> Option<&'a ContainerInfo> {
    latest?;
    let name = name?;
    if let Some(found) = containers.iter().find(|c| c.name == name.name) {
        return Some(found);
    }
    bundle
        .containers
        .as_ref()?
        .containers
        .iter()
        .find(|c| c.name == name.name)
}

fn no_executor_expected(
    task: Option<&TaskRow>,
    labels: &BTreeMap<String, String>,
    subtasks: &[SubtaskRow],
    latest: Option<&SubtaskRow>,
) -> Option<NoExecutorReason> {
    if labels.get("source").is_some_and(|s| s == "chat_shell") {
        return Some(NoExecutorReason::ChatShell);
    }

    let shell = latest
        .and_then(|s| s.result.as_ref())
        .and_then(|r| r.get("shell_type"))
        .and_then(Value::as_str);
    if shell == Some("Chat") {
        return Some(NoExecutorReason::ChatShell);
    }

    if latest
        .and_then(|s| s.executor_name.as_deref())
        .is_some_and(|n| n.starts_with("device-"))
    {
        return Some(NoExecutorReason::Device);
    }

    let group_chat = task.is_some_and(|t| {
        t.is_group_chat == Some(true)
            || t.json
                .pointer("/spec/is_group_chat")
                .and_then(Value::as_bool)
                == Some(true)
    });
    if group_chat && !subtasks.iter().any(|s| s.role == "ASSISTANT") {
        return Some(NoExecutorReason::GroupChatWithoutAi);
    }

    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::model::{Deployment, RedisState};
    use crate::engine::test_support::*;

    #[test]
    fn from_bundle_picks_latest_assistant_by_message_id() {
        let mut bundle = running_fork_bundle();
        let mut old = subtask(400, "ASSISTANT", "FAILED");
        old.message_id = 1;
        bundle.subtasks.as_mut().unwrap().subtasks.push(old);

        let facts = Facts::from_bundle(&bundle, &Options::default());

        assert_eq!(facts.latest_assistant.map(|s| s.id), Some(312));
    }

    #[test]
    fn from_bundle_uses_collected_at_as_now() {
        let bundle = running_fork_bundle();

        let facts = Facts::from_bundle(&bundle, &Options::default());

        assert_eq!(facts.now.to_rfc3339(), "2026-01-20T07:00:00+00:00");
    }

    #[test]
    fn from_bundle_finds_active_container_by_name() {
        let bundle = running_fork_bundle();

        let facts = Facts::from_bundle(&bundle, &Options::default());

        assert_eq!(
            facts.active_container.map(|c| c.name.as_str()),
            Some(EXECUTOR)
        );
        assert_eq!(
            facts.executor_name.as_ref().map(|n| n.source),
            Some(NameSource::Subtask)
        );
    }

    #[test]
    fn from_bundle_finds_upstream_container_by_label() {
        let mut bundle = running_fork_bundle();
        assistant_mut(&mut bundle).executor_name = Some(String::new());
        bundle.deployment = Some(Deployment {
            flavour: Flavour::Upstream,
            evidence: Vec::new(),
        });

        let facts = Facts::from_bundle(&bundle, &Options::default());

        assert_eq!(
            facts.executor_name.as_ref().map(|n| n.source),
            Some(NameSource::ContainerLabel)
        );
        assert_eq!(
            facts.active_container.map(|c| c.name.as_str()),
            Some(EXECUTOR)
        );
    }

    #[test]
    fn from_bundle_reads_executor_name_from_redis_meta() {
        let mut bundle = running_fork_bundle();
        assistant_mut(&mut bundle).executor_name = None;
        bundle.containers.as_mut().unwrap().containers.clear();
        let mut redis = RedisState::default();
        redis
            .running_task_meta
            .insert("executor_name".into(), "wegent-task-admin-0123".into());
        bundle.redis = Some(redis);

        let facts = Facts::from_bundle(&bundle, &Options::default());

        assert_eq!(
            facts.executor_name.as_ref().map(|n| n.name.as_str()),
            Some("wegent-task-admin-0123")
        );
        assert_eq!(facts.active_container, None);
    }

    #[test]
    fn detect_flavour_reads_status_phase_when_unknown() {
        let mut bundle = running_fork_bundle();
        bundle.deployment = None;

        let facts = Facts::from_bundle(&bundle, &Options::default());

        assert_eq!(facts.flavour, Flavour::Fork);
    }

    #[test]
    fn detect_flavour_reads_client_origin_when_unknown() {
        let mut bundle = running_fork_bundle();
        bundle.deployment = None;
        let task = task_mut(&mut bundle);
        task.client_origin = Some("frontend".into());
        task.json["status"]
            .as_object_mut()
            .unwrap()
            .remove("statusPhase");

        let facts = Facts::from_bundle(&bundle, &Options::default());

        assert_eq!(facts.flavour, Flavour::Upstream);
    }

    #[test]
    fn subtask_completed_ignores_creation_time_on_running_row() {
        let bundle = running_fork_bundle();
        let facts = Facts::from_bundle(&bundle, &Options::default());

        let latest = facts.latest_assistant.unwrap();

        assert_eq!(facts.subtask_completed(latest), None);
    }

    #[test]
    fn last_activity_ignores_heartbeat_lines() {
        let mut bundle = running_fork_bundle();
        bundle.log_lines.push(log_line(
            "logs/executor-manager.txt",
            1,
            "2026-01-20 06:59:50",
            "[RunningTaskTracker] Heartbeat timeout for task 89, age=40",
        ));

        let facts = Facts::from_bundle(&bundle, &Options::default());

        assert_eq!(facts.task_lines.len(), 1);
        assert_eq!(
            facts.last_activity.map(|t| t.to_rfc3339()),
            Some("2026-01-20T06:58:00+00:00".to_string())
        );
    }

    #[test]
    fn task_lines_skip_other_task_ids() {
        let mut bundle = running_fork_bundle();
        bundle.log_lines.push(log_line(
            "logs/executor-manager.txt",
            1,
            "2026-01-20 06:59:50",
            "Processing task: ID=890",
        ));
        bundle.log_lines.push(log_line(
            "logs/executor-manager.txt",
            2,
            "2026-01-20 06:59:51",
            "Processing task: ID=89, x",
        ));

        let facts = Facts::from_bundle(&bundle, &Options::default());

        assert_eq!(facts.task_lines.len(), 1);
        assert_eq!(facts.task_lines[0].line_no, 2);
    }

    #[test]
    fn no_executor_expected_detects_chat_shell_source() {
        let mut bundle = running_fork_bundle();
        task_mut(&mut bundle).json["metadata"]["labels"]["source"] =
            serde_json::json!("chat_shell");

        let facts = Facts::from_bundle(&bundle, &Options::default());

        assert_eq!(
            facts.no_executor_expected,
            Some(NoExecutorReason::ChatShell)
        );
    }

    #[test]
    fn task_lines_match_dict_and_spaced_ids() {
        let mut bundle = running_fork_bundle();
        let texts = [
            "payload {'task_id': 89, 'x': 1}",
            "payload {\"task_id\": 89}",
            "Cancelling task id 89",
            "payload {'task_id': 890}",
            "payload {\"task_id\": 890}",
            "Cancelling task id 890",
        ];
        for (n, text) in texts.iter().enumerate() {
            bundle.log_lines.push(log_line(
                "logs/executor-manager.txt",
                n as u64 + 1,
                "2026-01-20 06:59:50",
                text,
            ));
        }

        let facts = Facts::from_bundle(&bundle, &Options::default());

        let numbers: Vec<u64> = facts.task_lines.iter().map(|l| l.line_no).collect();
        assert_eq!(numbers, vec![1, 2, 3]);
    }
}
