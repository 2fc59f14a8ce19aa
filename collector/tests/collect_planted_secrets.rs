//! One real `collect` run against a fork deployment, with the planted-secret corpus spread
//! over every source: the database's JSON columns, the executor container's environment
//! and log, the executor-manager container's log and HTTP bodies, the workspace's git
//! remotes and dirty file names, log files under `--repo-root`, and error messages.
//!
//! No planted value may reach the bundle (member names, bodies and manifest), stdout or
//! stderr in any form that `corpus::leak_in` detects. Ordinary data such as the task id,
//! the executor name and the commit must come through.

mod collect_support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use collect_support::{Run, refused_port, temp_dir};
use testkit::Flavour;
use testkit::docker::{ContainerSpec, TestContainer, unique_name};
use testkit::em::{StandIn, StandInConfig, StandInExecutor};
use testkit::git::RepoBuilder;
use testkit::mariadb::MariaDb;
use wegent_collector::redact::corpus::{self, PlantedSecret};

/// The planted values, looked up by shape, and the list of those actually planted.
struct Plants {
    corpus: Vec<PlantedSecret>,
    /// A second set of corpus values, for places where a shape is planted twice.
    extra: Vec<PlantedSecret>,
    used: Vec<(String, String)>,
}

impl Plants {
    fn new() -> Plants {
        Plants {
            corpus: corpus::planted_secrets(),
            extra: corpus::planted_secrets_seeded(2),
            used: Vec::new(),
        }
    }

    /// Returns the corpus value of `shape` and records it as planted.
    fn take(&mut self, shape: &str) -> String {
        let value = find(&self.corpus, shape).value.clone();
        self.record(shape.to_string(), &value);
        value
    }

    /// Returns the second value of `shape`, recorded under `label`.
    fn take_extra(&mut self, shape: &str, label: &str) -> String {
        let value = find(&self.extra, shape).value.clone();
        self.record(format!("{label} ({shape}, second value)"), &value);
        value
    }

    fn record(&mut self, label: String, value: &str) {
        if !self.used.iter().any(|(_, v)| v == value) {
            self.used.push((label, value.to_string()));
        }
    }

    /// Returns the corpus documents of `member`, recording their values as planted.
    fn documents_of(&mut self, member: &str) -> Vec<String> {
        let found: Vec<(String, String, String)> = self
            .corpus
            .iter()
            .filter(|p| p.member == member)
            .map(|p| (p.shape.to_string(), p.value.clone(), p.document.clone()))
            .collect();
        found
            .into_iter()
            .map(|(shape, value, document)| {
                self.record(shape, &value);
                document
            })
            .collect()
    }
}

fn find<'a>(list: &'a [PlantedSecret], shape: &str) -> &'a PlantedSecret {
    list.iter()
        .find(|p| p.shape == shape)
        .unwrap_or_else(|| panic!("the corpus has no shape {shape}"))
}

/// Quotes `text` as a MariaDB string literal.
fn sql(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
}

/// Local time `age` ago in Wegent's log format.
fn stamp(age: Duration) -> String {
    (chrono::Local::now() - chrono::Duration::from_std(age).unwrap())
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// Gives a corpus log document a current timestamp (so `--since` keeps it) and a mention
/// of the task on its first line (so the task filter keeps it).
fn log_line(document: &str, mention: &str) -> String {
    let now = stamp(Duration::ZERO);
    let (first, rest) = document.split_once('\n').unwrap_or((document, ""));
    let dated = first.len() >= 19
        && first.as_bytes()[4] == b'-'
        && first.as_bytes()[13] == b':'
        && first.starts_with("20");
    let first = if dated {
        format!("{now}{}", &first[19..])
    } else {
        first.to_string()
    };
    if rest.is_empty() {
        format!("{first} {mention}\n")
    } else {
        format!("{first} {mention}\n{}\n", rest.trim_end_matches('\n'))
    }
}

/// Names of the redaction rules the manifest's summary counts.
fn rule_names(run: &Run) -> Vec<String> {
    let file = std::fs::File::open(&run.bundle_path).expect("opening the bundle");
    let mut archive = zip::ZipArchive::new(file).expect("reading the zip");
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut archive.by_name("manifest.json").expect("manifest.json"),
        &mut text,
    )
    .expect("manifest text");
    let manifest: serde_json::Value = serde_json::from_str(&text).expect("manifest JSON");
    let mut names: Vec<String> = manifest
        .pointer("/redaction/by_rule")
        .and_then(|v| v.as_object())
        .map(|rules| rules.keys().cloned().collect())
        .unwrap_or_default();
    names.sort_by_key(|name| std::cmp::Reverse(name.len()));
    names
}

