//! Bundle format v1: member types, reader and writer.
//!
//! A bundle is a zip archive (or the same tree unpacked into a folder) whose members are
//! UTF-8 JSON or text. [`model`] defines each member, [`reader`] opens and verifies a
//! bundle, [`writer`] produces one deterministically, and [`redact_seam`] is the hook
//! through which the collector redacts every member the writer stores.

mod archive;
pub mod digest;
pub mod error;
mod json_members;
pub mod limits;
pub mod loaded;
pub mod log_index;
mod member_kind;
pub mod model;
pub mod names;
pub mod reader;
pub mod redact_seam;
mod text_scan;
pub mod timestamps;
mod utf8_stream;
pub mod writer;
mod zip_directory;

pub use error::{BundleError, WriteError};
pub use limits::Limits;
pub use loaded::{Bundle, LogLine, TextMember};
pub use reader::{open, open_with};
pub use writer::{BundleWriter, ManifestBase, Written};
