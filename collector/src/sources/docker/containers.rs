//! Container selection for the bundle, and container state from `docker inspect`.
//!
//! Selection follows how Wegent names and labels containers:
//!
//! - services are named `wegent-*`, except executors (`wegent-task-*`); the configured
//!   executor-manager and MySQL containers count as services whatever their name;
//! - executors of the task carry `owner=executor_manager` and exactly `task_id=<id>`.
//!   Image validation runs (`aigc.weibo.com/task-type=validation`) are dropped, because
//!   their pseudo task id can collide with a real one;
//! - containers named by the task's subtasks are executors too;
//! - other tasks' running executors are kept from the list call alone, labels only.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use bollard::Docker;
use bollard::models::{ContainerInspectResponse, ContainerSummary};
use bollard::query_parameters::{InspectContainerOptions, ListContainersOptionsBuilder};
use wegent_analyzer::bundle::model::{ContainerInfo, ContainerRole, MountInfo};

/// Label that marks containers created by executor-manager.
pub const OWNER_LABEL: (&str, &str) = ("owner", "executor_manager");

/// Label that marks image validation runs.
pub const TASK_TYPE_LABEL: &str = "aigc.weibo.com/task-type";

/// One container chosen from the list, before inspect.
#[derive(Debug, Clone)]
pub struct Listed {
    pub id: String,
    pub name: String,
    pub role: ContainerRole,
    pub summary: ContainerSummary,
}

/// The list call's result, sorted into roles.
#[derive(Debug, Default, Clone)]
pub struct Selection {
    /// Services and executors of the task, to inspect.
    pub selected: Vec<Listed>,
    /// Other tasks' running executors.
    pub others: Vec<ContainerInfo>,
    pub running_executor_count: u32,
}

/// Inputs of the selection.
#[derive(Debug, Clone, Default)]
pub struct SelectionKeys {
    pub task_id: i64,
    /// Executor names from the subtasks.
    pub executor_names: BTreeSet<String>,
    /// Container names that count as services whatever their name.
    pub service_names: BTreeSet<String>,
}

/// Lists every container (running or not).
pub async fn list_all(docker: &Docker) -> Result<Vec<ContainerSummary>, bollard::errors::Error> {
    let options = ListContainersOptionsBuilder::new().all(true).build();
    docker.list_containers(Some(options)).await
}

/// Sorts listed containers into roles.
pub fn select(summaries: Vec<ContainerSummary>, keys: &SelectionKeys) -> Selection {
    let mut selection = Selection::default();
    let task_id = keys.task_id.to_string();

    for summary in summaries {
        let name = summary_name(&summary);
        let labels = summary.labels.clone().unwrap_or_default();
        let by_em = labels.get(OWNER_LABEL.0).map(String::as_str) == Some(OWNER_LABEL.1);
        let running = summary.state.map(|s| s.to_string()).as_deref() == Some("running");
        if by_em && running {
            selection.running_executor_count += 1;
        }

        let validation = labels.get(TASK_TYPE_LABEL).map(String::as_str) == Some("validation");
        let labelled_for_task =
            by_em && !validation && labels.get("task_id").map(String::as_str) == Some(&task_id);
        let named_by_subtask = keys.executor_names.contains(&name);
        let service = keys.service_names.contains(&name)
            || (name.starts_with("wegent-") && !name.starts_with("wegent-task-"));

        let role = if labelled_for_task || named_by_subtask {
            ContainerRole::Executor
        } else if service {
            ContainerRole::Service
        } else if by_em && running {
            selection.others.push(from_summary(&summary, &name, labels));
            continue;
        } else {
            continue;
        };

        let id = summary.id.clone().unwrap_or_default();
        selection.selected.push(Listed {
            id,
            name,
            role,
            summary,
        });
    }

    selection
        .selected
        .sort_by(|a, b| (role_order(a.role), &a.name).cmp(&(role_order(b.role), &b.name)));
    selection.others.sort_by(|a, b| a.name.cmp(&b.name));
    selection
}

