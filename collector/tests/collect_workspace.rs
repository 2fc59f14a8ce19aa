//! `collect` reading the task's workspace: a real git repository with commits at fixed
//! times, a feature branch, dirty files, remotes with credentials in their URLs, stale
//! index stat data, and the agent home that must be skipped. The repository must come
//! out unchanged: the index keeps its bytes and its modification time.

mod collect_support;
mod source_support;

use std::fs::{self, File};
use std::time::{Duration, SystemTime};

use collect_support::temp_dir;
use source_support::{collect, member_text, no_docker};
use testkit::TempRoot;
use testkit::git::RepoBuilder;
use wegent_analyzer::bundle::model::{SourceStatus, Workspace};

const TASK: i64 = 4711;
const TOKEN: &str = "ghp_witestworkspacetoken0123456789abcdef";
const USER_TOKEN: &str = "glpat-witestworkspaceusertoken0123";

#[test]
fn workspace_is_read_without_writing() {
    let root = TempRoot::new("workspace").unwrap();
    let repo = RepoBuilder::init(root.join(format!("{TASK}/project")), "main").unwrap();
    repo.commit_file("a.txt", "one\n", "Add a", "2026-01-20T14:03:12+08:00")
        .unwrap();
    repo.commit_file("b.txt", "two\n", "Add b", "2026-01-20T14:30:00+08:00")
        .unwrap();
    repo.checkout_new_branch("wegent-fix-login").unwrap();
    let head = repo
        .commit("Fix login", "2026-01-20T15:00:00+08:00")
        .unwrap();
    repo.add_remote(
        "origin",
        &format!("https://token:{TOKEN}@github.com/acme/project.git"),
    )
    .unwrap();
    repo.add_remote(
        "mirror",
        &format!("https://{USER_TOKEN}@gitlab.example/acme/project.git"),
    )
    .unwrap();
    repo.write_file("a.txt", "changed\n").unwrap();
    repo.write_file("new.txt", "untracked\n").unwrap();

    // Stale stat data: `git status` would rewrite the index after this; collect must not.
    File::options()
        .write(true)
        .open(repo.path().join("b.txt"))
        .unwrap()
        .set_modified(SystemTime::now() - Duration::from_secs(30))
        .unwrap();

    let home = RepoBuilder::init(root.join(format!("{TASK}/.wegent_home")), "main").unwrap();
    home.commit("agent home", "2026-01-20T14:00:00+08:00")
        .unwrap();

    let index = repo.path().join(".git/index");
    let index_bytes = fs::read(&index).unwrap();
    let index_mtime = fs::metadata(&index).unwrap().modified().unwrap();

    let dir = temp_dir();
    let docker_host = no_docker(dir.path());
    let run = collect(
        dir.path(),
        TASK,
        &["--workspace-root", &root.path().display().to_string()],
        &[("DOCKER_HOST", &docker_host)],
    );

    assert_eq!(
        fs::read(&index).unwrap(),
        index_bytes,
        "index bytes changed"
    );
    assert_eq!(
        fs::metadata(&index).unwrap().modified().unwrap(),
        index_mtime,
        "index mtime changed"
    );

    let entry = run.source("workspace");
    assert_eq!(
        entry.status,
        SourceStatus::Ok,
        "{entry:?}\nstderr:\n{}",
        run.stderr()
    );

    let workspace: Workspace =
        serde_json::from_str(&member_text(&run, "workspace/git.json")).unwrap();
    assert_eq!(workspace.repositories.len(), 1, "{workspace:#?}");
    let found = &workspace.repositories[0];
    assert!(
        found.path.ends_with(&format!("{TASK}/project")),
        "{}",
        found.path
    );
    assert_eq!(found.branch.as_deref(), Some("wegent-fix-login"));
    assert_eq!(found.head.as_deref(), Some(head.as_str()));

    let summaries: Vec<&str> = found.commits.iter().map(|c| c.summary.as_str()).collect();
    assert_eq!(summaries, vec!["Fix login", "Add b", "Add a"]);
    assert_eq!(found.commits[0].time, "2026-01-20T15:00:00+08:00");
    assert_eq!(found.commits[0].id, head);

    assert_eq!(
        found.dirty,
        vec![" M a.txt".to_string(), "?? new.txt".to_string()]
    );
    assert!(!found.dirty_truncated);

    assert_eq!(
        found.remotes.get("origin").map(String::as_str),
        Some("https://github.com/acme/project.git")
    );
    assert_eq!(
        found.remotes.get("mirror").map(String::as_str),
        Some("https://gitlab.example/acme/project.git")
    );
    let all = run.all_member_text();
    for secret in [TOKEN, USER_TOKEN] {
        assert!(!all.contains(secret), "credential {secret} leaked");
    }
}

