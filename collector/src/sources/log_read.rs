//! Streaming reads of log files for the docker and logs sources.
//!
//! [`LineReader`] splits any byte stream into lines of at most [`MAX_LINE_BYTES`]; the
//! rest of a longer line is skipped, so a log without newlines cannot exhaust memory.
//! [`open_log`] opens plain and gzip-compressed files (`.gz`). [`TailBuffer`] keeps the
//! newest lines within a line and byte budget and converts them to text with invalid
//! UTF-8 replaced. Nothing here keeps a whole file in memory.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::log_filter::{ContextFilter, KeyMatcher, RecordFormat, SinceWindow};

/// Maximum line length in bytes; longer lines are cut to it.
pub const MAX_LINE_BYTES: usize = 16 * 1024;

/// Read buffer size.
const BUFFER_BYTES: usize = 256 * 1024;

/// Opens a log file for streaming, decompressing it when its name ends in `.gz`.
pub fn open_log(path: &Path) -> io::Result<LineReader<Box<dyn Read + Send>>> {
    let file = File::open(path)?;
    let inner: Box<dyn Read + Send> = if path.extension().is_some_and(|ext| ext == "gz") {
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
            BUFFER_BYTES,
            file,
        )))
    } else {
        Box::new(file)
    };
    Ok(LineReader::new(inner))
}

/// Reads lines of bounded length from a byte stream.
pub struct LineReader<R> {
    inner: BufReader<R>,
    line: Vec<u8>,
    /// Lines that were longer than [`MAX_LINE_BYTES`] and were cut.
    pub cut_lines: u64,
}

impl<R: Read> LineReader<R> {
    pub fn new(inner: R) -> Self {
        LineReader {
            inner: BufReader::with_capacity(BUFFER_BYTES, inner),
            line: Vec::with_capacity(1024),
            cut_lines: 0,
        }
    }

    /// Returns the next line without its newline, or `None` at the end of the stream.
    pub fn next_line(&mut self) -> io::Result<Option<&[u8]>> {
        self.line.clear();
        let mut cut = false;
        let mut any = false;
        loop {
            let available = match self.inner.fill_buf() {
                Ok(bytes) => bytes,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => return Err(err),
            };
            if available.is_empty() {
                break;
            }
            any = true;
            let (chunk, used, done) = match memchr::memchr(b'\n', available) {
                Some(at) => (&available[..at], at + 1, true),
                None => (available, available.len(), false),
            };
            let room = MAX_LINE_BYTES.saturating_sub(self.line.len());
            if chunk.len() > room {
                cut = true;
            }
            self.line.extend_from_slice(&chunk[..chunk.len().min(room)]);
            self.inner.consume(used);
            if done {
                break;
            }
        }
        if cut {
            self.cut_lines += 1;
        }
        if !any {
            return Ok(None);
        }
        Ok(Some(&self.line))
    }
}

/// The newest lines of a stream within a line and byte budget.
#[derive(Debug)]
pub struct TailBuffer {
    lines: VecDeque<Vec<u8>>,
    bytes: u64,
    max_lines: u64,
    max_bytes: u64,
    /// Lines dropped from the front to stay within the budget.
    pub dropped: u64,
}

impl TailBuffer {
    pub fn new(max_lines: u64, max_bytes: u64) -> Self {
        TailBuffer {
            lines: VecDeque::new(),
            bytes: 0,
            max_lines,
            max_bytes,
            dropped: 0,
        }
    }

