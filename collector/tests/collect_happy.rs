//! `collect` against a healthy deployment of each flavour: MariaDB with the task's rows,
//! Redis, and the executor-manager stand-in.

mod collect_support;

use collect_support::*;
use testkit::Flavour;
use testkit::em::{StandIn, StandInConfig, StandInExecutor};
use testkit::mariadb::MariaDb;
use testkit::redis::RedisServer;
use wegent_analyzer::bundle::model::{Flavour as BundleFlavour, SourceStatus};

const REDIS_PASSWORD: &str = "wi-test-redis-pw";

fn start_redis(flavour: Flavour) -> RedisServer {
    let redis = match flavour {
        Flavour::Fork => RedisServer::start_with_password(REDIS_PASSWORD),
        Flavour::Upstream => RedisServer::start(),
    }
    .expect("starting redis");

    if flavour == Flavour::Upstream {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        let key = format!("task:heartbeat:{TASK_ID}");
        let meta = format!("running_task:meta:{TASK_ID}");
        let id = TASK_ID.to_string();
        let start = format!("{:.3}", now - 120.0);
        redis
            .cli(&["SETEX", &key, "20", &format!("{:.3}", now - 3.0)])
            .unwrap();
        redis
            .cli(&["ZADD", "running_tasks:heartbeat", &start, &id])
            .unwrap();
        redis
            .cli(&[
                "HSET",
                &meta,
                "task_id",
                &id,
                "subtask_id",
                "312",
                "executor_name",
                EXECUTOR_NAME,
            ])
            .unwrap();
        // A queue item carries the full request, secrets included; only its length may be read.
        redis
            .cli(&[
                "LPUSH",
                "wegent:task_queue:online:default",
                &format!("{{\"api_key\":\"{MODEL_API_KEY}\"}}"),
            ])
            .unwrap();
    }
    redis
}

fn collect_healthy(flavour: Flavour) {
    let db = MariaDb::start(flavour).expect("starting MariaDB");
    seed_task(&db, flavour);
    let redis = start_redis(flavour);
    let executor = StandInExecutor::running(EXECUTOR_NAME, TASK_ID as u64, 312);
    let em = StandIn::start(StandInConfig::new(flavour).with_executor(executor))
        .expect("starting the stand-in");
    let dir = temp_dir();

    let run = run_collect(
        dir.path(),
        &[
            "--task-id",
            &TASK_ID.to_string(),
            "--database-url",
            &db.url(),
            "--executor-manager-url",
            &em.url(),
            "--redis-url",
            &redis.url(),
        ],
    );
    let context = format!("stdout:\n{}\nstderr:\n{}", run.stdout(), run.stderr());

    // Exit status follows the manifest: 0 unless a source failed.
    let bundle = run.bundle();
    let manifest = bundle.manifest.clone().expect("manifest");
    let any_failed = manifest
        .sources
        .iter()
        .any(|s| s.status == SourceStatus::Failed);
    assert_eq!(run.code(), if any_failed { 1 } else { 0 }, "{context}");
    assert_eq!(manifest.task_id, TASK_ID);

    let db_entry = run.source("db");
    assert_eq!(db_entry.status, SourceStatus::Ok, "{db_entry:?}");
    let em_entry = run.source("executor-manager");
    assert_eq!(em_entry.status, SourceStatus::Ok, "{em_entry:?}");
    let redis_entry = run.source("redis");

    let task = bundle
        .task
        .clone()
        .expect("db/task.json")
        .expect("task row");
    assert_eq!(task.id, TASK_ID);
    assert_eq!(task.updated_at, "2026-01-20 14:03:12");
    assert_eq!(
        task.json.pointer("/status/status").and_then(|v| v.as_str()),
        Some("RUNNING")
    );
    assert_eq!(task.client_origin.is_some(), flavour == Flavour::Upstream);

    let subtasks = bundle.subtasks.clone().expect("db/subtasks.json").subtasks;
    assert_eq!(
        subtasks.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![311, 312]
    );
    assert_eq!(subtasks[1].executor_name.as_deref(), Some(EXECUTOR_NAME));
    assert_eq!(
        subtasks[1].created_at.as_deref(),
        Some("2026-01-20 22:00:01")
    );
    assert_eq!(
        subtasks[1].result,
        Some(serde_json::json!({"value": "working"}))
    );

    let server = bundle.db_server.clone().expect("db/server.json");
    assert!(
        server.version.to_ascii_lowercase().contains("mariadb"),
        "{}",
        server.version
    );
    assert_eq!(
        server.alembic_version.as_deref(),
        Some(flavour.alembic_revision())
    );
    assert!(server.columns.contains_key("subtasks"));
    assert!(server.utc_now.is_some());

    let models = bundle.models.clone().expect("db/models.json");
    assert_eq!(models.requested.as_deref(), Some("wi-test-model"));
    assert_eq!(models.resolved_from, "force-override");
    assert_eq!(models.models.len(), 1);
    assert!(models.models[0].has_api_key);
    assert_eq!(
        models.models[0].base_url.as_deref(),
        Some("https://gateway.invalid/v1")
    );

    let owner = bundle.owner.clone().expect("db/owner.json");
    assert_eq!(owner.user_name, USER_NAME);

    let em_state = bundle
        .executor_manager
        .clone()
        .expect("services/executor-manager.json");
    assert!(em_state.health.as_ref().is_some_and(|p| p.is_success()));
    assert!(em_state.routes.as_ref().is_some_and(|r| !r.is_empty()));
    let probe = em_state
        .executors
        .iter()
        .find(|p| p.executor_name == EXECUTOR_NAME)
        .expect("probe of the subtask's executor");
    let expected_endpoint = if flavour == Flavour::Fork {
        "status"
    } else {
        "address"
    };
    assert_eq!(probe.endpoint, expected_endpoint);
    assert!(probe.probe.is_success(), "{probe:?}");

    let deployment = bundle.deployment.clone().expect("deployment.json");
    let expected_flavour = match flavour {
        Flavour::Fork => BundleFlavour::Fork,
        Flavour::Upstream => BundleFlavour::Upstream,
    };
    assert_eq!(deployment.flavour, expected_flavour, "{deployment:?}");

    match flavour {
        Flavour::Fork => {
            assert_eq!(redis_entry.status, SourceStatus::Skipped, "{redis_entry:?}");
            assert!(bundle.redis.is_none());
        }
        Flavour::Upstream => {
            assert_eq!(redis_entry.status, SourceStatus::Ok, "{redis_entry:?}");
            let state = bundle.redis.clone().expect("services/redis.json");
            assert!(state.reachable);
            let heartbeat = state.heartbeat.expect("heartbeat");
            assert!(
                heartbeat
                    .age_seconds
                    .is_some_and(|age| (0.0..60.0).contains(&age)),
                "{heartbeat:?}"
            );
            assert!(state.running_set_score.is_some());
            assert_eq!(
                state
                    .running_task_meta
                    .get("executor_name")
                    .map(String::as_str),
                Some(EXECUTOR_NAME)
            );
            assert_eq!(
                state.queue_lengths.get("wegent:task_queue:online:default"),
                Some(&1)
            );
        }
    }

    // Secrets: neither the bundle nor the output contains them; the manifest keeps URLs
    // without passwords.
    let members = run.all_member_text();
    let output = format!("{}{}", run.stdout(), run.stderr());
    for secret in [
        MODEL_API_KEY,
        BASE_URL_PASSWORD,
        GIT_TOKEN,
        testkit::mariadb::ROOT_PASSWORD,
        REDIS_PASSWORD,
    ] {
        assert!(!members.contains(secret), "bundle contains a secret");
        assert!(!output.contains(secret), "output contains a secret");
    }
    let options = &manifest.options;
    assert!(
        options["database-url"]
            .as_str()
            .unwrap()
            .starts_with("mysql://root@127.0.0.1:")
    );

    // The summary names the bundle and a verdict line.
    assert!(run.stdout().contains("bundle: "), "{context}");
    assert!(run.stdout().contains("sha256: "), "{context}");
    assert!(run.stdout().contains("verdict: "), "{context}");

    // The stand-in saw only GET requests.
    let requests = em.requests();
    assert!(!requests.is_empty());
    for request in &requests {
        assert_eq!(request.method, "GET", "{request:?}");
    }
}

