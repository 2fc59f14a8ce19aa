//! Simplified Chinese message catalogue.

pub static MESSAGES: &[(&str, &str)] = &[];
