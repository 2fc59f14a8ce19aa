//! A container of a finished task still runs and holds an executor slot.
//!
//! ### What it checks
//! An executor container of this task has state `running`, and one of these is true:
//! - the task was deleted (`$.status.status` DELETE or `is_active` 0);
//! - every subtask that names the container has `executor_deleted_at` set, so Wegent
//!   believes it removed the container;
//! - the task is final and has `labels.autoDeleteExecutor` `"true"`, so the container
//!   should have gone with the final status;
//! - the task is final, has no `preserveExecutor` label, and has been idle for more than
//!   a day, longer than the cleanup job waits for any task type;
//! - the newest assistant subtask names another container, so this one was replaced
//!   (the fork recreates an unreachable executor under a new name).
//!
//! Containers stay up after a turn on purpose, to serve follow-up turns, so a running
//! container of a recently finished task is not reported.
//!
//! ### Why it matters
//! Every running executor counts against executor-manager's limit and holds a port and
//! memory, so leaked containers make new tasks wait (`executor-capacity-exhausted`).
//!
//! ### Evidence
//! `services/containers.json` (state, labels `subtask_next_id`, `task_id`),
//! `db/task.json` (status, `is_active`, `autoDeleteExecutor`), `db/subtasks.json`
//! (`executor_name`, `executor_deleted_at`).
//!
//! ### Fix
//! Remove the container with `docker rm -f <name>` once its workspace is no longer needed,
//! and check the cleanup job's log lines for why it skipped the container.

use chrono::Duration;

use crate::bundle::model::ContainerInfo;
use crate::engine::clock::format_duration;
use crate::engine::facts::Facts;
use crate::engine::{Context, Evidence, Finding, Msg, Rule, Severity, evidence};
use crate::i18n::Lang;

/// See the module documentation.
pub struct OrphanExecutor;

/// Idle time after which every cleanup configuration would have removed an executor.
const CLEANUP_HORIZON_HOURS: i64 = 24;

static EN: &[(&str, &str)] = &[
    (
        "orphan-executor.title",
        "an executor of a finished task still runs and holds a slot",
    ),
    (
        "orphan-executor.detail",
        "Container {name} still runs although task {task} is {status} and has been idle for {idle}, longer than any cleanup \
         setting keeps an executor.",
    ),
    (
        "orphan-executor.detail-deleted",
        "Container {name} still runs although task {task} was deleted.",
    ),
    (
        "orphan-executor.detail-flagged",
        "Container {name} still runs although every subtask that uses it has executor_deleted_at set; the deletion did not happen.",
    ),
    (
        "orphan-executor.detail-auto-delete",
        "Container {name} still runs although task {task} is {status} and asks for autoDeleteExecutor; the automatic deletion did not happen.",
    ),
    (
        "orphan-executor.detail-replaced",
        "Container {name} of task {task} still runs, but the newest subtask uses {active}; the old container was left behind when it was replaced.",
    ),
    (
        "orphan-executor.next",
        "Remove the container with `docker rm -f {name}` once its workspace is no longer needed, and search the backend log \
         for `executor_job` lines to see why the cleanup skipped it.",
    ),
];

static ZH: &[(&str, &str)] = &[
    (
        "orphan-executor.title",
        "已结束任务的执行器仍在运行并占用名额",
    ),
    (
        "orphan-executor.detail",
        "任务 {task} 已是 {status} 且空闲 {idle}，超过任何清理配置保留执行器的时长，但容器 {name} 仍在运行。",
    ),
    (
        "orphan-executor.detail-deleted",
        "任务 {task} 已被删除，但容器 {name} 仍在运行。",
    ),
    (
        "orphan-executor.detail-flagged",
        "使用容器 {name} 的所有子任务都已设置 executor_deleted_at，但容器仍在运行；删除没有真正执行。",
    ),
    (
        "orphan-executor.detail-auto-delete",
        "任务 {task} 已是 {status} 且要求 autoDeleteExecutor，但容器 {name} 仍在运行；自动删除没有执行。",
    ),
    (
        "orphan-executor.detail-replaced",
        "任务 {task} 的容器 {name} 仍在运行，但最新子任务使用的是 {active}；旧容器在被替换时遗留了下来。",
    ),
    (
        "orphan-executor.next",
        "确认不再需要其工作区后，用 `docker rm -f {name}` 删除容器，并在后端日志中搜索 `executor_job` 查明清理为何跳过它。",
    ),
];

