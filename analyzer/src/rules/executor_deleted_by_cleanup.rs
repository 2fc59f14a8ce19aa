//! The cleanup job removed the executor of a task that had not finished.
//!
//! ### What it checks
//! The newest assistant subtask is RUNNING (or the task is CANCELLING) and has
//! `executor_deleted_at` set, the flag Wegent sets when cleanup, auto-delete or a task
//! delete removes the executor. A PENDING follow-up that inherited the flag is not
//! reported: on dispatch upstream restores the workspace from its archive and the fork
//! starts a new container.
//!
//! ### Why it matters
//! Upstream's cleanup job deletes the executor of any non-final task whose `updated_at`
//! is older than 24 hours, without failing the task, and bumps `updated_at` while doing
//! so. The task then shows RUNNING with a fresh update time and no container; no final
//! callback can arrive.
//!
//! ### Evidence
//! `db/subtasks.json` (`executor_deleted_at`, `updated_at`), `services/containers.json`
//! (the container is gone or stopped), backend log lines of `[executor_job]`.
//!
//! ### Fix
//! Mark the task FAILED and send the message again (upstream recovers the workspace from
//! its archive). To protect long tasks, set the label `preserveExecutor` to `"true"`.

use crate::engine::{Context, Finding, Msg, Rule, Severity, evidence};
use crate::i18n::Lang;

/// See the module documentation.
pub struct ExecutorDeletedByCleanup;

static EN: &[(&str, &str)] = &[
    (
        "executor-deleted-by-cleanup.title",
        "the executor was removed while the task was still running",
    ),
    (
        "executor-deleted-by-cleanup.detail",
        "Subtask {subtask} is {status} but has executor_deleted_at set: Wegent removed executor {name} although the task had not \
         finished (the cleanup job removes executors of tasks idle for 24 hours without failing them). No final callback can arrive.",
    ),
    (
        "executor-deleted-by-cleanup.next",
        "Mark the task FAILED and send the message again; upstream then restores the workspace from its archive. \
         To keep the executor of long tasks, set the task label preserveExecutor to \"true\".",
    ),
];

static ZH: &[(&str, &str)] = &[
    (
        "executor-deleted-by-cleanup.title",
        "任务仍在运行时执行器已被删除",
    ),
    (
        "executor-deleted-by-cleanup.detail",
        "子任务 {subtask} 为 {status}，但已设置 executor_deleted_at：任务尚未结束，Wegent 却删除了执行器 {name}\
         （清理任务会删除空闲 24 小时的任务的执行器，且不会把任务标记为失败）。最终回调已无法到达。",
    ),
    (
        "executor-deleted-by-cleanup.next",
        "将任务标记为 FAILED 并重新发送消息；上游版本会从归档恢复工作区。\
         如需保留长任务的执行器，请把任务标签 preserveExecutor 设为 \"true\"。",
    ),
];

impl Rule for ExecutorDeletedByCleanup {
    fn id(&self) -> &'static str {
        "executor-deleted-by-cleanup"
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
        let Some(latest) = facts.latest_assistant else {
            return;
        };
        let unfinished = latest.status == "RUNNING"
            || (facts.task_is("CANCELLING") && latest.status != "PENDING");
        if !unfinished || latest.executor_deleted_at != 1 || facts.task_is_terminal() {
            return;
        }

        let name = latest
            .executor_name
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "?".into());
        let mut evidence = vec![evidence::subtask(facts, latest)];
        evidence.extend(evidence::container_or_absent(
            facts.active_container,
            &name,
            facts.docker_listed && name != "?",
        ));
        let cleanup =
            facts.task_lines_containing(&["executor_job", "deleting executor", "delete executor"]);
        evidence.extend(evidence::newest_logs(&cleanup));

        out.push(Finding {
            rule: self.id(),
            severity: self.default_severity(),
            title: Msg::new("executor-deleted-by-cleanup.title"),
            detail: Msg::new("executor-deleted-by-cleanup.detail")
                .arg("subtask", latest.id)
                .arg("status", &latest.status)
                .arg("name", name),
            evidence,
            next_steps: vec![Msg::new("executor-deleted-by-cleanup.next")],
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::test_support::*;

    #[test]
    fn flags_running_subtask_with_deleted_executor() {
        let mut bundle = running_fork_bundle();
        bundle.containers.as_mut().unwrap().containers.clear();
        assistant_mut(&mut bundle).executor_deleted_at = 1;
        bundle.log_lines.push(log_line(
            "logs/backend.txt",
            90,
            "2026-01-20 06:40:00",
            &format!(
                "[executor_job] Scheduled deleting executor task task_id=89 ns= name={EXECUTOR}"
            ),
        ));

        let findings = run_rule(&ExecutorDeletedByCleanup, &bundle);

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].evidence.len(), 3);
    }

    #[test]
    fn ignores_pending_follow_up_with_inherited_flag() {
        let mut bundle = running_fork_bundle();
        set_task_status(&mut bundle, "PENDING");
        let latest = assistant_mut(&mut bundle);
        latest.status = "PENDING".into();
        latest.executor_deleted_at = 1;

        assert!(run_rule(&ExecutorDeletedByCleanup, &bundle).is_empty());
    }

    #[test]
    fn ignores_completed_task() {
        let mut bundle = running_fork_bundle();
        set_task_status(&mut bundle, "COMPLETED");
        let latest = assistant_mut(&mut bundle);
        latest.status = "COMPLETED".into();
        latest.executor_deleted_at = 1;

        assert!(run_rule(&ExecutorDeletedByCleanup, &bundle).is_empty());
    }
}
