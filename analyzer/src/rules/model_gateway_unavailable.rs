//! The model gateway refused the task's requests as unavailable, overloaded or throttled.
//!
//! ### What it checks
//!
//! The texts that describe the current run's errors: the latest assistant subtask's
//! `error_message` and upstream `result.error_type`, the task's `errorMessage` when the run
//! failed, and the task's log lines of the current run. It looks for
//!
//! - unavailability: `Error code: 502/503/504/529` (the provider SDKs' wording),
//!   `service_unavailable(_error)`, `overloaded_error`, `all providers unavailable`,
//!   `no available channel`, error type `model_unavailable`, and the Chinese gateway
//!   wording such as `所有供应商暂时不可用`, `服务暂时不可用`, `无可用渠道`;
//! - throttling: `Error code: 429`, `rate_limit(_error)`, `insufficient_quota`, error
//!   types `rate_limit` and `quota_exceeded`, and Chinese `请求过于频繁`, `额度已用尽`,
//!   `余额不足`.
//!
//! Generic HTTP wording (`503 Service Unavailable`, `rate limit exceeded`, `too many
//! requests`) counts only in the `error_message` and `errorMessage` fields, because in a
//! log line it can be an agent's tool output about the code it works on.
//!
//! With `collect --probe-llm`, a probe of the model's `base_url` that got no response or a
//! 502/503/504 also counts while the run has not completed.
//!
//! HTTP 429 belongs here rather than to `model-request-rejected`: the request itself was
//! acceptable, and the same request succeeds once the gateway has capacity or quota again.
//!
//! The finding is critical while the run is PENDING, RUNNING or FAILED, and a warning when
//! the run still completed (the agent retried past the errors).
//!
//! ### Why it matters
//!
//! The failure is outside Wegent: no executor, callback or database fix will help, and
//! retrying before the gateway recovers fails the same way.
//!
//! ### Known problems
//!
//! Lines that report a failing status callback (`/callback` URLs) are left to
//! `callback-failed`, even when they contain `503 Service Unavailable`.
//!
//! A run that is still RUNNING after a 503 in its log is reported as critical, although
//! the agent may have retried successfully: the kept log lines do not show whether a
//! retry of the model request got through.
//!
//! ### Evidence
//!
//! `db/subtasks.json`, `db/task.json`, `executors/<name>/logs.txt`, `logs/*.txt`,
//! `llm/probe.json`.
//!
//! ### Fix
//!
//! Check the gateway and the provider behind the model at the time of the failure, wait
//! for it to recover (or raise the rate limit or quota), then send the task again.

use std::sync::LazyLock;

use regex::RegexSet;

use super::callback_failed;
use super::current_run;
use crate::bundle::model::members;
use crate::engine::{Context, Evidence, Finding, Msg, Rule, Severity};
use crate::i18n::Lang;

/// At most this many places are listed as evidence.
const MAX_EVIDENCE: usize = 5;

/// Unavailability in the wording of provider SDKs and gateways; specific enough to trust in
/// any log line.
static UNAVAILABLE: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([
        r"(?i)\berror code:\s*(?:502|503|504|529)\b",
        r"(?i)\bservice_unavailable(?:_error)?\b",
        r"(?i)\boverloaded_error\b",
        r"(?i)\ball (?:the )?(?:upstream )?providers? (?:are |is )?(?:temporarily )?unavailable",
        r"(?i)\bno available (?:channels?|providers?)\b",
        r"(?i)\bmodel_unavailable\b",
        r"所有供应商.{0,4}不可用|服务暂时不可用|供应商.{0,8}不可用|无可用渠道|上游.{0,8}(?:不可用|饱和)",
    ])
    .expect("unavailability patterns compile")
});

/// Generic HTTP wording, trusted only in the error fields of the task and subtask rows,
/// because an agent's tool output in a log can contain it too.
static UNAVAILABLE_IN_ERROR_FIELD: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([
        r"(?i)\b503\b.{0,40}\bunavailable\b",
        r"(?i)\bservice unavailable\b",
        r"服务不可用",
    ])
    .expect("unavailability patterns compile")
});

static THROTTLED: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([
        r"(?i)\berror code:\s*429\b",
        r"(?i)\brate_limit(?:_error|_exceeded)?\b",
        r"(?i)\binsufficient_quota\b|\bquota_exceeded\b",
        r"请求过于频繁|额度已用尽|余额不足",
    ])
    .expect("throttling patterns compile")
});

static THROTTLED_IN_ERROR_FIELD: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([
        r"(?i)\brate limit(?:ed| exceeded| reached)?\b",
        r"(?i)\btoo many requests\b",
        r"(?i)\bquota exceeded\b",
    ])
    .expect("throttling patterns compile")
});

