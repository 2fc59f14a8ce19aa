//! `db/subtasks.json`: the subtasks of the task, oldest first (`message_id`, then `id`).
//!
//! Only columns the table has are read, so legacy and current schemas both work. `prompt`
//! and `result` can be megabytes; the server returns at most [`MAX_TEXT_CHARS`] characters
//! of each and the row is marked truncated. A task with more than [`MAX_ROWS`] subtasks
//! keeps the newest ones, because the diagnosis looks at the latest execution.

use anyhow::Context as _;
use serde_json::Value;
use sqlx::MySqlConnection;
use wegent_analyzer::bundle::model::SubtaskRow;

use super::server::ServerInfo;
use super::sql;

/// Characters kept of `prompt`, `result` and `error_message` (64 Ki).
pub const MAX_TEXT_CHARS: usize = 64 * 1024;

/// Subtask rows kept per task.
pub const MAX_ROWS: i64 = 1000;

/// Subtasks read, plus notes on what was cut.
pub struct SubtaskRead {
    pub rows: Vec<SubtaskRow>,
    pub truncation: Vec<String>,
}

const INT_COLUMNS: [&str; 8] = [
    "id",
    "task_id",
    "user_id",
    "team_id",
    "progress",
    "executor_deleted_at",
    "message_id",
    "parent_id",
];
const TEXT_COLUMNS: [&str; 6] = [
    "title",
    "role",
    "status",
    "executor_namespace",
    "executor_name",
    "sender_type",
];
const TIME_COLUMNS: [&str; 3] = ["created_at", "updated_at", "completed_at"];

/// Reads the subtasks of `task_id`.
pub async fn read(
    conn: &mut MySqlConnection,
    info: &ServerInfo,
    task_id: i64,
) -> anyhow::Result<SubtaskRead> {
    if !info.has_table("subtasks") {
        anyhow::bail!("the database has no subtasks table");
    }
    let has = |column: &str| info.has_column("subtasks", column);

    let mut select = Vec::new();
    for column in INT_COLUMNS.into_iter().filter(|c| has(c)) {
        select.push(sql::int(column, column));
    }
    for column in TEXT_COLUMNS.into_iter().filter(|c| has(c)) {
        select.push(sql::text(column, column));
    }
    for column in TIME_COLUMNS.into_iter().filter(|c| has(c)) {
        select.push(sql::datetime(column, column));
    }
    for column in ["prompt", "result", "error_message"]
        .into_iter()
        .filter(|c| has(c))
    {
        select.push(sql::capped_text(column, column, MAX_TEXT_CHARS));
    }
    if has("bot_ids") {
        select.push(sql::text("bot_ids", "bot_ids"));
    }

    let order = if has("message_id") {
        "message_id DESC, id DESC"
    } else {
        "id DESC"
    };
    let query = format!(
        "SELECT {} FROM subtasks WHERE task_id = ? ORDER BY {order} LIMIT {MAX_ROWS}",
        select.join(", ")
    );
    let fetched = sqlx::query(&query)
        .bind(task_id)
        .fetch_all(&mut *conn)
        .await
        .with_context(|| format!("reading subtasks of task {task_id}"))?;

    let mut truncation = Vec::new();
    let mut rows: Vec<SubtaskRow> = fetched
        .iter()
        .map(|row| decode(row, task_id, &mut truncation))
        .collect();
    rows.reverse();

    if rows.len() as i64 == MAX_ROWS {
        let total: i64 =
            sqlx::query_scalar("SELECT CAST(COUNT(*) AS SIGNED) FROM subtasks WHERE task_id = ?")
                .bind(task_id)
                .fetch_one(&mut *conn)
                .await
                .context("counting subtasks")?;
        if total > MAX_ROWS {
            truncation.push(format!("kept the newest {MAX_ROWS} of {total} subtasks"));
        }
    }
    Ok(SubtaskRead { rows, truncation })
}

fn decode(row: &sqlx::mysql::MySqlRow, task_id: i64, truncation: &mut Vec<String>) -> SubtaskRow {
    let id = sql::get_i64(row, "id").unwrap_or_default();
    let capped = |alias: &str| -> (Option<String>, bool) {
        let value = sql::get_string(row, alias);
        let length = sql::get_i64(row, &format!("{alias}_len")).unwrap_or_default();
        (value, length > MAX_TEXT_CHARS as i64)
    };

    let (prompt, prompt_truncated) = capped("prompt");
    let (result_text, result_truncated) = capped("result");
    let (error_message, error_truncated) = capped("error_message");
    for (field, cut) in [
        ("prompt", prompt_truncated),
        ("result", result_truncated),
        ("error_message", error_truncated),
    ] {
        if cut {
            truncation.push(format!(
                "subtask {id}: {field} capped at {MAX_TEXT_CHARS} characters"
            ));
        }
    }

    let result = result_text.map(|text| {
        if result_truncated {
            Value::String(text)
        } else {
            sql::parse_json(&text)
        }
    });

    SubtaskRow {
        id,
        task_id: sql::get_i64(row, "task_id").unwrap_or(task_id),
        user_id: sql::get_i64(row, "user_id").unwrap_or_default(),
        team_id: sql::get_i64(row, "team_id").unwrap_or_default(),
        title: sql::get_string(row, "title").unwrap_or_default(),
        role: sql::get_string(row, "role").unwrap_or_default(),
        status: sql::get_string(row, "status").unwrap_or_default(),
        progress: sql::get_i64(row, "progress").unwrap_or_default(),
        executor_namespace: sql::get_string(row, "executor_namespace"),
        executor_name: sql::get_string(row, "executor_name"),
        executor_deleted_at: sql::get_i64(row, "executor_deleted_at").unwrap_or_default(),
        message_id: sql::get_i64(row, "message_id").unwrap_or_default(),
        parent_id: sql::get_i64(row, "parent_id"),
        bot_ids: sql::get_string(row, "bot_ids").map(|t| sql::parse_json(&t)),
        prompt,
        prompt_truncated,
        result,
        result_truncated,
        error_message,
        created_at: sql::get_string(row, "created_at"),
        updated_at: sql::get_string(row, "updated_at"),
        completed_at: sql::get_string(row, "completed_at"),
        sender_type: sql::get_string(row, "sender_type"),
    }
}
