//! Selects the log lines that concern one task, shared by the docker and logs sources.
//!
//! A line is kept when it names the task, one of its subtasks or one of its executors.
//! The search keys are those of Wegent's log messages (`task_id=89`, `task 89`, `ID=89`,
//! `89/312`, `resp_312`, `subtask_id=312`, `wegent-task-…`), matched with number
//! boundaries, so task 89 never matches `task_id=890` or `1289`. Error lines (`ERROR`, `Traceback`, …)
//! within [`BEFORE_LINES`] lines before or [`AFTER_LINES`] lines after a kept line are
//! kept too, each with its continuation lines (a Python traceback's `File …` lines),
//! up to [`MAX_BLOCK_LINES`] of them.
//!
//! [`ContextFilter`] is push-based and holds only the few lines of its look-behind
//! window, so a log of any size passes through it in constant memory. It does not read
//! files; `log_read` feeds it. Records are either plain text lines or Docker json-file
//! entries ([`RecordFormat`]); a json-file entry is decoded only when it is kept.

use std::collections::VecDeque;

use chrono::{DateTime, Duration as ChronoDuration, NaiveDateTime, Utc};
use regex::bytes::Regex;
use serde::Deserialize;

/// Lines before a key line that are searched for error blocks.
pub const BEFORE_LINES: usize = 20;

/// Lines after a key line in which error lines are kept.
pub const AFTER_LINES: usize = 20;

/// Continuation lines kept after one kept line.
pub const MAX_BLOCK_LINES: usize = 200;

/// Identifiers of the task that log lines are searched for.
#[derive(Debug, Clone, Default)]
pub struct TaskKeys {
    pub task_id: i64,
    pub subtask_ids: Vec<i64>,
    pub executor_names: Vec<String>,
}

/// Decides whether a line names the task and whether it reports an error.
#[derive(Debug, Clone)]
pub struct KeyMatcher {
    /// Cheap test: the line contains one of the ids or names at all.
    literals: Regex,
    /// Exact test with the message context and boundaries.
    keys: Regex,
    errors: Regex,
    /// Task ids named in a line, to leave out error lines of other tasks.
    any_task: Regex,
    task_id: String,
}

impl KeyMatcher {
    pub fn new(keys: &TaskKeys) -> KeyMatcher {
        let task = keys.task_id.to_string();
        let mut literals = vec![regex::escape(&task)];
        let mut branches = vec![format!(
            r#"(?i:task_id["']?\s*[:=]\s*["'\[]?\s*|\btask[\s=_:-]+|\bid=|\]\[|workspace-|/tasks/){task}(?:[^0-9]|$)"#
        )];

        for subtask in &keys.subtask_ids {
            let subtask = subtask.to_string();
            literals.push(regex::escape(&subtask));
            branches.push(format!(
                r#"(?i:subtask_id["']?\s*[:=]\s*["'\[]?\s*|\bsubtask[\s=_:-]+|resp_)(?-i:{subtask})(?:[^0-9]|$)"#
            ));
            branches.push(format!(r"(?:^|[^0-9]){task}/{subtask}(?:[^0-9]|$)"));
        }

        for name in keys.executor_names.iter().filter(|n| !n.trim().is_empty()) {
            let name = regex::escape(name.trim());
            literals.push(name.clone());
            branches.push(format!(r"(?:^|[^A-Za-z0-9_-]){name}(?:[^A-Za-z0-9_-]|$)"));
        }

        KeyMatcher {
            any_task: build(r#"(?i:task_id["']?\s*[:=]\s*["'\[]?\s*|\btask[\s=:]+|\bid=)([0-9]+)"#),
            task_id: task,
            literals: build(&literals.join("|")),
            keys: build(&branches.join("|")),
            errors: build(
                r"\bERROR\b|\bCRITICAL\b|Traceback \(most recent call last\)|\b[A-Z][A-Za-z]*(?:Error|Exception)\b|\bOOM|timed out|[Rr]efused",
            ),
        }
    }

    /// True when the line names the task, one of its subtasks or executors.
    pub fn is_key(&self, line: &[u8]) -> bool {
        self.literals.is_match(line) && self.keys.is_match(line)
    }

    /// True when the line reports an error and names no other task than this one.
    pub fn is_error(&self, line: &[u8]) -> bool {
        if !self.errors.is_match(line) {
            return false;
        }
        let mut ids = self
            .any_task
            .captures_iter(line)
            .filter_map(|c| c.get(1))
            .peekable();
        ids.peek().is_none() || ids.any(|id| id.as_bytes() == self.task_id.as_bytes())
    }
}

fn build(pattern: &str) -> Regex {
    // The patterns are built from escaped literals and digits only, so they always
    // compile; the size limit is raised for tasks with many subtasks.
    regex::bytes::RegexBuilder::new(pattern)
        .size_limit(64 << 20)
        .build()
        .unwrap_or_else(|_| Regex::new("$^").expect("empty pattern compiles"))
}

/// Record layout of a log input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordFormat {
    /// One text line per record, optionally after Docker's `timestamps=true` prefix.
    Plain { docker_timestamp: bool },
    /// One Docker json-file entry per record: `{"log":"…","stream":"…","time":"…"}`.
    DockerJson,
}

