//! Wegent's clocks run in different zones, or drift apart by more than their zone offsets.
//!
//! ### What it checks
//!
//! Three comparisons whose difference should be a whole time-zone offset (a multiple of
//! 15 minutes) give or take two minutes:
//!
//! - the database server's `UTC_TIMESTAMP()` against the bundle's `collected_at` from the
//!   host clock (the database query may run later than `collected_at` by at most the
//!   total collection time);
//! - `created_at` (MySQL session clock) against `completed_at` (backend clock) of PENDING
//!   and RUNNING subtasks, which Wegent writes in the same instant;
//! - per executor-manager and executor log member, the median difference between the
//!   application's own timestamp and Docker's, which should also equal the
//!   executor-manager offset the engine applied.
//!
//! When any comparison is off by more than two minutes, the finding is a warning whose
//! detail names the clock of the largest disagreement, its direction and its size: the
//! MySQL server clock against the collecting host, the application clock of a log member
//! against Docker's, or, for a subtask, the backend and MySQL clocks (which of the two
//! is off is unknown there). When
//! none is, the calibrated offsets are compared with the usual layout of a Wegent
//! deployment: a `+08:00` MySQL session (the backend sets it on its connections),
//! Asia/Shanghai executor-manager and executor logs, and a backend on UTC or `+08:00`.
//! Any other offset gets an informational finding that states the offsets applied; the
//! usual layout gets no finding.
//!
//! ### Why it matters
//!
//! Wegent stores naive times from several clocks, so staleness and the order of events
//! are only right after every time is put on one clock. Whole-zone offsets are
//! calibrated away; real drift is not, and shifts every "last updated" age by that much.
//!
//! ### Known problems
//!
//! Subtasks whose `completed_at` is the `1970-01-01` sentinel, or that have ended (their
//! `completed_at` was rewritten), are not compared.
//!
//! ### Evidence
//!
//! `db/server.json` (`/utc_now`, `/now`), `manifest.json` (`/collected_at`,
//! `/host_utc_offset`), `db/subtasks.json`, `logs/executor-manager.txt`,
//! `executors/<name>/logs.txt`.
//!
//! ### Fix
//!
//! Synchronise the host clock (chrony or systemd-timesyncd); containers share the host's
//! clock, so one fix covers them all.

use chrono::{DateTime, Duration, Utc};

use super::current_run;
use crate::bundle::loaded::LogLine;
use crate::bundle::model::members;
use crate::engine::ClockCalibration;
use crate::engine::clock::{self, SHANGHAI_OFFSET_SECONDS};
use crate::engine::{Context, Evidence, Finding, Msg, Rule, Severity};
use crate::i18n::Lang;

/// Drift beyond a whole-zone offset that the rule tolerates.
const TOLERANCE_SECONDS: i64 = 120;

/// Time zones are whole multiples of this.
const ZONE_STEP_SECONDS: i64 = 15 * 60;

/// One comparison that is off by more than the tolerance.
struct Drift {
    /// Signed: negative when the clock named by `kind` is behind its reference.
    seconds: i64,
    evidence: Evidence,
    kind: DriftKind,
}

/// The clock that a comparison puts in doubt, and its reference.
enum DriftKind {
    /// The MySQL server clock against the collecting host's.
    DbServer,
    /// The backend process clock against the MySQL server clock, on one subtask.
    Subtask(i64),
    /// The application clock of a log member against Docker's.
    Log(String),
}

impl Drift {
    /// Builds the detail message that names the clock and the direction.
    fn detail(&self) -> Msg {
        let ahead = self.seconds > 0;
        let msg = match &self.kind {
            DriftKind::DbServer if ahead => Msg::new("clock-skew.detail-db-ahead"),
            DriftKind::DbServer => Msg::new("clock-skew.detail-db-behind"),
            DriftKind::Subtask(id) => Msg::new("clock-skew.detail-subtask").arg("subtask", id),
            DriftKind::Log(member) if ahead => {
                Msg::new("clock-skew.detail-log-ahead").arg("member", member)
            }
            DriftKind::Log(member) => {
                Msg::new("clock-skew.detail-log-behind").arg("member", member)
            }
        };
        msg.arg(
            "drift",
            clock::format_duration(Duration::seconds(self.seconds.abs())),
        )
    }
}

pub struct ClockSkew;

