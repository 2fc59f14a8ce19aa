//! Recorded incidents: scenario files, the deployments they describe, and recording them
//! with the real `collect`.
//!
//! A scenario (`fixtures/scenarios/<name>/scenario.toml`, format in [`spec`]) is provisioned
//! from nothing by [`provision`], collected by [`collect`], unpacked into
//! `fixtures/recorded/<name>/`, and its diagnosis checked by [`check`]. [`record::record`]
//! runs the whole sequence and tears the deployment down afterwards, also on failure.

pub mod check;
pub mod collect;
pub mod docker_log;
pub mod names;
pub mod provision;
pub mod record;
pub mod spec;
pub mod sql;
pub mod template;

pub use check::{Diagnosis, diagnose, differences};
pub use record::{Recording, record};
pub use spec::{Expect, Scenario, list};
