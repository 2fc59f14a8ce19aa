//! Opens a bundle with the reader and prints what it kept, for timing the reader alone.
//!
//! Usage: `read_bundle BUNDLE.zip|DIR`. Prints the member count, the size and line
//! count of each log member, the kept lines and the time `open` took.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let Some(path) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: read_bundle BUNDLE.zip|DIR");
        return ExitCode::from(2);
    };

    let started = Instant::now();
    let bundle = match wegent_analyzer::bundle::open(&path) {
        Ok(bundle) => bundle,
        Err(error) => {
            eprintln!("read_bundle: {error}");
            return ExitCode::FAILURE;
        }
    };
    let elapsed = started.elapsed();

    let members = bundle.manifest.as_ref().map_or(0, |m| m.members.len());
    println!("{members} members listed");
    for member in &bundle.text_members {
        println!(
            "{}: {} bytes, {} lines, {} keyword lines not indexed",
            member.path, member.bytes, member.lines, member.lines_not_indexed
        );
    }
    println!(
        "{} lines kept, opened in {:.3} s",
        bundle.log_lines.len(),
        elapsed.as_secs_f64()
    );
    ExitCode::SUCCESS
}
