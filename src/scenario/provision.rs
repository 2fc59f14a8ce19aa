//! Builds the throwaway deployment of one scenario: MariaDB with its rows, Redis with its
//! keys, executor and executor-manager containers, the executor-manager stand-in, the
//! workspace repository and the log files.
//!
//! [`Deployment`] owns every resource it started; dropping it stops the servers, removes the
//! containers and deletes the temporary directories, also when provisioning fails halfway.
//! Containers carry the label `wi-test-scenario=<name>` besides `wi-test=1`, so leftovers of
//! an interrupted run are removed before the next one starts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::Utc;
use testkit::docker::{self, ContainerSpec, TestContainer};
use testkit::em::{StandIn, StandInConfig, StandInExecutor};
use testkit::git::RepoBuilder;
use testkit::mariadb::{MariaDb, ROOT_PASSWORD};
use testkit::redis::RedisServer;
use testkit::{Flavour, TempRoot, free_port};

use super::docker_log::backdate;
use super::names::executor_name;
use super::spec::{Container, ContainerState, Scenario};
use super::sql::inserts;
use super::template::Vars;

/// Label that ties a container to the scenario that started it.
pub const SCENARIO_LABEL: &str = "wi-test-scenario";

/// Password of the fork's Redis, which requires one.
const FORK_REDIS_PASSWORD: &str = "wi-test-redis-pw";

/// Maximum wait for an `exited` container to stop.
const EXIT_WAIT: Duration = Duration::from_secs(30);

/// Maximum wait for a running container to print its log.
const LOG_WAIT: Duration = Duration::from_secs(10);

/// A provisioned scenario. Field order is drop order: containers first, the temporary
/// directories last.
pub struct Deployment {
    containers: Vec<TestContainer>,
    em_container: Option<TestContainer>,
    stand_in: Option<StandIn>,
    redis: RedisServer,
    database: Option<MariaDb>,
    /// Values of the `collect` options that point at this deployment.
    pub targets: Targets,
    root: TempRoot,
}

/// Locations of the deployment's services, as `collect` options take them.
#[derive(Debug, Clone)]
pub struct Targets {
    pub task_id: u64,
    pub database_url: String,
    pub mysql_container: String,
    pub executor_manager_url: String,
    pub executor_manager_container: String,
    pub redis_url: String,
    pub workspace_root: PathBuf,
    pub repo_root: PathBuf,
}

