//! Message catalogues in English and Simplified Chinese, and their lookup.
//!
//! The general catalogues (`en.rs`, `zh.rs`) hold engine texts such as verdicts,
//! summaries and timeline events; each rule carries its own texts in its file. Every
//! table is a static list of `(key, text)` pairs, and `{name}` in a text is replaced by
//! the argument of that name. Tests check that both languages hold the same keys and
//! that every rule has its title, detail and next-step texts.

pub mod en;
pub mod zh;

use std::borrow::Cow;

use crate::engine::Msg;
use crate::engine::analysis::LIST_SEPARATOR;

/// Report and message language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    /// Picks the language from `LC_ALL`, then `LC_MESSAGES`, then `LANG`: `zh*` means
    /// Chinese, anything else English.
    pub fn from_env() -> Lang {
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Ok(value) = std::env::var(var) {
                if value.is_empty() {
                    continue;
                }
                return if value.to_ascii_lowercase().starts_with("zh") {
                    Lang::Zh
                } else {
                    Lang::En
                };
            }
        }
        Lang::En
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    fn catalogue(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Lang::En => en::MESSAGES,
            Lang::Zh => zh::MESSAGES,
        }
    }
}

/// Returns the catalogue text of `key`, if the language has it. Keys that start with a
/// rule id are looked up in that rule's own catalogue, the rest in the general one.
pub fn lookup(lang: Lang, key: &str) -> Option<&'static str> {
    let in_table = |table: &'static [(&'static str, &'static str)]| {
        table.iter().find(|(k, _)| *k == key).map(|(_, text)| *text)
    };

    if let Some((prefix, _)) = key.split_once('.') {
        if let Some(rule) = crate::rules::RULES.iter().find(|r| r.id() == prefix) {
            return in_table(rule.messages(lang));
        }
    }

    in_table(lang.catalogue())
}

/// Returns the catalogue text of `key` in `lang`, else in English, else the key itself.
fn template(lang: Lang, key: &'static str) -> &'static str {
    lookup(lang, key)
        .or_else(|| lookup(Lang::En, key))
        .unwrap_or(key)
}

/// Renders a message in a language. A key missing from the catalogue renders as the key
/// itself, which the completeness test prevents from shipping.
pub fn render(lang: Lang, msg: &Msg) -> String {
    let template = template(lang, msg.key);
    tidy(lang, substitute(template, &localize_args(lang, &msg.args)))
}

/// A Chinese duration unit followed by a space and a Han character: the template's space
/// before the next word was meant for a compact duration such as `11m`.
static ZH_UNIT_SPACE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"(\d (?:秒|分钟|小时|天)) (\p{Han})").expect("pattern compiles")
});

/// Removes, in Chinese, the space between a localized duration and the Han text after it
/// (`11 分钟 的误差` becomes `11 分钟的误差`).
fn tidy(lang: Lang, text: String) -> String {
    match lang {
        Lang::Zh if text.contains(' ') => ZH_UNIT_SPACE.replace_all(&text, "$1$2").into_owned(),
        _ => text,
    }
}

/// Puts argument values into the language: list items get the language's separator, and
/// in Chinese a compact duration (`52m`, `3h05m`) gets Chinese units (`52 分钟`).
fn localize_args(lang: Lang, args: &[(&'static str, String)]) -> Vec<(&'static str, String)> {
    let separator = match lang {
        Lang::En => ", ",
        Lang::Zh => "、",
    };
    args.iter()
        .map(|(name, value)| {
            let value: Cow<'_, str> = match lang {
                Lang::Zh => localize_duration_zh(value)
                    .map(Cow::Owned)
                    .unwrap_or(Cow::Borrowed(value)),
                Lang::En => Cow::Borrowed(value),
            };
            (*name, value.replace(LIST_SEPARATOR, separator))
        })
        .collect()
}

/// Rewrites a duration in the compact form of [`crate::engine::clock::format_duration`]
/// (`45s`, `12m`, `3h05m`, `2d04h`) with Chinese units, or `None` for any other text.
pub fn localize_duration_zh(text: &str) -> Option<String> {
    let (first, rest) = split_number(text)?;
    let (unit, rest) = rest.split_at(rest.chars().next()?.len_utf8());
    let first_text = format!("{first} {}", zh_unit(unit)?);
    if rest.is_empty() {
        return Some(first_text);
    }

    let (second, tail) = split_number(rest)?;
    let expected = match unit {
        "h" => "m",
        "d" => "h",
        _ => return None,
    };
    if tail != expected {
        return None;
    }
    if second == 0 {
        return Some(first_text);
    }
    Some(format!("{first_text} {second} {}", zh_unit(tail)?))
}

fn split_number(text: &str) -> Option<(u64, &str)> {
    let digits = text.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    Some((text[..digits].parse().ok()?, &text[digits..]))
}

fn zh_unit(unit: &str) -> Option<&'static str> {
    match unit {
        "s" => Some("秒"),
        "m" => Some("分钟"),
        "h" => Some("小时"),
        "d" => Some("天"),
        _ => None,
    }
}

