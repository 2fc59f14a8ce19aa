//! Runs the built `analyze` binary on bundles written by the test, as a user would, and
//! checks exit status, output formats, languages and error messages.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tempfile::TempDir;

/// A bundle folder (or zip) under a temporary directory named `wi-test-*`.
struct TestBundle {
    dir: TempDir,
    members: BTreeMap<String, Vec<u8>>,
}

impl TestBundle {
    /// Builds a fork bundle of task 89 whose task and latest subtask have `status`.
    fn with_status(status: &str) -> TestBundle {
        let dir = tempfile::Builder::new()
            .prefix("wi-test-analyze-")
            .tempdir()
            .unwrap();
        let mut bundle = TestBundle {
            dir,
            members: BTreeMap::new(),
        };

        bundle.json(
            "deployment.json",
            json!({ "flavour": "fork", "evidence": [] }),
        );
        bundle.json(
            "db/server.json",
            json!({
                "version": "10.11.6-MariaDB",
                "global_time_zone": "SYSTEM",
                "session_time_zone": "+08:00",
                "now": "2026-08-14 15:00:00",
                "utc_now": "2026-08-14 07:00:00",
                "columns": {}
            }),
        );
        bundle.json(
            "db/task.json",
            json!({
                "id": 89,
                "user_id": 1,
                "kind": "Task",
                "name": "task-89",
                "namespace": "default",
                "is_active": 1,
                "created_at": "2026-08-14 06:00:00",
                "updated_at": "2026-08-14 06:50:00",
                "json": {
                    "kind": "Task",
                    "metadata": { "name": "task-89", "namespace": "default", "labels": {} },
                    "status": { "status": status, "progress": 100 }
                }
            }),
        );
        bundle.json(
            "db/subtasks.json",
            json!({ "subtasks": [
                {
                    "id": 301, "task_id": 89, "role": "USER", "status": "COMPLETED",
                    "message_id": 1, "progress": 100,
                    "created_at": "2026-08-14 14:00:00", "updated_at": "2026-08-14 14:00:00"
                },
                {
                    "id": 302, "task_id": 89, "role": "ASSISTANT", "status": status,
                    "message_id": 2, "progress": 100,
                    "executor_name": "wegent-task-alice-89",
                    "created_at": "2026-08-14 14:00:01", "updated_at": "2026-08-14 14:50:00"
                }
            ]}),
        );
        bundle
    }

    fn json(&mut self, member: &str, value: Value) {
        let bytes = serde_json::to_vec_pretty(&value).unwrap();
        self.members.insert(member.to_string(), bytes);
    }

    fn manifest(&self) -> Value {
        let digests: BTreeMap<&String, Value> = self
            .members
            .iter()
            .map(|(name, bytes)| {
                let sha256 = hex::encode(Sha256::digest(bytes));
                (name, json!({ "sha256": sha256, "size": bytes.len() }))
            })
            .collect();

        json!({
            "format_version": "1.0",
            "tool_version": "0.1.0",
            "task_id": 89,
            "collected_at": "2026-08-14T07:00:00Z",
            "host_utc_offset": "+08:00",
            "options": {},
            "sources": [
                { "name": "db", "status": "ok", "duration_ms": 12 },
                { "name": "docker", "status": "failed", "duration_ms": 3,
                  "error": "permission denied on /var/run/docker.sock" }
            ],
            "redaction": { "total": 2, "by_rule": { "bearer-token": 2 } },
            "members": digests
        })
    }