/// Kind of refusal by the gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    Unavailable,
    Throttled,
}

/// Classifies a text; callback failures are left to `callback-failed`. Generic HTTP
/// wording counts only when `error_field` is set.
fn classify(text: &str, error_field: bool) -> Option<Refusal> {
    if text.contains("/callback") || callback_failed::is_callback_failure(text) {
        return None;
    }
    if UNAVAILABLE.is_match(text) || (error_field && UNAVAILABLE_IN_ERROR_FIELD.is_match(text)) {
        Some(Refusal::Unavailable)
    } else if THROTTLED.is_match(text) || (error_field && THROTTLED_IN_ERROR_FIELD.is_match(text)) {
        Some(Refusal::Throttled)
    } else {
        None
    }
}

/// True when the text is a gateway refusal this rule reports.
pub(crate) fn is_gateway_refusal(text: &str) -> bool {
    classify(text, false).is_some()
}

pub struct ModelGatewayUnavailable;

impl Rule for ModelGatewayUnavailable {
    fn id(&self) -> &'static str {
        "model-gateway-unavailable"
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
        let status = current_run::current_status(facts);

        let mut hits = current_run::classified_errors(cx, classify);
        hits.extend(error_type_hit(cx));
        if status != Some("COMPLETED") {
            hits.extend(probe_hit(cx));
        }
        if hits.is_empty() {
            return;
        }

        let refusal = if hits.iter().any(|(r, _)| *r == Refusal::Unavailable) {
            Refusal::Unavailable
        } else {
            Refusal::Throttled
        };
        let count = hits.len();
        let evidence: Vec<_> = hits
            .into_iter()
            .map(|(_, e)| e)
            .take(MAX_EVIDENCE)
            .collect();

        let severity = current_run::error_severity(status);
        let (detail_key, next_steps) = match refusal {
            Refusal::Unavailable => (
                "model-gateway-unavailable.detail",
                vec![
                    Msg::new("model-gateway-unavailable.next"),
                    Msg::new("model-gateway-unavailable.next-retry"),
                ],
            ),
            Refusal::Throttled => (
                "model-gateway-unavailable.detail-throttled",
                vec![
                    Msg::new("model-gateway-unavailable.next-throttled"),
                    Msg::new("model-gateway-unavailable.next-retry"),
                ],
            ),
        };

        out.push(Finding {
            rule: self.id(),
            severity,
            title: Msg::new("model-gateway-unavailable.title"),
            detail: Msg::new(detail_key)
                .arg("count", count)
                .arg("status", status.unwrap_or("unknown")),
            evidence,
            next_steps,
        });
    }
}

/// Upstream's classifier code in the latest assistant subtask's `result.error_type`.
fn error_type_hit(cx: &Context<'_>) -> Option<(Refusal, Evidence)> {
    let (error_type, evidence) = current_run::result_error_type(cx)?;
    let refusal = match error_type {
        "model_unavailable" => Refusal::Unavailable,
        "rate_limit" | "quota_exceeded" => Refusal::Throttled,
        _ => return None,
    };
    Some((refusal, evidence))
}

/// Returns the `--probe-llm` result when the gateway gave no response or a 502/503/504.
fn probe_hit(cx: &Context<'_>) -> Option<(Refusal, Evidence)> {
    let probe = cx.bundle.llm_probe.as_ref()?;
    let evidence = match (probe.probe.status, &probe.probe.error) {
        (Some(code @ 502..=504), _) => Evidence::new(
            members::LLM_PROBE,
            "/probe/status",
            format!("GET {} -> {code}", probe.probe.url),
        ),
        (None, Some(error)) if !probe.reachable => Evidence::new(
            members::LLM_PROBE,
            "/probe/error",
            current_run::excerpt(&format!("GET {}: {error}", probe.probe.url)),
        ),
        _ => return None,
    };
    Some((Refusal::Unavailable, evidence))
}

static EN: &[(&str, &str)] = &[
    (
        "model-gateway-unavailable.title",
        "the model gateway refused this task's requests",
    ),
    (
        "model-gateway-unavailable.detail",
        "The bundle shows the model gateway or its provider responding as unavailable: HTTP 503, service_unavailable, all providers unavailable or a similar reply (matches: {count}). The fault is outside Wegent; the latest run is {status}.",
    ),
    (
        "model-gateway-unavailable.detail-throttled",
        "The bundle shows the model gateway or its provider rejecting requests for rate limit or quota: HTTP 429, rate_limit, insufficient_quota or a similar reply (matches: {count}). The request itself was acceptable; the latest run is {status}.",
    ),
    (
        "model-gateway-unavailable.next",
        "Check the gateway's and the provider's status or logs for the time of the errors, and whether another provider can serve this model.",
    ),
    (
        "model-gateway-unavailable.next-throttled",
        "Check the rate limit and remaining quota of the model's API key in the gateway or provider console, and raise them or spread the load.",
    ),
    (
        "model-gateway-unavailable.next-retry",
        "Send the task again once the gateway answers; `collect --probe-llm` records whether the model's base_url responds.",
    ),
];

