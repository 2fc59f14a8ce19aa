//! Found secrets as byte ranges, and how overlapping ranges are merged.
//!
//! Every rule reports [`Span`]s over the input. Before output is written, overlapping
//! spans are merged into one (a token inside an `Authorization` value, a known value
//! inside a URL password), so each secret is replaced once, by the most specific rule
//! that saw it.

use std::sync::Arc;

use super::pseudonym::IdentityKind;
use super::quoting::Quote;

/// Priority of values that the collector named with `remember`, and of Wegent's
/// published defaults.
pub(crate) const PRIORITY_KNOWN: u32 = 10;
/// Priority of pattern rules; the rule's index is added so earlier rules win.
pub(crate) const PRIORITY_PATTERN: u32 = 100;
/// Priority of user rules.
pub(crate) const PRIORITY_USER: u32 = 500;
/// Priority of values found under secret keys.
pub(crate) const PRIORITY_KEY: u32 = 1_000;
/// Priority of pseudonyms, which lose to every mask.
pub(crate) const PRIORITY_PSEUDONYM: u32 = 10_000;

/// Replacement applied to the bytes of a span.
#[derive(Debug, Clone)]
pub(crate) enum Action {
    /// Replace with a mask. `canonical` is the secret the digest is computed from when it
    /// differs from the span's bytes (a known value found in an encoded form). `wrap` puts
    /// quotes around the mask where the secret was an unquoted JSON number.
    Mask {
        canonical: Option<Arc<[u8]>>,
        wrap: Option<Quote>,
    },
    /// Replace with the stand-in of the identity (pseudonymisation).
    Pseudonym(IdentityKind),
}

/// One range of the input to replace.
#[derive(Debug, Clone)]
pub(crate) struct Span {
    pub start: usize,
    pub end: usize,
    pub priority: u32,
    pub rule: Arc<str>,
    pub action: Action,
    /// Whether the value may be remembered and spread to other members: set for values
    /// found under secret keys only.
    pub learnable: bool,
}

impl Span {
    pub(crate) fn mask(start: usize, end: usize, priority: u32, rule: Arc<str>) -> Span {
        Span {
            start,
            end,
            priority,
            rule,
            action: Action::Mask {
                canonical: None,
                wrap: None,
            },
            learnable: false,
        }
    }

    fn is_mask(&self) -> bool {
        matches!(self.action, Action::Mask { .. })
    }

    pub(crate) fn overlaps(&self, start: usize, end: usize) -> bool {
        self.start < end && start < self.end
    }
}

/// Sorts spans and merges overlapping ones.
///
/// Overlapping masks merge into one that covers them all and takes the rule of the span
/// with the lowest priority number. A merged mask that grew past its parts derives its
/// digest from the merged bytes. A stand-in that overlaps a mask is dropped (an email
/// match inside `https://user:token@host` must not widen the mask over the host), and
/// of overlapping stand-ins the first one stays.
pub(crate) fn merge(mut spans: Vec<Span>) -> Vec<Span> {
    spans.retain(|s| s.start < s.end);
    spans.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));

    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for span in spans {
        let Some(last) = merged.last_mut() else {
            merged.push(span);
            continue;
        };
        if span.start >= last.end {
            merged.push(span);
            continue;
        }

        match (last.is_mask(), span.is_mask()) {
            (false, false) => {}
            (false, true) => *last = span,
            (true, false) => {}
            (true, true) => {
                let end = last.end.max(span.end);
                if span.priority < last.priority {
                    let start = last.start;
                    *last = span;
                    widen(last, start, end);
                } else {
                    widen(last, last.start, end);
                }
            }
        }
    }
    merged
}

/// Extends a mask span to `start..end`; a grown span loses its explicit canonical form.
fn widen(span: &mut Span, start: usize, end: usize) {
    if span.start == start && span.end == end {
        return;
    }
    span.start = start;
    span.end = end;
    span.learnable = false;
    if let Action::Mask { canonical, wrap } = &mut span.action {
        *canonical = None;
        *wrap = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mask(start: usize, end: usize, priority: u32, rule: &str) -> Span {
        Span::mask(start, end, priority, Arc::from(rule))
    }

    #[test]
    fn merge_prefers_specific_rule() {
        let merged = merge(vec![
            mask(10, 20, PRIORITY_KEY, "token"),
            mask(10, 20, PRIORITY_PATTERN, "github-token"),
        ]);
        assert_eq!(merged.len(), 1);
        assert_eq!(&*merged[0].rule, "github-token");
    }

    #[test]
    fn merge_takes_union() {
        let merged = merge(vec![
            mask(5, 12, PRIORITY_KEY, "authorization"),
            mask(8, 30, PRIORITY_PATTERN, "jwt"),
            mask(40, 45, PRIORITY_KEY, "token"),
        ]);
        assert_eq!(merged.len(), 2);
        assert_eq!((merged[0].start, merged[0].end), (5, 30));
        assert_eq!(&*merged[0].rule, "jwt");
    }

    #[test]
    fn mask_drops_overlapping_pseudonym() {
        let pseudonym = Span {
            start: 3,
            end: 9,
            priority: PRIORITY_PSEUDONYM,
            rule: Arc::from("pseudonym-ip"),
            action: Action::Pseudonym(IdentityKind::Ip),
            learnable: false,
        };
        let merged = merge(vec![pseudonym, mask(5, 12, PRIORITY_KEY, "password")]);
        assert_eq!(merged.len(), 1);
        assert_eq!((merged[0].start, merged[0].end), (5, 12));
        assert!(merged[0].is_mask());
    }
}
