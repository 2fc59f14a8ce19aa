//! `$.status.errorMessage` contains text although the task's current run did not fail.
//!
//! ### What it checks
//!
//! `$.status.errorMessage` of the task row is non-empty while the current run, meaning
//! the latest assistant subtask (or the task itself when it has none), is neither FAILED
//! nor CANCELLED. A cancelled run keeps a message such as "Task was cancelled by user" on
//! purpose, so it is not reported. Only `errorMessage` is read: the fork's
//! `progressText` and `statusPhase` are progress labels, never errors.
//!
//! ### Why it matters
//!
//! Upstream writes `errorMessage` only when a run fails and never clears it, so the
//! message of an earlier failure survives later successful or running turns. Readers
//! then chase an error that is not the current problem.
//!
//! ### Evidence
//!
//! `db/task.json` (`/status/errorMessage`), `db/subtasks.json` (latest assistant subtask).
//!
//! ### Fix
//!
//! Ignore the message for the current run and read the latest assistant subtask's status
//! and `error_message` instead.

use super::current_run;
use crate::bundle::model::members;
use crate::engine::{Context, Evidence, Finding, Msg, Rule, Severity};
use crate::i18n::Lang;

pub struct StaleErrorMessage;

impl Rule for StaleErrorMessage {
    fn id(&self) -> &'static str {
        "stale-error-message"
    }

    fn default_severity(&self) -> Severity {
        Severity::Warning
    }

    fn messages(&self, lang: Lang) -> &'static [(&'static str, &'static str)] {
        match lang {
            Lang::En => EN,
            Lang::Zh => ZH,
        }
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let facts = cx.facts;
        let Some(message) = current_run::task_error_message(facts) else {
            return;
        };
        let Some(status) = current_run::current_status(facts) else {
            return;
        };
        if matches!(status, "FAILED" | "CANCELLED") {
            return;
        }

        let mut evidence = vec![Evidence::new(
            members::DB_TASK,
            "/status/errorMessage",
            current_run::excerpt(message),
        )];
        let detail = match facts.latest_assistant {
            Some(subtask) => {
                evidence.push(Evidence::new(
                    members::DB_SUBTASKS,
                    format!("id={}", subtask.id),
                    format!(
                        "role=ASSISTANT status={} message_id={}",
                        subtask.status, subtask.message_id
                    ),
                ));
                Msg::new("stale-error-message.detail")
                    .arg("subtask", subtask.id)
                    .arg("status", status)
            }
            None => Msg::new("stale-error-message.detail-task").arg("status", status),
        };

        out.push(Finding {
            rule: self.id(),
            severity: self.default_severity(),
            title: Msg::new("stale-error-message.title"),
            detail,
            evidence,
            next_steps: vec![Msg::new("stale-error-message.next")],
        });
    }
}

static EN: &[(&str, &str)] = &[
    (
        "stale-error-message.title",
        "errorMessage is set although the current run did not fail",
    ),
    (
        "stale-error-message.detail",
        "$.status.errorMessage holds text, but the latest assistant subtask {subtask} is {status}. Wegent writes errorMessage when a run fails and does not clear it on later runs, so the message most likely belongs to an earlier run.",
    ),
    (
        "stale-error-message.detail-task",
        "$.status.errorMessage holds text, but the task is {status} and has no assistant subtask that failed, so the message does not describe a failure of the current run.",
    ),
    (
        "stale-error-message.next",
        "Read the latest assistant subtask's status and error_message for the current run, and treat errorMessage as history.",
    ),
];

static ZH: &[(&str, &str)] = &[
    (
        "stale-error-message.title",
        "当前执行并未失败，但 errorMessage 有值",
    ),
    (
        "stale-error-message.detail",
        "$.status.errorMessage 有内容，但最新的 assistant 子任务 {subtask} 为 {status}。Wegent 在执行失败时写入 errorMessage，之后的执行不会清除它，因此这条信息很可能来自更早的一次执行。",
    ),
    (
        "stale-error-message.detail-task",
        "$.status.errorMessage 有内容，但任务状态为 {status}，也没有失败的 assistant 子任务，因此这条信息描述的不是当前执行的失败。",
    ),
    (
        "stale-error-message.next",
        "请查看最新 assistant 子任务的状态和 error_message 来了解当前执行，把 errorMessage 当作历史记录。",
    ),
];

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::rules::test_support::*;

    fn with_error(
        task_status: &str,
        subtask_status: &str,
        error: &str,
    ) -> crate::bundle::loaded::Bundle {
        let mut bundle = bundle(task_status, subtask_status);
        bundle.task = Some(Some(task_row(
            task_status,
            json!({ "errorMessage": error, "statusPhase": "executing" }),
        )));
        bundle
    }

    #[test]
    fn flags_old_error_on_completed_run() {
        let bundle = with_error(
            "COMPLETED",
            "COMPLETED",
            "Error code: 503 Service Unavailable",
        );

        let findings = run(&StaleErrorMessage, &bundle);

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].evidence[0].locator, "/status/errorMessage");
        assert_eq!(findings[0].evidence[1].locator, "id=312");
        assert_catalogue(&StaleErrorMessage, &findings);
    }

    #[test]
    fn flags_old_error_on_running_follow_up() {
        let bundle = with_error(
            "RUNNING",
            "RUNNING",
            "Executor crashed unexpectedly (exit code: 1)",
        );

        assert_eq!(run(&StaleErrorMessage, &bundle).len(), 1);
    }

    #[test]
    fn ignores_error_of_failed_run() {
        let bundle = with_error("FAILED", "FAILED", "Docker run error: image not found");

        assert!(run(&StaleErrorMessage, &bundle).is_empty());
    }

    #[test]
    fn ignores_empty_error_and_progress_fields() {
        let bundle = with_error("RUNNING", "RUNNING", "  ");

        assert!(run(&StaleErrorMessage, &bundle).is_empty());
    }
}
