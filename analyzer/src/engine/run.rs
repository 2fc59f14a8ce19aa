//! Runs the rule catalogue over a bundle and assembles the [`Analysis`].
//!
//! Findings are sorted by severity, then by the order of [`crate::rules::RULES`], so the
//! most urgent finding comes first and equal findings keep the catalogue order. Before
//! that, `errors-in-logs` loses the lines another finding already cites.

use std::collections::HashSet;

use serde_json::Value;

use super::analysis::{Analysis, CollectionState, Finding, Msg, SubtaskSummary, TaskSummary};
use super::clock::parse_utc;
use super::facts::Facts;
use super::rule::{Context, Options};
use super::{timeline, verdict};
use crate::bundle::loaded::Bundle;
use crate::bundle::model::SourceStatus;
use crate::rules::RULES;

/// Analyses one bundle.
pub fn analyze(bundle: &Bundle, options: &Options) -> Analysis {
    let facts = Facts::from_bundle(bundle, options);
    let cx = Context {
        bundle,
        options,
        facts: &facts,
    };

    let mut findings = Vec::new();
    for rule in RULES {
        rule.check(&cx, &mut findings);
    }
    drop_errors_cited_elsewhere(&mut findings);
    point_symptoms_at_causes(&mut findings);
    sort_findings(&mut findings);

    let (verdict, basis) = verdict::decide(bundle, &facts, &findings);
    let latest_error = facts
        .latest_assistant
        .and_then(|row| row.error_message.as_deref())
        .filter(|error| !error.trim().is_empty());
    let summary = verdict::summary(facts.task_id, verdict, &basis, &findings, latest_error);

    Analysis {
        task_id: facts.task_id,
        verdict,
        summary,
        flavour: facts.flavour,
        now: facts.now,
        collected_at: bundle
            .manifest
            .as_ref()
            .and_then(|m| parse_utc(&m.collected_at)),
        clock: facts.clock.clone(),
        task: task_summary(&facts),
        subtasks: facts
            .subtasks
            .iter()
            .map(|row| subtask_summary(&facts, row))
            .collect(),
        findings,
        timeline: timeline::build(bundle, &facts),
        collection: collection_state(bundle),
        redaction: bundle
            .manifest
            .as_ref()
            .map(|m| m.redaction.clone())
            .unwrap_or_default(),
    }
}

/// Rule whose lines are the errors that no other finding explains.
const ERRORS_IN_LOGS: &str = "errors-in-logs";

/// Removes from `errors-in-logs` the evidence whose source and locator another finding
/// cites, lowers its `count` and `shown` arguments to match, and drops the finding when
/// no evidence remains.
///
/// NOTE: only the listed lines are compared. When every listed line is cited elsewhere,
/// the finding goes even if matching lines beyond the listed ones exist.
fn drop_errors_cited_elsewhere(findings: &mut Vec<Finding>) {
    let cited: HashSet<(String, String)> = findings
        .iter()
        .filter(|f| f.rule != ERRORS_IN_LOGS)
        .flat_map(|f| &f.evidence)
        .map(|e| (e.source.clone(), e.locator.clone()))
        .collect();

    for finding in findings.iter_mut().filter(|f| f.rule == ERRORS_IN_LOGS) {
        let listed = finding.evidence.len();
        finding
            .evidence
            .retain(|e| !cited.contains(&(e.source.clone(), e.locator.clone())));
        let removed = listed - finding.evidence.len();
        if removed == 0 {
            continue;
        }

        let count = finding
            .detail
            .args
            .iter()
            .find(|(name, _)| *name == "count")
            .and_then(|(_, value)| value.parse::<usize>().ok())
            .unwrap_or(listed);
        finding.detail = crate::rules::errors_in_logs::detail(
            count.saturating_sub(removed),
            finding.evidence.len(),
        );
    }

    findings.retain(|f| f.rule != ERRORS_IN_LOGS || !f.evidence.is_empty());
}

/// Symptom rules whose next steps only list possible causes, so they are dropped once
/// another finding states the cause.
const STEPS_LIST_CAUSES: [&str; 1] = ["never-dispatched"];

/// Points a symptom finding whose cause another finding states (see
/// [`verdict::causes_of`]) at that finding, with a first next step. The symptom's own
/// steps stay unless they only list possible causes ([`STEPS_LIST_CAUSES`]), so the report
/// does not list causes it has already established.
fn point_symptoms_at_causes(findings: &mut [Finding]) {
    let fired: Vec<&'static str> = findings.iter().map(|f| f.rule).collect();

    for finding in findings.iter_mut() {
        let Some(cause) = verdict::causes_of(finding.rule)
            .iter()
            .find(|cause| fired.contains(cause))
        else {
            continue;
        };
        let pointer = Msg::new("finding.next-see-cause").arg("rule", *cause);
        if STEPS_LIST_CAUSES.contains(&finding.rule) {
            finding.next_steps = vec![pointer];
        } else {
            finding.next_steps.insert(0, pointer);
        }
    }
}