fn role_order(role: ContainerRole) -> u8 {
    match role {
        ContainerRole::Service => 0,
        ContainerRole::Executor => 1,
        ContainerRole::OtherExecutor => 2,
    }
}

fn summary_name(summary: &ContainerSummary) -> String {
    summary
        .names
        .as_ref()
        .and_then(|names| names.first())
        .map(|name| name.trim_start_matches('/').to_string())
        .unwrap_or_default()
}

fn from_summary(
    summary: &ContainerSummary,
    name: &str,
    labels: HashMap<String, String>,
) -> ContainerInfo {
    ContainerInfo {
        id: summary.id.clone().unwrap_or_default(),
        name: name.to_string(),
        role: ContainerRole::OtherExecutor,
        image: summary.image.clone().unwrap_or_default(),
        state: summary.state.map(|s| s.to_string()).unwrap_or_default(),
        exit_code: None,
        oom_killed: false,
        created: summary
            .created
            .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        started_at: None,
        finished_at: None,
        restart_count: 0,
        labels: labels.into_iter().collect(),
        mounts: Vec::new(),
        error: None,
    }
}

/// Result of inspecting one listed container.
pub enum Inspected {
    Found(Box<ContainerInspectResponse>),
    /// The engine returned 404 because the container was removed after the list call.
    Vanished,
}

/// Inspects one container; a 404 means it vanished.
pub async fn inspect(docker: &Docker, id: &str) -> Result<Inspected, bollard::errors::Error> {
    match docker
        .inspect_container(id, None::<InspectContainerOptions>)
        .await
    {
        Ok(response) => Ok(Inspected::Found(Box::new(response))),
        Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        }) => Ok(Inspected::Vanished),
        Err(err) => Err(err),
    }
}

/// Converts inspect data into the bundle's container record.
pub fn info(listed: &Listed, response: &ContainerInspectResponse) -> ContainerInfo {
    let state = response.state.clone().unwrap_or_default();
    let labels: BTreeMap<String, String> = response
        .config
        .as_ref()
        .and_then(|c| c.labels.clone())
        .unwrap_or_default()
        .into_iter()
        .collect();
    let mounts = response
        .mounts
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|m| MountInfo {
            source: m.source.unwrap_or_default(),
            destination: m.destination.unwrap_or_default(),
            rw: m.rw.unwrap_or(false),
        })
        .collect();

    ContainerInfo {
        id: response.id.clone().unwrap_or_else(|| listed.id.clone()),
        name: listed.name.clone(),
        role: listed.role,
        image: response
            .config
            .as_ref()
            .and_then(|c| c.image.clone())
            .or_else(|| listed.summary.image.clone())
            .unwrap_or_default(),
        state: state.status.map(|s| s.to_string()).unwrap_or_default(),
        exit_code: state.exit_code,
        oom_killed: state.oom_killed.unwrap_or(false),
        created: json_text(&response.created),
        started_at: engine_time(state.started_at),
        finished_at: engine_time(state.finished_at),
        restart_count: response.restart_count.unwrap_or(0),
        labels,
        mounts,
        error: state.error.filter(|e| !e.trim().is_empty()),
    }
}

/// Drops the engine's "never" value `0001-01-01T00:00:00Z`.
fn engine_time(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty() && !v.starts_with("0001-01-01"))
}

/// Text of a date field whatever type bollard was built with.
fn json_text<T: serde::Serialize>(value: &Option<T>) -> Option<String> {
    let value = serde_json::to_value(value.as_ref()?).ok()?;
    engine_time(value.as_str().map(str::to_string))
}

/// Returns the container's `LogPath` when its log driver is json-file.
pub fn json_log_path(response: &ContainerInspectResponse) -> Option<String> {
    let driver = response
        .host_config
        .as_ref()
        .and_then(|h| h.log_config.as_ref())
        .and_then(|l| l.typ.clone())
        .unwrap_or_default();
    let path = response.log_path.clone().unwrap_or_default();
    (driver == "json-file" && !path.is_empty()).then_some(path)
}
