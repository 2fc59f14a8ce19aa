//! Credentials in URL userinfo: `https://user:token@host`, `redis://:pw@host`,
//! `mysql+pymysql://root:pw@mysql:3306/task_manager`.
//!
//! The password part is always masked. A user part is masked only when it looks like a
//! token (GitHub accepts `https://<token>@github.com`); ordinary user names such as
//! `git`, `root` or `oauth2` stay, because they help diagnosis and are no secret.
//! Tokens in query parameters (`?access_token=`, `&sig=`) are a pattern rule of their
//! own in [`super::patterns`].

use std::sync::Arc;

use super::keyvalue::is_placeholder;
use super::spans::Span;

/// Schemes of database and cache connection strings; credentials in them are reported
/// under `connection-string`, all others under `url-userinfo`.
const CONNECTION_SCHEMES: &[&str] = &[
    "mysql",
    "mariadb",
    "postgres",
    "postgresql",
    "mongodb",
    "mongodb+srv",
    "redis",
    "rediss",
    "amqp",
    "amqps",
    "mssql",
    "sqlserver",
    "oracle",
    "clickhouse",
    "memcached",
];

/// Shortest user part that can be a token.
const MIN_TOKEN_USER_LEN: usize = 16;

/// Rule name for credentials in a URL with this scheme.
pub(crate) fn rule_for_scheme(scheme: &[u8]) -> &'static str {
    let lower = scheme.to_ascii_lowercase();
    let base = lower.split(|&b| b == b'+').next().unwrap_or(&lower);
    let is_connection = CONNECTION_SCHEMES
        .iter()
        .any(|s| s.as_bytes() == lower.as_slice() || s.as_bytes() == base);
    if is_connection {
        "connection-string"
    } else {
        "url-userinfo"
    }
}

/// Pushes mask spans for the secrets in the userinfo `buf[start..end]` (the text between
/// `://` and the last `@`).
pub(crate) fn userinfo_spans(
    buf: &[u8],
    start: usize,
    end: usize,
    rule: Arc<str>,
    priority: u32,
    spans: &mut Vec<Span>,
) {
    let userinfo = &buf[start..end];
    let colon = userinfo.iter().position(|&b| b == b':');
    let user_end = colon.map_or(end, |c| start + c);

    if looks_like_token(&buf[start..user_end]) {
        spans.push(Span::mask(start, user_end, priority, Arc::clone(&rule)));
    }

    if let Some(colon) = colon {
        let password_start = start + colon + 1;
        if password_start < end && !is_placeholder(&buf[password_start..end]) {
            spans.push(Span::mask(password_start, end, priority, rule));
        }
    }
}

/// True for a user part made of token characters, long enough, with a digit in it.
fn looks_like_token(user: &[u8]) -> bool {
    user.len() >= MIN_TOKEN_USER_LEN
        && user
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        && user.iter().any(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(userinfo: &str) -> Vec<String> {
        let buf = userinfo.as_bytes();
        let mut spans = Vec::new();
        userinfo_spans(buf, 0, buf.len(), Arc::from("url-userinfo"), 1, &mut spans);
        spans
            .iter()
            .map(|s| userinfo[s.start..s.end].to_string())
            .collect()
    }

    #[test]
    fn password_is_masked_user_kept() {
        assert_eq!(masked("oauth2:glpat-abc"), ["glpat-abc"]);
        assert_eq!(masked(":redispw"), ["redispw"]);
        assert_eq!(masked("root:p@ss"), ["p@ss"]);
    }

    #[test]
    fn token_user_is_masked() {
        assert_eq!(masked("a1b2c3d4e5f6a7b8c9d0"), ["a1b2c3d4e5f6a7b8c9d0"]);
        assert!(masked("git").is_empty());
    }

    #[test]
    fn placeholders_stay() {
        assert!(masked("root:${MYSQL_PASSWORD}").is_empty());
        assert!(masked("user:***").is_empty());
    }

    #[test]
    fn schemes_are_classified() {
        assert_eq!(rule_for_scheme(b"mysql+pymysql"), "connection-string");
        assert_eq!(rule_for_scheme(b"Redis"), "connection-string");
        assert_eq!(rule_for_scheme(b"https"), "url-userinfo");
    }
}
