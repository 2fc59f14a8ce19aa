//! `collect` reading Wegent's log files under `--repo-root`: a 50 MB executor-manager log
//! with invalid UTF-8 and an overlong line, hourly rotations (one gzip-compressed, one
//! older than `--since`), the uvicorn log and a `.pids` log.

mod collect_support;
mod source_support;

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::{Duration, SystemTime};

use collect_support::temp_dir;
use source_support::{collect, member_text, no_docker, try_member_text};
use testkit::TempRoot;
use wegent_analyzer::bundle::model::SourceStatus;

const TASK: i64 = 89;

fn stamp(age: Duration) -> String {
    (chrono::Local::now() - chrono::Duration::from_std(age).unwrap())
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

fn set_mtime(path: &Path, age: Duration) {
    let file = File::options().write(true).open(path).unwrap();
    file.set_modified(SystemTime::now() - age).unwrap();
}

/// Writes a log of about `size` bytes and returns how many lines name task 89 by `ID=89,`.
fn write_big_log(path: &Path, size: usize) -> usize {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut out = BufWriter::new(File::create(path).unwrap());
    let now = stamp(Duration::from_secs(60));
    let mut written = 0;
    let mut ours = 0;
    let mut i = 0u64;
    while written < size {
        let line = if i % 50_000 == 7 {
            ours += 1;
            format!(
                "{now} - [-] - [in /app/main.py:1] - INFO - Processing task: ID={TASK}, executor_type=docker\n"
            )
        } else if i % 50_000 == 9 {
            format!(
                "{now} - [-] - [in /app/main.py:1] - INFO - Successfully processed callback for task {TASK}0\n"
            )
        } else {
            format!(
                "{now} - [-] - [in /app/main.py:2] - INFO - Online tasks status: {i} running pods, 30 max concurrent tasks\n"
            )
        };
        out.write_all(line.as_bytes()).unwrap();
        written += line.len();
        i += 1;
    }

    out.write_all(
        format!("{now} - [-] - INFO - Received callback for task {TASK} with bytes ").as_bytes(),
    )
    .unwrap();
    out.write_all(b"\xff\xfe\xfd end\n").unwrap();
    out.write_all(format!("{now} - [-] - INFO - huge payload for task {TASK}: ").as_bytes())
        .unwrap();
    out.write_all(&vec![b'x'; 100_000]).unwrap();
    out.write_all(b"\n").unwrap();
    out.write_all(
        format!("2020-01-01 00:00:00 - [-] - INFO - ancient line for task {TASK}\n").as_bytes(),
    )
    .unwrap();
    out.flush().unwrap();
    ours
}

fn write_gz(path: &Path, text: &str) {
    let file = File::create(path).unwrap();
    let mut encoder = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    encoder.write_all(text.as_bytes()).unwrap();
    encoder.finish().unwrap();
}

#[test]
fn logs_filters_huge_rotated_and_non_utf8_files() {
    let root = TempRoot::new("logs-root").unwrap();
    let em_dir = root.join("logs/executor_manager");
    let ours = write_big_log(&em_dir.join("info.log"), 50 << 20);

    let rotated = em_dir.join("info.log.20260120-13+0800.gz");
    write_gz(
        &rotated,
        &format!(
            "{} - [-] - INFO - from the gzip rotation task_id={TASK}\n",
            stamp(Duration::from_secs(7200))
        ),
    );
    set_mtime(&rotated, Duration::from_secs(3600));
    let old = em_dir.join("info.log.20250101-00+0800");
    fs::write(
        &old,
        format!(
            "{} - [-] - INFO - from an old rotation task_id={TASK}\n",
            stamp(Duration::from_secs(4 * 86400))
        ),
    )
    .unwrap();
    set_mtime(&old, Duration::from_secs(3 * 86400));
    fs::write(em_dir.join("info.log.lock"), "").unwrap();

    fs::create_dir_all(root.join("backend")).unwrap();
    fs::write(
        root.join("backend/uvicorn.log"),
        format!(
            "{} INFO [-] : update task task_id={TASK} status\n{} INFO [-] : task_id=890\n",
            stamp(Duration::ZERO),
            stamp(Duration::ZERO)
        ),
    )
    .unwrap();
    fs::create_dir_all(root.join(".pids")).unwrap();
    fs::write(
        root.join(".pids/backend.log"),
        format!("{} DEBUG for task {TASK}\n", stamp(Duration::ZERO)),
    )
    .unwrap();

    let dir = temp_dir();
    let docker_host = no_docker(dir.path());
    let started = std::time::Instant::now();
    let run = collect(
        dir.path(),
        TASK,
        &[
            "--repo-root",
            &root.path().display().to_string(),
            "--since",
            "24h",
        ],
        &[("DOCKER_HOST", &docker_host)],
    );
    let elapsed = started.elapsed();

    let entry = run.source("logs");
    assert_eq!(
        entry.status,
        SourceStatus::Ok,
        "{entry:?}\nstderr:\n{}",
        run.stderr()
    );
    assert!(
        elapsed < Duration::from_secs(60),
        "collect took {elapsed:?}"
    );

    let em = member_text(&run, "logs/file-executor-manager-info.txt");
    let lines: Vec<&str> = em.lines().collect();
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains(&format!("ID={TASK},")))
            .count(),
        ours,
        "word-bounded hits"
    );
    assert!(
        !em.contains(&format!("task {TASK}0")),
        "task {TASK}0 matched task {TASK}"
    );
    assert!(!em.contains("Online tasks status"), "unrelated lines kept");
    assert!(
        lines[0].contains("from the gzip rotation"),
        "rotation not read first: {}",
        lines[0]
    );
    assert!(
        !em.contains("from an old rotation"),
        "file older than --since read"
    );
    assert!(!em.contains("ancient line"), "line older than --since kept");
    assert!(
        em.contains("with bytes \u{FFFD}\u{FFFD}\u{FFFD} end"),
        "invalid UTF-8 not replaced"
    );
    let huge = lines
        .iter()
        .find(|l| l.contains("huge payload"))
        .expect("overlong line kept");
    assert!(
        huge.len() <= 16 * 1024,
        "overlong line not cut: {} bytes",
        huge.len()
    );

    let uvicorn = member_text(&run, "logs/file-backend-uvicorn.txt");
    assert!(uvicorn.contains(&format!("task_id={TASK} status")));
    assert!(!uvicorn.contains("task_id=890"));
    assert!(member_text(&run, "logs/file-pids-backend.txt").contains(&format!("for task {TASK}")));
    assert!(try_member_text(&run, "logs/file-frontend-next.txt").is_none());
}

