//! The command line of `collect`: help text, environment variables and defaults.

mod collect_support;

use collect_support::*;

/// Every option with its environment variable.
const OPTIONS: [(&str, &str); 18] = [
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
    ("--force", "WEGENT_FORCE"),
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

#[test]
fn help_lists_timeout_defaults() {
    let dir = temp_dir();
    let run = run_collect(dir.path(), &["--help"]);
    assert!(
        run.stdout().contains("executor-manager=30s"),
        "{}",
        run.stdout()
    );
}

#[test]
fn missing_repo_root_is_usage_error() {
    let dir = temp_dir();
    let missing = dir.path().join("no-such-checkout");
    let run = run_collect(
        dir.path(),
        &["--task-id", "89", "--repo-root", missing.to_str().unwrap()],
    );
    assert_eq!(run.code(), 2, "{}", run.stderr());
    let stderr = run.stderr();
    assert!(
        stderr.contains("no-such-checkout") && stderr.contains("does not exist"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("collecting"),
        "nothing was collected: {stderr}"
    );
    assert!(!dir.path().join("bundle.zip").exists());
}

#[test]
fn output_must_end_in_zip() {
    let dir = temp_dir();
    let run = run_collect_to(
        dir.path(),
        &dir.path().join("bundle.tar"),
        &["--task-id", "89"],
    );
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(run.stderr().contains(".zip"), "{}", run.stderr());
}

#[test]
fn output_in_missing_directory_names_the_directory() {
    let dir = temp_dir();
    let missing = dir.path().join("no-such-dir");
    let run = run_collect_to(dir.path(), &missing.join("b.zip"), &["--task-id", "89"]);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    let stderr = run.stderr();
    assert!(
        stderr.contains(&format!("directory {} does not exist", missing.display())),
        "{stderr}"
    );
    assert!(!stderr.contains("probe"), "{stderr}");
}

#[test]
fn existing_output_needs_force() {
    let dir = temp_dir();
    let out = dir.path().join("bundle.zip");
    std::fs::write(&out, "earlier bundle").unwrap();

    let run = run_collect(dir.path(), &["--task-id", "89"]);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(run.stderr().contains("--force"), "{}", run.stderr());
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "earlier bundle");
}

#[test]
fn force_replaces_existing_output_and_says_so() {
    let dir = temp_dir();
    let out = dir.path().join("bundle.zip");
    std::fs::write(&out, "earlier bundle").unwrap();
    let refused = refused_port();

    let run = run_collect(
        dir.path(),
        &[
            "--task-id",
            "89",
            "--force",
            "--database-url",
            &format!("mysql://root:x@127.0.0.1:{refused}/task_manager"),
            "--executor-manager-url",
            &format!("http://127.0.0.1:{refused}"),
            "--redis-url",
            &format!("redis://127.0.0.1:{refused}/0"),
        ],
    );
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert!(
        run.stderr().contains("replaced the existing file"),
        "{}",
        run.stderr()
    );
    assert_ne!(std::fs::read(&out).unwrap(), b"earlier bundle");
}

#[test]
fn missing_rules_file_gives_the_fix_once() {
    let dir = temp_dir();
    let missing = dir.path().join("no-such-rules.toml");
    let run = run_collect(
        dir.path(),
        &[
            "--task-id",
            "89",
            "--redaction-rules",
            missing.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code(), 2, "{}", run.stderr());
    let stderr = run.stderr();
    assert_eq!(stderr.matches("--redaction-rules").count(), 1, "{stderr}");
}

#[test]
fn env_variable_is_named_in_usage_errors() {
    let dir = temp_dir();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_collect"));
    for (key, _) in std::env::vars() {
        if key.starts_with("WEGENT_") {
            command.env_remove(&key);
        }
    }
    let output = command
        .env("LANG", "C")
        .env("WEGENT_SINCE", "0s")
        .current_dir(dir.path())
        .args(["--task-id", "89"])
        .output()
        .expect("running collect");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("WEGENT_SINCE"), "{stderr}");
    assert!(stderr.contains("must be greater than zero"), "{stderr}");
}
