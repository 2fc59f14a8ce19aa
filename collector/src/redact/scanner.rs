//! The prefilter: one Aho-Corasick pass finds every trigger string, remembered
//! identity and mask in the input, and a [`KnownFilter`] pass finds known values.
//!
//! Rules with regular expressions only run on lines where one of their triggers
//! occurred, so text without triggers is read twice and copied by reference. Both are
//! rebuilt when a value or identity is remembered.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::known::{KnownValue, encodings};
use super::known_filter::{KnownFilter, MIN_FILTERED_LEN};
use super::mask::MASK_PREFIX;
use super::patterns::{RuleTrigger, variants};
use super::pseudonym::IdentityKind;

/// Trigger words of the key rules; each also in Capitalised and UPPER form. Every
/// secret key category of [`super::keys`] contains one of them.
const KEY_TRIGGERS: &[&str] = &[
    "key",
    "token",
    "secret",
    "pass",
    "pwd",
    "auth",
    "cookie",
    "session",
    "credential",
    "aes",
];

/// One pattern rule that an automaton pattern triggers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RuleUse {
    pub rule: usize,
    /// The occurrence must not follow a letter or digit.
    pub boundary: bool,
    /// Length of the delimiter in front of the trigger proper.
    pub skip: usize,
}

/// Purposes of one automaton pattern; one string can serve several.
#[derive(Debug, Default)]
pub(crate) struct PatternInfo {
    /// Pattern rules it triggers.
    pub rules: Vec<RuleUse>,
    /// Whether it triggers the key rules.
    pub key_value: bool,
    /// Known values it is a form of.
    pub known: Vec<usize>,
    /// Remembered identities it is.
    pub identities: Vec<usize>,
    /// Whether it is the start of a mask.
    pub mask: bool,
}

/// An identity to pseudonymise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Identity {
    pub kind: IdentityKind,
    pub value: Vec<u8>,
}

/// A compiled prefilter.
#[derive(Debug)]
pub(crate) struct Scanner {
    pub automaton: AhoCorasick,
    pub info: Vec<PatternInfo>,
    /// The forms of known values long enough for the filter; shorter ones are in the
    /// automaton.
    pub known_filter: KnownFilter,
    /// Triggers that only count at the start of the input, with their rule.
    pub start_triggers: Vec<(Vec<u8>, usize)>,
    pub known: Vec<KnownValue>,
    pub identities: Vec<Identity>,
}

/// Inputs of [`Scanner::build`].
pub(crate) struct ScannerInput<'a> {
    pub rule_triggers: &'a [RuleTrigger],
    /// Extra key trigger words from user rules.
    pub user_key_words: &'a [String],
    pub known: &'a [KnownValue],
    /// Identities; empty unless pseudonymisation is on.
    pub identities: &'a [Identity],
}

