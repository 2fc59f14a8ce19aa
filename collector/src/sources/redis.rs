//! The `redis` source: upstream Wegent's task-tracking keys for this task.
//!
//! Upstream executor-manager keeps a heartbeat key, a running-task set, a per-task meta
//! hash, an executor binding and the dispatch queues in Redis. The fork keeps none of
//! these, so on a deployment already identified as the fork the source is skipped with
//! that reason. Commands are read-only: PING, TIME, GET, TTL, ZSCORE, HGETALL, EXISTS,
//! SCAN, TYPE and LLEN. Queue items are never read because they carry the full task
//! payload, API keys included; only queue lengths are recorded. Writes
//! `services/redis.json`.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context as _, anyhow};
use redis::aio::MultiplexedConnection;
use wegent_analyzer::bundle::model::{Flavour, Heartbeat, RedisState, members};

use crate::config::{strip_password, url_password};
use crate::source::{Context, Source, SourceFuture, SourceOutput};

/// Reads upstream Wegent's Redis keys of the task.
pub struct RedisSource;

/// Pattern of the dispatch queues (`wegent:task_queue:<online|offline>:<pool>`).
const QUEUE_PATTERN: &str = "wegent:task_queue:*";

/// SCAN rounds and queue keys at most, so a huge keyspace cannot stall the source.
const MAX_SCAN_ROUNDS: usize = 200;
const MAX_QUEUE_KEYS: usize = 100;

/// Maximum time to wait for the connection and for each command.
const MAX_COMMAND_TIMEOUT: Duration = Duration::from_secs(5);

impl Source for RedisSource {
    fn name(&self) -> &'static str {
        "redis"
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(15)
    }

    fn collect<'a>(&'a self, ctx: &'a Context, out: &'a mut SourceOutput) -> SourceFuture<'a> {
        Box::pin(collect(ctx, out))
    }
}

/// Error of a Redis connection that failed: where, the cause, then what to check.
fn unreachable_message(shown: &str, cause: &str) -> String {
    format!(
        "cannot reach Redis at {shown}: {cause}; check --redis-url (or REDIS_PORT and REDIS_PASSWORD in the .env of --repo-root)"
    )
}

async fn collect(ctx: &Context, out: &mut SourceOutput) -> anyhow::Result<()> {
    if ctx.facts().flavour() == Flavour::Fork {
        out.skip("this deployment is the fork, which keeps no task state in Redis");
        return Ok(());
    }

    let url = ctx.config().redis_url.clone();
    if let Some(password) = url_password(&url) {
        ctx.remember(&password, "redis-password");
    }
    let shown = strip_password(&url);
    let timeout = MAX_COMMAND_TIMEOUT.min(out.timeout() / 3);

    let mut conn = match connect(&url, timeout).await {
        Ok(conn) => conn,
        Err(err) => {
            out.json(members::REDIS, &RedisState::default())?;
            return Err(anyhow::anyhow!(unreachable_message(
                &shown,
                &format!("{err:#}")
            )));
        }
    };

    let task_id = ctx.task_id();
    let mut state = RedisState {
        reachable: true,
        ..RedisState::default()
    };
    let mut keys_seen = Vec::new();

    let (seconds, micros): (String, String) = redis::cmd("TIME")
        .query_async(&mut conn)
        .await
        .context("TIME")?;
    let server_time = seconds.parse::<f64>().unwrap_or_default()
        + micros.parse::<f64>().unwrap_or_default() / 1e6;
    state.server_time = Some(server_time);

    let heartbeat_key = format!("task:heartbeat:{task_id}");
    let value: Option<String> = redis::cmd("GET")
        .arg(&heartbeat_key)
        .query_async(&mut conn)
        .await
        .context("GET heartbeat")?;
    let ttl: i64 = redis::cmd("TTL")
        .arg(&heartbeat_key)
        .query_async(&mut conn)
        .await
        .context("TTL heartbeat")?;
    let value = value.and_then(|v| v.trim().parse::<f64>().ok());
    if value.is_some() {
        keys_seen.push(heartbeat_key.clone());
    }
    state.heartbeat = Some(Heartbeat {
        key: heartbeat_key,
        value,
        age_seconds: value.map(|v| server_time - v),
        ttl_seconds: (ttl >= 0).then_some(ttl),
    });

    let score: Option<f64> = redis::cmd("ZSCORE")
        .arg("running_tasks:heartbeat")
        .arg(task_id)
        .query_async(&mut conn)
        .await
        .context("ZSCORE running_tasks:heartbeat")?;
    state.running_set_score = score;
    let running_set_exists: bool = redis::cmd("EXISTS")
        .arg("running_tasks:heartbeat")
        .query_async(&mut conn)
        .await
        .context("EXISTS")?;
    if running_set_exists {
        keys_seen.push("running_tasks:heartbeat".to_string());
    }

    let meta_key = format!("running_task:meta:{task_id}");
    let meta: BTreeMap<String, String> = redis::cmd("HGETALL")
        .arg(&meta_key)
        .query_async(&mut conn)
        .await
        .context("HGETALL running_task:meta")?;
    if !meta.is_empty() {
        keys_seen.push(meta_key);
    }
    if let Some(name) = meta.get("executor_name").filter(|n| !n.trim().is_empty()) {
        ctx.facts()
            .extra_executor_names
            .insert(name.trim().to_string());
    }
    state.running_task_meta = meta;

    let binding_key = format!("task_executor:{task_id}");
    state.task_executor_binding = redis::cmd("EXISTS")
        .arg(&binding_key)
        .query_async(&mut conn)
        .await
        .context("EXISTS task_executor")?;
    if state.task_executor_binding {
        keys_seen.push(binding_key);
    }
    out.json(members::REDIS, &state)?;

    let (queues, complete) = queue_lengths(&mut conn).await?;
    if !complete {
        out.truncated(format!(
            "queue scan stopped after {MAX_QUEUE_KEYS} keys or {MAX_SCAN_ROUNDS} SCAN rounds"
        ));
    }
    keys_seen.extend(queues.keys().cloned());
    state.queue_lengths = queues;
    out.json(members::REDIS, &state)?;

    let mut facts = ctx.facts();
    facts.redis = Some(state);
    facts.redis_keys_seen = keys_seen;
    Ok(())
}

