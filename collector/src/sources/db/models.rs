//! `db/models.json`: the Model kind rows the task resolves to, secrets reduced to flags.
//!
//! The model name is found the way Wegent's executor resolves it. The task label `modelId`
//! wins when `forceOverrideBotModel` is `"true"`. Otherwise the bot's own model is used: the
//! Bot kinds row named by the newest assistant subtask's `bot_ids`, through its
//! `bind_model` or its `spec.modelRef`. Without a bot model, the `modelId` label applies. Every Model row with that name is
//! recorded (several users or namespaces may define one), newest first. API keys and auth
//! headers are never stored: they become `has_api_key`, and their values are handed to the
//! redactor so that they vanish from every other member too.

use anyhow::Context as _;
use serde_json::Value;
use sqlx::MySqlConnection;
use wegent_analyzer::bundle::model::{ModelInfo, Models, SubtaskRow, TaskRow};

use super::server::ServerInfo;
use super::sql;
use crate::source::Context;

/// Model rows kept per name.
const MAX_MODEL_ROWS: i64 = 20;

/// Resolves the task's model and reads its rows.
pub async fn read(
    conn: &mut MySqlConnection,
    info: &ServerInfo,
    ctx: &Context,
    task: &TaskRow,
    subtasks: &[SubtaskRow],
) -> anyhow::Result<Models> {
    if !info.has_table("kinds") {
        anyhow::bail!("the database has no kinds table");
    }

    let labels = task
        .json
        .pointer("/metadata/labels")
        .cloned()
        .unwrap_or(Value::Null);
    let label = |name: &str| {
        labels
            .get(name)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let label_model = label("modelId").map(str::to_string);
    let force = label("forceOverrideBotModel").is_some_and(|v| v.eq_ignore_ascii_case("true"));

    let (requested, resolved_from) = if let (true, Some(name)) = (force, &label_model) {
        (Some(name.clone()), "force-override")
    } else if let Some((name, how)) = bot_model(conn, subtasks).await? {
        (Some(name), how)
    } else if let Some(name) = &label_model {
        (Some(name.clone()), "label-modelId")
    } else {
        (None, "none")
    };

    let mut models = Vec::new();
    if let Some(name) = &requested {
        for (row, json) in model_rows(conn, name).await? {
            models.push(model_info(ctx, row, &json));
        }
    }
    Ok(Models {
        requested,
        resolved_from: resolved_from.to_string(),
        models,
    })
}

/// Model name bound to the bot of the newest assistant subtask, and how it was found.
async fn bot_model(
    conn: &mut MySqlConnection,
    subtasks: &[SubtaskRow],
) -> anyhow::Result<Option<(String, &'static str)>> {
    let bot_ids: Vec<i64> = subtasks
        .iter()
        .rev()
        .filter(|s| s.role.eq_ignore_ascii_case("ASSISTANT"))
        .find_map(|s| {
            s.bot_ids
                .as_ref()
                .and_then(Value::as_array)
                .filter(|ids| !ids.is_empty())
        })
        .map(|ids| {
            ids.iter()
                .filter_map(|id| id.as_i64().or_else(|| id.as_str()?.parse().ok()))
                .collect()
        })
        .unwrap_or_default();
    if bot_ids.is_empty() {
        return Ok(None);
    }

    let placeholders = vec!["?"; bot_ids.len()].join(", ");
    let query = format!(
        "SELECT CAST(id AS SIGNED) AS id, CAST(json AS CHAR) AS json FROM kinds \
         WHERE kind = 'Bot' AND id IN ({placeholders})"
    );
    let mut statement = sqlx::query(&query);
    for id in &bot_ids {
        statement = statement.bind(*id);
    }
    let rows = statement
        .fetch_all(&mut *conn)
        .await
        .context("reading the task's Bot rows")?;

    // Keep the order of bot_ids: the first bot is the one that runs first.
    for id in &bot_ids {
        let Some(row) = rows.iter().find(|r| sql::get_i64(r, "id") == Some(*id)) else {
            continue;
        };
        let json = sql::get_string(row, "json")
            .map(|t| sql::parse_json(&t))
            .unwrap_or_default();
        if let Some(name) = bind_model(&json) {
            return Ok(Some((name, "bot-bind-model")));
        }
        let Some(reference) = string_at(&json, "/spec/modelRef/name") else {
            continue;
        };
        // A bot's model row may itself bind to another (usually public) model.
        let bound = model_rows(conn, &reference)
            .await?
            .into_iter()
            .find_map(|(_, model_json)| bind_model(&model_json));
        return Ok(Some(match bound {
            Some(name) => (name, "bot-bind-model"),
            None => (reference, "bot-model-ref"),
        }));
    }
    Ok(None)
}

fn bind_model(json: &Value) -> Option<String> {
    [
        "/spec/agent_config/bind_model",
        "/spec/agentConfig/bind_model",
        "/spec/modelConfig/bind_model",
    ]
    .into_iter()
    .find_map(|pointer| string_at(json, pointer))
}

fn string_at(json: &Value, pointer: &str) -> Option<String> {
    json.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

struct ModelRow {
    id: i64,
    user_id: i64,
    name: String,
    namespace: String,
    is_active: bool,
    updated_at: Option<String>,
}

async fn model_rows(
    conn: &mut MySqlConnection,
    name: &str,
) -> anyhow::Result<Vec<(ModelRow, Value)>> {
    let query = format!(
        "SELECT {}, {}, {}, {}, {}, {}, {} FROM kinds WHERE kind = 'Model' AND name = ? \
         ORDER BY updated_at DESC, id DESC LIMIT {MAX_MODEL_ROWS}",
        sql::int("id", "id"),
        sql::int("user_id", "user_id"),
        sql::text("name", "name"),
        sql::text("namespace", "namespace"),
        sql::int("is_active", "is_active"),
        sql::datetime("updated_at", "updated_at"),
        sql::text("json", "json"),
    );
    let rows = sqlx::query(&query)
        .bind(name)
        .fetch_all(&mut *conn)
        .await
        .with_context(|| format!("reading Model rows named '{name}'"))?;

    Ok(rows
        .iter()
        .map(|row| {
            let model = ModelRow {
                id: sql::get_i64(row, "id").unwrap_or_default(),
                user_id: sql::get_i64(row, "user_id").unwrap_or_default(),
                name: sql::get_string(row, "name").unwrap_or_default(),
                namespace: sql::get_string(row, "namespace").unwrap_or_default(),
                is_active: sql::get_i64(row, "is_active").unwrap_or(1) != 0,
                updated_at: sql::get_string(row, "updated_at"),
            };
            let json = sql::get_string(row, "json")
                .map(|t| sql::parse_json(&t))
                .unwrap_or_default();
            (model, json)
        })
        .collect())
}

fn model_info(ctx: &Context, row: ModelRow, json: &Value) -> ModelInfo {
    let env = json
        .pointer("/spec/modelConfig/env")
        .cloned()
        .unwrap_or(Value::Null);
    remember_secrets(ctx, &env);

    let api_key = env
        .get("api_key")
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or("");
    let field = |name: &str| env.get(name).and_then(Value::as_str).map(str::to_string);

    ModelInfo {
        id: row.id,
        name: row.name,
        namespace: row.namespace,
        user_id: row.user_id,
        is_active: row.is_active,
        provider: field("model"),
        model_id: field("model_id"),
        base_url: field("base_url").map(|url| strip_url_credentials(&url)),
        has_api_key: !api_key.is_empty() && api_key != "***",
        updated_at: row.updated_at,
    }
}

/// Hands every secret-looking value of a model's `env` to the redactor: keys named like
/// a key, token, secret or password, and every value of a header map.
fn remember_secrets(ctx: &Context, env: &Value) {
    let Some(map) = env.as_object() else {
        return;
    };
    for (key, value) in map {
        let lower = key.to_ascii_lowercase();
        let is_headers = lower.contains("header");
        let is_secret = ["key", "token", "secret", "password", "auth"]
            .iter()
            .any(|w| lower.contains(w));
        match value {
            Value::String(text) if is_secret => ctx.remember(text, "model-api-key"),
            Value::Object(headers) if is_headers => {
                for header in headers.values().filter_map(Value::as_str) {
                    ctx.remember(header, "model-header");
                }
            }
            Value::String(text) if is_headers => {
                // Headers stored as a JSON string.
                if let Ok(Value::Object(headers)) = serde_json::from_str::<Value>(text) {
                    for header in headers.values().filter_map(Value::as_str) {
                        ctx.remember(header, "model-header");
                    }
                }
            }
            _ => {}
        }
    }
}

/// Removes user name, password and query from a URL; text that is not a URL is kept.
pub fn strip_url_credentials(raw: &str) -> String {
    match url::Url::parse(raw.trim()) {
        Ok(mut parsed) => {
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.set_query(None);
            parsed.to_string()
        }
        Err(_) => raw.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_loses_credentials() {
        assert_eq!(
            strip_url_credentials("https://u:p@gw.example/v1?key=x"),
            "https://gw.example/v1"
        );
        assert_eq!(strip_url_credentials("not a url"), "not a url");
    }

    #[test]
    fn bind_model_paths() {
        let bot = serde_json::json!({"spec": {"agent_config": {"bind_model": "m1"}}});
        assert_eq!(bind_model(&bot).as_deref(), Some("m1"));
        assert_eq!(bind_model(&serde_json::json!({"spec": {}})), None);
    }
}
