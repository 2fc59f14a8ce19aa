//! Escaping for the Markdown report, so that text from a bundle (log excerpts, error
//! messages, executor names) renders literally: it cannot end a table cell, open a link,
//! inject HTML or close a code block.
//!
//! The rules follow CommonMark and GitHub Flavored Markdown. A backslash escapes any
//! ASCII punctuation, and a code span is delimited by a backtick run longer than any run
//! inside it. Inside a table row, `\|` is the only way to write a literal pipe, even
//! within a code span.

use crate::report::printable;

/// Characters that start emphasis, links, HTML, code, tables, entities or (on GitHub)
/// math inline.
const INLINE_SPECIAL: &[char] = &[
    '\\', '`', '*', '_', '[', ']', '<', '>', '|', '~', '&', '!', '$',
];

/// Characters that start a block (heading, list, quote, thematic break) at a line start.
const LINE_START_SPECIAL: &[char] = &['#', '-', '+', '=', '>'];

/// Escapes text for an inline position (paragraph or table cell). Line breaks become
/// spaces, so the text stays on its line.
pub fn inline(text: &str) -> String {
    let flat = one_line(text);
    let mut out = String::with_capacity(flat.len() + 8);

    for (index, c) in flat.chars().enumerate() {
        let at_start = index == 0;
        if INLINE_SPECIAL.contains(&c) || (at_start && LINE_START_SPECIAL.contains(&c)) {
            out.push('\\');
        }
        out.push(c);
    }

    escape_ordered_list_start(out)
}

/// Wraps `text` in a code span for a paragraph or list item.
pub fn code_span(text: &str) -> String {
    span(text, false)
}

/// Wraps `text` in a code span for a table cell, escaping pipes as GFM tables require.
pub fn code_span_in_table(text: &str) -> String {
    span(text, true)
}

/// Wraps `text` in a fenced code block, every line prefixed by `indent`.
pub fn code_block(text: &str, indent: &str) -> String {
    let body = printable(text.trim_end_matches('\n'));
    let fence = "`".repeat((longest_backtick_run(&body) + 1).max(3));

    let mut out = format!("{indent}{fence}text\n");
    for line in body.split('\n') {
        out.push_str(indent);
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(indent);
    out.push_str(&fence);
    out.push('\n');
    out
}

fn span(text: &str, in_table: bool) -> String {
    let mut body = one_line(text);
    if body.trim().is_empty() {
        // An empty or blank code span does not render; show a dash instead.
        return "-".to_string();
    }
    if in_table {
        body = body.replace('|', "\\|");
    }

    let fence = "`".repeat(longest_backtick_run(&body) + 1);
    let pad = body.starts_with('`')
        || body.ends_with('`')
        || (body.starts_with(' ') && body.ends_with(' '));
    if pad {
        format!("{fence} {body} {fence}")
    } else {
        format!("{fence}{body}{fence}")
    }
}

/// Joins `text` onto one line and escapes terminal controls.
fn one_line(text: &str) -> String {
    let flat = text.trim().replace("\r\n", " ").replace(['\n', '\r'], " ");
    printable(&flat)
}

fn longest_backtick_run(text: &str) -> usize {
    let mut longest = 0;
    let mut current = 0;
    for c in text.chars() {
        if c == '`' {
            current += 1;
            longest = longest.max(current);
        } else {
            current = 0;
        }
    }
    longest
}

/// `1. text` or `1) text` at the start would begin an ordered list; escape the dot.
fn escape_ordered_list_start(text: String) -> String {
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 || digits > 9 {
        return text;
    }
    match text[digits..].chars().next() {
        Some('.') | Some(')') => format!("{}\\{}", &text[..digits], &text[digits..]),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_escapes_markup() {
        assert_eq!(inline("a|b"), "a\\|b");
        assert_eq!(inline("<script>"), "\\<script\\>");
        assert_eq!(inline("[x](http://e)"), "\\[x\\](http://e)");
        assert_eq!(inline("*bold* _it_"), "\\*bold\\* \\_it\\_");
        assert_eq!(inline("&amp;"), "\\&amp;");
        assert_eq!(inline("$x$"), "\\$x\\$");
    }

    #[test]
    fn inline_escapes_block_starts() {
        assert_eq!(inline("# title"), "\\# title");
        assert_eq!(inline("- item"), "\\- item");
        assert_eq!(inline("1. item"), "1\\. item");
        assert_eq!(inline("a - b"), "a - b");
    }

    #[test]
    fn inline_keeps_one_line() {
        assert_eq!(inline("one\ntwo\r\nthree"), "one two three");
    }

    #[test]
    fn code_span_outgrows_inner_backticks() {
        assert_eq!(code_span("plain"), "`plain`");
        assert_eq!(code_span("a `b` c"), "``a `b` c``");
        assert_eq!(code_span("`x`"), "`` `x` ``");
        assert_eq!(code_span(""), "-");
    }

    #[test]
    fn code_span_in_table_escapes_pipes() {
        assert_eq!(code_span_in_table("404 | x"), "`404 \\| x`");
        assert_eq!(code_span("404 | x"), "`404 | x`");
    }

    #[test]
    fn code_block_fence_outgrows_content() {
        let block = code_block("first\n```\nlast", "  ");
        assert_eq!(block, "  ````text\n  first\n  ```\n  last\n  ````\n");
    }

    #[test]
    fn code_block_escapes_controls() {
        assert!(code_block("\x1b[31mred", "").contains("\\u{1b}[31mred"));
    }
}
