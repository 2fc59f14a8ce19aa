//! Builders for rule unit tests: a bundle assembled in code with one USER and one
//! ASSISTANT subtask in chosen statuses, facts derived by the engine, and the checks every
//! rule's message catalogue must pass.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::bundle::loaded::{Bundle, LogLine};
use crate::bundle::model::*;
use crate::engine::facts::Facts;
use crate::engine::test_support::{EXECUTOR, executor_container};
use crate::engine::{Context, Finding, Options, Rule};
use crate::i18n::Lang;

pub(crate) use crate::engine::test_support::task_mut;

pub(crate) const TASK_ID: i64 = 89;

/// Builds a task row whose `$.status` contains `status` plus the given extra fields.
pub(crate) fn task_row(status: &str, extra_status: Value) -> TaskRow {
    let mut status_json = json!({ "state": "Available", "status": status, "progress": 50 });
    if let (Some(target), Some(extra)) = (status_json.as_object_mut(), extra_status.as_object()) {
        for (key, value) in extra {
            target.insert(key.clone(), value.clone());
        }
    }

    TaskRow {
        id: TASK_ID,
        user_id: 7,
        kind: "Task".to_string(),
        name: format!("task-{TASK_ID}"),
        namespace: "default".to_string(),
        is_active: 1,
        created_at: "2026-01-20 05:59:00".to_string(),
        updated_at: "2026-01-20 06:03:12".to_string(),
        project_id: Some(0),
        client_origin: None,
        is_group_chat: None,
        json: json!({
            "apiVersion": "agent.wecode.io/v1",
            "kind": "Task",
            "metadata": { "name": format!("task-{TASK_ID}"), "namespace": "default", "labels": {} },
            "status": status_json,
        }),
    }
}

/// Builds a subtask of the test task, created at 14:00:01 on the +08:00 session clock.
pub(crate) fn subtask(id: i64, role: &str, status: &str, message_id: i64) -> SubtaskRow {
    SubtaskRow {
        id,
        task_id: TASK_ID,
        user_id: 7,
        team_id: 3,
        title: "Fix login bug - Assistant".to_string(),
        role: role.to_string(),
        status: status.to_string(),
        progress: 50,
        executor_namespace: Some(String::new()),
        executor_name: (role == "ASSISTANT").then(|| EXECUTOR.to_string()),
        executor_deleted_at: 0,
        message_id,
        parent_id: None,
        bot_ids: None,
        prompt: None,
        prompt_truncated: false,
        result: None,
        result_truncated: false,
        error_message: None,
        created_at: Some("2026-01-20 14:00:01".to_string()),
        updated_at: Some("2026-01-20 14:03:12".to_string()),
        completed_at: Some("2026-01-20 06:00:01".to_string()),
        sender_type: None,
    }
}

/// Builds a manifest for the test task with the given sources.
pub(crate) fn manifest(sources: Vec<SourceEntry>) -> Manifest {
    Manifest {
        format_version: FORMAT_VERSION.to_string(),
        tool_version: "0.1.0".to_string(),
        task_id: TASK_ID,
        collected_at: "2026-01-20T07:00:00Z".to_string(),
        host_utc_offset: "+08:00".to_string(),
        options: BTreeMap::new(),
        sources,
        redaction: RedactionSummary::default(),
        members: BTreeMap::new(),
    }
}

/// Builds a bundle with a manifest, the task row, a USER plus an ASSISTANT subtask and the
/// assistant's running executor container.
pub(crate) fn bundle(task_status: &str, assistant_status: &str) -> Bundle {
    Bundle {
        manifest: Some(manifest(Vec::new())),
        task: Some(Some(task_row(task_status, json!({})))),
        subtasks: Some(Subtasks {
            subtasks: vec![
                subtask(311, "USER", "COMPLETED", 1),
                subtask(312, "ASSISTANT", assistant_status, 2),
            ],
        }),
        containers: Some(Containers {
            containers: vec![executor_container(EXECUTOR, "running", Some(0))],
            ..Containers::default()
        }),
        ..Bundle::default()
    }
}

