//! Values under secret keys, whatever the syntax around them.
//!
//! One scanner covers the forms Wegent writes: JSON (`"api_key": "..."`), JSON escaped
//! inside strings (`\"git_token\": \"...\"`, at any depth), Python dict repr
//! (`'git_token': '...'`), `KEY=VALUE` (environment lists, query strings, `key=value` log
//! fields), `KEY: value` (YAML, HTTP headers) and command-line flags (`--password x`).
//! It starts from a trigger word, widens it to the whole key, decides with
//! [`super::keys::classify`] whether the key names a secret, then finds the value:
//!
//! - a quoted value is masked up to its closing quote at the same depth;
//! - an object or list value has every scalar inside masked, keys kept;
//! - a bare value runs to the next delimiter. When the key itself opened a quoted
//!   string (`"GIT_TOKEN=..."` in an environment list), it runs to that string's end.
//!   `Authorization` and `Cookie` values run to the end of the line.
//!
//! Placeholders (`***`, `${VAR}`, `<token>`, `null`) are not secrets and stay.

use std::sync::Arc;

use super::keys::{SecretKey, UserKey, classify};
use super::mask::MASK_PREFIX;
use super::quoting::{
    Leaf, Quote, bracketed_leaves, find_close, quote_ending_at, quote_starting_at,
};
use super::spans::{Action, PRIORITY_KEY, Span};

/// How far an object or list value under a secret key is followed.
const MAX_BRACKETED_LEN: usize = 1 << 20;

/// Shortest unquoted number under a quoted key that is masked. Shorter numbers are
/// counts and sizes (`"token": 3` in a summary); Wegent's default MySQL password has 6.
const MIN_BARE_NUMBER_LEN: usize = 6;

/// Authorization schemes whose name stays readable in front of the mask.
const AUTH_SCHEMES: &[&str] = &[
    "bearer",
    "basic",
    "token",
    "digest",
    "negotiate",
    "ntlm",
    "hmac",
    "apikey",
    "aws4-hmac-sha256",
];

/// The line being scanned and what was already found on it.
pub(crate) struct LineScan<'a> {
    pub buf: &'a [u8],
    pub line_start: usize,
    pub line_end: usize,
    pub user_keys: &'a [UserKey],
    /// Start positions of keys already handled on this line.
    pub seen: Vec<usize>,
}

/// Separator between a key and its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Separator {
    Colon,
    Equals,
    /// A space after a `--flag`.
    Space,
}

