//! The central directory of a zip archive, read without trusting it.
//!
//! The reader parses the directory itself instead of relying on a zip library, because
//! it must see every entry exactly as stored. A library that maps names to entries
//! hides duplicate names, and one that decodes names lossily hides invalid bytes. This
//! module only reads the directory (names, sizes, modes, offsets), and [`entry_data`]
//! returns the raw, still compressed bytes of one entry.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom, Take};

const EOCD_SIGNATURE: u32 = 0x0605_4b50;
const EOCD64_LOCATOR_SIGNATURE: u32 = 0x0706_4b50;
const EOCD64_SIGNATURE: u32 = 0x0606_4b50;
const CENTRAL_SIGNATURE: u32 = 0x0201_4b50;
const LOCAL_SIGNATURE: u32 = 0x0403_4b50;
const EOCD_LEN: u64 = 22;
const MAX_COMMENT_LEN: u64 = 65_535;
const ZIP64_EXTRA_ID: u16 = 0x0001;
const UNIX_HOST: u16 = 3;
const FILE_TYPE_MASK: u32 = 0o170_000;
const SYMLINK_TYPE: u32 = 0o120_000;

/// One entry of the central directory.
#[derive(Debug, Clone)]
pub struct ZipEntry {
    /// The name as stored, undecoded.
    pub raw_name: Vec<u8>,
    pub flags: u16,
    pub method: u16,
    pub compressed_size: u64,
    pub size: u64,
    /// Absolute offset of the local header in the file.
    pub local_header: u64,
    /// Unix file mode, when the entry was made on a Unix host.
    pub unix_mode: Option<u32>,
}

impl ZipEntry {
    pub fn is_symlink(&self) -> bool {
        self.unix_mode
            .is_some_and(|mode| mode & FILE_TYPE_MASK == SYMLINK_TYPE)
    }

    pub fn is_encrypted(&self) -> bool {
        self.flags & 1 != 0
    }

    /// Returns true for a directory entry as `zip -r` writes it, with a name ending in
    /// `/` and no data.
    pub fn is_directory(&self) -> bool {
        self.raw_name.ends_with(b"/") && self.size == 0
    }
}

