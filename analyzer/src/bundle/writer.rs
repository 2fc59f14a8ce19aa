//! Writing a bundle: the collector's API.
//!
//! The collector adds members as it collects ([`BundleWriter::add_json`],
//! [`BundleWriter::add_text`], [`BundleWriter::add_file`]) and records one
//! [`SourceEntry`] per source. [`BundleWriter::finish`] then, in this order:
//!
//! 1. reads every member and passes its name and body through the [`MemberRedactor`];
//! 2. builds the manifest (sources, digests of the redacted members, the redaction
//!    summary) and redacts it too;
//! 3. runs the redactor's final gate over every name, member and the manifest, and
//!    stops with [`WriteError::GateHit`] before any file exists if something matches;
//! 4. writes the zip to a temporary file next to the output, syncs it and renames it
//!    into place, so a crash never leaves a partial bundle under the output name.
//!
//! Output is byte-identical for identical input: `manifest.json` comes first, then the
//! members sorted by name, every entry with the same timestamp (1980-01-01 00:00),
//! permissions (0644), compression (deflate, level 6), and JSON keys in a fixed order.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::digest::{HashingReader, sha256_hex};
use super::error::WriteError;
use super::model::{FORMAT_VERSION, Manifest, MemberDigest, SourceEntry, members};
use super::names;
use super::redact_seam::{GateHit, MemberRedactor};

const DEFLATE_LEVEL: i64 = 6;
const FILE_PERMISSIONS: u32 = 0o644;

/// The manifest fields the collector has before collection starts.
#[derive(Debug, Clone, PartialEq)]
pub struct ManifestBase {
    pub tool_version: String,
    pub task_id: i64,
    /// RFC 3339 in UTC.
    pub collected_at: String,
    /// Such as `+08:00`.
    pub host_utc_offset: String,
    /// Options the collector ran with, secrets removed.
    pub options: BTreeMap<String, Value>,
}

/// A bundle that was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    /// The zip file, or the folder for [`BundleWriter::finish_dir`].
    pub path: PathBuf,
    /// Size of the zip file; for a folder, the sum of its member sizes.
    pub size: u64,
    /// SHA-256 of the zip file; for a folder, of its `manifest.json`, which pins every
    /// other member by digest.
    pub sha256: String,
    pub manifest: Manifest,
}

#[derive(Debug)]
enum Body {
    Bytes(Vec<u8>),
    File(PathBuf),
}

/// Collects members and writes them as a bundle.
#[derive(Debug)]
pub struct BundleWriter {
    base: ManifestBase,
    sources: Vec<SourceEntry>,
    members: BTreeMap<String, Body>,
}

/// Redacted members and manifest, ready to be written.
struct Prepared {
    manifest: Manifest,
    manifest_bytes: Vec<u8>,
    /// Sorted by name.
    members: BTreeMap<String, Vec<u8>>,
}

impl BundleWriter {
    pub fn new(base: ManifestBase) -> Self {
        BundleWriter {
            base,
            sources: Vec::new(),
            members: BTreeMap::new(),
        }
    }

    /// Adds a JSON member, pretty-printed with a trailing newline.
    pub fn add_json<T: Serialize>(&mut self, member: &str, value: &T) -> Result<(), WriteError> {
        let mut bytes =
            serde_json::to_vec_pretty(value).map_err(|source| WriteError::Serialize {
                member: member.to_string(),
                source,
            })?;
        bytes.push(b'\n');
        self.add(member, Body::Bytes(bytes))
    }

    /// Adds a text member.
    pub fn add_text(&mut self, member: &str, text: String) -> Result<(), WriteError> {
        self.add(member, Body::Bytes(text.into_bytes()))
    }

    /// Adds a member whose content is a file on disk, read when the bundle is finished.
    pub fn add_file(&mut self, member: &str, path: &Path) -> Result<(), WriteError> {
        self.add(member, Body::File(path.to_path_buf()))
    }

    /// Records the outcome of a source, replacing an earlier entry with the same name.
    pub fn set_source(&mut self, entry: SourceEntry) {
        match self
            .sources
            .iter_mut()
            .find(|source| source.name == entry.name)
        {
            Some(existing) => *existing = entry,
            None => self.sources.push(entry),
        }
    }

    /// Names of the members added so far, sorted, before redaction.
    pub fn members(&self) -> Vec<String> {
        self.members.keys().cloned().collect()
    }

