//! Parsing of the human-friendly durations and sizes that options accept.

use std::time::Duration;

/// Parses a duration such as `500ms`, `30s`, `90m`, `24h` or `7d`; a bare number is seconds.
/// The error is a short reason for the usage message.
pub fn parse_duration(value: &str) -> Result<Duration, String> {
    let value = value.trim();
    let split = value
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| "expected a number followed by ms, s, m, h or d, such as 24h".to_string())?;

    let seconds_per_unit = match unit.trim().to_ascii_lowercase().as_str() {
        "ms" => 0.001,
        "" | "s" | "sec" | "secs" => 1.0,
        "m" | "min" | "mins" => 60.0,
        "h" | "hour" | "hours" => 3600.0,
        "d" | "day" | "days" => 86400.0,
        other => return Err(format!("unknown unit '{other}': use ms, s, m, h or d")),
    };

    let seconds = number * seconds_per_unit;
    if !seconds.is_finite() || seconds > 10.0 * 365.0 * 86400.0 {
        return Err("duration is too long: use at most 3650d".to_string());
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// Parses a size such as `800k`, `5MB`, `5MiB` or `1G` into bytes; a bare number is bytes.
/// k/M/G and kB/MB/GB count in 1000s, KiB/MiB/GiB in 1024s.
pub fn parse_size(value: &str) -> Result<u64, String> {
    let value = value.trim();
    let split = value
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| "expected a number with an optional unit, such as 5MiB".to_string())?;

    let multiplier: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "ki" | "kib" => 1024.0,
        "mi" | "mib" => 1024.0 * 1024.0,
        "gi" | "gib" => 1024.0 * 1024.0 * 1024.0,
        other => {
            return Err(format!(
                "unknown unit '{other}': use k, M, G, KiB, MiB or GiB"
            ));
        }
    };

    let bytes = number * multiplier;
    if !bytes.is_finite() || bytes > u64::MAX as f64 {
        return Err("size is too large".to_string());
    }
    Ok(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("24h").unwrap(), Duration::from_secs(86400));
        assert_eq!(parse_duration("90m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("7").unwrap(), Duration::from_secs(7));
        assert_eq!(parse_duration("1.5s").unwrap(), Duration::from_millis(1500));
    }

    #[test]
    fn durations_reject_garbage() {
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5y").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("5MiB").unwrap(), 5 * 1024 * 1024);
        assert_eq!(parse_size("800k").unwrap(), 800_000);
        assert_eq!(parse_size("42").unwrap(), 42);
        assert!(parse_size("5 parsecs").is_err());
    }
}
