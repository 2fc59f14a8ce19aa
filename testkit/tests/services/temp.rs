//! Tests of `TempRoot` and `free_port`.

use std::net::TcpListener;

use testkit::{TempRoot, free_port};

#[test]
fn creates_prefixed_temp_root_and_removes_it() -> anyhow::Result<()> {
    let root = TempRoot::new("temp-check")?;
    let path = root.path().to_path_buf();
    std::fs::write(root.join("file.txt"), "contents")?;

    let name = path
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or_default();
    assert!(
        name.starts_with("wi-test-temp-check-"),
        "unexpected name {name}"
    );
    assert!(path.join("file.txt").is_file());

    drop(root);
    assert!(!path.exists(), "{} still exists", path.display());
    Ok(())
}

#[test]
fn finds_bindable_free_port() -> anyhow::Result<()> {
    let port = free_port()?;

    assert_ne!(port, 0);
    assert!(
        TcpListener::bind(("127.0.0.1", port)).is_ok(),
        "port {port} is not bindable"
    );
    Ok(())
}

#[test]
fn creates_temp_root_in_given_parent() -> anyhow::Result<()> {
    let parent = TempRoot::new("temp-parent")?;

    let child = TempRoot::new_in(parent.path(), "child")?;

    assert_eq!(child.path().parent(), Some(parent.path()));
    let name = child
        .path()
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or_default();
    assert!(name.starts_with("wi-test-child-"), "unexpected name {name}");
    Ok(())
}
