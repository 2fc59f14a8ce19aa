//! Headings, column names and fixed sentences of the reports, in English and Chinese.
//!
//! Rule and engine texts come from [`crate::i18n`]; this file holds only the report's own
//! frame. Each language is one [`Labels`] value, so the compiler checks that both
//! languages define every label. `{name}` in a text is filled by [`fill`].

use crate::bundle::model::{Flavour, SourceStatus};
use crate::engine::{Severity, Verdict};
use crate::i18n::Lang;

/// Every fixed text of a report in one language.
pub struct Labels {
    /// `{task_id}`, `{verdict}`.
    pub verdict_line: &'static str,
    pub verdict: &'static str,
    pub summary: &'static str,
    pub findings: &'static str,
    pub no_findings: &'static str,
    pub severity: &'static str,
    pub rule: &'static str,
    pub title: &'static str,
    pub detail: &'static str,
    pub evidence: &'static str,
    pub next_steps: &'static str,
    pub task: &'static str,
    /// The database was read and contains no row for the task.
    pub no_task: &'static str,
    /// The task row was not collected (the database source failed or was skipped).
    pub no_task_not_collected: &'static str,
    pub kind: &'static str,
    pub status: &'static str,
    pub progress: &'static str,
    pub status_phase: &'static str,
    pub task_type: &'static str,
    pub task_source: &'static str,
    pub is_active: &'static str,
    pub updated_utc: &'static str,
    pub subtasks: &'static str,
    pub no_subtasks: &'static str,
    pub id: &'static str,
    pub message_id: &'static str,
    pub role: &'static str,
    pub executor: &'static str,
    pub created_utc: &'static str,
    pub error: &'static str,
    /// `{hidden}`, `{shown}`, `{total}`.
    pub subtasks_hidden: &'static str,
    /// `{shown}`, `{total}`; used when exactly one subtask is hidden.
    pub subtask_hidden_one: &'static str,
    pub clock: &'static str,
    pub clock_backend: &'static str,
    pub clock_db_session: &'static str,
    pub clock_em: &'static str,
    pub timeline: &'static str,
    /// `{backend}`, `{db}`, `{em}`: offsets such as `+08:00`.
    pub timeline_note: &'static str,
    pub no_timeline: &'static str,
    pub time_utc: &'static str,
    pub source: &'static str,
    pub event: &'static str,
    pub collection: &'static str,
    pub all_sources_complete: &'static str,
    pub incomplete_sources: &'static str,
    pub truncated: &'static str,
    pub redaction: &'static str,
    /// `{total}`.
    pub redaction_total: &'static str,
    /// Used when exactly one value was replaced.
    pub redaction_one: &'static str,
    pub redaction_none: &'static str,
    pub replacements: &'static str,
    pub pseudonymized: &'static str,
    /// `{now}`, `{collected}`, `{flavour}`.
    pub footer: &'static str,
    pub unknown: &'static str,
}

static EN: Labels = Labels {
    verdict_line: "Task {task_id}: {verdict}",
    verdict: "Verdict",
    summary: "Summary",
    findings: "Findings",
    no_findings: "No rule reported a finding.",
    severity: "Severity",
    rule: "Rule",
    title: "Title",
    detail: "Detail",
    evidence: "Evidence",
    next_steps: "Next steps",
    task: "Task",
    no_task: "The database holds no row for this task.",
    no_task_not_collected: "The task row was not collected, so the report cannot show it; see Collection below.",
    kind: "Kind",
    status: "Status",
    progress: "Progress",
    status_phase: "Phase",
    task_type: "Type",
    task_source: "Source",
    is_active: "Active",
    updated_utc: "Updated (UTC)",
    subtasks: "Subtasks",
    no_subtasks: "The bundle contains no subtasks for this task.",
    id: "ID",
    message_id: "Message",
    role: "Role",
    executor: "Executor",
    created_utc: "Created (UTC)",
    error: "Error",
    subtasks_hidden: "{hidden} older subtasks are hidden (showing the newest {shown} of {total}); \
                      use --subtasks-all to show all of them.",
    subtask_hidden_one: "1 older subtask is hidden (showing the newest {shown} of {total}); \
                         use --subtasks-all to show all of them.",
    clock: "Clock offsets applied",
    clock_backend: "Backend process",
    clock_db_session: "MySQL session",
    clock_em: "Executor-manager and executor logs",
    timeline: "Timeline",
    timeline_note: "Times are UTC, after applying these offsets: backend {backend}, \
                    MySQL session {db}, executor-manager and executor logs {em}.",
    no_timeline: "The bundle contains no timed events.",
    time_utc: "Time (UTC)",
    source: "Source",
    event: "Event",
    collection: "Collection",
    all_sources_complete: "Every source was collected completely.",
    incomplete_sources: "Incomplete sources",
    truncated: "truncated",
    redaction: "Redaction",
    redaction_total: "The collector replaced {total} values; their content is not in the bundle.",
    redaction_one: "The collector replaced 1 value; its content is not in the bundle.",
    redaction_none: "The collector replaced no values.",
    replacements: "Replacements",
    pseudonymized: "Names and addresses were replaced by stand-ins.",
    footer: "Reference time {now}, collected at {collected}, Wegent flavour {flavour}.",
    unknown: "unknown",
};

