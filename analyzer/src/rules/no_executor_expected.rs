//! The task runs without an executor container, so the container rules do not apply.
//!
//! ### What it checks
//! The task is one that Wegent serves without an executor container:
//! - a direct-chat task (`labels.source` `chat_shell`, or `result.shell_type` `Chat` on
//!   the newest assistant subtask), which chat_shell or the backend answers;
//! - an upstream device task (executor name `device-<id>`), which runs on the user's
//!   device;
//! - a group-chat task without any assistant subtask, because no AI turn was triggered.
//!
//! When such a task still claims PENDING or RUNNING and shows no sign of activity (DB
//! updates, log lines) for longer than `--stale-after`, the note becomes a critical
//! finding: the answer is not coming, even though no container is involved.
//!
//! ### Why it matters
//! Without this note a reader would expect a container and count its absence as the
//! problem. The container rules stay silent for these tasks; their problems show in the
//! chat_shell and backend logs instead.
//!
//! ### Evidence
//! `db/task.json` (`labels.source`, `is_group_chat`), `db/subtasks.json`
//! (`executor_name`, `result.shell_type`, roles).
//!
//! ### Fix
//! Nothing to fix here; look at the chat_shell or backend log (device tasks: the device
//! connection) when such a task does not finish.

use crate::engine::clock::{format_duration, format_utc};
use crate::engine::facts::NoExecutorReason;
use crate::engine::{Context, Finding, Msg, Rule, Severity, evidence};
use crate::i18n::Lang;

/// See the module documentation.
pub struct NoExecutorExpected;

static EN: &[(&str, &str)] = &[
    (
        "no-executor-expected.title",
        "this task runs without an executor container",
    ),
    (
        "no-executor-expected.detail",
        "Task {task} is a direct-chat task that chat_shell or the backend answers, so no executor container is expected and \
         the container checks were skipped.",
    ),
    (
        "no-executor-expected.detail-device",
        "Task {task} runs on device executor {name}, not in a Docker container, so the container checks were skipped.",
    ),
    (
        "no-executor-expected.detail-group-chat",
        "Task {task} is a group chat whose message triggered no AI turn, so no executor container is expected.",
    ),
    (
        "no-executor-expected.title-stale",
        "this task runs without an executor container and has made no progress",
    ),
    (
        "no-executor-expected.detail-stale",
        "Task {task} needs no executor container, but it has been {status} with no sign of activity for {age}, longer than \
         the {threshold} threshold (last activity {last}). The answer is not coming: chat_shell, the backend or the device \
         stopped working on it.",
    ),
    (
        "no-executor-expected.next-stale",
        "Read the chat_shell and backend logs around {last} for errors of subtask {subtask} (for a device task, check that \
         the device is connected), then cancel the task in the Wegent UI and send the message again.",
    ),
    (
        "no-executor-expected.next",
        "If the task does not finish, read the chat_shell and backend logs (for device tasks, check the device's connection) \
         instead of looking for a container.",
    ),
];

static ZH: &[(&str, &str)] = &[
    ("no-executor-expected.title", "该任务不使用执行器容器"),
    (
        "no-executor-expected.detail",
        "任务 {task} 是由 chat_shell 或后端直接回答的对话任务，不需要执行器容器，因此跳过了容器相关检查。",
    ),
    (
        "no-executor-expected.detail-device",
        "任务 {task} 运行在设备执行器 {name} 上，而不是 Docker 容器中，因此跳过了容器相关检查。",
    ),
    (
        "no-executor-expected.detail-group-chat",
        "任务 {task} 是群聊，其消息没有触发 AI 回复，因此不需要执行器容器。",
    ),
    (
        "no-executor-expected.title-stale",
        "该任务不使用执行器容器，且已没有进展",
    ),
    (
        "no-executor-expected.detail-stale",
        "任务 {task} 不需要执行器容器，但已处于 {status} 状态 {age} 没有任何活动迹象，超过了 {threshold} 的阈值（最后活动时间 {last}）。\
         回复不会再来：chat_shell、后端或设备已停止处理它。",
    ),
    (
        "no-executor-expected.next-stale",
        "查看 chat_shell 和后端日志中 {last} 前后子任务 {subtask} 的错误（设备任务请检查设备是否在线），然后在 Wegent 界面中取消该任务并重新发送消息。",
    ),
    (
        "no-executor-expected.next",
        "如果任务没有结束，请查看 chat_shell 和后端日志（设备任务请检查设备连接），而不是寻找容器。",
    ),
];

