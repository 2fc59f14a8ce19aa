//! Reader tests: every kind of malformed bundle is rejected with the right error,
//! and the message names the member.

mod bundle_support;

use std::fs;
use std::path::{Path, PathBuf};

use bundle_support::*;
use wegent_analyzer::bundle::names::NameProblem;
use wegent_analyzer::bundle::redact_seam::NoRedaction;
use wegent_analyzer::bundle::writer::BundleWriter;
use wegent_analyzer::bundle::{BundleError, Limits, open, open_with};

fn sample_folder(dir: &Path) -> PathBuf {
    let out = dir.join("bundle");
    sample_writer().finish_dir(&mut NoRedaction, &out).unwrap();
    out
}

fn sample_zip(dir: &Path) -> PathBuf {
    let out = dir.join("bundle.zip");
    sample_writer().finish(&mut NoRedaction, &out).unwrap();
    out
}

/// Returns a valid manifest (no members listed) for hand-built archives.
fn empty_manifest() -> Vec<u8> {
    let dir = temp_dir();
    let out = dir.path().join("b");
    BundleWriter::new(base())
        .finish_dir(&mut NoRedaction, &out)
        .unwrap();
    fs::read(out.join("manifest.json")).unwrap()
}

fn assert_names_member(error: &BundleError, member: &str) {
    assert_eq!(error.member(), Some(member), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains(member),
        "message does not name `{member}`: {message}"
    );
}

#[test]
fn rejects_unknown_major_version() {
    let dir = temp_dir();
    let folder = sample_folder(dir.path());
    let manifest = fs::read_to_string(folder.join("manifest.json")).unwrap();
    fs::write(
        folder.join("manifest.json"),
        manifest.replace("\"1.0\"", "\"2.0\""),
    )
    .unwrap();

    let error = open(&folder).unwrap_err();
    match &error {
        BundleError::UnsupportedVersion { found, supported } => {
            assert_eq!(found, "2.0");
            assert_eq!(*supported, 1);
        }
        other => panic!("unexpected error {other:?}"),
    }
    assert!(error.to_string().contains("2.0"));
}

#[test]
fn accepts_newer_minor_version() {
    let dir = temp_dir();
    let folder = sample_folder(dir.path());
    let manifest = fs::read_to_string(folder.join("manifest.json")).unwrap();
    fs::write(
        folder.join("manifest.json"),
        manifest.replace("\"1.0\"", "\"1.7\""),
    )
    .unwrap();
    assert!(open(&folder).is_ok());
}

