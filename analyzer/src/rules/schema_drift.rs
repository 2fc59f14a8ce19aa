//! The database tables lack columns or enum values that the deployed code uses.
//!
//! ### What it checks
//!
//! The column lists of `db/server.json` against the detected flavour:
//!
//! - upstream: `tasks.project_id`, `tasks.client_origin`, `tasks.is_group_chat`, and
//!   `PENDING_CONFIRMATION` among the values of an ENUM `subtasks.status` (databases
//!   created by the old raw-SQL migrations have a six-value ENUM, and no migration adds
//!   the seventh);
//! - fork: `tasks.project_id`, but only when `alembic_version` is a fork revision that
//!   includes it (`q7r8s9t0u1v2`, `36682b4224f7` or the fork head `b3e4a166ba91`), since
//!   older fork code does not use the column either;
//! - unknown flavour: no column checks.
//!
//! In every log of the bundle it looks for the database rejecting queries because of the
//! schema: `Unknown column` (MySQL error 1054) and `Data truncated for column 'status'`
//! (error 1265, which strict mode returns for a status value the ENUM lacks).
//!
//! The finding is critical when such log lines exist (the code is failing now) and a
//! warning when only the column lists show the drift.
//!
//! ### Why it matters
//!
//! The backend queries every column its models declare. A missing column makes those
//! queries fail with `(1054, "Unknown column …")`, and status updates that fail are
//! swallowed, so tasks stop moving without a visible error.
//!
//! ### Known problems
//!
//! A table whose column list is missing from `db/server.json` is not checked. Log lines
//! about the schema need not concern this task; they show the database as a whole.
//!
//! ### Evidence
//!
//! `db/server.json` (`/columns/<table>`, `/alembic_version`), `logs/*.txt`.
//!
//! ### Fix
//!
//! Run the schema migrations of the deployed version or add the missing columns and
//! enum values by hand (upstream ships `scripts/fix-missing-project-id.sh` for
//! `project_id`).

use std::sync::LazyLock;

use regex::RegexSet;

use super::current_run;
use crate::bundle::model::{ColumnInfo, DbServer, Flavour, members};
use crate::engine::{Context, Evidence, Finding, Msg, Rule, Severity};
use crate::i18n::Lang;

/// At most this many log lines are listed as evidence.
const MAX_LOG_LINES: usize = 3;

/// Fork alembic revisions whose code reads `tasks.project_id`.
const FORK_REVISIONS_WITH_PROJECT_ID: &[&str] = &["q7r8s9t0u1v2", "36682b4224f7", "b3e4a166ba91"];

static SCHEMA_ERROR: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([
        r"Unknown column '[^']+'",
        r"\(1054,",
        r"Data truncated for column '[^']*status'",
    ])
    .expect("schema error patterns compile")
});

/// True when the text is a schema error this rule reports.
pub(crate) fn is_schema_error(text: &str) -> bool {
    SCHEMA_ERROR.is_match(text)
}

pub struct SchemaDrift;

impl Rule for SchemaDrift {
    fn id(&self) -> &'static str {
        "schema-drift"
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
        let gaps = cx
            .bundle
            .db_server
            .as_ref()
            .map(|server| schema_gaps(server, cx.facts.flavour))
            .unwrap_or_default();
        let errors: Vec<_> = cx
            .bundle
            .log_lines
            .iter()
            .filter(|line| is_schema_error(&line.text))
            .collect();
        if gaps.is_empty() && errors.is_empty() {
            return;
        }

        let mut evidence: Vec<_> = gaps
            .iter()
            .map(|gap| {
                Evidence::new(
                    members::DB_SERVER,
                    format!("/columns/{}", gap.table),
                    gap.observed.clone(),
                )
            })
            .collect();
        evidence.extend(
            errors
                .iter()
                .take(MAX_LOG_LINES)
                .map(|line| current_run::line_evidence(line)),
        );

        let severity = if errors.is_empty() {
            Severity::Warning
        } else {
            Severity::Critical
        };
        let missing = gaps
            .iter()
            .map(|gap| gap.expected.as_str())
            .collect::<Vec<_>>();
        let detail = if gaps.is_empty() {
            Msg::new("schema-drift.detail-logs").arg("count", errors.len())
        } else {
            Msg::new("schema-drift.detail")
                .list("missing", &missing)
                .arg("flavour", flavour_name(cx.facts.flavour))
        };

