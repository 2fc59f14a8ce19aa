//! The workspace contains commits or changes of a run that has not completed.
//!
//! ### What it checks
//!
//! Each repository in `workspace/git.json`, while the current run (latest assistant
//! subtask, else the task) is not COMPLETED:
//!
//! - commits whose committer time is after the latest assistant subtask's `created_at`.
//!   Commit times carry their own offset; `created_at` is read on the MySQL session clock
//!   and shifted by the calibrated offset. Commits listed in the subtask's
//!   `result.workbench.git_info.task_commits` (or equal to its `initial_commit_id`) were
//!   reported to Wegent and are not counted;
//! - uncommitted paths, except files under `.wegent_home/`, which hold the agent's own
//!   configuration.
//!
//! The finding is a warning. While the run is PENDING or RUNNING and the task was active
//! within the stale threshold (`--stale-after`), changes are expected work in progress and
//! the finding is only informational.
//!
//! ### Why it matters
//!
//! Work the platform does not know about is lost when the executor or its workspace is
//! cleaned up. It also shows what the agent did before the run stopped, which often
//! settles whether the work was finished.
//!
//! ### Known problems
//!
//! Without a `created_at` on the latest assistant subtask, commits cannot be placed in
//! time and only uncommitted paths are counted. A workspace without a host mount is not
//! in the bundle at all.
//!
//! ### Evidence
//!
//! `workspace/git.json`, `db/subtasks.json` (`created_at`, `result.workbench.git_info`).
//!
//! ### Fix
//!
//! Save the work before anything removes the executor (push the branch or copy the
//! repository), then finish it by hand or in a new task.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::current_run;
use crate::bundle::model::{Commit, Repository, members};
use crate::engine::{Context, Evidence, Finding, Msg, Rule, Severity};
use crate::i18n::Lang;

/// At most this many commits are listed as evidence per repository.
const MAX_COMMITS_SHOWN: usize = 5;

/// At most this many dirty paths are quoted in one excerpt.
const MAX_DIRTY_QUOTED: usize = 5;

/// Shortest commit id prefix compared with reported ids.
const MIN_ID_PREFIX: usize = 7;

pub struct WorkspaceHasUnreportedWork;

impl Rule for WorkspaceHasUnreportedWork {
    fn id(&self) -> &'static str {
        "workspace-has-unreported-work"
    }

    fn default_severity(&self) -> Severity {
        Severity::Warning
    }

    fn messages(&self, lang: Lang) -> &'static [(&'static str, &'static str)] {
        match lang {
            Lang::En => EN,
            Lang::Zh => ZH,
        }
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let facts = cx.facts;
        let Some(workspace) = cx.bundle.workspace.as_ref() else {
            return;
        };
        let Some(status) = current_run::current_status(facts) else {
            return;
        };
        if matches!(status, "COMPLETED" | "DELETE") {
            return;
        }

        let start = current_run::run_start(facts);
        let reported = reported_commit_ids(cx);

        let mut evidence = Vec::new();
        let mut commit_count = 0;
        let mut dirty_count = 0;
        let mut first_path = None;

        for repo in &workspace.repositories {
            let commits = start
                .map(|start| new_commits(repo, start, &reported))
                .unwrap_or_default();
            let dirty: Vec<&str> = repo
                .dirty
                .iter()
                .map(String::as_str)
                .filter(|entry| !is_agent_config(entry))
                .collect();
            if commits.is_empty() && dirty.is_empty() {
                continue;
            }

            first_path.get_or_insert(repo.path.as_str());
            commit_count += commits.len();
            dirty_count += dirty.len();

            for commit in commits.iter().take(MAX_COMMITS_SHOWN) {
                evidence.push(Evidence::new(
                    members::WORKSPACE,
                    format!("path={} commit={}", repo.path, short_id(&commit.id)),
                    current_run::excerpt(&format!("{} {}", commit.time, commit.summary)),
                ));
            }
            if !dirty.is_empty() {
                let mut quoted = dirty
                    .iter()
                    .take(MAX_DIRTY_QUOTED)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ");
                if dirty.len() > MAX_DIRTY_QUOTED || repo.dirty_truncated {
                    quoted.push_str(", …");
                }
                evidence.push(Evidence::new(
                    members::WORKSPACE,
                    format!("path={} /dirty", repo.path),
                    quoted,
                ));
            }
        }

        let Some(path) = first_path else {
            return;
        };
        if let Some(subtask) = facts.latest_assistant {
            evidence.push(Evidence::new(
                members::DB_SUBTASKS,
                format!("id={}", subtask.id),
                format!(
                    "status={} created_at={}",
                    subtask.status,
                    subtask.created_at.as_deref().unwrap_or("-")
                ),
            ));
        }

        let severity = if current_run::is_active(status) && recently_active(cx) {
            Severity::Info
        } else {
            Severity::Warning
        };
        let start_text = start.map_or("?".to_string(), |at| {
            at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
        });

        out.push(Finding {
            rule: self.id(),
            severity,
            title: Msg::new("workspace-has-unreported-work.title"),
            detail: Msg::new("workspace-has-unreported-work.detail")
                .arg("path", path)
                .arg("commits", commit_count)
                .arg("dirty", dirty_count)
                .arg("start", start_text)
                .arg("status", status),
            evidence,
            next_steps: vec![
                Msg::new("workspace-has-unreported-work.next").arg("path", path),
                Msg::new("workspace-has-unreported-work.next-finish"),
            ],
        });
    }
}

