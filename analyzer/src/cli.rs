//! Command line of `analyze`: its options and help in English and Chinese, the parsing of
//! durations and times, and the usage-error messages.

use std::ffi::OsString;
use std::path::PathBuf;

use chrono::{DateTime, Duration, Utc};
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Command, CommandFactory, FromArgMatches, Parser, ValueEnum};
use wegent_analyzer::i18n::Lang;
use wegent_analyzer::report::{DEFAULT_SUBTASKS_LIMIT, Format};

/// Exit status when the verdict is completed or running.
pub const EXIT_OK: u8 = 0;
/// Exit status when the report shows a problem.
pub const EXIT_PROBLEM: u8 = 1;
/// Exit status when no report was produced.
pub const EXIT_ERROR: u8 = 2;

const AFTER_HELP_EN: &str = "\
Exit status:
  0  the verdict is completed or running
  1  the report shows a problem: stuck, failed, cancelled, not_found or inconclusive
  2  no report was produced: invalid usage, or the bundle could not be read or verified";

const AFTER_HELP_ZH: &str = "\
退出状态：
  0  结论为 completed（已完成）或 running（运行中）
  1  报告显示有问题：stuck、failed、cancelled、not_found 或 inconclusive
  2  没有生成报告：用法错误，或数据包无法读取或校验失败";

/// Reads a bundle written by collect and prints why a Wegent task did or did not complete.
#[derive(Debug, Parser)]
#[command(name = "analyze", version, after_help = AFTER_HELP_EN)]
pub struct Cli {
    /// Bundle to analyse: the .zip file that collect wrote, or a folder with the unpacked
    /// bundle
    #[arg(value_name = "BUNDLE.zip|DIR")]
    pub bundle: PathBuf,

    /// Report format: text for a terminal, markdown for a ticket, json for scripts
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,

    /// Language of the report and of error messages [default: from LC_ALL, LC_MESSAGES or
    /// LANG; zh* means Chinese, anything else English]
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,

    /// Reference time of the analysis in RFC 3339, such as 2026-08-14T06:30:00Z; staleness
    /// is measured up to it [default: the bundle's collected_at]
    #[arg(long, value_name = "RFC3339", value_parser = parse_now)]
    pub now: Option<DateTime<Utc>>,

    /// How long a PENDING or RUNNING task may go without an update before it counts as
    /// stale: a whole number with unit s, m, h or d, such as 90s, 30m, 2h or 1d
    #[arg(long, value_name = "DURATION", default_value = "30m", value_parser = parse_duration)]
    pub stale_after: Duration,

    /// Number of newest subtasks the text and Markdown reports show; JSON always lists
    /// every subtask
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SUBTASKS_LIMIT)]
    pub subtasks_limit: usize,

    /// Show every subtask in the text and Markdown reports (overrides --subtasks-limit)
    #[arg(long)]
    pub subtasks_all: bool,

    /// Never colour the text report. Colour is also off when standard output is not a
    /// terminal or the NO_COLOR environment variable is set to a non-empty value
    #[arg(long)]
    pub no_color: bool,
}

/// `--format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Text,
    Markdown,
    Json,
}

impl From<FormatArg> for Format {
    fn from(value: FormatArg) -> Format {
        match value {
            FormatArg::Text => Format::Text,
            FormatArg::Markdown => Format::Markdown,
            FormatArg::Json => Format::Json,
        }
    }
}

/// `--lang` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    En,
    Zh,
}

impl From<LangArg> for Lang {
    fn from(value: LangArg) -> Lang {
        match value {
            LangArg::En => Lang::En,
            LangArg::Zh => Lang::Zh,
        }
    }
}

impl Cli {
    /// Returns the report language: `--lang`, else the locale environment.
    pub fn lang(&self) -> Lang {
        self.lang.map(Lang::from).unwrap_or_else(Lang::from_env)
    }

    /// Newest subtasks to show; `None` shows all.
    pub fn subtasks_limit(&self) -> Option<usize> {
        if self.subtasks_all {
            None
        } else {
            Some(self.subtasks_limit)
        }
    }
}

/// Parses `args` (program name first) with help in `lang`. Returns clap's error for help,
/// version and usage problems; see [`usage_error_message`] for printing it.
pub fn parse(args: &[OsString], lang: Lang) -> Result<Cli, clap::Error> {
    let matches = command(lang).try_get_matches_from(args)?;
    Cli::from_arg_matches(&matches)
}

/// Builds the clap command with its help texts in `lang`.
pub fn command(lang: Lang) -> Command {
    let cmd = Cli::command();
    if lang != Lang::Zh {
        return cmd.about("Reads a bundle written by collect and prints why a Wegent task did or did not complete");
    }

    let mut cmd = cmd
        .about("读取 collect 生成的数据包，说明 Wegent 任务为何完成或未能完成")
        .after_help(AFTER_HELP_ZH);
    for (id, help) in ZH_HELP {
        cmd = cmd.mut_arg(*id, |arg| arg.help(*help));
    }
    cmd
}

