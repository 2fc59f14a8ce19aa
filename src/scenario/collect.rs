//! Runs the real `collect` binary against a provisioned deployment and unpacks the bundle it
//! writes into a folder, as fixtures keep bundles.

use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use super::provision::Targets;

/// Exit status of `collect` when no bundle was written.
const EXIT_NO_BUNDLE: i32 = 2;

/// Outcome of one `collect` run: its bundle, exit status and messages.
#[derive(Debug)]
pub struct Collected {
    pub zip: PathBuf,
    pub exit_code: Option<i32>,
    pub stderr: String,
}

/// Runs `collect` with every option pointing at `targets` and writes the bundle to `zip`.
pub fn run_collect(binary: &Path, targets: &Targets, zip: &Path) -> Result<Collected> {
    let mut collect = Command::new(binary);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("WEGENT_") {
            collect.env_remove(name);
        }
    }
    collect
        .env("LANG", "C.UTF-8")
        .arg("--task-id")
        .arg(targets.task_id.to_string())
        .arg("--database-url")
        .arg(&targets.database_url)
        .arg("--mysql-container")
        .arg(&targets.mysql_container)
        .arg("--executor-manager-url")
        .arg(&targets.executor_manager_url)
        .arg("--executor-manager-container")
        .arg(&targets.executor_manager_container)
        .arg("--redis-url")
        .arg(&targets.redis_url)
        .arg("--workspace-root")
        .arg(&targets.workspace_root)
        .arg("--repo-root")
        .arg(&targets.repo_root)
        .args(["--since", "24h", "--lang", "en", "--timeout", "db=20s"])
        .arg("--output")
        .arg(zip);

    let output = collect
        .output()
        .with_context(|| format!("failed to run {}", binary.display()))?;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let exit_code = output.status.code();

    if exit_code == Some(EXIT_NO_BUNDLE) || !zip.is_file() {
        bail!("collect wrote no bundle (exit status {exit_code:?}); its messages:\n{stderr}");
    }

    Ok(Collected {
        zip: zip.to_path_buf(),
        exit_code,
        stderr,
    })
}

/// Unpacks the bundle `zip` into `out`, replacing whatever `out` held.
///
/// The members are first written to a sibling folder, which then takes the place of `out`,
/// so a failed unpack leaves the previous recording intact.
pub fn unpack(zip: &Path, out: &Path) -> Result<()> {
    let file = std::fs::File::open(zip)
        .with_context(|| format!("failed to open the bundle {}", zip.display()))?;
    let mut archive = zip::ZipArchive::new(file)
        .with_context(|| format!("{} is not a zip archive", zip.display()))?;

    let parent = out.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .with_context(|| format!("failed to create {}", parent.display()))?;
    let folder = out
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "bundle".to_string());
    let staging = parent.join(format!(".{folder}.unpacking"));
    if staging.exists() {
        std::fs::remove_dir_all(&staging)
            .with_context(|| format!("failed to remove {}", staging.display()))?;
    }

    for index in 0..archive.len() {
        let mut member = archive
            .by_index(index)
            .with_context(|| format!("failed to read member {index} of {}", zip.display()))?;
        if member.is_dir() {
            continue;
        }
        let name = member.name().to_string();
        let relative = safe_relative(&name)?;
        let target = staging.join(relative);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("failed to create {}", dir.display()))?;
        }
        let mut bytes = Vec::new();
        member
            .read_to_end(&mut bytes)
            .with_context(|| format!("failed to read the member {name}"))?;
        std::fs::write(&target, bytes)
            .with_context(|| format!("failed to write {}", target.display()))?;
    }

    if out.exists() {
        std::fs::remove_dir_all(out)
            .with_context(|| format!("failed to remove the old recording {}", out.display()))?;
    }
    std::fs::rename(&staging, out)
        .with_context(|| format!("failed to move {} to {}", staging.display(), out.display()))
}

fn safe_relative(name: &str) -> Result<PathBuf> {
    let path = Path::new(name);
    let safe = path
        .components()
        .all(|component| matches!(component, Component::Normal(_)));
    if !safe || name.is_empty() {
        bail!("the bundle member {name:?} would leave the bundle folder; the bundle is unsafe");
    }
    Ok(path.to_path_buf())
}

/// Returns the path of the `collect` binary: `WEGENT_COLLECT_BIN` when set, else the one
/// cargo builds in the current workspace.
pub fn collect_binary(workspace_root: &Path) -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("WEGENT_COLLECT_BIN") {
        return Ok(PathBuf::from(path));
    }

    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(workspace_root)
        .args([
            "build",
            "-q",
            "-p",
            "wegent-collector",
            "--bin",
            "collect",
            "--message-format=json",
        ])
        .output()
        .context("failed to run cargo build for the collect binary")?;
    if !output.status.success() {
        bail!(
            "cargo build of collect failed; fix the build or set WEGENT_COLLECT_BIN:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["target"]["name"] == "collect")
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .filter(|path| path.is_file())
        .context("cargo did not report the collect executable")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_members_outside_the_folder() {
        assert!(safe_relative("../x").is_err());
        assert!(safe_relative("/etc/passwd").is_err());
        assert!(safe_relative("db/task.json").is_ok());
    }
}
