//! Status callbacks of the task failed between the executor, executor-manager and backend.
//!
//! ### What it checks
//!
//! Log lines of the current run that show a status callback of this task failing:
//!
//! - fork executor: `Request failed (attempt i/10) … Read timed out`, `Request failed after
//!   10 retries`, `Failed to send 'running' status callback`, `Client error (4xx) during
//!   callback`;
//! - fork executor-manager: `Failed to update status for task <id>`, `Client error (4xx)
//!   during updating status for task <id>`, `Error processing callback` naming the task;
//! - upstream executor: `callback request failed`, `callback response rejected`,
//!   `callback payload rejected`.
//!
//! Every line of the task's executor logs counts. Executor-manager and backend lines count
//! when they name the task, one of its subtasks or executors. Lines written before the
//! latest assistant subtask was created belong to an earlier run and are skipped. When the
//! rule fires, HTTP 5xx responses to `POST /executor-manager/callback` from the
//! executor-manager log are added as supporting evidence.
//!
//! The finding is critical while the latest assistant subtask is PENDING or RUNNING and
//! no successful callback follows the last failure in the same log. Successful callbacks
//! are `Callback sent successfully`, `Successfully processed callback for task` and
//! `callback request finished … status=200`. The finding is a warning when such a success
//! follows, or once the subtask has ended.
//!
//! ### Why it matters
//!
//! Callbacks are the only way a run's status reaches the database. The fork executor
//! gives up after 11 attempts (about 17 minutes). A failed "running" callback makes it
//! stop without sending FAILED, so the subtask stays at its last stored status forever.
//! A slow backend can also make the same update arrive several times.
//!
//! ### Known problems
//!
//! The fork executor logs `Request failed (attempt …)` for any HTTP request it retries,
//! not only for callbacks. Access-log lines for `/executor-manager/callback` carry no task
//! id, so they are only shown next to failures that do.
//!
//! ### Evidence
//!
//! `executors/<name>/logs.txt`, `logs/executor-manager.txt`, `logs/backend*.txt`,
//! `db/subtasks.json` (start and status of the current run).
//!
//! ### Fix
//!
//! Find out why the backend did not respond in time at those moments (restart, overload,
//! network between the containers), then correct the status of the stuck run or start the
//! work in a new task, because an executor does not resend a status once its retries are
//! spent.

use std::sync::LazyLock;

use regex::RegexSet;

use super::current_run;
use crate::bundle::loaded::LogLine;
use crate::engine::{Context, Finding, Msg, Rule, Severity};
use crate::i18n::Lang;

/// At most this many failing lines are listed as evidence.
const MAX_EVIDENCE_LINES: usize = 5;

/// At most this many unattributed 5xx responses to `/callback` are added.
const MAX_SUPPORTING_LINES: usize = 2;

/// Callback failures that name the task or come from the task's own executor.
static CALLBACK_FAILURE: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([
        r"Failed to send 'running' status callback",
        r"Client error \(\d{3}\) during callback",
        r"Client error \(\d{3}\) during updating status for task",
        r"Failed to update status for task",
        r"Error processing callback",
        r"\bcallback (?:request failed|response rejected|payload rejected)\b",
    ])
    .expect("callback failure patterns compile")
});

/// Retry messages of the fork executor's HTTP client. The fork executor-manager logs the
/// same text when it polls for tasks, so these count only inside executor logs.
static EXECUTOR_RETRY_FAILURE: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([
        r"Request failed \(attempt \d+/\d+\)",
        r"Request failed after \d+ retries",
    ])
    .expect("retry failure patterns compile")
});

/// An HTTP 5xx response to a callback in the executor-manager's access or request log.
static CALLBACK_5XX: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([
        r#""POST /executor-manager/callback HTTP/[\d.]+" 5\d\d\b"#,
        r"response: POST /executor-manager/callback \S+ \S+ 5\d\d\b",
    ])
    .expect("callback 5xx patterns compile")
});

/// A callback that got through: fork executor and executor-manager success messages, and
/// the upstream executor's `callback request finished` with HTTP 200.
static CALLBACK_SUCCESS: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([
        r"Callback sent successfully",
        r"Successfully processed callback for task",
        r"\[Callback\] Successfully forwarded",
        r"\bcallback request finished\b.*\bstatus=200\b",
    ])
    .expect("callback success patterns compile")
});

/// True when the text is a callback failure this rule reports. Other rules use it to
/// leave such lines to this one.
pub(crate) fn is_callback_failure(text: &str) -> bool {
    CALLBACK_FAILURE.is_match(text)
        || EXECUTOR_RETRY_FAILURE.is_match(text)
        || CALLBACK_5XX.is_match(text)
}

