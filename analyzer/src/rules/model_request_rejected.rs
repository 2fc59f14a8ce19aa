//! The model provider rejected the task's request as invalid or unauthorised.
//!
//! ### What it checks
//!
//! The texts that describe the current run's errors (latest assistant subtask's
//! `error_message` and upstream `result.error_type`, the task's `errorMessage` when the
//! run failed, the task's log lines of the current run) for provider 4xx responses:
//!
//! - `Error code: 400/401/403/404/413/422` (the provider SDKs' wording);
//! - error types `invalid_request_error`, `authentication_error`, `permission_error`,
//!   `not_found_error`, `request_too_large`, `invalid_api_key`, `context_length_exceeded`,
//!   and upstream classifier codes `forbidden`, `payload_too_large`, `invalid_parameter`,
//!   `content_filter`, `context_length_exceeded`;
//! - typical messages: an invalid `anthropic-beta` flag, `tool_use` ids without
//!   `tool_result` blocks, `tool_call_id` history errors, `prompt is too long`,
//!   `Incorrect API key provided`, and the Chinese gateway wording `无效的令牌`,
//!   `令牌已过期`, `模型不存在`;
//! - only in the `error_message` and `errorMessage` fields, generic HTTP wording such as
//!   `401 Unauthorized`, `403 Forbidden` or `invalid api key`, which in a log line can be
//!   an agent's tool output.
//!
//! Authentication failures (401, 403, invalid keys or tokens) get their own detail and
//! next steps. HTTP 429 is not a rejection of the request and is reported by
//! `model-gateway-unavailable`.
//!
//! The finding is critical while the run is PENDING, RUNNING or FAILED, and a warning when
//! the run still completed.
//!
//! ### Why it matters
//!
//! A rejected request fails the same way every time it is sent: retrying does not help
//! until the model configuration, the key or the conversation is changed.
//!
//! ### Known problems
//!
//! Lines that report a failing status callback are left to `callback-failed`, and lines
//! about Wegent's own HTTP APIs (`/api/`, `/executor-manager/`) are ignored, so a
//! provider error quoted inside such a line is missed.
//!
//! ### Evidence
//!
//! `db/subtasks.json`, `db/task.json`, `executors/<name>/logs.txt`, `logs/*.txt`.
//!
//! ### Fix
//!
//! For authentication failures, renew the API key of the task's model; otherwise check
//! the model id, beta flags and options against the provider, or start a new task when a
//! broken tool-call history is the cause.

use std::sync::LazyLock;

use regex::RegexSet;

use super::callback_failed;
use super::current_run;
use crate::engine::{Context, Evidence, Finding, Msg, Rule, Severity};
use crate::i18n::Lang;

/// At most this many places are listed as evidence.
const MAX_EVIDENCE: usize = 5;

static AUTH_REJECTED: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([
        r"(?i)\berror code:\s*(?:401|403)\b",
        r"(?i)\b(?:authentication_error|permission_error|invalid_api_key)\b",
        r"(?i)\bincorrect api key provided\b|\binvalid x-api-key\b",
        r"无效的令牌|令牌.{0,4}(?:无效|已过期|过期)|未提供令牌",
    ])
    .expect("authentication patterns compile")
});

/// Generic HTTP wording, trusted only in the error fields of the task and subtask rows.
static AUTH_REJECTED_IN_ERROR_FIELD: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([
        r"(?i)\b401 unauthorized\b|\b403 forbidden\b",
        r"(?i)\binvalid api[ _-]?key\b",
        r"无权访问",
    ])
    .expect("authentication patterns compile")
});

static REQUEST_REJECTED: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([
        r"(?i)\berror code:\s*(?:400|404|413|422)\b",
        r"(?i)\b(?:invalid_request_error|not_found_error|request_too_large|context_length_exceeded)\b",
        r"(?i)\binvalid beta flag\b|\banthropic-beta\b.{0,60}\b(?:invalid|unexpected|unsupported)\b",
        r"(?i)\bunexpected value.{0,60}\banthropic-beta\b",
        r"(?i)\btool_use\b.{0,40}\bwithout\b.{0,20}\btool_result\b",
        r"(?i)\btool_call_id\b.{0,80}\b(?:not found|invalid|missing|must)\b|\bmust be (?:a response|followed).{0,80}\btool",
        r"(?i)\bprompt is too long\b|\bmaximum context length\b",
        r"模型不存在|不支持的模型",
    ])
    .expect("request rejection patterns compile")
});

/// Kind of rejection by the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rejection {
    Auth,
    Request,
}

/// Classifies a text; callback failures and Wegent's own HTTP API lines are skipped.
/// Generic HTTP wording counts only when `error_field` is set.
fn classify(text: &str, error_field: bool) -> Option<Rejection> {
    let about_wegent_api = text.contains("/executor-manager/") || text.contains("/api/");
    if about_wegent_api || callback_failed::is_callback_failure(text) {
        return None;
    }
    if AUTH_REJECTED.is_match(text) || (error_field && AUTH_REJECTED_IN_ERROR_FIELD.is_match(text))
    {
        Some(Rejection::Auth)
    } else if REQUEST_REJECTED.is_match(text) {
        Some(Rejection::Request)
    } else {
        None
    }
}

/// True when the text is a provider rejection this rule reports.
pub(crate) fn is_request_rejection(text: &str) -> bool {
    classify(text, false).is_some()
}

pub struct ModelRequestRejected;

impl Rule for ModelRequestRejected {
    fn id(&self) -> &'static str {
        "model-request-rejected"
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
        let status = current_run::current_status(cx.facts);