impl LineScan<'_> {
    /// Looks at the key around `hit` and reports the spans of its value.
    pub(crate) fn scan_key_at(&mut self, hit: usize, spans: &mut Vec<Span>) {
        let buf = self.buf;
        let (key_start, key_end) = self.key_bounds(hit);
        if key_start >= key_end || self.seen.contains(&key_start) {
            return;
        }
        self.seen.push(key_start);

        if self.is_reference(key_start) {
            return;
        }

        let dashes = buf[key_start..key_end]
            .iter()
            .take_while(|&&b| b == b'-')
            .count();
        let Some(secret_key) = classify(&buf[key_start + dashes..key_end], self.user_keys) else {
            return;
        };

        // A key written as a quoted string: `"api_key"`, `'api_key'`, `\"api_key\"`.
        let open_quote = quote_ending_at(buf, key_start, self.line_start);
        let mut pos = key_end;
        let mut key_closed = false;
        if let Some(quote) = open_quote
            && buf[pos..self.line_end].starts_with(&quote.bytes())
        {
            pos += quote.run + 1;
            key_closed = true;
        }

        let after_key = pos;
        pos = self.skip_blanks(pos);
        let Some((separator, value_pos)) = self.separator(pos, after_key, dashes) else {
            return;
        };
        pos = self.skip_blanks(value_pos);
        if pos >= self.line_end {
            return;
        }

        let context_quote = if key_closed { None } else { open_quote };
        let value_quote = if key_closed { open_quote } else { None };
        let first_new = spans.len();
        self.value_spans(
            pos,
            separator,
            context_quote,
            value_quote,
            &secret_key,
            spans,
        );

        // Only values from structured text are spread to other members: quoted keys
        // (JSON, Python repr), `"KEY=value"` entries, `ENV_NAME=value` and `--flag value`.
        // In prose such as `session: wegent-task-…` the value may be anything.
        let key = &buf[key_start + dashes..key_end];
        let env_style = separator == Separator::Equals
            && key
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_');
        let structured =
            open_quote.is_some() || env_style || (dashes > 0 && separator == Separator::Space);
        if !structured || secret_key.header_like {
            for span in &mut spans[first_new..] {
                span.learnable = false;
            }
        }
    }

    /// Widens a trigger hit to the whole key token.
    fn key_bounds(&self, hit: usize) -> (usize, usize) {
        let buf = self.buf;
        let mut start = hit;
        while start > self.line_start && is_key_byte(buf[start - 1]) {
            start -= 1;
        }
        let mut end = hit;
        while end < self.line_end && is_key_byte(buf[end]) {
            end += 1;
        }
        while end > start && matches!(buf[end - 1], b'.' | b'-') {
            end -= 1;
        }
        (start, end)
    }

    /// True when the key is a reference, not an assignment: `$TOKEN`, `${TOKEN}`,
    /// `{{user.git_token}}`, or the user part of `scheme://user:password@host`.
    fn is_reference(&self, key_start: usize) -> bool {
        let before = &self.buf[self.line_start..key_start];
        before.ends_with(b"$")
            || before.ends_with(b"${")
            || before.ends_with(b"{{")
            || before.ends_with(b"://")
    }

    fn skip_blanks(&self, mut pos: usize) -> usize {
        while pos < self.line_end && matches!(self.buf[pos], b' ' | b'\t') {
            pos += 1;
        }
        pos
    }

    /// Recognises the separator at `pos`; returns it and the position after it.
    fn separator(&self, pos: usize, after_key: usize, dashes: usize) -> Option<(Separator, usize)> {
        let rest = &self.buf[pos..self.line_end];
        if rest.starts_with(b"=>") || rest.starts_with(b":=") {
            return Some((Separator::Equals, pos + 2));
        }
        match rest.first() {
            Some(b':') if rest.get(1) != Some(&b':') => Some((Separator::Colon, pos + 1)),
            Some(b'=') if rest.get(1) != Some(&b'=') => Some((Separator::Equals, pos + 1)),
            Some(&next) if dashes > 0 && pos > after_key && next != b'-' => {
                Some((Separator::Space, pos))
            }
            _ => None,
        }
    }

    /// Reports the spans of the value that starts at `pos`.
    fn value_spans(
        &self,
        pos: usize,
        separator: Separator,
        context_quote: Option<Quote>,
        key_quote: Option<Quote>,
        secret_key: &SecretKey,
        spans: &mut Vec<Span>,
    ) {
        let buf = self.buf;

        if let Some(quote) = quote_starting_at(buf, pos) {
            let content_start = pos + quote.run + 1;
            let content_end = find_close(buf, content_start, self.line_end, quote)
                .map_or(self.line_end, |(end, _)| end);
            self.push_value(content_start, content_end, None, secret_key, spans);
            return;
        }

        if matches!(buf[pos], b'{' | b'[') && separator != Separator::Space {
            let limit = buf.len().min(pos + MAX_BRACKETED_LEN);
            let (_, leaves) = bracketed_leaves(buf, pos, limit);
            let wrap = key_quote.or(Some(Quote { ch: b'"', run: 0 }));
            for leaf in leaves {
                match leaf {
                    Leaf::Quoted { start, end } => {
                        self.push_value(start, end, None, secret_key, spans);
                    }
                    Leaf::Bare { start, end } => {
                        if is_short_number(&buf[start..end]) {
                            continue;
                        }
                        self.push_value(start, end, wrap, secret_key, spans);
                    }
                }
            }
            return;
        }

        let end = self.bare_value_end(pos, context_quote, secret_key.header_like);
        if end <= pos {
            return;
        }
        if context_quote.is_none()
            && !secret_key.header_like
            && matches!(buf.get(end), Some(b'(' | b'['))
            && is_code_identifier(&buf[pos..end])
        {
            // `api_key = config["api_key"]`, `token = load_token()`: code, not a value.
            return;
        }
        let value = &buf[pos..end];
        if let Some(quote) = key_quote {
            // An unquoted value after a quoted key: a JSON number, or a bare word in a
            // Python repr. Short numbers are counts, not secrets.
            if is_short_number(value) || is_keyword(value) {
                return;
            }
            self.push_value(pos, end, Some(quote), secret_key, spans);
        } else {
            self.push_value(pos, end, None, secret_key, spans);
        }
    }

    /// Finds the end of an unquoted value. Inside a quoted string it is the quote that
    /// closes the string at its depth, or the line end, so `\"` and `\\` belong to the value.
    /// In bare text it is the first backslash or delimiter.
    fn bare_value_end(&self, pos: usize, context_quote: Option<Quote>, header_like: bool) -> usize {
        let buf = self.buf;
        if let Some(quote) = context_quote {
            let limit = buf[pos..self.line_end]
                .iter()
                .position(|&b| b == b'\n' || b == b'\r')
                .map_or(self.line_end, |offset| pos + offset);
            let end = find_close(buf, pos, limit, quote).map_or(limit, |(end, _)| end);
            return trim_end_blanks(buf, pos, end);
        }

        let stop = |b: u8| -> bool {
            if b == b'\\' || b == b'\n' || b == b'\r' {
                return true;
            }
            if header_like {
                return b == b'"' || b == b'\'';
            }
            b.is_ascii_whitespace()
                || matches!(
                    b,
                    b',' | b';'
                        | b'&'
                        | b'('
                        | b')'
                        | b'['
                        | b']'
                        | b'}'
                        | b'>'
                        | b'"'
                        | b'\''
                        | b'|'
                )
        };
        let mut end = pos;
        while end < self.line_end && !stop(buf[end]) {
            end += 1;
        }
        if header_like {
            end = trim_end_blanks(buf, pos, end);
        }
        end
    }

    /// Pushes the mask span of one value unless it is a placeholder.
    fn push_value(
        &self,
        mut start: usize,
        end: usize,
        wrap: Option<Quote>,
        secret_key: &SecretKey,
        spans: &mut Vec<Span>,
    ) {
        let buf = self.buf;
        if &*secret_key.rule == "authorization" {
            start = skip_auth_scheme(buf, start, end);
        }
        if start >= end || is_placeholder(&buf[start..end]) {
            return;
        }
        spans.push(Span {
            start,
            end,
            priority: PRIORITY_KEY,
            rule: Arc::clone(&secret_key.rule),
            action: Action::Mask {
                canonical: None,
                wrap,
            },
            learnable: true,
        });
    }
}