/// Chinese help text per argument id.
const ZH_HELP: &[(&str, &str)] = &[
    (
        "bundle",
        "要分析的数据包：collect 生成的 .zip 文件，或解压后的数据包目录",
    ),
    (
        "format",
        "报告格式：text 用于终端，markdown 用于工单，json 用于脚本",
    ),
    (
        "lang",
        "报告和错误消息的语言 [默认：取自 LC_ALL、LC_MESSAGES 或 LANG；zh* 为中文，其余为英文]",
    ),
    (
        "now",
        "分析的参考时间，RFC 3339 格式，如 2026-08-14T06:30:00Z；停滞时长计算到该时间 [默认：数据包的 collected_at]",
    ),
    (
        "stale_after",
        "PENDING 或 RUNNING 的任务多久没有更新即视为停滞：整数加单位 s、m、h 或 d，如 90s、30m、2h 或 1d",
    ),
    (
        "subtasks_limit",
        "文本和 Markdown 报告显示的最新子任务个数；JSON 始终列出全部子任务",
    ),
    (
        "subtasks_all",
        "在文本和 Markdown 报告中显示全部子任务（优先于 --subtasks-limit）",
    ),
    (
        "no_color",
        "文本报告不使用颜色。标准输出不是终端或环境变量 NO_COLOR 为非空值时，同样不使用颜色",
    ),
];

/// Finds `--lang` before clap runs, so that help and usage errors use the requested
/// language; falls back to the locale environment.
pub fn prescan_lang(args: &[OsString]) -> Lang {
    let mut iter = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(arg) = iter.next() {
        if arg == "--" {
            break;
        }
        let value = match arg.strip_prefix("--lang=") {
            Some(value) => Some(value.to_string()),
            None if arg == "--lang" => iter.next().map(|v| v.to_string()),
            None => None,
        };
        match value.as_deref() {
            Some("zh") => return Lang::Zh,
            Some("en") => return Lang::En,
            _ => {}
        }
    }
    Lang::from_env()
}

/// Longest accepted `--stale-after`, in seconds (3650 days).
const MAX_DURATION_SECONDS: i64 = 3650 * 86_400;

/// The reason a `--stale-after` value is invalid.
#[derive(Debug, Clone, PartialEq, Eq)]
enum DurationProblem {
    Zero,
    TooLarge,
    /// Several number-unit pairs such as `1h30m`; carries the single-unit spelling.
    Compound(String),
    Malformed,
}

/// Returns the seconds of one unit letter.
fn unit_seconds(unit: &str) -> Option<i64> {
    match unit {
        "s" => Some(1),
        "m" => Some(60),
        "h" => Some(3600),
        "d" => Some(86_400),
        _ => None,
    }
}

/// Classifies a refused duration, or `None` when `parse_duration` accepts it.
fn duration_problem(value: &str) -> Option<DurationProblem> {
    let value = value.trim();
    let mut pairs = Vec::new();
    let mut rest = value;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let units = rest[digits..]
            .find(|c: char| c.is_ascii_digit())
            .map_or(rest.len(), |i| digits + i);
        let (Ok(number), Some(unit)) = (
            rest[..digits].parse::<i64>(),
            unit_seconds(&rest[digits..units]),
        ) else {
            return Some(DurationProblem::Malformed);
        };
        pairs.push((number, unit));
        rest = &rest[units..];
    }

    let total = pairs.iter().try_fold(0i64, |sum, (number, unit)| {
        number.checked_mul(*unit).and_then(|s| sum.checked_add(s))
    });
    match (pairs.len(), total) {
        (0, _) => Some(DurationProblem::Malformed),
        (_, None) => Some(DurationProblem::TooLarge),
        (_, Some(0)) => Some(DurationProblem::Zero),
        (_, Some(s)) if s > MAX_DURATION_SECONDS => Some(DurationProblem::TooLarge),
        (1, Some(_)) => None,
        (_, Some(s)) if s % 60 == 0 => Some(DurationProblem::Compound(format!("{}m", s / 60))),
        (_, Some(s)) => Some(DurationProblem::Compound(format!("{s}s"))),
    }
}

