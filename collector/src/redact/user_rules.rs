//! User rules: extra secrets described in a TOML file (`collect --redaction-rules FILE`).
//!
//! ```toml
//! [[rule]]
//! name = "corp-token"                  # mask label: lowercase letters, digits, -
//! regex = "corp_[a-z0-9]{32}"          # or: literal = "a fixed value"
//! keys = ["x-corp-auth"]               # optional: key names whose values are secret
//! ```
//!
//! A `regex` is searched over the whole text; when it has a capture group named
//! `secret`, only that group is masked. A `literal` is searched like a remembered value,
//! encodings included. `keys` add key names to the structure rules (matched without
//! regard to case or `_`/`-`/`.`, also as the end of a longer name: `x-corp-auth`
//! matches `HTTP_X_CORP_AUTH`). User rules only add: the built-in rules always run.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use regex::bytes::Regex;
use serde::Deserialize;

use super::keys::UserKey;
use super::mask::is_rule_name;
use super::patterns::compile;

/// Shortest literal a rule may name.
const MIN_LITERAL_LEN: usize = 4;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    rule: Vec<RuleSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    name: Option<String>,
    regex: Option<String>,
    literal: Option<String>,
    #[serde(default)]
    keys: Vec<String>,
}

/// One validated user rule.
#[derive(Debug, Clone)]
pub(crate) struct UserRule {
    pub name: Arc<str>,
    pub regex: Option<Regex>,
    /// Index of the `secret` capture group, or 0 for the whole match.
    pub group: usize,
    pub literal: Option<Vec<u8>>,
    pub keys: Vec<UserKey>,
}

/// Error from loading a rules file.
#[derive(Debug)]
pub enum RulesError {
    /// The file could not be read.
    Read { path: PathBuf, source: io::Error },
    /// The file is not TOML of the expected shape.
    Syntax { path: PathBuf, message: String },
    /// One rule is invalid. `index` counts `[[rule]]` tables from 1.
    Rule {
        path: PathBuf,
        index: usize,
        name: Option<String>,
        problem: RuleProblem,
    },
}

/// Problem with one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleProblem {
    MissingName,
    InvalidName(String),
    DuplicateName(String),
    NothingToMatch,
    RegexAndLiteral,
    InvalidRegex(String),
    MatchesEmpty,
    ShortLiteral,
    EmptyKey,
}

impl RuleProblem {
    fn english(&self) -> (String, &'static str) {
        match self {
            RuleProblem::MissingName => (
                "has no name".into(),
                "add name = \"my-rule\" (lowercase letters, digits and -)",
            ),
            RuleProblem::InvalidName(name) => (
                format!("name {name:?} is not a valid rule name"),
                "use 1 to 48 lowercase letters, digits and -, such as \"corp-token\"",
            ),
            RuleProblem::DuplicateName(name) => (
                format!("name {name:?} is already used by a built-in rule or an earlier rule"),
                "choose another name",
            ),
            RuleProblem::NothingToMatch => (
                "has no regex, literal or keys".into(),
                "add regex = \"...\", literal = \"...\" or keys = [\"...\"]",
            ),
            RuleProblem::RegexAndLiteral => (
                "has both regex and literal".into(),
                "split it into two rules with different names",
            ),
            RuleProblem::InvalidRegex(error) => (
                format!("regex does not compile: {error}"),
                "fix the expression (Rust regex syntax) or use literal for a fixed string",
            ),
            RuleProblem::MatchesEmpty => (
                "regex matches the empty string, so it would mask nothing useful".into(),
                "make it require at least one character, for example + instead of *",
            ),
            RuleProblem::ShortLiteral => (
                format!("literal is shorter than {MIN_LITERAL_LEN} characters"),
                "use a longer literal, or a regex that includes the text around the value",
            ),
            RuleProblem::EmptyKey => (
                "keys contains a name without letters or digits".into(),
                "list key names such as \"x-corp-auth\"",
            ),
        }
    }

