//! Pseudonymisation (`--pseudonymize`): names and addresses replaced by stand-ins.
//!
//! With pseudonymisation on, two kinds of identity are replaced: those the collector
//! read in structured form ([`super::Redactor::remember_identity`]), and every IPv4 and
//! email address in the text. The stand-ins are consistent within a bundle, valid, and
//! can never be real:
//!
//! - `user-N` for user names and `user-N@example.invalid` for emails (one counter);
//! - `host-N.example.invalid` for host names (RFC 6761 reserves `.invalid`);
//! - addresses from the documentation networks of RFC 5737 (192.0.2.0/24,
//!   198.51.100.0/24, 203.0.113.0/24).
//!
//! Loopback (127.0.0.0/8), 0.0.0.0, 255.x.x.x netmasks and addresses already in the
//! documentation networks stay as they are.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, LazyLock};

use regex::bytes::Regex;

use super::patterns::compile;
use super::spans::{Action, PRIORITY_PSEUDONYM, Span};

/// Shortest remembered identity that is replaced; shorter names are too ambiguous.
pub const MIN_IDENTITY_LEN: usize = 3;

/// Documentation networks that IPv4 stand-ins are taken from, 254 hosts each.
const STAND_IN_NETWORKS: [[u8; 3]; 3] = [[192, 0, 2], [198, 51, 100], [203, 0, 113]];

/// Kind of an identity to pseudonymise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdentityKind {
    UserName,
    Email,
    Hostname,
    Ip,
}

impl IdentityKind {
    /// Rule name under which replacements of this kind are counted.
    pub fn rule(self) -> &'static str {
        match self {
            IdentityKind::UserName => "pseudonym-user-name",
            IdentityKind::Email => "pseudonym-email",
            IdentityKind::Hostname => "pseudonym-hostname",
            IdentityKind::Ip => "pseudonym-ip",
        }
    }
}

impl fmt::Display for IdentityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IdentityKind::UserName => "user_name",
            IdentityKind::Email => "email",
            IdentityKind::Hostname => "hostname",
            IdentityKind::Ip => "ip",
        })
    }
}

impl FromStr for IdentityKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "user_name" | "user" | "username" => Ok(IdentityKind::UserName),
            "email" => Ok(IdentityKind::Email),
            "hostname" | "host" => Ok(IdentityKind::Hostname),
            "ip" => Ok(IdentityKind::Ip),
            other => Err(format!(
                "unknown identity kind {other:?}; expected user_name, email, hostname or ip"
            )),
        }
    }
}

/// Stand-ins handed out so far.
#[derive(Debug, Default)]
pub(crate) struct StandIns {
    assigned: HashMap<(IdentityKind, Vec<u8>), Arc<str>>,
    people: u32,
    hosts: u32,
    addresses: u32,
}

impl StandIns {
    /// Returns the stand-in of `value`, assigning the next one on first sight.
    pub(crate) fn stand_in(&mut self, kind: IdentityKind, value: &[u8]) -> Arc<str> {
        let key = (kind, value.to_vec());
        if let Some(existing) = self.assigned.get(&key) {
            return Arc::clone(existing);
        }

        let text = match kind {
            IdentityKind::UserName => {
                self.people += 1;
                format!("user-{}", self.people)
            }
            IdentityKind::Email => {
                self.people += 1;
                format!("user-{}@example.invalid", self.people)
            }
            IdentityKind::Hostname => {
                self.hosts += 1;
                format!("host-{}.example.invalid", self.hosts)
            }
            IdentityKind::Ip => {
                // NOTE: past 762 distinct addresses the stand-ins repeat, so two real
                // addresses can share one; none of them is ever kept.
                let index = self.addresses % (254 * 3);
                self.addresses += 1;
                let [a, b, c] = STAND_IN_NETWORKS[(index / 254) as usize];
                format!("{a}.{b}.{c}.{}", index % 254 + 1)
            }
        };
        let text: Arc<str> = Arc::from(text);
        self.assigned.insert(key, Arc::clone(&text));
        text
    }
}

static IPV4: LazyLock<Regex> = LazyLock::new(|| {
    let octet = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
    compile(&format!(r"\b{octet}(?:\.{octet}){{3}}\b")).expect("IPv4 expression compiles")
});

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    compile(r"\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}\b")
        .expect("email expression compiles")
});

/// Reports IPv4 and email addresses in `buf` as pseudonym spans.
pub(crate) fn detect_addresses(buf: &[u8], spans: &mut Vec<Span>) {
    for found in IPV4.find_iter(buf) {
        let (start, end) = (found.start(), found.end());
        let inside_dotted = (start > 0 && matches!(buf[start - 1], b'.' | b'-' | b'_'))
            || (buf.get(end) == Some(&b'.') && buf.get(end + 1).is_some_and(u8::is_ascii_digit));
        if inside_dotted || keeps_address(found.as_bytes()) {
            continue;
        }
        spans.push(pseudonym_span(start, end, IdentityKind::Ip));
    }

    for found in EMAIL.find_iter(buf) {
        let (start, end) = (found.start(), found.end());
        let address = found.as_bytes();
        if in_url_authority(buf, start)
            || address.starts_with(b"git@")
            || address.ends_with(b"@example.invalid")
        {
            continue;
        }
        spans.push(pseudonym_span(start, end, IdentityKind::Email));
    }
}

