//! Tests of the throwaway MariaDB server and its Wegent schemas.

use std::collections::HashMap;
use std::net::TcpStream;
use std::process::Command;

use anyhow::Result;
use testkit::Flavour;
use testkit::mariadb::{APP_PASSWORD, APP_USER, MariaDb, ROOT_PASSWORD};

/// Returns `COLUMN_TYPE` and `IS_NULLABLE` of every column of `table`, by column name.
fn columns(database: &MariaDb, table: &str) -> Result<HashMap<String, (String, String)>> {
    let rows = database.query(&format!(
        "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE FROM information_schema.columns \
         WHERE TABLE_SCHEMA = 'task_manager' AND TABLE_NAME = '{table}';"
    ))?;

    Ok(rows
        .into_iter()
        .map(|row| (row[0].clone(), (row[1].clone(), row[2].clone())))
        .collect())
}

/// Runs the command-line client over TCP and returns its exit status and stdout.
fn tcp_client(database: &MariaDb, user: &str, password: &str, sql: &str) -> Result<(bool, String)> {
    let output = Command::new("mariadb")
        .arg("--no-defaults")
        .args(["--protocol=TCP", "--host=127.0.0.1"])
        .arg(format!("--port={}", database.port()))
        .arg(format!("--user={user}"))
        .arg(format!("--password={password}"))
        .args(["--batch", "--skip-column-names", "--database=task_manager"])
        .arg(format!("--execute={sql}"))
        .output()?;

    Ok((
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).trim().to_string(),
    ))
}

#[test]
fn starts_fork_schema() -> Result<()> {
    let database = MariaDb::start(Flavour::Fork)?;
    eprintln!("MariaDB (fork) started in {:?}", database.startup_time());

    let revision = database.query("SELECT version_num FROM alembic_version;")?;
    assert_eq!(revision, vec![vec!["b3e4a166ba91".to_string()]]);

    let tasks = columns(&database, "tasks")?;
    assert_eq!(tasks["id"].0, "int(11)");
    assert!(!tasks.contains_key("client_origin"));
    assert!(!tasks.contains_key("is_group_chat"));
    assert_eq!(tasks["json"].0, "longtext");

    let subtasks = columns(&database, "subtasks")?;
    assert_eq!(
        subtasks["status"].0,
        "enum('PENDING','RUNNING','COMPLETED','FAILED','CANCELLED','DELETE')"
    );
    assert_eq!(
        subtasks["completed_at"],
        ("datetime".to_string(), "YES".to_string())
    );
    Ok(())
}

#[test]
fn starts_upstream_schema() -> Result<()> {
    let database = MariaDb::start(Flavour::Upstream)?;
    eprintln!(
        "MariaDB (upstream) started in {:?}",
        database.startup_time()
    );

    let revision = database.query("SELECT version_num FROM alembic_version;")?;
    assert_eq!(revision, vec![vec!["f82c5d1a9e37".to_string()]]);

    let tasks = columns(&database, "tasks")?;
    assert_eq!(tasks["id"].0, "bigint(20)");
    assert_eq!(tasks["client_origin"].0, "varchar(32)");
    assert_eq!(tasks["is_group_chat"].0, "tinyint(1)");

    let subtasks = columns(&database, "subtasks")?;
    assert_eq!(subtasks["task_id"].0, "bigint(20)");
    assert_eq!(
        subtasks["status"].0,
        "enum('PENDING','RUNNING','COMPLETED','FAILED','CANCELLED','DELETE','PENDING_CONFIRMATION')"
    );
    assert_eq!(
        subtasks["completed_at"],
        ("datetime".to_string(), "NO".to_string())
    );
    Ok(())
}