/// Replaces each quoted rule name in `text` with `"#"`.
fn without_rule_names(text: &str, rules: &[String]) -> String {
    let mut text = text.to_string();
    for rule in rules {
        text = text.replace(&format!("\"{rule}\""), "\"#\"");
    }
    text
}

fn unique_task_id() -> i64 {
    700_000 + i64::from(std::process::id() % 9_000) * 10
}

/// Inserts the owner, two models, the bot, the task and its subtasks, with secrets in
/// every JSON column the collector reads.
fn seed_database(db: &MariaDb, plants: &mut Plants, task: i64, executor: &str, llm_port: u16) {
    let base64_attachment_key = plants.take("remembered-value-inside-base64");
    let base_url_password = plants.take("sqlx-error-dsn-password");
    let model = serde_json::json!({
        "apiVersion": "agent.wecode.io/v1", "kind": "Model",
        "metadata": {"name": "wi-test-model", "namespace": "default"},
        "spec": {"modelConfig": {"env": {
            "model": "openai", "model_id": "gpt-test",
            "base_url": format!("http://gw:{base_url_password}@127.0.0.1:{llm_port}/v1"),
            "api_key": base64_attachment_key,
            "custom_headers": {"X-API-Key": plants.take("model-custom-headers-api-key")},
            "default_headers": {"Authorization": format!("Bearer {}", plants.take("model-default-headers-bearer"))},
            "DIFY_API_KEY": plants.take("model-dify-api-key"),
            "CODEX_CONFIG_TOML": format!(
                "model = \"o3\"\n[model_providers.gw]\nexperimental_bearer_token = \"{}\"\n",
                plants.take("model-codex-config-toml-token")
            ),
        }}}
    });
    let other_model = serde_json::json!({
        "apiVersion": "agent.wecode.io/v1", "kind": "Model",
        "metadata": {"name": "claude-sonnet", "namespace": "default"},
        "spec": {"modelConfig": {"env": {"model": "claude", "api_key": plants.take("model-api-key-aes-ciphertext")}}}
    });
    let bot = serde_json::json!({
        "apiVersion": "agent.wecode.io/v1", "kind": "Bot",
        "metadata": {"name": "dev-bot", "namespace": "default"},
        "spec": {"modelRef": {"name": "wi-test-model", "namespace": "default"}}
    });
    let git_info = serde_json::json!([
        {"git_domain": "github.com", "git_token": plants.take("git-info-github-token"), "type": "github"},
        {"git_domain": "gitlab.example.com", "git_token": plants.take("git-info-gitlab-token"), "type": "gitlab"},
        {"git_domain": "gitea.example.com", "git_token": plants.take("remembered-token-bare-in-log"), "type": "gitea"},
    ]);
    let smtp = serde_json::json!({"smtp_host": "mail", "smtp_password": plants.take("system-config-smtp-password")});
    let task_json = serde_json::json!({
        "apiVersion": "agent.wecode.io/v1", "kind": "Task",
        "metadata": {"name": format!("task-{task}"), "namespace": "default",
            "labels": {"type": "online", "taskType": "code", "source": "web", "modelId": "wi-test-model",
                "forceOverrideBotModel": "true", "oauthToken": plants.take("task-label-oauth-token")}},
        "spec": {"title": "Fix login",
            "prompt": format!("fix it; the value was {} yesterday", plants.take("remembered-value-json-escaped")),
            "teamRef": {"name": "dev", "namespace": "default"},
            "mcpServers": {
                "claude": {"env": {"ANTHROPIC_API_KEY": plants.take("ghost-mcp-anthropic-key")}},
                "github": {"headers": {"Authorization": format!("token {}", plants.take("ghost-mcp-authorization-header"))}}},
            "notify": {"config_value": smtp.to_string()},
            "deploy": {"signing_material": plants.take("json-escaped-pem-private-key")}},
        "status": {"state": "Available", "status": "RUNNING", "progress": 60,
            "statusPhase": "executing", "progressText": "执行中",
            "result": {"value": format!("I called the API with {} and it answered 200", plants.take("subtask-result-openai-project-key"))},
            "errorMessage": format!("fatal: repository access denied for token {}", plants.take("subtask-error-fine-grained-token")),
            "createdAt": "2026-01-20T14:00:01.123456", "updatedAt": "2026-01-20T14:03:12.654321", "completedAt": null}
    });
    let user_prompt = format!(
        "fix it; use key {} for the deepseek provider",
        plants.take("prompt-deepseek-key")
    );
    let attachment = find(&plants.corpus, "remembered-value-inside-base64")
        .document
        .clone();
    let attachment: serde_json::Value = serde_json::from_str(&attachment).unwrap();
    let result = serde_json::json!({
        "value": format!("billing configured with {}", plants.take("log-stripe-key")),
        "workbench": {"auth": plants.take("subtask-result-jwt")},
        "attachment": attachment.pointer("/subtasks/0/result/attachment").unwrap(),
    });
    let error_message = format!(
        "git clone failed: fatal: Authentication failed for 'https://bob:{}@git.example.com/x.git/'",
        plants.take("git-clone-error-password")
    );
    let password_hash = plants.take("user-password-hash");

    let statements = format!(
        "INSERT INTO users (id, user_name, password_hash, git_info) VALUES (7, 'alice', {}, {});
         INSERT INTO kinds (id, user_id, kind, name, namespace, json) VALUES
           (501, 0, 'Model', 'wi-test-model', 'default', {}),
           (503, 0, 'Model', 'claude-sonnet', 'default', {}),
           (502, 7, 'Bot', 'dev-bot', 'default', {});
         INSERT INTO tasks (id, user_id, kind, name, namespace, json, is_active, created_at, updated_at)
           VALUES ({task}, 7, 'Task', 'task-{task}', 'default', {}, 1,
                   '2026-01-20 14:00:01', '2026-01-20 14:03:12');
         INSERT INTO subtasks (id, user_id, task_id, team_id, title, bot_ids, role, executor_namespace,
             executor_name, prompt, message_id, parent_id, status, progress, result, error_message,
             created_at, updated_at, completed_at)
           VALUES
           (311, 7, {task}, 3, 'Fix login - User', '[502]', 'USER', '', '', {}, 1, NULL,
            'COMPLETED', 100, NULL, '', '2026-01-20 22:00:01', '2026-01-20 22:00:01', '2026-01-20 14:00:01'),
           (312, 7, {task}, 3, 'Fix login - Assistant', '[502]', 'ASSISTANT', '', {}, '', 2, 311,
            'FAILED', 60, {}, {}, '2026-01-20 22:00:01', '2026-01-20 22:03:12', '2026-01-20 14:00:01');",
        sql(&password_hash),
        sql(&git_info.to_string()),
        sql(&model.to_string()),
        sql(&other_model.to_string()),
        sql(&bot.to_string()),
        sql(&task_json.to_string()),
        sql(&user_prompt),
        sql(executor),
        sql(&result.to_string()),
        sql(&error_message),
    );
    db.exec(&statements).expect("seeding the task rows");
}

