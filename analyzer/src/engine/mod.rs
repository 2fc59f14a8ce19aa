//! Diagnosis engine: facts from a bundle, the rule catalogue, the verdict.

pub mod analysis;
pub mod facts;
pub mod rule;

pub use analysis::*;
pub use rule::{Context, Options, Rule};