impl Scanner {
    /// Builds the automaton.
    pub(crate) fn build(input: &ScannerInput<'_>) -> Scanner {
        let mut table = PatternTable::default();
        let mut slot = |literal: Vec<u8>| table.slot(literal);

        let mask = slot(MASK_PREFIX.to_vec());
        let mut assignments: Vec<(usize, Assignment)> = vec![(mask, Assignment::Mask)];

        let mut start_triggers = Vec::new();
        for trigger in input.rule_triggers {
            if trigger.at_start_only {
                start_triggers.push((trigger.literal.clone(), trigger.rule));
                continue;
            }
            let id = slot(trigger.literal.clone());
            let rule_use = RuleUse {
                rule: trigger.rule,
                boundary: trigger.boundary,
                skip: trigger.skip,
            };
            assignments.push((id, Assignment::Rule(rule_use)));
        }

        let words = KEY_TRIGGERS
            .iter()
            .map(|w| w.to_string())
            .chain(input.user_key_words.iter().cloned());
        for word in words {
            for literal in variants(&word, true) {
                let id = slot(literal);
                assignments.push((id, Assignment::KeyValue));
            }
        }

        // Patterns from here on depend on remembered input; if the automaton cannot hold
        // them, they are dropped and the built-in rules keep working.
        let fixed_patterns = assignments.iter().map(|(id, _)| id + 1).max().unwrap_or(0);
        let mut filtered = Vec::new();
        for (known_index, known) in input.known.iter().enumerate() {
            for form in encodings(&known.value) {
                if form.len() >= MIN_FILTERED_LEN {
                    filtered.push((form, known_index));
                } else {
                    let id = slot(form);
                    assignments.push((id, Assignment::Known(known_index)));
                }
            }
        }

        for (identity_index, identity) in input.identities.iter().enumerate() {
            let id = slot(identity.value.clone());
            assignments.push((id, Assignment::Identity(identity_index)));
        }

        let PatternTable {
            mut patterns,
            mut info,
            ..
        } = table;
        for (id, assignment) in assignments {
            let entry = &mut info[id];
            match assignment {
                Assignment::Mask => entry.mask = true,
                Assignment::Rule(rule_use) => {
                    if !entry.rules.contains(&rule_use) {
                        entry.rules.push(rule_use);
                    }
                }
                Assignment::KeyValue => entry.key_value = true,
                Assignment::Known(k) => {
                    if !entry.known.contains(&k) {
                        entry.known.push(k);
                    }
                }
                Assignment::Identity(i) => entry.identities.push(i),
            }
        }

        let (automaton, info) = match build_automaton(&patterns) {
            Ok(automaton) => (automaton, info),
            Err(err) => {
                tracing::error!(
                    "redaction prefilter could not hold {} remembered values: {err}; \
                     they are only masked where a key or pattern rule finds them",
                    input.known.len()
                );
                patterns.truncate(fixed_patterns);
                info.truncate(fixed_patterns);
                for entry in &mut info {
                    entry.known.clear();
                    entry.identities.clear();
                }
                let automaton =
                    build_automaton(&patterns).expect("built-in trigger strings always fit");
                (automaton, info)
            }
        };

        Scanner {
            automaton,
            info,
            known_filter: KnownFilter::new(filtered),
            start_triggers,
            known: input.known.to_vec(),
            identities: input.identities.to_vec(),
        }
    }
}

/// Distinct pattern strings, each with what it stands for.
#[derive(Default)]
struct PatternTable {
    patterns: Vec<Vec<u8>>,
    info: Vec<PatternInfo>,
    index: HashMap<Vec<u8>, usize>,
}

impl PatternTable {
    /// Returns the id of `literal`, adding it on first sight.
    fn slot(&mut self, literal: Vec<u8>) -> usize {
        if let Some(&id) = self.index.get(&literal) {
            return id;
        }
        self.patterns.push(literal.clone());
        self.info.push(PatternInfo::default());
        self.index.insert(literal, self.patterns.len() - 1);
        self.patterns.len() - 1
    }
}

enum Assignment {
    Mask,
    Rule(RuleUse),
    KeyValue,
    Known(usize),
    Identity(usize),
}

/// Builds a DFA when it fits, else lets the crate choose a smaller automaton.
fn build_automaton(patterns: &[Vec<u8>]) -> Result<AhoCorasick, aho_corasick::BuildError> {
    let builder = |kind| {
        AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(kind)
            .build(patterns)
    };
    builder(Some(AhoCorasickKind::DFA)).or_else(|_| builder(None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::patterns::compile_builtins;

    #[test]
    fn shared_strings_get_one_pattern() {
        let (_, rule_triggers) = compile_builtins();
        let scanner = Scanner::build(&ScannerInput {
            rule_triggers: &rule_triggers,
            user_key_words: &[],
            known: &[],
            identities: &[],
        });
        let token_ids: Vec<usize> = scanner
            .automaton
            .find_overlapping_iter("token")
            .filter(|m| m.start() == 0 && m.end() == 5)
            .map(|m| m.pattern().as_usize())
            .collect();
        assert_eq!(token_ids.len(), 1);
        let info = &scanner.info[token_ids[0]];
        assert!(info.key_value);
        assert!(!info.rules.is_empty());
    }
}