/// Starts the executor container: secrets in `TASK_INFO` and other variables, and a log
/// that prints the corpus's executor log lines.
fn start_executor(plants: &mut Plants, name: &str, task: i64, feed: &Path) -> TestContainer {
    let task_info = serde_json::json!({
        "task_id": task, "subtask_id": 312, "executor_name": name,
        "user": {"name": "alice", "git_token": plants.take("remembered-token-bare-in-log"),
            "git_info": [{"git_domain": "gitlab.example.com", "git_token": plants.take("task-info-git-token")}]},
        "bot": [{"agent_config": {"env": {"api_key": plants.take("task-info-decrypted-api-key"), "model": "claude"}}}],
        "auth_token": plants.take("task-info-auth-token"),
    });
    let executor_env = serde_json::json!({"DEFAULT_HEADERS": {"x-api-key": plants.take("env-executor-env-header")}});
    let env = [
        ("TASK_INFO", task_info.to_string()),
        ("EXECUTOR_NAME", name.to_string()),
        ("GIT_TOKEN_AES_KEY", plants.take("env-git-token-aes-key")),
        ("GIT_TOKEN_AES_IV", plants.take("env-git-token-aes-iv")),
        (
            "WEGENT_SKILL_IDENTITY_TOKEN",
            plants.take("env-skill-identity-token"),
        ),
        ("AUTH_TOKEN", plants.take("env-list-auth-token")),
        ("JWT_SECRET_KEY", plants.take("env-jwt-secret-key")),
        (
            "REDIS_URL",
            format!(
                "redis://:{}@redis:6379/0",
                plants.take("env-redis-url-password")
            ),
        ),
        (
            "DATABASE_URL",
            format!(
                "mysql+pymysql://task_user:{}@mysql:3306/task_manager",
                plants.take("env-database-url-password")
            ),
        ),
        (
            "MYSQL_ROOT_PASSWORD",
            plants.take("env-mysql-root-password"),
        ),
        (
            "INTERNAL_SERVICE_TOKEN",
            plants.take("env-internal-service-token"),
        ),
        (
            "WORKER_CONVERSION_S3_SECRET_KEY",
            plants.take("env-s3-secret-key"),
        ),
        ("AWS_ACCESS_KEY_ID", plants.take("env-aws-access-key-id")),
        ("GITHUB_PRIVATE_KEY", plants.take("env-github-private-key")),
        ("EXECUTOR_ENV", executor_env.to_string()),
        ("SOME_CRYPTO_SETTING", plants.take("wegent-default-aes-key")),
        // Values the logs repeat in encoded forms; the names mark them as secrets.
        (
            "CALLBACK_SECRET",
            plants.take("remembered-value-percent-encoded"),
        ),
        (
            "WEBHOOK_PASSWORD",
            plants.take("remembered-value-double-escaped"),
        ),
        // The JSON-escaped value of the task prompt is an environment secret too.
        (
            "SESSION_TOKEN",
            plants.take("remembered-value-json-escaped"),
        ),
        ("TZ", "Asia/Shanghai".to_string()),
    ];

    let mention = format!("task_id={task}");
    let mut log = String::new();
    for document in plants.documents_of("executors/wegent-task-admin-e47497646f4e26c/logs.txt") {
        log.push_str(&log_line(&document, &mention));
    }
    let bearer = plants.take_extra("log-repr-bearer-header", "executor-log-bearer");
    log.push_str(&log_line(
        &format!(
            "2026-01-20 14:04:05 - [-] - INFO - POST /v1/chat with Authorization: Bearer {bearer}"
        ),
        &mention,
    ));
    std::fs::write(feed.join("executor.log"), log).unwrap();

    let mut spec = ContainerSpec::wegent_named(name, "cat /feed/executor.log; exec sleep 600")
        .with_label("owner", "executor_manager")
        .with_label("task_id", task.to_string())
        .with_label("subtask_id", "312")
        .with_label("aigc.weibo.com/task-type", "online")
        .with_mount(feed, "/feed");
    for (key, value) in env {
        spec = spec.with_env(key, value);
    }
    TestContainer::run(&spec).expect("starting the executor container")
}

