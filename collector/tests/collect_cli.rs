//! The command line of `collect`: help text, environment variables and defaults.

mod collect_support;

use collect_support::*;

/// Every option with its environment variable.
const OPTIONS: [(&str, &str); 17] = [
    ("--task-id", "WEGENT_TASK_ID"),
    ("--database-url", "WEGENT_DATABASE_URL"),
    ("--mysql-container", "WEGENT_MYSQL_CONTAINER"),
    ("--executor-manager-url", "WEGENT_EXECUTOR_MANAGER_URL"),
    (
        "--executor-manager-container",
        "WEGENT_EXECUTOR_MANAGER_CONTAINER",
    ),
    ("--redis-url", "WEGENT_REDIS_URL"),
    ("--workspace-root", "WEGENT_WORKSPACE_ROOT"),
    ("--repo-root", "WEGENT_REPO_ROOT"),
    ("--since", "WEGENT_SINCE"),
    ("--probe-llm", "WEGENT_PROBE_LLM"),
    ("--output", "WEGENT_OUTPUT"),
    ("--redaction-rules", "WEGENT_REDACTION_RULES"),
    ("--pseudonymize", "WEGENT_PSEUDONYMIZE"),
    ("--lang", "WEGENT_LANG"),
    ("--timeout", "WEGENT_TIMEOUT"),
    ("--executor-log-max-lines", "WEGENT_EXECUTOR_LOG_MAX_LINES"),
    ("--executor-log-max-bytes", "WEGENT_EXECUTOR_LOG_MAX_BYTES"),
];

#[test]
fn help_lists_options_env_and_defaults() {
    let dir = temp_dir();
    let run = run_collect(dir.path(), &["--help"]);
    let help = run.stdout();

    assert_eq!(run.code(), 0, "{}", run.stderr());
    for (option, variable) in OPTIONS {
        assert!(help.contains(option), "{option} missing from help");
        assert!(help.contains(variable), "{variable} missing from help");
    }
    for default in [
        "[default: wegent-mysql]",
        "[default: http://localhost:8001]",
        "[default: wegent-executor-manager]",
        "[default: redis://127.0.0.1:6379/0]",
        "[default: ~/wecode-bot]",
        "[default: 24h]",
        "mysql://root:<compose default password>@127.0.0.1:3306/task_manager",
    ] {
        assert!(
            help.contains(default),
            "{default} missing from help:\n{help}"
        );
    }
    assert!(
        !help.contains("123456"),
        "the default password is not printed"
    );
    assert!(!dir.path().join("bundle.zip").exists());
}

#[test]
fn help_speaks_chinese() {
    let dir = temp_dir();
    let run = run_collect(dir.path(), &["--lang", "zh", "--help"]);
    assert_eq!(run.code(), 0);
    assert!(run.stdout().contains("要收集的任务 id"), "{}", run.stdout());
}

#[test]
fn missing_task_id_is_usage_error() {
    let dir = temp_dir();
    let run = run_collect(dir.path(), &[]);
    assert_eq!(run.code(), 2);
    assert!(run.stderr().contains("--task-id"), "{}", run.stderr());
}
