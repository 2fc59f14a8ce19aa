//! [`Redactor`]: the redaction engine of one bundle, also used on what `collect` prints.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use wegent_analyzer::bundle::model::RedactionSummary;

use super::detect::{Detector, Mode};
use super::keys::UserKey;
use super::keyvalue::is_placeholder;
use super::known::{KnownValue, MIN_KNOWN_LEN};
use super::mask::{MaskKey, canonical, format_mask, is_rule_name, sanitize_rule_name};
use super::patterns::{PatternRule, RuleTrigger, builtin_rule_names, compile_builtins};
use super::pseudonym::{IdentityKind, MIN_IDENTITY_LEN};
use super::render::{RenderTables, RuleCounts, render};
use super::scanner::{Identity, Scanner, ScannerInput};
use super::spans::{Span, merge};
use super::user_rules::{self, RulesError, UserRule};

/// Wegent's published defaults (`GIT_TOKEN_AES_KEY`, `GIT_TOKEN_AES_IV`, `SECRET_KEY`,
/// the fork's first admin password): known to everyone, yet they unlock real data when a
/// deployment keeps them.
const WEGENT_DEFAULTS: &[(&str, &str)] = &[
    ("12345678901234567890123456789012", "wegent-default-aes-key"),
    ("1234567890123456", "wegent-default-aes-iv"),
    ("your-secret-key-here", "wegent-default-jwt-key"),
    ("Wegent2025!", "wegent-default-admin-password"),
];

/// Rule names of the key rules (see [`super::keys`]).
const KEY_RULE_NAMES: &[&str] = &[
    "password",
    "token",
    "secret",
    "api-key",
    "access-key",
    "private-key",
    "authorization",
    "cookie",
    "session",
    "credential",
    "aes-key",
    "aes-iv",
];

/// Maximum length of a value spread by [`Redactor::remember`]. Longer values (whole
/// config files) are still masked where a key or pattern rule finds them.
const MAX_KNOWN_LEN: usize = 8 * 1024;

/// Total bytes of remembered values; beyond it new values are not spread.
const MAX_KNOWN_TOTAL: usize = 4 * 1024 * 1024;

/// Origin of a known value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KnownSource {
    /// Wegent defaults and user literals: searched at any length.
    Builtin,
    /// `remember`: at least [`MIN_KNOWN_LEN`] bytes.
    Remembered,
    /// Found under a secret key: at least [`MIN_KNOWN_LEN`] bytes.
    Learned,
}

/// The redaction engine of one bundle.
///
/// It finds secrets by structure (values under secret keys), by pattern (token shapes)
/// and by value (secrets the collector remembered). Each is replaced with
/// `[REDACTED:<rule>:<h>]`, where `<h>` is a keyed hash that is the same for the same
/// secret within this redactor. All methods take `&self`, so one redactor can serve the
/// bundle writer and the log output at once.
pub struct Redactor {
    key: MaskKey,
    rules: Vec<PatternRule>,
    rule_triggers: Vec<RuleTrigger>,
    user_rules: Vec<UserRule>,
    user_keys: Vec<UserKey>,
    user_key_words: Vec<String>,
    pseudonymize: bool,
    state: Mutex<State>,
}

/// Mutable state: known values, identities, the prefilter, mask labels and counts.
#[derive(Default)]
struct State {
    known: Vec<KnownValue>,
    known_values: HashSet<Arc<[u8]>>,
    known_bytes: usize,
    budget_warned: bool,
    identities: Vec<Identity>,
    /// The prefilter for the current known values and identities; `None` when stale.
    scanner: Option<Arc<Scanner>>,
    tables: RenderTables,
    /// Member paths whose redaction was counted; the writer redacts some names twice.
    counted_names: HashSet<String>,
    /// Replacements per member, then per rule.
    counts: BTreeMap<String, RuleCounts>,
}

impl Default for Redactor {
    fn default() -> Self {
        Redactor::new()
    }
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redactor")
            .field("rules", &self.rules.len())
            .field("user_rules", &self.user_rules.len())
            .field("pseudonymize", &self.pseudonymize)
            .finish_non_exhaustive()
    }
}

impl Redactor {
    /// Creates a redactor with the built-in rules and a fresh random mask key.
    pub fn new() -> Redactor {
        Redactor::from_user_rules(Vec::new())
    }

    /// Creates a redactor with the built-in rules plus the rules of a TOML file.
    ///
    /// The file contains `[[rule]]` tables with a `name` and a `regex`, a `literal` or
    /// `keys` (see `docs/redaction.md`). An unreadable file, invalid TOML, or an invalid
    /// rule is an error that names the file, the rule and the fix.
    pub fn with_user_rules(path: impl AsRef<Path>) -> Result<Redactor, RulesError> {
        let rules = user_rules::load(path.as_ref(), &reserved_names())?;
        Ok(Redactor::from_user_rules(rules))
    }

