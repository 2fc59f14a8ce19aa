//! One streaming pass over a text member: digest, UTF-8 check and line splitting.
//!
//! The member is read in fixed-size chunks, so memory stays constant whatever its size:
//! each chunk updates the SHA-256, goes through the incremental UTF-8 validator and, for
//! log members, is split into lines for the [`MemberIndex`]. A line longer than
//! [`Limits::max_line_bytes`] is hashed whole but kept only up to that many bytes.

use std::io::{BufRead, BufReader, Read};

use sha2::{Digest, Sha256};

use super::archive::into_bundle_error;
use super::error::BundleError;
use super::limits::Limits;
use super::loaded::{LogLine, TextMember};
use super::log_index::MemberIndex;
use super::utf8_stream::Utf8Stream;

const CHUNK_BYTES: usize = 256 * 1024;

/// Digest and size of a member read to the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scanned {
    pub sha256: String,
    pub bytes: u64,
}

/// Reads a member to the end, checking UTF-8 and hashing it, without keeping it.
pub fn scan_plain(member: &str, reader: impl Read) -> Result<Scanned, BundleError> {
    let mut utf8 = Utf8Stream::default();
    scan(member, reader, &mut utf8, |_| {})
}

/// Reads a log member to the end and returns its digest and its kept lines.
pub fn scan_log(
    member: &str,
    reader: impl Read,
    limits: &Limits,
) -> Result<(Scanned, Vec<LogLine>, TextMember), BundleError> {
    let mut index = MemberIndex::new(member, limits);
    let mut splitter = LineSplitter::new(limits.max_line_bytes);
    let mut utf8 = Utf8Stream::default();

    let scanned = scan(member, reader, &mut utf8, |chunk| {
        splitter.feed(chunk, &mut index);
    })?;
    splitter.finish(&mut index);

    let (lines, text_member) = index.finish(scanned.bytes);
    Ok((scanned, lines, text_member))
}

fn scan(
    member: &str,
    reader: impl Read,
    utf8: &mut Utf8Stream,
    mut on_chunk: impl FnMut(&[u8]),
) -> Result<Scanned, BundleError> {
    let mut reader = BufReader::with_capacity(CHUNK_BYTES, reader);
    let mut hasher = Sha256::new();
    let mut bytes: u64 = 0;

    loop {
        let chunk = reader
            .fill_buf()
            .map_err(|error| into_bundle_error(error, member))?;
        if chunk.is_empty() {
            break;
        }

        hasher.update(chunk);
        utf8.feed(chunk)
            .map_err(|offset| BundleError::InvalidUtf8 {
                member: member.to_string(),
                offset,
            })?;
        on_chunk(chunk);

        bytes += chunk.len() as u64;
        let consumed = chunk.len();
        reader.consume(consumed);
    }

    utf8.finish().map_err(|offset| BundleError::InvalidUtf8 {
        member: member.to_string(),
        offset,
    })?;
    Ok(Scanned {
        sha256: hex::encode(hasher.finalize()),
        bytes,
    })
}

/// Splits chunks into lines, keeping at most `max_line_bytes` of each.
struct LineSplitter {
    line: Vec<u8>,
    truncated: bool,
    /// Whether a line has started and not yet ended.
    open: bool,
    max_line_bytes: usize,
}

impl LineSplitter {
    fn new(max_line_bytes: usize) -> Self {
        LineSplitter {
            line: Vec::with_capacity(max_line_bytes.min(64 * 1024)),
            truncated: false,
            open: false,
            max_line_bytes,
        }
    }

    fn feed(&mut self, mut chunk: &[u8], index: &mut MemberIndex) {
        while let Some(newline) = memchr::memchr(b'\n', chunk) {
            self.append(&chunk[..newline]);
            self.emit(index);
            chunk = &chunk[newline + 1..];
        }
        if !chunk.is_empty() {
            self.append(chunk);
        }
    }

    fn finish(&mut self, index: &mut MemberIndex) {
        if self.open {
            self.emit(index);
        }
    }

    fn append(&mut self, part: &[u8]) {
        self.open = true;
        let room = self.max_line_bytes.saturating_sub(self.line.len());
        if part.len() > room {
            self.truncated = true;
        }
        self.line.extend_from_slice(&part[..part.len().min(room)]);
    }

    fn emit(&mut self, index: &mut MemberIndex) {
        let mut line = self.line.as_slice();
        if !self.truncated {
            line = line.strip_suffix(b"\r").unwrap_or(line);
        } else if let Err(error) = std::str::from_utf8(line)
            && error.error_len().is_none()
        {
            // The cut split a character: drop its first bytes so the prefix stays valid.
            line = &line[..error.valid_up_to()];
        }

        index.push_line(line, self.truncated);
        self.line.clear();
        self.truncated = false;
        self.open = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::digest::sha256_hex;

    #[test]
    fn scan_log_counts_lines_and_hashes() {
        let text = "first\r\nsecond ERROR\nthird";
        let limits = Limits::default();
        let (scanned, lines, member) = scan_log("logs/a.txt", text.as_bytes(), &limits).unwrap();

        assert_eq!(scanned.sha256, sha256_hex(text.as_bytes()));
        assert_eq!(scanned.bytes, text.len() as u64);
        assert_eq!(member.lines, 3);
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, vec!["first", "second ERROR", "third"]);
    }

    #[test]
    fn scan_log_truncates_long_lines_at_char_boundary() {
        let long = "供".repeat(10);
        let limits = Limits {
            max_line_bytes: 7,
            ..Limits::default()
        };
        let (_, lines, _) = scan_log("logs/a.txt", long.as_bytes(), &limits).unwrap();
        assert_eq!(lines[0].text, "供供…");
    }

    #[test]
    fn scan_plain_reports_invalid_utf8_offset() {
        let error = scan_plain("logs/a.txt", &b"ok\nbad \xff here"[..]).unwrap_err();
        match error {
            BundleError::InvalidUtf8 { member, offset } => {
                assert_eq!(member, "logs/a.txt");
                assert_eq!(offset, 7);
            }
            other => panic!("unexpected error {other:?}"),
        }
    }

    #[test]
    fn scan_log_of_empty_member_has_no_lines() {
        let (_, lines, member) = scan_log("logs/a.txt", &b""[..], &Limits::default()).unwrap();
        assert!(lines.is_empty());
        assert_eq!(member.lines, 0);
    }
}