/// Sorts by severity, then by catalogue position; a rule missing from the catalogue sorts
/// last within its severity. The sort is stable, so one rule's findings keep their order.
pub fn sort_findings(findings: &mut [Finding]) {
    let position = |rule: &str| {
        RULES
            .iter()
            .position(|r| r.id() == rule)
            .unwrap_or(usize::MAX)
    };
    findings.sort_by_key(|f| (f.severity, position(f.rule)));
}

fn task_summary(facts: &Facts<'_>) -> Option<TaskSummary> {
    let task = facts.task?;
    let status = task.json.pointer("/status");
    let text = |value: Option<&Value>| value.and_then(Value::as_str).map(str::to_string);

    Some(TaskSummary {
        kind: task.kind.clone(),
        status: facts.task_status.clone(),
        progress: status
            .and_then(|s| s.get("progress"))
            .and_then(Value::as_i64),
        status_phase: text(status.and_then(|s| s.get("statusPhase"))),
        task_type: facts.label("taskType").map(str::to_string),
        source: facts.label("source").map(str::to_string),
        is_active: task.is_active,
        updated_at: facts.task_updated(),
    })
}

fn subtask_summary(facts: &Facts<'_>, row: &crate::bundle::model::SubtaskRow) -> SubtaskSummary {
    SubtaskSummary {
        id: row.id,
        message_id: row.message_id,
        role: row.role.clone(),
        status: row.status.clone(),
        progress: row.progress,
        executor_name: row.executor_name.clone().filter(|n| !n.is_empty()),
        created_at: facts.subtask_created(row),
        updated_at: facts.subtask_updated(row),
        error_message: row.error_message.clone().filter(|e| !e.is_empty()),
    }
}