        let mut hits = current_run::classified_errors(cx, classify);
        hits.extend(error_type_hit(cx));
        if hits.is_empty() {
            return;
        }

        let auth = hits.iter().any(|(r, _)| *r == Rejection::Auth);
        let count = hits.len();
        let evidence: Vec<_> = hits
            .into_iter()
            .map(|(_, e)| e)
            .take(MAX_EVIDENCE)
            .collect();

        let severity = current_run::error_severity(status);
        let (detail_key, first_step) = if auth {
            (
                "model-request-rejected.detail-auth",
                "model-request-rejected.next-auth",
            )
        } else {
            (
                "model-request-rejected.detail",
                "model-request-rejected.next",
            )
        };
        let model = cx
            .facts
            .labels
            .get("modelId")
            .map(String::as_str)
            .unwrap_or("?");

        out.push(Finding {
            rule: self.id(),
            severity,
            title: Msg::new("model-request-rejected.title"),
            detail: Msg::new(detail_key)
                .arg("count", count)
                .arg("status", status.unwrap_or("unknown")),
            evidence,
            next_steps: vec![
                Msg::new(first_step).arg("model", model),
                Msg::new("model-request-rejected.next-history"),
            ],
        });
    }
}

/// Upstream's classifier code in the latest assistant subtask's `result.error_type`.
fn error_type_hit(cx: &Context<'_>) -> Option<(Rejection, Evidence)> {
    let (error_type, evidence) = current_run::result_error_type(cx)?;
    let rejection = match error_type {
        "forbidden" => Rejection::Auth,
        "payload_too_large"
        | "invalid_parameter"
        | "content_filter"
        | "context_length_exceeded" => Rejection::Request,
        _ => return None,
    };
    Some((rejection, evidence))
}

static EN: &[(&str, &str)] = &[
    (
        "model-request-rejected.title",
        "the model provider rejected this task's request",
    ),
    (
        "model-request-rejected.detail",
        "The bundle shows the provider rejecting the request as invalid (matches: {count}). HTTP 400/404/413/422 come from an unknown model id, an unsupported beta flag, a broken tool-call history or a prompt that is too long. The same request fails every time; the latest run is {status}.",
    ),
    (
        "model-request-rejected.detail-auth",
        "The bundle shows the provider rejecting the request's credentials: HTTP 401/403, an invalid or expired API key or token (matches: {count}). The latest run is {status}.",
    ),
    (
        "model-request-rejected.next",
        "Compare the configuration of model {model} (model_id, base_url, options such as beta flags) with what the provider accepts, and correct the Model.",
    ),
    (
        "model-request-rejected.next-auth",
        "Renew or correct the API key of model {model} in Wegent's model settings, and check that the key may use this model at the gateway.",
    ),
    (
        "model-request-rejected.next-history",
        "When the error names tool calls, tool results or the context length, the conversation itself is broken or too long: start a new task instead of appending to this one.",
    ),
];

static ZH: &[(&str, &str)] = &[
    (
        "model-request-rejected.title",
        "模型供应商拒绝了本任务的请求",
    ),
    (
        "model-request-rejected.detail",
        "包中有 {count} 处显示供应商以请求无效为由拒绝（HTTP 400/404/413/422：未知的模型 id、不支持的 beta 标志、损坏的工具调用历史、过长的提示词）。同样的请求每次都会失败；最新一次执行为 {status}。",
    ),
    (
        "model-request-rejected.detail-auth",
        "包中有 {count} 处显示供应商拒绝了请求的凭据（HTTP 401/403，API key 或令牌无效或已过期）。最新一次执行为 {status}。",
    ),
    (
        "model-request-rejected.next",
        "将模型 {model} 的配置（model_id、base_url、beta 标志等选项）与供应商支持的内容对比，并修正该 Model。",
    ),
    (
        "model-request-rejected.next-auth",
        "在 Wegent 的模型设置中更新或修正模型 {model} 的 API key，并确认该 key 在网关上有权使用此模型。",
    ),
    (
        "model-request-rejected.next-history",
        "如果错误提到工具调用、工具结果或上下文长度，说明对话本身已损坏或过长：请新建任务，而不是继续追加到本任务。",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    #[test]
    fn flags_invalid_beta_flag() {
        let bundle = failed_with(
            "Error code: 400 - {'type': 'error', 'error': {'type': 'invalid_request_error', 'message': 'invalid beta flag'}}",
        );

        let findings = run(&ModelRequestRejected, &bundle);

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].detail.key, "model-request-rejected.detail");
        assert_eq!(findings[0].severity, Severity::Critical);
        assert_catalogue(&ModelRequestRejected, &findings);
    }

    #[test]
    fn flags_authentication_failure_in_log() {
        let mut bundle = bundle("RUNNING", "RUNNING");
        bundle.log_lines = vec![log(
            "executors/wegent-task-admin-e47497646f4e26c/logs.txt",
            31,
            "Error code: 401 - {'error': {'type': 'authentication_error', 'message': 'invalid x-api-key'}}",
        )];

        let findings = run(&ModelRequestRejected, &bundle);

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].detail.key, "model-request-rejected.detail-auth");
    }

    #[test]
    fn ignores_rate_limit_and_callback_client_errors() {
        let mut bundle = failed_with("Error code: 429 - rate_limit_error");
        bundle.log_lines = vec![log(
            "executors/wegent-task-admin-e47497646f4e26c/logs.txt",
            9,
            "Client error (422) during callback",
        )];

        assert!(run(&ModelRequestRejected, &bundle).is_empty());
    }
}
