//! Message catalogues in English and Simplified Chinese, and their lookup.
//!
//! The general catalogues (`en.rs`, `zh.rs`) hold engine texts such as verdicts,
//! summaries and timeline events; each rule carries its own texts in its file. Every
//! table is a static list of `(key, text)` pairs, and `{name}` in a text is replaced by
//! the argument of that name. Tests check that both languages hold the same keys and
//! that every rule has its title, detail and next-step texts.

pub mod en;
pub mod zh;

use crate::engine::Msg;

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
    substitute(template, &msg.args)
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
    let mut segments = Vec::new();
    let mut rest = template;

    while let Some(open) = rest.find('`') {
        let Some(close) = rest[open + 1..].find('`') else {
            break;
        };
        if open > 0 {
            segments.push(Segment::Text(substitute(&rest[..open], &msg.args)));
        }
        let code = &rest[open + 1..open + 1 + close];
        segments.push(Segment::Code(substitute(code, &msg.args)));
        rest = &rest[open + 1 + close + 1..];
    }

    if !rest.is_empty() {
        segments.push(Segment::Text(substitute(rest, &msg.args)));
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
    fn substitute_keeps_unknown_placeholders() {
        assert_eq!(substitute("left {x} alone", &[]), "left {x} alone");
    }
}
