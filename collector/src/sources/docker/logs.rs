//! Container logs: read from the json-file on disk when possible, else from the API.
//!
//! Docker's logs endpoint streams a large log slowly whatever the `since` window, while
//! the json-file driver's `LogPath` (and its rotated siblings `.1`, `.2`, …, possibly
//! gzip-compressed) can be scanned directly. The file route is taken when the engine is
//! local (`DOCKER_HOST` unset or `unix://`), the driver is json-file and the file can be
//! opened. In every other case the API is used. `WEGENT_DOCKER_LOGS=api` or `=file` forces one
//! route, for comparing them and for tests. Either way lines are streamed: executor logs
//! through a [`TailBuffer`] that keeps the newest lines, service logs through the task
//! filter of [`crate::sources::log_filter`]. Every line starts with Docker's RFC 3339 UTC
//! timestamp, as `docker logs --timestamps` prints it.
//!
//! NOTE: Docker splits a message longer than 16 KiB into several json-file entries. Each
//! entry becomes its own line here, with its own timestamp prefix; they are not joined.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::{Context as _, anyhow};
use bollard::Docker;
use bollard::query_parameters::LogsOptionsBuilder;
use chrono::{DateTime, Utc};
use futures_util::StreamExt;

use crate::sources::log_filter::{ContextFilter, KeyMatcher, RecordFormat, SinceWindow};
use crate::sources::log_read::{self, MAX_LINE_BYTES, TailBuffer, modified};

/// Environment variable that forces a route: `api`, `file` or `auto` (the default).
pub const ROUTE_ENV: &str = "WEGENT_DOCKER_LOGS";

/// Route by which a container's log is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// The json-file log and its rotated siblings, oldest first.
    File(Vec<PathBuf>),
    Api,
}

impl Route {
    /// Short description for `services/containers.json`.
    pub fn describe(&self) -> String {
        match self {
            Route::File(paths) => match paths.last() {
                Some(current) => format!("json-file {}", current.display()),
                None => "json-file".to_string(),
            },
            Route::Api => "docker-api".to_string(),
        }
    }
}

/// True when the Docker engine runs on this machine, so its files are ours to read.
pub fn engine_is_local() -> bool {
    match std::env::var("DOCKER_HOST") {
        Ok(host) => host.trim().is_empty() || host.starts_with("unix://"),
        Err(_) => true,
    }
}

/// Chooses the route for a container whose json-file log is `log_path` (if any).
/// Rotated files last modified before `not_before` are left out.
pub fn choose(log_path: Option<&str>, not_before: Option<SystemTime>) -> Route {
    let forced = std::env::var(ROUTE_ENV).unwrap_or_default();
    if forced == "api" || (forced != "file" && !engine_is_local()) {
        return Route::Api;
    }
    let Some(path) = log_path else {
        return Route::Api;
    };
    if std::fs::File::open(path).is_err() {
        return Route::Api;
    }
    Route::File(rotated_siblings(Path::new(path), not_before))
}

/// `path` with its rotated siblings (`path.N`, `path.N.gz`), oldest first.
pub fn rotated_siblings(path: &Path, not_before: Option<SystemTime>) -> Vec<PathBuf> {
    let mut older = Vec::new();
    for n in 1.. {
        let plain = PathBuf::from(format!("{}.{n}", path.display()));
        let gz = PathBuf::from(format!("{}.{n}.gz", path.display()));
        let found = [plain, gz].into_iter().find(|p| p.is_file());
        let Some(found) = found else { break };
        if not_before.is_none_or(|limit| modified(&found) >= limit) {
            older.push(found);
        }
    }
    older.reverse();
    older.push(path.to_path_buf());
    older
}

/// Reads the newest lines of a container's log within `max_lines` and `max_bytes`.
/// Returns the text and whether lines were left out.
pub async fn tail(
    docker: &Docker,
    id: &str,
    route: &Route,
    max_lines: u64,
    max_bytes: u64,
) -> anyhow::Result<(String, bool)> {
    let mut buffer = TailBuffer::new(max_lines, max_bytes);
    match route {
        Route::File(paths) => {
            let paths = paths.clone();
            let (buffer, cut) = tokio::task::spawn_blocking(move || {
                let cut = log_read::tail_files(&paths, RecordFormat::DockerJson, &mut buffer);
                cut.map(|cut| (buffer, cut))
            })
            .await
            .map_err(|e| anyhow!("log reader stopped: {e}"))??;
            let truncated = buffer.dropped > 0 || cut > 0;
            Ok((buffer.into_text(), truncated))
        }
        Route::Api => {
            let options = LogsOptionsBuilder::new()
                .stdout(true)
                .stderr(true)
                .timestamps(true)
                .tail(&max_lines.to_string())
                .build();
            let mut splitter = LineSplitter::default();
            let mut stream = docker.logs(id, Some(options));
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.context("reading the log stream")?;
                splitter.feed(&chunk.into_bytes(), &mut |line| buffer.push(line));
            }
            splitter.finish(&mut |line| buffer.push(line));
            let truncated = buffer.dropped > 0 || splitter.cut_lines > 0;
            Ok((buffer.into_text(), truncated))
        }
    }
}

