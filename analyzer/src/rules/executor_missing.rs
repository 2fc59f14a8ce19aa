//! An active subtask names an executor that neither Docker nor executor-manager reports.
//!
//! ### What it checks
//! The newest assistant subtask is RUNNING and names an executor (in `executor_name`, or
//! for upstream first turns in the Redis `running_task:meta` hash), but no container of
//! that name exists: Docker's listing lacks it, Docker reported it vanished during
//! collection, or executor-manager reported that it does not exist (fork
//! `/executor/status` with `exists: false`, upstream `/executor/address` with "not found").
//! It stays silent when executor-manager reports that the container exists, when the executor
//! was deleted by the cleanup job (`executor-deleted-by-cleanup` explains that), and for
//! tasks that run without a container (`no-executor-expected`).
//!
//! ### Why it matters
//! Only the executor sends the final callback that ends the subtask. Without the
//! container that callback never arrives, and the fork has no timeout that fails the
//! task, so it shows RUNNING forever.
//!
//! ### Known problems
//! A PENDING follow-up that names a removed container is not reported: executor-manager
//! recreates the container when it dispatches the turn, and `never-dispatched` covers a
//! turn that waits too long.
//!
//! ### Evidence
//! `db/subtasks.json` (status, executor name), `services/containers.json` (names and
//! `vanished`), `services/executor-manager.json` (`executors[]` probes),
//! `services/redis.json` (`running_task_meta.executor_name`).
//!
//! ### Fix
//! Find out who removed the container (cleanup job, a restart script that removes
//! executors, a manual `docker rm`) in the executor-manager log, then mark the task
//! FAILED or send the message again so a new executor starts.

use serde_json::Value;

use crate::bundle::model::{ExecutorProbe, members};
use crate::engine::facts::NameSource;
use crate::engine::{Context, Finding, Msg, Rule, Severity, evidence};
use crate::i18n::Lang;
use crate::rules::current_run;

/// See the module documentation.
pub struct ExecutorMissing;

static EN: &[(&str, &str)] = &[
    (
        "executor-missing.title",
        "the executor of the running subtask no longer exists",
    ),
    (
        "executor-missing.detail",
        "Subtask {subtask} is RUNNING in executor {name}, but {sources} show no container of that name. \
         The final callback can only come from that executor, so the task cannot finish on its own.",
    ),
    (
        "executor-missing.next",
        "Search logs/executor-manager.txt for {name} to see when and why the container was removed.",
    ),
];

static ZH: &[(&str, &str)] = &[
    ("executor-missing.title", "运行中子任务的执行器已不存在"),
    (
        "executor-missing.detail",
        "子任务 {subtask} 处于 RUNNING，执行器为 {name}，但 {sources} 中没有该名称的容器。\
         最终回调只能由这个执行器发出，因此任务无法自行结束。",
    ),
    (
        "executor-missing.next",
        "在 logs/executor-manager.txt 中搜索 {name}，查明容器何时、为何被删除。",
    ),
];

/// Executor-manager's response about one executor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProbeAnswer {
    Exists,
    Absent,
    Unknown,
}

/// Reads a fork `/executor/status` or upstream `/executor/address` response.
pub(crate) fn probe_answer(probe: &ExecutorProbe) -> ProbeAnswer {
    let Some(body) = probe
        .probe
        .body
        .as_ref()
        .filter(|_| probe.probe.is_success())
    else {
        return ProbeAnswer::Unknown;
    };
    match body.get("exists").and_then(Value::as_bool) {
        Some(true) => return ProbeAnswer::Exists,
        Some(false) => return ProbeAnswer::Absent,
        None => {}
    }
    if body
        .get("base_url")
        .and_then(Value::as_str)
        .is_some_and(|u| !u.is_empty())
    {
        return ProbeAnswer::Exists;
    }
    let error = body
        .get("error_msg")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_ascii_lowercase();
    if error.contains("not found") {
        return ProbeAnswer::Absent;
    }
    if error.contains("no ports mapped") {
        return ProbeAnswer::Exists;
    }
    ProbeAnswer::Unknown
}