impl Rule for NoExecutorExpected {
    fn id(&self) -> &'static str {
        "no-executor-expected"
    }

    fn default_severity(&self) -> Severity {
        Severity::Info
    }

    fn messages(&self, lang: Lang) -> &'static [(&'static str, &'static str)] {
        match lang {
            Lang::En => EN,
            Lang::Zh => ZH,
        }
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let facts = cx.facts;
        let Some(reason) = facts.no_executor_expected else {
            return;
        };

        let key = match reason {
            NoExecutorReason::ChatShell => "no-executor-expected.detail",
            NoExecutorReason::Device => "no-executor-expected.detail-device",
            NoExecutorReason::GroupChatWithoutAi => "no-executor-expected.detail-group-chat",
        };
        let name = facts
            .latest_assistant
            .and_then(|s| s.executor_name.clone())
            .unwrap_or_default();

        let mut evidence = Vec::new();
        if let Some(source) = facts.label("source") {
            evidence.push(evidence::task_label("source", source));
        }
        evidence.extend(
            facts
                .latest_assistant
                .map(|row| evidence::subtask(facts, row)),
        );

        if let Some(stale) = stale_finding(cx, evidence.clone()) {
            out.push(stale);
            return;
        }

        out.push(Finding {
            rule: self.id(),
            severity: self.default_severity(),
            title: Msg::new("no-executor-expected.title"),
            detail: Msg::new(key).arg("task", facts.task_id).arg("name", name),
            evidence,
            next_steps: vec![Msg::new("no-executor-expected.next")],
        });
    }
}

/// Builds the critical form of the note, when the task claims PENDING or RUNNING and its
/// newest sign of activity is older than `--stale-after`.
fn stale_finding(cx: &Context<'_>, evidence: Vec<crate::engine::Evidence>) -> Option<Finding> {
    let facts = cx.facts;
    let status = match facts.latest_assistant {
        Some(row) => row.status.as_str(),
        None => facts.task_status.as_deref()?,
    };
    if !matches!(status, "PENDING" | "RUNNING") || facts.task_is_terminal() {
        return None;
    }

    let last = facts.last_activity?;
    let age = facts.age(last);
    if age <= cx.options.stale_after {
        return None;
    }

    let subtask = facts.latest_assistant.map(|s| s.id).unwrap_or_default();
    Some(Finding {
        rule: "no-executor-expected",
        severity: Severity::Critical,
        title: Msg::new("no-executor-expected.title-stale"),
        detail: Msg::new("no-executor-expected.detail-stale")
            .arg("task", facts.task_id)
            .arg("status", status)
            .arg("age", format_duration(age))
            .arg("threshold", format_duration(cx.options.stale_after))
            .arg("last", format_utc(last)),
        evidence,
        next_steps: vec![
            Msg::new("no-executor-expected.next-stale")
                .arg("last", format_utc(last))
                .arg("subtask", subtask),
        ],
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::engine::test_support::*;

    #[test]
    fn notes_chat_shell_task() {
        let mut bundle = running_fork_bundle();
        task_mut(&mut bundle).json["metadata"]["labels"]["source"] = json!("chat_shell");

        let findings = run_rule(&NoExecutorExpected, &bundle);

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Info);
    }

    #[test]
    fn turns_critical_when_chat_task_is_stale() {
        let mut bundle = running_fork_bundle();
        task_mut(&mut bundle).json["metadata"]["labels"]["source"] = json!("chat_shell");
        let options = crate::engine::Options {
            stale_after: chrono::Duration::minutes(1),
            now: chrono::DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z")
                .ok()
                .map(|t| t.with_timezone(&chrono::Utc)),
        };

        let findings = run_rule_with(&NoExecutorExpected, &bundle, &options);

        assert_eq!(findings[0].severity, Severity::Critical);
        assert_eq!(findings[0].title.key, "no-executor-expected.title-stale");
    }

    #[test]
    fn notes_device_task() {
        let mut bundle = running_fork_bundle();
        assistant_mut(&mut bundle).executor_name = Some("device-42".into());

        let findings = run_rule(&NoExecutorExpected, &bundle);

        assert_eq!(findings[0].detail.key, "no-executor-expected.detail-device");
    }

    #[test]
    fn notes_group_chat_without_ai_turn() {
        let mut bundle = running_fork_bundle();
        bundle
            .subtasks
            .as_mut()
            .unwrap()
            .subtasks
            .retain(|s| s.role == "USER");
        task_mut(&mut bundle).is_group_chat = Some(true);

        let findings = run_rule(&NoExecutorExpected, &bundle);

        assert_eq!(
            findings[0].detail.key,
            "no-executor-expected.detail-group-chat"
        );
    }

    #[test]
    fn ignores_executor_task() {
        let bundle = running_fork_bundle();

        assert!(run_rule(&NoExecutorExpected, &bundle).is_empty());
    }
}
