//! Running `collect` for the docker, logs, workspace and llm source tests: every other
//! service points at a refused port on 127.0.0.1, and members are read back as text.

#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use crate::collect_support::{Run, refused_port};

/// Runs `collect` for `task_id` with executor-manager and Redis unreachable, MySQL and
/// `--workspace-root` too unless `args` set them, plus `args` and `env`. The
/// executor-manager container is not looked for unless `args` name one.
/// `WEGENT_*` and `DOCKER_HOST` of the test environment are removed first.
pub fn collect(dir: &Path, task_id: i64, args: &[&str], env: &[(&str, &str)]) -> Run {
    let bundle_path = dir.join("bundle.zip");
    let refused = refused_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_collect"));
    for (key, _) in std::env::vars() {
        if key.starts_with("WEGENT_") || key == "DOCKER_HOST" {
            command.env_remove(&key);
        }
    }
    command
        .env("LANG", "C")
        .envs(env.iter().copied())
        .current_dir(dir)
        .args(["--task-id", &task_id.to_string(), "--mysql-container", ""])
        .args([
            "--executor-manager-url",
            &format!("http://127.0.0.1:{refused}"),
        ])
        .args(["--redis-url", &format!("redis://127.0.0.1:{refused}/0")]);
    if !args.contains(&"--database-url") {
        command.args([
            "--database-url",
            &format!("mysql://root:x@127.0.0.1:{refused}/task_manager"),
        ]);
    }
    if !args.contains(&"--workspace-root") {
        command.args([
            "--workspace-root",
            &dir.join("no-workspace").display().to_string(),
        ]);
    }
    // An empty name means "do not look for it"; a named but absent executor-manager
    // container would make the docker source partial in tests that are about other things.
    if !args.contains(&"--executor-manager-container") {
        command.args(["--executor-manager-container", ""]);
    }
    command.arg("--output").arg(&bundle_path).args(args);
    let output = command.output().expect("running collect");
    Run {
        output,
        bundle_path,
    }
}

/// Environment that makes the docker source fail at once, for tests of other sources.
pub fn no_docker(dir: &Path) -> String {
    format!("unix://{}", dir.join("wi-test-no-docker.sock").display())
}

/// Text of one bundle member; panics with collect's stderr when it is missing.
pub fn member_text(run: &Run, member: &str) -> String {
    try_member_text(run, member)
        .unwrap_or_else(|| panic!("member {member} missing; stderr:\n{}", run.stderr()))
}

/// Text of one bundle member, if present.
pub fn try_member_text(run: &Run, member: &str) -> Option<String> {
    let file = std::fs::File::open(&run.bundle_path).expect("opening the bundle");
    let mut archive = zip::ZipArchive::new(file).expect("reading the zip");
    let mut entry = archive.by_name(member).ok()?;
    let mut text = String::new();
    std::io::Read::read_to_string(&mut entry, &mut text).expect("member text");
    Some(text)
}