async fn connect(url: &str, timeout: Duration) -> anyhow::Result<MultiplexedConnection> {
    let client = redis::Client::open(url).map_err(|e| anyhow!("invalid Redis URL: {e}"))?;
    let settings = redis::AsyncConnectionConfig::new()
        .set_connection_timeout(timeout)
        .set_response_timeout(timeout);
    let mut conn = tokio::time::timeout(
        timeout,
        client.get_multiplexed_async_connection_with_config(&settings),
    )
    .await
    .map_err(|_| {
        anyhow!(
            "no response within {}",
            crate::runner::format_duration(timeout)
        )
    })?
    .map_err(|e| anyhow!("{e}"))?;
    let _: String = redis::cmd("PING")
        .query_async(&mut conn)
        .await
        .map_err(|e| anyhow!("PING: {e}"))?;
    Ok(conn)
}

/// `LLEN` of every list matching [`QUEUE_PATTERN`]; the flag is false when the scan
/// stopped early.
async fn queue_lengths(
    conn: &mut MultiplexedConnection,
) -> anyhow::Result<(BTreeMap<String, i64>, bool)> {
    let mut lengths = BTreeMap::new();
    let mut cursor: u64 = 0;
    for _ in 0..MAX_SCAN_ROUNDS {
        let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(QUEUE_PATTERN)
            .arg("COUNT")
            .arg(1000)
            .query_async(conn)
            .await
            .context("SCAN for queue keys")?;
        for key in keys {
            let kind: String = redis::cmd("TYPE")
                .arg(&key)
                .query_async(conn)
                .await
                .context("TYPE")?;
            if kind != "list" {
                continue;
            }
            let length: i64 = redis::cmd("LLEN")
                .arg(&key)
                .query_async(conn)
                .await
                .context("LLEN")?;
            lengths.insert(key, length);
            if lengths.len() >= MAX_QUEUE_KEYS {
                return Ok((lengths, false));
            }
        }
        if next == 0 {
            return Ok((lengths, true));
        }
        cursor = next;
    }
    Ok((lengths, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreachable_names_cause_before_fix() {
        let message = unreachable_message("redis://127.0.0.1:6390/0", "Connection refused");
        let cause = message.find("Connection refused").unwrap();
        let fix = message.find("check --redis-url").unwrap();
        assert!(cause < fix, "{message}");
    }
}
