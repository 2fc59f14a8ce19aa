//! Builders of [`Evidence`] for the bundle members rules cite most: subtask rows, the task
//! row, containers, executor-manager probes and log lines. Excerpts are short, one line,
//! and copy only values that the bundle already contains in redacted form.

use chrono::{DateTime, Utc};

use super::analysis::{Evidence, Msg};
use super::clock::{is_unset, parse_naive};
use super::facts::Facts;
use crate::bundle::loaded::LogLine;
use crate::bundle::model::{ContainerInfo, ExecutorProbe, SubtaskRow, TaskRow, members};

/// Maximum excerpt length, in characters; longer values are cut and end in `…`.
pub const MAX_EXCERPT_CHARS: usize = 300;

/// How many of the newest matching log lines [`newest_logs`] cites.
pub const NEWEST_LINES: usize = 3;

/// Cuts a text to [`MAX_EXCERPT_CHARS`] characters on a character boundary.
pub fn clip(text: &str) -> String {
    clip_to(text, MAX_EXCERPT_CHARS)
}

/// Cuts a text to `max` characters on a character boundary.
pub fn clip_to(text: &str, max: usize) -> String {
    let text = text.trim();
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// Writes a stored DB time with its UTC equivalent: `2026-01-25 11:08:00 (2026-01-25
/// 03:08:00 UTC)`, or `2026-01-25 03:08:00 (UTC)` when the stored clock is UTC already.
/// Values without an instant (unparsable, or the 1970 sentinel) stay as stored.
fn with_utc(stored: &str, utc: Option<DateTime<Utc>>) -> String {
    let Some(utc) = utc else {
        return stored.to_string();
    };
    let utc_text = utc.format("%Y-%m-%d %H:%M:%S").to_string();
    match parse_naive(stored) {
        Some(naive) if naive == utc.naive_utc() => format!("{stored} (UTC)"),
        Some(_) => format!("{stored} ({utc_text} UTC)"),
        None => stored.to_string(),
    }
}

/// Cites one subtask row: status, progress, executor and times. Each stored time is
/// followed by its UTC equivalent, because the row mixes the MySQL session clock
/// (`created_at`) and the backend clock (`completed_at`).
pub fn subtask(facts: &Facts<'_>, row: &SubtaskRow) -> Evidence {
    let mut parts = vec![
        format!("role={}", row.role),
        format!("status={}", row.status),
        format!("progress={}", row.progress),
        format!(
            "executor_name={}",
            row.executor_name.as_deref().unwrap_or("")
        ),
        format!("executor_deleted_at={}", row.executor_deleted_at),
    ];
    let completed_utc = row
        .completed_at
        .as_deref()
        .and_then(parse_naive)
        .filter(|v| !is_unset(*v))
        .map(|v| facts.clock.backend_to_utc(v));
    for (name, value, utc) in [
        ("created_at", &row.created_at, facts.subtask_created(row)),
        ("updated_at", &row.updated_at, facts.subtask_updated(row)),
        ("completed_at", &row.completed_at, completed_utc),
    ] {
        if let Some(value) = value {
            parts.push(format!("{name}={}", with_utc(value, utc)));
        }
    }
    if let Some(error) = row.error_message.as_deref().filter(|e| !e.is_empty()) {
        parts.push(format!("error_message={}", clip_to(error, 160)));
    }
    Evidence::new(
        members::DB_SUBTASKS,
        format!("id={}", row.id),
        clip(&parts.join(" ")),
    )
}

/// Cites the task row's status fields. `statusPhase` appears only when the row has it,
/// because upstream tasks have no such field.
pub fn task_status(facts: &Facts<'_>, task: &TaskRow) -> Evidence {
    let status = task.json.pointer("/status");
    let field = |name: &str| status.and_then(|s| s.get(name)).map(|v| v.to_string());
    let or_null = |value: Option<String>| value.unwrap_or_else(|| "null".into());

    let mut parts = vec![
        format!("status={}", or_null(field("status"))),
        format!("progress={}", or_null(field("progress"))),
    ];
    if let Some(phase) = field("statusPhase") {
        parts.push(format!("statusPhase={phase}"));
    }
    parts.push(format!(
        "updated_at={}",
        with_utc(&task.updated_at, facts.task_updated())
    ));
    parts.push(format!("is_active={}", task.is_active));
    let excerpt = parts.join(" ");
    Evidence::new(members::DB_TASK, "/status/status", clip(&excerpt))
}

/// Cites one task label.
pub fn task_label(name: &str, value: &str) -> Evidence {
    Evidence::new(
        members::DB_TASK,
        format!("/metadata/labels/{name}"),
        clip(value),
    )
}

/// Cites one container's state from `services/containers.json`.
pub fn container(info: &ContainerInfo) -> Evidence {
    let mut parts = vec![format!("state={}", info.state)];
    // Docker reports exit code 0 for containers that have not exited; it means nothing there.
    if let Some(code) = info
        .exit_code
        .filter(|_| info.state != "running" && info.state != "created")
    {
        parts.push(format!("exit_code={code}"));
    }
    parts.push(format!("oom_killed={}", info.oom_killed));
    for (name, value) in [
        ("started_at", &info.started_at),
        ("finished_at", &info.finished_at),
    ] {
        if let Some(value) = value.as_deref().filter(|v| !v.starts_with("0001-")) {
            parts.push(format!("{name}={value}"));
        }
    }
    if let Some(error) = info.error.as_deref().filter(|e| !e.is_empty()) {
        parts.push(format!("error={}", clip_to(error, 160)));
    }
    Evidence::new(
        members::CONTAINERS,
        format!("name={}", info.name),
        clip(&parts.join(" ")),
    )
}

/// Cites the absence of a container from the Docker listing.
pub fn container_absent(name: &str) -> Evidence {
    Evidence::new(members::CONTAINERS, format!("name={name}"), "")
        .with_note(Msg::new("evidence.no-container-named"))
}

/// Cites the container when Docker lists it. Otherwise, when `expected` is set because the
/// listing should contain one, cites the absence of a container named `name`.
pub fn container_or_absent(
    container: Option<&ContainerInfo>,
    name: &str,
    expected: bool,
) -> Option<Evidence> {
    match container {
        Some(container) => Some(self::container(container)),
        None if expected => Some(container_absent(name)),
        None => None,
    }
}

/// Cites the absence of any container with a label from the Docker listing.
pub fn label_absent(label: &str, value: impl std::fmt::Display) -> Evidence {
    Evidence::new(members::CONTAINERS, format!("label {label}={value}"), "")
        .with_note(Msg::new("evidence.no-container-labelled"))
}

/// Cites an HTTP probe that got no response. The note marks the missing response, and the
/// excerpt contains the error the collector recorded, if any.
pub fn no_answer(source: &str, locator: impl Into<String>, error: Option<&str>) -> Evidence {
    Evidence::new(source, locator, clip(error.unwrap_or("")))
        .with_note(Msg::new("evidence.no-answer"))
}

/// Cites executor-manager's response about one executor.
pub fn em_probe(probe: &ExecutorProbe) -> Evidence {
    let locator = format!("executors[{}].{}", probe.executor_name, probe.endpoint);
    let answer = match (&probe.probe.status, &probe.probe.body) {
        (Some(status), Some(body)) => format!("HTTP {status} {body}"),
        (Some(status), None) => format!("HTTP {status}"),
        (None, _) => {
            return no_answer(
                members::EXECUTOR_MANAGER,
                locator,
                probe.probe.error.as_deref(),
            );
        }
    };
    Evidence::new(members::EXECUTOR_MANAGER, locator, clip(&answer))
}

/// Cites one kept log line.
pub fn log(line: &LogLine) -> Evidence {
    Evidence::new(
        line.member.clone(),
        format!("line {}", line.line_no),
        clip(&line.text),
    )
}

/// Cites the newest [`NEWEST_LINES`] of `lines`, which are in bundle order; the newest
/// comes first.
pub fn newest_logs(lines: &[&LogLine]) -> Vec<Evidence> {
    lines
        .iter()
        .rev()
        .take(NEWEST_LINES)
        .map(|line| log(line))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_cuts_on_char_boundary() {
        assert_eq!(clip_to("执行失败了", 2), "执行…");
        assert_eq!(clip_to("short", 10), "short");
    }
}
