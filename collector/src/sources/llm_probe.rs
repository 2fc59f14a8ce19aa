//! The `llm` source: whether the task model's gateway responds at all.
//!
//! Runs only with `--probe-llm`. Sends one GET to `<base_url>/models` of the model the
//! task resolves to (from db's `db/models.json` facts), without an API key or any
//! other credential: the base URL has its credentials removed already. Any HTTP answer,
//! 401 and 404 included, means the gateway is reachable; only transport errors (refused,
//! timed out, DNS) mean it is not. Writes `llm/probe.json`.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde_json::Value;
use wegent_analyzer::bundle::model::{HttpProbe, LlmProbe, ModelInfo, members};

use crate::source::{Context, Source, SourceFuture, SourceOutput};

/// Probes the model gateway.
pub struct LlmProbeSource;

/// Maximum body text kept in the probe, in bytes.
const MAX_BODY_BYTES: usize = 4096;

/// Upper bound of the request time.
const MAX_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

impl Source for LlmProbeSource {
    fn name(&self) -> &'static str {
        "llm"
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(15)
    }

    fn collect<'a>(&'a self, ctx: &'a Context, out: &'a mut SourceOutput) -> SourceFuture<'a> {
        Box::pin(collect(ctx, out))
    }
}

async fn collect(ctx: &Context, out: &mut SourceOutput) -> anyhow::Result<()> {
    if !ctx.config().probe_llm {
        out.skip("--probe-llm not given");
        return Ok(());
    }
    let Some(model) = task_model(ctx) else {
        out.skip("the task's model or its base_url is not known (the db source found none)");
        return Ok(());
    };
    let base = model.base_url.clone().unwrap_or_default();
    let url = format!("{}/models", base.trim_end_matches('/'));

    let client = reqwest::Client::builder()
        .timeout(MAX_REQUEST_TIMEOUT.min(out.timeout() * 2 / 3))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!(
            "wegent-inspect-collect/",
            env!("CARGO_PKG_VERSION")
        ))
        .build()
        .context("building the HTTP client")?;

    let started = Instant::now();
    let mut probe = HttpProbe {
        url: url.clone(),
        ..HttpProbe::default()
    };
    match client.get(&url).send().await {
        Ok(response) => {
            probe.status = Some(response.status().as_u16());
            let body = response.text().await.unwrap_or_default();
            probe.body = Some(body_value(&body));
        }
        Err(err) => probe.error = Some(describe(&err)),
    }
    probe.elapsed_ms = started.elapsed().as_millis() as u64;

    let reachable = probe.status.is_some();
    let error = probe.error.clone();
    out.json(
        members::LLM_PROBE,
        &LlmProbe {
            model: model.name.clone(),
            probe,
            reachable,
        },
    )?;
    if let Some(error) = error {
        out.problem(format!("the model gateway {url} did not answer: {error}"));
    }
    Ok(())
}

/// Returns the model the task requests, or else any model db found, with a base URL.
fn task_model(ctx: &Context) -> Option<ModelInfo> {
    let facts = ctx.facts();
    let models = facts.models.as_ref()?;
    let with_url = |m: &&ModelInfo| m.base_url.as_deref().is_some_and(|u| !u.trim().is_empty());
    let requested = models.requested.as_deref();
    models
        .models
        .iter()
        .filter(with_url)
        .find(|m| Some(m.name.as_str()) == requested)
        .or_else(|| models.models.iter().find(with_url))
        .cloned()
}

fn body_value(body: &str) -> Value {
    if body.len() <= MAX_BODY_BYTES
        && let Ok(json) = serde_json::from_str::<Value>(body)
    {
        return json;
    }
    let mut end = body.len().min(MAX_BODY_BYTES);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    Value::String(body[..end].to_string())
}

fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    let mut message = kind.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}
