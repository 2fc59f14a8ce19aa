//! The contract between the runner and the collection sources.
//!
//! A source reads one place on the host (MySQL, Docker, executor-manager, Redis, the
//! workspace, log files, the model gateway) and never changes it. It implements [`Source`]:
//!
//! ```ignore
//! struct Example;
//!
//! impl Source for Example {
//!     fn name(&self) -> &'static str { "example" }
//!     fn default_timeout(&self) -> Duration { Duration::from_secs(10) }
//!     fn collect<'a>(&'a self, ctx: &'a Context, out: &'a mut SourceOutput) -> SourceFuture<'a> {
//!         Box::pin(async move {
//!             let state = read_something(ctx.config()).await.context("reading something")?;
//!             out.json("services/example.json", &state)?;
//!             Ok(())
//!         })
//!     }
//! }
//! ```
//!
//! Rules every source follows:
//!
//! - Results go into [`SourceOutput`] as bundle members. Members are stored even when the
//!   source later fails or runs out of time, so write each member as soon as it is known.
//! - Returning `Err` marks the source failed in the manifest with the error chain
//!   (`{:#}`); collection goes on with the next source. Problems that still left useful
//!   data are reported with [`SourceOutput::problem`] (status partial), cut data with
//!   [`SourceOutput::truncated`], and "does not apply here" with [`SourceOutput::skip`].
//! - The runner enforces the time limit ([`SourceOutput::timeout`]) by dropping the future;
//!   sources may use the value to size their own request timeouts.
//! - Every secret value a source reads on purpose (an API key, a password in an
//!   environment variable) goes to [`Context::remember`], so the redactor removes that
//!   exact value from every member, log line and message.
//! - What later sources need is published in [`Facts`] through [`Context::facts`]: the
//!   runner runs sources one after the other in the order of
//!   [`crate::sources::all`], so db results are visible to docker, and both to
//!   executor-manager and redis.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use wegent_analyzer::bundle::model::{
    Containers, DbServer, ExecutorManager, Flavour, Models, RedisState, Subtasks, TaskRow,
};

use crate::config::Config;
use crate::redact::{IdentityKind, Redactor};

/// The future a source returns.
pub type SourceFuture<'a> = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send + 'a>>;

/// One collection source.
pub trait Source: Send + Sync {
    /// Stable name used in the manifest, in `--timeout NAME=...` and in progress lines.
    fn name(&self) -> &'static str;

    /// Time limit when `--timeout` does not set one.
    fn default_timeout(&self) -> Duration;

    /// Reads the source and writes members into `out`.
    fn collect<'a>(&'a self, ctx: &'a Context, out: &'a mut SourceOutput) -> SourceFuture<'a>;
}

/// What one run shares with every source.
pub struct Context {
    config: Arc<Config>,
    collected_at: DateTime<Utc>,
    redactor: Arc<Redactor>,
    facts: Mutex<Facts>,
}

