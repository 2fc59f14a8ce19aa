//! Command line of `collect`: the options, their environment variables and defaults.
//!
//! Every option can also be set through a `WEGENT_*` environment variable, and every
//! default matches a stock Wegent docker-compose install. The parsed [`Cli`] is raw user
//! input; [`crate::config::Config::resolve`] validates it and fills in values from a
//! Wegent checkout's `.env`. Help texts exist in English (the derive attributes below)
//! and Simplified Chinese ([`localize_help`]).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;

use clap::parser::ValueSource;
use clap::{ArgMatches, Command, CommandFactory, FromArgMatches, Parser};

use crate::i18n::{Lang, parse_lang};

/// Default MySQL URL of a stock docker-compose install (root password `123456`).
pub const DEFAULT_DATABASE_URL: &str = "mysql://root:123456@127.0.0.1:3306/task_manager";
pub const DEFAULT_EXECUTOR_MANAGER_URL: &str = "http://localhost:8001";
pub const DEFAULT_REDIS_URL: &str = "redis://127.0.0.1:6379/0";

/// Collects one Wegent task into a redacted zip bundle for `analyze`.
#[derive(Debug, Clone, Parser)]
#[command(name = "collect", version, about, max_term_width = 100)]
pub struct Cli {
    /// Id of the task to collect (a positive integer, the number in the task URL).
    #[arg(long, env = "WEGENT_TASK_ID", value_name = "ID")]
    pub task_id: String,

    /// MySQL URL of Wegent's database; the password is never printed or stored
    /// [default: mysql://root:<compose default password>@127.0.0.1:3306/task_manager].
    #[arg(long, env = "WEGENT_DATABASE_URL", value_name = "URL",
          default_value = DEFAULT_DATABASE_URL, hide_default_value = true)]
    pub database_url: String,

    /// MySQL container to connect to (by its IP address) when the URL's host does not respond.
    #[arg(
        long,
        env = "WEGENT_MYSQL_CONTAINER",
        value_name = "NAME",
        default_value = "wegent-mysql"
    )]
    pub mysql_container: String,

    /// Base URL of executor-manager's HTTP API; only GET requests are sent.
    #[arg(long, env = "WEGENT_EXECUTOR_MANAGER_URL", value_name = "URL",
          default_value = DEFAULT_EXECUTOR_MANAGER_URL)]
    pub executor_manager_url: String,

    /// Container name of executor-manager, for its state and its log.
    #[arg(
        long,
        env = "WEGENT_EXECUTOR_MANAGER_CONTAINER",
        value_name = "NAME",
        default_value = "wegent-executor-manager"
    )]
    pub executor_manager_container: String,

    /// Redis URL (upstream Wegent only). The password is never printed or stored.
    #[arg(long, env = "WEGENT_REDIS_URL", value_name = "URL", default_value = DEFAULT_REDIS_URL)]
    pub redis_url: String,

    /// Host directory that contains the executors' workspaces, one folder per task id.
    #[arg(
        long,
        env = "WEGENT_WORKSPACE_ROOT",
        value_name = "DIR",
        default_value = "~/wecode-bot"
    )]
    pub workspace_root: String,

    /// Wegent checkout whose .env supplies passwords and ports, and whose log files are read.
    #[arg(long, env = "WEGENT_REPO_ROOT", value_name = "DIR")]
    pub repo_root: Option<PathBuf>,

    /// How far back to read logs, as a duration such as 90m, 24h or 7d.
    #[arg(
        long,
        env = "WEGENT_SINCE",
        value_name = "DURATION",
        default_value = "24h"
    )]
    pub since: String,

    /// Also send one GET to the task model's base_url/models to see whether the gateway responds.
    #[arg(long, env = "WEGENT_PROBE_LLM")]
    pub probe_llm: bool,

    /// Bundle path, ending in .zip; an existing file is kept unless --force is given
    /// [default: wegent-task-<ID>-<UTC yyyymmddThhmmssZ>.zip in the current directory].
    #[arg(long, short = 'o', env = "WEGENT_OUTPUT", value_name = "FILE.zip")]
    pub output: Option<PathBuf>,

    /// Replace the --output file if it already exists (the summary reports the replacement).
    #[arg(long, env = "WEGENT_FORCE")]
    pub force: bool,

    /// TOML file with extra redaction rules.
    #[arg(long, env = "WEGENT_REDACTION_RULES", value_name = "FILE")]
    pub redaction_rules: Option<PathBuf>,

    /// Replace user names, host names and addresses with stable stand-ins.
    #[arg(long, env = "WEGENT_PSEUDONYMIZE")]
    pub pseudonymize: bool,

    /// Language of messages: en or zh [default: from LC_ALL, LC_MESSAGES or LANG].
    #[arg(long, env = "WEGENT_LANG", value_name = "LANG", value_parser = ["en", "zh"])]
    pub lang: Option<String>,

    /// Time limit of one source, such as db=60s; repeatable. Sources and their defaults:
    /// db=30s, docker=2m, executor-manager=30s, redis=15s, workspace=1m, logs=2m, llm=15s.
    #[arg(
        long = "timeout",
        env = "WEGENT_TIMEOUT",
        value_name = "SOURCE=DURATION",
        value_delimiter = ','
    )]
    pub timeouts: Vec<String>,

    /// Maximum number of lines kept from each executor container's log (the newest are kept).
    #[arg(
        long,
        env = "WEGENT_EXECUTOR_LOG_MAX_LINES",
        value_name = "N",
        default_value = "50000"
    )]
    pub executor_log_max_lines: String,

    /// Maximum size kept from each executor container's log, such as 5MiB or 800k (bytes).
    #[arg(
        long,
        env = "WEGENT_EXECUTOR_LOG_MAX_BYTES",
        value_name = "SIZE",
        default_value = "5MiB"
    )]
    pub executor_log_max_bytes: String,
}

