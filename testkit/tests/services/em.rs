//! Tests of the executor-manager stand-in over real HTTP.

use std::time::{Duration, Instant};

use anyhow::Result;
use serde_json::json;
use testkit::Flavour;
use testkit::em::{StandIn, StandInConfig, StandInExecutor};

use crate::http_client::{get, request};

const EXECUTOR: &str = "wegent-task-admin-e47497646f4e26c";

fn config_with_executors(flavour: Flavour) -> StandInConfig {
    StandInConfig::new(flavour)
        .with_executor(StandInExecutor::running(EXECUTOR, 89, 312).with_port(10003))
        .with_executor(
            StandInExecutor::running("wegent-task-bob-0123456789abcde", 90, 320)
                .with_state("exited"),
        )
}

/// Returns the paths listed in `/openapi.json`.
fn openapi_paths(stand_in: &StandIn) -> Result<Vec<String>> {
    let document = get(&stand_in.url(), "/openapi.json")?.json()?;
    Ok(document["paths"]
        .as_object()
        .map(|paths| paths.keys().cloned().collect())
        .unwrap_or_default())
}

#[test]
fn serves_health_and_ready_for_both_flavours() -> Result<()> {
    for flavour in Flavour::ALL {
        let stand_in = StandIn::start(StandInConfig::new(flavour))?;

        let health = get(&stand_in.url(), "/health")?;
        let ready = get(&stand_in.url(), "/ready")?;
        let root = get(&stand_in.url(), "/")?;

        assert_eq!(
            (health.status, health.json()?),
            (200, json!({"status": "healthy"})),
            "{flavour}"
        );
        assert_eq!(
            (ready.status, ready.json()?),
            (200, json!({"status": "ready"})),
            "{flavour}"
        );
        assert_eq!((root.status, root.body.as_str()), (200, "ok"), "{flavour}");
    }
    Ok(())
}

#[test]
fn lists_flavour_routes_in_openapi() -> Result<()> {
    let fork = openapi_paths(&StandIn::start(StandInConfig::new(Flavour::Fork))?)?;
    let upstream = openapi_paths(&StandIn::start(StandInConfig::new(Flavour::Upstream))?)?;

    for path in [
        "/executor-manager/tasks/receive",
        "/executor-manager/executor/status",
    ] {
        assert!(
            fork.iter().any(|listed| listed == path),
            "fork lacks {path}"
        );
        assert!(
            !upstream.iter().any(|listed| listed == path),
            "upstream lists {path}"
        );
    }
    for path in [
        "/executor-manager/v1/responses",
        "/executor-manager/tasks/{task_id}/heartbeat",
        "/executor-manager/executor/address",
    ] {
        assert!(
            upstream.iter().any(|listed| listed == path),
            "upstream lacks {path}"
        );
        assert!(
            !fork.iter().any(|listed| listed == path),
            "fork lists {path}"
        );
    }
    Ok(())
}

#[test]
fn reports_fork_executor_status() -> Result<()> {
    let stand_in = StandIn::start(config_with_executors(Flavour::Fork))?;
    let url = stand_in.url();

    let running = get(
        &url,
        &format!("/executor-manager/executor/status?executor_name={EXECUTOR}"),
    )?;
    let exited = get(
        &url,
        "/executor-manager/executor/status?executor_name=wegent-task-bob-0123456789abcde",
    )?;
    let missing = get(
        &url,
        "/executor-manager/executor/status?executor_name=wegent-task-nobody",
    )?;
    let no_name = get(&url, "/executor-manager/executor/status")?;
    let address = get(
        &url,
        &format!("/executor-manager/executor/address?executor_name={EXECUTOR}"),
    )?;

    assert_eq!(
        running.json()?,
        json!({"status": "success", "exists": true, "state": "running"})
    );
    assert_eq!(
        exited.json()?,
        json!({"status": "success", "exists": true, "state": "exited"})
    );
    assert_eq!(
        missing.json()?,
        json!({"status": "success", "exists": false, "state": null})
    );
    assert_eq!(no_name.status, 422);
    assert_eq!(
        no_name.json()?["detail"][0]["loc"],
        json!(["query", "executor_name"])
    );
    assert_eq!(
        (address.status, address.json()?),
        (404, json!({"detail": "Not Found"}))
    );
    Ok(())
}

