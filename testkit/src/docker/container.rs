//! Test containers: what to run ([`ContainerSpec`]) and the running container
//! ([`TestContainer`]), removed by id when dropped.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use super::{NAME_PREFIX, TEST_LABEL, TEST_LABEL_FILTER, docker, ensure_image};
use crate::TempRoot;
use crate::command::{self, DEFAULT_TIMEOUT};

/// Settings of a [`TestContainer`].
///
/// The container always runs `wi-test-busybox:latest` with `sh -c <command>` and the label
/// `wi-test=1`.
#[derive(Debug, Clone, Default)]
pub struct ContainerSpec {
    /// Container name. It must start with `wi-test-` unless `allow_any_name` is set.
    pub name: String,
    /// Labels in addition to `wi-test=1`, e.g. `("owner", "executor_manager")`.
    pub labels: Vec<(String, String)>,
    /// Shell script the container runs with busybox `sh -c`.
    pub command: String,
    /// Memory limit in `docker run --memory` syntax, e.g. `6m`.
    pub memory: Option<String>,
    /// Environment variables as `(name, value)`.
    pub env: Vec<(String, String)>,
    /// Bind mounts as `(host path, container path)`.
    pub mounts: Vec<(PathBuf, String)>,
    /// Further `docker run` options, placed before the image name, e.g. `["--init"]`.
    pub extra_args: Vec<String>,
    /// Accepts a name without the `wi-test-` prefix, such as the executor name
    /// `wegent-task-admin-e47497646f4e26c`. The label `wi-test=1` alone then marks the
    /// container as a test container.
    pub allow_any_name: bool,
}

impl ContainerSpec {
    /// Returns a spec that runs `command` in a container named `name`, which must start with
    /// `wi-test-` (see [`super::unique_name`]).
    pub fn new(name: impl Into<String>, command: impl Into<String>) -> ContainerSpec {
        ContainerSpec {
            name: name.into(),
            command: command.into(),
            ..ContainerSpec::default()
        }
    }

    /// Returns a spec for a container with a name that Wegent would use, such as
    /// `wegent-task-admin-e47497646f4e26c`.
    ///
    /// A real Wegent container with that name on the same machine makes [`TestContainer::run`]
    /// fail with a name conflict; it is never removed or changed.
    pub fn wegent_named(name: impl Into<String>, command: impl Into<String>) -> ContainerSpec {
        ContainerSpec {
            allow_any_name: true,
            ..ContainerSpec::new(name, command)
        }
    }

    /// Adds a label.
    pub fn with_label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.push((key.into(), value.into()));
        self
    }

    /// Adds an environment variable.
    pub fn with_env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((name.into(), value.into()));
        self
    }

    /// Adds a bind mount of `host` at `container`.
    pub fn with_mount(mut self, host: impl Into<PathBuf>, container: impl Into<String>) -> Self {
        self.mounts.push((host.into(), container.into()));
        self
    }

    /// Sets the memory limit, e.g. `6m`.
    pub fn with_memory(mut self, limit: impl Into<String>) -> Self {
        self.memory = Some(limit.into());
        self
    }

    fn validate(&self) -> Result<()> {
        let valid_name = self.name.starts_with(|c: char| c.is_ascii_alphanumeric())
            && self
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
        if !valid_name {
            bail!(
                "invalid container name {:?}: use letters, digits, '_', '.' and '-', starting \
                 with a letter or digit",
                self.name
            );
        }

        if !self.allow_any_name && !self.name.starts_with(NAME_PREFIX) {
            bail!(
                "container name {:?} does not start with {NAME_PREFIX:?}; use \
                 ContainerSpec::wegent_named for a Wegent-style name",
                self.name
            );
        }

        if let Some((key, _)) = self
            .labels
            .iter()
            .find(|(key, _)| key.is_empty() || key == TEST_LABEL)
        {
            bail!(
                "invalid label key {key:?}: it must be non-empty and not {TEST_LABEL:?}, which run() sets"
            );
        }

        Ok(())
    }
}

/// `.State` of a container as `docker inspect` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ContainerState {
    /// `created`, `running`, `paused`, `restarting`, `removing`, `exited` or `dead`.
    #[serde(rename = "Status")]
    pub status: String,
    /// Whether the main process runs.
    #[serde(rename = "Running")]
    pub running: bool,
    /// Exit code of the main process; 137 after SIGKILL, including an OOM kill.
    #[serde(rename = "ExitCode")]
    pub exit_code: i64,
    /// Whether the kernel's OOM killer ended the container.
    #[serde(rename = "OOMKilled")]
    pub oom_killed: bool,
    /// RFC 3339 start time.
    #[serde(rename = "StartedAt")]
    pub started_at: String,
    /// RFC 3339 end time, `0001-01-01T00:00:00Z` while running.
    #[serde(rename = "FinishedAt")]
    pub finished_at: String,
}

/// Output of `docker logs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerLogs {
    /// Output the container wrote to stdout.
    pub stdout: String,
    /// Output the container wrote to stderr.
    pub stderr: String,
}

/// A container started by a test, removed (`docker rm --force`) by id when dropped.
#[derive(Debug)]
pub struct TestContainer {
    id: String,
    name: String,
    removed: bool,
}