    fn chinese(&self) -> (String, &'static str) {
        match self {
            RuleProblem::MissingName => (
                "缺少 name".into(),
                "请添加 name = \"my-rule\"（小写字母、数字和 -）",
            ),
            RuleProblem::InvalidName(name) => (
                format!("名称 {name:?} 不是有效的规则名"),
                "请使用 1 到 48 个小写字母、数字和 -，例如 \"corp-token\"",
            ),
            RuleProblem::DuplicateName(name) => (
                format!("名称 {name:?} 已被内置规则或前面的规则使用"),
                "请换一个名称",
            ),
            RuleProblem::NothingToMatch => (
                "没有 regex、literal 或 keys".into(),
                "请添加 regex = \"...\"、literal = \"...\" 或 keys = [\"...\"]",
            ),
            RuleProblem::RegexAndLiteral => (
                "同时设置了 regex 和 literal".into(),
                "请拆成两条名称不同的规则",
            ),
            RuleProblem::InvalidRegex(error) => (
                format!("regex 无法编译：{error}"),
                "请修正表达式（Rust regex 语法），固定字符串请改用 literal",
            ),
            RuleProblem::MatchesEmpty => (
                "regex 能匹配空字符串，无法遮盖有用内容".into(),
                "请让它至少匹配一个字符，例如用 + 代替 *",
            ),
            RuleProblem::ShortLiteral => (
                format!("literal 少于 {MIN_LITERAL_LEN} 个字符"),
                "请使用更长的 literal，或使用包含上下文的 regex",
            ),
            RuleProblem::EmptyKey => (
                "keys 中有不含字母或数字的名称".into(),
                "请列出键名，例如 \"x-corp-auth\"",
            ),
        }
    }
}

impl RulesError {
    /// Returns the message in Simplified Chinese; `Display` gives the English one.
    pub fn message_zh(&self) -> String {
        match self {
            RulesError::Read { path, source } => format!(
                "无法读取脱敏规则文件 {}：{source}；请检查 --redaction-rules 指定的路径",
                path.display()
            ),
            RulesError::Syntax { path, message } => format!(
                "脱敏规则文件 {} 不是有效的 TOML：{message}；每条规则是一个 [[rule]] 表，含 name 以及 regex、literal 或 keys",
                path.display()
            ),
            RulesError::Rule {
                path,
                index,
                name,
                problem,
            } => {
                let (what, fix) = problem.chinese();
                format!(
                    "脱敏规则文件 {} 第 {index} 条规则{}：{what}；{fix}",
                    path.display(),
                    name.as_deref()
                        .map(|n| format!("（{n}）"))
                        .unwrap_or_default()
                )
            }
        }
    }
}

impl fmt::Display for RulesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RulesError::Read { path, source } => write!(
                f,
                "cannot read redaction rules file {}: {source}; check the path given to --redaction-rules",
                path.display()
            ),
            RulesError::Syntax { path, message } => write!(
                f,
                "redaction rules file {} is not valid TOML: {message}; each rule is a [[rule]] table with name and regex, literal or keys",
                path.display()
            ),
            RulesError::Rule {
                path,
                index,
                name,
                problem,
            } => {
                let (what, fix) = problem.english();
                let label = name
                    .as_deref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default();
                write!(
                    f,
                    "redaction rules file {}, rule {index}{label}: {what}; {fix}",
                    path.display()
                )
            }
        }
    }
}

