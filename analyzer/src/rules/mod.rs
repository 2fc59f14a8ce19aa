//! Diagnosis rules, one per file, registered in catalogue order.
//!
//! The order of [`RULES`] is the order of `docs/rules.md` and the tie-break order of
//! findings with the same severity.

use crate::engine::Rule;

/// The rule catalogue.
pub static RULES: &[&dyn Rule] = &[];
