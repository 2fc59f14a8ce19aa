//! Parses MariaDB's general query log file so tests can check which statements a client sent.
//!
//! A log line has the form `[YYMMDD HH:MM:SS]\t<thread id> <command>\t<argument>`, where the
//! timestamp appears only on the first line of each second. A statement that spans several
//! lines continues on lines without that prefix.

use std::collections::HashMap;

/// One command the server logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneralLogEntry {
    /// Connection (thread) id.
    pub thread_id: u64,
    /// Command name as logged: `Connect`, `Query`, `Prepare`, `Execute`, `Close stmt`, `Quit`…
    pub command: String,
    /// Statement text for `Query`, `Prepare` and `Execute`, or the account and transport for
    /// `Connect`, e.g. `root@127.0.0.1 on task_manager using TCP/IP`.
    pub argument: String,
}

/// The parsed contents of a general query log.
#[derive(Debug, Clone, Default)]
pub struct GeneralLog {
    entries: Vec<GeneralLogEntry>,
}

/// Commands that carry a statement a client asked the server to run.
const STATEMENT_COMMANDS: [&str; 3] = ["Query", "Prepare", "Execute"];

impl GeneralLog {
    /// Parses the text of a general query log file. Header lines are skipped.
    pub fn parse(text: &str) -> GeneralLog {
        let mut entries: Vec<GeneralLogEntry> = Vec::new();

        for line in text.lines() {
            if let Some(entry) = parse_entry(line) {
                entries.push(entry);
            } else if is_header(line) {
                continue;
            } else if let Some(last) = entries.last_mut() {
                last.argument.push('\n');
                last.argument.push_str(line);
            }
        }

        GeneralLog { entries }
    }

    /// Returns every logged command in file order.
    pub fn entries(&self) -> &[GeneralLogEntry] {
        &self.entries
    }

    /// Returns the statements (`Query`, `Prepare` and `Execute` arguments) sent by connections
    /// that came in over TCP/IP, in file order.
    ///
    /// This excludes the unix-socket connections that [`super::MariaDb::exec`] and
    /// [`super::MariaDb::query`] open, so it shows what the code under test sent.
    pub fn tcp_statements(&self) -> Vec<&str> {
        let mut transport_by_thread: HashMap<u64, bool> = HashMap::new();
        for entry in &self.entries {
            if entry.command == "Connect" {
                transport_by_thread.insert(entry.thread_id, entry.argument.contains("TCP/IP"));
            }
        }

        self.entries
            .iter()
            .filter(|entry| STATEMENT_COMMANDS.contains(&entry.command.as_str()))
            .filter(|entry| transport_by_thread.get(&entry.thread_id) == Some(&true))
            .map(|entry| entry.argument.as_str())
            .collect()
    }

    /// Returns the statements of [`GeneralLog::tcp_statements`] that are not reads by
    /// [`is_read_statement`]. A collector that only reads leaves this empty.
    pub fn tcp_non_read_statements(&self) -> Vec<&str> {
        self.tcp_statements()
            .into_iter()
            .filter(|statement| !is_read_statement(statement))
            .collect()
    }
}

/// Tells whether `statement` only reads, judged by its first keyword.
///
/// Reads are `SELECT` (without `FOR UPDATE`, `INTO OUTFILE` or `INTO DUMPFILE`), `WITH`,
/// `SHOW`, `DESCRIBE`, `DESC`, `EXPLAIN`, `USE`, transaction control (`BEGIN`, `START`,
/// `COMMIT`, `ROLLBACK`), and a `SET` of session variables, which client libraries send when
/// they connect. `SET GLOBAL`, `SET PASSWORD` and every other statement count as writes.
// NOTE: a keyword check cannot see side effects of called functions, such as GET_LOCK().
pub fn is_read_statement(statement: &str) -> bool {
    let text = strip_leading_comments(statement).to_ascii_uppercase();
    let mut words = text.split(|c: char| c.is_whitespace() || c == '(' || c == ';');
    let first = words.next().unwrap_or("");

    match first {
        "SELECT" | "WITH" => {
            !(text.contains(" FOR UPDATE")
                || text.contains(" INTO OUTFILE")
                || text.contains(" INTO DUMPFILE"))
        }
        "SHOW" | "DESCRIBE" | "DESC" | "EXPLAIN" | "USE" | "BEGIN" | "START" | "COMMIT"
        | "ROLLBACK" => true,
        "SET" => {
            let target = words.find(|word| !word.is_empty()).unwrap_or("");
            !(target == "GLOBAL" || target == "PASSWORD" || target.starts_with("@@GLOBAL."))
        }
        _ => false,
    }
}

