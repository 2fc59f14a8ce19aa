//! The bundle writer and the redactor together: a value learned from a secret-named key
//! in one member is removed from every member, whichever was added first.

use std::collections::BTreeMap;

use wegent_analyzer::bundle::writer::{BundleWriter, ManifestBase};
use wegent_collector::redact::Redactor;

#[test]
fn learned_secret_is_masked_in_earlier_members() {
    let secret = "Zq7vK2mP9xR4tW8nB3cL";
    let dir = tempfile::Builder::new()
        .prefix("wi-test-redact-writer")
        .tempdir()
        .unwrap();
    let out = dir.path().join("bundle.zip");

    let mut writer = BundleWriter::new(ManifestBase {
        tool_version: "test".into(),
        task_id: 89,
        collected_at: "2026-01-20T06:00:00Z".into(),
        host_utc_offset: "+08:00".into(),
        options: BTreeMap::new(),
    });
    // "a" sorts before "z", so the log line is redacted before the JSON that reveals the value.
    writer
        .add_text(
            "logs/a.txt",
            format!("2026-01-20 14:00:00 connecting with {secret}\n"),
        )
        .unwrap();
    writer
        .add_json(
            "services/z.json",
            &serde_json::json!({ "password": secret }),
        )
        .unwrap();

    let mut redactor = Redactor::new();
    let written = writer
        .finish(&mut redactor, &out)
        .expect("the gate must not stop the bundle");

    let bundle = wegent_analyzer::bundle::reader::open(&written.path).unwrap();
    let line = bundle
        .log_lines
        .iter()
        .find(|l| l.member == "logs/a.txt")
        .unwrap();
    assert!(
        line.text.contains("[REDACTED:"),
        "log line was not masked: {}",
        line.text
    );
    assert!(!line.text.contains(secret));
}