impl Rule for ClockSkew {
    fn id(&self) -> &'static str {
        "clock-skew"
    }

    fn default_severity(&self) -> Severity {
        Severity::Info
    }

    fn messages(&self, lang: Lang) -> &'static [(&'static str, &'static str)] {
        match lang {
            Lang::En => EN,
            Lang::Zh => ZH,
        }
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let clock = &cx.facts.clock;
        let mut drifts = Vec::new();
        drifts.extend(database_drift(cx));
        drifts.extend(subtask_drifts(cx));
        drifts.extend(log_drifts(cx));

        if drifts.is_empty() && usual_layout(clock) {
            return;
        }

        let with_offsets = |msg: Msg| {
            msg.arg("backend", format_offset(clock.backend_offset_seconds))
                .arg("db", format_offset(clock.db_session_offset_seconds))
                .arg("em", format_offset(clock.em_offset_seconds))
        };

        let finding = if drifts.is_empty() {
            Finding {
                rule: self.id(),
                severity: Severity::Info,
                title: Msg::new("clock-skew.title"),
                detail: with_offsets(Msg::new("clock-skew.detail")),
                evidence: basis_evidence(cx),
                next_steps: vec![Msg::new("clock-skew.next")],
            }
        } else {
            let largest = drifts
                .iter()
                .max_by_key(|d| d.seconds.abs())
                .map(Drift::detail)
                .unwrap_or_else(|| Msg::new("clock-skew.detail-drift"));
            let drift = largest
                .args
                .iter()
                .find(|(name, _)| *name == "drift")
                .map(|(_, value)| value.clone())
                .unwrap_or_default();
            Finding {
                rule: self.id(),
                severity: Severity::Warning,
                title: Msg::new("clock-skew.title-drift"),
                detail: with_offsets(largest).arg("count", drifts.len()),
                evidence: drifts.into_iter().map(|d| d.evidence).collect(),
                next_steps: vec![Msg::new("clock-skew.next-drift").arg("drift", drift)],
            }
        };
        out.push(finding);
    }
}

/// True for the usual offsets: MySQL session and executor-manager at `+08:00`, backend at
/// UTC or `+08:00`.
fn usual_layout(clock: &ClockCalibration) -> bool {
    clock.db_session_offset_seconds == SHANGHAI_OFFSET_SECONDS
        && clock.em_offset_seconds == SHANGHAI_OFFSET_SECONDS
        && matches!(clock.backend_offset_seconds, 0 | SHANGHAI_OFFSET_SECONDS)
}

/// Returns the signed distance from the nearest whole-zone offset.
fn off_zone(seconds: i64) -> i64 {
    let nearest = (seconds as f64 / ZONE_STEP_SECONDS as f64).round() as i64 * ZONE_STEP_SECONDS;
    seconds - nearest
}

/// Compares the database server's UTC clock with the host's `collected_at`.
fn database_drift(cx: &Context<'_>) -> Option<Drift> {
    let manifest = cx.bundle.manifest.as_ref()?;
    let collected_at = DateTime::parse_from_rfc3339(&manifest.collected_at)
        .ok()?
        .with_timezone(&Utc);
    let server = cx.bundle.db_server.as_ref()?;
    let utc_now = clock::parse_naive(server.utc_now.as_deref()?)?.and_utc();

    let collection_ms: u64 = manifest.sources.iter().map(|s| s.duration_ms).sum();
    let latest_expected = collected_at + Duration::milliseconds(collection_ms as i64);
    let seconds = if utc_now < collected_at {
        (utc_now - collected_at).num_seconds()
    } else if utc_now > latest_expected {
        (utc_now - latest_expected).num_seconds()
    } else {
        0
    };
    if seconds.abs() <= TOLERANCE_SECONDS {
        return None;
    }

    let excerpt = format!(
        "UTC_TIMESTAMP()={} collected_at={}",
        server.utc_now.as_deref().unwrap_or("-"),
        manifest.collected_at
    );
    Some(Drift {
        seconds,
        evidence: Evidence::new(members::DB_SERVER, "/utc_now", excerpt),
        kind: DriftKind::DbServer,
    })
}

