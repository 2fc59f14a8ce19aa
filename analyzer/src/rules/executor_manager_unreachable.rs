//! The executor-manager did not respond to its health probe at collection time.
//!
//! ### What it checks
//!
//! The `/health` probe in `services/executor-manager.json`: the rule fires when it got no
//! response (connection refused, timeout, DNS) or a status other than 2xx. A failing
//! `/ready` probe is added as evidence, and so is the state of the executor-manager
//! service container from `services/containers.json`. Responses about single executors
//! are not read, because a 404 from `/executor-manager/executor/status` only means the
//! deployment is upstream, which lacks that endpoint. The wording distinguishes two cases.
//! No response means the service is down or the address is wrong. A response with an
//! HTTP status means the service is unhealthy, or another service listens there.
//!
//! The finding is critical while the current run is PENDING or RUNNING and a warning
//! otherwise. When the member is missing or holds no health probe, the rule stays silent
//! and `collection-incomplete` reports the source.
//!
//! ### Why it matters
//!
//! executor-manager dispatches runs (fork: it polls the backend; upstream: it consumes
//! the Redis queue), starts executor containers and relays every callback. While it is
//! down, pending tasks are never started and running ones cannot report their status.
//!
//! ### Known problems
//!
//! The probe runs from the collector's point of view. A wrong `--executor-manager-url`
//! looks the same as a stopped service; the container state in the evidence tells them
//! apart.
//!
//! ### Evidence
//!
//! `services/executor-manager.json` (`/health`, `/ready`), `services/containers.json`.
//!
//! ### Fix
//!
//! Start or restart the `wegent-executor-manager` container and read its log for the
//! reason it stopped; if it is running, point `collect --executor-manager-url` at the port
//! it listens on.

use super::current_run;
use crate::bundle::model::{ContainerRole, HttpProbe, members};
use crate::engine::{Context, Evidence, Finding, Msg, Rule, Severity};
use crate::i18n::Lang;

pub struct ExecutorManagerUnreachable;

impl Rule for ExecutorManagerUnreachable {
    fn id(&self) -> &'static str {
        "executor-manager-unreachable"
    }

    fn default_severity(&self) -> Severity {
        Severity::Critical
    }

    fn messages(&self, lang: Lang) -> &'static [(&'static str, &'static str)] {
        match lang {
            Lang::En => EN,
            Lang::Zh => ZH,
        }
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(manager) = cx.bundle.executor_manager.as_ref() else {
            return;
        };
        let Some(health) = manager.health.as_ref().filter(|probe| !probe.is_success()) else {
            return;
        };

        let mut evidence = vec![probe_evidence("/health", health)];
        if let Some(ready) = manager.ready.as_ref().filter(|probe| !probe.is_success()) {
            evidence.push(probe_evidence("/ready", ready));
        }

        let container = cx.bundle.containers.as_ref().and_then(|containers| {
            containers.containers.iter().find(|c| {
                c.role == ContainerRole::Service
                    && (c.name.contains("executor-manager") || c.name.contains("executor_manager"))
            })
        });
        if let Some(container) = container {
            let excerpt = format!(
                "state={} exit_code={} started_at={}",
                container.state,
                container
                    .exit_code
                    .map_or("-".to_string(), |code| code.to_string()),
                container.started_at.as_deref().unwrap_or("-"),
            );
            evidence.push(Evidence::new(
                members::CONTAINERS,
                format!("name={}", container.name),
                excerpt,
            ));
        }

        let container_running = container.is_some_and(|c| c.state == "running");
        let next_steps = if container_running {
            vec![
                Msg::new("executor-manager-unreachable.next-url"),
                Msg::new("executor-manager-unreachable.next"),
            ]
        } else {
            vec![
                Msg::new("executor-manager-unreachable.next"),
                Msg::new("executor-manager-unreachable.next-url"),
            ]
        };

        let severity = if current_run::run_is_active(cx.facts) {
            Severity::Critical
        } else {
            Severity::Warning
        };
        // An HTTP response points at a service that is up but unhealthy (or another
        // service on that port). No response at all points at a service that is down.
        let (title, detail) = match (health.status, health.error.as_deref()) {
            (Some(code), _) => (
                Msg::new("executor-manager-unreachable.title-http"),
                Msg::new("executor-manager-unreachable.detail-http")
                    .arg("url", &health.url)
                    .arg("code", code.to_string()),
            ),
            (None, error) => (
                Msg::new("executor-manager-unreachable.title"),
                Msg::new("executor-manager-unreachable.detail")
                    .arg("url", &health.url)
                    .arg(
                        "result",
                        error.map_or("-".to_string(), current_run::excerpt),
                    ),
            ),
        };

        out.push(Finding {
            rule: self.id(),
            severity,
            title,
            detail,
            evidence,
            next_steps,
        });
    }
}

fn probe_evidence(locator: &str, probe: &HttpProbe) -> Evidence {
    let outcome = match (probe.status, probe.error.as_deref()) {
        (Some(code), _) => format!("GET {} -> {code}", probe.url),
        (None, Some(error)) => format!("GET {}: {error}", probe.url),
        (None, None) => {
            return Evidence::new(
                members::EXECUTOR_MANAGER,
                locator,
                current_run::excerpt(&format!("GET {}", probe.url)),
            )
            .with_note(Msg::new("evidence.no-answer"));
        }
    };
    Evidence::new(
        members::EXECUTOR_MANAGER,
        locator,
        current_run::excerpt(&outcome),
    )
}

