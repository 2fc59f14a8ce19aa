//! `collect` when parts of the deployment are down or misconfigured: the bundle is still
//! written, the failed source is named with its reason, and the exit status reports it.

mod collect_support;

use std::time::{Duration, Instant};

use collect_support::*;
use testkit::Flavour;
use testkit::em::{StandIn, StandInConfig};
use testkit::mariadb::MariaDb;
use testkit::redis::RedisServer;
use wegent_analyzer::bundle::model::SourceStatus;

fn refused_mysql_url(password: &str) -> String {
    format!(
        "mysql://root:{password}@127.0.0.1:{}/task_manager",
        refused_port()
    )
}

fn refused_http_url() -> String {
    format!("http://127.0.0.1:{}", refused_port())
}

fn refused_redis_url() -> String {
    format!("redis://127.0.0.1:{}/0", refused_port())
}

#[test]
fn refused_database_still_writes_bundle() {
    let dir = temp_dir();
    let password = "wi-test-refused-pw";
    let run = run_collect(
        dir.path(),
        &[
            "--task-id",
            "89",
            "--database-url",
            &refused_mysql_url(password),
            "--executor-manager-url",
            &refused_http_url(),
            "--redis-url",
            &refused_redis_url(),
        ],
    );

    assert_eq!(run.code(), 1, "stderr:\n{}", run.stderr());
    let db = run.source("db");
    assert_eq!(db.status, SourceStatus::Failed);
    let error = db.error.clone().unwrap_or_default();
    assert!(
        error.contains("cannot connect to MySQL at 127.0.0.1:"),
        "{error}"
    );
    assert!(
        run.bundle().task.is_none(),
        "no db/task.json when the database is down"
    );

    let em = run.source("executor-manager");
    assert_eq!(em.status, SourceStatus::Failed);
    assert!(
        em.error
            .unwrap_or_default()
            .contains("did not respond to /health")
    );
    let state = run
        .bundle()
        .executor_manager
        .expect("health probe recorded");
    assert!(state.health.is_some_and(|p| p.error.is_some()));

    assert!(!run.all_member_text().contains(password));
    assert!(!run.stdout().contains(password));
    assert!(!run.stderr().contains(password));
    assert!(run.stderr().contains("db: failed"), "{}", run.stderr());
}

#[test]
fn wrong_password_and_unknown_task() {
    let db = MariaDb::start(Flavour::Upstream).expect("starting MariaDB");
    seed_task(&db, Flavour::Upstream);
    let em = StandIn::start(StandInConfig::new(Flavour::Upstream)).expect("stand-in");
    let redis = RedisServer::start().expect("redis");

    // Wrong password: the server rejects, nothing falls back, the value is never shown.
    let dir = temp_dir();
    let wrong = "wi-test-wrong-pw";
    let url = db.url().replace(testkit::mariadb::ROOT_PASSWORD, wrong);
    let run = run_collect(
        dir.path(),
        &[
            "--task-id",
            "89",
            "--database-url",
            &url,
            "--executor-manager-url",
            &em.url(),
            "--redis-url",
            &redis.url(),
        ],
    );
    assert_eq!(run.code(), 1, "stderr:\n{}", run.stderr());
    let entry = run.source("db");
    assert_eq!(entry.status, SourceStatus::Failed);
    let error = entry.error.unwrap_or_default();
    assert!(error.contains("rejected the connection"), "{error}");
    assert!(error.contains("Access denied"), "{error}");
    assert!(!run.all_member_text().contains(wrong));
    assert!(!run.stderr().contains(wrong));
    assert!(!run.stdout().contains(wrong));

    // Unknown task: a normal result, task.json is null and the status is 0.
    let dir = temp_dir();
    let run = run_collect(
        dir.path(),
        &[
            "--task-id",
            "4242",
            "--database-url",
            &db.url(),
            "--executor-manager-url",
            &em.url(),
            "--redis-url",
            &redis.url(),
        ],
    );
    let manifest = run.bundle().manifest.expect("manifest");
    let failed: Vec<_> = manifest
        .sources
        .iter()
        .filter(|s| s.status == SourceStatus::Failed)
        .collect();
    assert_eq!(
        run.code(),
        if failed.is_empty() { 0 } else { 1 },
        "{failed:?}"
    );
    assert_eq!(run.source("db").status, SourceStatus::Ok);
    assert_eq!(run.bundle().task, Some(None), "db/task.json holds null");
    assert!(run.bundle().subtasks.is_some_and(|s| s.subtasks.is_empty()));
    assert!(
        run.stdout().contains("verdict: not found"),
        "{}",
        run.stdout()
    );
}

