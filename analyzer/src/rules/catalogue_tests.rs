//! Tests of the rule catalogue as a whole: ids, message tables, documentation.

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::RULES;
use super::catalogue_doc::{self, REQUIRED_SECTIONS};
use crate::i18n::{self, Lang};

/// Every rule id of the design catalogue, in the order of its table. The tests below fail
/// until each one is implemented and registered in that order, and whenever an id is
/// added, renamed, removed or moved.
const CATALOGUE_IDS: [&str; 29] = [
    "executor-missing",
    "executor-exited",
    "executor-exited-without-callback",
    "executor-oom-killed",
    "executor-alive-no-progress",
    "heartbeat-lost",
    "dispatch-lost",
    "never-dispatched",
    "executor-capacity-exhausted",
    "executor-start-failed",
    "orphan-executor",
    "executor-deleted-by-cleanup",
    "callback-failed",
    "callback-rejected-by-backend",
    "stuck-cancelling",
    "model-gateway-unavailable",
    "model-request-rejected",
    "model-not-configured",
    "git-clone-failed",
    "stale-completed-at",
    "stale-error-message",
    "task-subtask-status-mismatch",
    "no-executor-expected",
    "executor-manager-unreachable",
    "workspace-has-unreported-work",
    "errors-in-logs",
    "schema-drift",
    "clock-skew",
    "collection-incomplete",
];

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rule_source(file: &str) -> Option<String> {
    std::fs::read_to_string(crate_dir().join("src/rules").join(file)).ok()
}

/// Returns the `{name}` placeholders of a catalogue text.
fn placeholders(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            break;
        };
        names.insert(after[..close].to_string());
        rest = &after[close + 1..];
    }
    names
}

fn keys(table: &[(&str, &str)]) -> Vec<String> {
    table.iter().map(|(k, _)| k.to_string()).collect()
}

#[test]
fn rule_ids_match_design_catalogue() {
    let mut ids: Vec<&str> = RULES.iter().map(|r| r.id()).collect();
    ids.sort_unstable();

    let missing: Vec<&str> = CATALOGUE_IDS
        .iter()
        .copied()
        .filter(|id| !ids.contains(id))
        .collect();
    let unknown: Vec<&str> = ids
        .iter()
        .copied()
        .filter(|id| !CATALOGUE_IDS.contains(id))
        .collect();

    assert!(
        unknown.is_empty(),
        "rules not in the catalogue: {unknown:?}"
    );
    assert!(
        missing.is_empty(),
        "catalogue rules not registered in RULES yet: {missing:?}"
    );
    let mut sorted_catalogue = CATALOGUE_IDS;
    sorted_catalogue.sort_unstable();
    assert_eq!(ids, sorted_catalogue);
}

#[test]
fn rules_follow_design_catalogue_order() {
    let ids: Vec<&str> = RULES.iter().map(|r| r.id()).collect();

    assert_eq!(ids, CATALOGUE_IDS);
}

#[test]
fn rule_ids_are_unique_kebab_case() {
    let mut seen = BTreeSet::new();
    for rule in RULES {
        let id = rule.id();
        assert!(seen.insert(id), "duplicate rule id {id}");
        assert!(
            id.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !id.starts_with('-'),
            "rule id {id} is not kebab-case"
        );
    }
}

#[test]
fn rule_messages_have_title_detail_next() {
    for rule in RULES {
        for lang in [Lang::En, Lang::Zh] {
            let table = keys(rule.messages(lang));
            for part in ["title", "detail", "next"] {
                let key = format!("{}.{part}", rule.id());
                assert!(
                    table.contains(&key),
                    "rule {} lacks {key} in {}",
                    rule.id(),
                    lang.code()
                );
            }
            for key in &table {
                assert!(
                    key.starts_with(&format!("{}.", rule.id())),
                    "key {key} of rule {} lacks the rule prefix",
                    rule.id()
                );
            }
        }
    }
}