        let mut next_steps = Vec::new();
        if gaps.is_empty() || gaps.iter().any(|gap| !gap.is_enum) {
            next_steps.push(Msg::new("schema-drift.next"));
        }
        if gaps.iter().any(|gap| gap.is_enum) {
            next_steps.push(Msg::new("schema-drift.next-enum"));
        }

        out.push(Finding {
            rule: self.id(),
            severity,
            title: Msg::new("schema-drift.title"),
            detail,
            evidence,
            next_steps,
        });
    }
}

/// One thing the schema lacks.
struct Gap {
    table: &'static str,
    /// Expected item, as `table.column` or `table.column: VALUE`.
    expected: String,
    /// Observed state from the column list.
    observed: String,
    is_enum: bool,
}

fn schema_gaps(server: &DbServer, flavour: Flavour) -> Vec<Gap> {
    let mut expected_task_columns: Vec<&str> = Vec::new();
    match flavour {
        Flavour::Upstream => {
            expected_task_columns.extend(["project_id", "client_origin", "is_group_chat"])
        }
        Flavour::Fork => {
            let revision = server.alembic_version.as_deref().unwrap_or("");
            if FORK_REVISIONS_WITH_PROJECT_ID.contains(&revision) {
                expected_task_columns.push("project_id");
            }
        }
        Flavour::Unknown => {}
    }

    let mut gaps = Vec::new();

    if let Some(columns) = server.columns.get("tasks").filter(|c| !c.is_empty()) {
        for name in expected_task_columns {
            if !columns.iter().any(|c| c.name == name) {
                gaps.push(Gap {
                    table: "tasks",
                    expected: format!("tasks.{name}"),
                    observed: format!("no column {name} among {} columns", columns.len()),
                    is_enum: false,
                });
            }
        }
    }

    if flavour == Flavour::Upstream {
        let status = server
            .columns
            .get("subtasks")
            .and_then(|columns| columns.iter().find(|c| c.name == "status"));
        if let Some(gap) = status.and_then(enum_gap) {
            gaps.push(gap);
        }
    }

    gaps
}

/// Returns the gap when `subtasks.status` is an ENUM without `PENDING_CONFIRMATION`.
fn enum_gap(column: &ColumnInfo) -> Option<Gap> {
    let column_type = column.column_type.trim();
    let is_enum = column_type.to_ascii_lowercase().starts_with("enum(");
    if !is_enum || column_type.contains("'PENDING_CONFIRMATION'") {
        return None;
    }
    Some(Gap {
        table: "subtasks",
        expected: "subtasks.status: PENDING_CONFIRMATION".to_string(),
        observed: format!("status {column_type}"),
        is_enum: true,
    })
}

fn flavour_name(flavour: Flavour) -> &'static str {
    match flavour {
        Flavour::Fork => "fork",
        Flavour::Upstream => "upstream",
        Flavour::Unknown => "unknown",
    }
}

static EN: &[(&str, &str)] = &[
    (
        "schema-drift.title",
        "the database schema lacks what the deployed code expects",
    ),
    (
        "schema-drift.detail",
        "The {flavour} code reads or writes {missing}, but the database does not have it. Queries that touch it fail, and failed status updates are swallowed, so tasks can stop moving without a visible error.",
    ),
    (
        "schema-drift.detail-logs",
        "Log lines show the database rejecting queries because of the schema: Unknown column, or a status value the column does not allow (matching lines: {count}).",
    ),
    (
        "schema-drift.next",
        "Run the schema migrations of the deployed version (`alembic upgrade head` in the backend container) or add the missing columns by hand; for tasks.project_id upstream ships scripts/fix-missing-project-id.sh.",
    ),
    (
        "schema-drift.next-enum",
        "Add the missing status value: ALTER TABLE subtasks MODIFY status ENUM('PENDING','RUNNING','COMPLETED','FAILED','CANCELLED','DELETE','PENDING_CONFIRMATION') NOT NULL DEFAULT 'PENDING' (back up the table first).",
    ),
];