pub struct CallbackFailed;

impl Rule for CallbackFailed {
    fn id(&self) -> &'static str {
        "callback-failed"
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

        let failures: Vec<_> = current_run::run_lines(cx)
            .into_iter()
            .filter(|line| {
                CALLBACK_FAILURE.is_match(&line.text)
                    || (current_run::is_executor_member(&line.member)
                        && EXECUTOR_RETRY_FAILURE.is_match(&line.text))
            })
            .collect();
        if failures.is_empty() {
            return;
        }

        let supporting = cx
            .bundle
            .log_lines
            .iter()
            .filter(|line| {
                line.member.starts_with("logs/executor-manager")
                    && !current_run::is_task_line(facts, line)
            })
            .filter(|line| {
                CALLBACK_5XX.is_match(&line.text) && current_run::in_current_run(facts, line)
            })
            .take(MAX_SUPPORTING_LINES);

        // The first failure shows when the trouble started, the last ones how it ended
        // (for example "Request failed after 10 retries").
        let newest_start = failures.len().saturating_sub(MAX_EVIDENCE_LINES - 1).max(1);
        let shown = failures
            .iter()
            .take(1)
            .chain(failures.iter().skip(newest_start));
        let mut evidence: Vec<_> = shown.map(|line| current_run::line_evidence(line)).collect();
        evidence.extend(supporting.map(current_run::line_evidence));

        let status = current_run::current_status(facts).unwrap_or("unknown");
        let active = current_run::run_is_active(facts);
        let recovered = recovered_after_failures(&current_run::task_lines(cx), &failures);
        let (severity, detail_key) = match (active, recovered) {
            (true, false) => (Severity::Critical, "callback-failed.detail"),
            (true, true) => (Severity::Warning, "callback-failed.detail-recovered"),
            (false, _) => (Severity::Warning, "callback-failed.detail-ended"),
        };

        let mut next_steps = vec![
            Msg::new("callback-failed.next"),
            Msg::new("callback-failed.next-network"),
        ];
        if active && !recovered {
            next_steps.push(Msg::new("callback-failed.next-stuck"));
        }

        out.push(Finding {
            rule: self.id(),
            severity,
            title: Msg::new("callback-failed.title"),
            detail: Msg::new(detail_key)
                .arg("count", failures.len())
                .arg("status", status),
            evidence,
            next_steps,
        });
    }
}

/// True when, in every log member with a failure, a successful callback follows the last
/// failure.
fn recovered_after_failures(task_lines: &[&LogLine], failures: &[&LogLine]) -> bool {
    failures.iter().all(|failure| {
        let last_in_member = failures
            .iter()
            .filter(|other| other.member == failure.member)
            .map(|other| other.line_no)
            .max()
            .unwrap_or(failure.line_no);
        task_lines.iter().any(|line| {
            line.member == failure.member
                && line.line_no > last_in_member
                && CALLBACK_SUCCESS.is_match(&line.text)
        })
    })
}

static EN: &[(&str, &str)] = &[
    (
        "callback-failed.title",
        "status callbacks of this task failed on the way to the backend",
    ),
    (
        "callback-failed.detail",
        "Log lines of this task show its status callbacks failing between the executor, executor-manager and the backend (matching lines: {count}). The latest assistant subtask is still {status}, so the status the executor last reported has probably never been stored.",
    ),
    (
        "callback-failed.detail-ended",
        "Log lines of this task show its status callbacks failing between the executor, executor-manager and the backend (matching lines: {count}). The latest assistant subtask still reached {status}, so a later attempt got through, but intermediate updates may have been lost or stored twice.",
    ),
    (
        "callback-failed.detail-recovered",
        "Log lines of this task show its status callbacks failing at times (matching lines: {count}), but later callbacks got through, and the latest assistant subtask is {status}. Updates sent during the failures may have been lost or stored twice.",
    ),
    (
        "callback-failed.next",
        "Check whether the backend was down, restarting or slow when these lines were written: read the backend log around the same time and look for restarts in `docker ps`.",
    ),
    (
        "callback-failed.next-network",
        "Check that the executor container reaches executor-manager at its CALLBACK_URL and that executor-manager reaches the backend at TASK_API_DOMAIN (same Docker network, no proxy in between).",
    ),
    (
        "callback-failed.next-stuck",
        "An executor does not resend a status once its retries are spent: if its log shows the work finished, correct the subtask and task status in the database or start the work in a new task.",
    ),
];

