//! Line-by-line redaction of streamed text, with the state that PEM blocks need.
//!
//! Every rule but one works within a line, so a stream can be redacted one line at a
//! time with [`Redactor::redact_str`]. A PEM private key spans lines. Once a line opens
//! a block that it does not close, [`LineRedactor`] masks each following line of key
//! material (base64 lines and `Name: value` headers) until the END line. When the END
//! line never comes, masking stops at the first line that is not key material.

use std::borrow::Cow;

use super::engine::Redactor;
use super::pem;

/// Name of the rule under which streamed key lines are masked.
const PEM_RULE: &str = "pem-private-key";

/// Redacts a stream one line at a time; create one per stream.
#[derive(Debug)]
pub struct LineRedactor<'a> {
    redactor: &'a Redactor,
    inside_private_key: bool,
}

impl<'a> LineRedactor<'a> {
    pub fn new(redactor: &'a Redactor) -> LineRedactor<'a> {
        LineRedactor {
            redactor,
            inside_private_key: false,
        }
    }

    /// Redacts the next line of the stream (with or without its line break).
    pub fn redact_line<'l>(&mut self, line: &'l str) -> Cow<'l, str> {
        if self.inside_private_key {
            if let Some(end) = pem::closing_end(line.as_bytes()) {
                self.inside_private_key = false;
                let rest = self.redact_line(&line[end..]);
                let mask = self.redactor.mask_for(PEM_RULE, &line.as_bytes()[..end]);
                return Cow::Owned(format!("{mask}{rest}"));
            }
            if pem::is_key_material_line(line.as_bytes()) {
                let body = line.trim_end_matches(['\n', '\r']);
                let mask = self.redactor.mask_for(PEM_RULE, body.trim().as_bytes());
                return Cow::Owned(format!("{mask}{}", &line[body.len()..]));
            }
            self.inside_private_key = false;
        }

        if pem::opens_block(line.as_bytes()) {
            self.inside_private_key = true;
        }
        self.redactor.redact_str(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(lines: &[&str]) -> Vec<String> {
        let redactor = Redactor::new();
        let mut stream = LineRedactor::new(&redactor);
        lines
            .iter()
            .map(|line| stream.redact_line(line).into_owned())
            .collect()
    }

    #[test]
    fn masks_every_line_of_a_block() {
        let out = stream(&[
            "loading key\n",
            "-----BEGIN RSA PRIVATE KEY-----\n",
            "MIIEowIBAAKCAQEAsecretline1\n",
            "Zm9vYmFyYmF6secretline2==\n",
            "-----END RSA PRIVATE KEY----- loaded\n",
            "done\n",
        ]);
        assert_eq!(out[0], "loading key\n");
        assert!(out[1].starts_with("[REDACTED:pem-private-key:"), "{out:?}");
        assert!(out[2].starts_with("[REDACTED:pem-private-key:"), "{out:?}");
        assert!(out[2].ends_with("]\n"), "{out:?}");
        assert!(!out.concat().contains("secretline"), "{out:?}");
        assert!(out[4].ends_with(" loaded\n"), "{out:?}");
        assert_eq!(out[5], "done\n");
    }

    #[test]
    fn unterminated_block_stops_at_ordinary_line() {
        let out = stream(&[
            "-----BEGIN OPENSSH PRIVATE KEY-----",
            "b3BlbnNzaC1rZXktdjEAAAAA",
            "2026-01-20 14:00:00 INFO next task",
        ]);
        assert!(out[1].starts_with("[REDACTED:"));
        assert_eq!(out[2], "2026-01-20 14:00:00 INFO next task");
    }
}