    /// Writes the bundle unpacked into a folder and returns the folder.
    fn write_folder(&self) -> PathBuf {
        let root = self.dir.path().join("bundle");
        for (name, bytes) in &self.members {
            let path = root.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
        let manifest = serde_json::to_vec_pretty(&self.manifest()).unwrap();
        std::fs::write(root.join("manifest.json"), manifest).unwrap();
        root
    }

    /// Writes the bundle as a zip file and returns its path.
    fn write_zip(&self) -> PathBuf {
        let path = self.dir.path().join("bundle.zip");
        let file = std::fs::File::create(&path).unwrap();
        let mut zip = zip::ZipWriter::new(file);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);

        let manifest = serde_json::to_vec_pretty(&self.manifest()).unwrap();
        zip.start_file("manifest.json", options).unwrap();
        zip.write_all(&manifest).unwrap();
        for (name, bytes) in &self.members {
            zip.start_file(name.as_str(), options).unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap();
        path
    }
}

/// Runs `analyze` with a clean locale and colour environment.
fn analyze(args: &[&str]) -> Output {
    analyze_with_env(args, &[])
}

fn analyze_with_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_analyze"));
    command.args(args);
    for var in ["LC_ALL", "LC_MESSAGES", "LANG", "NO_COLOR"] {
        command.env_remove(var);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("analyze runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

fn path_arg(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

fn validate_against_schema(report: &Value) {
    let schema_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/report.schema.json");
    let schema: Value = serde_json::from_slice(&std::fs::read(schema_path).unwrap()).unwrap();
    let validator = jsonschema::draft202012::new(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(report)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{report:#}");
}

#[test]
fn json_report_matches_schema_and_exit_status() {
    let bundle = TestBundle::with_status("RUNNING");
    let folder = bundle.write_folder();

    let output = analyze(&[path_arg(&folder), "--format", "json"]);
    let report: Value = serde_json::from_str(&stdout(&output)).expect("stdout is JSON");
    validate_against_schema(&report);

    assert_eq!(report["task_id"], 89);
    assert_eq!(report["lang"], "en");
    assert_eq!(
        report["collection"]["incomplete_sources"],
        json!(["docker"])
    );
    assert_eq!(report["redaction"]["by_rule"]["bearer-token"], 2);

    let verdict = report["verdict"].as_str().unwrap();
    let expected = if matches!(verdict, "completed" | "running") {
        0
    } else {
        1
    };
    assert_eq!(output.status.code(), Some(expected), "verdict {verdict}");
}

#[test]
fn completed_task_exits_zero() {
    let bundle = TestBundle::with_status("COMPLETED");
    let folder = bundle.write_folder();

    let output = analyze(&[path_arg(&folder), "--format", "json"]);
    let report: Value = serde_json::from_str(&stdout(&output)).expect("stdout is JSON");
    assert_eq!(report["verdict"], "completed", "{report:#}");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn failed_task_exits_one() {
    let bundle = TestBundle::with_status("FAILED");
    let folder = bundle.write_folder();

    let output = analyze(&[path_arg(&folder), "--format", "json"]);
    let report: Value = serde_json::from_str(&stdout(&output)).expect("stdout is JSON");
    assert_eq!(report["verdict"], "failed", "{report:#}");
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn zip_and_folder_give_same_report() {
    let bundle = TestBundle::with_status("RUNNING");
    let folder = bundle.write_folder();
    let zip = bundle.write_zip();

    let from_folder = analyze(&[path_arg(&folder), "--format", "json"]);
    let from_zip = analyze(&[path_arg(&zip), "--format", "json"]);
    assert_eq!(stdout(&from_zip), stdout(&from_folder));
    assert_eq!(from_zip.status.code(), from_folder.status.code());
}

#[test]
fn text_report_has_no_color_when_piped() {
    let bundle = TestBundle::with_status("RUNNING");
    let folder = bundle.write_folder();

    let output = analyze(&[path_arg(&folder)]);
    let text = stdout(&output);
    assert!(text.starts_with("Task 89: "), "{text}");
    assert!(!text.contains('\x1b'), "{text}");
    assert!(text.contains("Times are UTC"), "{text}");
}

#[test]
fn markdown_report_starts_with_heading() {
    let bundle = TestBundle::with_status("RUNNING");
    let folder = bundle.write_folder();

    let output = analyze(&[path_arg(&folder), "--format", "markdown"]);
    let text = stdout(&output);
    assert!(text.starts_with("# Task 89: "), "{text}");
    assert!(text.contains("## Timeline"), "{text}");
}

#[test]
fn lang_defaults_from_environment() {
    let bundle = TestBundle::with_status("RUNNING");
    let folder = bundle.write_folder();

    let output = analyze_with_env(&[path_arg(&folder)], &[("LANG", "zh_CN.UTF-8")]);
    assert!(
        stdout(&output).starts_with("任务 89："),
        "{}",
        stdout(&output)
    );

    let output = analyze_with_env(
        &[path_arg(&folder), "--lang", "en"],
        &[("LANG", "zh_CN.UTF-8")],
    );
    assert!(stdout(&output).starts_with("Task 89: "));
}

#[test]
fn subtasks_limit_hides_older_rows() {
    let bundle = TestBundle::with_status("RUNNING");
    let folder = bundle.write_folder();

    let output = analyze(&[path_arg(&folder), "--subtasks-limit", "1"]);
    let text = stdout(&output);
    assert!(
        text.contains("1 older subtask is hidden (showing the newest 1 of 2)"),
        "{text}"
    );

    let output = analyze(&[path_arg(&folder), "--subtasks-limit", "0"]);
    let text = stdout(&output);
    assert!(
        text.contains("2 older subtasks are hidden (showing the newest 0 of 2)"),
        "{text}"
    );
    assert!(!text.contains("Created (UTC)"), "{text}");

    let output = analyze(&[path_arg(&folder), "--subtasks-limit", "1", "--subtasks-all"]);
    assert!(!stdout(&output).contains("hidden"));
}

#[test]
fn missing_bundle_exits_two_with_message() {
    let dir = tempfile::Builder::new()
        .prefix("wi-test-analyze-")
        .tempdir()
        .unwrap();
    let missing = dir.path().join("absent.zip");

    let output = analyze(&[path_arg(&missing)]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let message = stderr(&output);
    assert!(message.starts_with("analyze: "), "{message}");
    assert!(message.contains("absent.zip"), "{message}");

    let output = analyze(&[path_arg(&missing), "--lang", "zh"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).starts_with("analyze: 无法读取数据包 "),
        "{}",
        stderr(&output)
    );
}

#[test]
fn tampered_member_exits_two_naming_member() {
    let bundle = TestBundle::with_status("RUNNING");
    let folder = bundle.write_folder();
    std::fs::write(folder.join("db/task.json"), b"{\"id\": 90}").unwrap();

    let output = analyze(&[path_arg(&folder)]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.starts_with("analyze: "), "{message}");
    assert!(message.contains("db/task.json"), "{message}");

    let output = analyze(&[path_arg(&folder), "--lang", "zh"]);
    assert!(
        stderr(&output).contains("`db/task.json`"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("请重新采集"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn bad_duration_exits_two_with_fix() {
    let output = analyze(&["bundle.zip", "--stale-after", "5x"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "analyze: invalid value \"5x\" for --stale-after: use a whole number followed by s, m, h \
         or d, such as 90s, 30m, 2h or 1d\n"
    );

    let output = analyze(&["bundle.zip", "--stale-after", "5x", "--lang", "zh"]);
    assert!(stderr(&output).starts_with("analyze: --stale-after 的值 \"5x\" 无效："));
}

#[test]
fn unknown_option_exits_two() {
    let output = analyze(&["bundle.zip", "--frobnicate"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--frobnicate"));
}

#[test]
fn help_documents_exit_status() {
    let output = analyze(&["--help"]);
    assert_eq!(output.status.code(), Some(0));
    let help = stdout(&output);
    assert!(help.contains("Exit status:"), "{help}");
    assert!(help.contains("--stale-after <DURATION>"), "{help}");

    let output = analyze(&["--help", "--lang", "zh"]);
    assert!(stdout(&output).contains("退出状态："));
}

#[test]
fn now_pins_reference_time() {
    let bundle = TestBundle::with_status("RUNNING");
    let folder = bundle.write_folder();

    let output = analyze(&[
        path_arg(&folder),
        "--format",
        "json",
        "--now",
        "2026-08-14T15:30:00+08:00",
    ]);
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["now"], "2026-08-14T07:30:00Z");
}
