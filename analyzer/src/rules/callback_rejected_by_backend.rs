//! The backend failed to store a callback that executor-manager forwarded for the task.
//!
//! ### What it checks
//!
//! Two kinds of log lines of the current run:
//!
//! - upstream executor-manager `[Callback] Backend returned error: status_code=<code>`.
//!   That line carries no task id, so it is attributed to this task through the kept
//!   lines next to it in the same log: `[Callback] Received from … task_id=<id>` before it
//!   or `Removing task <id> from RunningTaskTracker (source: callback, event_type=<t>)`
//!   after it, at most eight kept lines away;
//! - backend `Failed to update status to <STATUS>` and `Error updating subtask <id>` lines
//!   that name the task or one of its subtasks.
//!
//! The finding is critical while the latest assistant subtask is PENDING or RUNNING (the
//! status stayed behind), and a warning once it has ended.
//!
//! ### Why it matters
//!
//! Upstream executor-manager reports success to the executor even when the backend
//! returned an error, and on a terminal event it removes the task from heartbeat
//! tracking. The backend swallows exceptions of the status update too. Nothing retries
//! the callback, so the subtask stays RUNNING with an idle container, and no heartbeat
//! rule will ever fail it.
//!
//! ### Known problems
//!
//! Backend lines that name neither the task nor a subtask (for example a bare
//! `Failed to update status to COMPLETED: …`) cannot be attributed and are ignored. When
//! the kept lines around a `Backend returned error` line were cut by the log index, the
//! rejection is not attributed either.
//!
//! ### Evidence
//!
//! `logs/executor-manager.txt`, `logs/backend*.txt`, `db/subtasks.json`.
//!
//! ### Fix
//!
//! Find the backend exception behind the rejection (the backend log around the same time)
//! and remove its cause; then set the stuck subtask's status, or start the work in a new
//! task, because the callback will not be sent again.

use std::sync::LazyLock;

use regex::Regex;

use super::current_run;
use crate::bundle::loaded::LogLine;
use crate::engine::facts::Facts;
use crate::engine::{Context, Finding, Msg, Rule, Severity};
use crate::i18n::Lang;

/// How many kept lines before or after a rejection may carry its task id.
const ATTRIBUTION_WINDOW: usize = 8;

/// At most this many lines are listed as evidence.
const MAX_EVIDENCE_LINES: usize = 6;

static BACKEND_RETURNED_ERROR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\[Callback\] Backend returned error: status_code=(\d+)").expect("pattern compiles")
});

static CALLBACK_CONTEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\[Callback\] Received from |Removing task \d+ from RunningTaskTracker \(source: callback",
    )
    .expect("pattern compiles")
});

static EVENT_TYPE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"event_type=([A-Za-z_.]+)").expect("pattern compiles"));

static BACKEND_STORE_FAILURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"Failed to update status to [A-Z_]+|Error updating subtask \d+")
        .expect("pattern compiles")
});

/// True when the text is a rejected or unstored callback this rule reports.
pub(crate) fn is_rejected_callback(text: &str) -> bool {
    BACKEND_RETURNED_ERROR.is_match(text) || BACKEND_STORE_FAILURE.is_match(text)
}

/// A `Backend returned error` line attributed to this task.
struct Rejection<'a> {
    line: &'a LogLine,
    context: &'a LogLine,
    status_code: String,
    event_type: Option<String>,
}

pub struct CallbackRejectedByBackend;

impl Rule for CallbackRejectedByBackend {
    fn id(&self) -> &'static str {
        "callback-rejected-by-backend"
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
        let rejections = find_rejections(&cx.bundle.log_lines, facts);
        let rejections: Vec<_> = rejections
            .into_iter()
            .filter(|r| current_run::in_current_run(facts, r.line))
            .collect();

        let store_failures: Vec<_> = current_run::run_lines(cx)
            .into_iter()
            .filter(|line| !current_run::is_executor_member(&line.member))
            .filter(|line| BACKEND_STORE_FAILURE.is_match(&line.text))
            .collect();

        if rejections.is_empty() && store_failures.is_empty() {
            return;
        }

        let mut evidence = Vec::new();
        for rejection in &rejections {
            let mut pair = [rejection.context, rejection.line];
            pair.sort_by_key(|line| line.line_no);
            evidence.extend(pair.map(current_run::line_evidence));
        }
        evidence.extend(
            store_failures
                .iter()
                .map(|line| current_run::line_evidence(line)),
        );
        evidence.truncate(MAX_EVIDENCE_LINES);

        let status = current_run::current_status(facts).unwrap_or("unknown");
        let active = current_run::run_is_active(facts);
        let severity = if active {
            Severity::Critical
        } else {
            Severity::Warning
        };

        let detail = match rejections.first() {
            Some(rejection) => Msg::new("callback-rejected-by-backend.detail")
                .arg("code", &rejection.status_code)
                .arg("event", rejection.event_type.as_deref().unwrap_or("?"))
                .arg("status", status),
            None => Msg::new("callback-rejected-by-backend.detail-backend").arg("status", status),
        };

        let mut next_steps = vec![Msg::new("callback-rejected-by-backend.next")];
        if active {
            next_steps.push(Msg::new("callback-rejected-by-backend.next-stuck"));
        }

        out.push(Finding {
            rule: self.id(),
            severity,
            title: Msg::new("callback-rejected-by-backend.title"),
            detail,
            evidence,
            next_steps,
        });
    }
}

