//! Fast search for many long strings at once: the forms of remembered values.
//!
//! Every string is at least [`MIN_FILTERED_LEN`] bytes long, so any occurrence contains
//! a 4-byte window that starts at a multiple of 4 in the input, at offset 0 to 3 in the
//! string. The filter registers those four windows of each string and reads the input
//! only at every fourth byte. Each window costs a bitmap test, and a table lookup plus a
//! full comparison follow only when the window's bit is set. Only offsets 0 to 3 are
//! registered, so each occurrence of a string is reported once, through the first
//! aligned window inside it. Identical strings added with different owners are each
//! reported. Hundreds of remembered values (each searched in about seven encodings) then
//! cost little more than a handful, while one automaton over all of them would slow down
//! every byte.

use std::collections::HashMap;

/// Bytes read per step.
const WINDOW: usize = 4;

/// Shortest string the filter can hold: a window at offset 3 must fit inside it.
pub(crate) const MIN_FILTERED_LEN: usize = 2 * WINDOW - 1;

/// One string to find and what it belongs to.
#[derive(Debug, Clone)]
struct Needle {
    bytes: Vec<u8>,
    owner: usize,
}

/// The compiled filter.
#[derive(Debug, Clone, Default)]
pub(crate) struct KnownFilter {
    needles: Vec<Needle>,
    /// One bit per hashed window value.
    bitmap: Vec<u64>,
    shift: u32,
    /// Window value to (needle, offset of the window in the needle).
    windows: HashMap<u32, Vec<(u32, u8)>>,
}

impl KnownFilter {
    /// Builds the filter. Strings shorter than [`MIN_FILTERED_LEN`] are skipped.
    pub(crate) fn new(strings: impl IntoIterator<Item = (Vec<u8>, usize)>) -> KnownFilter {
        let needles: Vec<Needle> = strings
            .into_iter()
            .filter(|(bytes, _)| bytes.len() >= MIN_FILTERED_LEN)
            .map(|(bytes, owner)| Needle { bytes, owner })
            .collect();
        if needles.is_empty() {
            return KnownFilter::default();
        }

        // About 16 bits per registered window keeps false hits near 1 in 16 windows'
        // worth of table lookups. The bitmap has between 4 Ki and 4 Mi bits.
        let bitmap_bits = (needles.len() * WINDOW * 16)
            .next_power_of_two()
            .clamp(1 << 12, 1 << 22);
        let shift = 32 - bitmap_bits.trailing_zeros();
        let mut filter = KnownFilter {
            needles,
            bitmap: vec![0; bitmap_bits / 64],
            shift,
            windows: HashMap::new(),
        };

        for (index, needle) in filter.needles.iter().enumerate() {
            for offset in 0..WINDOW {
                let window = read_window(&needle.bytes, offset);
                let bit = hash(window, filter.shift);
                filter.bitmap[bit / 64] |= 1 << (bit % 64);
                filter
                    .windows
                    .entry(window)
                    .or_default()
                    .push((index as u32, offset as u8));
            }
        }
        filter
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.needles.is_empty()
    }

    /// Calls `found(start, end, owner)` for every occurrence of every string in `buf`.
    pub(crate) fn find(&self, buf: &[u8], mut found: impl FnMut(usize, usize, usize)) {
        if self.is_empty() || buf.len() < MIN_FILTERED_LEN {
            return;
        }

        let mut pos = 0;
        while pos + WINDOW <= buf.len() {
            let window = read_window(buf, pos);
            let bit = hash(window, self.shift);
            if self.bitmap[bit / 64] & (1 << (bit % 64)) != 0 {
                self.verify(buf, pos, window, &mut found);
            }
            pos += WINDOW;
        }
    }

    fn verify(
        &self,
        buf: &[u8],
        pos: usize,
        window: u32,
        found: &mut impl FnMut(usize, usize, usize),
    ) {
        let Some(candidates) = self.windows.get(&window) else {
            return;
        };
        for &(index, offset) in candidates {
            let offset = offset as usize;
            if pos < offset {
                continue;
            }
            let start = pos - offset;
            let needle = &self.needles[index as usize];
            let end = start + needle.bytes.len();
            if end <= buf.len() && buf[start..end] == needle.bytes[..] {
                found(start, end, needle.owner);
            }
        }
    }
}

fn read_window(bytes: &[u8], pos: usize) -> u32 {
    let mut window = [0u8; WINDOW];
    window.copy_from_slice(&bytes[pos..pos + WINDOW]);
    u32::from_le_bytes(window)
}

/// Multiplicative hash of a window to a bit index of the bitmap.
fn hash(window: u32, shift: u32) -> usize {
    (window.wrapping_mul(0x9e37_79b1) >> shift) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_matches(filter: &KnownFilter, text: &[u8]) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        filter.find(text, |s, e, o| out.push((s, e, o)));
        out
    }

    #[test]
    fn finds_every_alignment_once() {
        let filter = KnownFilter::new([(b"secret-value-1".to_vec(), 7)]);
        for prefix in 0..9 {
            let mut text = vec![b'x'; prefix];
            text.extend_from_slice(b"secret-value-1");
            text.extend_from_slice(b" tail");
            assert_eq!(
                all_matches(&filter, &text),
                [(prefix, prefix + 14, 7)],
                "prefix {prefix}"
            );
        }
    }

    #[test]
    fn finds_overlapping_and_repeated() {
        let filter = KnownFilter::new([(b"abcdefgh".to_vec(), 0), (b"efghijkl".to_vec(), 1)]);
        let found = all_matches(&filter, b"..abcdefghijkl..abcdefgh");
        assert_eq!(found.len(), 3);
        assert!(found.contains(&(2, 10, 0)));
        assert!(found.contains(&(6, 14, 1)));
        assert!(found.contains(&(16, 24, 0)));
    }

    #[test]
    fn ignores_short_strings_and_inputs() {
        let filter = KnownFilter::new([(b"short".to_vec(), 0)]);
        assert!(filter.is_empty());
        let filter = KnownFilter::new([(b"long-enough".to_vec(), 0)]);
        assert!(all_matches(&filter, b"long").is_empty());
        assert_eq!(all_matches(&filter, b"long-enough"), [(0, 11, 0)]);
    }

    #[test]
    fn many_needles() {
        let needles: Vec<(Vec<u8>, usize)> = (0..2000)
            .map(|i| (format!("value-{i:05}-x").into_bytes(), i))
            .collect();
        let filter = KnownFilter::new(needles);
        let text = b"prefix value-01234-x and value-01999-x end";
        let owners: Vec<usize> = all_matches(&filter, text).iter().map(|m| m.2).collect();
        assert_eq!(owners, [1234, 1999]);
    }
}
