//! `collect` against the real Docker engine: labelled executor containers, a stand-in
//! executor-manager container that prints Wegent-like log lines, exit codes, an OOM kill,
//! a container removed mid-collection and an absent Docker socket.
//!
//! Every container carries the label `wi-test=1`, has a name unique to the test, and is
//! removed when the test ends. Each test uses its own task id, so tests running side by
//! side never see each other's executors as their own.

mod collect_support;
mod source_support;

use std::time::Duration;

use collect_support::{Run, temp_dir};
use source_support::{collect, member_text};
use testkit::docker::{ContainerSpec, TestContainer, unique_name};
use wegent_analyzer::bundle::model::{ContainerRole, Containers, ExecutorInspect, SourceStatus};

const TASK_INFO_API_KEY: &str = "sk-witestdockerkey0123456789abcdefABCD";
const TASK_INFO_GIT_TOKEN: &str = "ghp_witestdockertoken0123456789abcdefAB";
const EM_ENV_SECRET: &str = "wi-test-em-env-secret-value";
/// A service setting that is no secret: the log must keep it.
const EM_BACKEND_URL: &str = "http://wi-test-backend:8000";

/// Returns a task id unique to this process and test, so parallel runs never share executors.
fn task_id(offset: u32) -> i64 {
    900_000 + i64::from(std::process::id() % 9_000) * 10 + i64::from(offset)
}

fn containers(run: &Run) -> Containers {
    serde_json::from_str(&member_text(run, "services/containers.json")).expect("containers.json")
}

/// Log lines of a stand-in executor-manager: lines of task `id`, of task `id`0 (which a
/// plain substring search would wrongly take), and an error block before a task line.
fn em_script(id: i64) -> String {
    let other = id * 10;
    let lines = [
        "2026-01-20 14:03:10 - [-] - [in /app/main.py:10] - INFO - Fetching tasks from: http://backend".to_string(),
        format!("2026-01-20 14:03:11 - [-] - [in /app/main.py:11] - INFO - Processing task: ID={other}, executor_type=docker"),
        "2026-01-20 14:03:12 - [-] - [in /app/main.py:12] - ERROR - Request failed (attempt 1/3): boom".to_string(),
        "Traceback (most recent call last):".to_string(),
        "  File \"/app/main.py\", line 12, in run".to_string(),
        "ConnectionError: boom".to_string(),
        format!("2026-01-20 14:03:13 - [-] - [in /app/main.py:13] - INFO - Processing task: ID={id}, executor_type=docker"),
        format!("2026-01-20 14:03:14 - [-] - [in /app/main.py:14] - INFO - Successfully processed callback for task {other}"),
        format!("2026-01-20 14:03:14 - [-] - [in /app/main.py:14] - ERROR - Error for task {other}: not this task"),
        format!("2026-01-20 14:03:15 - [-] - [in /app/main.py:15] - INFO - Successfully processed callback for task {id}"),
        format!("2026-01-20 14:03:16 - [-] - [in /app/main.py:16] - INFO - Sending task {id} with header {EM_ENV_SECRET}"),
        format!("2026-01-20 14:03:17 - [-] - [in /app/main.py:17] - INFO - Fetching task {id} from {EM_BACKEND_URL}/api"),
    ];
    let mut script = String::new();
    for line in lines {
        script.push_str(&format!("echo '{}'; ", line.replace('\'', "'\\''")));
    }
    script.push_str("exec sleep 600");
    script
}

fn task_info(id: i64, name: &str) -> String {
    serde_json::json!({
        "task_id": id, "subtask_id": 312, "executor_name": name,
        "user": {"name": "wi-test", "git_token": TASK_INFO_GIT_TOKEN},
        "bot": [{"agent_config": {"env": {"api_key": TASK_INFO_API_KEY, "model": "openai"}}}],
        "repo_dir": "/wegent_repos/wi-test"
    })
    .to_string()
}

