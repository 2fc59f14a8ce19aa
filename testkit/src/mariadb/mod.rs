//! A throwaway MariaDB server with Wegent's `task_manager` database.
//!
//! [`MariaDb::start`] creates a fresh data directory with `mariadb-install-db` inside a
//! [`TempRoot`], in `/dev/shm` when it is writable and else in the system temp dir. It starts
//! `mariadbd` on a free port of 127.0.0.1 and a unix socket in the same directory, sets the
//! root password and loads the schema of the chosen [`Flavour`]. The server never reads an
//! option file, so it cannot touch the data of a MariaDB or MySQL server that already runs on
//! the machine. Dropping the value kills the server and removes the directory.

mod general_log;
mod startup;

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::command::{self, DEFAULT_TIMEOUT};
use crate::{Flavour, TempRoot, free_port};
use startup::{Programs, Started, install_data_directory, scratch_root, start_server};

pub use general_log::{GeneralLog, GeneralLogEntry, is_read_statement};

/// Password of the `root` account, for local and TCP connections.
pub const ROOT_PASSWORD: &str = "wi-test-root-pw";

/// Database that contains Wegent's tables, as in a stock Wegent install.
pub const DATABASE: &str = "task_manager";

/// Application account of a stock Wegent install, with all privileges on [`DATABASE`] only.
pub const APP_USER: &str = "task_user";

/// Password of [`APP_USER`].
pub const APP_PASSWORD: &str = "task_password";

/// Attempts with a new port when another process takes the chosen port first.
const PORT_ATTEMPTS: usize = 3;

/// A running throwaway MariaDB server.
#[derive(Debug)]
pub struct MariaDb {
    server: Child,
    flavour: Flavour,
    port: u16,
    socket: PathBuf,
    error_log: PathBuf,
    general_log: PathBuf,
    startup_time: Duration,
    client_program: PathBuf,
    // Dropped after `server` has been killed in `Drop::drop`, which removes the data directory.
    _root: TempRoot,
}

impl MariaDb {
    /// Starts a server whose `task_manager` database contains the tables of `flavour`.
    ///
    /// Fails with the tail of the server's error log when `mariadb-install-db` or `mariadbd`
    /// fails, and when the server does not accept connections within 30 seconds.
    pub fn start(flavour: Flavour) -> Result<MariaDb> {
        let started = Instant::now();
        let programs = Programs::find()?;
        let root = scratch_root()?;

        install_data_directory(&programs, &root)?;

        let mut attempt = 1;
        let (server, port) = loop {
            let port = free_port()?;
            match start_server(&programs, &root, port)? {
                Started::Ready(server) => break (server, port),
                Started::PortTaken if attempt < PORT_ATTEMPTS => attempt += 1,
                Started::PortTaken => {
                    bail!(
                        "MariaDB could not bind a free port on 127.0.0.1 in {PORT_ATTEMPTS} attempts"
                    )
                }
            }
        };

        let mut database = MariaDb {
            server,
            flavour,
            port,
            socket: root.join("mysqld.sock"),
            error_log: root.join("error.log"),
            general_log: root.join("general.log"),
            startup_time: Duration::ZERO,
            client_program: programs.client,
            _root: root,
        };

        database
            .create_accounts_and_schema()
            .with_context(|| format!("failed to load the {flavour} schema into MariaDB"))?;
        database.startup_time = started.elapsed();

        Ok(database)
    }

    /// Returns the DSN of the root account over TCP:
    /// `mysql://root:wi-test-root-pw@127.0.0.1:<port>/task_manager`.
    pub fn url(&self) -> String {
        format!(
            "mysql://root:{ROOT_PASSWORD}@127.0.0.1:{}/{DATABASE}",
            self.port
        )
    }

    /// Returns the DSN of [`APP_USER`] over TCP.
    pub fn app_url(&self) -> String {
        format!(
            "mysql://{APP_USER}:{APP_PASSWORD}@127.0.0.1:{}/{DATABASE}",
            self.port
        )
    }

    /// Returns the TCP port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Returns the path of the server's unix socket.
    pub fn socket_path(&self) -> &Path {
        &self.socket
    }

    /// Returns the flavour whose schema was loaded.
    pub fn flavour(&self) -> Flavour {
        self.flavour
    }

    /// Returns how long [`MariaDb::start`] took, from locating the binaries to a loaded schema.
    pub fn startup_time(&self) -> Duration {
        self.startup_time
    }

    /// Returns the path of the server's error log.
    pub fn error_log_path(&self) -> &Path {
        &self.error_log
    }

    /// Runs `sql` (one or more `;`-terminated statements) as root in `task_manager` with the
    /// `mariadb` command-line client over the unix socket.
    pub fn exec(&self, sql: &str) -> Result<()> {
        self.run_client(sql, &[])
            .with_context(|| format!("failed to execute SQL on MariaDB port {}", self.port))?;
        Ok(())
    }

    /// Runs `sql` like [`MariaDb::exec`] and returns the rows of the last result set.
    ///
    /// Values are the client's batch output: `NULL` for SQL NULL, everything else as text. The
    /// client's escapes of tab, newline, NUL and backslash are decoded.
    pub fn query(&self, sql: &str) -> Result<Vec<Vec<String>>> {
        let output = self
            .run_client(sql, &["--batch", "--skip-column-names"])
            .with_context(|| format!("failed to query MariaDB port {}", self.port))?;

        let rows = output
            .lines()
            .map(|line| line.split('\t').map(unescape_batch_value).collect())
            .collect();

        Ok(rows)
    }