impl Deployment {
    /// Provisions `scenario` from nothing.
    pub fn start(scenario: &Scenario) -> Result<Deployment> {
        docker::ensure_engine()?;
        docker::remove_test_containers_labelled(SCENARIO_LABEL, &scenario.name)
            .context("failed to remove containers left over from an earlier recording")?;

        let vars = vars_for(scenario);
        let root = TempRoot::new(&format!("scenario-{}", scenario.name))?;
        let workspace_root = root.join("wecode-bot");
        let repo_root = root.join("wegent");
        std::fs::create_dir_all(&workspace_root)
            .with_context(|| format!("failed to create {}", workspace_root.display()))?;
        std::fs::create_dir_all(&repo_root)
            .with_context(|| format!("failed to create {}", repo_root.display()))?;

        let (database, database_url) = start_database(scenario, &vars)?;
        let redis = start_redis(scenario, &vars)?;
        build_workspace(scenario, &vars, &workspace_root)?;
        write_log_files(scenario, &vars, &repo_root)?;

        let mut deployment = Deployment {
            containers: Vec::new(),
            em_container: None,
            stand_in: None,
            targets: Targets {
                task_id: scenario.task_id,
                database_url,
                mysql_container: format!("wi-test-{}-mysql", scenario.name),
                executor_manager_url: String::new(),
                executor_manager_container: scenario.em_container_name(),
                redis_url: redis.url(),
                workspace_root: workspace_root.clone(),
                repo_root,
            },
            redis,
            database,
            root,
        };

        let mut executors = Vec::new();
        for (index, container) in scenario.containers.iter().enumerate() {
            let name = vars.executors[&container.key].clone();
            let started = start_container(scenario, container, &name, &vars, &workspace_root)?;
            let port = container.port.unwrap_or(10001 + index as u16);

            match container.state {
                ContainerState::Removed => started
                    .remove()
                    .with_context(|| format!("failed to remove the executor {name}"))?,
                ContainerState::Exited => {
                    started.wait_exit(EXIT_WAIT)?;
                    backdate(started.id(), log_zone(), line_count(&container.log))?;
                    executors.push(stand_in_executor(
                        scenario, container, &name, "exited", port,
                    ));
                    deployment.containers.push(started);
                }
                ContainerState::Running => {
                    wait_for_log(&started, !container.log.trim().is_empty())?;
                    backdate(started.id(), log_zone(), line_count(&container.log))?;
                    executors.push(stand_in_executor(
                        scenario, container, &name, "running", port,
                    ));
                    deployment.containers.push(started);
                }
            }
        }

        if scenario.executor_manager.container {
            let em = start_em_container(scenario, &vars)?;
            wait_for_log(&em, !scenario.executor_manager.log.trim().is_empty())?;
            backdate(
                em.id(),
                log_zone(),
                line_count(&scenario.executor_manager.log),
            )?;
            deployment.em_container = Some(em);
        }

        deployment.targets.executor_manager_url = if scenario.executor_manager.reachable {
            let mut config = StandInConfig::new(scenario.flavour);
            config.executors = executors;
            config.max_concurrent_tasks = scenario.executor_manager.max_concurrent_tasks;
            config.healthy = scenario.executor_manager.healthy;
            let stand_in = StandIn::start(config)?;
            let url = stand_in.url();
            deployment.stand_in = Some(stand_in);
            url
        } else {
            format!("http://127.0.0.1:{}", free_port()?)
        };

        Ok(deployment)
    }

    /// Returns the temporary directory that contains the workspace, the repo root and scratch
    /// files.
    pub fn scratch(&self) -> &Path {
        self.root.path()
    }

    /// Returns the database server, absent when the scenario makes MySQL unreachable.
    pub fn database(&self) -> Option<&MariaDb> {
        self.database.as_ref()
    }

    /// Returns the Redis server, for checks after the collection.
    pub fn redis(&self) -> &RedisServer {
        &self.redis
    }
}

/// Computes the template values of a recording that starts now.
pub fn vars_for(scenario: &Scenario) -> Vars {
    let executors: BTreeMap<String, String> = scenario
        .containers
        .iter()
        .map(|c| {
            let task_id = c.task_id.unwrap_or(scenario.task_id);
            (c.key.clone(), executor_name(&c.user, task_id, c.subtask_id))
        })
        .collect();

    Vars {
        now: Utc::now(),
        task_id: scenario.task_id,
        scenario: scenario.name.clone(),
        em_container: scenario.em_container_name(),
        executors,
    }
}

fn start_database(scenario: &Scenario, vars: &Vars) -> Result<(Option<MariaDb>, String)> {
    if !scenario.database.reachable {
        let port = free_port()?;
        let url = format!("mysql://root:{ROOT_PASSWORD}@127.0.0.1:{port}/task_manager");
        return Ok((None, url));
    }

    let database = MariaDb::start(scenario.flavour)?;
    if let Some(zone) = &scenario.database.global_time_zone {
        database.exec(&format!(
            "SET GLOBAL time_zone = '{}';",
            zone.replace('\'', "")
        ))?;
    }

    let sql = inserts(&scenario.rows, vars)?;
    database
        .exec(&sql)
        .with_context(|| format!("scenario {}: inserting the rows failed", scenario.name))?;

    for file in &scenario.sql_files {
        let path = scenario.dir.join(file);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("failed to read the SQL file {}", path.display()))?;
        let sql = vars.expand(&text, file)?;
        database
            .exec(&sql)
            .with_context(|| format!("scenario {}: running {file} failed", scenario.name))?;
    }

    let url = database.url();
    Ok((Some(database), url))
}

