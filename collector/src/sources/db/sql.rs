//! SQL fragments and row decoding that work the same on MySQL 8/9 and MariaDB.
//!
//! Every value is converted on the server into a type that decodes one way everywhere:
//! integers through `CAST(... AS SIGNED)`, text and JSON through `CAST(... AS CHAR)`
//! (MariaDB stores JSON as LONGTEXT, MySQL as a binary JSON type), and DATETIME values
//! through `DATE_FORMAT` into naive `YYYY-MM-DD HH:MM:SS` text, which also survives zero
//! dates that a client-side decoder would reject.

use sqlx::Row;
use sqlx::mysql::MySqlRow;

/// `CAST(<column> AS SIGNED) AS <alias>`.
pub fn int(column: &str, alias: &str) -> String {
    format!("CAST({column} AS SIGNED) AS {alias}")
}

/// `CAST(<column> AS CHAR) AS <alias>`.
pub fn text(column: &str, alias: &str) -> String {
    format!("CAST({column} AS CHAR) AS {alias}")
}

/// Builds select expressions for the first `max_chars` characters of a text or JSON
/// column and for its full length in `<alias>_len`, so that the caller can mark the value
/// truncated.
pub fn capped_text(column: &str, alias: &str, max_chars: usize) -> String {
    format!(
        "LEFT(CAST({column} AS CHAR), {max_chars}) AS {alias}, \
         CAST(CHAR_LENGTH(CAST({column} AS CHAR)) AS SIGNED) AS {alias}_len"
    )
}

/// Builds a select expression that formats a DATETIME column as naive
/// `YYYY-MM-DD HH:MM:SS` text.
pub fn datetime(column: &str, alias: &str) -> String {
    format!("DATE_FORMAT({column}, '%Y-%m-%d %H:%i:%s') AS {alias}")
}

/// Reads an optional integer column by alias; a missing alias or NULL gives `None`.
pub fn get_i64(row: &MySqlRow, alias: &str) -> Option<i64> {
    row.try_get::<Option<i64>, _>(alias).ok().flatten()
}

/// Reads an optional text column by alias; a missing alias or NULL gives `None`.
pub fn get_string(row: &MySqlRow, alias: &str) -> Option<String> {
    if let Ok(value) = row.try_get::<Option<String>, _>(alias) {
        return value;
    }
    // Some servers return CAST(... AS CHAR) of binary data as a blob.
    row.try_get::<Option<Vec<u8>>, _>(alias)
        .ok()
        .flatten()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}

/// Parses JSON text; text that is not JSON is kept as a JSON string.
pub fn parse_json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|_| serde_json::Value::String(text.to_string()))
}
