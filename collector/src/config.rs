//! The validated settings of one `collect` run.
//!
//! [`Config::resolve`] turns the raw command line into typed values: the task id, durations,
//! sizes, per-source time limits and the connection URLs. When `--repo-root` points at a
//! Wegent checkout, its `.env` supplies the MySQL root password and ports, the
//! executor-manager port and the Redis port and password, for every URL option the user
//! left at its default. URLs keep their passwords here because the sources need them;
//! [`Config::manifest_options`] is the only view that leaves the process, and it has them
//! removed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use url::Url;

use crate::cli::Parsed;
use crate::envfile::EnvFile;
use crate::i18n::{Lang, parse_lang, text};
use crate::units::{parse_duration, parse_size};

/// Settings of one run.
#[derive(Debug, Clone)]
pub struct Config {
    pub task_id: i64,
    /// With password; never print it, use [`strip_password`].
    pub database_url: String,
    pub mysql_container: String,
    pub executor_manager_url: String,
    pub executor_manager_container: String,
    /// With password; never print it, use [`strip_password`].
    pub redis_url: String,
    pub workspace_root: PathBuf,
    pub repo_root: Option<PathBuf>,
    /// Log window: sources read log lines newer than collection time minus this.
    pub since: Duration,
    pub probe_llm: bool,
    pub output: Option<PathBuf>,
    /// Replace an existing `--output` file.
    pub force: bool,
    pub redaction_rules: Option<PathBuf>,
    pub pseudonymize: bool,
    pub lang: Lang,
    /// Per-source time limits from `--timeout`, keyed by source name.
    pub timeouts: BTreeMap<String, Duration>,
    pub executor_log_max_lines: u64,
    pub executor_log_max_bytes: u64,
    /// Keys of the checkout's `.env` that changed a default, for the manifest.
    pub env_file_keys_used: Vec<String>,
    /// The checkout's `.env`, whose secret values the redactor must learn.
    pub env_file: Option<EnvFile>,
}

/// A command line that cannot be used; the message is already in the user's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

