//! Typed serde models of every member of a version 1 bundle.
//!
//! One struct per member, named after the member path. The collector writes these
//! types and the analyzer reads them, so this file is the single definition of what a
//! bundle member contains. Unknown fields are accepted on read (a newer minor version
//! may add some), and optional fields default, so a bundle from a host where a source
//! failed still parses.
//!
//! Times: `collected_at` and other instants the tool measures itself are RFC 3339 in
//! UTC. Values copied from Wegent (DB columns, JSON timestamps, log timestamps) keep
//! their original naive text, because their clock is only known after calibration.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Major version of the bundle format this build reads and writes.
pub const FORMAT_MAJOR: u32 = 1;

/// Full version string written into new manifests.
pub const FORMAT_VERSION: &str = "1.0";

/// Member paths of the fixed members, in the order the layout documents them.
pub mod members {
    pub const MANIFEST: &str = "manifest.json";
    pub const DEPLOYMENT: &str = "deployment.json";
    pub const DB_SERVER: &str = "db/server.json";
    pub const DB_TASK: &str = "db/task.json";
    pub const DB_SUBTASKS: &str = "db/subtasks.json";
    pub const DB_MODELS: &str = "db/models.json";
    pub const DB_OWNER: &str = "db/owner.json";
    pub const CONTAINERS: &str = "services/containers.json";
    pub const EXECUTOR_MANAGER: &str = "services/executor-manager.json";
    pub const REDIS: &str = "services/redis.json";
    pub const WORKSPACE: &str = "workspace/git.json";
    pub const LLM_PROBE: &str = "llm/probe.json";

    /// Path of the inspect member of one executor container.
    pub fn executor_inspect(name: &str) -> String {
        format!("executors/{name}/inspect.json")
    }

    /// Path of the log member of one executor container.
    pub fn executor_logs(name: &str) -> String {
        format!("executors/{name}/logs.txt")
    }

    /// Path of a service log member, for example `logs/executor-manager.txt`.
    pub fn service_log(source: &str) -> String {
        format!("logs/{source}.txt")
    }
}

// ---------------------------------------------------------------------------
// manifest.json

/// `manifest.json`: what was collected, how, and the digest of every other member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// `"<major>.<minor>"`; readers reject an unknown major version.
    pub format_version: String,
    /// Version of the collector that wrote the bundle.
    pub tool_version: String,
    pub task_id: i64,
    /// When collection started, RFC 3339 in UTC.
    pub collected_at: String,
    /// UTC offset of the collecting host's local time zone, such as `+08:00`.
    pub host_utc_offset: String,
    /// Options the collector ran with (secrets removed), keyed by long option name.
    #[serde(default)]
    pub options: BTreeMap<String, Value>,
    /// One entry per source, in collection order.
    #[serde(default)]
    pub sources: Vec<SourceEntry>,
    #[serde(default)]
    pub redaction: RedactionSummary,
    /// SHA-256 and size of every member except the manifest itself.
    #[serde(default)]
    pub members: BTreeMap<String, MemberDigest>,
}

/// Outcome of one collection source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceStatus {
    Ok,
    Partial,
    Failed,
    Skipped,
}

/// Manifest entry of one source (db, docker, executor-manager, redis, workspace, logs, llm).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceEntry {
    pub name: String,
    pub status: SourceStatus,
    #[serde(default)]
    pub duration_ms: u64,
    /// Error chain when the status is failed or partial; reason when skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Content cut to stay within limits, for example "executor log capped at 5 MB".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub truncation: Vec<String>,
    /// Members this source wrote.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
}

/// Digest of one member as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberDigest {
    /// Lowercase hex SHA-256 of the member bytes.
    pub sha256: String,
    pub size: u64,
}

/// Counts of redacted values per rule and per member. The values themselves are never stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedactionSummary {
    #[serde(default)]
    pub total: u64,
    /// Replacements per rule name over the whole bundle.
    #[serde(default)]
    pub by_rule: BTreeMap<String, u64>,
    /// Replacements per member, then per rule name.
    #[serde(default)]
    pub by_member: BTreeMap<String, BTreeMap<String, u64>>,
    /// Whether names and addresses were replaced by stand-ins (`--pseudonymize`).
    #[serde(default)]
    pub pseudonymized: bool,
}