#[test]
fn reports_upstream_executor_address() -> Result<()> {
    let stand_in = StandIn::start(config_with_executors(Flavour::Upstream))?;
    let url = stand_in.url();

    let running = get(
        &url,
        &format!("/executor-manager/executor/address?executor_name={EXECUTOR}"),
    )?;
    let exited = get(
        &url,
        "/executor-manager/executor/address?executor_name=wegent-task-bob-0123456789abcde",
    )?;
    let missing = get(
        &url,
        "/executor-manager/executor/address?executor_name=wegent-task-nobody",
    )?;
    let status = get(
        &url,
        &format!("/executor-manager/executor/status?executor_name={EXECUTOR}"),
    )?;

    assert_eq!(
        running.json()?,
        json!({"status": "success", "base_url": "http://host.docker.internal:10003"})
    );
    assert_eq!(exited.json()?["status"], "failed");
    assert_eq!(
        missing.json()?,
        json!({
            "status": "failed",
            "error_msg": "Container 'wegent-task-nobody' not found or not owned by executor_manager",
        })
    );
    assert_eq!(
        (status.status, status.json()?),
        (404, json!({"detail": "Not Found"}))
    );
    Ok(())
}

#[test]
fn reports_load_per_flavour() -> Result<()> {
    let fork = StandIn::start(config_with_executors(Flavour::Fork))?;
    let upstream = StandIn::start(config_with_executors(Flavour::Upstream))?;

    let fork_load = get(&fork.url(), "/executor-manager/executor/load")?.json()?;
    let upstream_load = get(&upstream.url(), "/executor-manager/executor/load")?.json()?;

    assert_eq!(
        fork_load,
        json!({
            "status": "success",
            "task_ids": ["89"],
            "containers": [{
                "task_id": "89",
                "subtask_id": "312",
                "container_name": EXECUTOR,
                "subtask_next_id": "None",
                "task_type": "online",
            }],
            "running": 1,
            "total": 5,
        })
    );
    assert_eq!(upstream_load["task_ids"], json!([]));
    assert_eq!(upstream_load["running"], 0);
    assert_eq!(upstream_load["containers"][0]["subtask_next_id"], "");
    Ok(())
}

#[test]
fn serves_load_override() -> Result<()> {
    let mut config = StandInConfig::new(Flavour::Fork);
    config.load_override = Some(json!({"status": "failed", "error_msg": "Docker error"}));
    let stand_in = StandIn::start(config)?;

    let load = get(&stand_in.url(), "/executor-manager/executor/load")?;

    assert_eq!(
        load.json()?,
        json!({"status": "failed", "error_msg": "Docker error"})
    );
    Ok(())
}

#[test]
fn fails_health_when_unhealthy() -> Result<()> {
    let stand_in = StandIn::start(StandInConfig::new(Flavour::Upstream).unhealthy())?;

    assert_eq!(get(&stand_in.url(), "/health")?.status, 500);
    assert_eq!(get(&stand_in.url(), "/ready")?.status, 500);

    stand_in.update_config(|config| config.healthy = true);
    assert_eq!(get(&stand_in.url(), "/health")?.status, 200);
    Ok(())
}

#[test]
fn rejects_and_records_post() -> Result<()> {
    let stand_in = StandIn::start(StandInConfig::new(Flavour::Fork))?;

    let response = request(
        &stand_in.url(),
        "POST",
        "/executor-manager/executor/delete",
        Some(r#"{"executor_name": "wegent-task-admin-e47497646f4e26c"}"#),
        Duration::from_secs(10),
    )?;

    assert_eq!(response.status, 405);
    let requests = stand_in.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[0].path, "/executor-manager/executor/delete");
    Ok(())
}

#[test]
fn records_method_path_and_query() -> Result<()> {
    let stand_in = StandIn::start(StandInConfig::new(Flavour::Fork))?;

    get(&stand_in.url(), "/health")?;
    get(
        &stand_in.url(),
        "/executor-manager/executor/status?executor_name=wegent-task-a%2Db",
    )?;

    let requests = stand_in.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests.iter().all(|request| request.method == "GET"));
    assert_eq!(requests[0].path, "/health");
    assert_eq!(requests[0].query, None);
    assert_eq!(
        requests[1].query.as_deref(),
        Some("executor_name=wegent-task-a%2Db")
    );
    assert_eq!(
        requests[1].query_param("executor_name").as_deref(),
        Some("wegent-task-a-b")
    );

    stand_in.clear_requests();
    assert!(stand_in.requests().is_empty());
    Ok(())
}

#[test]
fn delays_configured_paths_only() -> Result<()> {
    let config = StandInConfig::new(Flavour::Fork).with_delay(
        Duration::from_millis(1500),
        &["/executor-manager/executor/load"],
    );
    let stand_in = StandIn::start(config)?;

    let started = Instant::now();
    let slow = request(
        &stand_in.url(),
        "GET",
        "/executor-manager/executor/load",
        None,
        Duration::from_millis(200),
    );
    let fast = request(
        &stand_in.url(),
        "GET",
        "/health",
        None,
        Duration::from_millis(1000),
    )?;

    assert!(slow.is_err(), "the delayed route responded within 200 ms");
    assert_eq!(fast.status, 200);
    assert!(
        started.elapsed() < Duration::from_millis(1400),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(
        stand_in.requests().len(),
        2,
        "the timed-out request was not recorded"
    );
    Ok(())
}
