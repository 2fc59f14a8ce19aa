//! The `executor-manager` source: what Wegent's executor-manager reports over HTTP.
//!
//! Sends only GET requests: `/health`, `/ready`, `/executor-manager/executor/load`,
//! `/openapi.json` (reduced to its sorted route list) and, for every executor name the
//! earlier sources found, the fork's `/executor-manager/executor/status` or upstream's
//! `/executor-manager/executor/address`. A 404 means the endpoint does not exist in this
//! version and is recorded as a response, not a failure. Writes
//! `services/executor-manager.json`. The source fails when `/health` gets no response at all,
//! and is partial when `/health` responds with a status other than 2xx (the URL may name
//! another service) or another request gets no response.
//!
//! Requests share the source's time limit: each may use whatever time is left, so one
//! slow endpoint can take the whole limit, and a request that runs out reports the limit
//! and the option that raises it.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde_json::Value;
use wegent_analyzer::bundle::model::{ExecutorManager, ExecutorProbe, HttpProbe, members};

use crate::source::{Context, Source, SourceFuture, SourceOutput};

/// Reads executor-manager's HTTP API.
pub struct ExecutorManagerSource;

/// Paths of the per-executor endpoints.
const STATUS_PATH: &str = "/executor-manager/executor/status";
const ADDRESS_PATH: &str = "/executor-manager/executor/address";

/// Time kept back from the source's limit, so that a request running out of time is
/// reported by the source, with its URL, before the runner stops the source.
const DEADLINE_MARGIN: Duration = Duration::from_millis(100);

/// Bytes of a response body kept in the bundle.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// Executors probed at most, so a task with many containers stays within the time limit.
const MAX_EXECUTORS: usize = 20;

impl Source for ExecutorManagerSource {
    fn name(&self) -> &'static str {
        "executor-manager"
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(30)
    }

    fn collect<'a>(&'a self, ctx: &'a Context, out: &'a mut SourceOutput) -> SourceFuture<'a> {
        Box::pin(collect(ctx, out))
    }
}

async fn collect(ctx: &Context, out: &mut SourceOutput) -> anyhow::Result<()> {
    let base = ctx
        .config()
        .executor_manager_url
        .trim_end_matches('/')
        .to_string();
    let limit = out.timeout();
    let deadline = Instant::now() + limit.saturating_sub(DEADLINE_MARGIN);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!(
            "wegent-inspect-collect/",
            env!("CARGO_PKG_VERSION")
        ))
        .build()
        .context("building the HTTP client")?;
    let http = Http {
        client,
        base: base.clone(),
        deadline,
    };

    let mut state = ExecutorManager {
        base_url: base.clone(),
        ..ExecutorManager::default()
    };

    let health = http.get("/health").await;
    let health_status = health.status;
    let health_error = health.error.clone();
    state.health = Some(health);
    match health_status {
        None => {
            out.json(members::EXECUTOR_MANAGER, &state)?;
            ctx.facts().executor_manager = Some(state);
            anyhow::bail!(health_failure(
                &base,
                health_error.as_deref().unwrap_or_default(),
                limit
            ));
        }
        Some(code) if !(200..300).contains(&code) => {
            out.problem(format!(
                "executor-manager at {base} answered HTTP {code} on /health; is this an executor-manager? Check --executor-manager-url"
            ));
        }
        Some(_) => {}
    }
    publish(ctx, out, &state)?;

    state.ready = Some(http.get("/ready").await);
    state.load = Some(http.get("/executor-manager/executor/load").await);
    publish(ctx, out, &state)?;

    let openapi = http.get_raw("/openapi.json").await;
    state.routes = openapi.as_ref().ok().and_then(route_list);
    if let Err(error) = &openapi {
        out.problem(format!("GET /openapi.json: {error}"));
    }
    publish(ctx, out, &state)?;

    let names = ctx.facts().executor_names();
    if names.len() > MAX_EXECUTORS {
        out.truncated(format!(
            "probed {MAX_EXECUTORS} of {} executor names",
            names.len()
        ));
    }
    let mut endpoint = preferred_endpoint(state.routes.as_deref());
    for name in names.iter().take(MAX_EXECUTORS) {
        let (probe, used) = probe_executor(&http, name, &mut endpoint).await;
        state.executors.push(ExecutorProbe {
            executor_name: name.clone(),
            endpoint: used.to_string(),
            probe,
        });
        publish(ctx, out, &state)?;
    }

    for probe in [&state.ready, &state.load].into_iter().flatten() {
        if let Some(error) = &probe.error {
            out.problem(format!("GET {}: {error}", path_of(&probe.url, &base)));
        }
    }
    for executor in &state.executors {
        if let Some(error) = &executor.probe.error {
            out.problem(format!(
                "GET {}: {error}",
                path_of(&executor.probe.url, &base)
            ));
        }
    }
    Ok(())
}

