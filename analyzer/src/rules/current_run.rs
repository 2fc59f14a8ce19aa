//! The task's current run as the log-reading rules see it. A run starts when its latest
//! assistant subtask was created, and lines written earlier belong to earlier runs. This
//! module gives the run's start on the reference clock, its status, the task's log lines
//! that belong to it and the texts that describe its errors.
//!
//! The task's log lines and the clocks come from [`Facts`], so these rules attribute lines
//! and place them in time the same way as the rest of the engine. This module does not
//! decide anything; the rules that read it do.

use chrono::{DateTime, Duration, Utc};

use crate::bundle::loaded::LogLine;
use crate::bundle::model::{SubtaskRow, members};
use crate::engine::evidence;
use crate::engine::facts::Facts;
use crate::engine::{Context, Evidence, Msg, Severity};

/// Lines written this long before the current run's start still count as part of it,
/// because the subtask row and the log lines come from clocks that can drift a little.
const RUN_START_SLACK: Duration = Duration::minutes(2);

/// True for `executors/<name>/logs.txt`.
pub(crate) fn is_executor_member(member: &str) -> bool {
    member.starts_with("executors/")
}

/// Kept log lines that belong to the task, in bundle order.
pub(crate) fn task_lines<'a>(cx: &Context<'a>) -> Vec<&'a LogLine> {
    cx.facts.task_lines.clone()
}

/// Returns the task's kept log lines that do not predate the current run, in bundle order.
pub(crate) fn run_lines<'a>(cx: &Context<'a>) -> Vec<&'a LogLine> {
    task_lines(cx)
        .into_iter()
        .filter(|line| in_current_run(cx.facts, line))
        .collect()
}

/// True when the line is one of the task's lines (the same line, not an equal text).
pub(crate) fn is_task_line(facts: &Facts<'_>, line: &LogLine) -> bool {
    facts.task_lines.iter().any(|own| std::ptr::eq(*own, line))
}

/// Start of the current run on the reference clock: `created_at` of the latest assistant
/// subtask, which the MySQL session clock writes.
pub(crate) fn run_start(facts: &Facts<'_>) -> Option<DateTime<Utc>> {
    facts.subtask_created(facts.latest_assistant?)
}

/// True unless the line is known to predate the current run. Lines without a time, and
/// all lines when the run start is unknown, count as part of the current run.
pub(crate) fn in_current_run(facts: &Facts<'_>, line: &LogLine) -> bool {
    match (run_start(facts), facts.log_time(line)) {
        (Some(start), Some(at)) => at >= start - RUN_START_SLACK,
        _ => true,
    }
}

/// Status of the execution that counts: the latest assistant subtask's, else the task's.
pub(crate) fn current_status<'a>(facts: &'a Facts<'_>) -> Option<&'a str> {
    match facts.latest_assistant {
        Some(subtask) => Some(subtask.status.as_str()),
        None => facts.task_status.as_deref(),
    }
}

/// True for the statuses of an execution that has not ended.
pub(crate) fn is_active(status: &str) -> bool {
    matches!(status, "PENDING" | "RUNNING")
}

/// True when the current run has not ended, or when nothing shows that it has.
pub(crate) fn run_is_active(facts: &Facts<'_>) -> bool {
    current_status(facts).is_none_or(is_active)
}

/// Returns the task's `$.status.errorMessage` when it contains text.
pub(crate) fn task_error_message<'a>(facts: &'a Facts<'_>) -> Option<&'a str> {
    let text = facts.task?.json.pointer("/status/errorMessage")?.as_str()?;
    (!text.trim().is_empty()).then_some(text)
}

/// Returns the subtask's `error_message` when it contains text.
pub(crate) fn subtask_error_message(subtask: &SubtaskRow) -> Option<&str> {
    let text = subtask.error_message.as_deref()?;
    (!text.trim().is_empty()).then_some(text)
}

/// A text that may state why the current run failed, with where it was found.
pub(crate) struct ErrorText {
    pub(crate) evidence: Evidence,
    pub(crate) text: String,
    /// True for a log line, which can also quote tool output or a prompt. False for the
    /// error fields of the subtask and task rows, which Wegent writes only on failure.
    pub(crate) from_log: bool,
}

