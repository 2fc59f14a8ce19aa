//! The scenario file format: `fixtures/scenarios/<name>/scenario.toml`.
//!
//! A scenario describes one incident as the state of a deployment: database rows, executor
//! containers, the executor-manager's HTTP responses and log, Redis keys, the task's workspace
//! repository and the services' log files, plus the diagnosis the recording must get. Text
//! values are templates (see [`super::template`]), so every time is written relative to the
//! recording moment and the container names are computed the way Wegent computes them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use testkit::Flavour;

/// File name of a scenario inside its folder.
pub const SCENARIO_FILE: &str = "scenario.toml";

/// One scenario, as read from its file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Folder name, also the name of the recorded bundle folder.
    #[serde(skip)]
    pub name: String,
    /// Folder that contains `scenario.toml` and the files it names.
    #[serde(skip)]
    pub dir: PathBuf,
    /// One line saying what happened, for docs/incidents.md.
    pub summary: String,
    /// Wegent code base the deployment runs.
    pub flavour: Flavour,
    /// Id of the task that `collect` is pointed at.
    pub task_id: u64,
    /// Diagnosis the recording must get.
    pub expect: Expect,
    /// MySQL settings.
    #[serde(default)]
    pub database: Database,
    /// Rows inserted before the collection, in order.
    #[serde(default)]
    pub rows: Vec<Row>,
    /// Further SQL files in the scenario folder, run after `rows` (templates too).
    #[serde(default)]
    pub sql_files: Vec<String>,
    /// Executor containers.
    #[serde(default)]
    pub containers: Vec<Container>,
    /// The executor-manager: its container (for its log) and its HTTP responses.
    #[serde(default)]
    pub executor_manager: ExecutorManager,
    /// Redis commands run before the collection, such as heartbeat keys.
    #[serde(default)]
    pub redis: Vec<RedisCommand>,
    /// The task's workspace repository under `--workspace-root`.
    pub workspace: Option<Workspace>,
    /// Log files written under `--repo-root`.
    #[serde(default)]
    pub log_files: Vec<LogFile>,
}

/// Diagnosis a recording must get.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Report verdict, such as `stuck`.
    pub verdict: String,
    /// Rule id of the first warning or critical finding, or `none`.
    pub primary: String,
    /// Further rules that must fire.
    #[serde(default)]
    pub fires: Vec<String>,
    /// Rules that must stay silent.
    #[serde(default)]
    pub must_not_fire: Vec<String>,
}

/// MySQL settings of a scenario.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Database {
    /// When false, no server listens where `--database-url` points, as on a host whose
    /// MySQL is down.
    #[serde(default = "yes")]
    pub reachable: bool,
    /// Value for `SET GLOBAL time_zone`, such as `+08:00`; the server's default when absent.
    pub global_time_zone: Option<String>,
}

impl Default for Database {
    fn default() -> Database {
        Database {
            reachable: true,
            global_time_zone: None,
        }
    }
}

/// One row of a table. Strings are templates; tables and arrays are stored as JSON text.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
    /// Table name: `users`, `kinds`, `tasks` or `subtasks`.
    pub table: String,
    /// Column values. The string `@null` stands for SQL NULL.
    pub values: BTreeMap<String, toml::Value>,
}

/// State a container is left in before the collection.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ContainerState {
    /// The container keeps running.
    Running,
    /// The container's process ends, with `exit_code` or killed for memory.
    Exited,
    /// The container is removed after it started, as a vanished executor.
    Removed,
}

/// One executor container.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Container {
    /// Name other templates use, as in `{{executor main}}`.
    pub key: String,
    /// Raw user name; the container name is computed from it as Wegent does.
    pub user: String,
    /// Task id of the `task_id` label; the scenario's task by default.
    pub task_id: Option<u64>,
    /// Id of the subtask that created the container.
    pub subtask_id: u64,
    /// Value of the `subtask_next_id` label; `None` for the fork and empty for upstream when
    /// absent.
    pub subtask_next_id: Option<String>,
    /// `aigc.weibo.com/team-mode` label.
    #[serde(default = "default_team_mode")]
    pub team_mode: String,
    /// `aigc.weibo.com/task-type` label.
    #[serde(default = "default_task_type")]
    pub task_type: String,
    /// State before the collection.
    pub state: ContainerState,
    /// Exit code of an `exited` container whose script ends normally.
    #[serde(default)]
    pub exit_code: i32,
    /// Memory limit, such as `8m`; swap is limited to the same value.
    pub memory: Option<String>,
    /// Lines the container prints first (template), in the flavour's executor log format.
    #[serde(default)]
    pub log: String,
    /// Shell script run after printing the log, such as one that exhausts the memory limit.
    #[serde(default)]
    pub script: String,
    /// Extra environment variables (templates).
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Mounts the scenario's workspace root at `/workspace`, as executor-manager does when
    /// `EXECUTOR_WORKSPACE` is set.
    #[serde(default)]
    pub mount_workspace: bool,
    /// Host port executor-manager reports for the container.
    pub port: Option<u16>,
}

