//! The Markdown report, ready to paste into a ticket: verdict and summary, a findings
//! table, then each finding with detail, evidence and next steps, followed by the task,
//! subtasks, clock offsets, timeline, collection state and redaction counts.
//!
//! Every value that comes from the bundle goes through [`md_escape`], so it renders as
//! text and cannot break the layout.

use crate::engine::{Analysis, Evidence, Finding, Msg, SubtaskSummary, verdict};
use crate::i18n::{Lang, Segment, render as msg, render_segments};
use crate::report::labels::{self, Labels, no_task_text};
use crate::report::md_escape::{code_block, code_span, code_span_in_table, inline};
use crate::report::sections::{
    SectionWriter, clock_offsets, footer_text, notable_sources, subtask_view, task_rows,
    timeline_note, verdict_title, write_sections,
};
use crate::report::{RenderOptions, format_offset, human_time};

/// Maximum length in characters of an excerpt shown as a code span; longer or multi-line
/// excerpts get a code block.
const INLINE_EXCERPT_MAX: usize = 120;

/// Maximum length in characters of a subtask error message in the subtask table.
const TABLE_ERROR_MAX: usize = 200;

/// Renders a catalogue message for an inline position: the catalogue's backtick spans
/// become code spans, and the prose, with any argument from the bundle, is escaped.
fn catalogue_inline(lang: Lang, message: &Msg) -> String {
    let mut out = String::new();
    for segment in render_segments(lang, message) {
        match segment {
            Segment::Text(text) => {
                // `inline` trims its input, so keep the spaces next to code spans here.
                let core = text.trim();
                if text.starts_with(char::is_whitespace) {
                    out.push(' ');
                }
                out.push_str(&inline(core));
                if !core.is_empty() && text.ends_with(char::is_whitespace) {
                    out.push(' ');
                }
            }
            Segment::Code(code) => out.push_str(&code_span(&code)),
        }
    }
    out
}

/// Renders the Markdown report.
pub fn render(analysis: &Analysis, options: &RenderOptions) -> String {
    let mut out = Out {
        text: String::new(),
        lang: options.lang,
        labels: labels::labels(options.lang),
    };

    write_sections(&mut out, analysis, options.subtasks_limit);
    out.text
}

struct Out {
    text: String,
    lang: Lang,
    labels: &'static Labels,
}

impl Out {
    fn push(&mut self, text: &str) {
        self.text.push_str(text);
    }

    fn line(&mut self, line: &str) {
        self.text.push_str(line);
        self.text.push('\n');
    }

    fn paragraph(&mut self, text: &str) {
        self.line(text);
        self.line("");
    }

    fn heading(&mut self, level: usize, title: &str) {
        self.paragraph(&format!("{} {title}", "#".repeat(level)));
    }

    fn table(&mut self, header: &[&str], rows: &[Vec<String>]) {
        let header: Vec<String> = header.iter().map(|h| inline(h)).collect();
        self.line(&format!("| {} |", header.join(" | ")));
        self.line(&format!("|{}", " --- |".repeat(header.len())));
        for row in rows {
            self.line(&format!("| {} |", row.join(" | ")));
        }
        self.line("");
    }

    fn finding(&mut self, number: usize, finding: &Finding) {
        let severity = labels::severity_name(self.lang, finding.severity);
        self.heading(
            3,
            &format!(
                "{number}. {} ({})",
                code_span(finding.rule),
                inline(severity)
            ),
        );
        self.paragraph(&format!("**{}**", inline(&msg(self.lang, &finding.title))));
        self.paragraph(&catalogue_inline(self.lang, &finding.detail));

        if !finding.evidence.is_empty() {
            self.paragraph(&format!("**{}**", inline(self.labels.evidence)));
            for evidence in &finding.evidence {
                self.evidence(evidence);
            }
            self.line("");
        }

        if !finding.next_steps.is_empty() {
            self.paragraph(&format!("**{}**", inline(self.labels.next_steps)));
            for (index, step) in finding.next_steps.iter().enumerate() {
                self.line(&format!(
                    "{}. {}",
                    index + 1,
                    catalogue_inline(self.lang, step)
                ));
            }
            self.line("");
        }
    }

