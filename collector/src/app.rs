//! One `collect` run from validated settings to exit status.
//!
//! Exit status:
//!
//! - 0 when the bundle was written and no source failed;
//! - 1 when it was written but some source failed;
//! - 2 when no bundle was written (output not writable, output already present without
//!   `--force`, redaction gate hit);
//! - 130 when interrupted with Ctrl-C.
//!
//! An interrupted run leaves no file behind. Before the zip is written nothing exists on
//! disk, and a bundle finished after the interrupt is removed again.

use std::path::Path;
use std::sync::Arc;

use chrono::Utc;
use wegent_analyzer::bundle::WriteError;

use crate::assemble;
use crate::config::Config;
use crate::console::Console;
use crate::redact::{IdentityKind, Redactor};
use crate::runner;
use crate::source::{Context, Source};

/// Exit status when no bundle was written.
pub const EXIT_NO_BUNDLE: u8 = 2;

/// Exit status after Ctrl-C.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Collects, writes and summarizes; returns the exit status.
pub async fn run(
    config: Config,
    sources: Vec<Box<dyn Source>>,
    redactor: Arc<Redactor>,
    console: Console,
) -> u8 {
    if let Some(env) = &config.env_file {
        env.remember_secrets(&redactor);
    }

    let collected_at = Utc::now();
    let out = config.output_path(collected_at);
    if let Err(message) = check_output(&out, config.force, &console) {
        console.error(&message);
        return EXIT_NO_BUNDLE;
    }
    let replacing = out.exists();

    remember_hosts(&config, &redactor);
    let config = Arc::new(config);
    let ctx = Context::new(config.clone(), collected_at, redactor.clone());
    let runs = tokio::select! {
        runs = runner::run_all(&ctx, &sources, &console) => runs,
        _ = tokio::signal::ctrl_c() => {
            console.error(&console.text("error.interrupted", &[]));
            return EXIT_INTERRUPTED;
        }
    };
    let facts = ctx.into_facts();

    let writer = match assemble::prepare_writer(&config, collected_at, runs, &facts) {
        Ok(writer) => writer,
        Err(err) => {
            console.error(&write_error_message(&err, &out, &console));
            return EXIT_NO_BUNDLE;
        }
    };

    let target = out.clone();
    let writing_redactor = redactor.clone();
    let mut handle = tokio::task::spawn_blocking(move || {
        let mut redactor: &Redactor = &writing_redactor;
        assemble::write_bundle(writer, &mut redactor, &target)
    });

    let result = tokio::select! {
        result = &mut handle => result,
        _ = tokio::signal::ctrl_c() => {
            // The writer cannot be stopped halfway; wait for it and remove its output.
            if let Ok(Ok(written)) = handle.await {
                let _ = std::fs::remove_file(&written.path);
            }
            console.error(&console.text("error.interrupted", &[]));
            return EXIT_INTERRUPTED;
        }
    };

    match result {
        Ok(Ok(written)) => {
            if replacing {
                console.err(&console.text(
                    "summary.replaced",
                    &[("path", &written.path.display().to_string())],
                ));
            }
            assemble::print_summary(&console, &written);
            assemble::exit_status(&written.manifest.sources)
        }
        Ok(Err(err)) => {
            console.error(&write_error_message(&err, &out, &console));
            EXIT_NO_BUNDLE
        }
        Err(join_error) => {
            console.error(&console.text(
                "error.output-not-writable",
                &[
                    ("path", &out.display().to_string()),
                    ("error", &join_error.to_string()),
                ],
            ));
            EXIT_NO_BUNDLE
        }
    }
}

