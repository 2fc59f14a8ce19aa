//! Built-in pattern rules: secrets recognisable by their shape, wherever they appear.
//!
//! Each rule has a name (used in masks and in the manifest), a regular expression run on
//! single lines, and trigger strings. A line is only searched with a rule's expression
//! when one of its triggers occurs on that line, so text without triggers costs one
//! Aho-Corasick pass. Earlier rules win when two rules match the same bytes.
//!
//! The final gate runs these rules (not the key rules) over every finished member.

use std::sync::{Arc, LazyLock};

use base64::Engine as _;
use regex::bytes::{Regex, RegexBuilder};

use super::keyvalue::is_placeholder;
use super::spans::PRIORITY_PATTERN;

/// Action a rule takes on a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Handler {
    /// Mask this capture group (0 = the whole match).
    Group(usize),
    /// URL userinfo: group 1 is the scheme, group 2 the userinfo.
    Userinfo,
    /// A PEM private key block that starts at the trigger and may span lines.
    Pem,
}

/// Declaration of one built-in rule.
struct Builtin {
    name: &'static str,
    regex: &'static str,
    handler: Handler,
    triggers: &'static [&'static str],
    /// Also trigger on the Capitalised and UPPER forms of each trigger.
    case_variants: bool,
    /// Whether the trigger must start a word.
    boundary: Boundary,
    /// Extra test on the masked bytes; a match is dropped when it returns false.
    check: Option<fn(&[u8]) -> bool>,
    /// Cheap test at a trigger occurrence (input, end of the trigger); the line is only
    /// searched when it returns true.
    confirm: Option<fn(&[u8], usize) -> bool>,
}

/// Position a trigger needs to start its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Boundary {
    /// Anywhere.
    None,
    /// Not after a letter or digit; checked at each occurrence.
    Checked,
    /// Not after a letter or digit, for triggers common inside words (`sk-` in every
    /// `wegent-task-…` executor name): the prefilter searches the trigger behind each
    /// usual delimiter instead, so occurrences inside words cost nothing.
    Prefixed,
}

/// Delimiters searched in front of [`Boundary::Prefixed`] triggers; a trigger at the
/// very start of the input is found separately.
const BOUNDARY_PREFIXES: &[&str] = &[
    " ", "\t", "\n", "\r", "\"", "'", "`", "=", ":", ";", ",", ".", "/", "\\", "|", "(", ")", "[",
    "]", "{", "}", "<", ">", "!", "?", "&", "#", "@", "$", "%", "^", "*", "+", "~", "-", "_",
];

/// A compiled rule.
#[derive(Debug, Clone)]
pub(crate) struct PatternRule {
    pub name: Arc<str>,
    pub regex: Option<Regex>,
    pub handler: Handler,
    pub check: Option<fn(&[u8]) -> bool>,
    pub confirm: Option<fn(&[u8], usize) -> bool>,
    pub priority: u32,
}

/// A trigger string and the rule it starts.
#[derive(Debug, Clone)]
pub(crate) struct RuleTrigger {
    pub literal: Vec<u8>,
    /// The occurrence must not follow a letter or digit.
    pub boundary: bool,
    /// Length of a delimiter prefix in front of the trigger proper.
    pub skip: usize,
    /// Only counts at the very start of the input (the prefix-less form of a
    /// [`Boundary::Prefixed`] trigger).
    pub at_start_only: bool,
    pub rule: usize,
}

/// Names of every built-in pattern rule, in priority order.
pub fn builtin_rule_names() -> Vec<&'static str> {
    BUILTINS.iter().map(|b| b.name).collect()
}

/// Returns the expressions this module searches for, in a form `rg -f` reads: every
/// pattern rule, the PEM BEGIN line, and the key rules approximated as one expression. The
/// benchmark compares the engine against `rg` searching these over the same file.
pub fn search_expressions() -> Vec<String> {
    let mut expressions: Vec<String> = BUILTINS
        .iter()
        .filter(|b| !b.regex.is_empty())
        .map(|b| b.regex.to_string())
        .collect();
    expressions.push("-----BEGIN [A-Z0-9 ]*PRIVATE KEY".to_string());
    expressions.push(
        r#"(?i)[A-Za-z0-9_.\-]*(?:key|token|secret|pass|pwd|auth|cookie|session|credential|aes)[A-Za-z0-9_.\-]*["']?\s*[:=]"#
            .to_string(),
    );
    expressions
}