/// Compares `created_at` with `completed_at` of subtasks that have not ended.
fn subtask_drifts(cx: &Context<'_>) -> Vec<Drift> {
    let mut drifts = Vec::new();

    for subtask in cx
        .facts
        .subtasks
        .iter()
        .filter(|s| current_run::is_active(&s.status))
    {
        let created = subtask.created_at.as_deref().and_then(clock::parse_naive);
        let completed = subtask.completed_at.as_deref().and_then(clock::parse_naive);
        let (Some(created), Some(completed)) = (created, completed) else {
            continue;
        };

        let difference = (created - completed).num_seconds();
        if difference.abs() > 24 * 3600 {
            continue;
        }
        let seconds = off_zone(difference);
        if seconds.abs() > TOLERANCE_SECONDS {
            let excerpt = format!(
                "created_at={created} completed_at={completed} status={}",
                subtask.status
            );
            drifts.push(Drift {
                seconds,
                evidence: Evidence::new(
                    members::DB_SUBTASKS,
                    format!("id={}", subtask.id),
                    excerpt,
                ),
                kind: DriftKind::Subtask(subtask.id),
            });
        }
    }

    drifts
}

/// Compares application and Docker timestamps per executor-manager and executor log member.
fn log_drifts(cx: &Context<'_>) -> Vec<Drift> {
    let em_offset = cx.facts.clock.em_offset_seconds;
    let mut member_paths: Vec<&str> = cx
        .bundle
        .log_lines
        .iter()
        .map(|line| line.member.as_str())
        .filter(|member| {
            current_run::is_executor_member(member) || member.starts_with("logs/executor-manager")
        })
        .collect();
    member_paths.dedup();

    let mut drifts = Vec::new();
    for member in member_paths {
        let paired: Vec<(&LogLine, i64)> = cx
            .bundle
            .lines_of(member)
            .filter_map(|line| {
                Some((
                    line,
                    (line.app_time?.and_utc() - line.docker_time?).num_seconds(),
                ))
            })
            .collect();
        let Some(median) = median(paired.iter().map(|(_, d)| *d).collect()) else {
            continue;
        };

        let seconds = median - em_offset;
        if seconds.abs() <= TOLERANCE_SECONDS {
            continue;
        }
        let (line, _) = paired[0];
        let excerpt = format!(
            "median application-minus-Docker time {}; {}",
            format_offset(median),
            current_run::excerpt(&line.text)
        );
        let evidence = Evidence::new(
            member,
            format!("line {}", line.line_no),
            current_run::excerpt(&excerpt),
        );
        drifts.push(Drift {
            seconds,
            evidence,
            kind: DriftKind::Log(member.to_string()),
        });
    }

    drifts
}

fn median(mut values: Vec<i64>) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    Some(values[values.len() / 2])
}

/// Collects the evidence behind the applied offsets: the host's zone and the database clocks.
fn basis_evidence(cx: &Context<'_>) -> Vec<Evidence> {
    let mut evidence = Vec::new();
    if let Some(manifest) = cx.bundle.manifest.as_ref() {
        evidence.push(Evidence::new(
            members::MANIFEST,
            "/host_utc_offset",
            manifest.host_utc_offset.clone(),
        ));
    }
    if let Some(server) = cx.bundle.db_server.as_ref() {
        let excerpt = format!(
            "global_time_zone={} session_time_zone={} now={} utc_now={}",
            server.global_time_zone,
            server.session_time_zone,
            server.now,
            server.utc_now.as_deref().unwrap_or("-"),
        );
        evidence.push(Evidence::new(members::DB_SERVER, "/now", excerpt));
    }
    evidence
}

/// Formats an offset as `+08:00`, `-05:30` or, with seconds, `+07:56:10`.
fn format_offset(seconds: i64) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let abs = seconds.abs();
    let (hours, minutes, secs) = (abs / 3600, abs % 3600 / 60, abs % 60);
    if secs == 0 {
        format!("{sign}{hours:02}:{minutes:02}")
    } else {
        format!("{sign}{hours:02}:{minutes:02}:{secs:02}")
    }
}

