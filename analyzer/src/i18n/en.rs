//! English message catalogue.

pub static MESSAGES: &[(&str, &str)] = &[];
