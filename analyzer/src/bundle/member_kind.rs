//! Classification of member paths into typed JSON, indexed logs and other members.

use super::model::members;

/// Kind of a member path under the version 1 layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberKind {
    Manifest,
    /// A JSON member with a type in the model; parsed into the bundle.
    Known(KnownJson),
    /// `logs/<source>.txt` or `executors/<name>/logs.txt`: streamed and indexed.
    Log,
    /// Any other `.json` member: checked for valid JSON, then ignored.
    OtherJson,
    /// Any other member: checked for UTF-8, then ignored.
    OtherText,
}

/// The typed JSON members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KnownJson {
    Deployment,
    DbServer,
    Task,
    Subtasks,
    Models,
    Owner,
    Containers,
    ExecutorManager,
    Redis,
    Workspace,
    LlmProbe,
    /// `executors/<name>/inspect.json`, with the executor name.
    ExecutorInspect(String),
}

/// Classifies a member path.
pub fn classify(path: &str) -> MemberKind {
    let known = match path {
        members::MANIFEST => return MemberKind::Manifest,
        members::DEPLOYMENT => Some(KnownJson::Deployment),
        members::DB_SERVER => Some(KnownJson::DbServer),
        members::DB_TASK => Some(KnownJson::Task),
        members::DB_SUBTASKS => Some(KnownJson::Subtasks),
        members::DB_MODELS => Some(KnownJson::Models),
        members::DB_OWNER => Some(KnownJson::Owner),
        members::CONTAINERS => Some(KnownJson::Containers),
        members::EXECUTOR_MANAGER => Some(KnownJson::ExecutorManager),
        members::REDIS => Some(KnownJson::Redis),
        members::WORKSPACE => Some(KnownJson::Workspace),
        members::LLM_PROBE => Some(KnownJson::LlmProbe),
        _ => None,
    };
    if let Some(known) = known {
        return MemberKind::Known(known);
    }

    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        ["executors", name, "inspect.json"] => {
            MemberKind::Known(KnownJson::ExecutorInspect((*name).to_string()))
        }
        ["executors", _, "logs.txt"] => MemberKind::Log,
        ["logs", file] if file.ends_with(".txt") => MemberKind::Log,
        _ if path.ends_with(".json") => MemberKind::OtherJson,
        _ => MemberKind::OtherText,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_layout_paths() {
        assert_eq!(classify("manifest.json"), MemberKind::Manifest);
        assert_eq!(classify("db/task.json"), MemberKind::Known(KnownJson::Task));
        assert_eq!(
            classify("executors/wegent-task-a/inspect.json"),
            MemberKind::Known(KnownJson::ExecutorInspect("wegent-task-a".into()))
        );
        assert_eq!(
            classify("executors/wegent-task-a/logs.txt"),
            MemberKind::Log
        );
        assert_eq!(classify("logs/backend.txt"), MemberKind::Log);
        assert_eq!(classify("logs/nested/backend.txt"), MemberKind::OtherText);
        assert_eq!(classify("executors/a/extra.json"), MemberKind::OtherJson);
        assert_eq!(classify("executors/a/notes.md"), MemberKind::OtherText);
    }
}
