//! Errors of the bundle reader ([`BundleError`]) and writer ([`WriteError`]).
//!
//! Variants carry the member and the values involved as fields, so that the command
//! line can render them in another language. The English `Display` states what failed,
//! on which member or value, and what to do next.

use std::io;
use std::path::PathBuf;

use super::names::NameProblem;

/// A bundle that could not be opened or failed verification.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("cannot read bundle {}: {source}; check the path and its permissions", path.display())]
    Io { path: PathBuf, source: io::Error },

    #[error(
        "{} is not a readable zip archive ({detail}); pass the .zip file that collect wrote, or a folder with the unpacked bundle",
        path.display()
    )]
    NotZip { path: PathBuf, detail: String },

    #[error(
        "bundle has {count} members, more than the limit of {limit}; the archive is not a bundle written by collect"
    )]
    TooManyMembers { count: u64, limit: usize },

    #[error(
        "member name `{member}` is invalid because {problem}; the bundle is damaged or was not written by collect, so collect it again"
    )]
    InvalidMemberName {
        member: String,
        problem: NameProblem,
    },

    #[error(
        "member `{member}` is a symbolic link, which bundles never contain; collect the bundle again or unpack it without links"
    )]
    Symlink { member: String },

    #[error("member `{member}` is not a regular file; remove it from the bundle folder")]
    NotRegularFile { member: String },

    #[error("member `{member}` occurs more than once in the archive; collect the bundle again")]
    DuplicateMember { member: String },

    #[error(
        "member `{member}` is encrypted; bundles are never encrypted, so pass the archive that collect wrote"
    )]
    Encrypted { member: String },

    #[error(
        "member `{member}` uses zip compression method {method}, which bundles do not use (only stored and deflate); recreate the archive with deflate"
    )]
    UnsupportedCompression { member: String, method: u16 },

    #[error(
        "member `{member}` is {size} bytes, more than the limit of {limit} bytes; collect with tighter log limits or raise the reader limit"
    )]
    MemberTooLarge {
        member: String,
        size: u64,
        limit: u64,
    },

    #[error(
        "bundle members add up to {total} bytes, more than the limit of {limit} bytes; collect with tighter log limits or raise the reader limit"
    )]
    TotalTooLarge { total: u64, limit: u64 },

    #[error(
        "member `{member}` inflates from {compressed} to {size} bytes, a ratio above {max_ratio}:1 that suggests a zip bomb; the archive was not written by collect"
    )]
    CompressionRatio {
        member: String,
        compressed: u64,
        size: u64,
        max_ratio: u64,
    },

    #[error(
        "member `{member}` does not inflate to the {declared} bytes its zip header declares; the archive is damaged or crafted, so collect it again"
    )]
    HeaderSizeMismatch { member: String, declared: u64 },

    #[error(
        "member `{member}` has damaged compressed data ({detail}); collect the bundle again or ask for an intact copy"
    )]
    CorruptData { member: String, detail: String },

    #[error("{}", missing_manifest_text(path, nested.as_deref()))]
    MissingManifest {
        path: PathBuf,
        /// The one top-level folder that contains `manifest.json`, when the bundle is
        /// wrapped in a folder.
        nested: Option<String>,
    },

    #[error(
        "manifest.json has format_version {found:?}, but this analyze reads major version {supported}; use an analyze release that reads this version"
    )]
    UnsupportedVersion { found: String, supported: u32 },

    #[error(
        "member `{member}` is listed in manifest.json but absent from the bundle; collect the bundle again or ask for the complete archive"
    )]
    MemberMissing { member: String },

    #[error(
        "member `{member}` is in the bundle but not listed in manifest.json, so it cannot be verified; remove it or collect the bundle again"
    )]
    MemberNotListed { member: String },

    #[error(
        "member `{member}` is {actual} bytes, but manifest.json lists {listed} bytes; the bundle was changed or damaged after collection, so collect it again"
    )]
    SizeMismatch {
        member: String,
        listed: u64,
        actual: u64,
    },

    #[error(
        "member `{member}` does not match its SHA-256 in manifest.json (listed {expected}, found {actual}); the bundle was changed or damaged after collection, so collect it again"
    )]
    ChecksumMismatch {
        member: String,
        expected: String,
        actual: String,
    },

    #[error(
        "member `{member}` is not valid UTF-8 at byte offset {offset}; the bundle was changed or damaged after collection, so collect it again"
    )]
    InvalidUtf8 { member: String, offset: u64 },

    #[error(
        "member `{member}` is not valid JSON at line {line}, column {column}: {detail}; fix the member or collect the bundle again"
    )]
    InvalidJson {
        member: String,
        line: usize,
        column: usize,
        detail: String,
    },

    #[error(
        "member `{member}` does not match the format version 1 layout at line {line}, column {column}: {detail}; check that the bundle was written by a compatible collect"
    )]
    UnexpectedJson {
        member: String,
        line: usize,
        column: usize,
        detail: String,
    },
}