    /// Redacts, checks and writes the bundle as a zip file at `out`.
    pub fn finish(
        self,
        redactor: &mut dyn MemberRedactor,
        out: &Path,
    ) -> Result<Written, WriteError> {
        let prepared = self.prepare(redactor)?;
        let (size, sha256) = write_zip(&prepared, out)?;
        Ok(Written {
            path: out.to_path_buf(),
            size,
            sha256,
            manifest: prepared.manifest,
        })
    }

    /// Redacts, checks and writes the bundle as an unpacked folder at `dir`, which must
    /// not exist or be empty. Recorded fixtures use this form.
    pub fn finish_dir(
        self,
        redactor: &mut dyn MemberRedactor,
        dir: &Path,
    ) -> Result<Written, WriteError> {
        let prepared = self.prepare(redactor)?;
        let size = write_folder(&prepared, dir)?;
        Ok(Written {
            path: dir.to_path_buf(),
            size,
            sha256: sha256_hex(&prepared.manifest_bytes),
            manifest: prepared.manifest,
        })
    }

    fn add(&mut self, member: &str, body: Body) -> Result<(), WriteError> {
        names::check(member).map_err(|problem| WriteError::InvalidMemberName {
            member: names::printable(member.as_bytes()),
            problem,
        })?;
        if member == members::MANIFEST {
            return Err(WriteError::ReservedMember);
        }
        if self.members.contains_key(member) {
            return Err(WriteError::DuplicateMember {
                member: member.to_string(),
            });
        }

        self.members.insert(member.to_string(), body);
        Ok(())
    }

    fn prepare(self, redactor: &mut dyn MemberRedactor) -> Result<Prepared, WriteError> {
        let members = redact_members(self.members, redactor)?;

        let mut sources = self.sources;
        for source in &mut sources {
            for name in &mut source.members {
                *name = redactor.redact_name(name);
            }
        }

        let manifest = Manifest {
            format_version: FORMAT_VERSION.to_string(),
            tool_version: self.base.tool_version,
            task_id: self.base.task_id,
            collected_at: self.base.collected_at,
            host_utc_offset: self.base.host_utc_offset,
            options: self.base.options,
            sources,
            redaction: Default::default(),
            members: BTreeMap::new(),
        };
        let mut manifest = redact_manifest(manifest, redactor)?;
        manifest.redaction = redactor.summary();
        manifest.members = members
            .iter()
            .map(|(name, data)| {
                let digest = MemberDigest {
                    sha256: sha256_hex(data),
                    size: data.len() as u64,
                };
                (name.clone(), digest)
            })
            .collect();
        let manifest_bytes = to_json_bytes(members::MANIFEST, &manifest)?;

        for (name, data) in &members {
            redactor.gate(name, name.as_bytes()).map_err(gate_error)?;
            redactor.gate(name, data).map_err(gate_error)?;
        }
        redactor
            .gate(members::MANIFEST, &manifest_bytes)
            .map_err(gate_error)?;

        Ok(Prepared {
            manifest,
            manifest_bytes,
            members,
        })
    }
}

/// Reads every member and passes its name and body through the redactor.
fn redact_members(
    added: BTreeMap<String, Body>,
    redactor: &mut dyn MemberRedactor,
) -> Result<BTreeMap<String, Vec<u8>>, WriteError> {
    let mut bodies = Vec::with_capacity(added.len());
    for (name, body) in added {
        let data = match body {
            Body::Bytes(bytes) => bytes,
            Body::File(path) => fs::read(&path).map_err(|source| WriteError::ReadSource {
                member: name.clone(),
                path,
                source,
            })?,
        };
        bodies.push((name, data));
    }

    // Every member is shown to the redactor before any is redacted, so a secret found
    // under a secret-named key in a late member is also masked in earlier ones.
    for (name, data) in &bodies {
        redactor.learn(name, data);
    }

    let mut redacted = BTreeMap::new();
    for (name, data) in bodies {
        let new_name = redactor.redact_name(&name);
        names::check(&new_name).map_err(|problem| WriteError::InvalidRedactedName {
            member: names::printable(new_name.as_bytes()),
            problem,
        })?;
        if new_name == members::MANIFEST || redacted.contains_key(&new_name) {
            return Err(WriteError::RedactedNameCollision { member: new_name });
        }

        let data = redactor.redact_member(&new_name, &data).unwrap_or(data);
        redacted.insert(new_name, data);
    }
    Ok(redacted)
}

