//! Rules for member names, shared by the reader and the writer.
//!
//! A member name is a relative path with `/` separators that stays inside the bundle
//! when it is unpacked on any platform. The writer rejects a bad name when it is added,
//! and the reader rejects an archive or folder that contains one.

use std::fmt;

/// Maximum length of a member name, in bytes.
pub const MAX_NAME_BYTES: usize = 512;

/// Reason a member name is invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameProblem {
    Empty,
    TooLong,
    NotUtf8,
    Nul,
    ControlCharacter,
    Backslash,
    Absolute,
    ParentComponent,
    EmptyOrDotComponent,
}

impl fmt::Display for NameProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            NameProblem::Empty => "it is empty",
            NameProblem::TooLong => "it is longer than 512 bytes",
            NameProblem::NotUtf8 => "it is not valid UTF-8",
            NameProblem::Nul => "it contains a NUL byte",
            NameProblem::ControlCharacter => "it contains a control character",
            NameProblem::Backslash => "it contains a backslash",
            NameProblem::Absolute => "it is an absolute path",
            NameProblem::ParentComponent => "it contains a `..` component",
            NameProblem::EmptyOrDotComponent => "it contains an empty or `.` component",
        };
        f.write_str(text)
    }
}

/// Checks a member name given as raw bytes, as stored in a zip header.
pub fn check_raw(name: &[u8]) -> Result<&str, NameProblem> {
    if name.contains(&0) {
        return Err(NameProblem::Nul);
    }

    let name = std::str::from_utf8(name).map_err(|_| NameProblem::NotUtf8)?;
    check(name)?;
    Ok(name)
}

/// Checks a member name.
pub fn check(name: &str) -> Result<(), NameProblem> {
    if name.is_empty() {
        return Err(NameProblem::Empty);
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(NameProblem::TooLong);
    }
    if name.contains('\0') {
        return Err(NameProblem::Nul);
    }
    if name.chars().any(char::is_control) {
        return Err(NameProblem::ControlCharacter);
    }
    if name.contains('\\') {
        return Err(NameProblem::Backslash);
    }

    // A drive prefix such as `C:` makes the path absolute on Windows.
    let first = name.split('/').next().unwrap_or_default();
    if name.starts_with('/') || first.ends_with(':') {
        return Err(NameProblem::Absolute);
    }

    for component in name.split('/') {
        match component {
            ".." => return Err(NameProblem::ParentComponent),
            "" | "." => return Err(NameProblem::EmptyOrDotComponent),
            _ => {}
        }
    }
    Ok(())
}

/// Renders a possibly hostile name for an error message: control characters escaped.
pub fn printable(name: &[u8]) -> String {
    String::from_utf8_lossy(name).escape_debug().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_accepts_layout_names() {
        for name in [
            "manifest.json",
            "db/task.json",
            "executors/wegent-task-admin-1/logs.txt",
            "logs/executor-manager.txt",
        ] {
            assert_eq!(check(name), Ok(()), "{name}");
        }
    }

    #[test]
    fn check_rejects_escaping_names() {
        let cases = [
            ("", NameProblem::Empty),
            ("../etc/passwd", NameProblem::ParentComponent),
            ("logs/../../x", NameProblem::ParentComponent),
            ("/etc/passwd", NameProblem::Absolute),
            ("C:/x.txt", NameProblem::Absolute),
            ("logs\\a.txt", NameProblem::Backslash),
            ("logs/a\0.txt", NameProblem::Nul),
            ("logs/a\n.txt", NameProblem::ControlCharacter),
            ("logs//a.txt", NameProblem::EmptyOrDotComponent),
            ("./a.txt", NameProblem::EmptyOrDotComponent),
            ("logs/", NameProblem::EmptyOrDotComponent),
        ];
        for (name, problem) in cases {
            assert_eq!(check(name), Err(problem), "{name:?}");
        }
    }

    #[test]
    fn check_raw_rejects_invalid_utf8() {
        assert_eq!(check_raw(b"logs/\xff.txt"), Err(NameProblem::NotUtf8));
        assert_eq!(check_raw(b"a\0b"), Err(NameProblem::Nul));
    }
}