/// Removes leading whitespace and `/* … */` and `-- …` comments.
fn strip_leading_comments(statement: &str) -> &str {
    let mut rest = statement.trim_start();

    loop {
        if let Some(after) = rest.strip_prefix("/*") {
            rest = after
                .split_once("*/")
                .map_or("", |(_, tail)| tail)
                .trim_start();
        } else if let Some(after) = rest.strip_prefix("--").or_else(|| rest.strip_prefix('#')) {
            rest = after
                .split_once('\n')
                .map_or("", |(_, tail)| tail)
                .trim_start();
        } else {
            return rest;
        }
    }
}

fn is_header(line: &str) -> bool {
    line.contains(", Version: ") || line.starts_with("Tcp port:") || line.starts_with("Time\t")
}

fn parse_entry(line: &str) -> Option<GeneralLogEntry> {
    let rest = strip_timestamp(line);

    // What follows is whitespace, the thread id, one space, the command, a tab, the argument.
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let rest = rest.trim_start();

    let id_end = rest.find(|c: char| !c.is_ascii_digit())?;
    let thread_id = rest[..id_end].parse().ok()?;
    let rest = rest[id_end..].strip_prefix(' ')?;

    let (command, argument) = rest.split_once('\t')?;
    let is_command_name = !command.is_empty()
        && command.starts_with(|c: char| c.is_ascii_uppercase())
        && command.chars().all(|c| c.is_ascii_alphabetic() || c == ' ');
    if !is_command_name {
        return None;
    }

    Some(GeneralLogEntry {
        thread_id,
        command: command.to_string(),
        argument: argument.to_string(),
    })
}

/// Removes a leading `YYMMDD HH:MM:SS` (or `YYMMDD  H:MM:SS`) timestamp, if present.
fn strip_timestamp(line: &str) -> &str {
    let bytes = line.as_bytes();
    let has_date = bytes.len() > 7 && bytes[..6].iter().all(u8::is_ascii_digit) && bytes[6] == b' ';
    if !has_date {
        return line;
    }

    let rest = line[7..].trim_start_matches(' ');
    let time_end = rest.find(|c: char| !(c.is_ascii_digit() || c == ':'));
    match time_end {
        Some(end) if end >= 7 => &rest[end..],
        _ => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "/usr/sbin/mariadbd, Version: 10.11.19-MariaDB-0+deb12u1 (Debian 12). started with:\n\
Tcp port: 33413  Unix socket: /tmp/wi-test-mariadb-x/mysqld.sock\n\
Time\t\t    Id Command\tArgument\n\
261204 20:09:25\t     5 Connect\troot@localhost on task_manager using Socket\n\
\t\t     5 Query\tSELECT 1\n\
\t\t     6 Connect\troot@127.0.0.1 on task_manager using TCP/IP\n\
261204 20:09:26\t     6 Prepare\tSELECT id\n\
FROM tasks\n\
WHERE id = ?\n\
\t\t     6 Execute\tSELECT id\n\
FROM tasks\n\
WHERE id = 89\n\
\t\t     6 Close stmt\t\n\
\t\t     5 Quit\t\n";

    #[test]
    fn parses_entries_and_continuations() {
        let log = GeneralLog::parse(SAMPLE);

        assert_eq!(log.entries().len(), 7);
        assert_eq!(log.entries()[0].command, "Connect");
        assert_eq!(
            log.entries()[3].argument,
            "SELECT id\nFROM tasks\nWHERE id = ?"
        );
        assert_eq!(log.entries()[5].command, "Close stmt");
        assert_eq!(log.entries()[6].thread_id, 5);
    }

    #[test]
    fn classifies_reads_and_writes() {
        let reads = [
            "SELECT id FROM tasks WHERE id = 89",
            "  /* collector */ select 1",
            "SHOW CREATE TABLE tasks",
            "SET sql_mode=(SELECT CONCAT(@@sql_mode, ',PIPES_AS_CONCAT')),time_zone='+00:00'",
            "SET NAMES utf8mb4",
            "START TRANSACTION READ ONLY",
            "WITH t AS (SELECT 1) SELECT * FROM t",
        ];
        let writes = [
            "UPDATE subtasks SET status = 'FAILED'",
            "insert into tasks values (1)",
            "SELECT * FROM tasks FOR UPDATE",
            "SET GLOBAL general_log = OFF",
            "SET @@global.read_only = 0",
            "DELETE FROM kinds",
            "",
        ];

        for statement in reads {
            assert!(
                is_read_statement(statement),
                "{statement:?} should be a read"
            );
        }
        for statement in writes {
            assert!(
                !is_read_statement(statement),
                "{statement:?} should not be a read"
            );
        }
    }

    #[test]
    fn skips_socket_statements() {
        let log = GeneralLog::parse(SAMPLE);

        assert_eq!(
            log.tcp_statements(),
            vec![
                "SELECT id\nFROM tasks\nWHERE id = ?",
                "SELECT id\nFROM tasks\nWHERE id = 89"
            ]
        );
    }
}