fn start_redis(scenario: &Scenario, vars: &Vars) -> Result<RedisServer> {
    let redis = match scenario.flavour {
        Flavour::Fork => RedisServer::start_with_password(FORK_REDIS_PASSWORD)?,
        Flavour::Upstream => RedisServer::start()?,
    };

    for (index, command) in scenario.redis.iter().enumerate() {
        let args = command
            .args
            .iter()
            .map(|arg| vars.expand(arg, &format!("redis[{index}]")))
            .collect::<Result<Vec<_>>>()?;
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let reply = redis.cli(&args)?;
        if reply.starts_with("ERR") || reply.starts_with("WRONGTYPE") {
            anyhow::bail!(
                "scenario {}: redis command {:?} failed: {reply}",
                scenario.name,
                args
            );
        }
    }

    Ok(redis)
}

fn build_workspace(scenario: &Scenario, vars: &Vars, workspace_root: &Path) -> Result<()> {
    let Some(workspace) = &scenario.workspace else {
        return Ok(());
    };

    let dir = workspace_root
        .join(scenario.task_id.to_string())
        .join(&workspace.repo);
    let repo = RepoBuilder::init(&dir, &workspace.branch)?;
    if let Some(remote) = &workspace.remote {
        repo.add_remote("origin", &vars.expand(remote, "workspace.remote")?)?;
    }

    for (index, commit) in workspace.commits.iter().enumerate() {
        if let Some(branch) = &commit.new_branch {
            repo.checkout_new_branch(branch)?;
        }
        let at = vars.at(&commit.at)?;
        let date = format!("@{} +0800", at.timestamp());
        for (path, contents) in &commit.files {
            let what = format!("workspace.commits[{index}].files.{path}");
            repo.write_file(path, &vars.expand(contents, &what)?)?;
            repo.stage(path)?;
        }
        repo.commit(&commit.message, &date)?;
    }

    for (path, contents) in &workspace.dirty {
        repo.write_file(
            path,
            &vars.expand(contents, &format!("workspace.dirty.{path}"))?,
        )?;
    }

    Ok(())
}

fn write_log_files(scenario: &Scenario, vars: &Vars, repo_root: &Path) -> Result<()> {
    for file in &scenario.log_files {
        if file
            .path
            .split('/')
            .any(|part| part == ".." || part.is_empty())
        {
            anyhow::bail!(
                "scenario {}: log file path {:?} must be relative and stay inside the repo root",
                scenario.name,
                file.path
            );
        }
        let path = repo_root.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("failed to create {}", parent.display()))?;
        }
        let text = vars.expand(&file.text, &file.path)?;
        std::fs::write(&path, text)
            .with_context(|| format!("failed to write {}", path.display()))?;
    }
    Ok(())
}

