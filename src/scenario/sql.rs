//! Turns the `[[rows]]` of a scenario into `INSERT` statements.
//!
//! Integers and booleans are written as numbers, strings are expanded as templates and
//! quoted, `@null` becomes SQL NULL, and TOML tables and arrays become JSON text (their
//! strings expanded too, `@null` becoming JSON null).

use anyhow::{Result, bail};
use serde_json::Value as Json;

use super::spec::Row;
use super::template::Vars;

/// Marker for SQL NULL and JSON null, which TOML cannot express.
const NULL: &str = "@null";

/// Returns one `INSERT` statement per row.
pub fn inserts(rows: &[Row], vars: &Vars) -> Result<String> {
    let mut sql = String::new();

    for (index, row) in rows.iter().enumerate() {
        let what = format!("rows[{index}] ({})", row.table);
        let mut columns = Vec::new();
        let mut values = Vec::new();

        for (column, value) in &row.values {
            columns.push(format!("`{column}`"));
            values.push(sql_value(value, vars, &format!("{what}.{column}"))?);
        }

        sql.push_str(&format!(
            "INSERT INTO `{}` ({}) VALUES ({});\n",
            row.table,
            columns.join(", "),
            values.join(", ")
        ));
    }

    Ok(sql)
}

fn sql_value(value: &toml::Value, vars: &Vars, what: &str) -> Result<String> {
    Ok(match value {
        toml::Value::String(text) if text == NULL => "NULL".to_string(),
        toml::Value::String(text) => quote(&vars.expand(text, what)?),
        toml::Value::Integer(number) => number.to_string(),
        toml::Value::Boolean(flag) => u8::from(*flag).to_string(),
        toml::Value::Float(number) => number.to_string(),
        toml::Value::Table(_) | toml::Value::Array(_) => {
            quote(&serde_json::to_string(&json_value(value, vars, what)?)?)
        }
        toml::Value::Datetime(_) => {
            bail!("{what}: write times as templates such as \"{{{{t -2h}}}}\", not TOML dates")
        }
    })
}

fn json_value(value: &toml::Value, vars: &Vars, what: &str) -> Result<Json> {
    Ok(match value {
        toml::Value::String(text) if text == NULL => Json::Null,
        toml::Value::String(text) => Json::String(vars.expand(text, what)?),
        toml::Value::Integer(number) => Json::from(*number),
        toml::Value::Float(number) => Json::from(*number),
        toml::Value::Boolean(flag) => Json::Bool(*flag),
        toml::Value::Array(items) => Json::Array(
            items
                .iter()
                .map(|item| json_value(item, vars, what))
                .collect::<Result<_>>()?,
        ),
        toml::Value::Table(table) => Json::Object(
            table
                .iter()
                .map(|(key, item)| Ok((key.clone(), json_value(item, vars, what)?)))
                .collect::<Result<_>>()?,
        ),
        toml::Value::Datetime(_) => {
            bail!("{what}: write times as templates such as \"{{{{iso -2h}}}}\", not TOML dates")
        }
    })
}

/// Quotes `text` as a MariaDB string literal.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn writes_json_and_nulls() {
        let vars = Vars {
            now: "2026-01-20T06:00:00Z".parse().unwrap(),
            task_id: 7,
            scenario: "s".to_string(),
            em_container: "em".to_string(),
            executors: BTreeMap::new(),
        };
        let row: Row = toml::from_str(
            r#"table = "tasks"
               values = { id = 7, json = { a = "@null", b = ["{{task_id}}"] }, note = "@null", t = "it's" }"#,
        )
        .unwrap();

        let sql = inserts(&[row], &vars).unwrap();
        assert_eq!(
            sql,
            "INSERT INTO `tasks` (`id`, `json`, `note`, `t`) VALUES (7, '{\"a\":null,\"b\":[\"7\"]}', NULL, 'it''s');\n"
        );
    }
}
