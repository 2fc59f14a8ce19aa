//! The `logs` source: Wegent's log files under `--repo-root`.
//!
//! Hosts that run Wegent from a checkout write logs to files instead of, or besides,
//! container output. Each group of files below becomes one member with the lines that
//! concern the task (see [`crate::sources::log_filter`]), oldest file first:
//!
//! | Files under `--repo-root`              | Member                                  |
//! |----------------------------------------|-----------------------------------------|
//! | `backend/uvicorn.log`                  | `logs/file-backend-uvicorn.txt`         |
//! | `frontend/next.log`                    | `logs/file-frontend-next.txt`           |
//! | `logs/backend/info.log*`               | `logs/file-backend-info.txt`            |
//! | `logs/executor_manager/info.log*`      | `logs/file-executor-manager-info.txt`   |
//! | `.pids/<service>.log`                  | `logs/file-pids-<service>.txt`          |
//!
//! `info.log*` includes the hourly rotations (`info.log.20260120-14`, with or without a
//! `+0800` suffix) and gzip-compressed files, but not `.lock` files. Only files modified
//! within `--since` are read, and lines are streamed with a bounded length, so huge or
//! non-UTF-8 logs are fine. Without `--repo-root` the source is skipped.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::anyhow;

use crate::source::{Context, Source, SourceFuture, SourceOutput};
use crate::sources::docker::task_keys;
use crate::sources::log_filter::{KeyMatcher, RecordFormat, SinceWindow};
use crate::sources::log_read::{self, TailBuffer, modified};

/// Reads log files of a Wegent checkout.
pub struct LogFilesSource;

/// Maximum size of one member; the newest matching lines are kept.
const MEMBER_MAX_BYTES: u64 = 32 << 20;

impl Source for LogFilesSource {
    fn name(&self) -> &'static str {
        "logs"
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(120)
    }

    fn collect<'a>(&'a self, ctx: &'a Context, out: &'a mut SourceOutput) -> SourceFuture<'a> {
        Box::pin(collect(ctx, out))
    }
}

/// One member and the files it is read from, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogGroup {
    pub member: String,
    pub files: Vec<PathBuf>,
}

async fn collect(ctx: &Context, out: &mut SourceOutput) -> anyhow::Result<()> {
    let Some(root) = ctx.config().repo_root.clone() else {
        out.skip("no --repo-root given, so there are no log files to read");
        return Ok(());
    };
    if !root.is_dir() {
        return Err(anyhow!("--repo-root {} is not a directory", root.display()));
    }

    let since = ctx.collected_at()
        - chrono::Duration::from_std(ctx.config().since).unwrap_or(chrono::Duration::days(1));
    let groups = find_groups(&root, SystemTime::from(since));
    if groups.is_empty() {
        out.skip(format!(
            "no Wegent log file under {} was modified within --since",
            root.display()
        ));
        return Ok(());
    }

    let matcher = KeyMatcher::new(&task_keys(ctx));
    for group in groups {
        let matcher = matcher.clone();
        let files = group.files.clone();
        let result = tokio::task::spawn_blocking(move || {
            let mut buffer = TailBuffer::new(u64::MAX, MEMBER_MAX_BYTES);
            let stats = log_read::filter_files(
                &files,
                RecordFormat::Plain {
                    docker_timestamp: false,
                },
                &matcher,
                Some(SinceWindow::new(since)),
                &mut buffer,
            );
            stats.map(|stats| (buffer, stats))
        })
        .await
        .map_err(|e| anyhow!("log reader stopped: {e}"))?;

        match result {
            Ok((buffer, stats)) => {
                tracing::info!(member = %group.member, files = stats.files.len(), records = stats.records, kept = stats.kept, "filtered log files");
                if buffer.dropped > 0 {
                    out.truncated(format!(
                        "{}: newest {} MiB of matching lines kept",
                        group.member,
                        MEMBER_MAX_BYTES >> 20
                    ));
                }
                if stats.cut_lines > 0 {
                    out.truncated(format!(
                        "{}: {} lines longer than 16 KiB were cut",
                        group.member, stats.cut_lines
                    ));
                }
                out.text(&group.member, buffer.into_text());
            }
            Err(err) => out.problem(format!("{}: {err}", group.member)),
        }
    }
    Ok(())
}

