//! Renderings of an [`Analysis`]: text for a terminal, Markdown for a ticket and JSON
//! for scripts, each in English or Simplified Chinese.
//!
//! The renderers only present what the engine decided; they never change a verdict or
//! drop a finding. Helpers shared by more than one format live here.

pub mod bundle_error;
pub mod color;
pub mod json;
pub mod labels;
pub mod markdown;
pub mod md_escape;
pub(crate) mod sections;
pub mod text;
pub mod width;

#[cfg(test)]
pub(crate) mod sample;

use chrono::{DateTime, SecondsFormat, Utc};

use crate::engine::{Analysis, SubtaskSummary};
use crate::i18n::Lang;

/// Output format of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Json,
}

/// How to render a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions {
    pub lang: Lang,
    /// ANSI colours in the text format; ignored by Markdown and JSON.
    pub color: bool,
    /// Newest subtasks shown by the text and Markdown formats; `None` shows all. JSON
    /// always carries every subtask.
    pub subtasks_limit: Option<usize>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            lang: Lang::En,
            color: false,
            subtasks_limit: Some(DEFAULT_SUBTASKS_LIMIT),
        }
    }
}

/// Newest subtasks the text and Markdown reports show by default.
pub const DEFAULT_SUBTASKS_LIMIT: usize = 30;

/// Renders `analysis` in `format`. The result ends with a newline.
pub fn render(analysis: &Analysis, format: Format, options: &RenderOptions) -> String {
    match format {
        Format::Text => text::render(analysis, options),
        Format::Markdown => markdown::render(analysis, options),
        Format::Json => json::render(analysis, options.lang),
    }
}

/// Returns the newest `limit` subtasks (oldest first, as the analysis lists them) and the
/// number of older ones left out.
pub(crate) fn visible_subtasks(
    subtasks: &[SubtaskSummary],
    limit: Option<usize>,
) -> (&[SubtaskSummary], usize) {
    match limit {
        Some(limit) if subtasks.len() > limit => {
            let hidden = subtasks.len() - limit;
            (&subtasks[hidden..], hidden)
        }
        _ => (subtasks, 0),
    }
}

/// Formats a UTC time for the text and Markdown reports: `2026-08-14 06:21:09`.
pub(crate) fn human_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Formats a UTC time for JSON: RFC 3339 with `Z`, whole seconds unless the value has a
/// fraction.
pub(crate) fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Formats an offset in seconds as `+08:00`, `-05:30` or `+00:00`.
pub(crate) fn format_offset(seconds: i64) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let magnitude = seconds.unsigned_abs();
    let hours = magnitude / 3600;
    let minutes = (magnitude % 3600) / 60;
    let rest = magnitude % 60;

    if rest == 0 {
        format!("{sign}{hours:02}:{minutes:02}")
    } else {
        format!("{sign}{hours:02}:{minutes:02}:{rest:02}")
    }
}

/// Replaces control characters other than newline and tab by visible escapes such as
/// `\u{1b}`, so that text taken from a bundle cannot move the cursor or recolour a
/// terminal.
pub(crate) fn printable(text: &str) -> String {
    if !text.chars().any(is_unsafe_control) {
        return text.to_string();
    }

    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe_control(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}

fn is_unsafe_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::subtask;

    #[test]
    fn visible_subtasks_keeps_newest() {
        let all: Vec<_> = (1..=5).map(subtask).collect();
        let (shown, hidden) = visible_subtasks(&all, Some(2));
        assert_eq!(hidden, 3);
        assert_eq!(shown.iter().map(|s| s.id).collect::<Vec<_>>(), vec![4, 5]);
    }

    #[test]
    fn visible_subtasks_without_limit_shows_all() {
        let all: Vec<_> = (1..=5).map(subtask).collect();
        assert_eq!(visible_subtasks(&all, None).0.len(), 5);
        assert_eq!(visible_subtasks(&all, Some(9)), (&all[..], 0));
    }

    #[test]
    fn format_offset_signs_and_pads() {
        assert_eq!(format_offset(8 * 3600), "+08:00");
        assert_eq!(format_offset(0), "+00:00");
        assert_eq!(format_offset(-(5 * 3600 + 30 * 60)), "-05:30");
        assert_eq!(format_offset(61), "+00:01:01");
    }

    #[test]
    fn printable_escapes_terminal_controls() {
        assert_eq!(printable("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(printable("line\nnext\ttab"), "line\nnext\ttab");
    }
}
