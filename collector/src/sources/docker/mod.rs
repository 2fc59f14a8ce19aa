//! The `docker` source: Wegent's containers, the task's executors and their logs.
//!
//! Uses only read calls of the Docker API (version, list, inspect, logs) and negotiates
//! the API version, because hosts run engines as old as Debian's docker.io 20.10 (API
//! 1.41). Writes:
//!
//! - `services/containers.json`: the Wegent service containers, every executor of the
//!   task, other tasks' running executors (labels only), the number of running
//!   executors, containers that vanished between list and inspect, and how each log
//!   member was read;
//! - `executors/<name>/inspect.json` and `executors/<name>/logs.txt` per executor, the
//!   log bounded by `--executor-log-max-lines` and `--executor-log-max-bytes` (newest
//!   lines kept), environment values dropped after handing them to the redactor;
//! - `logs/executor-manager.txt` and `logs/backend.txt`: lines since `--since` of those
//!   containers' logs that concern the task (see [`crate::sources::log_filter`]).
//!
//! Selection rules are in [`containers`], environment handling in [`env`], log routes
//! (json-file on disk, API as fallback) in [`logs`].

pub mod containers;
pub mod env;
pub mod logs;

use std::time::Duration;

use anyhow::{Context as _, anyhow};
use bollard::Docker;
use wegent_analyzer::bundle::model::{
    ContainerInfo, ContainerRole, Containers, ExecutorInspect, members,
};

use crate::source::{Context, Source, SourceFuture, SourceOutput};
use crate::sources::log_filter::{KeyMatcher, TaskKeys};
use containers::{Inspected, Listed, SelectionKeys};

/// Reads the Docker engine.
pub struct DockerSource;

/// Container name of Wegent's backend in a compose install.
pub const BACKEND_CONTAINER: &str = "wegent-backend";

impl Source for DockerSource {
    fn name(&self) -> &'static str {
        "docker"
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(120)
    }

    fn collect<'a>(&'a self, ctx: &'a Context, out: &'a mut SourceOutput) -> SourceFuture<'a> {
        Box::pin(collect(ctx, out))
    }
}

async fn collect(ctx: &Context, out: &mut SourceOutput) -> anyhow::Result<()> {
    let docker = connect().await?;
    let version = docker
        .version()
        .await
        .context("reading the engine version")?;

    let keys = selection_keys(ctx);
    let summaries = containers::list_all(&docker)
        .await
        .context("listing containers")?;
    let selection = containers::select(summaries, &keys);

    let mut state = Containers {
        engine_version: version.version.clone(),
        running_executor_count: Some(selection.running_executor_count),
        ..Containers::default()
    };
    note_missing_services(ctx, out, &selection.selected);
    let inspected = inspect_selected(ctx, &docker, out, &selection.selected, &mut state).await;
    state.containers.extend(selection.others.iter().cloned());
    publish(ctx, &state);
    out.json(members::CONTAINERS, &state)?;

    for found in &inspected {
        if found.listed.role == ContainerRole::Executor {
            write_executor(ctx, &docker, out, found, &mut state).await;
        }
    }

    let matcher = KeyMatcher::new(&task_keys(ctx));
    let services = [
        (
            ctx.config().executor_manager_container.clone(),
            "executor-manager",
        ),
        (BACKEND_CONTAINER.to_string(), "backend"),
    ];
    for (container, member_name) in services {
        let Some(found) = inspected
            .iter()
            .find(|found| found.listed.name == container)
        else {
            tracing::info!(container = %container, "no container named {container}; its log is not collected");
            continue;
        };
        write_service_log(ctx, &docker, out, found, &matcher, member_name, &mut state).await;
    }

    out.json(members::CONTAINERS, &state)?;
    Ok(())
}

/// Records the named service containers that Docker does not list. A missing
/// executor-manager container makes the source partial, because its state and log are
/// part of every diagnosis. A missing MySQL or backend container is only logged, because
/// many installs run those elsewhere. An empty name means "do not look".
fn note_missing_services(ctx: &Context, out: &mut SourceOutput, selected: &[Listed]) {
    let config = ctx.config();
    let listed = |name: &str| selected.iter().any(|l| l.name == name);

    let manager = config.executor_manager_container.trim();
    if !manager.is_empty() && !listed(manager) {
        out.problem(missing_manager_message(manager));
    }

    for name in [config.mysql_container.trim(), BACKEND_CONTAINER] {
        if !name.is_empty() && !listed(name) {
            tracing::info!(container = %name, "no container named {name}");
        }
    }
}

fn missing_manager_message(name: &str) -> String {
    format!(
        "container {name} not found; its state and log are missing; pass its name (see `docker ps -a`) with --executor-manager-container"
    )
}

/// Connects with the `DOCKER_HOST` rules of the docker CLI and negotiates the API version.
pub async fn connect() -> anyhow::Result<Docker> {
    let host =
        std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".into());
    let hint = "check that dockerd runs and that DOCKER_HOST names its socket";
    if let Some(path) = host.strip_prefix("unix://")
        && !std::path::Path::new(path).exists()
    {
        return Err(anyhow!("Docker socket {path} does not exist; {hint}"));
    }
    let docker = Docker::connect_with_defaults()
        .map_err(|e| anyhow!("cannot use Docker host {host}: {e}; {hint}"))?;
    docker
        .negotiate_version()
        .await
        .map_err(|e| anyhow!("cannot reach the Docker engine at {host}: {e}; {hint}"))
}

