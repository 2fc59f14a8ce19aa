//! English and Simplified Chinese texts of `collect`'s own messages: progress, the final
//! summary and errors. Bundle contents stay English; only what the operator reads is
//! translated. `{name}` in a text is replaced by the argument of that name.

pub use wegent_analyzer::i18n::Lang;

/// Parses a `--lang` value: `en`, `zh`, or a locale such as `zh_CN.UTF-8`.
pub fn parse_lang(value: &str) -> Option<Lang> {
    let value = value.trim().to_ascii_lowercase();
    if value.starts_with("zh") {
        Some(Lang::Zh)
    } else if value.starts_with("en") {
        Some(Lang::En)
    } else {
        None
    }
}

/// Returns the text of `key` in `lang` with `{name}` placeholders replaced. An unknown key
/// comes back as the key itself, so a missing entry shows up instead of vanishing.
pub fn text(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let table = match lang {
        Lang::En => EN,
        Lang::Zh => ZH,
    };
    let template = table
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, t)| *t)
        .unwrap_or(key);

    let mut out = template.to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// Renders a source's error message (English, as kept in the manifest) in `lang`: in
/// Chinese, the common causes the sources report are replaced by their translation, and
/// the rest (addresses, option names, server text) stays as it is.
pub fn localize_detail(lang: Lang, detail: &str) -> String {
    if lang != Lang::Zh {
        return detail.to_string();
    }
    let mut out = detail.to_string();
    for (english, chinese) in DETAIL_ZH {
        if out.contains(english) {
            out = out.replace(english, chinese);
        }
    }
    out
}

/// English phrases of source errors and their Chinese text, longest first where one
/// contains another.
const DETAIL_ZH: &[(&str, &str)] = &[
    (
        "; check that MySQL runs and that --database-url names its host and port",
        "；请确认 MySQL 在运行，且 --database-url 中的主机和端口正确",
    ),
    ("cannot connect to MySQL at ", "无法连接 MySQL "),
    (
        "; check --redis-url (or REDIS_PORT and REDIS_PASSWORD in the .env of --repo-root)",
        "；请检查 --redis-url（或 --repo-root 的 .env 中的 REDIS_PORT 和 REDIS_PASSWORD）",
    ),
    ("cannot reach Redis at ", "无法连接 Redis "),
    (
        "; check --executor-manager-url and that the container runs",
        "；请检查 --executor-manager-url，并确认容器在运行",
    ),
    (
        " limit; raise it with --timeout executor-manager=<duration>, or check --executor-manager-url",
        "；可用 --timeout executor-manager=<duration> 提高上限，或检查 --executor-manager-url",
    ),
    (
        "timed out on /health after the",
        "请求 /health 超时，时间上限为",
    ),
    (
        " on /health; is this an executor-manager? Check --executor-manager-url",
        "（/health）；它是 executor-manager 吗？请检查 --executor-manager-url",
    ),
    (
        "; its state and log are missing; pass its name (see `docker ps -a`) with --executor-manager-container",
        "；缺少它的状态和日志；请用 --executor-manager-container 指定其名称（见 `docker ps -a`）",
    ),
    (
        "no --repo-root given, so there are no log files to read",
        "未给出 --repo-root，没有可读的日志文件",
    ),
    ("--probe-llm not given", "未给出 --probe-llm"),
    (
        "this deployment is the fork, which keeps no task state in Redis",
        "该部署是 fork 版，Redis 中没有任务状态",
    ),
    (
        "no workspace directory found (searched ",
        "未找到工作区目录（已查找 ",
    ),
    (
        "); set --workspace-root to the host directory of the executors' /workspace",
        "）；请把 --workspace-root 设为执行器 /workspace 所在的主机目录",
    ),
    ("; raise the limit with", "；可用"),
    ("timed out after", "超时，时间上限为"),
    ("operation timed out", "操作超时"),
    ("timed out", "超时"),
    ("Connection refused", "连接被拒绝"),
    ("connection refused", "连接被拒绝"),
    ("connection failed", "连接失败"),
    ("Access denied", "访问被拒绝"),
    ("access denied", "访问被拒绝"),
    ("Permission denied", "权限不足"),
    ("permission denied", "权限不足"),
    ("No such file or directory", "文件或目录不存在"),
    ("Not a directory", "不是目录"),
    ("is not a directory", "不是目录"),
    ("does not exist", "不存在"),
    ("not found", "未找到"),
    ("did not respond to", "未响应"),
    ("is this an executor-manager?", "它是 executor-manager 吗？"),
    ("answered HTTP", "返回了 HTTP"),
];