fn collection_state(bundle: &Bundle) -> CollectionState {
    let Some(manifest) = &bundle.manifest else {
        return CollectionState::default();
    };
    let incomplete_sources = manifest
        .sources
        .iter()
        .filter(|s| matches!(s.status, SourceStatus::Failed | SourceStatus::Partial))
        .map(|s| s.name.clone())
        .collect();
    CollectionState {
        incomplete_sources,
        sources: manifest.sources.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::analysis::{Evidence, Msg, Severity, Verdict};
    use crate::engine::test_support::*;

    fn finding(rule: &'static str, severity: Severity) -> Finding {
        Finding {
            rule,
            severity,
            title: Msg::new("x.title"),
            detail: Msg::new("x.detail"),
            evidence: Vec::new(),
            next_steps: Vec::new(),
        }
    }

    #[test]
    fn symptom_points_at_its_cause() {
        let mut pending = finding("never-dispatched", Severity::Critical);
        pending.next_steps = vec![Msg::new("never-dispatched.next")];
        let mut missing = finding("executor-missing", Severity::Critical);
        missing.next_steps = vec![Msg::new("executor-missing.next")];
        let mut findings = vec![
            pending,
            finding("executor-capacity-exhausted", Severity::Critical),
            missing,
            finding("executor-oom-killed", Severity::Critical),
        ];

        point_symptoms_at_causes(&mut findings);

        assert_eq!(findings[0].next_steps.len(), 1);
        assert_eq!(findings[0].next_steps[0].key, "finding.next-see-cause");
        assert_eq!(findings[2].next_steps.len(), 2);
        assert_eq!(findings[2].next_steps[1].key, "executor-missing.next");
    }

    fn errors_finding(lines: &[u64]) -> Finding {
        let mut finding = finding(ERRORS_IN_LOGS, Severity::Warning);
        finding.detail = Msg::new("errors-in-logs.detail")
            .arg("count", lines.len() + 2)
            .arg("shown", lines.len());
        finding.evidence = lines
            .iter()
            .map(|n| Evidence::new("logs/backend.txt", format!("line {n}"), "ERROR x"))
            .collect();
        finding
    }

    #[test]
    fn errors_in_logs_drops_lines_cited_elsewhere() {
        let mut other = finding("executor-start-failed", Severity::Critical);
        other.evidence = vec![Evidence::new("logs/backend.txt", "line 7", "ERROR x")];
        let mut findings = vec![other, errors_finding(&[5, 7, 9])];

        drop_errors_cited_elsewhere(&mut findings);

        let errors = &findings[1];
        let locators: Vec<&str> = errors.evidence.iter().map(|e| e.locator.as_str()).collect();
        assert_eq!(locators, ["line 5", "line 9"]);
        assert!(errors.detail.args.contains(&("count", "4".to_string())));
        assert!(errors.detail.args.contains(&("shown", "2".to_string())));
    }

    #[test]
    fn errors_in_logs_dropped_when_all_cited() {
        let mut other = finding("stuck-cancelling", Severity::Critical);
        other.evidence = vec![Evidence::new("logs/backend.txt", "line 7", "ERROR x")];
        let mut findings = vec![other, errors_finding(&[7])];

        drop_errors_cited_elsewhere(&mut findings);

        let rules: Vec<&str> = findings.iter().map(|f| f.rule).collect();
        assert_eq!(rules, ["stuck-cancelling"]);
    }

    #[test]
    fn sort_findings_orders_by_severity_then_catalogue() {
        let mut findings = vec![
            finding("no-executor-expected", Severity::Info),
            finding("executor-exited", Severity::Critical),
            finding("executor-missing", Severity::Critical),
            finding("heartbeat-lost", Severity::Warning),
        ];

        sort_findings(&mut findings);

        let order: Vec<&str> = findings.iter().map(|f| f.rule).collect();
        assert_eq!(
            order,
            [
                "executor-missing",
                "executor-exited",
                "heartbeat-lost",
                "no-executor-expected"
            ]
        );
    }

    #[test]
    fn analyze_reports_healthy_running_task() {
        let bundle = running_fork_bundle();

        let analysis = analyze(&bundle, &Options::default());

        assert_eq!(analysis.task_id, TASK_ID);
        assert_eq!(analysis.verdict, Verdict::Running);
        assert_eq!(analysis.subtasks.len(), 2);
        assert_eq!(analysis.summary.key, "summary.running");
    }

    #[test]
    fn analyze_reports_stuck_when_container_is_gone() {
        let mut bundle = running_fork_bundle();
        bundle.containers.as_mut().unwrap().containers.clear();

        let analysis = analyze(&bundle, &Options::default());

        assert_eq!(analysis.verdict, Verdict::Stuck);
        assert_eq!(analysis.findings[0].rule, "executor-missing");
        assert_renders(&analysis.summary);
        analysis.clock.basis.iter().for_each(assert_renders);
        analysis
            .timeline
            .iter()
            .for_each(|e| assert_renders(&e.event));
    }

    /// Bundles that each make a different part of the catalogue fire.
    fn scenario_bundles() -> Vec<Bundle> {
        let mut scenarios = vec![running_fork_bundle(), Bundle::default()];

        for (state, code, oom) in [
            ("exited", 1, false),
            ("exited", 0, false),
            ("exited", 137, true),
        ] {
            let mut bundle = running_fork_bundle();
            let container = container_mut(&mut bundle);
            *container = executor_container(EXECUTOR, state, Some(code));
            container.oom_killed = oom;
            scenarios.push(bundle);
        }

        let mut gone = running_fork_bundle();
        gone.containers.as_mut().unwrap().containers.clear();
        scenarios.push(gone);

        let mut pending = running_fork_bundle();
        set_task_status(&mut pending, "PENDING");
        assistant_mut(&mut pending).status = "PENDING".into();
        assistant_mut(&mut pending).created_at = Some("2026-01-20 12:00:00".into());
        scenarios.push(pending);

        let mut cancelling = running_fork_bundle();
        set_task_status(&mut cancelling, "CANCELLING");
        cancelling.containers.as_mut().unwrap().containers.clear();
        scenarios.push(cancelling);

        let mut missing_row = running_fork_bundle();
        missing_row.task = Some(None);
        scenarios.push(missing_row);

        scenarios
    }

    #[test]
    fn analyze_renders_every_message_of_scenarios() {
        for bundle in scenario_bundles() {
            let analysis = analyze(&bundle, &Options::default());

            assert_renders(&analysis.summary);
            analysis.clock.basis.iter().for_each(assert_renders);
            analysis
                .timeline
                .iter()
                .for_each(|e| assert_renders(&e.event));
            for finding in &analysis.findings {
                assert_renders(&finding.title);
                assert_renders(&finding.detail);
                finding.next_steps.iter().for_each(assert_renders);
            }
        }
    }

    #[test]
    fn analyze_reports_inconclusive_for_empty_bundle() {
        let analysis = analyze(&Bundle::default(), &Options::default());

        assert_eq!(analysis.verdict, Verdict::Inconclusive);
        assert_eq!(analysis.task_id, 0);
    }

    #[test]
    fn analyze_lists_incomplete_sources() {
        let mut bundle = running_fork_bundle();
        bundle.manifest.as_mut().unwrap().sources[0].status = SourceStatus::Partial;

        let analysis = analyze(&bundle, &Options::default());

        assert_eq!(analysis.collection.incomplete_sources, ["db"]);
    }
}
