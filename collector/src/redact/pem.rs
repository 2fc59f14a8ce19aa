//! PEM private key blocks, which span lines.
//!
//! A block runs from `-----BEGIN <TYPE> PRIVATE KEY-----` to the matching `-----END`
//! line. Inside JSON the line breaks are written as `\n`, so the same search works on
//! escaped text. A block whose END line is missing (a log cut short) is masked up to
//! the last line that still looks like base64 key material.

use memchr::memmem;

/// How far after BEGIN the END line is looked for; RSA 8192-bit keys are about 6.5 KB.
const MAX_BLOCK_LEN: usize = 64 * 1024;

const BEGIN: &[u8] = b"-----BEGIN ";
const DASHES: &[u8] = b"-----";

/// Returns the end of the private key block that starts at `start`, or `None` when the
/// BEGIN line there is not a private key (a certificate or public key).
pub(crate) fn block_end(buf: &[u8], start: usize) -> Option<usize> {
    let rest = buf.get(start..)?;
    let label_area = rest.strip_prefix(BEGIN)?;

    let label_len = label_area
        .iter()
        .take(64)
        .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || **b == b' ')
        .count();
    let label = &label_area[..label_len];
    if !label_area[label_len..].starts_with(DASHES) || !is_private_label(label) {
        return None;
    }

    let body_start = start + BEGIN.len() + label_len + DASHES.len();
    let limit = buf.len().min(start + MAX_BLOCK_LEN);
    let body = &buf[body_start..limit];

    if let Some(end_at) = memmem::find(body, b"-----END ") {
        let after_end = &body[end_at + 9..];
        let close = after_end
            .iter()
            .take(80)
            .position(|b| *b == b'-')
            .filter(|&i| after_end[i..].starts_with(DASHES));
        if let Some(close) = close {
            return Some(body_start + end_at + 9 + close + DASHES.len());
        }
        return Some(body_start + end_at + 9);
    }

    Some(body_start + key_material_len(body))
}

/// True when `line` opens a private key block that does not end on the same line.
pub(crate) fn opens_block(line: &[u8]) -> bool {
    let Some(begin) = memmem::rfind(line, BEGIN) else {
        return false;
    };
    let label_area = &line[begin + BEGIN.len()..];
    let label_len = label_area
        .iter()
        .take(64)
        .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || **b == b' ')
        .count();
    is_private_label(&label_area[..label_len])
        && label_area[label_len..].starts_with(DASHES)
        && memmem::find(&label_area[label_len..], b"-----END ").is_none()
}

/// Returns the position after the END marker in `line`, if the line contains one.
pub(crate) fn closing_end(line: &[u8]) -> Option<usize> {
    let end_at = memmem::find(line, b"-----END ")?;
    let after = &line[end_at + 9..];
    let close = after.iter().take(80).position(|b| *b == b'-')?;
    after[close..]
        .starts_with(DASHES)
        .then_some(end_at + 9 + close + DASHES.len())
}

/// True when a whole line is base64 key material or a PEM header such as
/// `Proc-Type: 4,ENCRYPTED`.
pub(crate) fn is_key_material_line(line: &[u8]) -> bool {
    let trimmed = line.trim_ascii();
    if trimmed.is_empty() {
        return false;
    }
    let base64 = trimmed
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
    let header = trimmed
        .iter()
        .position(|&b| b == b':')
        .is_some_and(|colon| {
            colon > 0
                && trimmed[..colon]
                    .iter()
                    .all(|b| b.is_ascii_alphabetic() || *b == b'-')
                && trimmed.get(colon + 1) == Some(&b' ')
        });
    base64 || header
}

/// True for BEGIN labels of private keys: `PRIVATE KEY`, `RSA PRIVATE KEY`,
/// `ENCRYPTED PRIVATE KEY`, `OPENSSH PRIVATE KEY`, `PGP PRIVATE KEY BLOCK`.
fn is_private_label(label: &[u8]) -> bool {
    memmem::find(label, b"PRIVATE KEY").is_some()
}

/// Length of the key material at the start of `body` when no END line follows: base64
/// characters, whitespace, escaped line breaks and `Name: value` headers.
fn key_material_len(body: &[u8]) -> usize {
    let mut pos = 0;
    while pos < body.len() {
        let byte = body[pos];
        let material = byte.is_ascii_alphanumeric()
            || byte.is_ascii_whitespace()
            || matches!(byte, b'+' | b'/' | b'=' | b':' | b',' | b'-');
        if material {
            pos += 1;
        } else if byte == b'\\' && matches!(body.get(pos + 1), Some(b'n' | b'r')) {
            pos += 2;
        } else {
            break;
        }
    }
    pos
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_across_lines() {
        let text = b"key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nAbc=\n-----END RSA PRIVATE KEY-----\nnext";
        let end = block_end(text, 5).unwrap();
        assert_eq!(&text[end..], b"\nnext");
    }

    #[test]
    fn block_in_json_string() {
        let text = br#"{"k": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"}"#;
        let start = memmem::find(text, b"-----BEGIN").unwrap();
        let end = block_end(text, start).unwrap();
        assert_eq!(&text[end..], br#"\n"}"#);
    }

    #[test]
    fn block_without_end() {
        let text = b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\nNzaC1\n\"} tail";
        let end = block_end(text, 0).unwrap();
        assert_eq!(&text[end..], b"\"} tail");
    }

    #[test]
    fn line_helpers() {
        assert!(opens_block(b"key: -----BEGIN EC PRIVATE KEY-----"));
        assert!(!opens_block(
            b"-----BEGIN EC PRIVATE KEY----- x -----END EC PRIVATE KEY-----"
        ));
        assert!(!opens_block(b"-----BEGIN CERTIFICATE-----"));
        assert_eq!(closing_end(b"-----END EC PRIVATE KEY----- tail"), Some(28));
        assert!(is_key_material_line(b"MIIEowIBAAKCAQEA+/=\n"));
        assert!(is_key_material_line(b"DEK-Info: AES-128-CBC,0A1B"));
        assert!(!is_key_material_line(b"2026-01-20 INFO done"));
    }

    #[test]
    fn certificates_are_not_masked() {
        assert_eq!(block_end(b"-----BEGIN CERTIFICATE-----\nMIIB\n", 0), None);
        assert_eq!(block_end(b"-----BEGIN PUBLIC KEY-----\nMIIB\n", 0), None);
    }
}