const SECRET_TRIGGERS: &[&str] = &["secret"];

/// Query parameter names are mostly lowercase; the key triggers already cover `token`,
/// `key`, `pass`, `secret`, `session` and `credential` in every case.
const QUERY_TRIGGERS: &[&str] = &[
    "token",
    "key",
    "sig",
    "Sig",
    "SIG",
    "pass",
    "pwd",
    "secret",
    "code=",
    "auth",
    "jwt=",
    "session",
    "credential",
];

static BUILTINS: &[Builtin] = &[
    Builtin {
        name: "pem-private-key",
        regex: "",
        handler: Handler::Pem,
        triggers: &["-----BEGIN "],
        case_variants: false,
        boundary: Boundary::None,
        check: None,
        confirm: None,
    },
    Builtin {
        name: "anthropic-key",
        regex: r"\bsk-ant-[A-Za-z0-9_\-]{20,}",
        handler: Handler::Group(0),
        triggers: &["sk-ant-"],
        case_variants: false,
        boundary: Boundary::Checked,
        check: None,
        confirm: None,
    },
    Builtin {
        name: "openai-key",
        regex: r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}",
        handler: Handler::Group(0),
        triggers: &["sk-"],
        case_variants: false,
        boundary: Boundary::Prefixed,
        check: None,
        confirm: None,
    },
    Builtin {
        name: "github-token",
        regex: r"\bgh[pousr]_[A-Za-z0-9]{20,255}\b",
        handler: Handler::Group(0),
        triggers: &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
        case_variants: false,
        boundary: Boundary::Checked,
        check: None,
        confirm: None,
    },
    Builtin {
        name: "github-fine-grained-token",
        regex: r"\bgithub_pat_[A-Za-z0-9_]{22,255}",
        handler: Handler::Group(0),
        triggers: &["github_pat_"],
        case_variants: false,
        boundary: Boundary::Checked,
        check: None,
        confirm: None,
    },
    Builtin {
        name: "github-app-token",
        regex: r"\bv1\.[0-9a-f]{40}\b",
        handler: Handler::Group(0),
        triggers: &["v1."],
        case_variants: false,
        boundary: Boundary::Checked,
        check: None,
        confirm: None,
    },
    Builtin {
        name: "gitlab-token",
        regex: r"\b(?:gl(?:pat|dt|rt|ptt|soat|cbt|ft|imt|oas|agent|ffct)-|GR1348941)[A-Za-z0-9_\-]{20,}",
        handler: Handler::Group(0),
        triggers: &[
            "glpat-",
            "gldt-",
            "glrt-",
            "glptt-",
            "glsoat-",
            "glcbt-",
            "glft-",
            "glimt-",
            "gloas-",
            "glagent-",
            "glffct-",
            "GR1348941",
        ],
        case_variants: false,
        boundary: Boundary::Checked,
        check: None,
        confirm: None,
    },
    Builtin {
        name: "aws-access-key-id",
        regex: r"\b(?:A3T[A-Z0-9]|AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)[A-Z0-9]{16}\b",
        handler: Handler::Group(0),
        triggers: &[
            "AKIA", "ASIA", "A3T", "AGPA", "AIDA", "AROA", "AIPA", "ANPA",
        ],
        case_variants: false,
        boundary: Boundary::Checked,
        check: None,
        confirm: None,
    },
    Builtin {
        name: "aws-secret-key",
        regex: r#"(?i)secret_?(?:access_?)?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)"#,
        handler: Handler::Group(1),
        triggers: SECRET_TRIGGERS,
        case_variants: true,
        boundary: Boundary::None,
        check: None,
        confirm: None,
    },
    Builtin {
        name: "google-api-key",
        regex: r"\bAIza[0-9A-Za-z_\-]{35}",
        handler: Handler::Group(0),
        triggers: &["AIza"],
        case_variants: false,
        boundary: Boundary::Checked,
        check: None,
        confirm: None,
    },
    Builtin {
        name: "google-oauth-token",
        regex: r"\bya29\.[0-9A-Za-z_\-]{20,}",
        handler: Handler::Group(0),
        triggers: &["ya29."],
        case_variants: false,
        boundary: Boundary::Checked,
        check: None,
        confirm: None,
    },
    Builtin {
        name: "slack-token",
        regex: r"\b(?:xox[abposre]-[A-Za-z0-9\-]{10,}|xapp-[0-9]-[A-Za-z0-9\-]{10,})",
        handler: Handler::Group(0),
        triggers: &[
            "xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-", "xoxe-", "xapp-",
        ],
        case_variants: false,
        boundary: Boundary::Checked,
        check: None,
        confirm: None,
    },
    Builtin {
        name: "slack-webhook",
        regex: r"hooks\.slack\.com/(?:services|workflows|triggers)/([A-Za-z0-9/_\-]{16,})",
        handler: Handler::Group(1),
        triggers: &["hooks.slack.com/"],
        case_variants: false,
        boundary: Boundary::None,
        check: None,
        confirm: None,
    },
    Builtin {
        name: "jwt",
        regex: r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*",
        handler: Handler::Group(0),
        triggers: &["eyJ"],
        case_variants: false,
        boundary: Boundary::Checked,
        check: None,
        confirm: None,
    },
    Builtin {
        name: "huggingface-token",
        regex: r"\bhf_[A-Za-z0-9]{30,}",
        handler: Handler::Group(0),
        triggers: &["hf_"],
        case_variants: false,
        boundary: Boundary::Checked,
        check: None,
        confirm: None,
    },
    Builtin {
        name: "npm-token",
        regex: r"\bnpm_[A-Za-z0-9]{36}\b",
        handler: Handler::Group(0),
        triggers: &["npm_"],
        case_variants: false,
        boundary: Boundary::Checked,
        check: None,
        confirm: None,
    },
    Builtin {
        name: "pypi-token",
        regex: r"\bpypi-AgE[A-Za-z0-9_\-]{50,}",
        handler: Handler::Group(0),
        triggers: &["pypi-AgE"],
        case_variants: false,
        boundary: Boundary::Checked,
        check: None,
        confirm: None,
    },
    Builtin {
        name: "stripe-key",
        regex: r"\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}",
        handler: Handler::Group(0),
        triggers: &["sk_live_", "sk_test_", "rk_live_", "rk_test_"],
        case_variants: false,
        boundary: Boundary::Checked,
        check: None,
        confirm: None,
    },
    Builtin {
        name: "docker-hub-token",
        regex: r"\bdckr_pat_[A-Za-z0-9_\-]{20,}",
        handler: Handler::Group(0),
        triggers: &["dckr_pat_"],
        case_variants: false,
        boundary: Boundary::Checked,
        check: None,
        confirm: None,
    },
    Builtin {
        name: "digitalocean-token",
        regex: r"\bdo[opr]_v1_[a-f0-9]{64}\b",
        handler: Handler::Group(0),
        triggers: &["dop_v1_", "doo_v1_", "dor_v1_"],
        case_variants: false,
        boundary: Boundary::Checked,
        check: None,
        confirm: None,
    },
    Builtin {
        name: "sendgrid-key",
        regex: r"\bSG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43,}",
        handler: Handler::Group(0),
        triggers: &["SG."],
        case_variants: false,
        boundary: Boundary::Checked,
        check: None,
        confirm: None,
    },
    Builtin {
        name: "atlassian-token",
        regex: r"\bATATT3[A-Za-z0-9_\-=]{20,}",
        handler: Handler::Group(0),
        triggers: &["ATATT3"],
        case_variants: false,
        boundary: Boundary::Checked,
        check: None,
        confirm: None,
    },
    Builtin {
        name: "groq-key",
        regex: r"\bgsk_[A-Za-z0-9]{40,}",
        handler: Handler::Group(0),
        triggers: &["gsk_"],
        case_variants: false,
        boundary: Boundary::Checked,
        check: None,
        confirm: None,
    },
    Builtin {
        name: "xai-key",
        regex: r"\bxai-[A-Za-z0-9]{40,}",
        handler: Handler::Group(0),
        triggers: &["xai-"],
        case_variants: false,
        boundary: Boundary::Checked,
        check: None,
        confirm: None,
    },
    Builtin {
        name: "alibaba-access-key-id",
        regex: r"\bLTAI[A-Za-z0-9]{12,24}\b",
        handler: Handler::Group(0),
        triggers: &["LTAI"],
        case_variants: false,
        boundary: Boundary::Checked,
        check: None,
        confirm: None,
    },
    Builtin {
        name: "tencent-secret-id",
        regex: r"\bAKID[A-Za-z0-9]{32}\b",
        handler: Handler::Group(0),
        triggers: &["AKID"],
        case_variants: false,
        boundary: Boundary::Checked,
        check: None,
        confirm: None,
    },
    Builtin {
        name: "volcengine-access-key-id",
        regex: r"\bAKLT[A-Za-z0-9_\-]{20,}",
        handler: Handler::Group(0),
        triggers: &["AKLT"],
        case_variants: false,
        boundary: Boundary::Checked,
        check: None,
        confirm: None,
    },
    Builtin {
        name: "bearer-token",
        regex: r"(?i)\bbearer(?:[ \t]+|%20|\+)([A-Za-z0-9._~+/=\-]{8,})",
        handler: Handler::Group(1),
        triggers: &["bearer"],
        case_variants: true,
        boundary: Boundary::None,
        check: Some(looks_like_token),
        confirm: None,
    },
    Builtin {
        name: "basic-auth",
        regex: r"(?i)\bbasic(?:[ \t]+|%20|\+)([A-Za-z0-9+/]{6,}={0,2})",
        handler: Handler::Group(1),
        triggers: &["basic"],
        case_variants: true,
        boundary: Boundary::None,
        check: Some(is_basic_credentials),
        confirm: None,
    },
    Builtin {
        name: "url-userinfo",
        regex: r#"(?i)\b([a-z][a-z0-9+.\-]{1,30})://([^\s/"'<>\\`]*)@"#,
        handler: Handler::Userinfo,
        triggers: &["://"],
        case_variants: false,
        boundary: Boundary::None,
        check: None,
        confirm: Some(has_userinfo),
    },
    Builtin {
        name: "url-query-secret",
        regex: r#"(?i)[?&;](?:access_token|refresh_token|id_token|auth_token|token|api_key|apikey|api-key|key|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential|password|passwd|pwd|secret|client_secret|code|auth|jwt|session|sessionid)=([^&#\s"'<>\\]+)"#,
        handler: Handler::Group(1),
        triggers: QUERY_TRIGGERS,
        case_variants: false,
        boundary: Boundary::None,
        check: Some(is_not_placeholder),
        confirm: None,
    },
    Builtin {
        name: "mysql-cli-password",
        regex: r#"(?i)\b(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)\b[^\n]*?\s-p([^\s'"\\]+)"#,
        handler: Handler::Group(1),
        triggers: &["mysql", "mariadb"],
        case_variants: false,
        boundary: Boundary::None,
        check: Some(is_not_port_mapping),
        confirm: None,
    },
    Builtin {
        name: "redis-password",
        regex: r#"(?i)(?:\bredis-cli\b[^\n]*?\s(?:-a|--pass)[ \t]+|\b(?:requirepass|masterauth)[ \t]+)["']?([^\s"'\\]+)"#,
        handler: Handler::Group(1),
        triggers: &["redis-cli", "requirepass", "masterauth"],
        case_variants: false,
        boundary: Boundary::None,
        check: Some(is_not_placeholder),
        confirm: None,
    },
];