fn start_container(
    scenario: &Scenario,
    container: &Container,
    name: &str,
    vars: &Vars,
    workspace_root: &Path,
) -> Result<TestContainer> {
    let what = format!("containers.{}", container.key);
    let log = vars.expand(&container.log, &format!("{what}.log"))?;
    let script = vars.expand(&container.script, &format!("{what}.script"))?;
    let ending = match container.state {
        ContainerState::Exited => format!("exit {}", container.exit_code),
        ContainerState::Running | ContainerState::Removed => "exec sleep 86400".to_string(),
    };
    let command = format!("{}{script}\n{ending}\n", print_lines(&log));

    let task_id = container.task_id.unwrap_or(scenario.task_id);
    let next = container
        .subtask_next_id
        .clone()
        .unwrap_or_else(|| match scenario.flavour {
            Flavour::Fork => "None".to_string(),
            Flavour::Upstream => String::new(),
        });

    let mut spec = ContainerSpec::wegent_named(name, command)
        .with_label(SCENARIO_LABEL, &scenario.name)
        .with_label("owner", "executor_manager")
        .with_label("task_id", task_id.to_string())
        .with_label("subtask_id", container.subtask_id.to_string())
        .with_label("user", &container.user)
        .with_label("aigc.weibo.com/team-mode", &container.team_mode)
        .with_label("aigc.weibo.com/task-type", &container.task_type)
        .with_label("subtask_next_id", next)
        .with_env("EXECUTOR_NAME", name)
        .with_env("TZ", "Asia/Shanghai")
        .with_env("LANG", "en_US.UTF-8")
        .with_env(
            "CALLBACK_URL",
            "http://executor_manager:8001/executor-manager/callback",
        )
        .with_env("TASK_API_DOMAIN", "http://wegent-backend:8000");
    if scenario.flavour == Flavour::Upstream {
        spec = spec
            .with_env("EXECUTOR_MODE", "docker")
            .with_env("HEARTBEAT_TYPE", "task")
            .with_env("HEARTBEAT_ENABLED", "true");
    }
    for (key, value) in &container.env {
        spec = spec.with_env(key, vars.expand(value, &format!("{what}.env.{key}"))?);
    }
    if let Some(memory) = &container.memory {
        spec = spec.with_memory(memory);
        spec.extra_args.push(format!("--memory-swap={memory}"));
    }
    if container.mount_workspace {
        spec = spec.with_mount(workspace_root, "/workspace");
    }

    TestContainer::run(&spec).with_context(|| {
        format!(
            "scenario {}: starting the executor {name} failed",
            scenario.name
        )
    })
}

fn start_em_container(scenario: &Scenario, vars: &Vars) -> Result<TestContainer> {
    let log = vars.expand(&scenario.executor_manager.log, "executor_manager.log")?;
    let command = format!("{}exec sleep 86400\n", print_lines(&log));
    let spec = ContainerSpec::new(scenario.em_container_name(), command)
        .with_label(SCENARIO_LABEL, &scenario.name)
        .with_env("TZ", "Asia/Shanghai");

    TestContainer::run(&spec).with_context(|| {
        format!(
            "scenario {}: starting the executor-manager container failed",
            scenario.name
        )
    })
}

/// Zone of the executor-manager's and the executors' log times (`TZ=Asia/Shanghai`).
fn log_zone() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset")
}

fn line_count(log: &str) -> usize {
    log.trim_end_matches('\n').lines().count()
}

/// Returns shell lines that print `log` exactly, through a quoted here-document.
fn print_lines(log: &str) -> String {
    if log.trim().is_empty() {
        return String::new();
    }
    let body = log.trim_end_matches('\n');
    format!("cat <<'WI_TEST_LOG_END'\n{body}\nWI_TEST_LOG_END\n")
}

/// Waits until a running container has printed something, so the collection reads its log.
fn wait_for_log(container: &TestContainer, expects_output: bool) -> Result<()> {
    if !expects_output {
        return Ok(());
    }
    let deadline = Instant::now() + LOG_WAIT;
    loop {
        let logs = container.logs()?;
        if !logs.stdout.is_empty() || !logs.stderr.is_empty() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            anyhow::bail!(
                "container {} printed nothing within {} s",
                container.name(),
                LOG_WAIT.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn stand_in_executor(
    scenario: &Scenario,
    container: &Container,
    name: &str,
    state: &str,
    port: u16,
) -> StandInExecutor {
    let task_id = container.task_id.unwrap_or(scenario.task_id);
    let mut executor = StandInExecutor::running(name, task_id, container.subtask_id)
        .with_state(state)
        .with_port(port);
    executor.task_type = container.task_type.clone();
    executor.subtask_next_id = container.subtask_next_id.clone();
    executor
}
