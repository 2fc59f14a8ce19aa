//! Builds `docs/rules.md` from the `//!` documentation of each rule file, in the order
//! of [`super::RULES`], so the declaration of a rule is its documentation.
//!
//! The rule with id `executor-missing` lives in `analyzer/src/rules/executor_missing.rs`.
//! Its module documentation starts with a summary paragraph, followed by the sections
//! `### What it checks`, `### Why it matters`, `### Known problems` (when there are
//! some), `### Evidence` and `### Fix`. A test compares the generated page with the file
//! in the repository; `UPDATE_RULES_DOC=1 cargo test -p wegent-analyzer` rewrites it.

use super::RULES;

/// Path of the generated page, relative to the workspace root.
pub const RULES_DOC_PATH: &str = "docs/rules.md";

/// Sections every rule documentation must contain, in this order.
pub const REQUIRED_SECTIONS: [&str; 4] = [
    "### What it checks",
    "### Why it matters",
    "### Evidence",
    "### Fix",
];

/// File name of a rule's source file: `executor-missing` → `executor_missing.rs`.
pub fn source_file_name(rule_id: &str) -> String {
    format!("{}.rs", rule_id.replace('-', "_"))
}

/// Extracts the leading `//!` block of a Rust source file, without the comment markers.
pub fn module_doc(source: &str) -> String {
    let mut lines = Vec::new();
    for line in source.lines() {
        let Some(rest) = line.trim_start().strip_prefix("//!") else {
            break;
        };
        lines.push(rest.strip_prefix(' ').unwrap_or(rest));
    }
    lines.join("\n").trim().to_string()
}

/// Renders the catalogue page. `read_source` returns the source text of a rule file by
/// file name; a rule whose file cannot be read is an error naming that file.
pub fn render(read_source: impl Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut page = String::new();
    page.push_str("# Rule catalogue\n\n");
    page.push_str(
        "<!-- Generated from the module documentation of analyzer/src/rules/*.rs. \
         Do not edit by hand; run `UPDATE_RULES_DOC=1 cargo test -p wegent-analyzer` to refresh. -->\n\n",
    );
    page.push_str(
        "`analyze` runs these rules in this order. Findings are sorted by severity, then by this order. \
         Rule ids are stable and the same in every report language.\n\n",
    );

    let mut sections = Vec::new();
    page.push_str("| rule | default severity | checks |\n| --- | --- | --- |\n");
    for rule in RULES {
        let file = source_file_name(rule.id());
        let source = read_source(&file)
            .ok_or_else(|| format!("cannot read rule source {file} of rule {}", rule.id()))?;
        let doc = module_doc(&source);
        let (first_paragraph, body) = doc.split_once("\n\n").unwrap_or((doc.as_str(), ""));
        let summary = first_paragraph
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");

        page.push_str(&format!(
            "| [`{}`](#{}) | {} | {} |\n",
            rule.id(),
            rule.id(),
            rule.default_severity().as_str(),
            summary.trim()
        ));
        sections.push(format!(
            "## {}\n\nDefault severity: {}. Source: `analyzer/src/rules/{file}`.\n\n{}\n\n{}\n",
            rule.id(),
            rule.default_severity().as_str(),
            summary.trim(),
            body.trim()
        ));
    }

    page.push('\n');
    page.push_str(&sections.join("\n"));
    Ok(page)
}
