//! Shared setup of the `collect` integration tests: seeding Wegent rows into a throwaway
//! MariaDB, running the `collect` binary, and reading the bundle it wrote.
//!
//! The seeded task (id [`TASK_ID`]) belongs to user `alice`, whose `git_info` contains a git
//! token, and resolves to the public model `wi-test-model`, whose API key and base_url
//! password are secrets. Tests check that none of them reaches the bundle or the output.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use testkit::Flavour;
use testkit::mariadb::MariaDb;
use wegent_analyzer::bundle::Bundle;

pub const TASK_ID: i64 = 89;
pub const USER_NAME: &str = "alice";
pub const EXECUTOR_NAME: &str = "wegent-task-alice-e47497646f4e26c";
pub const MODEL_API_KEY: &str = "sk-witestmodelkey0123456789abcdefABCDEF";
pub const BASE_URL_PASSWORD: &str = "wi-test-gateway-pw";
pub const GIT_TOKEN: &str = "ghp_witestgittoken0123456789abcdefABCDEF";

/// Inserts the owner, the model, the bot, the task and two subtasks of [`TASK_ID`].
pub fn seed_task(db: &MariaDb, flavour: Flavour) {
    let status_phase = match flavour {
        Flavour::Fork => r#","statusPhase":"executing","progressText":"执行中""#,
        Flavour::Upstream => "",
    };
    let task_json = format!(
        r#"{{"apiVersion":"agent.wecode.io/v1","kind":"Task",
        "metadata":{{"name":"task-{TASK_ID}","namespace":"default",
          "labels":{{"type":"online","taskType":"code","source":"web","modelId":"wi-test-model","forceOverrideBotModel":"true"}}}},
        "spec":{{"title":"Fix login","prompt":"fix it","teamRef":{{"name":"dev","namespace":"default"}}}},
        "status":{{"state":"Available","status":"RUNNING","progress":60{status_phase},
          "createdAt":"2026-01-20T14:00:01.123456","updatedAt":"2026-01-20T14:03:12.654321","completedAt":null}}}}"#
    );
    let model_json = format!(
        r#"{{"apiVersion":"agent.wecode.io/v1","kind":"Model","metadata":{{"name":"wi-test-model","namespace":"default"}},
        "spec":{{"modelConfig":{{"env":{{"model":"openai","model_id":"gpt-test",
          "base_url":"https://gw:{BASE_URL_PASSWORD}@gateway.invalid/v1","api_key":"{MODEL_API_KEY}"}}}}}}}}"#
    );
    let bot_json = r#"{"apiVersion":"agent.wecode.io/v1","kind":"Bot","metadata":{"name":"dev-bot","namespace":"default"},
        "spec":{"modelRef":{"name":"wi-test-model","namespace":"default"}}}"#;
    let git_info =
        format!(r#"[{{"git_domain":"github.com","git_token":"{GIT_TOKEN}","type":"github"}}]"#);

    let sql = format!(
        "INSERT INTO users (id, user_name, password_hash, git_info) VALUES (7, '{USER_NAME}', 'x', '{git_info}');
         INSERT INTO kinds (id, user_id, kind, name, namespace, json) VALUES
           (501, 0, 'Model', 'wi-test-model', 'default', '{model_json}'),
           (502, 7, 'Bot', 'dev-bot', 'default', '{bot_json}');
         INSERT INTO tasks (id, user_id, kind, name, namespace, json, is_active, created_at, updated_at)
           VALUES ({TASK_ID}, 7, 'Task', 'task-{TASK_ID}', 'default', '{task_json}', 1,
                   '2026-01-20 14:00:01', '2026-01-20 14:03:12');
         INSERT INTO subtasks (id, user_id, task_id, team_id, title, bot_ids, role, executor_namespace,
             executor_name, prompt, message_id, parent_id, status, progress, result, error_message,
             created_at, updated_at, completed_at)
           VALUES
           (311, 7, {TASK_ID}, 3, 'Fix login - User', '[502]', 'USER', '', '', 'fix it', 1, NULL,
            'COMPLETED', 100, NULL, '', '2026-01-20 22:00:01', '2026-01-20 22:00:01', '2026-01-20 14:00:01'),
           (312, 7, {TASK_ID}, 3, 'Fix login - Assistant', '[502]', 'ASSISTANT', '', '{EXECUTOR_NAME}',
            '', 2, 311, 'RUNNING', 60, '{{\"value\":\"working\"}}', '', '2026-01-20 22:00:01',
            '2026-01-20 22:03:12', '2026-01-20 14:00:01');"
    );
    db.exec(&sql).expect("seeding the task rows");
}