/// The built-in rules, compiled once per process.
static COMPILED: LazyLock<(Vec<PatternRule>, Vec<RuleTrigger>)> = LazyLock::new(compile_all);

/// Returns the compiled built-in rules and their triggers.
pub(crate) fn compile_builtins() -> (Vec<PatternRule>, Vec<RuleTrigger>) {
    COMPILED.clone()
}

fn compile_all() -> (Vec<PatternRule>, Vec<RuleTrigger>) {
    let mut rules = Vec::with_capacity(BUILTINS.len());
    let mut triggers = Vec::new();

    for (index, builtin) in BUILTINS.iter().enumerate() {
        let regex = (!builtin.regex.is_empty()).then(|| {
            compile(builtin.regex).unwrap_or_else(|err| {
                panic!("built-in rule {} has an invalid regex: {err}", builtin.name)
            })
        });
        rules.push(PatternRule {
            name: Arc::from(builtin.name),
            regex,
            handler: builtin.handler,
            check: builtin.check,
            confirm: builtin.confirm,
            priority: PRIORITY_PATTERN + index as u32,
        });

        for trigger in builtin.triggers {
            for literal in variants(trigger, builtin.case_variants) {
                if builtin.boundary == Boundary::Prefixed {
                    for prefix in BOUNDARY_PREFIXES {
                        let mut prefixed = prefix.as_bytes().to_vec();
                        prefixed.extend_from_slice(&literal);
                        triggers.push(RuleTrigger {
                            literal: prefixed,
                            boundary: false,
                            skip: prefix.len(),
                            at_start_only: false,
                            rule: index,
                        });
                    }
                }
                triggers.push(RuleTrigger {
                    literal,
                    boundary: builtin.boundary == Boundary::Checked,
                    skip: 0,
                    at_start_only: builtin.boundary == Boundary::Prefixed,
                    rule: index,
                });
            }
        }
    }
    (rules, triggers)
}

