//! The members of a bundle on disk, as a zip archive or an unpacked folder.
//!
//! [`Archive::open`] lists the members and rejects what no bundle may contain before a
//! single member byte is read. That covers invalid or duplicate names, symbolic links,
//! encrypted or unusually compressed entries, too many members, and declared sizes or
//! compression ratios past the [`Limits`]. [`Archive::read_member`] then returns a reader that
//! enforces the same limits on the bytes actually produced, so a zip header that lies
//! about a size cannot make the reader inflate more than the limits allow.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use flate2::read::DeflateDecoder;

use super::error::BundleError;
use super::limits::Limits;
use super::names::{self, NameProblem};
use super::zip_directory::{self, DirectoryError, ZipEntry};

const METHOD_STORED: u16 = 0;
const METHOD_DEFLATE: u16 = 8;

/// One member as listed by the archive.
#[derive(Debug)]
pub struct Entry {
    pub name: String,
    /// Uncompressed size as declared by the zip header or the file system.
    pub size: u64,
    /// Stored size inside a zip archive; `None` in a folder.
    pub compressed: Option<u64>,
    location: Location,
}

#[derive(Debug)]
enum Location {
    Zip(ZipEntry),
    File(PathBuf),
}

/// A listed and checked bundle archive or folder.
#[derive(Debug)]
pub struct Archive {
    path: PathBuf,
    /// Members sorted by name.
    entries: Vec<Entry>,
}

impl Archive {
    /// Lists the members of a zip file or a folder and checks the listing.
    pub fn open(path: &Path, limits: &Limits) -> Result<Archive, BundleError> {
        let io_error = |source| BundleError::Io {
            path: path.to_path_buf(),
            source,
        };
        let metadata = fs::metadata(path).map_err(io_error)?;

        let mut entries = if metadata.is_dir() {
            list_folder(path, limits)?
        } else {
            list_zip(path, limits)?
        };
        entries.sort_by(|a, b| a.name.cmp(&b.name));

        check_declared_sizes(&entries, limits)?;
        Ok(Archive {
            path: path.to_path_buf(),
            entries,
        })
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn find(&self, name: &str) -> Option<&Entry> {
        self.entries
            .binary_search_by(|entry| entry.name.as_str().cmp(name))
            .ok()
            .map(|index| &self.entries[index])
    }

    /// Opens the uncompressed bytes of a member. `max_bytes` is the size limit for
    /// this member and `total_allowance` what the total limit still allows.
    pub fn read_member(
        &self,
        entry: &Entry,
        max_bytes: u64,
        total_allowance: u64,
        limits: &Limits,
    ) -> Result<MemberReader, BundleError> {
        let inner: Box<dyn Read + Send> = match &entry.location {
            Location::File(path) => {
                let file = File::open(path).map_err(|source| BundleError::Io {
                    path: path.clone(),
                    source,
                })?;
                Box::new(file)
            }
            Location::Zip(zip_entry) => {
                let mut file = File::open(&self.path).map_err(|source| BundleError::Io {
                    path: self.path.clone(),
                    source,
                })?;
                let data = zip_directory::entry_data(&mut file, zip_entry)
                    .map_err(|error| self.directory_error(error, &entry.name))?;
                match zip_entry.method {
                    METHOD_DEFLATE => Box::new(DeflateDecoder::new(data)),
                    _ => Box::new(data),
                }
            }
        };

        Ok(MemberReader {
            inner,
            member: entry.name.clone(),
            source_path: match &entry.location {
                Location::File(path) => Some(path.clone()),
                Location::Zip(_) => None,
            },
            produced: 0,
            declared: entry.compressed.map(|_| entry.size),
            compressed: entry.compressed,
            max_bytes,
            total_allowance,
            total_limit: limits.max_total_bytes,
            max_ratio: limits.max_compression_ratio,
            ratio_above: limits.ratio_check_above_bytes,
        })
    }

    fn directory_error(&self, error: DirectoryError, member: &str) -> BundleError {
        match error {
            DirectoryError::Io(source) => BundleError::Io {
                path: self.path.clone(),
                source,
            },
            DirectoryError::Malformed(detail) => BundleError::CorruptData {
                member: member.to_string(),
                detail: detail.to_string(),
            },
            DirectoryError::TooManyEntries(count) => BundleError::CorruptData {
                member: member.to_string(),
                detail: format!("unexpected directory of {count} entries"),
            },
        }
    }
}

/// Reader of one member's uncompressed bytes that enforces the size limits.
///
/// Violations surface as an `io::Error` wrapping a [`BundleError`]; [`into_bundle_error`]
/// unwraps it again.
pub struct MemberReader {
    inner: Box<dyn Read + Send>,
    member: String,
    source_path: Option<PathBuf>,
    produced: u64,
    declared: Option<u64>,
    compressed: Option<u64>,
    max_bytes: u64,
    total_allowance: u64,
    total_limit: u64,
    max_ratio: u64,
    ratio_above: u64,
}

impl MemberReader {
    fn violation(&self) -> Option<BundleError> {
        let member = || self.member.clone();

        if self
            .declared
            .is_some_and(|declared| self.produced > declared)
        {
            return Some(BundleError::HeaderSizeMismatch {
                member: member(),
                declared: self.declared.unwrap_or_default(),
            });
        }
        if self.produced > self.max_bytes {
            return Some(BundleError::MemberTooLarge {
                member: member(),
                size: self.produced,
                limit: self.max_bytes,
            });
        }
        if self.produced > self.total_allowance {
            return Some(BundleError::TotalTooLarge {
                total: self.total_limit - self.total_allowance + self.produced,
                limit: self.total_limit,
            });
        }
        if let Some(compressed) = self.compressed
            && self.produced > self.ratio_above
            && self.produced > compressed.saturating_mul(self.max_ratio)
        {
            return Some(BundleError::CompressionRatio {
                member: member(),
                compressed,
                size: self.produced,
                max_ratio: self.max_ratio,
            });
        }
        None
    }
}

impl Read for MemberReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf).map_err(|error| {
            let bundle_error = match &self.source_path {
                Some(path) => BundleError::Io {
                    path: path.clone(),
                    source: error,
                },
                None => BundleError::CorruptData {
                    member: self.member.clone(),
                    detail: error.to_string(),
                },
            };
            io::Error::other(bundle_error)
        })?;
        self.produced += read as u64;

        if let Some(error) = self.violation() {
            return Err(io::Error::other(error));
        }
        if read == 0 && !buf.is_empty() && self.declared.is_some_and(|d| d != self.produced) {
            return Err(io::Error::other(BundleError::HeaderSizeMismatch {
                member: self.member.clone(),
                declared: self.declared.unwrap_or_default(),
            }));
        }
        Ok(read)
    }
}