/// Parsed options plus where each value came from.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub cli: Cli,
    /// Long option names whose value is clap's default, not the user's or the environment's.
    pub defaulted: Vec<&'static str>,
    /// Environment variable that set an option, keyed by long option name (`since`), for
    /// options the command line did not give.
    pub from_env: BTreeMap<String, String>,
}

impl Parsed {
    /// True when the user gave neither the option nor its environment variable.
    pub fn is_default(&self, option: &str) -> bool {
        self.defaulted.contains(&option)
    }

    /// Returns the environment variable an option's value came from, if any.
    pub fn env_var_of(&self, long: &str) -> Option<&str> {
        self.from_env.get(long).map(String::as_str)
    }
}

/// Options whose default may be replaced by values from a Wegent checkout's `.env`.
const ENV_FILE_OPTIONS: [&str; 3] = ["database_url", "executor_manager_url", "redis_url"];

/// Parses `args` (including the program name). A clap error (usage or `--help`) is
/// returned for the caller to print and exit with.
pub fn parse(args: Vec<OsString>, lang: Lang) -> Result<Parsed, clap::Error> {
    let matches = localize_help(Cli::command(), lang).try_get_matches_from(args)?;
    let cli = Cli::from_arg_matches(&matches)?;
    let defaulted = defaulted_options(&matches);
    let from_env = env_set_options(&matches);
    Ok(Parsed {
        cli,
        defaulted,
        from_env,
    })
}

fn env_set_options(matches: &ArgMatches) -> BTreeMap<String, String> {
    Cli::command()
        .get_arguments()
        .filter(|arg| matches.value_source(arg.get_id().as_str()) == Some(ValueSource::EnvVariable))
        .filter_map(|arg| {
            let long = arg.get_long()?.to_string();
            let env = arg.get_env()?.to_string_lossy().into_owned();
            Some((long, env))
        })
        .collect()
}

fn defaulted_options(matches: &ArgMatches) -> Vec<&'static str> {
    ENV_FILE_OPTIONS
        .into_iter()
        .filter(|id| matches.value_source(id) == Some(ValueSource::DefaultValue))
        .collect()
}

/// Finds `--lang` (or `WEGENT_LANG`) before clap runs, so that help and usage errors
/// come out in the requested language.
pub fn prescan_lang(args: &[OsString]) -> Lang {
    let mut iter = args.iter().map(|a| a.to_string_lossy());
    while let Some(arg) = iter.next() {
        if let Some(value) = arg.strip_prefix("--lang=") {
            return parse_lang(value).unwrap_or_else(Lang::from_env);
        }
        if arg == "--lang"
            && let Some(value) = iter.next()
        {
            return parse_lang(&value).unwrap_or_else(Lang::from_env);
        }
    }
    std::env::var("WEGENT_LANG")
        .ok()
        .and_then(|v| parse_lang(&v))
        .unwrap_or_else(Lang::from_env)
}

/// Replaces the English help texts by the Chinese ones when `lang` is Chinese.
pub fn localize_help(cmd: Command, lang: Lang) -> Command {
    if lang != Lang::Zh {
        return cmd;
    }

    let mut cmd =
        cmd.about("收集一个 Wegent 任务的诊断数据，写入脱敏后的诊断包（zip），供 analyze 分析");
    for (id, help) in ZH_HELP {
        cmd = cmd.mut_arg(*id, |arg| arg.help(*help));
    }
    cmd
}

