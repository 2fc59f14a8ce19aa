//! Replays every fixture bundle under `fixtures/` through the reader, the engine and the
//! renderers.
//!
//! For each folder that contains a `manifest.json`, the tests check the verdict and the
//! primary rule against `fixtures/expected.toml` and pin the text (English and Chinese),
//! Markdown and JSON reports as insta snapshots named `<format>@<fixture>`. Further tests
//! check that the fixtures parse into the bundle model types member by member, carry no
//! unmasked secret, and that every catalogue rule fires on some fixture and stays silent
//! on another. The last test runs the `analyze` binary and checks its exit status.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use wegent_analyzer::bundle::model::{
    Containers, DbServer, Deployment, ExecutorInspect, ExecutorManager, LlmProbe, Manifest, Models,
    Owner, RedisState, Subtasks, TaskRow, Workspace,
};
use wegent_analyzer::engine::verdict;
use wegent_analyzer::engine::{Analysis, Options, analyze};
use wegent_analyzer::i18n::Lang;
use wegent_analyzer::report::{Format, RenderOptions, render};
use wegent_analyzer::rules::RULES;

/// Folders whose direct subfolders are fixture bundles. Bundles under `fixtures/recorded`
/// get snapshot names and `expected.toml` keys that start with `recorded-`.
const FIXTURE_ROOTS: &[&str] = &["fixtures", "fixtures/recorded"];

/// Subfolders of a root that contain something other than bundles.
const NOT_BUNDLES: &[&str] = &["scenarios", "recorded"];

/// One fixture bundle on disk.
struct Fixture {
    /// Snapshot suffix and key in `expected.toml`, for example `fork-oom-killed`.
    name: String,
    dir: PathBuf,
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Lists every fixture bundle, sorted by name.
fn fixtures() -> Vec<Fixture> {
    let mut found = Vec::new();

    for root in FIXTURE_ROOTS {
        let root_dir = workspace_root().join(root);
        let prefix = root
            .strip_prefix("fixtures")
            .unwrap_or(root)
            .trim_start_matches('/');
        let entries = fs::read_dir(&root_dir)
            .unwrap_or_else(|e| panic!("listing {} failed: {e}", root_dir.display()));

        for entry in entries {
            let dir = entry.expect("readable fixture folder entry").path();
            let folder = dir.file_name().unwrap().to_string_lossy().into_owned();
            if NOT_BUNDLES.contains(&folder.as_str()) || !dir.join("manifest.json").is_file() {
                continue;
            }
            let name = if prefix.is_empty() {
                folder
            } else {
                format!("{}-{folder}", prefix.replace('/', "-"))
            };
            found.push(Fixture { name, dir });
        }
    }

    found.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(
        !found.is_empty(),
        "no fixture bundles found under {FIXTURE_ROOTS:?}"
    );
    found
}

/// What `expected.toml` states about one fixture.
#[derive(Debug)]
struct Expected {
    verdict: String,
    primary: Option<String>,
    fires: Vec<String>,
    must_not_fire: Vec<String>,
}

fn expectations() -> BTreeMap<String, Expected> {
    let path = workspace_root().join("fixtures/expected.toml");
    let text = fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {} failed: {e}", path.display()));
    let table: toml::Table = text
        .parse()
        .unwrap_or_else(|e| panic!("{} is not valid TOML: {e}", path.display()));

    let strings = |value: Option<&toml::Value>| -> Vec<String> {
        value
            .and_then(toml::Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };

    table
        .iter()
        .map(|(name, value)| {
            let verdict = value.get("verdict").and_then(toml::Value::as_str);
            let primary = value.get("primary").and_then(toml::Value::as_str);
            let verdict =
                verdict.unwrap_or_else(|| panic!("expected.toml: [{name}] has no verdict"));
            let primary =
                primary.unwrap_or_else(|| panic!("expected.toml: [{name}] has no primary"));
            let expected = Expected {
                verdict: verdict.to_string(),
                primary: (primary != "none").then(|| primary.to_string()),
                fires: strings(value.get("fires")),
                must_not_fire: strings(value.get("must_not_fire")),
            };
            (name.clone(), expected)
        })
        .collect()
}

fn analyze_fixture(fixture: &Fixture) -> Analysis {
    let bundle = wegent_analyzer::bundle::open(&fixture.dir)
        .unwrap_or_else(|e| panic!("fixture {} does not open: {e}", fixture.name));
    analyze(&bundle, &Options::default())
}

/// Returns the rule of the primary finding, which the summary names.
fn primary_rule(analysis: &Analysis) -> Option<&'static str> {
    verdict::primary_rule(analysis.verdict, &analysis.findings)
}

fn fired_rules(analysis: &Analysis) -> BTreeSet<&'static str> {
    analysis.findings.iter().map(|f| f.rule).collect()
}

