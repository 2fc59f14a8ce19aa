//! An HTTP stand-in for Wegent's executor-manager, which is a Python service that tests
//! cannot ship.
//!
//! [`StandIn`] listens on a free port of 127.0.0.1 and serves the read-only routes a collector
//! uses, with the JSON shapes of the chosen [`Flavour`]:
//!
//! | Route | Fork | Upstream |
//! |---|---|---|
//! | `GET /`, `/health`, `/ready` | yes | yes |
//! | `GET /openapi.json` | fork route list | upstream route list |
//! | `GET /executor-manager/executor/load` | yes | yes |
//! | `GET /executor-manager/executor/status?executor_name=` | yes | 404 |
//! | `GET /executor-manager/executor/address?executor_name=` | 404 | yes |
//!
//! Every request is recorded, and every method other than GET gets status 405, so a test can
//! prove that the code under test only reads.

mod http;
mod openapi;
mod routes;

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::Flavour;

/// An executor container as the stand-in reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandInExecutor {
    /// Container name, e.g. `wegent-task-admin-e47497646f4e26c`.
    pub name: String,
    /// Docker state: `running`, `exited`, `paused`, `created`, `restarting` or `dead`.
    pub state: String,
    /// Value of the container's `task_id` label.
    pub task_id: String,
    /// Value of the container's `subtask_id` label.
    pub subtask_id: String,
    /// Value of the `subtask_next_id` label. `None` is rendered as the fork renders a missing
    /// value (the string `None`) or as upstream does (an empty string).
    pub subtask_next_id: Option<String>,
    /// Value of the `aigc.weibo.com/task-type` label, e.g. `online`.
    pub task_type: String,
    /// Host port the container publishes; upstream's address route reports it.
    pub port: u16,
}

impl StandInExecutor {
    /// Returns a running `online` executor for `task_id`/`subtask_id` on port 10001.
    pub fn running(name: impl Into<String>, task_id: u64, subtask_id: u64) -> StandInExecutor {
        StandInExecutor {
            name: name.into(),
            state: "running".to_string(),
            task_id: task_id.to_string(),
            subtask_id: subtask_id.to_string(),
            subtask_next_id: None,
            task_type: "online".to_string(),
            port: 10001,
        }
    }

    /// Returns the executor with another Docker state, e.g. `exited`.
    pub fn with_state(mut self, state: impl Into<String>) -> StandInExecutor {
        self.state = state.into();
        self
    }

    /// Returns the executor with another published port.
    pub fn with_port(mut self, port: u16) -> StandInExecutor {
        self.port = port;
        self
    }
}

/// Configuration of the served data. Change it while the stand-in runs with
/// [`StandIn::update_config`].
#[derive(Debug, Clone)]
pub struct StandInConfig {
    /// Flavour of executor-manager the stand-in imitates.
    pub flavour: Flavour,
    /// Executor containers that exist, in any state.
    pub executors: Vec<StandInExecutor>,
    /// `total` of `/executor-manager/executor/load` (the manager's `MAX_CONCURRENT_TASKS`). The
    /// default of 5 is a test value, not Wegent's default.
    pub max_concurrent_tasks: u32,
    /// Body of `/executor-manager/executor/load` that replaces the one built from `executors`.
    pub load_override: Option<serde_json::Value>,
    /// When `false`, `/health` and `/ready` return 500 `Internal Server Error`.
    pub healthy: bool,
    /// Time to wait before responding, after the request has been recorded.
    pub delay: Duration,
    /// Paths that `delay` applies to; empty means every path.
    pub delayed_paths: Vec<String>,
    /// Host in the `base_url` of upstream's address route, `host.docker.internal` by default.
    pub executor_host: String,
}

impl StandInConfig {
    /// Returns the configuration of a healthy `flavour` stand-in without executors, without
    /// delay and with `max_concurrent_tasks` 5.
    pub fn new(flavour: Flavour) -> StandInConfig {
        StandInConfig {
            flavour,
            executors: Vec::new(),
            max_concurrent_tasks: 5,
            load_override: None,
            healthy: true,
            delay: Duration::ZERO,
            delayed_paths: Vec::new(),
            executor_host: "host.docker.internal".to_string(),
        }
    }

    /// Adds an executor container.
    pub fn with_executor(mut self, executor: StandInExecutor) -> StandInConfig {
        self.executors.push(executor);
        self
    }

    /// Delays responses to `paths` (every path when empty) by `delay`.
    pub fn with_delay(mut self, delay: Duration, paths: &[&str]) -> StandInConfig {
        self.delay = delay;
        self.delayed_paths = paths.iter().map(|path| path.to_string()).collect();
        self
    }

    /// Makes `/health` and `/ready` return 500.
    pub fn unhealthy(mut self) -> StandInConfig {
        self.healthy = false;
        self
    }
}

/// A request the stand-in received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// HTTP method, e.g. `GET`.
    pub method: String,
    /// Path without the query, e.g. `/executor-manager/executor/status`.
    pub path: String,
    /// Raw query string without `?`, if the target had one.
    pub query: Option<String>,
}

impl RecordedRequest {
    /// Returns the percent-decoded value of the first query parameter called `name`.
    pub fn query_param(&self, name: &str) -> Option<String> {
        http::query_param(self.query.as_deref()?, name)
    }
}

/// A running executor-manager stand-in; it stops when dropped.
#[derive(Debug)]
pub struct StandIn {
    address: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

/// State shared between the stand-in handle and its server threads.
#[derive(Debug)]
struct Shared {
    config: Mutex<StandInConfig>,
    requests: Mutex<Vec<RecordedRequest>>,
    stopping: AtomicBool,
}

impl StandIn {
    /// Starts serving `config` on a free port of 127.0.0.1.
    pub fn start(config: StandInConfig) -> Result<StandIn> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .context("failed to bind 127.0.0.1:0 for the executor-manager stand-in")?;
        let address = listener
            .local_addr()
            .context("failed to read the address of the executor-manager stand-in")?;

        let shared = Arc::new(Shared {
            config: Mutex::new(config),
            requests: Mutex::new(Vec::new()),
            stopping: AtomicBool::new(false),
        });

        let acceptor = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("em-stand-in".to_string())
                .spawn(move || http::serve(listener, shared))
                .context("failed to start the executor-manager stand-in thread")?
        };

        Ok(StandIn {
            address,
            shared,
            acceptor: Some(acceptor),
        })
    }

    /// Returns the base URL, `http://127.0.0.1:<port>`, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Returns the TCP port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Returns every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        lock(&self.shared.requests).clear();
    }

    /// Changes what the stand-in serves from the next request on.
    pub fn update_config(&self, change: impl FnOnce(&mut StandInConfig)) {
        change(&mut lock(&self.shared.config));
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);

        // The accept loop blocks in accept(), so a connection wakes it up to check the flag.
        let _ = TcpStream::connect_timeout(&self.address, Duration::from_secs(1));

        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

/// Locks `mutex`, ignoring poisoning: a panicking server thread leaves the data usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