impl TestContainer {
    /// Starts a detached container from `spec`, building the test image first if needed.
    ///
    /// Fails when the spec is invalid (see [`ContainerSpec::name`]), the image cannot be built
    /// or `docker run` fails. A container that Docker created before failing is removed.
    pub fn run(spec: &ContainerSpec) -> Result<TestContainer> {
        spec.validate()?;
        let image = ensure_image()?;

        let scratch = TempRoot::new("container")?;
        let id_file = scratch.join("container.id");

        let mut run = docker();
        run.args(["run", "--detach", "--cidfile"])
            .arg(&id_file)
            .args(["--name", &spec.name, "--label", TEST_LABEL_FILTER]);
        for (key, value) in &spec.labels {
            run.arg("--label").arg(format!("{key}={value}"));
        }
        if let Some(memory) = &spec.memory {
            run.args(["--memory", memory]);
        }
        for (name, value) in &spec.env {
            run.arg("--env").arg(format!("{name}={value}"));
        }
        for (host, container) in &spec.mounts {
            run.arg("--volume")
                .arg(format!("{}:{container}", host.display()));
        }
        run.args(&spec.extra_args)
            .args([image, "sh", "-c", &spec.command]);

        match command::run(&mut run, None, DEFAULT_TIMEOUT) {
            Ok(finished) => Ok(TestContainer {
                id: finished.stdout.trim().to_string(),
                name: spec.name.clone(),
                removed: false,
            }),
            Err(error) => {
                // `docker run` writes the id file as soon as the container exists, so a
                // container that was created but failed to start is removed here.
                if let Ok(id) = std::fs::read_to_string(&id_file) {
                    remove_by_id(id.trim());
                }
                Err(error)
                    .with_context(|| format!("failed to run the test container {}", spec.name))
            }
        }
    }

    /// Returns the full container id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Returns the container name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Returns the container's current `.State`.
    pub fn state(&self) -> Result<ContainerState> {
        let mut inspect = docker();
        inspect.args(["inspect", "--format", "{{json .State}}", &self.id]);

        let output = command::run(&mut inspect, None, DEFAULT_TIMEOUT)
            .with_context(|| format!("failed to inspect the test container {}", self.name))?;

        serde_json::from_str(output.stdout.trim()).with_context(|| {
            format!(
                "failed to parse the state of the test container {}",
                self.name
            )
        })
    }

    /// Returns the whole `docker inspect` document of the container.
    pub fn inspect(&self) -> Result<serde_json::Value> {
        let mut inspect = docker();
        inspect.args(["inspect", &self.id]);

        let output = command::run(&mut inspect, None, DEFAULT_TIMEOUT)
            .with_context(|| format!("failed to inspect the test container {}", self.name))?;

        let mut documents: Vec<serde_json::Value> = serde_json::from_str(&output.stdout)
            .with_context(|| format!("failed to parse `docker inspect {}`", self.name))?;
        documents
            .pop()
            .with_context(|| format!("`docker inspect {}` returned no document", self.name))
    }

    /// Waits until the container has stopped and returns its final state.
    ///
    /// Fails when it is still running after `timeout`.
    pub fn wait_exit(&self, timeout: Duration) -> Result<ContainerState> {
        let deadline = Instant::now() + timeout;

        loop {
            let state = self.state()?;
            if matches!(state.status.as_str(), "exited" | "dead") {
                return self.settle_oom_flag(state);
            }

            if Instant::now() >= deadline {
                bail!(
                    "test container {} is still {} after {} s",
                    self.name,
                    state.status,
                    timeout.as_secs_f32()
                );
            }

            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Re-reads the state of a container killed with 137 for up to 2 s, because the engine
    /// may set `OOMKilled` after it recorded the exit.
    fn settle_oom_flag(&self, mut state: ContainerState) -> Result<ContainerState> {
        let deadline = Instant::now() + Duration::from_secs(2);
        while state.exit_code == 137 && !state.oom_killed && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
            state = self.state()?;
        }
        Ok(state)
    }

    /// Returns what the container has written so far.
    pub fn logs(&self) -> Result<ContainerLogs> {
        let mut logs = docker();
        logs.args(["logs", &self.id]);

        let output = command::run(&mut logs, None, DEFAULT_TIMEOUT).with_context(|| {
            format!(
                "failed to read the logs of the test container {}",
                self.name
            )
        })?;

        Ok(ContainerLogs {
            stdout: output.stdout,
            stderr: output.stderr,
        })
    }

    /// Removes the container now, reporting a failure that dropping it would hide.
    pub fn remove(mut self) -> Result<()> {
        self.removed = true;

        let mut remove = docker();
        remove.args(["rm", "--force", "--volumes", &self.id]);
        command::run(&mut remove, None, DEFAULT_TIMEOUT)
            .with_context(|| format!("failed to remove the test container {}", self.name))?;

        Ok(())
    }
}

impl Drop for TestContainer {
    fn drop(&mut self) {
        if !self.removed {
            remove_by_id(&self.id);
        }
    }
}

fn remove_by_id(id: &str) {
    if id.is_empty() {
        return;
    }

    let mut remove = docker();
    remove.args(["rm", "--force", "--volumes", id]);
    let _ = command::run(&mut remove, None, DEFAULT_TIMEOUT);
}