const EN: &[(&str, &str)] = &[
    ("status.ok", "ok"),
    ("status.partial", "partial"),
    ("status.failed", "failed"),
    ("status.skipped", "skipped"),
    ("progress.collecting", "collecting {source}"),
    ("progress.finished", "{source}: {status} in {ms} ms"),
    (
        "progress.finished-with",
        "{source}: {status} in {ms} ms: {detail}",
    ),
    ("summary.bundle", "bundle: {path}"),
    ("summary.size", "size: {size} bytes"),
    ("summary.sha256", "sha256: {sha256}"),
    ("summary.sources", "sources:"),
    ("summary.verdict", "verdict: {verdict}: {summary}"),
    (
        "summary.verdict-unavailable",
        "verdict: not available ({error}); run `analyze {path}` for the report",
    ),
    (
        "summary.incomplete",
        "some sources failed; the bundle is still usable and the report will name what is missing",
    ),
    ("error.prefix", "collect: "),
    (
        "error.task-id-invalid",
        "invalid task id '{value}': expected a positive integer such as 89",
    ),
    (
        "error.option-invalid",
        "invalid value '{value}' for --{option}: {reason}",
    ),
    (
        "error.timeout-source-unknown",
        "invalid value '{value}' for --timeout: unknown source '{source}'; known sources: {known}",
    ),
    (
        "error.timeout-format",
        "invalid value '{value}' for --timeout: expected SOURCE=DURATION such as db=30s",
    ),
    (
        "error.env-file",
        "cannot read {path}: {error}; check --repo-root",
    ),
    ("error.redactor", "cannot set up redaction: {error}"),
    (
        "error.output-exists-dir",
        "output {path} is a directory; pass a file name ending in .zip",
    ),
    (
        "error.output-not-writable",
        "cannot write the bundle to {path}: {error}; choose another --output",
    ),
    (
        "error.redaction-gate",
        "no bundle was written: member {member} still matches redaction rule {rule}; add a rule with --redaction-rules or report the problem",
    ),
    ("error.interrupted", "interrupted; no bundle was written"),
    ("error.runtime", "cannot start the async runtime: {error}"),
    (
        "error.option-invalid-env",
        "invalid value '{value}' for --{option} (set by {env}): {reason}",
    ),
    ("reason.zero", "must be greater than zero"),
    (
        "reason.whole-number",
        "expected a whole number such as 50000",
    ),
    (
        "reason.url-form",
        "not a URL ({error}); expected the form {form}",
    ),
    (
        "reason.url-scheme",
        "{scheme}:// is not supported; expected the form {form}",
    ),
    (
        "unit.duration-number",
        "expected a number followed by ms, s, m, h or d, such as 24h",
    ),
    (
        "unit.duration-unit",
        "unknown unit '{unit}': use ms, s, m, h or d",
    ),
    (
        "unit.duration-too-long",
        "duration is too long: use at most 3650d",
    ),
    (
        "unit.size-number",
        "expected a number with an optional unit, such as 5MiB",
    ),
    (
        "unit.size-unit",
        "unknown unit '{unit}': use k, M, G, KiB, MiB or GiB",
    ),
    ("unit.size-too-large", "size is too large"),
    (
        "error.repo-root-missing",
        "--repo-root {path} does not exist; pass the directory of the Wegent checkout (the one that holds .env), or leave the option out",
    ),
    (
        "error.repo-root-not-dir",
        "--repo-root {path} is not a directory; pass the directory of the Wegent checkout (the one that holds .env), not a file in it",
    ),
    (
        "error.output-not-zip",
        "--output {path} does not end in .zip; pass a file name such as wegent-task-89.zip",
    ),
    (
        "error.output-exists",
        "output {path} already exists; pass --force to replace it, or choose another --output",
    ),
    (
        "error.output-dir-missing",
        "directory {dir} does not exist; create it or choose another --output",
    ),
    (
        "error.output-permission",
        "cannot write to {dir}: permission denied; choose another --output",
    ),
    (
        "error.output-full",
        "cannot write the bundle to {path}: no space left on the disk; free space or choose another --output",
    ),
    (
        "summary.replaced",
        "replaced the existing file {path} (--force)",
    ),
];

