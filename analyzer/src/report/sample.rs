//! Hand-built analyses and render options for the renderer tests.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};

use crate::bundle::model::{Flavour, RedactionSummary, SourceEntry, SourceStatus};
use crate::engine::{
    Analysis, ClockCalibration, CollectionState, Evidence, Finding, Msg, Severity, SubtaskSummary,
    TaskSummary, TimelineEvent, Verdict,
};
use crate::i18n::Lang;
use crate::report::RenderOptions;

/// Render options without colour, in `lang`, showing at most `limit` subtasks.
pub(crate) fn plain_options(lang: Lang, limit: Option<usize>) -> RenderOptions {
    RenderOptions {
        lang,
        color: false,
        subtasks_limit: limit,
    }
}

/// 2026-08-14 06:00:00 UTC plus `minutes`.
pub(crate) fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 8, 14, 6, 0, 0).unwrap() + chrono::Duration::minutes(minutes)
}

/// Builds a subtask whose ids and times derive from `id`.
pub(crate) fn subtask(id: i64) -> SubtaskSummary {
    SubtaskSummary {
        id,
        message_id: id,
        role: if id % 2 == 1 {
            "USER".into()
        } else {
            "ASSISTANT".into()
        },
        status: "COMPLETED".into(),
        progress: 100,
        executor_name: None,
        created_at: Some(at(id)),
        updated_at: Some(at(id + 1)),
        error_message: None,
    }
}

/// Builds a stuck fork task with one critical and one warning finding, an incomplete source,
/// redactions and evidence whose excerpts contain Markdown and terminal control text.
pub(crate) fn stuck() -> Analysis {
    let mut active = subtask(302);
    active.status = "RUNNING".into();
    active.progress = 50;
    active.executor_name = Some("wegent-task-alice-89-302".into());
    active.updated_at = Some(at(10));

    let mut failed = subtask(300);
    failed.status = "FAILED".into();
    failed.error_message = Some("model gateway answered 503 | retry later".into());

    let executor_missing = Finding {
        rule: "executor-missing",
        severity: Severity::Critical,
        title: Msg::new("executor-missing.title").arg("name", "wegent-task-alice-89-302"),
        detail: Msg::new("executor-missing.detail").arg("subtask", 302),
        evidence: vec![
            Evidence::new(
                "db/subtasks.json",
                "id=302",
                "executor_name=wegent-task-alice-89-302",
            ),
            Evidence::new(
                "services/executor-manager.json",
                "/executors/0/probe/status",
                "404 | not `found` <script>alert(1)</script>",
            ),
            Evidence::new(
                "logs/executor-manager.txt",
                "line 1042",
                "first line\n```\n\x1b[31mred",
            ),
        ],
        next_steps: vec![Msg::new("executor-missing.next")],
    };

    let stale_error = Finding {
        rule: "stale-error-message",
        severity: Severity::Warning,
        title: Msg::new("stale-error-message.title"),
        detail: Msg::new("stale-error-message.detail"),
        evidence: vec![Evidence::new(
            "db/task.json",
            "/status/errorMessage",
            "previous failure",
        )],
        next_steps: vec![],
    };

    let mut by_rule = BTreeMap::new();
    by_rule.insert("bearer-token".to_string(), 3);
    by_rule.insert("github-token".to_string(), 1);

    Analysis {
        task_id: 89,
        verdict: Verdict::Stuck,
        summary: Msg::new("summary.stuck").arg("rule", "executor-missing"),
        flavour: Flavour::Fork,
        now: at(60),
        collected_at: Some(at(60)),
        clock: ClockCalibration {
            backend_offset_seconds: 0,
            db_session_offset_seconds: 8 * 3600,
            em_offset_seconds: 8 * 3600,
            basis: vec![Msg::new("clock.basis-session").arg("offset", "+08:00")],
        },
        task: Some(TaskSummary {
            kind: "Task".into(),
            status: Some("RUNNING".into()),
            progress: Some(50),
            status_phase: Some("EXECUTING".into()),
            task_type: Some("code".into()),
            source: Some("web".into()),
            is_active: 1,
            updated_at: Some(at(10)),
        }),
        subtasks: vec![subtask(299), failed, subtask(301), active],
        findings: vec![executor_missing, stale_error],
        timeline: vec![
            TimelineEvent {
                at: at(2),
                source: "db/subtasks.json".into(),
                event: Msg::new("timeline.subtask-created").arg("id", 302),
            },
            TimelineEvent {
                at: at(10),
                source: "logs/executor-manager.txt".into(),
                event: Msg::new("timeline.log-line").arg("text", "dispatch | ok"),
            },
        ],
        collection: CollectionState {
            incomplete_sources: vec!["docker".into()],
            sources: vec![
                SourceEntry {
                    name: "db".into(),
                    status: SourceStatus::Ok,
                    duration_ms: 120,
                    error: None,
                    truncation: vec![],
                    members: vec!["db/task.json".into()],
                },
                SourceEntry {
                    name: "docker".into(),
                    status: SourceStatus::Failed,
                    duration_ms: 5000,
                    error: Some("permission denied on /var/run/docker.sock".into()),
                    truncation: vec![],
                    members: vec![],
                },
                SourceEntry {
                    name: "logs".into(),
                    status: SourceStatus::Ok,
                    duration_ms: 800,
                    error: None,
                    truncation: vec!["executor log capped at 5 MB".into()],
                    members: vec![],
                },
            ],
        },
        redaction: RedactionSummary {
            total: 4,
            by_rule,
            by_member: BTreeMap::new(),
            pseudonymized: false,
        },
    }
}

/// Builds a completed task without findings, subtasks or events.
pub(crate) fn completed() -> Analysis {
    Analysis {
        task_id: 7,
        verdict: Verdict::Completed,
        summary: Msg::new("summary.completed"),
        flavour: Flavour::Upstream,
        now: at(0),
        collected_at: None,
        clock: ClockCalibration {
            backend_offset_seconds: 0,
            db_session_offset_seconds: 0,
            em_offset_seconds: 8 * 3600,
            basis: vec![],
        },
        task: None,
        subtasks: vec![],
        findings: vec![],
        timeline: vec![],
        collection: CollectionState::default(),
        redaction: RedactionSummary::default(),
    }
}
