//! The `db` source: the task's rows from Wegent's MySQL database, read-only.
//!
//! Writes `db/server.json`, `db/task.json` (`null` when the task does not exist),
//! `db/subtasks.json`, `db/models.json` and `db/owner.json`, and publishes them in
//! [`crate::source::Facts`] for the sources that follow. Only SELECT statements run, inside
//! a read-only transaction that is rolled back at the end (see [`connect`]).

mod connect;
mod models;
mod server;
mod sql;
mod subtasks;
mod task;

use std::time::Duration;

use wegent_analyzer::bundle::model::{Subtasks, members};

use crate::config::url_password;
use crate::redact::IdentityKind;
use crate::source::{Context, Source, SourceFuture, SourceOutput};

pub use models::strip_url_credentials;

/// Reads Wegent's MySQL database.
pub struct DbSource;

/// Maximum time to wait for the server to accept the connection.
const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

impl Source for DbSource {
    fn name(&self) -> &'static str {
        "db"
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(30)
    }

    fn collect<'a>(&'a self, ctx: &'a Context, out: &'a mut SourceOutput) -> SourceFuture<'a> {
        Box::pin(collect(ctx, out))
    }
}

async fn collect(ctx: &Context, out: &mut SourceOutput) -> anyhow::Result<()> {
    let config = ctx.config();
    if let Some(password) = url_password(&config.database_url) {
        ctx.remember(&password, "database-password");
    }

    let connect_timeout = MAX_CONNECT_TIMEOUT.min(out.timeout() / 3);
    let mut session = connect::open(
        &config.database_url,
        &config.mysql_container,
        connect_timeout,
    )
    .await?;
    if let Some(container) = &session.via_container {
        tracing::info!(
            container = %container,
            "the --database-url host did not respond; connected through container {container} at {}",
            session.address
        );
    }

    let result = read_all(ctx, out, &mut session.conn).await;
    connect::close(session).await;
    result
}

async fn read_all(
    ctx: &Context,
    out: &mut SourceOutput,
    conn: &mut sqlx::MySqlConnection,
) -> anyhow::Result<()> {
    let task_id = ctx.task_id();

    let info = server::read(conn).await?;
    out.json(members::DB_SERVER, &info.server)?;
    ctx.facts().db_server = Some(info.server.clone());

    let task = task::read_task(conn, &info, task_id).await?;
    out.json(members::DB_TASK, &task)?;
    ctx.facts().task = Some(task.clone());

    let subtasks = subtasks::read(conn, &info, task_id).await?;
    for note in &subtasks.truncation {
        out.truncated(note.clone());
    }
    let subtasks = Subtasks {
        subtasks: subtasks.rows,
    };
    out.json(members::DB_SUBTASKS, &subtasks)?;
    ctx.facts().subtasks = Some(subtasks.clone());

    let Some(task) = task else {
        tracing::info!(task_id, "task {task_id} not found in the database");
        return Ok(());
    };

    match models::read(conn, &info, ctx, &task, &subtasks.subtasks).await {
        Ok(models) => {
            out.json(members::DB_MODELS, &models)?;
            ctx.facts().models = Some(models);
        }
        Err(err) => out.problem(format!("{err:#}")),
    }

    match task::read_owner(conn, &info, task.user_id).await {
        Ok(Some(owner)) => {
            ctx.remember_identity(IdentityKind::UserName, &owner.user_name);
            ctx.facts().owner_name = Some(owner.user_name.clone());
            out.json(members::DB_OWNER, &owner)?;
        }
        Ok(None) => out.problem(format!("owner user {} of the task not found", task.user_id)),
        Err(err) => out.problem(format!("{err:#}")),
    }
    Ok(())
}
