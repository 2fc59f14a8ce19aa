//! The index of log lines the reader keeps from each text member.
//!
//! Log members can be far larger than memory should hold, so the reader keeps only the
//! lines the rules look at. These are the first [`Limits::head_lines`] and last
//! [`Limits::tail_lines`] of each member, and every line that contains one of
//! [`KEYWORDS`], up to [`Limits::max_kept_lines_per_member`] per member. Keyword lines
//! past that limit are counted in [`TextMember::lines_not_indexed`].
//!
//! The keywords come from the messages Wegent services write around dispatch,
//! containers, callbacks, heartbeats, status changes, cleanup and failures, and from the
//! phrases model gateways and git print when a request fails. Every log needle a rule
//! matches must contain one of them; `rule_needles_are_indexed` checks that. [`KEYWORDS`]
//! match case-sensitively (so `OOM` does not match `room`), [`KEYWORDS_ANY_CASE`] ignore
//! ASCII case, and a keyword made of digits only (`502`) must not touch other digits (so
//! it does not match `15023`).

use std::collections::VecDeque;
use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use super::limits::Limits;
use super::loaded::{LogLine, TextMember};
use super::timestamps::{parse_app_time, split_docker_prefix};

/// Substrings that make a log line worth keeping.
pub const KEYWORDS: &[&str] = &[
    // Errors and failures.
    "ERROR",
    "Error",
    "error",
    "CRITICAL",
    "FATAL",
    "Traceback",
    "Exception",
    "exception",
    "panicked",
    "Failed to",
    "failed",
    "Failed",
    "failure",
    "Unexpected error",
    "Timeout",
    "timeout",
    "refused",
    "unreachable",
    "502",
    "503",
    "504",
    "429",
    "Bad Gateway",
    "所有供应商",
    "服务暂时不可用",
    "暂时不可用",
    "不可用",
    "无可用渠道",
    "饱和",
    "请求过于频繁",
    "额度已用尽",
    "余额不足",
    "令牌",
    "无权访问",
    "模型不存在",
    "不支持的模型",
    "OOM",
    "SIGKILL",
    "exit code",
    "exited with code",
    "exited immediately",
    "Unknown column",
    "(1054,",
    "Data truncated for column",
    "Out of sort memory",
    "Backend returned error",
    "rejected",
    // Status words.
    "PENDING",
    "RUNNING",
    "COMPLETED",
    "FAILED",
    "CANCELLED",
    "CANCELLING",
    "statusPhase",
    // Dispatch and queueing.
    "requeued",
    "TaskQueue",
    "Capacity check",
    "No available slots",
    "Online tasks",
    "Processing task",
    "Task processed",
    "Sending task to",
    "TASK_INFO",
    // Containers.
    "Container",
    "container",
    "Recreating",
    "Docker run error",
    "Starting Docker",
    "Started Docker",
    "Deleted Docker",
    "delete executor",
    "executor_job",
    "not currently running",
    "RunningTaskTracker",
    "preserved for debugging",
    // Callbacks, heartbeats and status updates.
    "Updating task status",
    "update subtask",
    "Updated subtask",
    "StatusUpdatingEmitter",
    "cancel",
    "Cancel",
    // Workspace and model.
    "GIT_TOKEN_AES_KEY",
    "Creating agent",
];

/// Phrases that make a log line worth keeping in any ASCII case. Model gateways, git and
/// the services spell these in upper, lower and title case.
pub const KEYWORDS_ANY_CASE: &[&str] = &[
    // Model gateways: unavailability, throttling, rejected requests.
    "unavailable",
    "no available",
    "overloaded",
    "rate_limit",
    "rate limit",
    "too many requests",
    "quota",
    "unauthorized",
    "forbidden",
    "api key",
    "api_key",
    "invalid api",
    "x-api-key",
    "invalid_request_error",
    "request_too_large",
    "context_length",
    "context length",
    "prompt is too long",
    "invalid beta flag",
    "anthropic-beta",
    "tool_result",
    "tool_call_id",
    "must be a response",
    "must be followed",
    // Git.
    "git clone",
    "clone",
    "could not read",
    "credentials missing",
    // Dispatch, capacity and cleanup, as rules match them ignoring case.
    "dispatch",
    "enqueued",
    "dequeued",
    "timed out",
    "heartbeat",
    "callback",
    "at capacity",
    "max concurrent tasks",
    "executor image not provided",
    "deleting executor",
    "delete executor",
    "fetched",
];

