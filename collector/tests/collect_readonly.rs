//! Proof that `collect` only reads: the MariaDB general query log of a whole collection
//! contains no statement that could change data.

mod collect_support;

use collect_support::*;
use testkit::Flavour;
use testkit::em::{StandIn, StandInConfig};
use testkit::mariadb::MariaDb;

/// Statement prefixes a read-only session may send.
const ALLOWED: [&str; 6] = [
    "SELECT",
    "SET",
    "SHOW",
    "START TRANSACTION",
    "COMMIT",
    "ROLLBACK",
];

fn assert_read_only(flavour: Flavour) {
    let db = MariaDb::start(flavour).expect("starting MariaDB");
    seed_task(&db, flavour);
    let em = StandIn::start(StandInConfig::new(flavour)).expect("stand-in");
    db.enable_general_log().expect("general log on");
    let dir = temp_dir();

    let run = run_collect(
        dir.path(),
        &[
            "--task-id",
            "89",
            "--database-url",
            &db.url(),
            "--executor-manager-url",
            &em.url(),
            "--redis-url",
            &format!("redis://127.0.0.1:{}/0", refused_port()),
        ],
    );
    assert_eq!(
        run.source("db").status,
        wegent_analyzer::bundle::model::SourceStatus::Ok,
        "{}",
        run.stderr()
    );

    let log = db.general_log().expect("reading the general log");
    let statements = log.tcp_statements();
    assert!(
        statements
            .iter()
            .any(|s| s.to_ascii_uppercase().starts_with("SELECT")),
        "{statements:?}"
    );
    assert!(
        statements
            .iter()
            .any(|s| s.eq_ignore_ascii_case("START TRANSACTION READ ONLY")),
        "{statements:?}"
    );
    for statement in &statements {
        let upper = statement.trim_start().to_ascii_uppercase();
        assert!(
            ALLOWED.iter().any(|prefix| upper.starts_with(prefix)),
            "not read-only: {statement}"
        );
    }
    for request in em.requests() {
        assert_eq!(request.method, "GET", "{request:?}");
    }
}

#[test]
fn fork_session_only_reads() {
    assert_read_only(Flavour::Fork);
}

#[test]
fn upstream_session_only_reads() {
    assert_read_only(Flavour::Upstream);
}