/// Error of a `/health` request that got no response. A request that ran out of time
/// names the source's limit and the option that raises it.
fn health_failure(base: &str, error: &str, limit: Duration) -> String {
    if error.starts_with(TIMED_OUT) {
        format!(
            "executor-manager at {base} timed out on /health after the {} limit; raise it with --timeout executor-manager=<duration>, or check --executor-manager-url",
            crate::runner::format_duration(limit)
        )
    } else {
        format!(
            "executor-manager at {base} did not respond to /health: {error}; check --executor-manager-url and that the container runs"
        )
    }
}

/// Writes the member and the facts with what is known so far, so that a timeout later
/// still leaves the responses already received in the bundle.
fn publish(ctx: &Context, out: &mut SourceOutput, state: &ExecutorManager) -> anyhow::Result<()> {
    out.json(members::EXECUTOR_MANAGER, state)?;
    ctx.facts().executor_manager = Some(state.clone());
    Ok(())
}

/// Per-executor endpoint to query first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    Status,
    Address,
    /// Route list unknown: try status, then address on a 404.
    Unknown,
}

fn preferred_endpoint(routes: Option<&[String]>) -> Endpoint {
    let Some(routes) = routes else {
        return Endpoint::Unknown;
    };
    if routes.iter().any(|r| r == STATUS_PATH) {
        Endpoint::Status
    } else if routes.iter().any(|r| r == ADDRESS_PATH) {
        Endpoint::Address
    } else {
        Endpoint::Unknown
    }
}

async fn probe_executor(
    http: &Http,
    name: &str,
    endpoint: &mut Endpoint,
) -> (HttpProbe, &'static str) {
    let query = |path: &str| format!("{path}?executor_name={}", encode_query(name));
    match *endpoint {
        Endpoint::Status => (http.get(&query(STATUS_PATH)).await, "status"),
        Endpoint::Address => (http.get(&query(ADDRESS_PATH)).await, "address"),
        Endpoint::Unknown => {
            let status = http.get(&query(STATUS_PATH)).await;
            if !status.is_absent() {
                if status.status.is_some() {
                    *endpoint = Endpoint::Status;
                }
                return (status, "status");
            }
            let address = http.get(&query(ADDRESS_PATH)).await;
            if address.status.is_some() && !address.is_absent() {
                *endpoint = Endpoint::Address;
            }
            (address, "address")
        }
    }
}

/// Sorted paths of an OpenAPI document.
fn route_list(document: &(u16, String)) -> Option<Vec<String>> {
    let (status, body) = document;
    if !(200..300).contains(status) {
        return None;
    }
    let json: Value = serde_json::from_str(body).ok()?;
    let mut routes: Vec<String> = json.get("paths")?.as_object()?.keys().cloned().collect();
    routes.sort();
    Some(routes)
}

struct Http {
    client: reqwest::Client,
    base: String,
    /// When the source's time is up; each request may use the time left until then.
    deadline: Instant,
}

impl Http {
    /// GETs `path` and records the response, or the transport error, as a probe.
    async fn get(&self, path: &str) -> HttpProbe {
        let url = format!("{}{path}", self.base);
        let started = Instant::now();
        let mut probe = HttpProbe {
            url: url.clone(),
            ..HttpProbe::default()
        };

        match self.fetch(&url).await {
            Ok((status, body)) => {
                probe.status = Some(status);
                probe.body = Some(body_value(&body));
            }
            Err(error) => probe.error = Some(error),
        }
        probe.elapsed_ms = started.elapsed().as_millis() as u64;
        probe
    }

