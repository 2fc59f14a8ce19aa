//! `analyze`: reads a bundle, runs the diagnosis engine and prints the report.
//!
//! Exit status: 0 when the verdict is completed or running, 1 when the report shows a
//! problem, 2 when no report was produced (usage error, unreadable or invalid bundle).

mod cli;

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use wegent_analyzer::bundle::reader;
use wegent_analyzer::engine::{self, Options};
use wegent_analyzer::i18n::Lang;
use wegent_analyzer::report::{self, RenderOptions, bundle_error, color};

use crate::cli::{EXIT_ERROR, EXIT_OK, EXIT_PROBLEM};

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let early_lang = cli::prescan_lang(&args);

    let cli = match cli::parse(&args, early_lang) {
        Ok(cli) => cli,
        Err(error) => return usage_error(&error, early_lang),
    };
    let lang = cli.lang();

    let bundle = match reader::open(&cli.bundle) {
        Ok(bundle) => bundle,
        Err(error) => {
            eprintln!("analyze: {}", bundle_error::message(lang, &error));
            return ExitCode::from(EXIT_ERROR);
        }
    };

    let options = Options {
        stale_after: cli.stale_after,
        now: cli.now,
    };
    let analysis = engine::analyze(&bundle, &options);

    let no_color_env = std::env::var_os("NO_COLOR");
    let render_options = RenderOptions {
        lang,
        color: color::use_color(
            cli.no_color,
            std::io::stdout().is_terminal(),
            no_color_env.as_deref(),
        ),
        subtasks_limit: cli.subtasks_limit(),
    };
    let text = report::render(&analysis, cli.format.into(), &render_options);

    if let Err(error) = write_stdout(&text) {
        // A closed pipe (`analyze b.zip | head`) is the reader's choice, not a failure.
        if error.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("analyze: {}", write_error_message(lang, &error));
            return ExitCode::from(EXIT_ERROR);
        }
    }

    if analysis.verdict.is_problem() {
        ExitCode::from(EXIT_PROBLEM)
    } else {
        ExitCode::from(EXIT_OK)
    }
}

/// Prints a usage error (or the help and version texts clap reports as errors).
fn usage_error(error: &clap::Error, lang: Lang) -> ExitCode {
    if let Some(message) = cli::usage_error_message(error, lang) {
        eprintln!("analyze: {message}");
        return ExitCode::from(EXIT_ERROR);
    }

    // clap prints help and version to stdout; `use_stderr` is false for exactly those.
    let _ = error.print();
    if error.use_stderr() {
        ExitCode::from(EXIT_ERROR)
    } else {
        ExitCode::from(EXIT_OK)
    }
}

fn write_stdout(text: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()
}

fn write_error_message(lang: Lang, error: &std::io::Error) -> String {
    match lang {
        Lang::En => format!("cannot write the report to standard output: {error}"),
        Lang::Zh => format!("无法将报告写入标准输出：{error}"),
    }
}