/// Registers the hosts of the connection URLs for `--pseudonymize`. Loopback addresses
/// do not identify the site, so they stay as they are.
fn remember_hosts(config: &Config, redactor: &Redactor) {
    for raw in [
        &config.database_url,
        &config.executor_manager_url,
        &config.redis_url,
    ] {
        let Ok(parsed) = url::Url::parse(raw) else {
            continue;
        };
        match parsed.host() {
            Some(url::Host::Domain(name)) if name != "localhost" => {
                redactor.remember_identity(IdentityKind::Hostname, name);
            }
            Some(url::Host::Ipv4(ip)) if !ip.is_loopback() => {
                redactor.remember_identity(IdentityKind::Ip, &ip.to_string());
            }
            Some(url::Host::Ipv6(ip)) if !ip.is_loopback() => {
                redactor.remember_identity(IdentityKind::Ip, &ip.to_string());
            }
            _ => {}
        }
    }
}

/// Fails early, before minutes of collection, when the bundle could not be written or
/// would replace a file without `--force`.
fn check_output(out: &Path, force: bool, console: &Console) -> Result<(), String> {
    let shown = out.display().to_string();
    if out.is_dir() {
        return Err(console.text("error.output-exists-dir", &[("path", &shown)]));
    }
    if out.exists() && !force {
        return Err(console.text("error.output-exists", &[("path", &shown)]));
    }

    let parent = match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let dir = parent.display().to_string();
    if !parent.is_dir() {
        return Err(console.text("error.output-dir-missing", &[("dir", &dir)]));
    }

    // A throwaway file in the target directory proves that the bundle can be created
    // there. Only the kind of failure reaches the message, not the throwaway file's name.
    let probe = tempfile::Builder::new()
        .prefix(".wegent-inspect-probe-")
        .tempfile_in(&parent);
    match probe {
        Ok(_) => Ok(()),
        Err(err) => Err(io_error_message(err.kind(), out, &parent, console)),
    }
}

/// Message for an I/O failure while creating the bundle in `dir`.
fn io_error_message(kind: std::io::ErrorKind, out: &Path, dir: &Path, console: &Console) -> String {
    let shown = out.display().to_string();
    match kind {
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => console
            .text(
                "error.output-permission",
                &[("dir", &dir.display().to_string())],
            ),
        std::io::ErrorKind::NotFound => console.text(
            "error.output-dir-missing",
            &[("dir", &dir.display().to_string())],
        ),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => {
            console.text("error.output-full", &[("path", &shown)])
        }
        other => console.text(
            "error.output-not-writable",
            &[("path", &shown), ("error", &other.to_string())],
        ),
    }
}

fn write_error_message(err: &WriteError, out: &Path, console: &Console) -> String {
    match err {
        WriteError::GateHit { member, rule } => console.text(
            "error.redaction-gate",
            &[("member", member), ("rule", rule)],
        ),
        other => console.text(
            "error.output-not-writable",
            &[
                ("path", &out.display().to_string()),
                ("error", &other.to_string()),
            ],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn console() -> Console {
        Console::new(Lang::En, Arc::new(Redactor::new()))
    }

    #[test]
    fn permission_denied_says_so() {
        let message = io_error_message(
            std::io::ErrorKind::PermissionDenied,
            Path::new("/srv/out/b.zip"),
            Path::new("/srv/out"),
            &console(),
        );
        assert_eq!(
            message,
            "cannot write to /srv/out: permission denied; choose another --output"
        );
    }

    #[test]
    fn missing_directory_is_named_without_probe_file() {
        let dir = tempfile::Builder::new()
            .prefix("wi-test-")
            .tempdir()
            .unwrap();
        let out = dir.path().join("missing").join("b.zip");
        let message = check_output(&out, false, &console()).unwrap_err();
        let expected = format!(
            "directory {} does not exist; create it or choose another --output",
            dir.path().join("missing").display()
        );
        assert_eq!(message, expected);
    }

    #[test]
    fn existing_file_needs_force() {
        let dir = tempfile::Builder::new()
            .prefix("wi-test-")
            .tempdir()
            .unwrap();
        let out = dir.path().join("b.zip");
        std::fs::write(&out, "x").unwrap();
        assert!(
            check_output(&out, false, &console())
                .unwrap_err()
                .contains("--force")
        );
        assert!(check_output(&out, true, &console()).is_ok());
    }
}