impl BundleError {
    /// Returns the member the error is about, when it concerns one member.
    pub fn member(&self) -> Option<&str> {
        use BundleError::*;
        match self {
            InvalidMemberName { member, .. }
            | Symlink { member }
            | NotRegularFile { member }
            | DuplicateMember { member }
            | Encrypted { member }
            | UnsupportedCompression { member, .. }
            | MemberTooLarge { member, .. }
            | CompressionRatio { member, .. }
            | HeaderSizeMismatch { member, .. }
            | CorruptData { member, .. }
            | MemberMissing { member }
            | MemberNotListed { member }
            | SizeMismatch { member, .. }
            | ChecksumMismatch { member, .. }
            | InvalidUtf8 { member, .. }
            | InvalidJson { member, .. }
            | UnexpectedJson { member, .. } => Some(member),
            Io { .. }
            | NotZip { .. }
            | TooManyMembers { .. }
            | TotalTooLarge { .. }
            | MissingManifest { .. }
            | UnsupportedVersion { .. } => None,
        }
    }
}

/// A bundle that could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(
        "member name `{member}` is invalid because {problem}; use a relative path with `/` separators"
    )]
    InvalidMemberName {
        member: String,
        problem: NameProblem,
    },

    #[error("member `{member}` was added twice; add each member once")]
    DuplicateMember { member: String },

    #[error("member `manifest.json` is reserved; the writer builds the manifest itself")]
    ReservedMember,

    #[error("cannot serialize member `{member}` as JSON: {source}")]
    Serialize {
        member: String,
        source: serde_json::Error,
    },

    #[error(
        "redacted member name `{member}` is invalid because {problem}; fix the redaction rule that rewrites member names"
    )]
    InvalidRedactedName {
        member: String,
        problem: NameProblem,
    },

    #[error(
        "two members have the same name `{member}` after redaction; fix the redaction rule that rewrites member names"
    )]
    RedactedNameCollision { member: String },

    #[error(
        "redaction left manifest.json unparsable ({source}); fix the redaction rule that matched inside it"
    )]
    ManifestRedaction { source: serde_json::Error },

    #[error(
        "final redaction check matched rule `{rule}` in member `{member}`; no bundle was written. Add a redaction rule that covers it, or report the rule and member (never the value)"
    )]
    GateHit { member: String, rule: String },

    #[error("cannot read {} for member `{member}`: {source}", path.display())]
    ReadSource {
        member: String,
        path: PathBuf,
        source: io::Error,
    },

    #[error("cannot write bundle {}: {source}; check that the folder exists, is writable and has free space", path.display())]
    Io { path: PathBuf, source: io::Error },

    #[error("cannot write bundle {}: {source}; check that the folder is writable and has free space", path.display())]
    Zip {
        path: PathBuf,
        source: zip::result::ZipError,
    },

    #[error("output folder {} already exists and is not empty; choose another folder or remove it", path.display())]
    OutputDirNotEmpty { path: PathBuf },
}

/// English text of [`BundleError::MissingManifest`].
fn missing_manifest_text(path: &std::path::Path, nested: Option<&str>) -> String {
    let path = path.display();
    match nested {
        Some(dir) => format!(
            "{path} has no manifest.json at its top level, but {dir}/manifest.json exists: the bundle is inside {dir}/; pass that folder (unzip the archive first if it is a zip)"
        ),
        None => format!(
            "{path} has no manifest.json; pass the bundle root (the folder or zip that contains manifest.json)"
        ),
    }
}