static ZH: &[(&str, &str)] = &[
    ("callback-failed.title", "本任务的状态回调未能送达后端"),
    (
        "callback-failed.detail",
        "有 {count} 行日志显示本任务的状态回调在执行器、executor-manager 与后端之间失败。最新的 assistant 子任务仍为 {status}，执行器最后上报的状态很可能从未写入数据库。",
    ),
    (
        "callback-failed.detail-ended",
        "有 {count} 行日志显示本任务的状态回调在执行器、executor-manager 与后端之间失败。最新的 assistant 子任务最终仍到达 {status}，说明后续重试成功，但中间的状态更新可能丢失或被重复写入。",
    ),
    (
        "callback-failed.detail-recovered",
        "有 {count} 行日志显示本任务的状态回调曾经失败，但之后的回调已成功送达，最新的 assistant 子任务为 {status}。失败期间发送的状态更新可能丢失或被重复写入。",
    ),
    (
        "callback-failed.next",
        "确认写下这些日志时后端是否宕机、正在重启或响应缓慢：查看同一时间段的后端日志，并用 `docker ps` 检查是否有重启。",
    ),
    (
        "callback-failed.next-network",
        "确认执行器容器能通过 CALLBACK_URL 访问 executor-manager，且 executor-manager 能通过 TASK_API_DOMAIN 访问后端（同一 Docker 网络，中间没有代理）。",
    ),
    (
        "callback-failed.next-stuck",
        "执行器用完重试次数后不会再次上报状态：如果其日志显示工作已完成，请在数据库中修正子任务和任务的状态，或在新任务中重新执行。",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    const EXECUTOR_LOG: &str = "executors/wegent-task-admin-e47497646f4e26c/logs.txt";

    #[test]
    fn flags_executor_retries_of_running_subtask() {
        let mut bundle = bundle("RUNNING", "RUNNING");
        bundle.log_lines = vec![
            log_at(
                EXECUTOR_LOG,
                40,
                "2026-01-20 14:05:00",
                "Request failed (attempt 3/10): Read timed out. (read timeout=3)",
            ),
            log_at(
                EXECUTOR_LOG,
                90,
                "2026-01-20 14:22:00",
                "Request failed after 10 retries: Read timed out.",
            ),
            log(
                "logs/executor-manager.txt",
                7,
                "INFO:     172.18.0.9:53312 - \"POST /executor-manager/callback HTTP/1.1\" 502 Bad Gateway",
            ),
        ];

        let findings = run(&CallbackFailed, &bundle);

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Critical);
        assert_eq!(findings[0].evidence.len(), 3);
        assert_eq!(findings[0].evidence[0].locator, "line 40");
        assert_catalogue(&CallbackFailed, &findings);
    }

    #[test]
    fn warns_on_manager_failure_after_completion() {
        let mut bundle = bundle("COMPLETED", "COMPLETED");
        bundle.log_lines = vec![log(
            "logs/executor-manager.txt",
            12,
            "Failed to update status for task 89: {'detail': 'boom'}",
        )];

        let findings = run(&CallbackFailed, &bundle);

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Warning);
        assert_eq!(findings[0].detail.key, "callback-failed.detail-ended");
    }

    #[test]
    fn warns_when_later_callback_succeeds() {
        let mut bundle = bundle("RUNNING", "RUNNING");
        bundle.log_lines = vec![
            log(
                EXECUTOR_LOG,
                40,
                "callback request failed task_id=89 attempt=1 error=\"connection reset\"",
            ),
            log(
                EXECUTOR_LOG,
                41,
                "callback request finished task_id=89 attempt=2 status=200 elapsed_ms=35",
            ),
        ];

        let findings = run(&CallbackFailed, &bundle);

        assert_eq!(findings[0].severity, Severity::Warning);
        assert_eq!(findings[0].detail.key, "callback-failed.detail-recovered");
    }

    #[test]
    fn ignores_failures_of_other_tasks_and_manager_polling() {
        let mut bundle = bundle("RUNNING", "RUNNING");
        bundle.log_lines = vec![
            log(
                "logs/executor-manager.txt",
                3,
                "Failed to update status for task 890: {}",
            ),
            log(
                "logs/executor-manager.txt",
                4,
                "Request failed (attempt 1/1): Read timed out. (read timeout=3)",
            ),
        ];

        assert!(run(&CallbackFailed, &bundle).is_empty());
    }

    #[test]
    fn ignores_failures_of_an_earlier_run() {
        let mut bundle = bundle("RUNNING", "RUNNING");
        bundle.log_lines = vec![log_at(
            EXECUTOR_LOG,
            5,
            "2026-01-20 11:00:00",
            "Request failed after 10 retries: Read timed out.",
        )];

        assert!(run(&CallbackFailed, &bundle).is_empty());
    }
}
