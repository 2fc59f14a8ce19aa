//! The executor could not clone the task's repository, so no workspace was prepared.
//!
//! ### What it checks
//!
//! The texts that describe the current run's errors (latest assistant subtask's
//! `error_message`, the task's `errorMessage` when the run failed, the task's log lines of
//! the current run) for
//!
//! - fork executor `Failed to clone project to <path>: …` and `git clone failed: …`;
//! - upstream `git clone failed for <url>: …`, the executor event `git clone failed` or
//!   `git clone credentials missing`, and `git credentials missing for protected
//!   repository`;
//! - git's own `could not read Username for …` / `could not read Password for …`, which
//!   git prints when it falls back to prompting because the URL carried no usable token.
//!   It counts only in the `error_message` and `errorMessage` fields: in a log line it
//!   may come from the agent's own `git push`.
//!
//! When it fires and the executor-manager log contains `GIT_TOKEN_AES_KEY is not set`,
//! that line is added as evidence with its own next step.
//!
//! The finding is critical while the run is PENDING, RUNNING or FAILED, and a warning when
//! the run still completed (a later attempt cloned the repository).
//!
//! ### Why it matters
//!
//! Without the repository the agent has nothing to work on; the run fails or produces
//! nothing. The cause is almost always the owner's git token or the token keys of
//! executor-manager, not the agent.
//!
//! ### Evidence
//!
//! `db/subtasks.json`, `db/task.json`, `executors/<name>/logs.txt`,
//! `logs/executor-manager.txt`.
//!
//! ### Fix
//!
//! Check the task owner's git token for the repository's domain and that it may read the
//! repository; on upstream, give executor-manager the backend's `GIT_TOKEN_AES_KEY` and
//! `GIT_TOKEN_AES_IV` so executors can decrypt tokens.

use std::sync::LazyLock;

use regex::RegexSet;

use super::current_run::{self, ErrorText};
use crate::engine::{Context, Finding, Msg, Rule, Severity};
use crate::i18n::Lang;

/// At most this many places are listed as evidence.
const MAX_EVIDENCE: usize = 5;

static CLONE_FAILURE: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([
        r"(?i)\bfailed to clone project\b",
        r"(?i)\bgit clone failed\b",
        r"(?i)\bgit clone credentials missing\b",
        r"(?i)\bgit credentials missing for protected repository\b",
    ])
    .expect("clone failure patterns compile")
});

/// Git's prompt fallback. In a log line it can come from the agent's own `git push`, so
/// it counts only in the error fields of the task and subtask rows.
static PROMPT_FALLBACK: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([r"(?i)\bcould not read (?:username|password) for\b"])
        .expect("prompt fallback pattern compiles")
});

const AES_KEY_MISSING: &str = "GIT_TOKEN_AES_KEY is not set";

/// True when the text is a clone failure this rule reports.
pub(crate) fn is_clone_failure(text: &str) -> bool {
    CLONE_FAILURE.is_match(text)
}

pub struct GitCloneFailed;

impl Rule for GitCloneFailed {
    fn id(&self) -> &'static str {
        "git-clone-failed"
    }

    fn default_severity(&self) -> Severity {
        Severity::Critical
    }

    fn messages(&self, lang: Lang) -> &'static [(&'static str, &'static str)] {
        match lang {
            Lang::En => EN,
            Lang::Zh => ZH,
        }
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let matching: Vec<_> = current_run::error_texts(cx)
            .into_iter()
            .filter(|ErrorText { text, from_log, .. }| {
                is_clone_failure(text) || (!from_log && PROMPT_FALLBACK.is_match(text))
            })
            .collect();
        if matching.is_empty() {
            return;
        }

        // The prompt explanation only helps when a matching text shows the prompt.
        let prompted = matching
            .iter()
            .any(|hit| PROMPT_FALLBACK.is_match(&hit.text));
        let detail_key = if prompted {
            "git-clone-failed.detail-prompt"
        } else {
            "git-clone-failed.detail"
        };
        let hits: Vec<_> = matching.into_iter().map(|hit| hit.evidence).collect();

        let count = hits.len();
        let mut evidence: Vec<_> = hits.into_iter().take(MAX_EVIDENCE).collect();
        let mut next_steps = vec![Msg::new("git-clone-failed.next")];

        let aes_warning = cx
            .bundle
            .log_lines
            .iter()
            .find(|line| line.text.contains(AES_KEY_MISSING));
        if let Some(line) = aes_warning {
            evidence.push(current_run::line_evidence(line));
            next_steps.push(Msg::new("git-clone-failed.next-aes"));
        }
        next_steps.push(Msg::new("git-clone-failed.next-retry"));

        let status = current_run::current_status(cx.facts);
        let severity = current_run::error_severity(status);

        out.push(Finding {
            rule: self.id(),
            severity,
            title: Msg::new("git-clone-failed.title"),
            detail: Msg::new(detail_key)
                .arg("count", count)
                .arg("status", status.unwrap_or("unknown")),
            evidence,
            next_steps,
        });
    }
}