/// True when `pos` lies in the userinfo of a URL (`https://user:token@host`), where an
/// email-shaped match is a credential and a host, not an address.
fn in_url_authority(buf: &[u8], pos: usize) -> bool {
    let word_start = buf[..pos]
        .iter()
        .rposition(|b| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'<' | b'('))
        .map_or(0, |i| i + 1);
    let before = &buf[word_start..pos];
    match before.windows(3).rposition(|w| w == b"://") {
        Some(scheme_end) => !before[scheme_end + 3..].contains(&b'/'),
        None => false,
    }
}

/// True when a remembered identity found at `start..end` is a whole word.
pub(crate) fn is_whole_word(buf: &[u8], start: usize, end: usize) -> bool {
    let before_ok = start == 0 || !buf[start - 1].is_ascii_alphanumeric();
    let after_ok = match buf.get(end) {
        None => true,
        Some(b'.') => !buf.get(end + 1).is_some_and(u8::is_ascii_alphanumeric),
        Some(b) => !b.is_ascii_alphanumeric(),
    };
    before_ok && after_ok
}

pub(crate) fn pseudonym_span(start: usize, end: usize, kind: IdentityKind) -> Span {
    Span {
        start,
        end,
        priority: PRIORITY_PSEUDONYM,
        rule: Arc::from(kind.rule()),
        action: Action::Pseudonym(kind),
        learnable: false,
    }
}

/// Addresses that stay: loopback, unspecified, netmasks, and the stand-in networks.
fn keeps_address(address: &[u8]) -> bool {
    let text = String::from_utf8_lossy(address);
    let octets: Vec<u8> = text.split('.').filter_map(|o| o.parse().ok()).collect();
    if octets.len() != 4 {
        return true;
    }
    let network = [octets[0], octets[1], octets[2]];
    octets[0] == 127
        || octets[0] == 255
        || octets == [0, 0, 0, 0]
        || STAND_IN_NETWORKS.contains(&network)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        let mut spans = Vec::new();
        detect_addresses(text.as_bytes(), &mut spans);
        spans
            .iter()
            .map(|s| text[s.start..s.end].to_string())
            .collect()
    }

    #[test]
    fn stand_ins_are_consistent() {
        let mut table = StandIns::default();
        let first = table.stand_in(IdentityKind::Ip, b"10.0.0.5");
        let second = table.stand_in(IdentityKind::Ip, b"10.0.0.6");
        assert_eq!(&*first, "192.0.2.1");
        assert_eq!(&*second, "192.0.2.2");
        assert_eq!(table.stand_in(IdentityKind::Ip, b"10.0.0.5"), first);
        assert_eq!(
            &*table.stand_in(IdentityKind::Email, b"a@b.com"),
            "user-1@example.invalid"
        );
        assert_eq!(&*table.stand_in(IdentityKind::UserName, b"admin"), "user-2");
        assert_eq!(
            &*table.stand_in(IdentityKind::Hostname, b"db1"),
            "host-1.example.invalid"
        );
    }

    #[test]
    fn ip_stand_ins_move_to_next_network() {
        let mut table = StandIns::default();
        let mut last = Arc::from("");
        for i in 0..255 {
            last = table.stand_in(
                IdentityKind::Ip,
                format!("10.0.{}.{}", i / 200, i).as_bytes(),
            );
        }
        assert_eq!(&*last, "198.51.100.1");
    }

    #[test]
    fn addresses_in_text() {
        let text = "from 172.18.0.9:53312 to 127.0.0.1 and 0.0.0.0, mail bob@corp.example.com, \
                    version 1.2.3.4.5, remote git@github.com:org/repo.git, \
                    https://oauth2:glpat-abc@gitlab.example.com/x";
        assert_eq!(found(text), ["172.18.0.9", "bob@corp.example.com"]);
    }

    #[test]
    fn whole_word_check() {
        let text = b"wegent-task-admin-e47 administrator admin.";
        assert!(is_whole_word(text, 12, 17));
        assert!(!is_whole_word(text, 22, 27));
        assert!(is_whole_word(text, 36, 41));
    }

    #[test]
    fn identity_kinds_parse() {
        assert_eq!(
            "user_name".parse::<IdentityKind>(),
            Ok(IdentityKind::UserName)
        );
        assert!("phone".parse::<IdentityKind>().is_err());
    }
}
