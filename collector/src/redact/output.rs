//! Redacted output of `collect` itself: a `tracing_subscriber` writer that masks every
//! line before it reaches stderr or a log file.
//!
//! ```no_run
//! use std::sync::Arc;
//! use wegent_collector::redact::{Redactor, RedactingMakeWriter};
//!
//! let redactor = Arc::new(Redactor::new());
//! tracing_subscriber::fmt()
//!     .with_writer(RedactingMakeWriter::new(std::io::stderr, Arc::clone(&redactor)))
//!     .init();
//! ```
//!
//! Each event is buffered until a newline and redacted line by line; a multi-line event
//! written in one piece (a PEM block in an error chain) is redacted as a whole. What is
//! left without a newline is redacted when the writer is flushed or dropped.

use std::io::{self, Write};
use std::sync::Arc;

use memchr::memrchr;
use tracing_subscriber::fmt::MakeWriter;

use super::engine::Redactor;

/// A [`MakeWriter`] that wraps another and redacts everything written through it.
#[derive(Debug, Clone)]
pub struct RedactingMakeWriter<M> {
    inner: M,
    redactor: Arc<Redactor>,
}

impl<M> RedactingMakeWriter<M> {
    /// Wraps `inner`; masks come from `redactor`, so they match those in the bundle.
    pub fn new(inner: M, redactor: Arc<Redactor>) -> Self {
        RedactingMakeWriter { inner, redactor }
    }
}

impl<'a, M> MakeWriter<'a> for RedactingMakeWriter<M>
where
    M: MakeWriter<'a>,
{
    type Writer = RedactingWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter::new(self.inner.make_writer(), Arc::clone(&self.redactor))
    }
}

/// A writer that redacts complete lines before passing them on.
pub struct RedactingWriter<W: Write> {
    inner: W,
    redactor: Arc<Redactor>,
    pending: Vec<u8>,
}

impl<W: Write> RedactingWriter<W> {
    /// Wraps any writer.
    pub fn new(inner: W, redactor: Arc<Redactor>) -> Self {
        RedactingWriter {
            inner,
            redactor,
            pending: Vec::new(),
        }
    }

    /// Redacts and writes `self.pending[..len]`.
    fn emit(&mut self, len: usize) -> io::Result<()> {
        let chunk: Vec<u8> = self.pending.drain(..len).collect();
        match self.redactor.redact_bytes(&chunk) {
            Some(redacted) => self.inner.write_all(&redacted),
            None => self.inner.write_all(&chunk),
        }
    }
}

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if let Some(last_newline) = memrchr(b'\n', &self.pending) {
            self.emit(last_newline + 1)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            self.emit(self.pending.len())?;
        }
        self.inner.flush()
    }
}

impl<W: Write> Drop for RedactingWriter<W> {
    fn drop(&mut self) {
        if !self.pending.is_empty() {
            let _ = self.emit(self.pending.len());
        }
    }
}
