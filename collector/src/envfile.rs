//! Reading of a Wegent checkout's `.env` file (docker-compose syntax).
//!
//! Only `KEY=VALUE` lines are understood: blank lines and `#` comments are skipped, an
//! `export ` prefix is allowed, and one pair of matching single or double quotes around the
//! value is removed. Variable references such as `${OTHER}` are kept as written, and a key
//! whose value is empty counts as absent.

use std::collections::BTreeMap;
use std::path::Path;

/// The variables of one `.env` file.
#[derive(Debug, Clone, Default)]
pub struct EnvFile {
    values: BTreeMap<String, String>,
}

impl EnvFile {
    /// Reads and parses `path`.
    pub fn read(path: &Path) -> std::io::Result<EnvFile> {
        let content = std::fs::read_to_string(path)?;
        Ok(EnvFile::parse(&content))
    }

    /// Parses the text of a `.env` file.
    pub fn parse(content: &str) -> EnvFile {
        let mut values = BTreeMap::new();
        for line in content.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let line = line.strip_prefix("export ").unwrap_or(line);
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            values.insert(key.trim().to_string(), unquote(value.trim()));
        }
        EnvFile { values }
    }

    /// The non-empty value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// The value of `key` as a TCP port, if it is one.
    pub fn port(&self, key: &str) -> Option<u16> {
        self.get(key)?.parse::<u16>().ok().filter(|p| *p > 0)
    }
}

fn unquote(value: &str) -> String {
    for quote in ['"', '\''] {
        if value.len() >= 2 && value.starts_with(quote) && value.ends_with(quote) {
            return value[1..value.len() - 1].to_string();
        }
    }
    // An unquoted value ends at a comment that follows whitespace.
    match value.find(" #") {
        Some(at) => value[..at].trim_end().to_string(),
        None => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quotes_comments_and_export() {
        let env = EnvFile::parse("A=1\n# x\nexport B='two words'\nC=\"q\" \nD=v # note\nE=\n");
        assert_eq!(env.get("A"), Some("1"));
        assert_eq!(env.get("B"), Some("two words"));
        assert_eq!(env.get("C"), Some("q"));
        assert_eq!(env.get("D"), Some("v"));
        assert_eq!(env.get("E"), None);
        assert_eq!(env.port("A"), Some(1));
    }
}
