//! Writer tests: determinism, redaction and gate, atomic output, round trip through the reader.

mod bundle_support;

use std::collections::BTreeMap;

use bundle_support::*;
use serde::de::DeserializeOwned;
use serde_json::Value;
use wegent_analyzer::bundle::model::*;
use wegent_analyzer::bundle::redact_seam::{GateHit, MemberRedactor, NoRedaction};
use wegent_analyzer::bundle::writer::BundleWriter;
use wegent_analyzer::bundle::{Bundle, WriteError, open};

fn typed<T: DeserializeOwned>(member: &str) -> T {
    let value = sample_json()
        .into_iter()
        .find(|(name, _)| name == member)
        .unwrap()
        .1;
    serde_json::from_value(value).unwrap()
}

#[test]
fn round_trip_keeps_every_member_type() {
    let dir = temp_dir();
    let out = dir.path().join("bundle.zip");
    let written = sample_writer().finish(&mut NoRedaction, &out).unwrap();
    let bundle = open(&out).unwrap();

    assert_eq!(bundle.manifest.as_ref(), Some(&written.manifest));
    assert_eq!(
        bundle.deployment,
        Some(typed::<Deployment>(members::DEPLOYMENT))
    );
    assert_eq!(
        bundle.db_server,
        Some(typed::<DbServer>(members::DB_SERVER))
    );
    assert_eq!(bundle.task, Some(Some(typed::<TaskRow>(members::DB_TASK))));
    assert_eq!(
        bundle.subtasks,
        Some(typed::<Subtasks>(members::DB_SUBTASKS))
    );
    assert_eq!(bundle.models, Some(typed::<Models>(members::DB_MODELS)));
    assert_eq!(bundle.owner, Some(typed::<Owner>(members::DB_OWNER)));
    assert_eq!(
        bundle.containers,
        Some(typed::<Containers>(members::CONTAINERS))
    );
    assert_eq!(
        bundle.executor_manager,
        Some(typed::<ExecutorManager>(members::EXECUTOR_MANAGER))
    );
    assert_eq!(bundle.redis, Some(typed::<RedisState>(members::REDIS)));
    assert_eq!(
        bundle.workspace,
        Some(typed::<Workspace>(members::WORKSPACE))
    );
    assert_eq!(
        bundle.llm_probe,
        Some(typed::<LlmProbe>(members::LLM_PROBE))
    );
    let inspect: ExecutorInspect = typed(&members::executor_inspect("wegent-task-admin-1"));
    assert_eq!(bundle.executors.get("wegent-task-admin-1"), Some(&inspect));
}

#[test]
fn round_trip_indexes_log_members() {
    let dir = temp_dir();
    let out = dir.path().join("bundle.zip");
    sample_writer().finish(&mut NoRedaction, &out).unwrap();
    let bundle = open(&out).unwrap();

    let paths: Vec<&str> = bundle
        .text_members
        .iter()
        .map(|m| m.path.as_str())
        .collect();
    assert_eq!(
        paths,
        vec![
            "executors/wegent-task-admin-1/logs.txt",
            "logs/executor-manager.txt"
        ]
    );
    assert_eq!(bundle.text_members[0].lines, 3);
    assert_eq!(bundle.text_members[0].bytes, EXECUTOR_LOG.len() as u64);

    let executor: Vec<_> = bundle
        .lines_of("executors/wegent-task-admin-1/logs.txt")
        .collect();
    assert_eq!(executor.len(), 3);
    assert!(executor[0].text.starts_with("2026-01-20 14:03:12 - [-]"));
    assert_eq!(
        executor[0].docker_time.unwrap().to_rfc3339(),
        "2026-01-20T06:03:12.123456789+00:00"
    );
    assert_eq!(
        executor[0].app_time.unwrap().to_string(),
        "2026-01-20 14:03:12"
    );
    assert_eq!(executor[2].text, "Killed");
    assert_eq!(executor[2].app_time, None);

    let manager: Vec<_> = bundle.lines_of("logs/executor-manager.txt").collect();
    assert_eq!(
        manager[0].app_time.unwrap().to_string(),
        "2026-01-20 14:02:00.001"
    );
    assert_eq!(manager[1].app_time, None);
    assert_eq!(manager[2].line_no, 3);
}

#[test]
fn round_trip_through_folder() {
    let dir = temp_dir();
    let out = dir.path().join("bundle");
    let written = sample_writer().finish_dir(&mut NoRedaction, &out).unwrap();
    let from_folder = open(&out).unwrap();

    let zip_path = dir.path().join("bundle.zip");
    sample_writer().finish(&mut NoRedaction, &zip_path).unwrap();
    let from_zip = open(&zip_path).unwrap();

    assert_eq!(from_folder.manifest, Some(written.manifest));
    assert_eq!(from_folder.log_lines, from_zip.log_lines);
    assert_eq!(from_folder.task, from_zip.task);
    assert!(out.join("manifest.json").is_file());
    assert_eq!(
        written.sha256,
        wegent_analyzer::bundle::digest::sha256_hex(
            &std::fs::read(out.join("manifest.json")).unwrap()
        )
    );
}

