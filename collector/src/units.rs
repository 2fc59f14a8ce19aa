//! Parsing of the human-friendly durations and sizes that options accept.
//!
//! Errors are a [`UnitError`], whose [`UnitError::text`] gives the reason in the user's
//! language for the usage message.

use std::time::Duration;

use crate::i18n::{Lang, text};

/// Reason a duration or size was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitError {
    /// A duration without a leading number.
    DurationNumber,
    /// A duration with a unit other than ms, s, m, h or d.
    DurationUnit(String),
    /// A duration over ten years.
    DurationTooLong,
    /// A size without a leading number.
    SizeNumber,
    /// A size with an unknown unit.
    SizeUnit(String),
    /// A size beyond 2^64 bytes.
    SizeTooLarge,
}

impl UnitError {
    /// Returns the reason as text in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match self {
            UnitError::DurationNumber => text(lang, "unit.duration-number", &[]),
            UnitError::DurationUnit(unit) => text(lang, "unit.duration-unit", &[("unit", unit)]),
            UnitError::DurationTooLong => text(lang, "unit.duration-too-long", &[]),
            UnitError::SizeNumber => text(lang, "unit.size-number", &[]),
            UnitError::SizeUnit(unit) => text(lang, "unit.size-unit", &[("unit", unit)]),
            UnitError::SizeTooLarge => text(lang, "unit.size-too-large", &[]),
        }
    }
}

impl std::fmt::Display for UnitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

/// Parses a duration such as `500ms`, `30s`, `90m`, `24h` or `7d`; a bare number is seconds.
pub fn parse_duration(value: &str) -> Result<Duration, UnitError> {
    let value = value.trim();
    let split = value
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(split);
    let number: f64 = number.parse().map_err(|_| UnitError::DurationNumber)?;

    let seconds_per_unit = match unit.trim().to_ascii_lowercase().as_str() {
        "ms" => 0.001,
        "" | "s" | "sec" | "secs" => 1.0,
        "m" | "min" | "mins" => 60.0,
        "h" | "hour" | "hours" => 3600.0,
        "d" | "day" | "days" => 86400.0,
        other => return Err(UnitError::DurationUnit(other.to_string())),
    };

    let seconds = number * seconds_per_unit;
    if !seconds.is_finite() || seconds > 10.0 * 365.0 * 86400.0 {
        return Err(UnitError::DurationTooLong);
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// Parses a size such as `800k`, `5MB`, `5MiB` or `1G` into bytes; a bare number is bytes.
/// k/M/G and kB/MB/GB count in 1000s, KiB/MiB/GiB in 1024s.
pub fn parse_size(value: &str) -> Result<u64, UnitError> {
    let value = value.trim();
    let split = value
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(split);
    let number: f64 = number.parse().map_err(|_| UnitError::SizeNumber)?;

    let multiplier: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "ki" | "kib" => 1024.0,
        "mi" | "mib" => 1024.0 * 1024.0,
        "gi" | "gib" => 1024.0 * 1024.0 * 1024.0,
        other => return Err(UnitError::SizeUnit(other.to_string())),
    };

    let bytes = number * multiplier;
    if !bytes.is_finite() || bytes > u64::MAX as f64 {
        return Err(UnitError::SizeTooLarge);
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

    #[test]
    fn errors_read_in_chinese() {
        let err = parse_duration("5x").unwrap_err();
        assert_eq!(err, UnitError::DurationUnit("x".to_string()));
        let zh = err.text(Lang::Zh);
        assert!(zh.contains("未知单位 'x'"), "{zh}");
        assert!(err.to_string().contains("unknown unit 'x'"));
        assert!(
            parse_size("5q")
                .unwrap_err()
                .text(Lang::Zh)
                .contains("未知单位")
        );
    }
}
