//! A source failed or was only partly collected, so the report rests on less data.
//!
//! ### What it checks
//!
//! Every entry of `manifest.json` `sources` whose status is `failed` or `partial`, with
//! its error and truncation notes. Skipped sources (for example `llm` without
//! `--probe-llm`, or `redis` on a fork deployment) are not reported.
//!
//! The finding is a warning: it never explains the task by itself, but it lowers the
//! confidence of everything else, and rules that need the missing data stay silent.
//!
//! ### Why it matters
//!
//! A rule that finds nothing in a missing source cannot tell "fine" from "not looked
//! at". A stuck task with a failed `docker` source, for example, cannot be checked for a
//! missing executor.
//!
//! ### Evidence
//!
//! `manifest.json` (`/sources/<index>`).
//!
//! ### Fix
//!
//! Fix what the error names (address, credentials, permission, time limit) and run
//! `collect` again on the host.

use crate::bundle::model::{SourceStatus, members};
use crate::engine::{Context, Evidence, Finding, Msg, Rule, Severity};
use crate::i18n::Lang;
use crate::rules::current_run;

pub struct CollectionIncomplete;

impl Rule for CollectionIncomplete {
    fn id(&self) -> &'static str {
        "collection-incomplete"
    }

    fn default_severity(&self) -> Severity {
        Severity::Warning
    }

    fn messages(&self, lang: Lang) -> &'static [(&'static str, &'static str)] {
        match lang {
            Lang::En => EN,
            Lang::Zh => ZH,
        }
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(manifest) = cx.bundle.manifest.as_ref() else {
            return;
        };

        let mut names = Vec::new();
        let mut evidence = Vec::new();
        for (index, source) in manifest.sources.iter().enumerate() {
            let status = match source.status {
                SourceStatus::Failed => "failed",
                SourceStatus::Partial => "partial",
                SourceStatus::Ok | SourceStatus::Skipped => continue,
            };

            let mut excerpt = format!("{}: {status}", source.name);
            if let Some(error) = source.error.as_deref().filter(|e| !e.trim().is_empty()) {
                excerpt.push_str(&format!(": {error}"));
            }
            if !source.truncation.is_empty() {
                excerpt.push_str(&format!(" ({})", source.truncation.join("; ")));
            }

            names.push(source.name.as_str());
            evidence.push(Evidence::new(
                members::MANIFEST,
                format!("/sources/{index}"),
                current_run::excerpt(&excerpt),
            ));
        }
        if names.is_empty() {
            return;
        }

        out.push(Finding {
            rule: self.id(),
            severity: self.default_severity(),
            title: Msg::new("collection-incomplete.title"),
            detail: Msg::new("collection-incomplete.detail").list("sources", &names),
            evidence,
            next_steps: vec![Msg::new("collection-incomplete.next")],
        });
    }
}

static EN: &[(&str, &str)] = &[
    (
        "collection-incomplete.title",
        "some sources were not fully collected",
    ),
    (
        "collection-incomplete.detail",
        "Collection of {sources} failed or was cut short. Rules that need those sources could not check their conditions, so a missing finding does not mean the condition is fine, and the verdict is less certain.",
    ),
    (
        "collection-incomplete.next",
        "Fix what each error names (address, credentials, permission, time limit) and run collect again on the host; the options it used are in manifest.json.",
    ),
];

static ZH: &[(&str, &str)] = &[
    ("collection-incomplete.title", "部分数据源未能完整采集"),
    (
        "collection-incomplete.detail",
        "{sources} 的采集失败或被截断。依赖这些数据源的规则无法检查对应条件，因此没有发现并不代表一切正常，结论的可信度也随之降低。",
    ),
    (
        "collection-incomplete.next",
        "按每条错误所指出的问题（地址、凭据、权限、时间限制）修复后，在主机上重新运行 collect；所用的选项记录在 manifest.json 中。",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::model::SourceEntry;
    use crate::rules::test_support::*;

    fn source(name: &str, status: SourceStatus, error: Option<&str>) -> SourceEntry {
        SourceEntry {
            name: name.to_string(),
            status,
            duration_ms: 10,
            error: error.map(str::to_string),
            truncation: Vec::new(),
            members: Vec::new(),
        }
    }

    #[test]
    fn flags_failed_and_partial_sources() {
        let mut bundle = bundle("RUNNING", "RUNNING");
        bundle.manifest = Some(manifest(vec![
            source("db", SourceStatus::Ok, None),
            source(
                "docker",
                SourceStatus::Failed,
                Some("permission denied on /var/run/docker.sock"),
            ),
            source(
                "logs",
                SourceStatus::Partial,
                Some("backend log not readable"),
            ),
            source("llm", SourceStatus::Skipped, Some("--probe-llm not given")),
        ]));

        let findings = run(&CollectionIncomplete, &bundle);

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].evidence.len(), 2);
        assert_eq!(findings[0].evidence[0].locator, "/sources/1");
        assert!(
            findings[0].evidence[0]
                .excerpt
                .contains("permission denied")
        );
        assert!(
            findings[0]
                .detail
                .args
                .contains(&("sources", "docker\u{1f}logs".to_string()))
        );
        assert_catalogue(&CollectionIncomplete, &findings);
    }

    #[test]
    fn ignores_ok_and_skipped_sources() {
        let mut bundle = bundle("RUNNING", "RUNNING");
        bundle.manifest = Some(manifest(vec![
            source("db", SourceStatus::Ok, None),
            source("redis", SourceStatus::Skipped, Some("fork deployment")),
        ]));

        assert!(run(&CollectionIncomplete, &bundle).is_empty());
    }
}