    /// Writes one list item: the member and locator as code spans, then the excerpt inline
    /// when it is one short line, else as an indented code block.
    fn evidence(&mut self, evidence: &Evidence) {
        let mut place = format!(
            "{} {}",
            code_span(&evidence.source),
            code_span(&labels::locator(self.lang, &evidence.locator))
        );
        if let Some(note) = &evidence.note {
            place.push_str(labels::colon(self.lang));
            place.push_str(&inline(&msg(self.lang, note)));
        }
        let excerpt = evidence.excerpt.trim_end();

        if excerpt.is_empty() {
            self.line(&format!("- {place}"));
        } else if !excerpt.contains('\n') && excerpt.chars().count() <= INLINE_EXCERPT_MAX {
            self.line(&format!(
                "- {place}{}{}",
                labels::colon(self.lang),
                code_span(excerpt)
            ));
        } else {
            self.line(&format!("- {place}{}", labels::colon(self.lang).trim_end()));
            self.line("");
            let block = code_block(excerpt, "  ");
            self.push(&block);
        }
    }
}

impl SectionWriter for Out {
    fn verdict(&mut self, analysis: &Analysis) {
        let title = verdict_title(self.lang, self.labels, analysis);
        self.heading(1, &inline(&title));
        let colon = labels::colon(self.lang).trim_end();
        self.paragraph(&format!(
            "**{}{colon}** `{}`",
            inline(self.labels.verdict),
            analysis.verdict.as_str()
        ));
        self.paragraph(&inline(&msg(self.lang, &analysis.summary)));

        let steps = verdict::verdict_next_steps(analysis.verdict, analysis.task_id);
        if !steps.is_empty() {
            let colon = labels::colon(self.lang).trim_end();
            self.paragraph(&format!("**{}{colon}**", inline(self.labels.next_steps)));
            for (index, step) in steps.iter().enumerate() {
                self.line(&format!(
                    "{}. {}",
                    index + 1,
                    catalogue_inline(self.lang, step)
                ));
            }
            self.line("");
        }
    }

    fn findings(&mut self, findings: &[Finding]) {
        self.heading(
            2,
            &format!("{} ({})", inline(self.labels.findings), findings.len()),
        );
        if findings.is_empty() {
            self.paragraph(&inline(self.labels.no_findings));
            return;
        }

        let l = self.labels;
        let rows: Vec<Vec<String>> = findings
            .iter()
            .map(|f| {
                vec![
                    inline(labels::severity_name(self.lang, f.severity)),
                    code_span_in_table(f.rule),
                    inline(&msg(self.lang, &f.title)),
                ]
            })
            .collect();
        self.table(&[l.severity, l.rule, l.title], &rows);

        for (index, finding) in findings.iter().enumerate() {
            self.finding(index + 1, finding);
        }
    }

    fn task(&mut self, analysis: &Analysis) {
        self.heading(2, &inline(self.labels.task));
        let Some(task) = &analysis.task else {
            self.paragraph(&inline(no_task_text(self.labels, analysis.verdict)));
            return;
        };

        for (label, value) in task_rows(self.labels, task) {
            let colon = labels::colon(self.lang).trim_end();
            self.line(&format!(
                "- **{}{colon}** {}",
                inline(label),
                code_span(&value)
            ));
        }
        self.line("");
    }

    fn subtasks(&mut self, subtasks: &[SubtaskSummary], limit: Option<usize>) {
        self.heading(
            2,
            &format!("{} ({})", inline(self.labels.subtasks), subtasks.len()),
        );
        if subtasks.is_empty() {
            self.paragraph(&inline(self.labels.no_subtasks));
            return;
        }

        let view = subtask_view(self.lang, subtasks, limit);
        if let Some(note) = &view.hidden_note {
            self.paragraph(&format!("_{}_", inline(note)));
        }
        if view.shown.is_empty() {
            return;
        }

        let rows: Vec<Vec<String>> = view
            .shown
            .iter()
            .map(|s| {
                let error = s.error_message.as_deref().unwrap_or("");
                let error: String = error.chars().take(TABLE_ERROR_MAX).collect();
                vec![
                    s.id.to_string(),
                    s.message_id.to_string(),
                    code_span_in_table(&s.role),
                    code_span_in_table(&s.status),
                    format!("{}%", s.progress),
                    code_span_in_table(s.executor_name.as_deref().unwrap_or("")),
                    s.created_at.map(human_time).unwrap_or_else(|| "-".into()),
                    s.updated_at.map(human_time).unwrap_or_else(|| "-".into()),
                    if error.is_empty() {
                        String::new()
                    } else {
                        inline(&error)
                    },
                ]
            })
            .collect();

        let l = self.labels;
        let header = [
            l.id,
            l.message_id,
            l.role,
            l.status,
            l.progress,
            l.executor,
            l.created_utc,
            l.updated_utc,
            l.error,
        ];
        self.table(&header, &rows);
    }