fn start_em(name: &str, id: i64) -> TestContainer {
    let spec = ContainerSpec::new(name, em_script(id))
        .with_env("EM_SECRET", EM_ENV_SECRET)
        .with_env("TASK_API_DOMAIN_URL", EM_BACKEND_URL);
    TestContainer::run(&spec).expect("starting the executor-manager stand-in")
}

fn start_executor(name: &str, id: i64, script: &str) -> TestContainer {
    TestContainer::run(
        &ContainerSpec::wegent_named(name, script)
            .with_label("owner", "executor_manager")
            .with_label("task_id", id.to_string())
            .with_label("subtask_id", "312")
            .with_env("TASK_INFO", task_info(id, name))
            .with_env("EXECUTOR_NAME", name)
            .with_mount(std::env::temp_dir(), "/workspace"),
    )
    .expect("starting the executor")
}

fn executor_name() -> String {
    // Wegent's shape (`wegent-task-<user>-<hash>`), made unique by the test name helper.
    unique_name("exec").replace("wi-test-", "wegent-task-wi-test-")
}

fn check_happy_path(route_env: &[(&str, &str)], expected_route: &str, offset: u32) {
    let id = task_id(offset);
    let em_name = unique_name("em");
    let exec_name = executor_name();
    let em = start_em(&em_name, id);
    let executor = start_executor(
        &exec_name,
        id,
        "echo 'executor started'; echo 'task failed' >&2; exit 3",
    );
    let other_name = executor_name();
    let other_executor = TestContainer::run(
        &ContainerSpec::wegent_named(&other_name, "exec sleep 600")
            .with_label("owner", "executor_manager")
            .with_label("task_id", (id + 1).to_string()),
    )
    .expect("starting another task's executor");
    let validation_name = unique_name("validation");
    let validation = TestContainer::run(
        &ContainerSpec::new(&validation_name, "exec sleep 600")
            .with_label("owner", "executor_manager")
            .with_label("task_id", id.to_string())
            .with_label("aigc.weibo.com/task-type", "validation"),
    )
    .expect("starting the validation container");
    executor
        .wait_exit(Duration::from_secs(30))
        .expect("executor exits");
    // Let the stand-in print its lines before collecting.
    std::thread::sleep(Duration::from_millis(500));

    let dir = temp_dir();
    let run = collect(
        dir.path(),
        id,
        &["--executor-manager-container", &em_name],
        route_env,
    );
    let context = format!("stdout:\n{}\nstderr:\n{}", run.stdout(), run.stderr());

    let entry = run.source("docker");
    assert_eq!(entry.status, SourceStatus::Ok, "{entry:?}\n{context}");

    let state = containers(&run);
    let executor_info = state
        .containers
        .iter()
        .find(|c| c.name == exec_name)
        .expect("executor recorded");
    assert_eq!(executor_info.role, ContainerRole::Executor);
    assert_eq!(executor_info.state, "exited");
    assert_eq!(executor_info.exit_code, Some(3));
    assert!(!executor_info.oom_killed);
    assert!(executor_info.finished_at.is_some());
    assert_eq!(
        executor_info.labels.get("task_id").map(String::as_str),
        Some(id.to_string().as_str())
    );
    assert!(
        executor_info
            .mounts
            .iter()
            .any(|m| m.destination == "/workspace")
    );
    let em_info = state
        .containers
        .iter()
        .find(|c| c.name == em_name)
        .expect("stand-in recorded");
    assert_eq!(em_info.role, ContainerRole::Service);
    assert_eq!(em_info.state, "running");
    assert!(
        state.running_executor_count.unwrap_or(0) >= 1,
        "the validation container runs"
    );
    let other_info = state
        .containers
        .iter()
        .find(|c| c.name == other_name)
        .expect("other executor recorded");
    assert_eq!(other_info.role, ContainerRole::OtherExecutor);
    assert_eq!(other_info.state, "running");
    assert!(
        other_info.mounts.is_empty(),
        "other executors are recorded from the list call only"
    );
    assert!(
        source_support::try_member_text(&run, &format!("executors/{other_name}/inspect.json"))
            .is_none()
    );
    let validation_info = state.containers.iter().find(|c| c.name == validation_name);
    assert!(
        validation_info.is_none_or(|c| c.role == ContainerRole::OtherExecutor),
        "validation run taken as an executor: {validation_info:?}"
    );

    let inspect: ExecutorInspect = serde_json::from_str(&member_text(
        &run,
        &format!("executors/{exec_name}/inspect.json"),
    ))
    .unwrap();
    assert_eq!(
        inspect.env.get("TASK_INFO").map(String::as_str),
        Some("[REDACTED]")
    );
    assert_eq!(inspect.env.get("EXECUTOR_NAME"), Some(&exec_name));
    assert_eq!(inspect.container.exit_code, Some(3));
    assert!(!inspect.logs_truncated);

    let logs = member_text(&run, &format!("executors/{exec_name}/logs.txt"));
    let lines: Vec<&str> = logs.lines().collect();
    assert_eq!(lines.len(), 2, "{logs}");
    for line in &lines {
        let stamp = line.split(' ').next().unwrap();
        assert!(
            chrono::DateTime::parse_from_rfc3339(stamp).is_ok(),
            "no RFC 3339 prefix: {line}"
        );
        assert!(stamp.ends_with('Z'), "not UTC: {line}");
    }
    assert!(
        logs.contains("executor started") && logs.contains("task failed"),
        "{logs}"
    );

    let em_log = member_text(&run, "logs/executor-manager.txt");
    let other = (id * 10).to_string();
    assert!(
        em_log.contains(&format!("Processing task: ID={id},")),
        "{em_log}"
    );
    assert!(
        em_log.contains(&format!("callback for task {id}")),
        "{em_log}"
    );
    assert!(
        !em_log.contains(&other),
        "line of task {other} kept:\n{em_log}"
    );
    assert!(em_log.contains("ERROR - Request failed"), "{em_log}");
    assert!(em_log.contains("ConnectionError: boom"), "{em_log}");
    assert!(!em_log.contains("Fetching tasks"), "{em_log}");
    assert!(
        em_log.contains(&format!("from {EM_BACKEND_URL}/api")),
        "service setting redacted:\n{em_log}"
    );
    assert!(
        em_log
            .lines()
            .all(|l| chrono::DateTime::parse_from_rfc3339(l.split(' ').next().unwrap()).is_ok())
    );

    let route = state
        .log_routes
        .get("logs/executor-manager.txt")
        .expect("route recorded");
    assert!(route.starts_with(expected_route), "{route}");
    let route = state
        .log_routes
        .get(&format!("executors/{exec_name}/logs.txt"))
        .expect("route recorded");
    assert!(route.starts_with(expected_route), "{route}");

    let all = run.all_member_text();
    for secret in [TASK_INFO_API_KEY, TASK_INFO_GIT_TOKEN, EM_ENV_SECRET] {
        assert!(!all.contains(secret), "secret {secret} leaked");
        assert!(
            !run.stdout().contains(secret),
            "secret {secret} leaked to stdout"
        );
        assert!(
            !run.stderr().contains(secret),
            "secret {secret} leaked to stderr"
        );
    }

    drop(em);
    drop(executor);
    drop(validation);
    drop(other_executor);
}

