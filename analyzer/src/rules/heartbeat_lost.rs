//! Upstream: the task heartbeat is missing or old while the container runs.
//!
//! ### What it checks
//! On upstream deployments, the newest assistant subtask is RUNNING, its container runs,
//! Redis responded, and the key `task:heartbeat:<task_id>` is older than 30 seconds
//! (executor-manager's heartbeat timeout) at collection time, or missing while
//! executor-manager still tracks the task (`running_tasks:heartbeat` score or
//! `running_task:meta` hash present).
//!
//! ### Why it matters
//! Executors post a heartbeat every 10 seconds. When it stops while the container still
//! runs, executor-manager logs "still running but heartbeat timed out" and skips the
//! task, so nothing marks it FAILED; if the executor process hangs, the task stays
//! RUNNING forever.
//!
//! After a terminal callback executor-manager stops tracking the task and deletes the
//! key, so a missing key of an untracked task is expected and not reported. A task whose
//! terminal update the backend rejected looks like that (`callback-rejected-by-backend`).
//!
//! ### Evidence
//! `services/redis.json` (`heartbeat`, `running_set_score`), `services/containers.json`,
//! `logs/executor-manager.txt` (heartbeat timeout lines), `executors/<name>/logs.txt`
//! (`heartbeat request failed`).
//!
//! ### Fix
//! Check that the executor reaches executor-manager (network, `EXECUTOR_MANAGER_HEARTBEAT_BASE_URL`)
//! and whether the executor process hangs; restart the executor or cancel the task.

use crate::bundle::model::{Flavour, members};
use crate::engine::{Context, Evidence, Finding, Msg, Rule, Severity, evidence};
use crate::i18n::Lang;

/// See the module documentation.
pub struct HeartbeatLost;

/// Executor-manager treats a heartbeat older than this as timed out, in seconds.
const HEARTBEAT_TIMEOUT_SECONDS: f64 = 30.0;

static EN: &[(&str, &str)] = &[
    (
        "heartbeat-lost.title",
        "the executor's heartbeat stopped while its container runs",
    ),
    (
        "heartbeat-lost.detail",
        "The heartbeat of task {task} is {age} seconds old (executor-manager's timeout is 30 s) while container {name} runs. \
         Executor-manager skips such tasks, so nothing will mark the task FAILED if the executor hangs.",
    ),
    (
        "heartbeat-lost.detail-missing",
        "Redis holds no heartbeat for task {task} while container {name} runs and the task is still in the running set. \
         Executor-manager skips such tasks, so nothing will mark the task FAILED if the executor hangs.",
    ),
    (
        "heartbeat-lost.next",
        "Look for `heartbeat request failed` in executors/{name}/logs.txt and for heartbeat timeouts in \
         logs/executor-manager.txt; check the network between executor and executor-manager, then restart the executor \
         or cancel the task.",
    ),
];

static ZH: &[(&str, &str)] = &[
    ("heartbeat-lost.title", "容器仍在运行，但执行器心跳已停止"),
    (
        "heartbeat-lost.detail",
        "任务 {task} 的心跳已有 {age} 秒未更新（executor-manager 的超时为 30 秒），而容器 {name} 仍在运行。\
         executor-manager 会跳过这种任务，因此执行器卡住时没有任何组件会把任务标记为 FAILED。",
    ),
    (
        "heartbeat-lost.detail-missing",
        "容器 {name} 仍在运行，任务也仍在运行集合中，但 Redis 中没有任务 {task} 的心跳。\
         executor-manager 会跳过这种任务，因此执行器卡住时没有任何组件会把任务标记为 FAILED。",
    ),
    (
        "heartbeat-lost.next",
        "在 executors/{name}/logs.txt 中查找 `heartbeat request failed`，在 logs/executor-manager.txt 中查找心跳超时；\
         检查执行器与 executor-manager 之间的网络，然后重启执行器或取消任务。",
    ),
];

impl Rule for HeartbeatLost {
    fn id(&self) -> &'static str {
        "heartbeat-lost"
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
        let (Some(latest), Some(container), Some(redis)) = (
            facts.latest_assistant,
            facts.active_container,
            cx.bundle.redis.as_ref(),
        ) else {
            return;
        };
        if facts.flavour != Flavour::Upstream
            || latest.status != "RUNNING"
            || container.state != "running"
            || !redis.reachable
        {
            return;
        }