static ZH: Labels = Labels {
    verdict_line: "任务 {task_id}：{verdict}",
    verdict: "结论",
    summary: "概要",
    findings: "发现的问题",
    no_findings: "没有规则报告问题。",
    severity: "严重程度",
    rule: "规则",
    title: "标题",
    detail: "详情",
    evidence: "证据",
    next_steps: "后续步骤",
    task: "任务",
    no_task: "数据库中没有该任务的记录。",
    no_task_not_collected: "未能采集到该任务的记录，因此报告无法显示它；参见下方的采集情况。",
    kind: "种类",
    status: "状态",
    progress: "进度",
    status_phase: "阶段",
    task_type: "类型",
    task_source: "来源",
    is_active: "有效",
    updated_utc: "更新时间 (UTC)",
    subtasks: "子任务",
    no_subtasks: "数据包中没有该任务的子任务。",
    id: "ID",
    message_id: "消息",
    role: "角色",
    executor: "执行器",
    created_utc: "创建时间 (UTC)",
    error: "错误",
    subtasks_hidden: "另有 {hidden} 个较早的子任务未显示（显示最新的 {shown} 个，共 {total} 个）；\
                      使用 --subtasks-all 显示全部。",
    subtask_hidden_one: "另有 1 个较早的子任务未显示（显示最新的 {shown} 个，共 {total} 个）；\
                         使用 --subtasks-all 显示全部。",
    clock: "已应用的时钟偏移",
    clock_backend: "后端进程",
    clock_db_session: "MySQL 会话",
    clock_em: "executor-manager 与执行器日志",
    timeline: "时间线",
    timeline_note: "时间均为 UTC，已应用以下偏移：后端 {backend}，MySQL 会话 {db}，\
                    executor-manager 与执行器日志 {em}。",
    no_timeline: "数据包中没有带时间的事件。",
    time_utc: "时间 (UTC)",
    source: "来源",
    event: "事件",
    collection: "采集情况",
    all_sources_complete: "所有来源均已完整采集。",
    incomplete_sources: "未完整采集的来源",
    truncated: "已截断",
    redaction: "脱敏",
    redaction_total: "采集工具替换了 {total} 个值；数据包中不含这些值。",
    redaction_one: "采集工具替换了 1 个值；数据包中不含该值。",
    redaction_none: "采集工具没有替换任何值。",
    replacements: "替换次数",
    pseudonymized: "名称和地址已替换为化名。",
    footer: "参考时间 {now}，采集时间 {collected}，Wegent 版本类型 {flavour}。",
    unknown: "未知",
};

/// Returns the labels of a language.
pub fn labels(lang: Lang) -> &'static Labels {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

/// Names the verdict in the report language.
pub fn verdict_name(lang: Lang, verdict: Verdict) -> &'static str {
    match (lang, verdict) {
        (Lang::En, Verdict::Completed) => "completed",
        (Lang::En, Verdict::Failed) => "failed",
        (Lang::En, Verdict::Cancelled) => "cancelled",
        (Lang::En, Verdict::Running) => "running",
        (Lang::En, Verdict::Stuck) => "stuck",
        (Lang::En, Verdict::NotFound) => "not found",
        (Lang::En, Verdict::Inconclusive) => "inconclusive",
        (Lang::Zh, Verdict::Completed) => "已完成",
        (Lang::Zh, Verdict::Failed) => "失败",
        (Lang::Zh, Verdict::Cancelled) => "已取消",
        (Lang::Zh, Verdict::Running) => "运行中",
        (Lang::Zh, Verdict::Stuck) => "卡住",
        (Lang::Zh, Verdict::NotFound) => "未找到",
        (Lang::Zh, Verdict::Inconclusive) => "无法判定",
    }
}

/// Names the severity in the report language.
pub fn severity_name(lang: Lang, severity: Severity) -> &'static str {
    match (lang, severity) {
        (Lang::En, Severity::Critical) => "critical",
        (Lang::En, Severity::Warning) => "warning",
        (Lang::En, Severity::Info) => "info",
        (Lang::Zh, Severity::Critical) => "严重",
        (Lang::Zh, Severity::Warning) => "警告",
        (Lang::Zh, Severity::Info) => "提示",
    }
}

