//! The seam through which the bundle writer redacts every member.
//!
//! The writer owns no redaction logic: the collector passes an implementation of
//! [`MemberRedactor`] to [`super::writer::BundleWriter::finish`], and the writer runs every
//! member name, every member body and the manifest through it before anything reaches the
//! zip. Because the writer applies it once, after all members were added, secrets that a
//! source discovers late are still removed from members written earlier.

use super::model::RedactionSummary;

/// A final-gate hit: a member still contains something that looks like a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateHit {
    /// Member path (already redacted) where the hit was found.
    pub member: String,
    /// Name of the rule that matched; never the matched value.
    pub rule: String,
}

/// Redaction applied by the bundle writer.
pub trait MemberRedactor {
    /// Returns the redacted form of a member path.
    fn redact_name(&mut self, name: &str) -> String;

    /// Looks at a member before any member is redacted, so values found in one member can
    /// be removed from all of them. The default does nothing.
    fn learn(&mut self, _member: &str, _data: &[u8]) {}

    /// Returns the redacted body of a member, or `None` when nothing matched, so that
    /// members without matches stay byte-identical. `member` is the redacted path.
    fn redact_member(&mut self, member: &str, data: &[u8]) -> Option<Vec<u8>>;

    /// Scans final bytes once more; the writer aborts on the first hit.
    fn gate(&self, member: &str, data: &[u8]) -> Result<(), GateHit>;

    /// Counts of replacements so far, per rule and per member.
    fn summary(&self) -> RedactionSummary;
}

/// A redactor that changes nothing, for tests of the format and for fixtures.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoRedaction;

impl MemberRedactor for NoRedaction {
    fn redact_name(&mut self, name: &str) -> String {
        name.to_string()
    }

    fn redact_member(&mut self, _member: &str, _data: &[u8]) -> Option<Vec<u8>> {
        None
    }

    fn gate(&self, _member: &str, _data: &[u8]) -> Result<(), GateHit> {
        Ok(())
    }

    fn summary(&self) -> RedactionSummary {
        RedactionSummary::default()
    }
}