impl Rule for ExecutorMissing {
    fn id(&self) -> &'static str {
        "executor-missing"
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
        let Some(name) = &facts.executor_name else {
            return;
        };
        let skip = facts.no_executor_expected.is_some()
            || latest.status != "RUNNING"
            || latest.executor_deleted_at == 1
            || name.source == NameSource::ContainerLabel
            || facts.active_container.is_some()
            || cx.bundle.executors.contains_key(&name.name);
        if skip {
            return;
        }

        let probe = cx
            .bundle
            .executor_manager
            .as_ref()
            .and_then(|em| em.executors.iter().find(|p| p.executor_name == name.name));
        let answer = probe.map(probe_answer).unwrap_or(ProbeAnswer::Unknown);
        if answer == ProbeAnswer::Exists {
            return;
        }

        let mut how = Vec::new();
        let mut evidence = vec![evidence::subtask(facts, latest)];
        if facts.docker_listed {
            how.push(members::CONTAINERS);
            evidence.push(evidence::container_absent(&name.name));
        }
        if answer == ProbeAnswer::Absent {
            how.push(members::EXECUTOR_MANAGER);
        }
        if let Some(probe) = probe {
            evidence.push(evidence::em_probe(probe));
        }
        if how.is_empty() {
            return;
        }

        out.push(Finding {
            rule: self.id(),
            severity: self.default_severity(),
            title: Msg::new("executor-missing.title"),
            detail: Msg::new("executor-missing.detail")
                .arg("subtask", latest.id)
                .arg("name", &name.name)
                .list("sources", &how),
            evidence,
            next_steps: vec![
                Msg::new("executor-missing.next").arg("name", &name.name),
                current_run::mark_failed_step(facts, latest, "executor container gone"),
            ],
        });
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::bundle::model::{ExecutorManager, HttpProbe};
    use crate::engine::test_support::*;

    fn status_probe(exists: bool) -> ExecutorManager {
        ExecutorManager {
            base_url: "http://127.0.0.1:8001".into(),
            executors: vec![ExecutorProbe {
                executor_name: EXECUTOR.into(),
                endpoint: "status".into(),
                probe: HttpProbe {
                    url: "http://127.0.0.1:8001/executor-manager/executor/status".into(),
                    status: Some(200),
                    body: Some(json!({"status": "success", "exists": exists, "state": null})),
                    error: None,
                    elapsed_ms: 3,
                },
            }],
            ..Default::default()
        }
    }

    #[test]
    fn flags_running_subtask_without_container() {
        let mut bundle = running_fork_bundle();
        bundle.containers.as_mut().unwrap().containers.clear();
        bundle.executor_manager = Some(status_probe(false));

        let findings = run_rule(&ExecutorMissing, &bundle);

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Critical);
        assert_eq!(findings[0].evidence.len(), 3);
    }

    #[test]
    fn ignores_existing_container() {
        let bundle = running_fork_bundle();

        assert!(run_rule(&ExecutorMissing, &bundle).is_empty());
    }

    #[test]
    fn ignores_container_manager_still_knows() {
        let mut bundle = running_fork_bundle();
        bundle.containers.as_mut().unwrap().containers.clear();
        bundle.executor_manager = Some(status_probe(true));

        assert!(run_rule(&ExecutorMissing, &bundle).is_empty());
    }

    #[test]
    fn ignores_chat_shell_task() {
        let mut bundle = running_fork_bundle();
        bundle.containers.as_mut().unwrap().containers.clear();
        task_mut(&mut bundle).json["metadata"]["labels"]["source"] = json!("chat_shell");

        assert!(run_rule(&ExecutorMissing, &bundle).is_empty());
    }

    #[test]
    fn ignores_missing_docker_source() {
        let mut bundle = running_fork_bundle();
        bundle.containers = None;

        assert!(run_rule(&ExecutorMissing, &bundle).is_empty());
    }

    #[test]
    fn ignores_executor_deleted_by_cleanup() {
        let mut bundle = running_fork_bundle();
        bundle.containers.as_mut().unwrap().containers.clear();
        assistant_mut(&mut bundle).executor_deleted_at = 1;

        assert!(run_rule(&ExecutorMissing, &bundle).is_empty());
    }
}
