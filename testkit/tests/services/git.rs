//! Tests of the git repository builder.

use anyhow::Result;
use testkit::TempRoot;
use testkit::git::RepoBuilder;

#[test]
fn builds_branch_commits_remote_and_dirty_files() -> Result<()> {
    let root = TempRoot::new("git")?;
    let repo = RepoBuilder::init(root.join("89/app"), "wegent-fix-login")?;

    let first = repo.commit_file(
        "src/login.rs",
        "fn login() {}\n",
        "Add login",
        "2026-01-20T14:00:00+08:00",
    )?;
    let second = repo.commit("Empty follow-up", "@1768888992 +0000")?;
    repo.add_remote(
        "origin",
        "https://token:ghp_secret@git.example.invalid/org/app.git",
    )?;
    repo.write_file("src/login.rs", "fn login() { todo!() }\n")?;
    repo.write_file("notes.txt", "untracked\n")?;

    assert_ne!(first, second);
    assert_eq!(repo.head()?, second);
    assert_eq!(
        repo.git(&["rev-parse", "--abbrev-ref", "HEAD"])?.trim(),
        "wegent-fix-login"
    );
    assert_eq!(
        repo.git(&["log", "--format=%ct %cn %s"])?,
        "1768888992 wi-test Empty follow-up\n1768888800 wi-test Add login\n"
    );
    assert_eq!(
        repo.git(&["remote", "get-url", "origin"])?.trim(),
        "https://token:ghp_secret@git.example.invalid/org/app.git"
    );
    assert_eq!(
        repo.git(&["status", "--porcelain=v1"])?,
        " M src/login.rs\n?? notes.txt\n"
    );
    Ok(())
}

#[test]
fn checks_out_new_branch_and_stages_files() -> Result<()> {
    let root = TempRoot::new("git")?;
    let repo = RepoBuilder::init(root.join("repo"), "main")?;
    repo.commit("Initial", "2026-01-20T14:00:00+00:00")?;

    repo.checkout_new_branch("wegent-feature")?;
    repo.write_file("staged.txt", "staged\n")?;
    repo.stage("staged.txt")?;

    assert_eq!(
        repo.git(&["branch", "--show-current"])?.trim(),
        "wegent-feature"
    );
    assert_eq!(repo.git(&["status", "--porcelain=v1"])?, "A  staged.txt\n");
    Ok(())
}

#[test]
fn rejects_path_outside_repository() -> Result<()> {
    let root = TempRoot::new("git")?;
    let repo = RepoBuilder::init(root.join("repo"), "main")?;

    assert!(repo.write_file("../escape.txt", "no").is_err());
    assert!(repo.write_file("/tmp/escape.txt", "no").is_err());
    assert!(!root.join("escape.txt").exists());
    Ok(())
}
