//! Classification of key names as secret or not: JSON keys, environment variable
//! names, Python dict keys, `KEY=VALUE` names, HTTP header names and command-line flags.
//!
//! A key is split into lowercase words at `_`, `-`, `.`, `/`, spaces and camelCase
//! boundaries (`GIT_TOKEN_AES_KEY` gives `git token aes key`, `apiKeyName` gives
//! `api key name`). A key is secret when its words contain a secret keyword. It is not
//! when its last word describes the secret instead of being it (`api_key_name`,
//! `token_count`, `session_id`, `private_key_path`), or when its first word makes it a
//! flag or a limit (`has_api_key`, `max_tokens`). Matching whole words keeps
//! `max_tokens`, `tokenizer` and `monkey` out, while `gittoken` and `mysqlpassword` still
//! count.

use std::sync::Arc;

/// Name of the rule that masks values under secret keys of this kind.
pub(crate) type Category = &'static str;

/// Last words that make a key describe a secret instead of holding one.
const TRAILING_DESCRIPTORS: &[&str] = &[
    "name",
    "names",
    "id",
    "ids",
    "type",
    "types",
    "kind",
    "count",
    "counts",
    "len",
    "length",
    "size",
    "limit",
    "max",
    "min",
    "num",
    "total",
    "used",
    "usage",
    "remaining",
    "prefix",
    "suffix",
    "url",
    "uri",
    "urls",
    "endpoint",
    "host",
    "hostname",
    "port",
    "path",
    "file",
    "filename",
    "dir",
    "env",
    "var",
    "field",
    "header",
    "param",
    "location",
    "expires",
    "expiry",
    "expire",
    "expiration",
    "exp",
    "ttl",
    "timeout",
    "at",
    "time",
    "date",
    "created",
    "updated",
    "enabled",
    "disabled",
    "required",
    "present",
    "configured",
    "missing",
    "set",
    "valid",
    "invalid",
    "exists",
    "mode",
    "format",
    "version",
    "policy",
    "source",
    "provider",
    "label",
    "help",
    "description",
    "desc",
    "title",
    "placeholder",
    "hint",
    "status",
    "state",
    "error",
    "errors",
    "message",
    "msg",
    "reason",
    "algorithm",
    "alg",
    "scope",
    "scopes",
    "index",
    "encrypted",
    "zone",
    "timezone",
    "tz",
];

/// First words that make a key a flag, a limit or a counter.
const LEADING_DESCRIPTORS: &[&str] = &[
    "has", "is", "use", "uses", "enable", "enabled", "require", "requires", "max", "min", "num",
    "total", "count", "n",
];

/// Whole key names that look secret but are not (`PWD` is the working directory).
const NOT_SECRET: &[&str] = &["pwd", "oldpwd"];

/// A key name from a user rule.
#[derive(Debug, Clone)]
pub(crate) struct UserKey {
    /// The name in lowercase without separators.
    pub normalized: String,
    /// Its longest word, searched for by the prefilter.
    pub trigger: String,
    pub rule: Arc<str>,
}

impl UserKey {
    /// Builds the key of a user rule; `None` when the name has no letters or digits.
    pub(crate) fn new(name: &str, rule: Arc<str>) -> Option<UserKey> {
        let words = split_words(name.as_bytes());
        let trigger = words.iter().max_by_key(|w| w.len())?.clone();
        Some(UserKey {
            normalized: words.concat(),
            trigger,
            rule,
        })
    }
}

/// Masking details of a secret key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SecretKey {
    /// Rule name used in the mask.
    pub rule: Arc<str>,
    /// Header-like keys (`Authorization`, `Cookie`) whose bare values run to the end of
    /// the line, spaces included.
    pub header_like: bool,
}

/// Classifies a key name; returns `None` for keys that hold no secret.
pub(crate) fn classify(key: &[u8], user_keys: &[UserKey]) -> Option<SecretKey> {
    let words = split_words(key);
    if words.is_empty() {
        return None;
    }
    let joined: String = words.concat();

    if NOT_SECRET.contains(&joined.as_str()) {
        return None;
    }

    for user in user_keys {
        if joined == user.normalized || joined.ends_with(&user.normalized) {
            return Some(SecretKey {
                rule: user.rule.clone(),
                header_like: false,
            });
        }
    }

    if joined.ends_with("secretid") {
        return builtin("secret", false);
    }
    if words.len() > 1 {
        let first = words[0].as_str();
        let last = words[words.len() - 1].as_str();
        if LEADING_DESCRIPTORS.contains(&first) || TRAILING_DESCRIPTORS.contains(&last) {
            return None;
        }
    }

    let category = category_of(&words)?;
    builtin(category, matches!(category, "authorization" | "cookie"))
}

fn builtin(rule: Category, header_like: bool) -> Option<SecretKey> {
    Some(SecretKey {
        rule: Arc::from(rule),
        header_like,
    })
}