static EN: &[(&str, &str)] = &[
    (
        "executor-manager-unreachable.title",
        "executor-manager did not respond to its health check",
    ),
    (
        "executor-manager-unreachable.detail",
        "GET {url} got no answer at collection time ({result}). Without executor-manager no run is dispatched, no executor container is started, and no callback reaches the backend.",
    ),
    (
        "executor-manager-unreachable.title-http",
        "executor-manager answered its health check with an error",
    ),
    (
        "executor-manager-unreachable.detail-http",
        "GET {url} answered HTTP {code} at collection time instead of a 2xx status: the service is unhealthy, or the address belongs to another service. Without a working executor-manager no run is dispatched, no executor container is started, and no callback reaches the backend.",
    ),
    (
        "executor-manager-unreachable.next",
        "Check `docker ps -a --filter name=wegent-executor-manager` and `docker logs --tail 200 wegent-executor-manager` for why it stopped or fails, then start it again.",
    ),
    (
        "executor-manager-unreachable.next-url",
        "If the container is running, the probe may have used the wrong address: compose publishes port 8001, while a container started outside compose listens on 9081. Run collect again with --executor-manager-url.",
    ),
];

static ZH: &[(&str, &str)] = &[
    (
        "executor-manager-unreachable.title",
        "executor-manager 未响应健康检查",
    ),
    (
        "executor-manager-unreachable.detail",
        "采集时 GET {url} 没有应答（{result}）。没有 executor-manager，执行不会被分发，执行器容器不会启动，回调也无法送达后端。",
    ),
    (
        "executor-manager-unreachable.title-http",
        "executor-manager 的健康检查返回了错误",
    ),
    (
        "executor-manager-unreachable.detail-http",
        "采集时 GET {url} 返回 HTTP {code}，而不是 2xx 状态：服务不健康，或该地址属于另一个服务。没有正常工作的 executor-manager，执行不会被分发，执行器容器不会启动，回调也无法送达后端。",
    ),
    (
        "executor-manager-unreachable.next",
        "用 `docker ps -a --filter name=wegent-executor-manager` 和 `docker logs --tail 200 wegent-executor-manager` 查看它停止或出错的原因，然后重新启动。",
    ),
    (
        "executor-manager-unreachable.next-url",
        "如果容器正在运行，可能是探测地址不对：compose 对外发布 8001 端口，而在 compose 之外启动的容器监听 9081。请用 --executor-manager-url 重新运行 collect。",
    ),
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::bundle::model::{ContainerInfo, Containers, ExecutorManager, ExecutorProbe};
    use crate::rules::test_support::*;

    fn probe(status: Option<u16>, error: Option<&str>) -> HttpProbe {
        HttpProbe {
            url: "http://localhost:8001/health".to_string(),
            status,
            error: error.map(str::to_string),
            ..HttpProbe::default()
        }
    }

    fn with_health(health: HttpProbe) -> crate::bundle::loaded::Bundle {
        let mut bundle = bundle("RUNNING", "RUNNING");
        bundle.executor_manager = Some(ExecutorManager {
            base_url: "http://localhost:8001".to_string(),
            health: Some(health),
            ..ExecutorManager::default()
        });
        bundle
    }

    #[test]
    fn flags_refused_connection() {
        let bundle = with_health(probe(None, Some("connection refused")));

        let findings = run(&ExecutorManagerUnreachable, &bundle);

        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Critical);
        assert_eq!(findings[0].evidence[0].locator, "/health");
        assert_eq!(findings[0].title.key, "executor-manager-unreachable.title");
        assert_eq!(
            findings[0].detail.key,
            "executor-manager-unreachable.detail"
        );
        assert_catalogue(&ExecutorManagerUnreachable, &findings);
    }

    #[test]
    fn suggests_url_first_when_container_runs() {
        let mut bundle = with_health(probe(Some(502), None));
        bundle.containers = Some(Containers {
            containers: vec![ContainerInfo {
                id: "abc".to_string(),
                name: "wegent-executor-manager".to_string(),
                role: ContainerRole::Service,
                image: String::new(),
                state: "running".to_string(),
                exit_code: Some(0),
                oom_killed: false,
                created: None,
                started_at: None,
                finished_at: None,
                restart_count: 0,
                labels: BTreeMap::new(),
                mounts: Vec::new(),
                error: None,
            }],
            ..Containers::default()
        });

        let findings = run(&ExecutorManagerUnreachable, &bundle);

        assert_eq!(
            findings[0].next_steps[0].key,
            "executor-manager-unreachable.next-url"
        );
        assert_eq!(
            findings[0].title.key,
            "executor-manager-unreachable.title-http"
        );
        assert_eq!(
            findings[0].detail.key,
            "executor-manager-unreachable.detail-http"
        );
        assert_catalogue(&ExecutorManagerUnreachable, &findings);
        assert_eq!(findings[0].evidence.len(), 2);
    }

    #[test]
    fn ignores_healthy_manager_with_absent_status_endpoint() {
        let mut bundle = with_health(probe(Some(200), None));
        bundle.executor_manager.as_mut().unwrap().executors = vec![ExecutorProbe {
            executor_name: "wegent-task-admin-e47497646f4e26c".to_string(),
            endpoint: "status".to_string(),
            probe: HttpProbe {
                status: Some(404),
                ..HttpProbe::default()
            },
        }];

        assert!(run(&ExecutorManagerUnreachable, &bundle).is_empty());
    }
}