impl Config {
    /// Validates the command line. `known_sources` lists the names `--timeout` accepts.
    pub fn resolve(parsed: &Parsed, known_sources: &[&str]) -> Result<Config, UsageError> {
        let cli = &parsed.cli;
        let lang = cli
            .lang
            .as_deref()
            .and_then(parse_lang)
            .unwrap_or_else(Lang::from_env);
        let invalid = |option: &str, value: &str, reason: &str| {
            UsageError(match parsed.env_var_of(option) {
                Some(env) => text(
                    lang,
                    "error.option-invalid-env",
                    &[
                        ("option", option),
                        ("value", value),
                        ("env", env),
                        ("reason", reason),
                    ],
                ),
                None => text(
                    lang,
                    "error.option-invalid",
                    &[("option", option), ("value", value), ("reason", reason)],
                ),
            })
        };

        let task_id = parse_task_id(&cli.task_id).ok_or_else(|| {
            UsageError(text(
                lang,
                "error.task-id-invalid",
                &[("value", cli.task_id.trim())],
            ))
        })?;
        let since =
            parse_duration(&cli.since).map_err(|e| invalid("since", &cli.since, &e.text(lang)))?;
        if since.is_zero() {
            return Err(invalid(
                "since",
                &cli.since,
                &text(lang, "reason.zero", &[]),
            ));
        }
        let executor_log_max_lines =
            cli.executor_log_max_lines
                .trim()
                .parse::<u64>()
                .map_err(|_| {
                    invalid(
                        "executor-log-max-lines",
                        &cli.executor_log_max_lines,
                        &text(lang, "reason.whole-number", &[]),
                    )
                })?;
        let executor_log_max_bytes = parse_size(&cli.executor_log_max_bytes).map_err(|e| {
            invalid(
                "executor-log-max-bytes",
                &cli.executor_log_max_bytes,
                &e.text(lang),
            )
        })?;
        let timeouts = parse_timeouts(&cli.timeouts, known_sources, lang)?;

        for (option, value, schemes, form) in [
            (
                "database-url",
                &cli.database_url,
                &["mysql", "mariadb"][..],
                "mysql://user:password@host:port/db",
            ),
            (
                "executor-manager-url",
                &cli.executor_manager_url,
                &["http", "https"][..],
                "http://host:port",
            ),
            (
                "redis-url",
                &cli.redis_url,
                &[][..],
                "redis://:password@host:port/db",
            ),
        ] {
            let shown = strip_password(value);
            let url = Url::parse(value).map_err(|e| {
                invalid(
                    option,
                    &shown,
                    &text(
                        lang,
                        "reason.url-form",
                        &[("error", &e.to_string()), ("form", form)],
                    ),
                )
            })?;
            if !schemes.is_empty() && !schemes.contains(&url.scheme()) {
                return Err(invalid(
                    option,
                    &shown,
                    &text(
                        lang,
                        "reason.url-scheme",
                        &[("scheme", url.scheme()), ("form", form)],
                    ),
                ));
            }
        }

        if let Some(output) = &cli.output
            && !output
                .extension()
                .is_some_and(|ext| ext.eq_ignore_ascii_case("zip"))
        {
            return Err(UsageError(text(
                lang,
                "error.output-not-zip",
                &[("path", &output.display().to_string())],
            )));
        }

        if let Some(root) = &cli.repo_root {
            let shown = root.display().to_string();
            if !root.exists() {
                return Err(UsageError(text(
                    lang,
                    "error.repo-root-missing",
                    &[("path", &shown)],
                )));
            }
            if !root.is_dir() {
                return Err(UsageError(text(
                    lang,
                    "error.repo-root-not-dir",
                    &[("path", &shown)],
                )));
            }
        }

        let mut config = Config {
            task_id,
            database_url: cli.database_url.clone(),
            mysql_container: cli.mysql_container.clone(),
            executor_manager_url: cli.executor_manager_url.trim_end_matches('/').to_string(),
            executor_manager_container: cli.executor_manager_container.clone(),
            redis_url: cli.redis_url.clone(),
            workspace_root: expand_home(&cli.workspace_root),
            repo_root: cli.repo_root.clone(),
            since,
            probe_llm: cli.probe_llm,
            output: cli.output.clone(),
            force: cli.force,
            redaction_rules: cli.redaction_rules.clone(),
            pseudonymize: cli.pseudonymize,
            lang,
            timeouts,
            executor_log_max_lines,
            executor_log_max_bytes,
            env_file_keys_used: Vec::new(),
            env_file: None,
        };

        if let Some(root) = cli.repo_root.clone() {
            let path = root.join(".env");
            if path.exists() {
                let env = EnvFile::read(&path).map_err(|e| {
                    UsageError(text(
                        lang,
                        "error.env-file",
                        &[
                            ("path", &path.display().to_string()),
                            ("error", &e.to_string()),
                        ],
                    ))
                })?;
                config.apply_env_file(&env, parsed);
                config.env_file = Some(env);
            }
        }
        Ok(config)
    }

    /// Replaces defaulted URL parts by the values of a Wegent `.env`.
    fn apply_env_file(&mut self, env: &EnvFile, parsed: &Parsed) {
        let mut used = Vec::new();

        if parsed.is_default("database_url") {
            if let Some(password) = env.get("MYSQL_ROOT_PASSWORD") {
                self.database_url = with_password(&self.database_url, password);
                used.push("MYSQL_ROOT_PASSWORD");
            }
            if let Some(port) = env.port("MYSQL_PORT") {
                self.database_url = with_port(&self.database_url, port);
                used.push("MYSQL_PORT");
            }
        }

        if parsed.is_default("executor_manager_url")
            && let Some(port) = env.port("EXECUTOR_MANAGER_PORT")
        {
            self.executor_manager_url = with_port(&self.executor_manager_url, port)
                .trim_end_matches('/')
                .to_string();
            used.push("EXECUTOR_MANAGER_PORT");
        }

        if parsed.is_default("redis_url") {
            if let Some(port) = env.port("REDIS_PORT") {
                self.redis_url = with_port(&self.redis_url, port);
                used.push("REDIS_PORT");
            }
            if let Some(password) = env.get("REDIS_PASSWORD") {
                self.redis_url = with_password(&self.redis_url, password);
                used.push("REDIS_PASSWORD");
            }
        }

        self.env_file_keys_used = used.into_iter().map(str::to_string).collect();
    }

