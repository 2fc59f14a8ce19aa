//! The task is PENDING or RUNNING, but an earlier run left `$.status.completedAt` set.
//!
//! ### What it checks
//!
//! `$.status.status` of the task row is PENDING or RUNNING while `$.status.completedAt`
//! contains a non-empty value. A `$.status.progress` of 100 is added as evidence too, because
//! an upstream follow-up run keeps it from the previous run.
//!
//! ### Why it matters
//!
//! Upstream follow-up runs do not reset `completedAt`, `errorMessage` or `progress` of the
//! task, so a running task can look finished to anyone, or any script, that reads those
//! fields. It is a misleading field, not a failure.
//!
//! ### Evidence
//!
//! `db/task.json` (`/status/status`, `/status/completedAt`, `/status/progress`).
//!
//! ### Fix
//!
//! Ignore `completedAt` while the task is PENDING or RUNNING and judge the run by its
//! latest assistant subtask; tools should read `$.status.status` first.

use serde_json::Value;

use crate::bundle::model::members;
use crate::engine::{Context, Evidence, Finding, Msg, Rule, Severity};
use crate::i18n::Lang;

pub struct StaleCompletedAt;

impl Rule for StaleCompletedAt {
    fn id(&self) -> &'static str {
        "stale-completed-at"
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
        let Some(task) = cx.facts.task else {
            return;
        };
        let Some(status) = cx
            .facts
            .task_status
            .as_deref()
            .filter(|s| matches!(*s, "PENDING" | "RUNNING"))
        else {
            return;
        };
        let completed_at = match task.json.pointer("/status/completedAt") {
            Some(Value::String(text)) if !text.trim().is_empty() => text.trim(),
            _ => return,
        };

        let mut evidence = vec![
            Evidence::new(members::DB_TASK, "/status/status", status),
            Evidence::new(members::DB_TASK, "/status/completedAt", completed_at),
        ];
        let progress = task
            .json
            .pointer("/status/progress")
            .and_then(Value::as_i64);
        if progress == Some(100) {
            evidence.push(Evidence::new(members::DB_TASK, "/status/progress", "100"));
        }

        out.push(Finding {
            rule: self.id(),
            severity: self.default_severity(),
            title: Msg::new("stale-completed-at.title"),
            detail: Msg::new("stale-completed-at.detail")
                .arg("status", status)
                .arg("completed_at", completed_at),
            evidence,
            next_steps: vec![
                Msg::new("stale-completed-at.next"),
                Msg::new("stale-completed-at.next-tools"),
            ],
        });
    }
}

static EN: &[(&str, &str)] = &[
    (
        "stale-completed-at.title",
        "completedAt is set although the task has not finished",
    ),
    (
        "stale-completed-at.detail",
        "The task is {status} but $.status.completedAt is {completed_at}. Follow-up runs do not reset completedAt (nor errorMessage and progress), so the value belongs to an earlier run and says nothing about the current one.",
    ),
    (
        "stale-completed-at.next",
        "Judge the task by its latest assistant subtask and the other findings of this report, not by completedAt.",
    ),
    (
        "stale-completed-at.next-tools",
        "Scripts or dashboards that treat a set completedAt as \"done\" should check $.status.status first.",
    ),
];

static ZH: &[(&str, &str)] = &[
    (
        "stale-completed-at.title",
        "任务尚未结束，但 completedAt 已有值",
    ),
    (
        "stale-completed-at.detail",
        "任务状态为 {status}，但 $.status.completedAt 为 {completed_at}。后续追加的执行不会重置 completedAt（以及 errorMessage 和 progress），该值来自更早的一次执行，与当前执行无关。",
    ),
    (
        "stale-completed-at.next",
        "请依据最新的 assistant 子任务和本报告的其他发现判断任务状态，而不是 completedAt。",
    ),
    (
        "stale-completed-at.next-tools",
        "把 completedAt 有值当作“已完成”的脚本或看板，应先检查 $.status.status。",
    ),
];

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::rules::test_support::*;

    fn with_task_status(status: &str, extra: Value) -> crate::bundle::loaded::Bundle {
        let mut bundle = bundle(status, "RUNNING");
        bundle.task = Some(Some(task_row(status, extra)));
        bundle
    }

    #[test]
    fn flags_completed_at_on_running_task() {
        let bundle = with_task_status(
            "RUNNING",
            json!({ "completedAt": "2026-01-19T10:00:00.123456", "progress": 100 }),
        );

        let findings = run(&StaleCompletedAt, &bundle);

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].evidence.len(), 3);
        assert_eq!(findings[0].evidence[1].locator, "/status/completedAt");
        assert_catalogue(&StaleCompletedAt, &findings);
    }

    #[test]
    fn ignores_null_completed_at() {
        let bundle = with_task_status("RUNNING", json!({ "completedAt": null }));

        assert!(run(&StaleCompletedAt, &bundle).is_empty());
    }

    #[test]
    fn ignores_completed_at_of_finished_task() {
        let bundle = with_task_status("COMPLETED", json!({ "completedAt": "2026-01-20T06:10:00" }));

        assert!(run(&StaleCompletedAt, &bundle).is_empty());
    }
}