static EN: &[(&str, &str)] = &[
    (
        "clock-skew.title",
        "wegent's clocks run in unusual time zones",
    ),
    (
        "clock-skew.detail",
        "Times were put on UTC with these offsets: backend {backend}, MySQL session {db}, executor-manager and executor logs {em}. A stock deployment runs the MySQL session and executor-manager at +08:00 and the backend at UTC or +08:00; the report used the measured offsets, so staleness and the timeline stay correct.",
    ),
    (
        "clock-skew.title-drift",
        "clocks disagree by more than two minutes beyond their time zones",
    ),
    (
        "clock-skew.detail-drift",
        "Some clocks are apart by more than whole time-zone offsets, by up to {drift} (comparisons that disagree: {count}). Applied offsets: backend {backend}, MySQL session {db}, executor-manager and executor logs {em}; ages and the order of events in this report can be off by the drift.",
    ),
    (
        "clock-skew.detail-db-behind",
        "The MySQL server clock is {drift} behind the collecting host (its UTC_TIMESTAMP() against the bundle's collected_at; comparisons that disagree: {count}). Times the database writes, such as subtask created_at, are {drift} too early; applied offsets: backend {backend}, MySQL session {db}, executor-manager and executor logs {em}.",
    ),
    (
        "clock-skew.detail-db-ahead",
        "The MySQL server clock is {drift} ahead of the collecting host (its UTC_TIMESTAMP() against the bundle's collected_at; comparisons that disagree: {count}). Times the database writes, such as subtask created_at, are {drift} too late; applied offsets: backend {backend}, MySQL session {db}, executor-manager and executor logs {em}.",
    ),
    (
        "clock-skew.detail-subtask",
        "The backend process clock and the MySQL server clock are {drift} apart beyond their zone offsets: subtask {subtask} got created_at and completed_at in the same instant, yet they differ by more than a whole zone (comparisons that disagree: {count}). Which of the two is off cannot be told from the bundle; applied offsets: backend {backend}, MySQL session {db}, executor-manager and executor logs {em}.",
    ),
    (
        "clock-skew.detail-log-ahead",
        "The application clock in {member} is {drift} ahead of Docker's clock beyond the applied offset {em} (comparisons that disagree: {count}); its log times in this report are {drift} too late. Applied offsets: backend {backend}, MySQL session {db}.",
    ),
    (
        "clock-skew.detail-log-behind",
        "The application clock in {member} is {drift} behind Docker's clock beyond the applied offset {em} (comparisons that disagree: {count}); its log times in this report are {drift} too early. Applied offsets: backend {backend}, MySQL session {db}.",
    ),
    (
        "clock-skew.next",
        "Nothing to fix for the report, which shows UTC; when comparing database rows or logs by hand, shift their times by these offsets.",
    ),
    (
        "clock-skew.next-drift",
        "Synchronise the host clock (chrony or systemd-timesyncd; containers share it), and allow {drift} of error when reading ages in this report.",
    ),
];

