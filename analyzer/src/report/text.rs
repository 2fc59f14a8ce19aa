//! The terminal report: verdict, summary, findings, task and subtasks, clock offsets,
//! timeline, collection state and redaction counts.
//!
//! Lines wrap at [`WIDTH`] columns and columns are aligned by display width, so Chinese
//! text stays aligned. Text from the bundle passes through [`printable`] before it is
//! written, and colour is added after padding.

use crate::engine::{Analysis, Evidence, Finding, SubtaskSummary, verdict};
use crate::i18n::{Lang, render as msg};
use crate::report::color::{Painter, Role};
use crate::report::labels::{self, Labels};
use crate::report::sections::{
    SectionWriter, clock_offsets, footer_text, notable_sources, subtask_view, task_rows,
    timeline_note, verdict_title, write_sections,
};
use crate::report::width::{display_width, pad_right, truncate, wrap, wrap_hanging};
use crate::report::{RenderOptions, format_offset, human_time, printable};

/// Column at which prose wraps.
pub const WIDTH: usize = 100;

/// Widest executor name the subtask table shows before cutting it.
const EXECUTOR_COLUMN_MAX: usize = 30;

/// Widest member path the timeline shows before cutting it.
const SOURCE_COLUMN_MAX: usize = 32;

/// Renders the terminal report.
pub fn render(analysis: &Analysis, options: &RenderOptions) -> String {
    let mut out = Out {
        text: String::new(),
        lang: options.lang,
        labels: labels::labels(options.lang),
        paint: Painter::new(options.color),
    };

    write_sections(&mut out, analysis, options.subtasks_limit);
    out.text
}

struct Out {
    text: String,
    lang: Lang,
    labels: &'static Labels,
    paint: Painter,
}

impl Out {
    fn line(&mut self, line: &str) {
        self.text.push_str(line.trim_end());
        self.text.push('\n');
    }

    fn blank(&mut self) {
        self.text.push('\n');
    }

    fn heading(&mut self, title: &str) {
        self.blank();
        let painted = self.paint.paint(Role::Heading, title);
        self.line(&painted);
    }

    /// Writes `text` wrapped to the report width, every line indented by `indent`.
    fn prose(&mut self, indent: usize, text: &str) {
        self.hanging(indent, indent, "", text);
    }

    /// Like [`Out::prose`], in the secondary colour.
    fn dim_prose(&mut self, indent: usize, text: &str) {
        let available = WIDTH.saturating_sub(indent).max(20);
        for line in wrap(&printable(text), available) {
            let line = self.paint.paint(Role::Dim, &line);
            self.line(&format!("{}{line}", " ".repeat(indent)));
        }
    }

    /// Writes `lead` followed by `text`; the first line starts at `first` columns, the
    /// wrapped continuation lines at `rest`.
    fn hanging(&mut self, first: usize, rest: usize, lead: &str, text: &str) {
        let first_width = WIDTH.saturating_sub(first + display_width(lead)).max(20);
        let rest_width = WIDTH.saturating_sub(rest).max(20);

        for (index, line) in wrap_hanging(&printable(text), first_width, rest_width)
            .into_iter()
            .enumerate()
        {
            if index == 0 {
                self.line(&format!("{}{lead}{line}", " ".repeat(first)));
            } else {
                self.line(&format!("{}{line}", " ".repeat(rest)));
            }
        }
    }

    fn finding(&mut self, finding: &Finding, severity_width: usize) {
        let severity = pad_right(
            labels::severity_name(self.lang, finding.severity),
            severity_width,
        );
        let severity = self
            .paint
            .paint(Role::of_severity(finding.severity), &severity);
        let rule = self.paint.paint(Role::Heading, finding.rule);
        self.line(&format!("  {severity}  {rule}"));

        let indent = 4;
        self.prose(indent, &msg(self.lang, &finding.title));
        self.prose(indent, &msg(self.lang, &finding.detail));

        if !finding.evidence.is_empty() {
            let colon = labels::colon(self.lang).trim_end();
            self.line(&format!(
                "{}{}{colon}",
                " ".repeat(indent),
                self.labels.evidence
            ));
            for evidence in &finding.evidence {
                self.evidence(evidence, indent + 2);
            }
        }

        if !finding.next_steps.is_empty() {
            let colon = labels::colon(self.lang).trim_end();
            self.line(&format!(
                "{}{}{colon}",
                " ".repeat(indent),
                self.labels.next_steps
            ));
            for step in &finding.next_steps {
                self.hanging(indent + 2, indent + 4, "- ", &msg(self.lang, step));
            }
        }
    }