impl Context {
    pub fn new(config: Arc<Config>, collected_at: DateTime<Utc>, redactor: Arc<Redactor>) -> Self {
        Context {
            config,
            collected_at,
            redactor,
            facts: Mutex::new(Facts::default()),
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn task_id(&self) -> i64 {
        self.config.task_id
    }

    /// When collection started; log windows end here.
    pub fn collected_at(&self) -> DateTime<Utc> {
        self.collected_at
    }

    /// Registers a secret value so the redactor replaces it everywhere. `rule` names the
    /// kind of secret (for example `model-api-key`) in the redaction summary.
    pub fn remember(&self, value: &str, rule: &str) {
        if value.trim().is_empty() {
            return;
        }
        self.redactor.remember(value, rule);
    }

    /// Registers a user name, host name or address that `--pseudonymize` replaces.
    pub fn remember_identity(&self, kind: IdentityKind, value: &str) {
        self.redactor.remember_identity(kind, value);
    }

    /// Locks and returns the facts published by the sources that ran before. Do not hold
    /// the guard across an `.await`.
    pub fn facts(&self) -> MutexGuard<'_, Facts> {
        lock(&self.facts)
    }

    /// Takes the facts out at the end of the run.
    pub fn into_facts(self) -> Facts {
        self.facts
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Findings of the sources, read by later sources, by flavour detection and by the
/// summary. A field stays `None` while the source that fills it has not run or failed.
#[derive(Debug, Default, Clone)]
pub struct Facts {
    /// Filled by db.
    pub db_server: Option<DbServer>,
    /// Filled by db: `Some(None)` when the task row does not exist.
    pub task: Option<Option<TaskRow>>,
    /// Filled by db.
    pub subtasks: Option<Subtasks>,
    /// Filled by db.
    pub models: Option<Models>,
    /// Filled by db: the owner's user name.
    pub owner_name: Option<String>,
    /// Filled by docker: the containers it recorded.
    pub containers: Option<Containers>,
    /// Filled by docker: environment variable names (never values) per container name.
    pub container_env_names: BTreeMap<String, Vec<String>>,
    /// Filled by executor-manager.
    pub executor_manager: Option<ExecutorManager>,
    /// Filled by redis.
    pub redis: Option<RedisState>,
    /// Filled by redis: key names (never values) that mark upstream task tracking.
    pub redis_keys_seen: Vec<String>,
    /// Executor names any source learned of, beyond those in subtasks and containers.
    pub extra_executor_names: BTreeSet<String>,
    /// Filled by docker: `repo_dir` values from the fork executors' `TASK_INFO`.
    pub repo_dirs: BTreeSet<String>,
}

impl Facts {
    /// Executor names of the task: from subtasks, from containers recorded as executors of
    /// this task, and from any source that added one. Sorted, without blanks.
    pub fn executor_names(&self) -> Vec<String> {
        use wegent_analyzer::bundle::model::ContainerRole;

        let mut names: BTreeSet<String> = BTreeSet::new();
        if let Some(subtasks) = &self.subtasks {
            for row in &subtasks.subtasks {
                if let Some(name) = &row.executor_name {
                    names.insert(name.trim().to_string());
                }
            }
        }
        if let Some(containers) = &self.containers {
            for container in &containers.containers {
                if container.role == ContainerRole::Executor {
                    names.insert(container.name.trim_start_matches('/').to_string());
                }
            }
        }
        names.extend(self.extra_executor_names.iter().cloned());
        names.retain(|n| !n.is_empty());
        names.into_iter().collect()
    }

    /// Flavour as far as the facts gathered so far tell.
    pub fn flavour(&self) -> Flavour {
        crate::deployment::detect(self).flavour
    }
}

/// Body of one member before redaction.
#[derive(Debug, Clone)]
pub enum MemberBody {
    Json(Value),
    Text(String),
    /// A file on disk, streamed into the bundle by the writer.
    File(PathBuf),
}

/// Output of one source: members, and the notes that decide its manifest status.
#[derive(Debug)]
pub struct SourceOutput {
    name: &'static str,
    timeout: Duration,
    pub(crate) members: Vec<(String, MemberBody)>,
    pub(crate) problems: Vec<String>,
    pub(crate) truncation: Vec<String>,
    pub(crate) skipped: Option<String>,
}

impl SourceOutput {
    pub fn new(name: &'static str, timeout: Duration) -> Self {
        SourceOutput {
            name,
            timeout,
            members: Vec::new(),
            problems: Vec::new(),
            truncation: Vec::new(),
            skipped: None,
        }
    }

    /// Name of the source this output belongs to.
    pub fn source_name(&self) -> &'static str {
        self.name
    }

    /// Returns the source's time limit for this run.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Adds (or replaces) a JSON member.
    pub fn json<T: Serialize + ?Sized>(&mut self, member: &str, value: &T) -> anyhow::Result<()> {
        let value =
            serde_json::to_value(value).with_context(|| format!("serializing member {member}"))?;
        self.put(member, MemberBody::Json(value));
        Ok(())
    }

    /// Adds (or replaces) a text member.
    pub fn text(&mut self, member: &str, body: String) {
        self.put(member, MemberBody::Text(body));
    }

    /// Adds (or replaces) a member whose bytes are read from `path` when the bundle is written.
    pub fn file(&mut self, member: &str, path: PathBuf) {
        self.put(member, MemberBody::File(path));
    }

    fn put(&mut self, member: &str, body: MemberBody) {
        self.members.retain(|(name, _)| name != member);
        self.members.push((member.to_string(), body));
    }

    /// Records a problem that left the source's data incomplete (status partial).
    pub fn problem(&mut self, message: impl Into<String>) {
        self.problems.push(message.into());
    }

    /// Records what was cut to stay within limits, such as "executor log capped at 5 MB".
    pub fn truncated(&mut self, note: impl Into<String>) {
        self.truncation.push(note.into());
    }

    /// Marks the source as not applicable here, with the reason (status skipped).
    pub fn skip(&mut self, reason: impl Into<String>) {
        self.skipped = Some(reason.into());
    }

    /// Member paths written so far.
    pub fn member_names(&self) -> Vec<String> {
        self.members.iter().map(|(name, _)| name.clone()).collect()
    }

    /// Takes the members out, for the bundle writer.
    pub fn take_members(&mut self) -> Vec<(String, MemberBody)> {
        std::mem::take(&mut self.members)
    }
}
