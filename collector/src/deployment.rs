//! `deployment.json`: which Wegent flavour the host runs, and the observations behind it.
//!
//! The fork (pull dispatch, Python executor) and upstream (push dispatch through Redis,
//! Rust executor, heartbeats) differ in the task table's columns, the alembic revision,
//! executor-manager's routes, the executor containers' environment, the Redis keys and
//! the task JSON. Each observation becomes one piece of evidence; the flavour with more
//! evidence wins, and a tie or no evidence gives `unknown`. Detection runs on whatever
//! the sources published, so it also works with some sources missing.

use wegent_analyzer::bundle::model::{Deployment, Flavour, FlavourEvidence};

use crate::source::Facts;

/// Alembic head of the fork (merge revision of January 2026).
const FORK_REVISIONS: [&str; 1] = ["b3e4a166ba91"];

/// Alembic revisions only upstream has: its 2026 baseline and a later head.
const UPSTREAM_REVISIONS: [&str; 2] = ["c9900f078622", "f82c5d1a9e37"];

/// Routes that only the fork's executor-manager serves.
const FORK_ROUTES: [&str; 2] = [
    "/executor-manager/executor/status",
    "/executor-manager/tasks/receive",
];

/// Routes that only upstream's executor-manager serves.
const UPSTREAM_ROUTES: [&str; 3] = [
    "/executor-manager/v1/responses",
    "/executor-manager/tasks/{task_id}/heartbeat",
    "/executor-manager/executor/address",
];

/// Detects the flavour from the facts gathered so far.
pub fn detect(facts: &Facts) -> Deployment {
    let mut evidence = Vec::new();
    schema_evidence(facts, &mut evidence);
    alembic_evidence(facts, &mut evidence);
    route_evidence(facts, &mut evidence);
    container_env_evidence(facts, &mut evidence);
    redis_evidence(facts, &mut evidence);
    task_json_evidence(facts, &mut evidence);

    let fork = evidence
        .iter()
        .filter(|e| e.points_to == Flavour::Fork)
        .count();
    let upstream = evidence
        .iter()
        .filter(|e| e.points_to == Flavour::Upstream)
        .count();
    let flavour = match fork.cmp(&upstream) {
        std::cmp::Ordering::Greater => Flavour::Fork,
        std::cmp::Ordering::Less => Flavour::Upstream,
        std::cmp::Ordering::Equal => Flavour::Unknown,
    };
    Deployment { flavour, evidence }
}

fn push(
    evidence: &mut Vec<FlavourEvidence>,
    source: &str,
    observation: String,
    points_to: Flavour,
) {
    evidence.push(FlavourEvidence {
        source: source.to_string(),
        observation,
        points_to,
    });
}

fn schema_evidence(facts: &Facts, evidence: &mut Vec<FlavourEvidence>) {
    let Some(columns) = facts
        .db_server
        .as_ref()
        .and_then(|s| s.columns.get("tasks"))
    else {
        return;
    };
    let upstream_only: Vec<&str> = ["client_origin", "is_group_chat"]
        .into_iter()
        .filter(|name| columns.iter().any(|c| c.name.eq_ignore_ascii_case(name)))
        .collect();
    if upstream_only.is_empty() {
        push(
            evidence,
            "schema",
            "tasks has neither client_origin nor is_group_chat".to_string(),
            Flavour::Fork,
        );
    } else {
        push(
            evidence,
            "schema",
            format!("tasks has {}", upstream_only.join(" and ")),
            Flavour::Upstream,
        );
    }
}

fn alembic_evidence(facts: &Facts, evidence: &mut Vec<FlavourEvidence>) {
    let Some(version) = facts
        .db_server
        .as_ref()
        .and_then(|s| s.alembic_version.as_deref())
    else {
        return;
    };
    for revision in version.split(',').map(str::trim) {
        if FORK_REVISIONS.contains(&revision) {
            push(
                evidence,
                "alembic",
                format!("revision {revision} is the fork's head"),
                Flavour::Fork,
            );
        } else if UPSTREAM_REVISIONS.contains(&revision) {
            push(
                evidence,
                "alembic",
                format!("revision {revision} exists only upstream"),
                Flavour::Upstream,
            );
        }
    }
}

