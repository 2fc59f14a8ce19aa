//! Diagnosis engine: facts from a bundle, the rule catalogue, the verdict.

pub mod analysis;
pub mod clock;
pub mod evidence;
pub mod facts;
pub mod rule;
pub mod run;
pub mod timeline;
pub mod verdict;

#[cfg(test)]
pub(crate) mod test_support;

pub use analysis::*;
pub use rule::{Context, Options, Rule};
pub use run::analyze;
