//! Property tests: random text with embedded secrets never leaks them, and no input
//! makes the redactor panic.

use proptest::prelude::*;
use wegent_collector::redact::corpus::{self, CorpusRng};
use wegent_collector::redact::{IdentityKind, LineRedactor, Redactor};

/// Text around the secrets: letters, digits, punctuation, quotes, brackets, newlines
/// and some non-ASCII characters.
fn noise() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            8 => prop::char::range('a', 'z'),
            2 => prop::char::range('A', 'Z'),
            2 => prop::char::range('0', '9'),
            4 => prop::sample::select(vec![
                ' ', ' ', '\n', '\t', ',', '.', ':', ';', '=', '/', '_', '-', '"', '\'', '{', '}',
                '[', ']', '(', ')', '\\', '@', '&', '?', '#',
            ]),
            1 => prop::sample::select(vec!['é', '任', '务', '🙂']),
        ],
        0..60,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

/// Characters that end the noise before a secret and start it again after one.
fn delimiter() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        " ", "\n", "\"", "'", "=", ": ", "(", "[", ",", "\t", "<", "`", "|",
    ])
}

/// One secret in the form it is planted, and the value that must not survive.
#[derive(Debug, Clone)]
struct Planted {
    text: String,
    value: String,
}

fn shaped_secret() -> impl Strategy<Value = Planted> {
    let shapes = corpus::standalone_shapes();
    (0..shapes.len(), any::<u64>()).prop_map(move |(index, seed)| {
        let value = (shapes[index].make)(&mut CorpusRng::new(seed));
        Planted {
            text: value.clone(),
            value,
        }
    })
}

fn keyed_secret() -> impl Strategy<Value = Planted> {
    let keys = prop::sample::select(vec![
        "password",
        "api_key",
        "token",
        "secret",
        "GIT_TOKEN",
        "MYSQL_ROOT_PASSWORD",
        "apiKey",
        "access_token",
        "client_secret",
        "GIT_TOKEN_AES_KEY",
        "passwd",
        "x-api-key",
    ]);
    let forms = prop::sample::select(vec![0u8, 1, 2, 3, 4, 5]);
    (keys, "[A-Za-z0-9]{8,24}", forms).prop_map(|(key, value, form)| {
        let text = match form {
            0 => format!("{key}={value}"),
            1 => format!("{{\"{key}\": \"{value}\"}}"),
            2 => format!("{{'{key}': '{value}'}}"),
            3 => format!("{key}: {value}"),
            4 => format!("{{\\\"{key}\\\": \\\"{value}\\\"}}"),
            _ => format!("https://user:{value}@host.example.com/x?{key}=1"),
        };
        Planted { text, value }
    })
}

fn planted() -> impl Strategy<Value = Planted> {
    prop_oneof![3 => shaped_secret(), 2 => keyed_secret()]
}

/// Noise, then secrets each between delimiters and more noise.
fn document() -> impl Strategy<Value = (String, Vec<String>)> {
    (
        noise(),
        prop::collection::vec((delimiter(), planted(), delimiter(), noise()), 1..4),
    )
        .prop_map(|(start, parts)| {
            let mut text = start;
            let mut values = Vec::new();
            for (before, planted, after, tail) in parts {
                text.push_str(if planted.text.starts_with('{') {
                    " "
                } else {
                    before
                });
                text.push_str(&planted.text);
                text.push_str(if planted.text.ends_with('}') {
                    " "
                } else {
                    after
                });
                text.push_str(&tail);
                values.push(planted.value);
            }
            (text, values)
        })
}

/// 128 cases per property, or `PROPTEST_CASES` when set.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(128);
    ProptestConfig::with_cases(cases)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn embedded_secrets_never_leak((text, values) in document()) {
        let redactor = Redactor::new();
        let output = match redactor.redact_member_bytes("logs/x.txt", text.as_bytes()) {
            Some(bytes) => String::from_utf8(bytes).expect("UTF-8 in, UTF-8 out"),
            None => text.clone(),
        };
        for value in &values {
            prop_assert!(
                corpus::leak_in(&output, value).is_none(),
                "{:?} leaked from\n{}\nas\n{}",
                value, text, output
            );
        }
        prop_assert_eq!(redactor.gate_bytes(output.as_bytes()), None, "gate hit in {}", output);
        prop_assert_eq!(redactor.redact_member_bytes("logs/x.txt", output.as_bytes()), None);
    }

    #[test]
    fn line_by_line_output_never_leaks((text, values) in document()) {
        let redactor = Redactor::new();
        let mut stream = LineRedactor::new(&redactor);
        let output: String = text
            .split_inclusive('\n')
            .map(|line| stream.redact_line(line).into_owned())
            .collect();
        for value in &values {
            prop_assert!(
                corpus::leak_in(&output, value).is_none(),
                "{:?} leaked from\n{}\nas\n{}",
                value, text, output
            );
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..400)) {
        let redactor = Redactor::new().pseudonymize(true);
        redactor.remember_identity(IdentityKind::UserName, "admin");
        redactor.learn(&data);
        let _ = redactor.redact_member_bytes("x.bin", &data);
        let _ = redactor.gate_bytes(&data);
        let text = String::from_utf8_lossy(&data);
        let _ = redactor.redact_str(&text);
        let _ = redactor.redact_member_name(&text);
        redactor.remember(&text, &text);
    }

    #[test]
    fn structured_noise_never_panics(text in "[\\\\\"'{}\\[\\]:=, a-zA-Z0-9_\\-\n]{0,200}") {
        let redactor = Redactor::new();
        let output = redactor.redact_member_bytes("x.json", text.as_bytes());
        if let Some(output) = output {
            prop_assert!(String::from_utf8(output).is_ok());
        }
    }
}