/// Collects the texts that describe the current run's errors, in this order:
///
/// 1. the latest assistant subtask's `error_message`;
/// 2. the task's `errorMessage`, when the run failed and it differs from the subtask's;
/// 3. the task's log lines that do not predate the run.
///
/// The task's `errorMessage` of a run that did not fail is left out, because Wegent keeps
/// the message of an earlier failure across follow-up runs.
pub(crate) fn error_texts(cx: &Context<'_>) -> Vec<ErrorText> {
    let facts = cx.facts;
    let mut texts = Vec::new();

    let subtask_error = facts
        .latest_assistant
        .and_then(|subtask| Some((subtask.id, subtask_error_message(subtask)?)));
    if let Some((id, text)) = subtask_error {
        texts.push(ErrorText {
            evidence: Evidence::new(
                members::DB_SUBTASKS,
                format!("id={id} /error_message"),
                excerpt(text),
            ),
            text: text.to_string(),
            from_log: false,
        });
    }

    let run_failed = current_status(facts) == Some("FAILED");
    let task_error = task_error_message(facts).filter(|_| run_failed);
    let repeats_subtask =
        |text: &str| subtask_error.is_some_and(|(_, sub)| sub.trim() == text.trim());
    if let Some(text) = task_error.filter(|text| !repeats_subtask(text)) {
        texts.push(ErrorText {
            evidence: Evidence::new(members::DB_TASK, "/status/errorMessage", excerpt(text)),
            text: text.to_string(),
            from_log: false,
        });
    }

    for line in run_lines(cx) {
        texts.push(ErrorText {
            evidence: line_evidence(line),
            text: line.text.clone(),
            from_log: true,
        });
    }

    texts
}

/// Returns the current run's error texts that `classify` recognises, in [`error_texts`]
/// order, each with its kind and evidence. `classify` receives the text and whether it
/// comes from an error field of the task or subtask row rather than from a log line.
pub(crate) fn classified_errors<K>(
    cx: &Context<'_>,
    classify: impl Fn(&str, bool) -> Option<K>,
) -> Vec<(K, Evidence)> {
    error_texts(cx)
        .into_iter()
        .filter_map(
            |ErrorText {
                 evidence,
                 text,
                 from_log,
             }| Some((classify(&text, !from_log)?, evidence)),
        )
        .collect()
}

/// Returns upstream's classifier code in the subtask's `result.error_type`, when set.
pub(crate) fn subtask_error_type(subtask: &SubtaskRow) -> Option<&str> {
    subtask.result.as_ref()?.get("error_type")?.as_str()
}

/// Returns upstream's classifier code in the latest assistant subtask's
/// `result.error_type`, with evidence pointing at it.
pub(crate) fn result_error_type<'a>(cx: &Context<'a>) -> Option<(&'a str, Evidence)> {
    let subtask = cx.facts.latest_assistant?;
    let error_type = subtask_error_type(subtask)?;
    let evidence = Evidence::new(
        members::DB_SUBTASKS,
        format!("id={} /result/error_type", subtask.id),
        error_type,
    );
    Some((error_type, evidence))
}

/// Returns the severity of a finding about the current run's errors: a warning when the
/// run completed or was cancelled anyway, else critical.
pub(crate) fn error_severity(status: Option<&str>) -> Severity {
    match status {
        Some("COMPLETED" | "CANCELLED") => Severity::Warning,
        _ => Severity::Critical,
    }
}

/// Builds the manual next step that marks `subtask` and the task FAILED in the database,
/// with `reason` as the error message.
pub(crate) fn mark_failed_step(facts: &Facts<'_>, subtask: &SubtaskRow, reason: &str) -> Msg {
    Msg::new("manual.mark-failed")
        .arg("subtask", subtask.id)
        .arg("task", facts.task_id)
        .arg("reason", reason)
}

/// Evidence pointing at one log line.
pub(crate) fn line_evidence(line: &LogLine) -> Evidence {
    evidence::log(line)
}

/// Cuts the text to the engine's excerpt length, ending in an ellipsis when cut.
pub(crate) fn excerpt(text: &str) -> String {
    evidence::clip(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    #[test]
    fn places_run_start_on_session_clock() {
        let bundle = bundle("RUNNING", "RUNNING");
        let facts = facts(&bundle);

        assert_eq!(
            run_start(&facts).map(|at| at.to_rfc3339()),
            Some("2026-01-20T06:00:01+00:00".to_string())
        );
    }

    #[test]
    fn drops_lines_before_run_start() {
        let bundle = bundle("RUNNING", "RUNNING");
        let facts = facts(&bundle);

        assert!(!in_current_run(
            &facts,
            &log_at("logs/executor-manager.txt", 1, "2026-01-20 13:50:00", "old")
        ));
        assert!(in_current_run(
            &facts,
            &log_at(
                "logs/executor-manager.txt",
                2,
                "2026-01-20 13:59:00",
                "slack"
            )
        ));
        assert!(in_current_run(
            &facts,
            &log("logs/executor-manager.txt", 3, "no time")
        ));
    }

    #[test]
    fn skips_task_error_of_unfailed_run() {
        let mut bundle = bundle("RUNNING", "RUNNING");
        task_mut(&mut bundle).json["status"]["errorMessage"] = "old failure".into();
        let facts = facts(&bundle);
        let options = crate::engine::Options::default();
        let cx = Context {
            bundle: &bundle,
            options: &options,
            facts: &facts,
        };

        assert!(error_texts(&cx).is_empty());
    }
}
