//! Bundles built in code for unit tests of the engine and the rules.
//!
//! [`running_fork_bundle`] is a healthy fork deployment at collection time: task 89 is
//! RUNNING, its assistant subtask 312 runs in container `wegent-task-admin-e47497646f4e26c`
//! and everything was updated two minutes before collection. Tests change one thing and
//! check what a rule concludes.

use std::collections::BTreeMap;

use chrono::{NaiveDateTime, TimeZone, Utc};
use serde_json::json;

use super::analysis::{Finding, Msg};
use super::facts::Facts;
use super::rule::{Context, Options, Rule};
use crate::bundle::loaded::{Bundle, LogLine};
use crate::bundle::model::*;
use crate::i18n::Lang;

pub const TASK_ID: i64 = 89;
pub const EXECUTOR: &str = "wegent-task-admin-e47497646f4e26c";

/// Parses a naive test time.
pub fn t(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").expect("test time")
}

/// Builds a subtask row of task 89 with empty optional fields.
pub fn subtask(id: i64, role: &str, status: &str) -> SubtaskRow {
    SubtaskRow {
        id,
        task_id: TASK_ID,
        user_id: 1,
        team_id: 5,
        title: format!("Fix login bug - {role}"),
        role: role.into(),
        status: status.into(),
        progress: 0,
        executor_namespace: Some(String::new()),
        executor_name: None,
        executor_deleted_at: 0,
        message_id: 1,
        parent_id: None,
        bot_ids: None,
        prompt: None,
        prompt_truncated: false,
        result: None,
        result_truncated: false,
        error_message: None,
        created_at: None,
        updated_at: None,
        completed_at: None,
        sender_type: None,
    }
}

/// Builds a task row of task 89 with the given `$.status.status` and labels.
pub fn task_row(status: &str, labels: serde_json::Value) -> TaskRow {
    TaskRow {
        id: TASK_ID,
        user_id: 1,
        kind: "Task".into(),
        name: "task-89".into(),
        namespace: "default".into(),
        is_active: 1,
        created_at: "2026-01-20 06:00:00".into(),
        updated_at: "2026-01-20 06:58:00".into(),
        project_id: Some(0),
        client_origin: None,
        is_group_chat: None,
        json: json!({
            "kind": "Task",
            "metadata": {"name": "task-89", "namespace": "default", "labels": labels},
            "spec": {"title": "Fix login bug"},
            "status": {"status": status, "progress": 55, "statusPhase": "loading_skills",
                       "updatedAt": "2026-01-20T06:58:00.000000", "errorMessage": ""}
        }),
    }
}

/// Builds an executor container of task 89.
pub fn executor_container(name: &str, state: &str, exit_code: Option<i64>) -> ContainerInfo {
    let mut labels = BTreeMap::new();
    labels.insert("owner".to_string(), "executor_manager".to_string());
    labels.insert("task_id".to_string(), TASK_ID.to_string());
    labels.insert("subtask_id".to_string(), "312".to_string());
    labels.insert("subtask_next_id".to_string(), "None".to_string());
    ContainerInfo {
        id: "c0ffee".into(),
        name: name.into(),
        role: ContainerRole::Executor,
        image: "ghcr.io/papalqi/wegent-executor:1.35.4-codex".into(),
        state: state.into(),
        exit_code,
        oom_killed: false,
        created: Some("2026-01-20T06:00:03Z".into()),
        started_at: Some("2026-01-20T06:00:04Z".into()),
        finished_at: if state == "running" {
            Some("0001-01-01T00:00:00Z".into())
        } else {
            Some("2026-01-20T06:30:00Z".into())
        },
        restart_count: 0,
        labels,
        mounts: Vec::new(),
        error: None,
    }
}

/// Builds a log line with a Docker prefix time (UTC).
pub fn log_line(member: &str, line_no: u64, utc: &str, text: &str) -> LogLine {
    LogLine {
        member: member.into(),
        line_no,
        text: text.into(),
        docker_time: Some(Utc.from_utc_datetime(&t(utc))),
        app_time: None,
    }
}