/// One piece of a rendered message: prose, or a code span the catalogue text wrote
/// between backticks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Text(String),
    Code(String),
}

/// Renders a message like [`render`], but keeps the catalogue's backtick code spans
/// apart from the prose, so a renderer can format them as code. Arguments are filled in
/// after the split, so a backtick inside an argument never opens or closes a span. An
/// unpaired backtick stays in the prose.
pub fn render_segments(lang: Lang, msg: &Msg) -> Vec<Segment> {
    let template = template(lang, msg.key);
    let args = localize_args(lang, &msg.args);
    let mut segments = Vec::new();
    let mut rest = template;

    while let Some(open) = rest.find('`') {
        let Some(close) = rest[open + 1..].find('`') else {
            break;
        };
        if open > 0 {
            segments.push(Segment::Text(tidy(lang, substitute(&rest[..open], &args))));
        }
        let code = &rest[open + 1..open + 1 + close];
        segments.push(Segment::Code(substitute(code, &args)));
        rest = &rest[open + 1 + close + 1..];
    }

    if !rest.is_empty() {
        segments.push(Segment::Text(tidy(lang, substitute(rest, &args))));
    }
    segments
}

fn substitute(template: &str, args: &[(&'static str, String)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;

    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match args.iter().find(|(n, _)| *n == name) {
                    Some((_, value)) => out.push_str(value),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }

    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitute_fills_named_arguments() {
        let args = vec![
            ("name", "wegent-task-a".to_string()),
            ("code", "137".to_string()),
        ];
        assert_eq!(
            substitute("{name} exited with {code}", &args),
            "wegent-task-a exited with 137"
        );
    }

    #[test]
    fn segments_split_catalogue_code_spans() {
        let msg = Msg::new("executor-exited.next").arg("name", "a`b");

        let segments = render_segments(Lang::En, &msg);

        assert!(segments.contains(&Segment::Code("docker logs a`b".to_string())));
        assert!(matches!(&segments[0], Segment::Text(t) if t.starts_with("Read the last lines")));
    }

    #[test]
    fn segments_keep_unpaired_backtick_in_text() {
        let msg = Msg::new("no.such-key-with`backtick");

        let segments = render_segments(Lang::En, &msg);

        assert_eq!(
            segments,
            [Segment::Text("no.such-key-with`backtick".to_string())]
        );
    }

    #[test]
    fn localizes_compact_durations_in_chinese() {
        assert_eq!(localize_duration_zh("52m").as_deref(), Some("52 分钟"));
        assert_eq!(
            localize_duration_zh("3h05m").as_deref(),
            Some("3 小时 5 分钟")
        );
        assert_eq!(localize_duration_zh("2d00h").as_deref(), Some("2 天"));
        assert_eq!(localize_duration_zh("45s").as_deref(), Some("45 秒"));
        assert_eq!(localize_duration_zh("137"), None);
        assert_eq!(localize_duration_zh("5mb"), None);
        assert_eq!(
            tidy(Lang::Zh, "考虑 11 分钟 的误差".into()),
            "考虑 11 分钟的误差"
        );
    }

    #[test]
    fn joins_list_arguments_per_language() {
        let msg = Msg::new("no.such-key {sources}").list("sources", &["a", "b"]);
        let msg = Msg {
            key: "x {sources}",
            ..msg
        };

        assert_eq!(render(Lang::En, &msg), "x a, b");
        assert_eq!(render(Lang::Zh, &msg), "x a、b");
    }

    #[test]
    fn substitute_keeps_unknown_placeholders() {
        assert_eq!(substitute("left {x} alone", &[]), "left {x} alone");
    }
}
