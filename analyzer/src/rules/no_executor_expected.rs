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
        evidence.extend(facts.latest_assistant.map(evidence::subtask));

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
