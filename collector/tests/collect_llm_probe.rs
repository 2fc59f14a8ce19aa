//! `collect --probe-llm` against a model gateway stand-in on 127.0.0.1 that responds 401,
//! and against a refused port. The probe must send no credential.

mod collect_support;
mod source_support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::mpsc;

use collect_support::{MODEL_API_KEY, TASK_ID, refused_port, seed_task, temp_dir};
use source_support::{collect, member_text, no_docker};
use testkit::Flavour;
use testkit::mariadb::MariaDb;
use wegent_analyzer::bundle::model::{LlmProbe, SourceStatus};

/// Serves one request with 401 and returns the request head through the channel.
fn gateway_401() -> (u16, mpsc::Receiver<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut head = Vec::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                break;
            }
            head.push(line.trim_end().to_string());
        }
        let body = r#"{"error":"missing api key"}"#;
        let mut stream = stream;
        let _ = write!(
            stream,
            "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = sender.send(head);
    });
    (port, receiver)
}

fn set_base_url(db: &MariaDb, url: &str) {
    db.exec(&format!(
        "UPDATE kinds SET json = JSON_SET(json, '$.spec.modelConfig.env.base_url', '{url}') WHERE id = 501;"
    ))
    .expect("updating the model's base_url");
}

#[test]
fn llm_probe_reports_gateway_answers() {
    let db = MariaDb::start(Flavour::Fork).expect("starting MariaDB");
    seed_task(&db, Flavour::Fork);
    let (port, requests) = gateway_401();
    set_base_url(&db, &format!("http://127.0.0.1:{port}/v1/"));

    let dir = temp_dir();
    let docker_host = no_docker(dir.path());
    let env = [("DOCKER_HOST", docker_host.as_str())];
    let run = collect(
        dir.path(),
        TASK_ID,
        &["--database-url", &db.url(), "--probe-llm"],
        &env,
    );

    let entry = run.source("llm");
    assert_eq!(
        entry.status,
        SourceStatus::Ok,
        "{entry:?}\nstderr:\n{}",
        run.stderr()
    );
    let probe: LlmProbe = serde_json::from_str(&member_text(&run, "llm/probe.json")).unwrap();
    assert_eq!(probe.model, "wi-test-model");
    assert_eq!(probe.probe.status, Some(401));
    assert!(probe.reachable);
    assert_eq!(
        probe.probe.url,
        format!("http://127.0.0.1:{port}/v1/models")
    );

    let head = requests
        .recv_timeout(std::time::Duration::from_secs(5))
        .expect("the gateway got a request");
    assert_eq!(head[0], "GET /v1/models HTTP/1.1");
    assert!(
        !head
            .iter()
            .any(|h| h.to_ascii_lowercase().starts_with("authorization")),
        "{head:?}"
    );
    assert!(!head.iter().any(|h| h.contains(MODEL_API_KEY)), "{head:?}");

    let refused = refused_port();
    set_base_url(&db, &format!("http://127.0.0.1:{refused}/v1"));
    let dir = temp_dir();
    let run = collect(
        dir.path(),
        TASK_ID,
        &["--database-url", &db.url(), "--probe-llm"],
        &env,
    );
    let entry = run.source("llm");
    assert_eq!(entry.status, SourceStatus::Partial, "{entry:?}");
    let probe: LlmProbe = serde_json::from_str(&member_text(&run, "llm/probe.json")).unwrap();
    assert!(!probe.reachable);
    assert!(
        probe.probe.status.is_none() && probe.probe.error.is_some(),
        "{probe:?}"
    );

    let dir = temp_dir();
    let run = collect(dir.path(), TASK_ID, &["--database-url", &db.url()], &env);
    assert_eq!(run.source("llm").status, SourceStatus::Skipped);
}
