//! Opening a bundle: verification, then parsing into a [`Bundle`].
//!
//! [`open`] accepts a `.zip` file or a folder holding the unpacked bundle. The steps:
//!
//! 1. list the members and reject the listing if it breaks a rule or limit ([`Archive`]);
//! 2. read `manifest.json` and reject an unknown major format version;
//! 3. require that the manifest lists every member and that every listed member exists;
//! 4. read each member once, in name order, checking its size and SHA-256 against the
//!    manifest and its UTF-8, then parse JSON members into their types and reduce log
//!    members to their kept lines.
//!
//! Any failure returns a [`BundleError`] naming the member; nothing is returned from a
//! bundle that failed verification. Members under known prefixes that this version
//! does not know (a newer minor version may add some) are verified and then ignored.

use std::io::Read;
use std::path::Path;

use serde_json::Value;

use super::archive::{Archive, Entry, MemberReader, into_bundle_error};
use super::error::BundleError;
use super::json_members::{self, as_utf8, check_syntax};
use super::limits::Limits;
use super::loaded::Bundle;
use super::member_kind::{MemberKind, classify};
use super::model::{FORMAT_MAJOR, Manifest, MemberDigest, members};
use super::names;
use super::text_scan::{Scanned, scan_log, scan_plain};

/// Opens and verifies a bundle with the default [`Limits`].
pub fn open(path: &Path) -> Result<Bundle, BundleError> {
    open_with(path, &Limits::default())
}

/// Opens and verifies a bundle with the given limits.
pub fn open_with(path: &Path, limits: &Limits) -> Result<Bundle, BundleError> {
    let archive = Archive::open(path, limits)?;
    let mut total = TotalBytes {
        used: 0,
        limit: limits.max_total_bytes,
    };

    let manifest_entry = archive
        .find(members::MANIFEST)
        .ok_or_else(|| missing_manifest(path, &archive))?;
    let manifest_bytes = read_json_member(&archive, manifest_entry, limits, &mut total)?;
    let manifest = parse_manifest(&manifest_bytes)?;
    check_listing(&archive, &manifest)?;

    let mut bundle = Bundle::default();
    for entry in archive.entries() {
        let kind = classify(&entry.name);
        if kind == MemberKind::Manifest {
            continue;
        }
        let listed =
            manifest
                .members
                .get(&entry.name)
                .ok_or_else(|| BundleError::MemberNotListed {
                    member: entry.name.clone(),
                })?;

        match kind {
            MemberKind::Manifest => {}
            MemberKind::Known(known) => {
                let bytes = read_json_member(&archive, entry, limits, &mut total)?;
                verify(&entry.name, listed, &scanned_of(&bytes))?;
                let text = as_utf8(&entry.name, &bytes)?;
                json_members::store(&mut bundle, &entry.name, &known, text)?;
            }
            MemberKind::OtherJson => {
                let bytes = read_json_member(&archive, entry, limits, &mut total)?;
                verify(&entry.name, listed, &scanned_of(&bytes))?;
                check_syntax(&entry.name, as_utf8(&entry.name, &bytes)?)?;
            }
            MemberKind::Log => {
                let reader = open_member(&archive, entry, limits.max_member_bytes, limits, &total)?;
                let (scanned, lines, text_member) = scan_log(&entry.name, reader, limits)?;
                total.used += scanned.bytes;
                verify(&entry.name, listed, &scanned)?;
                bundle.log_lines.extend(lines);
                bundle.text_members.push(text_member);
            }
            MemberKind::OtherText => {
                let reader = open_member(&archive, entry, limits.max_member_bytes, limits, &total)?;
                let scanned = scan_plain(&entry.name, reader)?;
                total.used += scanned.bytes;
                verify(&entry.name, listed, &scanned)?;
            }
        }
    }

    bundle.manifest = Some(manifest);
    Ok(bundle)
}

