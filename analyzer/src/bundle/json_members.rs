//! Parsing of JSON members: UTF-8 check, syntax check, then the model type.
//!
//! Syntax errors and shape errors are different variants because the fix differs.
//! Invalid JSON means a damaged member, while valid JSON of the wrong shape means a
//! bundle from an incompatible collector.

use serde::de::{DeserializeOwned, IgnoredAny};

use super::error::BundleError;
use super::loaded::Bundle;
use super::member_kind::KnownJson;

/// Returns the member as text, or the offset of its first invalid UTF-8 byte.
pub fn as_utf8<'a>(member: &str, bytes: &'a [u8]) -> Result<&'a str, BundleError> {
    std::str::from_utf8(bytes).map_err(|error| BundleError::InvalidUtf8 {
        member: member.to_string(),
        offset: error.valid_up_to() as u64,
    })
}

/// Parses a member into `T`, reporting syntax and shape errors with line and column.
pub fn parse<T: DeserializeOwned>(member: &str, text: &str) -> Result<T, BundleError> {
    serde_json::from_str(text).map_err(|error| json_error(member, error))
}

/// Checks that a member is valid JSON without keeping it.
pub fn check_syntax(member: &str, text: &str) -> Result<(), BundleError> {
    parse::<IgnoredAny>(member, text).map(|_| ())
}

/// Parses a typed member and stores it in its field of the bundle.
pub fn store(
    bundle: &mut Bundle,
    member: &str,
    kind: &KnownJson,
    text: &str,
) -> Result<(), BundleError> {
    // A syntax error is reported as such even when the typed parse would fail first.
    check_syntax(member, text)?;

    match kind {
        KnownJson::Deployment => bundle.deployment = Some(parse(member, text)?),
        KnownJson::DbServer => bundle.db_server = Some(parse(member, text)?),
        KnownJson::Task => bundle.task = Some(parse(member, text)?),
        KnownJson::Subtasks => bundle.subtasks = Some(parse(member, text)?),
        KnownJson::Models => bundle.models = Some(parse(member, text)?),
        KnownJson::Owner => bundle.owner = Some(parse(member, text)?),
        KnownJson::Containers => bundle.containers = Some(parse(member, text)?),
        KnownJson::ExecutorManager => bundle.executor_manager = Some(parse(member, text)?),
        KnownJson::Redis => bundle.redis = Some(parse(member, text)?),
        KnownJson::Workspace => bundle.workspace = Some(parse(member, text)?),
        KnownJson::LlmProbe => bundle.llm_probe = Some(parse(member, text)?),
        KnownJson::ExecutorInspect(name) => {
            bundle.executors.insert(name.clone(), parse(member, text)?);
        }
    }
    Ok(())
}

fn json_error(member: &str, error: serde_json::Error) -> BundleError {
    let member = member.to_string();
    let (line, column) = (error.line(), error.column());
    let detail = strip_position(&error.to_string());

    if error.is_data() {
        BundleError::UnexpectedJson {
            member,
            line,
            column,
            detail,
        }
    } else {
        BundleError::InvalidJson {
            member,
            line,
            column,
            detail,
        }
    }
}

/// Removes serde_json's " at line L column C" suffix, which the error fields carry.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::model::TaskRow;

    #[test]
    fn parse_reports_syntax_error_position() {
        let error = check_syntax("db/task.json", "{\n  \"id\": 1,\n  oops\n}").unwrap_err();
        match error {
            BundleError::InvalidJson {
                member,
                line,
                column,
                ..
            } => {
                assert_eq!(member, "db/task.json");
                assert_eq!((line, column), (3, 3));
            }
            other => panic!("unexpected error {other:?}"),
        }
    }

    #[test]
    fn parse_reports_shape_error_as_unexpected() {
        let error = parse::<TaskRow>("db/task.json", "{\"id\": \"x\"}").unwrap_err();
        assert!(
            matches!(error, BundleError::UnexpectedJson { .. }),
            "{error:?}"
        );
        assert!(!error.to_string().contains(" at line 1 column"), "{error}");
    }

    #[test]
    fn task_member_may_be_null() {
        let mut bundle = Bundle::default();
        store(&mut bundle, "db/task.json", &KnownJson::Task, "null\n").unwrap();
        assert_eq!(bundle.task, Some(None));
    }

    #[test]
    fn as_utf8_reports_offset() {
        let error = as_utf8("db/owner.json", b"{\"a\": \"\xc3\"}").unwrap_err();
        assert!(
            matches!(error, BundleError::InvalidUtf8 { offset: 7, .. }),
            "{error:?}"
        );
    }
}