    /// Time limit of a source: `--timeout` if given, else the source's default.
    pub fn timeout_for(&self, source: &str, default: Duration) -> Duration {
        self.timeouts.get(source).copied().unwrap_or(default)
    }

    /// Returns the options as recorded in `manifest.json`: URLs without passwords, durations as
    /// given, paths as text. Keyed by long option name.
    pub fn manifest_options(&self) -> BTreeMap<String, Value> {
        let mut options = BTreeMap::new();
        let mut put = |key: &str, value: Value| {
            options.insert(key.to_string(), value);
        };

        put("task-id", json!(self.task_id));
        put("database-url", json!(strip_password(&self.database_url)));
        put("mysql-container", json!(self.mysql_container));
        put("executor-manager-url", json!(self.executor_manager_url));
        put(
            "executor-manager-container",
            json!(self.executor_manager_container),
        );
        put("redis-url", json!(strip_password(&self.redis_url)));
        put(
            "workspace-root",
            json!(self.workspace_root.display().to_string()),
        );
        if let Some(root) = &self.repo_root {
            put("repo-root", json!(root.display().to_string()));
        }
        put("since-seconds", json!(self.since.as_secs()));
        put("probe-llm", json!(self.probe_llm));
        put("pseudonymize", json!(self.pseudonymize));
        if let Some(rules) = &self.redaction_rules {
            put("redaction-rules", json!(rules.display().to_string()));
        }
        let timeouts: BTreeMap<_, _> = self
            .timeouts
            .iter()
            .map(|(k, v)| (k.clone(), json!(v.as_millis() as u64)))
            .collect();
        if !timeouts.is_empty() {
            put("timeout-ms", json!(timeouts));
        }
        put("executor-log-max-lines", json!(self.executor_log_max_lines));
        put("executor-log-max-bytes", json!(self.executor_log_max_bytes));
        if !self.env_file_keys_used.is_empty() {
            put("env-file-keys", json!(self.env_file_keys_used));
        }
        options
    }

    /// Default bundle path: `wegent-task-<id>-<UTC yyyymmddThhmmssZ>.zip` in the current
    /// directory, or `--output`.
    pub fn output_path(&self, collected_at: chrono::DateTime<chrono::Utc>) -> PathBuf {
        self.output.clone().unwrap_or_else(|| {
            PathBuf::from(format!(
                "wegent-task-{}-{}.zip",
                self.task_id,
                collected_at.format("%Y%m%dT%H%M%SZ")
            ))
        })
    }
}

/// Parses a task id: a positive integer, surrounding blanks allowed.
pub fn parse_task_id(value: &str) -> Option<i64> {
    let value = value.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse::<i64>().ok().filter(|id| *id > 0)
}

fn parse_timeouts(
    values: &[String],
    known_sources: &[&str],
    lang: Lang,
) -> Result<BTreeMap<String, Duration>, UsageError> {
    let mut timeouts = BTreeMap::new();
    for value in values.iter().filter(|v| !v.trim().is_empty()) {
        let Some((source, duration)) = value.split_once('=') else {
            return Err(UsageError(text(
                lang,
                "error.timeout-format",
                &[("value", value)],
            )));
        };
        let source = source.trim();
        if !known_sources.contains(&source) {
            return Err(UsageError(text(
                lang,
                "error.timeout-source-unknown",
                &[
                    ("value", value),
                    ("source", source),
                    ("known", &known_sources.join(", ")),
                ],
            )));
        }
        let duration = parse_duration(duration).map_err(|reason| {
            UsageError(text(
                lang,
                "error.option-invalid",
                &[
                    ("option", "timeout"),
                    ("value", value),
                    ("reason", &reason.text(lang)),
                ],
            ))
        })?;
        if duration.is_zero() {
            return Err(UsageError(text(
                lang,
                "error.option-invalid",
                &[
                    ("option", "timeout"),
                    ("value", value),
                    ("reason", &text(lang, "reason.zero", &[])),
                ],
            )));
        }
        timeouts.insert(source.to_string(), duration);
    }
    Ok(timeouts)
}

