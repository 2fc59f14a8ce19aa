//! The active subtask's container exited with a non-zero code.
//!
//! ### What it checks
//! The newest assistant subtask is RUNNING or FAILED, and the container it runs in has
//! state `exited` or `dead` with an exit code other than 0. Exit code 137 and containers
//! with `OOMKilled` are left to `executor-oom-killed`, and exit code 0 while RUNNING to
//! `executor-exited-without-callback`, so one container gives one finding. Containers of
//! older executions (the fork recreates a container under a new name) are not looked at.
//!
//! Exit codes 143 (SIGTERM) and 130 (SIGINT) mean the container was stopped from outside,
//! by `docker stop`, a restart of Docker or the host, or by hand, not that it crashed,
//! so the finding reports them as stopped.
//!
//! ### Why it matters
//! An executor that crashed or was stopped cannot send the final callback. Upstream's heartbeat checker
//! turns the crash into FAILED ("Executor crashed unexpectedly"); the fork has no such
//! check, so the task stays RUNNING. For a FAILED subtask the finding explains the failure.
//!
//! ### Evidence
//! `db/subtasks.json` (status, executor name), `services/containers.json` (state, exit
//! code, finish time), `executors/<name>/logs.txt` (the last lines before the exit).
//!
//! ### Fix
//! Read the end of the executor log for the crash, fix its cause (image, skills, agent
//! error), then send the message again; the fork also needs the task marked FAILED.

use crate::engine::clock::{format_utc, parse_utc};
use crate::engine::{Context, Finding, Msg, Rule, Severity, evidence};
use crate::i18n::Lang;

/// See the module documentation.
pub struct ExecutorExited;

static EN: &[(&str, &str)] = &[
    (
        "executor-exited.title",
        "the executor container exited with an error",
    ),
    (
        "executor-exited.detail",
        "Container {name} of subtask {subtask} exited with code {code} at {finished}, while the subtask is still RUNNING. \
         A crashed executor sends no final callback.",
    ),
    (
        "executor-exited.detail-failed",
        "Container {name} of subtask {subtask} exited with code {code} at {finished}; this crash explains why the subtask FAILED.",
    ),
    (
        "executor-exited.title-stopped",
        "the executor container was stopped",
    ),
    (
        "executor-exited.detail-stopped",
        "Container {name} of subtask {subtask} exited with code {code} ({signal}) at {finished}, while the subtask is still RUNNING. \
         The container was stopped from outside (docker stop, a Docker or host restart, or by hand), not crashed, and a stopped executor sends no final callback.",
    ),
    (
        "executor-exited.detail-stopped-failed",
        "Container {name} of subtask {subtask} exited with code {code} ({signal}) at {finished}; it was stopped from outside (docker stop, a Docker or host restart, or by hand), which explains why the subtask FAILED.",
    ),
    (
        "executor-exited.next-stopped",
        "Find out what stopped {name} at that time (`docker events`, the Docker daemon and system logs, deployments or operators), \
         then send the message again; mark a task that still shows RUNNING as FAILED first.",
    ),
    (
        "executor-exited.next",
        "Read the last lines of executors/{name}/logs.txt (or `docker logs {name}`) for the crash, fix its cause, \
         then send the message again; mark a task that still shows RUNNING as FAILED first.",
    ),
];

static ZH: &[(&str, &str)] = &[
    ("executor-exited.title", "执行器容器异常退出"),
    (
        "executor-exited.detail",
        "子任务 {subtask} 的容器 {name} 于 {finished} 以退出码 {code} 退出，而子任务仍为 RUNNING。\
         崩溃的执行器不会发送最终回调。",
    ),
    (
        "executor-exited.detail-failed",
        "子任务 {subtask} 的容器 {name} 于 {finished} 以退出码 {code} 退出；子任务 FAILED 正是这次崩溃所致。",
    ),
    ("executor-exited.title-stopped", "执行器容器被停止"),
    (
        "executor-exited.detail-stopped",
        "子任务 {subtask} 的容器 {name} 于 {finished} 以退出码 {code}（{signal}）退出，而子任务仍为 RUNNING。\
         容器是被外部停止的（docker stop、Docker 或主机重启，或人工操作），并非崩溃；被停止的执行器不会发送最终回调。",
    ),
    (
        "executor-exited.detail-stopped-failed",
        "子任务 {subtask} 的容器 {name} 于 {finished} 以退出码 {code}（{signal}）退出；容器是被外部停止的（docker stop、Docker 或主机重启，或人工操作），子任务 FAILED 正是因此。",
    ),
    (
        "executor-exited.next-stopped",
        "查明当时是什么停止了 {name}（`docker events`、Docker 守护进程和系统日志、部署记录或运维操作），\
         然后重新发送消息；若任务仍显示 RUNNING，先将其标记为 FAILED。",
    ),
    (
        "executor-exited.next",
        "查看 executors/{name}/logs.txt（或 `docker logs {name}`）末尾的崩溃信息并修复原因，然后重新发送消息；\
         若任务仍显示 RUNNING，先将其标记为 FAILED。",
    ),
];

/// True when the container was killed by the OOM killer or by SIGKILL (exit 137).
pub(crate) fn is_oom_or_sigkill(container: &crate::bundle::model::ContainerInfo) -> bool {
    container.oom_killed || container.exit_code == Some(137)
}