/// Names the collection status of a source in the report language.
pub fn source_status_name(lang: Lang, status: SourceStatus) -> &'static str {
    match (lang, status) {
        (Lang::En, SourceStatus::Ok) => "ok",
        (Lang::En, SourceStatus::Partial) => "partial",
        (Lang::En, SourceStatus::Failed) => "failed",
        (Lang::En, SourceStatus::Skipped) => "skipped",
        (Lang::Zh, SourceStatus::Ok) => "正常",
        (Lang::Zh, SourceStatus::Partial) => "部分完成",
        (Lang::Zh, SourceStatus::Failed) => "失败",
        (Lang::Zh, SourceStatus::Skipped) => "已跳过",
    }
}

/// Names the Wegent flavour; `fork` and `upstream` stay as they are in every language.
pub fn flavour_name(lang: Lang, flavour: Flavour) -> &'static str {
    match flavour {
        Flavour::Fork => "fork",
        Flavour::Upstream => "upstream",
        Flavour::Unknown => labels(lang).unknown,
    }
}

/// Returns the colon that ends a label: `: ` in English, a full-width `：` in Chinese.
pub fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::En => ": ",
        Lang::Zh => "：",
    }
}

/// Returns the sentence shown instead of the task table: the database contains no such
/// task (`not_found`), or the row was never collected.
pub fn no_task_text(labels: &Labels, verdict: Verdict) -> &'static str {
    if verdict == Verdict::NotFound {
        labels.no_task
    } else {
        labels.no_task_not_collected
    }
}

/// Builds the sentence that states how many values the collector replaced.
pub fn redaction_sentence(lang: Lang, total: u64) -> String {
    let l = labels(lang);
    if total == 1 {
        l.redaction_one.to_string()
    } else {
        fill(l.redaction_total, &[("total", &total.to_string())])
    }
}

/// Separator of a list in running text: `, ` in English, `、` in Chinese.
pub fn list_separator(lang: Lang) -> &'static str {
    match lang {
        Lang::En => ", ",
        Lang::Zh => "、",
    }
}

/// Localises an evidence locator: the engine writes log positions as `line 5`, which
/// reads `第 5 行` in Chinese. Other locators (`id=301`, `/status/status`) are data and
/// stay as they are.
pub fn locator(lang: Lang, locator: &str) -> String {
    match (lang, locator.strip_prefix("line ")) {
        (Lang::Zh, Some(number)) if number.chars().all(|c| c.is_ascii_digit()) => {
            format!("第 {number} 行")
        }
        _ => locator.to_string(),
    }
}

/// Builds the note that `hidden` older subtasks are not shown.
pub fn hidden_subtasks_note(lang: Lang, hidden: usize, shown: usize, total: usize) -> String {
    let l = labels(lang);
    let template = if hidden == 1 {
        l.subtask_hidden_one
    } else {
        l.subtasks_hidden
    };
    fill(
        template,
        &[
            ("hidden", &hidden.to_string()),
            ("shown", &shown.to_string()),
            ("total", &total.to_string()),
        ],
    )
}

/// Replaces each `{name}` in `template` by its value; unknown placeholders stay.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_named_placeholders() {
        let text = fill(
            labels(Lang::En).verdict_line,
            &[("task_id", "89"), ("verdict", "stuck")],
        );
        assert_eq!(text, "Task 89: stuck");
    }

    #[test]
    fn templates_use_same_placeholders_in_both_languages() {
        let pairs = [
            (EN.verdict_line, ZH.verdict_line),
            (EN.subtasks_hidden, ZH.subtasks_hidden),
            (EN.subtask_hidden_one, ZH.subtask_hidden_one),
            (EN.timeline_note, ZH.timeline_note),
            (EN.redaction_total, ZH.redaction_total),
            (EN.footer, ZH.footer),
        ];
        for (en, zh) in pairs {
            assert_eq!(placeholders(en), placeholders(zh), "{en} / {zh}");
        }
    }

    #[test]
    fn hidden_note_counts_in_singular_and_plural() {
        assert!(hidden_subtasks_note(Lang::En, 1, 30, 31).starts_with("1 older subtask is hidden"));
        assert!(
            hidden_subtasks_note(Lang::En, 2, 30, 32).starts_with("2 older subtasks are hidden")
        );
    }

    #[test]
    fn verdict_names_differ_by_language() {
        assert_eq!(verdict_name(Lang::En, Verdict::Stuck), "stuck");
        assert_eq!(verdict_name(Lang::Zh, Verdict::Stuck), "卡住");
    }

    fn placeholders(text: &str) -> Vec<&str> {
        let mut names: Vec<&str> = text
            .split('{')
            .skip(1)
            .filter_map(|part| part.split_once('}').map(|(name, _)| name))
            .collect();
        names.sort();
        names
    }
}