/// Error reading the zip central directory.
#[derive(Debug)]
pub enum DirectoryError {
    Io(io::Error),
    Malformed(&'static str),
    TooManyEntries(u64),
}

impl From<io::Error> for DirectoryError {
    fn from(error: io::Error) -> Self {
        if error.kind() == io::ErrorKind::UnexpectedEof {
            return DirectoryError::Malformed("the central directory is truncated");
        }
        DirectoryError::Io(error)
    }
}

/// Reads every entry of the central directory of `file`, refusing more than `max_entries`.
pub fn read_directory(
    file: &mut File,
    max_entries: usize,
) -> Result<Vec<ZipEntry>, DirectoryError> {
    let file_len = file.seek(SeekFrom::End(0))?;
    let end = find_end_record(file, file_len)?;

    if end.entries > max_entries as u64 {
        return Err(DirectoryError::TooManyEntries(end.entries));
    }

    // Data prepended to the archive shifts every offset; the directory ends where the
    // end record starts, which gives the shift.
    let directory_start =
        end.record_offset
            .checked_sub(end.directory_size)
            .ok_or(DirectoryError::Malformed(
                "the central directory size exceeds the file",
            ))?;
    let shift =
        directory_start
            .checked_sub(end.directory_offset)
            .ok_or(DirectoryError::Malformed(
                "the central directory offset is past its position",
            ))?;

    file.seek(SeekFrom::Start(directory_start))?;
    let mut reader = BufReader::new(file.take(end.directory_size));
    let mut entries = Vec::with_capacity(end.entries.min(4096) as usize);
    for _ in 0..end.entries {
        let mut entry = read_central_header(&mut reader)?;
        entry.local_header = entry
            .local_header
            .checked_add(shift)
            .ok_or(DirectoryError::Malformed("a local header offset overflows"))?;
        entries.push(entry);
    }
    Ok(entries)
}

/// Returns a reader over the stored (compressed) bytes of `entry`.
pub fn entry_data(file: &mut File, entry: &ZipEntry) -> Result<Take<File>, DirectoryError> {
    let file_len = file.seek(SeekFrom::End(0))?;
    file.seek(SeekFrom::Start(entry.local_header))?;

    let mut header = [0u8; 30];
    file.read_exact(&mut header)?;
    if u32_at(&header, 0) != LOCAL_SIGNATURE {
        return Err(DirectoryError::Malformed(
            "a local header signature is missing",
        ));
    }

    let name_len = u64::from(u16_at(&header, 26));
    let extra_len = u64::from(u16_at(&header, 28));
    let data_start = entry.local_header + 30 + name_len + extra_len;
    let data_end = data_start
        .checked_add(entry.compressed_size)
        .ok_or(DirectoryError::Malformed("an entry size overflows"))?;
    if data_end > file_len {
        return Err(DirectoryError::Malformed(
            "an entry extends past the end of the file",
        ));
    }

    let mut data = file.try_clone()?;
    data.seek(SeekFrom::Start(data_start))?;
    Ok(data.take(entry.compressed_size))
}

struct EndRecord {
    /// Offset of the (zip64) end record, where the central directory ends.
    record_offset: u64,
    entries: u64,
    directory_size: u64,
    directory_offset: u64,
}

fn find_end_record(file: &mut File, file_len: u64) -> Result<EndRecord, DirectoryError> {
    if file_len < EOCD_LEN {
        return Err(DirectoryError::Malformed(
            "the file is too short to be a zip archive",
        ));
    }

    let tail_len = file_len.min(EOCD_LEN + MAX_COMMENT_LEN);
    let tail_start = file_len - tail_len;
    let mut tail = vec![0u8; tail_len as usize];
    file.seek(SeekFrom::Start(tail_start))?;
    file.read_exact(&mut tail)?;

    let position = (0..=tail.len() - EOCD_LEN as usize)
        .rev()
        .find(|&pos| {
            u32_at(&tail, pos) == EOCD_SIGNATURE
                && pos + EOCD_LEN as usize + usize::from(u16_at(&tail, pos + 20)) == tail.len()
        })
        .ok_or(DirectoryError::Malformed(
            "no end of central directory record",
        ))?;
    let record = &tail[position..];
    let record_offset = tail_start + position as u64;

    let mut end = EndRecord {
        record_offset,
        entries: u64::from(u16_at(record, 10)),
        directory_size: u64::from(u32_at(record, 12)),
        directory_offset: u64::from(u32_at(record, 16)),
    };

    let needs_zip64 = end.entries == 0xFFFF
        || end.directory_size == 0xFFFF_FFFF
        || end.directory_offset == 0xFFFF_FFFF;
    if needs_zip64 {
        end = read_zip64_end_record(file, record_offset)?;
    }
    Ok(end)
}

fn read_zip64_end_record(file: &mut File, record_offset: u64) -> Result<EndRecord, DirectoryError> {
    let locator_offset = record_offset
        .checked_sub(20)
        .ok_or(DirectoryError::Malformed("the zip64 locator is missing"))?;
    let mut locator = [0u8; 20];
    file.seek(SeekFrom::Start(locator_offset))?;
    file.read_exact(&mut locator)?;
    if u32_at(&locator, 0) != EOCD64_LOCATOR_SIGNATURE {
        return Err(DirectoryError::Malformed("the zip64 locator is missing"));
    }

    // The locator stores an absolute offset; the zip64 record sits right before it in
    // archives without prepended data, which is the only layout accepted here.
    let zip64_offset = u64_at(&locator, 8);
    if zip64_offset.checked_add(56) != Some(locator_offset) {
        return Err(DirectoryError::Malformed(
            "the zip64 end record is not where the locator points",
        ));
    }

    let mut record = [0u8; 56];
    file.seek(SeekFrom::Start(zip64_offset))?;
    file.read_exact(&mut record)?;
    if u32_at(&record, 0) != EOCD64_SIGNATURE {
        return Err(DirectoryError::Malformed(
            "the zip64 end record signature is missing",
        ));
    }

    Ok(EndRecord {
        record_offset: zip64_offset,
        entries: u64_at(&record, 32),
        directory_size: u64_at(&record, 40),
        directory_offset: u64_at(&record, 48),
    })
}

fn read_central_header(reader: &mut impl Read) -> Result<ZipEntry, DirectoryError> {
    let mut header = [0u8; 46];
    reader.read_exact(&mut header)?;
    if u32_at(&header, 0) != CENTRAL_SIGNATURE {
        return Err(DirectoryError::Malformed(
            "a central directory header signature is missing",
        ));
    }

    let made_by_host = u16_at(&header, 4) >> 8;
    let external = u32_at(&header, 38);
    let mut entry = ZipEntry {
        raw_name: vec![0; usize::from(u16_at(&header, 28))],
        flags: u16_at(&header, 8),
        method: u16_at(&header, 10),
        compressed_size: u64::from(u32_at(&header, 20)),
        size: u64::from(u32_at(&header, 24)),
        local_header: u64::from(u32_at(&header, 42)),
        unix_mode: (made_by_host == UNIX_HOST).then_some(external >> 16),
    };
    reader.read_exact(&mut entry.raw_name)?;

    let mut extra = vec![0u8; usize::from(u16_at(&header, 30))];
    reader.read_exact(&mut extra)?;
    apply_zip64_extra(&mut entry, &extra)?;

    let comment_len = u64::from(u16_at(&header, 32));
    let skipped = io::copy(&mut reader.take(comment_len), &mut io::sink())?;
    if skipped != comment_len {
        return Err(DirectoryError::Malformed(
            "the central directory is truncated",
        ));
    }
    Ok(entry)
}

/// Replaces 32-bit sizes and offsets marked 0xFFFFFFFF by their zip64 values.
fn apply_zip64_extra(entry: &mut ZipEntry, mut extra: &[u8]) -> Result<(), DirectoryError> {
    while extra.len() >= 4 {
        let id = u16_at(extra, 0);
        let len = usize::from(u16_at(extra, 2));
        let body = extra
            .get(4..4 + len)
            .ok_or(DirectoryError::Malformed("an extra field is truncated"))?;

        if id == ZIP64_EXTRA_ID {
            let mut values = body.chunks_exact(8).map(|chunk| u64_at(chunk, 0));
            let missing = DirectoryError::Malformed("a zip64 extra field is too short");
            if entry.size == 0xFFFF_FFFF {
                entry.size = values.next().ok_or(missing)?;
            }
            let missing = DirectoryError::Malformed("a zip64 extra field is too short");
            if entry.compressed_size == 0xFFFF_FFFF {
                entry.compressed_size = values.next().ok_or(missing)?;
            }
            let missing = DirectoryError::Malformed("a zip64 extra field is too short");
            if entry.local_header == 0xFFFF_FFFF {
                entry.local_header = values.next().ok_or(missing)?;
            }
        }
        extra = &extra[4 + len..];
    }
    Ok(())
}

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([bytes[at], bytes[at + 1]])
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    let mut value = [0u8; 8];
    value.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(value)
}
