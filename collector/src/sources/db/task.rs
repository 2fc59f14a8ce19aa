//! `db/task.json` and `db/owner.json`: the task row and its owner's user name.
//!
//! The row is read by id whatever its kind or `is_active`, because a deleted or archived
//! task is still worth diagnosing. Columns that only some schema versions have
//! (`project_id`, `client_origin`, `is_group_chat`) are read only when present. Databases
//! from before the `tasks` table existed kept tasks in `kinds`; the row is read from there
//! then. Of the owner, only the user name is read: `users.git_info` contains git tokens and
//! is never selected.

use anyhow::Context as _;
use sqlx::MySqlConnection;
use wegent_analyzer::bundle::model::{Owner, TaskRow};

use super::server::ServerInfo;
use super::sql;

/// Reads the task row; `None` when no row has this id.
pub async fn read_task(
    conn: &mut MySqlConnection,
    info: &ServerInfo,
    task_id: i64,
) -> anyhow::Result<Option<TaskRow>> {
    let (table, filter) = if info.has_table("tasks") {
        ("tasks", "id = ?")
    } else {
        ("kinds", "id = ? AND kind = 'Task'")
    };

    let mut select = vec![
        sql::int("id", "id"),
        sql::int("user_id", "user_id"),
        sql::text("kind", "kind"),
        sql::text("name", "name"),
        sql::text("namespace", "namespace"),
        sql::int("is_active", "is_active"),
        sql::datetime("created_at", "created_at"),
        sql::datetime("updated_at", "updated_at"),
        sql::text("json", "json"),
    ];
    for (column, is_text) in [
        ("project_id", false),
        ("client_origin", true),
        ("is_group_chat", false),
    ] {
        if info.has_column(table, column) {
            select.push(if is_text {
                sql::text(column, column)
            } else {
                sql::int(column, column)
            });
        }
    }

    let query = format!("SELECT {} FROM {table} WHERE {filter}", select.join(", "));
    let row = sqlx::query(&query)
        .bind(task_id)
        .fetch_optional(&mut *conn)
        .await
        .with_context(|| format!("reading task {task_id} from {table}"))?;
    let Some(row) = row else {
        return Ok(None);
    };

    Ok(Some(TaskRow {
        id: sql::get_i64(&row, "id").unwrap_or(task_id),
        user_id: sql::get_i64(&row, "user_id").unwrap_or_default(),
        kind: sql::get_string(&row, "kind").unwrap_or_default(),
        name: sql::get_string(&row, "name").unwrap_or_default(),
        namespace: sql::get_string(&row, "namespace").unwrap_or_default(),
        is_active: sql::get_i64(&row, "is_active").unwrap_or_default(),
        created_at: sql::get_string(&row, "created_at").unwrap_or_default(),
        updated_at: sql::get_string(&row, "updated_at").unwrap_or_default(),
        project_id: sql::get_i64(&row, "project_id"),
        client_origin: sql::get_string(&row, "client_origin"),
        is_group_chat: sql::get_i64(&row, "is_group_chat").map(|v| v != 0),
        json: sql::get_string(&row, "json")
            .map(|t| sql::parse_json(&t))
            .unwrap_or_default(),
    }))
}

/// Reads the owner's user name; `None` when the user row does not exist.
pub async fn read_owner(
    conn: &mut MySqlConnection,
    info: &ServerInfo,
    user_id: i64,
) -> anyhow::Result<Option<Owner>> {
    if !info.has_column("users", "user_name") {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT CAST(id AS SIGNED) AS id, CAST(user_name AS CHAR) AS user_name FROM users WHERE id = ?",
    )
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await
    .with_context(|| format!("reading user {user_id}"))?;

    Ok(row.map(|row| Owner {
        user_id: sql::get_i64(&row, "id").unwrap_or(user_id),
        user_name: sql::get_string(&row, "user_name").unwrap_or_default(),
    }))
}