/// Starts the executor-manager container, which prints the fork's log lines about the
/// task, the dispatch payload in Python repr among them.
fn start_executor_manager(
    plants: &mut Plants,
    name: &str,
    task: i64,
    executor: &str,
    feed: &Path,
) -> TestContainer {
    let mention = format!("task_id={task}");
    let mut log = String::new();
    for document in plants.documents_of("logs/executor-manager.txt") {
        log.push_str(&log_line(&document, &mention));
    }
    let git_token = plants.take("remembered-token-bare-in-log");
    let api_key = plants.take("task-info-decrypted-api-key");
    log.push_str(&log_line(
        &format!(
            "2026-01-20 14:03:13 - [a1b2c3d4] - [in /app/executor_manager/executors/docker/executor.py:120] - INFO - Processing task: ID={task}, executor_name={executor}, data={{'task_id': {task}, 'subtask_id': 312, 'user': {{'name': 'alice', 'git_token': '{git_token}'}}, 'bot': [{{'agent_config': {{'env': {{'api_key': '{api_key}'}}}}}}]}}"
        ),
        "",
    ));
    std::fs::write(feed.join("executor-manager.log"), log).unwrap();

    TestContainer::run(
        &ContainerSpec::new(name, "cat /feed/executor-manager.log; exec sleep 600")
            .with_mount(feed, "/feed"),
    )
    .expect("starting the executor-manager container")
}

