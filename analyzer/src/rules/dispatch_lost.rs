//! The subtask is RUNNING, but no executor was ever assigned to it.
//!
//! ### What it checks
//! The newest assistant subtask is RUNNING, no executor name is known (not in the row,
//! not in upstream's Redis `running_task:meta`), Docker lists no container labelled with
//! the task id, every upstream task queue is empty, and the subtask has been in this
//! state for longer than five minutes (or `--stale-after`, when that is shorter), which
//! is more than executor-manager needs to create a container and wait for it.
//! Tasks without an executor container (`no-executor-expected`) are skipped.
//!
//! ### Why it matters
//! The backend marked the subtask RUNNING when it handed the task over, but the hand-over
//! was lost: in the fork, executor-manager's dispatch request timed out after 3 seconds
//! while the backend had already committed RUNNING; upstream, executor-manager stopped
//! between taking the task from the queue and registering it. Nobody retries, so the task
//! stays RUNNING without ever running.
//!
//! ### Evidence
//! `db/subtasks.json` (status, empty executor name, times), `services/containers.json`
//! (no container with label `task_id`), `services/redis.json` (meta, queue lengths),
//! `logs/executor-manager.txt` and `logs/backend.txt` (dispatch lines, read timeouts).
//!
//! ### Fix
//! Mark the subtask and task FAILED (or PENDING in the fork, so that executor-manager
//! picks the task up again), then check why the dispatch was lost: a slow backend
//! (fork's 3 s timeout) or an executor-manager restart.

use chrono::Duration;

use crate::bundle::model::Flavour;
use crate::engine::clock::format_duration;
use crate::engine::{Context, Finding, Msg, Rule, Severity, evidence};
use crate::i18n::Lang;
use crate::rules::current_run;

/// See the module documentation.
pub struct DispatchLost;

/// Maximum time a healthy dispatch takes to produce a container.
const DISPATCH_GRACE_MINUTES: i64 = 5;

static EN: &[(&str, &str)] = &[
    (
        "dispatch-lost.title",
        "the subtask is marked running but was never handed to an executor",
    ),
    (
        "dispatch-lost.detail",
        "Subtask {subtask} has been RUNNING for {age} without an executor name, and no container carries task id {task}. \
         The hand-over to executor-manager was lost, and nothing retries it.",
    ),
    (
        "dispatch-lost.detail-fork",
        "Subtask {subtask} has been RUNNING for {age} without an executor name, and no container carries task id {task}. \
         The backend committed RUNNING when executor-manager fetched the task, but the fetch most likely timed out \
         (executor-manager waits 3 s), so no container was started and nothing retries.",
    ),
    (
        "dispatch-lost.detail-upstream",
        "Subtask {subtask} has been RUNNING for {age} without an executor name, no container carries task id {task}, and \
         the task queues are empty. Executor-manager lost the task between taking it from the queue and registering it.",
    ),
    (
        "dispatch-lost.next",
        "Search logs/executor-manager.txt and the backend log around the subtask's start for dispatch errors and read \
         timeouts (in the fork, setting subtask and task back to PENDING also makes executor-manager fetch it again).",
    ),
];

static ZH: &[(&str, &str)] = &[
    (
        "dispatch-lost.title",
        "子任务标记为运行中，但从未交给执行器",
    ),
    (
        "dispatch-lost.detail",
        "子任务 {subtask} 已处于 RUNNING {age}，没有执行器名称，也没有任何容器带有任务 ID {task}。\
         交给 executor-manager 的过程丢失了，且没有任何组件会重试。",
    ),
    (
        "dispatch-lost.detail-fork",
        "子任务 {subtask} 已处于 RUNNING {age}，没有执行器名称，也没有任何容器带有任务 ID {task}。\
         executor-manager 拉取任务时后端已提交 RUNNING，但这次拉取很可能超时（executor-manager 只等待 3 秒），\
         因此没有启动容器，也没有任何组件会重试。",
    ),
    (
        "dispatch-lost.detail-upstream",
        "子任务 {subtask} 已处于 RUNNING {age}，没有执行器名称，没有任何容器带有任务 ID {task}，任务队列也为空。\
         executor-manager 在从队列取出任务到登记任务之间丢失了它。",
    ),
    (
        "dispatch-lost.next",
        "在 logs/executor-manager.txt 和后端日志中查看子任务开始前后的派发错误与读取超时\
         （在分支版本中，把子任务和任务改回 PENDING 也会让 executor-manager 重新拉取）。",
    ),
];