#[test]
fn task_null_reads_as_row_missing() {
    let dir = temp_dir();
    let out = dir.path().join("bundle.zip");
    let mut writer = BundleWriter::new(base());
    writer.add_json(members::DB_TASK, &Value::Null).unwrap();
    writer.finish(&mut NoRedaction, &out).unwrap();

    let bundle: Bundle = open(&out).unwrap();
    assert_eq!(bundle.task, Some(None));
    assert_eq!(bundle.subtasks, None);
}

#[test]
fn identical_input_gives_identical_bytes() {
    let dir = temp_dir();
    let first = dir.path().join("first.zip");
    let second = dir.path().join("second.zip");

    let written = sample_writer().finish(&mut NoRedaction, &first).unwrap();

    // Same members added in reverse order.
    let mut writer = BundleWriter::new(base());
    let mut json = sample_json();
    json.reverse();
    writer
        .add_text(
            &members::service_log("executor-manager"),
            MANAGER_LOG.into(),
        )
        .unwrap();
    writer
        .add_text(
            &members::executor_logs("wegent-task-admin-1"),
            EXECUTOR_LOG.into(),
        )
        .unwrap();
    for (member, value) in json {
        writer.add_json(&member, &value).unwrap();
    }
    for source in sample_writer_sources() {
        writer.set_source(source);
    }
    let again = writer.finish(&mut NoRedaction, &second).unwrap();

    let first_bytes = std::fs::read(&first).unwrap();
    assert_eq!(first_bytes, std::fs::read(&second).unwrap());
    assert_eq!(written.sha256, again.sha256);
    assert_eq!(written.size, first_bytes.len() as u64);
}

fn sample_writer_sources() -> Vec<SourceEntry> {
    let dir = temp_dir();
    let out = dir.path().join("bundle.zip");
    sample_writer()
        .finish(&mut NoRedaction, &out)
        .unwrap()
        .manifest
        .sources
}

#[test]
fn zip_has_manifest_first_then_sorted_members() {
    let dir = temp_dir();
    let out = dir.path().join("bundle.zip");
    sample_writer().finish(&mut NoRedaction, &out).unwrap();

    let mut archive = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let names: Vec<String> = archive.file_names().map(str::to_string).collect();
    assert_eq!(names[0], "manifest.json");
    let mut rest = names[1..].to_vec();
    rest.sort();
    assert_eq!(names[1..], rest[..]);

    for index in 0..archive.len() {
        let entry = archive.by_index(index).unwrap();
        assert_eq!(
            entry.last_modified(),
            Some(zip::DateTime::default()),
            "{}",
            entry.name()
        );
        assert_eq!(
            entry.unix_mode().map(|m| m & 0o777),
            Some(0o644),
            "{}",
            entry.name()
        );
        assert_eq!(
            entry.compression(),
            zip::CompressionMethod::Deflated,
            "{}",
            entry.name()
        );
    }
}

#[test]
fn json_members_are_pretty_with_newline() {
    let dir = temp_dir();
    let out = dir.path().join("bundle");
    sample_writer().finish_dir(&mut NoRedaction, &out).unwrap();

    let owner = std::fs::read_to_string(out.join("db/owner.json")).unwrap();
    assert_eq!(
        owner,
        "{\n  \"user_id\": 1,\n  \"user_name\": \"admin\"\n}\n"
    );
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(
        manifest.starts_with("{\n  \"format_version\": \"1.0\",\n"),
        "{manifest}"
    );
}

/// Replaces `s3cr3t` by `***`, renames `admin` to `user-1`, and gates on `LEAK`.
#[derive(Default)]
struct TestRedactor {
    replaced: BTreeMap<String, u64>,
}

impl MemberRedactor for TestRedactor {
    fn redact_name(&mut self, name: &str) -> String {
        name.replace("admin", "user-1")
    }

    fn redact_member(&mut self, member: &str, data: &[u8]) -> Option<Vec<u8>> {
        let text = std::str::from_utf8(data).ok()?;
        let count = text.matches("s3cr3t").count() as u64;
        if count == 0 {
            return None;
        }
        *self.replaced.entry(member.to_string()).or_default() += count;
        Some(text.replace("s3cr3t", "***").into_bytes())
    }

    fn gate(&self, member: &str, data: &[u8]) -> Result<(), GateHit> {
        if data.windows(4).any(|w| w == b"LEAK") {
            return Err(GateHit {
                member: member.to_string(),
                rule: "test-leak".into(),
            });
        }
        Ok(())
    }

    fn summary(&self) -> RedactionSummary {
        let total = self.replaced.values().sum();
        let by_member = self
            .replaced
            .iter()
            .map(|(member, count)| {
                (
                    member.clone(),
                    BTreeMap::from([("test-secret".to_string(), *count)]),
                )
            })
            .collect();
        RedactionSummary {
            total,
            by_rule: BTreeMap::from([("test-secret".to_string(), total)]),
            by_member,
            pseudonymized: true,
        }
    }
}

