//! `db/server.json`: server version, clocks, schema revision and the columns of the
//! tables the collector and the rules read.

use std::collections::BTreeMap;

use anyhow::Context as _;
use sqlx::MySqlConnection;
use wegent_analyzer::bundle::model::{ColumnInfo, DbServer};

use super::sql;

/// Tables whose columns go into `db/server.json`.
pub const RECORDED_TABLES: [&str; 3] = ["tasks", "subtasks", "kinds"];

/// Server facts plus the columns of every table the collector queries (including
/// `users`, which is not recorded in the bundle).
pub struct ServerInfo {
    pub server: DbServer,
    pub all_columns: BTreeMap<String, Vec<ColumnInfo>>,
}

impl ServerInfo {
    /// True when `table` has `column`.
    pub fn has_column(&self, table: &str, column: &str) -> bool {
        self.all_columns
            .get(table)
            .is_some_and(|columns| columns.iter().any(|c| c.name.eq_ignore_ascii_case(column)))
    }

    /// True when `table` exists (has any column).
    pub fn has_table(&self, table: &str) -> bool {
        self.all_columns.get(table).is_some_and(|c| !c.is_empty())
    }
}

/// Reads version, time zones, clocks, alembic revision and columns.
pub async fn read(conn: &mut MySqlConnection) -> anyhow::Result<ServerInfo> {
    let query = format!(
        "SELECT {}, {}, {}, {}, {}",
        sql::text("VERSION()", "version"),
        sql::text("@@global.time_zone", "global_tz"),
        sql::text("@@session.time_zone", "session_tz"),
        sql::datetime("NOW()", "now_local"),
        sql::datetime("UTC_TIMESTAMP()", "now_utc"),
    );
    let row = sqlx::query(&query)
        .fetch_one(&mut *conn)
        .await
        .context("reading server version and clocks")?;

    let mut server = DbServer {
        version: sql::get_string(&row, "version").unwrap_or_default(),
        global_time_zone: sql::get_string(&row, "global_tz").unwrap_or_default(),
        session_time_zone: sql::get_string(&row, "session_tz").unwrap_or_default(),
        now: sql::get_string(&row, "now_local").unwrap_or_default(),
        utc_now: sql::get_string(&row, "now_utc"),
        alembic_version: None,
        columns: BTreeMap::new(),
    };

    server.alembic_version = alembic_version(conn).await?;
    let all_columns = columns(conn).await?;
    for table in RECORDED_TABLES {
        if let Some(columns) = all_columns.get(table) {
            server.columns.insert(table.to_string(), columns.clone());
        }
    }
    Ok(ServerInfo {
        server,
        all_columns,
    })
}

async fn alembic_version(conn: &mut MySqlConnection) -> anyhow::Result<Option<String>> {
    let exists: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS SIGNED) FROM information_schema.tables \
         WHERE table_schema = DATABASE() AND table_name = 'alembic_version'",
    )
    .fetch_one(&mut *conn)
    .await
    .context("looking for the alembic_version table")?;
    if exists == 0 {
        return Ok(None);
    }

    let rows = sqlx::query("SELECT CAST(version_num AS CHAR) AS version_num FROM alembic_version")
        .fetch_all(&mut *conn)
        .await
        .context("reading alembic_version")?;
    let versions: Vec<String> = rows
        .iter()
        .filter_map(|r| sql::get_string(r, "version_num"))
        .collect();
    Ok((!versions.is_empty()).then(|| versions.join(",")))
}

async fn columns(conn: &mut MySqlConnection) -> anyhow::Result<BTreeMap<String, Vec<ColumnInfo>>> {
    let rows = sqlx::query(
        "SELECT CAST(table_name AS CHAR) AS table_name, CAST(column_name AS CHAR) AS column_name, \
         CAST(column_type AS CHAR) AS column_type, CAST(is_nullable AS CHAR) AS is_nullable \
         FROM information_schema.columns \
         WHERE table_schema = DATABASE() AND table_name IN ('tasks', 'subtasks', 'kinds', 'users') \
         ORDER BY table_name, ordinal_position",
    )
    .fetch_all(&mut *conn)
    .await
    .context("reading columns from information_schema.columns")?;

    let mut tables: BTreeMap<String, Vec<ColumnInfo>> = BTreeMap::new();
    for row in &rows {
        let (Some(table), Some(name)) = (
            sql::get_string(row, "table_name"),
            sql::get_string(row, "column_name"),
        ) else {
            continue;
        };
        tables
            .entry(table.to_ascii_lowercase())
            .or_default()
            .push(ColumnInfo {
                name,
                column_type: sql::get_string(row, "column_type").unwrap_or_default(),
                nullable: sql::get_string(row, "is_nullable")
                    .is_some_and(|v| v.eq_ignore_ascii_case("YES")),
            });
    }
    Ok(tables)
}