// ---------------------------------------------------------------------------
// deployment.json

/// The Wegent flavour a deployment runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Flavour {
    /// Older fork: pull dispatch, Python executor, statusPhase, `/executor/status`.
    Fork,
    /// Upstream: push dispatch through a Redis queue, Rust executor, task heartbeats.
    Upstream,
    #[default]
    Unknown,
}

/// `deployment.json`: the detected flavour and the observations behind it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Deployment {
    pub flavour: Flavour,
    #[serde(default)]
    pub evidence: Vec<FlavourEvidence>,
}

/// One observation that points at a flavour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlavourEvidence {
    /// Source of the observation: `schema`, `alembic`, `executor-manager`,
    /// `container-env`, `redis`, `task-json`.
    pub source: String,
    pub observation: String,
    pub points_to: Flavour,
}

// ---------------------------------------------------------------------------
// db/*

/// `db/server.json`: the database server and its clocks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DbServer {
    /// `SELECT VERSION()`, for example `10.11.6-MariaDB` or `9.4.0`.
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub global_time_zone: String,
    #[serde(default)]
    pub session_time_zone: String,
    /// `NOW()` of the collector's session, naive `YYYY-MM-DD HH:MM:SS`.
    #[serde(default)]
    pub now: String,
    /// `UTC_TIMESTAMP()` of the same session, naive, for the session offset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utc_now: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alembic_version: Option<String>,
    /// Column names per table (`tasks`, `subtasks`, `kinds`), in table order.
    #[serde(default)]
    pub columns: BTreeMap<String, Vec<ColumnInfo>>,
}

/// One column from `information_schema.columns`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnInfo {
    pub name: String,
    /// `COLUMN_TYPE`, for example `enum('PENDING','RUNNING',...)` or `bigint(20)`.
    pub column_type: String,
    #[serde(default)]
    pub nullable: bool,
}

/// `db/task.json`: the `tasks` row of the task, whatever its kind or `is_active`.
///
/// The member contains `null` when the row does not exist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskRow {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub is_active: i64,
    /// Naive, backend clock.
    pub created_at: String,
    /// Naive, backend clock.
    pub updated_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_origin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_group_chat: Option<bool>,
    /// The `json` column, parsed (the Task CRD document).
    pub json: Value,
}

/// `db/subtasks.json`: every subtask of the task ordered by `message_id, id`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Subtasks {
    pub subtasks: Vec<SubtaskRow>,
}

/// One `subtasks` row. Large `prompt` and `result` values are capped by the collector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubtaskRow {
    pub id: i64,
    pub task_id: i64,
    #[serde(default)]
    pub user_id: i64,
    #[serde(default)]
    pub team_id: i64,
    #[serde(default)]
    pub title: String,
    /// `USER` or `ASSISTANT`.
    pub role: String,
    /// `PENDING`, `RUNNING`, `COMPLETED`, `FAILED`, `CANCELLED`, `DELETE`, `PENDING_CONFIRMATION`.
    pub status: String,
    #[serde(default)]
    pub progress: i64,
    #[serde(default)]
    pub executor_namespace: Option<String>,
    #[serde(default)]
    pub executor_name: Option<String>,
    /// A flag (0/1), not a time: 1 means cleanup or auto-delete removed the executor.
    #[serde(default)]
    pub executor_deleted_at: i64,
    #[serde(default)]
    pub message_id: i64,
    #[serde(default)]
    pub parent_id: Option<i64>,
    #[serde(default)]
    pub bot_ids: Option<Value>,
    #[serde(default)]
    pub prompt: Option<String>,
    #[serde(default)]
    pub prompt_truncated: bool,
    #[serde(default)]
    pub result: Option<Value>,
    /// Set when `result` was longer than the cap; `result` then contains a prefix as a string.
    #[serde(default)]
    pub result_truncated: bool,
    #[serde(default)]
    pub error_message: Option<String>,
    /// Naive, MySQL session clock (usually +08:00).
    #[serde(default)]
    pub created_at: Option<String>,
    /// Naive; fork mostly session clock, upstream backend clock.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// Naive, backend clock; equals creation time on non-terminal rows, or 1970-01-01.
    #[serde(default)]
    pub completed_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_type: Option<String>,
}