/// Creates the task workspace: a repository with credentials in its remotes and a dirty
/// file named after a token.
fn make_workspace(plants: &mut Plants, root: &Path, task: i64) -> String {
    let repo = RepoBuilder::init(root.join(format!("{task}/project")), "main").unwrap();
    let head = repo
        .commit_file("a.txt", "one\n", "Add a", "2026-01-20T14:03:12+08:00")
        .unwrap();
    let remotes = [
        (
            "origin",
            format!(
                "https://oauth2:{}@gitlab.example.com/team/repo.git",
                plants.take("git-remote-gitlab-oauth2")
            ),
        ),
        (
            "mirror",
            format!(
                "https://{}@github.com/org/repo.git",
                plants.take("git-remote-token-as-user")
            ),
        ),
        (
            "upstream",
            format!(
                "https://bob:{}@git.example.com/x/y.git",
                plants.take("git-remote-user-password")
            ),
        ),
    ];
    for (remote, url) in &remotes {
        repo.add_remote(remote, url).unwrap();
    }
    let file_token = plants.take("dirty-path-token-file-name");
    // At the top level, so that `git status` lists the file itself, not its directory.
    repo.write_file(&format!("{file_token}.txt"), "x\n")
        .unwrap();
    repo.write_file("a.txt", "changed\n").unwrap();
    head
}

/// Creates the checkout under `--repo-root`: a `.env` and the backend's uvicorn log.
fn make_repo_root(plants: &mut Plants, root: &Path, task: i64) {
    let signing_key = plants.take_extra("env-jwt-secret-key", "repo-root-env-secret-key");
    std::fs::write(
        root.join(".env"),
        format!("SECRET_KEY={signing_key}\nMYSQL_DATABASE=task_manager\n"),
    )
    .unwrap();

    let mention = format!("task_id={task}");
    let mut log = String::new();
    for document in plants.documents_of("logs/backend.txt") {
        log.push_str(&log_line(&document, &mention));
    }
    log.push_str(&log_line(
        &format!("2026-01-20 14:06:02 INFO [-] : settings loaded with SECRET_KEY {signing_key}"),
        &mention,
    ));
    std::fs::create_dir_all(root.join("backend")).unwrap();
    std::fs::write(root.join("backend/uvicorn.log"), log).unwrap();
}

/// Runs `collect` with debug tracing and every `WEGENT_*` variable of the test removed.
fn collect(dir: &Path, args: &[&str]) -> Run {
    let bundle_path = dir.join("bundle.zip");
    let mut command = Command::new(env!("CARGO_BIN_EXE_collect"));
    for (key, _) in std::env::vars() {
        if key.starts_with("WEGENT_") {
            command.env_remove(&key);
        }
    }
    let output = command
        .env("LANG", "C")
        .env("WEGENT_LOG", "debug")
        .current_dir(dir)
        .args(["--mysql-container", ""])
        .arg("--output")
        .arg(&bundle_path)
        .args(args)
        .output()
        .expect("running collect");
    Run {
        output,
        bundle_path,
    }
}