#[test]
fn slow_executor_manager_times_out() {
    let config = StandInConfig::new(Flavour::Fork).with_delay(Duration::from_secs(4), &[]);
    let em = StandIn::start(config).expect("stand-in");
    let dir = temp_dir();

    let started = Instant::now();
    let run = run_collect(
        dir.path(),
        &[
            "--task-id",
            "89",
            "--database-url",
            &refused_mysql_url("wi-test-unused-pw"),
            "--executor-manager-url",
            &em.url(),
            "--redis-url",
            &refused_redis_url(),
            "--timeout",
            "executor-manager=1s",
        ],
    );
    let elapsed = started.elapsed();

    assert_eq!(run.code(), 1);
    let entry = run.source("executor-manager");
    assert_eq!(entry.status, SourceStatus::Failed);
    let error = entry.error.unwrap_or_default();
    assert!(error.contains("timed out"), "{error}");
    assert!(error.contains("1s limit"), "{error}");
    assert!(
        error.contains("--timeout executor-manager=<duration>"),
        "{error}"
    );
    assert!(
        entry.duration_ms < 2000,
        "the limit held: {} ms",
        entry.duration_ms
    );
    assert!(
        elapsed < Duration::from_secs(20),
        "whole run took {elapsed:?}"
    );
    for request in em.requests() {
        assert_eq!(request.method, "GET", "{request:?}");
    }
}

#[test]
fn slow_health_may_use_the_whole_limit() {
    let config =
        StandInConfig::new(Flavour::Fork).with_delay(Duration::from_millis(1500), &["/health"]);
    let em = StandIn::start(config).expect("stand-in");
    let dir = temp_dir();

    let run = run_collect(
        dir.path(),
        &[
            "--task-id",
            "89",
            "--database-url",
            &refused_mysql_url("wi-test-unused-pw"),
            "--executor-manager-url",
            &em.url(),
            "--redis-url",
            &refused_redis_url(),
            "--timeout",
            "executor-manager=3s",
        ],
    );

    let entry = run.source("executor-manager");
    assert_ne!(entry.status, SourceStatus::Failed, "{entry:?}");
    let state = run
        .bundle()
        .executor_manager
        .expect("executor-manager.json");
    assert_eq!(state.health.and_then(|h| h.status), Some(200));
}

#[test]
fn unhealthy_executor_manager_is_partial() {
    let em = StandIn::start(StandInConfig::new(Flavour::Fork).unhealthy()).expect("stand-in");
    let dir = temp_dir();

    let run = run_collect(
        dir.path(),
        &[
            "--task-id",
            "89",
            "--database-url",
            &refused_mysql_url("wi-test-unused-pw"),
            "--executor-manager-url",
            &em.url(),
            "--redis-url",
            &refused_redis_url(),
        ],
    );

    assert_eq!(run.code(), 1, "{}", run.stderr());
    let entry = run.source("executor-manager");
    assert_eq!(entry.status, SourceStatus::Partial, "{entry:?}");
    let error = entry.error.unwrap_or_default();
    assert!(
        error.contains("answered HTTP 500 on /health") && error.contains("executor-manager?"),
        "{error}"
    );
}

#[test]
fn absent_redis_fails_on_upstream() {
    let db = MariaDb::start(Flavour::Upstream).expect("starting MariaDB");
    seed_task(&db, Flavour::Upstream);
    let em = StandIn::start(StandInConfig::new(Flavour::Upstream)).expect("stand-in");
    let dir = temp_dir();

    let run = run_collect(
        dir.path(),
        &[
            "--task-id",
            "89",
            "--database-url",
            &db.url(),
            "--executor-manager-url",
            &em.url(),
            "--redis-url",
            &refused_redis_url(),
        ],
    );

    assert_eq!(run.code(), 1);
    let entry = run.source("redis");
    assert_eq!(entry.status, SourceStatus::Failed);
    let error = entry.error.unwrap_or_default();
    assert!(error.contains("cannot reach Redis at redis://127.0.0.1:"), "{error}");
    assert!(error.contains("/0: "), "the cause follows the URL: {error}");
    assert!(
        error.ends_with("in the .env of --repo-root)"),
        "the fix comes last: {error}"
    );
    assert!(run.bundle().redis.is_some_and(|r| !r.reachable));
    assert_eq!(run.source("db").status, SourceStatus::Ok);
}

