//! Builders shared by the bundle tests: a sample bundle with every member type, temp
//! folders named `wi-test-*`, and byte-level helpers for crafting damaged zips.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};
use tempfile::TempDir;
use wegent_analyzer::bundle::model::*;
use wegent_analyzer::bundle::writer::{BundleWriter, ManifestBase};

pub fn temp_dir() -> TempDir {
    tempfile::Builder::new()
        .prefix("wi-test-")
        .tempdir()
        .unwrap()
}

pub fn base() -> ManifestBase {
    let mut options = BTreeMap::new();
    options.insert("task-id".to_string(), json!(89));
    options.insert("since".to_string(), json!("24h"));
    ManifestBase {
        tool_version: "0.1.0".to_string(),
        task_id: 89,
        collected_at: "2026-01-20T06:10:00Z".to_string(),
        host_utc_offset: "+08:00".to_string(),
        options,
    }
}

/// Typed values of every JSON member of the sample bundle, by member path.
pub fn sample_json() -> Vec<(String, Value)> {
    vec![
        (
            members::DEPLOYMENT.into(),
            json!({"flavour": "fork", "evidence": [
                {"source": "schema", "observation": "subtasks has no sender_type", "points_to": "fork"}]}),
        ),
        (
            members::DB_SERVER.into(),
            json!({"version": "10.11.6-MariaDB", "global_time_zone": "SYSTEM",
                   "session_time_zone": "+08:00", "now": "2026-01-20 14:10:00",
                   "utc_now": "2026-01-20 06:10:00", "alembic_version": "a1b2",
                   "columns": {"tasks": [{"name": "id", "column_type": "int(11)", "nullable": false}]}}),
        ),
        (
            members::DB_TASK.into(),
            json!({"id": 89, "user_id": 1, "kind": "Task", "name": "t", "namespace": "default",
                   "is_active": 1, "created_at": "2026-01-20 06:00:00",
                   "updated_at": "2026-01-20 06:05:00",
                   "json": {"status": {"status": "RUNNING", "progress": 30}}}),
        ),
        (
            members::DB_SUBTASKS.into(),
            json!({"subtasks": [{"id": 312, "task_id": 89, "role": "ASSISTANT",
                   "status": "RUNNING", "executor_name": "wegent-task-admin-1",
                   "created_at": "2026-01-20 14:00:00", "completed_at": "2026-01-20 06:00:00"}]}),
        ),
        (
            members::DB_MODELS.into(),
            json!({"requested": "gpt", "resolved_from": "label-modelId", "models": [
                   {"id": 5, "name": "gpt", "namespace": "default", "user_id": 0,
                    "is_active": true, "provider": "openai", "has_api_key": true}]}),
        ),
        (
            members::DB_OWNER.into(),
            json!({"user_id": 1, "user_name": "admin"}),
        ),
        (
            members::CONTAINERS.into(),
            json!({"engine_version": "20.10.24", "running_executor_count": 1, "containers": [
                   {"id": "abc", "name": "wegent-task-admin-1", "role": "executor",
                    "state": "exited", "exit_code": 137, "oom_killed": true,
                    "labels": {"task_id": "89"}, "mounts": []}]}),
        ),
        (
            members::EXECUTOR_MANAGER.into(),
            json!({"base_url": "http://localhost:8001",
                   "health": {"url": "http://localhost:8001/health", "status": 200, "elapsed_ms": 3},
                   "routes": ["/executor-manager/callback"],
                   "executors": [{"executor_name": "wegent-task-admin-1", "endpoint": "status",
                                  "probe": {"url": "http://x/status", "status": 404}}]}),
        ),
        (
            members::REDIS.into(),
            json!({"reachable": true, "server_time": 1768889400.5,
                   "heartbeat": {"key": "task:heartbeat:89", "value": 1768889300.0,
                                 "age_seconds": 100.5, "ttl_seconds": 20},
                   "queue_lengths": {"wegent:task_queue:online:default": 0}}),
        ),
        (
            members::WORKSPACE.into(),
            json!({"searched": ["/root/wecode-bot"], "repositories": [
                   {"path": "/root/wecode-bot/89/repo", "branch": "main", "head": "0123abcd",
                    "commits": [{"id": "0123abcd", "time": "2026-01-20T14:01:00+08:00", "summary": "wip"}],
                    "dirty": ["M src/lib.rs"], "remotes": {"origin": "https://example.invalid/r.git"}}]}),
        ),
        (
            members::LLM_PROBE.into(),
            json!({"model": "gpt", "reachable": true,
                   "probe": {"url": "https://gateway.invalid/v1/models", "status": 503}}),
        ),
        (
            members::executor_inspect("wegent-task-admin-1"),
            json!({"id": "abc", "name": "wegent-task-admin-1", "role": "executor",
                   "state": "exited", "exit_code": 137, "env": {"TZ": "Asia/Shanghai"},
                   "logs_truncated": false}),
        ),
    ]
}

