//! Log lines of the task report errors or exceptions that no other rule explains.
//!
//! ### What it checks
//!
//! The task's kept log lines: every line of its executor logs, and the lines of service
//! logs that name the task, a subtask or an executor. A line counts when it contains
//! `Traceback (most recent call last)`, a level word (`ERROR`, `CRITICAL`, `FATAL`), an
//! exception class name ending in `Exception` or `Error` (`ValueError`, `HTTPException`),
//! or a Rust `panicked at`.
//!
//! Lines that `callback-failed`, `callback-rejected-by-backend`,
//! `model-gateway-unavailable`, `model-request-rejected`, `model-not-configured` (a model
//! that resolved to no usable configuration), `git-clone-failed` or `schema-drift` report
//! are left to those rules. So are lines with the signatures the
//! container rules report (`Docker run error`, `failed to become ready`, OOM, heartbeat
//! timeouts, failed cancels). The first five lines are listed as evidence, and the detail
//! gives the total.
//!
//! ### Why it matters
//!
//! An error next to the task id is often the direct reason a run stopped, even when it
//! matches none of the known failure signatures.
//!
//! ### Known problems
//!
//! A traceback's body lines do not name the task, so only the line that does is listed;
//! read the member around it for the rest. Lines from earlier runs of the task count too.
//!
//! ### Evidence
//!
//! `executors/<name>/logs.txt`, `logs/*.txt`.
//!
//! ### Fix
//!
//! Read the listed lines in context; fix what they report, or add a rule for the
//! signature when it recurs.

use std::sync::LazyLock;

use regex::RegexSet;

use super::current_run;
use super::{
    callback_failed, callback_rejected_by_backend, git_clone_failed, model_gateway_unavailable,
};
use super::{model_not_configured, model_request_rejected, schema_drift};
use crate::engine::{Context, Finding, Msg, Rule, Severity};
use crate::i18n::Lang;

/// At most this many lines are listed as evidence.
const MAX_EVIDENCE_LINES: usize = 5;

static ERROR_LINE: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([
        r"Traceback \(most recent call last\)",
        r"\b(?:ERROR|CRITICAL|FATAL)\b",
        r"\b[A-Z][A-Za-z0-9_]*(?:Exception|Error)\b",
        r"\bpanicked at\b",
    ])
    .expect("error line patterns compile")
});

/// Lowercase signatures that the container, dispatch and cancel rules report from the
/// task's log lines (`executor-start-failed`, `executor-oom-killed`, `heartbeat-lost`,
/// `stuck-cancelling`).
const CONTAINER_RULE_SIGNATURES: [&str; 14] = [
    "docker run error",
    "no available ports",
    "executor image not provided",
    "failed to become ready",
    "initial task dispatch",
    "failed to dispatch initial task",
    "exited immediately with code",
    "out of memory (oom)",
    "oom killed",
    "heartbeat timed out",
    "heartbeat timeout",
    "error calling executor_manager to cancel",
    "not currently running",
    "did not acknowledge cancellation",
];

/// True when another rule reports this line.
fn explained_elsewhere(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    CONTAINER_RULE_SIGNATURES
        .iter()
        .any(|signature| lower.contains(signature))
        || callback_failed::is_callback_failure(text)
        || callback_rejected_by_backend::is_rejected_callback(text)
        || model_gateway_unavailable::is_gateway_refusal(text)
        || model_request_rejected::is_request_rejection(text)
        || model_not_configured::is_model_config_failure(text)
        || git_clone_failed::is_clone_failure(text)
        || schema_drift::is_schema_error(text)
}

pub struct ErrorsInLogs;

/// Builds the detail for `count` matching lines of which the first `shown` are listed,
/// with one wording for a single line, one for a complete list and one for a cut list.
pub fn detail(count: usize, shown: usize) -> Msg {
    let key = if count == 1 {
        "errors-in-logs.detail-one"
    } else if shown >= count {
        "errors-in-logs.detail-all"
    } else {
        "errors-in-logs.detail"
    };
    Msg::new(key).arg("count", count).arg("shown", shown)
}