        let heartbeat = redis.heartbeat.as_ref().filter(|h| h.value.is_some());
        let tracked = redis.running_set_score.is_some() || !redis.running_task_meta.is_empty();
        let detail = match heartbeat.and_then(|h| h.age_seconds) {
            Some(age) if age <= HEARTBEAT_TIMEOUT_SECONDS => return,
            Some(age) => Msg::new("heartbeat-lost.detail").arg("age", format!("{age:.0}")),
            // A key with a value but no age cannot be judged.
            None if heartbeat.is_some() => return,
            None if tracked => Msg::new("heartbeat-lost.detail-missing"),
            // Executor-manager deletes the key when it stops tracking the task after a
            // terminal callback, so a missing key of an untracked task is expected.
            None => return,
        };
        let detail = detail
            .arg("task", facts.task_id)
            .arg("name", &container.name);

        let heartbeat_evidence = match heartbeat {
            Some(h) => {
                let mut parts = vec![format!("key={}", h.key)];
                if let Some(age) = h.age_seconds {
                    parts.push(format!("age_seconds={}", age));
                }
                if let Some(ttl) = h.ttl_seconds {
                    parts.push(format!("ttl_seconds={ttl}"));
                }
                Evidence::new(members::REDIS, "/heartbeat", parts.join(" "))
            }
            None => {
                let mut parts = vec![format!("key=task:heartbeat:{}", facts.task_id)];
                if let Some(score) = redis.running_set_score {
                    parts.push(format!("running_set_score={}", score));
                }
                Evidence::new(members::REDIS, "/heartbeat", parts.join(" "))
                    .with_note(Msg::new("evidence.heartbeat-key-missing"))
            }
        };
        let mut evidence = vec![heartbeat_evidence, evidence::container(container)];
        let timeouts = facts.task_lines_containing(&[
            "heartbeat timed out",
            "heartbeat timeout",
            "heartbeat request failed",
        ]);
        evidence.extend(timeouts.into_iter().rev().take(2).map(evidence::log));

        out.push(Finding {
            rule: self.id(),
            severity: self.default_severity(),
            title: Msg::new("heartbeat-lost.title"),
            detail,
            evidence,
            next_steps: vec![Msg::new("heartbeat-lost.next").arg("name", &container.name)],
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::model::{Deployment, Heartbeat, RedisState};
    use crate::engine::test_support::*;

    fn upstream_with_heartbeat(heartbeat: Option<Heartbeat>) -> crate::bundle::loaded::Bundle {
        let mut bundle = running_fork_bundle();
        bundle.deployment = Some(Deployment {
            flavour: Flavour::Upstream,
            evidence: Vec::new(),
        });
        bundle.redis = Some(RedisState {
            reachable: true,
            server_time: Some(1.0),
            heartbeat,
            ..Default::default()
        });
        bundle
    }

    fn heartbeat(age: f64) -> Heartbeat {
        Heartbeat {
            key: "task:heartbeat:89".into(),
            value: Some(1_768_892_400.0),
            age_seconds: Some(age),
            ttl_seconds: Some(5),
        }
    }

    #[test]
    fn flags_old_heartbeat() {
        let bundle = upstream_with_heartbeat(Some(heartbeat(95.0)));

        let findings = run_rule(&HeartbeatLost, &bundle);

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Warning);
        assert!(findings[0].detail.args.contains(&("age", "95".to_string())));
    }

    #[test]
    fn flags_missing_heartbeat_of_tracked_task() {
        let mut bundle = upstream_with_heartbeat(None);
        bundle.redis.as_mut().unwrap().running_set_score = Some(1_768_890_000.0);

        let findings = run_rule(&HeartbeatLost, &bundle);

        assert_eq!(findings[0].detail.key, "heartbeat-lost.detail-missing");
    }

    #[test]
    fn ignores_missing_heartbeat_of_untracked_task() {
        let bundle = upstream_with_heartbeat(None);

        assert!(run_rule(&HeartbeatLost, &bundle).is_empty());
    }

    #[test]
    fn ignores_fresh_heartbeat() {
        let bundle = upstream_with_heartbeat(Some(heartbeat(4.0)));

        assert!(run_rule(&HeartbeatLost, &bundle).is_empty());
    }

    #[test]
    fn ignores_fork_deployment() {
        let mut bundle = upstream_with_heartbeat(Some(heartbeat(95.0)));
        bundle.deployment = Some(Deployment {
            flavour: Flavour::Fork,
            evidence: Vec::new(),
        });

        assert!(run_rule(&HeartbeatLost, &bundle).is_empty());
    }
}
