//! Display-width helpers for the terminal report: padding, truncation and word wrap
//! measured in terminal columns, so that CJK text (two columns per character) keeps
//! tables aligned.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Number of terminal columns `s` occupies.
pub fn display_width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Pads `s` with spaces on the right up to `width` columns; longer text is returned as is.
pub fn pad_right(s: &str, width: usize) -> String {
    let used = display_width(s);
    let mut out = String::with_capacity(s.len() + width.saturating_sub(used));
    out.push_str(s);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    out
}

/// Cuts `s` to at most `width` columns, ending in `…` when something was cut.
pub fn truncate(s: &str, width: usize) -> String {
    if display_width(s) <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }

    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// Breaks `text` into lines of at most `width` columns.
///
/// Lines break at spaces, and a word longer than the width gets a line of its own and
/// overflows it. Wide (CJK)
/// characters may break anywhere because those scripts do not separate words with
/// spaces. Existing line breaks are kept. Returns at least one line.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let mut lines = Vec::new();

    for paragraph in text.split('\n') {
        wrap_paragraph(paragraph.trim_end(), width, &mut lines);
    }

    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// Breaks `text` like [`wrap`], but the first line gets `first_width` columns and the
/// following lines `rest_width`, as under a label or list marker.
pub fn wrap_hanging(text: &str, first_width: usize, rest_width: usize) -> Vec<String> {
    // A first word too wide for the first line but not for the others starts on the
    // second line, and the first line stays empty.
    let first_word = tokens(text.split('\n').next().unwrap_or(""))
        .into_iter()
        .find(|token| !token.trim().is_empty());
    if let Some(word) = first_word {
        let word_width = display_width(word);
        if word_width > first_width && word_width <= rest_width {
            let mut out = vec![String::new()];
            out.extend(wrap(text.trim_start_matches([' ', '\t']), rest_width));
            return out;
        }
    }

    let mut lines = wrap(text, first_width);
    if lines.len() <= 1 || first_width == rest_width {
        return lines;
    }

    // Wrapping drops blanks only at line ends, so the first line is a prefix of the text
    // after its leading blanks. Whatever follows it is wrapped again at the other width.
    let head = lines.swap_remove(0);
    let trimmed = text.trim_start_matches([' ', '\t']);
    let remainder = trimmed.strip_prefix(head.as_str()).unwrap_or(trimmed);
    let remainder = remainder.trim_start_matches([' ', '\t']);
    let remainder = remainder.strip_prefix('\n').unwrap_or(remainder);

    let mut out = vec![head];
    out.extend(wrap(remainder, rest_width));
    out
}

fn wrap_paragraph(paragraph: &str, width: usize, lines: &mut Vec<String>) {
    let mut line = String::new();
    let mut used = 0;

    for token in tokens(paragraph) {
        let token_width = display_width(token);

        if token == " " {
            if used > 0 && used < width {
                line.push(' ');
                used += 1;
            }
            continue;
        }

        if used + token_width > width && used > 0 {
            lines.push(line.trim_end().to_string());
            line.clear();
            used = 0;
        }

        // A word wider than the line stays whole and overflows: breaking inside it would
        // split values such as `+08:00` or a path across lines.
        line.push_str(token);
        used += token_width;
    }

    lines.push(line.trim_end().to_string());
}

/// Punctuation that must not start a line in CJK text (line-breaking rules of Chinese and
/// Japanese typesetting); it stays with the token before it.
const NO_BREAK_BEFORE: &[char] = &[
    '。', '，', '、', '；', '：', '！', '？', '）', '」', '』', '】', '》', '〉', '”', '’', '…',
];

/// Punctuation that must not end a line; it stays with the token after it.
const NO_BREAK_AFTER: &[char] = &['（', '「', '『', '【', '《', '〈', '“', '‘'];