/// Finds the log files of each group that were modified at or after `not_before`.
pub fn find_groups(root: &Path, not_before: SystemTime) -> Vec<LogGroup> {
    let mut groups = Vec::new();
    let mut add = |member: String, mut files: Vec<PathBuf>| {
        files.retain(|f| f.is_file() && modified(f) >= not_before);
        files.sort_by_key(|f| (is_current(f), modified(f)));
        if !files.is_empty() {
            groups.push(LogGroup { member, files });
        }
    };

    add(
        "logs/file-backend-uvicorn.txt".into(),
        vec![root.join("backend/uvicorn.log")],
    );
    add(
        "logs/file-frontend-next.txt".into(),
        vec![root.join("frontend/next.log")],
    );
    add(
        "logs/file-backend-info.txt".into(),
        rotations(&root.join("logs/backend"), "info.log"),
    );
    add(
        "logs/file-executor-manager-info.txt".into(),
        rotations(&root.join("logs/executor_manager"), "info.log"),
    );

    let mut pids: Vec<PathBuf> = read_dir(&root.join(".pids"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    pids.sort();
    for file in pids {
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        add(format!("logs/file-pids-{}.txt", slug(&stem)), vec![file]);
    }
    groups
}

/// `dir/<base>` and its rotations, without lock files.
fn rotations(dir: &Path, base: &str) -> Vec<PathBuf> {
    read_dir(dir)
        .into_iter()
        .filter(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name == base || name.starts_with(&format!("{base}."))) && !name.ends_with(".lock")
        })
        .collect()
}

/// Tells whether a file is the live `info.log` rather than a rotation, so it is read last.
fn is_current(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "log")
}

fn read_dir(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default()
}

/// Lowercase letters, digits and dashes only, so the member name stays a plain path.
fn slug(text: &str) -> String {
    let slug: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug.trim_matches('-').to_string();
    if slug.is_empty() {
        "log".to_string()
    } else {
        slug
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_include_rotations_and_skip_locks() {
        let dir = tempfile::Builder::new()
            .prefix("wi-test-logs-")
            .tempdir()
            .unwrap();
        let root = dir.path();
        for file in [
            "backend/uvicorn.log",
            "logs/executor_manager/info.log",
            "logs/executor_manager/info.log.20260120-14+0800",
            "logs/executor_manager/info.log.20260120-13+0800.gz",
            "logs/executor_manager/info.log.lock",
            ".pids/executor_manager.log",
            ".pids/backend.pid",
        ] {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, b"x\n").unwrap();
        }
        let groups = find_groups(root, SystemTime::UNIX_EPOCH);
        let members: Vec<&str> = groups.iter().map(|g| g.member.as_str()).collect();
        assert_eq!(
            members,
            vec![
                "logs/file-backend-uvicorn.txt",
                "logs/file-executor-manager-info.txt",
                "logs/file-pids-executor-manager.txt"
            ]
        );
        assert_eq!(groups[1].files.len(), 3);
        assert!(groups[1].files.last().unwrap().ends_with("info.log"));
    }

    #[test]
    fn old_files_are_left_out() {
        let dir = tempfile::Builder::new()
            .prefix("wi-test-logs-")
            .tempdir()
            .unwrap();
        std::fs::create_dir_all(dir.path().join("frontend")).unwrap();
        std::fs::write(dir.path().join("frontend/next.log"), b"x\n").unwrap();
        let future = SystemTime::now() + Duration::from_secs(3600);
        assert!(find_groups(dir.path(), future).is_empty());
    }
}
