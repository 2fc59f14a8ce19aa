//! Container environment variables: which values are kept, and the secrets inside them.
//!
//! Executors carry the whole task in `TASK_INFO` (the fork), with the model's API key, the
//! user's git token and a backend JWT decrypted, plus AES keys and identity tokens
//! (upstream). Every value is handed to the redactor before it is dropped, so the same
//! value is also removed from logs and other members. A short list of variables that are
//! not secret and that the analysis needs (executor name, mode, ports, time zone) keep
//! their values. Those values are not handed to the redactor, because removing an
//! executor name or a time zone everywhere would blind the analysis.
//! JSON values are parsed and every string under a secret-looking key, and every URL
//! password, is handed to the redactor on its own as well.
//!
//! Service containers (executor-manager, backend, MySQL) carry mostly configuration,
//! such as service URLs and the database name, which their logs repeat. Removing those
//! everywhere would hide what the analysis looks for, so for services only values under
//! secret-looking names (`*PASSWORD*`, `*TOKEN*`, `*KEY*`, …) and URL passwords are
//! handed to the redactor. Their environment values are never stored.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::source::Context;

/// Text stored in place of a dropped value.
pub const DROPPED_VALUE: &str = "[REDACTED]";

/// Variables whose values are kept; everything else is dropped.
const KEPT_VALUES: &[&str] = &[
    "EXECUTOR_NAME",
    "EXECUTOR_NAMESPACE",
    "EXECUTOR_MODE",
    "EXECUTOR_IMAGE",
    "HEARTBEAT_TYPE",
    "HEARTBEAT_ENABLED",
    "HEARTBEAT_ID",
    "TASK_ID",
    "PORT",
    "TZ",
    "LANG",
    "LC_ALL",
    "PATH",
    "HOME",
    "HOSTNAME",
    "PYTHONUNBUFFERED",
    "PYTHONPATH",
    "DOCKER_HOST_ADDR",
    "CALLBACK_URL",
    "CALLBACK_HOST",
    "TASK_API_DOMAIN",
    "EXECUTOR_MANAGER_HEARTBEAT_BASE_URL",
    "NETWORK",
    "EXECUTOR_PORT_RANGE_MIN",
    "EXECUTOR_PORT_RANGE_MAX",
    "MAX_CONCURRENT_TASKS",
];

/// Key fragments that mark a JSON value as secret.
const SECRET_KEY_PARTS: &[&str] = &[
    "key",
    "token",
    "secret",
    "password",
    "passwd",
    "credential",
    "authorization",
    "cookie",
];

/// Summary of one container's environment.
#[derive(Debug, Default)]
pub struct EnvSummary {
    /// Name to kept value or [`DROPPED_VALUE`].
    pub shown: BTreeMap<String, String>,
    /// `repo_dir` values found in `TASK_INFO`.
    pub repo_dirs: Vec<String>,
}

/// Rule for which environment values go to the redactor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secrecy {
    /// Executors: every value except those in the kept list.
    AllButKept,
    /// Services: values under secret-looking names, and secrets inside values.
    SecretNamesOnly,
}

/// Registers the secrets of `env` (`NAME=value` entries) and returns what may be stored.
pub fn summarize(ctx: &Context, env: &[String], secrecy: Secrecy) -> EnvSummary {
    let mut summary = EnvSummary::default();
    for entry in env {
        let (name, value) = entry.split_once('=').unwrap_or((entry.as_str(), ""));
        if KEPT_VALUES.contains(&name) {
            remember_url_password(ctx, value);
            summary.shown.insert(name.to_string(), value.to_string());
            continue;
        }

        if let Ok(json) = serde_json::from_str::<Value>(value) {
            remember_json_secrets(ctx, &json, false);
            if name == "TASK_INFO" {
                collect_repo_dirs(&json, &mut summary.repo_dirs);
            }
        }
        remember_url_password(ctx, value);
        if secrecy == Secrecy::AllButKept || is_secret_key(name) {
            ctx.remember(value, &rule_for(name));
        }
        summary
            .shown
            .insert(name.to_string(), DROPPED_VALUE.to_string());
    }
    summary
}

fn rule_for(name: &str) -> String {
    format!(
        "container-env-{}",
        name.to_ascii_lowercase().replace('_', "-")
    )
}

fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    SECRET_KEY_PARTS.iter().any(|part| key.contains(part))
}

/// Registers string values under secret-looking keys (at any depth) and URL passwords.
fn remember_json_secrets(ctx: &Context, value: &Value, under_secret_key: bool) {
    match value {
        Value::String(text) => {
            if under_secret_key {
                ctx.remember(text, "task-info-secret");
            }
            remember_url_password(ctx, text);
        }
        Value::Array(items) => {
            for item in items {
                remember_json_secrets(ctx, item, under_secret_key);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                remember_json_secrets(ctx, item, under_secret_key || is_secret_key(key));
            }
        }
        _ => {}
    }
}

fn remember_url_password(ctx: &Context, text: &str) {
    if !text.contains("://") || !text.contains('@') {
        return;
    }
    for word in text.split(|c: char| c.is_whitespace() || c == '"' || c == '\'') {
        if let Ok(url) = url::Url::parse(word)
            && let Some(password) = url.password()
        {
            ctx.remember(password, "url-password");
        }
    }
}

fn collect_repo_dirs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                if key == "repo_dir" {
                    if let Some(dir) = item.as_str().filter(|d| !d.trim().is_empty()) {
                        out.push(dir.trim().to_string());
                    }
                } else {
                    collect_repo_dirs(item, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_repo_dirs(item, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys_are_recognized() {
        for key in [
            "api_key",
            "git_token",
            "auth_token",
            "AES_KEY",
            "password",
            "Authorization",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in ["task_id", "executor_name", "git_url", "repo_dir"] {
            assert!(!is_secret_key(key), "{key}");
        }
    }

    #[test]
    fn repo_dirs_are_found_at_any_depth() {
        let json: Value = serde_json::json!({"repo_dir": "/wegent_repos/a", "bot": [{"repo_dir": ""}],
            "x": {"repo_dir": "/wegent_repos/b"}});
        let mut dirs = Vec::new();
        collect_repo_dirs(&json, &mut dirs);
        dirs.sort();
        assert_eq!(dirs, vec!["/wegent_repos/a", "/wegent_repos/b"]);
    }
}