/// Returns commits after the run start that the task result does not list, newest first.
fn new_commits<'a>(
    repo: &'a Repository,
    start: DateTime<Utc>,
    reported: &[String],
) -> Vec<&'a Commit> {
    repo.commits
        .iter()
        .filter(|commit| {
            DateTime::parse_from_rfc3339(commit.time.trim())
                .is_ok_and(|at| at.with_timezone(&Utc) > start)
        })
        .filter(|commit| !reported.iter().any(|id| same_commit(id, &commit.id)))
        .collect()
}

/// Shortens a commit id to 12 characters for a locator.
fn short_id(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

/// True when two commit ids name the same commit, allowing abbreviated ids.
fn same_commit(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim().to_ascii_lowercase(), b.trim().to_ascii_lowercase());
    if a.len().min(b.len()) < MIN_ID_PREFIX {
        return a == b;
    }
    a.starts_with(&b) || b.starts_with(&a)
}

/// Commit ids the latest assistant subtask reported in `result.workbench.git_info`.
fn reported_commit_ids(cx: &Context<'_>) -> Vec<String> {
    let Some(git_info) = cx
        .facts
        .latest_assistant
        .and_then(|s| s.result.as_ref())
        .and_then(|result| result.pointer("/workbench/git_info"))
    else {
        return Vec::new();
    };

    let mut ids = Vec::new();
    if let Some(initial) = git_info.get("initial_commit_id").and_then(Value::as_str) {
        ids.push(initial.to_string());
    }
    for commit in git_info
        .get("task_commits")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        match commit {
            Value::String(id) => ids.push(id.clone()),
            Value::Object(fields) => {
                let id = ["commit_id", "id", "hash", "sha"]
                    .iter()
                    .find_map(|k| fields.get(*k)?.as_str());
                ids.extend(id.map(str::to_string));
            }
            _ => {}
        }
    }
    ids
}

/// True for a `git status --porcelain` entry under `.wegent_home/`.
fn is_agent_config(entry: &str) -> bool {
    let path = entry
        .trim_start()
        .split_once(char::is_whitespace)
        .map_or(entry, |(_, path)| path.trim());
    path.starts_with(".wegent_home/") || path == ".wegent_home"
}

/// True when the task showed activity within the stale threshold.
fn recently_active(cx: &Context<'_>) -> bool {
    cx.facts
        .last_activity
        .is_some_and(|at| cx.facts.now - at <= cx.options.stale_after)
}

static EN: &[(&str, &str)] = &[
    (
        "workspace-has-unreported-work.title",
        "the workspace contains work the task has not reported",
    ),
    (
        "workspace-has-unreported-work.detail",
        "The workspace at {path} contains work that the task result does not list (commits since the latest run started at {start}: {commits}, uncommitted paths: {dirty}), while the latest run is {status}. This work is lost if the executor or its workspace is cleaned up.",
    ),
    (
        "workspace-has-unreported-work.next",
        "Save the work before anything removes the executor: push the branch from {path} or copy the repository.",
    ),
    (
        "workspace-has-unreported-work.next-finish",
        "Compare the commits with the task's request to see how far the agent got, then finish the work by hand or in a new task.",
    ),
];

