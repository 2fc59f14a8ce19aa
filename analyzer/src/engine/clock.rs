//! Clock calibration: the offsets of the backend, DB session and executor-manager clocks.
//!
//! Wegent stores naive times from three clocks: the backend process (`tasks.*_at`,
//! `subtasks.completed_at`, JSON `status.*At`), the MySQL session of backend connections
//! (`subtasks.created_at`, fork `subtasks.updated_at`) and the Asia/Shanghai zone of
//! executor-manager and executor logs. The MySQL session offset is the `+08:00` that the
//! backend sets on each of its connections; the backend and executor-manager offsets are
//! measured from the bundle, never taken from the analyst's zone. Each offset comes with a
//! [`Msg`] that states how it was found.
//!
//! Offsets are seconds east of UTC: `+08:00` is 28800, and UTC = local time − offset.

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};

use super::analysis::{ClockCalibration, Msg};
use crate::bundle::loaded::{Bundle, LogLine};
use crate::bundle::model::SubtaskRow;

/// Offset of Asia/Shanghai, the zone of executor-manager, executor logs and the backend's
/// MySQL sessions (`SET time_zone = '+08:00'`).
pub const SHANGHAI_OFFSET_SECONDS: i64 = 8 * 3600;

/// Measured offsets are rounded to this step: real zones are whole quarter hours.
const OFFSET_STEP_SECONDS: i64 = 15 * 60;

/// A measured difference is accepted as an offset only this close to a quarter hour.
const OFFSET_TOLERANCE_SECONDS: i64 = 120;

/// Parses a naive Wegent time: `2026-01-20 14:00:01`, `2026-01-20T14:03:12.654321`.
pub fn parse_naive(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    for format in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(value) = NaiveDateTime::parse_from_str(text, format) {
            return Some(value);
        }
    }
    None
}

/// Parses an RFC 3339 instant such as Docker's `StartedAt`. Docker's zero time
/// (`0001-01-01T00:00:00Z`, "never") returns `None`.
pub fn parse_utc(text: &str) -> Option<DateTime<Utc>> {
    let value = DateTime::parse_from_rfc3339(text.trim())
        .ok()?
        .with_timezone(&Utc);
    if value.timestamp() <= 0 {
        None
    } else {
        Some(value)
    }
}

/// True for the "never set" sentinel `1970-01-01 00:00:00` (and anything before 1971).
pub fn is_unset(value: NaiveDateTime) -> bool {
    value.and_utc().timestamp() < 365 * 24 * 3600
}

/// Formats an offset as `+08:00`.
pub fn format_offset(seconds: i64) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let abs = seconds.abs();
    format!("{sign}{:02}:{:02}", abs / 3600, (abs % 3600) / 60)
}