/// Compiles an expression the way every rule is compiled: on bytes, ASCII classes.
pub(crate) fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .unicode(false)
        .size_limit(8 << 20)
        .build()
}

/// Returns the trigger as written, plus its Capitalised and UPPER forms when requested.
pub(crate) fn variants(trigger: &str, case_variants: bool) -> Vec<Vec<u8>> {
    let mut out = vec![trigger.as_bytes().to_vec()];
    if case_variants {
        let mut capitalised = trigger.as_bytes().to_vec();
        if let Some(first) = capitalised.first_mut() {
            first.make_ascii_uppercase();
        }
        for form in [capitalised, trigger.to_ascii_uppercase().into_bytes()] {
            if !out.contains(&form) {
                out.push(form);
            }
        }
    }
    out
}

/// True for token-like values: 8 or more characters with a digit, or with two capitals
/// after the first character. Excludes English words after `Bearer`.
pub(crate) fn looks_like_token(value: &[u8]) -> bool {
    if value.len() < 8 || is_placeholder(value) {
        return false;
    }
    let has_digit = value.iter().any(u8::is_ascii_digit);
    let inner_capitals = value[1..].iter().filter(|b| b.is_ascii_uppercase()).count();
    has_digit || inner_capitals >= 2
}

/// True when the value base64-decodes to `user:password`.
fn is_basic_credentials(value: &[u8]) -> bool {
    let trimmed: Vec<u8> = value.iter().copied().filter(|&b| b != b'=').collect();
    let Ok(decoded) = base64::engine::general_purpose::STANDARD_NO_PAD.decode(&trimmed) else {
        return false;
    };
    let Some(colon) = decoded.iter().position(|&b| b == b':') else {
        return false;
    };
    let printable = decoded.iter().all(|&b| b >= 0x20 && b != 0x7f);
    printable && colon > 0 && colon + 1 < decoded.len()
}

