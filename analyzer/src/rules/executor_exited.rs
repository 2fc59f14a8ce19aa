//! The active subtask's container exited with a non-zero code.
//!
//! ### What it checks
//! The newest assistant subtask is RUNNING or FAILED, and the container it runs in has
//! state `exited` or `dead` with an exit code other than 0. Exit code 137 and containers
//! with `OOMKilled` are left to `executor-oom-killed`, and exit code 0 while RUNNING to
//! `executor-exited-without-callback`, so one container gives one finding. Containers of
//! older executions (the fork recreates a container under a new name) are not looked at.
//!
//! ### Why it matters
//! An executor that crashed cannot send the final callback. Upstream's heartbeat checker
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
        let detail_key = match latest.status.as_str() {
            "RUNNING" => "executor-exited.detail",
            "FAILED" => "executor-exited.detail-failed",
            _ => return,
        };
        if !has_exited(container) || container.exit_code == Some(0) || is_oom_or_sigkill(container)
        {
            return;
        }

        let code = container
            .exit_code
            .map(|c| c.to_string())
            .unwrap_or_else(|| "?".into());
        let mut evidence = vec![evidence::container(container), evidence::subtask(latest)];
        let log_member = crate::bundle::model::members::executor_logs(&container.name);
        evidence.extend(cx.bundle.lines_of(&log_member).last().map(evidence::log));

        out.push(Finding {
            rule: self.id(),
            severity: self.default_severity(),
            title: Msg::new("executor-exited.title"),
            detail: Msg::new(detail_key)
                .arg("name", &container.name)
                .arg("subtask", latest.id)
                .arg("code", code)
                .arg("finished", finished_text(container)),
            evidence,
            next_steps: vec![Msg::new("executor-exited.next").arg("name", &container.name)],
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
}
