//! The two Wegent flavours that tests model: the fork with pull dispatch and the upstream
//! project with push dispatch.

use serde::{Deserialize, Serialize};

/// Wegent code base that a throwaway service imitates.
///
/// The flavours differ in schema (column types, columns, status values), in the alembic
/// revision and in the executor-manager routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Flavour {
    /// The fork snapshot of January 2026: legacy raw DDL, `INT` ids, six subtask states, and an
    /// executor-manager with `GET /executor-manager/executor/status`.
    Fork,
    /// The upstream snapshot of August 2026: `BIGINT` ids, `client_origin` and `is_group_chat`,
    /// seven subtask states, and an executor-manager with
    /// `GET /executor-manager/executor/address`.
    Upstream,
}

impl Flavour {
    /// Both flavours, for tests that run once per flavour.
    pub const ALL: [Flavour; 2] = [Flavour::Fork, Flavour::Upstream];

    /// Returns the lowercase name, `fork` or `upstream`.
    pub fn name(self) -> &'static str {
        match self {
            Flavour::Fork => "fork",
            Flavour::Upstream => "upstream",
        }
    }

    /// Returns the `alembic_version.version_num` the schema is stamped with.
    pub fn alembic_revision(self) -> &'static str {
        match self {
            Flavour::Fork => "b3e4a166ba91",
            Flavour::Upstream => "f82c5d1a9e37",
        }
    }

    /// Returns the DDL that creates `tasks`, `subtasks`, `kinds`, `users` and `alembic_version`
    /// (from `testkit/sql/<name>.sql`), to run inside the `task_manager` database.
    pub fn schema_sql(self) -> &'static str {
        match self {
            Flavour::Fork => include_str!("../sql/fork.sql"),
            Flavour::Upstream => include_str!("../sql/upstream.sql"),
        }
    }
}

impl std::fmt::Display for Flavour {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.name())
    }
}
