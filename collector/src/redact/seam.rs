//! [`MemberRedactor`] for [`Redactor`]: how the bundle writer reaches the engine.
//!
//! The writer calls `redact_name` and `redact_member` once per member after all members
//! were added, then `gate` on every final member, name and the manifest. Implemented for
//! the redactor itself and for a shared reference, so a collector that keeps the
//! redactor in an `Arc` for its log output passes `&mut &*redactor` to the writer.

use wegent_analyzer::bundle::model::RedactionSummary;
use wegent_analyzer::bundle::redact_seam::{GateHit, MemberRedactor};

use super::engine::Redactor;

fn gate(redactor: &Redactor, member: &str, data: &[u8]) -> Result<(), GateHit> {
    match redactor.gate_bytes(data) {
        None => Ok(()),
        Some(rule) => Err(GateHit {
            member: member.to_string(),
            rule,
        }),
    }
}

impl MemberRedactor for Redactor {
    fn redact_name(&mut self, name: &str) -> String {
        self.redact_member_name(name)
    }

    fn learn(&mut self, _member: &str, data: &[u8]) {
        Redactor::learn(self, data);
    }

    fn redact_member(&mut self, member: &str, data: &[u8]) -> Option<Vec<u8>> {
        self.redact_member_bytes(member, data)
    }

    fn gate(&self, member: &str, data: &[u8]) -> Result<(), GateHit> {
        gate(self, member, data)
    }

    fn summary(&self) -> RedactionSummary {
        Redactor::summary(self)
    }
}

impl MemberRedactor for &Redactor {
    fn redact_name(&mut self, name: &str) -> String {
        self.redact_member_name(name)
    }

    fn learn(&mut self, _member: &str, data: &[u8]) {
        Redactor::learn(self, data);
    }

    fn redact_member(&mut self, member: &str, data: &[u8]) -> Option<Vec<u8>> {
        self.redact_member_bytes(member, data)
    }

    fn gate(&self, member: &str, data: &[u8]) -> Result<(), GateHit> {
        gate(self, member, data)
    }

    fn summary(&self) -> RedactionSummary {
        Redactor::summary(self)
    }
}
