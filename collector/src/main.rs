//! Entry point of `collect`: parses the command line, sets up redaction and logging, and
//! runs the collection. See [`wegent_collector::app`] for the exit statuses.

use std::ffi::OsString;
use std::process::ExitCode;
use std::sync::Arc;

use wegent_collector::app::{self, EXIT_NO_BUNDLE};
use wegent_collector::config::Config;
use wegent_collector::console::Console;
use wegent_collector::i18n::{self, text};
use wegent_collector::{cli, logging, redact, sources};

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let lang = cli::prescan_lang(&args);

    let parsed = match cli::parse(args, lang) {
        Ok(parsed) => parsed,
        Err(err) => {
            // Help and version go to stdout with status 0, usage errors to stderr with 2.
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() { EXIT_NO_BUNDLE } else { 0 });
        }
    };

    let sources = sources::all();
    let names: Vec<&str> = sources.iter().map(|s| s.name()).collect();
    let config = match Config::resolve(&parsed, &names) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("{}{err}", text(lang, "error.prefix", &[]));
            return ExitCode::from(EXIT_NO_BUNDLE);
        }
    };
    let lang = config.lang;

    let redactor = match &config.redaction_rules {
        Some(path) => redact::Redactor::with_user_rules(path),
        None => Ok(redact::Redactor::new()),
    };
    let redactor = match redactor {
        Ok(redactor) => Arc::new(redactor.pseudonymize(config.pseudonymize)),
        Err(err) => {
            let detail = match lang {
                i18n::Lang::Zh => err.message_zh(),
                i18n::Lang::En => err.to_string(),
            };
            let message = text(lang, "error.redactor", &[("error", &detail)]);
            eprintln!("{}{message}", text(lang, "error.prefix", &[]));
            return ExitCode::from(EXIT_NO_BUNDLE);
        }
    };
    logging::init(redactor.clone());
    let console = Console::new(lang, redactor.clone());

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            console.error(&console.text("error.runtime", &[("error", &err.to_string())]));
            return ExitCode::from(EXIT_NO_BUNDLE);
        }
    };
    let status = runtime.block_on(app::run(config, sources, redactor, console));
    ExitCode::from(status)
}
