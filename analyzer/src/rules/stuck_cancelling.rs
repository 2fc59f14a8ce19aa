//! The task stays CANCELLING because the cancel never reached a running executor.
//!
//! ### What it checks
//! The task row's status is CANCELLING and one of these is true:
//! - a task log line shows the cancel failing (`not currently running`, `Failed to
//!   communicate with executor`, `Error calling executor_manager to cancel`, `did not
//!   acknowledge cancellation`);
//! - the executor container of the newest assistant subtask is missing or not running,
//!   so no executor can acknowledge the cancel;
//! - nothing happened for longer than ten minutes (or `--stale-after`, when shorter),
//!   while a cancel normally completes within seconds.
//!
//! ### Why it matters
//! Only the executor's acknowledgement turns CANCELLING into CANCELLED. When the cancel
//! request fails, the backend just logs the error and the task stays CANCELLING; the UI
//! blocks new messages to it.
//!
//! ### Evidence
//! `db/task.json` (status), `db/subtasks.json`, `services/containers.json`, backend and
//! executor-manager log lines about the cancel.
//!
//! ### Fix
//! Set the task and its running subtask to CANCELLED by hand (the executor is gone or
//! ignores the cancel), and remove the executor if it still runs.

use chrono::Duration;

use crate::engine::clock::format_duration;
use crate::engine::{Context, Finding, Msg, Rule, Severity, evidence};
use crate::i18n::Lang;

/// See the module documentation.
pub struct StuckCancelling;

/// Maximum time a cancel takes when the executor responds.
const CANCEL_GRACE_MINUTES: i64 = 10;

/// Log texts of a cancel that did not reach the executor, lowercase.
const CANCEL_FAILURES: [&str; 4] = [
    "not currently running",
    "failed to communicate with executor",
    "error calling executor_manager to cancel",
    "did not acknowledge cancellation",
];

static EN: &[(&str, &str)] = &[
    ("stuck-cancelling.title", "the task is stuck cancelling"),
    (
        "stuck-cancelling.detail",
        "Task {task} has been CANCELLING for {age}, while a cancel normally completes within seconds; the executor never \
         acknowledged it.",
    ),
    (
        "stuck-cancelling.detail-log",
        "Task {task} is CANCELLING, and the logs show that the cancel did not reach the executor. Only the executor's \
         acknowledgement ends the cancel, so the task stays CANCELLING.",
    ),
    (
        "stuck-cancelling.detail-no-container",
        "Task {task} is CANCELLING, but its executor {name} is not running, so nothing can acknowledge the cancel and the \
         task stays CANCELLING.",
    ),
    (
        "stuck-cancelling.next",
        "Set the task and its running subtask to CANCELLED by hand, and remove the executor if it still runs.",
    ),
];

static ZH: &[(&str, &str)] = &[
    ("stuck-cancelling.title", "任务卡在取消中"),
    (
        "stuck-cancelling.detail",
        "任务 {task} 已处于 CANCELLING {age}，而取消通常几秒内就会完成；执行器始终没有确认。",
    ),
    (
        "stuck-cancelling.detail-log",
        "任务 {task} 处于 CANCELLING，日志显示取消请求没有送达执行器。只有执行器的确认才能结束取消，因此任务一直停在 CANCELLING。",
    ),
    (
        "stuck-cancelling.detail-no-container",
        "任务 {task} 处于 CANCELLING，但其执行器 {name} 没有在运行，没有任何组件能确认取消，因此任务一直停在 CANCELLING。",
    ),
    (
        "stuck-cancelling.next",
        "手动把任务及其运行中的子任务设为 CANCELLED；若执行器仍在运行，将其删除。",
    ),
];

impl Rule for StuckCancelling {
    fn id(&self) -> &'static str {
        "stuck-cancelling"
    }

    fn default_severity(&self) -> Severity {
        Severity::Critical
    }

    fn messages(&self, lang: Lang) -> &'static [(&'static str, &'static str)] {
        match lang {
            Lang::En => EN,
            Lang::Zh => ZH,
        }
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let facts = cx.facts;
        let Some(task) = facts.task else {
            return;
        };
        if !facts.task_is("CANCELLING") {
            return;
        }

        let failures = facts.task_lines_containing(&CANCEL_FAILURES);
        let container_runs = facts.active_container.is_some_and(|c| c.state == "running");
        let expects_container = facts.no_executor_expected.is_none()
            && facts.docker_listed
            && facts.executor_name.is_some();
        let age = facts.task_updated().map(|t| facts.age(t));
        let grace = cx
            .options
            .stale_after
            .min(Duration::minutes(CANCEL_GRACE_MINUTES));
        let name = facts
            .executor_name
            .as_ref()
            .map(|n| n.name.clone())
            .unwrap_or_default();

        let key = if !failures.is_empty() {
            "stuck-cancelling.detail-log"
        } else if expects_container && !container_runs {
            "stuck-cancelling.detail-no-container"
        } else if age.is_some_and(|a| a > grace) {
            "stuck-cancelling.detail"
        } else {
            return;
        };

        let mut evidence = vec![evidence::task_status(facts, task)];
        evidence.extend(
            facts
                .latest_assistant
                .map(|row| evidence::subtask(facts, row)),
        );
        evidence.extend(evidence::container_or_absent(
            facts.active_container,
            &name,
            expects_container,
        ));
        evidence.extend(evidence::newest_logs(&failures));

        out.push(Finding {
            rule: self.id(),
            severity: self.default_severity(),
            title: Msg::new("stuck-cancelling.title"),
            detail: Msg::new(key)
                .arg("task", facts.task_id)
                .arg("name", name)
                .arg(
                    "age",
                    age.map(format_duration).unwrap_or_else(|| "?".into()),
                ),
            evidence,
            next_steps: vec![Msg::new("stuck-cancelling.next")],
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::test_support::*;

    fn cancelling_bundle() -> crate::bundle::loaded::Bundle {
        let mut bundle = running_fork_bundle();
        set_task_status(&mut bundle, "CANCELLING");
        bundle
    }

    #[test]
    fn flags_cancel_that_failed_in_logs() {
        let mut bundle = cancelling_bundle();
        bundle.log_lines.push(log_line(
            "logs/backend.txt",
            5,
            "2026-01-20 06:58:01",
            "Error calling executor_manager to cancel task 89: Task 89 is not currently running",
        ));

        let findings = run_rule(&StuckCancelling, &bundle);

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].detail.key, "stuck-cancelling.detail-log");
    }

    #[test]
    fn flags_cancel_without_running_container() {
        let mut bundle = cancelling_bundle();
        *container_mut(&mut bundle) = executor_container(EXECUTOR, "exited", Some(0));

        let findings = run_rule(&StuckCancelling, &bundle);

        assert_eq!(
            findings[0].detail.key,
            "stuck-cancelling.detail-no-container"
        );
    }

    #[test]
    fn ignores_cancel_in_flight() {
        let bundle = cancelling_bundle();

        assert!(run_rule(&StuckCancelling, &bundle).is_empty());
    }

    #[test]
    fn ignores_running_task() {
        let bundle = running_fork_bundle();

        assert!(run_rule(&StuckCancelling, &bundle).is_empty());
    }
}
