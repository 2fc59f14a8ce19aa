//! Temporary directories named `wi-test-*`, removed when dropped.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// A temporary directory under the system temp dir whose name starts with `wi-test-`.
///
/// The directory and everything in it are removed when the value is dropped.
#[derive(Debug)]
pub struct TempRoot {
    dir: tempfile::TempDir,
}

impl TempRoot {
    /// Creates `<tmp>/wi-test-<label>-<random>`.
    ///
    /// `label` names the owner, such as `mariadb` or `git`; an empty label gives
    /// `wi-test-<random>`.
    pub fn new(label: &str) -> Result<TempRoot> {
        TempRoot::new_in(&std::env::temp_dir(), label)
    }

    /// Creates `<parent>/wi-test-<label>-<random>`, like [`TempRoot::new`] but in `parent`.
    pub fn new_in(parent: &Path, label: &str) -> Result<TempRoot> {
        let prefix = if label.is_empty() {
            "wi-test-".to_string()
        } else {
            format!("wi-test-{label}-")
        };

        let dir = tempfile::Builder::new()
            .prefix(&prefix)
            .tempdir_in(parent)
            .with_context(|| {
                format!(
                    "failed to create a temporary directory with prefix {prefix:?} in {}",
                    parent.display()
                )
            })?;

        Ok(TempRoot { dir })
    }

    /// Returns the directory's path.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Returns `relative` resolved against the directory.
    pub fn join(&self, relative: impl AsRef<Path>) -> PathBuf {
        self.dir.path().join(relative)
    }
}
