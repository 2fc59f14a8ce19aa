//! Real git repositories built with the `git` command-line client, for workspace tests.
//!
//! Every command runs without the user's and the system's git configuration, with a fixed
//! author and committer, so the repositories look the same on every machine.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::command::{self, DEFAULT_TIMEOUT};

/// Author and committer name of every commit.
pub const AUTHOR_NAME: &str = "wi-test";

/// Author and committer e-mail of every commit.
pub const AUTHOR_EMAIL: &str = "wi-test@example.invalid";

/// A git repository under construction.
///
/// The repository stays on disk after the value is dropped; put it inside a
/// [`crate::TempRoot`] to have it removed.
#[derive(Debug, Clone)]
pub struct RepoBuilder {
    dir: PathBuf,
}

impl RepoBuilder {
    /// Creates `dir` (and its parents) and initialises a repository whose first branch is
    /// `branch`.
    pub fn init(dir: impl Into<PathBuf>, branch: &str) -> Result<RepoBuilder> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir).with_context(|| {
            format!(
                "failed to create the repository directory {}",
                dir.display()
            )
        })?;

        let repo = RepoBuilder { dir };
        repo.git(&["init", "--quiet", &format!("--initial-branch={branch}")])?;

        Ok(repo)
    }

    /// Returns the work tree directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Records an empty commit with `message`, committed and authored at `date`, and returns
    /// its id.
    ///
    /// `date` is any format git accepts in `GIT_COMMITTER_DATE`, e.g. `2026-01-20T14:03:12+08:00`
    /// or `@1768888992 +0000`.
    pub fn commit(&self, message: &str, date: &str) -> Result<String> {
        self.git_at(
            date,
            &["commit", "--quiet", "--allow-empty", "--message", message],
        )?;
        self.head()
    }

    /// Writes `contents` to `relative_path`, stages it and commits it like
    /// [`RepoBuilder::commit`].
    pub fn commit_file(
        &self,
        relative_path: &str,
        contents: &str,
        message: &str,
        date: &str,
    ) -> Result<String> {
        self.write_file(relative_path, contents)?;
        self.git(&["add", "--", relative_path])?;
        self.git_at(date, &["commit", "--quiet", "--message", message])?;
        self.head()
    }

    /// Writes `contents` to `relative_path` without staging it, which leaves the work tree
    /// dirty: an untracked file for a new path, a modified file for a tracked one.
    pub fn write_file(&self, relative_path: &str, contents: &str) -> Result<()> {
        let path = self.dir.join(relative_path);
        if !path.starts_with(&self.dir) || relative_path.split('/').any(|part| part == "..") {
            bail!(
                "invalid relative path {relative_path:?}: it must stay inside {}",
                self.dir.display()
            );
        }

        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("failed to create {}", parent.display()))?;
        }
        std::fs::write(&path, contents)
            .with_context(|| format!("failed to write {}", path.display()))
    }

    /// Stages `relative_path` (`git add`).
    pub fn stage(&self, relative_path: &str) -> Result<()> {
        self.git(&["add", "--", relative_path])?;
        Ok(())
    }

    /// Adds the remote `name` with `url`, e.g. `origin` with a token-bearing clone URL.
    pub fn add_remote(&self, name: &str, url: &str) -> Result<()> {
        self.git(&["remote", "add", name, url])?;
        Ok(())
    }

    /// Creates `branch` at the current commit and checks it out.
    pub fn checkout_new_branch(&self, branch: &str) -> Result<()> {
        self.git(&["checkout", "--quiet", "-b", branch])?;
        Ok(())
    }

    /// Returns the id of `HEAD`.
    pub fn head(&self) -> Result<String> {
        Ok(self.git(&["rev-parse", "HEAD"])?.trim().to_string())
    }

    /// Runs `git <args>` in the repository and returns its stdout.
    pub fn git(&self, args: &[&str]) -> Result<String> {
        let mut git = self.git_command();
        git.args(args);
        self.run(git)
    }

    fn git_at(&self, date: &str, args: &[&str]) -> Result<String> {
        let mut git = self.git_command();
        git.env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .args(args);
        self.run(git)
    }

    fn run(&self, mut git: Command) -> Result<String> {
        let finished = command::run(&mut git, None, DEFAULT_TIMEOUT)
            .with_context(|| format!("git failed in {}", self.dir.display()))?;
        Ok(finished.stdout)
    }

    fn git_command(&self) -> Command {
        let mut git = Command::new("git");
        git.arg("-C")
            .arg(&self.dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", AUTHOR_NAME)
            .env("GIT_AUTHOR_EMAIL", AUTHOR_EMAIL)
            .env("GIT_COMMITTER_NAME", AUTHOR_NAME)
            .env("GIT_COMMITTER_EMAIL", AUTHOR_EMAIL)
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE");
        git
    }
}
