//! Tests of test containers and the busybox test image. They need a running Docker engine.

use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Result;
use testkit::TempRoot;
use testkit::docker::{
    self, ContainerSpec, TestContainer, build_image, ensure_engine,
    remove_test_containers_labelled, unique_name,
};

const EXIT_TIMEOUT: Duration = Duration::from_secs(60);

/// Tells whether Docker still has a container or image with `id`.
fn docker_has(id: &str) -> bool {
    Command::new("docker")
        .args(["inspect", "--format", "{{.Id}}", id])
        .output()
        .map(|output| output.status.success())
        .unwrap_or(false)
}

#[test]
fn runs_container_with_labels_env_and_logs() -> Result<()> {
    ensure_engine()?;
    let spec = ContainerSpec::new(unique_name("logs"), "echo \"$GREETING\"; echo oops >&2")
        .with_label("owner", "executor_manager")
        .with_label("task_id", "89")
        .with_env("GREETING", "hello from busybox");

    let container = TestContainer::run(&spec)?;
    let state = container.wait_exit(EXIT_TIMEOUT)?;
    let logs = container.logs()?;
    let inspect = container.inspect()?;

    assert_eq!(state.exit_code, 0);
    assert!(!state.oom_killed);
    assert_eq!(logs.stdout, "hello from busybox\n");
    assert_eq!(logs.stderr, "oops\n");
    assert_eq!(inspect["Config"]["Labels"]["wi-test"], "1");
    assert_eq!(inspect["Config"]["Labels"]["owner"], "executor_manager");
    assert_eq!(inspect["Name"], format!("/{}", spec.name));
    Ok(())
}

#[test]
fn reports_oom_kill_as_exit_137() -> Result<()> {
    ensure_engine()?;
    // busybox tail keeps the whole line in memory, and /dev/zero never ends a line.
    let spec = ContainerSpec::new(unique_name("oom"), "tail /dev/zero").with_memory("6m");

    let container = TestContainer::run(&spec)?;
    let state = container.wait_exit(EXIT_TIMEOUT)?;

    assert_eq!(state.status, "exited");
    assert_eq!(state.exit_code, 137);
    // NOTE: on cgroup v1 hosts Docker 20.10 sometimes records the kill without setting
    // OOMKilled, when the exit event overtakes the OOM event; exit 137 is the stable fact.
    Ok(())
}

#[test]
fn mounts_host_directory() -> Result<()> {
    ensure_engine()?;
    let workspace = TempRoot::new("docker-mount")?;
    std::fs::write(workspace.join("input.txt"), "from the host\n")?;
    let spec = ContainerSpec::new(
        unique_name("mount"),
        "cat /workspace/input.txt > /workspace/output.txt",
    )
    .with_mount(workspace.path(), "/workspace");

    let container = TestContainer::run(&spec)?;
    let state = container.wait_exit(EXIT_TIMEOUT)?;

    assert_eq!(state.exit_code, 0);
    assert_eq!(
        std::fs::read_to_string(workspace.join("output.txt"))?,
        "from the host\n"
    );
    Ok(())
}

#[test]
fn rejects_name_without_prefix() -> Result<()> {
    let spec = ContainerSpec::new("wegent-task-admin-e47497646f4e26c", "true");

    let error = format!(
        "{:#}",
        TestContainer::run(&spec).expect_err("the name lacks wi-test-")
    );

    assert!(error.contains("wegent_named"), "unexpected error: {error}");
    Ok(())
}

#[test]
fn runs_wegent_named_container_until_removed() -> Result<()> {
    ensure_engine()?;
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH)?.subsec_nanos();
    let name = format!("wegent-task-witest-{:x}{:x}", std::process::id(), nanos);
    let spec =
        ContainerSpec::wegent_named(&name, "sleep 60").with_label("owner", "executor_manager");

    let container = TestContainer::run(&spec)?;
    let id = container.id().to_string();
    let state = container.state()?;
    assert!(state.running, "state: {state:?}");
    assert_eq!(container.inspect()?["Config"]["Labels"]["wi-test"], "1");

    container.remove()?;
    assert!(!docker_has(&id), "container {name} still exists");
    Ok(())
}

#[test]
fn removes_container_on_drop() -> Result<()> {
    ensure_engine()?;
    let container = TestContainer::run(&ContainerSpec::new(unique_name("drop"), "sleep 60"))?;
    let id = container.id().to_string();

    drop(container);

    assert!(!docker_has(&id), "container {id} still exists");
    Ok(())
}

#[test]
fn removes_leftover_test_containers_by_label() -> Result<()> {
    ensure_engine()?;
    let run_label = unique_name("leftovers");
    let spec = ContainerSpec::new(unique_name("leftover"), "sleep 60")
        .with_label("wi-test-run", &run_label);
    let container = TestContainer::run(&spec)?;
    let id = container.id().to_string();

    let removed = remove_test_containers_labelled("wi-test-run", &run_label)?;

    assert_eq!(removed, 1);
    assert!(!docker_has(&id), "container {id} still exists");
    Ok(())
}

#[test]
fn builds_image_under_given_tag() -> Result<()> {
    ensure_engine()?;
    let tag = format!("wi-test-busybox:build-check-{}", std::process::id());

    build_image(&tag)?;
    let output = Command::new("docker")
        .args([
            "run",
            "--rm",
            "--label",
            docker::TEST_LABEL_FILTER,
            &tag,
            "sh",
            "-c",
            "ls /bin/sh && id -u",
        ])
        .output()?;
    let removed = Command::new("docker")
        .args(["image", "rm", &tag])
        .output()?;

    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout), "/bin/sh\n0\n");
    assert!(
        removed.status.success(),
        "{}",
        String::from_utf8_lossy(&removed.stderr)
    );
    Ok(())
}