/// Compares one analysis with its expectation and returns every difference.
fn differences(name: &str, analysis: &Analysis, expected: &Expected) -> Vec<String> {
    let mut out = Vec::new();
    let fired = fired_rules(analysis);
    let known: BTreeSet<&str> = RULES.iter().map(|r| r.id()).collect();

    if analysis.verdict.as_str() != expected.verdict {
        out.push(format!(
            "{name}: verdict is {}, expected {}",
            analysis.verdict.as_str(),
            expected.verdict
        ));
    }

    let primary = primary_rule(analysis);
    if primary != expected.primary.as_deref() {
        out.push(format!(
            "{name}: primary rule is {}, expected {}",
            primary.unwrap_or("none"),
            expected.primary.as_deref().unwrap_or("none")
        ));
    }

    for rule in &expected.fires {
        if !fired.contains(rule.as_str()) {
            out.push(format!("{name}: rule {rule} did not fire"));
        }
    }

    for rule in &expected.must_not_fire {
        if fired.contains(rule.as_str()) {
            out.push(format!("{name}: rule {rule} fired but must not"));
        }
    }

    for rule in expected
        .fires
        .iter()
        .chain(&expected.must_not_fire)
        .chain(&expected.primary)
    {
        if !known.is_empty() && !known.contains(rule.as_str()) {
            out.push(format!(
                "{name}: expected.toml names {rule}, which is not in the rule catalogue"
            ));
        }
    }

    out
}

#[test]
fn fixtures_match_expected_diagnosis() {
    let expected = expectations();
    let mut problems = Vec::new();

    for fixture in fixtures() {
        let Some(expectation) = expected.get(&fixture.name) else {
            problems.push(format!(
                "{}: no entry in fixtures/expected.toml",
                fixture.name
            ));
            continue;
        };
        let analysis = analyze_fixture(&fixture);
        problems.extend(differences(&fixture.name, &analysis, expectation));
    }

    let names: BTreeSet<String> = fixtures().into_iter().map(|f| f.name).collect();
    for name in expected.keys() {
        if !names.contains(name) {
            problems.push(format!("expected.toml: [{name}] names no fixture folder"));
        }
    }

    assert!(
        problems.is_empty(),
        "fixture diagnoses differ from fixtures/expected.toml:\n{}",
        problems.join("\n")
    );
}

#[test]
fn fixture_reports_match_snapshots() {
    for fixture in fixtures() {
        let analysis = analyze_fixture(&fixture);
        let text = |lang| RenderOptions {
            lang,
            color: false,
            ..RenderOptions::default()
        };

        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_suffix(fixture.name.clone());
        settings.set_input_file(fixture.dir.join("manifest.json"));
        if fixture.name.starts_with("recorded-") {
            add_recording_filters(&mut settings);
        }
        settings.bind(|| {
            insta::assert_snapshot!("text_en", render(&analysis, Format::Text, &text(Lang::En)));
            insta::assert_snapshot!("text_zh", render(&analysis, Format::Text, &text(Lang::Zh)));
            insta::assert_snapshot!(
                "markdown_en",
                render(&analysis, Format::Markdown, &text(Lang::En))
            );
            insta::assert_snapshot!("json", render(&analysis, Format::Json, &text(Lang::En)));
        });
    }
}

