//! The JSON report for scripts, described by `docs/report.schema.json`.
//!
//! Keys, rule ids and enum values are English in every language. Messages (summary,
//! titles, details, next steps, events, clock notes) are rendered in the chosen language.
//! The layout is a set of structs rather than maps, so the key order is fixed. Times are
//! RFC 3339 in UTC. Every subtask is included, whatever `--subtasks-limit` is.

use serde::Serialize;

use crate::bundle::model::{Flavour, RedactionSummary, SourceStatus};
use crate::engine::{Analysis, Severity, Verdict};
use crate::i18n::{Lang, render as msg};
use crate::report::{format_offset, rfc3339};

/// Version of the JSON report layout. A new major version may rename or remove keys;
/// a new minor version only adds keys.
pub const REPORT_FORMAT_VERSION: &str = "1.0";

#[derive(Serialize)]
struct Report<'a> {
    format_version: &'static str,
    task_id: i64,
    verdict: Verdict,
    summary: String,
    findings: Vec<Finding<'a>>,
    timeline: Vec<Event<'a>>,
    collection: Collection<'a>,
    lang: &'static str,
    flavour: Flavour,
    now: String,
    collected_at: Option<String>,
    clock: Clock,
    task: Option<Task<'a>>,
    subtasks: Vec<Subtask<'a>>,
    redaction: &'a RedactionSummary,
}

#[derive(Serialize)]
struct Finding<'a> {
    rule: &'static str,
    severity: Severity,
    title: String,
    detail: String,
    evidence: Vec<Evidence<'a>>,
    next_steps: Vec<String>,
}

#[derive(Serialize)]
struct Evidence<'a> {
    source: &'a str,
    locator: &'a str,
    excerpt: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

#[derive(Serialize)]
struct Event<'a> {
    at: String,
    source: &'a str,
    event: String,
}

#[derive(Serialize)]
struct Collection<'a> {
    incomplete_sources: &'a [String],
    sources: Vec<Source<'a>>,
}

#[derive(Serialize)]
struct Source<'a> {
    name: &'a str,
    status: SourceStatus,
    duration_ms: u64,
    error: Option<&'a str>,
    truncation: &'a [String],
    members: &'a [String],
}

#[derive(Serialize)]
struct Clock {
    backend_offset_seconds: i64,
    db_session_offset_seconds: i64,
    em_offset_seconds: i64,
    backend_offset: String,
    db_session_offset: String,
    em_offset: String,
    basis: Vec<String>,
}

#[derive(Serialize)]
struct Task<'a> {
    kind: &'a str,
    status: Option<&'a str>,
    progress: Option<i64>,
    status_phase: Option<&'a str>,
    task_type: Option<&'a str>,
    source: Option<&'a str>,
    is_active: i64,
    updated_at: Option<String>,
}

#[derive(Serialize)]
struct Subtask<'a> {
    id: i64,
    message_id: i64,
    role: &'a str,
    status: &'a str,
    progress: i64,
    executor_name: Option<&'a str>,
    created_at: Option<String>,
    updated_at: Option<String>,
    error_message: Option<&'a str>,
}

/// Renders the JSON report, pretty-printed, ending with a newline.
pub fn render(analysis: &Analysis, lang: Lang) -> String {
    let report = build(analysis, lang);
    // serde_json fails only on maps with non-string keys and on failing `Serialize`
    // impls, and these structs have neither.
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}

/// Builds the JSON report as a value, for callers that embed it.
pub fn to_value(analysis: &Analysis, lang: Lang) -> serde_json::Value {
    serde_json::to_value(build(analysis, lang)).unwrap_or_default()
}

