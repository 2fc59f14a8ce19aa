//! Throwaway services and fixtures for wegent-inspect tests.
//!
//! Every resource this crate creates is marked as a test resource, so a test never touches
//! anything it did not create. Temporary directories start with `wi-test-`, Docker containers
//! carry the label `wi-test=1`, and servers listen on a free port of 127.0.0.1 only.
//!
//! - [`mariadb`]: a MariaDB server on a temporary data directory, with Wegent's schema.
//! - [`redis`]: a redis-server without persistence.
//! - [`docker`]: containers from the local busybox image `wi-test-busybox:latest`.
//! - [`em`]: an HTTP stand-in for Wegent's executor-manager.
//! - [`git`]: real git repositories with chosen branches, commit times, remotes and dirty files.
//! - [`TempRoot`] and [`free_port`]: the building blocks the services above share.
//!
//! The APIs are synchronous and use only the standard library plus command-line tools
//! (`mariadbd`, `redis-server`, `docker`, `git`), which `scripts/test.sh` installs.
//!
//! # Example
//!
//! A collector test seeds a fork database, starts an executor container and a stand-in that
//! knows it, and checks afterwards that only reads reached the database and the stand-in:
//!
//! ```no_run
//! use testkit::Flavour;
//! use testkit::docker::{ContainerSpec, TestContainer};
//! use testkit::em::{StandIn, StandInConfig, StandInExecutor};
//! use testkit::mariadb::MariaDb;
//!
//! # fn main() -> anyhow::Result<()> {
//! let database = MariaDb::start(Flavour::Fork)?;
//! database.exec("INSERT INTO tasks (id, user_id, kind, name, json) VALUES (89, 1, 'Task', 'task-89', '{}');")?;
//! database.enable_general_log()?;
//!
//! let name = "wegent-task-admin-e47497646f4e26c";
//! let executor = TestContainer::run(
//!     &ContainerSpec::wegent_named(name, "sleep 600")
//!         .with_label("owner", "executor_manager")
//!         .with_label("task_id", "89"),
//! )?;
//! let stand_in = StandIn::start(
//!     StandInConfig::new(Flavour::Fork).with_executor(StandInExecutor::running(name, 89, 312)),
//! )?;
//!
//! // Run the collector against database.url() and stand_in.url() here.
//!
//! assert_eq!(database.general_log()?.tcp_non_read_statements(), Vec::<&str>::new());
//! assert!(stand_in.requests().iter().all(|request| request.method == "GET"));
//! # drop(executor);
//! # Ok(())
//! # }
//! ```

mod command;
pub mod docker;
pub mod em;
mod flavour;
pub mod git;
pub mod mariadb;
mod port;
pub mod redis;
mod temp;

pub use flavour::Flavour;
pub use port::free_port;
pub use temp::TempRoot;