#[test]
fn fork_collect_leaks_no_planted_secret() {
    let mut plants = Plants::new();
    let task = unique_task_id();
    let executor = unique_name("exec").replace("wi-test-", "wegent-task-wi-test-");
    let em_name = unique_name("em");
    let dir = temp_dir();
    let feed = dir.path().join("feed");
    std::fs::create_dir_all(&feed).unwrap();
    let llm_port = refused_port();

    let db = MariaDb::start(Flavour::Fork).expect("starting MariaDB");
    seed_database(&db, &mut plants, task, &executor, llm_port);

    let mut em_config = StandInConfig::new(Flavour::Fork).with_executor(StandInExecutor::running(
        &executor,
        task as u64,
        312,
    ));
    em_config.load_override = Some(serde_json::json!({
        "total": 5, "running": 1,
        "access_token": plants.take("http-body-refresh-token"), "token_type": "bearer",
        "headers": {"set-cookie": format!("session={}; Path=/; HttpOnly", plants.take("http-body-set-cookie"))},
    }));
    let em = StandIn::start(em_config).expect("starting the stand-in");

    let executor_container = start_executor(&mut plants, &executor, task, &feed);
    let em_container = start_executor_manager(&mut plants, &em_name, task, &executor, &feed);
    let workspace_root = dir.path().join("workspaces");
    let head = make_workspace(&mut plants, &workspace_root, task);
    let repo_root = dir.path().join("wegent");
    std::fs::create_dir_all(&repo_root).unwrap();
    make_repo_root(&mut plants, &repo_root, task);
    let redis_password = plants.take_extra("redis-cli-password", "redis-url-password");
    // Let both containers print their logs.
    std::thread::sleep(Duration::from_millis(1500));

    let run = collect(
        dir.path(),
        &[
            "--task-id",
            &task.to_string(),
            "--database-url",
            &db.url(),
            "--executor-manager-url",
            &em.url(),
            "--executor-manager-container",
            &em_name,
            "--redis-url",
            &format!("redis://:{redis_password}@127.0.0.1:{}/0", refused_port()),
            "--workspace-root",
            &workspace_root.display().to_string(),
            "--repo-root",
            &repo_root.display().to_string(),
            "--probe-llm",
        ],
    );
    let members = run.all_member_text();
    let stdout = run.stdout();
    let stderr = run.stderr();

    assert!(
        plants.used.len() >= 60,
        "only {} distinct secrets planted",
        plants.used.len()
    );

    // No planted secret, in any form, anywhere the run wrote. Rule names in the redaction
    // summary are left out, because `tencent-secret-id` shares 8 characters with the planted
    // `your-secret-key-here`.
    let rules = rule_names(&run);
    let members = without_rule_names(&members, &rules);
    let stdout = without_rule_names(&stdout, &rules);
    let stderr = without_rule_names(&stderr, &rules);
    let mut leaks = Vec::new();
    for (shape, value) in &plants.used {
        for (place, text) in [
            ("the bundle", &members),
            ("stdout", &stdout),
            ("stderr", &stderr),
        ] {
            if let Some(leak) = corpus::leak_in(text, value) {
                leaks.push(format!("{shape}: {leak} in {place}"));
            }
        }
    }
    // The test database's root password shares its `wi-test-` prefix with every
    // container name, so only the whole password and its distinct end are searched.
    for (place, text) in [
        ("the bundle", &members),
        ("stdout", &stdout),
        ("stderr", &stderr),
    ] {
        if text.contains(testkit::mariadb::ROOT_PASSWORD) || text.contains("root-pw") {
            leaks.push(format!("database-url-password in {place}"));
        }
    }
    assert!(
        leaks.is_empty(),
        "{} of {} planted secrets leaked:\n{}",
        leaks.len(),
        plants.used.len(),
        leaks.join("\n")
    );

    // Every source wrote its members, so the absence of secrets above is meaningful.
    let bundle = run.bundle();
    let manifest = bundle.manifest.clone().expect("manifest");
    assert_eq!(manifest.task_id, task);
    let member_names: Vec<String> = {
        let file = std::fs::File::open(&run.bundle_path).unwrap();
        let archive = zip::ZipArchive::new(file).unwrap();
        archive.file_names().map(str::to_string).collect()
    };
    for expected in [
        "db/task.json".to_string(),
        "db/subtasks.json".to_string(),
        "db/models.json".to_string(),
        format!("executors/{executor}/inspect.json"),
        format!("executors/{executor}/logs.txt"),
        "services/containers.json".to_string(),
        "services/executor-manager.json".to_string(),
        "workspace/git.json".to_string(),
    ] {
        assert!(
            member_names.contains(&expected),
            "no member {expected} in {member_names:?}\nstderr:\n{stderr}"
        );
    }

    // Ordinary data survives redaction.
    for (what, value) in [
        ("task id", format!("task_id={task}")),
        ("executor name", executor.clone()),
        ("executor-manager container name", em_name.clone()),
        ("commit", head.clone()),
        ("dirty file", " M a.txt".to_string()),
        ("container label", "executor_manager".to_string()),
        ("model name", "wi-test-model".to_string()),
        ("subtask error text", "Authentication failed".to_string()),
        ("prompt text", "deepseek provider".to_string()),
    ] {
        assert!(members.contains(&value), "the bundle lost the {what}");
    }
    assert!(stdout.contains("bundle: "), "stdout:\n{stdout}");
    // Client libraries are capped at info, so the collector's own lines prove tracing was on.
    assert!(stderr.contains("INFO"), "collect ran without tracing output:\n{stderr}");

    drop(executor_container);
    drop(em_container);
}
