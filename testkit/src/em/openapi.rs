//! The `/openapi.json` document of the executor-manager stand-in: the route list that distinguishes
//! the fork from upstream.
//!
//! Only methods and paths are modelled. Operation details are placeholders, and the sandbox and
//! E2B routes that both flavours share are left out.

use serde_json::{Map, Value, json};

use crate::Flavour;

/// Routes the fork's executor-manager serves besides the sandbox and E2B routes.
const FORK_ROUTES: &[(&str, &str)] = &[
    ("get", "/"),
    ("get", "/health"),
    ("get", "/ready"),
    ("post", "/executor-manager/tasks/receive"),
    ("post", "/executor-manager/callback"),
    ("get", "/executor-manager/executor/status"),
    ("get", "/executor-manager/executor/load"),
    ("post", "/executor-manager/executor/delete"),
    ("post", "/executor-manager/tasks/cancel"),
    ("post", "/executor-manager/images/validate"),
];

/// Routes upstream's executor-manager serves besides the sandbox and E2B routes.
const UPSTREAM_ROUTES: &[(&str, &str)] = &[
    ("get", "/"),
    ("get", "/health"),
    ("get", "/ready"),
    ("post", "/executor-manager/v1/responses"),
    ("post", "/executor-manager/v1/cancel"),
    ("post", "/executor-manager/callback"),
    ("post", "/executor-manager/tasks/{task_id}/heartbeat"),
    ("get", "/executor-manager/executor/address"),
    ("get", "/executor-manager/executor/load"),
    ("post", "/executor-manager/executor/delete"),
    ("post", "/executor-manager/tasks/cancel"),
    ("get", "/executor-manager/executor/workspace/tree"),
    ("get", "/executor-manager/executor/workspace/file"),
    ("post", "/executor-manager/executors/prepare"),
    ("post", "/executor-manager/tasks/{task_id}/attachments/sync"),
    ("post", "/executor-manager/executor/archive"),
    ("post", "/executor-manager/executor/restore"),
    ("post", "/executor-manager/images/validate"),
];

/// Returns the route list of `flavour` as an OpenAPI 3.1 document.
pub(super) fn document(flavour: Flavour) -> Value {
    let routes = match flavour {
        Flavour::Fork => FORK_ROUTES,
        Flavour::Upstream => UPSTREAM_ROUTES,
    };

    let mut paths = Map::new();
    for (method, path) in routes {
        let operation = json!({"responses": {"200": {"description": "Successful Response"}}});
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        if let Some(methods) = entry.as_object_mut() {
            methods.insert(method.to_string(), operation);
        }
    }

    // NOTE: "FastAPI" is FastAPI's default title; the real managers' titles were not checked.
    json!({
        "openapi": "3.1.0",
        "info": {"title": "FastAPI", "version": "0.1.0"},
        "paths": paths,
    })
}