#[derive(Deserialize)]
struct JsonEntry<'a> {
    #[serde(borrow)]
    log: std::borrow::Cow<'a, str>,
    #[serde(default)]
    time: &'a str,
}

impl RecordFormat {
    /// Returns the message part of a record, used for decisions. For json-file entries
    /// this is the still-escaped JSON text of `log`, which contains ids and names unchanged.
    pub fn body<'a>(&self, record: &'a [u8]) -> &'a [u8] {
        match self {
            RecordFormat::Plain {
                docker_timestamp: false,
            } => record,
            RecordFormat::Plain {
                docker_timestamp: true,
            } => match memchr::memchr(b' ', record) {
                Some(space) => &record[space + 1..],
                None => record,
            },
            RecordFormat::DockerJson => {
                let start = record.strip_prefix(b"{\"log\":\"").unwrap_or(record);
                match memchr::memmem::rfind(start, b"\",\"stream\"") {
                    Some(end) => &start[..end],
                    None => start,
                }
            }
        }
    }

    /// Returns the record's timestamp text when the format carries one (RFC 3339, UTC).
    pub fn docker_time<'a>(&self, record: &'a [u8]) -> Option<&'a [u8]> {
        match self {
            RecordFormat::Plain {
                docker_timestamp: true,
            } => memchr::memchr(b' ', record).map(|space| &record[..space]),
            RecordFormat::DockerJson => {
                let at = memchr::memmem::rfind(record, b"\"time\":\"")? + 8;
                let rest = &record[at..];
                let end = memchr::memchr(b'"', rest)?;
                Some(&rest[..end])
            }
            RecordFormat::Plain {
                docker_timestamp: false,
            } => None,
        }
    }

    /// Appends the record as one output line (without the newline): plain records as
    /// they are, json-file entries as `<time> <log>` like `docker logs --timestamps`.
    pub fn render(&self, record: &[u8], out: &mut Vec<u8>) {
        match self {
            RecordFormat::Plain { .. } => out.extend_from_slice(trim_newline(record)),
            RecordFormat::DockerJson => match serde_json::from_slice::<JsonEntry>(record) {
                Ok(entry) => {
                    out.extend_from_slice(entry.time.as_bytes());
                    out.push(b' ');
                    out.extend_from_slice(trim_newline(entry.log.as_bytes()));
                }
                // A cut or damaged entry is kept as raw text rather than lost.
                Err(_) => out.extend_from_slice(trim_newline(record)),
            },
        }
    }
}

fn trim_newline(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    bytes.strip_suffix(b"\r").unwrap_or(bytes)
}

/// The `--since` window applied to line timestamps.
///
/// Docker timestamps are UTC and compared exactly. Wegent's own log lines carry naive
/// local times (`2026-01-20 14:03:12`) of a clock that is unknown here. They are compared
/// with the window start moved back by 14 hours, the largest UTC offset, so no line
/// inside the window is lost and at most 14 extra hours of older lines pass.
/// Lines without a timestamp follow the decision of the line before them.
#[derive(Debug, Clone)]
pub struct SinceWindow {
    utc_start: String,
    naive_start: NaiveDateTime,
    inside: bool,
}

/// Slack for naive timestamps of unknown offset.
const MAX_UTC_OFFSET_HOURS: i64 = 14;

impl SinceWindow {
    pub fn new(start: DateTime<Utc>) -> SinceWindow {
        SinceWindow {
            utc_start: start.format("%Y-%m-%dT%H:%M:%S").to_string(),
            naive_start: (start - ChronoDuration::hours(MAX_UTC_OFFSET_HOURS)).naive_utc(),
            inside: true,
        }
    }

    /// Returns the window start as Docker's RFC 3339 prefix, `2026-01-20T14:03:12`.
    pub fn utc_start(&self) -> &str {
        &self.utc_start
    }

