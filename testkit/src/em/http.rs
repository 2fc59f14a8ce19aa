//! A minimal HTTP/1.1 server on a [`TcpListener`]. It serves one request per connection, each
//! on its own thread, and sends every response with `Connection: close`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::{RecordedRequest, Shared, lock, routes};

/// Maximum size of a request head (request line and headers) the server reads.
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Maximum size of a request body the server drains before it responds.
const MAX_BODY_BYTES: u64 = 1024 * 1024;

/// Time a client has to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// An HTTP response to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}

impl Response {
    /// Returns a JSON response.
    pub fn json(status: u16, body: &serde_json::Value) -> Response {
        Response {
            status,
            content_type: "application/json",
            body: body.to_string(),
        }
    }

    /// Returns a plain-text response.
    pub fn text(status: u16, body: &str) -> Response {
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.to_string(),
        }
    }
}

/// Accepts connections until `shared.stopping` is set, serving each on its own thread.
pub(super) fn serve(listener: TcpListener, shared: Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }

        let Ok(stream) = stream else {
            continue;
        };

        let shared = Arc::clone(&shared);
        let _ = std::thread::Builder::new()
            .name("em-stand-in-connection".to_string())
            .spawn(move || handle(stream, &shared));
    }
}

fn handle(stream: TcpStream, shared: &Shared) {
    let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
    let mut reader = BufReader::new(stream);

    let response = match read_request(&mut reader) {
        Ok(request) => {
            lock(&shared.requests).push(request.clone());
            wait_for_configured_delay(&request, shared);
            let config = lock(&shared.config).clone();
            routes::respond(&request, &config)
        }
        Err(reason) => Response::text(400, &format!("Bad Request: {reason}")),
    };

    let mut stream = reader.into_inner();
    let _ = write_response(&mut stream, &response);
    let _ = stream.shutdown(std::net::Shutdown::Write);
}

/// Reads the request head and drains the body, so that closing the socket does not reset a
/// connection whose client is still reading the response.
fn read_request(reader: &mut BufReader<TcpStream>) -> Result<RecordedRequest, String> {
    let mut head_bytes = 0;
    let mut request_line = String::new();
    head_bytes += reader
        .read_line(&mut request_line)
        .map_err(|error| format!("cannot read the request line: {error}"))?;

    let mut parts = request_line.split_whitespace();
    let (Some(method), Some(target), Some(_version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(format!(
            "malformed request line {:?}",
            request_line.trim_end()
        ));
    };

    let mut content_length: u64 = 0;
    let mut chunked = false;
    loop {
        let mut line = String::new();
        let read = reader
            .read_line(&mut line)
            .map_err(|error| format!("cannot read a header: {error}"))?;
        head_bytes += read;

        if read == 0 || line == "\r\n" || line == "\n" {
            break;
        }
        if head_bytes > MAX_HEAD_BYTES {
            return Err(format!("request head longer than {MAX_HEAD_BYTES} bytes"));
        }

        if let Some((name, value)) = line.split_once(':') {
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                content_length = value.parse().unwrap_or(0);
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.eq_ignore_ascii_case("chunked");
            }
        }
    }

    drain_body(reader, content_length, chunked);

    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path.to_string(), Some(query.to_string())),
        None => (target.to_string(), None),
    };

    Ok(RecordedRequest {
        method: method.to_string(),
        path,
        query,
    })
}

fn drain_body(reader: &mut BufReader<TcpStream>, content_length: u64, chunked: bool) {
    if chunked {
        // The stand-in never needs a body, so a chunked one is read until the terminating
        // chunk arrives or the client pauses.
        let _ = reader
            .get_ref()
            .set_read_timeout(Some(Duration::from_millis(200)));
        let mut tail = Vec::new();
        let mut buffer = [0u8; 4096];
        while let Ok(read) = reader.read(&mut buffer) {
            if read == 0 {
                break;
            }
            tail.extend_from_slice(&buffer[..read]);
            if tail.ends_with(b"0\r\n\r\n") || tail.len() as u64 > MAX_BODY_BYTES {
                break;
            }
        }
        return;
    }

    let _ = std::io::copy(
        &mut reader.by_ref().take(content_length.min(MAX_BODY_BYTES)),
        &mut std::io::sink(),
    );
}

fn wait_for_configured_delay(request: &RecordedRequest, shared: &Shared) {
    let (delay, paths) = {
        let config = lock(&shared.config);
        (config.delay, config.delayed_paths.clone())
    };

    let applies = paths.is_empty() || paths.contains(&request.path);
    if !applies || delay.is_zero() {
        return;
    }

    // Sleeping in short steps lets a dropped stand-in end its connection threads quickly.
    let deadline = Instant::now() + delay;
    while Instant::now() < deadline && !shared.stopping.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(10).min(deadline - Instant::now()));
    }
}

fn write_response(stream: &mut TcpStream, response: &Response) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: {}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        response.status,
        reason_phrase(response.status),
        response.content_type,
        response.body.len()
    );

    stream.write_all(head.as_bytes())?;
    stream.write_all(response.body.as_bytes())?;
    stream.flush()
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        422 => "Unprocessable Entity",
        500 => "Internal Server Error",
        _ => "Unknown",
    }
}

/// Returns the percent-decoded value of the first parameter called `name` in `query`.
pub(super) fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(key) == name).then(|| percent_decode(value))
    })
}

/// Decodes `%XX` escapes, and `+` as a space, the way HTML forms encode
/// queries. Invalid escapes are kept as written.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;

    while index < bytes.len() {
        let escaped = (bytes[index] == b'%')
            .then(|| bytes.get(index + 1..index + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());

        match (bytes[index], escaped) {
            (_, Some(byte)) => {
                decoded.push(byte);
                index += 3;
            }
            (b'+', None) => {
                decoded.push(b' ');
                index += 1;
            }
            (byte, None) => {
                decoded.push(byte);
                index += 1;
            }
        }
    }

    String::from_utf8_lossy(&decoded).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_query_parameter_escapes() {
        let query = "executor_name=wegent-task-a%2Fb+c&other=1";

        assert_eq!(
            query_param(query, "executor_name").as_deref(),
            Some("wegent-task-a/b c")
        );
        assert_eq!(query_param(query, "other").as_deref(), Some("1"));
        assert_eq!(query_param(query, "missing"), None);
    }

    #[test]
    fn keeps_invalid_percent_escapes() {
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
