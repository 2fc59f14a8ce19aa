//! Test support for wegent-inspect.