#[test]
fn redactor_rewrites_names_bodies_and_manifest() {
    let dir = temp_dir();
    let out = dir.path().join("bundle.zip");
    let mut writer = sample_writer();
    writer
        .add_text("logs/backend.txt", "token=s3cr3t\nagain s3cr3t\n".into())
        .unwrap();
    writer.set_source(SourceEntry {
        name: "redis".into(),
        status: SourceStatus::Failed,
        duration_ms: 5,
        error: Some("redis://:s3cr3t@127.0.0.1 refused".into()),
        truncation: vec![],
        members: vec![],
    });
    let written = writer.finish(&mut TestRedactor::default(), &out).unwrap();
    let bundle = open(&out).unwrap();

    let manifest = bundle.manifest.clone().unwrap();
    assert!(
        manifest
            .members
            .contains_key("executors/wegent-task-user-1-1/logs.txt")
    );
    assert!(!manifest.members.keys().any(|name| name.contains("admin")));
    assert_eq!(manifest.redaction.by_rule.get("test-secret"), Some(&3));
    assert_eq!(
        manifest.redaction.by_member["logs/backend.txt"]["test-secret"],
        2
    );
    let redis = manifest.sources.iter().find(|s| s.name == "redis").unwrap();
    assert_eq!(
        redis.error.as_deref(),
        Some("redis://:***@127.0.0.1 refused")
    );
    assert_eq!(written.manifest, manifest);

    let backend: Vec<&str> = bundle
        .lines_of("logs/backend.txt")
        .map(|l| l.text.as_str())
        .collect();
    assert_eq!(backend, vec!["token=***", "again ***"]);
}

#[test]
fn gate_hit_leaves_no_file() {
    let dir = temp_dir();
    let out = dir.path().join("bundle.zip");
    let mut writer = sample_writer();
    writer
        .add_text("logs/backend.txt", "value LEAK here\n".into())
        .unwrap();

    let error = writer
        .finish(&mut TestRedactor::default(), &out)
        .unwrap_err();
    match &error {
        WriteError::GateHit { member, rule } => {
            assert_eq!(member, "logs/backend.txt");
            assert_eq!(rule, "test-leak");
        }
        other => panic!("unexpected error {other:?}"),
    }
    assert!(error.to_string().contains("logs/backend.txt"));
    assert!(!error.to_string().contains("LEAK here"));
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "files left behind: {left:?}");
}

#[test]
fn gate_hit_in_manifest_leaves_no_folder() {
    let dir = temp_dir();
    let out = dir.path().join("bundle");
    let mut writer = sample_writer();
    writer.set_source(SourceEntry {
        name: "db".into(),
        status: SourceStatus::Failed,
        duration_ms: 1,
        error: Some("LEAK".into()),
        truncation: vec![],
        members: vec![],
    });

    let error = writer
        .finish_dir(&mut TestRedactor::default(), &out)
        .unwrap_err();
    assert!(
        matches!(&error, WriteError::GateHit { member, .. } if member == "manifest.json"),
        "{error:?}"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "files left behind: {left:?}");
}

#[test]
fn add_rejects_bad_names() {
    let mut writer = BundleWriter::new(base());
    for name in [
        "../x.txt",
        "/abs.txt",
        "logs\\a.txt",
        "logs/a\0.txt",
        "logs//a.txt",
    ] {
        let error = writer.add_text(name, String::new()).unwrap_err();
        assert!(
            matches!(error, WriteError::InvalidMemberName { .. }),
            "{name:?}: {error:?}"
        );
    }
    assert!(matches!(
        writer.add_text("manifest.json", String::new()).unwrap_err(),
        WriteError::ReservedMember
    ));
    writer.add_text("logs/a.txt", String::new()).unwrap();
    assert!(matches!(
        writer.add_text("logs/a.txt", String::new()).unwrap_err(),
        WriteError::DuplicateMember { .. }
    ));
    assert_eq!(writer.members(), vec!["logs/a.txt".to_string()]);
}

#[test]
fn add_file_reads_at_finish() {
    let dir = temp_dir();
    let source = dir.path().join("wi-test-log.txt");
    std::fs::write(&source, "line ERROR\n").unwrap();
    let mut writer = BundleWriter::new(base());
    writer.add_file("logs/backend.txt", &source).unwrap();
    std::fs::write(&source, "line ERROR\nsecond\n").unwrap();

    let out = dir.path().join("bundle.zip");
    writer.finish(&mut NoRedaction, &out).unwrap();
    let bundle = open(&out).unwrap();
    assert_eq!(bundle.text_members[0].lines, 2);
}

#[test]
fn finish_dir_rejects_non_empty_folder() {
    let dir = temp_dir();
    std::fs::write(dir.path().join("keep.txt"), "x").unwrap();
    let error = sample_writer()
        .finish_dir(&mut NoRedaction, dir.path())
        .unwrap_err();
    assert!(
        matches!(error, WriteError::OutputDirNotEmpty { .. }),
        "{error:?}"
    );
}