/// Formats an instant for messages: `2026-01-20 06:03:12 UTC`.
pub fn format_utc(value: DateTime<Utc>) -> String {
    value.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// Formats a duration compactly: `45s`, `12m`, `3h05m`, `2d04h`.
pub fn format_duration(value: Duration) -> String {
    let seconds = value.num_seconds().max(0);
    match seconds {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
        s => format!("{}d{:02}h", s / 86_400, (s % 86_400) / 3600),
    }
}

/// Parses `+08:00`, `-05:30` or `+8:00` into seconds; named zones return `None`.
pub fn parse_offset(text: &str) -> Option<i64> {
    let text = text.trim();
    let (sign, rest) = match text.chars().next()? {
        '+' => (1, &text[1..]),
        '-' => (-1, &text[1..]),
        _ => return None,
    };
    let (hours, minutes) = rest.split_once(':')?;
    let hours: i64 = hours.parse().ok()?;
    let minutes: i64 = minutes.parse().ok()?;
    if hours > 14 || minutes >= 60 {
        return None;
    }
    Some(sign * (hours * 3600 + minutes * 60))
}

/// Rounds a measured difference to a quarter hour, or `None` when it is too far from one
/// to be a zone offset.
fn round_offset(seconds: i64) -> Option<i64> {
    let rounded =
        (seconds as f64 / OFFSET_STEP_SECONDS as f64).round() as i64 * OFFSET_STEP_SECONDS;
    ((seconds - rounded).abs() <= OFFSET_TOLERANCE_SECONDS && rounded.abs() <= 14 * 3600)
        .then_some(rounded)
}

impl ClockCalibration {
    /// Converts a backend-clock value to UTC.
    pub fn backend_to_utc(&self, value: NaiveDateTime) -> DateTime<Utc> {
        shift(value, self.backend_offset_seconds)
    }

    /// Converts a value written by the MySQL session of a backend connection to UTC.
    pub fn session_to_utc(&self, value: NaiveDateTime) -> DateTime<Utc> {
        shift(value, self.db_session_offset_seconds)
    }

    /// Converts an executor-manager or executor log time to UTC.
    pub fn em_to_utc(&self, value: NaiveDateTime) -> DateTime<Utc> {
        shift(value, self.em_offset_seconds)
    }

    /// Converts the application time of a log line to UTC, choosing the clock by member:
    /// backend and frontend logs run on the backend clock, the rest on Asia/Shanghai.
    /// Docker's own prefix, when present, is UTC already and wins.
    pub fn log_line_to_utc(&self, line: &LogLine) -> Option<DateTime<Utc>> {
        if let Some(at) = line.docker_time {
            return Some(at);
        }
        let app = line.app_time?;
        if is_backend_log(&line.member) {
            Some(self.backend_to_utc(app))
        } else {
            Some(self.em_to_utc(app))
        }
    }
}

fn shift(value: NaiveDateTime, offset_seconds: i64) -> DateTime<Utc> {
    Utc.from_utc_datetime(&(value - Duration::seconds(offset_seconds)))
}

fn is_backend_log(member: &str) -> bool {
    member.starts_with("logs/") && (member.contains("backend") || member.contains("frontend"))
}

/// Calibrates every clock from the bundle. The basis holds one message per offset (DB
/// session, backend, executor-manager), then, when the bundle allows it, one comparing
/// the MySQL server's clock with the host's. `collected_at` is the manifest's start of
/// collection.
pub fn calibrate(bundle: &Bundle, collected_at: Option<DateTime<Utc>>) -> ClockCalibration {
    let mut basis = Vec::new();

    let (session, session_msg) = db_session_offset();
    basis.push(session_msg);

    let (backend, backend_msg) = backend_offset(bundle, session);
    basis.push(backend_msg);

    let (em, em_msg) = em_offset(bundle);
    basis.push(em_msg);

    basis.extend(db_server_drift(bundle, collected_at));

    ClockCalibration {
        backend_offset_seconds: backend,
        db_session_offset_seconds: session,
        em_offset_seconds: em,
        basis,
    }
}

/// Returns the offset of the backend's MySQL sessions. The backend runs
/// `SET time_zone = '+08:00'` on every connection, so the rows it writes through
/// `CURRENT_TIMESTAMP`/`NOW()` are on `+08:00` whatever the server's default zone is. The
/// collector's own session keeps the server default, so its zone and `NOW()` are not used.
fn db_session_offset() -> (i64, Msg) {
    (
        SHANGHAI_OFFSET_SECONDS,
        Msg::new("clock.db-session-backend").arg("offset", format_offset(SHANGHAI_OFFSET_SECONDS)),
    )
}

/// Compares the MySQL server's `UTC_TIMESTAMP()` with the host's `collected_at`, which
/// shows whether the server's clock drifts from the host's. Returns `None` when either
/// time is missing.
fn db_server_drift(bundle: &Bundle, collected_at: Option<DateTime<Utc>>) -> Option<Msg> {
    let server = bundle.db_server.as_ref()?;
    let utc_now = server.utc_now.as_deref().and_then(parse_naive)?;
    let collected = collected_at?;
    let seconds = (utc_now - collected.naive_utc()).num_seconds();

    let msg = if seconds.abs() <= OFFSET_TOLERANCE_SECONDS {
        Msg::new("clock.db-server-in-step")
    } else if seconds < 0 {
        Msg::new("clock.db-server-behind")
            .arg("drift", format_duration(Duration::seconds(-seconds)))
    } else {
        Msg::new("clock.db-server-ahead").arg("drift", format_duration(Duration::seconds(seconds)))
    };
    Some(
        msg.arg("utc_now", utc_now.format("%Y-%m-%d %H:%M:%S"))
            .arg("collected_at", format_utc(collected)),
    )
}

/// Measures the backend offset with the calibration trick: a non-terminal subtask's `created_at` (DB session clock) and
/// `completed_at` (backend clock) are written in the same instant, so their difference is
/// the offset between the two clocks. USER rows, which are complete at creation, serve
/// when no row is pending or running.
fn backend_offset(bundle: &Bundle, session: i64) -> (i64, Msg) {
    let rows: &[SubtaskRow] = bundle
        .subtasks
        .as_ref()
        .map(|s| s.subtasks.as_slice())
        .unwrap_or(&[]);
    let non_terminal = rows
        .iter()
        .rev()
        .filter(|r| matches!(r.status.as_str(), "PENDING" | "RUNNING"));
    let user_rows = rows.iter().rev().filter(|r| r.role == "USER");

    for row in non_terminal.chain(user_rows) {
        let created = row.created_at.as_deref().and_then(parse_naive);
        let completed = row
            .completed_at
            .as_deref()
            .and_then(parse_naive)
            .filter(|c| !is_unset(*c));
        let (Some(created), Some(completed)) = (created, completed) else {
            continue;
        };
        let Some(difference) = round_offset((created - completed).num_seconds()) else {
            continue;
        };
        let offset = session - difference;
        let msg = Msg::new("clock.backend-calibrated")
            .arg("offset", format_offset(offset))
            .arg("subtask", row.id)
            .arg("created_at", row.created_at.as_deref().unwrap_or_default())
            .arg(
                "completed_at",
                row.completed_at.as_deref().unwrap_or_default(),
            )
            .arg("session", format_offset(session));
        return (offset, msg);
    }

    if let Some((offset, member, lines)) = measure_log_offset(bundle, is_backend_log) {
        let msg = Msg::new("clock.backend-from-logs")
            .arg("offset", format_offset(offset))
            .arg("member", member)
            .arg("lines", lines);
        return (offset, msg);
    }

    (
        0,
        Msg::new("clock.backend-assumed").arg("offset", format_offset(0)),
    )
}

fn em_offset(bundle: &Bundle) -> (i64, Msg) {
    let is_em_log = |member: &str| !is_backend_log(member);
    if let Some((offset, member, lines)) = measure_log_offset(bundle, is_em_log) {
        let msg = Msg::new("clock.em-measured")
            .arg("offset", format_offset(offset))
            .arg("member", member)
            .arg("lines", lines);
        return (offset, msg);
    }
    (
        SHANGHAI_OFFSET_SECONDS,
        Msg::new("clock.em-assumed").arg("offset", format_offset(SHANGHAI_OFFSET_SECONDS)),
    )
}

/// Measures `app_time − docker_time` over the lines of matching members that carry both,
/// and returns the median rounded to a quarter hour, the first member used and the number
/// of lines measured.
fn measure_log_offset(
    bundle: &Bundle,
    member_matches: impl Fn(&str) -> bool,
) -> Option<(i64, String, usize)> {
    let mut differences = Vec::new();
    let mut first_member = None;

    for line in &bundle.log_lines {
        if !member_matches(&line.member) {
            continue;
        }
        let (Some(app), Some(docker)) = (line.app_time, line.docker_time) else {
            continue;
        };
        differences.push((app - docker.naive_utc()).num_seconds());
        first_member.get_or_insert_with(|| line.member.clone());
    }

    if differences.is_empty() {
        return None;
    }
    differences.sort_unstable();
    let median = differences[differences.len() / 2];
    let offset = round_offset(median)?;
    Some((offset, first_member.unwrap_or_default(), differences.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::model::{DbServer, Subtasks};
    use crate::engine::test_support::{subtask, t};

    #[test]
    fn parse_naive_accepts_db_and_json_forms() {
        assert_eq!(
            parse_naive("2026-01-20 14:00:01"),
            Some(t("2026-01-20 14:00:01"))
        );
        assert_eq!(
            parse_naive("2026-01-20T14:03:12.654321").map(|v| v.and_utc().timestamp()),
            Some(t("2026-01-20 14:03:12").and_utc().timestamp())
        );
        assert_eq!(parse_naive("yesterday"), None);
    }

    #[test]
    fn parse_offset_reads_signed_offsets() {
        assert_eq!(parse_offset("+08:00"), Some(28_800));
        assert_eq!(parse_offset("-05:30"), Some(-19_800));
        assert_eq!(parse_offset("SYSTEM"), None);
    }

    #[test]
    fn calibrate_measures_backend_offset_from_running_subtask() {
        let mut row = subtask(301, "ASSISTANT", "RUNNING");
        row.created_at = Some("2026-01-20 14:00:01".into());
        row.completed_at = Some("2026-01-20 06:00:01".into());
        let bundle = Bundle {
            subtasks: Some(Subtasks {
                subtasks: vec![row],
            }),
            ..Default::default()
        };

        let clock = calibrate(&bundle, None);

        assert_eq!(clock.db_session_offset_seconds, 28_800);
        assert_eq!(clock.backend_offset_seconds, 0);
        assert_eq!(clock.basis[1].key, "clock.backend-calibrated");
    }

    #[test]
    fn calibrate_finds_backend_on_session_clock() {
        let mut row = subtask(301, "ASSISTANT", "PENDING");
        row.created_at = Some("2026-01-20 14:00:01".into());
        row.completed_at = Some("2026-01-20 14:00:01".into());
        let bundle = Bundle {
            subtasks: Some(Subtasks {
                subtasks: vec![row],
            }),
            ..Default::default()
        };

        let clock = calibrate(&bundle, None);

        assert_eq!(clock.backend_offset_seconds, 28_800);
    }

    #[test]
    fn calibrate_ignores_unset_completed_at() {
        let mut row = subtask(301, "ASSISTANT", "RUNNING");
        row.created_at = Some("2026-01-20 14:00:01".into());
        row.completed_at = Some("1970-01-01 00:00:00".into());
        let bundle = Bundle {
            subtasks: Some(Subtasks {
                subtasks: vec![row],
            }),
            ..Default::default()
        };

        let clock = calibrate(&bundle, None);

        assert_eq!(clock.backend_offset_seconds, 0);
        assert_eq!(clock.basis[1].key, "clock.backend-assumed");
    }

    #[test]
    fn calibrate_ignores_collector_session_on_utc_server() {
        let server = DbServer {
            global_time_zone: "+00:00".into(),
            session_time_zone: "+00:00".into(),
            now: "2026-01-20 06:45:00".into(),
            utc_now: Some("2026-01-20 06:45:00".into()),
            ..Default::default()
        };
        let mut row = subtask(301, "ASSISTANT", "PENDING");
        row.created_at = Some("2026-01-20 14:00:01".into());
        row.completed_at = Some("2026-01-20 06:00:01".into());
        let bundle = Bundle {
            db_server: Some(server),
            subtasks: Some(Subtasks {
                subtasks: vec![row],
            }),
            ..Default::default()
        };
        let collected = Utc.from_utc_datetime(&t("2026-01-20 06:45:00"));

        let clock = calibrate(&bundle, Some(collected));

        assert_eq!(clock.db_session_offset_seconds, 28_800);
        assert_eq!(clock.backend_offset_seconds, 0);
        assert_eq!(clock.basis[0].key, "clock.db-session-backend");
        assert_eq!(clock.basis[3].key, "clock.db-server-in-step");
    }

    #[test]
    fn calibrate_states_db_server_drift() {
        let server = DbServer {
            now: "2026-01-26 17:49:00".into(),
            utc_now: Some("2026-01-26 09:49:00".into()),
            ..Default::default()
        };
        let bundle = Bundle {
            db_server: Some(server),
            ..Default::default()
        };
        let collected = Utc.from_utc_datetime(&t("2026-01-26 10:00:00"));

        let clock = calibrate(&bundle, Some(collected));

        assert_eq!(clock.basis[3].key, "clock.db-server-behind");
        assert!(clock.basis[3].args.contains(&("drift", "11m".to_string())));
    }

    #[test]
    fn calibrate_measures_em_offset_from_docker_prefix() {
        let line = LogLine {
            member: "logs/executor-manager.txt".into(),
            line_no: 1,
            text: "x".into(),
            docker_time: Some(Utc.from_utc_datetime(&t("2026-01-20 06:00:00"))),
            app_time: Some(t("2026-01-20 14:00:00")),
        };
        let bundle = Bundle {
            log_lines: vec![line],
            ..Default::default()
        };

        let clock = calibrate(&bundle, None);

        assert_eq!(clock.em_offset_seconds, 28_800);
        assert_eq!(clock.basis[2].key, "clock.em-measured");
    }

    #[test]
    fn format_duration_reads_compactly() {
        assert_eq!(format_duration(Duration::seconds(42)), "42s");
        assert_eq!(format_duration(Duration::minutes(185)), "3h05m");
        assert_eq!(format_duration(Duration::hours(52)), "2d04h");
    }
}
