//! Responses of the executor-manager stand-in, per route and flavour.
//!
//! The bodies follow the FastAPI executor-manager of each flavour: `{"detail":"Not Found"}` for
//! unknown routes, a 422 validation error when a required query parameter is missing.

use serde_json::{Value, json};

use super::http::{Response, query_param};
use super::{RecordedRequest, StandInConfig, StandInExecutor, openapi};
use crate::Flavour;

/// Returns the response to `request` under `config`.
pub(super) fn respond(request: &RecordedRequest, config: &StandInConfig) -> Response {
    if request.method != "GET" {
        return Response::json(405, &json!({"detail": "Method Not Allowed"}));
    }

    let executor_name = request
        .query
        .as_deref()
        .and_then(|query| query_param(query, "executor_name"));

    match (request.path.as_str(), config.flavour) {
        ("/", _) => Response::text(200, "ok"),
        ("/health", _) => health(config, json!({"status": "healthy"})),
        ("/ready", _) => health(config, json!({"status": "ready"})),
        ("/openapi.json", flavour) => Response::json(200, &openapi::document(flavour)),
        ("/executor-manager/executor/load", _) => Response::json(200, &load(config)),
        ("/executor-manager/executor/status", Flavour::Fork) => match executor_name {
            Some(name) => Response::json(200, &fork_status(config, &name)),
            None => missing_query_parameter("executor_name"),
        },
        ("/executor-manager/executor/address", Flavour::Upstream) => match executor_name {
            Some(name) => Response::json(200, &upstream_address(config, &name)),
            None => missing_query_parameter("executor_name"),
        },
        _ => Response::json(404, &json!({"detail": "Not Found"})),
    }
}

fn health(config: &StandInConfig, body: Value) -> Response {
    if config.healthy {
        Response::json(200, &body)
    } else {
        Response::text(500, "Internal Server Error")
    }
}

/// Builds `/executor-manager/executor/load` from the running executors.
///
/// `task_ids` lists only tasks whose container has a non-empty `subtask_next_id` label. The
/// fork writes the string `None` for a missing value, so its tasks are listed. Upstream writes
/// an empty string, so its `task_ids` stays empty and `running` is 0 while `containers` lists
/// the running executors.
fn load(config: &StandInConfig) -> Value {
    if let Some(body) = &config.load_override {
        return body.clone();
    }

    let running: Vec<&StandInExecutor> = config
        .executors
        .iter()
        .filter(|executor| executor.state == "running")
        .collect();

    let containers: Vec<Value> = running
        .iter()
        .map(|executor| {
            json!({
                "task_id": executor.task_id,
                "subtask_id": executor.subtask_id,
                "container_name": executor.name,
                "subtask_next_id": subtask_next_id(executor, config.flavour),
                "task_type": executor.task_type,
            })
        })
        .collect();

    let mut task_ids: Vec<String> = Vec::new();
    for executor in &running {
        let listed = !subtask_next_id(executor, config.flavour).is_empty();
        if listed && !task_ids.contains(&executor.task_id) {
            task_ids.push(executor.task_id.clone());
        }
    }

    json!({
        "status": "success",
        "task_ids": task_ids,
        "containers": containers,
        "running": task_ids.len(),
        "total": config.max_concurrent_tasks,
    })
}

fn subtask_next_id(executor: &StandInExecutor, flavour: Flavour) -> String {
    match (&executor.subtask_next_id, flavour) {
        (Some(id), _) => id.clone(),
        (None, Flavour::Fork) => "None".to_string(),
        (None, Flavour::Upstream) => String::new(),
    }
}

/// Builds the fork's `/executor-manager/executor/status` response.
///
/// The fork decides existence with `docker ps --filter name=<name>`, which matches substrings,
/// so any executor whose name contains `name` counts. The state is that of the executor with
/// exactly this name, else of the first one that contains it.
// NOTE: for a substring-only match the real manager runs `docker inspect` on a container that
// does not exist. Its response in that case is not modelled here.
fn fork_status(config: &StandInConfig, name: &str) -> Value {
    let exact = config
        .executors
        .iter()
        .find(|executor| executor.name == name);
    let containing = config
        .executors
        .iter()
        .find(|executor| executor.name.contains(name));

    match exact.or(containing) {
        Some(executor) => json!({"status": "success", "exists": true, "state": executor.state}),
        None => json!({"status": "success", "exists": false, "state": null}),
    }
}

/// Builds upstream's `/executor-manager/executor/address` response: a base URL for a running
/// executor, an error message for a stopped or missing one.
fn upstream_address(config: &StandInConfig, name: &str) -> Value {
    match config
        .executors
        .iter()
        .find(|executor| executor.name == name)
    {
        Some(executor) if executor.state == "running" => json!({
            "status": "success",
            "base_url": format!("http://{}:{}", config.executor_host, executor.port),
        }),
        Some(_) => json!({
            "status": "failed",
            "error_msg": format!("Container {name} exists but has no ports mapped"),
        }),
        None => json!({
            "status": "failed",
            "error_msg": format!("Container '{name}' not found or not owned by executor_manager"),
        }),
    }
}

fn missing_query_parameter(name: &str) -> Response {
    Response::json(
        422,
        &json!({
            "detail": [{
                "type": "missing",
                "loc": ["query", name],
                "msg": "Field required",
                "input": null,
            }]
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(path: &str, query: Option<&str>) -> RecordedRequest {
        RecordedRequest {
            method: "GET".to_string(),
            path: path.to_string(),
            query: query.map(str::to_string),
        }
    }

    fn body(response: &Response) -> Value {
        serde_json::from_str(&response.body).expect("stand-in responses are JSON")
    }

    #[test]
    fn lists_load_task_ids_for_fork_only() {
        for (flavour, expected_running) in [(Flavour::Fork, 1), (Flavour::Upstream, 0)] {
            let config = StandInConfig::new(flavour)
                .with_executor(StandInExecutor::running("wegent-task-a-1", 89, 312))
                .with_executor(
                    StandInExecutor::running("wegent-task-a-2", 90, 320).with_state("exited"),
                );

            let load = body(&respond(
                &get("/executor-manager/executor/load", None),
                &config,
            ));

            assert_eq!(load["running"], expected_running, "{flavour}");
            assert_eq!(
                load["containers"].as_array().map(Vec::len),
                Some(1),
                "{flavour}"
            );
            assert_eq!(
                load["containers"][0]["container_name"], "wegent-task-a-1",
                "{flavour}"
            );
        }
    }

    #[test]
    fn matches_fork_status_by_substring() {
        let config = StandInConfig::new(Flavour::Fork).with_executor(
            StandInExecutor::running("wegent-task-admin-e474", 89, 312).with_state("exited"),
        );

        let status = body(&respond(
            &get(
                "/executor-manager/executor/status",
                Some("executor_name=wegent-task-admin"),
            ),
            &config,
        ));

        assert_eq!(
            status,
            json!({"status": "success", "exists": true, "state": "exited"})
        );
    }

    #[test]
    fn reports_stopped_executor_address() {
        let config = StandInConfig::new(Flavour::Upstream)
            .with_executor(StandInExecutor::running("wegent-task-b", 1, 2).with_state("exited"));

        let address = body(&respond(
            &get(
                "/executor-manager/executor/address",
                Some("executor_name=wegent-task-b"),
            ),
            &config,
        ));

        assert_eq!(address["status"], "failed");
        assert_eq!(
            address["error_msg"],
            "Container wegent-task-b exists but has no ports mapped"
        );
    }
}