    /// `member locator: note: excerpt`; a multi-line excerpt continues on indented lines.
    fn evidence(&mut self, evidence: &Evidence, indent: usize) {
        let locator = labels::locator(self.lang, &evidence.locator);
        let place = printable(&format!("{} {locator}", evidence.source));
        let place = self.paint.paint(Role::Dim, place.trim_end());
        let excerpt = evidence.excerpt.trim_end();
        let noted;
        let excerpt = match &evidence.note {
            Some(note) if excerpt.is_empty() => {
                noted = msg(self.lang, note);
                noted.as_str()
            }
            Some(note) => {
                noted = format!(
                    "{}{}{excerpt}",
                    msg(self.lang, note),
                    labels::colon(self.lang)
                );
                noted.as_str()
            }
            None => excerpt,
        };

        let colon = labels::colon(self.lang);
        if !excerpt.contains('\n') {
            // The painted place may hold colour codes, so measure the plain one.
            let plain_place = printable(&format!("{} {locator}{colon}", evidence.source));
            let first_width = WIDTH
                .saturating_sub(indent + display_width(&plain_place))
                .max(20);
            let rest_width = WIDTH.saturating_sub(indent + 2).max(20);

            let lines = wrap_hanging(&printable(excerpt), first_width, rest_width);
            for (index, line) in lines.into_iter().enumerate() {
                if index == 0 {
                    self.line(&format!("{}{place}{colon}{line}", " ".repeat(indent)));
                } else {
                    self.line(&format!("{}{line}", " ".repeat(indent + 2)));
                }
            }
            return;
        }

        self.line(&format!(
            "{}{place}{}",
            " ".repeat(indent),
            colon.trim_end()
        ));
        self.prose(indent + 2, excerpt);
    }

    fn key_values(&mut self, rows: &[(&str, String)]) {
        let key_width = rows
            .iter()
            .map(|(k, _)| display_width(k))
            .max()
            .unwrap_or(0);
        for (key, value) in rows {
            let lead = format!("  {}  ", pad_right(key, key_width));
            self.hanging(0, key_width + 4, &lead, value);
        }
    }
}

impl SectionWriter for Out {
    fn verdict(&mut self, analysis: &Analysis) {
        let title = verdict_title(self.lang, self.labels, analysis);
        let painted = self.paint.paint(Role::of_verdict(analysis.verdict), &title);
        self.line(&painted);
        self.prose(2, &msg(self.lang, &analysis.summary));

        let steps = verdict::verdict_next_steps(analysis.verdict, analysis.task_id);
        if !steps.is_empty() {
            let colon = labels::colon(self.lang).trim_end();
            self.line(&format!("  {}{colon}", self.labels.next_steps));
            for step in &steps {
                self.hanging(4, 6, "- ", &msg(self.lang, step));
            }
        }
    }

    fn findings(&mut self, findings: &[Finding]) {
        self.heading(&format!("{} ({})", self.labels.findings, findings.len()));
        if findings.is_empty() {
            self.prose(2, self.labels.no_findings);
            return;
        }

        let severity_width = findings
            .iter()
            .map(|f| display_width(labels::severity_name(self.lang, f.severity)))
            .max()
            .unwrap_or(0);

        for (index, finding) in findings.iter().enumerate() {
            if index > 0 {
                self.blank();
            }
            self.finding(finding, severity_width);
        }
    }

    fn task(&mut self, analysis: &Analysis) {
        self.heading(self.labels.task);
        let Some(task) = &analysis.task else {
            self.prose(2, labels::no_task_text(self.labels, analysis.verdict));
            return;
        };

        self.key_values(&task_rows(self.labels, task));
    }

