//! The task's model does not exist, is inactive, or lacks its base URL or API key.
//!
//! ### What it checks
//!
//! The requested model name comes from `db/models.json` (`requested`, which the collector
//! resolved from `labels.modelId` or the bot's `bind_model`), else from the task label
//! `modelId`. Among the Model rows of that name in `db/models.json` it reports, in this
//! order and only the first that applies:
//!
//! 1. no row has the name (the label or binding names nothing resolvable);
//! 2. every row with the name is inactive;
//! 3. no active row has a `base_url`;
//! 4. no active row has an API key (`has_api_key` false: empty or `***`).
//!
//! When nothing names a model (`resolved_from: none` and no label), or `db/models.json`
//! is missing, the rule stays silent. The finding is critical unless the latest run
//! completed, which shows the model worked at that time. Then it is a warning.
//!
//! ### Why it matters
//!
//! The executor gets its model configuration from this row. Without it the agent cannot
//! call the model at all, and the failure often surfaces only as a vague provider or
//! connection error in the executor log.
//!
//! ### Known problems
//!
//! Wegent chooses among rows of the same name by scope (public, group, user). When one
//! active row is complete and another is not, the rule cannot tell which one the task
//! uses and stays silent. Shells that take their key from other variables (Dify's
//! `DIFY_API_KEY`, Codex's `OPENAI_API_KEY`) may be reported as lacking an API key.
//!
//! ### Evidence
//!
//! `db/models.json`, `db/task.json` (`/metadata/labels/modelId`), and error lines of the
//! current run that name the model.
//!
//! ### Fix
//!
//! Create or activate the Model the task names, fill in its base URL and API key, or
//! choose another model for the task.

use std::sync::LazyLock;

use regex::Regex;

use super::current_run;
use crate::bundle::model::{ModelInfo, members};
use crate::engine::{Context, Evidence, Finding, Msg, Rule, Severity};
use crate::i18n::Lang;

/// Problem with the requested model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Problem {
    Missing,
    Inactive,
    NoBaseUrl,
    NoApiKey,
}

impl Problem {
    fn detail_key(self) -> &'static str {
        match self {
            Problem::Missing => "model-not-configured.detail",
            Problem::Inactive => "model-not-configured.detail-inactive",
            Problem::NoBaseUrl => "model-not-configured.detail-no-base-url",
            Problem::NoApiKey => "model-not-configured.detail-no-api-key",
        }
    }
}

/// Log level words of an error line. Other lines can name the model too, such as a
/// callback that quotes the error message.
static ERROR_LEVEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:ERROR|CRITICAL|FATAL)\b").expect("pattern compiles"));

/// Wording of an executor that found no usable model configuration.
static CONFIG_FAILURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)resolved to no active model|no (?:active |usable )?model configuration")
        .expect("pattern compiles")
});

/// True when a log line reports that the task's model has no usable configuration, the
/// failure this rule explains from the database.
pub fn is_model_config_failure(text: &str) -> bool {
    CONFIG_FAILURE.is_match(text)
}

/// Maximum number of log lines cited that name the model.
const MAX_LOG_LINES: usize = 2;

pub struct ModelNotConfigured;

impl Rule for ModelNotConfigured {
    fn id(&self) -> &'static str {
        "model-not-configured"
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
        let Some(models) = cx.bundle.models.as_ref() else {
            return;
        };
        let label = cx
            .facts
            .labels
            .get("modelId")
            .map(|m| m.trim())
            .filter(|m| !m.is_empty());
        let requested = models
            .requested
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .or(label);
        let Some(requested) = requested else {
            return;
        };
        let resolved_from = if models.requested.is_some() {
            models.resolved_from.as_str()
        } else {
            "label-modelId"
        };

        let rows: Vec<&ModelInfo> = models
            .models
            .iter()
            .filter(|m| m.name == requested)
            .collect();
        let active: Vec<&ModelInfo> = rows.iter().copied().filter(|m| m.is_active).collect();
        let has_base_url = |m: &&ModelInfo| {
            m.base_url
                .as_deref()
                .is_some_and(|url| !url.trim().is_empty())
        };