#[test]
fn logs_skipped_without_repo_root() {
    let dir = temp_dir();
    let docker_host = no_docker(dir.path());
    let run = collect(dir.path(), TASK, &[], &[("DOCKER_HOST", &docker_host)]);
    let entry = run.source("logs");
    assert_eq!(entry.status, SourceStatus::Skipped);
    assert!(entry.error.unwrap_or_default().contains("--repo-root"));
}

#[test]
fn env_file_secrets_are_masked_in_logs() {
    const DB_PASSWORD: &str = "wi-test-mysql-pw-7731";
    const SECRET_KEY: &str = "wi-test-signing-key-8842";
    let root = TempRoot::new("env-secrets-root").unwrap();
    fs::write(
        root.join(".env"),
        format!(
            "MYSQL_PASSWORD={DB_PASSWORD}\nSECRET_KEY='{SECRET_KEY}'\nMYSQL_DATABASE=task_manager\n"
        ),
    )
    .unwrap();
    fs::create_dir_all(root.join("backend")).unwrap();
    fs::write(
        root.join("backend/uvicorn.log"),
        format!(
            "{} INFO [-] : task_id={TASK} settings loaded: {DB_PASSWORD} {SECRET_KEY} task_manager\n",
            stamp(Duration::ZERO)
        ),
    )
    .unwrap();

    let dir = temp_dir();
    let docker_host = no_docker(dir.path());
    let run = collect(
        dir.path(),
        TASK,
        &["--repo-root", &root.path().display().to_string()],
        &[("DOCKER_HOST", &docker_host)],
    );

    let uvicorn = member_text(&run, "logs/file-backend-uvicorn.txt");
    assert!(uvicorn.contains("settings loaded"), "{uvicorn}");
    assert!(!uvicorn.contains(DB_PASSWORD), "{uvicorn}");
    assert!(!uvicorn.contains(SECRET_KEY), "{uvicorn}");
    assert!(uvicorn.contains("task_manager"), "{uvicorn}");
}