/// True when an `@` follows `://` at `end` before the authority of the URL ends.
fn has_userinfo(buf: &[u8], end: usize) -> bool {
    buf[end..]
        .iter()
        .take(1024)
        .take_while(|b| {
            !b.is_ascii_whitespace()
                && !matches!(b, b'/' | b'"' | b'\'' | b'<' | b'>' | b'\\' | b'`')
        })
        .any(|&b| b == b'@')
}

fn is_not_placeholder(value: &[u8]) -> bool {
    !is_placeholder(value)
}

/// Rejects `-p 3306:3306`-style port mappings that follow a mysql image name.
fn is_not_port_mapping(value: &[u8]) -> bool {
    let port_like = value
        .iter()
        .all(|b| b.is_ascii_digit() || matches!(b, b':' | b'.' | b'/'))
        && value.contains(&b':');
    !port_like && !is_placeholder(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_compile() {
        let (rules, triggers) = compile_builtins();
        assert_eq!(rules.len(), BUILTINS.len());
        assert!(triggers.iter().any(|t| t.literal == b"Bearer"));
    }

    #[test]
    fn rule_names_are_unique_and_valid() {
        let names = builtin_rule_names();
        for name in &names {
            assert!(crate::redact::mask::is_rule_name(name), "{name}");
        }
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
    }

    #[test]
    fn basic_credentials_check() {
        assert!(is_basic_credentials(b"dXNlcjpwYXNz"));
        assert!(!is_basic_credentials(b"information"));
        assert!(!is_basic_credentials(b"aGVsbG8gd29ybGQ="));
    }

    #[test]
    fn token_check() {
        assert!(looks_like_token(b"abc123def"));
        assert!(looks_like_token(b"AbCdEfGhIj"));
        assert!(!looks_like_token(b"authentication"));
        assert!(!looks_like_token(b"Authorization"));
    }

    #[test]
    fn port_mapping_check() {
        assert!(!is_not_port_mapping(b"3306:3306"));
        assert!(is_not_port_mapping(b"123456"));
    }
}