        let problem = if rows.is_empty() {
            Problem::Missing
        } else if active.is_empty() {
            Problem::Inactive
        } else if !active.iter().any(has_base_url) {
            Problem::NoBaseUrl
        } else if !active.iter().any(|m| m.has_api_key) {
            Problem::NoApiKey
        } else {
            return;
        };

        let mut evidence = vec![Evidence::new(
            members::DB_MODELS,
            "/requested",
            format!("{requested} (resolved_from: {resolved_from})"),
        )];
        if let Some(label) = label {
            evidence.push(Evidence::new(
                members::DB_TASK,
                "/metadata/labels/modelId",
                label,
            ));
        }
        let shown = if problem == Problem::Inactive {
            &rows
        } else {
            &active
        };
        evidence.extend(shown.iter().map(|m| model_evidence(m)));

        // Cite the run's error lines that name the model: they show the failure this
        // finding explains.
        let model_errors: Vec<_> = current_run::run_lines(cx)
            .into_iter()
            .filter(|l| {
                ERROR_LEVEL.is_match(&l.text)
                    && (l.text.contains(requested) || is_model_config_failure(&l.text))
            })
            .collect();
        evidence.extend(
            model_errors
                .into_iter()
                .rev()
                .take(MAX_LOG_LINES)
                .map(current_run::line_evidence),
        );

        let severity = match current_run::current_status(cx.facts) {
            Some("COMPLETED") => Severity::Warning,
            _ => Severity::Critical,
        };

        out.push(Finding {
            rule: self.id(),
            severity,
            title: Msg::new("model-not-configured.title"),
            detail: Msg::new(problem.detail_key())
                .arg("model", requested)
                .arg("source", resolved_from),
            evidence,
            next_steps: vec![
                Msg::new("model-not-configured.next").arg("model", requested),
                Msg::new("model-not-configured.next-choose"),
            ],
        });
    }
}

fn model_evidence(model: &ModelInfo) -> Evidence {
    let excerpt = format!(
        "name={} namespace={} user_id={} is_active={} base_url={} has_api_key={}",
        model.name,
        model.namespace,
        model.user_id,
        model.is_active,
        model.base_url.as_deref().unwrap_or("-"),
        model.has_api_key,
    );
    Evidence::new(members::DB_MODELS, format!("id={}", model.id), excerpt)
}

static EN: &[(&str, &str)] = &[
    (
        "model-not-configured.title",
        "the task's model is missing or incompletely configured",
    ),
    (
        "model-not-configured.detail",
        "The task asks for model {model} ({source}), but no Model of that name exists, so the executor gets no usable model configuration.",
    ),
    (
        "model-not-configured.detail-inactive",
        "The task asks for model {model} ({source}), but every Model of that name is inactive.",
    ),
    (
        "model-not-configured.detail-no-base-url",
        "The task asks for model {model} ({source}), but no active Model of that name has a base_url, so the agent does not know where to send requests.",
    ),
    (
        "model-not-configured.detail-no-api-key",
        "The task asks for model {model} ({source}), but no active Model of that name has an API key (empty or `***`), so the provider will refuse its requests.",
    ),
    (
        "model-not-configured.next",
        "Open model {model} in Wegent's model settings (or the kinds table, kind Model) and create or activate it, with base_url and API key filled in.",
    ),
    (
        "model-not-configured.next-choose",
        "Alternatively choose a working model for the task or its bot, then send the task again.",
    ),
];

