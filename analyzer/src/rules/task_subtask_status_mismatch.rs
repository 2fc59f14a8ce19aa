//! The task's status contradicts its latest assistant subtask.
//!
//! ### What it checks
//!
//! `$.status.status` of the task row against the status of the latest assistant subtask
//! (by `message_id`, then `id`). These pairs agree:
//!
//! | task | subtask |
//! | --- | --- |
//! | PENDING, RUNNING, CANCELLING | PENDING, RUNNING |
//! | COMPLETED | COMPLETED |
//! | PENDING_CONFIRMATION | COMPLETED, PENDING_CONFIRMATION |
//! | FAILED | FAILED |
//! | CANCELLED | CANCELLED |
//!
//! Any other pair is reported. Tasks or subtasks in DELETE, and statuses Wegent does not
//! define, are skipped. The fork backend derives a FAILED or CANCELLED task from the last
//! subtask that is not PENDING. So a FAILED or CANCELLED task whose latest subtask is
//! PENDING (a pipeline stage that never started) is compared with the newest non-PENDING
//! assistant subtask instead.
//!
//! The finding is critical when the task claims to be unfinished (PENDING, RUNNING,
//! CANCELLING) while the subtask has ended: the terminal status never reached the task,
//! and the UI shows the task as running forever. Other mismatches are warnings.
//!
//! ### Why it matters
//!
//! The subtask is the record of the execution; the task status is derived from it by the
//! backend, and that derivation can fail silently (upstream swallows exceptions in it) or
//! be left over from an earlier run. This report trusts the subtask.
//!
//! ### Evidence
//!
//! `db/task.json` (`/status/status`), `db/subtasks.json`, and log lines of the task that
//! report a failed status update.
//!
//! ### Fix
//!
//! Look in the backend log for the error that stopped the task update; to make the UI
//! agree, set the task's `$.status.status` to match the subtask (after a backup).

use super::current_run;
use crate::bundle::model::{SubtaskRow, members};
use crate::engine::{Context, Evidence, Finding, Msg, Rule, Severity};
use crate::i18n::Lang;

/// Maximum number of cited log lines that show a failed status update.
const MAX_LOG_LINES: usize = 2;

/// True for a log line that reports a failed or erroring update of a task's status.
fn is_status_update_failure(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let failed = lower.contains("failed") || lower.contains("error");
    failed && lower.contains("update") && lower.contains("status") && lower.contains("task")
}

const KNOWN_STATUSES: &[&str] = &[
    "PENDING",
    "RUNNING",
    "COMPLETED",
    "FAILED",
    "CANCELLING",
    "CANCELLED",
    "PENDING_CONFIRMATION",
];

/// True when a task status and the status of the subtask it derives from agree.
fn statuses_agree(task: &str, subtask: &str) -> bool {
    match task {
        "PENDING" | "RUNNING" | "CANCELLING" => current_run::is_active(subtask),
        "COMPLETED" => subtask == "COMPLETED",
        "PENDING_CONFIRMATION" => matches!(subtask, "COMPLETED" | "PENDING_CONFIRMATION"),
        "FAILED" => subtask == "FAILED",
        "CANCELLED" => subtask == "CANCELLED",
        _ => true,
    }
}

/// The subtask the task status should follow.
fn deciding_subtask<'a>(
    task_status: &str,
    subtasks: &'a [SubtaskRow],
    latest: &'a SubtaskRow,
) -> &'a SubtaskRow {
    if latest.status != "PENDING" || !matches!(task_status, "FAILED" | "CANCELLED") {
        return latest;
    }

    subtasks
        .iter()
        .filter(|s| s.role == "ASSISTANT" && s.status != "PENDING")
        .max_by_key(|s| (s.message_id, s.id))
        .unwrap_or(latest)
}

pub struct TaskSubtaskStatusMismatch;

impl Rule for TaskSubtaskStatusMismatch {
    fn id(&self) -> &'static str {
        "task-subtask-status-mismatch"
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
        let (Some(task_status), Some(latest)) =
            (facts.task_status.as_deref(), facts.latest_assistant)
        else {
            return;
        };
        let subtask = deciding_subtask(task_status, facts.subtasks, latest);
        let subtask_status = subtask.status.as_str();

        let known =
            KNOWN_STATUSES.contains(&task_status) && KNOWN_STATUSES.contains(&subtask_status);
        if !known || statuses_agree(task_status, subtask_status) {
            return;
        }

        let task_unfinished = matches!(task_status, "PENDING" | "RUNNING" | "CANCELLING");
        let (severity, detail_key) = if task_unfinished {
            (Severity::Critical, "task-subtask-status-mismatch.detail")
        } else if current_run::is_active(subtask_status) {
            (
                Severity::Warning,
                "task-subtask-status-mismatch.detail-task-ended",
            )
        } else {
            (
                Severity::Warning,
                "task-subtask-status-mismatch.detail-both-ended",
            )
        };

        let mut evidence = vec![
            Evidence::new(members::DB_TASK, "/status/status", task_status),
            Evidence::new(
                members::DB_SUBTASKS,
                format!("id={}", subtask.id),
                format!(
                    "role=ASSISTANT status={} message_id={} updated_at={}",
                    subtask.status,
                    subtask.message_id,
                    subtask.updated_at.as_deref().unwrap_or("-"),
                ),
            ),
        ];

        // Cite failures to store the task's status: they are the usual reason the two
        // disagree.
        let update_failures: Vec<_> = current_run::task_lines(cx)
            .into_iter()
            .filter(|l| is_status_update_failure(&l.text))
            .collect();
        evidence.extend(
            update_failures
                .into_iter()
                .rev()
                .take(MAX_LOG_LINES)
                .map(current_run::line_evidence),
        );

