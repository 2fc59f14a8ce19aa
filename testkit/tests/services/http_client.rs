//! A blocking HTTP/1.1 client on `TcpStream`, enough to talk to the executor-manager stand-in
//! without an HTTP client crate.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use anyhow::{Context, Result, bail};

/// Status code and body of an HTTP response.
#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub body: String,
}

impl HttpResponse {
    /// Parses the body as JSON.
    pub fn json(&self) -> Result<serde_json::Value> {
        serde_json::from_str(&self.body)
            .with_context(|| format!("response body is not JSON: {}", self.body))
    }
}

/// Sends `GET <target>` to `base_url` (`http://127.0.0.1:<port>`).
pub fn get(base_url: &str, target: &str) -> Result<HttpResponse> {
    request(base_url, "GET", target, None, Duration::from_secs(10))
}

/// Sends one request and reads the response, failing when none arrives within `timeout`.
pub fn request(
    base_url: &str,
    method: &str,
    target: &str,
    body: Option<&str>,
    timeout: Duration,
) -> Result<HttpResponse> {
    let address = base_url
        .strip_prefix("http://")
        .context("base URL must start with http://")?;
    let mut stream =
        TcpStream::connect(address).with_context(|| format!("failed to connect to {address}"))?;
    stream.set_read_timeout(Some(timeout))?;

    let body = body.unwrap_or("");
    let head = format!(
        "{method} {target} HTTP/1.1\r\nhost: {address}\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body.as_bytes())?;

    let mut raw = String::new();
    stream
        .read_to_string(&mut raw)
        .with_context(|| format!("no complete response to {method} {target} within {timeout:?}"))?;

    let Some((head, body)) = raw.split_once("\r\n\r\n") else {
        bail!("response without a header terminator: {raw:?}");
    };
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .with_context(|| format!("response without a status code: {head:?}"))?;

    Ok(HttpResponse {
        status,
        body: body.to_string(),
    })
}
