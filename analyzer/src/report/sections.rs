//! The content of the report sections that the text and Markdown formats share: which
//! task fields, clock offsets, subtasks and sources they show, and the sentences they
//! fill from labels. Each format only decides how to lay these out and escape them.

use crate::bundle::model::{SourceEntry, SourceStatus};
use crate::engine::{
    Analysis, ClockCalibration, CollectionState, Finding, SubtaskSummary, TaskSummary,
};
use crate::i18n::Lang;
use crate::report::labels::{self, Labels, fill};
use crate::report::{format_offset, human_time, visible_subtasks};

/// A format that can write each report section; [`write_sections`] calls them in report
/// order.
pub(crate) trait SectionWriter {
    fn verdict(&mut self, analysis: &Analysis);
    fn findings(&mut self, findings: &[Finding]);
    fn task(&mut self, analysis: &Analysis);
    fn subtasks(&mut self, subtasks: &[SubtaskSummary], limit: Option<usize>);
    fn clock(&mut self, analysis: &Analysis);
    fn timeline(&mut self, analysis: &Analysis);
    fn collection(&mut self, analysis: &Analysis);
    fn redaction(&mut self, analysis: &Analysis);
    fn footer(&mut self, analysis: &Analysis);
}

/// Writes every section of the report, in order, showing at most `subtasks_limit` of the
/// newest subtasks.
pub(crate) fn write_sections(
    out: &mut impl SectionWriter,
    analysis: &Analysis,
    subtasks_limit: Option<usize>,
) {
    out.verdict(analysis);
    out.findings(&analysis.findings);
    out.task(analysis);
    out.subtasks(&analysis.subtasks, subtasks_limit);
    out.clock(analysis);
    out.timeline(analysis);
    out.collection(analysis);
    out.redaction(analysis);
    out.footer(analysis);
}

/// Fills the title line with the task id and verdict name, e.g. `Task 89: stuck`.
pub(crate) fn verdict_title(lang: Lang, labels: &Labels, analysis: &Analysis) -> String {
    let verdict = labels::verdict_name(lang, analysis.verdict);
    let task_id = analysis.task_id.to_string();
    fill(
        labels.verdict_line,
        &[("task_id", &task_id), ("verdict", verdict)],
    )
}

/// Lists the task fields the reports show, as label and value, in report order. Fields
/// the bundle lacks are left out.
pub(crate) fn task_rows(
    labels: &'static Labels,
    task: &TaskSummary,
) -> Vec<(&'static str, String)> {
    let l = labels;
    let mut rows: Vec<(&'static str, String)> = vec![(l.kind, task.kind.clone())];
    let mut add = |label: &'static str, value: Option<String>| {
        if let Some(value) = value {
            rows.push((label, value));
        }
    };

    add(l.status, task.status.clone());
    add(l.progress, task.progress.map(|p| format!("{p}%")));
    add(l.status_phase, task.status_phase.clone());
    add(l.task_type, task.task_type.clone());
    add(l.task_source, task.source.clone());
    add(l.is_active, Some(task.is_active.to_string()));
    add(l.updated_utc, task.updated_at.map(human_time));
    rows
}

/// The subtasks a report shows, and the note to print when older ones are hidden.
pub(crate) struct SubtaskView<'a> {
    pub shown: &'a [SubtaskSummary],
    pub hidden_note: Option<String>,
}

/// Picks the newest `limit` subtasks and words the note about the hidden ones.
pub(crate) fn subtask_view(
    lang: Lang,
    subtasks: &[SubtaskSummary],
    limit: Option<usize>,
) -> SubtaskView<'_> {
    let (shown, hidden) = visible_subtasks(subtasks, limit);
    let hidden_note = (hidden > 0)
        .then(|| labels::hidden_subtasks_note(lang, hidden, shown.len(), subtasks.len()));
    SubtaskView { shown, hidden_note }
}

/// Returns the three clock offsets, as label and seconds, in report order.
pub(crate) fn clock_offsets(labels: &Labels, clock: &ClockCalibration) -> [(&'static str, i64); 3] {
    [
        (labels.clock_backend, clock.backend_offset_seconds),
        (labels.clock_db_session, clock.db_session_offset_seconds),
        (labels.clock_em, clock.em_offset_seconds),
    ]
}

/// Fills the sentence above the timeline that states the offsets applied to its times.
pub(crate) fn timeline_note(labels: &Labels, clock: &ClockCalibration) -> String {
    fill(
        labels.timeline_note,
        &[
            ("backend", &format_offset(clock.backend_offset_seconds)),
            ("db", &format_offset(clock.db_session_offset_seconds)),
            ("em", &format_offset(clock.em_offset_seconds)),
        ],
    )
}

/// Returns the sources worth a line in the collection section: those not collected fully
/// or cut short.
pub(crate) fn notable_sources(collection: &CollectionState) -> Vec<&SourceEntry> {
    collection
        .sources
        .iter()
        .filter(|s| s.status != SourceStatus::Ok || !s.truncation.is_empty())
        .collect()
}

/// Fills the closing line with the analysis time, collection time and Wegent flavour.
pub(crate) fn footer_text(lang: Lang, labels: &Labels, analysis: &Analysis) -> String {
    let now = format!("{} UTC", human_time(analysis.now));
    let collected = match analysis.collected_at {
        Some(at) => format!("{} UTC", human_time(at)),
        None => labels.unknown.to_string(),
    };
    let flavour = labels::flavour_name(lang, analysis.flavour);
    fill(
        labels.footer,
        &[
            ("now", &now),
            ("collected", &collected),
            ("flavour", flavour),
        ],
    )
}
