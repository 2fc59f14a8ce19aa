//! Turning the sources' results into a bundle, and the summary printed afterwards.
//!
//! [`write_bundle`] hands every member, the source entries and `deployment.json` to the
//! analyzer's [`BundleWriter`], which redacts, checks and writes the zip (temporary file,
//! then rename). [`print_summary`] shows the path, size, SHA-256, the status of each
//! source and the analyzer's one-line verdict on the written file.

use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use unicode_width::UnicodeWidthStr;
use wegent_analyzer::bundle::model::{SourceEntry, SourceStatus, members};
use wegent_analyzer::bundle::redact_seam::MemberRedactor;
use wegent_analyzer::bundle::{BundleWriter, ManifestBase, WriteError, Written};

use crate::config::Config;
use crate::console::Console;
use crate::deployment;
use crate::runner::{SourceRun, status_key};
use crate::source::{Facts, MemberBody};

/// Version written into `manifest.json`.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Builds the writer with every member and source entry. Members are added in source
/// order; a member that a later source wrote again is skipped with a warning.
pub fn prepare_writer(
    config: &Config,
    collected_at: DateTime<Utc>,
    runs: Vec<SourceRun>,
    facts: &Facts,
) -> Result<BundleWriter, WriteError> {
    let base = ManifestBase {
        tool_version: TOOL_VERSION.to_string(),
        task_id: config.task_id,
        collected_at: collected_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        host_utc_offset: chrono::Local::now().offset().to_string(),
        options: config.manifest_options(),
    };
    let mut writer = BundleWriter::new(base);

    writer.add_json(members::DEPLOYMENT, &deployment::detect(facts))?;
    for mut run in runs {
        for (member, body) in run.output.take_members() {
            if writer.members().contains(&member) {
                tracing::warn!(member = %member, source = %run.entry.name, "member {member} was written twice; keeping the first");
                continue;
            }
            match body {
                MemberBody::Json(value) => writer.add_json(&member, &value)?,
                MemberBody::Text(text) => writer.add_text(&member, text)?,
                MemberBody::File(path) => writer.add_file(&member, &path)?,
            }
        }
        writer.set_source(run.entry);
    }
    Ok(writer)
}

/// Redacts and writes the bundle to `out`.
pub fn write_bundle(
    writer: BundleWriter,
    redactor: &mut dyn MemberRedactor,
    out: &Path,
) -> Result<Written, WriteError> {
    writer.finish(redactor, out)
}

/// Exit status for a written bundle: 0 when every source was read in full (or does not
/// apply here), 1 when a source failed or was read only in part.
pub fn exit_status(sources: &[SourceEntry]) -> u8 {
    if sources
        .iter()
        .any(|s| matches!(s.status, SourceStatus::Failed | SourceStatus::Partial))
    {
        1
    } else {
        0
    }
}

/// Prints the summary of a written bundle on stdout.
pub fn print_summary(console: &Console, written: &Written) {
    let path = written.path.display().to_string();
    console.out(&console.text("summary.bundle", &[("path", &path)]));
    console.out(&console.text("summary.size", &[("size", &written.size.to_string())]));
    console.out(&console.text("summary.sha256", &[("sha256", &written.sha256)]));

    console.out(&console.text("summary.sources", &[]));
    let sources = &written.manifest.sources;
    let statuses: Vec<String> = sources
        .iter()
        .map(|s| console.text(status_key(s.status), &[]))
        .collect();
    let name_width = sources.iter().map(|s| s.name.len()).max().unwrap_or(0);
    // Chinese status words take two terminal columns per character.
    let status_width = statuses.iter().map(|s| s.width()).max().unwrap_or(0);
    for (source, status) in sources.iter().zip(&statuses) {
        let padding = " ".repeat(status_width - status.width());
        let mut line = format!(
            "  {:name_width$}  {status}{padding}  {:>6} ms",
            source.name, source.duration_ms
        );
        if let Some(error) = &source.error {
            line.push_str(&format!("  {}", console.detail(error)));
        }
        console.out(&line);
    }

    match verdict_line(&written.path, console) {
        Ok(line) => console.out(&line),
        Err(error) => console.out(&console.text(
            "summary.verdict-unavailable",
            &[("error", &error), ("path", &path)],
        )),
    }
    if exit_status(&written.manifest.sources) != 0 {
        console.out(&console.text("summary.incomplete", &[]));
    }
}

/// Runs the analyzer's reader and engine on the written bundle.
fn verdict_line(path: &Path, console: &Console) -> Result<String, String> {
    let bundle = wegent_analyzer::bundle::open(path).map_err(|e| e.to_string())?;
    let analysis =
        wegent_analyzer::engine::analyze(&bundle, &wegent_analyzer::engine::Options::default());
    let summary = wegent_analyzer::i18n::render(console.lang(), &analysis.summary);
    let verdict = verdict_name(console.lang(), analysis.verdict.as_str());
    Ok(console.text(
        "summary.verdict",
        &[("verdict", &verdict), ("summary", &summary)],
    ))
}

/// The analyzer's name of a verdict in `lang` (`inconclusive` is `无法判断` in Chinese),
/// or the verdict id when the catalogue has no name for it.
pub fn verdict_name(lang: crate::i18n::Lang, verdict: &str) -> String {
    wegent_analyzer::i18n::lookup(lang, &format!("verdict.{verdict}"))
        .unwrap_or(verdict)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn verdict_names_follow_the_language() {
        let zh = verdict_name(Lang::Zh, "inconclusive");
        assert_ne!(zh, "inconclusive");
        assert!(!zh.is_ascii(), "{zh}");
        assert_eq!(verdict_name(Lang::En, "not_found"), "not found");
    }
}