    fn clock(&mut self, analysis: &Analysis) {
        self.heading(2, &inline(self.labels.clock));

        let clock = &analysis.clock;
        for (label, seconds) in clock_offsets(self.labels, clock) {
            let colon = labels::colon(self.lang);
            self.line(&format!(
                "- {}{colon}`{}`",
                inline(label),
                format_offset(seconds)
            ));
        }
        for basis in &clock.basis {
            self.line(&format!("- {}", inline(&msg(self.lang, basis))));
        }
        self.line("");
    }

    fn timeline(&mut self, analysis: &Analysis) {
        self.heading(
            2,
            &format!(
                "{} ({})",
                inline(self.labels.timeline),
                analysis.timeline.len()
            ),
        );

        let note = timeline_note(self.labels, &analysis.clock);
        self.paragraph(&format!("_{}_", inline(&note)));

        if analysis.timeline.is_empty() {
            self.paragraph(&inline(self.labels.no_timeline));
            return;
        }

        let rows: Vec<Vec<String>> = analysis
            .timeline
            .iter()
            .map(|e| {
                vec![
                    human_time(e.at),
                    code_span_in_table(&e.source),
                    inline(&msg(self.lang, &e.event)),
                ]
            })
            .collect();
        let l = self.labels;
        self.table(&[l.time_utc, l.source, l.event], &rows);
    }

    fn collection(&mut self, analysis: &Analysis) {
        self.heading(2, &inline(self.labels.collection));
        let collection = &analysis.collection;

        let notable = notable_sources(collection);

        if collection.incomplete_sources.is_empty() && notable.is_empty() {
            self.paragraph(&inline(self.labels.all_sources_complete));
            return;
        }

        if !collection.incomplete_sources.is_empty() {
            let names: Vec<String> = collection
                .incomplete_sources
                .iter()
                .map(|n| code_span(n))
                .collect();
            let colon = labels::colon(self.lang).trim_end();
            let label = inline(self.labels.incomplete_sources);
            self.paragraph(&format!(
                "**{label}{colon}** {}",
                names.join(labels::list_separator(self.lang))
            ));
        }

        if !notable.is_empty() {
            let rows: Vec<Vec<String>> = notable
                .iter()
                .map(|s| {
                    let mut notes: Vec<String> = s.error.iter().map(|e| inline(e)).collect();
                    for cut in &s.truncation {
                        let colon = labels::colon(self.lang);
                        notes.push(format!(
                            "{}{colon}{}",
                            inline(self.labels.truncated),
                            inline(cut)
                        ));
                    }
                    vec![
                        code_span_in_table(&s.name),
                        inline(labels::source_status_name(self.lang, s.status)),
                        notes.join("<br>"),
                    ]
                })
                .collect();
            let l = self.labels;
            self.table(&[l.source, l.status, l.detail], &rows);
        }
    }

    fn redaction(&mut self, analysis: &Analysis) {
        self.heading(2, &inline(self.labels.redaction));
        let redaction = &analysis.redaction;

        if redaction.total == 0 && redaction.by_rule.is_empty() {
            self.paragraph(&inline(self.labels.redaction_none));
        } else {
            self.paragraph(&inline(&labels::redaction_sentence(
                self.lang,
                redaction.total,
            )));
            let rows: Vec<Vec<String>> = redaction
                .by_rule
                .iter()
                .map(|(rule, count)| vec![code_span_in_table(rule), count.to_string()])
                .collect();
            let l = self.labels;
            self.table(&[l.rule, l.replacements], &rows);
        }

        if redaction.pseudonymized {
            self.paragraph(&inline(self.labels.pseudonymized));
        }
    }