impl Rule for ErrorsInLogs {
    fn id(&self) -> &'static str {
        "errors-in-logs"
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
        let errors: Vec<_> = current_run::task_lines(cx)
            .into_iter()
            .filter(|line| ERROR_LINE.is_match(&line.text) && !explained_elsewhere(&line.text))
            .collect();
        if errors.is_empty() {
            return;
        }

        let shown = errors.len().min(MAX_EVIDENCE_LINES);
        let evidence = errors
            .iter()
            .take(shown)
            .map(|line| current_run::line_evidence(line))
            .collect();

        out.push(Finding {
            rule: self.id(),
            severity: self.default_severity(),
            title: Msg::new("errors-in-logs.title"),
            detail: detail(errors.len(), shown),
            evidence,
            next_steps: vec![Msg::new("errors-in-logs.next")],
        });
    }
}

static EN: &[(&str, &str)] = &[
    (
        "errors-in-logs.title",
        "logs of this task report errors no other finding explains",
    ),
    (
        "errors-in-logs.detail",
        "Log lines of this task report errors, exceptions or tracebacks that match no known failure signature ({count} matching lines; the first {shown} are listed).",
    ),
    (
        "errors-in-logs.detail-all",
        "Log lines of this task report errors, exceptions or tracebacks that match no known failure signature ({count} matching lines, all listed).",
    ),
    (
        "errors-in-logs.detail-one",
        "One log line of this task reports an error, exception or traceback that matches no known failure signature.",
    ),
    (
        "errors-in-logs.next",
        "Read each listed line in its log member around the given line number (a traceback continues on the following lines) to see whether it explains why the run stopped.",
    ),
];

static ZH: &[(&str, &str)] = &[
    (
        "errors-in-logs.title",
        "本任务的日志中有其他发现未能解释的错误",
    ),
    (
        "errors-in-logs.detail",
        "有 {count} 行属于本任务的日志报告了错误、异常或调用栈，且不符合任何已知的故障特征；下面列出前 {shown} 行。",
    ),
    (
        "errors-in-logs.detail-all",
        "有 {count} 行属于本任务的日志报告了错误、异常或调用栈，且不符合任何已知的故障特征；下面全部列出。",
    ),
    (
        "errors-in-logs.detail-one",
        "有一行属于本任务的日志报告了错误、异常或调用栈，且不符合任何已知的故障特征。",
    ),
    (
        "errors-in-logs.next",
        "在对应日志文件中按给出的行号查看每一行的上下文（调用栈会在后续行继续），判断它是否解释了执行停止的原因。",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    #[test]
    fn flags_task_error_lines_bounded() {
        let mut bundle = bundle("RUNNING", "RUNNING");
        bundle.log_lines = (1..=7)
            .map(|n| {
                log(
                    "logs/executor-manager.txt",
                    n,
                    "2026-01-20 14:03:12 - [-] - ERROR - Error for task 89: KeyError('bot')",
                )
            })
            .collect();

        let findings = run(&ErrorsInLogs, &bundle);

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].evidence.len(), 5);
        assert!(
            findings[0]
                .detail
                .args
                .contains(&("count", "7".to_string()))
        );
        assert_catalogue(&ErrorsInLogs, &findings);
    }

    #[test]
    fn ignores_lines_explained_by_other_rules() {
        let mut bundle = bundle("FAILED", "FAILED");
        bundle.log_lines = vec![
            log(
                "logs/executor-manager.txt",
                3,
                "ERROR - Failed to update status for task 89: {}",
            ),
            log(
                "executors/wegent-task-admin-e47497646f4e26c/logs.txt",
                8,
                "ERROR Error code: 503 Service Unavailable",
            ),
        ];

        assert!(run(&ErrorsInLogs, &bundle).is_empty());
    }

    #[test]
    fn ignores_errors_of_other_tasks() {
        let mut bundle = bundle("RUNNING", "RUNNING");
        bundle.log_lines = vec![log(
            "logs/backend.txt",
            3,
            "ERROR Error updating task 890: ValueError",
        )];

        assert!(run(&ErrorsInLogs, &bundle).is_empty());
    }
}
