//! The `workspace` source: the git repositories the task's executor worked in.
//!
//! Searches these places and writes `workspace/git.json`:
//!
//! - `<--workspace-root>/<task_id>/` and the directories one level below it, skipping
//!   `.wegent_home/` (the fork's Codex home, which contains an API key);
//! - the same places under the host source of each executor's `/workspace` mount;
//! - the fork's persistent repository: the `repo_dir` from `TASK_INFO`, mapped through
//!   the executor's `/wegent_repos` mount.
//!
//! Repositories are only read. They are opened with libgit2, which never runs hooks or
//! filters, and dirty paths come from a status walk without `UPDATE_INDEX`, so neither
//! the index nor any other file is written, even when stat data in the index is stale.
//! Remote URLs lose their credentials (the clone URL of an executor carries the user's
//! token), and the removed values go to the redactor.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::anyhow;
use chrono::{FixedOffset, TimeZone};
use git2::{Repository, RepositoryOpenFlags, Status, StatusOptions};
use wegent_analyzer::bundle::model::{
    Commit, ContainerRole, Repository as RepoInfo, Workspace, members,
};

use crate::source::{Context, Source, SourceFuture, SourceOutput};

/// Reads the task's workspace repositories.
pub struct WorkspaceSource;

/// Commits recorded per repository, newest first.
pub const MAX_COMMITS: usize = 20;

/// Dirty paths recorded per repository.
pub const MAX_DIRTY: usize = 200;

/// Directory of the fork's per-task agent home, never read.
const AGENT_HOME: &str = ".wegent_home";

impl Source for WorkspaceSource {
    fn name(&self) -> &'static str {
        "workspace"
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(60)
    }

    fn collect<'a>(&'a self, ctx: &'a Context, out: &'a mut SourceOutput) -> SourceFuture<'a> {
        Box::pin(collect(ctx, out))
    }
}

async fn collect(ctx: &Context, out: &mut SourceOutput) -> anyhow::Result<()> {
    let roots = search_roots(ctx);
    let (workspace, credentials, problems) = tokio::task::spawn_blocking(move || read_all(&roots))
        .await
        .map_err(|e| anyhow!("workspace reader stopped: {e}"))?;

    for secret in credentials {
        ctx.remember(&secret, "git-remote-credential");
    }
    out.json(members::WORKSPACE, &workspace)?;

    if workspace.repositories.is_empty() && !problems.is_empty() {
        return Err(anyhow!("{}", problems.join("; ")));
    }
    for problem in problems {
        out.problem(problem);
    }

    if workspace.repositories.is_empty() {
        let searched = workspace.searched.join(", ");
        if workspace.searched.iter().any(|dir| Path::new(dir).is_dir()) {
            out.skip(format!("no git repository in {searched}"));
        } else {
            out.skip(format!(
                "no workspace directory found (searched {searched}); set --workspace-root to the host directory of the executors' /workspace"
            ));
        }
    }
    Ok(())
}

/// Directories that may hold the task's repositories, in search order.
#[derive(Debug, Clone, Default)]
pub struct Roots {
    /// Task directories (`<root>/<task_id>`): searched themselves and one level below.
    pub task_dirs: Vec<PathBuf>,
    /// Single repositories (the fork's `repo_dir`).
    pub repos: Vec<PathBuf>,
}

fn search_roots(ctx: &Context) -> Roots {
    let task = ctx.task_id().to_string();
    let mut roots = Roots {
        task_dirs: vec![ctx.config().workspace_root.join(&task)],
        repos: Vec::new(),
    };

    let facts = ctx.facts();
    let executors = facts
        .containers
        .iter()
        .flat_map(|c| c.containers.iter())
        .filter(|c| c.role == ContainerRole::Executor);
    for container in executors {
        for mount in &container.mounts {
            if mount.source.is_empty() {
                continue;
            }
            let destination = mount.destination.trim_end_matches('/');
            if destination == "/workspace" {
                roots.task_dirs.push(Path::new(&mount.source).join(&task));
            }
            if destination == "/wegent_repos" {
                for dir in &facts.repo_dirs {
                    if let Ok(relative) = Path::new(dir).strip_prefix("/wegent_repos") {
                        roots.repos.push(Path::new(&mount.source).join(relative));
                    }
                }
            }
        }
    }
    roots.task_dirs.dedup();
    roots.repos.dedup();
    roots
}

