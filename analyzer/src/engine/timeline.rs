//! The merged timeline of a task on one clock (UTC after the calibrated offsets).
//!
//! Events come from the task row (created, updated), the newest subtasks (created, and
//! updated or completed when that adds information), the task's executor containers
//! (created, started, finished) and the kept log lines that concern the task. Log lines
//! are many, so only lines with a keyword (error, failed, callback, dispatch, exit,
//! cancel, ...) are kept, and of those only the newest [`MAX_LOG_EVENTS`].

use chrono::{DateTime, Utc};

use super::analysis::{Msg, TimelineEvent};
use super::clock::parse_utc;
use super::evidence::clip_to;
use super::facts::Facts;
use crate::bundle::loaded::Bundle;
use crate::bundle::model::members;

/// Most log lines shown in a timeline.
pub const MAX_LOG_EVENTS: usize = 40;

/// Most subtasks shown in a timeline, newest first.
pub const MAX_SUBTASKS: usize = 20;

/// Maximum length of the log text in a timeline event, in characters.
const MAX_LOG_TEXT_CHARS: usize = 200;

/// Words that make a log line worth a timeline entry (matched case-insensitively).
const KEYWORDS: [&str; 22] = [
    "error",
    "fail",
    "exception",
    "traceback",
    "timed out",
    "timeout",
    "refused",
    "oom",
    "exit",
    "killed",
    "callback",
    "dispatch",
    "started docker container",
    "recreat",
    "cancel",
    "completed",
    "not found",
    "not running",
    "enqueued",
    "dequeued",
    "no available",
    "delet",
];

/// Builds the timeline, sorted by time.
pub fn build(bundle: &Bundle, facts: &Facts<'_>) -> Vec<TimelineEvent> {
    let mut events = Vec::new();

    task_events(facts, &mut events);
    subtask_events(facts, &mut events);
    container_events(facts, &mut events);
    log_events(facts, &mut events);

    if let Some(collected) = bundle
        .manifest
        .as_ref()
        .and_then(|m| parse_utc(&m.collected_at))
    {
        events.push(event(
            collected,
            members::MANIFEST,
            Msg::new("timeline.collected"),
        ));
    }

    events.sort_by_key(|e| e.at);
    events
}

fn event(at: DateTime<Utc>, source: &str, msg: Msg) -> TimelineEvent {
    TimelineEvent {
        at,
        source: source.to_string(),
        event: msg,
    }
}

fn task_events(facts: &Facts<'_>, events: &mut Vec<TimelineEvent>) {
    let Some(task) = facts.task else {
        return;
    };
    if let Some(at) = facts.task_created() {
        events.push(event(
            at,
            members::DB_TASK,
            Msg::new("timeline.task-created").arg("task", task.id),
        ));
    }
    if let Some(at) = facts.task_updated() {
        let status = facts.task_status.clone().unwrap_or_default();
        events.push(event(
            at,
            members::DB_TASK,
            Msg::new("timeline.task-updated")
                .arg("task", task.id)
                .arg("status", status),
        ));
    }
}

fn subtask_events(facts: &Facts<'_>, events: &mut Vec<TimelineEvent>) {
    let skip = facts.subtasks.len().saturating_sub(MAX_SUBTASKS);

    for row in facts.subtasks.iter().skip(skip) {
        let created = facts.subtask_created(row);
        if let Some(at) = created {
            let msg = Msg::new("timeline.subtask-created")
                .arg("id", row.id)
                .arg("role", &row.role);
            events.push(event(at, members::DB_SUBTASKS, msg));
        }

        let completed = facts.subtask_completed(row);
        if let Some(at) = completed {
            let msg = Msg::new("timeline.subtask-completed")
                .arg("id", row.id)
                .arg("status", &row.status);
            events.push(event(at, members::DB_SUBTASKS, msg));
        }

        // An update within a few seconds of creation or completion adds nothing.
        let near = |a: Option<DateTime<Utc>>, b: DateTime<Utc>| {
            a.is_some_and(|a| (a - b).num_seconds().abs() <= 5)
        };
        if let Some(at) = facts.subtask_updated(row)
            && !near(created, at)
            && !near(completed, at)
        {
            let msg = Msg::new("timeline.subtask-updated")
                .arg("id", row.id)
                .arg("status", &row.status)
                .arg("progress", row.progress);
            events.push(event(at, members::DB_SUBTASKS, msg));
        }
    }
}

