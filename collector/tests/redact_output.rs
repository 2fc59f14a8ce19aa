//! What `collect` itself prints passes through the redactor: tracing lines and errors.

use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use tracing_subscriber::fmt::MakeWriter;
use wegent_collector::redact::{RedactingMakeWriter, RedactingWriter, Redactor};

/// Collects everything written into one shared buffer.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[test]
fn tracing_lines_are_redacted() {
    let capture = Capture::default();
    let redactor = Arc::new(Redactor::new());
    let subscriber = tracing_subscriber::fmt()
        .with_writer(RedactingMakeWriter::new(
            capture.clone(),
            Arc::clone(&redactor),
        ))
        .with_ansi(false)
        .finish();

    tracing::subscriber::with_default(subscriber, || {
        tracing::info!("connecting to mysql://root:Sup3rSecret@127.0.0.1:3306/task_manager");
        tracing::warn!(url = "redis://:redisPw99@redis:6379/0", "redis unreachable");
        tracing::info!("collecting mysql");
    });

    let text = capture.text();
    assert!(!text.contains("Sup3rSecret"), "{text}");
    assert!(!text.contains("redisPw99"), "{text}");
    assert!(text.contains("collecting mysql"), "{text}");
    assert_eq!(text.lines().count(), 3, "{text}");
    assert_eq!(
        redactor.summary().total,
        0,
        "output is not counted in the bundle"
    );
}

#[test]
fn output_masks_match_bundle_masks() {
    let capture = Capture::default();
    let redactor = Arc::new(Redactor::new());
    redactor.remember("opaqueEnvValue-12", "container-env");
    let mut writer = RedactingWriter::new(capture.clone(), Arc::clone(&redactor));
    writer
        .write_all(b"env value opaqueEnvValue-12 seen\n")
        .unwrap();

    let bundle = redactor
        .redact_member_bytes("x.txt", b"opaqueEnvValue-12")
        .unwrap();
    let mask = String::from_utf8(bundle).unwrap();
    assert!(
        capture.text().contains(&mask),
        "{} / {mask}",
        capture.text()
    );
}

#[test]
fn partial_lines_wait_for_newline_or_flush() {
    let capture = Capture::default();
    let redactor = Arc::new(Redactor::new());
    let mut writer = RedactingWriter::new(capture.clone(), redactor);

    writer.write_all(b"password=hun").unwrap();
    assert_eq!(capture.text(), "");
    writer.write_all(b"ter2x\nnext line pass").unwrap();
    assert!(
        capture.text().starts_with("password=[REDACTED:password:"),
        "{}",
        capture.text()
    );
    writer.write_all(b"word=abc12345").unwrap();
    writer.flush().unwrap();
    let text = capture.text();
    let expected = regex::Regex::new(
        r"^password=\[REDACTED:password:[0-9a-f]{8}\]\nnext line password=\[REDACTED:password:[0-9a-f]{8}\]$",
    )
    .unwrap();
    assert!(expected.is_match(&text), "{text}");
}

#[test]
fn dropped_writer_emits_rest() {
    let capture = Capture::default();
    let redactor = Arc::new(Redactor::new());
    {
        let mut writer = RedactingWriter::new(capture.clone(), redactor);
        writer.write_all(b"token=abcdef123").unwrap();
    }
    assert!(
        capture.text().starts_with("token=[REDACTED:token:"),
        "{}",
        capture.text()
    );
}

#[test]
fn pem_block_in_one_event_is_masked() {
    let capture = Capture::default();
    let redactor = Arc::new(Redactor::new());
    let mut writer = RedactingWriter::new(capture.clone(), redactor);
    let block = "error: bad key\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nqwertyuiop==\n-----END RSA PRIVATE KEY-----\n";
    writer.write_all(block.as_bytes()).unwrap();
    let text = capture.text();
    assert!(!text.contains("MIIEowIBAAKCAQEA7"), "{text}");
    assert!(
        text.starts_with("error: bad key\n[REDACTED:pem-private-key:"),
        "{text}"
    );
}

#[test]
fn error_messages_are_redacted() {
    let redactor = Redactor::new();
    let token = format!("glpat-{}", "AbCdEfGhIjKlMnOpQrSt");
    let error = anyhow::anyhow!("HTTP 401 from https://oauth2:{token}@gitlab.example.com/x.git")
        .context("cloning workspace failed");
    let text = redactor.redact_str(&format!("{error:#}")).into_owned();
    assert!(!text.contains(&token), "{text}");
    assert!(text.contains("cloning workspace failed"), "{text}");
}