/// Passes the manifest's own text (options, source errors) through the redactor.
fn redact_manifest(
    manifest: Manifest,
    redactor: &mut dyn MemberRedactor,
) -> Result<Manifest, WriteError> {
    let bytes = to_json_bytes(members::MANIFEST, &manifest)?;
    match redactor.redact_member(members::MANIFEST, &bytes) {
        None => Ok(manifest),
        Some(redacted) => serde_json::from_slice(&redacted)
            .map_err(|source| WriteError::ManifestRedaction { source }),
    }
}

fn to_json_bytes<T: Serialize>(member: &str, value: &T) -> Result<Vec<u8>, WriteError> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(|source| WriteError::Serialize {
        member: member.to_string(),
        source,
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}

fn gate_error(hit: GateHit) -> WriteError {
    WriteError::GateHit {
        member: hit.member,
        rule: hit.rule,
    }
}

fn zip_options() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(DEFLATE_LEVEL))
        .last_modified_time(DateTime::default())
        .unix_permissions(FILE_PERMISSIONS)
        .large_file(false)
}

/// Writes the zip through a temporary file in the output's folder and renames it into
/// place. Returns the size and SHA-256 of the file.
fn write_zip(prepared: &Prepared, out: &Path) -> Result<(u64, String), WriteError> {
    let io_error = |source| WriteError::Io {
        path: out.to_path_buf(),
        source,
    };
    let zip_error = |source| WriteError::Zip {
        path: out.to_path_buf(),
        source,
    };
    let folder = parent_folder(out);

    let temp = tempfile::Builder::new()
        .prefix(".wi-bundle-")
        .suffix(".zip.tmp")
        .tempfile_in(folder)
        .map_err(io_error)?;

    let mut zip = ZipWriter::new(BufWriter::new(temp.as_file()));
    zip.start_file(members::MANIFEST, zip_options())
        .map_err(zip_error)?;
    zip.write_all(&prepared.manifest_bytes).map_err(io_error)?;
    for (name, data) in &prepared.members {
        zip.start_file(name.as_str(), zip_options())
            .map_err(zip_error)?;
        zip.write_all(data).map_err(io_error)?;
    }
    let mut buffered = zip.finish().map_err(zip_error)?;
    buffered.flush().map_err(io_error)?;
    drop(buffered);
    temp.as_file().sync_all().map_err(io_error)?;

    let mut hashing = HashingReader::new(File::open(temp.path()).map_err(io_error)?);
    io::copy(&mut hashing, &mut io::sink()).map_err(io_error)?;
    let (sha256, size) = hashing.finish();

    temp.persist(out).map_err(|error| io_error(error.error))?;
    sync_folder(folder);
    Ok((size, sha256))
}

/// Writes the members into a temporary folder next to `dir` and renames it into place.
/// Returns the total size of the members, the manifest included.
fn write_folder(prepared: &Prepared, dir: &Path) -> Result<u64, WriteError> {
    let io_error = |source| WriteError::Io {
        path: dir.to_path_buf(),
        source,
    };

    let dir_exists = match fs::read_dir(dir) {
        Ok(mut items) => {
            if items.next().is_some() {
                return Err(WriteError::OutputDirNotEmpty {
                    path: dir.to_path_buf(),
                });
            }
            true
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => false,
        Err(error) => return Err(io_error(error)),
    };

    let folder = parent_folder(dir);
    let temp = tempfile::Builder::new()
        .prefix(".wi-bundle-")
        .tempdir_in(folder)
        .map_err(io_error)?;

    let mut size = 0;
    let all = std::iter::once((members::MANIFEST, &prepared.manifest_bytes)).chain(
        prepared
            .members
            .iter()
            .map(|(name, data)| (name.as_str(), data)),
    );
    for (name, data) in all {
        let path = temp.path().join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io_error)?;
        }
        let mut file = File::create(&path).map_err(io_error)?;
        file.write_all(data).map_err(io_error)?;
        file.sync_all().map_err(io_error)?;
        size += data.len() as u64;
    }

    if dir_exists {
        fs::remove_dir(dir).map_err(io_error)?;
    }
    let temp_path = temp.keep();
    if let Err(error) = fs::rename(&temp_path, dir) {
        let _ = fs::remove_dir_all(&temp_path);
        return Err(io_error(error));
    }
    sync_folder(folder);
    Ok(size)
}

fn parent_folder(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Makes a rename durable. Failure only weakens durability, so it is not an error.
fn sync_folder(folder: &Path) {
    if let Ok(handle) = File::open(folder) {
        let _ = handle.sync_all();
    }
}
