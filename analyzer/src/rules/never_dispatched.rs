//! The task waits PENDING for longer than the threshold.
//!
//! ### What it checks
//! The newest assistant subtask is PENDING and was created longer ago than `--stale-after`
//! (30 minutes by default) at the reference time. Tasks without an executor container
//! (`no-executor-expected`) are skipped, because executor-manager never dispatches them.
//! An offline task (`labels.type` `offline`) outside its dispatch window (21:00 to 08:59
//! in executor-manager's zone) is reported as a warning, because it is expected to wait.
//!
//! ### Why it matters
//! Nothing has picked the task up: executor-manager is down or cannot reach the backend
//! (fork, pull dispatch), its queue consumer is blocked, or all executor slots are taken
//! (see `executor-capacity-exhausted`). The task waits until that cause goes away.
//!
//! ### Known problems
//! A follow-up turn carries the executor name of the previous turn while it waits, so the
//! rule does not require an empty executor name.
//!
//! ### Evidence
//! `db/subtasks.json` (status, creation time), `db/task.json` (`labels.type`),
//! `services/executor-manager.json` (`/health`), `services/redis.json` (queue lengths),
//! `logs/executor-manager.txt` (slot and capacity lines).
//!
//! ### Fix
//! Check that executor-manager runs and reaches the backend, that it has free slots, and
//! for offline tasks that the window has opened; then watch the task leave PENDING.

use chrono::{Duration, Timelike};

use crate::bundle::model::members;
use crate::engine::clock::format_duration;
use crate::engine::{Context, Evidence, Finding, Msg, Rule, Severity, evidence};
use crate::i18n::Lang;

/// See the module documentation.
pub struct NeverDispatched;

static EN: &[(&str, &str)] = &[
    (
        "never-dispatched.title",
        "the task has waited to be dispatched for too long",
    ),
    (
        "never-dispatched.detail",
        "Subtask {subtask} has been PENDING for {age}, longer than the {threshold} threshold; no executor has picked it up. \
         Executor-manager may be down or unable to reach the backend, its queue may be blocked, or all executor slots may be taken.",
    ),
    (
        "never-dispatched.detail-offline",
        "Subtask {subtask} of an offline task has been PENDING for {age}. Offline tasks are dispatched only between 21:00 \
         and 08:59 in executor-manager's zone, and it is {local_time} there now, so the wait is expected.",
    ),
    (
        "never-dispatched.next",
        "Check that executor-manager runs and reaches the backend (logs/executor-manager.txt, /health), that it has free \
         executor slots, and that the task queue is consumed; the task leaves PENDING once the cause is removed.",
    ),
];

static ZH: &[(&str, &str)] = &[
    ("never-dispatched.title", "任务等待派发的时间过长"),
    (
        "never-dispatched.detail",
        "子任务 {subtask} 已处于 PENDING {age}，超过阈值 {threshold}，仍没有执行器接手。\
         executor-manager 可能已停止或无法访问后端，其队列可能阻塞，也可能执行器名额已全部占满。",
    ),
    (
        "never-dispatched.detail-offline",
        "离线任务的子任务 {subtask} 已处于 PENDING {age}。离线任务只在 executor-manager 所在时区的 21:00 至 08:59 之间派发，\
         当地现在是 {local_time}，因此等待属于正常现象。",
    ),
    (
        "never-dispatched.next",
        "确认 executor-manager 正在运行并能访问后端（logs/executor-manager.txt、/health），确认仍有空闲的执行器名额，\
         且任务队列在被消费；消除原因后任务会离开 PENDING。",
    ),
];

/// True when executor-manager dispatches offline tasks at this local hour (21–23, 0–8).
fn in_offline_window(hour: u32) -> bool {
    hour >= 21 || hour <= 8
}

impl Rule for NeverDispatched {
    fn id(&self) -> &'static str {
        "never-dispatched"
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
        if latest.status != "PENDING" || facts.no_executor_expected.is_some() {
            return;
        }
        let Some(created) = facts.subtask_created(latest) else {
            return;
        };
        let age = facts.age(created);
        if age <= cx.options.stale_after {
            return;
        }

        let local = facts.now + Duration::seconds(facts.clock.em_offset_seconds);
        let offline = facts.label("type") == Some("offline");
        let waiting_for_window = offline && !in_offline_window(local.hour());
        let (severity, key) = if waiting_for_window {
            (Severity::Warning, "never-dispatched.detail-offline")
        } else {
            (self.default_severity(), "never-dispatched.detail")
        };

        let mut evidence = vec![evidence::subtask(facts, latest)];
        if offline {
            evidence.push(evidence::task_label("type", "offline"));
        }
        if let Some(health) = cx
            .bundle
            .executor_manager
            .as_ref()
            .and_then(|em| em.health.as_ref())
        {
            evidence.push(match health.status {
                Some(status) => Evidence::new(
                    members::EXECUTOR_MANAGER,
                    "/health",
                    format!("HTTP {status}"),
                ),
                None => evidence::no_answer(
                    members::EXECUTOR_MANAGER,
                    "/health",
                    health.error.as_deref(),
                ),
            });
        }
        if let Some(redis) = &cx.bundle.redis {
            for (queue, length) in redis.queue_lengths.iter().filter(|(_, l)| **l > 0) {
                evidence.push(Evidence::new(
                    members::REDIS,
                    format!("/queue_lengths/{queue}"),
                    length.to_string(),
                ));
            }
        }
        let lines = facts.task_lines_containing(&["no available slots", "at capacity", "fetch"]);
        evidence.extend(lines.into_iter().rev().take(2).map(evidence::log));

        out.push(Finding {
            rule: self.id(),
            severity,
            title: Msg::new("never-dispatched.title"),
            detail: Msg::new(key)
                .arg("subtask", latest.id)
                .arg("age", format_duration(age))
                .arg("threshold", format_duration(cx.options.stale_after))
                .arg("local_time", local.format("%H:%M")),
            evidence,
            next_steps: vec![Msg::new("never-dispatched.next")],
        });
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::engine::test_support::*;

    fn pending_bundle(created: &str) -> crate::bundle::loaded::Bundle {
        let mut bundle = running_fork_bundle();
        set_task_status(&mut bundle, "PENDING");
        let latest = assistant_mut(&mut bundle);
        latest.status = "PENDING".into();
        latest.created_at = Some(created.into());
        bundle
    }

    #[test]
    fn flags_long_pending_subtask() {
        let bundle = pending_bundle("2026-01-20 13:00:00");

        let findings = run_rule(&NeverDispatched, &bundle);

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Critical);
        assert!(
            findings[0]
                .detail
                .args
                .contains(&("age", "2h00m".to_string()))
        );
    }

    #[test]
    fn ignores_recent_pending_subtask() {
        let bundle = pending_bundle("2026-01-20 14:50:00");

        assert!(run_rule(&NeverDispatched, &bundle).is_empty());
    }

    #[test]
    fn warns_for_offline_task_outside_window() {
        let mut bundle = pending_bundle("2026-01-20 13:00:00");
        task_mut(&mut bundle).json["metadata"]["labels"]["type"] = json!("offline");

        let findings = run_rule(&NeverDispatched, &bundle);

        assert_eq!(findings[0].severity, Severity::Warning);
        assert!(
            findings[0]
                .detail
                .args
                .contains(&("local_time", "15:00".to_string()))
        );
    }

    #[test]
    fn in_offline_window_covers_night_hours() {
        assert!(in_offline_window(22));
        assert!(in_offline_window(3));
        assert!(!in_offline_window(9));
        assert!(!in_offline_window(20));
    }
}
