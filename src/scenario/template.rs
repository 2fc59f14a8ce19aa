//! Templates in scenario files: `{{...}}` placeholders for times relative to the recording
//! moment, computed container names and the task id.
//!
//! | Placeholder | Result |
//! |---|---|
//! | `{{t -2h}}` | `2026-01-20 12:03:12`, naive, UTC (backend and database clock) |
//! | `{{t -2h +08:00}}` | the same instant as +08:00 wall time (executor-manager, executors) |
//! | `{{iso -2h}}` | `2026-01-20T12:03:12.654321`, naive, as the task JSON stores times |
//! | `{{rfc3339 -2h}}` | `2026-01-20T12:03:12Z` |
//! | `{{epoch -30s}}` | `1768910592.654`, epoch seconds as Redis heartbeats store them |
//! | `{{executor main}}` | the name of the container with key `main` |
//! | `{{task_id}}`, `{{scenario}}`, `{{em}}` | task id, scenario name, executor-manager container |
//!
//! An offset is a signed sum of `<n>d`, `<n>h`, `<n>m`, `<n>s`, such as `-2h30m`, or `0`.

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Duration, FixedOffset, Utc};

/// Values of the placeholders in one recording.
#[derive(Debug, Clone)]
pub struct Vars {
    /// The recording moment.
    pub now: DateTime<Utc>,
    pub task_id: u64,
    pub scenario: String,
    pub em_container: String,
    /// Container key → computed container name.
    pub executors: BTreeMap<String, String>,
}

impl Vars {
    /// Expands every placeholder in `text`; `what` names the value in error messages.
    pub fn expand(&self, text: &str, what: &str) -> Result<String> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;

        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else {
                bail!("{what}: a placeholder opened with '{{{{' is never closed with '}}}}'");
            };
            let placeholder = after[..end].trim();
            out.push_str(
                &self
                    .placeholder(placeholder)
                    .with_context(|| format!("{what}: placeholder {{{{{placeholder}}}}}"))?,
            );
            rest = &after[end + 2..];
        }

        out.push_str(rest);
        Ok(out)
    }

    /// Returns the instant `offset` away from the recording moment.
    pub fn at(&self, offset: &str) -> Result<DateTime<Utc>> {
        Ok(self.now + parse_offset(offset)?)
    }

    fn placeholder(&self, placeholder: &str) -> Result<String> {
        let words: Vec<&str> = placeholder.split_whitespace().collect();

        match words.as_slice() {
            ["task_id"] => Ok(self.task_id.to_string()),
            ["scenario"] => Ok(self.scenario.clone()),
            ["em"] => Ok(self.em_container.clone()),
            ["executor", key] => self.executors.get(*key).cloned().with_context(|| {
                format!("no container has the key {key:?}; add it to [[containers]]")
            }),
            ["t", offset] => Ok(self.at(offset)?.format("%Y-%m-%d %H:%M:%S").to_string()),
            ["t", offset, zone] => Ok(self
                .in_zone(offset, zone)?
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()),
            ["iso", offset] => Ok(self.at(offset)?.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()),
            ["iso", offset, zone] => Ok(self
                .in_zone(offset, zone)?
                .format("%Y-%m-%dT%H:%M:%S%.6f")
                .to_string()),
            ["rfc3339", offset] => Ok(self.at(offset)?.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
            ["epoch", offset] => {
                let at = self.at(offset)?;
                Ok(format!("{:.3}", at.timestamp_millis() as f64 / 1000.0))
            }
            _ => bail!(
                "unknown placeholder; use t, iso, rfc3339 or epoch with an offset, executor <key>, \
                 task_id, scenario or em"
            ),
        }
    }

    fn in_zone(&self, offset: &str, zone: &str) -> Result<DateTime<FixedOffset>> {
        let zone: FixedOffset = zone
            .parse()
            .with_context(|| format!("{zone:?} is not a UTC offset such as +08:00"))?;
        Ok(self.at(offset)?.with_timezone(&zone))
    }
}

/// Parses `-2h30m`, `+5m`, `90s`, `-1d` or `0`.
pub fn parse_offset(text: &str) -> Result<Duration> {
    let (sign, body) = match text.as_bytes().first() {
        Some(b'-') => (-1, &text[1..]),
        Some(b'+') => (1, &text[1..]),
        _ => (1, text),
    };
    if body == "0" {
        return Ok(Duration::zero());
    }
    if body.is_empty() {
        bail!("empty time offset; write it as -2h, -40m, -30s or 0");
    }

    let mut total = 0i64;
    let mut digits = String::new();
    for c in body.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            'd' => 86_400,
            'h' => 3_600,
            'm' => 60,
            's' => 1,
            _ => bail!("{text:?} is not a time offset: unknown unit {c:?}; use d, h, m or s"),
        };
        let count: i64 = digits.parse().with_context(|| {
            format!("{text:?} is not a time offset: a number must precede {c:?}")
        })?;
        total += count * unit;
        digits.clear();
    }
    if !digits.is_empty() {
        bail!("{text:?} is not a time offset: the number {digits} has no unit (d, h, m or s)");
    }

    Ok(Duration::seconds(sign * total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vars {
        Vars {
            now: "2026-01-20T06:00:00.250Z".parse().unwrap(),
            task_id: 89,
            scenario: "demo".to_string(),
            em_container: "wi-test-demo-em".to_string(),
            executors: BTreeMap::from([("main".to_string(), "wegent-task-admin-x".to_string())]),
        }
    }

    #[test]
    fn parses_offsets() {
        assert_eq!(parse_offset("-2h30m").unwrap(), Duration::seconds(-9000));
        assert_eq!(parse_offset("+1d").unwrap(), Duration::seconds(86_400));
        assert_eq!(parse_offset("0").unwrap(), Duration::zero());
        assert!(parse_offset("-2x").is_err());
        assert!(parse_offset("-2").is_err());
    }

    #[test]
    fn expands_times_and_names() {
        let v = vars();
        assert_eq!(v.expand("{{t -2h}}", "x").unwrap(), "2026-01-20 04:00:00");
        assert_eq!(
            v.expand("{{t -2h +08:00}}", "x").unwrap(),
            "2026-01-20 12:00:00"
        );
        assert_eq!(
            v.expand("{{iso 0}}", "x").unwrap(),
            "2026-01-20T06:00:00.250000"
        );
        assert_eq!(v.expand("{{epoch -1s}}", "x").unwrap(), "1768888799.250");
        assert_eq!(
            v.expand("task {{task_id}} on {{executor main}}", "x")
                .unwrap(),
            "task 89 on wegent-task-admin-x"
        );
        assert!(v.expand("{{executor other}}", "x").is_err());
        assert!(v.expand("{{t -2h", "x").is_err());
    }
}
