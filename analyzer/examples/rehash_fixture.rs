//! Recomputes the member digests of an unpacked bundle after a hand edit.
//!
//! Usage: `cargo run -p wegent-analyzer --example rehash_fixture -- fixtures/<name> [more dirs]`
//!
//! Rewrites the `members` object of `<dir>/manifest.json` with the SHA-256 and size of
//! every other regular file under `<dir>`, keyed by its `/`-separated relative path and
//! sorted. Every other manifest field keeps its value and order. Hidden files (a path
//! component starting with `.`) are skipped, so editor droppings never become members.
//! The manifest is written back with two-space indentation and a final newline.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use wegent_analyzer::bundle::model::members::MANIFEST;

fn main() -> ExitCode {
    let dirs: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if dirs.is_empty() {
        eprintln!(
            "usage: rehash_fixture DIR [DIR...]  (each DIR contains an unpacked bundle with manifest.json)"
        );
        return ExitCode::from(2);
    }

    let mut failed = false;
    for dir in &dirs {
        match rehash(dir) {
            Ok(count) => eprintln!("{}: {count} members rehashed", dir.display()),
            Err(err) => {
                eprintln!("rehash_fixture: {err:#}");
                failed = true;
            }
        }
    }

    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Rewrites the digests of one bundle folder and returns the number of members.
fn rehash(dir: &Path) -> Result<usize> {
    let manifest_path = dir.join(MANIFEST);
    let text = fs::read_to_string(&manifest_path).with_context(|| {
        format!(
            "reading {} failed; is {} an unpacked bundle?",
            manifest_path.display(),
            dir.display()
        )
    })?;
    let mut manifest: Value = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not valid JSON; fix it by hand first",
            manifest_path.display()
        )
    })?;
    let Some(object) = manifest.as_object_mut() else {
        bail!("{} does not contain a JSON object", manifest_path.display());
    };

    let mut files = Vec::new();
    collect_files(dir, dir, &mut files)?;

    let mut digests = BTreeMap::new();
    for (relative, path) in files {
        if relative == MANIFEST {
            continue;
        }
        let bytes =
            fs::read(&path).with_context(|| format!("reading {} failed", path.display()))?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        digests.insert(
            relative,
            json!({ "sha256": sha256, "size": bytes.len() as u64 }),
        );
    }

    let count = digests.len();
    let members: Map<String, Value> = digests.into_iter().collect();
    object.insert("members".to_string(), Value::Object(members));

    let mut out =
        serde_json::to_string_pretty(&manifest).context("serializing the manifest failed")?;
    out.push('\n');
    fs::write(&manifest_path, out)
        .with_context(|| format!("writing {} failed", manifest_path.display()))?;
    Ok(count)
}

/// Appends every regular, non-hidden file under `dir` as (relative path, full path).
fn collect_files(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) -> Result<()> {
    let entries = fs::read_dir(dir).with_context(|| format!("listing {} failed", dir.display()))?;

    for entry in entries {
        let entry = entry.with_context(|| format!("listing {} failed", dir.display()))?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }

        let path = entry.path();
        let kind = entry
            .file_type()
            .with_context(|| format!("reading the type of {} failed", path.display()))?;
        if kind.is_dir() {
            collect_files(root, &path, out)?;
        } else if kind.is_file() {
            let relative = path
                .strip_prefix(root)
                .expect("walked path lies under its root");
            let parts: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push((parts.join("/"), path));
        } else {
            bail!(
                "{} is neither a file nor a folder; bundles hold only regular files",
                path.display()
            );
        }
    }

    Ok(())
}