/// Reads every repository found under `roots`. Returns the member, the credentials
/// removed from remote URLs, and problems with single repositories.
pub fn read_all(roots: &Roots) -> (Workspace, Vec<String>, Vec<String>) {
    let mut workspace = Workspace::default();
    let mut credentials = Vec::new();
    let mut problems = Vec::new();
    let mut candidates: Vec<PathBuf> = Vec::new();

    for dir in &roots.task_dirs {
        workspace.searched.push(dir.display().to_string());
        if !dir.is_dir() {
            continue;
        }
        candidates.push(dir.clone());
        let mut children: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        children.retain(|p| {
            p.is_dir()
                && p.file_name()
                    .is_some_and(|n| n != AGENT_HOME && n != ".git")
        });
        children.sort();
        candidates.extend(children);
    }
    for repo in &roots.repos {
        workspace.searched.push(repo.display().to_string());
        candidates.push(repo.clone());
    }

    let mut seen = BTreeSet::new();
    for path in candidates {
        if !path.join(".git").exists() {
            continue;
        }
        let key = path.canonicalize().unwrap_or_else(|_| path.clone());
        if !seen.insert(key) {
            continue;
        }
        match read_repository(&path, &mut credentials) {
            Ok(info) => workspace.repositories.push(info),
            Err(err) if err.code() == git2::ErrorCode::Owner => problems.push(format!(
                "cannot read the git repository {}: it belongs to another user; run collect as \
                 that user (executors usually write as root)",
                path.display()
            )),
            Err(err) => problems.push(format!(
                "cannot read the git repository {}: {}",
                path.display(),
                err.message()
            )),
        }
    }
    (workspace, credentials, problems)
}

/// Reads one repository without writing to it.
pub fn read_repository(
    path: &Path,
    credentials: &mut Vec<String>,
) -> Result<RepoInfo, git2::Error> {
    let repo = Repository::open_ext(
        path,
        RepositoryOpenFlags::NO_SEARCH,
        std::iter::empty::<&Path>(),
    )?;

    let head = repo.head().ok();
    let branch = head
        .as_ref()
        .filter(|h| h.is_branch())
        .and_then(|h| h.shorthand().map(str::to_string));
    let head_id = head
        .as_ref()
        .and_then(|h| h.target())
        .map(|id| id.to_string());

    let mut info = RepoInfo {
        path: path.display().to_string(),
        branch,
        head: head_id,
        commits: Vec::new(),
        dirty: Vec::new(),
        dirty_truncated: false,
        remotes: Default::default(),
    };

    if head.as_ref().and_then(|h| h.target()).is_some() {
        info.commits = recent_commits(&repo)?;
    }
    (info.dirty, info.dirty_truncated) = dirty_paths(&repo)?;

    let names = repo.remotes()?;
    for name in names.iter().flatten() {
        if let Ok(remote) = repo.find_remote(name)
            && let Some(url) = remote.url()
        {
            info.remotes
                .insert(name.to_string(), strip_credentials(url, credentials));
        }
    }
    Ok(info)
}

fn recent_commits(repo: &Repository) -> Result<Vec<Commit>, git2::Error> {
    let mut walk = repo.revwalk()?;
    walk.push_head()?;
    walk.set_sorting(git2::Sort::TIME)?;
    let mut commits = Vec::new();
    for id in walk.take(MAX_COMMITS) {
        let commit = repo.find_commit(id?)?;
        let time = commit.time();
        let offset = FixedOffset::east_opt(time.offset_minutes() * 60)
            .unwrap_or(FixedOffset::east_opt(0).expect("zero offset"));
        let when = offset
            .timestamp_opt(time.seconds(), 0)
            .single()
            .map(|t| t.to_rfc3339())
            .unwrap_or_default();
        commits.push(Commit {
            id: commit.id().to_string(),
            time: when,
            summary: String::from_utf8_lossy(commit.summary_bytes().unwrap_or_default())
                .into_owned(),
        });
    }
    Ok(commits)
}

