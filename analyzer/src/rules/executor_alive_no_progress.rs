//! The container runs, but the task has shown no activity for longer than the threshold.
//!
//! ### What it checks
//! The newest assistant subtask is RUNNING, its container has state `running`, and the
//! newest sign of activity is older than `--stale-after` (30 minutes by default) at the
//! reference time. Activity is the newest of: `tasks.updated_at`, `$.status.updatedAt`,
//! the subtasks' `created_at`/`updated_at` (each on its calibrated clock), the container's
//! start, and the newest log line of the task that is not housekeeping. Heartbeats,
//! cleanup-job lines and the collector's own probes do not count: a fresh heartbeat shows
//! that the process lives, not that the task moves.
//!
//! ### Why it matters
//! A live but idle executor is the usual face of a lost callback: the executor finished
//! or gave up, the update never reached the database, and nothing will retry it. Restarting
//! nothing helps until the lost step is found.
//!
//! ### Known problems
//! Upstream does not update the subtask while an agent works, and long agent turns log
//! little, so a turn that really runs for longer than the threshold fires the rule. Raise
//! `--stale-after` for such tasks.
//!
//! ### Evidence
//! `db/task.json`, `db/subtasks.json` (times), `services/containers.json` (state),
//! `executors/<name>/logs.txt` and `logs/*.txt` (newest task line), `services/redis.json`
//! (heartbeat age, shown for contrast).
//!
//! ### Fix
//! Read the end of the executor log: a finished answer means the final callback was lost
//! (look for callback errors in executor-manager and backend logs); a hang means the agent
//! waits on a tool or the model. Cancel and resend, or set the outcome by hand.

use crate::engine::clock::{format_duration, format_utc};
use crate::engine::facts::Facts;
use crate::engine::{Context, Evidence, Finding, Msg, Rule, Severity, evidence};
use crate::i18n::Lang;

/// See the module documentation.
pub struct ExecutorAliveNoProgress;

static EN: &[(&str, &str)] = &[
    (
        "executor-alive-no-progress.title",
        "the executor runs but the task has not progressed",
    ),
    (
        "executor-alive-no-progress.detail",
        "Container {name} is running, but the last activity of subtask {subtask} was at {last}, {age} before the reference \
         time, longer than the {threshold} threshold. A live container or a fresh heartbeat does not mean the task progresses.",
    ),
    (
        "executor-alive-no-progress.next",
        "Read the end of executors/{name}/logs.txt: a finished answer means the final callback was lost (search \
         logs/executor-manager.txt and the backend log for callback errors); a hang means the agent waits on a tool or the \
         model. Then cancel and resend the message, or set the outcome by hand.",
    ),
];

static ZH: &[(&str, &str)] = &[
    (
        "executor-alive-no-progress.title",
        "执行器在运行，但任务没有进展",
    ),
    (
        "executor-alive-no-progress.detail",
        "容器 {name} 正在运行，但子任务 {subtask} 的最后活动时间为 {last}，距参考时间已有 {age}，超过阈值 {threshold}。\
         容器存活或心跳新鲜并不代表任务在推进。",
    ),
    (
        "executor-alive-no-progress.next",
        "查看 executors/{name}/logs.txt 末尾：若回答已完成，说明最终回调丢失（在 logs/executor-manager.txt 和后端日志中\
         搜索回调错误）；若卡住，说明智能体在等待工具或模型。然后取消并重新发送消息，或手动设置结果。",
    ),
];

/// Finds the newest task log line that counts as activity.
pub(crate) fn newest_activity_line<'a>(
    facts: &Facts<'a>,
) -> Option<&'a crate::bundle::loaded::LogLine> {
    facts
        .task_lines
        .iter()
        .copied()
        .filter(|line| !Facts::is_housekeeping(line))
        .filter_map(|line| facts.log_time(line).map(|at| (at, line)))
        .max_by_key(|(at, _)| *at)
        .map(|(_, line)| line)
}

impl Rule for ExecutorAliveNoProgress {
    fn id(&self) -> &'static str {
        "executor-alive-no-progress"
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
        let (Some(latest), Some(container), Some(last)) = (
            facts.latest_assistant,
            facts.active_container,
            facts.last_activity,
        ) else {
            return;
        };
        let age = facts.age(last);
        if latest.status != "RUNNING"
            || container.state != "running"
            || age <= cx.options.stale_after
        {
            return;
        }

        let mut evidence = vec![
            evidence::container(container),
            evidence::subtask(facts, latest),
        ];
        evidence.extend(facts.task.map(|task| evidence::task_status(facts, task)));
        evidence.extend(newest_activity_line(facts).map(evidence::log));
        let heartbeat = cx.bundle.redis.as_ref().and_then(|r| r.heartbeat.as_ref());
        if let Some(age) = heartbeat.and_then(|h| h.age_seconds) {
            evidence.push(Evidence::new(
                crate::bundle::model::members::REDIS,
                "/heartbeat/age_seconds",
                format!("{age:.0}"),
            ));
        }

        out.push(Finding {
            rule: self.id(),
            severity: self.default_severity(),
            title: Msg::new("executor-alive-no-progress.title"),
            detail: Msg::new("executor-alive-no-progress.detail")
                .arg("name", &container.name)
                .arg("subtask", latest.id)
                .arg("last", format_utc(last))
                .arg("age", format_duration(age))
                .arg("threshold", format_duration(cx.options.stale_after)),
            evidence,
            next_steps: vec![
                Msg::new("executor-alive-no-progress.next").arg("name", &container.name),
            ],
        });
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};

    use super::*;
    use crate::engine::rule::Options;
    use crate::engine::test_support::*;

    fn two_hours_later() -> Options {
        Options {
            now: Some(Utc.with_ymd_and_hms(2026, 1, 20, 9, 0, 0).unwrap()),
            ..Options::default()
        }
    }

    #[test]
    fn flags_idle_running_container() {
        let bundle = running_fork_bundle();

        let findings = run_rule_with(&ExecutorAliveNoProgress, &bundle, &two_hours_later());

        assert_eq!(findings.len(), 1);
        assert!(
            findings[0]
                .detail
                .args
                .contains(&("age", "2h02m".to_string()))
        );
    }

    #[test]
    fn ignores_recent_activity() {
        let bundle = running_fork_bundle();

        assert!(run_rule(&ExecutorAliveNoProgress, &bundle).is_empty());
    }

    #[test]
    fn counts_recent_log_line_as_activity() {
        let mut bundle = running_fork_bundle();
        let member = crate::bundle::model::members::executor_logs(EXECUTOR);
        bundle.log_lines.push(log_line(
            &member,
            40,
            "2026-01-20 08:50:00",
            "tool call finished",
        ));

        assert!(run_rule_with(&ExecutorAliveNoProgress, &bundle, &two_hours_later()).is_empty());
    }

    #[test]
    fn respects_stale_after_option() {
        let bundle = running_fork_bundle();
        let options = Options {
            stale_after: Duration::hours(3),
            ..two_hours_later()
        };

        assert!(run_rule_with(&ExecutorAliveNoProgress, &bundle, &options).is_empty());
    }
}
