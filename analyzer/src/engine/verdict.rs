//! The verdict and the one-sentence summary of an analysis.
//!
//! The verdict follows the task row's `$.status.status`, cross-checked with the newest
//! assistant subtask, which is the execution that counts. When the task row is final but
//! that subtask is still pending or running, or final with another outcome, the subtask
//! wins, because an older execution can leave the task row behind. A task that claims
//! PENDING, RUNNING or CANCELLING is `stuck` when any finding is critical, else `running`.

use super::analysis::{Finding, Msg, Severity, Verdict};
use super::evidence::clip_to;
use super::facts::Facts;
use crate::bundle::loaded::Bundle;
use crate::bundle::model::SourceStatus;

/// Reason for an inconclusive or not-found verdict, or the status a verdict rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    DbFailed,
    TaskMemberMissing,
    NoStatus,
    TaskMissing,
    /// The effective status the verdict rests on.
    Status(String),
}

/// Decides the verdict and the status it rests on.
pub fn decide(bundle: &Bundle, facts: &Facts<'_>, findings: &[Finding]) -> (Verdict, Basis) {
    if bundle
        .source("db")
        .is_some_and(|s| s.status == SourceStatus::Failed)
    {
        return (Verdict::Inconclusive, Basis::DbFailed);
    }
    match &bundle.task {
        None => return (Verdict::Inconclusive, Basis::TaskMemberMissing),
        Some(None) => return (Verdict::NotFound, Basis::TaskMissing),
        Some(Some(_)) => {}
    }

    let Some(status) = effective_status(facts) else {
        return (Verdict::Inconclusive, Basis::NoStatus);
    };

    let has_critical = findings.iter().any(|f| f.severity == Severity::Critical);
    let verdict = match status.as_str() {
        "COMPLETED" => Verdict::Completed,
        "FAILED" => Verdict::Failed,
        "CANCELLED" | "DELETE" => Verdict::Cancelled,
        "PENDING" | "RUNNING" | "CANCELLING" if has_critical => Verdict::Stuck,
        "PENDING" | "RUNNING" | "CANCELLING" => Verdict::Running,
        // A pipeline stage that waits for the user's confirmation is neither stuck nor done.
        "PENDING_CONFIRMATION" => Verdict::Running,
        _ => Verdict::Inconclusive,
    };
    (verdict, Basis::Status(status))
}

/// Returns the status the verdict rests on: the task row's, unless the newest assistant
/// subtask shows a newer execution with another outcome.
pub fn effective_status(facts: &Facts<'_>) -> Option<String> {
    let task = facts.task_status.clone();
    let latest = facts.latest_status().map(str::to_string);

    match (task, latest) {
        (Some(task), Some(latest)) => {
            let task_final = matches!(task.as_str(), "COMPLETED" | "FAILED" | "CANCELLED");
            let latest_differs =
                latest != task && latest != "DELETE" && latest != "PENDING_CONFIRMATION";
            if task_final && latest_differs {
                Some(latest)
            } else {
                Some(task)
            }
        }
        (Some(task), None) => Some(task),
        (None, latest) => latest,
    }
}

/// Rules that describe the bundle or log noise instead of a cause: a summary names one
/// only when no other finding is severe enough.
const BACKGROUND_RULES: [&str; 3] = ["errors-in-logs", "collection-incomplete", "clock-skew"];

/// Symptom rules and the rules that state their cause when they fire too, so a summary
/// names the cause. A task waits undispatched because every slot is taken or
/// executor-manager is down. A container is missing because the kernel killed it or cleanup
/// removed it. The backend rejects a callback because its schema lacks a value.
const CAUSES: [(&str, &[&str]); 4] = [
    (
        "never-dispatched",
        &[
            "executor-capacity-exhausted",
            "executor-manager-unreachable",
        ],
    ),
    ("dispatch-lost", &["executor-manager-unreachable"]),
    (
        "executor-missing",
        &["executor-oom-killed", "executor-deleted-by-cleanup"],
    ),
    ("callback-rejected-by-backend", &["schema-drift"]),
];

/// Returns the rules that state the cause of `symptom`, or none.
pub fn causes_of(symptom: &str) -> &'static [&'static str] {
    CAUSES
        .iter()
        .find(|(rule, _)| *rule == symptom)
        .map(|(_, causes)| *causes)
        .unwrap_or(&[])
}