#[test]
fn rejects_missing_manifest() {
    let dir = temp_dir();
    let folder = sample_folder(dir.path());
    fs::remove_file(folder.join("manifest.json")).unwrap();
    let error = open(&folder).unwrap_err();
    assert!(
        matches!(error, BundleError::MissingManifest { nested: None, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains(&folder.display().to_string()));

    let zip = dir.path().join("no-manifest.zip");
    write_raw_zip(&zip, &[("logs/a.txt", b"x\n")]);
    let error = open(&zip).unwrap_err();
    assert!(
        matches!(error, BundleError::MissingManifest { nested: None, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("manifest.json"));
}

#[test]
fn names_the_folder_that_wraps_a_bundle() {
    let dir = temp_dir();
    let folder = sample_folder(dir.path());
    let outer = dir.path().join("outer");
    fs::create_dir(&outer).unwrap();
    fs::rename(&folder, outer.join("wi-test-bundle")).unwrap();

    let error = open(&outer).unwrap_err();

    assert!(
        matches!(&error, BundleError::MissingManifest { nested: Some(dir), .. } if dir == "wi-test-bundle"),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("the bundle is inside wi-test-bundle/")
    );
}

#[test]
fn skips_desktop_and_editor_artefacts_in_folders() {
    let dir = temp_dir();
    let folder = sample_folder(dir.path());
    fs::write(folder.join(".DS_Store"), b"x").unwrap();
    fs::write(folder.join("Thumbs.db"), b"x").unwrap();
    fs::write(folder.join("manifest.json~"), b"x").unwrap();

    assert!(open(&folder).is_ok());
}

#[test]
fn rejects_checksum_mismatch() {
    let dir = temp_dir();
    let folder = sample_folder(dir.path());
    let path = folder.join("db/owner.json");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replace("admin", "admiN")).unwrap();

    let error = open(&folder).unwrap_err();
    assert!(
        matches!(error, BundleError::ChecksumMismatch { .. }),
        "{error:?}"
    );
    assert_names_member(&error, "db/owner.json");
}

#[test]
fn rejects_checksum_mismatch_in_log() {
    let dir = temp_dir();
    let folder = sample_folder(dir.path());
    let path = folder.join("logs/executor-manager.txt");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replace("ERROR", "error")).unwrap();

    let error = open(&folder).unwrap_err();
    assert!(
        matches!(error, BundleError::ChecksumMismatch { .. }),
        "{error:?}"
    );
    assert_names_member(&error, "logs/executor-manager.txt");
}

#[test]
fn rejects_size_mismatch() {
    let dir = temp_dir();
    let folder = sample_folder(dir.path());
    fs::write(folder.join("db/owner.json"), "{}\n").unwrap();

    let error = open(&folder).unwrap_err();
    assert!(
        matches!(error, BundleError::SizeMismatch { actual: 3, .. }),
        "{error:?}"
    );
    assert_names_member(&error, "db/owner.json");
}

#[test]
fn rejects_listed_member_that_is_absent() {
    let dir = temp_dir();
    let folder = sample_folder(dir.path());
    fs::remove_file(folder.join("services/redis.json")).unwrap();

    let error = open(&folder).unwrap_err();
    assert!(
        matches!(error, BundleError::MemberMissing { .. }),
        "{error:?}"
    );
    assert_names_member(&error, "services/redis.json");
}

#[test]
fn rejects_member_not_listed() {
    let dir = temp_dir();
    let folder = sample_folder(dir.path());
    fs::write(folder.join("logs/extra.txt"), "hello\n").unwrap();

    let error = open(&folder).unwrap_err();
    assert!(
        matches!(error, BundleError::MemberNotListed { .. }),
        "{error:?}"
    );
    assert_names_member(&error, "logs/extra.txt");
}

#[test]
fn rejects_escaping_names_in_zip() {
    let cases = [
        ("../evil.txt", NameProblem::ParentComponent),
        ("logs/../../evil.txt", NameProblem::ParentComponent),
        ("/etc/evil.txt", NameProblem::Absolute),
        ("logs\\evil.txt", NameProblem::Backslash),
        ("logs/ev\0il.txt", NameProblem::Nul),
    ];
    let manifest = empty_manifest();
    for (name, problem) in cases {
        let dir = temp_dir();
        let zip = dir.path().join("bad.zip");
        write_raw_zip(&zip, &[("manifest.json", &manifest), (name, b"x\n")]);

        let error = open(&zip).unwrap_err();
        match &error {
            BundleError::InvalidMemberName {
                member,
                problem: found,
            } => {
                assert_eq!(*found, problem, "{name:?}");
                assert_eq!(member, &name.escape_debug().to_string());
            }
            other => panic!("{name:?}: unexpected error {other:?}"),
        }
        let printable = name.escape_debug().to_string();
        assert!(error.to_string().contains(&printable), "{error}");
    }
}

#[test]
fn rejects_non_utf8_name_in_zip() {
    let dir = temp_dir();
    let zip = dir.path().join("bad.zip");
    write_raw_zip(
        &zip,
        &[
            ("manifest.json", &empty_manifest()),
            ("logs/aa.txt", b"x\n"),
        ],
    );
    patch_bytes(&zip, b"logs/aa.txt", b"logs/\xff\xfe.txt");

    let error = open(&zip).unwrap_err();
    assert!(
        matches!(
            error,
            BundleError::InvalidMemberName {
                problem: NameProblem::NotUtf8,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("logs/"), "{error}");
}

#[test]
fn rejects_symlink_entry_in_zip() {
    let dir = temp_dir();
    let zip = dir.path().join("link.zip");
    {
        let file = fs::File::create(&zip).unwrap();
        let mut writer = zip::ZipWriter::new(file);
        let options = zip::write::SimpleFileOptions::default();
        writer.start_file("manifest.json", options).unwrap();
        std::io::Write::write_all(&mut writer, &empty_manifest()).unwrap();
        writer
            .add_symlink("logs/link.txt", "/etc/passwd", options)
            .unwrap();
        writer.finish().unwrap();
    }

    let error = open(&zip).unwrap_err();
    assert!(matches!(error, BundleError::Symlink { .. }), "{error:?}");
    assert_names_member(&error, "logs/link.txt");
}

#[cfg(unix)]
#[test]
fn rejects_symlink_in_folder() {
    let dir = temp_dir();
    let folder = sample_folder(dir.path());
    let target = dir.path().join("wi-test-target.txt");
    fs::write(&target, "x\n").unwrap();
    std::os::unix::fs::symlink(&target, folder.join("logs/link.txt")).unwrap();

    let error = open(&folder).unwrap_err();
    assert!(matches!(error, BundleError::Symlink { .. }), "{error:?}");
    assert_names_member(&error, "logs/link.txt");
}

#[cfg(unix)]
#[test]
fn rejects_symlinked_folder() {
    let dir = temp_dir();
    let folder = sample_folder(dir.path());
    let elsewhere = dir.path().join("wi-test-elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, folder.join("more")).unwrap();

    let error = open(&folder).unwrap_err();
    assert!(matches!(error, BundleError::Symlink { .. }), "{error:?}");
    assert_names_member(&error, "more");
}

#[test]
fn rejects_duplicate_names() {
    let dir = temp_dir();
    let zip = dir.path().join("dup.zip");
    write_raw_zip(
        &zip,
        &[
            ("manifest.json", &empty_manifest()),
            ("logs/a.txt", b"one\n"),
            ("logs/b.txt", b"two\n"),
        ],
    );
    patch_bytes(&zip, b"logs/b.txt", b"logs/a.txt");

    let error = open(&zip).unwrap_err();
    assert!(
        matches!(error, BundleError::DuplicateMember { .. }),
        "{error:?}"
    );
    assert_names_member(&error, "logs/a.txt");
}

#[test]
fn rejects_member_over_size_limit() {
    let dir = temp_dir();
    let zip = sample_zip(dir.path());
    let limits = Limits {
        max_member_bytes: 300,
        ..Limits::default()
    };

    let error = open_with(&zip, &limits).unwrap_err();
    match &error {
        BundleError::MemberTooLarge { size, limit, .. } => {
            assert!(*size > 300);
            assert_eq!(*limit, 300);
        }
        other => panic!("unexpected error {other:?}"),
    }
    assert!(error.member().is_some());
    assert!(error.to_string().contains(error.member().unwrap()));
}

#[test]
fn rejects_json_member_over_json_limit() {
    let dir = temp_dir();
    let folder = sample_folder(dir.path());
    let limits = Limits {
        max_json_bytes: 200,
        ..Limits::default()
    };

    let error = open_with(&folder, &limits).unwrap_err();
    assert!(
        matches!(error, BundleError::MemberTooLarge { limit: 200, .. }),
        "{error:?}"
    );
}

#[test]
fn rejects_total_over_limit() {
    let dir = temp_dir();
    let zip = sample_zip(dir.path());
    let limits = Limits {
        max_total_bytes: 2_000,
        ..Limits::default()
    };

    let error = open_with(&zip, &limits).unwrap_err();
    assert!(
        matches!(error, BundleError::TotalTooLarge { limit: 2_000, .. }),
        "{error:?}"
    );
}

#[test]
fn rejects_too_many_members() {
    let dir = temp_dir();
    let zip = sample_zip(dir.path());
    let folder = sample_folder(dir.path());
    let limits = Limits {
        max_members: 5,
        ..Limits::default()
    };

    for path in [zip, folder] {
        let error = open_with(&path, &limits).unwrap_err();
        assert!(
            matches!(error, BundleError::TooManyMembers { limit: 5, .. }),
            "{error:?}"
        );
    }
}

#[test]
fn rejects_high_compression_ratio() {
    let dir = temp_dir();
    let zip = dir.path().join("bomb.zip");
    let zeros = vec![b'0'; 4 * 1024 * 1024];
    write_raw_zip(
        &zip,
        &[
            ("manifest.json", &empty_manifest()),
            ("logs/bomb.txt", &zeros),
        ],
    );

    let error = open(&zip).unwrap_err();
    assert!(
        matches!(error, BundleError::CompressionRatio { max_ratio: 200, .. }),
        "{error:?}"
    );
    assert_names_member(&error, "logs/bomb.txt");
}

/// Writes a bundle whose log member is 4 MiB of one repeated byte, listed in the manifest.
fn bomb_zip(dir: &Path) -> PathBuf {
    let mut writer = BundleWriter::new(base());
    writer
        .add_text("logs/bomb.txt", "0".repeat(4 * 1024 * 1024))
        .unwrap();
    let zip = dir.join("liar.zip");
    writer.finish(&mut NoRedaction, &zip).unwrap();
    zip
}

#[test]
fn rejects_header_that_understates_size() {
    let dir = temp_dir();
    let zip = bomb_zip(dir.path());

    // Declare 1000 bytes, which passes the ratio check, while the data inflates to 4 MiB.
    let mut bytes = fs::read(&zip).unwrap();
    let header = central_header(&bytes, "logs/bomb.txt");
    bytes[header + 24..header + 28].copy_from_slice(&1000u32.to_le_bytes());
    fs::write(&zip, bytes).unwrap();

    let error = open(&zip).unwrap_err();
    assert!(
        matches!(
            error,
            BundleError::HeaderSizeMismatch { declared: 1000, .. }
        ),
        "{error:?}"
    );
    assert_names_member(&error, "logs/bomb.txt");
}

#[test]
fn rejects_ratio_while_inflating_without_header_check() {
    let dir = temp_dir();
    let zip = bomb_zip(dir.path());

    // A header that declares a plausible ratio is caught while inflating.
    let mut bytes = fs::read(&zip).unwrap();
    let header = central_header(&bytes, "logs/bomb.txt");
    let compressed = u32::from_le_bytes(bytes[header + 20..header + 24].try_into().unwrap());
    bytes[header + 24..header + 28].copy_from_slice(&(compressed * 100).to_le_bytes());
    fs::write(&zip, bytes).unwrap();

    let limits = Limits {
        ratio_check_above_bytes: 1024,
        ..Limits::default()
    };
    let error = open_with(&zip, &limits).unwrap_err();
    assert!(
        matches!(
            error,
            BundleError::HeaderSizeMismatch { .. } | BundleError::CompressionRatio { .. }
        ),
        "{error:?}"
    );
    assert_names_member(&error, "logs/bomb.txt");
}

#[test]
fn rejects_invalid_utf8_with_offset() {
    let dir = temp_dir();
    let source = dir.path().join("wi-test-bad.txt");
    fs::write(&source, b"good line\nbad \xff byte\n").unwrap();
    let mut writer = BundleWriter::new(base());
    writer.add_file("logs/backend.txt", &source).unwrap();
    let zip = dir.path().join("bundle.zip");
    writer.finish(&mut NoRedaction, &zip).unwrap();

    let error = open(&zip).unwrap_err();
    assert!(
        matches!(error, BundleError::InvalidUtf8 { offset: 14, .. }),
        "{error:?}"
    );
    assert_names_member(&error, "logs/backend.txt");
    assert!(error.to_string().contains("14"));
}

#[test]
fn rejects_invalid_json_with_position() {
    let dir = temp_dir();
    let source = dir.path().join("wi-test-bad.json");
    fs::write(&source, "{\n  \"user_id\": 1,\n  \"user_name\": oops\n}\n").unwrap();
    let mut writer = BundleWriter::new(base());
    writer.add_file("db/owner.json", &source).unwrap();
    let zip = dir.path().join("bundle.zip");
    writer.finish(&mut NoRedaction, &zip).unwrap();

    let error = open(&zip).unwrap_err();
    match &error {
        BundleError::InvalidJson { line, column, .. } => assert_eq!((*line, *column), (3, 16)),
        other => panic!("unexpected error {other:?}"),
    }
    assert_names_member(&error, "db/owner.json");
    assert!(error.to_string().contains("line 3, column 16"), "{error}");
}

#[test]
fn rejects_json_of_wrong_shape() {
    let dir = temp_dir();
    let mut writer = BundleWriter::new(base());
    writer
        .add_json("db/owner.json", &serde_json::json!({"user_id": "one"}))
        .unwrap();
    let zip = dir.path().join("bundle.zip");
    writer.finish(&mut NoRedaction, &zip).unwrap();

    let error = open(&zip).unwrap_err();
    assert!(
        matches!(error, BundleError::UnexpectedJson { .. }),
        "{error:?}"
    );
    assert_names_member(&error, "db/owner.json");
}

#[test]
fn rejects_invalid_json_in_unknown_member() {
    let dir = temp_dir();
    let mut writer = BundleWriter::new(base());
    writer
        .add_text("executors/a/extra.json", "{".into())
        .unwrap();
    let zip = dir.path().join("bundle.zip");
    writer.finish(&mut NoRedaction, &zip).unwrap();

    let error = open(&zip).unwrap_err();
    assert!(
        matches!(error, BundleError::InvalidJson { .. }),
        "{error:?}"
    );
    assert_names_member(&error, "executors/a/extra.json");
}

#[test]
fn accepts_unknown_members_under_known_prefixes() {
    let dir = temp_dir();
    let mut writer = sample_writer();
    writer
        .add_json(
            "executors/wegent-task-admin-1/extra.json",
            &serde_json::json!({"a": 1}),
        )
        .unwrap();
    writer
        .add_text("logs/notes/readme.md", "hello\n".into())
        .unwrap();
    let zip = dir.path().join("bundle.zip");
    writer.finish(&mut NoRedaction, &zip).unwrap();

    let bundle = open(&zip).unwrap();
    assert_eq!(bundle.executors.len(), 1);
    assert_eq!(bundle.text_members.len(), 2);
}

#[test]
fn rejects_encrypted_entry() {
    let dir = temp_dir();
    let zip = dir.path().join("enc.zip");
    write_raw_zip(
        &zip,
        &[("manifest.json", &empty_manifest()), ("logs/a.txt", b"x\n")],
    );
    let mut bytes = fs::read(&zip).unwrap();
    let header = central_header(&bytes, "logs/a.txt");
    bytes[header + 8] |= 1;
    fs::write(&zip, bytes).unwrap();

    let error = open(&zip).unwrap_err();
    assert!(matches!(error, BundleError::Encrypted { .. }), "{error:?}");
    assert_names_member(&error, "logs/a.txt");
}

#[test]
fn rejects_file_that_is_not_zip() {
    let dir = temp_dir();
    let path = dir.path().join("notes.zip");
    fs::write(&path, "just text, no archive").unwrap();
    let error = open(&path).unwrap_err();
    assert!(matches!(error, BundleError::NotZip { .. }), "{error:?}");
    assert!(error.to_string().contains("notes.zip"));
}

#[test]
fn rejects_missing_path() {
    let dir = temp_dir();
    let error = open(&dir.path().join("absent.zip")).unwrap_err();
    assert!(matches!(error, BundleError::Io { .. }), "{error:?}");
    assert!(error.to_string().contains("absent.zip"));
}

#[test]
fn accepts_directory_entries_from_zip_tools() {
    let dir = temp_dir();
    let folder = sample_folder(dir.path());
    let zip = dir.path().join("rezipped.zip");
    {
        let file = fs::File::create(&zip).unwrap();
        let mut writer = zip::ZipWriter::new(file);
        let options = zip::write::SimpleFileOptions::default();
        let mut names = vec![];
        for item in walk(&folder) {
            names.push(item);
        }
        names.sort();
        for name in names {
            if let Some((parent, _)) = name.rsplit_once('/') {
                let _ = writer.add_directory(format!("{parent}/"), options);
            }
            writer.start_file(name.as_str(), options).unwrap();
            std::io::Write::write_all(&mut writer, &fs::read(folder.join(&name)).unwrap()).unwrap();
        }
        writer.finish().unwrap();
    }
    assert!(open(&zip).is_ok());
}

fn walk(root: &Path) -> Vec<String> {
    let mut out = vec![];
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for item in fs::read_dir(dir).unwrap() {
            let path = item.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .to_string();
                out.push(relative);
            }
        }
    }
    out
}

#[test]
fn accepts_zip64_entries() {
    let dir = temp_dir();
    let folder = sample_folder(dir.path());
    let zip = dir.path().join("zip64.zip");
    {
        let file = fs::File::create(&zip).unwrap();
        let mut writer = zip::ZipWriter::new(file);
        let options = zip::write::SimpleFileOptions::default().large_file(true);
        let mut names = walk(&folder);
        names.sort();
        for name in names {
            writer.start_file(name.as_str(), options).unwrap();
            std::io::Write::write_all(&mut writer, &fs::read(folder.join(&name)).unwrap()).unwrap();
        }
        writer.finish().unwrap();
    }

    let from_zip = open(&zip).unwrap();
    let from_folder = open(&folder).unwrap();
    assert_eq!(from_zip.log_lines, from_folder.log_lines);
    assert_eq!(from_zip.task, from_folder.task);
}