impl std::error::Error for RulesError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RulesError::Read { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Reads and validates a rules file. `reserved` lists names user rules may not take.
pub(crate) fn load(path: &Path, reserved: &[&str]) -> Result<Vec<UserRule>, RulesError> {
    let text = std::fs::read_to_string(path).map_err(|source| RulesError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text, path, reserved)
}

/// Validates the text of a rules file; `path` is only used in errors.
pub(crate) fn parse(
    text: &str,
    path: &Path,
    reserved: &[&str],
) -> Result<Vec<UserRule>, RulesError> {
    let file: RulesFile = toml::from_str(text).map_err(|err| {
        let line = err
            .span()
            .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
        let message = err.message().trim_end().to_string();
        RulesError::Syntax {
            path: path.to_path_buf(),
            message: match line {
                Some(line) => format!("line {line}: {message}"),
                None => message,
            },
        }
    })?;

    let mut rules: Vec<UserRule> = Vec::with_capacity(file.rule.len());
    for (i, spec) in file.rule.into_iter().enumerate() {
        let name = spec.name.clone();
        let reject = |problem: RuleProblem| RulesError::Rule {
            path: path.to_path_buf(),
            index: i + 1,
            name: name.clone(),
            problem,
        };
        let rule = validate(spec, reserved, &rules).map_err(reject)?;
        rules.push(rule);
    }
    Ok(rules)
}

fn validate(
    spec: RuleSpec,
    reserved: &[&str],
    earlier: &[UserRule],
) -> Result<UserRule, RuleProblem> {
    let name = spec.name.ok_or(RuleProblem::MissingName)?;
    if !is_rule_name(&name) {
        return Err(RuleProblem::InvalidName(name));
    }
    if reserved.contains(&name.as_str()) || earlier.iter().any(|r| *r.name == name) {
        return Err(RuleProblem::DuplicateName(name));
    }
    let name: Arc<str> = Arc::from(name);

    if spec.regex.is_none() && spec.literal.is_none() && spec.keys.is_empty() {
        return Err(RuleProblem::NothingToMatch);
    }
    if spec.regex.is_some() && spec.literal.is_some() {
        return Err(RuleProblem::RegexAndLiteral);
    }

    let (regex, group) = match spec.regex {
        Some(pattern) => {
            let regex =
                compile(&pattern).map_err(|err| RuleProblem::InvalidRegex(err.to_string()))?;
            if regex.is_match(b"") {
                return Err(RuleProblem::MatchesEmpty);
            }
            let group = regex
                .capture_names()
                .position(|n| n == Some("secret"))
                .unwrap_or(0);
            (Some(regex), group)
        }
        None => (None, 0),
    };

    let literal = match spec.literal {
        Some(literal) if literal.len() < MIN_LITERAL_LEN => return Err(RuleProblem::ShortLiteral),
        Some(literal) => Some(literal.into_bytes()),
        None => None,
    };

    let mut keys = Vec::with_capacity(spec.keys.len());
    for key in &spec.keys {
        let key = UserKey::new(key, Arc::clone(&name)).ok_or(RuleProblem::EmptyKey)?;
        keys.push(key);
    }

    Ok(UserRule {
        name,
        regex,
        group,
        literal,
        keys,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(text: &str) -> RuleProblem {
        match parse(text, Path::new("rules.toml"), &["github-token"]) {
            Err(RulesError::Rule { problem, .. }) => problem,
            other => panic!("expected a rule error, got {other:?}"),
        }
    }

    #[test]
    fn parses_all_kinds() {
        let text = r#"
            [[rule]]
            name = "corp-token"
            regex = "corp_(?P<secret>[a-z0-9]{8})"
            [[rule]]
            name = "corp-literal"
            literal = "s3cr3t-value"
            [[rule]]
            name = "corp-header"
            keys = ["x-corp-auth"]
        "#;
        let rules = parse(text, Path::new("rules.toml"), &[]).unwrap();
        assert_eq!(rules.len(), 3);
        assert_eq!(rules[0].group, 1);
        assert_eq!(rules[1].literal.as_deref(), Some(&b"s3cr3t-value"[..]));
        assert_eq!(rules[2].keys[0].normalized, "xcorpauth");
    }

    #[test]
    fn rejects_bad_rules() {
        assert_eq!(problem("[[rule]]\nregex = \"x\""), RuleProblem::MissingName);
        assert!(matches!(
            problem("[[rule]]\nname = \"Bad Name\"\nregex = \"x\""),
            RuleProblem::InvalidName(_)
        ));
        assert!(matches!(
            problem("[[rule]]\nname = \"github-token\"\nregex = \"x\""),
            RuleProblem::DuplicateName(_)
        ));
        assert_eq!(
            problem("[[rule]]\nname = \"a\""),
            RuleProblem::NothingToMatch
        );
        assert_eq!(
            problem("[[rule]]\nname = \"a\"\nregex = \"x\"\nliteral = \"abcd\""),
            RuleProblem::RegexAndLiteral
        );
        assert!(matches!(
            problem("[[rule]]\nname = \"a\"\nregex = \"(\""),
            RuleProblem::InvalidRegex(_)
        ));
        assert_eq!(
            problem("[[rule]]\nname = \"a\"\nregex = \"x*\""),
            RuleProblem::MatchesEmpty
        );
        assert_eq!(
            problem("[[rule]]\nname = \"a\"\nliteral = \"ab\""),
            RuleProblem::ShortLiteral
        );
        assert_eq!(
            problem("[[rule]]\nname = \"a\"\nkeys = [\"--\"]"),
            RuleProblem::EmptyKey
        );
    }

    #[test]
    fn error_names_file_rule_and_fix() {
        let err = parse(
            "[[rule]]\nname = \"corp\"\nregex = \"(\"",
            Path::new("/etc/wi/rules.toml"),
            &[],
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("/etc/wi/rules.toml"), "{text}");
        assert!(text.contains("rule 1 (corp)"), "{text}");
        assert!(text.contains("use literal"), "{text}");
        assert!(err.message_zh().contains("第 1 条规则"));
    }

    #[test]
    fn rejects_unknown_fields_and_bad_toml() {
        let path = Path::new("rules.toml");
        assert!(matches!(
            parse("[[rule]]\nname = \"a\"\nregexp = \"x\"", path, &[]),
            Err(RulesError::Syntax { .. })
        ));
        assert!(matches!(
            parse("[[rule]\n", path, &[]),
            Err(RulesError::Syntax { .. })
        ));
    }
}