/// Signal name of an exit code that means the container was stopped from outside:
/// 143 is 128 + SIGTERM (what `docker stop` sends first), 130 is 128 + SIGINT.
fn stop_signal(exit_code: Option<i64>) -> Option<&'static str> {
    match exit_code {
        Some(143) => Some("SIGTERM"),
        Some(130) => Some("SIGINT"),
        _ => None,
    }
}

/// True when the container is no longer running because its process ended.
pub(crate) fn has_exited(container: &crate::bundle::model::ContainerInfo) -> bool {
    matches!(container.state.as_str(), "exited" | "dead")
}

/// Docker's finish time as a message argument, `?` when unknown.
pub(crate) fn finished_text(container: &crate::bundle::model::ContainerInfo) -> String {
    container
        .finished_at
        .as_deref()
        .and_then(parse_utc)
        .map(format_utc)
        .unwrap_or_else(|| "?".into())
}

impl Rule for ExecutorExited {
    fn id(&self) -> &'static str {
        "executor-exited"
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
        let (Some(latest), Some(container)) = (facts.latest_assistant, facts.active_container)
        else {
            return;
        };
        let failed = match latest.status.as_str() {
            "RUNNING" => false,
            "FAILED" => true,
            _ => return,
        };
        if !has_exited(container) || container.exit_code == Some(0) || is_oom_or_sigkill(container)
        {
            return;
        }

        let signal = stop_signal(container.exit_code);
        let (title_key, detail_key, next_key) = match (signal, failed) {
            (None, false) => (
                "executor-exited.title",
                "executor-exited.detail",
                "executor-exited.next",
            ),
            (None, true) => (
                "executor-exited.title",
                "executor-exited.detail-failed",
                "executor-exited.next",
            ),
            (Some(_), false) => (
                "executor-exited.title-stopped",
                "executor-exited.detail-stopped",
                "executor-exited.next-stopped",
            ),
            (Some(_), true) => (
                "executor-exited.title-stopped",
                "executor-exited.detail-stopped-failed",
                "executor-exited.next-stopped",
            ),
        };

        let code = container
            .exit_code
            .map(|c| c.to_string())
            .unwrap_or_else(|| "?".into());
        let mut evidence = vec![
            evidence::container(container),
            evidence::subtask(facts, latest),
        ];
        let log_member = crate::bundle::model::members::executor_logs(&container.name);
        evidence.extend(cx.bundle.lines_of(&log_member).last().map(evidence::log));

        out.push(Finding {
            rule: self.id(),
            severity: self.default_severity(),
            title: Msg::new(title_key),
            detail: Msg::new(detail_key)
                .arg("name", &container.name)
                .arg("subtask", latest.id)
                .arg("code", code)
                .arg("signal", signal.unwrap_or(""))
                .arg("finished", finished_text(container)),
            evidence,
            next_steps: vec![Msg::new(next_key).arg("name", &container.name)],
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::test_support::*;

    #[test]
    fn flags_container_exited_with_error() {
        let mut bundle = running_fork_bundle();
        *container_mut(&mut bundle) = executor_container(EXECUTOR, "exited", Some(1));

        let findings = run_rule(&ExecutorExited, &bundle);

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].detail.key, "executor-exited.detail");
        assert!(findings[0].detail.args.contains(&("code", "1".to_string())));
    }

    #[test]
    fn explains_failed_subtask() {
        let mut bundle = running_fork_bundle();
        *container_mut(&mut bundle) = executor_container(EXECUTOR, "exited", Some(2));
        assistant_mut(&mut bundle).status = "FAILED".into();

        let findings = run_rule(&ExecutorExited, &bundle);

        assert_eq!(findings[0].detail.key, "executor-exited.detail-failed");
    }

    #[test]
    fn ignores_running_container() {
        let bundle = running_fork_bundle();

        assert!(run_rule(&ExecutorExited, &bundle).is_empty());
    }

    #[test]
    fn leaves_exit_137_to_oom_rule() {
        let mut bundle = running_fork_bundle();
        *container_mut(&mut bundle) = executor_container(EXECUTOR, "exited", Some(137));

        assert!(run_rule(&ExecutorExited, &bundle).is_empty());
    }

    #[test]
    fn leaves_exit_0_to_callback_rule() {
        let mut bundle = running_fork_bundle();
        *container_mut(&mut bundle) = executor_container(EXECUTOR, "exited", Some(0));

        assert!(run_rule(&ExecutorExited, &bundle).is_empty());
    }

    #[test]
    fn calls_sigterm_exit_a_stop() {
        for (code, signal) in [(143, "SIGTERM"), (130, "SIGINT")] {
            let mut bundle = running_fork_bundle();
            *container_mut(&mut bundle) = executor_container(EXECUTOR, "exited", Some(code));

            let findings = run_rule(&ExecutorExited, &bundle);

            assert_eq!(findings[0].title.key, "executor-exited.title-stopped");
            assert_eq!(findings[0].detail.key, "executor-exited.detail-stopped");
            assert!(
                findings[0]
                    .detail
                    .args
                    .contains(&("signal", signal.to_string()))
            );
            assert_eq!(
                findings[0].next_steps[0].key,
                "executor-exited.next-stopped"
            );
        }
    }

    #[test]
    fn explains_failed_subtask_stopped_by_sigterm() {
        let mut bundle = running_fork_bundle();
        *container_mut(&mut bundle) = executor_container(EXECUTOR, "exited", Some(143));
        assistant_mut(&mut bundle).status = "FAILED".into();

        let findings = run_rule(&ExecutorExited, &bundle);

        assert_eq!(
            findings[0].detail.key,
            "executor-exited.detail-stopped-failed"
        );
    }
}