fn selection_keys(ctx: &Context) -> SelectionKeys {
    let facts = ctx.facts();
    let config = ctx.config();
    SelectionKeys {
        task_id: ctx.task_id(),
        executor_names: facts.executor_names().into_iter().collect(),
        service_names: [
            config.executor_manager_container.clone(),
            config.mysql_container.clone(),
        ]
        .into_iter()
        .filter(|n| !n.trim().is_empty())
        .collect(),
    }
}

/// Search keys for log lines: the task, its subtasks and every executor name known now.
pub fn task_keys(ctx: &Context) -> TaskKeys {
    let facts = ctx.facts();
    TaskKeys {
        task_id: ctx.task_id(),
        subtask_ids: facts
            .subtasks
            .as_ref()
            .map(|s| s.subtasks.iter().map(|row| row.id).collect())
            .unwrap_or_default(),
        executor_names: facts.executor_names(),
    }
}

/// One inspected container with its environment summary.
struct Found {
    listed: Listed,
    response: Box<bollard::models::ContainerInspectResponse>,
    env: env::EnvSummary,
}

/// Inspects the selected containers. Registers the secrets of their environment and
/// publishes the environment names and TASK_INFO's `repo_dir` values for later sources.
/// A container that cannot be inspected is reported as a problem and left out.
async fn inspect_selected(
    ctx: &Context,
    docker: &Docker,
    out: &mut SourceOutput,
    selected: &[Listed],
    state: &mut Containers,
) -> Vec<Found> {
    let mut inspected = Vec::new();
    for listed in selected {
        let response = match containers::inspect(docker, &listed.id).await {
            Ok(Inspected::Found(response)) => response,
            Ok(Inspected::Vanished) => {
                state.vanished.push(listed.name.clone());
                continue;
            }
            Err(err) => {
                out.problem(format!(
                    "inspecting container {} failed: {err}",
                    listed.name
                ));
                continue;
            }
        };
        let secrecy = match listed.role {
            ContainerRole::Executor => env::Secrecy::AllButKept,
            _ => env::Secrecy::SecretNamesOnly,
        };
        let env = env::summarize(ctx, &env_of(&response), secrecy);
        {
            let mut facts = ctx.facts();
            facts.repo_dirs.extend(env.repo_dirs.iter().cloned());
            facts
                .container_env_names
                .insert(listed.name.clone(), env.shown.keys().cloned().collect());
        }
        state.containers.push(containers::info(listed, &response));
        inspected.push(Found {
            listed: listed.clone(),
            response,
            env,
        });
    }
    inspected
}

fn publish(ctx: &Context, state: &Containers) {
    ctx.facts().containers = Some(state.clone());
}

fn env_of(response: &bollard::models::ContainerInspectResponse) -> Vec<String> {
    response
        .config
        .as_ref()
        .and_then(|c| c.env.clone())
        .unwrap_or_default()
}

async fn write_executor(
    ctx: &Context,
    docker: &Docker,
    out: &mut SourceOutput,
    found: &Found,
    state: &mut Containers,
) {
    let (listed, response) = (&found.listed, &found.response);
    let info: ContainerInfo = containers::info(listed, response);
    let config = ctx.config();
    let route = logs::choose(containers::json_log_path(response).as_deref(), None);
    let member = members::executor_logs(&listed.name);
    let logs_truncated = match logs::tail(
        docker,
        &listed.id,
        &route,
        config.executor_log_max_lines,
        config.executor_log_max_bytes,
    )
    .await
    {
        Ok((text, truncated)) => {
            out.text(&member, text);
            state.log_routes.insert(member.clone(), route.describe());
            if truncated {
                out.truncated(format!(
                    "{member}: newest lines kept within {} lines and {} bytes",
                    config.executor_log_max_lines, config.executor_log_max_bytes
                ));
            }
            truncated
        }
        Err(err) => {
            out.problem(format!("cannot read the log of {}: {err:#}", listed.name));
            false
        }
    };

    let inspect = ExecutorInspect {
        container: info,
        env: found.env.shown.clone(),
        logs_truncated,
    };
    if let Err(err) = out.json(&members::executor_inspect(&listed.name), &inspect) {
        out.problem(format!("{err:#}"));
    }
}

#[allow(clippy::too_many_arguments)]
async fn write_service_log(
    ctx: &Context,
    docker: &Docker,
    out: &mut SourceOutput,
    found: &Found,
    matcher: &KeyMatcher,
    member_name: &str,
    state: &mut Containers,
) {
    let (listed, response) = (&found.listed, &found.response);
    let since = ctx.collected_at()
        - chrono::Duration::from_std(ctx.config().since).unwrap_or(chrono::Duration::days(1));
    let not_before = std::time::SystemTime::from(since);
    let route = logs::choose(
        containers::json_log_path(response).as_deref(),
        Some(not_before),
    );
    let member = members::service_log(member_name);

    match logs::filtered(docker, &listed.id, &route, matcher, since).await {
        Ok(filtered) => {
            tracing::info!(
                container = %listed.name,
                route = %route.describe(),
                records = filtered.records,
                kept = filtered.kept,
                "filtered the {member_name} log"
            );
            if filtered.dropped > 0 {
                out.truncated(format!(
                    "{member}: newest {} MiB of matching lines kept",
                    logs::FILTERED_MAX_BYTES >> 20
                ));
            }
            out.text(&member, filtered.text);
            state.log_routes.insert(member, route.describe());
        }
        Err(err) => out.problem(format!("cannot read the log of {}: {err:#}", listed.name)),
    }
}