/// Maximum length of the error message a summary quotes, in characters.
const MAX_QUOTED_ERROR_CHARS: usize = 160;

/// Returns the rule of the primary finding, the one a stuck, running, failed or completed
/// task's summary names: the first finding at critical severity for a stuck task, else at
/// warning or critical severity, preferring any rule outside [`BACKGROUND_RULES`]. A rule
/// that states the cause of that finding ([`CAUSES`]) wins over the symptom. A failed task
/// is never explained by a background rule, because none of them states a cause.
pub fn primary_rule(verdict: Verdict, findings: &[Finding]) -> Option<&'static str> {
    let min = match verdict {
        Verdict::Stuck => Severity::Critical,
        _ => Severity::Warning,
    };
    let severe = || findings.iter().filter(move |f| f.severity <= min);

    let specific = severe().find(|f| !BACKGROUND_RULES.contains(&f.rule));
    let specific = specific.map(|symptom| {
        let causes = causes_of(symptom.rule);
        severe()
            .find(|f| causes.contains(&f.rule))
            .unwrap_or(symptom)
    });
    match (specific, verdict) {
        (Some(finding), _) => Some(finding.rule),
        (None, Verdict::Failed) => None,
        (None, _) => severe().next().map(|f| f.rule),
    }
}

/// Next steps of the verdict itself, for verdicts that no finding explains: a task that
/// the database does not hold gets steps to check the id, a deletion and the database.
pub fn verdict_next_steps(verdict: Verdict, task_id: i64) -> Vec<Msg> {
    match verdict {
        Verdict::NotFound => vec![
            Msg::new("verdict.not-found-next-id").arg("task", task_id),
            Msg::new("verdict.not-found-next-deleted").arg("task", task_id),
            Msg::new("verdict.not-found-next-database"),
        ],
        _ => Vec::new(),
    }
}

/// Builds the one-sentence summary: the verdict and the finding that explains it. A failed
/// task that no finding explains quotes `latest_error`, the error message of its newest
/// assistant subtask, when there is one.
pub fn summary(
    task_id: i64,
    verdict: Verdict,
    basis: &Basis,
    findings: &[Finding],
    latest_error: Option<&str>,
) -> Msg {
    let status = match basis {
        Basis::Status(status) => status.clone(),
        _ => String::new(),
    };
    let rule = primary_rule(verdict, findings);

    let msg = match (verdict, basis) {
        (Verdict::Inconclusive, Basis::DbFailed) => Msg::new("summary.inconclusive-db-failed"),
        (Verdict::Inconclusive, Basis::TaskMemberMissing) => {
            Msg::new("summary.inconclusive-no-task-member")
        }
        (Verdict::Inconclusive, _) => Msg::new("summary.inconclusive-no-status"),
        (Verdict::NotFound, _) => Msg::new("summary.not-found"),
        (Verdict::Stuck, _) => match rule {
            Some(rule) => Msg::new("summary.stuck").arg("rule", rule),
            None => Msg::new("summary.stuck-no-rule"),
        },
        (Verdict::Running, _) => match rule {
            Some(rule) => Msg::new("summary.running-with-warning").arg("rule", rule),
            None => Msg::new("summary.running"),
        },
        (Verdict::Failed, _) => match (rule, latest_error) {
            (Some(rule), _) => Msg::new("summary.failed-explained").arg("rule", rule),
            (None, Some(error)) => Msg::new("summary.failed-with-error")
                .arg("error", one_line(error, MAX_QUOTED_ERROR_CHARS)),
            (None, None) => Msg::new("summary.failed"),
        },
        (Verdict::Cancelled, _) => Msg::new("summary.cancelled"),
        (Verdict::Completed, _) => match rule {
            Some(rule) => Msg::new("summary.completed-with-warning").arg("rule", rule),
            None => Msg::new("summary.completed"),
        },
    };
    msg.arg("task", task_id).arg("status", status)
}

