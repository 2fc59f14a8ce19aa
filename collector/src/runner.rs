//! Runs the sources one after the other, each under its own time limit.
//!
//! The runner, not the source, enforces the limit: it wraps each source's future in
//! `tokio::time::timeout` and drops it when the time is up. A source that fails, times
//! out or panics becomes a `failed` manifest entry with the reason, and the run goes on,
//! so a host where MySQL is down still yields a bundle. Sources run sequentially because
//! later ones read what earlier ones published (see [`crate::source`]).

use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use wegent_analyzer::bundle::model::{SourceEntry, SourceStatus};

use crate::console::Console;
use crate::source::{Context, Source, SourceOutput};

/// Outcome of one source: its manifest entry and what it produced.
#[derive(Debug)]
pub struct SourceRun {
    pub entry: SourceEntry,
    pub output: SourceOutput,
}

/// Runs `sources` in order and returns one [`SourceRun`] per source, in the same order.
pub async fn run_all(
    ctx: &Context,
    sources: &[Box<dyn Source>],
    console: &Console,
) -> Vec<SourceRun> {
    let mut runs = Vec::with_capacity(sources.len());
    for source in sources {
        runs.push(run_one(ctx, source.as_ref(), console).await);
    }
    runs
}

/// Runs one source under its time limit.
pub async fn run_one(ctx: &Context, source: &dyn Source, console: &Console) -> SourceRun {
    let name = source.name();
    let timeout = ctx.config().timeout_for(name, source.default_timeout());
    let mut output = SourceOutput::new(name, timeout);

    tracing::info!(
        source = name,
        timeout_ms = timeout.as_millis() as u64,
        "collecting {name}"
    );
    let progress = console.start(&console.text("progress.collecting", &[("source", name)]));
    let started = Instant::now();

    let future = AssertUnwindSafe(source.collect(ctx, &mut output)).catch_unwind();
    let result = tokio::time::timeout(timeout, future).await;
    let elapsed = started.elapsed();

    let (status, error) = match result {
        Ok(Ok(Ok(()))) => settle_success(&output),
        Ok(Ok(Err(err))) => (
            SourceStatus::Failed,
            Some(join_errors(format!("{err:#}"), &output)),
        ),
        Ok(Err(_panic)) => (
            SourceStatus::Failed,
            Some(join_errors(
                format!("the {name} source stopped on an internal error"),
                &output,
            )),
        ),
        Err(_elapsed) => (
            SourceStatus::Failed,
            Some(join_errors(
                format!(
                    "timed out after {}; raise the limit with --timeout {name}=DURATION",
                    format_duration(timeout)
                ),
                &output,
            )),
        ),
    };

    let entry = SourceEntry {
        name: name.to_string(),
        status,
        duration_ms: elapsed.as_millis() as u64,
        error,
        truncation: output.truncation.clone(),
        members: output.member_names(),
    };

    report(console, progress, &entry);
    SourceRun { entry, output }
}

fn settle_success(output: &SourceOutput) -> (SourceStatus, Option<String>) {
    if let Some(reason) = &output.skipped {
        return (SourceStatus::Skipped, Some(reason.clone()));
    }
    if output.problems.is_empty() {
        (SourceStatus::Ok, None)
    } else {
        (SourceStatus::Partial, Some(output.problems.join("; ")))
    }
}

fn join_errors(first: String, output: &SourceOutput) -> String {
    if output.problems.is_empty() {
        first
    } else {
        format!("{first}; {}", output.problems.join("; "))
    }
}

fn report(console: &Console, progress: crate::console::Progress, entry: &SourceEntry) {
    let status = console.text(status_key(entry.status), &[]);
    let ms = entry.duration_ms.to_string();
    let line = match &entry.error {
        Some(detail) => console.text(
            "progress.finished-with",
            &[
                ("source", &entry.name),
                ("status", &status),
                ("ms", &ms),
                ("detail", &console.detail(detail)),
            ],
        ),
        None => console.text(
            "progress.finished",
            &[("source", &entry.name), ("status", &status), ("ms", &ms)],
        ),
    };

    match entry.status {
        SourceStatus::Failed | SourceStatus::Partial => tracing::warn!(
            source = %entry.name,
            duration_ms = entry.duration_ms,
            error = entry.error.as_deref().unwrap_or(""),
            "{} {}",
            entry.name,
            status_word(entry.status)
        ),
        _ => tracing::info!("{} collected in {}ms", entry.name, entry.duration_ms),
    }
    console.finish(progress, &line);
}

