//! Quoted strings and bracketed values at any escaping depth.
//!
//! Wegent nests one format in another: the `TASK_INFO` JSON sits as a string inside
//! `docker inspect` JSON, and that can again sit inside a JSON log line. A quote at depth
//! `n` is written with `2^n - 1` backslashes before it (`"`, `\"`, `\\\"`). A string opened
//! at depth `n` is closed by the next quote whose backslash run `r` satisfies
//! `r mod 2^(n+1) == 2^n - 1`: deeper quotes and escaped backslashes inside it do not
//! close it.

use memchr::memchr;

/// An opening quote: its character and the number of backslashes written before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Quote {
    pub ch: u8,
    pub run: usize,
}

impl Quote {
    /// Returns the bytes that write this quote: its backslashes, then the quote character.
    pub(crate) fn bytes(&self) -> Vec<u8> {
        let mut out = vec![b'\\'; self.run];
        out.push(self.ch);
        out
    }

    /// Returns whether a quote character preceded by `run` backslashes closes a string
    /// opened by `self`.
    fn closed_by(&self, run: usize) -> bool {
        let depth_width = self.run + 1;
        if depth_width.is_power_of_two() {
            run % (2 * depth_width) == self.run
        } else {
            run == self.run
        }
    }
}

/// Number of consecutive backslashes that end at `pos` (exclusive), not looking before
/// `floor`.
pub(crate) fn backslashes_before(buf: &[u8], pos: usize, floor: usize) -> usize {
    buf[floor..pos]
        .iter()
        .rev()
        .take_while(|&&b| b == b'\\')
        .count()
}

/// Returns the quote that ends at `pos - 1` (the character right before `pos`), with its
/// backslash run, if that character is `"` or `'`.
pub(crate) fn quote_ending_at(buf: &[u8], pos: usize, floor: usize) -> Option<Quote> {
    if pos == 0 || pos <= floor {
        return None;
    }
    let ch = buf[pos - 1];
    if ch != b'"' && ch != b'\'' {
        return None;
    }
    let run = backslashes_before(buf, pos - 1, floor);
    Some(Quote { ch, run })
}

/// Returns the quote that starts at `pos` (backslashes first, then `"` or `'`).
pub(crate) fn quote_starting_at(buf: &[u8], pos: usize) -> Option<Quote> {
    let run = buf[pos..].iter().take_while(|&&b| b == b'\\').count();
    let ch = *buf.get(pos + run)?;
    if ch == b'"' || ch == b'\'' {
        Some(Quote { ch, run })
    } else {
        None
    }
}

/// Finds where a string opened by `quote` ends, searching `buf[from..limit]`.
///
/// Returns `(content_end, after_close)`: the content is `buf[from..content_end]`, and
/// `after_close` is the position after the closing quote.
pub(crate) fn find_close(
    buf: &[u8],
    from: usize,
    limit: usize,
    quote: Quote,
) -> Option<(usize, usize)> {
    let mut pos = from;
    while pos < limit {
        let found = pos + memchr(quote.ch, &buf[pos..limit])?;
        let run = backslashes_before(buf, found, from);
        if quote.closed_by(run) {
            return Some((found - quote.run, found + 1));
        }
        pos = found + 1;
    }
    None
}

/// One scalar inside a bracketed value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Leaf {
    /// The content of a quoted string that is not a key, `buf[start..end]`.
    Quoted { start: usize, end: usize },
    /// An unquoted scalar other than `true`, `false`, `null` and `None`.
    Bare { start: usize, end: usize },
}