const ZH: &[(&str, &str)] = &[
    ("status.ok", "正常"),
    ("status.partial", "部分完成"),
    ("status.failed", "失败"),
    ("status.skipped", "已跳过"),
    ("progress.collecting", "正在收集 {source}"),
    ("progress.finished", "{source}：{status}，用时 {ms} 毫秒"),
    (
        "progress.finished-with",
        "{source}：{status}，用时 {ms} 毫秒：{detail}",
    ),
    ("summary.bundle", "诊断包：{path}"),
    ("summary.size", "大小：{size} 字节"),
    ("summary.sha256", "sha256：{sha256}"),
    ("summary.sources", "各来源："),
    ("summary.verdict", "结论：{verdict}：{summary}"),
    (
        "summary.verdict-unavailable",
        "结论：不可用（{error}）；请运行 `analyze {path}` 查看报告",
    ),
    (
        "summary.incomplete",
        "部分来源收集失败；诊断包仍可使用，报告会指出缺少哪些数据",
    ),
    ("error.prefix", "collect："),
    (
        "error.task-id-invalid",
        "任务 id '{value}' 无效：应为正整数，例如 89",
    ),
    (
        "error.option-invalid",
        "--{option} 的值 '{value}' 无效：{reason}",
    ),
    (
        "error.timeout-source-unknown",
        "--timeout 的值 '{value}' 无效：未知来源 '{source}'；已知来源：{known}",
    ),
    (
        "error.timeout-format",
        "--timeout 的值 '{value}' 无效：应为 来源=时长，例如 db=30s",
    ),
    (
        "error.env-file",
        "无法读取 {path}：{error}；请检查 --repo-root",
    ),
    ("error.redactor", "无法初始化脱敏：{error}"),
    (
        "error.output-exists-dir",
        "输出路径 {path} 是目录；请指定以 .zip 结尾的文件名",
    ),
    (
        "error.output-not-writable",
        "无法把诊断包写入 {path}：{error}；请换一个 --output",
    ),
    (
        "error.redaction-gate",
        "未写入诊断包：成员 {member} 仍匹配脱敏规则 {rule}；请用 --redaction-rules 添加规则，或报告此问题",
    ),
    ("error.interrupted", "已中断；未写入诊断包"),
    ("error.runtime", "无法启动异步运行时：{error}"),
    (
        "error.option-invalid-env",
        "--{option} 的值 '{value}'（来自环境变量 {env}）无效：{reason}",
    ),
    ("reason.zero", "必须大于零"),
    ("reason.whole-number", "应为整数，例如 50000"),
    ("reason.url-form", "不是 URL（{error}）；应为 {form} 形式"),
    ("reason.url-scheme", "不支持 {scheme}://；应为 {form} 形式"),
    (
        "unit.duration-number",
        "应为数字加单位 ms、s、m、h 或 d，例如 24h",
    ),
    (
        "unit.duration-unit",
        "未知单位 '{unit}'：请用 ms、s、m、h 或 d",
    ),
    ("unit.duration-too-long", "时长过长：最多 3650d"),
    ("unit.size-number", "应为数字，可带单位，例如 5MiB"),
    (
        "unit.size-unit",
        "未知单位 '{unit}'：请用 k、M、G、KiB、MiB 或 GiB",
    ),
    ("unit.size-too-large", "大小超出上限"),
    (
        "error.repo-root-missing",
        "--repo-root {path} 不存在；请指定 Wegent 代码目录（含 .env 的目录），或不使用该选项",
    ),
    (
        "error.repo-root-not-dir",
        "--repo-root {path} 不是目录；请指定 Wegent 代码目录（含 .env 的目录），而不是其中的文件",
    ),
    (
        "error.output-not-zip",
        "--output {path} 不以 .zip 结尾；请指定类似 wegent-task-89.zip 的文件名",
    ),
    (
        "error.output-exists",
        "输出文件 {path} 已存在；如需覆盖请加 --force，或换一个 --output",
    ),
    (
        "error.output-dir-missing",
        "目录 {dir} 不存在；请先创建，或换一个 --output",
    ),
    (
        "error.output-permission",
        "无法写入 {dir}：权限不足；请换一个 --output",
    ),
    (
        "error.output-full",
        "无法把诊断包写入 {path}：磁盘空间不足；请腾出空间或换一个 --output",
    ),
    ("summary.replaced", "已覆盖原有文件 {path}（--force）"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogues_have_same_keys() {
        let en: Vec<_> = EN.iter().map(|(k, _)| *k).collect();
        let zh: Vec<_> = ZH.iter().map(|(k, _)| *k).collect();
        assert_eq!(en, zh);
    }

    #[test]
    fn placeholders_are_replaced() {
        let out = text(Lang::En, "progress.collecting", &[("source", "db")]);
        assert_eq!(out, "collecting db");
    }

    #[test]
    fn common_source_errors_read_in_chinese() {
        let detail = "cannot connect to MySQL at 127.0.0.1:3306: Connection refused (os error 111); \
                      timed out after 2s; raise the limit with --timeout db=DURATION; \
                      container wegent-executor-manager not found; /x is not a directory";
        let zh = localize_detail(Lang::Zh, detail);
        for word in [
            "连接被拒绝",
            "超时",
            "未找到",
            "不是目录",
            "--timeout db=DURATION",
        ] {
            assert!(zh.contains(word), "{word} missing in {zh}");
        }
        for word in ["refused", "timed out", "not found", "not a directory"] {
            assert!(!zh.contains(word), "{word} left in {zh}");
        }

        let health = "executor-manager at http://em:8001 timed out on /health after the 2s limit; \
                      raise it with --timeout executor-manager=<duration>, or check --executor-manager-url";
        let zh = localize_detail(Lang::Zh, health);
        assert!(
            zh.contains("超时，时间上限为 2s；可用 --timeout executor-manager=<duration>"),
            "{zh}"
        );
        assert_eq!(localize_detail(Lang::En, detail), detail);
    }

    #[test]
    fn lang_values_parse() {
        assert_eq!(parse_lang("zh_CN.UTF-8"), Some(Lang::Zh));
        assert_eq!(parse_lang("en"), Some(Lang::En));
        assert_eq!(parse_lang("fr"), None);
    }
}