    fn subtasks(&mut self, subtasks: &[SubtaskSummary], limit: Option<usize>) {
        self.heading(&format!("{} ({})", self.labels.subtasks, subtasks.len()));
        if subtasks.is_empty() {
            self.prose(2, self.labels.no_subtasks);
            return;
        }

        let view = subtask_view(self.lang, subtasks, limit);
        if let Some(note) = &view.hidden_note {
            self.dim_prose(2, note);
        }
        let shown = view.shown;
        if shown.is_empty() {
            return;
        }

        let l = self.labels;
        let header = [
            l.id,
            l.message_id,
            l.role,
            l.status,
            l.executor,
            l.created_utc,
            l.updated_utc,
        ]
        .map(str::to_string);
        let rows: Vec<[String; 7]> = shown.iter().map(subtask_row).collect();
        let widths = column_widths(&header, &rows);

        let header_line = join_row(&header, &widths);
        let header_line = self.paint.paint(Role::Heading, header_line.trim_end());
        self.line(&format!("  {header_line}"));

        for (subtask, row) in shown.iter().zip(&rows) {
            self.line(&format!("  {}", join_row(row, &widths)));
            if let Some(error) = subtask.error_message.as_deref().filter(|e| !e.is_empty()) {
                let one_line = printable(&error.replace('\n', " "));
                let lead = format!("{}{}", self.labels.error, labels::colon(self.lang));
                let budget = WIDTH.saturating_sub(6 + display_width(&lead));
                let error = truncate(&one_line, budget);
                let line = self.paint.paint(Role::Warning, &format!("{lead}{error}"));
                self.line(&format!("      {line}"));
            }
        }
    }

    fn clock(&mut self, analysis: &Analysis) {
        self.heading(self.labels.clock);

        let clock = &analysis.clock;
        let rows = clock_offsets(self.labels, clock)
            .map(|(label, seconds)| (label, format_offset(seconds)));
        self.key_values(&rows);

        for basis in &clock.basis {
            self.hanging(2, 4, "- ", &msg(self.lang, basis));
        }
    }

    fn timeline(&mut self, analysis: &Analysis) {
        self.heading(&format!(
            "{} ({})",
            self.labels.timeline,
            analysis.timeline.len()
        ));

        let note = timeline_note(self.labels, &analysis.clock);
        self.dim_prose(2, &note);

        if analysis.timeline.is_empty() {
            self.prose(2, self.labels.no_timeline);
            return;
        }

        let source_width = analysis
            .timeline
            .iter()
            .map(|e| display_width(&printable(&e.source)).min(SOURCE_COLUMN_MAX))
            .max()
            .unwrap_or(0);
        let time_width = "2026-08-14 06:21:09".len();

        for event in &analysis.timeline {
            let source = pad_right(
                &truncate(&printable(&event.source), SOURCE_COLUMN_MAX),
                source_width,
            );
            let lead = format!(
                "  {}  {}  ",
                self.paint.paint(Role::Dim, &human_time(event.at)),
                self.paint.paint(Role::Dim, &source)
            );
            // The first line continues after the source column. The following lines start
            // under the source column, so a long event gets the remaining width.
            let first = 2 + time_width + 2 + source_width + 2;
            let indent = 2 + time_width + 2;
            let first_width = WIDTH.saturating_sub(first).max(20);
            let rest_width = WIDTH.saturating_sub(indent).max(20);

            let text = printable(&msg(self.lang, &event.event));
            let mut lines = wrap_hanging(&text, first_width, rest_width).into_iter();
            self.line(&format!("{lead}{}", lines.next().unwrap_or_default()));
            for line in lines {
                self.line(&format!("{}{line}", " ".repeat(indent)));
            }
        }
    }