        out.push(Finding {
            rule: self.id(),
            severity,
            title: Msg::new("task-subtask-status-mismatch.title"),
            detail: Msg::new(detail_key)
                .arg("task_status", task_status)
                .arg("subtask", subtask.id)
                .arg("subtask_status", subtask_status),
            evidence,
            next_steps: vec![
                Msg::new("task-subtask-status-mismatch.next").arg("subtask", subtask.id),
                Msg::new("task-subtask-status-mismatch.next-repair"),
            ],
        });
    }
}

static EN: &[(&str, &str)] = &[
    (
        "task-subtask-status-mismatch.title",
        "the task status contradicts its latest assistant subtask",
    ),
    (
        "task-subtask-status-mismatch.detail",
        "The task says {task_status}, but its latest assistant subtask {subtask} is {subtask_status}: the run has ended, but its status never reached the task, so the UI keeps showing the task as unfinished.",
    ),
    (
        "task-subtask-status-mismatch.detail-task-ended",
        "The task says {task_status}, but its latest assistant subtask {subtask} is still {subtask_status}. The task status most likely comes from an earlier run; this report follows the subtask.",
    ),
    (
        "task-subtask-status-mismatch.detail-both-ended",
        "The task says {task_status}, but its latest assistant subtask {subtask} ended {subtask_status}. The task status most likely comes from an earlier run or a failed update; this report follows the subtask.",
    ),
    (
        "task-subtask-status-mismatch.next",
        "Judge the run by subtask {subtask}; the other findings of this report are based on it.",
    ),
    (
        "task-subtask-status-mismatch.next-repair",
        "Look in the backend log for an error while updating the task; to make the UI agree, set the task's $.status.status to the subtask's status (back up the row first).",
    ),
];

static ZH: &[(&str, &str)] = &[
    (
        "task-subtask-status-mismatch.title",
        "任务状态与其最新的 assistant 子任务矛盾",
    ),
    (
        "task-subtask-status-mismatch.detail",
        "任务状态为 {task_status}，但最新的 assistant 子任务 {subtask} 为 {subtask_status}：执行已经结束，但其状态没有同步到任务，界面会一直显示任务未完成。",
    ),
    (
        "task-subtask-status-mismatch.detail-task-ended",
        "任务状态为 {task_status}，但最新的 assistant 子任务 {subtask} 仍为 {subtask_status}。任务状态很可能来自更早的一次执行；本报告以子任务为准。",
    ),
    (
        "task-subtask-status-mismatch.detail-both-ended",
        "任务状态为 {task_status}，但最新的 assistant 子任务 {subtask} 以 {subtask_status} 结束。任务状态很可能来自更早的一次执行或一次失败的更新；本报告以子任务为准。",
    ),
    (
        "task-subtask-status-mismatch.next",
        "请以子任务 {subtask} 判断本次执行；本报告的其他发现都基于它。",
    ),
    (
        "task-subtask-status-mismatch.next-repair",
        "在后端日志中查找更新任务时的错误；如需让界面一致，请先备份该行，再把任务的 $.status.status 改为子任务的状态。",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    #[test]
    fn flags_running_task_with_completed_subtask() {
        let findings = run(&TaskSubtaskStatusMismatch, &bundle("RUNNING", "COMPLETED"));

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Critical);
        assert_catalogue(&TaskSubtaskStatusMismatch, &findings);
    }

    #[test]
    fn flags_failed_task_with_completed_subtask_as_warning() {
        let findings = run(&TaskSubtaskStatusMismatch, &bundle("FAILED", "COMPLETED"));

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Warning);
        assert_eq!(
            findings[0].detail.key,
            "task-subtask-status-mismatch.detail-both-ended"
        );
    }

    #[test]
    fn flags_failed_task_with_running_subtask() {
        let findings = run(&TaskSubtaskStatusMismatch, &bundle("FAILED", "RUNNING"));

        assert_eq!(
            findings[0].detail.key,
            "task-subtask-status-mismatch.detail-task-ended"
        );
    }

    #[test]
    fn accepts_matching_and_transitional_pairs() {
        for (task, subtask) in [
            ("RUNNING", "RUNNING"),
            ("RUNNING", "PENDING"),
            ("CANCELLING", "RUNNING"),
            ("PENDING_CONFIRMATION", "COMPLETED"),
            ("DELETE", "RUNNING"),
        ] {
            assert!(
                run(&TaskSubtaskStatusMismatch, &bundle(task, subtask)).is_empty(),
                "{task}/{subtask}"
            );
        }
    }

    #[test]
    fn accepts_failed_pipeline_with_pending_later_stage() {
        let mut bundle = bundle("FAILED", "FAILED");
        bundle
            .subtasks
            .as_mut()
            .unwrap()
            .subtasks
            .push(subtask(313, "ASSISTANT", "PENDING", 2));

        assert!(run(&TaskSubtaskStatusMismatch, &bundle).is_empty());
    }

    #[test]
    fn cites_failed_status_update_line() {
        let mut bundle = bundle("RUNNING", "COMPLETED");
        bundle.log_lines = vec![
            log(
                "logs/backend.txt",
                18,
                "ERROR : Failed to update task 89 status from subtasks: Lock wait timeout exceeded",
            ),
            log("logs/backend.txt", 19, "INFO : task 89 status read"),
        ];

        let findings = run(&TaskSubtaskStatusMismatch, &bundle);

        let last = findings[0].evidence.last().unwrap();
        assert_eq!(last.source, "logs/backend.txt");
        assert_eq!(last.locator, "line 18");
        assert_eq!(findings[0].evidence.len(), 3);
    }
}
