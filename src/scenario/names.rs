//! Executor container names as Wegent's executor-manager computes them:
//! `wegent-task-<user>-<hash>`.
//!
//! The user part is the user name with spaces turned into `-` and `_` into `--`, lowercased
//! and reduced to `[a-z0-9-.]`. It gets a leading `a` and a trailing `z` where it does not
//! start or end with a letter or digit, and is then cut to 10 characters. The hash part is the first 15
//! hex digits of the SHA-1 of `<user part>-<task id>-<subtask id>`.

use sha1::{Digest, Sha1};

/// Returns the name of the container that `subtask_id` of `task_id` creates for `user_name`.
pub fn executor_name(user_name: &str, task_id: u64, subtask_id: u64) -> String {
    let user = sanitize_user(user_name);
    let digest = Sha1::digest(format!("{user}-{task_id}-{subtask_id}").as_bytes());
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("wegent-task-{user}-{}", &hex[..15])
}

fn sanitize_user(user_name: &str) -> String {
    let replaced = user_name
        .replace(' ', "-")
        .replace('_', "--")
        .to_lowercase();
    let mut user: String = replaced
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.'))
        .collect();

    if !user.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        user.insert(0, 'a');
    }
    if !user.ends_with(|c: char| c.is_ascii_alphanumeric()) {
        user.push('z');
    }

    user.chars().take(10).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_documented_examples() {
        assert_eq!(
            executor_name("admin", 89, 312),
            "wegent-task-admin-e47497646f4e26c"
        );
        assert_eq!(
            executor_name("Zhang_San", 1, 2),
            "wegent-task-zhang--san-22cd8bcd9943eee"
        );
    }
}
