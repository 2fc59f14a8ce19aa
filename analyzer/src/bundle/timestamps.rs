//! Leading timestamps of log lines.
//!
//! Two stamps can start a line. `docker logs --timestamps` prepends an RFC 3339 time in
//! UTC with nanoseconds (`2026-01-20T06:03:12.123456789Z `). After it, the services
//! write their own naive local time: Python `logging` (`2026-01-20 14:03:12,123`, used
//! by executor-manager, the backend and the fork executor), the Rust executor
//! (`2026-08-20 10:00:05`), and ISO forms with `T` and a fraction. Uvicorn access
//! lines (`INFO:     172.18.0.9:53312 - "POST ..."`) carry no time.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};

/// Splits a Docker timestamp prefix from a line: returns the time and the rest of the
/// line after the separating space, or `None` when the line has no such prefix.
pub fn split_docker_prefix(line: &str) -> Option<(DateTime<Utc>, &str)> {
    let bytes = line.as_bytes();
    if bytes.len() < 21 || bytes.get(10) != Some(&b'T') || !bytes[0].is_ascii_digit() {
        return None;
    }

    let space = line.find(' ')?;
    let stamp = &line[..space];
    if stamp.len() < 20 {
        return None;
    }
    let has_zone = stamp.ends_with('Z')
        || stamp.as_bytes()[19..]
            .iter()
            .any(|b| matches!(b, b'+' | b'-'));
    if !has_zone {
        return None;
    }

    let time = DateTime::parse_from_rfc3339(stamp).ok()?;
    Some((time.with_timezone(&Utc), &line[space + 1..]))
}

/// Parses an application timestamp at the start of `text`: an optional `[`, then
/// `YYYY-MM-DD HH:MM:SS` (or `T` as separator) with an optional `,mmm` or `.fffffffff`
/// fraction. A trailing zone (`Z`, `+08:00`) is ignored: the value stays naive.
pub fn parse_app_time(text: &str) -> Option<NaiveDateTime> {
    let bytes = text.as_bytes();
    let bytes = bytes.strip_prefix(b"[").unwrap_or(bytes);
    if bytes.len() < 19 {
        return None;
    }

    let shape_ok = bytes[4] == b'-'
        && bytes[7] == b'-'
        && (bytes[10] == b' ' || bytes[10] == b'T')
        && bytes[13] == b':'
        && bytes[16] == b':';
    if !shape_ok {
        return None;
    }

    let year = digits(&bytes[0..4])?;
    let month = digits(&bytes[5..7])?;
    let day = digits(&bytes[8..10])?;
    let hour = digits(&bytes[11..13])?;
    let minute = digits(&bytes[14..16])?;
    let second = digits(&bytes[17..19])?;
    let nanos = fraction_nanos(&bytes[19..]);

    let date = NaiveDate::from_ymd_opt(year as i32, month, day)?;
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    Some(NaiveDateTime::new(date, time))
}

/// Nanoseconds of a `,mmm` or `.ffffff` fraction at the start of `rest`, or 0.
fn fraction_nanos(rest: &[u8]) -> u32 {
    let Some((&separator, rest)) = rest.split_first() else {
        return 0;
    };
    if separator != b',' && separator != b'.' {
        return 0;
    }

    let count = rest
        .iter()
        .take(9)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if count == 0 {
        return 0;
    }
    let value = digits(&rest[..count]).unwrap_or(0);
    value * 10u32.pow(9 - count as u32)
}

fn digits(bytes: &[u8]) -> Option<u32> {
    let mut value: u32 = 0;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u32::from(b - b'0');
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").unwrap()
    }

    #[test]
    fn docker_prefix_is_split_and_utc() {
        let (time, rest) =
            split_docker_prefix("2026-01-20T06:03:12.123456789Z 2026-01-20 14:03:12 - x").unwrap();
        assert_eq!(time.to_rfc3339(), "2026-01-20T06:03:12.123456789+00:00");
        assert_eq!(rest, "2026-01-20 14:03:12 - x");
    }

    #[test]
    fn docker_prefix_absent_on_plain_lines() {
        assert_eq!(split_docker_prefix("2026-01-20 14:03:12 - x"), None);
        assert_eq!(
            split_docker_prefix("INFO:     172.18.0.9:53312 - \"GET /\""),
            None
        );
        assert_eq!(split_docker_prefix("2026-01-20T06:03:12.1Zjunk"), None);
        assert_eq!(split_docker_prefix(""), None);
    }

    #[test]
    fn app_time_of_service_formats() {
        let cases = [
            (
                "2026-01-20 14:03:12 - [a1b2c3d4] - [in /app/x.py:12] - INFO - Successfully processed callback for task 89",
                "2026-01-20 14:03:12",
            ),
            (
                "2026-01-20 14:03:12,345 INFO [-] : update subtask",
                "2026-01-20 14:03:12.345",
            ),
            (
                "2026-08-20 10:00:05 callback request finished task_id=89",
                "2026-08-20 10:00:05",
            ),
            (
                "2026-08-20T10:00:05.123456+08:00 INFO x",
                "2026-08-20 10:00:05.123456",
            ),
            ("[2026-08-20 10:00:05.5] x", "2026-08-20 10:00:05.5"),
        ];
        for (line, expected) in cases {
            assert_eq!(parse_app_time(line), Some(naive(expected)), "{line}");
        }
    }

    #[test]
    fn app_time_absent_or_invalid() {
        assert_eq!(
            parse_app_time("INFO:     172.18.0.9:53312 - \"POST /x HTTP/1.1\" 200 OK"),
            None
        );
        assert_eq!(parse_app_time("=== Starting executor manager ==="), None);
        assert_eq!(parse_app_time("2026-13-40 25:00:00 bad"), None);
        assert_eq!(parse_app_time("2026-01-20"), None);
    }
}
