//! Finding secrets in a buffer: the prefilter pass, then the rules on the lines it
//! points at.
//!
//! Single-line rules see one line at a time; PEM blocks and object values under secret
//! keys may continue past the line they start on. The result is a list of spans, none of
//! them inside a mask that was already in the input, so redacting twice changes nothing.

use std::sync::Arc;

use memchr::{memchr, memrchr};

use super::keys::UserKey;
use super::keyvalue::LineScan;
use super::mask::mask_end;
use super::patterns::{Handler, PatternRule};
use super::pem;
use super::pseudonym::{detect_addresses, is_whole_word, pseudonym_span};
use super::scanner::{RuleUse, Scanner};
use super::spans::{Action, PRIORITY_KNOWN, PRIORITY_USER, Span};
use super::url::{rule_for_scheme, userinfo_spans};
use super::user_rules::UserRule;

/// Purpose of a detection pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Every rule, pseudonyms included when enabled.
    Redact,
    /// Pattern rules, user patterns and known values only: the final gate.
    Gate,
}

/// Rules and settings of one pass.
pub(crate) struct Detector<'a> {
    pub scanner: &'a Scanner,
    pub rules: &'a [PatternRule],
    pub user_rules: &'a [UserRule],
    pub user_keys: &'a [UserKey],
    pub mode: Mode,
    pub pseudonymize: bool,
}

/// Work collected for one line.
struct LineWork {
    start: usize,
    end: usize,
    rules: Vec<usize>,
    key_hits: Vec<usize>,
}