/// Finds `Backend returned error` lines whose neighbouring callback lines name this task.
fn find_rejections<'a>(lines: &'a [LogLine], facts: &Facts<'_>) -> Vec<Rejection<'a>> {
    let mut found = Vec::new();

    for (index, line) in lines.iter().enumerate() {
        let Some(captures) = BACKEND_RETURNED_ERROR.captures(&line.text) else {
            continue;
        };

        let start = index.saturating_sub(ATTRIBUTION_WINDOW);
        let end = (index + ATTRIBUTION_WINDOW + 1).min(lines.len());
        let context = lines[start..end].iter().find(|other| {
            other.member == line.member
                && CALLBACK_CONTEXT.is_match(&other.text)
                && current_run::is_task_line(facts, other)
        });

        if let Some(context) = context {
            found.push(Rejection {
                line,
                context,
                status_code: captures[1].to_string(),
                event_type: EVENT_TYPE.captures(&context.text).map(|c| c[1].to_string()),
            });
        }
    }

    found
}

static EN: &[(&str, &str)] = &[
    (
        "callback-rejected-by-backend.title",
        "the backend rejected a status callback of this task",
    ),
    (
        "callback-rejected-by-backend.detail",
        "executor-manager forwarded a callback of this task (event {event}) and the backend answered HTTP {code}. executor-manager still reported success to the executor and stopped tracking the task's heartbeat, so nothing sends that status again. The latest assistant subtask is {status}.",
    ),
    (
        "callback-rejected-by-backend.detail-backend",
        "The backend logged an error while storing a status update of this task, and it swallows such errors, so the callback counted as delivered. The latest assistant subtask is {status}.",
    ),
    (
        "callback-rejected-by-backend.next",
        "Read the backend log around the evidence lines for the exception behind the rejection (for example a schema error or a database timeout) and fix that cause first.",
    ),
    (
        "callback-rejected-by-backend.next-stuck",
        "The subtask will stay RUNNING because the callback is not sent again: set its status in the database, or start the work in a new task; the executor container still holds the result.",
    ),
];

static ZH: &[(&str, &str)] = &[
    (
        "callback-rejected-by-backend.title",
        "后端拒绝了本任务的状态回调",
    ),
    (
        "callback-rejected-by-backend.detail",
        "executor-manager 转发了本任务的回调（事件 {event}），后端返回 HTTP {code}。executor-manager 仍向执行器报告成功，并停止跟踪该任务的心跳，因此没有任何组件会再次发送该状态。最新的 assistant 子任务为 {status}。",
    ),
    (
        "callback-rejected-by-backend.detail-backend",
        "后端在保存本任务的状态更新时记录了错误，而它会吞掉这类错误，所以该回调被当作已送达。最新的 assistant 子任务为 {status}。",
    ),
    (
        "callback-rejected-by-backend.next",
        "在后端日志中查看证据行前后的异常（例如表结构错误或数据库超时），先修复导致拒绝的原因。",
    ),
    (
        "callback-rejected-by-backend.next-stuck",
        "由于回调不会再次发送，子任务会一直停留在 RUNNING：请在数据库中设置其状态，或在新任务中重新执行；执行器容器中仍保存着结果。",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    const EM_LOG: &str = "logs/executor-manager.txt";

    #[test]
    fn flags_rejected_terminal_callback_of_running_subtask() {
        let mut bundle = bundle("RUNNING", "RUNNING");
        bundle.log_lines = vec![
            log(
                EM_LOG,
                10,
                "[Callback] Received from 172.18.0.9: event_type=response.completed, task_id=89, subtask_id=312",
            ),
            log(
                EM_LOG,
                11,
                "[Callback] Backend returned error: status_code=500, body_preview=Internal Server Error",
            ),
            log(
                EM_LOG,
                12,
                "[Callback] Removing task 89 from RunningTaskTracker (source: callback, event_type=response.completed)",
            ),
        ];

        let findings = run(&CallbackRejectedByBackend, &bundle);

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Critical);
        assert!(
            findings[0]
                .detail
                .args
                .contains(&("code", "500".to_string()))
        );
        assert!(
            findings[0]
                .detail
                .args
                .contains(&("event", "response.completed".to_string()))
        );
        assert_catalogue(&CallbackRejectedByBackend, &findings);
    }

    #[test]
    fn flags_backend_store_failure_naming_subtask() {
        let mut bundle = bundle("RUNNING", "RUNNING");
        bundle.log_lines = vec![log(
            "logs/backend.txt",
            300,
            "ERROR Error updating subtask 312 status",
        )];

        let findings = run(&CallbackRejectedByBackend, &bundle);

        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].detail.key,
            "callback-rejected-by-backend.detail-backend"
        );
    }

    #[test]
    fn ignores_rejection_of_another_task() {
        let mut bundle = bundle("RUNNING", "RUNNING");
        bundle.log_lines = vec![
            log(
                EM_LOG,
                10,
                "[Callback] Received from 172.18.0.9: event_type=response.completed, task_id=890, subtask_id=9",
            ),
            log(
                EM_LOG,
                11,
                "[Callback] Backend returned error: status_code=500, body_preview=oops",
            ),
            log(
                EM_LOG,
                12,
                "[Callback] Removing task 890 from RunningTaskTracker (source: callback, event_type=response.completed)",
            ),
        ];

        assert!(run(&CallbackRejectedByBackend, &bundle).is_empty());
    }
}