fn build(analysis: &Analysis, lang: Lang) -> Report<'_> {
    Report {
        format_version: REPORT_FORMAT_VERSION,
        task_id: analysis.task_id,
        verdict: analysis.verdict,
        summary: msg(lang, &analysis.summary),
        findings: analysis
            .findings
            .iter()
            .map(|f| Finding {
                rule: f.rule,
                severity: f.severity,
                title: msg(lang, &f.title),
                detail: msg(lang, &f.detail),
                evidence: f
                    .evidence
                    .iter()
                    .map(|e| Evidence {
                        source: &e.source,
                        locator: &e.locator,
                        excerpt: &e.excerpt,
                        note: e.note.as_ref().map(|note| msg(lang, note)),
                    })
                    .collect(),
                next_steps: f.next_steps.iter().map(|s| msg(lang, s)).collect(),
            })
            .collect(),
        timeline: analysis
            .timeline
            .iter()
            .map(|e| Event {
                at: rfc3339(e.at),
                source: &e.source,
                event: msg(lang, &e.event),
            })
            .collect(),
        collection: Collection {
            incomplete_sources: &analysis.collection.incomplete_sources,
            sources: analysis
                .collection
                .sources
                .iter()
                .map(|s| Source {
                    name: &s.name,
                    status: s.status,
                    duration_ms: s.duration_ms,
                    error: s.error.as_deref(),
                    truncation: &s.truncation,
                    members: &s.members,
                })
                .collect(),
        },
        lang: lang.code(),
        flavour: analysis.flavour,
        now: rfc3339(analysis.now),
        collected_at: analysis.collected_at.map(rfc3339),
        clock: Clock {
            backend_offset_seconds: analysis.clock.backend_offset_seconds,
            db_session_offset_seconds: analysis.clock.db_session_offset_seconds,
            em_offset_seconds: analysis.clock.em_offset_seconds,
            backend_offset: format_offset(analysis.clock.backend_offset_seconds),
            db_session_offset: format_offset(analysis.clock.db_session_offset_seconds),
            em_offset: format_offset(analysis.clock.em_offset_seconds),
            basis: analysis.clock.basis.iter().map(|b| msg(lang, b)).collect(),
        },
        task: analysis.task.as_ref().map(|t| Task {
            kind: &t.kind,
            status: t.status.as_deref(),
            progress: t.progress,
            status_phase: t.status_phase.as_deref(),
            task_type: t.task_type.as_deref(),
            source: t.source.as_deref(),
            is_active: t.is_active,
            updated_at: t.updated_at.map(rfc3339),
        }),
        subtasks: analysis
            .subtasks
            .iter()
            .map(|s| Subtask {
                id: s.id,
                message_id: s.message_id,
                role: &s.role,
                status: &s.status,
                progress: s.progress,
                executor_name: s.executor_name.as_deref(),
                created_at: s.created_at.map(rfc3339),
                updated_at: s.updated_at.map(rfc3339),
                error_message: s.error_message.as_deref(),
            })
            .collect(),
        redaction: &analysis.redaction,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::report::sample;

    fn report(lang: Lang) -> Value {
        serde_json::from_str(&render(&sample::stuck(), lang)).expect("the report is valid JSON")
    }

    fn schema() -> Value {
        let text = include_str!("../../../docs/report.schema.json");
        serde_json::from_str(text).expect("docs/report.schema.json is valid JSON")
    }

    fn assert_valid(instance: &Value) {
        let validator = jsonschema::draft202012::new(&schema()).expect("the schema compiles");
        let errors: Vec<String> = validator
            .iter_errors(instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }

    #[test]
    fn json_keeps_contract_keys_in_order() {
        let text = render(&sample::stuck(), Lang::En);
        let keys = [
            "\"format_version\"",
            "\"task_id\"",
            "\"verdict\"",
            "\"summary\"",
            "\"findings\"",
            "\"timeline\"",
            "\"collection\"",
            "\"lang\"",
            "\"subtasks\"",
            "\"redaction\"",
        ];
        let positions: Vec<usize> = keys.iter().map(|k| text.find(k).expect(k)).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    }

    #[test]
    fn json_uses_english_enums_in_every_language() {
        for lang in [Lang::En, Lang::Zh] {
            let value = report(lang);
            assert_eq!(value["verdict"], "stuck");
            assert_eq!(value["findings"][0]["rule"], "executor-missing");
            assert_eq!(value["findings"][0]["severity"], "critical");
            assert_eq!(value["flavour"], "fork");
            assert_eq!(value["collection"]["sources"][1]["status"], "failed");
            assert_eq!(value["lang"], lang.code());
        }
    }

    #[test]
    fn json_carries_evidence_unchanged() {
        let value = report(Lang::En);
        let evidence = &value["findings"][0]["evidence"][2];
        assert_eq!(evidence["source"], "logs/executor-manager.txt");
        assert_eq!(evidence["locator"], "line 1042");
        assert_eq!(evidence["excerpt"], "first line\n```\n\x1b[31mred");
    }

    #[test]
    fn json_times_are_utc_rfc3339() {
        let value = report(Lang::En);
        assert_eq!(value["now"], "2026-08-14T07:00:00Z");
        assert_eq!(value["timeline"][0]["at"], "2026-08-14T06:02:00Z");
        assert_eq!(value["clock"]["db_session_offset"], "+08:00");
        assert_eq!(value["clock"]["db_session_offset_seconds"], 28800);
    }

    #[test]
    fn json_includes_every_subtask_and_redaction_counts() {
        let value = report(Lang::En);
        assert_eq!(value["subtasks"].as_array().unwrap().len(), 4);
        assert_eq!(value["redaction"]["by_rule"]["bearer-token"], 3);
        assert_eq!(value["collection"]["incomplete_sources"][0], "docker");
    }

    #[test]
    fn json_matches_schema() {
        for lang in [Lang::En, Lang::Zh] {
            assert_valid(&report(lang));
            assert_valid(&to_value(&sample::completed(), lang));
        }
    }

    #[test]
    fn schema_rejects_unknown_verdict() {
        let mut value = report(Lang::En);
        value["verdict"] = Value::from("almost-done");
        let validator = jsonschema::draft202012::new(&schema()).unwrap();
        assert!(!validator.is_valid(&value));
    }

    #[test]
    fn json_adds_translated_note_only_when_present() {
        let mut analysis = sample::stuck();
        analysis.findings[0].evidence[0] =
            crate::engine::evidence::container_absent("wegent-task-alice-89-302");

        let value: Value = serde_json::from_str(&render(&analysis, Lang::Zh)).unwrap();

        let evidence = &value["findings"][0]["evidence"];
        assert_eq!(evidence[0]["note"], "没有此名称的容器");
        assert_eq!(evidence[0]["excerpt"], "");
        assert!(evidence[1].get("note").is_none());
        assert_valid(&value);
    }
}