    fn footer(&mut self, analysis: &Analysis) {
        let footer = footer_text(self.lang, self.labels, analysis);

        self.line("---");
        self.line("");
        self.line(&format!("_{}_", inline(&footer)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    fn markdown(lang: Lang, limit: Option<usize>) -> String {
        render(&sample::stuck(), &sample::plain_options(lang, limit))
    }

    #[test]
    fn markdown_starts_with_verdict_heading() {
        let md = markdown(Lang::En, None);
        assert!(
            md.starts_with("# Task 89: stuck\n\n**Verdict:** `stuck`\n"),
            "{md}"
        );
    }

    #[test]
    fn markdown_findings_table_has_one_row_per_finding() {
        let md = markdown(Lang::En, None);
        assert!(
            md.contains("| Severity | Rule | Title |\n| --- | --- | --- |\n"),
            "{md}"
        );
        assert!(md.contains("| critical | `executor-missing` |"), "{md}");
        assert!(md.contains("| warning | `stale-error-message` |"), "{md}");
    }

    #[test]
    fn markdown_excerpts_cannot_break_layout() {
        let md = markdown(Lang::En, None);
        assert!(
            md.contains("``404 | not `found` <script>alert(1)</script>``"),
            "{md}"
        );
        assert!(
            md.contains("  ````text\n  first line\n  ```\n  \\u{1b}[31mred\n  ````\n"),
            "{md}"
        );
        assert!(!md.contains('\x1b'));
    }

    #[test]
    fn markdown_table_cells_escape_pipes() {
        let md = markdown(Lang::En, None);
        assert!(
            md.contains("model gateway answered 503 \\| retry later"),
            "{md}"
        );
        for line in md.lines().filter(|l| l.starts_with("| 300 ")) {
            let cells = line.split(" | ").count();
            assert_eq!(cells, 9, "{line}");
        }
    }

    #[test]
    fn markdown_timeline_notes_offsets() {
        let md = markdown(Lang::En, None);
        assert!(md.contains(
            "_Times are UTC, after applying these offsets: backend +00:00, MySQL session +08:00"
        ));
        assert!(
            md.contains("| 2026-08-14 06:02:00 | `db/subtasks.json` |"),
            "{md}"
        );
    }

    #[test]
    fn markdown_hides_older_subtasks_and_says_so() {
        let md = markdown(Lang::En, Some(1));
        assert!(
            md.contains("_3 older subtasks are hidden (showing the newest 1 of 4);"),
            "{md}"
        );
        assert!(!md.contains("| 299 |"));
        assert!(md.contains("| 302 | 302 |"));
    }

    #[test]
    fn markdown_reports_collection_and_redaction() {
        let md = markdown(Lang::En, None);
        assert!(md.contains("**Incomplete sources:** `docker`"), "{md}");
        assert!(
            md.contains("| `docker` | failed | permission denied on /var/run/docker.sock |"),
            "{md}"
        );
        assert!(md.contains("| `bearer-token` | 3 |"), "{md}");
    }

    #[test]
    fn markdown_in_chinese_uses_chinese_headings() {
        let md = markdown(Lang::Zh, None);
        assert!(md.starts_with("# 任务 89：卡住\n"), "{md}");
        assert!(md.contains("## 时间线 (2)"));
        assert!(md.contains("| 严重 | `executor-missing` |"), "{md}");
    }

    #[test]
    fn markdown_for_empty_analysis_says_so() {
        let md = render(&sample::completed(), &RenderOptions::default());
        assert!(md.contains("No rule reported a finding."), "{md}");
        assert!(md.contains("The bundle contains no timed events."));
    }

    #[test]
    fn markdown_renders_catalogue_code_as_code() {
        let step = Msg::new("executor-exited.next").arg("name", "a*b");

        let line = catalogue_inline(Lang::En, &step);

        assert!(line.contains(" (or `docker logs a*b`) for"), "{line}");
        assert!(!line.contains("\\`"), "{line}");
        assert!(
            line.contains("executors/{name}".replace("{name}", "a\\*b").as_str()),
            "{line}"
        );
    }

    #[test]
    fn markdown_shows_evidence_note_before_excerpt() {
        let mut analysis = sample::stuck();
        analysis.findings[0].evidence[0] =
            crate::engine::evidence::container_absent("wegent-task-alice-89-302");
        let options = sample::plain_options(Lang::En, None);

        let md = render(&analysis, &options);

        assert!(
            md.contains("- `services/containers.json` `name=wegent-task-alice-89-302`: no container with this name\n"),
            "{md}"
        );
    }
}
