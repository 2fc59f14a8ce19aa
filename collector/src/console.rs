//! Everything `collect` prints: progress on stderr, the summary on stdout, errors.
//!
//! Every line passes through the redactor first, so a secret that reached an error
//! message (a URL with a password, a token in a server response) is replaced before it
//! reaches the terminal. On a terminal, progress is one spinner line per running source;
//! otherwise (a pipe, a CI log) it is plain lines.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::i18n::{Lang, localize_detail, text};
use crate::redact::Redactor;

/// Redacting printer shared by the runner, the summary and `main`.
#[derive(Clone)]
pub struct Console {
    lang: Lang,
    redactor: Arc<Redactor>,
    spinner: bool,
}

impl Console {
    /// Creates a console that draws a spinner when stderr is a terminal.
    pub fn new(lang: Lang, redactor: Arc<Redactor>) -> Self {
        let spinner = std::io::stderr().is_terminal();
        Console {
            lang,
            redactor,
            spinner,
        }
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// Text of a catalogue key in the console's language.
    pub fn text(&self, key: &str, args: &[(&str, &str)]) -> String {
        text(self.lang, key, args)
    }

    /// A source's error message in the console's language, where a translation exists.
    pub fn detail(&self, message: &str) -> String {
        localize_detail(self.lang, message)
    }

    /// Redacts `line` with the shared redactor.
    pub fn redact(&self, line: &str) -> String {
        self.redactor.redact_str(line).into_owned()
    }

    /// Prints one line on stdout.
    pub fn out(&self, line: &str) {
        let line = self.redact(line);
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{line}");
    }

    /// Prints one line on stderr.
    pub fn err(&self, line: &str) {
        let line = self.redact(line);
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "{line}");
    }

    /// Prints an error with the `collect:` prefix on stderr.
    pub fn error(&self, message: &str) {
        self.err(&format!("{}{message}", self.text("error.prefix", &[])));
    }

    /// Shows that `label` started: a spinner on a terminal, a plain line otherwise.
    /// Dropping or finishing the handle stops the spinner.
    pub fn start(&self, label: &str) -> Progress {
        let label = self.redact(label);
        if !self.spinner {
            self.err(&label);
            return Progress { stop: None };
        }

        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        tokio::spawn(async move {
            const FRAMES: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
            let mut frame = 0;
            while !flag.load(Ordering::Relaxed) {
                eprint!("\r\x1b[2K{} {label}", FRAMES[frame % FRAMES.len()]);
                let _ = std::io::stderr().flush();
                frame += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
        Progress { stop: Some(stop) }
    }

    /// Ends a progress display and prints the final line for it.
    pub fn finish(&self, progress: Progress, line: &str) {
        let spinning = progress.stop.is_some();
        drop(progress);
        if spinning {
            eprint!("\r\x1b[2K");
        }
        self.err(line);
    }
}

/// A running progress display; see [`Console::start`].
pub struct Progress {
    stop: Option<Arc<AtomicBool>>,
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(stop) = &self.stop {
            stop.store(true, Ordering::Relaxed);
        }
    }
}