    /// Like [`Redactor::with_user_rules`], with the file's text given directly; `origin`
    /// names it in errors.
    pub fn with_user_rules_text(
        text: &str,
        origin: impl AsRef<Path>,
    ) -> Result<Redactor, RulesError> {
        let rules = user_rules::parse(text, origin.as_ref(), &reserved_names())?;
        Ok(Redactor::from_user_rules(rules))
    }

    fn from_user_rules(user_rules: Vec<UserRule>) -> Redactor {
        let (rules, rule_triggers) = compile_builtins();
        let user_keys: Vec<UserKey> = user_rules.iter().flat_map(|r| r.keys.clone()).collect();
        let user_key_words = user_keys.iter().map(|k| k.trigger.clone()).collect();

        let redactor = Redactor {
            key: MaskKey::random(),
            rules,
            rule_triggers,
            user_rules,
            user_keys,
            user_key_words,
            pseudonymize: false,
            state: Mutex::new(State::default()),
        };

        for (value, rule) in WEGENT_DEFAULTS {
            redactor.add_known(value.as_bytes(), Arc::from(*rule), KnownSource::Builtin);
        }
        for rule in &redactor.user_rules {
            if let Some(literal) = &rule.literal {
                redactor.add_known(literal, Arc::clone(&rule.name), KnownSource::Builtin);
            }
        }
        redactor
    }

    /// Turns pseudonymisation of names and addresses on or off (off by default).
    pub fn pseudonymize(mut self, on: bool) -> Redactor {
        self.pseudonymize = on;
        self.lock().scanner = None;
        self
    }

    /// Returns whether names and addresses are replaced by stand-ins.
    pub fn is_pseudonymizing(&self) -> bool {
        self.pseudonymize
    }