static ZH: &[(&str, &str)] = &[
    (
        "workspace-has-unreported-work.title",
        "工作区中有任务尚未上报的工作",
    ),
    (
        "workspace-has-unreported-work.detail",
        "{path} 的工作区中有任务结果未列出的工作（最新一次执行于 {start} 开始后的提交：{commits} 个；未提交的路径：{dirty} 个），而最新一次执行为 {status}。一旦执行器或其工作区被清理，这些工作就会丢失。",
    ),
    (
        "workspace-has-unreported-work.next",
        "在执行器被删除之前保存这些工作：从 {path} 推送分支，或复制整个仓库。",
    ),
    (
        "workspace-has-unreported-work.next-finish",
        "对照任务的需求查看这些提交，判断智能体完成到了哪一步，然后手工完成或在新任务中继续。",
    ),
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;
    use crate::bundle::model::Workspace;
    use crate::rules::test_support::*;

    fn commit(id: &str, time: &str) -> Commit {
        Commit {
            id: id.to_string(),
            time: time.to_string(),
            summary: "Fix login redirect".to_string(),
        }
    }

    fn with_repo(
        status: &str,
        commits: Vec<Commit>,
        dirty: Vec<&str>,
    ) -> crate::bundle::loaded::Bundle {
        let mut bundle = bundle("RUNNING", status);
        bundle.workspace = Some(Workspace {
            searched: vec!["/root/wecode-bot/89".to_string()],
            repositories: vec![Repository {
                path: "/root/wecode-bot/89/app".to_string(),
                branch: Some("wegent-fix-login".to_string()),
                head: None,
                commits,
                dirty: dirty.into_iter().map(str::to_string).collect(),
                dirty_truncated: false,
                remotes: BTreeMap::new(),
            }],
        });
        bundle
    }

    #[test]
    fn flags_commit_after_run_start_on_offset_clock() {
        // The run started 14:00:01 on the +08:00 session clock; 14:30 +08:00 is later.
        let bundle = with_repo(
            "RUNNING",
            vec![commit("a1b2c3d4e5f6", "2026-01-20T14:30:00+08:00")],
            vec![],
        );

        let findings = run(&WorkspaceHasUnreportedWork, &bundle);

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Warning);
        assert!(
            findings[0]
                .detail
                .args
                .contains(&("commits", "1".to_string()))
        );
        assert_catalogue(&WorkspaceHasUnreportedWork, &findings);
    }

    #[test]
    fn ignores_commit_before_run_start() {
        // 13:30 +08:00 precedes the run even though 13:30 UTC would not.
        let bundle = with_repo(
            "RUNNING",
            vec![commit("a1b2c3d4e5f6", "2026-01-20T13:30:00+08:00")],
            vec![],
        );

        assert!(run(&WorkspaceHasUnreportedWork, &bundle).is_empty());
    }

    #[test]
    fn ignores_commits_reported_in_workbench() {
        let mut bundle = with_repo(
            "FAILED",
            vec![commit("a1b2c3d4e5f6", "2026-01-20T06:30:00Z")],
            vec![],
        );
        bundle.subtasks.as_mut().unwrap().subtasks[1].result = Some(
            json!({ "workbench": { "git_info": { "task_commits": [{ "commit_id": "a1b2c3d" }] } } }),
        );

        assert!(run(&WorkspaceHasUnreportedWork, &bundle).is_empty());
    }

    #[test]
    fn flags_dirty_paths_but_not_agent_config() {
        let bundle = with_repo(
            "FAILED",
            vec![],
            vec!["M src/login.ts", "?? .wegent_home/.codex/config.toml"],
        );

        let findings = run(&WorkspaceHasUnreportedWork, &bundle);

        assert!(
            findings[0]
                .detail
                .args
                .contains(&("dirty", "1".to_string()))
        );
        assert!(!findings[0].evidence[0].excerpt.contains(".wegent_home"));
    }

    #[test]
    fn ignores_completed_run() {
        let bundle = with_repo("COMPLETED", vec![], vec!["M src/login.ts"]);

        assert!(run(&WorkspaceHasUnreportedWork, &bundle).is_empty());
    }
}