    /// Appends one line (without newline), dropping the oldest lines when over budget.
    pub fn push(&mut self, line: &[u8]) {
        let cost = line.len() as u64 + 1;
        if cost > self.max_bytes || self.max_lines == 0 {
            self.dropped += 1;
            return;
        }
        let mut slot = None;
        while !self.lines.is_empty()
            && (self.bytes + cost > self.max_bytes || self.lines.len() as u64 >= self.max_lines)
        {
            let old = self.lines.pop_front().unwrap_or_default();
            self.bytes -= old.len() as u64 + 1;
            self.dropped += 1;
            slot = Some(old);
        }
        let mut slot = slot.unwrap_or_default();
        slot.clear();
        slot.extend_from_slice(line);
        self.bytes += cost;
        self.lines.push_back(slot);
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Converts the kept lines to text, one per line, with invalid UTF-8 replaced by U+FFFD.
    pub fn into_text(self) -> String {
        let mut text = String::with_capacity(self.bytes as usize);
        for line in self.lines {
            text.push_str(&String::from_utf8_lossy(&line));
            text.push('\n');
        }
        text
    }
}

/// Counts of what [`filter_files`] read.
#[derive(Debug, Default, Clone)]
pub struct ScanStats {
    pub files: Vec<PathBuf>,
    pub records: u64,
    pub kept: u64,
    pub cut_lines: u64,
}

/// Streams `paths` in the given order through one [`ContextFilter`] into `out`. Blocking;
/// call it from `spawn_blocking`.
pub fn filter_files(
    paths: &[PathBuf],
    format: RecordFormat,
    matcher: &KeyMatcher,
    window: Option<SinceWindow>,
    out: &mut TailBuffer,
) -> io::Result<ScanStats> {
    let mut filter = ContextFilter::new(matcher, format, window);
    let mut stats = ScanStats::default();
    for path in paths {
        let mut reader = open_log(path).map_err(|err| {
            io::Error::new(err.kind(), format!("cannot open {}: {err}", path.display()))
        })?;
        while let Some(line) = reader.next_line().map_err(|err| {
            io::Error::new(err.kind(), format!("cannot read {}: {err}", path.display()))
        })? {
            filter.push(line, &mut |kept| out.push(kept));
        }
        stats.cut_lines += reader.cut_lines;
        stats.files.push(path.clone());
    }
    stats.records = filter.seen;
    stats.kept = filter.kept;
    Ok(stats)
}

/// Reads every line of `paths` in order into `out`, keeping the newest. Blocking.
pub fn tail_files(
    paths: &[PathBuf],
    format: RecordFormat,
    out: &mut TailBuffer,
) -> io::Result<u64> {
    let mut rendered = Vec::new();
    let mut cut_lines = 0;
    for path in paths {
        let mut reader = open_log(path).map_err(|err| {
            io::Error::new(err.kind(), format!("cannot open {}: {err}", path.display()))
        })?;
        while let Some(line) = reader.next_line().map_err(|err| {
            io::Error::new(err.kind(), format!("cannot read {}: {err}", path.display()))
        })? {
            rendered.clear();
            format.render(line, &mut rendered);
            out.push(&rendered);
        }
        cut_lines += reader.cut_lines;
    }
    Ok(cut_lines)
}

/// Modification time of a file, or the epoch when it cannot be read.
pub fn modified(path: &Path) -> SystemTime {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .unwrap_or(SystemTime::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut() {
        let mut data = vec![b'a'; MAX_LINE_BYTES * 3];
        data.extend_from_slice(b"\nshort\nlast");
        let mut reader = LineReader::new(&data[..]);
        assert_eq!(reader.next_line().unwrap().unwrap().len(), MAX_LINE_BYTES);
        assert_eq!(reader.next_line().unwrap().unwrap(), b"short");
        assert_eq!(reader.next_line().unwrap().unwrap(), b"last");
        assert!(reader.next_line().unwrap().is_none());
        assert_eq!(reader.cut_lines, 1);
    }

    #[test]
    fn tail_keeps_newest_within_budget() {
        let mut tail = TailBuffer::new(3, 1000);
        for i in 0..10 {
            tail.push(format!("line {i}").as_bytes());
        }
        assert_eq!(tail.dropped, 7);
        assert_eq!(tail.into_text(), "line 7\nline 8\nline 9\n");

        let mut tail = TailBuffer::new(100, 14);
        for i in 0..5 {
            tail.push(format!("line {i}").as_bytes());
        }
        assert_eq!(tail.into_text(), "line 3\nline 4\n");
    }
}
