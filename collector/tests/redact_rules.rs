//! User rules from a TOML file (`collect --redaction-rules FILE`).

use std::io::Write;

use wegent_collector::redact::{Redactor, RuleProblem, RulesError};

/// Writes `text` to a temporary rules file that is removed when dropped.
fn rules_file(text: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new()
        .prefix("wi-test-rules-")
        .suffix(".toml")
        .tempfile()
        .expect("temporary file");
    file.write_all(text.as_bytes()).unwrap();
    file
}

fn redact(redactor: &Redactor, text: &str) -> String {
    match redactor.redact_member_bytes("logs/x.txt", text.as_bytes()) {
        Some(bytes) => String::from_utf8(bytes).unwrap(),
        None => text.to_string(),
    }
}

const RULES: &str = r#"
[[rule]]
name = "corp-token"
regex = "corp_(?P<secret>[a-z0-9]{16})"

[[rule]]
name = "corp-password"
literal = "Lakeside-Orchid-77"

[[rule]]
name = "corp-header"
keys = ["x-corp-auth", "corp_pin"]
"#;

#[test]
fn user_rules_apply() {
    let file = rules_file(RULES);
    let redactor = Redactor::with_user_rules(file.path()).unwrap();

    let output = redact(
        &redactor,
        "id corp_0123456789abcdef, pw Lakeside-Orchid-77, X-Corp-Auth: zz99xx, {\"CORP_PIN\": \"4321\"}",
    );
    assert!(output.contains("corp_[REDACTED:corp-token:"), "{output}");
    assert!(output.contains("[REDACTED:corp-password:"), "{output}");
    assert!(
        output.contains("X-Corp-Auth: [REDACTED:corp-header:"),
        "{output}"
    );
    assert!(
        !output.contains("zz99xx") && !output.contains("4321"),
        "{output}"
    );
}

#[test]
fn user_literal_spreads_like_remembered_value() {
    use base64::Engine as _;
    let file = rules_file(RULES);
    let redactor = Redactor::with_user_rules(file.path()).unwrap();
    let encoded = base64::engine::general_purpose::STANDARD.encode("Lakeside-Orchid-77");
    let output = redact(&redactor, &format!("blob {encoded}"));
    assert!(output.contains("[REDACTED:corp-password:"), "{output}");
}

#[test]
fn user_rules_feed_the_gate() {
    let file = rules_file(RULES);
    let redactor = Redactor::with_user_rules(file.path()).unwrap();
    assert_eq!(
        redactor.gate_bytes(b"corp_0123456789abcdef").as_deref(),
        Some("corp-token")
    );
    assert_eq!(
        redactor.gate_bytes(b"Lakeside-Orchid-77").as_deref(),
        Some("corp-password")
    );
}

#[test]
fn built_in_rules_stay_on() {
    let file = rules_file(RULES);
    let redactor = Redactor::with_user_rules(file.path()).unwrap();
    let output = redact(
        &redactor,
        "password=hunter2x and 12345678901234567890123456789012",
    );
    assert!(!output.contains("hunter2x"), "{output}");
    assert!(
        output.contains("[REDACTED:wegent-default-aes-key:"),
        "{output}"
    );
}

#[test]
fn built_in_names_are_reserved() {
    let file = rules_file("[[rule]]\nname = \"github-token\"\nregex = \"x+\"\n");
    let err = Redactor::with_user_rules(file.path()).unwrap_err();
    assert!(matches!(
        err,
        RulesError::Rule {
            problem: RuleProblem::DuplicateName(_),
            ..
        }
    ));
    assert!(Redactor::builtin_rules().contains(&"password"));
}

#[test]
fn invalid_regex_names_file_rule_and_fix() {
    let file = rules_file(
        "[[rule]]\nname = \"ok-rule\"\nliteral = \"abcdefgh\"\n\n[[rule]]\nname = \"broken\"\nregex = \"corp_(\"\n",
    );
    let err = Redactor::with_user_rules(file.path()).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains(&file.path().display().to_string()),
        "{message}"
    );
    assert!(message.contains("rule 2 (broken)"), "{message}");
    assert!(message.contains("regex does not compile"), "{message}");
    assert!(message.contains("use literal"), "{message}");
    assert!(
        err.message_zh().contains("第 2 条规则"),
        "{}",
        err.message_zh()
    );
}

#[test]
fn invalid_toml_names_file_and_line() {
    let file = rules_file("[[rule]]\nname = \"a\"\nregex = \"unterminated\n");
    let err = Redactor::with_user_rules(file.path()).unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, RulesError::Syntax { .. }), "{message}");
    assert!(
        message.contains(&file.path().display().to_string()),
        "{message}"
    );
    assert!(message.contains("line 3"), "{message}");
    assert!(message.contains("[[rule]]"), "{message}");
}

#[test]
fn unknown_field_is_rejected() {
    let file = rules_file("[[rule]]\nname = \"a\"\nregexp = \"x+\"\n");
    let err = Redactor::with_user_rules(file.path()).unwrap_err();
    assert!(err.to_string().contains("regexp"), "{err}");
}

#[test]
fn missing_file_says_what_to_check() {
    let err = Redactor::with_user_rules("/nonexistent/wi-test-rules.toml").unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, RulesError::Read { .. }));
    assert!(
        message.contains("/nonexistent/wi-test-rules.toml"),
        "{message}"
    );
    assert!(message.contains("--redaction-rules"), "{message}");
}

#[test]
fn empty_file_adds_nothing() {
    let redactor = Redactor::with_user_rules_text("", "rules.toml").unwrap();
    assert_eq!(redactor.redact_member_bytes("x", b"plain text"), None);
}