/// Walks the bracketed value opened at `open` (`{` or `[`) up to its matching bracket.
///
/// Returns the position after the closing bracket (or `limit` when the value is cut
/// short) and the scalars inside. Strings followed by `:` are keys and are not leaves.
pub(crate) fn bracketed_leaves(buf: &[u8], open: usize, limit: usize) -> (usize, Vec<Leaf>) {
    let mut leaves = Vec::new();
    let mut depth = 0usize;
    let mut pos = open;

    while pos < limit {
        let byte = buf[pos];
        match byte {
            b'{' | b'[' => {
                depth += 1;
                pos += 1;
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                pos += 1;
                if depth == 0 {
                    return (pos, leaves);
                }
            }
            b'\\' | b'"' | b'\'' => {
                let Some(quote) = quote_starting_at(buf, pos) else {
                    pos += 1;
                    continue;
                };
                let content_start = pos + quote.run + 1;
                let (content_end, after) =
                    find_close(buf, content_start, limit, quote).unwrap_or((limit, limit));
                if !is_followed_by_colon(buf, after, limit) {
                    leaves.push(Leaf::Quoted {
                        start: content_start,
                        end: content_end,
                    });
                }
                pos = after;
            }
            _ if is_bare_start(byte) => {
                let end = pos
                    + buf[pos..limit]
                        .iter()
                        .take_while(|&&b| is_bare_byte(b))
                        .count();
                let word = &buf[pos..end];
                let keyword = matches!(
                    word,
                    b"true" | b"false" | b"null" | b"None" | b"True" | b"False"
                );
                if !keyword && !is_followed_by_colon(buf, end, limit) {
                    leaves.push(Leaf::Bare { start: pos, end });
                }
                pos = end;
            }
            _ => pos += 1,
        }
    }
    (limit, leaves)
}

fn is_bare_start(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'+' || byte == b'.'
}

fn is_bare_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'+' | b'.' | b'_')
}

fn is_followed_by_colon(buf: &[u8], pos: usize, limit: usize) -> bool {
    buf[pos.min(limit)..limit]
        .iter()
        .find(|&&b| b != b' ' && b != b'\t')
        .is_some_and(|&b| b == b':')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_close_plain_string() {
        let buf = br#""abc" x"#;
        let quote = quote_starting_at(buf, 0).unwrap();
        assert_eq!(find_close(buf, 1, buf.len(), quote), Some((4, 5)));
    }

    #[test]
    fn find_close_skips_escaped_quote() {
        let buf = br#""a\"b" x"#;
        let quote = quote_starting_at(buf, 0).unwrap();
        assert_eq!(find_close(buf, 1, buf.len(), quote), Some((5, 6)));
    }

    #[test]
    fn find_close_at_depth_one() {
        // \"a\\\"b\" : the inner \\\" is a quote one level deeper.
        let buf = br#"\"a\\\"b\" x"#;
        let quote = quote_starting_at(buf, 0).unwrap();
        assert_eq!(quote.run, 1);
        let (end, after) = find_close(buf, 2, buf.len(), quote).unwrap();
        assert_eq!(&buf[2..end], br#"a\\\"b"#);
        assert_eq!(after, 10);
    }

    #[test]
    fn find_close_escaped_backslash_then_quote() {
        // "a\\" closes after the escaped backslash.
        let buf = br#""a\\" x"#;
        let quote = quote_starting_at(buf, 0).unwrap();
        assert_eq!(find_close(buf, 1, buf.len(), quote), Some((4, 5)));
    }

    #[test]
    fn bracketed_leaves_skip_keys() {
        let buf = br#"{"user": "x", "n": 123, "ok": true, "l": ["y", null]} tail"#;
        let (end, leaves) = bracketed_leaves(buf, 0, buf.len());
        assert_eq!(&buf[end..], b" tail");
        let texts: Vec<&[u8]> = leaves
            .iter()
            .map(|leaf| match *leaf {
                Leaf::Quoted { start, end } | Leaf::Bare { start, end } => &buf[start..end],
            })
            .collect();
        assert_eq!(texts, [&b"x"[..], b"123", b"y"]);
    }

    #[test]
    fn bracketed_leaves_in_python_repr() {
        let buf = b"{'user': 'x', 'token': \"it's\"}";
        let (end, leaves) = bracketed_leaves(buf, 0, buf.len());
        assert_eq!(end, buf.len());
        assert_eq!(leaves.len(), 2);
    }

    #[test]
    fn bracketed_leaves_unterminated() {
        let buf = br#"{"a": "b", "c": ["d""#;
        let (end, leaves) = bracketed_leaves(buf, 0, buf.len());
        assert_eq!(end, buf.len());
        assert_eq!(leaves.len(), 2);
    }
}