static ZH: &[(&str, &str)] = &[
    ("schema-drift.title", "数据库表结构缺少已部署代码所需的内容"),
    (
        "schema-drift.detail",
        "{flavour} 版本的代码会读写 {missing}，但数据库中没有。涉及它的查询会失败，而失败的状态更新会被吞掉，任务可能在没有明显错误的情况下停止推进。",
    ),
    (
        "schema-drift.detail-logs",
        "有 {count} 行日志显示数据库因表结构拒绝了查询（Unknown column，或该列不允许的状态值）。",
    ),
    (
        "schema-drift.next",
        "执行已部署版本的数据库迁移（在后端容器中运行 `alembic upgrade head`），或手工补齐缺失的列；对于 tasks.project_id，upstream 提供了 scripts/fix-missing-project-id.sh。",
    ),
    (
        "schema-drift.next-enum",
        "补上缺失的状态值：ALTER TABLE subtasks MODIFY status ENUM('PENDING','RUNNING','COMPLETED','FAILED','CANCELLED','DELETE','PENDING_CONFIRMATION') NOT NULL DEFAULT 'PENDING'（请先备份该表）。",
    ),
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::bundle::model::Deployment;
    use crate::rules::test_support::*;

    fn column(name: &str, column_type: &str) -> ColumnInfo {
        ColumnInfo {
            name: name.to_string(),
            column_type: column_type.to_string(),
            nullable: false,
        }
    }

    fn with_schema(
        flavour: Flavour,
        tasks: &[&str],
        status_type: &str,
        alembic: Option<&str>,
    ) -> crate::bundle::loaded::Bundle {
        let mut bundle = bundle("RUNNING", "RUNNING");
        bundle.deployment = Some(Deployment {
            flavour,
            evidence: Vec::new(),
        });
        let mut columns = BTreeMap::new();
        columns.insert(
            "tasks".to_string(),
            tasks.iter().map(|n| column(n, "int")).collect(),
        );
        columns.insert(
            "subtasks".to_string(),
            vec![column("id", "bigint"), column("status", status_type)],
        );
        bundle.db_server = Some(DbServer {
            alembic_version: alembic.map(str::to_string),
            columns,
            ..DbServer::default()
        });
        bundle
    }

    const SIX_VALUES: &str = "enum('PENDING','RUNNING','COMPLETED','FAILED','CANCELLED','DELETE')";

    #[test]
    fn flags_upstream_without_new_columns_and_enum_value() {
        let bundle = with_schema(
            Flavour::Upstream,
            &["id", "json", "project_id"],
            SIX_VALUES,
            Some("f82c5d1a9e37"),
        );

        let findings = run(&SchemaDrift, &bundle);

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Warning);
        assert_eq!(findings[0].evidence.len(), 3);
        assert!(
            findings[0]
                .next_steps
                .iter()
                .any(|m| m.key == "schema-drift.next-enum")
        );
        assert_catalogue(&SchemaDrift, &findings);
    }

    #[test]
    fn flags_unknown_column_in_logs_as_critical() {
        let mut bundle = with_schema(Flavour::Unknown, &["id"], SIX_VALUES, None);
        bundle.log_lines = vec![log(
            "logs/backend.txt",
            42,
            "(1054, \"Unknown column 'tasks.project_id' in 'field list'\")",
        )];

        let findings = run(&SchemaDrift, &bundle);

        assert_eq!(findings[0].severity, Severity::Critical);
        assert_eq!(findings[0].detail.key, "schema-drift.detail-logs");
    }

    #[test]
    fn accepts_old_fork_without_project_id() {
        let bundle = with_schema(
            Flavour::Fork,
            &["id", "json"],
            SIX_VALUES,
            Some("m3n4o5p6q7r8"),
        );

        assert!(run(&SchemaDrift, &bundle).is_empty());
    }

    #[test]
    fn flags_new_fork_without_project_id() {
        let bundle = with_schema(
            Flavour::Fork,
            &["id", "json"],
            SIX_VALUES,
            Some("b3e4a166ba91"),
        );

        assert_eq!(run(&SchemaDrift, &bundle).len(), 1);
    }

    #[test]
    fn accepts_complete_upstream_schema() {
        let seven = "enum('PENDING','RUNNING','COMPLETED','FAILED','CANCELLED','DELETE','PENDING_CONFIRMATION')";
        let bundle = with_schema(
            Flavour::Upstream,
            &["id", "project_id", "client_origin", "is_group_chat"],
            seven,
            None,
        );

        assert!(run(&SchemaDrift, &bundle).is_empty());
    }
}