/// Builds a bundle whose task and latest assistant subtask FAILED, the subtask with
/// `error` as its `error_message`.
pub(crate) fn failed_with(error: &str) -> Bundle {
    let mut bundle = bundle("FAILED", "FAILED");
    bundle.subtasks.as_mut().unwrap().subtasks[1].error_message = Some(error.to_string());
    bundle
}

/// Builds a kept log line without timestamps.
pub(crate) fn log(member: &str, line_no: u64, text: &str) -> LogLine {
    LogLine {
        member: member.to_string(),
        line_no,
        text: text.to_string(),
        docker_time: None,
        app_time: None,
    }
}

/// Builds a kept log line with the application's own timestamp.
pub(crate) fn log_at(member: &str, line_no: u64, app_time: &str, text: &str) -> LogLine {
    LogLine {
        app_time: crate::engine::clock::parse_naive(app_time),
        ..log(member, line_no, text)
    }
}

/// Facts as the engine derives them, with default options.
pub(crate) fn facts(bundle: &Bundle) -> Facts<'_> {
    Facts::from_bundle(bundle, &Options::default())
}

/// Runs one rule over a bundle with the given facts.
pub(crate) fn run_with(rule: &dyn Rule, bundle: &Bundle, facts: &Facts<'_>) -> Vec<Finding> {
    let options = Options::default();
    let cx = Context {
        bundle,
        options: &options,
        facts,
    };
    let mut out = Vec::new();
    rule.check(&cx, &mut out);
    out
}

/// Runs one rule over a bundle with facts from [`facts`].
pub(crate) fn run(rule: &dyn Rule, bundle: &Bundle) -> Vec<Finding> {
    run_with(rule, bundle, &facts(bundle))
}

/// Checks a rule's catalogue: the same keys in both languages, the required keys present,
/// every key under the rule id, titles lowercase without a final period, and every key a
/// finding uses present.
pub(crate) fn assert_catalogue(rule: &dyn Rule, findings: &[Finding]) {
    let en = rule.messages(Lang::En);
    let zh = rule.messages(Lang::Zh);
    let keys = |table: &[(&'static str, &'static str)]| {
        table.iter().map(|(k, _)| *k).collect::<Vec<&str>>()
    };
    assert_eq!(
        keys(en),
        keys(zh),
        "English and Chinese keys differ for {}",
        rule.id()
    );

    for part in ["title", "detail", "next"] {
        let key = format!("{}.{part}", rule.id());
        assert!(en.iter().any(|(k, _)| *k == key), "missing {key}");
    }
    for (key, _) in en {
        assert!(
            key.starts_with(&format!("{}.", rule.id())),
            "{key} is outside the rule's namespace"
        );
    }

    for (table, final_stop) in [(en, '.'), (zh, '。')] {
        for (key, text) in table.iter().filter(|(k, _)| k.ends_with(".title")) {
            assert!(!text.ends_with(final_stop), "{key} ends with a final stop");
            assert!(
                !text.starts_with(|c: char| c.is_uppercase()),
                "{key} starts with a capital"
            );
        }
    }

    for finding in findings {
        let used = [&finding.title, &finding.detail]
            .into_iter()
            .chain(finding.next_steps.iter());
        for msg in used {
            let text = en
                .iter()
                .find(|(k, _)| *k == msg.key)
                .map(|(_, text)| *text);
            let text = text.unwrap_or_else(|| panic!("{} is not in the catalogue", msg.key));
            let rendered = crate::i18n::render(Lang::En, msg);
            assert!(
                !rendered.contains('{'),
                "{} leaves a placeholder unfilled: {rendered}",
                msg.key
            );
            assert!(!text.is_empty());
        }
        assert_eq!(finding.rule, rule.id());
    }
}
