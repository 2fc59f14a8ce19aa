//! Writing the redacted output: masks and stand-ins in place of merged spans, and the
//! count of each replacement.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::mask::{MaskKey, canonical, format_mask};
use super::pseudonym::StandIns;
use super::spans::{Action, Span};

/// Mutable tables that rendering consults and extends.
#[derive(Debug, Default)]
pub(crate) struct RenderTables {
    /// Rule label of each digest: the first rule that masked a secret names its mask
    /// everywhere, so one secret has one mask within a bundle.
    pub mask_rules: HashMap<String, Arc<str>>,
    pub stand_ins: StandIns,
}

/// Replacements counted per rule.
pub(crate) type RuleCounts = BTreeMap<String, u64>;

/// Writes `buf` with every merged span replaced, and counts replacements per rule.
pub(crate) fn render(
    buf: &[u8],
    merged: &[Span],
    key: &MaskKey,
    tables: &mut RenderTables,
    counts: &mut RuleCounts,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(buf.len() + merged.len() * 24);
    let mut copied = 0;

    for span in merged {
        out.extend_from_slice(&buf[copied..span.start]);
        let original = &buf[span.start..span.end];

        match &span.action {
            Action::Mask {
                canonical: known,
                wrap,
            } => {
                let digest = match known {
                    Some(value) => key.digest(value),
                    None => key.digest(&canonical(original)),
                };
                let label = tables
                    .mask_rules
                    .entry(digest.clone())
                    .or_insert_with(|| Arc::clone(&span.rule));
                let mask = format_mask(label, &digest);
                match wrap {
                    Some(quote) => {
                        let quote = quote.bytes();
                        out.extend_from_slice(&quote);
                        out.extend_from_slice(mask.as_bytes());
                        out.extend_from_slice(&quote);
                    }
                    None => out.extend_from_slice(mask.as_bytes()),
                }
            }
            Action::Pseudonym(kind) => {
                let stand_in = tables.stand_ins.stand_in(*kind, original);
                out.extend_from_slice(stand_in.as_bytes());
            }
        }

        *counts.entry(span.rule.to_string()).or_default() += 1;
        copied = span.end;
    }
    out.extend_from_slice(&buf[copied..]);
    out
}