    fn collection(&mut self, analysis: &Analysis) {
        self.heading(self.labels.collection);
        let collection = &analysis.collection;

        let notable = notable_sources(collection);

        if collection.incomplete_sources.is_empty() && notable.is_empty() {
            self.prose(2, self.labels.all_sources_complete);
            return;
        }

        if !collection.incomplete_sources.is_empty() {
            let names = printable(
                &collection
                    .incomplete_sources
                    .join(labels::list_separator(self.lang)),
            );
            let lead = format!(
                "  {}{}",
                self.labels.incomplete_sources,
                labels::colon(self.lang)
            );
            let painted = self.paint.paint(Role::Warning, &names);
            if display_width(&lead) + display_width(&names) <= WIDTH {
                self.line(&format!("{lead}{painted}"));
            } else {
                self.hanging(0, 4, &lead, &names);
            }
        }

        let name_width = notable
            .iter()
            .map(|s| display_width(&s.name))
            .max()
            .unwrap_or(0);
        let status_width = notable
            .iter()
            .map(|s| display_width(labels::source_status_name(self.lang, s.status)))
            .max()
            .unwrap_or(0);

        for source in notable {
            let status = labels::source_status_name(self.lang, source.status);
            let lead = format!(
                "  {}  {}  ",
                pad_right(&printable(&source.name), name_width),
                pad_right(status, status_width)
            );
            let rest = display_width(&lead);

            let mut notes: Vec<String> = Vec::new();
            if let Some(error) = &source.error {
                notes.push(error.clone());
            }
            for cut in &source.truncation {
                notes.push(format!(
                    "{}{}{cut}",
                    self.labels.truncated,
                    labels::colon(self.lang)
                ));
            }
            if notes.is_empty() {
                self.line(&lead);
            }
            for (index, note) in notes.iter().enumerate() {
                let first = if index == 0 {
                    lead.clone()
                } else {
                    " ".repeat(rest)
                };
                self.hanging(0, rest, &first, note);
            }
        }
    }

    fn redaction(&mut self, analysis: &Analysis) {
        self.heading(self.labels.redaction);
        let redaction = &analysis.redaction;

        if redaction.total == 0 && redaction.by_rule.is_empty() {
            self.prose(2, self.labels.redaction_none);
        } else {
            self.prose(2, &labels::redaction_sentence(self.lang, redaction.total));
            let rows: Vec<(&str, String)> = redaction
                .by_rule
                .iter()
                .map(|(rule, count)| (rule.as_str(), count.to_string()))
                .collect();
            self.key_values(&rows);
        }

        if redaction.pseudonymized {
            self.prose(2, self.labels.pseudonymized);
        }
    }

    fn footer(&mut self, analysis: &Analysis) {
        let footer = footer_text(self.lang, self.labels, analysis);

        self.blank();
        self.dim_prose(0, &footer);
    }
}

fn subtask_row(subtask: &SubtaskSummary) -> [String; 7] {
    let status = if subtask.progress > 0 && subtask.progress < 100 {
        format!("{} {}%", subtask.status, subtask.progress)
    } else {
        subtask.status.clone()
    };
    let executor = subtask.executor_name.as_deref().unwrap_or("-");

    [
        subtask.id.to_string(),
        subtask.message_id.to_string(),
        printable(&subtask.role),
        printable(&status),
        truncate(&printable(executor), EXECUTOR_COLUMN_MAX),
        subtask
            .created_at
            .map(human_time)
            .unwrap_or_else(|| "-".into()),
        subtask
            .updated_at
            .map(human_time)
            .unwrap_or_else(|| "-".into()),
    ]
}

fn column_widths<const N: usize>(header: &[String; N], rows: &[[String; N]]) -> [usize; N] {
    let mut widths = header.each_ref().map(|h| display_width(h));
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(display_width(cell));
        }
    }
    widths
}

