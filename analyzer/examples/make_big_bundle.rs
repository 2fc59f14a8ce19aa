//! Writes a large synthetic bundle for the reader benchmark.
//!
//! Usage: `make_big_bundle OUT.zip [MEGABYTES]` (default 200). The bundle contains the
//! small JSON members of a stock bundle plus four log members that make up nearly all
//! of its uncompressed size: an executor-manager log (60 %), a backend log (20 %) and
//! two executor logs with Docker timestamps (10 % each). About one line in forty
//! contains a keyword the reader indexes; the rest is request and access noise. Line
//! contents come from a fixed pseudo-random sequence, so the output is the same on
//! every run.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::json;
use wegent_analyzer::bundle::model::members;
use wegent_analyzer::bundle::redact_seam::NoRedaction;
use wegent_analyzer::bundle::writer::{BundleWriter, ManifestBase};

const MIB: usize = 1024 * 1024;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(out) = args.next().map(PathBuf::from) else {
        eprintln!("usage: make_big_bundle OUT.zip [MEGABYTES]");
        return ExitCode::from(2);
    };
    let megabytes: usize = match args.next().map(|arg| arg.to_string_lossy().parse()) {
        None => 200,
        Some(Ok(value)) => value,
        Some(Err(_)) => {
            eprintln!("make_big_bundle: MEGABYTES must be a whole number");
            return ExitCode::from(2);
        }
    };

    let mut writer = BundleWriter::new(ManifestBase {
        tool_version: "bench".into(),
        task_id: 89,
        collected_at: "2026-01-20T06:10:00Z".into(),
        host_utc_offset: "+08:00".into(),
        options: BTreeMap::new(),
    });
    let added = add_members(&mut writer, megabytes * MIB);
    if let Err(error) = added {
        eprintln!("make_big_bundle: {error}");
        return ExitCode::FAILURE;
    }

    match writer.finish(&mut NoRedaction, &out) {
        Ok(written) => {
            let total: u64 = written.manifest.members.values().map(|m| m.size).sum();
            println!(
                "{}: {} bytes on disk, {} bytes uncompressed, sha256 {}",
                written.path.display(),
                written.size,
                total,
                written.sha256
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("make_big_bundle: {error}");
            ExitCode::FAILURE
        }
    }
}

fn add_members(
    writer: &mut BundleWriter,
    bytes: usize,
) -> Result<(), wegent_analyzer::bundle::WriteError> {
    writer.add_json(
        members::DB_OWNER,
        &json!({"user_id": 1, "user_name": "admin"}),
    )?;
    writer.add_json(
        members::DEPLOYMENT,
        &json!({"flavour": "fork", "evidence": []}),
    )?;
    writer.add_json(members::DB_SUBTASKS, &json!({"subtasks": []}))?;

    let mut random = Lcg(0x5eed);
    writer.add_text(
        &members::service_log("executor-manager"),
        manager_log(&mut random, bytes * 6 / 10),
    )?;
    writer.add_text(
        &members::service_log("backend"),
        backend_log(&mut random, bytes * 2 / 10),
    )?;
    for name in ["wegent-task-admin-1", "wegent-task-admin-2"] {
        writer.add_text(
            &members::executor_logs(name),
            executor_log(&mut random, bytes / 10),
        )?;
    }
    Ok(())
}

/// A small deterministic pseudo-random sequence.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

fn clock(line: u64) -> String {
    let seconds = line / 20;
    format!(
        "2026-01-20 {:02}:{:02}:{:02}",
        8 + seconds / 3600 % 12,
        seconds / 60 % 60,
        seconds % 60
    )
}

fn manager_log(random: &mut Lcg, bytes: usize) -> String {
    let mut text = String::with_capacity(bytes + 512);
    let mut line = 0;
    while text.len() < bytes {
        line += 1;
        let time = clock(line);
        let request = random.next() & 0xffff_ffff;
        let port = 40_000 + random.below(20_000);
        let _ = match random.below(40) {
            0 => writeln!(
                text,
                "{time},{:03} - [{request:08x}] - [in /app/executor_manager/routers/routers.py:201] - INFO - Received callback: body=task_id={} subtask_id={} progress={} status='RUNNING' from 172.18.0.{}",
                random.below(1000),
                random.below(500),
                random.below(2000),
                random.below(100),
                random.below(250)
            ),
            1..=15 => writeln!(
                text,
                "INFO:     172.18.0.{}:{port} - \"GET /executor-manager/executor/load HTTP/1.1\" 200 OK",
                random.below(250)
            ),
            _ => writeln!(
                text,
                "{time},{:03} - [{request:08x}] - [in /app/executor_manager/middleware.py:44] - INFO - response: GET /executor-manager/executor/load {request:08x} 172.18.0.{} 200 {}ms",
                random.below(1000),
                random.below(250),
                random.below(90)
            ),
        };
    }
    text
}

fn backend_log(random: &mut Lcg, bytes: usize) -> String {
    let mut text = String::with_capacity(bytes + 512);
    let mut line = 0;
    while text.len() < bytes {
        line += 1;
        let time = clock(line);
        let _ = match random.below(40) {
            0 => writeln!(
                text,
                "{time},{:03} INFO [-] : update subtask subtask_id={}, subtask_status=SubtaskStatus.RUNNING, subtask_progress={}",
                random.below(1000),
                random.below(2000),
                random.below(100)
            ),
            _ => writeln!(
                text,
                "{time},{:03} INFO [{:08x}] : request : GET /api/tasks/{} page={} {:08x} 10.0.0.{} [user{}]",
                random.below(1000),
                random.next() & 0xffff_ffff,
                random.below(5000),
                random.below(20),
                random.next() & 0xffff_ffff,
                random.below(250),
                random.below(50)
            ),
        };
    }
    text
}

fn executor_log(random: &mut Lcg, bytes: usize) -> String {
    let mut text = String::with_capacity(bytes + 512);
    let mut line = 0;
    while text.len() < bytes {
        line += 1;
        let time = clock(line);
        let nanos = random.below(1_000_000_000);
        let docker = format!("2026-01-20T{}.{nanos:09}Z", &time[11..]);
        let _ = match random.below(40) {
            0 => writeln!(
                text,
                "{docker} {time} - [-] - [in /app/executor/callback.py:88] - INFO - Sending callback: task_id=89 subtask_id=312, progress={}",
                random.below(100)
            ),
            _ => writeln!(
                text,
                "{docker} {time} - [-] - [in /app/executor/agent.py:{}] - INFO - tool output chunk {} of {} bytes written to workspace file src/module_{}.py",
                random.below(900),
                random.below(100_000),
                random.below(65_536),
                random.below(400)
            ),
        };
    }
    text
}