/// Lines of a service container's log since `since` that concern the task.
pub struct Filtered {
    pub text: String,
    pub records: u64,
    pub kept: u64,
    pub dropped: u64,
}

/// Maximum size of one filtered service log member; the newest lines are kept.
pub const FILTERED_MAX_BYTES: u64 = 32 << 20;

pub async fn filtered(
    docker: &Docker,
    id: &str,
    route: &Route,
    matcher: &KeyMatcher,
    since: DateTime<Utc>,
) -> anyhow::Result<Filtered> {
    let mut buffer = TailBuffer::new(u64::MAX, FILTERED_MAX_BYTES);
    let window = SinceWindow::new(since);
    match route {
        Route::File(paths) => {
            let paths = paths.clone();
            let matcher = matcher.clone();
            let (buffer, stats) = tokio::task::spawn_blocking(move || {
                let stats = log_read::filter_files(
                    &paths,
                    RecordFormat::DockerJson,
                    &matcher,
                    Some(window),
                    &mut buffer,
                );
                stats.map(|stats| (buffer, stats))
            })
            .await
            .map_err(|e| anyhow!("log reader stopped: {e}"))??;
            Ok(Filtered {
                records: stats.records,
                kept: stats.kept,
                dropped: buffer.dropped,
                text: buffer.into_text(),
            })
        }
        Route::Api => {
            let options = LogsOptionsBuilder::new()
                .stdout(true)
                .stderr(true)
                .timestamps(true)
                .since(since.timestamp().clamp(0, i32::MAX as i64) as i32)
                .build();
            let mut filter = ContextFilter::new(
                matcher,
                RecordFormat::Plain {
                    docker_timestamp: true,
                },
                Some(window),
            );
            let mut splitter = LineSplitter::default();
            let mut stream = docker.logs(id, Some(options));
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.context("reading the log stream")?;
                splitter.feed(&chunk.into_bytes(), &mut |line| {
                    filter.push(line, &mut |kept| buffer.push(kept))
                });
            }
            splitter.finish(&mut |line| filter.push(line, &mut |kept| buffer.push(kept)));
            Ok(Filtered {
                records: filter.seen,
                kept: filter.kept,
                dropped: buffer.dropped,
                text: buffer.into_text(),
            })
        }
    }
}

/// Joins stream chunks into lines of at most [`MAX_LINE_BYTES`].
#[derive(Default)]
struct LineSplitter {
    partial: Vec<u8>,
    cutting: bool,
    cut_lines: u64,
}

impl LineSplitter {
    fn feed(&mut self, mut bytes: &[u8], line: &mut dyn FnMut(&[u8])) {
        while !bytes.is_empty() {
            let (chunk, rest, done) = match memchr::memchr(b'\n', bytes) {
                Some(at) => (&bytes[..at], &bytes[at + 1..], true),
                None => (bytes, &[][..], false),
            };
            let room = MAX_LINE_BYTES.saturating_sub(self.partial.len());
            if chunk.len() > room {
                self.cutting = true;
            }
            self.partial
                .extend_from_slice(&chunk[..chunk.len().min(room)]);
            if done {
                self.emit(line);
            }
            bytes = rest;
        }
    }

    fn finish(&mut self, line: &mut dyn FnMut(&[u8])) {
        if !self.partial.is_empty() {
            self.emit(line);
        }
    }

    fn emit(&mut self, line: &mut dyn FnMut(&[u8])) {
        if self.cutting {
            self.cut_lines += 1;
            self.cutting = false;
        }
        line(&self.partial);
        self.partial.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitter_joins_chunks() {
        let mut splitter = LineSplitter::default();
        let mut lines = Vec::new();
        splitter.feed(b"ab", &mut |l| lines.push(l.to_vec()));
        splitter.feed(b"c\nd\ne", &mut |l| lines.push(l.to_vec()));
        splitter.finish(&mut |l| lines.push(l.to_vec()));
        assert_eq!(lines, vec![b"abc".to_vec(), b"d".to_vec(), b"e".to_vec()]);
    }

    #[test]
    fn rotated_siblings_are_oldest_first() {
        let dir = tempfile::Builder::new()
            .prefix("wi-test-rotated-")
            .tempdir()
            .unwrap();
        let path = dir.path().join("c-json.log");
        for name in ["c-json.log", "c-json.log.1", "c-json.log.2.gz"] {
            std::fs::write(dir.path().join(name), b"").unwrap();
        }
        let files = rotated_siblings(&path, None);
        let names: Vec<_> = files
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["c-json.log.2.gz", "c-json.log.1", "c-json.log"]);
    }
}