/// Splits a paragraph into words, single spaces and single wide characters. CJK
/// punctuation is joined to its neighbour so that a line never starts with `。` or
/// ends with `（`.
fn tokens(paragraph: &str) -> Vec<&str> {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut start = None;

    for (i, c) in paragraph.char_indices() {
        let is_space = c == ' ' || c == '\t';
        let is_wide = c.width().unwrap_or(0) > 1;

        if is_space || is_wide {
            if let Some(s) = start.take() {
                spans.push((s, i));
            }
            spans.push((i, i + c.len_utf8()));
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        spans.push((s, paragraph.len()));
    }

    let is_space = |span: &(usize, usize)| paragraph[span.0..span.1].trim().is_empty();
    let mut joined: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    let mut glue_next = false;

    for span in spans {
        let text = &paragraph[span.0..span.1];
        let closes = text.chars().count() == 1 && text.starts_with(NO_BREAK_BEFORE);

        match joined.last_mut() {
            Some(last) if (closes || glue_next) && !is_space(last) && !is_space(&span) => {
                last.1 = span.1;
            }
            _ => joined.push(span),
        }
        glue_next = text.ends_with(NO_BREAK_AFTER) && !is_space(&span);
    }

    joined.into_iter().map(|(s, e)| &paragraph[s..e]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_counts_cjk_as_two_columns() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("卡住"), 4);
    }

    #[test]
    fn pad_right_uses_columns_not_chars() {
        assert_eq!(pad_right("卡住", 6), "卡住  ");
        assert_eq!(pad_right("ab", 4), "ab  ");
        assert_eq!(pad_right("abcdef", 4), "abcdef");
    }

    #[test]
    fn truncate_marks_the_cut() {
        assert_eq!(truncate("wegent-task-abc", 8), "wegent-…");
        assert_eq!(truncate("short", 8), "short");
        assert_eq!(display_width(&truncate("执行器已退出并且没有回调", 9)), 9);
    }

    #[test]
    fn wrap_breaks_at_spaces() {
        let lines = wrap("the executor container exited with code 137", 16);
        assert_eq!(
            lines,
            vec!["the executor", "container exited", "with code 137"]
        );
    }

    #[test]
    fn wrap_breaks_cjk_anywhere() {
        let lines = wrap("子任务仍在运行但执行器容器已经退出", 10);
        assert!(lines.iter().all(|l| display_width(l) <= 10), "{lines:?}");
        assert_eq!(lines.concat(), "子任务仍在运行但执行器容器已经退出");
    }

    #[test]
    fn wrap_never_starts_line_with_cjk_punctuation() {
        let text = "最终回调只能由这个执行器发出，因此任务无法自行结束。";
        for width in 8..30 {
            for line in wrap(text, width) {
                assert!(!line.starts_with(NO_BREAK_BEFORE), "width {width}: {line}");
                assert!(display_width(&line) <= width, "width {width}: {line}");
            }
        }
    }

    #[test]
    fn wrap_never_ends_line_with_opening_bracket() {
        let text = "假定执行器日志为 UTC+08:00（其配置的时区 Asia/Shanghai）。";
        for width in 8..30 {
            for line in wrap(text, width) {
                assert!(!line.ends_with(NO_BREAK_AFTER), "width {width}: {line}");
            }
        }
    }

    #[test]
    fn wrap_keeps_long_words_whole() {
        let lines = wrap("at 2026-01-22T16:39:00+08:00 done", 12);
        assert_eq!(lines, vec!["at", "2026-01-22T16:39:00+08:00", "done"]);
    }

    #[test]
    fn wrap_hanging_moves_wide_first_word() {
        let lines = wrap_hanging("2026-01-22T16:39:00+08:00 Validate CSV headers", 20, 40);
        assert_eq!(
            lines,
            vec!["", "2026-01-22T16:39:00+08:00 Validate CSV", "headers"]
        );
    }

    #[test]
    fn wrap_hanging_uses_full_width_after_first_line() {
        let text = "HTTP 404 {\"detail\":\"not found\"} and a few more words here";
        let lines = wrap_hanging(text, 10, 40);
        assert_eq!(
            lines,
            vec![
                "HTTP 404",
                "{\"detail\":\"not found\"} and a few more",
                "words here"
            ]
        );
    }

    #[test]
    fn wrap_hanging_keeps_later_paragraphs() {
        let lines = wrap_hanging("one two\nthree", 20, 10);
        assert_eq!(lines, vec!["one two", "three"]);
    }

    #[test]
    fn wrap_keeps_line_breaks() {
        assert_eq!(wrap("one\ntwo", 40), vec!["one", "two"]);
        assert_eq!(wrap("", 40), vec![""]);
    }
}
