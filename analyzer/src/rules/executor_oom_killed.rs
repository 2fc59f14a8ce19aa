//! The active subtask's container was killed for memory.
//!
//! ### What it checks
//! The newest assistant subtask is RUNNING or FAILED and its container exited with
//! `OOMKilled` set or with exit code 137 (SIGKILL). When the container is gone, a FAILED
//! subtask whose `error_message` carries upstream's OOM or SIGKILL text, or whose
//! `result.error_type` is `container_oom`, fires the rule as well.
//!
//! ### Why it matters
//! The kernel killed the agent in the middle of its work, so no final callback was sent.
//! Upstream turns this into FAILED with an OOM message; the fork leaves the task RUNNING.
//! Either way the next attempt fails the same way until the memory use or limit changes.
//!
//! ### Known problems
//! Exit code 137 without `OOMKilled` means SIGKILL from any sender, such as `docker kill`
//! or a stop timeout, and the detail states this.
//!
//! ### Evidence
//! `services/containers.json` (`oom_killed`, exit code, finish time), `db/subtasks.json`
//! (status, `error_message`, `result.error_type`).
//!
//! ### Fix
//! Give the host or container more memory, or make the task smaller (fewer files, a
//! smaller repository, fewer parallel tools), then send the message again.

use super::current_run;
use super::executor_exited::{finished_text, has_exited, is_oom_or_sigkill};
use crate::engine::{Context, Finding, Msg, Rule, Severity, evidence};
use crate::i18n::Lang;

/// See the module documentation.
pub struct ExecutorOomKilled;

/// Upstream error texts of an executor killed for memory, lowercase.
const OOM_MESSAGES: [&str; 3] = [
    "out of memory (oom)",
    "sigkill, exit code 137",
    "oom killed",
];

static EN: &[(&str, &str)] = &[
    (
        "executor-oom-killed.title",
        "the executor was killed for running out of memory",
    ),
    (
        "executor-oom-killed.detail",
        "Docker reports that container {name} of subtask {subtask} ({status}) was killed by the OOM killer at {finished}.",
    ),
    (
        "executor-oom-killed.detail-sigkill",
        "Container {name} of subtask {subtask} ({status}) ended with exit code 137 (SIGKILL) at {finished}. \
         Docker did not set OOMKilled, so the kill may also come from `docker kill` or a stop timeout.",
    ),
    (
        "executor-oom-killed.detail-message",
        "Subtask {subtask} FAILED with an out-of-memory error from executor-manager; the container is no longer available.",
    ),
    (
        "executor-oom-killed.next",
        "Give the host or executor container more memory, or make the task smaller, then send the message again; \
         check `dmesg` on the host for the OOM killer's report.",
    ),
];

static ZH: &[(&str, &str)] = &[
    ("executor-oom-killed.title", "执行器因内存耗尽被杀死"),
    (
        "executor-oom-killed.detail",
        "Docker 报告子任务 {subtask}（{status}）的容器 {name} 于 {finished} 被 OOM killer 杀死。",
    ),
    (
        "executor-oom-killed.detail-sigkill",
        "子任务 {subtask}（{status}）的容器 {name} 于 {finished} 以退出码 137（SIGKILL）结束。\
         Docker 没有设置 OOMKilled，因此也可能是 `docker kill` 或停止超时所致。",
    ),
    (
        "executor-oom-killed.detail-message",
        "子任务 {subtask} 因 executor-manager 报告的内存耗尽错误而 FAILED；容器已不可用。",
    ),
    (
        "executor-oom-killed.next",
        "为主机或执行器容器增加内存，或缩小任务规模，然后重新发送消息；可在主机上用 `dmesg` 查看 OOM killer 的记录。",
    ),
];

impl Rule for ExecutorOomKilled {
    fn id(&self) -> &'static str {
        "executor-oom-killed"
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
        if !matches!(latest.status.as_str(), "RUNNING" | "FAILED") {
            return;
        }

        let killed = facts
            .active_container
            .filter(|c| has_exited(c) && is_oom_or_sigkill(c));
        if let Some(container) = killed {
            let key = if container.oom_killed {
                "executor-oom-killed.detail"
            } else {
                "executor-oom-killed.detail-sigkill"
            };
            out.push(Finding {
                rule: self.id(),
                severity: self.default_severity(),
                title: Msg::new("executor-oom-killed.title"),
                detail: Msg::new(key)
                    .arg("name", &container.name)
                    .arg("subtask", latest.id)
                    .arg("status", &latest.status)
                    .arg("finished", finished_text(container)),
                evidence: vec![
                    evidence::container(container),
                    evidence::subtask(facts, latest),
                ],
                next_steps: vec![Msg::new("executor-oom-killed.next")],
            });
            return;
        }

        let container_gone = facts.active_container.is_none();
        let message = latest
            .error_message
            .as_deref()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let error_type = current_run::subtask_error_type(latest);
        let reported =
            OOM_MESSAGES.iter().any(|m| message.contains(m)) || error_type == Some("container_oom");
        if latest.status == "FAILED" && container_gone && reported {
            out.push(Finding {
                rule: self.id(),
                severity: self.default_severity(),
                title: Msg::new("executor-oom-killed.title"),
                detail: Msg::new("executor-oom-killed.detail-message").arg("subtask", latest.id),
                evidence: vec![evidence::subtask(facts, latest)],
                next_steps: vec![Msg::new("executor-oom-killed.next")],
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::test_support::*;

    #[test]
    fn flags_oom_killed_container() {
        let mut bundle = running_fork_bundle();
        let container = container_mut(&mut bundle);
        *container = executor_container(EXECUTOR, "exited", Some(137));
        container.oom_killed = true;

        let findings = run_rule(&ExecutorOomKilled, &bundle);

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].detail.key, "executor-oom-killed.detail");
    }

    #[test]
    fn flags_exit_137_as_sigkill() {
        let mut bundle = running_fork_bundle();
        *container_mut(&mut bundle) = executor_container(EXECUTOR, "exited", Some(137));

        let findings = run_rule(&ExecutorOomKilled, &bundle);

        assert_eq!(findings[0].detail.key, "executor-oom-killed.detail-sigkill");
    }

    #[test]
    fn explains_upstream_failure_message() {
        let mut bundle = running_fork_bundle();
        bundle.containers.as_mut().unwrap().containers.clear();
        let latest = assistant_mut(&mut bundle);
        latest.status = "FAILED".into();
        latest.error_message =
            Some("Executor was killed due to Out Of Memory (OOM). Reduce the workload.".into());

        let findings = run_rule(&ExecutorOomKilled, &bundle);

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].detail.key, "executor-oom-killed.detail-message");
    }

    #[test]
    fn ignores_container_exited_with_error() {
        let mut bundle = running_fork_bundle();
        *container_mut(&mut bundle) = executor_container(EXECUTOR, "exited", Some(1));

        assert!(run_rule(&ExecutorOomKilled, &bundle).is_empty());
    }
}