/// Catalogue key of a status word.
pub fn status_key(status: SourceStatus) -> &'static str {
    match status {
        SourceStatus::Ok => "status.ok",
        SourceStatus::Partial => "status.partial",
        SourceStatus::Failed => "status.failed",
        SourceStatus::Skipped => "status.skipped",
    }
}

fn status_word(status: SourceStatus) -> &'static str {
    match status {
        SourceStatus::Ok => "ok",
        SourceStatus::Partial => "partial",
        SourceStatus::Failed => "failed",
        SourceStatus::Skipped => "skipped",
    }
}

/// Formats a duration the way options accept it: `1500ms`, `30s`, `2m`.
pub fn format_duration(duration: Duration) -> String {
    let ms = duration.as_millis();
    if ms >= 60_000 && ms.is_multiple_of(60_000) {
        format!("{}m", ms / 60_000)
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::OsString;
    use std::sync::Arc;

    use super::*;
    use crate::config::Config;
    use crate::i18n::Lang;
    use crate::redact::Redactor;
    use crate::source::SourceFuture;

    /// A source that writes one member and then follows its [`Behaviour`].
    struct Scripted {
        name: &'static str,
        behaviour: Behaviour,
    }

    #[derive(Clone, Copy)]
    enum Behaviour {
        Sleep,
        Panic,
        Skip,
        Problem,
        Fail,
    }

    impl Source for Scripted {
        fn name(&self) -> &'static str {
            self.name
        }

        fn default_timeout(&self) -> Duration {
            Duration::from_millis(200)
        }

        fn collect<'a>(&'a self, _ctx: &'a Context, out: &'a mut SourceOutput) -> SourceFuture<'a> {
            Box::pin(async move {
                out.json(
                    "services/scripted.json",
                    &serde_json::json!({"written": true}),
                )?;
                match self.behaviour {
                    Behaviour::Sleep => tokio::time::sleep(Duration::from_secs(30)).await,
                    Behaviour::Panic => panic!("scripted panic"),
                    Behaviour::Skip => out.skip("not applicable"),
                    Behaviour::Problem => out.problem("one request failed"),
                    Behaviour::Fail => anyhow::bail!("scripted failure"),
                }
                Ok(())
            })
        }
    }

    fn context() -> (Context, Console) {
        let args = ["collect", "--task-id", "1"].map(OsString::from).to_vec();
        let parsed = crate::cli::parse(args, Lang::En).unwrap();
        let config = Config::resolve(&parsed, &["scripted"]).unwrap();
        let redactor = Arc::new(Redactor::new());
        let console = Console::new(Lang::En, redactor.clone());
        (
            Context::new(Arc::new(config), chrono::Utc::now(), redactor),
            console,
        )
    }

    async fn run(behaviour: Behaviour) -> SourceRun {
        let (ctx, console) = context();
        run_one(
            &ctx,
            &Scripted {
                name: "scripted",
                behaviour,
            },
            &console,
        )
        .await
    }

    #[tokio::test]
    async fn timeout_fails_and_keeps_members() {
        let run = run(Behaviour::Sleep).await;
        assert_eq!(run.entry.status, SourceStatus::Failed);
        let error = run.entry.error.unwrap();
        assert!(error.contains("timed out after 200ms"), "{error}");
        assert!(error.contains("--timeout scripted="), "{error}");
        assert_eq!(run.entry.members, vec!["services/scripted.json"]);
        assert!(run.entry.duration_ms < 5000);
    }

    #[tokio::test]
    async fn panic_becomes_failure() {
        let run = run(Behaviour::Panic).await;
        assert_eq!(run.entry.status, SourceStatus::Failed);
        assert!(run.entry.error.unwrap().contains("internal error"));
    }

    #[tokio::test]
    async fn skip_problem_and_error_map_to_status() {
        assert_eq!(
            run(Behaviour::Skip).await.entry.status,
            SourceStatus::Skipped
        );
        let partial = run(Behaviour::Problem).await.entry;
        assert_eq!(partial.status, SourceStatus::Partial);
        assert_eq!(partial.error.as_deref(), Some("one request failed"));
        let failed = run(Behaviour::Fail).await.entry;
        assert_eq!(failed.status, SourceStatus::Failed);
        assert_eq!(failed.error.as_deref(), Some("scripted failure"));
    }

    #[test]
    fn durations_format_like_options() {
        assert_eq!(format_duration(Duration::from_millis(1500)), "1500ms");
        assert_eq!(format_duration(Duration::from_secs(30)), "30s");
        assert_eq!(format_duration(Duration::from_secs(120)), "2m");
    }
}
