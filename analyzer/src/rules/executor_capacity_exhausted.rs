//! Running executor containers reach executor-manager's limit.
//!
//! ### What it checks
//! The number of running executors reaches the limit executor-manager reports. The limit
//! is `total` of `/executor-manager/executor/load` (its `MAX_CONCURRENT_TASKS`), or, when
//! that response is missing, the newest fork log line `Online tasks status: <n> running
//! pods, <max> max concurrent tasks`. The running count is the largest of the load's
//! `running`, the length of its `containers` list (upstream always reports `running: 0`
//! because it never sets the `subtask_next_id` label), Docker's count of running
//! `owner=executor_manager` containers, and the log line's count. The finding is critical
//! when this task waits for a slot (PENDING, or RUNNING without an executor), otherwise a
//! warning.
//!
//! ### Why it matters
//! Executor-manager starts no new executor while every slot is taken, so new tasks queue
//! (fork: stay PENDING; upstream: stay in the Redis queue) until another task frees one.
//! Leaked executors of finished tasks (`orphan-executor`) often hold the slots.
//!
//! ### Evidence
//! `services/executor-manager.json` (`load`), `services/containers.json`
//! (`running_executor_count`), `logs/executor-manager.txt` (slot and capacity lines).
//!
//! ### Fix
//! Remove executors of finished tasks (or let the cleanup job run), or raise
//! `MAX_CONCURRENT_TASKS` if the host has room.

use regex::Regex;
use serde_json::Value;

use crate::bundle::model::{ContainerInfo, ContainerRole, members};
use crate::engine::{Context, Evidence, Finding, Msg, Rule, Severity, evidence};
use crate::i18n::Lang;

/// See the module documentation.
pub struct ExecutorCapacityExhausted;

static EN: &[(&str, &str)] = &[
    (
        "executor-capacity-exhausted.title",
        "all executor slots are taken",
    ),
    (
        "executor-capacity-exhausted.detail",
        "{running} executor containers run and executor-manager allows {limit}, so it starts no new executor until one \
         finishes; subtask {subtask} is waiting for a slot.",
    ),
    (
        "executor-capacity-exhausted.detail-not-waiting",
        "{running} executor containers run and executor-manager allows {limit}; new tasks queue until one finishes. \
         This task already has its executor.",
    ),
    (
        "executor-capacity-exhausted.next",
        "List the running executors with `docker ps --filter label=owner=executor_manager`, remove those of finished tasks, \
         or raise MAX_CONCURRENT_TASKS of executor-manager if the host has room.",
    ),
    (
        "executor-capacity-exhausted.next-holders",
        "These running executors hold the slots: {holders}. Check in the Wegent UI which of their tasks have finished, \
         remove those containers with `docker rm -f <name>`, or raise MAX_CONCURRENT_TASKS of executor-manager if the host \
         has room.",
    ),
];

static ZH: &[(&str, &str)] = &[
    ("executor-capacity-exhausted.title", "执行器名额已全部占满"),
    (
        "executor-capacity-exhausted.detail",
        "当前运行 {running} 个执行器容器，executor-manager 上限为 {limit}，在有容器结束前不会启动新的执行器；\
         子任务 {subtask} 正在等待名额。",
    ),
    (
        "executor-capacity-exhausted.detail-not-waiting",
        "当前运行 {running} 个执行器容器，executor-manager 上限为 {limit}；新任务会排队直到有容器结束。本任务已有执行器。",
    ),
    (
        "executor-capacity-exhausted.next",
        "用 `docker ps --filter label=owner=executor_manager` 列出运行中的执行器，删除已结束任务的执行器；\
         若主机资源充足，也可以调高 executor-manager 的 MAX_CONCURRENT_TASKS。",
    ),
    (
        "executor-capacity-exhausted.next-holders",
        "占用执行器槽位的是这些运行中的执行器：{holders}。请在 Wegent 界面中确认其中哪些任务已经结束，\
         用 `docker rm -f <name>` 删除这些容器；若主机资源充足，也可以调高 executor-manager 的 MAX_CONCURRENT_TASKS。",
    ),
];

/// Running count and limit, and the evidence they come from.
/// Running executor containers of any task, which hold executor slots, in Docker's order.
fn slot_holders<'a>(cx: &Context<'a>) -> Vec<&'a ContainerInfo> {
    cx.bundle
        .containers
        .as_ref()
        .map(|c| {
            c.containers
                .iter()
                .filter(|c| c.role != ContainerRole::Service && c.state == "running")
                .collect()
        })
        .unwrap_or_default()
}

/// Returns a container label, or `-` when it is absent.
fn label<'a>(container: &'a ContainerInfo, name: &str) -> &'a str {
    container
        .labels
        .get(name)
        .map(String::as_str)
        .unwrap_or("-")
}

struct Capacity {
    running: i64,
    limit: i64,
    evidence: Vec<Evidence>,
}