fn matcher() -> &'static AhoCorasick {
    static MATCHER: OnceLock<AhoCorasick> = OnceLock::new();
    MATCHER.get_or_init(|| {
        // Building fails only for pattern sets far larger than this fixed list. The
        // `keyword_ignores_plain_lines` test builds it, so a failure would show there.
        AhoCorasick::new(KEYWORDS).unwrap_or_else(|_| unreachable!("keyword automaton"))
    })
}

fn any_case_matcher() -> &'static AhoCorasick {
    static MATCHER: OnceLock<AhoCorasick> = OnceLock::new();
    MATCHER.get_or_init(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(KEYWORDS_ANY_CASE)
            .unwrap_or_else(|_| unreachable!("keyword automaton"))
    })
}

/// Returns whether a line contains one of [`KEYWORDS`] or [`KEYWORDS_ANY_CASE`].
pub fn is_keyword_line(line: &[u8]) -> bool {
    if any_case_matcher().is_match(line) {
        return true;
    }

    for found in matcher().find_overlapping_iter(line) {
        let keyword = KEYWORDS[found.pattern().as_usize()].as_bytes();
        if !keyword.iter().all(u8::is_ascii_digit) {
            return true;
        }

        let before = found.start().checked_sub(1).map(|i| line[i]);
        let after = line.get(found.end()).copied();
        let touches_digit =
            before.is_some_and(|b| b.is_ascii_digit()) || after.is_some_and(|b| b.is_ascii_digit());
        if !touches_digit {
            return true;
        }
    }
    false
}

/// A line waiting in the tail window.
struct TailLine {
    line_no: u64,
    text: Vec<u8>,
    truncated: bool,
    /// A keyword line that the per-member limit kept out of the index.
    dropped_keyword: bool,
}

/// Builds the kept lines of one member while its lines stream past.
pub struct MemberIndex {
    member: String,
    head_lines: u64,
    tail_lines: usize,
    keyword_budget: usize,
    line_no: u64,
    kept: Vec<LogLine>,
    keyword_lines_kept: usize,
    dropped: u64,
    tail: VecDeque<TailLine>,
    spare: Vec<Vec<u8>>,
}

impl MemberIndex {
    pub fn new(member: &str, limits: &Limits) -> Self {
        MemberIndex {
            member: member.to_string(),
            head_lines: limits.head_lines as u64,
            tail_lines: limits.tail_lines,
            keyword_budget: limits
                .max_kept_lines_per_member
                .saturating_sub(limits.head_lines + limits.tail_lines),
            line_no: 0,
            kept: Vec::new(),
            keyword_lines_kept: 0,
            dropped: 0,
            tail: VecDeque::with_capacity(limits.tail_lines),
            spare: Vec::new(),
        }
    }

    /// Adds the next line (without its line ending). `truncated` means that bytes past
    /// the line limit were cut off.
    pub fn push_line(&mut self, line: &[u8], truncated: bool) {
        self.line_no += 1;
        self.evict_old_tail_lines();

        let is_head = self.line_no <= self.head_lines;
        let is_keyword = !is_head && is_keyword_line(line);
        if is_head || (is_keyword && self.keyword_lines_kept < self.keyword_budget) {
            if is_keyword {
                self.keyword_lines_kept += 1;
            }
            let kept = make_log_line(&self.member, self.line_no, line, truncated);
            self.kept.push(kept);
            return;
        }
        if is_keyword {
            self.dropped += 1;
        }
        if self.tail_lines == 0 {
            return;
        }

        let mut text = self.spare.pop().unwrap_or_default();
        text.clear();
        text.extend_from_slice(line);
        self.tail.push_back(TailLine {
            line_no: self.line_no,
            text,
            truncated,
            dropped_keyword: is_keyword,
        });
    }

    /// Drops tail candidates that are no longer among the last `tail_lines` lines.
    fn evict_old_tail_lines(&mut self) {
        while let Some(front) = self.tail.front() {
            if front.line_no + self.tail_lines as u64 >= self.line_no {
                break;
            }
            if let Some(old) = self.tail.pop_front() {
                self.spare.push(old.text);
            }
        }
    }

