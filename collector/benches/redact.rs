//! Throughput of the redaction engine on Wegent log text.
//!
//! ```text
//! cargo bench -p wegent-collector --bench redact -- [--lines N] [--secret-every N]
//!     [--remember N] [--runs N] [--input FILE] [--once] [--write-log FILE]
//!     [--print-patterns]
//! ```
//!
//! Without `--input`, it generates `--lines` lines (default 1,000,000, about 170 MB) of
//! executor-manager, backend and executor log text. `--secret-every N` plants one secret
//! every N lines. `--remember N` makes the redactor remember N random values first, as
//! the collector does with container environment values.
//!
//! It reports MB/s (10^6 bytes per second, one thread) for a whole member, for
//! line-by-line output redaction, and for the final gate: the median of `--runs` runs by
//! wall-clock time and, on Linux, by the time the thread spent on a CPU.
//!
//! For a comparison with `rg` (see `scripts/bench-redact.sh`): `--write-log FILE` writes
//! the generated input, `--print-patterns` prints the searched expressions, and
//! `--input FILE --once` reads a file, redacts it once as one member and exits, so the
//! whole process can be timed like `rg -f patterns FILE`.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use wegent_collector::redact::{Redactor, corpus, search_expressions};

struct Options {
    lines: usize,
    secret_every: Option<usize>,
    input: Option<String>,
    write_log: Option<String>,
    print_patterns: bool,
    runs: usize,
    remember: usize,
    once: bool,
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        lines: 1_000_000,
        secret_every: None,
        input: None,
        write_log: None,
        print_patterns: false,
        runs: 5,
        remember: 0,
        once: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--lines" => options.lines = parse_number(&value("--lines")?)?,
            "--secret-every" => {
                options.secret_every = Some(parse_number(&value("--secret-every")?)?)
            }
            "--runs" => options.runs = parse_number(&value("--runs")?)?.max(1),
            "--input" => options.input = Some(value("--input")?),
            "--write-log" => options.write_log = Some(value("--write-log")?),
            "--remember" => options.remember = parse_number(&value("--remember")?)?,
            "--once" => options.once = true,
            "--print-patterns" => options.print_patterns = true,
            // cargo bench passes --bench to every bench target.
            "--bench" => {}
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(options)
}

fn parse_number(text: &str) -> Result<usize, String> {
    text.replace('_', "")
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))
}

fn main() -> ExitCode {
    let options = match parse_options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("bench redact: {message}");
            return ExitCode::from(2);
        }
    };

    if options.print_patterns {
        for expression in search_expressions() {
            println!("{expression}");
        }
        return ExitCode::SUCCESS;
    }

    let text = match &options.input {
        Some(path) => match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(err) => {
                eprintln!("bench redact: cannot read {path}: {err}");
                return ExitCode::from(2);
            }
        },
        None => corpus::sample_log(options.lines, 42, options.secret_every).into_bytes(),
    };

    if let Some(path) = &options.write_log {
        if let Err(err) = std::fs::write(path, &text) {
            eprintln!("bench redact: cannot write {path}: {err}");
            return ExitCode::from(2);
        }
        eprintln!("wrote {} bytes to {path}", text.len());
        return ExitCode::SUCCESS;
    }

    let redactor = Redactor::new();
    let mut rng = corpus::CorpusRng::new(7);
    for _ in 0..options.remember {
        let value = rng.chars(b"abcdefghijklmnopqrstuvwxyz0123456789", 24);
        redactor.remember(&value, "container-env");
    }

    if options.once {
        let redacted = redactor.redact_member_bytes("logs/executor-manager.txt", &text);
        println!("{}", redacted.map_or(0, |r| r.len()));
        return ExitCode::SUCCESS;
    }

    let megabytes = text.len() as f64 / 1e6;
    println!(
        "input: {megabytes:.1} MB, {} lines, {} remembered values",
        text.iter().filter(|&&b| b == b'\n').count(),
        options.remember
    );

    let member = measure(options.runs, || {
        black_box(redactor.redact_member_bytes("logs/executor-manager.txt", black_box(&text)));
    });
    report("member (whole buffer)", megabytes, &member);

    let as_text = String::from_utf8_lossy(&text).into_owned();
    let lines = measure(options.runs, || {
        for line in as_text.split_inclusive('\n') {
            black_box(redactor.redact_str(black_box(line)));
        }
    });
    report("output (line by line)", megabytes, &lines);

    let gate = measure(options.runs, || {
        black_box(redactor.gate_bytes(black_box(&text)));
    });
    report("gate (whole buffer)", megabytes, &gate);

    ExitCode::SUCCESS
}

/// Wall-clock and on-CPU time of one run.
struct Timing {
    wall: Duration,
    cpu: Option<Duration>,
}

/// Runs `work` once to warm up, then `runs` times.
fn measure(runs: usize, mut work: impl FnMut()) -> Vec<Timing> {
    work();
    (0..runs)
        .map(|_| {
            let cpu_start = thread_cpu_time();
            let start = Instant::now();
            work();
            let wall = start.elapsed();
            let cpu = match (cpu_start, thread_cpu_time()) {
                (Some(a), Some(b)) => Some(b.saturating_sub(a)),
                _ => None,
            };
            Timing { wall, cpu }
        })
        .collect()
}

/// Time this thread spent on a CPU, from Linux's `/proc/thread-self/schedstat`; on a
/// shared machine it is steadier than wall-clock time.
fn thread_cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn report(label: &str, megabytes: f64, timings: &[Timing]) {
    let wall = median(timings.iter().map(|t| t.wall).collect()).as_secs_f64();
    let cpu: Option<Vec<Duration>> = timings.iter().map(|t| t.cpu).collect();
    let cpu_text = match cpu {
        Some(cpu) => {
            let cpu = median(cpu).as_secs_f64();
            format!(", on-CPU {:>6.1} MB/s ({cpu:.3} s)", megabytes / cpu)
        }
        None => String::new(),
    };
    println!(
        "{label:<24} wall {:>6.1} MB/s ({wall:.3} s){cpu_text}  [median of {}]",
        megabytes / wall,
        timings.len()
    );
}