#[test]
fn every_rule_fires_somewhere_and_stays_silent_elsewhere() {
    let mut fired_in: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut silent_in: BTreeMap<&str, Vec<String>> = BTreeMap::new();

    for fixture in fixtures() {
        let fired = fired_rules(&analyze_fixture(&fixture));
        for rule in RULES {
            let bucket = if fired.contains(rule.id()) {
                &mut fired_in
            } else {
                &mut silent_in
            };
            bucket
                .entry(rule.id())
                .or_default()
                .push(fixture.name.clone());
        }
    }

    let never_fired: Vec<&str> = RULES
        .iter()
        .map(|r| r.id())
        .filter(|id| !fired_in.contains_key(id))
        .collect();
    let always_fired: Vec<&str> = RULES
        .iter()
        .map(|r| r.id())
        .filter(|id| !silent_in.contains_key(id))
        .collect();

    assert!(
        never_fired.is_empty(),
        "rules that fire on no fixture: {never_fired:?}"
    );
    assert!(
        always_fired.is_empty(),
        "rules that fire on every fixture: {always_fired:?}"
    );
}

#[test]
fn fixture_members_parse_into_model_types() {
    for fixture in fixtures() {
        let manifest: Manifest = parse(&fixture, "manifest.json");
        assert_eq!(
            manifest.format_version, "1.0",
            "{}: format_version",
            fixture.name
        );

        for member in manifest.members.keys() {
            let name = member.as_str();
            match name {
                "deployment.json" => drop(parse::<Deployment>(&fixture, name)),
                "db/server.json" => drop(parse::<DbServer>(&fixture, name)),
                "db/task.json" => drop(parse::<Option<TaskRow>>(&fixture, name)),
                "db/subtasks.json" => drop(parse::<Subtasks>(&fixture, name)),
                "db/models.json" => drop(parse::<Models>(&fixture, name)),
                "db/owner.json" => drop(parse::<Owner>(&fixture, name)),
                "services/containers.json" => drop(parse::<Containers>(&fixture, name)),
                "services/executor-manager.json" => drop(parse::<ExecutorManager>(&fixture, name)),
                "services/redis.json" => drop(parse::<RedisState>(&fixture, name)),
                "workspace/git.json" => drop(parse::<Workspace>(&fixture, name)),
                "llm/probe.json" => drop(parse::<LlmProbe>(&fixture, name)),
                _ if name.starts_with("executors/") && name.ends_with("/inspect.json") => {
                    drop(parse::<ExecutorInspect>(&fixture, name))
                }
                _ if name.ends_with(".txt") => {}
                _ => panic!("{}: unexpected member {name}", fixture.name),
            }
        }
    }
}

#[test]
fn fixtures_hold_only_masked_secrets() {
    let secret_shapes = [
        regex_lite("\\bghp_[A-Za-z0-9]{20,}"),
        regex_lite("\\bgithub_pat_[A-Za-z0-9_]{20,}"),
        regex_lite("\\bglpat-[A-Za-z0-9_-]{20,}"),
        regex_lite("\\bsk-[A-Za-z0-9_-]{20,}"),
        regex_lite("eyJ[A-Za-z0-9_-]{10,}\\.eyJ"),
        regex_lite("-----BEGIN [A-Z ]*PRIVATE KEY-----"),
        regex_lite("://[^/\\s:@]+:[^@\\s\\[]+@"),
    ];

    for fixture in fixtures() {
        let manifest: Manifest = parse(&fixture, "manifest.json");
        let mut counted: BTreeMap<String, u64> = BTreeMap::new();

        for member in manifest
            .members
            .keys()
            .map(String::as_str)
            .chain(["manifest.json"])
        {
            let text = fs::read_to_string(fixture.dir.join(member)).unwrap();
            for shape in &secret_shapes {
                assert!(
                    !shape.is_match(&text),
                    "{}: {member} holds an unmasked value shaped like {shape}",
                    fixture.name
                );
            }
            for (rule, count) in masks_by_rule(&text) {
                *counted.entry(rule).or_default() += count;
            }
        }

        assert_eq!(
            counted, manifest.redaction.by_rule,
            "{}: redaction.by_rule differs from the masks present",
            fixture.name
        );
        assert_eq!(
            counted.values().sum::<u64>(),
            manifest.redaction.total,
            "{}: redaction.total",
            fixture.name
        );
    }
}