/// Outcome of one `collect` run.
pub struct Run {
    pub output: Output,
    pub bundle_path: PathBuf,
}

impl Run {
    pub fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// Opens the written bundle with the analyzer's reader.
    pub fn bundle(&self) -> Bundle {
        wegent_analyzer::bundle::open(&self.bundle_path).unwrap_or_else(|e| {
            panic!(
                "opening {}: {e}\nstderr:\n{}",
                self.bundle_path.display(),
                self.stderr()
            )
        })
    }

    /// Returns every member of the zip, concatenated as text, for "secret absent" checks.
    pub fn all_member_text(&self) -> String {
        let file = std::fs::File::open(&self.bundle_path).expect("opening the bundle");
        let mut archive = zip::ZipArchive::new(file).expect("reading the zip");
        let mut text = String::new();
        for index in 0..archive.len() {
            let mut member = archive.by_index(index).expect("zip member");
            text.push_str(member.name());
            text.push('\n');
            std::io::Read::read_to_string(&mut member, &mut text).expect("member text");
        }
        text
    }

    /// Manifest entry of a source.
    pub fn source(&self, name: &str) -> wegent_analyzer::bundle::model::SourceEntry {
        self.bundle()
            .source(name)
            .cloned()
            .unwrap_or_else(|| panic!("no manifest entry for {name}"))
    }
}

/// Runs `collect` with `args` plus `--output <dir>/bundle.zip` and `LANG=C`, with every
/// `WEGENT_*` variable of the test environment removed. Unless `args` set them, the MySQL
/// container fallback is off, the executor-manager container is not looked for, and the
/// workspace root is inside `dir`, so that the run only reaches what the test
/// started.
pub fn run_collect(dir: &Path, args: &[&str]) -> Run {
    run_collect_to(dir, &dir.join("bundle.zip"), args)
}

/// Runs `collect` like [`run_collect`], writing the bundle to `bundle_path`.
pub fn run_collect_to(dir: &Path, bundle_path: &Path, args: &[&str]) -> Run {
    let bundle_path = bundle_path.to_path_buf();
    let mut command = Command::new(env!("CARGO_BIN_EXE_collect"));
    for (key, _) in std::env::vars() {
        if key.starts_with("WEGENT_") {
            command.env_remove(&key);
        }
    }
    command
        .env("LANG", "C")
        .current_dir(dir)
        .arg("--output")
        .arg(&bundle_path)
        .args(args);
    if !args.contains(&"--mysql-container") {
        command.args(["--mysql-container", ""]);
    }
    if !args.contains(&"--executor-manager-container") {
        // Empty: not looked for. A named container that does not exist makes the docker
        // source partial, which only the tests about that case want.
        command.args(["--executor-manager-container", ""]);
    }
    if !args.contains(&"--workspace-root") {
        command.arg("--workspace-root").arg(dir.join("workspaces"));
    }
    let output = command.output().expect("running collect");
    Run {
        output,
        bundle_path,
    }
}

/// Creates a fresh temporary directory prefixed `wi-test-`.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("wi-test-collect-")
        .tempdir()
        .expect("temporary directory")
}

/// Returns a port on 127.0.0.1 where nothing listens.
pub fn refused_port() -> u16 {
    testkit::free_port().expect("free port")
}
