//! The reader's [`BundleError`] as a sentence in the report language, naming the member
//! or value and what to do next. English is the error's own `Display`; Chinese is
//! written here per variant. Details that come from the system or the zip library (an
//! I/O error, a JSON parser message) stay as they are.

use crate::bundle::error::BundleError;
use crate::bundle::names::NameProblem;
use crate::i18n::Lang;

/// Renders a bundle error for `analyze: <message>`.
pub fn message(lang: Lang, error: &BundleError) -> String {
    match lang {
        Lang::En => error.to_string(),
        Lang::Zh => chinese(error),
    }
}

fn chinese(error: &BundleError) -> String {
    use BundleError::*;

    match error {
        Io { path, source } => {
            format!(
                "无法读取数据包 {}：{source}；请检查路径和访问权限",
                path.display()
            )
        }
        NotZip { path, detail } => format!(
            "{} 不是可读取的 zip 文件（{detail}）；请传入 collect 生成的 .zip 文件，或解压后的数据包目录",
            path.display()
        ),
        TooManyMembers { count, limit } => {
            format!("数据包含有 {count} 个成员，超过上限 {limit}；该文件不是 collect 生成的数据包")
        }
        InvalidMemberName { member, problem } => format!(
            "成员名 `{member}` 无效，因为{}；数据包已损坏或不是 collect 生成的，请重新采集",
            name_problem(problem)
        ),
        Symlink { member } => format!(
            "成员 `{member}` 是符号链接，而数据包从不包含链接；请重新采集，或解压时不要创建链接"
        ),
        NotRegularFile { member } => {
            format!("成员 `{member}` 不是普通文件；请将其从数据包目录中移除")
        }
        DuplicateMember { member } => {
            format!("成员 `{member}` 在压缩包中出现了多次；请重新采集数据包")
        }
        Encrypted { member } => {
            format!("成员 `{member}` 已加密，而数据包从不加密；请传入 collect 生成的原始压缩包")
        }
        UnsupportedCompression { member, method } => format!(
            "成员 `{member}` 使用 zip 压缩方法 {method}，数据包只使用 stored 和 deflate；请用 deflate 重新打包"
        ),
        MemberTooLarge {
            member,
            size,
            limit,
        } => format!(
            "成员 `{member}` 大小为 {size} 字节，超过上限 {limit} 字节；请用更严格的日志上限重新采集，或提高读取上限"
        ),
        TotalTooLarge { total, limit } => format!(
            "数据包成员合计 {total} 字节，超过上限 {limit} 字节；请用更严格的日志上限重新采集，或提高读取上限"
        ),
        CompressionRatio {
            member,
            compressed,
            size,
            max_ratio,
        } => format!(
            "成员 `{member}` 从 {compressed} 字节解压为 {size} 字节，压缩比超过 {max_ratio}:1，疑似 zip 炸弹；该压缩包不是 collect 生成的"
        ),
        HeaderSizeMismatch { member, declared } => format!(
            "成员 `{member}` 解压后的大小与 zip 头声明的 {declared} 字节不符；压缩包已损坏或被篡改，请重新采集"
        ),
        CorruptData { member, detail } => {
            format!("成员 `{member}` 的压缩数据已损坏（{detail}）；请重新采集，或索取完好的副本")
        }
        MissingManifest {
            path,
            nested: Some(dir),
        } => format!(
            "{} 的顶层没有 manifest.json，但存在 {dir}/manifest.json：数据包位于 {dir}/ 中；请传入该目录（如果是 zip 文件，请先解压）",
            path.display()
        ),
        MissingManifest { path, nested: None } => format!(
            "{} 中没有 manifest.json；请传入数据包根目录（即包含 manifest.json 的目录或 zip 文件）",
            path.display()
        ),
        UnsupportedVersion { found, supported } => format!(
            "manifest.json 的 format_version 为 {found:?}，而此 analyze 只能读取主版本 {supported}；请使用能读取该版本的 analyze"
        ),
        MemberMissing { member } => format!(
            "manifest.json 列出了成员 `{member}`，但数据包中没有它；请重新采集，或索取完整的压缩包"
        ),
        MemberNotListed { member } => format!(
            "成员 `{member}` 在数据包中，但没有列在 manifest.json 中，因此无法校验；请将其移除或重新采集"
        ),
        SizeMismatch {
            member,
            listed,
            actual,
        } => format!(
            "成员 `{member}` 大小为 {actual} 字节，而 manifest.json 记录为 {listed} 字节；数据包在采集后被修改或损坏，请重新采集"
        ),
        ChecksumMismatch {
            member,
            expected,
            actual,
        } => format!(
            "成员 `{member}` 与 manifest.json 中的 SHA-256 不符（记录为 {expected}，实际为 {actual}）；数据包在采集后被修改或损坏，请重新采集"
        ),
        InvalidUtf8 { member, offset } => format!(
            "成员 `{member}` 在字节偏移 {offset} 处不是有效的 UTF-8；数据包在采集后被修改或损坏，请重新采集"
        ),
        InvalidJson {
            member,
            line,
            column,
            detail,
        } => format!(
            "成员 `{member}` 在第 {line} 行第 {column} 列不是有效的 JSON：{detail}；请修正该成员或重新采集"
        ),
        UnexpectedJson {
            member,
            line,
            column,
            detail,
        } => format!(
            "成员 `{member}` 在第 {line} 行第 {column} 列不符合格式版本 1 的结构：{detail}；请确认数据包由兼容的 collect 生成"
        ),
    }
}