#[test]
fn analyze_binary_exit_status_follows_verdict() {
    let binary = analyze_binary();

    for (fixture, code) in [
        ("fork-healthy-running", 0),
        ("fork-executor-missing", 1),
        ("upstream-completed-auto-deleted", 0),
    ] {
        let dir = workspace_root().join("fixtures").join(fixture);
        let output = Command::new(&binary)
            .arg(&dir)
            .args(["--format", "json", "--lang", "en"])
            .output()
            .unwrap_or_else(|e| panic!("running {} failed: {e}", binary.display()));

        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(code),
            "{fixture}: exit status; stderr:\n{stderr}"
        );

        let report: Value =
            serde_json::from_slice(&output.stdout).expect("analyze --format json prints JSON");
        assert!(
            report.get("verdict").is_some(),
            "{fixture}: report has a verdict"
        );
    }
}

// ---------------------------------------------------------------------------
// helpers

/// Replaces the values that change each time a scenario is recorded again (times,
/// durations, container and commit ids, ports, temporary paths, mask hashes), so a new
/// recording of the same incident leaves its snapshots unchanged.
fn add_recording_filters(settings: &mut insta::Settings) {
    let filters = [
        (
            r"\[REDACTED:([A-Za-z0-9_.-]+):[0-9a-f]{8}\]",
            "[REDACTED:$1:[hash]]",
        ),
        (r"/(?:tmp|dev/shm)/wi-test-[^\s\x22'`|)\]]*", "[temp]"),
        (
            r"\d{4}-\d{2}-\d{2}(?:[T ]|\s+)\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?",
            "[time]",
        ),
        (r"\b1[6-9]\d{8}(?:\.\d+)?\b", "[epoch]"),
        (r"\b[0-9a-f]{64}\b", "[container-id]"),
        (r"\b[0-9a-f]{40}\b", "[commit]"),
        (r"\b(commit[=: ]+)[0-9a-f]{7,12}\b", "$1[commit]"),
        (r"(127\.0\.0\.1|localhost):\d+", "$1:[port]"),
        (r"\b\d+(?:d\d{2}h|h\d{2}m|m|s|ms)\b", "[duration]"),
        (r"[+-]\d{2}:\d{2}:\d{2}\b", "[duration]"),
        (
            r"\b\d+(?:\.\d+)?\s(?:ms|s|min|h|d|days?|hours?|minutes?|seconds?)\b",
            "[duration]",
        ),
        (r"\d+(?:\.\d+)?\s?(?:毫秒|秒|分钟|小时|天)", "[duration]"),
    ];
    for (pattern, replacement) in filters {
        settings.add_filter(pattern, replacement);
    }
}

fn parse<T: serde::de::DeserializeOwned>(fixture: &Fixture, member: &str) -> T {
    let path = fixture.dir.join(member);
    let text = fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: reading {member} failed: {e}", fixture.name));
    serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "{}: {member} does not parse into its model type: {e}",
            fixture.name
        )
    })
}

/// Counts `[REDACTED:<rule>:<8 hex>]` masks per rule.
fn masks_by_rule(text: &str) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    let mut rest = text;

    while let Some(start) = rest.find("[REDACTED:") {
        let after = &rest[start + "[REDACTED:".len()..];
        let Some(end) = after.find(']') else { break };
        if let Some((rule, hash)) = after[..end].rsplit_once(':') {
            if hash.len() == 8 && hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                *out.entry(rule.to_string()).or_default() += 1;
            }
        }
        rest = &after[end..];
    }

    out
}

fn regex_lite(pattern: &str) -> regex::Regex {
    regex::Regex::new(pattern).expect("valid secret pattern")
}

/// Path of the `analyze` binary: `WEGENT_ANALYZE_BIN` when set, else built by cargo.
fn analyze_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("WEGENT_ANALYZE_BIN") {
        return PathBuf::from(path);
    }

    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(workspace_root())
        .args([
            "build",
            "-q",
            "-p",
            "wegent-analyzer",
            "--bin",
            "analyze",
            "--message-format=json",
        ])
        .output()
        .expect("running cargo build for the analyze binary");
    assert!(
        output.status.success(),
        "cargo build of analyze failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );

    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|msg| msg["target"]["name"] == "analyze")
        .find_map(|msg| msg["executable"].as_str().map(PathBuf::from))
        .filter(|path| Path::new(path).is_file())
        .expect("cargo reported the analyze executable")
}