/// Explains a refused `--stale-after` value in a language.
fn duration_hint(lang: Lang, value: &str) -> Option<String> {
    let problem = duration_problem(value)?;
    let text = match (lang, problem) {
        (Lang::En, DurationProblem::Zero) => {
            "the duration must be greater than zero, such as 30m".to_string()
        }
        (Lang::Zh, DurationProblem::Zero) => "时长必须大于零，例如 30m".to_string(),
        (Lang::En, DurationProblem::TooLarge) => {
            "the duration is too large; use at most 3650d".to_string()
        }
        (Lang::Zh, DurationProblem::TooLarge) => "时长过大；最多为 3650d".to_string(),
        (Lang::En, DurationProblem::Compound(single)) => format!(
            "compound durations are not supported; use one number and one unit, such as {single}"
        ),
        (Lang::Zh, DurationProblem::Compound(single)) => {
            format!("不支持组合时长；请只用一个数字和一个单位，例如 {single}")
        }
        (_, DurationProblem::Malformed) => return None,
    };
    Some(text)
}

/// Parses a duration such as `90s`, `30m`, `2h` or `1d`: a positive whole number and one
/// unit, at most 3650 days.
pub fn parse_duration(value: &str) -> Result<Duration, String> {
    if let Some(hint) = duration_hint(Lang::En, value) {
        return Err(format!("{:?}: {hint}", value.trim()));
    }
    let value = value.trim();
    let split = value
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(split);

    let number: i64 = number
        .parse()
        .map_err(|_| format!("{value:?} does not start with a whole number"))?;
    let seconds_per_unit = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("{value:?} has no unit s, m, h or d")),
    };

    let seconds = number
        .checked_mul(seconds_per_unit)
        .filter(|s| *s > 0 && *s <= 3650 * 86_400);
    seconds
        .map(Duration::seconds)
        .ok_or_else(|| format!("{value:?} is not between 1s and 3650d"))
}

/// Parses an RFC 3339 time with its offset and converts it to UTC.
pub fn parse_now(value: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(value.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{value:?} is not an RFC 3339 time: {e}"))
}

/// Returns how to write a valid value of the option with this argument id.
fn value_hint(lang: Lang, arg_id: &str) -> Option<&'static str> {
    let hint = match (lang, arg_id) {
        (Lang::En, "stale_after") => {
            "use a whole number followed by s, m, h or d, such as 90s, 30m, 2h or 1d"
        }
        (Lang::Zh, "stale_after") => "请使用整数加单位 s、m、h 或 d，例如 90s、30m、2h 或 1d",
        (Lang::En, "now") => {
            "use an RFC 3339 time with a zone, such as 2026-08-14T06:30:00Z or 2026-08-14T14:30:00+08:00"
        }
        (Lang::Zh, "now") => {
            "请使用带时区的 RFC 3339 时间，例如 2026-08-14T06:30:00Z 或 2026-08-14T14:30:00+08:00"
        }
        (Lang::En, "subtasks_limit") => {
            "use a whole number of subtasks such as 30, or --subtasks-all"
        }
        (Lang::Zh, "subtasks_limit") => "请使用子任务个数（整数，如 30），或改用 --subtasks-all",
        (Lang::En, "format") => "use text, markdown or json",
        (Lang::Zh, "format") => "请使用 text、markdown 或 json",
        (Lang::En, "lang") => "use en or zh",
        (Lang::Zh, "lang") => "请使用 en 或 zh",
        _ => return None,
    };
    Some(hint)
}

