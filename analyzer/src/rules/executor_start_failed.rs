//! The executor container could not be created or never became ready.
//!
//! ### What it checks
//! The newest assistant subtask is not COMPLETED, and one of these shows that its
//! executor did not start:
//! - its `error_message` contains a start error: `Docker run error`, `No available ports`,
//!   `Executor image not provided`, `failed to become ready`, `Failed to dispatch initial
//!   task`, or upstream's `Task failed after <n> retries` (`result.error_type`
//!   `task_queue_failure`);
//! - its container has state `created` (never started) or carries an engine error;
//! - a task log line reports such an error (`Docker run error for task`, `exited
//!   immediately with code`, `failed to become ready`, `Initial task dispatch attempt`).
//!   Log lines count only while no container of the subtask runs, because an earlier
//!   failed attempt does not matter once a later one started.
//!
//! ### Why it matters
//! The task never reached an agent. The fork fails the task with the Docker error, but
//! an executor from a custom base image that exits at once leaves a regular task RUNNING;
//! upstream retries three times and then fails the task.
//!
//! ### Evidence
//! `db/subtasks.json` (`error_message`, `result.error_type`), `services/containers.json`
//! (state, engine error), `logs/executor-manager.txt` (Docker and readiness errors, and
//! `Failed to process task` lines of the current run).
//!
//! ### Fix
//! Fix what the error names: pull or set the executor image, free ports 10001–10100 or
//! remove leaked executors, make a custom base image run the executor binary, then send
//! the message again.

use super::current_run;
use crate::engine::{Context, Evidence, Finding, Msg, Rule, Severity, evidence};
use crate::i18n::Lang;

/// See the module documentation.
pub struct ExecutorStartFailed;

/// Start errors as `error_message` and executor-manager log lines spell them, lowercase.
const START_ERRORS: [&str; 9] = [
    "docker run error",
    "no available ports",
    "executor image not provided",
    "failed to become ready",
    "failed to dispatch initial task",
    "initial task dispatch attempt",
    "exited immediately with code",
    "task failed after",
    "error for task",
];

static EN: &[(&str, &str)] = &[
    (
        "executor-start-failed.title",
        "the executor container could not be started",
    ),
    (
        "executor-start-failed.detail",
        "The executor of subtask {subtask} ({status}) did not start: {reason}",
    ),
    (
        "executor-start-failed.next",
        "Fix what the error names (pull or configure the executor image, free ports 10001-10100 or remove leaked \
         executors, make a custom base image run the executor binary), then send the message again.",
    ),
];

static ZH: &[(&str, &str)] = &[
    ("executor-start-failed.title", "执行器容器无法启动"),
    (
        "executor-start-failed.detail",
        "子任务 {subtask}（{status}）的执行器没有启动：{reason}",
    ),
    (
        "executor-start-failed.next",
        "按错误提示修复（拉取或配置执行器镜像、释放 10001-10100 端口或删除泄漏的执行器、让自定义基础镜像能运行执行器程序），\
         然后重新发送消息。",
    ),
];

/// executor-manager's summary line when starting or dispatching a task fails, lowercase.
const PROCESS_FAILURE: &str = "failed to process task";

/// Maximum number of executor-manager lines cited next to a failure found elsewhere.
const MAX_MANAGER_LINES: usize = 2;

fn is_start_error(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    START_ERRORS.iter().any(|e| lower.contains(e))
}

impl Rule for ExecutorStartFailed {
    fn id(&self) -> &'static str {
        "executor-start-failed"
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
        if !matches!(latest.status.as_str(), "PENDING" | "RUNNING" | "FAILED")
            || facts.no_executor_expected.is_some()
        {
            return;
        }

        let mut reasons: Vec<String> = Vec::new();
        let mut evidence: Vec<Evidence> = Vec::new();

        let message = latest.error_message.as_deref().unwrap_or_default();
        let error_type = current_run::subtask_error_type(latest);
        if is_start_error(message) || error_type == Some("task_queue_failure") {
            reasons.push(evidence::clip_to(message, 200));
            evidence.push(evidence::subtask(facts, latest));
        }

        if let Some(container) = facts.active_container {
            let engine_error = container.error.as_deref().filter(|e| !e.is_empty());
            if container.state == "created" || engine_error.is_some() {
                reasons.push(engine_error.map_or_else(
                    || format!("{} state=created", container.name),
                    |e| evidence::clip_to(e, 200),
                ));
                evidence.push(evidence::container(container));
            }
        }

