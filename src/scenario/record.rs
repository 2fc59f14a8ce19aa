//! Records one scenario: provision, collect, unpack, diagnose, tear down.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use super::check::{Diagnosis, diagnose};
use super::collect::{run_collect, unpack};
use super::provision::Deployment;
use super::spec::Scenario;

/// Result of one recording.
#[derive(Debug)]
pub struct Recording {
    /// Folder that contains the unpacked bundle.
    pub dir: PathBuf,
    /// Exit status of `collect` (0: every source ok, 1: some source failed).
    pub collect_exit: Option<i32>,
    /// Messages `collect` printed to stderr.
    pub collect_stderr: String,
    pub diagnosis: Diagnosis,
    pub elapsed: Duration,
}

/// Records `scenario` with the `collect` binary at `collect_bin` into `out` (the folder that
/// receives the unpacked bundle, replaced if it exists).
///
/// The deployment is torn down before this returns, whether recording worked or not.
pub fn record(scenario: &Scenario, collect_bin: &Path, out: &Path) -> Result<Recording> {
    let started = Instant::now();
    let deployment = Deployment::start(scenario)
        .with_context(|| format!("provisioning the scenario {} failed", scenario.name))?;

    let zip = deployment.scratch().join("bundle.zip");
    let collected = run_collect(collect_bin, &deployment.targets, &zip);
    let unpacked = collected.and_then(|collected| {
        unpack(&collected.zip, out)?;
        Ok(collected)
    });
    drop(deployment);

    let collected =
        unpacked.with_context(|| format!("collecting the scenario {} failed", scenario.name))?;
    let diagnosis = diagnose(out)?;

    Ok(Recording {
        dir: out.to_path_buf(),
        collect_exit: collected.exit_code,
        collect_stderr: collected.stderr,
        diagnosis,
        elapsed: started.elapsed(),
    })
}