/// Builds the localized message of a usage error about an option's value, such as
/// `invalid value "5x" for --stale-after: use ...`. Returns `None` for other errors
/// (unknown option, missing bundle, help, version), which clap prints itself.
pub fn usage_error_message(error: &clap::Error, lang: Lang) -> Option<String> {
    if !matches!(
        error.kind(),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation
    ) {
        return None;
    }

    let Some(ContextValue::String(arg)) = error.get(ContextKind::InvalidArg) else {
        return None;
    };
    let Some(ContextValue::String(value)) = error.get(ContextKind::InvalidValue) else {
        return None;
    };

    // clap names the option as `--stale-after <DURATION>`; keep the flag only.
    let flag = arg.split_whitespace().next().unwrap_or(arg);
    let id = flag.trim_start_matches('-').replace('-', "_");
    let hint = match id.as_str() {
        "stale_after" => {
            duration_hint(lang, value).or_else(|| value_hint(lang, &id).map(str::to_string))?
        }
        _ => value_hint(lang, &id)?.to_string(),
    };

    Some(match lang {
        Lang::En => format!("invalid value {value:?} for {flag}: {hint}"),
        Lang::Zh => format!("{flag} 的值 {value:?} 无效：{hint}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        std::iter::once("analyze")
            .chain(list.iter().copied())
            .map(OsString::from)
            .collect()
    }

    #[test]
    fn cli_definition_is_consistent() {
        command(Lang::En).debug_assert();
        command(Lang::Zh).debug_assert();
    }

    #[test]
    fn zh_help_covers_every_argument() {
        let ids: Vec<String> = Cli::command()
            .get_arguments()
            .map(|a| a.get_id().to_string())
            .collect();
        for id in ids.iter().filter(|id| *id != "help" && *id != "version") {
            assert!(
                ZH_HELP.iter().any(|(zh_id, _)| zh_id == id),
                "no Chinese help for {id}"
            );
        }
    }

    #[test]
    fn defaults_apply() {
        let cli = parse(&args(&["b.zip"]), Lang::En).unwrap();
        assert_eq!(cli.format, FormatArg::Text);
        assert_eq!(cli.stale_after, Duration::minutes(30));
        assert_eq!(cli.subtasks_limit(), Some(30));
        assert_eq!(cli.now, None);
    }

    #[test]
    fn subtasks_all_overrides_limit() {
        let cli = parse(
            &args(&["b.zip", "--subtasks-limit", "5", "--subtasks-all"]),
            Lang::En,
        )
        .unwrap();
        assert_eq!(cli.subtasks_limit(), None);
    }

    #[test]
    fn parse_duration_accepts_units() {
        assert_eq!(parse_duration("90s"), Ok(Duration::seconds(90)));
        assert_eq!(parse_duration("30m"), Ok(Duration::minutes(30)));
        assert_eq!(parse_duration("2h"), Ok(Duration::hours(2)));
        assert_eq!(parse_duration("1d"), Ok(Duration::days(1)));
    }

    #[test]
    fn parse_duration_rejects_bad_values() {
        for bad in [
            "",
            "30",
            "m",
            "5x",
            "1.5h",
            "-1m",
            "0s",
            "99999d",
            "99999999999999999999s",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn duration_errors_name_the_problem() {
        assert!(
            parse_duration("0m")
                .unwrap_err()
                .contains("greater than zero")
        );
        assert!(parse_duration("99999d").unwrap_err().contains("too large"));
        let compound = parse_duration("1h30m").unwrap_err();
        assert!(compound.contains("not supported"), "{compound}");
        assert!(compound.contains("90m"), "{compound}");
    }

    #[test]
    fn parse_now_converts_to_utc() {
        let at = parse_now("2026-08-14T14:30:00+08:00").unwrap();
        assert_eq!(at.to_rfc3339(), "2026-08-14T06:30:00+00:00");
        assert!(parse_now("2026-08-14 14:30").is_err());
    }

    #[test]
    fn bad_duration_message_names_value_and_fix() {
        let error = parse(&args(&["b.zip", "--stale-after", "5x"]), Lang::En).unwrap_err();
        let message = usage_error_message(&error, Lang::En).unwrap();
        assert_eq!(
            message,
            "invalid value \"5x\" for --stale-after: use a whole number followed by s, m, h or d, \
             such as 90s, 30m, 2h or 1d"
        );
    }

    #[test]
    fn bad_value_message_in_chinese() {
        let error = parse(&args(&["b.zip", "--now", "yesterday"]), Lang::Zh).unwrap_err();
        let message = usage_error_message(&error, Lang::Zh).unwrap();
        assert!(
            message.starts_with("--now 的值 \"yesterday\" 无效：请使用带时区的 RFC 3339 时间"),
            "{message}"
        );
    }

    #[test]
    fn bad_enum_and_number_messages() {
        let error = parse(&args(&["b.zip", "--format", "html"]), Lang::En).unwrap_err();
        assert_eq!(
            usage_error_message(&error, Lang::En).unwrap(),
            "invalid value \"html\" for --format: use text, markdown or json"
        );

        let error = parse(&args(&["b.zip", "--subtasks-limit", "many"]), Lang::En).unwrap_err();
        assert!(
            usage_error_message(&error, Lang::En)
                .unwrap()
                .contains("--subtasks-limit")
        );
    }

    #[test]
    fn unknown_option_is_left_to_clap() {
        let error = parse(&args(&["b.zip", "--frobnicate"]), Lang::En).unwrap_err();
        assert_eq!(usage_error_message(&error, Lang::En), None);
    }

    #[test]
    fn prescan_finds_lang() {
        assert_eq!(prescan_lang(&args(&["--lang", "zh", "b.zip"])), Lang::Zh);
        assert_eq!(prescan_lang(&args(&["b.zip", "--lang=en"])), Lang::En);
    }

    #[test]
    fn help_states_exit_status_and_defaults() {
        let help = command(Lang::En).render_long_help().to_string();
        assert!(help.contains("Exit status:"), "{help}");
        assert!(help.contains("[default: 30m]"), "{help}");
        assert!(help.contains("[default: 30]"), "{help}");
        assert!(help.contains("[default: text]"), "{help}");

        let help = command(Lang::Zh).render_long_help().to_string();
        assert!(help.contains("退出状态："), "{help}");
    }
}