    /// Decides for one record whether it lies inside the window.
    pub fn contains(&mut self, docker_time: Option<&[u8]>, body: &[u8]) -> bool {
        if let Some(time) = docker_time {
            let cut = time.len().min(19);
            self.inside = &time[..cut] >= self.utc_start.as_bytes();
            return self.inside;
        }
        if let Some(naive) = leading_naive_time(body) {
            self.inside = naive >= self.naive_start;
        }
        self.inside
    }
}

/// Parses a leading `YYYY-MM-DD HH:MM:SS` (or with `T`), as Wegent's Python loggers write.
fn leading_naive_time(body: &[u8]) -> Option<NaiveDateTime> {
    if !starts_with_date(body) || body.len() < 19 {
        return None;
    }
    let text = std::str::from_utf8(&body[..19]).ok()?;
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .ok()
}

fn starts_with_date(body: &[u8]) -> bool {
    body.len() >= 10
        && body[..4].iter().all(u8::is_ascii_digit)
        && body[4] == b'-'
        && body[7] == b'-'
}

/// True when a line starts a new log record rather than continuing the one before it
/// (a traceback frame, a wrapped message): it starts with a date, or with a level word
/// followed by a colon as uvicorn writes (`INFO:     …`).
fn starts_record(body: &[u8]) -> bool {
    if starts_with_date(body) {
        return true;
    }
    let word = body.iter().take_while(|b| b.is_ascii_uppercase()).count();
    word >= 3 && body.get(word) == Some(&b':')
}

/// The push-based filter; see the module documentation.
pub struct ContextFilter<'m> {
    matcher: &'m KeyMatcher,
    format: RecordFormat,
    window: Option<SinceWindow>,
    before: VecDeque<Vec<u8>>,
    spare: Vec<Vec<u8>>,
    after_left: usize,
    block_left: usize,
    rendered: Vec<u8>,
    /// Records seen and kept, for the summary.
    pub seen: u64,
    pub kept: u64,
}

impl<'m> ContextFilter<'m> {
    pub fn new(matcher: &'m KeyMatcher, format: RecordFormat, window: Option<SinceWindow>) -> Self {
        ContextFilter {
            matcher,
            format,
            window,
            before: VecDeque::with_capacity(BEFORE_LINES + 1),
            spare: Vec::new(),
            after_left: 0,
            block_left: 0,
            rendered: Vec::new(),
            seen: 0,
            kept: 0,
        }
    }

    /// Feeds one record; `emit` receives each kept line, rendered, without newline.
    pub fn push(&mut self, record: &[u8], emit: &mut dyn FnMut(&[u8])) {
        self.seen += 1;
        let body = self.format.body(record);

        if let Some(window) = &mut self.window
            && !window.contains(self.format.docker_time(record), body)
        {
            self.before.clear();
            self.after_left = 0;
            self.block_left = 0;
            return;
        }

        let new_record = starts_record(body);
        if !new_record && self.block_left > 0 {
            self.block_left -= 1;
            self.emit(record, emit);
            return;
        }
        if new_record {
            self.block_left = 0;
        }

        if self.matcher.is_key(body) {
            self.flush_error_blocks(emit);
            self.emit(record, emit);
            self.after_left = AFTER_LINES;
            self.block_left = MAX_BLOCK_LINES;
            return;
        }

        if self.after_left > 0 {
            self.after_left -= 1;
            if self.matcher.is_error(body) {
                self.emit(record, emit);
                self.block_left = MAX_BLOCK_LINES;
                return;
            }
        }

        self.remember(record);
    }

    fn remember(&mut self, record: &[u8]) {
        let mut slot = if self.before.len() >= BEFORE_LINES {
            self.before.pop_front().unwrap_or_default()
        } else {
            self.spare.pop().unwrap_or_default()
        };
        slot.clear();
        slot.extend_from_slice(record);
        self.before.push_back(slot);
    }

    /// Emits the error lines of the look-behind window, each with its continuation lines.
    fn flush_error_blocks(&mut self, emit: &mut dyn FnMut(&[u8])) {
        let mut in_block = false;
        let mut lines = std::mem::take(&mut self.before);
        for record in lines.drain(..) {
            let body = self.format.body(&record);
            if self.matcher.is_error(body) {
                in_block = true;
                self.emit(&record, emit);
            } else if in_block && !starts_record(body) {
                self.emit(&record, emit);
            } else {
                in_block = false;
            }
            self.spare.push(record);
        }
        self.before = lines;
    }

