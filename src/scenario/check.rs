//! Analyzes a recorded bundle and compares the diagnosis with what the scenario expects.
//!
//! The comparison follows `tests/fixtures_snapshots.rs`: the primary rule is the one the
//! report's summary names ([`verdict::primary_rule`]), and a rule fires when it reported
//! any finding.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context, Result};
use wegent_analyzer::engine::{Analysis, Options, analyze, verdict};

use super::spec::Expect;

/// The parts of a diagnosis that a recording pins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    pub verdict: String,
    /// Rule id of the finding the summary names, `none` when it names none.
    pub primary: String,
    /// Rules that reported a finding, at any severity.
    pub fired: BTreeSet<String>,
}

/// Opens the bundle folder or zip at `path` and analyzes it at its own collection time.
pub fn diagnose(path: &Path) -> Result<Diagnosis> {
    let bundle = wegent_analyzer::bundle::open(path)
        .with_context(|| format!("the bundle {} does not open", path.display()))?;
    Ok(diagnosis_of(&analyze(&bundle, &Options::default())))
}

/// Extracts the pinned parts of `analysis`.
pub fn diagnosis_of(analysis: &Analysis) -> Diagnosis {
    let primary = verdict::primary_rule(analysis.verdict, &analysis.findings).unwrap_or("none");
    let fired = analysis
        .findings
        .iter()
        .map(|f| f.rule.to_string())
        .collect();

    Diagnosis {
        verdict: analysis.verdict.as_str().to_string(),
        primary: primary.to_string(),
        fired,
    }
}

/// Returns every way `diagnosis` differs from `expect`; empty when it matches.
pub fn differences(diagnosis: &Diagnosis, expect: &Expect) -> Vec<String> {
    let mut out = Vec::new();

    if diagnosis.verdict != expect.verdict {
        out.push(format!(
            "verdict is {}, expected {}",
            diagnosis.verdict, expect.verdict
        ));
    }
    if diagnosis.primary != expect.primary {
        out.push(format!(
            "primary rule is {}, expected {}",
            diagnosis.primary, expect.primary
        ));
    }
    for rule in &expect.fires {
        if !diagnosis.fired.contains(rule) {
            out.push(format!("rule {rule} did not fire"));
        }
    }
    for rule in &expect.must_not_fire {
        if diagnosis.fired.contains(rule) {
            out.push(format!("rule {rule} fired but must not"));
        }
    }

    out
}
