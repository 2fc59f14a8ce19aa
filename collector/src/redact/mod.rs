//! Redaction: nothing secret leaves the host inside a bundle or in what `collect` prints.
//!
//! One [`Redactor`] per bundle replaces every secret with `[REDACTED:<rule>:<h>]`, where
//! `<h>` is a keyed hash that stays the same for the same secret within the bundle. It
//! finds secrets three ways:
//!
//! - by structure (`keys`, `keyvalue`): values under keys such as `api_key`,
//!   `git_token`, `password` or `Authorization`, in JSON at any escaping depth, Python
//!   dict repr, `KEY=VALUE` and `KEY: value` text, plus URL userinfo (`url`);
//! - by pattern (`patterns`, `pem`): token shapes such as `ghp_…`, `sk-…`, JWTs,
//!   PEM private keys and connection strings with passwords;
//! - by value (`known`): secrets the collector [`Redactor::remember`]ed, in their
//!   encoded forms too, and Wegent's published default keys.
//!
//! `scanner` and `known_filter` are the prefilters that keep text without secrets
//! cheap, `detect` runs the rules, `spans` merges what they found and `render`
//! writes the result. `pseudonym` replaces names and addresses when asked,
//! `user_rules` loads extra rules from TOML, `seam` connects the engine to the
//! bundle writer, `stream` redacts text line by line, and `output` redacts the
//! collector's own log lines. [`corpus`] contains the test data that the redaction tests
//! and end-to-end tests share.
//!
//! The rules and their known limits are described in `docs/redaction.md`.

pub mod corpus;
mod detect;
mod engine;
mod keys;
mod keyvalue;
mod known;
mod known_filter;
mod mask;
mod output;
mod patterns;
mod pem;
mod pseudonym;
mod quoting;
mod render;
mod scanner;
mod seam;
mod spans;
mod stream;
mod url;
mod user_rules;

pub use engine::Redactor;
pub use known::MIN_KNOWN_LEN;
pub use output::{RedactingMakeWriter, RedactingWriter};
pub use patterns::search_expressions;
pub use pseudonym::IdentityKind;
pub use stream::LineRedactor;
pub use user_rules::{RuleProblem, RulesError};

/// Encodings a secret may appear in, for tests that check nothing leaked.
pub mod encoding {
    pub use super::known::{base64_fragments, json_escape, percent_encode};
}