#[test]
fn workspace_missing_is_skipped() {
    let dir = temp_dir();
    let docker_host = no_docker(dir.path());
    let run = collect(dir.path(), TASK, &[], &[("DOCKER_HOST", &docker_host)]);
    let entry = run.source("workspace");
    assert_eq!(entry.status, SourceStatus::Skipped, "{entry:?}");
    assert!(entry.error.unwrap_or_default().contains("--workspace-root"));
}

#[test]
fn workspace_found_through_executor_mounts() {
    use collect_support::{TASK_ID, seed_task};
    use testkit::Flavour;
    use testkit::docker::{ContainerSpec, TestContainer, unique_name};
    use testkit::mariadb::MariaDb;
    use wegent_analyzer::bundle::model::{ContainerRole, Containers};

    let db = MariaDb::start(Flavour::Fork).expect("starting MariaDB");
    seed_task(&db, Flavour::Fork);
    let name = unique_name("exec").replace("wi-test-", "wegent-task-wi-test-");
    db.exec(&format!(
        "UPDATE subtasks SET executor_name = '{name}' WHERE id = 312;"
    ))
    .unwrap();

    let host = TempRoot::new("mounts").unwrap();
    let workspace_repo =
        RepoBuilder::init(host.join(format!("workspace/{TASK_ID}/project")), "main").unwrap();
    workspace_repo
        .commit("In the workspace", "2026-01-20T14:00:00+08:00")
        .unwrap();
    let persistent = RepoBuilder::init(host.join("repos/wi-test-repo"), "main").unwrap();
    persistent
        .commit("In the persistent repo", "2026-01-20T14:10:00+08:00")
        .unwrap();
    RepoBuilder::init(host.join("repos/other-task-repo"), "main").unwrap();

    let task_info =
        serde_json::json!({"task_id": TASK_ID, "repo_dir": "/wegent_repos/wi-test-repo"})
            .to_string();
    // Named by the subtask only, without executor-manager's labels.
    let executor = TestContainer::run(
        &ContainerSpec::wegent_named(&name, "exec sleep 600")
            .with_env("TASK_INFO", task_info)
            .with_mount(host.join("workspace"), "/workspace")
            .with_mount(host.join("repos"), "/wegent_repos"),
    )
    .expect("starting the executor");

    let dir = temp_dir();
    let run = collect(dir.path(), TASK_ID, &["--database-url", &db.url()], &[]);

    let containers: Containers =
        serde_json::from_str(&member_text(&run, "services/containers.json")).unwrap();
    let info = containers
        .containers
        .iter()
        .find(|c| c.name == name)
        .expect("executor recorded");
    assert_eq!(info.role, ContainerRole::Executor);

    let entry = run.source("workspace");
    assert_eq!(
        entry.status,
        SourceStatus::Ok,
        "{entry:?}\nstderr:\n{}",
        run.stderr()
    );
    let workspace: Workspace =
        serde_json::from_str(&member_text(&run, "workspace/git.json")).unwrap();
    let summaries: Vec<&str> = workspace
        .repositories
        .iter()
        .map(|r| r.commits[0].summary.as_str())
        .collect();
    assert_eq!(
        summaries,
        vec!["In the workspace", "In the persistent repo"],
        "{workspace:#?}"
    );
    assert!(
        !workspace
            .repositories
            .iter()
            .any(|r| r.path.contains("other-task-repo"))
    );

    drop(executor);
}

#[test]
fn workspace_of_other_user_fails_with_hint() {
    use std::os::unix::fs::MetadataExt;

    let root = TempRoot::new("workspace-owner").unwrap();
    if fs::metadata(root.path()).unwrap().uid() != 0 {
        eprintln!("skipped: changing a repository's owner needs root");
        return;
    }
    let repo = RepoBuilder::init(root.join(format!("{TASK}/project")), "main").unwrap();
    repo.commit("Owned by someone else", "2026-01-20T14:00:00+08:00")
        .unwrap();
    for path in [repo.path().to_path_buf(), repo.path().join(".git")] {
        std::os::unix::fs::chown(&path, Some(65534), Some(65534)).unwrap();
    }

    let dir = temp_dir();
    let docker_host = no_docker(dir.path());
    let run = collect(
        dir.path(),
        TASK,
        &["--workspace-root", &root.path().display().to_string()],
        &[("DOCKER_HOST", &docker_host)],
    );

    let entry = run.source("workspace");
    assert_eq!(entry.status, SourceStatus::Failed, "{entry:?}");
    let error = entry.error.unwrap_or_default();
    assert!(error.contains("belongs to another user"), "{error}");
    assert!(error.contains("project"), "{error}");
}
