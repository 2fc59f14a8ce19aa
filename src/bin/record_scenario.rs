//! `record-scenario`: records incident scenarios into `fixtures/recorded/`.
//!
//! ```text
//! cargo run -p wegent-inspect --bin record-scenario -- <name>|--all [--out DIR]
//! ```
//!
//! Each scenario of `fixtures/scenarios/` is provisioned from nothing (MariaDB, Redis,
//! Docker containers, executor-manager stand-in, workspace, log files), collected with the
//! real `collect`, unpacked into `<out>/<name>/` and torn down. The diagnosis of each
//! recording is compared with the scenario's `[expect]`; the exit status is 1 when a
//! recording failed or differs.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use wegent_inspect::scenario::{self, Scenario, collect::collect_binary, differences, record};

/// Records incident scenarios with the real `collect`.
#[derive(Debug, Parser)]
#[command(name = "record-scenario", about)]
struct Cli {
    /// Scenario names (folders of fixtures/scenarios).
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    names: Vec<String>,

    /// Record every scenario.
    #[arg(long)]
    all: bool,

    /// Folder that receives one bundle folder per scenario [default: fixtures/recorded].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,

    /// The collect binary [default: WEGENT_COLLECT_BIN, else built with cargo].
    #[arg(long, value_name = "FILE")]
    collect_bin: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(error) => {
            eprintln!("record-scenario: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: &Cli) -> anyhow::Result<bool> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let scenarios_dir = root.join("fixtures/scenarios");
    let out = cli
        .out
        .clone()
        .unwrap_or_else(|| root.join("fixtures/recorded"));

    let scenarios: Vec<Scenario> = if cli.all {
        scenario::list(&scenarios_dir)?
    } else {
        cli.names
            .iter()
            .map(|name| Scenario::load(&scenarios_dir.join(name)))
            .collect::<anyhow::Result<_>>()?
    };

    let collect_bin = match &cli.collect_bin {
        Some(path) => path.clone(),
        None => collect_binary(&root)?,
    };

    let mut all_good = true;
    for scenario in &scenarios {
        eprintln!("recording {} ({})", scenario.name, scenario.flavour);
        match record(scenario, &collect_bin, &out.join(&scenario.name)) {
            Ok(recording) => {
                let problems = differences(&recording.diagnosis, &scenario.expect);
                eprintln!(
                    "  {} in {:.1} s: verdict {}, primary {}, collect exit {:?}",
                    recording.dir.display(),
                    recording.elapsed.as_secs_f64(),
                    recording.diagnosis.verdict,
                    recording.diagnosis.primary,
                    recording.collect_exit,
                );
                eprintln!(
                    "  rules: {}",
                    recording
                        .diagnosis
                        .fired
                        .iter()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                for problem in &problems {
                    eprintln!("  differs from [expect]: {problem}");
                }
                all_good &= problems.is_empty();
            }
            Err(error) => {
                eprintln!("  failed: {error:#}");
                all_good = false;
            }
        }
    }

    Ok(all_good)
}