static ZH: &[(&str, &str)] = &[
    ("clock-skew.title", "wegent 的时钟使用了不常见的时区"),
    (
        "clock-skew.detail",
        "本报告按以下偏移把时间统一换算为 UTC：后端 {backend}，MySQL 会话 {db}，executor-manager 和执行器日志 {em}。标准部署中 MySQL 会话和 executor-manager 为 +08:00，后端为 UTC 或 +08:00；本报告使用了实测的偏移，超时判断和时间线仍然准确。",
    ),
    (
        "clock-skew.title-drift",
        "各时钟之间的差异在时区偏移之外还超过两分钟",
    ),
    (
        "clock-skew.detail-drift",
        "有 {count} 项比较显示时钟之间的差异不是整时区偏移，最大相差 {drift}。已应用的偏移：后端 {backend}，MySQL 会话 {db}，executor-manager 和执行器日志 {em}；本报告中的时长和事件顺序可能因此偏差。",
    ),
    (
        "clock-skew.detail-db-behind",
        "MySQL 服务器时钟比采集主机慢 {drift}（其 UTC_TIMESTAMP() 对比数据包的 collected_at；不一致的比较共 {count} 项）。数据库写入的时间（如子任务的 created_at）因此早了 {drift}；已应用的偏移：后端 {backend}，MySQL 会话 {db}，executor-manager 和执行器日志 {em}。",
    ),
    (
        "clock-skew.detail-db-ahead",
        "MySQL 服务器时钟比采集主机快 {drift}（其 UTC_TIMESTAMP() 对比数据包的 collected_at；不一致的比较共 {count} 项）。数据库写入的时间（如子任务的 created_at）因此晚了 {drift}；已应用的偏移：后端 {backend}，MySQL 会话 {db}，executor-manager 和执行器日志 {em}。",
    ),
    (
        "clock-skew.detail-subtask",
        "后端进程时钟与 MySQL 服务器时钟在时区偏移之外还相差 {drift}：子任务 {subtask} 的 created_at 和 completed_at 在同一时刻写入，两者之差却不是整时区（不一致的比较共 {count} 项）。无法从数据包判断是哪一个时钟不准；已应用的偏移：后端 {backend}，MySQL 会话 {db}，executor-manager 和执行器日志 {em}。",
    ),
    (
        "clock-skew.detail-log-ahead",
        "{member} 中应用自身的时钟在已应用的偏移 {em} 之外比 Docker 时钟快 {drift}（不一致的比较共 {count} 项）；本报告中它的日志时间因此晚了 {drift}。已应用的偏移：后端 {backend}，MySQL 会话 {db}。",
    ),
    (
        "clock-skew.detail-log-behind",
        "{member} 中应用自身的时钟在已应用的偏移 {em} 之外比 Docker 时钟慢 {drift}（不一致的比较共 {count} 项）；本报告中它的日志时间因此早了 {drift}。已应用的偏移：后端 {backend}，MySQL 会话 {db}。",
    ),
    (
        "clock-skew.next",
        "报告本身无需修复，其中的时间均为 UTC；手工对照数据库记录或日志时，请按这些偏移换算时间。",
    ),
    (
        "clock-skew.next-drift",
        "同步主机时钟（chrony 或 systemd-timesyncd；容器共用主机时钟），阅读本报告中的时长时请考虑 {drift} 的误差。",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::model::DbServer;
    use crate::rules::test_support::*;

    #[test]
    fn states_unusual_offsets_as_info() {
        let bundle = bundle("RUNNING", "RUNNING");
        let mut facts = facts(&bundle);
        facts.clock.db_session_offset_seconds = 0;
        facts.clock.em_offset_seconds = 0;

        let findings = run_with(&ClockSkew, &bundle, &facts);

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Info);
        assert!(
            findings[0]
                .detail
                .args
                .contains(&("db", "+00:00".to_string()))
        );
        assert_catalogue(&ClockSkew, &findings);
    }

    #[test]
    fn stays_silent_on_usual_layout() {
        let bundle = bundle("RUNNING", "RUNNING");

        assert!(run(&ClockSkew, &bundle).is_empty());
    }

    #[test]
    fn warns_when_database_clock_drifts_from_host() {
        let mut bundle = bundle("RUNNING", "RUNNING");
        bundle.db_server = Some(DbServer {
            utc_now: Some("2026-01-20 07:05:30".to_string()),
            ..DbServer::default()
        });

        let findings = run(&ClockSkew, &bundle);

        assert_eq!(findings[0].severity, Severity::Warning);
        assert!(
            findings[0]
                .detail
                .args
                .contains(&("drift", "5m".to_string()))
        );
        assert_eq!(findings[0].evidence[0].locator, "/utc_now");
    }

    #[test]
    fn warns_when_subtask_clocks_are_not_zone_apart() {
        let mut bundle = bundle("RUNNING", "RUNNING");
        bundle.subtasks.as_mut().unwrap().subtasks[1].completed_at =
            Some("2026-01-20 06:04:01".to_string());

        let findings = run(&ClockSkew, &bundle);

        assert_eq!(findings[0].severity, Severity::Warning);
        assert_eq!(findings[0].evidence[0].locator, "id=312");
    }

    #[test]
    fn warns_when_manager_log_offset_disagrees() {
        let mut bundle = bundle("RUNNING", "RUNNING");
        let mut line = log_at(
            "logs/executor-manager.txt",
            5,
            "2026-01-20 14:10:00",
            "2026-01-20 14:10:00 - [-] - INFO - tick",
        );
        line.docker_time = Some(
            DateTime::parse_from_rfc3339("2026-01-20T06:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
        );
        bundle.log_lines = vec![line];

        let findings = run(&ClockSkew, &bundle);

        assert_eq!(findings[0].severity, Severity::Warning);
        assert_eq!(findings[0].evidence[0].source, "logs/executor-manager.txt");
    }

    #[test]
    fn formats_offsets_with_seconds() {
        assert_eq!(format_offset(8 * 3600), "+08:00");
        assert_eq!(format_offset(-(5 * 3600 + 1800)), "-05:30");
        assert_eq!(format_offset(7 * 3600 + 56 * 60 + 10), "+07:56:10");
    }
}
