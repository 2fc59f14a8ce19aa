//! Masks that replace secrets: `[REDACTED:<rule>:<h>]`.
//!
//! `<h>` is the first 8 hex digits of HMAC-SHA256 over the secret, keyed with 32 random
//! bytes drawn when the [`MaskKey`] is created. The key exists only in memory and is
//! never written or printed, so one secret gets one mask within a bundle (an analyst can
//! still see that two places held the same value), while nobody can confirm a guessed
//! secret by hashing it.

use std::borrow::Cow;
use std::fmt;

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// Bytes every mask starts with.
pub(crate) const MASK_PREFIX: &[u8] = b"[REDACTED:";

/// Number of hex digits of the HMAC kept in a mask.
const DIGEST_HEX_LEN: usize = 8;

/// Maximum length of a rule name.
pub(crate) const MAX_RULE_NAME_LEN: usize = 48;

/// The per-redactor HMAC key.
pub(crate) struct MaskKey([u8; 32]);

impl MaskKey {
    /// Draws a new key from the operating system's random source.
    pub(crate) fn random() -> MaskKey {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        MaskKey(key)
    }

    /// Returns the first 8 lowercase hex digits of HMAC-SHA256(key, secret).
    pub(crate) fn digest(&self, secret: &[u8]) -> String {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC accepts keys of any length");
        mac.update(secret);
        let tag = mac.finalize().into_bytes();
        let mut hex = hex::encode(&tag[..DIGEST_HEX_LEN / 2]);
        hex.truncate(DIGEST_HEX_LEN);
        hex
    }
}

impl fmt::Debug for MaskKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MaskKey(..)")
    }
}

/// Formats the mask of one secret.
pub(crate) fn format_mask(rule: &str, digest: &str) -> String {
    format!("[REDACTED:{rule}:{digest}]")
}

/// Returns whether `name` can label a mask: 1 to 48 characters of `a-z`, `0-9` and `-`,
/// starting with a letter or digit.
pub(crate) fn is_rule_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_RULE_NAME_LEN
        && bytes[0].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Turns any text into a valid rule name: lowercase, other characters become `-`.
pub(crate) fn sanitize_rule_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    out = out.trim_matches('-').to_string();
    out.truncate(MAX_RULE_NAME_LEN);
    if out.is_empty() {
        out.push_str("remembered");
    }
    out
}

/// Returns the end of the mask that starts at `start`, or `None` when the bytes there
/// only begin like one.
pub(crate) fn mask_end(buf: &[u8], start: usize) -> Option<usize> {
    let rest = buf.get(start..)?;
    let after_prefix = rest.strip_prefix(MASK_PREFIX)?;

    let rule_len = after_prefix
        .iter()
        .take_while(|&&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        .count();
    if rule_len == 0 || rule_len > MAX_RULE_NAME_LEN {
        return None;
    }

    let tail = &after_prefix[rule_len..];
    if tail.len() < DIGEST_HEX_LEN + 2 || tail[0] != b':' {
        return None;
    }
    let digest = &tail[1..=DIGEST_HEX_LEN];
    if !digest
        .iter()
        .all(|&b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return None;
    }
    if tail[DIGEST_HEX_LEN + 1] != b']' {
        return None;
    }
    Some(start + MASK_PREFIX.len() + rule_len + DIGEST_HEX_LEN + 2)
}

/// Returns the form of a secret that its mask digest is computed from.
///
/// The same value can appear JSON-escaped, escaped twice, or percent-encoded; undoing
/// those layers first keeps one secret on one mask wherever it appears.
pub(crate) fn canonical(secret: &[u8]) -> Cow<'_, [u8]> {
    let mut value = Cow::Borrowed(secret);

    for _ in 0..3 {
        if !value.contains(&b'\\') {
            break;
        }
        let unescaped = unescape_backslashes(&value);
        if unescaped == *value {
            break;
        }
        value = Cow::Owned(unescaped);
    }

    if value.contains(&b'%')
        && let Some(decoded) = percent_decode(&value)
    {
        value = Cow::Owned(decoded);
    }
    value
}

/// Undoes one layer of JSON or Python string escaping; unknown escapes stay as they are.
fn unescape_backslashes(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let byte = input[i];
        if byte != b'\\' || i + 1 == input.len() {
            out.push(byte);
            i += 1;
            continue;
        }
        let next = input[i + 1];
        let replacement = match next {
            b'"' | b'\\' | b'/' | b'\'' => Some(next),
            b'n' => Some(b'\n'),
            b't' => Some(b'\t'),
            b'r' => Some(b'\r'),
            _ => None,
        };
        match replacement {
            Some(r) => {
                out.push(r);
                i += 2;
            }
            None => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

/// Decodes `%XX` sequences; returns `None` when there is none or one is malformed.
pub(crate) fn percent_decode(input: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len());
    let mut decoded_any = false;
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'%' {
            let hi = input.get(i + 1).and_then(|&b| (b as char).to_digit(16))?;
            let lo = input.get(i + 2).and_then(|&b| (b as char).to_digit(16))?;
            out.push((hi * 16 + lo) as u8);
            decoded_any = true;
            i += 3;
        } else {
            out.push(input[i]);
            i += 1;
        }
    }
    decoded_any.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_stable_per_key() {
        let key = MaskKey::random();
        assert_eq!(key.digest(b"abc"), key.digest(b"abc"));
        assert_ne!(key.digest(b"abc"), key.digest(b"abd"));
        assert_eq!(key.digest(b"abc").len(), 8);
    }

    #[test]
    fn digest_differs_between_keys() {
        let (a, b) = (MaskKey::random(), MaskKey::random());
        assert_ne!(a.digest(b"same secret"), b.digest(b"same secret"));
    }

    #[test]
    fn mask_end_finds_whole_mask() {
        let text = b"x [REDACTED:github-token:0a1b2c3d] y";
        assert_eq!(mask_end(text, 2), Some(34));
        assert_eq!(&text[2..34], b"[REDACTED:github-token:0a1b2c3d]");
    }

    #[test]
    fn mask_end_rejects_lookalikes() {
        assert_eq!(mask_end(b"[REDACTED:Token:0a1b2c3d]", 0), None);
        assert_eq!(mask_end(b"[REDACTED:token:0a1b2c3]", 0), None);
        assert_eq!(mask_end(b"[REDACTED:token:0a1b2c3g]", 0), None);
        assert_eq!(mask_end(b"[REDACTED]", 0), None);
    }

    #[test]
    fn canonical_undoes_escapes() {
        assert_eq!(&*canonical(br#"a\\\"b"#), br#"a"b"#);
        assert_eq!(&*canonical(b"a%2Fb"), b"a/b");
        assert_eq!(&*canonical(b"plain"), b"plain");
    }

    #[test]
    fn rule_names_are_checked() {
        assert!(is_rule_name("github-token"));
        assert!(!is_rule_name("GitHub"));
        assert!(!is_rule_name("-x"));
        assert_eq!(sanitize_rule_name("Model API key"), "model-api-key");
        assert_eq!(sanitize_rule_name("***"), "remembered");
    }
}