    /// Returns the kept lines in line order and the member's size facts.
    pub fn finish(mut self, bytes: u64) -> (Vec<LogLine>, TextMember) {
        self.line_no += 1;
        self.evict_old_tail_lines();
        let lines = self.line_no - 1;

        let mut tail_lines = Vec::with_capacity(self.tail.len());
        for tail in self.tail.drain(..) {
            if tail.dropped_keyword {
                self.dropped -= 1;
            }
            tail_lines.push(make_log_line(
                &self.member,
                tail.line_no,
                &tail.text,
                tail.truncated,
            ));
        }

        let mut lines_kept = Vec::with_capacity(self.kept.len() + tail_lines.len());
        let mut tail_iter = tail_lines.into_iter().peekable();
        for kept in self.kept {
            while let Some(tail) = tail_iter.next_if(|tail| tail.line_no < kept.line_no) {
                lines_kept.push(tail);
            }
            lines_kept.push(kept);
        }
        lines_kept.extend(tail_iter);

        let member = TextMember {
            path: self.member,
            bytes,
            lines,
            lines_not_indexed: self.dropped,
        };
        (lines_kept, member)
    }
}

fn make_log_line(member: &str, line_no: u64, raw: &[u8], truncated: bool) -> LogLine {
    let mut text = String::from_utf8_lossy(raw).into_owned();
    if truncated {
        text.push('…');
    }

    let (docker_time, rest) = match split_docker_prefix(&text) {
        Some((time, rest)) => (Some(time), rest.to_string()),
        None => (None, text),
    };
    let app_time = parse_app_time(&rest);

    LogLine {
        member: member.to_string(),
        line_no,
        text: rest,
        docker_time,
        app_time,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small_limits() -> Limits {
        Limits {
            head_lines: 2,
            tail_lines: 3,
            max_kept_lines_per_member: 6,
            ..Limits::default()
        }
    }

    fn index(lines: &[&str], limits: &Limits) -> (Vec<LogLine>, TextMember) {
        let mut index = MemberIndex::new("logs/x.txt", limits);
        let mut bytes = 0;
        for line in lines {
            index.push_line(line.as_bytes(), false);
            bytes += line.len() as u64 + 1;
        }
        index.finish(bytes)
    }

    #[test]
    fn keyword_matches_catalogue_messages() {
        for line in [
            "[Callback] Backend returned error: status_code=500",
            "Task 89 is not currently running",
            "No available slots for new tasks, skipping fetch",
            "[TaskQueue] Enqueued task task_id:89 subtask_id:312",
            "Existing executor container unavailable for task 89. Recreating container.",
            "error: 所有供应商暂时不可用",
            "pymysql.err.OperationalError: (1054, \"Unknown column 'x'\")",
            "HTTP/1.1\" 502 Bad Gateway",
            "status=503",
        ] {
            assert!(is_keyword_line(line.as_bytes()), "{line}");
        }
    }

    /// The shortest text each rule's log patterns and needles match, per rule. Every one
    /// must be kept, or the rule misses the line in a large log.
    const RULE_NEEDLES: &[(&str, &str)] = &[
        (
            "callback-failed",
            "Failed to send 'running' status callback",
        ),
        ("callback-failed", "Client error (422) during callback"),
        (
            "callback-failed",
            "Client error (404) during updating status for task 89",
        ),
        ("callback-failed", "Failed to update status for task 89"),
        ("callback-failed", "Error processing callback"),
        ("callback-failed", "CALLBACK REQUEST FAILED"),
        ("callback-failed", "Request failed (attempt 3/10)"),
        ("callback-failed", "Request failed after 10 retries"),
        ("callback-failed", "Callback sent successfully"),
        (
            "callback-failed",
            "Successfully processed callback for task 89",
        ),
        (
            "callback-rejected-by-backend",
            "[Callback] Backend returned error: status_code=500",
        ),
        (
            "callback-rejected-by-backend",
            "[Callback] Received from executor",
        ),
        (
            "callback-rejected-by-backend",
            "Removing task 89 from RunningTaskTracker (source: x)",
        ),
        ("callback-rejected-by-backend", "Error updating subtask 312"),
        (
            "executor-capacity-exhausted",
            "5 running pods, 5 max concurrent tasks",
        ),
        (
            "executor-capacity-exhausted",
            "No available slots for new tasks",
        ),
        (
            "executor-capacity-exhausted",
            "executor manager AT CAPACITY",
        ),
        ("executor-deleted-by-cleanup", "executor_job removed 3"),
        (
            "executor-deleted-by-cleanup",
            "Deleting executor wegent-task-89",
        ),
        (
            "executor-deleted-by-cleanup",
            "delete executor wegent-task-89",
        ),
        ("dispatch-lost", "DISPATCH"),
        ("dispatch-lost", "Timed Out"),
        ("dispatch-lost", "enqueued"),
        ("dispatch-lost", "DEQUEUED"),
        ("heartbeat-lost", "HEARTBEAT TIMED OUT"),
        ("heartbeat-lost", "heartbeat request failed"),
        ("never-dispatched", "no available slots"),
        ("never-dispatched", "fetched task 89"),
        ("stuck-cancelling", "Task 89 is not currently running"),
        ("stuck-cancelling", "failed to communicate with executor"),
        (
            "stuck-cancelling",
            "error calling executor_manager to cancel",
        ),
        (
            "stuck-cancelling",
            "executor did not acknowledge cancellation",
        ),
        ("executor-start-failed", "docker run error"),
        ("executor-start-failed", "No available ports"),
        ("executor-start-failed", "Executor image not provided"),
        ("executor-start-failed", "failed to become ready"),
        ("executor-start-failed", "initial task dispatch attempt 3"),
        ("executor-start-failed", "exited immediately with code 1"),
        ("executor-start-failed", "task failed after 3 attempts"),
        ("executor-start-failed", "error for task 89"),
        ("executor-exited-without-callback", "CALLBACK"),
        ("schema-drift", "Unknown column 'x'"),
        ("schema-drift", "(1054, x)"),
        ("schema-drift", "Data truncated for column 'status'"),
        ("model-gateway-unavailable", "error code: 503"),
        ("model-gateway-unavailable", "SERVICE_UNAVAILABLE"),
        ("model-gateway-unavailable", "Overloaded_Error"),
        (
            "model-gateway-unavailable",
            "all upstream providers are temporarily unavailable",
        ),
        ("model-gateway-unavailable", "No available channel"),
        ("model-gateway-unavailable", "model_unavailable"),
        ("model-gateway-unavailable", "所有供应商暂时不可用"),
        ("model-gateway-unavailable", "服务暂时不可用"),
        ("model-gateway-unavailable", "供应商 x 不可用"),
        ("model-gateway-unavailable", "无可用渠道"),
        ("model-gateway-unavailable", "上游负载饱和"),
        ("model-gateway-unavailable", "503 upstream unavailable"),
        ("model-gateway-unavailable", "服务不可用"),
        ("model-gateway-unavailable", "HTTP 429"),
        ("model-gateway-unavailable", "RATE_LIMIT_EXCEEDED"),
        ("model-gateway-unavailable", "insufficient_quota"),
        ("model-gateway-unavailable", "Quota exceeded"),
        ("model-gateway-unavailable", "Rate limited"),
        ("model-gateway-unavailable", "Too Many Requests"),
        ("model-gateway-unavailable", "请求过于频繁"),
        ("model-gateway-unavailable", "额度已用尽"),
        ("model-gateway-unavailable", "余额不足"),
        ("model-request-rejected", "error code: 401"),
        ("model-request-rejected", "authentication_error"),
        ("model-request-rejected", "permission_error"),
        ("model-request-rejected", "INVALID_API_KEY"),
        ("model-request-rejected", "Incorrect API key provided"),
        ("model-request-rejected", "invalid x-api-key"),
        ("model-request-rejected", "无效的令牌"),
        ("model-request-rejected", "未提供令牌"),
        ("model-request-rejected", "401 Unauthorized"),
        ("model-request-rejected", "403 Forbidden"),
        ("model-request-rejected", "Invalid apikey"),
        ("model-request-rejected", "无权访问"),
        ("model-request-rejected", "invalid_request_error"),
        ("model-request-rejected", "not_found_error"),
        ("model-request-rejected", "request_too_large"),
        ("model-request-rejected", "context_length_exceeded"),
        ("model-request-rejected", "invalid beta flag"),
        ("model-request-rejected", "anthropic-beta: x is unsupported"),
        (
            "model-request-rejected",
            "unexpected value for anthropic-beta",
        ),
        (
            "model-request-rejected",
            "tool_use ids were found without tool_result blocks",
        ),
        ("model-request-rejected", "tool_call_id x not found"),
        (
            "model-request-rejected",
            "must be a response to a preceding message with tool",
        ),
        ("model-request-rejected", "prompt is too long"),
        ("model-request-rejected", "maximum context length"),
        ("model-request-rejected", "模型不存在"),
        ("model-request-rejected", "不支持的模型"),
        ("git-clone-failed", "Failed to clone project"),
        ("git-clone-failed", "git clone failed"),
        ("git-clone-failed", "Git clone credentials missing"),
        (
            "git-clone-failed",
            "git credentials missing for protected repository",
        ),
        (
            "git-clone-failed",
            "could not read Username for 'https://git.example'",
        ),
        (
            "git-clone-failed",
            "fatal: Could not read Password for 'https://git.example'",
        ),
        ("git-clone-failed", "GIT_TOKEN_AES_KEY is not set"),
        ("errors-in-logs", "Traceback (most recent call last):"),
        ("errors-in-logs", "CRITICAL"),
        ("errors-in-logs", "FATAL"),
        ("errors-in-logs", "KeyError"),
        ("errors-in-logs", "RuntimeException"),
        ("errors-in-logs", "thread 'main' panicked at"),
        ("errors-in-logs", "out of memory (OOM)"),
        ("errors-in-logs", "OOM killed"),
    ];

    #[test]
    fn rule_needles_are_indexed() {
        for (rule, needle) in RULE_NEEDLES {
            assert!(
                is_keyword_line(needle.as_bytes()),
                "{rule}: the index drops lines containing {needle:?}"
            );
        }
    }

    #[test]
    fn keyword_ignores_plain_lines() {
        for line in [
            "GET /api/health 200 OK room bloom",
            "request id 15023 took 3ms",
            "Selected available port: 5030",
        ] {
            assert!(!is_keyword_line(line.as_bytes()), "{line}");
        }
    }

    #[test]
    fn index_keeps_head_keywords_and_tail() {
        let lines: Vec<String> = (1..=20)
            .map(|n| {
                if n == 8 {
                    format!("line {n} ERROR")
                } else {
                    format!("line {n}")
                }
            })
            .collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let (kept, member) = index(&refs, &small_limits());

        let numbers: Vec<u64> = kept.iter().map(|l| l.line_no).collect();
        assert_eq!(numbers, vec![1, 2, 8, 18, 19, 20]);
        assert_eq!(member.lines, 20);
        assert_eq!(member.lines_not_indexed, 0);
    }

    #[test]
    fn index_counts_keyword_lines_past_limit() {
        let lines: Vec<String> = (1..=12).map(|n| format!("line {n} FAILED")).collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let (kept, member) = index(&refs, &small_limits());

        // 6 kept at most: 2 head lines, 1 keyword line (line 3) and 3 tail lines.
        let numbers: Vec<u64> = kept.iter().map(|l| l.line_no).collect();
        assert_eq!(numbers, vec![1, 2, 3, 10, 11, 12]);
        assert_eq!(member.lines_not_indexed, 6);
    }

    #[test]
    fn index_parses_both_timestamps() {
        let (kept, _) = index(
            &["2026-01-20T06:03:12.5Z 2026-01-20 14:03:12,250 - [-] - INFO - x"],
            &Limits::default(),
        );
        let line = &kept[0];
        assert_eq!(line.text, "2026-01-20 14:03:12,250 - [-] - INFO - x");
        assert_eq!(
            line.docker_time.unwrap().to_rfc3339(),
            "2026-01-20T06:03:12.500+00:00"
        );
        assert_eq!(
            line.app_time.unwrap().to_string(),
            "2026-01-20 14:03:12.250"
        );
    }

    #[test]
    fn index_of_short_member_keeps_every_line_once() {
        let (kept, member) = index(&["a", "b", "c"], &small_limits());
        let numbers: Vec<u64> = kept.iter().map(|l| l.line_no).collect();
        assert_eq!(numbers, vec![1, 2, 3]);
        assert_eq!(member.lines, 3);
    }
}