/// Moves `end` back over whitespace, not past `start`.
fn trim_end_blanks(buf: &[u8], start: usize, mut end: usize) -> usize {
    while end > start && buf[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    end
}

fn is_key_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-' | b'.')
}

/// True for names as code writes them (`config`, `load_token`, `os.environ.get`):
/// letters, `_` and `.` without digits, and no capitals unless a `_` or `.` is there too.
/// Secrets mix in digits or capitals, so they are never taken for code.
fn is_code_identifier(value: &[u8]) -> bool {
    let identifier = value
        .iter()
        .all(|b| b.is_ascii_alphabetic() || *b == b'_' || *b == b'.');
    let structured = value.iter().any(|b| *b == b'_' || *b == b'.');
    let lowercase = value.iter().all(|b| !b.is_ascii_uppercase());
    identifier && (structured || lowercase)
}

fn is_short_number(value: &[u8]) -> bool {
    let digits = value.strip_prefix(b"-").unwrap_or(value);
    !digits.is_empty()
        && digits.iter().all(|b| b.is_ascii_digit() || *b == b'.')
        && digits.len() < MIN_BARE_NUMBER_LEN
}

fn is_keyword(value: &[u8]) -> bool {
    matches!(
        value,
        b"true" | b"false" | b"null" | b"None" | b"True" | b"False" | b"undefined" | b"nil"
    )
}

