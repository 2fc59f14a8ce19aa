//! ANSI colours of the terminal report, and the decision whether to use them.

use std::ffi::OsStr;

use crate::engine::{Severity, Verdict};

/// What a piece of text is, which decides its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Heading,
    Critical,
    Warning,
    Info,
    /// A verdict that needs no action (completed, running).
    Good,
    /// A verdict that shows a problem.
    Bad,
    /// Secondary text: locators, times, hints.
    Dim,
}

impl Role {
    pub fn of_severity(severity: Severity) -> Role {
        match severity {
            Severity::Critical => Role::Critical,
            Severity::Warning => Role::Warning,
            Severity::Info => Role::Info,
        }
    }

    pub fn of_verdict(verdict: Verdict) -> Role {
        if verdict.is_problem() {
            Role::Bad
        } else {
            Role::Good
        }
    }

    fn sgr(self) -> &'static str {
        match self {
            Role::Heading => "1",
            Role::Critical => "1;31",
            Role::Warning => "33",
            Role::Info => "36",
            Role::Good => "1;32",
            Role::Bad => "1;31",
            Role::Dim => "2",
        }
    }
}

/// Colours text when enabled, and passes it through unchanged otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Painter {
    pub enabled: bool,
}

impl Painter {
    pub fn new(enabled: bool) -> Self {
        Painter { enabled }
    }

    /// Wraps `text` in the escape sequences of `role`. Pad text before painting it:
    /// escape sequences take no columns but count as characters.
    pub fn paint(&self, role: Role, text: &str) -> String {
        if !self.enabled || text.is_empty() {
            return text.to_string();
        }
        format!("\x1b[{}m{text}\x1b[0m", role.sgr())
    }
}

/// Decides whether the terminal report uses colour: only when the output is a terminal,
/// `--no-color` was not given and `NO_COLOR` is unset or empty (the no-color.org
/// convention treats an empty value as unset).
pub fn use_color(
    no_color_flag: bool,
    stdout_is_terminal: bool,
    no_color_env: Option<&OsStr>,
) -> bool {
    let env_disables = no_color_env.is_some_and(|value| !value.is_empty());
    stdout_is_terminal && !no_color_flag && !env_disables
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn use_color_only_on_terminal() {
        assert!(use_color(false, true, None));
        assert!(!use_color(false, false, None));
    }

    #[test]
    fn use_color_respects_flag_and_env() {
        assert!(!use_color(true, true, None));
        assert!(!use_color(false, true, Some(OsStr::new("1"))));
        assert!(use_color(false, true, Some(OsStr::new(""))));
    }

    #[test]
    fn painter_disabled_passes_text_through() {
        assert_eq!(Painter::new(false).paint(Role::Critical, "stuck"), "stuck");
    }

    #[test]
    fn painter_enabled_wraps_and_resets() {
        let painted = Painter::new(true).paint(Role::Critical, "stuck");
        assert_eq!(painted, "\x1b[1;31mstuck\x1b[0m");
    }
}
