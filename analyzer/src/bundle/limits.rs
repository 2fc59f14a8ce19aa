//! Size and count limits the reader enforces, and the size of the log index it keeps.
//!
//! The defaults leave room for far larger logs than a bundle normally carries, while
//! bounding how much a hostile or damaged archive can make the reader inflate and keep.
//! [`Limits::default`] is what `analyze` uses. Tests and callers that open unusual
//! bundles pass their own through [`super::reader::open_with`].

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;
const GIB: u64 = 1024 * MIB;

/// Limits applied while opening a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Maximum uncompressed size of one member, in bytes.
    pub max_member_bytes: u64,
    /// Maximum uncompressed size of all members together, in bytes.
    pub max_total_bytes: u64,
    /// Maximum number of members, the manifest included.
    pub max_members: usize,
    /// Maximum size of one JSON member, in bytes. JSON members are parsed in memory.
    pub max_json_bytes: u64,
    /// Maximum ratio of uncompressed to compressed size of a zip member larger than
    /// `ratio_check_above_bytes`.
    pub max_compression_ratio: u64,
    /// Uncompressed size in bytes above which the compression ratio is checked.
    pub ratio_check_above_bytes: u64,
    /// Lines kept from the start of each log member.
    pub head_lines: usize,
    /// Lines kept from the end of each log member.
    pub tail_lines: usize,
    /// Maximum kept lines per log member; keyword lines past it are only counted.
    pub max_kept_lines_per_member: usize,
    /// Bytes of one line that are kept and searched for keywords; the rest is hashed only.
    pub max_line_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_member_bytes: GIB,
            max_total_bytes: 4 * GIB,
            max_members: 100_000,
            max_json_bytes: 64 * MIB,
            max_compression_ratio: 200,
            ratio_check_above_bytes: MIB,
            head_lines: 20,
            tail_lines: 200,
            max_kept_lines_per_member: 5_000,
            max_line_bytes: 16 * KIB as usize,
        }
    }
}