#[test]
fn invalid_task_id_writes_nothing() {
    for bad in ["abc", "0", "-5", "1.5"] {
        let dir = temp_dir();
        let run = run_collect(dir.path(), &[&format!("--task-id={bad}")]);
        assert_eq!(run.code(), 2, "{bad}: {}", run.stderr());
        assert!(
            run.stderr().contains(&format!("invalid task id '{bad}'")),
            "{}",
            run.stderr()
        );
        assert!(!run.bundle_path.exists());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "no file left behind"
        );
    }
}

#[test]
fn unwritable_output_writes_nothing() {
    let dir = temp_dir();
    let target = dir.path().join("missing-dir").join("bundle.zip");
    let run = run_collect_to(dir.path(), &target, &["--task-id", "89"]);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    // The message names the missing directory, not the probe file used to test it.
    let stderr = run.stderr();
    assert!(
        stderr.contains("missing-dir does not exist; create it or choose another --output"),
        "{stderr}"
    );
    assert!(!stderr.contains("probe"), "{stderr}");
    assert!(!target.exists());
}

#[test]
fn unknown_timeout_source_is_usage_error() {
    let dir = temp_dir();
    let run = run_collect(dir.path(), &["--task-id", "89", "--timeout", "nosuch=1s"]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr().contains("unknown source 'nosuch'"),
        "{}",
        run.stderr()
    );
}

#[test]
fn chinese_messages_follow_lang() {
    let dir = temp_dir();
    let run = run_collect(dir.path(), &["--task-id", "x", "--lang", "zh"]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr().contains("任务 id 'x' 无效"),
        "{}",
        run.stderr()
    );
}

#[test]
fn unreachable_database_tries_container_address() {
    testkit::docker::ensure_engine().expect("Docker engine");
    let name = testkit::docker::unique_name("mysql-fallback");
    let spec = testkit::docker::ContainerSpec::new(&name, "sleep 300");
    let container = testkit::docker::TestContainer::run(&spec).expect("starting the container");
    let dir = temp_dir();

    let run = run_collect(
        dir.path(),
        &[
            "--task-id",
            "89",
            "--database-url",
            &refused_mysql_url("wi-test-unused-pw"),
            "--mysql-container",
            &name,
            "--executor-manager-url",
            &refused_http_url(),
            "--redis-url",
            &refused_redis_url(),
        ],
    );

    // Nothing listens on 3306 in the container, so the second attempt is refused as well.
    // The error shows that the container's address was looked up and tried.
    let error = run.source("db").error.unwrap_or_default();
    assert!(
        error.contains(&format!("through container {name} at ")),
        "{error}"
    );
    assert!(error.contains(":3306"), "{error}");
    container.remove().expect("removing the container");
}

#[test]
fn interrupt_leaves_no_file() {
    // A listener that accepts and never responds keeps the executor-manager source busy.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("listener");
    let port = listener.local_addr().unwrap().port();
    let holder = std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().take(4) {
            held.push(stream);
        }
        std::thread::sleep(Duration::from_secs(30));
    });
    let dir = temp_dir();
    let bundle = dir.path().join("bundle.zip");

    let child = std::process::Command::new(env!("CARGO_BIN_EXE_collect"))
        .current_dir(dir.path())
        .env("LANG", "C")
        .args([
            "--task-id",
            "89",
            "--mysql-container",
            "",
            "--executor-manager-container",
            "wi-test-none",
        ])
        .args(["--database-url", &refused_mysql_url("wi-test-unused-pw")])
        .args([
            "--executor-manager-url",
            &format!("http://127.0.0.1:{port}"),
        ])
        .args(["--redis-url", &refused_redis_url()])
        .arg("--workspace-root")
        .arg(dir.path().join("workspaces"))
        .arg("--output")
        .arg(&bundle)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starting collect");
    std::thread::sleep(Duration::from_secs(2));

    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("sending SIGINT");
    assert!(status.success());
    let output = child.wait_with_output().expect("waiting for collect");

    assert_eq!(
        output.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "files left behind: {left:?}");
    drop(holder);
}
