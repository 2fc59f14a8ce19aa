//! Behaviour of the redaction engine as the collector and the bundle writer use it.

use std::borrow::Cow;

use regex::Regex;
use wegent_analyzer::bundle::redact_seam::{GateHit, MemberRedactor};
use wegent_collector::redact::encoding::{base64_fragments, json_escape, percent_encode};
use wegent_collector::redact::{IdentityKind, Redactor};

const GITHUB_TOKEN_PREFIX: &str = "ghp_";

/// Builds a GitHub-shaped token at run time, so the source contains no complete token.
fn github_token(fill: char) -> String {
    format!(
        "{GITHUB_TOKEN_PREFIX}{}",
        fill.to_string().repeat(30) + "A1b2C3"
    )
}

fn redact(redactor: &Redactor, member: &str, text: &str) -> String {
    match redactor.redact_member_bytes(member, text.as_bytes()) {
        Some(bytes) => String::from_utf8(bytes).unwrap(),
        None => text.to_string(),
    }
}

fn masks(text: &str) -> Vec<String> {
    let mask = Regex::new(r"\[REDACTED:[a-z0-9-]+:[0-9a-f]{8}\]").unwrap();
    mask.find_iter(text)
        .map(|m| m.as_str().to_string())
        .collect()
}

#[test]
fn mask_has_rule_and_digest() {
    let redactor = Redactor::new();
    let output = redact(
        &redactor,
        "logs/x.txt",
        &format!("token {}", github_token('a')),
    );
    let found = masks(&output);
    assert_eq!(found.len(), 1, "{output}");
    assert!(found[0].starts_with("[REDACTED:github-token:"), "{output}");
}

#[test]
fn same_secret_same_mask_across_members() {
    let redactor = Redactor::new();
    let token = github_token('a');
    let first = redact(&redactor, "a.txt", &format!("x {token}"));
    let second = redact(
        &redactor,
        "b.json",
        &format!(r#"{{"git_token": "{token}"}}"#),
    );
    assert_eq!(masks(&first), masks(&second));
}

#[test]
fn different_secrets_different_masks() {
    let redactor = Redactor::new();
    let output = redact(
        &redactor,
        "a.txt",
        &format!("{} {}", github_token('a'), github_token('b')),
    );
    let found = masks(&output);
    assert_eq!(found.len(), 2);
    assert_ne!(found[0], found[1]);
}

#[test]
fn masks_differ_between_redactors() {
    let text = format!("x {}", github_token('a'));
    let first = redact(&Redactor::new(), "a.txt", &text);
    let second = redact(&Redactor::new(), "a.txt", &text);
    assert_ne!(masks(&first), masks(&second));
}

#[test]
fn clean_member_is_none() {
    let redactor = Redactor::new();
    let text =
        r#"{"task_id": 89, "status": "RUNNING", "api_key_name": "default", "max_tokens": 4096}"#;
    assert_eq!(
        redactor.redact_member_bytes("db/task.json", text.as_bytes()),
        None
    );
    assert_eq!(redactor.summary().total, 0);
}

#[test]
fn redact_str_borrows_clean_text() {
    let redactor = Redactor::new();
    assert!(matches!(
        redactor.redact_str("collecting mysql"),
        Cow::Borrowed(_)
    ));
    let owned = redactor.redact_str("connecting to mysql://root:hunter2pw@db:3306/x failed");
    assert!(matches!(owned, Cow::Owned(_)));
    assert!(!owned.contains("hunter2pw"), "{owned}");
}

#[test]
fn redact_str_does_not_count() {
    let redactor = Redactor::new();
    let _ = redactor.redact_str(&format!("x {}", github_token('a')));
    assert_eq!(redactor.summary().total, 0);
}

#[test]
fn remembered_value_masked_in_every_encoding() {
    let redactor = Redactor::new();
    let value = "p@ss/w:rd+Opaque9";
    redactor.remember(value, "container-env");

    let mut forms = vec![
        value.to_string(),
        String::from_utf8(percent_encode(value.as_bytes(), false, b"0123456789ABCDEF")).unwrap(),
        String::from_utf8(json_escape(format!("x\"{value}").as_bytes())).unwrap(),
    ];
    for prefix in ["", "a", "ab"] {
        use base64::Engine as _;
        let plain = format!("{prefix}{value}!");
        forms.push(base64::engine::general_purpose::STANDARD.encode(&plain));
        forms.push(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&plain));
    }

    for form in forms {
        let output = redact(&redactor, "logs/x.txt", &format!("value: <{form}>"));
        assert!(!output.contains(value), "{form} -> {output}");
        assert!(
            output.contains("[REDACTED:container-env:"),
            "{form} -> {output}"
        );
        for alignment in 0..3 {
            for fragment in base64_fragments(value.as_bytes(), alignment) {
                let fragment = String::from_utf8(fragment).unwrap();
                assert!(!output.contains(&fragment), "{form} -> {output}");
            }
        }
    }
}

