//! UTF-8 validation of a member that arrives in chunks of arbitrary size.
//!
//! A chunk may end inside a multi-byte character. The incomplete tail (at most three
//! bytes) is carried into the next chunk, so validation needs no more memory than that.

/// Incremental UTF-8 validator that reports the byte offset of the first invalid byte.
#[derive(Debug, Default)]
pub struct Utf8Stream {
    carry: [u8; 4],
    carry_len: usize,
    /// Offset of the first byte not yet known to be valid.
    offset: u64,
}

impl Utf8Stream {
    /// Validates the next chunk; on failure returns the offset of the invalid sequence.
    pub fn feed(&mut self, mut data: &[u8]) -> Result<(), u64> {
        if self.carry_len > 0 {
            let width = char_width(self.carry[0]);
            let needed = width - self.carry_len;
            let taken = needed.min(data.len());
            self.carry[self.carry_len..self.carry_len + taken].copy_from_slice(&data[..taken]);
            self.carry_len += taken;
            data = &data[taken..];

            if self.carry_len < width {
                // Still incomplete, but what arrived so far must be a valid prefix.
                return match std::str::from_utf8(&self.carry[..self.carry_len]) {
                    Err(e) if e.error_len().is_some() => Err(self.offset),
                    _ => Ok(()),
                };
            }
            if std::str::from_utf8(&self.carry[..width]).is_err() {
                return Err(self.offset);
            }
            self.offset += width as u64;
            self.carry_len = 0;
        }

        match std::str::from_utf8(data) {
            Ok(_) => {
                self.offset += data.len() as u64;
                Ok(())
            }
            Err(e) => {
                let valid = e.valid_up_to();
                if e.error_len().is_some() {
                    return Err(self.offset + valid as u64);
                }
                let tail = &data[valid..];
                self.carry[..tail.len()].copy_from_slice(tail);
                self.carry_len = tail.len();
                self.offset += valid as u64;
                Ok(())
            }
        }
    }

    /// Ends the stream; fails when it stopped inside a character.
    pub fn finish(&self) -> Result<(), u64> {
        if self.carry_len > 0 {
            return Err(self.offset);
        }
        Ok(())
    }
}

/// Length of the sequence a valid lead byte starts. Only called for bytes that
/// `from_utf8` reported as the start of an incomplete (not invalid) sequence.
fn char_width(lead: u8) -> usize {
    match lead {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validate_in_chunks(data: &[u8], chunk: usize) -> Result<(), u64> {
        let mut stream = Utf8Stream::default();
        for part in data.chunks(chunk) {
            stream.feed(part)?;
        }
        stream.finish()
    }

    #[test]
    fn accepts_multibyte_text_split_anywhere() {
        let text = "所有供应商 unavailable 🙂 ok\n".repeat(7);
        for chunk in 1..12 {
            assert_eq!(
                validate_in_chunks(text.as_bytes(), chunk),
                Ok(()),
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn reports_offset_of_invalid_byte() {
        let mut data = "供应商".as_bytes().to_vec();
        data.extend_from_slice(b"ab\xffcd");
        for chunk in 1..8 {
            assert_eq!(validate_in_chunks(&data, chunk), Err(11), "chunk {chunk}");
        }
    }

    #[test]
    fn reports_truncated_character_at_end() {
        let data = &"供".as_bytes()[..2];
        assert_eq!(validate_in_chunks(data, 1), Err(0));
        assert_eq!(validate_in_chunks(data, 4), Err(0));
    }

    #[test]
    fn reports_bad_continuation_across_chunks() {
        let data = b"x\xe4\xbe(";
        for chunk in 1..4 {
            assert_eq!(validate_in_chunks(data, chunk), Err(1), "chunk {chunk}");
        }
    }
}
