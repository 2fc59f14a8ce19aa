//! Known secret values and the encodings they are searched in.
//!
//! The collector reads some secrets in structured form (container environment values,
//! model API keys, git tokens in `TASK_INFO`) and hands them to
//! [`super::Redactor::remember`]. Each value is then searched everywhere as written,
//! percent-encoded, JSON-escaped once and twice, and base64-encoded (standard and
//! URL-safe alphabet) at each of the three byte alignments it can have inside a longer
//! base64 text. Values under [`MIN_KNOWN_LEN`] bytes are not searched: too many ordinary
//! words and numbers are that short.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};

/// Shortest value that is searched for outside the place it was found.
pub const MIN_KNOWN_LEN: usize = 8;

/// A value to replace wherever it appears.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KnownValue {
    pub value: Arc<[u8]>,
    pub rule: Arc<str>,
}

/// Returns every form of `value` to search for, the value itself first, without duplicates.
pub(crate) fn encodings(value: &[u8]) -> Vec<Vec<u8>> {
    let mut forms: Vec<Vec<u8>> = vec![value.to_vec()];
    let mut add = |form: Vec<u8>| {
        if form.len() >= MIN_KNOWN_LEN.min(value.len()) && !forms.contains(&form) {
            forms.push(form);
        }
    };

    let escaped = json_escape(value);
    add(json_escape(&escaped));
    add(escaped);

    add(percent_encode(value, false, b"0123456789ABCDEF"));
    add(percent_encode(value, false, b"0123456789abcdef"));
    if value.contains(&b' ') {
        add(percent_encode(value, true, b"0123456789ABCDEF"));
    }

    for alignment in 0..3 {
        for fragment in base64_fragments(value, alignment) {
            add(fragment);
        }
    }
    forms
}

/// Escapes a value the way a JSON string writes it (without the quotes).
pub fn json_escape(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 8);
    for &byte in value {
        match byte {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x00..=0x1f => out.extend_from_slice(format!("\\u{byte:04x}").as_bytes()),
            _ => out.push(byte),
        }
    }
    out
}

/// Percent-encodes everything but the unreserved characters of RFC 3986; with
/// `plus_for_space`, spaces become `+` as in form bodies.
pub fn percent_encode(value: &[u8], plus_for_space: bool, digits: &[u8; 16]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() * 3);
    for &byte in value {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte);
        } else if byte == b' ' && plus_for_space {
            out.push(b'+');
        } else {
            out.push(b'%');
            out.push(digits[(byte >> 4) as usize]);
            out.push(digits[(byte & 0x0f) as usize]);
        }
    }
    out
}

/// Returns the base64 characters that depend only on `value` when it starts `alignment` bytes
/// after a 3-byte boundary of a longer text, in the standard and URL-safe alphabets.
pub fn base64_fragments(value: &[u8], alignment: usize) -> Vec<Vec<u8>> {
    let mut padded = vec![0u8; alignment];
    padded.extend_from_slice(value);

    // Character i covers bits 6i..6i+6; keep those inside the value's bits.
    let first_bit = alignment * 8;
    let last_bit = padded.len() * 8;
    let first_char = first_bit.div_ceil(6);
    let end_char = last_bit / 6;
    if end_char <= first_char {
        return Vec::new();
    }

    let mut fragments = Vec::with_capacity(2);
    for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
        let encoded = engine.encode(&padded);
        let fragment = encoded.as_bytes()[first_char..end_char].to_vec();
        if !fragments.contains(&fragment) {
            fragments.push(fragment);
        }
    }
    fragments
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn encodings_cover_json_and_url() {
        let forms = encodings(br#"p@ss"word/1"#);
        assert!(forms.contains(&br#"p@ss\"word/1"#.to_vec()));
        assert!(forms.contains(&br#"p@ss\\\"word/1"#.to_vec()));
        assert!(forms.contains(&b"p%40ss%22word%2F1".to_vec()));
        assert!(forms.contains(&b"p%40ss%22word%2f1".to_vec()));
    }

    #[test]
    fn base64_fragments_found_at_every_alignment() {
        let secret = b"hunter2-secret-value";
        for prefix_len in 0..6 {
            let mut text = b"user:".repeat(prefix_len);
            text.extend_from_slice(secret);
            text.extend_from_slice(b" tail");
            for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
                let encoded = engine.encode(&text);
                let found = (0..3).any(|alignment| {
                    base64_fragments(secret, alignment)
                        .iter()
                        .any(|fragment| contains(encoded.as_bytes(), fragment))
                });
                assert!(found, "prefix {prefix_len}");
            }
        }
    }

    #[test]
    fn fragments_are_long_enough() {
        for alignment in 0..3 {
            for fragment in base64_fragments(b"12345678", alignment) {
                assert!(fragment.len() >= 8, "alignment {alignment}: {fragment:?}");
            }
        }
    }
}