#[test]
fn remembered_value_has_one_mask_in_all_forms() {
    let redactor = Redactor::new();
    let value = "Opaque-Value-123";
    redactor.remember(value, "git-token");
    let encoded = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(value)
    };
    let output = redact(&redactor, "x.txt", &format!("{value} {encoded}"));
    let found = masks(&output);
    assert_eq!(found.len(), 2, "{output}");
    assert_eq!(found[0], found[1]);
}

#[test]
fn short_remembered_values_are_not_spread() {
    let redactor = Redactor::new();
    redactor.remember("abc1234", "container-env");
    assert_eq!(
        redactor.redact_member_bytes("x.txt", b"id abc1234 here"),
        None
    );
}

#[test]
fn placeholders_are_not_remembered() {
    let redactor = Redactor::new();
    redactor.remember("********", "container-env");
    redactor.remember("${GIT_TOKEN}", "container-env");
    assert_eq!(
        redactor.redact_member_bytes("x.txt", b"a ******** b ${GIT_TOKEN}"),
        None
    );
}

#[test]
fn remembered_before_writing_covers_earlier_members() {
    // The collector remembers environment values while collecting; the writer redacts
    // afterwards, so the log written first is covered too.
    let redactor = Redactor::new();
    let value = "opaqueTokenValue42";
    let members = [
        (
            "executors/e/logs.txt",
            format!("clone failed with credential {value}"),
        ),
        (
            "executors/e/inspect.json",
            format!(r#"{{"env": {{"GIT_TOKEN": "{value}"}}}}"#),
        ),
    ];
    redactor.remember(value, "container-env");
    for (member, text) in &members {
        let output = redact(&redactor, member, text);
        assert!(!output.contains(value), "{member}: {output}");
        assert_eq!(redactor.gate_bytes(output.as_bytes()), None);
    }
}

#[test]
fn learned_value_spreads_to_later_members() {
    let redactor = Redactor::new();
    let value = "learned-Secret-77";
    let json = redact(
        &redactor,
        "db/task.json",
        &format!(r#"{{"password": "{value}"}}"#),
    );
    assert!(!json.contains(value));
    let log = redact(
        &redactor,
        "logs/backend.txt",
        &format!("login with {value} failed"),
    );
    assert!(!log.contains(value), "{log}");
}

#[test]
fn learned_value_in_earlier_member_fails_gate() {
    let redactor = Redactor::new();
    let value = "learned-Secret-78";
    let log = redact(
        &redactor,
        "logs/backend.txt",
        &format!("login with {value} failed"),
    );
    let _ = redact(
        &redactor,
        "db/task.json",
        &format!(r#"{{"password": "{value}"}}"#),
    );
    let hit = MemberRedactor::gate(&redactor, "logs/backend.txt", log.as_bytes());
    assert_eq!(
        hit,
        Err(GateHit {
            member: "logs/backend.txt".into(),
            rule: "password".into()
        })
    );
}

#[test]
fn learn_before_redacting_covers_earlier_members() {
    let redactor = Redactor::new();
    let value = "learned-Secret-79";
    let log = format!("login with {value} failed");
    let json = format!(r#"{{"password": "{value}"}}"#);
    redactor.learn(log.as_bytes());
    redactor.learn(json.as_bytes());
    let log = redact(&redactor, "logs/backend.txt", &log);
    assert!(!log.contains(value), "{log}");
}

#[test]
fn prose_values_are_not_learned() {
    let redactor = Redactor::new();
    let executor = "wegent-task-admin-e47497646f4e26c";
    let _ = redact(&redactor, "a.txt", &format!("resumed session: {executor}"));
    let later = format!("executor_name={executor}");
    assert_eq!(
        redactor.redact_member_bytes("b.txt", later.as_bytes()),
        None
    );
    assert_eq!(redactor.gate_bytes(later.as_bytes()), None);
}

#[test]
fn name_counted_once() {
    let redactor = Redactor::new();
    let name = format!("workspace/files/{}.txt", github_token('h'));
    let first = redactor.redact_member_name(&name);
    let second = redactor.redact_member_name(&name);
    assert_eq!(first, second);
    assert_eq!(redactor.summary().total, 1);
}

#[test]
fn ordinary_words_are_not_learned() {
    let redactor = Redactor::new();
    let _ = redact(&redactor, "a.json", r#"{"password": "changeme"}"#);
    assert_eq!(
        redactor.redact_member_bytes("b.txt", b"please changeme later"),
        None
    );
}

#[test]
fn objects_and_lists_under_secret_keys() {
    let redactor = Redactor::new();
    let text = r#"{"credentials": {"user": "bob", "pin": 99887766, "enabled": true}, "api_keys": ["k-one-1", "k-two-2"], "name": "x"}"#;
    let output = redact(&redactor, "db/task.json", text);
    for secret in ["bob", "99887766", "k-one-1", "k-two-2"] {
        assert!(!output.contains(secret), "{output}");
    }
    let parsed: serde_json::Value = serde_json::from_str(&output).unwrap();
    assert_eq!(parsed["credentials"]["enabled"], true);
    assert_eq!(parsed["name"], "x");
}

#[test]
fn summary_counts_rules_and_members() {
    let redactor = Redactor::new();
    let _ = redact(
        &redactor,
        "a.txt",
        &format!("{} password=hunter2x", github_token('a')),
    );
    let _ = redact(&redactor, "b.txt", &github_token('b'));
    let summary = redactor.summary();
    assert_eq!(summary.total, 3);
    assert_eq!(summary.by_rule["github-token"], 2);
    assert_eq!(summary.by_rule["password"], 1);
    assert_eq!(summary.by_member["a.txt"]["password"], 1);
    assert_eq!(summary.by_member["b.txt"]["github-token"], 1);
    assert!(!summary.pseudonymized);
    let json = serde_json::to_string(&summary).unwrap();
    assert!(!json.contains("hunter2x"));
}

#[test]
fn gate_reports_member_and_rule() {
    let redactor = Redactor::new();
    let raw = format!("leftover {}", github_token('c'));
    let hit = MemberRedactor::gate(&redactor, "logs/x.txt", raw.as_bytes());
    assert_eq!(
        hit,
        Err(GateHit {
            member: "logs/x.txt".into(),
            rule: "github-token".into()
        })
    );
}

#[test]
fn gate_ignores_masks() {
    let redactor = Redactor::new();
    let output = redact(
        &redactor,
        "x.txt",
        &format!(
            "{} sk-{} mysql://u:pw123456@h Bearer abcDEF123456",
            github_token('d'),
            "x".repeat(40)
        ),
    );
    assert_eq!(redactor.gate_bytes(output.as_bytes()), None, "{output}");
    assert_eq!(
        redactor.gate_bytes(b"[REDACTED:github-token:0a1b2c3d]"),
        None
    );
}

#[test]
fn gate_checks_remembered_values() {
    let redactor = Redactor::new();
    redactor.remember("opaqueTokenValue43", "git-token");
    assert_eq!(
        redactor.gate_bytes(b"x opaqueTokenValue43 y").as_deref(),
        Some("git-token")
    );
}

#[test]
fn gate_skips_key_rules() {
    // Key rules ran during redaction; the gate looks for shapes and known values only.
    let redactor = Redactor::new();
    assert_eq!(redactor.gate_bytes(br#"{"password": "plain"}"#), None);
}

#[test]
fn wegent_defaults_are_masked() {
    let redactor = Redactor::new();
    let text = "GIT_TOKEN_AES_KEY=12345678901234567890123456789012\n\
                GIT_TOKEN_AES_IV=1234567890123456\nSECRET_KEY=your-secret-key-here\n";
    let output = redact(&redactor, "x.txt", text);
    assert!(
        output.contains("[REDACTED:wegent-default-aes-key:"),
        "{output}"
    );
    assert!(
        output.contains("[REDACTED:wegent-default-aes-iv:"),
        "{output}"
    );
    assert!(
        output.contains("[REDACTED:wegent-default-jwt-key:"),
        "{output}"
    );
}

#[test]
fn pseudonymize_is_off_by_default() {
    let redactor = Redactor::new();
    redactor.remember_identity(IdentityKind::UserName, "alice");
    let text = "alice at 10.1.2.3 mailed alice@corp.example.com";
    assert_eq!(redactor.redact_member_bytes("x.txt", text.as_bytes()), None);
    assert!(!redactor.is_pseudonymizing());
}

#[test]
fn pseudonymize_replaces_consistently() {
    let redactor = Redactor::new().pseudonymize(true);
    redactor.remember_identity(IdentityKind::UserName, "alice");
    redactor.remember_identity(IdentityKind::Hostname, "db01.corp.internal");

    let first = redact(
        &redactor,
        "executors/wegent-task-alice-e47497646f4e26c/logs.txt",
        "user alice on db01.corp.internal from 10.1.2.3 and 127.0.0.1, mail alice@corp.example.com, bind 0.0.0.0:8001",
    );
    let second = redact(
        &redactor,
        "services/containers.json",
        r#"{"labels": {"user": "alice"}, "ip": "10.1.2.3"}"#,
    );

    assert!(!first.contains("alice"), "{first}");
    assert!(!second.contains("alice"), "{second}");
    assert!(!first.contains("10.1.2.3"), "{first}");
    assert!(!second.contains("10.1.2.3"), "{second}");
    assert!(!first.contains("db01.corp.internal"), "{first}");
    assert!(first.contains("127.0.0.1"), "{first}");
    assert!(first.contains("0.0.0.0:8001"), "{first}");
    assert!(first.contains("user-1"), "{first}");
    assert!(second.contains("\"user-1\""), "{second}");
    assert!(first.contains("192.0.2.1"), "{first}");
    assert!(second.contains("192.0.2.1"), "{second}");
    assert!(first.contains("host-1.example.invalid"), "{first}");
    assert!(first.contains("@example.invalid"), "{first}");

    let name = redactor.redact_member_name("executors/wegent-task-alice-e47497646f4e26c/logs.txt");
    assert_eq!(
        name,
        "executors/wegent-task-user-1-e47497646f4e26c/logs.txt"
    );

    let summary = redactor.summary();
    assert!(summary.pseudonymized);
    assert!(summary.by_rule["pseudonym-ip"] >= 2);
}

#[test]
fn pseudonyms_are_valid_and_stable_on_second_pass() {
    let redactor = Redactor::new().pseudonymize(true);
    let output = redact(
        &redactor,
        "x.txt",
        "from 172.18.0.9 to bob@corp.example.com",
    );
    assert_eq!(
        redactor.redact_member_bytes("x.txt", output.as_bytes()),
        None,
        "{output}"
    );
}

#[test]
fn member_names_are_redacted() {
    let redactor = Redactor::new();
    let token = github_token('e');
    let name = redactor.redact_member_name(&format!("workspace/files/{token}.txt"));
    assert!(!name.contains(&token), "{name}");
    assert!(redactor.summary().by_member.contains_key(&name));
    assert_eq!(redactor.redact_member_name("db/task.json"), "db/task.json");
}

#[test]
fn works_through_the_seam() {
    let redactor = Redactor::new();
    let token = github_token('f');
    {
        let mut shared = &redactor;
        let seam: &mut dyn MemberRedactor = &mut shared;
        let name = seam.redact_name("logs/x.txt");
        let body = seam
            .redact_member(&name, format!("t {token}").as_bytes())
            .unwrap();
        assert_eq!(seam.gate(&name, &body), Ok(()));
        assert_eq!(seam.summary().total, 1);
    }
    let mut owned = Redactor::new();
    let seam: &mut dyn MemberRedactor = &mut owned;
    assert_eq!(seam.redact_member("x", b"nothing"), None);
}

#[test]
fn invalid_utf8_is_handled() {
    let redactor = Redactor::new();
    let mut data = b"\xff\xfe token=abcdef123 \xc3".to_vec();
    data.extend_from_slice(github_token('g').as_bytes());
    let output = redactor.redact_member_bytes("x.bin", &data).unwrap();
    assert!(!output.windows(9).any(|w| w == b"abcdef123"));
    assert!(output.starts_with(b"\xff\xfe"));
}
