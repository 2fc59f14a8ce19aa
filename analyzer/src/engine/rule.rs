//! The rule trait and the context every rule reads.

use chrono::{DateTime, Duration, Utc};

use super::analysis::{Finding, Severity};
use super::facts::Facts;
use crate::bundle::loaded::Bundle;
use crate::i18n::Lang;

/// Thresholds and pins that change what rules conclude.
#[derive(Debug, Clone)]
pub struct Options {
    /// A PENDING/RUNNING task without any update for longer than this is stale (`--stale-after`).
    pub stale_after: Duration,
    /// Reference time (`--now`); `None` means the bundle's collected_at.
    pub now: Option<DateTime<Utc>>,
}

impl Default for Options {
    fn default() -> Self {
        Options { stale_after: Duration::minutes(30), now: None }
    }
}

/// What a rule sees: the bundle, the options and the derived facts.
pub struct Context<'a> {
    pub bundle: &'a Bundle,
    pub options: &'a Options,
    pub facts: &'a Facts<'a>,
}

/// One diagnosis rule. Implementations live one per file in `crate::rules`, and their
/// `//!` module doc is the documentation that `docs/rules.md` is generated from.
pub trait Rule: Sync {
    /// Stable kebab-case id, never reused.
    fn id(&self) -> &'static str;

    /// Severity of the findings this rule emits unless it states another.
    fn default_severity(&self) -> Severity;

    /// This rule's message catalogue in one language: `(key, text)` pairs whose keys start
    /// with `<id>.`, at least `<id>.title`, `<id>.detail` and `<id>.next`.
    fn messages(&self, lang: Lang) -> &'static [(&'static str, &'static str)];

    /// Appends zero or more findings.
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>);
}