fn container_events(facts: &Facts<'_>, events: &mut Vec<TimelineEvent>) {
    for container in &facts.executor_containers {
        let name = &container.name;
        if let Some(at) = container.created.as_deref().and_then(parse_utc) {
            events.push(event(
                at,
                members::CONTAINERS,
                Msg::new("timeline.container-created").arg("name", name),
            ));
        }
        if let Some(at) = container.started_at.as_deref().and_then(parse_utc) {
            events.push(event(
                at,
                members::CONTAINERS,
                Msg::new("timeline.container-started").arg("name", name),
            ));
        }
        let finished = matches!(container.state.as_str(), "exited" | "dead");
        if let Some(at) = container
            .finished_at
            .as_deref()
            .and_then(parse_utc)
            .filter(|_| finished)
        {
            let code = container
                .exit_code
                .map(|c| c.to_string())
                .unwrap_or_else(|| "?".into());
            let key = if container.oom_killed {
                "timeline.container-oom-killed"
            } else {
                "timeline.container-finished"
            };
            let msg = Msg::new(key).arg("name", name).arg("code", code);
            events.push(event(at, members::CONTAINERS, msg));
        }
    }
}

fn log_events(facts: &Facts<'_>, events: &mut Vec<TimelineEvent>) {
    let mut matching: Vec<(DateTime<Utc>, &crate::bundle::loaded::LogLine)> = facts
        .task_lines
        .iter()
        .filter(|line| {
            let lower = line.text.to_ascii_lowercase();
            KEYWORDS.iter().any(|w| lower.contains(w))
        })
        .filter_map(|line| facts.log_time(line).map(|at| (at, *line)))
        .collect();

    matching.sort_by_key(|(at, line)| (*at, line.member.clone(), line.line_no));
    let skip = matching.len().saturating_sub(MAX_LOG_EVENTS);

    for (at, line) in matching.into_iter().skip(skip) {
        let msg = Msg::new("timeline.log-line")
            .arg("line", line.line_no)
            .arg("text", clip_to(&line.text, MAX_LOG_TEXT_CHARS));
        events.push(event(at, &line.member, msg));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rule::Options;
    use crate::engine::test_support::*;

    #[test]
    fn build_orders_events_on_utc() {
        let bundle = running_fork_bundle();
        let facts = Facts::from_bundle(&bundle, &Options::default());

        let timeline = build(&bundle, &facts);

        assert!(timeline.windows(2).all(|w| w[0].at <= w[1].at));
        let first = &timeline[0];
        assert_eq!(first.event.key, "timeline.task-created");
        assert_eq!(first.at.to_rfc3339(), "2026-01-20T06:00:00+00:00");
        assert_eq!(
            timeline.last().map(|e| e.event.key),
            Some("timeline.collected")
        );
    }

    #[test]
    fn build_corrects_session_clock_of_subtasks() {
        let bundle = running_fork_bundle();
        let facts = Facts::from_bundle(&bundle, &Options::default());

        let timeline = build(&bundle, &facts);

        let created = timeline
            .iter()
            .find(|e| e.event.key == "timeline.subtask-created")
            .unwrap();
        assert_eq!(created.at.to_rfc3339(), "2026-01-20T06:00:01+00:00");
    }

    #[test]
    fn build_bounds_log_events() {
        let mut bundle = running_fork_bundle();
        for n in 0..100 {
            let text = format!("Request failed (attempt {n}/10) task_id=89");
            bundle.log_lines.push(log_line(
                "logs/executor-manager.txt",
                n + 1,
                "2026-01-20 06:10:00",
                &text,
            ));
        }
        bundle.log_lines.push(log_line(
            "logs/executor-manager.txt",
            200,
            "2026-01-20 06:11:00",
            "idle task_id=89",
        ));
        let facts = Facts::from_bundle(&bundle, &Options::default());

        let timeline = build(&bundle, &facts);

        let logs = timeline
            .iter()
            .filter(|e| e.event.key == "timeline.log-line")
            .count();
        assert_eq!(logs, MAX_LOG_EVENTS);
    }
}
