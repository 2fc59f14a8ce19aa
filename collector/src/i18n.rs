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
    (
        "error.redactor",
        "cannot set up redaction: {error}; check --redaction-rules",
    ),
    (
        "error.output-exists-dir",
        "output {path} is a directory; pass a file name ending in .zip",
    ),
    (
        "error.output-not-writable",
        "cannot write the bundle to {path}: {error}; choose another --output or free the space",
    ),
    (
        "error.redaction-gate",
        "no bundle was written: member {member} still matches redaction rule {rule}; add a rule with --redaction-rules or report the problem",
    ),
    ("error.interrupted", "interrupted; no bundle was written"),
    ("error.runtime", "cannot start the async runtime: {error}"),
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
    ("summary.bundle", "bundle：{path}"),
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
        "部分来源收集失败；bundle 仍可使用，报告会指出缺少哪些数据",
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
    (
        "error.redactor",
        "无法初始化脱敏：{error}；请检查 --redaction-rules",
    ),
    (
        "error.output-exists-dir",
        "输出路径 {path} 是目录；请指定以 .zip 结尾的文件名",
    ),
    (
        "error.output-not-writable",
        "无法把 bundle 写入 {path}：{error}；请换一个 --output 或腾出空间",
    ),
    (
        "error.redaction-gate",
        "未写入 bundle：成员 {member} 仍匹配脱敏规则 {rule}；请用 --redaction-rules 添加规则，或报告此问题",
    ),
    ("error.interrupted", "已中断；未写入 bundle"),
    ("error.runtime", "无法启动异步运行时：{error}"),
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
    fn lang_values_parse() {
        assert_eq!(parse_lang("zh_CN.UTF-8"), Some(Lang::Zh));
        assert_eq!(parse_lang("en"), Some(Lang::En));
        assert_eq!(parse_lang("fr"), None);
    }
}