#[test]
fn reads_back_task_json_and_nulls() -> Result<()> {
    let database = MariaDb::start(Flavour::Fork)?;

    database.exec(
        "INSERT INTO tasks (id, user_id, kind, name, json) VALUES \
         (89, 1, 'Task', 'task-89', '{\"status\": {\"status\": \"RUNNING\", \"progressText\": \"加载技能/模型\"}}');\n\
         INSERT INTO subtasks (user_id, task_id, team_id, title, bot_ids, prompt) VALUES \
         (1, 89, 3, 'Fix - Assistant', '[4]', 'line one\\nline\\ttwo');",
    )?;

    let rows = database.query(
        "SELECT JSON_UNQUOTE(JSON_EXTRACT(json, '$.status.status')), \
         JSON_UNQUOTE(JSON_EXTRACT(json, '$.status.progressText')) FROM tasks WHERE id = 89;",
    )?;
    assert_eq!(
        rows,
        vec![vec!["RUNNING".to_string(), "加载技能/模型".to_string()]]
    );

    let rows = database.query("SELECT prompt, completed_at FROM subtasks WHERE task_id = 89;")?;
    assert_eq!(
        rows,
        vec![vec!["line one\nline\ttwo".to_string(), "NULL".to_string()]]
    );
    Ok(())
}

#[test]
fn rejects_upstream_subtask_without_completed_at() -> Result<()> {
    let database = MariaDb::start(Flavour::Upstream)?;

    let result = database.exec(
        "INSERT INTO subtasks (user_id, task_id, team_id, title, bot_ids) \
         VALUES (1, 89, 3, 'Fix - Assistant', '[4]');",
    );

    let error = format!("{:#}", result.expect_err("completed_at has no default"));
    assert!(error.contains("completed_at"), "unexpected error: {error}");
    Ok(())
}

#[test]
fn accepts_passwords_over_tcp() -> Result<()> {
    let database = MariaDb::start(Flavour::Fork)?;

    let (ok, user) = tcp_client(&database, "root", ROOT_PASSWORD, "SELECT CURRENT_USER()")?;
    assert!(ok);
    assert_eq!(user, "root@127.0.0.1");

    let (ok, tables) = tcp_client(
        &database,
        APP_USER,
        APP_PASSWORD,
        "SELECT COUNT(*) FROM alembic_version",
    )?;
    assert!(ok);
    assert_eq!(tables, "1");

    let (ok, _) = tcp_client(&database, "root", "wrong-password", "SELECT 1")?;
    assert!(!ok, "a wrong password was accepted");

    assert!(
        database
            .url()
            .ends_with(&format!("@127.0.0.1:{}/task_manager", database.port()))
    );
    Ok(())
}

#[test]
fn logs_tcp_statements_and_flags_writes() -> Result<()> {
    let database = MariaDb::start(Flavour::Upstream)?;
    database.enable_general_log()?;

    database.query("SELECT 'from the socket';")?;
    let (ok, _) = tcp_client(
        &database,
        "root",
        ROOT_PASSWORD,
        "SELECT COUNT(*) FROM tasks",
    )?;
    assert!(ok);
    let (ok, _) = tcp_client(
        &database,
        "root",
        ROOT_PASSWORD,
        "UPDATE tasks SET name = name",
    )?;
    assert!(ok);

    let log = database.general_log()?;
    let statements = log.tcp_statements();
    assert!(
        statements.contains(&"SELECT COUNT(*) FROM tasks"),
        "statements: {statements:?}"
    );
    assert!(
        !statements
            .iter()
            .any(|statement| statement.contains("from the socket")),
        "statements: {statements:?}"
    );
    assert!(
        log.entries()
            .iter()
            .any(|entry| entry.argument.contains("from the socket")),
        "the socket query is missing from the log"
    );
    assert_eq!(
        log.tcp_non_read_statements(),
        vec!["UPDATE tasks SET name = name"]
    );
    Ok(())
}

#[test]
fn removes_data_directory_on_drop() -> Result<()> {
    let database = MariaDb::start(Flavour::Fork)?;
    let directory = database
        .socket_path()
        .parent()
        .map(|parent| parent.to_path_buf());
    let port = database.port();

    drop(database);

    let directory = directory.expect("the socket lies in the temporary directory");
    assert!(!directory.exists(), "{} still exists", directory.display());
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "port {port} still accepts connections"
    );
    Ok(())
}