/// Turns an error from a [`MemberReader`] back into the [`BundleError`] it carries.
pub fn into_bundle_error(error: io::Error, member: &str) -> BundleError {
    let detail = error.to_string();
    let corrupt = |detail| BundleError::CorruptData {
        member: member.to_string(),
        detail,
    };
    match error.into_inner() {
        Some(inner) => match inner.downcast::<BundleError>() {
            Ok(bundle_error) => *bundle_error,
            Err(other) => corrupt(other.to_string()),
        },
        None => corrupt(detail),
    }
}

fn list_zip(path: &Path, limits: &Limits) -> Result<Vec<Entry>, BundleError> {
    let mut file = File::open(path).map_err(|source| BundleError::Io {
        path: path.to_path_buf(),
        source,
    })?;

    let directory = zip_directory::read_directory(&mut file, limits.max_members).map_err(
        |error| match error {
            DirectoryError::Io(source) => BundleError::Io {
                path: path.to_path_buf(),
                source,
            },
            DirectoryError::Malformed(detail) => BundleError::NotZip {
                path: path.to_path_buf(),
                detail: detail.to_string(),
            },
            DirectoryError::TooManyEntries(count) => BundleError::TooManyMembers {
                count,
                limit: limits.max_members,
            },
        },
    )?;

    let mut seen = HashSet::new();
    let mut entries = Vec::with_capacity(directory.len());
    for zip_entry in directory {
        if zip_entry.is_directory() {
            let trimmed = &zip_entry.raw_name[..zip_entry.raw_name.len() - 1];
            names::check_raw(trimmed)
                .map_err(|problem| invalid_name(&zip_entry.raw_name, problem))?;
            continue;
        }

        let name = names::check_raw(&zip_entry.raw_name)
            .map_err(|problem| invalid_name(&zip_entry.raw_name, problem))?
            .to_string();
        if zip_entry.is_symlink() {
            return Err(BundleError::Symlink { member: name });
        }
        if !seen.insert(name.clone()) {
            return Err(BundleError::DuplicateMember { member: name });
        }
        if zip_entry.is_encrypted() {
            return Err(BundleError::Encrypted { member: name });
        }
        if zip_entry.method != METHOD_STORED && zip_entry.method != METHOD_DEFLATE {
            return Err(BundleError::UnsupportedCompression {
                member: name,
                method: zip_entry.method,
            });
        }

        // A stored entry's data is its content, so both sizes must agree.
        if zip_entry.method == METHOD_STORED && zip_entry.compressed_size != zip_entry.size {
            return Err(BundleError::HeaderSizeMismatch {
                member: name,
                declared: zip_entry.size,
            });
        }

        entries.push(Entry {
            name,
            size: zip_entry.size,
            compressed: Some(zip_entry.compressed_size),
            location: Location::Zip(zip_entry),
        });
    }
    Ok(entries)
}