/// Chinese help text per argument id.
const ZH_HELP: &[(&str, &str)] = &[
    ("task_id", "要收集的任务 id（正整数，即任务链接中的数字）"),
    (
        "database_url",
        "Wegent 数据库的 MySQL URL；密码不会被打印或保存 [默认：mysql://root:<compose 默认密码>@127.0.0.1:3306/task_manager]",
    ),
    (
        "mysql_container",
        "URL 中的主机无应答时，改为通过该 MySQL 容器的 IP 地址连接",
    ),
    (
        "executor_manager_url",
        "executor-manager HTTP API 的基础 URL；只发送 GET 请求",
    ),
    (
        "executor_manager_container",
        "executor-manager 的容器名，用于读取其状态和日志",
    ),
    (
        "redis_url",
        "Redis URL（仅上游版 Wegent 使用）；密码不会被打印或保存",
    ),
    (
        "workspace_root",
        "执行器工作区所在的主机目录，每个任务 id 一个子目录",
    ),
    (
        "repo_root",
        "Wegent 代码目录：从其 .env 读取密码和端口，并读取其中的日志文件",
    ),
    ("since", "读取多久以内的日志，时长如 90m、24h 或 7d"),
    (
        "probe_llm",
        "另外向任务模型的 base_url/models 发送一次 GET，检查模型网关是否应答",
    ),
    (
        "output",
        "诊断包路径，以 .zip 结尾；已有同名文件时不覆盖，除非给出 --force [默认：当前目录下的 wegent-task-<ID>-<UTC yyyymmddThhmmssZ>.zip]",
    ),
    (
        "force",
        "--output 指定的文件已存在时覆盖它（摘要会说明已覆盖）",
    ),
    ("redaction_rules", "包含额外脱敏规则的 TOML 文件"),
    ("pseudonymize", "用稳定的替代名替换用户名、主机名和地址"),
    (
        "lang",
        "消息语言：en 或 zh [默认：取自 LC_ALL、LC_MESSAGES 或 LANG]",
    ),
    (
        "timeouts",
        "单个来源的时间上限，如 db=60s；可重复。来源及默认上限：db=30s、docker=2m、executor-manager=30s、redis=15s、workspace=1m、logs=2m、llm=15s",
    ),
    (
        "executor_log_max_lines",
        "每个执行器容器日志最多保留的行数（保留最新的）",
    ),
    (
        "executor_log_max_bytes",
        "每个执行器容器日志最多保留的大小，如 5MiB 或 800k（字节）",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        std::iter::once("collect")
            .chain(list.iter().copied())
            .map(OsString::from)
            .collect()
    }

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
        localize_help(Cli::command(), Lang::Zh).debug_assert();
    }

    #[test]
    fn defaults_are_marked() {
        let parsed = parse(args(&["--task-id", "89"]), Lang::En).unwrap();
        assert!(parsed.is_default("database_url"));
        assert!(parsed.is_default("redis_url"));
        assert_eq!(parsed.cli.database_url, DEFAULT_DATABASE_URL);
    }

    #[test]
    fn given_option_is_not_default() {
        let parsed = parse(
            args(&["--task-id", "89", "--redis-url", "redis://h:1/0"]),
            Lang::En,
        )
        .unwrap();
        assert!(!parsed.is_default("redis_url"));
        assert!(parsed.is_default("database_url"));
    }

    #[test]
    fn timeouts_repeat() {
        let parsed = parse(
            args(&[
                "--task-id",
                "1",
                "--timeout",
                "db=3s",
                "--timeout",
                "redis=1s",
            ]),
            Lang::En,
        )
        .unwrap();
        assert_eq!(parsed.cli.timeouts, vec!["db=3s", "redis=1s"]);
    }

    #[test]
    fn timeout_help_lists_every_default() {
        let help = Cli::command().render_long_help().to_string();
        let zh = localize_help(Cli::command(), Lang::Zh)
            .render_long_help()
            .to_string();
        for source in crate::sources::all() {
            let entry = format!(
                "{}={}",
                source.name(),
                crate::runner::format_duration(source.default_timeout())
            );
            assert!(help.contains(&entry), "{entry} missing from --help");
            assert!(
                zh.contains(&entry),
                "{entry} missing from the Chinese --help"
            );
        }
    }

    #[test]
    fn env_values_name_their_variable() {
        // SAFETY: no unit test reads this variable's value; the container name is not
        // used by any source in unit tests.
        unsafe { std::env::set_var("WEGENT_MYSQL_CONTAINER", "wi-test-env-mysql") };
        let parsed = parse(args(&["--task-id", "1"]), Lang::En).unwrap();
        unsafe { std::env::remove_var("WEGENT_MYSQL_CONTAINER") };
        assert_eq!(
            parsed.env_var_of("mysql-container"),
            Some("WEGENT_MYSQL_CONTAINER")
        );
        assert_eq!(parsed.env_var_of("task-id"), None);
    }

    #[test]
    fn prescan_finds_lang() {
        assert_eq!(prescan_lang(&args(&["--lang", "zh"])), Lang::Zh);
        assert_eq!(prescan_lang(&args(&["--lang=en"])), Lang::En);
    }
}