fn name_problem(problem: &NameProblem) -> &'static str {
    match problem {
        NameProblem::Empty => "它为空",
        NameProblem::TooLong => "它超过 512 字节",
        NameProblem::NotUtf8 => "它不是有效的 UTF-8",
        NameProblem::Nul => "它包含 NUL 字节",
        NameProblem::ControlCharacter => "它包含控制字符",
        NameProblem::Backslash => "它包含反斜杠",
        NameProblem::Absolute => "它是绝对路径",
        NameProblem::ParentComponent => "它包含 `..` 路径段",
        NameProblem::EmptyOrDotComponent => "它包含空的或 `.` 路径段",
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn english_is_the_display_text() {
        let error = BundleError::MemberMissing {
            member: "db/task.json".into(),
        };
        assert_eq!(message(Lang::En, &error), error.to_string());
    }

    #[test]
    fn chinese_names_member_and_fix() {
        let error = BundleError::ChecksumMismatch {
            member: "db/task.json".into(),
            expected: "aa".into(),
            actual: "bb".into(),
        };
        let text = message(Lang::Zh, &error);
        assert!(text.contains("`db/task.json`"), "{text}");
        assert!(text.contains("请重新采集"), "{text}");
    }

    #[test]
    fn chinese_names_member_of_every_member_error() {
        let member = || "db/task.json".to_string();
        let errors = vec![
            BundleError::InvalidMemberName {
                member: member(),
                problem: NameProblem::Absolute,
            },
            BundleError::Symlink { member: member() },
            BundleError::NotRegularFile { member: member() },
            BundleError::DuplicateMember { member: member() },
            BundleError::Encrypted { member: member() },
            BundleError::UnsupportedCompression {
                member: member(),
                method: 12,
            },
            BundleError::MemberTooLarge {
                member: member(),
                size: 2,
                limit: 1,
            },
            BundleError::CompressionRatio {
                member: member(),
                compressed: 1,
                size: 9,
                max_ratio: 5,
            },
            BundleError::HeaderSizeMismatch {
                member: member(),
                declared: 1,
            },
            BundleError::CorruptData {
                member: member(),
                detail: "bad".into(),
            },
            BundleError::MemberMissing { member: member() },
            BundleError::MemberNotListed { member: member() },
            BundleError::SizeMismatch {
                member: member(),
                listed: 1,
                actual: 2,
            },
            BundleError::ChecksumMismatch {
                member: member(),
                expected: "a".into(),
                actual: "b".into(),
            },
            BundleError::InvalidUtf8 {
                member: member(),
                offset: 3,
            },
            BundleError::InvalidJson {
                member: member(),
                line: 1,
                column: 2,
                detail: "x".into(),
            },
            BundleError::UnexpectedJson {
                member: member(),
                line: 1,
                column: 2,
                detail: "x".into(),
            },
        ];

        for error in errors {
            assert_eq!(error.member(), Some("db/task.json"), "{error}");
            let text = message(Lang::Zh, &error);
            assert!(text.contains("`db/task.json`"), "{text}");
            assert!(text.contains("；"), "no next step in: {text}");
        }
    }

    #[test]
    fn chinese_explains_bundle_wide_errors() {
        let errors = vec![
            BundleError::NotZip {
                path: PathBuf::from("x.txt"),
                detail: "no EOCD".into(),
            },
            BundleError::TooManyMembers { count: 9, limit: 1 },
            BundleError::TotalTooLarge { total: 9, limit: 1 },
            BundleError::MissingManifest {
                path: PathBuf::from("bundle"),
                nested: None,
            },
            BundleError::UnsupportedVersion {
                found: "2.0".into(),
                supported: 1,
            },
        ];

        for error in errors {
            let text = message(Lang::Zh, &error);
            assert!(text.contains("；"), "no next step in: {text}");
            assert_ne!(text, error.to_string());
        }
    }

    #[test]
    fn chinese_names_path_of_unreadable_bundle() {
        let error = BundleError::Io {
            path: PathBuf::from("/tmp/wi-test-missing.zip"),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        };
        let text = message(Lang::Zh, &error);
        assert!(
            text.starts_with("无法读取数据包 /tmp/wi-test-missing.zip："),
            "{text}"
        );
    }

    #[test]
    fn chinese_explains_invalid_member_name() {
        let error = BundleError::InvalidMemberName {
            member: "../etc/passwd".into(),
            problem: NameProblem::ParentComponent,
        };
        assert!(message(Lang::Zh, &error).contains("它包含 `..` 路径段"));
    }

    #[test]
    fn chinese_header_size_mismatch_covers_both_directions() {
        let error = BundleError::HeaderSizeMismatch {
            member: "db/task.json".into(),
            declared: 10,
        };
        let text = message(Lang::Zh, &error);

        assert!(text.contains("不符"), "{text}");
        assert!(!text.contains("多于"), "{text}");
    }
}