#[test]
fn docker_reads_json_file_logs() {
    check_happy_path(&[], "json-file", 1);
}

#[test]
fn docker_falls_back_to_api_logs() {
    check_happy_path(&[("WEGENT_DOCKER_LOGS", "api")], "docker-api", 2);
}

#[test]
fn docker_records_oom_kill() {
    let id = task_id(3);
    let name = executor_name();
    let executor = TestContainer::run(
        &ContainerSpec::wegent_named(&name, "echo allocating; tail /dev/zero")
            .with_label("owner", "executor_manager")
            .with_label("task_id", id.to_string())
            .with_memory("6m"),
    )
    .expect("starting the executor");
    let state = executor
        .wait_exit(Duration::from_secs(60))
        .expect("executor is killed");
    assert_eq!(state.exit_code, 137, "the executor was not killed: {state:?}");

    let dir = temp_dir();
    let run = collect(dir.path(), id, &[], &[]);
    let recorded = containers(&run);
    let info = recorded
        .containers
        .iter()
        .find(|c| c.name == name)
        .expect("executor recorded");
    // The engine does not always set OOMKilled for a kill under a memory limit (cgroup v1
    // race), so the collector must record exactly what the engine reports.
    assert_eq!(info.oom_killed, state.oom_killed, "{info:?}");
    assert_eq!(info.exit_code, Some(137));
    assert_eq!(info.state, "exited");
}

