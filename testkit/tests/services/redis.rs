//! Tests of the throwaway Redis server.

use std::net::TcpStream;
use std::process::Command;

use anyhow::Result;
use testkit::redis::RedisServer;

#[test]
fn runs_commands_without_password() -> Result<()> {
    let redis = RedisServer::start()?;

    assert_eq!(
        redis.cli(&["SET", "task:heartbeat:89", "1768888992.5"])?,
        "OK"
    );
    assert_eq!(redis.cli(&["GET", "task:heartbeat:89"])?, "1768888992.5");
    assert_eq!(redis.url(), format!("redis://127.0.0.1:{}/0", redis.port()));
    Ok(())
}

#[test]
fn keeps_nothing_on_disk() -> Result<()> {
    let redis = RedisServer::start()?;

    assert_eq!(redis.cli(&["CONFIG", "GET", "save"])?, "save\n");
    assert_eq!(
        redis.cli(&["CONFIG", "GET", "appendonly"])?,
        "appendonly\nno"
    );
    Ok(())
}

#[test]
fn requires_configured_password() -> Result<()> {
    let redis = RedisServer::start_with_password("wi-test-redis-pw")?;

    assert_eq!(redis.cli(&["PING"])?, "PONG");
    assert_eq!(
        redis.url(),
        format!("redis://:wi-test-redis-pw@127.0.0.1:{}/0", redis.port())
    );

    let anonymous = Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "-p", &redis.port().to_string(), "PING"])
        .env_remove("REDISCLI_AUTH")
        .output()?;
    let output = String::from_utf8_lossy(&anonymous.stdout);
    assert!(
        output.contains("NOAUTH"),
        "anonymous PING returned {output:?}"
    );
    Ok(())
}

#[test]
fn stops_on_drop() -> Result<()> {
    let redis = RedisServer::start()?;
    let port = redis.port();

    drop(redis);

    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "port {port} still accepts connections"
    );
    Ok(())
}
