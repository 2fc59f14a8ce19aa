//! Reading of a Wegent checkout's `.env` file (docker-compose syntax).
//!
//! Only `KEY=VALUE` lines are understood: blank lines and `#` comments are skipped, an
//! `export ` prefix is allowed, and one pair of matching single or double quotes around the
//! value is removed. Variable references such as `${OTHER}` are kept as written, and a key
//! whose value is empty counts as absent.
//!
//! [`EnvFile::remember_secrets`] hands every value under a secret-looking key, and every
//! password inside a URL value, to the redactor, so that they are masked wherever a log
//! repeats them, not only the few values `collect` uses itself.

use std::collections::BTreeMap;
use std::path::Path;

use crate::redact::Redactor;

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

    /// Returns the value of `key`, or `None` when it is missing or empty.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// Registers with `redactor` the values under secret-looking keys (judged by the
    /// redactor's own key classification) and the passwords of URL values.
    pub fn remember_secrets(&self, redactor: &Redactor) {
        for (key, value) in &self.values {
            if value.trim().is_empty() {
                continue;
            }

            if let Some(rule) = redactor.secret_key_rule(key) {
                redactor.remember(value, &format!("env-file-{rule}"));
            }

            for word in value.split(|c: char| c.is_whitespace() || c == '"' || c == '\'') {
                if let Ok(url) = url::Url::parse(word)
                    && let Some(password) = url.password()
                {
                    redactor.remember(password, "url-password");
                    if let Some(decoded) = crate::config::url_password(word) {
                        redactor.remember(&decoded, "url-password");
                    }
                }
            }
        }
    }

    /// Returns the value of `key` as a TCP port, or `None` when it is not a valid port.
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

    #[test]
    fn secret_values_are_remembered() {
        let env = EnvFile::parse(
            "MYSQL_PASSWORD=wi-test-db-pass-1\nSECRET_KEY=wi-test-signing-2\n\
             WEBHOOK_TOKEN=wi-test-token-3\nDATABASE=mysql://u:wi-test-url-pw-4@db:3306/x\n\
             MYSQL_DATABASE=task_manager_plain\n",
        );
        let redactor = Redactor::new();
        env.remember_secrets(&redactor);

        let line = "uvicorn: connecting with wi-test-db-pass-1 wi-test-signing-2 \
                    wi-test-token-3 wi-test-url-pw-4 to task_manager_plain";
        let redacted = redactor.redact_str(line);
        for secret in [
            "wi-test-db-pass-1",
            "wi-test-signing-2",
            "wi-test-token-3",
            "wi-test-url-pw-4",
        ] {
            assert!(!redacted.contains(secret), "{secret} in {redacted}");
        }
        assert!(redacted.contains("task_manager_plain"), "{redacted}");
    }
}