static ZH: &[(&str, &str)] = &[
    (
        "model-gateway-unavailable.title",
        "模型网关拒绝了本任务的请求",
    ),
    (
        "model-gateway-unavailable.detail",
        "包中有 {count} 处显示模型网关或其供应商返回不可用（HTTP 503、service_unavailable、所有供应商暂时不可用或类似回复）。故障在 Wegent 之外；最新一次执行为 {status}。",
    ),
    (
        "model-gateway-unavailable.detail-throttled",
        "包中有 {count} 处显示模型网关或其供应商因限流或额度不足拒绝请求（HTTP 429、rate_limit、insufficient_quota 或类似回复）。请求本身没有问题；最新一次执行为 {status}。",
    ),
    (
        "model-gateway-unavailable.next",
        "查看出错时间段网关和供应商的状态或日志，并确认是否有其他供应商可以提供该模型。",
    ),
    (
        "model-gateway-unavailable.next-throttled",
        "在网关或供应商控制台检查该模型 API key 的限流配置和剩余额度，提高限额或分散负载。",
    ),
    (
        "model-gateway-unavailable.next-retry",
        "网关恢复后重新发送任务；`collect --probe-llm` 会记录模型的 base_url 是否有响应。",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::model::{HttpProbe, LlmProbe};
    use crate::rules::test_support::*;

    #[test]
    fn flags_service_unavailable_error_message() {
        let bundle =
            failed_with("Error code: 503 - {'error': {'type': 'service_unavailable_error'}}");

        let findings = run(&ModelGatewayUnavailable, &bundle);

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Critical);
        assert_eq!(findings[0].evidence[0].locator, "id=312 /error_message");
        assert_catalogue(&ModelGatewayUnavailable, &findings);
    }

    #[test]
    fn flags_chinese_provider_wording_in_executor_log() {
        let mut bundle = bundle("RUNNING", "RUNNING");
        bundle.log_lines = vec![log(
            "executors/wegent-task-admin-e47497646f4e26c/logs.txt",
            77,
            "API Error: 所有供应商暂时不可用，请稍后重试",
        )];

        let findings = run(&ModelGatewayUnavailable, &bundle);

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].detail.key, "model-gateway-unavailable.detail");
    }

    #[test]
    fn classifies_rate_limit_as_throttled() {
        let bundle = failed_with(
            "Error code: 429 - rate_limit_error: Number of requests has exceeded your rate limit",
        );

        let findings = run(&ModelGatewayUnavailable, &bundle);

        assert_eq!(
            findings[0].detail.key,
            "model-gateway-unavailable.detail-throttled"
        );
    }

    #[test]
    fn flags_unanswered_probe_while_running() {
        let mut bundle = bundle("RUNNING", "RUNNING");
        bundle.llm_probe = Some(LlmProbe {
            model: "my-claude".to_string(),
            probe: HttpProbe {
                url: "https://gateway.example/v1/models".to_string(),
                status: Some(503),
                ..HttpProbe::default()
            },
            reachable: true,
        });

        let findings = run(&ModelGatewayUnavailable, &bundle);

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].evidence[0].source, "llm/probe.json");
    }

    #[test]
    fn ignores_callback_503_and_other_errors() {
        let mut bundle = failed_with("Docker run error: port is already allocated");
        bundle.log_lines = vec![log(
            "executors/wegent-task-admin-e47497646f4e26c/logs.txt",
            12,
            "Request failed (attempt 2/10): 503 Server Error: Service Unavailable for url: http://executor_manager:8001/executor-manager/callback",
        )];

        assert!(run(&ModelGatewayUnavailable, &bundle).is_empty());
    }

    #[test]
    fn ignores_stale_task_error_after_success() {
        let mut bundle = bundle("COMPLETED", "COMPLETED");
        let task = bundle.task.as_mut().unwrap().as_mut().unwrap();
        task.json["status"]["errorMessage"] = "Error code: 503 Service Unavailable".into();

        assert!(run(&ModelGatewayUnavailable, &bundle).is_empty());
    }
}