fn capacity(cx: &Context<'_>) -> Option<Capacity> {
    let mut running = 0;
    let mut limit = None;
    let mut evidence = Vec::new();

    let load = cx
        .bundle
        .executor_manager
        .as_ref()
        .and_then(|em| em.load.as_ref())
        .filter(|p| p.is_success());
    if let Some(body) = load.and_then(|p| p.body.as_ref()) {
        let containers = body
            .get("containers")
            .and_then(Value::as_array)
            .map(|c| c.len() as i64)
            .unwrap_or(0);
        let reported = body.get("running").and_then(Value::as_i64).unwrap_or(0);
        running = running.max(containers).max(reported);
        limit = body.get("total").and_then(Value::as_i64);
        let excerpt = format!(
            "running={reported} containers={containers} total={}",
            limit.map_or("?".into(), |l| l.to_string())
        );
        evidence.push(Evidence::new(
            members::EXECUTOR_MANAGER,
            "/load/body",
            excerpt,
        ));
    }

    if let Some(count) = cx
        .bundle
        .containers
        .as_ref()
        .and_then(|c| c.running_executor_count)
    {
        running = running.max(i64::from(count));
        evidence.push(Evidence::new(
            members::CONTAINERS,
            "/running_executor_count",
            count.to_string(),
        ));
    }

    // Fork executor-manager logs its view on every poll; the newest line wins.
    let pattern = Regex::new(r"(\d+) running pods, (\d+) max concurrent tasks").ok()?;
    let newest = cx
        .bundle
        .log_lines
        .iter()
        .rev()
        .find_map(|line| pattern.captures(&line.text).map(|c| (line, c)));
    if let Some((line, captures)) = newest {
        let pods: i64 = captures[1].parse().unwrap_or(0);
        let max: i64 = captures[2].parse().unwrap_or(0);
        if limit.is_none() {
            limit = Some(max);
            running = running.max(pods);
            evidence.push(evidence::log(line));
        }
    }

    let limit = limit.filter(|l| *l > 0)?;
    Some(Capacity {
        running,
        limit,
        evidence,
    })
}

impl Rule for ExecutorCapacityExhausted {
    fn id(&self) -> &'static str {
        "executor-capacity-exhausted"
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
        let Some(capacity) = capacity(cx) else {
            return;
        };
        if capacity.running < capacity.limit {
            return;
        }

        let waiting = facts.latest_assistant.filter(|s| {
            s.status == "PENDING"
                || (s.status == "RUNNING"
                    && facts.executor_name.is_none()
                    && facts.executor_containers.is_empty())
        });
        let (severity, detail) = match waiting {
            Some(subtask) => (
                self.default_severity(),
                Msg::new("executor-capacity-exhausted.detail").arg("subtask", subtask.id),
            ),
            None => (
                Severity::Warning,
                Msg::new("executor-capacity-exhausted.detail-not-waiting"),
            ),
        };

        let mut evidence = capacity.evidence;
        let holders = slot_holders(cx);
        evidence.extend(holders.iter().map(|c| {
            Evidence::new(
                members::CONTAINERS,
                format!("name={}", c.name),
                format!(
                    "task_id={} subtask_id={} state={} started_at={}",
                    label(c, "task_id"),
                    label(c, "subtask_id"),
                    c.state,
                    c.started_at.as_deref().unwrap_or("-")
                ),
            )
        }));
        let lines = facts.task_lines_containing(&["no available slots", "at capacity"]);
        evidence.extend(lines.into_iter().rev().take(2).map(evidence::log));

        out.push(Finding {
            rule: self.id(),
            severity,
            title: Msg::new("executor-capacity-exhausted.title"),
            detail: detail
                .arg("running", capacity.running)
                .arg("limit", capacity.limit),
            evidence,
            next_steps: vec![if holders.is_empty() {
                Msg::new("executor-capacity-exhausted.next")
            } else {
                let names: Vec<String> = holders
                    .iter()
                    .map(|c| format!("{} (task_id={})", c.name, label(c, "task_id")))
                    .collect();
                Msg::new("executor-capacity-exhausted.next-holders").list("holders", &names)
            }],
        });
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::bundle::model::{ExecutorManager, HttpProbe};
    use crate::engine::test_support::*;

    fn with_load(bundle: &mut crate::bundle::loaded::Bundle, body: Value) {
        bundle.executor_manager = Some(ExecutorManager {
            base_url: "http://127.0.0.1:8001".into(),
            load: Some(HttpProbe {
                url: "load".into(),
                status: Some(200),
                body: Some(body),
                error: None,
                elapsed_ms: 2,
            }),
            ..Default::default()
        });
    }

    fn upstream_load(containers: usize, total: i64) -> Value {
        let list: Vec<Value> = (0..containers)
            .map(|i| json!({"task_id": i.to_string(), "subtask_next_id": ""}))
            .collect();
        json!({"status": "success", "task_ids": [], "containers": list, "running": 0, "total": total})
    }

    #[test]
    fn flags_full_capacity_for_pending_task() {
        let mut bundle = running_fork_bundle();
        assistant_mut(&mut bundle).status = "PENDING".into();
        with_load(&mut bundle, upstream_load(10, 10));

        let findings = run_rule(&ExecutorCapacityExhausted, &bundle);

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Critical);
        assert!(
            findings[0]
                .detail
                .args
                .contains(&("running", "10".to_string()))
        );
    }

    #[test]
    fn warns_when_task_already_runs() {
        let mut bundle = running_fork_bundle();
        with_load(&mut bundle, upstream_load(5, 5));

        let findings = run_rule(&ExecutorCapacityExhausted, &bundle);

        assert_eq!(findings[0].severity, Severity::Warning);
    }

    #[test]
    fn ignores_free_slots() {
        let mut bundle = running_fork_bundle();
        with_load(&mut bundle, upstream_load(3, 10));

        assert!(run_rule(&ExecutorCapacityExhausted, &bundle).is_empty());
    }

    #[test]
    fn reads_limit_from_fork_log_line() {
        let mut bundle = running_fork_bundle();
        assistant_mut(&mut bundle).status = "PENDING".into();
        bundle.log_lines.push(log_line(
            "logs/executor-manager.txt",
            3,
            "2026-01-20 06:59:00",
            "Online tasks status: 10 running pods, 10 max concurrent tasks",
        ));

        let findings = run_rule(&ExecutorCapacityExhausted, &bundle);

        assert_eq!(findings.len(), 1);
    }
}
