//! Docker containers for tests, driven through the `docker` command-line client.
//!
//! Every container this module starts carries the label `wi-test=1` and runs the local image
//! `wi-test-busybox:latest`, which [`ensure_image`] builds from the host's static busybox with
//! `docker import`, because tests cannot pull images. A [`TestContainer`] is removed by its id
//! when dropped, so a name clash with a container the test did not create never removes that
//! container.

mod container;
mod image;

use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};

use crate::command::{self, DEFAULT_TIMEOUT};

pub use container::{ContainerLogs, ContainerSpec, ContainerState, TestContainer};
pub use image::{build_image, ensure_image};

/// Label key that marks every container a test creates.
pub const TEST_LABEL: &str = "wi-test";

/// `key=value` form of [`TEST_LABEL`], as `docker --label` and `--filter label=` take it.
pub const TEST_LABEL_FILTER: &str = "wi-test=1";

/// The image every test container runs.
pub const TEST_IMAGE: &str = "wi-test-busybox:latest";

/// Prefix that container names need unless the caller opts into another name.
pub const NAME_PREFIX: &str = "wi-test-";

/// Time limit for `docker info`.
const ENGINE_TIMEOUT: Duration = Duration::from_secs(20);

/// Checks that the Docker engine responds to `docker info`.
///
/// Fails with a message that points to `scripts/test.sh`, which installs Docker
/// and starts `dockerd` when needed.
pub fn ensure_engine() -> Result<()> {
    let mut info = docker();
    info.args(["info", "--format", "{{.ServerVersion}}"]);

    command::run(&mut info, None, ENGINE_TIMEOUT).context(
        "the Docker engine does not respond to `docker info`; run scripts/test.sh, which installs \
         docker.io and starts dockerd when it is not running",
    )?;

    Ok(())
}

/// Removes every container labelled `wi-test=1` and returns how many there were.
///
/// This also removes containers of tests that are still running, so call it only before or
/// after a whole test run, never from a test that runs in parallel with others.
pub fn remove_all_test_containers() -> Result<usize> {
    remove_containers_matching(&[TEST_LABEL_FILTER.to_string()])
}

/// Removes the containers labelled `wi-test=1` that also carry the label `key=value`, and
/// returns how many there were.
///
/// A test that gives its containers a label of its own can clean up after itself with this
/// without touching containers of tests that run in parallel.
pub fn remove_test_containers_labelled(key: &str, value: &str) -> Result<usize> {
    if key.is_empty() || key == TEST_LABEL {
        anyhow::bail!("invalid label key {key:?}: name a label other than {TEST_LABEL:?}");
    }

    remove_containers_matching(&[TEST_LABEL_FILTER.to_string(), format!("{key}={value}")])
}

fn remove_containers_matching(labels: &[String]) -> Result<usize> {
    let mut list = docker();
    list.args(["ps", "--all", "--quiet", "--no-trunc"]);
    for label in labels {
        list.arg("--filter").arg(format!("label={label}"));
    }
    let ids = command::run(&mut list, None, DEFAULT_TIMEOUT)
        .with_context(|| {
            format!(
                "failed to list the containers labelled {}",
                labels.join(", ")
            )
        })?
        .stdout;

    let ids: Vec<&str> = ids.split_whitespace().collect();
    if ids.is_empty() {
        return Ok(0);
    }

    let mut remove = docker();
    remove.args(["rm", "--force", "--volumes"]).args(&ids);
    command::run(&mut remove, None, DEFAULT_TIMEOUT)
        .with_context(|| format!("failed to remove the test containers {}", ids.join(" ")))?;

    Ok(ids.len())
}

/// Returns a container name that is unique on this machine for the life of the process:
/// `wi-test-<label>-<pid>-<counter>`.
///
/// Test runners such as nextest run tests in parallel processes, so the process id keeps two
/// tests that pick the same label apart.
pub fn unique_name(label: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let counter = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{NAME_PREFIX}{label}-{}-{counter}", std::process::id())
}

/// Returns a `docker` command.
fn docker() -> Command {
    Command::new("docker")
}