static ZH: &[(&str, &str)] = &[
    (
        "model-not-configured.title",
        "任务使用的模型不存在或配置不完整",
    ),
    (
        "model-not-configured.detail",
        "任务请求模型 {model}（{source}），但不存在该名称的 Model，执行器拿不到可用的模型配置。",
    ),
    (
        "model-not-configured.detail-inactive",
        "任务请求模型 {model}（{source}），但该名称的 Model 全部处于停用状态。",
    ),
    (
        "model-not-configured.detail-no-base-url",
        "任务请求模型 {model}（{source}），但该名称的启用 Model 都没有 base_url，智能体不知道应把请求发往何处。",
    ),
    (
        "model-not-configured.detail-no-api-key",
        "任务请求模型 {model}（{source}），但该名称的启用 Model 都没有 API key（为空或为 `***`），供应商会拒绝其请求。",
    ),
    (
        "model-not-configured.next",
        "在 Wegent 的模型设置（或 kinds 表中 kind 为 Model 的行）中打开模型 {model}，创建或启用它，并填好 base_url 和 API key。",
    ),
    (
        "model-not-configured.next-choose",
        "或者为任务或其 bot 选择一个可用的模型，然后重新发送任务。",
    ),
];

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::bundle::model::Models;
    use crate::rules::test_support::*;

    fn model(id: i64, active: bool, base_url: Option<&str>, has_api_key: bool) -> ModelInfo {
        ModelInfo {
            id,
            name: "my-claude".to_string(),
            namespace: "default".to_string(),
            user_id: 0,
            is_active: active,
            provider: Some("claude".to_string()),
            model_id: Some("claude-sonnet".to_string()),
            base_url: base_url.map(str::to_string),
            has_api_key,
            updated_at: None,
        }
    }

    fn with_models(models: Vec<ModelInfo>) -> crate::bundle::loaded::Bundle {
        let mut bundle = bundle("FAILED", "FAILED");
        bundle.models = Some(Models {
            requested: Some("my-claude".to_string()),
            resolved_from: "label-modelId".to_string(),
            models,
        });
        bundle
    }

    #[test]
    fn flags_missing_model() {
        let findings = run(&ModelNotConfigured, &with_models(Vec::new()));

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].detail.key, "model-not-configured.detail");
        assert_catalogue(&ModelNotConfigured, &findings);
    }

    #[test]
    fn flags_inactive_model() {
        let findings = run(
            &ModelNotConfigured,
            &with_models(vec![model(5, false, Some("https://gw"), true)]),
        );

        assert_eq!(
            findings[0].detail.key,
            "model-not-configured.detail-inactive"
        );
        assert_eq!(findings[0].evidence.last().unwrap().locator, "id=5");
    }

    #[test]
    fn flags_model_without_api_key() {
        let findings = run(
            &ModelNotConfigured,
            &with_models(vec![model(5, true, Some("https://gw"), false)]),
        );

        assert_eq!(
            findings[0].detail.key,
            "model-not-configured.detail-no-api-key"
        );
    }

    #[test]
    fn flags_label_naming_nothing_without_resolution() {
        let mut bundle = bundle("PENDING", "PENDING");
        let task = bundle.task.as_mut().unwrap().as_mut().unwrap();
        task.json["metadata"]["labels"] = json!({ "modelId": "gone-model" });
        bundle.models = Some(Models {
            requested: None,
            resolved_from: "none".to_string(),
            models: Vec::new(),
        });

        let findings = run(&ModelNotConfigured, &bundle);

        assert_eq!(findings.len(), 1);
        assert!(
            findings[0]
                .detail
                .args
                .contains(&("model", "gone-model".to_string()))
        );
    }

    #[test]
    fn accepts_complete_active_model() {
        let bundle = with_models(vec![
            model(5, false, None, false),
            model(6, true, Some("https://gw"), true),
        ]);

        assert!(run(&ModelNotConfigured, &bundle).is_empty());
    }

    #[test]
    fn cites_error_lines_naming_model() {
        let mut bundle = with_models(Vec::new());
        bundle.log_lines = vec![
            log(
                "executors/wegent-task-admin-e47497646f4e26c/logs.txt",
                3,
                "ERROR - task 89 has no usable model configuration: model 'my-claude' not found",
            ),
            log(
                "executors/wegent-task-admin-e47497646f4e26c/logs.txt",
                4,
                "INFO - using model my-claude",
            ),
        ];

        let findings = run(&ModelNotConfigured, &bundle);

        let lines: Vec<&str> = findings[0]
            .evidence
            .iter()
            .filter(|e| e.source.starts_with("executors/"))
            .map(|e| e.locator.as_str())
            .collect();
        assert_eq!(lines, ["line 3"]);
    }
}
