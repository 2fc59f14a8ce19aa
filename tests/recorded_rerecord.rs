//! Records every scenario of `fixtures/scenarios/` again, into a temporary folder, and checks
//! that the new recording gets the same diagnosis as the committed one in
//! `fixtures/recorded/` and as the scenario's `[expect]`.
//!
//! This runs the real `collect` against throwaway MariaDB, Redis, Docker containers,
//! executor-manager stand-in, workspace and log files, so it needs what `scripts/test.sh`
//! provisions. Scenarios run one after another; each takes a few seconds.

use std::collections::BTreeMap;
use std::path::PathBuf;

use wegent_inspect::scenario::{self, Expect, collect::collect_binary, diagnose, differences};

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `[expect]` of every scenario must equal its `recorded-<name>` entry in
/// `fixtures/expected.toml`, which the snapshot tests check.
#[test]
fn scenario_expectations_match_expected_toml() {
    let path = workspace_root().join("fixtures/expected.toml");
    let text = std::fs::read_to_string(&path).expect("fixtures/expected.toml is readable");
    let table: BTreeMap<String, toml::Value> = toml::from_str(&text).expect("valid TOML");

    let mut problems = Vec::new();
    for scenario in scenarios() {
        let key = format!("recorded-{}", scenario.name);
        let Some(entry) = table.get(&key) else {
            problems.push(format!("expected.toml has no [{key}]"));
            continue;
        };
        let stated: Expect = entry.clone().try_into().unwrap_or_else(|e| {
            panic!("expected.toml [{key}] does not read as an expectation: {e}")
        });
        if stated != scenario.expect {
            problems.push(format!(
                "[{key}] in expected.toml differs from the [expect] of fixtures/scenarios/{}",
                scenario.name
            ));
        }
    }

    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every scenario has a committed recording and every recording a scenario.
#[test]
fn every_scenario_is_recorded() {
    let recorded = workspace_root().join("fixtures/recorded");
    let mut problems = Vec::new();

    let names: Vec<String> = scenarios().into_iter().map(|s| s.name).collect();
    for name in &names {
        if !recorded.join(name).join("manifest.json").is_file() {
            problems.push(format!(
                "fixtures/recorded/{name} is missing; run: cargo run -p wegent-inspect --bin \
                 record-scenario -- {name}"
            ));
        }
    }
    for entry in std::fs::read_dir(&recorded).expect("fixtures/recorded is readable") {
        let folder = entry.unwrap().file_name().to_string_lossy().into_owned();
        if !folder.starts_with('.') && !names.contains(&folder) {
            problems.push(format!(
                "fixtures/recorded/{folder} has no scenario in fixtures/scenarios"
            ));
        }
    }

    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn rerecording_gives_the_committed_diagnosis() {
    let root = workspace_root();
    let collect = collect_binary(&root).unwrap_or_else(|e| panic!("{e:#}"));
    let out = tempfile::Builder::new()
        .prefix("wi-test-rerecord-")
        .tempdir()
        .expect("a temporary folder");

    let mut problems = Vec::new();
    for scenario in scenarios() {
        let committed = diagnose(&root.join("fixtures/recorded").join(&scenario.name))
            .unwrap_or_else(|e| panic!("{}: {e:#}", scenario.name));

        let recording =
            match scenario::record(&scenario, &collect, &out.path().join(&scenario.name)) {
                Ok(recording) => recording,
                Err(error) => {
                    problems.push(format!("{}: recording failed: {error:#}", scenario.name));
                    continue;
                }
            };
        let fresh = &recording.diagnosis;

        if fresh != &committed {
            problems.push(format!(
                "{}: the new recording gives verdict {} / primary {} / rules {:?}, the committed \
                 one verdict {} / primary {} / rules {:?}",
                scenario.name,
                fresh.verdict,
                fresh.primary,
                fresh.fired,
                committed.verdict,
                committed.primary,
                committed.fired
            ));
        }
        for difference in differences(fresh, &scenario.expect) {
            problems.push(format!("{}: {difference}", scenario.name));
        }
    }

    assert!(
        problems.is_empty(),
        "re-recorded scenarios differ:\n{}",
        problems.join("\n")
    );
}

fn scenarios() -> Vec<scenario::Scenario> {
    scenario::list(&workspace_root().join("fixtures/scenarios")).unwrap_or_else(|e| panic!("{e:#}"))
}