/// Skips an authorization scheme word and the blanks after it (`Bearer `).
fn skip_auth_scheme(buf: &[u8], start: usize, end: usize) -> usize {
    let value = &buf[start..end];
    let word_len = value
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
        .count();
    let word = &value[..word_len];
    let followed_by_blank = value
        .get(word_len)
        .is_some_and(|b| *b == b' ' || *b == b'\t');
    let is_scheme = AUTH_SCHEMES
        .iter()
        .any(|scheme| scheme.as_bytes().eq_ignore_ascii_case(word));
    if !(is_scheme && followed_by_blank) {
        return start;
    }
    let mut pos = start + word_len;
    while pos < end && (buf[pos] == b' ' || buf[pos] == b'\t') {
        pos += 1;
    }
    pos
}

/// True for values that stand for a secret without being one.
pub(crate) fn is_placeholder(value: &[u8]) -> bool {
    let trimmed = value.trim_ascii();
    if trimmed.is_empty() || trimmed.starts_with(MASK_PREFIX) {
        return true;
    }
    if trimmed.iter().all(|&b| b == b'*') || trimmed.iter().all(|&b| b == b'x' || b == b'X') {
        return true;
    }
    if is_keyword(trimmed) {
        return true;
    }
    let lower = trimmed.to_ascii_lowercase();
    if matches!(
        lower.as_slice(),
        b"none"
            | b"redacted"
            | b"[redacted]"
            | b"<redacted>"
            | b"***redacted***"
            | b"[hidden]"
            | b"hidden"
            | b"masked"
            | b"[masked]"
            | b"[filtered]"
            | b"filtered"
    ) {
        return true;
    }
    if trimmed.starts_with(b"${")
        || trimmed.starts_with(b"$(")
        || trimmed.starts_with(b"{{")
        || trimmed.starts_with(b"%(")
    {
        return true;
    }
    if trimmed.len() > 1
        && trimmed[0] == b'$'
        && trimmed[1..]
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
    {
        return true;
    }
    trimmed.len() > 2
        && trimmed[0] == b'<'
        && trimmed[trimmed.len() - 1] == b'>'
        && !trimmed[1..trimmed.len() - 1].contains(&b'<')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the scanner from every position that starts a word and returns the values.
    fn values(text: &str) -> Vec<String> {
        values_with(text, &[])
    }

    fn values_with(text: &str, user_keys: &[UserKey]) -> Vec<String> {
        let buf = text.as_bytes();
        let mut spans = Vec::new();
        let mut line_start = 0;
        for line in text.split_inclusive('\n') {
            let line_end = line_start + line.trim_end_matches('\n').len();
            let mut scan = LineScan {
                buf,
                line_start,
                line_end,
                user_keys,
                seen: Vec::new(),
            };
            let starts: Vec<usize> = (line_start..line_end)
                .filter(|&pos| buf[pos].is_ascii_alphabetic())
                .collect();
            for hit in starts {
                scan.scan_key_at(hit, &mut spans);
            }
            line_start += line.len();
        }
        spans
            .iter()
            .map(|s| String::from_utf8_lossy(&buf[s.start..s.end]).into_owned())
            .collect()
    }

    #[test]
    fn json_string_value() {
        assert_eq!(
            values(r#"{"api_key": "sk-abc123", "model": "gpt"}"#),
            ["sk-abc123"]
        );
    }

    #[test]
    fn json_number_value() {
        assert_eq!(values(r#"{"password": 123456, "token": 3}"#), ["123456"]);
    }

    #[test]
    fn escaped_json_value() {
        let text = r#"TASK_INFO={\"user\": {\"git_token\": \"abc\\\"def\"}, \"x\": 1}"#;
        assert_eq!(values(text), [r#"abc\\\"def"#]);
    }

    #[test]
    fn doubly_escaped_json_value() {
        let text = r#"{"log": "{\\\"api_key\\\": \\\"sk-1\\\", \\\"b\\\": 2}"}"#;
        assert_eq!(values(text), ["sk-1"]);
    }

    #[test]
    fn python_repr_value() {
        let text = "data={'user': {'git_token': 'glpat-x1', 'name': 'a'}, 'api_key': \"k'9\"}";
        assert_eq!(values(text), ["glpat-x1", "k'9"]);
    }

    #[test]
    fn object_value_masks_scalars() {
        let text =
            "{\"credentials\": {\n  \"user\": \"bob\",\n  \"pin\": 12345678,\n  \"ok\": true\n}}";
        assert_eq!(values(text), ["bob", "12345678"]);
    }

    #[test]
    fn env_list_entry() {
        let text = r#"["PATH=/usr/bin", "GIT_TOKEN_AES_KEY=abc def", "PWD=/app"]"#;
        assert_eq!(values(text), ["abc def"]);
    }

    #[test]
    fn env_entry_escaped_quote() {
        let text = r#""Env":["WEBHOOK_PASSWORD=q\"boSs8pYhlsVg","SESSION_TOKEN=ab\\T9ur9c8xQ","PWD=/app"]"#;
        assert_eq!(values(text), [r#"q\"boSs8pYhlsVg"#, r#"ab\\T9ur9c8xQ"#]);
    }

    #[test]
    fn env_entry_doubly_escaped() {
        let text = r#"{"log":"inspect {\"Env\":[\"WEBHOOK_PASSWORD=q\\\"boSs8pYhlsVg\",\"SESSION_TOKEN=ab\\\\T9ur9c8xQ\"]}"}"#;
        assert_eq!(values(text), [r#"q\\\"boSs8pYhlsVg"#, r#"ab\\\\T9ur9c8xQ"#]);
    }

    #[test]
    fn env_entry_python_repr() {
        let text =
            r#"{'Env': ['WEBHOOK_PASSWORD=q\'boSs8pYhlsVg', 'SESSION_TOKEN=ab\\T9ur9c8xQ']}"#;
        assert_eq!(values(text), [r#"q\'boSs8pYhlsVg"#, r#"ab\\T9ur9c8xQ"#]);
    }

    #[test]
    fn env_entry_cut_short() {
        let text = "[\"WEBHOOK_PASSWORD=q\\\"boSs8p\nnext";
        assert_eq!(values(text), [r#"q\"boSs8p"#]);
    }

    #[test]
    fn bare_env_value_stops_early() {
        let text = r#"WEBHOOK_PASSWORD=q1w2e3\"x SESSION_TOKEN=ab12cd34 PWD=/app"#;
        assert_eq!(values(text), ["q1w2e3", "ab12cd34"]);
    }

    #[test]
    fn key_value_fields() {
        let text = "callback token=abc123 max_tokens=4096 password=p@ss&x=1 token_count=5";
        assert_eq!(values(text), ["abc123", "p@ss"]);
    }

    #[test]
    fn header_value_runs_to_line_end() {
        assert_eq!(
            values("Authorization: Bearer abc.def ghi\nnext"),
            ["abc.def ghi"]
        );
        assert_eq!(values("Cookie: a=1; sessionid=2"), ["a=1; sessionid=2"]);
    }

    #[test]
    fn command_line_flag() {
        assert_eq!(
            values("mysql --password hunter22 --user root"),
            ["hunter22"]
        );
        assert_eq!(values("collect --token=abc"), ["abc"]);
    }

    #[test]
    fn code_expressions_stay() {
        assert!(values(r#"api_key = config["api_key"]"#).is_empty());
        assert!(values("token = load_token()").is_empty());
        assert_eq!(values("password: 0aaaaa0a("), ["0aaaaa0a"]);
    }

    #[test]
    fn yaml_value() {
        assert_eq!(values("  password: s3cret!\n  user: x"), ["s3cret!"]);
    }

    #[test]
    fn placeholders_stay() {
        let text = r#"{"api_key": "***", "token": "${TOKEN}", "secret": null, "password": "<password>", "git_token": "$GIT_TOKEN"}"#;
        assert!(values(text).is_empty());
    }

    #[test]
    fn references_and_urls_stay() {
        assert!(values("see ${{user.git_token}} and https://token:x@host").is_empty());
    }

    #[test]
    fn prose_without_separator_stays() {
        assert!(values("invalid token, please refresh the session").is_empty());
    }

    #[test]
    fn user_key_adds_rule() {
        let user = [UserKey::new("x-corp-auth", Arc::from("corp-auth")).unwrap()];
        assert_eq!(values_with("X-Corp-Auth: abc", &user), ["abc"]);
    }
}