fn route_evidence(facts: &Facts, evidence: &mut Vec<FlavourEvidence>) {
    let Some(em) = &facts.executor_manager else {
        return;
    };
    if let Some(routes) = &em.routes {
        for route in FORK_ROUTES
            .iter()
            .filter(|r| routes.iter().any(|x| x == *r))
        {
            push(
                evidence,
                "executor-manager",
                format!("serves {route}"),
                Flavour::Fork,
            );
        }
        for route in UPSTREAM_ROUTES
            .iter()
            .filter(|r| routes.iter().any(|x| x == *r))
        {
            push(
                evidence,
                "executor-manager",
                format!("serves {route}"),
                Flavour::Upstream,
            );
        }
        return;
    }

    // Without a route list, the responses of the per-executor endpoints still identify
    // the deployment.
    if let Some(probe) = em.executors.iter().find(|p| p.endpoint == "status") {
        if probe.probe.is_success() {
            push(
                evidence,
                "executor-manager",
                "answers /executor/status".to_string(),
                Flavour::Fork,
            );
        } else if probe.probe.is_absent() {
            push(
                evidence,
                "executor-manager",
                "has no /executor/status (404)".to_string(),
                Flavour::Upstream,
            );
        }
    }
}

fn container_env_evidence(facts: &Facts, evidence: &mut Vec<FlavourEvidence>) {
    for (container, names) in &facts.container_env_names {
        let has = |name: &str| names.iter().any(|n| n == name);
        if has("TASK_INFO") {
            push(
                evidence,
                "container-env",
                format!("{container} has TASK_INFO"),
                Flavour::Fork,
            );
        }
        if has("HEARTBEAT_TYPE") || has("EXECUTOR_MODE") {
            let which = if has("HEARTBEAT_TYPE") {
                "HEARTBEAT_TYPE"
            } else {
                "EXECUTOR_MODE"
            };
            push(
                evidence,
                "container-env",
                format!("{container} has {which}"),
                Flavour::Upstream,
            );
        }
    }
}

fn redis_evidence(facts: &Facts, evidence: &mut Vec<FlavourEvidence>) {
    if let Some(key) = facts.redis_keys_seen.first() {
        let more = facts.redis_keys_seen.len() - 1;
        let observation = if more == 0 {
            format!("key {key} exists")
        } else {
            format!("key {key} and {more} more task-tracking keys exist")
        };
        push(evidence, "redis", observation, Flavour::Upstream);
    }
}

fn task_json_evidence(facts: &Facts, evidence: &mut Vec<FlavourEvidence>) {
    let Some(Some(task)) = &facts.task else {
        return;
    };
    let Some(status) = task.json.get("status").and_then(|s| s.as_object()) else {
        return;
    };
    for field in ["statusPhase", "progressText"] {
        if status.get(field).is_some_and(|v| !v.is_null()) {
            push(
                evidence,
                "task-json",
                format!("status.{field} is set"),
                Flavour::Fork,
            );
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wegent_analyzer::bundle::model::{ColumnInfo, DbServer, ExecutorManager};

    fn column(name: &str) -> ColumnInfo {
        ColumnInfo {
            name: name.to_string(),
            column_type: "int".to_string(),
            nullable: false,
        }
    }

    #[test]
    fn empty_facts_are_unknown() {
        let deployment = detect(&Facts::default());
        assert_eq!(deployment.flavour, Flavour::Unknown);
        assert!(deployment.evidence.is_empty());
    }

    #[test]
    fn upstream_schema_and_routes() {
        let mut facts = Facts::default();
        let mut server = DbServer::default();
        server
            .columns
            .insert("tasks".into(), vec![column("id"), column("client_origin")]);
        facts.db_server = Some(server);
        facts.executor_manager = Some(ExecutorManager {
            routes: Some(vec!["/executor-manager/executor/address".into()]),
            ..ExecutorManager::default()
        });
        let deployment = detect(&facts);
        assert_eq!(deployment.flavour, Flavour::Upstream);
        assert_eq!(deployment.evidence.len(), 2);
    }

    #[test]
    fn fork_env_and_status_phase() {
        let mut facts = Facts::default();
        facts
            .container_env_names
            .insert("wegent-task-a-1".into(), vec!["TASK_INFO".into()]);
        let deployment = detect(&facts);
        assert_eq!(deployment.flavour, Flavour::Fork);
    }
}
