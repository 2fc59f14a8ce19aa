//! Gives the lines a scenario container printed the Docker timestamps they would have had.
//!
//! A container prints its whole scripted log when it starts, so Docker stamps every line
//! with the recording moment while the text carries times up to hours earlier. A real log
//! has Docker times that agree with the text (apart from the container's time zone), and
//! the analyzer compares the two to find clock drift. This module rewrites the container's
//! json-file log in place: each line's `time` becomes the instant its leading
//! `YYYY-MM-DD HH:MM:SS` names in the container's zone, and a line without a time takes the
//! time of the line before. Only containers the recorder started are touched.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use serde_json::Value;

/// Maximum wait for Docker to write every printed line to the log file.
const WRITE_WAIT: Duration = Duration::from_secs(10);

/// Rewrites the Docker times of `container_id`'s log, reading line times in `zone`.
///
/// Waits first until the log contains at least `expected_lines` lines.
pub fn backdate(container_id: &str, zone: FixedOffset, expected_lines: usize) -> Result<()> {
    let path = log_path(container_id)?;
    let deadline = Instant::now() + WRITE_WAIT;

    let text = loop {
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "failed to read the container log {}; recording needs read and write access to \
                 Docker's json-file logs (run it as root)",
                path.display()
            )
        })?;
        if text.lines().count() >= expected_lines || Instant::now() >= deadline {
            break text;
        }
        std::thread::sleep(Duration::from_millis(50));
    };

    let mut previous: Option<DateTime<Utc>> = None;
    let mut out = String::with_capacity(text.len());
    for (index, line) in text.lines().enumerate() {
        let mut record: Value = serde_json::from_str(line)
            .with_context(|| format!("line {} of {} is not JSON", index + 1, path.display()))?;
        let logged = record["log"].as_str().unwrap_or_default();
        let at = leading_time(logged, zone).or(previous);

        if let Some(at) = at {
            // Keep the order of lines with the same second by their position.
            let stamped = at + chrono::Duration::microseconds(index as i64);
            record["time"] = Value::String(stamped.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string());
            previous = Some(at);
        }

        out.push_str(&serde_json::to_string(&record)?);
        out.push('\n');
    }

    std::fs::write(&path, out)
        .with_context(|| format!("failed to rewrite the container log {}", path.display()))
}

/// Parses the `YYYY-MM-DD HH:MM:SS` a log line starts with, as wall time in `zone`.
fn leading_time(line: &str, zone: FixedOffset) -> Option<DateTime<Utc>> {
    let stamp = line.get(..19)?;
    let naive = NaiveDateTime::parse_from_str(stamp, "%Y-%m-%d %H:%M:%S").ok()?;
    let local = zone.from_local_datetime(&naive).single()?;
    Some(local.with_timezone(&Utc))
}

fn log_path(container_id: &str) -> Result<PathBuf> {
    let output = Command::new("docker")
        .args(["inspect", "--format", "{{.LogPath}}", container_id])
        .output()
        .context("failed to run docker inspect")?;
    let path = String::from_utf8_lossy(&output.stdout).trim().to_string();
    if !output.status.success() || path.is_empty() {
        bail!(
            "container {container_id} has no json-file log path; the recorder needs Docker's \
             json-file log driver"
        );
    }
    Ok(PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wall_time_in_the_zone() {
        let zone = FixedOffset::east_opt(8 * 3600).unwrap();
        let at = leading_time("2026-01-20 14:03:12 - [-] - INFO - x", zone).unwrap();
        assert_eq!(at.to_rfc3339(), "2026-01-20T06:03:12+00:00");
        assert!(leading_time("Traceback (most recent call last):", zone).is_none());
    }
}