    /// Switches the general query log on, writing every statement of every connection to
    /// [`MariaDb::general_log_path`].
    ///
    /// Statements this crate runs through [`MariaDb::exec`] and [`MariaDb::query`] are logged
    /// too. They come over the unix socket, so [`GeneralLog::tcp_statements`] leaves them out.
    pub fn enable_general_log(&self) -> Result<()> {
        let path = sql_string(&self.general_log.to_string_lossy());
        self.exec(&format!(
            "SET GLOBAL log_output = 'FILE';\n\
             SET GLOBAL general_log_file = {path};\n\
             SET GLOBAL general_log = ON;"
        ))
        .context("failed to enable the general query log")
    }

    /// Switches the general query log off. The file keeps what was logged so far.
    pub fn disable_general_log(&self) -> Result<()> {
        self.exec("SET GLOBAL general_log = OFF;")
            .context("failed to disable the general query log")
    }

    /// Returns the path of the general query log file.
    pub fn general_log_path(&self) -> &Path {
        &self.general_log
    }

    /// Reads and parses the general query log written so far.
    pub fn general_log(&self) -> Result<GeneralLog> {
        let text = std::fs::read_to_string(&self.general_log).with_context(|| {
            format!(
                "failed to read the general query log {}; call enable_general_log() first",
                self.general_log.display()
            )
        })?;

        Ok(GeneralLog::parse(&text))
    }

    fn run_client(&self, sql: &str, extra_args: &[&str]) -> Result<String> {
        let mut client = self.client_command();
        client
            .args(extra_args)
            .arg(format!("--database={DATABASE}"));

        let finished = command::run(&mut client, Some(sql.as_bytes()), DEFAULT_TIMEOUT)?;
        Ok(finished.stdout)
    }

    fn client_command(&self) -> Command {
        let mut client = Command::new(&self.client_program);
        client
            .arg("--no-defaults")
            .arg(format!("--socket={}", self.socket.display()))
            .arg("--user=root")
            // The client reads MYSQL_PWD, which keeps the password out of error messages that
            // quote the command line.
            .env("MYSQL_PWD", ROOT_PASSWORD);
        client
    }

    fn create_accounts_and_schema(&self) -> Result<()> {
        let mut setup = String::new();

        // mariadb-install-db creates root accounts for some of these hosts, depending on the
        // version; the TCP accounts let clients connect to 127.0.0.1 and ::1 with the password.
        for host in ["localhost", "127.0.0.1", "::1"] {
            setup.push_str(&format!(
                "CREATE USER IF NOT EXISTS 'root'@'{host}';\n\
                 ALTER USER 'root'@'{host}' IDENTIFIED BY '{ROOT_PASSWORD}';\n\
                 GRANT ALL PRIVILEGES ON *.* TO 'root'@'{host}' WITH GRANT OPTION;\n"
            ));
        }
        setup.push_str(&format!(
            "CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;\n\
             CREATE USER '{APP_USER}'@'%' IDENTIFIED BY '{APP_PASSWORD}';\n\
             GRANT ALL PRIVILEGES ON {DATABASE}.* TO '{APP_USER}'@'%';\n\
             FLUSH PRIVILEGES;\n"
        ));

        // The root account has no password yet, so this batch runs without MYSQL_PWD.
        let mut client = self.client_command();
        client.env_remove("MYSQL_PWD");
        command::run(&mut client, Some(setup.as_bytes()), DEFAULT_TIMEOUT)
            .context("failed to create the accounts and the task_manager database")?;

        self.exec(self.flavour.schema_sql())
    }
}

impl Drop for MariaDb {
    fn drop(&mut self) {
        // The data directory is deleted next, so a clean shutdown would only cost time.
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// Quotes `value` as a SQL string literal.
fn sql_string(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "''"))
}

/// Decodes the escapes the client's batch mode writes for tab, newline, NUL and backslash.
fn unescape_batch_value(value: &str) -> String {
    let mut decoded = String::with_capacity(value.len());
    let mut chars = value.chars();

    while let Some(c) = chars.next() {
        if c != '\\' {
            decoded.push(c);
            continue;
        }

        match chars.next() {
            Some('t') => decoded.push('\t'),
            Some('n') => decoded.push('\n'),
            Some('0') => decoded.push('\0'),
            Some('\\') => decoded.push('\\'),
            Some(other) => {
                decoded.push('\\');
                decoded.push(other);
            }
            None => decoded.push('\\'),
        }
    }

    decoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_batch_escapes() {
        assert_eq!(unescape_batch_value(r"a\tb\nc\\d\0"), "a\tb\nc\\d\0");
        assert_eq!(unescape_batch_value(r"trailing\"), "trailing\\");
        assert_eq!(unescape_batch_value(r"\x"), "\\x");
    }

    #[test]
    fn escapes_sql_string_quotes() {
        assert_eq!(sql_string(r"/tmp/it's\here"), r"'/tmp/it''s\\here'");
    }
}