/// Returns `url` with its password removed (the user name stays). Text that is not a URL
/// comes back with anything between `://` and `@` removed.
pub fn strip_password(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(None);
            }
            parsed.to_string()
        }
        Err(_) => match (url.find("://"), url.rfind('@')) {
            (Some(scheme_end), Some(at)) if at > scheme_end => {
                format!("{}{}", &url[..scheme_end + 3], &url[at + 1..])
            }
            _ => url.to_string(),
        },
    }
}

/// Returns the password of a URL, percent-decoded, if it has one.
pub fn url_password(url: &str) -> Option<String> {
    let parsed = Url::parse(url).ok()?;
    let password = parsed.password()?;
    let decoded = percent_decode(password);
    (!decoded.is_empty()).then_some(decoded)
}

fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(byte) = u8::from_str_radix(hex, 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn with_password(url: &str, password: &str) -> String {
    let Ok(mut parsed) = Url::parse(url) else {
        return url.to_string();
    };
    if parsed.username().is_empty() && parsed.scheme() == "mysql" {
        let _ = parsed.set_username("root");
    }
    let _ = parsed.set_password(Some(password));
    parsed.to_string()
}

fn with_port(url: &str, port: u16) -> String {
    let Ok(mut parsed) = Url::parse(url) else {
        return url.to_string();
    };
    let _ = parsed.set_port(Some(port));
    parsed.to_string()
}

/// Expands a leading `~` to the home directory.
pub fn expand_home(path: &str) -> PathBuf {
    if (path == "~" || path.starts_with("~/"))
        && let Some(home) = std::env::var_os("HOME")
    {
        return Path::new(&home).join(path.trim_start_matches('~').trim_start_matches('/'));
    }
    PathBuf::from(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli;
    use std::ffi::OsString;

    fn parsed(list: &[&str]) -> Parsed {
        let args = std::iter::once("collect")
            .chain(list.iter().copied())
            .map(OsString::from);
        cli::parse(args.collect(), Lang::En).unwrap()
    }

    const SOURCES: &[&str] = &["db", "redis", "executor-manager"];

    #[test]
    fn task_id_must_be_positive_integer() {
        assert_eq!(parse_task_id(" 89 "), Some(89));
        for bad in ["0", "-1", "abc", "", "1.5", "99999999999999999999"] {
            assert_eq!(parse_task_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn invalid_task_id_is_usage_error() {
        let err =
            Config::resolve(&parsed(&["--task-id", "x1", "--lang", "en"]), SOURCES).unwrap_err();
        assert!(err.0.contains("invalid task id 'x1'"), "{err}");
    }

    #[test]
    fn timeout_rejects_unknown_source() {
        let err = Config::resolve(&parsed(&["--task-id", "1", "--timeout", "dbx=1s"]), SOURCES)
            .unwrap_err();
        assert!(err.0.contains("dbx"), "{err}");
    }

    #[test]
    fn timeout_parses_known_source() {
        let config = Config::resolve(
            &parsed(&["--task-id", "1", "--timeout", "db=1500ms"]),
            SOURCES,
        )
        .unwrap();
        assert_eq!(
            config.timeout_for("db", Duration::from_secs(9)),
            Duration::from_millis(1500)
        );
        assert_eq!(
            config.timeout_for("redis", Duration::from_secs(9)),
            Duration::from_secs(9)
        );
    }

    #[test]
    fn manifest_options_have_no_password() {
        let config = Config::resolve(
            &parsed(&[
                "--task-id",
                "7",
                "--redis-url",
                "redis://:s3cr%40t@127.0.0.1:6390/0",
            ]),
            SOURCES,
        )
        .unwrap();
        let text = serde_json::to_string(&config.manifest_options()).unwrap();
        assert!(!text.contains("123456"), "{text}");
        assert!(!text.contains("s3cr"), "{text}");
        assert!(
            text.contains("mysql://root@127.0.0.1:3306/task_manager"),
            "{text}"
        );
        assert_eq!(url_password(&config.redis_url).as_deref(), Some("s3cr@t"));
    }

    #[test]
    fn env_file_fills_defaults_only() {
        let dir = tempfile::Builder::new()
            .prefix("wi-test-")
            .tempdir()
            .unwrap();
        std::fs::write(
            dir.path().join(".env"),
            "# comment\nMYSQL_ROOT_PASSWORD='pw#1'\nMYSQL_PORT=13306\nexport REDIS_PORT=16379\n\
             REDIS_PASSWORD=\"rp\"\nEXECUTOR_MANAGER_PORT=18001\n",
        )
        .unwrap();
        let root = dir.path().to_str().unwrap();
        let config = Config::resolve(
            &parsed(&[
                "--task-id",
                "7",
                "--repo-root",
                root,
                "--executor-manager-url",
                "http://em:9/",
            ]),
            SOURCES,
        )
        .unwrap();

        assert_eq!(url_password(&config.database_url).as_deref(), Some("pw#1"));
        assert!(config.database_url.contains(":13306/"), "port from .env");
        assert_eq!(
            config.executor_manager_url, "http://em:9",
            "given option wins"
        );
        assert!(config.redis_url.contains(":16379/"));
        assert_eq!(url_password(&config.redis_url).as_deref(), Some("rp"));
    }

    fn usage_error(list: &[&str]) -> String {
        Config::resolve(&parsed(list), SOURCES).unwrap_err().0
    }

    #[test]
    fn database_url_must_be_mysql_of_known_form() {
        let err = usage_error(&["--task-id", "1", "--database-url", "notaurl"]);
        assert!(err.contains("mysql://user:password@host:port/db"), "{err}");
        let err = usage_error(&["--task-id", "1", "--database-url", "postgres://u:p@h/db"]);
        assert!(err.contains("postgres://"), "{err}");
        assert!(!err.contains(":p@"), "{err}");
    }

    #[test]
    fn since_must_be_positive() {
        let err = usage_error(&["--task-id", "1", "--since", "0s"]);
        assert!(err.contains("must be greater than zero"), "{err}");
    }

    #[test]
    fn unit_errors_follow_the_language() {
        let err = usage_error(&["--task-id", "1", "--since", "5x", "--lang", "zh"]);
        assert!(err.contains("未知单位 'x'"), "{err}");
    }

    #[test]
    fn output_must_end_in_zip() {
        let err = usage_error(&["--task-id", "1", "--output", "bundle.tar"]);
        assert!(err.contains("bundle.tar"), "{err}");
        assert!(err.contains(".zip"), "{err}");
        assert!(Config::resolve(&parsed(&["--task-id", "1", "-o", "b.ZIP"]), SOURCES).is_ok());
    }

    #[test]
    fn repo_root_must_be_a_directory() {
        let err = usage_error(&["--task-id", "1", "--repo-root", "/wi-test-no-such-dir"]);
        assert!(
            err.contains("/wi-test-no-such-dir") && err.contains("does not exist"),
            "{err}"
        );

        let dir = tempfile::Builder::new()
            .prefix("wi-test-")
            .tempdir()
            .unwrap();
        let file = dir.path().join("file.txt");
        std::fs::write(&file, "x").unwrap();
        let err = usage_error(&["--task-id", "1", "--repo-root", file.to_str().unwrap()]);
        assert!(err.contains("is not a directory"), "{err}");
    }

    #[test]
    fn strip_password_keeps_user() {
        assert_eq!(
            strip_password("mysql://root:pw@h:1/db"),
            "mysql://root@h:1/db"
        );
        assert_eq!(strip_password("redis://:pw@h:1/0"), "redis://h:1/0");
    }
}