/// Finds the most specific secret category among the words of a key.
fn category_of(words: &[String]) -> Option<Category> {
    // `api_keys` contains keys as much as `api_key` does; `tokens` is left out on purpose,
    // because in LLM data it counts tokens (`max_tokens`, `usage.tokens`).
    let has_pair = |first: &str, second: &str| {
        words.windows(2).any(|pair| {
            pair[0] == first && (pair[1] == second || pair[1].strip_suffix('s') == Some(second))
        })
    };
    let has_word = |word: &str| words.iter().any(|w| w == word);
    let any_contains = |part: &str| words.iter().any(|w| w.contains(part));

    if has_pair("aes", "iv") || has_word("aesiv") {
        return Some("aes-iv");
    }
    if has_pair("aes", "key") || has_word("aeskey") {
        return Some("aes-key");
    }
    if has_pair("private", "key") || has_pair("ssh", "key") || any_contains("privatekey") {
        return Some("private-key");
    }
    if has_pair("api", "key") || any_contains("apikey") {
        return Some("api-key");
    }
    if has_pair("access", "key")
        || has_pair("account", "key")
        || any_contains("accesskey")
        || any_contains("accountkey")
    {
        return Some("access-key");
    }
    if any_contains("authorization") {
        return Some("authorization");
    }
    if any_contains("cookie") {
        return Some("cookie");
    }
    if any_contains("credential") {
        return Some("credential");
    }
    if any_contains("password")
        || any_contains("passwd")
        || any_contains("passphrase")
        || words
            .iter()
            .any(|w| w == "pass" || w == "pwd" || w.ends_with("pwd"))
        || has_word("requirepass")
        || has_word("masterauth")
    {
        return Some("password");
    }
    if any_contains("secret")
        || has_pair("encryption", "key")
        || has_pair("signing", "key")
        || has_pair("master", "key")
    {
        return Some("secret");
    }
    if words.iter().any(|w| w.ends_with("token")) {
        return Some("token");
    }
    if has_word("session") {
        return Some("session");
    }
    None
}

/// Splits a key into lowercase words at separators and camelCase boundaries.
pub(crate) fn split_words(key: &[u8]) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();

    for (i, &byte) in key.iter().enumerate() {
        if !byte.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }

        if byte.is_ascii_uppercase() && !current.is_empty() {
            let prev = key[i - 1];
            let next_is_lower = key.get(i + 1).is_some_and(|b| b.is_ascii_lowercase());
            let boundary = prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_is_lower);
            if boundary {
                words.push(std::mem::take(&mut current));
            }
        }
        current.push(byte.to_ascii_lowercase() as char);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(key: &str) -> Option<String> {
        classify(key.as_bytes(), &[]).map(|k| k.rule.to_string())
    }

    #[test]
    fn split_words_handles_case_styles() {
        assert_eq!(
            split_words(b"GIT_TOKEN_AES_KEY"),
            ["git", "token", "aes", "key"]
        );
        assert_eq!(split_words(b"apiKeyName"), ["api", "key", "name"]);
        assert_eq!(split_words(b"X-API-Key"), ["x", "api", "key"]);
        assert_eq!(split_words(b"APIKey"), ["api", "key"]);
        assert_eq!(split_words(b"--mysql-password"), ["mysql", "password"]);
    }

    #[test]
    fn classify_finds_secret_keys() {
        for (key, expected) in [
            ("api_key", "api-key"),
            ("OPENAI_API_KEY", "api-key"),
            ("x-api-key", "api-key"),
            ("apikey", "api-key"),
            ("git_token", "token"),
            ("WEGENT_SKILL_IDENTITY_TOKEN", "token"),
            ("accessToken", "token"),
            ("GIT_TOKEN_AES_KEY", "aes-key"),
            ("GIT_TOKEN_AES_IV", "aes-iv"),
            ("SECRET_KEY", "secret"),
            ("JWT_SECRET_KEY", "secret"),
            ("client_secret", "secret"),
            ("MYSQL_ROOT_PASSWORD", "password"),
            ("passwd", "password"),
            ("MYSQL_PWD", "password"),
            ("password_hash", "password"),
            ("Authorization", "authorization"),
            ("Proxy-Authorization", "authorization"),
            ("Set-Cookie", "cookie"),
            ("credentials", "credential"),
            ("GITHUB_PRIVATE_KEY", "private-key"),
            ("WORKER_CONVERSION_S3_ACCESS_KEY", "access-key"),
            ("session", "session"),
            ("SecretId", "secret"),
            ("api_keys", "api-key"),
        ] {
            assert_eq!(rule(key).as_deref(), Some(expected), "key {key}");
        }
    }

    #[test]
    fn classify_keeps_ordinary_keys() {
        for key in [
            "api_key_name",
            "max_tokens",
            "maxOutputTokens",
            "token_count",
            "tokens",
            "tokenizer",
            "session_id",
            "resume_session_id",
            "sessionid",
            "private_key_path",
            "has_api_key",
            "PWD",
            "base_url",
            "DATABASE_URL",
            "key",
            "key_prefix",
            "monkey",
            "task_id",
            "auth_source",
            "token_type",
            "author",
        ] {
            assert_eq!(rule(key), None, "key {key}");
        }
    }

    #[test]
    fn classify_applies_user_keys() {
        let user = [UserKey::new("x-corp-auth", Arc::from("corp-auth")).unwrap()];
        let found = classify(b"HTTP_X_CORP_AUTH", &user).map(|k| k.rule.to_string());
        assert_eq!(found.as_deref(), Some("corp-auth"));
    }
}