#[test]
fn fork_collects_db_and_executor_manager() {
    collect_healthy(Flavour::Fork);
}

#[test]
fn upstream_collects_db_redis_and_executor_manager() {
    collect_healthy(Flavour::Upstream);
}

#[test]
fn repo_root_env_supplies_credentials() {
    let db = MariaDb::start(Flavour::Fork).expect("starting MariaDB");
    seed_task(&db, Flavour::Fork);
    let em = StandIn::start(StandInConfig::new(Flavour::Fork)).expect("starting the stand-in");
    let dir = temp_dir();
    let checkout = dir.path().join("wegent");
    std::fs::create_dir(&checkout).unwrap();
    std::fs::write(
        checkout.join(".env"),
        format!(
            "MYSQL_ROOT_PASSWORD={}\nMYSQL_PORT={}\nEXECUTOR_MANAGER_PORT={}\nREDIS_PASSWORD={REDIS_PASSWORD}\n",
            testkit::mariadb::ROOT_PASSWORD,
            db.port(),
            em.port()
        ),
    )
    .unwrap();

    // No URL options: the defaults get password and ports from the checkout's .env.
    let run = run_collect(
        dir.path(),
        &[
            "--task-id",
            &TASK_ID.to_string(),
            "--repo-root",
            checkout.to_str().unwrap(),
        ],
    );

    assert_eq!(
        run.source("db").status,
        SourceStatus::Ok,
        "{}",
        run.stderr()
    );
    assert_eq!(
        run.source("executor-manager").status,
        SourceStatus::Ok,
        "{}",
        run.stderr()
    );
    let manifest = run.bundle().manifest.expect("manifest");
    let keys = manifest.options["env-file-keys"]
        .as_array()
        .expect("env-file-keys")
        .clone();
    assert!(
        keys.contains(&serde_json::json!("MYSQL_ROOT_PASSWORD")),
        "{keys:?}"
    );
    assert!(
        keys.contains(&serde_json::json!("EXECUTOR_MANAGER_PORT")),
        "{keys:?}"
    );
    assert_eq!(
        manifest.options["database-url"],
        format!("mysql://root@127.0.0.1:{}/task_manager", db.port())
    );
    let members = run.all_member_text();
    assert!(!members.contains(testkit::mariadb::ROOT_PASSWORD));
    assert!(!members.contains(REDIS_PASSWORD));
}
