//! Starting `mariadbd` on a fresh data directory: finding the programs, running
//! `mariadb-install-db`, and waiting until the server accepts connections.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::TempRoot;
use crate::command::{self, DEFAULT_TIMEOUT, find_program, tail_lines};

/// Time limit for the server to accept connections after `mariadbd` starts.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

/// InnoDB settings for both bootstrap and server: a small buffer pool and redo log (the
/// default redo log alone writes 96 MiB per server), and no flush at each commit.
const INNODB_OPTIONS: [&str; 3] = [
    "--innodb-buffer-pool-size=32M",
    "--innodb-log-file-size=8M",
    "--innodb-flush-log-at-trx-commit=0",
];

/// Preferred parent of data directories, usually a tmpfs.
const SHARED_MEMORY_DIR: &str = "/dev/shm";

/// Free space `/dev/shm` needs to be used: room for about a dozen parallel servers, whose data
/// directories take about 30 MiB each after bootstrap. Containers often get only 64 MiB.
const MIN_SHARED_MEMORY_FREE: u64 = 512 * 1024 * 1024;

/// Paths of the MariaDB programs this module runs.
pub(super) struct Programs {
    pub install_db: PathBuf,
    pub server: PathBuf,
    pub client: PathBuf,
}

impl Programs {
    pub fn find() -> Result<Programs> {
        let find = |names: &[&str]| {
            find_program(names).with_context(|| {
                format!(
                    "none of {} was found in PATH or /usr/sbin; install mariadb-server \
                     (scripts/test.sh installs it)",
                    names.join(", ")
                )
            })
        };

        Ok(Programs {
            install_db: find(&["mariadb-install-db", "mysql_install_db"])?,
            server: find(&["mariadbd", "mysqld"])?,
            client: find(&["mariadb", "mysql"])?,
        })
    }
}

/// Outcome of one start attempt.
pub(super) enum Started {
    /// The server accepts connections.
    Ready(Child),
    /// The server exited because another process took the port first.
    PortTaken,
}

/// Creates the data directory `data` and the private tmpdir `tmp` inside `root`.
pub(super) fn install_data_directory(programs: &Programs, root: &TempRoot) -> Result<()> {
    let tmpdir = root.join("tmp");
    std::fs::create_dir_all(&tmpdir)
        .with_context(|| format!("failed to create {}", tmpdir.display()))?;

    // Each server gets a private tmpdir for its temporary tables. With a shared /tmp, servers
    // that bootstrapped in parallel failed at random on deleting their temporary tables.
    let mut install = Command::new(&programs.install_db);
    install
        .arg("--no-defaults")
        .arg(format!("--datadir={}", root.join("data").display()))
        .arg(format!("--tmpdir={}", tmpdir.display()))
        .arg("--user=root")
        .arg("--auth-root-authentication-method=normal")
        .arg("--skip-test-db")
        .arg("--skip-name-resolve")
        .args(INNODB_OPTIONS);

    command::run(&mut install, None, DEFAULT_TIMEOUT)
        .context("failed to initialise a MariaDB data directory")?;

    Ok(())
}

/// Starts `mariadbd` on `port` and waits until it accepts connections on its socket.
pub(super) fn start_server(programs: &Programs, root: &TempRoot, port: u16) -> Result<Started> {
    let error_log = root.join("error.log");
    let socket = root.join("mysqld.sock");

    // A log left by an attempt on a port that was taken would confuse the next diagnosis.
    let _ = std::fs::remove_file(&error_log);

    let mut server = Command::new(&programs.server);
    server
        .arg("--no-defaults")
        .arg(format!("--datadir={}", root.join("data").display()))
        .arg(format!("--tmpdir={}", root.join("tmp").display()))
        .arg(format!("--socket={}", socket.display()))
        .arg(format!("--pid-file={}", root.join("mysqld.pid").display()))
        .arg(format!("--log-error={}", error_log.display()))
        .arg(format!("--port={port}"))
        .arg("--bind-address=127.0.0.1")
        .arg("--user=root")
        .arg("--skip-name-resolve")
        .arg("--skip-log-bin")
        .arg("--performance-schema=OFF")
        .args(INNODB_OPTIONS)
        .arg("--character-set-server=utf8mb4")
        .arg("--collation-server=utf8mb4_unicode_ci")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());

    let mut child = server
        .spawn()
        .with_context(|| format!("failed to start {}", programs.server.display()))?;

    let mut probe = Command::new(&programs.client);
    probe
        .arg("--no-defaults")
        .arg(format!("--socket={}", socket.display()))
        .arg("--user=root")
        .arg("--connect-timeout=2")
        .arg("--execute=SELECT 1");

    let deadline = Instant::now() + STARTUP_TIMEOUT;
    loop {
        if let Some(status) = child.try_wait().context("failed to poll mariadbd")? {
            let log = read_log_tail(&error_log);
            if log.contains("Address already in use") || log.contains("Can't start server: Bind") {
                return Ok(Started::PortTaken);
            }
            bail!("mariadbd exited with {status} during startup; error log:\n{log}");
        }

        if socket.exists() {
            let (status, _, _) = command::run_unchecked(&mut probe, None, DEFAULT_TIMEOUT)?;
            if status.success() {
                return Ok(Started::Ready(child));
            }
        }

        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            bail!(
                "MariaDB did not accept connections on port {port} within {} s; error log:\n{}",
                STARTUP_TIMEOUT.as_secs(),
                read_log_tail(&error_log)
            );
        }

        std::thread::sleep(Duration::from_millis(50));
    }
}

fn read_log_tail(path: &Path) -> String {
    match std::fs::read_to_string(path) {
        Ok(text) => tail_lines(&text, 30),
        Err(error) => format!("(cannot read {}: {error})", path.display()),
    }
}

/// Creates the temporary directory for one server, in `/dev/shm` when it has enough free space
/// and else in the system temp dir.
///
/// `/dev/shm` is usually a tmpfs. On a 2-core machine busy with other builds, a bootstrap there
/// took about 0.5 s, against 3 to 5 s on the disk under /tmp.
pub(super) fn scratch_root() -> Result<TempRoot> {
    let shared_memory = Path::new(SHARED_MEMORY_DIR);
    let has_room = free_bytes(shared_memory).is_some_and(|free| free >= MIN_SHARED_MEMORY_FREE);

    let in_shared_memory = has_room
        .then(|| TempRoot::new_in(shared_memory, "mariadb").ok())
        .flatten();

    match in_shared_memory {
        Some(root) => Ok(root),
        None => TempRoot::new("mariadb"),
    }
}

/// Returns the space available to unprivileged users on the file system of `path`, from
/// `df -P -k`, or `None` when `df` fails.
fn free_bytes(path: &Path) -> Option<u64> {
    let mut df = Command::new("df");
    df.args(["-P", "-k"]).arg(path);

    let output = command::run(&mut df, None, DEFAULT_TIMEOUT).ok()?.stdout;
    let kibibytes: u64 = output
        .lines()
        .nth(1)?
        .split_whitespace()
        .nth(3)?
        .parse()
        .ok()?;

    Some(kibibytes * 1024)
}