pub const EXECUTOR_LOG: &str = "\
2026-01-20T06:03:12.123456789Z 2026-01-20 14:03:12 - [-] - [in /app/main.py:10] - INFO - TASK_INFO environment variable found, attempting to run task
2026-01-20T06:03:13.000000000Z 2026-01-20 14:03:13 - [-] - [in /app/cb.py:20] - INFO - Sending callback: task_id=89 subtask_id=312, progress=30
2026-01-20T06:04:00.000000000Z Killed
";

pub const MANAGER_LOG: &str = "\
2026-01-20 14:02:00,001 - [a1b2c3d4] - [in /app/routers.py:1] - INFO - Processing task: ID=89, executor_type=docker
INFO:     172.18.0.9:53312 - \"POST /executor-manager/callback HTTP/1.1\" 200 OK
2026-01-20 14:05:00 - [-] - [in /app/routers.py:2] - ERROR - Failed to update status for task 89: {}
";

/// Builds a writer with every member type of the layout.
pub fn sample_writer() -> BundleWriter {
    let mut writer = BundleWriter::new(base());
    for (member, value) in sample_json() {
        writer.add_json(&member, &value).unwrap();
    }
    writer
        .add_text(
            &members::executor_logs("wegent-task-admin-1"),
            EXECUTOR_LOG.into(),
        )
        .unwrap();
    writer
        .add_text(
            &members::service_log("executor-manager"),
            MANAGER_LOG.into(),
        )
        .unwrap();
    writer.set_source(SourceEntry {
        name: "db".into(),
        status: SourceStatus::Ok,
        duration_ms: 12,
        error: None,
        truncation: vec![],
        members: vec![members::DB_TASK.into(), members::DB_SUBTASKS.into()],
    });
    writer.set_source(SourceEntry {
        name: "redis".into(),
        status: SourceStatus::Failed,
        duration_ms: 5,
        error: Some("connection refused".into()),
        truncation: vec![],
        members: vec![],
    });
    writer
}

/// Writes a zip whose entries are given as (name, data, unix mode), with deflate.
pub fn write_raw_zip(path: &Path, entries: &[(&str, &[u8])]) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap();
}

/// Replaces every occurrence of `from` by `to` (same length) in a file.
pub fn patch_bytes(path: &Path, from: &[u8], to: &[u8]) {
    assert_eq!(from.len(), to.len());
    let mut bytes = std::fs::read(path).unwrap();
    let mut count = 0;
    let mut i = 0;
    while i + from.len() <= bytes.len() {
        if &bytes[i..i + from.len()] == from {
            bytes[i..i + from.len()].copy_from_slice(to);
            count += 1;
            i += from.len();
        } else {
            i += 1;
        }
    }
    assert!(count > 0, "pattern not found");
    std::fs::write(path, bytes).unwrap();
}

/// Offset of the central directory header of `name` in zip bytes.
pub fn central_header(bytes: &[u8], name: &str) -> usize {
    let signature = [0x50, 0x4b, 0x01, 0x02];
    (0..bytes.len() - 46)
        .find(|&at| {
            bytes[at..at + 4] == signature && {
                let len = u16::from_le_bytes([bytes[at + 28], bytes[at + 29]]) as usize;
                bytes.get(at + 46..at + 46 + len) == Some(name.as_bytes())
            }
        })
        .expect("central header not found")
}
