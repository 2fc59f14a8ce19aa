//! Builds the local test image from the host's static busybox, because tests cannot pull
//! images from a registry.
//!
//! The image contains `/bin/busybox`, one symlink per busybox applet in `/bin`, `/tmp`, and a
//! minimal `/etc/passwd`. It carries the label `wi-test=1` and runs `/bin/sh` by default.
//! `scripts/test.sh` builds the same image with the same steps in bash.

use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result, bail};

use super::{TEST_IMAGE, TEST_LABEL_FILTER, docker};
use crate::TempRoot;
use crate::command::{self, DEFAULT_TIMEOUT, find_program};

/// Time limit for waiting on another process that builds the image.
const LOCK_TIMEOUT: Duration = Duration::from_secs(120);

/// Age after which a lock file is considered left behind by a crashed process.
const STALE_LOCK_AGE: Duration = Duration::from_secs(300);

/// Makes sure `wi-test-busybox:latest` exists, building it when missing, and returns its name.
///
/// Safe to call from tests that run in parallel processes: the build runs under a lock file in
/// the system temp dir, and a process that waited for the lock checks again before building.
pub fn ensure_image() -> Result<&'static str> {
    if image_exists(TEST_IMAGE)? {
        return Ok(TEST_IMAGE);
    }

    let _lock = LockFile::acquire(&std::env::temp_dir().join("wi-test-busybox-image.lock"))?;

    if !image_exists(TEST_IMAGE)? {
        build_image(TEST_IMAGE)?;
    }

    Ok(TEST_IMAGE)
}