/// Joins the lines of a text with spaces and cuts it to `max` characters.
fn one_line(text: &str, max: usize) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    clip_to(&joined, max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::analysis::Finding;
    use crate::engine::rule::Options;
    use crate::engine::test_support::*;

    fn critical() -> Finding {
        Finding {
            rule: "executor-missing",
            severity: Severity::Critical,
            title: Msg::new("executor-missing.title"),
            detail: Msg::new("executor-missing.detail"),
            evidence: Vec::new(),
            next_steps: Vec::new(),
        }
    }

    #[test]
    fn primary_rule_prefers_cause_over_symptom() {
        let symptom = Finding {
            rule: "never-dispatched",
            ..critical()
        };
        let cause = Finding {
            rule: "executor-capacity-exhausted",
            ..critical()
        };

        let primary = primary_rule(Verdict::Stuck, &[symptom, cause]);

        assert_eq!(primary, Some("executor-capacity-exhausted"));
    }

    fn verdict_of(bundle: &Bundle, findings: &[Finding]) -> Verdict {
        let facts = Facts::from_bundle(bundle, &Options::default());
        decide(bundle, &facts, findings).0
    }

    #[test]
    fn decide_reports_stuck_on_critical_finding() {
        let bundle = running_fork_bundle();

        assert_eq!(verdict_of(&bundle, &[critical()]), Verdict::Stuck);
        assert_eq!(verdict_of(&bundle, &[]), Verdict::Running);
    }

    #[test]
    fn decide_reports_not_found_for_null_task() {
        let mut bundle = running_fork_bundle();
        bundle.task = Some(None);

        assert_eq!(verdict_of(&bundle, &[]), Verdict::NotFound);
    }

    #[test]
    fn decide_reports_inconclusive_without_task_member() {
        let mut bundle = running_fork_bundle();
        bundle.task = None;

        assert_eq!(verdict_of(&bundle, &[]), Verdict::Inconclusive);
    }

    #[test]
    fn decide_reports_inconclusive_when_db_failed() {
        let mut bundle = running_fork_bundle();
        bundle.manifest.as_mut().unwrap().sources[0].status = SourceStatus::Failed;

        assert_eq!(verdict_of(&bundle, &[]), Verdict::Inconclusive);
    }

    #[test]
    fn decide_trusts_newer_running_subtask_over_failed_task() {
        let mut bundle = running_fork_bundle();
        set_task_status(&mut bundle, "FAILED");

        assert_eq!(verdict_of(&bundle, &[]), Verdict::Running);
    }

    #[test]
    fn decide_maps_delete_to_cancelled() {
        let mut bundle = running_fork_bundle();
        set_task_status(&mut bundle, "DELETE");
        assistant_mut(&mut bundle).status = "DELETE".into();

        assert_eq!(verdict_of(&bundle, &[]), Verdict::Cancelled);
    }

    #[test]
    fn summary_names_primary_finding() {
        let msg = summary(
            89,
            Verdict::Stuck,
            &Basis::Status("RUNNING".into()),
            &[critical()],
            None,
        );

        assert_eq!(msg.key, "summary.stuck");
        assert!(msg.args.contains(&("rule", "executor-missing".to_string())));
    }

    fn warning(rule: &'static str) -> Finding {
        Finding {
            rule,
            severity: Severity::Warning,
            ..critical()
        }
    }

    #[test]
    fn summary_prefers_specific_rule_over_background_rules() {
        let findings = [
            Finding {
                severity: Severity::Critical,
                ..warning("collection-incomplete")
            },
            warning("stale-error-message"),
        ];

        assert_eq!(
            primary_rule(Verdict::Completed, &findings),
            Some("stale-error-message")
        );
    }

    #[test]
    fn summary_quotes_error_of_unexplained_failure() {
        let msg = summary(
            89,
            Verdict::Failed,
            &Basis::Status("FAILED".into()),
            &[warning("errors-in-logs")],
            Some("agent failed:\n  unknown model"),
        );

        assert_eq!(msg.key, "summary.failed-with-error");
        assert!(
            msg.args
                .contains(&("error", "agent failed: unknown model".to_string()))
        );
    }

    #[test]
    fn summary_of_unexplained_failure_without_error() {
        let msg = summary(
            89,
            Verdict::Failed,
            &Basis::Status("FAILED".into()),
            &[warning("errors-in-logs")],
            None,
        );

        assert_eq!(msg.key, "summary.failed");
    }

    #[test]
    fn summary_names_background_rule_of_running_task() {
        assert_eq!(
            primary_rule(Verdict::Running, &[warning("clock-skew")]),
            Some("clock-skew")
        );
    }
}