static EN: &[(&str, &str)] = &[
    (
        "git-clone-failed.title",
        "the task's repository could not be cloned",
    ),
    (
        "git-clone-failed.detail",
        "The bundle shows the executor failing to clone the task's repository (matches: {count}), so the agent had no workspace to work in. The latest run is {status}.",
    ),
    (
        "git-clone-failed.detail-prompt",
        "The bundle shows the executor failing to clone the task's repository (matches: {count}), so the agent had no workspace to work in. \"could not read Username\" means git fell back to prompting because the clone URL carried no usable token. The latest run is {status}.",
    ),
    (
        "git-clone-failed.next",
        "Check the task owner's git token for the repository's domain in the user settings, and that the token may read the repository (try `git ls-remote` with it).",
    ),
    (
        "git-clone-failed.next-aes",
        "executor-manager runs without GIT_TOKEN_AES_KEY: give it the same GIT_TOKEN_AES_KEY and GIT_TOKEN_AES_IV as the backend so executors can decrypt git tokens, then restart it.",
    ),
    (
        "git-clone-failed.next-retry",
        "Send the task again after fixing the token; the clone runs at the start of every run.",
    ),
];

static ZH: &[(&str, &str)] = &[
    ("git-clone-failed.title", "无法克隆任务的代码仓库"),
    (
        "git-clone-failed.detail",
        "包中有 {count} 处显示执行器克隆任务仓库失败，智能体没有可用的工作区。最新一次执行为 {status}。",
    ),
    (
        "git-clone-failed.detail-prompt",
        "包中有 {count} 处显示执行器克隆任务仓库失败，智能体没有可用的工作区。\"could not read Username\" 表示克隆 URL 中没有可用的令牌，git 转而尝试交互式询问。最新一次执行为 {status}。",
    ),
    (
        "git-clone-failed.next",
        "在用户设置中检查任务所有者针对该仓库域名的 git 令牌，并确认该令牌有权读取仓库（可用它执行 `git ls-remote` 验证）。",
    ),
    (
        "git-clone-failed.next-aes",
        "executor-manager 运行时没有 GIT_TOKEN_AES_KEY：为它配置与后端相同的 GIT_TOKEN_AES_KEY 和 GIT_TOKEN_AES_IV，使执行器能解密 git 令牌，然后重启它。",
    ),
    (
        "git-clone-failed.next-retry",
        "修复令牌后重新发送任务；每次执行开始时都会重新克隆。",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    #[test]
    fn flags_fork_clone_failure_in_error_message() {
        let bundle = failed_with(
            "Agent[ClaudeCode][89] Failed to clone project to /workspace/89/app: fatal: could not read Username for 'https://git.example': No such device or address",
        );

        let findings = run(&GitCloneFailed, &bundle);

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Critical);
        assert_eq!(findings[0].detail.key, "git-clone-failed.detail-prompt");
        assert_catalogue(&GitCloneFailed, &findings);
    }

    #[test]
    fn adds_missing_aes_key_warning() {
        let mut bundle = bundle("FAILED", "FAILED");
        bundle.log_lines = vec![
            log(
                "logs/executor-manager.txt",
                2,
                "GIT_TOKEN_AES_KEY is not set, so an encrypted git token cannot be read",
            ),
            log(
                "executors/wegent-task-admin-e47497646f4e26c/logs.txt",
                20,
                "2026-08-20 10:00:02 git clone failed task_id=89 error=\"exit status 128\"",
            ),
        ];

        let findings = run(&GitCloneFailed, &bundle);

        assert_eq!(findings[0].evidence.len(), 2);
        assert_eq!(findings[0].detail.key, "git-clone-failed.detail");
        assert!(
            findings[0]
                .next_steps
                .iter()
                .any(|m| m.key == "git-clone-failed.next-aes")
        );
    }

    #[test]
    fn ignores_successful_clone() {
        let mut bundle = bundle("RUNNING", "RUNNING");
        bundle.log_lines = vec![log(
            "executors/wegent-task-admin-e47497646f4e26c/logs.txt",
            20,
            "Project cloned to /workspace/89/app",
        )];

        assert!(run(&GitCloneFailed, &bundle).is_empty());
    }
}