/// True for the files that desktops and editors drop into any folder (`.DS_Store`,
/// `Thumbs.db`, `name~` backups). A folder bundle skips them; only these names, because
/// any other stray file may be a member that the manifest should list.
fn is_os_artefact(file_name: &str) -> bool {
    matches!(file_name, ".DS_Store" | "Thumbs.db")
        || (file_name.len() > 1 && file_name.ends_with('~'))
}

fn list_folder(root: &Path, limits: &Limits) -> Result<Vec<Entry>, BundleError> {
    let mut entries = Vec::new();
    let mut pending = vec![(root.to_path_buf(), String::new())];

    while let Some((dir, prefix)) = pending.pop() {
        let io_error = |source| BundleError::Io {
            path: dir.clone(),
            source,
        };
        for item in fs::read_dir(&dir).map_err(io_error)? {
            let item = item.map_err(io_error)?;
            let file_name = item.file_name();
            let Some(file_name) = file_name.to_str() else {
                let lossy = format!("{prefix}{}", file_name.to_string_lossy());
                return Err(invalid_name(lossy.as_bytes(), NameProblem::NotUtf8));
            };

            if is_os_artefact(file_name) && !item.file_type().map_err(io_error)?.is_dir() {
                continue;
            }

            let name = format!("{prefix}{file_name}");
            names::check(&name).map_err(|problem| invalid_name(name.as_bytes(), problem))?;

            let file_type = item.file_type().map_err(io_error)?;
            if file_type.is_symlink() {
                return Err(BundleError::Symlink { member: name });
            }
            if file_type.is_dir() {
                pending.push((item.path(), format!("{name}/")));
                continue;
            }
            if !file_type.is_file() {
                return Err(BundleError::NotRegularFile { member: name });
            }

            let size = item.metadata().map_err(io_error)?.len();
            entries.push(Entry {
                name,
                size,
                compressed: None,
                location: Location::File(item.path()),
            });
            if entries.len() > limits.max_members {
                return Err(BundleError::TooManyMembers {
                    count: entries.len() as u64,
                    limit: limits.max_members,
                });
            }
        }
    }
    Ok(entries)
}

fn check_declared_sizes(entries: &[Entry], limits: &Limits) -> Result<(), BundleError> {
    let mut total: u64 = 0;
    for entry in entries {
        if entry.size > limits.max_member_bytes {
            return Err(BundleError::MemberTooLarge {
                member: entry.name.clone(),
                size: entry.size,
                limit: limits.max_member_bytes,
            });
        }

        if let Some(compressed) = entry.compressed
            && entry.size > limits.ratio_check_above_bytes
            && entry.size > compressed.saturating_mul(limits.max_compression_ratio)
        {
            return Err(BundleError::CompressionRatio {
                member: entry.name.clone(),
                compressed,
                size: entry.size,
                max_ratio: limits.max_compression_ratio,
            });
        }

        total = total.saturating_add(entry.size);
        if total > limits.max_total_bytes {
            return Err(BundleError::TotalTooLarge {
                total,
                limit: limits.max_total_bytes,
            });
        }
    }
    Ok(())
}

fn invalid_name(raw: &[u8], problem: NameProblem) -> BundleError {
    BundleError::InvalidMemberName {
        member: names::printable(raw),
        problem,
    }
}
