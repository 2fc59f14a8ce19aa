//! Bundle format v1: member types, reader and writer.
//!
//! A bundle is a zip archive (or the same tree unpacked into a folder) whose members are
//! UTF-8 JSON or text. [`model`] defines each member, [`reader`] opens and verifies a
//! bundle, [`writer`] produces one deterministically, and [`redact_seam`] is the hook
//! through which the collector redacts every member the writer stores.

pub mod loaded;
pub mod model;
pub mod redact_seam;