/// Returns the detail key that explains why a running container counts as leaked.
fn leak_reason(facts: &Facts<'_>, container: &ContainerInfo) -> Option<&'static str> {
    let task = facts.task?;
    if facts.task_is("DELETE") || task.is_active == 0 {
        return Some("orphan-executor.detail-deleted");
    }

    let users: Vec<_> = facts
        .subtasks
        .iter()
        .filter(|s| s.executor_name.as_deref() == Some(container.name.as_str()))
        .collect();
    if !users.is_empty() && users.iter().all(|s| s.executor_deleted_at == 1) {
        return Some("orphan-executor.detail-flagged");
    }

    let active_name = facts
        .latest_assistant
        .and_then(|s| s.executor_name.as_deref())
        .filter(|n| !n.is_empty());
    if active_name.is_some_and(|n| n != container.name) {
        return Some("orphan-executor.detail-replaced");
    }

    if !facts.task_is_terminal() {
        return None;
    }
    if facts.label("autoDeleteExecutor") == Some("true") {
        return Some("orphan-executor.detail-auto-delete");
    }
    let idle = facts.last_activity.map(|t| facts.age(t))?;
    let preserved = facts.label("preserveExecutor") == Some("true");
    (!preserved && idle > Duration::hours(CLEANUP_HORIZON_HOURS))
        .then_some("orphan-executor.detail")
}

impl Rule for OrphanExecutor {
    fn id(&self) -> &'static str {
        "orphan-executor"
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
        let active = facts
            .latest_assistant
            .and_then(|s| s.executor_name.clone())
            .unwrap_or_default();
        let idle = facts
            .last_activity
            .map(|t| format_duration(facts.age(t)))
            .unwrap_or_else(|| "?".into());

        for container in facts
            .executor_containers
            .iter()
            .filter(|c| c.state == "running")
        {
            let Some(key) = leak_reason(facts, container) else {
                continue;
            };

            let mut evidence = vec![evidence::container(container)];
            for label in ["subtask_next_id", "task_id"] {
                if let Some(value) = container.labels.get(label) {
                    evidence.push(Evidence::new(
                        crate::bundle::model::members::CONTAINERS,
                        format!("name={} label {label}", container.name),
                        value.clone(),
                    ));
                }
            }
            evidence.extend(facts.task.map(|task| evidence::task_status(facts, task)));
            if let Some(value) = facts.label("autoDeleteExecutor") {
                evidence.push(evidence::task_label("autoDeleteExecutor", value));
            }

            out.push(Finding {
                rule: self.id(),
                severity: self.default_severity(),
                title: Msg::new("orphan-executor.title"),
                detail: Msg::new(key)
                    .arg("name", &container.name)
                    .arg("task", facts.task_id)
                    .arg("status", facts.task_status.clone().unwrap_or_default())
                    .arg("idle", &idle)
                    .arg("active", &active),
                evidence,
                next_steps: vec![Msg::new("orphan-executor.next").arg("name", &container.name)],
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use serde_json::json;

    use super::*;
    use crate::engine::rule::Options;
    use crate::engine::test_support::*;

    fn completed_bundle() -> crate::bundle::loaded::Bundle {
        let mut bundle = running_fork_bundle();
        set_task_status(&mut bundle, "COMPLETED");
        assistant_mut(&mut bundle).status = "COMPLETED".into();
        bundle
    }

    #[test]
    fn flags_container_of_deleted_task() {
        let mut bundle = completed_bundle();
        set_task_status(&mut bundle, "DELETE");
        task_mut(&mut bundle).is_active = 0;

        let findings = run_rule(&OrphanExecutor, &bundle);

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].detail.key, "orphan-executor.detail-deleted");
        assert!(findings[0].evidence.iter().any(|e| e.excerpt == "None"));
    }

    #[test]
    fn flags_container_idle_for_days() {
        let bundle = completed_bundle();
        let options = Options {
            now: Some(Utc.with_ymd_and_hms(2026, 1, 23, 7, 0, 0).unwrap()),
            ..Options::default()
        };

        let findings = run_rule_with(&OrphanExecutor, &bundle, &options);

        assert_eq!(findings[0].detail.key, "orphan-executor.detail");
    }

    #[test]
    fn flags_container_despite_auto_delete() {
        let mut bundle = completed_bundle();
        task_mut(&mut bundle).json["metadata"]["labels"]["autoDeleteExecutor"] = json!("true");

        let findings = run_rule(&OrphanExecutor, &bundle);

        assert_eq!(findings[0].detail.key, "orphan-executor.detail-auto-delete");
    }

    #[test]
    fn ignores_recently_finished_task() {
        let bundle = completed_bundle();

        assert!(run_rule(&OrphanExecutor, &bundle).is_empty());
    }

    #[test]
    fn ignores_running_task() {
        let bundle = running_fork_bundle();

        assert!(run_rule(&OrphanExecutor, &bundle).is_empty());
    }
}
