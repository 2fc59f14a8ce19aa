//! Runs external programs with a time limit and turns failures into errors that carry the
//! program's output.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// Time limit for short administrative commands (`docker inspect`, `git commit`, a SQL batch).
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Output of a program that exited with status 0.
#[derive(Debug)]
pub(crate) struct Finished {
    pub stdout: String,
    pub stderr: String,
}

/// Runs `command` to completion, feeding `input` to its stdin.
///
/// Fails when the program cannot be started, runs longer than `timeout` (it is then killed) or
/// exits with a non-zero status. The error names the command line and includes its stderr.
pub(crate) fn run(
    command: &mut Command,
    input: Option<&[u8]>,
    timeout: Duration,
) -> Result<Finished> {
    let (status, stdout, stderr) = run_unchecked(command, input, timeout)?;

    if !status.success() {
        bail!(
            "`{}` failed with {status}: {}",
            describe(command),
            summarize(&stderr, &stdout)
        );
    }

    Ok(Finished { stdout, stderr })
}

/// Runs `command` like [`run`] but returns the exit status instead of failing on a non-zero one.
pub(crate) fn run_unchecked(
    command: &mut Command,
    input: Option<&[u8]>,
    timeout: Duration,
) -> Result<(ExitStatus, String, String)> {
    command
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());

    let mut child = command
        .spawn()
        .with_context(|| format!("failed to start `{}`", describe(command)))?;

    // Readers and the writer run on their own threads, so a program that fills one pipe does
    // not block while this thread waits on another.
    let stdout_reader = spawn_reader(child.stdout.take());
    let stderr_reader = spawn_reader(child.stderr.take());
    let writer = input.zip(child.stdin.take()).map(|(bytes, mut stdin)| {
        let bytes = bytes.to_vec();
        thread::spawn(move || {
            // A program that exits without reading all input closes the pipe. Its exit status
            // then reports what went wrong, so a write error here adds nothing.
            let _ = stdin.write_all(&bytes);
        })
    });

    let status = wait_with_timeout(&mut child, timeout)
        .with_context(|| format!("`{}` did not finish", describe(command)))?;

    if let Some(writer) = writer {
        let _ = writer.join();
    }
    let stdout = stdout_reader.join().unwrap_or_default();
    let stderr = stderr_reader.join().unwrap_or_default();

    Ok((status, stdout, stderr))
}

/// Waits for `child` to exit, killing it once `timeout` has passed.
pub(crate) fn wait_with_timeout(child: &mut Child, timeout: Duration) -> Result<ExitStatus> {
    let deadline = Instant::now() + timeout;

    loop {
        if let Some(status) = child.try_wait().context("failed to poll a child process")? {
            return Ok(status);
        }

        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            bail!("timed out after {} s and was killed", timeout.as_secs_f32());
        }

        thread::sleep(Duration::from_millis(20));
    }
}

/// Finds the first of `names` in `PATH` or in the sbin directories, which a non-root `PATH`
/// often lacks although Debian installs server binaries there.
pub(crate) fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path_dirs = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default();
    let extra_dirs = ["/usr/sbin", "/usr/local/sbin", "/sbin"].map(PathBuf::from);

    names.iter().find_map(|name| {
        path_dirs
            .iter()
            .chain(extra_dirs.iter())
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// Returns the command line of `command` for error messages.
pub(crate) fn describe(command: &Command) -> String {
    let mut parts = vec![command.get_program().to_string_lossy().into_owned()];
    parts.extend(
        command
            .get_args()
            .map(|arg| arg.to_string_lossy().into_owned()),
    );
    parts.join(" ")
}

/// Returns the last lines of a failed program's stderr, or of its stdout when stderr is empty.
pub(crate) fn summarize(stderr: &str, stdout: &str) -> String {
    let text = if stderr.trim().is_empty() {
        stdout
    } else {
        stderr
    };
    let text = text.trim();

    if text.is_empty() {
        return "no output".to_string();
    }

    tail_lines(text, 20)
}

/// Returns the last `count` lines of `text`.
pub(crate) fn tail_lines(text: &str, count: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(count);
    lines[start..].join("\n")
}

fn spawn_reader(pipe: Option<impl Read + Send + 'static>) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}