#[test]
fn rule_messages_match_between_languages() {
    for rule in RULES {
        let en = rule.messages(Lang::En);
        let zh = rule.messages(Lang::Zh);
        assert_eq!(
            keys(en),
            keys(zh),
            "en and zh keys of rule {} differ",
            rule.id()
        );

        for ((key, en_text), (_, zh_text)) in en.iter().zip(zh) {
            assert_eq!(
                placeholders(en_text),
                placeholders(zh_text),
                "placeholders of {key} differ between en and zh"
            );
        }

        let unique: BTreeSet<String> = keys(en).into_iter().collect();
        assert_eq!(unique.len(), en.len(), "rule {} repeats a key", rule.id());
    }
}

#[test]
fn general_messages_match_between_languages() {
    let en = i18n::en::MESSAGES;
    let zh = i18n::zh::MESSAGES;

    let en_keys: BTreeSet<String> = keys(en).into_iter().collect();
    let zh_keys: BTreeSet<String> = keys(zh).into_iter().collect();
    assert_eq!(en_keys, zh_keys, "en and zh general keys differ");
    assert_eq!(
        en_keys.len(),
        en.len(),
        "the English catalogue repeats a key"
    );
    assert_eq!(
        zh_keys.len(),
        zh.len(),
        "the Chinese catalogue repeats a key"
    );

    for (key, en_text) in en {
        let zh_text = i18n::lookup(Lang::Zh, key).unwrap_or_default();
        assert_eq!(
            placeholders(en_text),
            placeholders(zh_text),
            "placeholders of {key} differ between en and zh"
        );
    }
}

#[test]
fn general_keys_do_not_shadow_rule_ids() {
    for (key, _) in i18n::en::MESSAGES {
        let prefix = key.split('.').next().unwrap_or_default();
        assert!(
            !RULES.iter().any(|r| r.id() == prefix),
            "general key {key} uses the prefix of a rule"
        );
    }
}

#[test]
fn titles_follow_message_convention() {
    for rule in RULES {
        let en = i18n::lookup(Lang::En, &format!("{}.title", rule.id())).unwrap_or_default();
        let zh = i18n::lookup(Lang::Zh, &format!("{}.title", rule.id())).unwrap_or_default();

        assert!(
            !en.chars().next().is_some_and(char::is_uppercase),
            "English title of {} starts with a capital",
            rule.id()
        );
        assert!(
            !en.ends_with('.'),
            "English title of {} ends with a period",
            rule.id()
        );
        assert!(
            !zh.ends_with('。'),
            "Chinese title of {} ends with 。",
            rule.id()
        );
    }
}

#[test]
fn rule_docs_have_required_sections() {
    for rule in RULES {
        let file = catalogue_doc::source_file_name(rule.id());
        let source = rule_source(&file).unwrap_or_else(|| panic!("cannot read src/rules/{file}"));
        let doc = catalogue_doc::module_doc(&source);

        let mut last = 0;
        for section in REQUIRED_SECTIONS {
            let at = doc
                .find(section)
                .unwrap_or_else(|| panic!("{file} lacks `{section}`"));
            assert!(at >= last, "{file}: `{section}` is out of order");
            last = at;
        }
    }
}

/// Compares `docs/rules.md` with the page generated from the rule sources; with
/// `UPDATE_RULES_DOC=1` the page is rewritten instead.
#[test]
fn rules_doc_is_current() {
    let generated = catalogue_doc::render(rule_source).unwrap_or_else(|e| panic!("{e}"));
    let path = crate_dir().join("..").join(catalogue_doc::RULES_DOC_PATH);

    if std::env::var("UPDATE_RULES_DOC").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &generated)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        return;
    }

    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == generated,
        "{} is stale; run `UPDATE_RULES_DOC=1 cargo test -p wegent-analyzer rules_doc` to regenerate it",
        path.display()
    );
}