    /// Names of the built-in rules: pattern rules, key rules and Wegent defaults.
    pub fn builtin_rules() -> Vec<&'static str> {
        reserved_names()
    }

    /// Remembers a secret the collector read in structured form, so it is masked
    /// wherever else it appears, also URL-encoded, JSON-escaped and base64-encoded.
    ///
    /// `rule` labels its masks (made a valid rule name if it is not one). Values shorter
    /// than 8 bytes, longer than 8 KiB, or placeholders such as `***` are not spread.
    pub fn remember(&self, value: &str, rule: &str) {
        let rule = if is_rule_name(rule) {
            rule.to_string()
        } else {
            sanitize_rule_name(rule)
        };
        self.add_known(value.as_bytes(), Arc::from(rule), KnownSource::Remembered);
    }

    /// Rule name that masks values under `key` (an environment variable, JSON or
    /// `KEY=VALUE` name), or `None` when the key contains no secret. Uses the same
    /// classification as the key rules, including keys from `--redaction-rules`.
    pub fn secret_key_rule(&self, key: &str) -> Option<String> {
        super::keys::classify(key.as_bytes(), &self.user_keys).map(|secret| secret.rule.to_string())
    }

    /// Remembers a user name, email, host name or IP address to replace when
    /// pseudonymisation is on. Values shorter than 3 characters are ignored.
    pub fn remember_identity(&self, kind: IdentityKind, value: &str) {
        let value = value.trim();
        if value.len() < MIN_IDENTITY_LEN {
            return;
        }
        let identity = Identity {
            kind,
            value: value.as_bytes().to_vec(),
        };
        let mut state = self.lock();
        if !state.identities.contains(&identity) {
            state.identities.push(identity);
            if self.pseudonymize {
                state.scanner = None;
            }
        }
    }

    /// Remembers the values that the key rules find in `data`, without changing it.
    ///
    /// The bundle writer redacts members one after another. Calling this on each member
    /// as it is added lets a secret found in a later member be masked in earlier ones.
    pub fn learn(&self, data: &[u8]) {
        let scanner = self.scanner();
        let spans = self.detector(&scanner, Mode::Redact).detect(data);
        for (value, rule) in learnable_values(data, &spans) {
            self.add_known(&value, rule, KnownSource::Learned);
        }
    }

    /// Redacts a line or message that `collect` prints (stdout, stderr, errors, logs).
    ///
    /// Replacements here are not counted in the bundle's summary.
    pub fn redact_str<'a>(&self, text: &'a str) -> Cow<'a, str> {
        match self.redact_inner(text.as_bytes(), 0) {
            None => Cow::Borrowed(text),
            Some((bytes, _)) => match String::from_utf8(bytes) {
                Ok(text) => Cow::Owned(text),
                Err(err) => Cow::Owned(String::from_utf8_lossy(err.as_bytes()).into_owned()),
            },
        }
    }

    /// Redacts bytes without counting them in the summary; `None` when nothing matched.
    pub fn redact_bytes(&self, data: &[u8]) -> Option<Vec<u8>> {
        self.redact_inner(data, 0).map(|(output, _)| output)
    }

    /// Redacts the body of a bundle member and counts the replacements under `member`;
    /// `None` when nothing matched, so the member stays byte-identical.
    pub fn redact_member_bytes(&self, member: &str, data: &[u8]) -> Option<Vec<u8>> {
        let (output, counts) = self.redact_inner(data, 0)?;
        self.count(member, counts);
        Some(output)
    }

    /// Redacts a member path (an executor name can carry a user name, a file name a
    /// token). Replacements are counted under the redacted path, once per path however
    /// often it is redacted.
    pub fn redact_member_name(&self, name: &str) -> String {
        let Some((bytes, counts)) = self.redact_inner(name.as_bytes(), 0) else {
            return name.to_string();
        };
        let redacted = String::from_utf8_lossy(&bytes).into_owned();
        let first_time = self.lock().counted_names.insert(name.to_string());
        if first_time {
            self.count(&redacted, counts);
        }
        redacted
    }

    /// Scans final bytes with the pattern rules and known values; returns the rule of the
    /// first hit. Masks never count as hits.
    pub fn gate_bytes(&self, data: &[u8]) -> Option<String> {
        let scanner = self.scanner();
        let spans = self.detector(&scanner, Mode::Gate).detect(data);
        spans
            .into_iter()
            .min_by_key(|span| (span.start, span.priority))
            .map(|span| span.rule.to_string())
    }

    /// Counts of replacements so far, per rule and per member; never a value.
    pub fn summary(&self) -> RedactionSummary {
        let state = self.lock();
        let mut summary = RedactionSummary {
            pseudonymized: self.pseudonymize,
            ..RedactionSummary::default()
        };
        for (member, rules) in &state.counts {
            for (rule, count) in rules {
                summary.total += count;
                *summary.by_rule.entry(rule.clone()).or_default() += count;
            }
            summary.by_member.insert(member.clone(), rules.clone());
        }
        summary
    }

    /// Redacts `data` and returns the output with the replacements per rule. When the
    /// key rules taught new values, it runs once more, so they are masked elsewhere in
    /// the same input too.
    fn redact_inner(&self, data: &[u8], pass: u8) -> Option<(Vec<u8>, RuleCounts)> {
        let scanner = self.scanner();
        let spans = self.detector(&scanner, Mode::Redact).detect(data);
        if spans.is_empty() {
            return None;
        }

        let merged = merge(spans);
        let learned = learnable_values(data, &merged);
        let mut counts = RuleCounts::new();
        let output = {
            let mut state = self.lock();
            render(data, &merged, &self.key, &mut state.tables, &mut counts)
        };

        let mut added = false;
        for (value, rule) in learned {
            added |= self.add_known(&value, rule, KnownSource::Learned);
        }
        if added
            && pass == 0
            && let Some((again, more)) = self.redact_inner(&output, 1)
        {
            for (rule, count) in more {
                *counts.entry(rule).or_default() += count;
            }
            return Some((again, counts));
        }
        Some((output, counts))
    }

    /// Returns the mask of `secret`, labelled `rule` unless the secret was masked before.
    pub(crate) fn mask_for(&self, rule: &str, secret: &[u8]) -> String {
        let digest = self.key.digest(&canonical(secret));
        let mut state = self.lock();
        let label = state
            .tables
            .mask_rules
            .entry(digest.clone())
            .or_insert_with(|| Arc::from(rule));
        format_mask(label, &digest)
    }

    /// Adds replacement counts to a member's entry in the summary.
    fn count(&self, member: &str, counts: RuleCounts) {
        let mut state = self.lock();
        let entry = state.counts.entry(member.to_string()).or_default();
        for (rule, count) in counts {
            *entry.entry(rule).or_default() += count;
        }
    }

    fn detector<'a>(&'a self, scanner: &'a Scanner, mode: Mode) -> Detector<'a> {
        Detector {
            scanner,
            rules: &self.rules,
            user_rules: &self.user_rules,
            user_keys: &self.user_keys,
            mode,
            pseudonymize: self.pseudonymize,
        }
    }

    /// Returns the prefilter, building it when values were remembered since.
    fn scanner(&self) -> Arc<Scanner> {
        let mut state = self.lock();
        if let Some(scanner) = &state.scanner {
            return Arc::clone(scanner);
        }
        let identities: &[Identity] = if self.pseudonymize {
            &state.identities
        } else {
            &[]
        };
        let scanner = Arc::new(Scanner::build(&ScannerInput {
            rule_triggers: &self.rule_triggers,
            user_key_words: &self.user_key_words,
            known: &state.known,
            identities,
        }));
        state.scanner = Some(Arc::clone(&scanner));
        scanner
    }

    /// Adds a known value; returns whether it was new.
    fn add_known(&self, value: &[u8], rule: Arc<str>, source: KnownSource) -> bool {
        let too_short = source != KnownSource::Builtin && value.len() < MIN_KNOWN_LEN;
        if too_short || value.is_empty() || value.len() > MAX_KNOWN_LEN || is_placeholder(value) {
            return false;
        }
        let mut state = self.lock();
        if state.known_values.contains(value) {
            return false;
        }
        if state.known_bytes + value.len() > MAX_KNOWN_TOTAL {
            if source == KnownSource::Remembered && !state.budget_warned {
                tracing::warn!(
                    "more than {} MiB of secrets remembered; further values are only masked \
                     where a key or pattern rule finds them",
                    MAX_KNOWN_TOTAL >> 20
                );
                state.budget_warned = true;
            }
            return false;
        }

        let value: Arc<[u8]> = Arc::from(value);
        state.known_bytes += value.len();
        state.known_values.insert(Arc::clone(&value));
        state.known.push(KnownValue { value, rule });
        state.scanner = None;
        true
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Returns the values found under secret keys that are worth spreading. They come from
/// structured text, have at least 8 bytes once unescaped, are no path or URL, contain no
/// spaces, and mix two kinds of character (letters and digits, or letters and symbols),
/// so words such as `changeme` stay unspread.
fn learnable_values(data: &[u8], spans: &[Span]) -> Vec<(Vec<u8>, Arc<str>)> {
    spans
        .iter()
        .filter(|span| span.learnable)
        .filter_map(|span| {
            let value = canonical(&data[span.start..span.end]).into_owned();
            is_learnable(&value).then(|| (value, Arc::clone(&span.rule)))
        })
        .collect()
}

fn is_learnable(value: &[u8]) -> bool {
    let path_or_url = value.starts_with(b"/") || value.windows(3).any(|w| w == b"://");
    if value.len() < MIN_KNOWN_LEN || path_or_url || value.iter().any(u8::is_ascii_whitespace) {
        return false;
    }
    let classes = [
        value.iter().any(u8::is_ascii_lowercase),
        value.iter().any(u8::is_ascii_uppercase),
        value.iter().any(u8::is_ascii_digit),
        value.iter().any(|b| !b.is_ascii_alphanumeric()),
    ];
    classes.iter().filter(|&&present| present).count() >= 2
}

/// Rule names that user rules may not take.
fn reserved_names() -> Vec<&'static str> {
    let mut names = builtin_rule_names();
    names.push("connection-string");
    names.extend_from_slice(KEY_RULE_NAMES);
    names.extend(WEGENT_DEFAULTS.iter().map(|(_, rule)| *rule));
    for kind in [
        IdentityKind::UserName,
        IdentityKind::Email,
        IdentityKind::Hostname,
        IdentityKind::Ip,
    ] {
        names.push(kind.rule());
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learnable_needs_two_classes() {
        assert!(is_learnable(b"hunter22x"));
        assert!(is_learnable(b"abc-def-ghi"));
        assert!(!is_learnable(b"changeme"));
        assert!(!is_learnable(b"12345678901"));
        assert!(!is_learnable(b"short1"));
        assert!(!is_learnable(b"two words1"));
        assert!(!is_learnable(b"/run/secrets/db1"));
        assert!(!is_learnable(b"https://host/x1"));
    }

    #[test]
    fn env_entries_masked_to_closing_quote() {
        let redactor = Redactor::new();
        let inputs = [
            r#""Env":["WEBHOOK_PASSWORD=q\"boSs8pYhlsVg","SESSION_TOKEN=ab\\T9ur9c8xQ"]"#,
            r#"{"log":"{\"Env\":[\"WEBHOOK_PASSWORD=q\\\"boSs8pYhlsVg\",\"SESSION_TOKEN=ab\\\\T9ur9c8xQ\"]}"}"#,
            r#"{'Env': ['WEBHOOK_PASSWORD=q\'boSs8pYhlsVg', 'SESSION_TOKEN=ab\\T9ur9c8xQ']}"#,
        ];
        for input in inputs {
            let output = redactor.redact_str(input);
            assert!(!output.contains("boSs8pYhlsVg"), "{output}");
            assert!(!output.contains("T9ur9c8xQ"), "{output}");
            assert!(output.contains("WEBHOOK_PASSWORD=[REDACTED:"), "{output}");
            assert!(output.contains("SESSION_TOKEN=[REDACTED:"), "{output}");
        }
    }

    #[test]
    fn redactor_is_shareable() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Redactor>();
    }

    #[test]
    fn debug_hides_key() {
        let text = format!("{:?}", Redactor::new());
        assert!(text.starts_with("Redactor"));
        assert!(!text.contains("key"));
    }
}