/// `db/models.json`: the Model kind(s) the task resolves to, secrets reduced to flags.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Models {
    /// Model name the task requests (`labels.modelId` or the bot's `bind_model`).
    #[serde(default)]
    pub requested: Option<String>,
    /// Source of `requested`: `label-modelId`, `force-override`, `bot-bind-model`, `none`.
    #[serde(default)]
    pub resolved_from: String,
    #[serde(default)]
    pub models: Vec<ModelInfo>,
}

/// One `kinds` row of kind `Model`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    pub id: i64,
    pub name: String,
    pub namespace: String,
    /// 0 means a public model.
    pub user_id: i64,
    pub is_active: bool,
    /// `spec.modelConfig.env.model`, the provider (`openai`, `claude`, ...).
    #[serde(default)]
    pub provider: Option<String>,
    /// `spec.modelConfig.env.model_id`.
    #[serde(default)]
    pub model_id: Option<String>,
    /// `spec.modelConfig.env.base_url` with credentials removed.
    #[serde(default)]
    pub base_url: Option<String>,
    /// True when `env.api_key` contains a non-empty value other than `***`.
    #[serde(default)]
    pub has_api_key: bool,
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// `db/owner.json`: the task owner's identity as executor names use it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Owner {
    pub user_id: i64,
    pub user_name: String,
}

// ---------------------------------------------------------------------------
// services/*

/// `services/containers.json`: Wegent service containers and the task's executors.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Containers {
    /// Docker engine version as reported by the daemon.
    #[serde(default)]
    pub engine_version: Option<String>,
    #[serde(default)]
    pub containers: Vec<ContainerInfo>,
    /// Running containers labelled `owner=executor_manager`, any task.
    #[serde(default)]
    pub running_executor_count: Option<u32>,
    /// Names of executors that were listed but vanished before inspect.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vanished: Vec<String>,
    /// Read method of each container log member, by member path: `json-file <LogPath>`
    /// (the file on disk) or `docker-api` (the engine's logs endpoint).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub log_routes: BTreeMap<String, String>,
}

/// Reason a container is in the bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContainerRole {
    /// A Wegent service such as `wegent-executor-manager`.
    Service,
    /// An executor of this task (label `task_id` or named by a subtask).
    Executor,
    /// An executor of another task, recorded for capacity questions.
    OtherExecutor,
}

/// State of one container from `docker inspect`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContainerInfo {
    pub id: String,
    pub name: String,
    pub role: ContainerRole,
    #[serde(default)]
    pub image: String,
    /// `created`, `running`, `paused`, `restarting`, `removing`, `exited`, `dead`.
    pub state: String,
    #[serde(default)]
    pub exit_code: Option<i64>,
    #[serde(default)]
    pub oom_killed: bool,
    /// RFC 3339 from the engine (UTC), or absent.
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub started_at: Option<String>,
    #[serde(default)]
    pub finished_at: Option<String>,
    #[serde(default)]
    pub restart_count: i64,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub mounts: Vec<MountInfo>,
    /// Engine error text of the last start attempt, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One mount of a container.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MountInfo {
    #[serde(default)]
    pub source: String,
    pub destination: String,
    #[serde(default)]
    pub rw: bool,
}

/// `executors/<name>/inspect.json`: one executor of the task in detail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutorInspect {
    #[serde(flatten)]
    pub container: ContainerInfo,
    /// Environment variable names; values are redacted or dropped.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Size cap applied to `logs.txt`, and whether it was reached.
    #[serde(default)]
    pub logs_truncated: bool,
}

/// The outcome of one HTTP GET by the collector.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HttpProbe {
    pub url: String,
    /// HTTP status, absent when no response arrived.
    #[serde(default)]
    pub status: Option<u16>,
    /// Parsed JSON body, or the text body as a JSON string.
    #[serde(default)]
    pub body: Option<Value>,
    /// Transport error (refused, timed out, DNS), absent when a response arrived.
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub elapsed_ms: u64,
}

