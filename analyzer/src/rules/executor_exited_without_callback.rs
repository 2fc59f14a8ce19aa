//! The container exited normally while its subtask is still RUNNING.
//!
//! ### What it checks
//! The newest assistant subtask is RUNNING and its container has state `exited` with exit
//! code 0 (and was not OOM-killed).
//!
//! ### Why it matters
//! An executor that ends cleanly has finished its work, so the terminal event (COMPLETED
//! or FAILED) was sent and lost, or never sent. Upstream's executor-manager sees exit code
//! 0 as a normal end and only cleans up its tracker ("exited normally (code 0)"); neither
//! flavour repairs the subtask, which stays RUNNING.
//!
//! ### Evidence
//! `db/subtasks.json`, `services/containers.json` (state, exit code, finish time),
//! `executors/<name>/logs.txt` and `logs/executor-manager.txt` (callback lines).
//!
//! ### Fix
//! Look for the last callback in the executor and executor-manager logs to see where the
//! terminal event was lost (backend down, callback rejected), then set the subtask and
//! task to the outcome the executor log shows, or send the message again.

use crate::engine::{Context, Finding, Msg, Rule, Severity, evidence};
use crate::i18n::Lang;

use super::executor_exited::{finished_text, has_exited, is_oom_or_sigkill};

/// See the module documentation.
pub struct ExecutorExitedWithoutCallback;

static EN: &[(&str, &str)] = &[
    (
        "executor-exited-without-callback.title",
        "the executor finished but its final callback never arrived",
    ),
    (
        "executor-exited-without-callback.detail",
        "Container {name} exited with code 0 at {finished}, yet subtask {subtask} is still RUNNING. \
         The terminal event was lost on its way to the backend, and executor-manager does not repair such a subtask.",
    ),
    (
        "executor-exited-without-callback.next",
        "Compare the last callback lines in executors/{name}/logs.txt and logs/executor-manager.txt to find where the \
         event was lost, then set the subtask and task to the outcome the executor log shows, or send the message again.",
    ),
];

static ZH: &[(&str, &str)] = &[
    (
        "executor-exited-without-callback.title",
        "执行器已正常结束，但最终回调没有送达",
    ),
    (
        "executor-exited-without-callback.detail",
        "容器 {name} 于 {finished} 以退出码 0 退出，但子任务 {subtask} 仍为 RUNNING。\
         终态事件在发往后端的途中丢失，而 executor-manager 不会修复这种子任务。",
    ),
    (
        "executor-exited-without-callback.next",
        "对照 executors/{name}/logs.txt 与 logs/executor-manager.txt 中最后的回调记录，找出事件丢失的位置；\
         然后按执行器日志所示结果设置子任务和任务状态，或重新发送消息。",
    ),
];

impl Rule for ExecutorExitedWithoutCallback {
    fn id(&self) -> &'static str {
        "executor-exited-without-callback"
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
        if latest.status != "RUNNING"
            || !has_exited(container)
            || container.exit_code != Some(0)
            || is_oom_or_sigkill(container)
        {
            return;
        }

        let mut evidence = vec![
            evidence::container(container),
            evidence::subtask(facts, latest),
        ];
        evidence.extend(
            facts
                .task_lines_containing(&["callback"])
                .into_iter()
                .rev()
                .take(3)
                .map(evidence::log),
        );

        out.push(Finding {
            rule: self.id(),
            severity: self.default_severity(),
            title: Msg::new("executor-exited-without-callback.title"),
            detail: Msg::new("executor-exited-without-callback.detail")
                .arg("name", &container.name)
                .arg("subtask", latest.id)
                .arg("finished", finished_text(container)),
            evidence,
            next_steps: vec![
                Msg::new("executor-exited-without-callback.next").arg("name", &container.name),
            ],
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::test_support::*;

    #[test]
    fn flags_clean_exit_of_running_subtask() {
        let mut bundle = running_fork_bundle();
        *container_mut(&mut bundle) = executor_container(EXECUTOR, "exited", Some(0));
        bundle.log_lines.push(log_line(
            "logs/executor-manager.txt",
            7,
            "2026-01-20 06:29:59",
            "Failed to update status for task 89: callback rejected",
        ));

        let findings = run_rule(&ExecutorExitedWithoutCallback, &bundle);

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Critical);
        assert_eq!(findings[0].evidence.len(), 3);
    }

    #[test]
    fn ignores_completed_subtask() {
        let mut bundle = running_fork_bundle();
        *container_mut(&mut bundle) = executor_container(EXECUTOR, "exited", Some(0));
        assistant_mut(&mut bundle).status = "COMPLETED".into();

        assert!(run_rule(&ExecutorExitedWithoutCallback, &bundle).is_empty());
    }

    #[test]
    fn ignores_non_zero_exit() {
        let mut bundle = running_fork_bundle();
        *container_mut(&mut bundle) = executor_container(EXECUTOR, "exited", Some(1));

        assert!(run_rule(&ExecutorExitedWithoutCallback, &bundle).is_empty());
    }
}