impl Detector<'_> {
    /// Returns the spans to replace in `buf`, unmerged.
    pub(crate) fn detect(&self, buf: &[u8]) -> Vec<Span> {
        let mut spans = Vec::new();
        let mut masks: Vec<(usize, usize)> = Vec::new();
        let mut line: Option<LineWork> = None;
        let pseudonyms = self.pseudonymize && self.mode == Mode::Redact;

        for (literal, rule) in &self.scanner.start_triggers {
            if buf.starts_with(literal) {
                let uses = [RuleUse {
                    rule: *rule,
                    boundary: false,
                    skip: 0,
                }];
                self.trigger_rules(buf, 0, literal.len(), &uses, &mut line, &mut spans);
            }
        }

        for found in self.scanner.automaton.find_overlapping_iter(buf) {
            let (start, end) = (found.start(), found.end());
            let info = &self.scanner.info[found.pattern().as_usize()];

            if info.mask
                && let Some(mask_end) = mask_end(buf, start)
            {
                masks.push((start, mask_end));
            }

            for &known in &info.known {
                spans.push(self.known_span(start, end, known));
            }

            if pseudonyms {
                for &identity in &info.identities {
                    if is_whole_word(buf, start, end) {
                        let kind = self.scanner.identities[identity].kind;
                        spans.push(pseudonym_span(start, end, kind));
                    }
                }
            }

            if !info.rules.is_empty() {
                self.trigger_rules(buf, start, end, &info.rules, &mut line, &mut spans);
            }
            if info.key_value && self.mode == Mode::Redact {
                let work = self.line_for(buf, start, &mut line, &mut spans);
                work.key_hits.push(start);
            }
        }
        if let Some(work) = line.take() {
            self.run_line(buf, &work, &mut spans);
        }

        self.scanner.known_filter.find(buf, |start, end, known| {
            spans.push(self.known_span(start, end, known));
        });

        self.run_user_rules(buf, &mut spans);
        if pseudonyms {
            detect_addresses(buf, &mut spans);
        }

        if !masks.is_empty() {
            spans.retain(|span| !masks.iter().any(|&(s, e)| span.overlaps(s, e)));
        }
        spans
    }

    fn known_span(&self, start: usize, end: usize, known: usize) -> Span {
        let value = &self.scanner.known[known];
        Span {
            start,
            end,
            priority: PRIORITY_KNOWN,
            rule: Arc::clone(&value.rule),
            action: Action::Mask {
                canonical: Some(Arc::clone(&value.value)),
                wrap: None,
            },
            learnable: false,
        }
    }

    /// Records the rules a trigger occurrence at `start..end` starts: PEM blocks right
    /// away, line rules on the work item of the trigger's line.
    fn trigger_rules(
        &self,
        buf: &[u8],
        start: usize,
        end: usize,
        uses: &[RuleUse],
        line: &mut Option<LineWork>,
        spans: &mut Vec<Span>,
    ) {
        for rule_use in uses {
            let trigger_start = start + rule_use.skip;
            let at_boundary = trigger_start == 0 || !buf[trigger_start - 1].is_ascii_alphanumeric();
            if rule_use.boundary && !at_boundary {
                continue;
            }
            let rule = &self.rules[rule_use.rule];
            if rule.confirm.is_some_and(|confirm| !confirm(buf, end)) {
                continue;
            }
            if rule.handler == Handler::Pem {
                self.pem_span(buf, trigger_start, rule_use.rule, spans);
                continue;
            }
            let work = self.line_for(buf, trigger_start, line, spans);
            if !work.rules.contains(&rule_use.rule) {
                work.rules.push(rule_use.rule);
            }
        }
    }

    /// Returns the work item of the line containing `pos`, running the previous line's
    /// rules when `pos` is past it.
    fn line_for<'w>(
        &self,
        buf: &[u8],
        pos: usize,
        line: &'w mut Option<LineWork>,
        spans: &mut Vec<Span>,
    ) -> &'w mut LineWork {
        let current = line.as_ref().is_some_and(|w| pos >= w.start && pos < w.end);
        if !current {
            if let Some(previous) = line.take() {
                self.run_line(buf, &previous, spans);
            }
            let start = memrchr(b'\n', &buf[..pos]).map_or(0, |i| i + 1);
            let end = memchr(b'\n', &buf[pos..]).map_or(buf.len(), |i| pos + i);
            *line = Some(LineWork {
                start,
                end,
                rules: Vec::new(),
                key_hits: Vec::new(),
            });
        }
        line.as_mut().expect("line was just set")
    }

    /// Runs the triggered rules of one line.
    fn run_line(&self, buf: &[u8], work: &LineWork, spans: &mut Vec<Span>) {
        let text = &buf[work.start..work.end];

        for &index in &work.rules {
            let rule = &self.rules[index];
            let Some(regex) = &rule.regex else { continue };
            match rule.handler {
                Handler::Group(0) => {
                    for found in regex.find_iter(text) {
                        self.push_checked(
                            rule,
                            work.start + found.start(),
                            work.start + found.end(),
                            buf,
                            spans,
                        );
                    }
                }
                Handler::Group(group) => {
                    for captures in regex.captures_iter(text) {
                        if let Some(found) = captures.get(group) {
                            self.push_checked(
                                rule,
                                work.start + found.start(),
                                work.start + found.end(),
                                buf,
                                spans,
                            );
                        }
                    }
                }
                Handler::Userinfo => {
                    for captures in regex.captures_iter(text) {
                        let (Some(scheme), Some(userinfo)) = (captures.get(1), captures.get(2))
                        else {
                            continue;
                        };
                        let name = rule_for_scheme(scheme.as_bytes());
                        let rule_name = if *rule.name == *name {
                            Arc::clone(&rule.name)
                        } else {
                            Arc::from(name)
                        };
                        userinfo_spans(
                            buf,
                            work.start + userinfo.start(),
                            work.start + userinfo.end(),
                            rule_name,
                            rule.priority,
                            spans,
                        );
                    }
                }
                Handler::Pem => {}
            }
        }

        if !work.key_hits.is_empty() {
            let mut scan = LineScan {
                buf,
                line_start: work.start,
                line_end: work.end,
                user_keys: self.user_keys,
                seen: Vec::new(),
            };
            for &hit in &work.key_hits {
                scan.scan_key_at(hit, spans);
            }
        }
    }

    fn push_checked(
        &self,
        rule: &PatternRule,
        start: usize,
        end: usize,
        buf: &[u8],
        spans: &mut Vec<Span>,
    ) {
        if rule.check.is_some_and(|check| !check(&buf[start..end])) {
            return;
        }
        spans.push(Span::mask(
            start,
            end,
            rule.priority,
            Arc::clone(&rule.name),
        ));
    }

    fn pem_span(&self, buf: &[u8], start: usize, rule: usize, spans: &mut Vec<Span>) {
        if let Some(end) = pem::block_end(buf, start) {
            let rule = &self.rules[rule];
            spans.push(Span::mask(
                start,
                end,
                rule.priority,
                Arc::clone(&rule.name),
            ));
        }
    }

    /// Runs user expressions over the whole buffer; they have no triggers.
    fn run_user_rules(&self, buf: &[u8], spans: &mut Vec<Span>) {
        for rule in self.user_rules {
            let Some(regex) = &rule.regex else { continue };
            for captures in regex.captures_iter(buf) {
                if let Some(found) = captures.get(rule.group)
                    && found.start() < found.end()
                {
                    spans.push(Span::mask(
                        found.start(),
                        found.end(),
                        PRIORITY_USER,
                        Arc::clone(&rule.name),
                    ));
                }
            }
        }
    }
}