#[test]
fn docker_log_cap_keeps_newest_lines() {
    let id = task_id(4);
    let name = executor_name();
    let executor = start_executor(
        &name,
        id,
        "i=0; while [ $i -lt 500 ]; do echo line-$i; i=$((i+1)); done",
    );
    executor
        .wait_exit(Duration::from_secs(30))
        .expect("executor exits");

    let dir = temp_dir();
    let run = collect(dir.path(), id, &["--executor-log-max-lines", "100"], &[]);
    let logs = member_text(&run, &format!("executors/{name}/logs.txt"));
    let lines: Vec<&str> = logs.lines().collect();
    assert_eq!(lines.len(), 100);
    assert!(lines[0].ends_with(" line-400"), "{}", lines[0]);
    assert!(lines[99].ends_with(" line-499"), "{}", lines[99]);
    let entry = run.source("docker");
    assert!(
        entry.truncation.iter().any(|t| t.contains("logs.txt")),
        "{entry:?}"
    );
    let inspect: ExecutorInspect = serde_json::from_str(&member_text(
        &run,
        &format!("executors/{name}/inspect.json"),
    ))
    .unwrap();
    assert!(inspect.logs_truncated);
}

#[test]
fn missing_executor_manager_container_makes_docker_partial() {
    let dir = temp_dir();
    let name = unique_name("absent-em");
    let run = collect(
        dir.path(),
        task_id(7),
        &["--executor-manager-container", &name],
        &[],
    );

    let entry = run.source("docker");
    assert_eq!(entry.status, SourceStatus::Partial, "{entry:?}");
    let error = entry.error.unwrap_or_default();
    assert!(
        error.contains(&format!("container {name} not found")),
        "{error}"
    );
    assert_eq!(run.code(), 1);
}

#[test]
fn docker_socket_absent_fails_source_only() {
    let dir = temp_dir();
    let socket = dir.path().join("wi-test-missing.sock");
    let host = format!("unix://{}", socket.display());
    let run = collect(dir.path(), task_id(5), &[], &[("DOCKER_HOST", &host)]);

    assert_eq!(run.code(), 1, "stderr:\n{}", run.stderr());
    let entry = run.source("docker");
    assert_eq!(entry.status, SourceStatus::Failed);
    let error = entry.error.unwrap_or_default();
    assert!(
        error.contains("does not exist") && error.contains("DOCKER_HOST"),
        "{error}"
    );
    for later in ["executor-manager", "workspace", "logs", "llm"] {
        run.source(later);
    }
}

#[test]
fn docker_container_removed_after_list_is_vanished() {
    use wegent_collector::sources::docker::{connect, containers};

    let id = task_id(6);
    let name = executor_name();
    let executor = start_executor(&name, id, "exec sleep 600");

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let docker = connect().await.expect("connecting to Docker");
        let keys = containers::SelectionKeys {
            task_id: id,
            ..Default::default()
        };
        let listed = containers::list_all(&docker).await.expect("listing");
        let selection = containers::select(listed, &keys);
        let chosen = selection
            .selected
            .iter()
            .find(|l| l.name == name)
            .expect("executor selected")
            .clone();
        assert_eq!(chosen.role, ContainerRole::Executor);

        executor.remove().expect("removing the executor");
        let result = containers::inspect(&docker, &chosen.id)
            .await
            .expect("inspect call");
        assert!(matches!(result, containers::Inspected::Vanished));
    });
}