    /// GETs `path` and returns status and full body text (for the OpenAPI document).
    async fn get_raw(&self, path: &str) -> Result<(u16, String), String> {
        self.fetch(&format!("{}{path}", self.base)).await
    }

    async fn fetch(&self, url: &str) -> Result<(u16, String), String> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(TIMED_OUT.to_string());
        }
        let response = self
            .client
            .get(url)
            .timeout(left)
            .send()
            .await
            .map_err(describe)?;
        let status = response.status().as_u16();
        let body = response.text().await.map_err(describe)?;
        Ok((status, body))
    }
}

/// Parsed JSON body, or the (capped) text as a JSON string.
fn body_value(body: &str) -> Value {
    if body.len() <= MAX_BODY_BYTES
        && let Ok(json) = serde_json::from_str::<Value>(body)
    {
        return json;
    }
    let mut end = body.len().min(MAX_BODY_BYTES);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    Value::String(body[..end].to_string())
}

/// Start of the message of a request that ran out of time.
const TIMED_OUT: &str = "timed out";

/// Describes a transport error in plain words: the kind, then the innermost cause (the
/// outer layers of reqwest's chain only repeat the kind).
fn describe(error: reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        TIMED_OUT
    } else if error.is_connect() {
        "connection failed"
    } else if error.is_body() || error.is_decode() {
        "reading the response failed"
    } else {
        "request failed"
    };
    let mut root = None;
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        root = Some(cause.to_string());
        source = cause.source();
    }
    match root {
        Some(cause) if !error.is_timeout() => format!("{kind}: {cause}"),
        _ => kind.to_string(),
    }
}

fn path_of<'a>(url: &'a str, base: &str) -> &'a str {
    url.strip_prefix(base).unwrap_or(url)
}

/// Percent-encodes a query value (executor names are usually plain, but user names are not).
fn encode_query(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_pick_endpoint() {
        let fork = vec![STATUS_PATH.to_string()];
        let upstream = vec![
            ADDRESS_PATH.to_string(),
            "/executor-manager/v1/responses".to_string(),
        ];
        assert_eq!(preferred_endpoint(Some(&fork)), Endpoint::Status);
        assert_eq!(preferred_endpoint(Some(&upstream)), Endpoint::Address);
        assert_eq!(preferred_endpoint(None), Endpoint::Unknown);
    }

    #[test]
    fn route_list_sorts_paths() {
        let doc = (200, r#"{"paths":{"/b":{},"/a":{}}}"#.to_string());
        assert_eq!(
            route_list(&doc),
            Some(vec!["/a".to_string(), "/b".to_string()])
        );
        assert_eq!(route_list(&(404, String::new())), None);
    }

    #[test]
    fn health_timeout_names_limit_and_option() {
        let message = health_failure("http://em:8001", TIMED_OUT, Duration::from_secs(2));
        assert!(
            message.contains("timed out") && message.contains("2s limit"),
            "{message}"
        );
        assert!(
            message.contains("--timeout executor-manager=<duration>"),
            "{message}"
        );

        let message = health_failure(
            "http://em:8001",
            "connection failed: Connection refused (os error 111)",
            Duration::from_secs(2),
        );
        assert!(message.contains("Connection refused"), "{message}");
        assert!(!message.contains("--timeout"), "{message}");
    }

    #[tokio::test]
    async fn connect_error_names_root_cause_once() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let error = reqwest::Client::new()
            .get(format!("http://127.0.0.1:{port}/health"))
            .send()
            .await
            .unwrap_err();
        let message = describe(error);
        assert!(message.starts_with("connection failed: "), "{message}");
        assert!(!message.contains("client error"), "{message}");
        assert!(!message.contains("tcp connect error"), "{message}");
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(encode_query("wegent-task-a b"), "wegent-task-a%20b");
    }

    #[test]
    fn long_text_bodies_are_capped() {
        let body = "x".repeat(MAX_BODY_BYTES + 10);
        assert_eq!(body_value(&body).as_str().unwrap().len(), MAX_BODY_BYTES);
        assert_eq!(body_value("{\"a\":1}"), serde_json::json!({"a": 1}));
    }
}
