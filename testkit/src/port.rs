//! Free TCP ports on the loopback interface.

use std::net::{Ipv4Addr, TcpListener};

use anyhow::{Context, Result};

/// Returns a TCP port on 127.0.0.1 that was free a moment ago.
///
/// The port is found by binding port 0 and closing the socket again, so another process can
/// take it before the caller binds it. The servers in this crate therefore retry with a new
/// port when binding fails.
pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .context("failed to bind 127.0.0.1:0 to find a free port")?;

    let port = listener
        .local_addr()
        .context("failed to read the address of a socket bound to 127.0.0.1:0")?
        .port();

    Ok(port)
}