/// Builds the error for a bundle without `manifest.json` at its root, noticing a bundle
/// wrapped in exactly one top-level folder.
fn missing_manifest(path: &Path, archive: &Archive) -> BundleError {
    let mut folders = archive.entries().iter().filter_map(|entry| {
        let (dir, rest) = entry.name.split_once('/')?;
        (rest == members::MANIFEST).then(|| dir.to_string())
    });
    let nested = match (folders.next(), folders.next()) {
        (Some(dir), None) => Some(dir),
        _ => None,
    };
    BundleError::MissingManifest {
        path: path.to_path_buf(),
        nested,
    }
}

/// Bytes read so far against the total limit.
struct TotalBytes {
    used: u64,
    limit: u64,
}

fn open_member(
    archive: &Archive,
    entry: &Entry,
    max_bytes: u64,
    limits: &Limits,
    total: &TotalBytes,
) -> Result<MemberReader, BundleError> {
    let allowance = total.limit.saturating_sub(total.used);
    archive.read_member(entry, max_bytes, allowance, limits)
}

/// Reads a JSON member whole, within the JSON size limit.
fn read_json_member(
    archive: &Archive,
    entry: &Entry,
    limits: &Limits,
    total: &mut TotalBytes,
) -> Result<Vec<u8>, BundleError> {
    let max_bytes = limits.max_json_bytes.min(limits.max_member_bytes);
    if entry.size > max_bytes {
        return Err(BundleError::MemberTooLarge {
            member: entry.name.clone(),
            size: entry.size,
            limit: max_bytes,
        });
    }

    let mut reader = open_member(archive, entry, max_bytes, limits, total)?;
    let mut bytes = Vec::with_capacity(entry.size as usize);
    reader
        .read_to_end(&mut bytes)
        .map_err(|error| into_bundle_error(error, &entry.name))?;

    total.used += bytes.len() as u64;
    Ok(bytes)
}

fn scanned_of(bytes: &[u8]) -> Scanned {
    Scanned {
        sha256: super::digest::sha256_hex(bytes),
        bytes: bytes.len() as u64,
    }
}

/// Parses the manifest, checking the major format version before the shape so that
/// a newer, incompatible manifest gets the version error rather than a shape error.
fn parse_manifest(bytes: &[u8]) -> Result<Manifest, BundleError> {
    let member = members::MANIFEST;
    let text = as_utf8(member, bytes)?;
    check_syntax(member, text)?;

    let value: Value = json_members::parse(member, text)?;
    if let Some(version) = value.get("format_version") {
        let found = match version.as_str() {
            Some(text) => text.to_string(),
            None => version.to_string(),
        };
        let major = found
            .split('.')
            .next()
            .and_then(|major| major.parse::<u32>().ok());
        if major != Some(FORMAT_MAJOR) {
            return Err(BundleError::UnsupportedVersion {
                found,
                supported: FORMAT_MAJOR,
            });
        }
    }

    json_members::parse(member, text)
}

/// Requires that the manifest and the archive name the same members.
fn check_listing(archive: &Archive, manifest: &Manifest) -> Result<(), BundleError> {
    for name in manifest.members.keys() {
        // The manifest cannot hold its own digest; an entry for it is meaningless.
        if name == members::MANIFEST {
            continue;
        }
        names::check(name).map_err(|problem| BundleError::InvalidMemberName {
            member: names::printable(name.as_bytes()),
            problem,
        })?;
        if archive.find(name).is_none() {
            return Err(BundleError::MemberMissing {
                member: name.clone(),
            });
        }
    }

    for entry in archive.entries() {
        if entry.name != members::MANIFEST && !manifest.members.contains_key(&entry.name) {
            return Err(BundleError::MemberNotListed {
                member: entry.name.clone(),
            });
        }
    }
    Ok(())
}

fn verify(member: &str, listed: &MemberDigest, scanned: &Scanned) -> Result<(), BundleError> {
    if listed.size != scanned.bytes {
        return Err(BundleError::SizeMismatch {
            member: member.to_string(),
            listed: listed.size,
            actual: scanned.bytes,
        });
    }
    if !listed.sha256.eq_ignore_ascii_case(&scanned.sha256) {
        return Err(BundleError::ChecksumMismatch {
            member: member.to_string(),
            expected: listed.sha256.clone(),
            actual: scanned.sha256.clone(),
        });
    }
    Ok(())
}