/// The executor-manager of a scenario.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecutorManager {
    /// When false, nothing listens at `--executor-manager-url`.
    #[serde(default = "yes")]
    pub reachable: bool,
    /// When false, `/health` and `/ready` answer 500.
    #[serde(default = "yes")]
    pub healthy: bool,
    /// `MAX_CONCURRENT_TASKS`, the `total` of `/executor/load`.
    #[serde(default = "default_max_concurrent")]
    pub max_concurrent_tasks: u32,
    /// Log lines of the executor-manager container (template).
    #[serde(default)]
    pub log: String,
    /// When false, no executor-manager container runs.
    #[serde(default = "yes")]
    pub container: bool,
}

impl Default for ExecutorManager {
    fn default() -> ExecutorManager {
        ExecutorManager {
            reachable: true,
            healthy: true,
            max_concurrent_tasks: default_max_concurrent(),
            log: String::new(),
            container: true,
        }
    }
}

/// One Redis command, such as `["SET", "task:heartbeat:{{task_id}}", "{{epoch -4s}}"]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedisCommand {
    /// Command and arguments (templates).
    pub args: Vec<String>,
}

/// The task's workspace: `<workspace root>/<task id>/<repo>`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workspace {
    /// Folder name of the repository, the last path segment of the clone URL.
    pub repo: String,
    /// Branch the clone starts on.
    #[serde(default = "default_branch")]
    pub branch: String,
    /// `origin` URL (template), written as the clone left it.
    pub remote: Option<String>,
    /// Commits in order.
    #[serde(default)]
    pub commits: Vec<Commit>,
    /// Files written and left uncommitted.
    #[serde(default)]
    pub dirty: BTreeMap<String, String>,
}

/// One commit of the workspace repository.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Commit {
    /// Commit message.
    pub message: String,
    /// Commit time relative to the recording moment, such as `-40m`.
    pub at: String,
    /// Branch to create and check out before this commit.
    pub new_branch: Option<String>,
    /// Files written and committed.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
}

/// One log file under `--repo-root`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogFile {
    /// Path relative to the repo root, such as `backend/uvicorn.log`.
    pub path: String,
    /// Contents (template).
    pub text: String,
}

fn yes() -> bool {
    true
}

fn default_team_mode() -> String {
    "solo".to_string()
}

fn default_task_type() -> String {
    "online".to_string()
}

fn default_max_concurrent() -> u32 {
    5
}

fn default_branch() -> String {
    "main".to_string()
}

impl Scenario {
    /// Reads `<dir>/scenario.toml`.
    pub fn load(dir: &Path) -> Result<Scenario> {
        let path = dir.join(SCENARIO_FILE);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("failed to read the scenario file {}", path.display()))?;

        let mut scenario: Scenario = toml::from_str(&text).with_context(|| {
            format!(
                "{} is not a valid scenario; compare it with docs/incidents.md",
                path.display()
            )
        })?;

        scenario.name = dir
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        scenario.dir = dir.to_path_buf();
        scenario.validate()?;

        Ok(scenario)
    }

    /// Name of the executor-manager container, `wi-test-<scenario>-em`.
    pub fn em_container_name(&self) -> String {
        format!("wi-test-{}-em", self.name)
    }

    fn validate(&self) -> Result<()> {
        let valid_name = !self.name.is_empty()
            && self
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !valid_name {
            bail!(
                "scenario folder name {:?} must use lowercase letters, digits and '-'",
                self.name
            );
        }

        let mut keys = std::collections::BTreeSet::new();
        for container in &self.containers {
            if !keys.insert(container.key.as_str()) {
                bail!(
                    "scenario {}: two containers have the key {:?}; give each its own key",
                    self.name,
                    container.key
                );
            }
        }

        for row in &self.rows {
            if !matches!(row.table.as_str(), "users" | "kinds" | "tasks" | "subtasks") {
                bail!(
                    "scenario {}: rows for table {:?} are not supported; use users, kinds, tasks \
                     or subtasks, or an sql_files entry",
                    self.name,
                    row.table
                );
            }
        }

        Ok(())
    }
}

/// Lists the scenarios under `root` (folders with a `scenario.toml`), sorted by name.
pub fn list(root: &Path) -> Result<Vec<Scenario>> {
    let entries = std::fs::read_dir(root)
        .with_context(|| format!("failed to list the scenario folder {}", root.display()))?;

    let mut scenarios = Vec::new();
    for entry in entries {
        let dir = entry
            .with_context(|| format!("failed to list {}", root.display()))?
            .path();
        if dir.join(SCENARIO_FILE).is_file() {
            scenarios.push(Scenario::load(&dir)?);
        }
    }

    scenarios.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(scenarios)
}