/// Changed and untracked paths, `git status --porcelain` style (`XY path`).
fn dirty_paths(repo: &Repository) -> Result<(Vec<String>, bool), git2::Error> {
    let mut options = StatusOptions::new();
    options
        .include_untracked(true)
        .recurse_untracked_dirs(false)
        .include_ignored(false)
        .exclude_submodules(true)
        .update_index(false);
    let statuses = repo.statuses(Some(&mut options))?;

    let mut dirty = Vec::new();
    let mut truncated = false;
    for entry in statuses.iter() {
        let path = String::from_utf8_lossy(entry.path_bytes()).into_owned();
        if path.starts_with(AGENT_HOME) {
            continue;
        }
        if dirty.len() >= MAX_DIRTY {
            truncated = true;
            break;
        }
        dirty.push(format!("{} {path}", porcelain_code(entry.status())));
    }
    Ok((dirty, truncated))
}

fn porcelain_code(status: Status) -> String {
    if status.contains(Status::WT_NEW)
        && !status.intersects(Status::INDEX_NEW | Status::INDEX_MODIFIED)
    {
        return "??".to_string();
    }
    let index = if status.contains(Status::INDEX_NEW) {
        'A'
    } else if status.contains(Status::INDEX_MODIFIED) {
        'M'
    } else if status.contains(Status::INDEX_DELETED) {
        'D'
    } else if status.contains(Status::INDEX_RENAMED) {
        'R'
    } else if status.contains(Status::INDEX_TYPECHANGE) {
        'T'
    } else {
        ' '
    };
    let worktree = if status.contains(Status::WT_MODIFIED) {
        'M'
    } else if status.contains(Status::WT_DELETED) {
        'D'
    } else if status.contains(Status::WT_RENAMED) {
        'R'
    } else if status.contains(Status::WT_TYPECHANGE) {
        'T'
    } else if status.contains(Status::CONFLICTED) {
        'U'
    } else {
        ' '
    };
    format!("{index}{worktree}")
}

/// Removes the user name and password from a URL and returns them in `credentials`.
/// A user name alone is treated as a credential too, because clone URLs often carry the
/// token there (`https://<token>@host/...`). scp-style addresses (`git@host:path`) stay
/// as they are.
pub fn strip_credentials(url: &str, credentials: &mut Vec<String>) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return url.to_string();
    };
    if parsed.cannot_be_a_base() {
        return url.to_string();
    }
    let user = percent_decode(parsed.username());
    let password = parsed.password().map(percent_decode);
    if user.is_empty() && password.is_none() {
        return url.to_string();
    }
    match password {
        Some(password) => {
            credentials.push(password);
            credentials.push(parsed.password().unwrap_or_default().to_string());
        }
        None => {
            credentials.push(user.clone());
            credentials.push(parsed.username().to_string());
        }
    }
    let _ = parsed.set_password(None);
    let _ = parsed.set_username("");
    parsed.to_string()
}

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_stripped() {
        let mut secrets = Vec::new();
        assert_eq!(
            strip_credentials(
                "https://token:ghp_abc%40def@github.com/o/r.git",
                &mut secrets
            ),
            "https://github.com/o/r.git"
        );
        assert!(secrets.contains(&"ghp_abc@def".to_string()));
        let mut secrets = Vec::new();
        assert_eq!(
            strip_credentials("https://glpat-xyz@gitlab.example/o/r", &mut secrets),
            "https://gitlab.example/o/r"
        );
        assert!(secrets.contains(&"glpat-xyz".to_string()));
        let mut secrets = Vec::new();
        assert_eq!(
            strip_credentials("git@github.com:o/r.git", &mut secrets),
            "git@github.com:o/r.git"
        );
        assert!(secrets.is_empty());
    }
}
