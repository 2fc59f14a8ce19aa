//! A throwaway `redis-server` on a free port of 127.0.0.1.
//!
//! The server keeps no data on disk (`--save ""`, `--appendonly no`), runs in a [`TempRoot`]
//! and is killed when the value is dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::command::{self, DEFAULT_TIMEOUT, find_program, tail_lines};
use crate::{TempRoot, free_port};

/// Time limit for the server to reply to `PING` after it starts.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(15);

/// Attempts with a new port when another process takes the chosen port first.
const PORT_ATTEMPTS: usize = 3;

/// A running throwaway Redis server.
#[derive(Debug)]
pub struct RedisServer {
    server: Child,
    port: u16,
    password: Option<String>,
    client_program: PathBuf,
    log: PathBuf,
    // Dropped after `server` has been killed in `Drop::drop`.
    _root: TempRoot,
}

impl RedisServer {
    /// Starts a server without authentication, like upstream Wegent's Redis.
    pub fn start() -> Result<RedisServer> {
        RedisServer::start_inner(None)
    }

    /// Starts a server that requires `password` (`--requirepass`), like the fork's Redis.
    pub fn start_with_password(password: &str) -> Result<RedisServer> {
        RedisServer::start_inner(Some(password.to_string()))
    }

    /// Returns the URL of database 0, with the password when one is set:
    /// `redis://127.0.0.1:<port>/0` or `redis://:<password>@127.0.0.1:<port>/0`.
    pub fn url(&self) -> String {
        match &self.password {
            Some(password) => format!("redis://:{password}@127.0.0.1:{}/0", self.port),
            None => format!("redis://127.0.0.1:{}/0", self.port),
        }
    }

    /// Returns the TCP port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Returns the password, if the server requires one.
    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    /// Returns the path of the server's log file.
    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// Runs one command with `redis-cli` and returns its output without the final newline.
    ///
    /// The output is `redis-cli`'s raw format because stdout is not a terminal: `OK`, `1`, the
    /// bare string, or one line per element of an array. An error reply such as `WRONGTYPE`
    /// is returned as text, as `redis-cli` prints it, because `redis-cli` exits with status 0.
    pub fn cli(&self, args: &[&str]) -> Result<String> {
        let mut client = self.cli_command();
        client.args(args);

        let finished = command::run(&mut client, None, DEFAULT_TIMEOUT)
            .with_context(|| format!("redis-cli failed against port {}", self.port))?;

        Ok(finished
            .stdout
            .strip_suffix('\n')
            .unwrap_or(&finished.stdout)
            .to_string())
    }

    fn cli_command(&self) -> Command {
        cli_command(&self.client_program, self.port, self.password.as_deref())
    }

    fn start_inner(password: Option<String>) -> Result<RedisServer> {
        let server_program = find_program(&["redis-server"]).context(
            "redis-server was not found in PATH or /usr/sbin; install redis-server \
             (scripts/test.sh installs it)",
        )?;
        let client_program = find_program(&["redis-cli"]).context(
            "redis-cli was not found in PATH or /usr/sbin; install redis-tools \
             (scripts/test.sh installs it with redis-server)",
        )?;
        let root = TempRoot::new("redis")?;
        let log = root.join("redis.log");

        for _ in 0..PORT_ATTEMPTS {
            let port = free_port()?;
            let _ = std::fs::remove_file(&log);

            let mut command = Command::new(&server_program);
            command
                .arg("--port")
                .arg(port.to_string())
                .args(["--bind", "127.0.0.1"])
                .args(["--save", ""])
                .args(["--appendonly", "no"])
                .args(["--daemonize", "no"])
                .arg("--dir")
                .arg(root.path())
                .arg("--logfile")
                .arg(&log)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            if let Some(password) = &password {
                command.arg("--requirepass").arg(password);
            }

            let mut server = command
                .spawn()
                .with_context(|| format!("failed to start {}", server_program.display()))?;

            let mut ping = cli_command(&client_program, port, password.as_deref());
            ping.arg("PING");

            let ready = wait_until_ready(&mut server, &mut ping, port, &log);
            match ready {
                Ok(true) => {
                    return Ok(RedisServer {
                        server,
                        port,
                        password,
                        client_program,
                        log,
                        _root: root,
                    });
                }
                Ok(false) => continue,
                Err(error) => {
                    let _ = server.kill();
                    let _ = server.wait();
                    return Err(error);
                }
            }
        }

        bail!("redis-server could not bind a free port on 127.0.0.1 in {PORT_ATTEMPTS} attempts")
    }
}

fn cli_command(client_program: &Path, port: u16, password: Option<&str>) -> Command {
    let mut client = Command::new(client_program);
    client.args(["-h", "127.0.0.1", "-p", &port.to_string()]);

    // REDISCLI_AUTH keeps the password out of error messages that quote the command line.
    match password {
        Some(password) => client.env("REDISCLI_AUTH", password),
        None => client.env_remove("REDISCLI_AUTH"),
    };

    client
}

/// Waits until the server replies `PONG` to `PING`. Returns `false` when it exited because the port was
/// already in use.
fn wait_until_ready(server: &mut Child, ping: &mut Command, port: u16, log: &Path) -> Result<bool> {
    let deadline = Instant::now() + STARTUP_TIMEOUT;

    loop {
        if let Some(status) = server.try_wait().context("failed to poll redis-server")? {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            if text.contains("Address already in use") {
                return Ok(false);
            }
            bail!(
                "redis-server exited with {status} during startup; log:\n{}",
                tail_lines(&text, 30)
            );
        }

        let (status, stdout, _) = command::run_unchecked(ping, None, DEFAULT_TIMEOUT)?;
        if status.success() && stdout.trim() == "PONG" {
            return Ok(true);
        }

        if Instant::now() >= deadline {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            bail!(
                "redis-server did not reply to PING on port {port} within {} s; log:\n{}",
                STARTUP_TIMEOUT.as_secs(),
                tail_lines(&text, 30)
            );
        }

        std::thread::sleep(Duration::from_millis(50));
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}