        let container_runs = facts.active_container.is_some_and(|c| c.state == "running");
        if !container_runs && latest.status != "FAILED" {
            let lines: Vec<_> = facts
                .task_lines
                .iter()
                .copied()
                .filter(|l| is_start_error(&l.text))
                .collect();
            if let Some(newest) = lines.last() {
                reasons.push(evidence::clip_to(&newest.text, 200));
            }
            evidence.extend(evidence::newest_logs(&lines));
        }

        let Some(reason) = reasons.into_iter().next() else {
            return;
        };

        // Cite executor-manager's own report of this run's failure, so errors-in-logs does
        // not list it again as unexplained.
        let manager_lines: Vec<_> = current_run::run_lines(cx)
            .into_iter()
            .filter(|l| l.member.starts_with("logs/executor-manager"))
            .filter(|l| {
                is_start_error(&l.text) || l.text.to_ascii_lowercase().contains(PROCESS_FAILURE)
            })
            .collect();
        for line in manager_lines.into_iter().rev().take(MAX_MANAGER_LINES) {
            let cited = evidence::log(line);
            if !evidence
                .iter()
                .any(|e| e.source == cited.source && e.locator == cited.locator)
            {
                evidence.push(cited);
            }
        }

        if !evidence
            .iter()
            .any(|e| e.source == crate::bundle::model::members::DB_SUBTASKS)
        {
            evidence.push(evidence::subtask(facts, latest));
        }

        out.push(Finding {
            rule: self.id(),
            severity: self.default_severity(),
            title: Msg::new("executor-start-failed.title"),
            detail: Msg::new("executor-start-failed.detail")
                .arg("subtask", latest.id)
                .arg("status", &latest.status)
                .arg("reason", reason),
            evidence,
            next_steps: vec![Msg::new("executor-start-failed.next")],
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::test_support::*;

    #[test]
    fn flags_docker_run_error_message() {
        let mut bundle = running_fork_bundle();
        bundle.containers.as_mut().unwrap().containers.clear();
        let latest = assistant_mut(&mut bundle);
        latest.status = "FAILED".into();
        latest.error_message =
            Some("Docker run error: pull access denied for wegent-executor".into());

        let findings = run_rule(&ExecutorStartFailed, &bundle);

        assert_eq!(findings.len(), 1);
        assert!(
            findings[0]
                .detail
                .args
                .iter()
                .any(|(n, v)| *n == "reason" && v.starts_with("Docker run error"))
        );
    }

    #[test]
    fn flags_readiness_failure_in_log() {
        let mut bundle = running_fork_bundle();
        bundle.containers.as_mut().unwrap().containers.clear();
        bundle.log_lines.push(log_line(
            "logs/executor-manager.txt",
            12,
            "2026-01-20 06:03:00",
            &format!("Container {EXECUTOR} failed to become ready: timeout after 180 attempts"),
        ));

        let findings = run_rule(&ExecutorStartFailed, &bundle);

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].evidence[0].locator, "line 12");
    }

    #[test]
    fn ignores_old_log_error_once_container_runs() {
        let mut bundle = running_fork_bundle();
        bundle.log_lines.push(log_line(
            "logs/executor-manager.txt",
            12,
            "2026-01-20 06:01:00",
            "Docker run error for task 89: port taken",
        ));

        assert!(run_rule(&ExecutorStartFailed, &bundle).is_empty());
    }

    #[test]
    fn ignores_healthy_start() {
        let bundle = running_fork_bundle();

        assert!(run_rule(&ExecutorStartFailed, &bundle).is_empty());
    }

    #[test]
    fn cites_manager_failure_line_of_failed_start() {
        let mut bundle = running_fork_bundle();
        bundle.containers.as_mut().unwrap().containers.clear();
        let latest = assistant_mut(&mut bundle);
        latest.status = "FAILED".into();
        latest.error_message = Some("Docker run error: port is already allocated".into());
        bundle.log_lines.push(log_line(
            "logs/executor-manager.txt",
            7,
            "2026-01-20 06:59:50",
            "ERROR - Failed to process task: ID=89, error=port is already allocated",
        ));

        let findings = run_rule(&ExecutorStartFailed, &bundle);

        assert!(
            findings[0]
                .evidence
                .iter()
                .any(|e| e.source == "logs/executor-manager.txt" && e.locator == "line 7")
        );
    }
}
