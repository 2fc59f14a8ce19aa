//! The planted-secret corpus must never survive redaction, and ordinary Wegent data must
//! pass byte-identical.

use wegent_analyzer::bundle::redact_seam::MemberRedactor;
use wegent_collector::redact::Redactor;
use wegent_collector::redact::corpus::{self, PlantedSecret};

/// Redacts one planted document the way the bundle writer does: name, body, then gate.
fn redact_planted(redactor: &Redactor, planted: &PlantedSecret) -> (String, String) {
    let name = redactor.redact_member_name(&planted.member);
    let body = redactor.redact_member_bytes(&name, planted.document.as_bytes());
    let output = match body {
        Some(bytes) => String::from_utf8(bytes).expect("redacted output is UTF-8"),
        None => planted.document.clone(),
    };
    (name, output)
}

fn prepared(planted: &PlantedSecret) -> Redactor {
    let redactor = Redactor::new();
    if let Some(rule) = planted.remembered {
        redactor.remember(&planted.value, rule);
    }
    redactor
}

#[test]
fn corpus_has_sixty_shapes() {
    assert!(corpus::planted_secrets().len() >= 60);
}

#[test]
fn planted_secrets_never_survive() {
    let mut failures = Vec::new();

    for planted in corpus::planted_secrets() {
        let redactor = prepared(&planted);
        let (name, output) = redact_planted(&redactor, &planted);
        let combined = format!("{name}\n{output}");
        if let Some(leak) = corpus::leak_in(&combined, &planted.value) {
            failures.push(format!(
                "{}: {leak} survived in\n    {combined}",
                planted.shape
            ));
        }
    }

    assert!(
        failures.is_empty(),
        "{} leaks:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn planted_secrets_survive_no_other_seed() {
    let mut failures = Vec::new();

    for seed in 1..=5 {
        let redactor = Redactor::new();
        let corpus = corpus::planted_secrets_seeded(seed);
        for planted in &corpus {
            if let Some(rule) = planted.remembered {
                redactor.remember(&planted.value, rule);
            }
        }
        for planted in &corpus {
            let (name, output) = redact_planted(&redactor, planted);
            if let Some(leak) = corpus::leak_in(&format!("{name}\n{output}"), &planted.value) {
                failures.push(format!("seed {seed}, {}: {leak}", planted.shape));
            }
        }
    }

    assert!(
        failures.is_empty(),
        "{} leaks:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn redacted_corpus_passes_gate() {
    for planted in corpus::planted_secrets() {
        let mut redactor = prepared(&planted);
        let (name, output) = redact_planted(&redactor, &planted);
        let gate = MemberRedactor::gate(&redactor, &name, output.as_bytes());
        assert_eq!(gate, Ok(()), "{}: {output}", planted.shape);
        assert_eq!(
            MemberRedactor::redact_member(&mut redactor, &name, output.as_bytes()),
            None,
            "{}: a second pass changed the output",
            planted.shape
        );
    }
}

#[test]
fn redacted_json_stays_json() {
    for planted in corpus::planted_secrets() {
        if serde_json::from_str::<serde_json::Value>(&planted.document).is_err() {
            continue;
        }
        let redactor = prepared(&planted);
        let (_, output) = redact_planted(&redactor, &planted);
        assert!(
            serde_json::from_str::<serde_json::Value>(&output).is_ok(),
            "{}: redacted JSON no longer parses:\n{output}",
            planted.shape
        );
    }
}

#[test]
fn one_bundle_redactor_covers_all_members() {
    let redactor = Redactor::new();
    let corpus = corpus::planted_secrets();
    for planted in &corpus {
        if let Some(rule) = planted.remembered {
            redactor.remember(&planted.value, rule);
        }
    }

    let outputs: Vec<String> = corpus
        .iter()
        .map(|planted| {
            let (name, output) = redact_planted(&redactor, planted);
            format!("{name}\n{output}")
        })
        .collect();
    let everything = outputs.join("\n");

    for planted in &corpus {
        assert_eq!(
            corpus::leak_in(&everything, &planted.value),
            None,
            "{}",
            planted.shape
        );
    }
    let summary = redactor.summary();
    assert!(summary.total >= corpus.len() as u64);
    let rendered = serde_json::to_string(&summary).unwrap();
    for planted in &corpus {
        assert!(
            !rendered.contains(&planted.value),
            "summary holds {}",
            planted.shape
        );
    }
}

#[test]
fn ordinary_documents_stay_byte_identical() {
    let mut failures = Vec::new();
    for ordinary in corpus::ordinary_documents() {
        let redactor = Redactor::new();
        if let Some(changed) =
            redactor.redact_member_bytes(ordinary.member, ordinary.document.as_bytes())
        {
            failures.push(format!(
                "{}:\n    before: {}\n    after:  {}",
                ordinary.what,
                ordinary.document,
                String::from_utf8_lossy(&changed)
            ));
        }
        let name = redactor.redact_member_name(ordinary.member);
        if name != ordinary.member {
            failures.push(format!("{}: member name changed to {name}", ordinary.what));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn ordinary_documents_pass_gate() {
    let redactor = Redactor::new();
    for ordinary in corpus::ordinary_documents() {
        assert_eq!(
            redactor.gate_bytes(ordinary.document.as_bytes()),
            None,
            "{}",
            ordinary.what
        );
    }
}

#[test]
fn sample_log_without_secrets_is_unchanged() {
    let log = corpus::sample_log(5_000, 7, None);
    let redactor = Redactor::new();
    assert_eq!(
        redactor.redact_member_bytes("logs/executor-manager.txt", log.as_bytes()),
        None
    );
}

#[test]
fn sample_log_with_secrets_is_cleaned() {
    let log = corpus::sample_log(5_000, 7, Some(50));
    let redactor = Redactor::new();
    let output = redactor
        .redact_member_bytes("logs/executor-manager.txt", log.as_bytes())
        .expect("secrets were planted");
    let output = String::from_utf8(output).unwrap();

    assert_eq!(output.lines().count(), 5_000);
    for (before, after) in log.lines().zip(output.lines()) {
        if let Some((_, secret)) = before.split_once(" extra=") {
            assert_eq!(corpus::leak_in(after, secret), None, "line: {after}");
        } else {
            assert_eq!(before, after);
        }
    }
    assert_eq!(redactor.summary().total, 100);
}