    fn emit(&mut self, record: &[u8], emit: &mut dyn FnMut(&[u8])) {
        self.kept += 1;
        self.rendered.clear();
        self.format.render(record, &mut self.rendered);
        emit(&self.rendered);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> TaskKeys {
        TaskKeys {
            task_id: 89,
            subtask_ids: vec![312],
            executor_names: vec!["wegent-task-admin-e47497646f4e26c".into()],
        }
    }

    fn run(lines: &[&str]) -> Vec<String> {
        let matcher = KeyMatcher::new(&keys());
        let mut filter = ContextFilter::new(
            &matcher,
            RecordFormat::Plain {
                docker_timestamp: false,
            },
            None,
        );
        let mut kept = Vec::new();
        for line in lines {
            filter.push(line.as_bytes(), &mut |l| {
                kept.push(String::from_utf8_lossy(l).into_owned())
            });
        }
        kept
    }

    #[test]
    fn task_keys_match_with_boundaries() {
        let matcher = KeyMatcher::new(&keys());
        for hit in [
            "Successfully processed callback for task 89",
            "Processing task: ID=89, executor_type=docker",
            "callback task_id=89 subtask_id=312",
            "[TaskQueue] Enqueued task task_id:89 subtask_id:312",
            "[TaskQueue] Dequeued task 89/312 from queue",
            "response_id=resp_312",
            "Updated subtask 312 and task 90 status",
            "{'task_id': 89, 'x': 1}",
            "task_id: [89] Creating agent",
            "Agent[ClaudeCode][89] start",
            "GET /executor-manager/tasks/89/heartbeat",
            "Started Docker container wegent-task-admin-e47497646f4e26c with ID abc",
        ] {
            assert!(matcher.is_key(hit.as_bytes()), "should match: {hit}");
        }
        for miss in [
            "Successfully processed callback for task 890",
            "callback task_id=890 subtask_id=3120",
            "Processing task: ID=1289",
            "elapsed_ms=89 status=200",
            "port 8089 in use",
            "Started Docker container wegent-task-admin-e47497646f4e26cd",
            "[TaskQueue] Dequeued task 189/312 from queue",
        ] {
            assert!(!matcher.is_key(miss.as_bytes()), "should not match: {miss}");
        }
    }

    #[test]
    fn error_block_before_key_line_is_kept() {
        let kept = run(&[
            "2026-01-20 14:03:10 - INFO - unrelated",
            "2026-01-20 14:03:11 - ERROR - Request failed",
            "Traceback (most recent call last):",
            "  File \"x.py\", line 1, in <module>",
            "ValueError: boom",
            "2026-01-20 14:03:11 - INFO - other task 90",
            "2026-01-20 14:03:12 - INFO - Error for task 89: boom",
            "2026-01-20 14:03:13 - INFO - unrelated again",
        ]);
        assert_eq!(kept.len(), 5, "{kept:#?}");
        assert!(kept[0].contains("Request failed"));
        assert!(kept[3].contains("ValueError"));
        assert!(kept[4].contains("task 89"));
    }

    #[test]
    fn traceback_after_key_line_is_kept() {
        let kept = run(&[
            "2026-01-20 14:03:12 - ERROR - Failed to process task: ID=89, error=x",
            "Traceback (most recent call last):",
            "  File \"y.py\", line 2",
            "RuntimeError: x",
            "2026-01-20 14:03:13 - INFO - Fetching tasks",
            "2026-01-20 14:03:14 - ERROR - later error",
            "2026-01-20 14:03:14 - ERROR - Error for task 890: not ours",
            "2026-01-20 14:03:15 - INFO - unrelated",
        ]);
        assert_eq!(kept.len(), 5, "{kept:#?}");
        assert!(kept[4].contains("later error"));
    }

    #[test]
    fn docker_json_is_rendered_with_time() {
        let format = RecordFormat::DockerJson;
        let record =
            br#"{"log":"task 89 \"quoted\"\n","stream":"stdout","time":"2026-01-20T14:03:12.5Z"}"#;
        assert_eq!(
            format.docker_time(record),
            Some(&b"2026-01-20T14:03:12.5Z"[..])
        );
        assert!(format.body(record).starts_with(b"task 89"));
        let mut out = Vec::new();
        format.render(record, &mut out);
        assert_eq!(out, b"2026-01-20T14:03:12.5Z task 89 \"quoted\"");
    }

    #[test]
    fn since_window_uses_docker_and_naive_times() {
        let start = DateTime::parse_from_rfc3339("2026-01-20T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut window = SinceWindow::new(start);
        assert!(!window.contains(Some(b"2026-01-20T11:59:59.9Z"), b"x"));
        assert!(window.contains(Some(b"2026-01-20T12:00:00.1Z"), b"x"));
        assert!(window.contains(None, b"2026-01-20 00:00:00 within slack"));
        assert!(!window.contains(None, b"2026-01-19 20:00:00 too old"));
        assert!(!window.contains(None, b"continuation keeps the decision"));
    }
}