impl HttpProbe {
    /// Returns true when the server responded with a 2xx status.
    pub fn is_success(&self) -> bool {
        matches!(self.status, Some(200..=299))
    }

    /// Returns true when the server responded with 404, which means the endpoint does not
    /// exist in this version.
    pub fn is_absent(&self) -> bool {
        self.status == Some(404)
    }
}

/// `services/executor-manager.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExecutorManager {
    pub base_url: String,
    #[serde(default)]
    pub health: Option<HttpProbe>,
    #[serde(default)]
    pub ready: Option<HttpProbe>,
    /// `/executor-manager/executor/load`.
    #[serde(default)]
    pub load: Option<HttpProbe>,
    /// Paths from `/openapi.json`, sorted; absent when the document was unavailable.
    #[serde(default)]
    pub routes: Option<Vec<String>>,
    /// One response per executor name: fork `/executor/status`, upstream `/executor/address`.
    #[serde(default)]
    pub executors: Vec<ExecutorProbe>,
}

/// Executor-manager's view of one executor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutorProbe {
    pub executor_name: String,
    /// `status` (fork) or `address` (upstream).
    pub endpoint: String,
    pub probe: HttpProbe,
}

/// `services/redis.json`: upstream task-tracking keys of this task.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RedisState {
    /// `PING` answered.
    #[serde(default)]
    pub reachable: bool,
    /// `TIME` of the server, epoch seconds, the reference for ages below.
    #[serde(default)]
    pub server_time: Option<f64>,
    /// `task:heartbeat:<task_id>`.
    #[serde(default)]
    pub heartbeat: Option<Heartbeat>,
    /// Score of the task in `running_tasks:heartbeat` (start epoch seconds).
    #[serde(default)]
    pub running_set_score: Option<f64>,
    /// `running_task:meta:<task_id>` hash.
    #[serde(default)]
    pub running_task_meta: BTreeMap<String, String>,
    /// `task_executor:<task_id>` exists.
    #[serde(default)]
    pub task_executor_binding: bool,
    /// `LLEN` of every `wegent:task_queue:*` list found.
    #[serde(default)]
    pub queue_lengths: BTreeMap<String, i64>,
}

/// The task heartbeat key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Heartbeat {
    pub key: String,
    /// Epoch seconds written by executor-manager; absent when the key is missing.
    #[serde(default)]
    pub value: Option<f64>,
    /// `server_time - value`, seconds.
    #[serde(default)]
    pub age_seconds: Option<f64>,
    /// Remaining TTL in seconds.
    #[serde(default)]
    pub ttl_seconds: Option<i64>,
}

// ---------------------------------------------------------------------------
// workspace/git.json, llm/probe.json

/// `workspace/git.json`: the task's workspace repositories.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Workspace {
    /// Directories that were looked at, found or not.
    #[serde(default)]
    pub searched: Vec<String>,
    #[serde(default)]
    pub repositories: Vec<Repository>,
}

/// One git repository of the workspace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Repository {
    pub path: String,
    /// Current branch, absent on a detached HEAD.
    #[serde(default)]
    pub branch: Option<String>,
    #[serde(default)]
    pub head: Option<String>,
    /// Newest first, at most 20.
    #[serde(default)]
    pub commits: Vec<Commit>,
    /// Paths with uncommitted changes, `git status --porcelain` style (`M path`).
    #[serde(default)]
    pub dirty: Vec<String>,
    #[serde(default)]
    pub dirty_truncated: bool,
    /// Remote URLs with credentials removed.
    #[serde(default)]
    pub remotes: BTreeMap<String, String>,
}

/// One commit of a workspace repository.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Commit {
    pub id: String,
    /// Committer time, RFC 3339 with the committer's offset.
    pub time: String,
    pub summary: String,
}

/// `llm/probe.json`: whether the model gateway responds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LlmProbe {
    pub model: String,
    pub probe: HttpProbe,
    /// True for any HTTP response, including 401 and 404.
    pub reachable: bool,
}