fn join_row<const N: usize>(cells: &[String; N], widths: &[usize; N]) -> String {
    let padded: Vec<String> = cells
        .iter()
        .zip(widths)
        .map(|(c, w)| pad_right(c, *w))
        .collect();
    padded.join("  ").trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    fn plain(lang: Lang, limit: Option<usize>) -> String {
        render(&sample::stuck(), &sample::plain_options(lang, limit))
    }

    #[test]
    fn text_starts_with_verdict_line() {
        let text = plain(Lang::En, None);
        assert!(text.starts_with("Task 89: stuck\n"), "{text}");
    }

    #[test]
    fn text_lists_findings_with_evidence() {
        let text = plain(Lang::En, None);
        assert!(text.contains("critical  executor-missing"), "{text}");
        assert!(text.contains("warning   stale-error-message"), "{text}");
        assert!(text.contains("db/subtasks.json id=302: executor_name=wegent-task-alice-89-302"));
        assert!(text.contains("Next steps:"));
    }

    #[test]
    fn text_escapes_terminal_controls_from_bundle() {
        let text = plain(Lang::En, None);
        assert!(!text.contains('\x1b'), "{text}");
        assert!(text.contains("\\u{1b}[31mred"));
    }

    #[test]
    fn text_color_follows_option() {
        let options = RenderOptions {
            lang: Lang::En,
            color: true,
            subtasks_limit: None,
        };
        let colored = render(&sample::stuck(), &options);
        assert!(colored.contains("\x1b[1;31m"));
        assert!(!plain(Lang::En, None).contains("\x1b["));
    }

    #[test]
    fn text_hides_older_subtasks_and_says_so() {
        let text = plain(Lang::En, Some(2));
        assert!(
            text.contains("2 older subtasks are hidden (showing the newest 2 of 4)"),
            "{text}"
        );
        assert!(text.contains("wegent-task-alice-89-302"));
        assert!(!text.contains("\n  299 "), "{text}");
    }

    #[test]
    fn text_shows_all_subtasks_without_limit() {
        let text = plain(Lang::En, None);
        assert!(text.contains("\n  299 "), "{text}");
        assert!(!text.contains("hidden"));
        assert!(text.contains("Error: model gateway answered 503 | retry later"));
    }

    #[test]
    fn text_notes_offsets_on_timeline() {
        let text = plain(Lang::En, None);
        assert!(
            text.contains("Times are UTC, after applying these offsets: backend +00:00"),
            "{text}"
        );
        assert!(
            text.contains("2026-08-14 06:02:00  db/subtasks.json"),
            "{text}"
        );
    }

    #[test]
    fn text_reports_collection_and_redaction_counts() {
        let text = plain(Lang::En, None);
        assert!(text.contains("Incomplete sources: docker"), "{text}");
        assert!(text.contains("permission denied on /var/run/docker.sock"));
        assert!(text.contains("truncated: executor log capped at 5 MB"));
        assert!(text.contains("bearer-token  3"), "{text}");
    }

    #[test]
    fn text_lines_fit_width() {
        for lang in [Lang::En, Lang::Zh] {
            let text = plain(lang, None);
            let subtasks = labels::labels(lang).subtasks;
            let mut in_table = false;
            for line in text.lines() {
                // The subtask table may be wider than the prose; everything else wraps.
                if line.starts_with(subtasks) {
                    in_table = true;
                } else if line.is_empty() {
                    in_table = false;
                }
                if !in_table {
                    assert!(display_width(line) <= WIDTH, "{lang:?}: {line}");
                }
            }
        }
    }

    #[test]
    fn text_in_chinese_aligns_table_by_display_width() {
        let text = plain(Lang::Zh, None);
        assert!(text.starts_with("任务 89：卡住\n"), "{text}");

        let header = text
            .lines()
            .find(|l| l.contains("执行器") && l.contains("角色"))
            .unwrap();
        let row = text
            .lines()
            .find(|l| l.contains("wegent-task-alice-89-302  "))
            .unwrap();
        let column = |line: &str, needle: &str| display_width(&line[..line.find(needle).unwrap()]);
        assert_eq!(
            column(header, "执行器"),
            column(row, "wegent-task"),
            "{header}\n{row}"
        );
    }

    #[test]
    fn text_for_empty_analysis_says_so() {
        let options = RenderOptions::default();
        let text = render(&sample::completed(), &options);
        assert!(text.starts_with("Task 7: completed\n"));
        assert!(text.contains("No rule reported a finding."));
        assert!(text.contains("The task row was not collected"));
        assert!(text.contains("Every source was collected completely."));
        assert!(text.contains("The collector replaced no values."));
        assert!(text.contains("collected at unknown"));
    }

    #[test]
    fn text_translates_evidence_note() {
        let mut analysis = sample::stuck();
        analysis.findings[0].evidence[0] = crate::engine::evidence::no_answer(
            "services/executor-manager.json",
            "/health",
            Some("refused"),
        );
        let options = sample::plain_options(Lang::Zh, None);

        let text = render(&analysis, &options);

        assert!(
            text.contains("services/executor-manager.json /health：无响应：refused"),
            "{text}"
        );
    }
}