/// Builds the busybox test image under `tag` with `docker import`, replacing an image with the
/// same tag.
///
/// Fails when no statically linked busybox is installed (Debian package `busybox-static`),
/// because a dynamically linked one cannot run in an image without libraries.
pub fn build_image(tag: &str) -> Result<()> {
    let busybox = find_static_busybox()?;
    let root = TempRoot::new("image")?;
    let rootfs = root.join("rootfs");

    write_rootfs(&busybox, &rootfs)
        .with_context(|| format!("failed to lay out the image files in {}", rootfs.display()))?;

    let archive = root.join("rootfs.tar");
    let mut tar = Command::new("tar");
    tar.args(["--numeric-owner", "--owner=0", "--group=0", "-C"])
        .arg(&rootfs)
        .arg("-cf")
        .arg(&archive)
        .arg(".");
    command::run(&mut tar, None, DEFAULT_TIMEOUT).context("failed to pack the image files")?;

    let mut import = docker();
    import
        .args(["import", "--change", r#"CMD ["/bin/sh"]"#, "--change"])
        .arg(format!("LABEL {TEST_LABEL_FILTER}"))
        .arg(&archive)
        .arg(tag);
    command::run(&mut import, None, DEFAULT_TIMEOUT)
        .with_context(|| format!("failed to import the test image as {tag}"))?;

    Ok(())
}

fn image_exists(tag: &str) -> Result<bool> {
    let mut inspect = docker();
    inspect.args(["image", "inspect", "--format", "{{.Id}}", tag]);

    let (status, _, stderr) = command::run_unchecked(&mut inspect, None, DEFAULT_TIMEOUT)?;
    if status.success() {
        return Ok(true);
    }
    if stderr.contains("No such image") || stderr.contains("No such object") {
        return Ok(false);
    }

    bail!(
        "`docker image inspect {tag}` failed: {}; is the Docker engine running? \
         scripts/test.sh starts it",
        stderr.trim()
    )
}

fn find_static_busybox() -> Result<PathBuf> {
    let candidates = ["/bin/busybox", "/usr/bin/busybox"].map(PathBuf::from);
    let busybox = candidates
        .into_iter()
        .find(|path| path.is_file())
        .or_else(|| find_program(&["busybox"]))
        .context("busybox was not found; install busybox-static (scripts/test.sh installs it)")?;

    if has_program_interpreter(&busybox)? {
        bail!(
            "{} is dynamically linked and cannot run in an image without libraries; \
             install busybox-static (scripts/test.sh installs it)",
            busybox.display()
        );
    }

    Ok(busybox)
}

/// Tells whether an ELF file names a program interpreter, which dynamically linked programs
/// need. Files that are not 64-bit little-endian ELF are reported as not dynamic.
fn has_program_interpreter(path: &Path) -> Result<bool> {
    const PT_INTERP: u32 = 3;

    let mut bytes = Vec::new();
    fs::File::open(path)
        .and_then(|file| file.take(1 << 16).read_to_end(&mut bytes))
        .with_context(|| format!("failed to read {}", path.display()))?;

    let is_elf64_le =
        bytes.len() >= 64 && bytes[..4] == *b"\x7fELF" && bytes[4] == 2 && bytes[5] == 1;
    if !is_elf64_le {
        return Ok(false);
    }

    let read_u16 = |at: usize| u16::from_le_bytes([bytes[at], bytes[at + 1]]) as usize;
    let header_offset = u64::from_le_bytes(bytes[0x20..0x28].try_into().expect("8 bytes")) as usize;
    let header_size = read_u16(0x36);
    let header_count = read_u16(0x38);

    for index in 0..header_count {
        let kind = index
            .checked_mul(header_size)
            .and_then(|relative| relative.checked_add(header_offset))
            .and_then(|start| bytes.get(start..start.checked_add(4)?));
        let Some(kind) = kind else {
            break;
        };
        if u32::from_le_bytes(kind.try_into().expect("4 bytes")) == PT_INTERP {
            return Ok(true);
        }
    }

    Ok(false)
}

fn write_rootfs(busybox: &Path, rootfs: &Path) -> Result<()> {
    let bin = rootfs.join("bin");
    fs::create_dir_all(&bin)?;
    for dir in ["etc", "root", "proc", "sys", "dev", "tmp"] {
        fs::create_dir_all(rootfs.join(dir))?;
    }
    fs::set_permissions(rootfs.join("tmp"), fs::Permissions::from_mode(0o1777))?;

    fs::copy(busybox, bin.join("busybox"))
        .with_context(|| format!("failed to copy {}", busybox.display()))?;
    fs::set_permissions(bin.join("busybox"), fs::Permissions::from_mode(0o755))?;

    let mut list = Command::new(busybox);
    list.arg("--list");
    let applets = command::run(&mut list, None, DEFAULT_TIMEOUT)?.stdout;
    for applet in applets.lines().map(str::trim) {
        let is_plain_name = !applet.is_empty() && !applet.contains('/') && applet != "busybox";
        if is_plain_name {
            symlink("busybox", bin.join(applet))?;
        }
    }

    fs::write(rootfs.join("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n")?;
    fs::write(rootfs.join("etc/group"), "root:x:0:\n")?;

    Ok(())
}

/// A lock held by creating a file exclusively; the file is removed when the value is dropped.
struct LockFile {
    path: PathBuf,
}

impl LockFile {
    fn acquire(path: &Path) -> Result<LockFile> {
        let deadline = Instant::now() + LOCK_TIMEOUT;

        loop {
            match OpenOptions::new().write(true).create_new(true).open(path) {
                Ok(mut file) => {
                    let _ = writeln!(file, "{}", std::process::id());
                    return Ok(LockFile {
                        path: path.to_path_buf(),
                    });
                }
                Err(error) if error.kind() == ErrorKind::AlreadyExists => {
                    if lock_is_stale(path) {
                        let _ = fs::remove_file(path);
                        continue;
                    }
                }
                Err(error) => {
                    return Err(error).with_context(|| {
                        format!("failed to create the lock file {}", path.display())
                    });
                }
            }

            if Instant::now() >= deadline {
                bail!(
                    "timed out after {} s waiting for the lock {} held by another test process; \
                     remove the file if no test is running",
                    LOCK_TIMEOUT.as_secs(),
                    path.display()
                );
            }

            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for LockFile {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// Tells whether the process that wrote the lock file is gone or the file is too old.
fn lock_is_stale(path: &Path) -> bool {
    let owner_alive = fs::read_to_string(path)
        .ok()
        .and_then(|text| text.trim().parse::<u32>().ok())
        .map(|pid| Path::new(&format!("/proc/{pid}")).exists());

    let age = fs::metadata(path)
        .and_then(|metadata| metadata.modified())
        .ok()
        .and_then(|modified| SystemTime::now().duration_since(modified).ok());

    match owner_alive {
        Some(false) => true,
        // An empty file is a lock whose owner has not written its pid yet, or never will.
        _ => age.is_some_and(|age| age > STALE_LOCK_AGE),
    }
}