/// Builds a healthy, running fork task collected at 2026-01-20 07:00 UTC.
pub fn running_fork_bundle() -> Bundle {
    let labels = json!({"type": "online", "taskType": "code", "source": "web", "autoDeleteExecutor": "false"});

    let mut user = subtask(311, "USER", "COMPLETED");
    user.message_id = 1;
    user.created_at = Some("2026-01-20 14:00:01".into());
    user.updated_at = Some("2026-01-20 14:00:01".into());
    user.completed_at = Some("2026-01-20 06:00:01".into());

    let mut assistant = subtask(312, "ASSISTANT", "RUNNING");
    assistant.message_id = 2;
    assistant.progress = 55;
    assistant.executor_name = Some(EXECUTOR.into());
    assistant.created_at = Some("2026-01-20 14:00:01".into());
    assistant.updated_at = Some("2026-01-20 14:58:00".into());
    assistant.completed_at = Some("2026-01-20 06:00:01".into());

    Bundle {
        manifest: Some(Manifest {
            format_version: FORMAT_VERSION.into(),
            tool_version: "0.1.0".into(),
            task_id: TASK_ID,
            collected_at: "2026-01-20T07:00:00Z".into(),
            host_utc_offset: "+08:00".into(),
            options: BTreeMap::new(),
            sources: vec![SourceEntry {
                name: "db".into(),
                status: SourceStatus::Ok,
                duration_ms: 12,
                error: None,
                truncation: Vec::new(),
                members: Vec::new(),
            }],
            redaction: RedactionSummary::default(),
            members: BTreeMap::new(),
        }),
        deployment: Some(Deployment {
            flavour: Flavour::Fork,
            evidence: Vec::new(),
        }),
        db_server: Some(DbServer {
            version: "10.11.6-MariaDB".into(),
            session_time_zone: "+08:00".into(),
            now: "2026-01-20 15:00:00".into(),
            utc_now: Some("2026-01-20 07:00:00".into()),
            ..Default::default()
        }),
        task: Some(Some(task_row("RUNNING", labels))),
        subtasks: Some(Subtasks {
            subtasks: vec![user, assistant],
        }),
        containers: Some(Containers {
            engine_version: Some("24.0.7".into()),
            containers: vec![executor_container(EXECUTOR, "running", Some(0))],
            running_executor_count: Some(1),
            vanished: Vec::new(),
            log_routes: Default::default(),
        }),
        ..Default::default()
    }
}

/// Returns mutable access to the newest assistant subtask of a test bundle.
pub fn assistant_mut(bundle: &mut Bundle) -> &mut SubtaskRow {
    bundle
        .subtasks
        .as_mut()
        .and_then(|s| s.subtasks.iter_mut().rev().find(|r| r.role == "ASSISTANT"))
        .expect("assistant row")
}

/// Returns mutable access to the task row of a test bundle.
pub fn task_mut(bundle: &mut Bundle) -> &mut TaskRow {
    bundle
        .task
        .as_mut()
        .and_then(|t| t.as_mut())
        .expect("task row")
}

/// Sets `$.status.status` of the task row.
pub fn set_task_status(bundle: &mut Bundle, status: &str) {
    task_mut(bundle).json["status"]["status"] = json!(status);
}

/// Returns mutable access to the first container of a test bundle.
pub fn container_mut(bundle: &mut Bundle) -> &mut ContainerInfo {
    bundle
        .containers
        .as_mut()
        .and_then(|c| c.containers.first_mut())
        .expect("container")
}

/// Runs one rule over a bundle with default options.
pub fn run_rule(rule: &dyn Rule, bundle: &Bundle) -> Vec<Finding> {
    run_rule_with(rule, bundle, &Options::default())
}

/// Runs one rule over a bundle with the given options.
pub fn run_rule_with(rule: &dyn Rule, bundle: &Bundle, options: &Options) -> Vec<Finding> {
    let facts = Facts::from_bundle(bundle, options);
    let cx = Context {
        bundle,
        options,
        facts: &facts,
    };
    let mut out = Vec::new();
    rule.check(&cx, &mut out);
    for finding in &out {
        assert_eq!(
            finding.rule,
            rule.id(),
            "a rule emitted a finding under another id"
        );
        let msgs = std::iter::once(&finding.title)
            .chain([&finding.detail])
            .chain(&finding.next_steps);
        msgs.for_each(assert_renders);
    }
    out
}

/// Fails when a message's key is missing in a language or a placeholder has no argument.
pub fn assert_renders(msg: &Msg) {
    for lang in [Lang::En, Lang::Zh] {
        let text = crate::i18n::lookup(lang, msg.key)
            .unwrap_or_else(|| panic!("{} lacks key {}", lang.code(), msg.key));
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                break;
            };
            let name = &after[..close];
            assert!(
                msg.args.iter().any(|(n, _)| *n == name),
                "{} of {} has no argument for {{{name}}}",
                lang.code(),
                msg.key
            );
            rest = &after[close + 1..];
        }
    }
}