impl Rule for DispatchLost {
    fn id(&self) -> &'static str {
        "dispatch-lost"
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
        let skip = latest.status != "RUNNING"
            || facts.no_executor_expected.is_some()
            || facts.executor_name.is_some()
            || !facts.executor_containers.is_empty()
            || !facts.docker_listed;
        if skip {
            return;
        }

        let queued: i64 = cx
            .bundle
            .redis
            .as_ref()
            .map(|r| r.queue_lengths.values().sum())
            .unwrap_or(0);
        if queued > 0 {
            return;
        }

        let Some(since) = facts
            .subtask_updated(latest)
            .or_else(|| facts.subtask_created(latest))
        else {
            return;
        };
        let age = facts.age(since);
        let grace = cx
            .options
            .stale_after
            .min(Duration::minutes(DISPATCH_GRACE_MINUTES));
        if age <= grace {
            return;
        }

        let key = match facts.flavour {
            Flavour::Fork => "dispatch-lost.detail-fork",
            Flavour::Upstream => "dispatch-lost.detail-upstream",
            Flavour::Unknown => "dispatch-lost.detail",
        };
        let mut evidence = vec![
            evidence::subtask(facts, latest),
            evidence::label_absent("task_id", facts.task_id),
        ];
        let lines = facts.task_lines_containing(&["dispatch", "timed out", "enqueued", "dequeued"]);
        evidence.extend(evidence::newest_logs(&lines));

        out.push(Finding {
            rule: self.id(),
            severity: self.default_severity(),
            title: Msg::new("dispatch-lost.title"),
            detail: Msg::new(key)
                .arg("subtask", latest.id)
                .arg("task", facts.task_id)
                .arg("age", format_duration(age)),
            evidence,
            next_steps: vec![
                Msg::new("dispatch-lost.next"),
                current_run::mark_failed_step(facts, latest, "dispatch lost"),
            ],
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::model::RedisState;
    use crate::engine::test_support::*;

    fn lost_bundle() -> crate::bundle::loaded::Bundle {
        let mut bundle = running_fork_bundle();
        bundle.containers.as_mut().unwrap().containers.clear();
        let latest = assistant_mut(&mut bundle);
        latest.executor_name = Some(String::new());
        latest.updated_at = Some("2026-01-20 14:10:00".into());
        bundle
    }

    #[test]
    fn flags_running_subtask_without_executor() {
        let bundle = lost_bundle();

        let findings = run_rule(&DispatchLost, &bundle);

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].detail.key, "dispatch-lost.detail-fork");
        assert!(
            findings[0]
                .detail
                .args
                .contains(&("age", "50m".to_string()))
        );
    }

    #[test]
    fn ignores_fresh_dispatch() {
        let mut bundle = lost_bundle();
        assistant_mut(&mut bundle).updated_at = Some("2026-01-20 14:58:00".into());

        assert!(run_rule(&DispatchLost, &bundle).is_empty());
    }

    #[test]
    fn ignores_task_waiting_in_queue() {
        let mut bundle = lost_bundle();
        let mut redis = RedisState {
            reachable: true,
            ..Default::default()
        };
        redis
            .queue_lengths
            .insert("wegent:task_queue:online:default".into(), 2);
        bundle.redis = Some(redis);

        assert!(run_rule(&DispatchLost, &bundle).is_empty());
    }

    #[test]
    fn ignores_container_found_by_label() {
        let mut bundle = running_fork_bundle();
        assistant_mut(&mut bundle).executor_name = None;

        assert!(run_rule(&DispatchLost, &bundle).is_empty());
    }
}
