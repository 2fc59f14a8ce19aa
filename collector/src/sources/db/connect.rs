//! Connection setup for the read-only MySQL session.
//!
//! The connection uses sqlx with rustls (TLS when the server offers it) and leaves the
//! session time zone alone, so `@@session.time_zone` and `NOW()` show the server's own
//! default. When the URL's host does not respond and `--mysql-container` names a running
//! container, the connection goes to that container's IP address on port 3306 instead.
//! The container is only inspected, never changed. Right after connecting the session is
//! made read-only (`SET SESSION TRANSACTION READ ONLY`, `START TRANSACTION READ ONLY`).

use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context as _, anyhow};
use sqlx::mysql::{MySqlConnectOptions, MySqlSslMode};
use sqlx::{ConnectOptions, Connection, Executor, MySqlConnection};

use crate::config::strip_password;

/// Port MySQL listens on inside its container.
const CONTAINER_PORT: u16 = 3306;

/// An open read-only session and how it was reached.
pub struct Session {
    pub conn: MySqlConnection,
    /// `host:port` actually used; differs from the URL after the container fallback.
    pub address: String,
    /// Name of the container whose IP address was used, if the fallback applied.
    pub via_container: Option<String>,
}

/// Connects within `connect_timeout` and starts a read-only transaction.
pub async fn open(
    database_url: &str,
    container: &str,
    connect_timeout: Duration,
) -> anyhow::Result<Session> {
    let shown_url = strip_password(database_url);
    let options = MySqlConnectOptions::from_str(database_url)
        .map_err(|e| anyhow!("invalid --database-url {shown_url}: {e}"))?
        .timezone(None)
        .ssl_mode(MySqlSslMode::Preferred);
    let address = format!("{}:{}", options.get_host(), options.get_port());

    let first = try_connect(&options, connect_timeout).await;
    let (conn, address, via_container) = match first {
        Ok(conn) => (conn, address, None),
        Err(ConnectFailure::Refused(reason)) => match container_address(container).await {
            Ok(Some(ip)) => {
                tracing::info!(
                    container,
                    "{address} did not answer; trying container {container} at {ip}:{CONTAINER_PORT}"
                );
                let fallback = options.clone().host(&ip).port(CONTAINER_PORT);
                let conn = try_connect(&fallback, connect_timeout).await.map_err(|e| {
                        anyhow!(
                            "cannot connect to MySQL at {address} ({reason}) nor through container {container} at {ip}:{CONTAINER_PORT} ({}); check that MySQL runs and --database-url",
                            e.reason()
                        )
                    })?;
                (
                    conn,
                    format!("{ip}:{CONTAINER_PORT}"),
                    Some(container.to_string()),
                )
            }
            Ok(None) | Err(_) => {
                return Err(anyhow!(
                    "cannot connect to MySQL at {address}: {reason}; check that MySQL runs and that --database-url names its host and port"
                ));
            }
        },
        Err(ConnectFailure::Rejected(reason)) => {
            return Err(anyhow!(
                "MySQL at {address} rejected the connection: {reason}; check the user and password in --database-url (or MYSQL_ROOT_PASSWORD in the .env of --repo-root)"
            ));
        }
    };

    let mut session = Session {
        conn,
        address,
        via_container,
    };
    begin_read_only(&mut session.conn).await?;
    Ok(session)
}

async fn begin_read_only(conn: &mut MySqlConnection) -> anyhow::Result<()> {
    conn.execute("SET SESSION TRANSACTION READ ONLY")
        .await
        .context("making the session read-only")?;
    conn.execute("START TRANSACTION READ ONLY")
        .await
        .context("starting a read-only transaction")?;
    Ok(())
}

/// Ends the transaction without changes and closes the session.
pub async fn close(mut session: Session) {
    let _ = session.conn.execute("ROLLBACK").await;
    let _ = session.conn.close().await;
}

enum ConnectFailure {
    /// No response (refused, unreachable, timed out), so the fallback may help.
    Refused(String),
    /// The server responded and rejected the connection (credentials, unknown database, TLS).
    Rejected(String),
}

impl ConnectFailure {
    fn reason(&self) -> &str {
        match self {
            ConnectFailure::Refused(r) | ConnectFailure::Rejected(r) => r,
        }
    }
}

async fn try_connect(
    options: &MySqlConnectOptions,
    timeout: Duration,
) -> Result<MySqlConnection, ConnectFailure> {
    match tokio::time::timeout(timeout, options.connect()).await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(sqlx::Error::Io(e))) => Err(ConnectFailure::Refused(e.to_string())),
        Ok(Err(e)) => Err(ConnectFailure::Rejected(e.to_string())),
        Err(_) => Err(ConnectFailure::Refused(format!(
            "no response within {}",
            crate::runner::format_duration(timeout)
        ))),
    }
}

/// IP address of a running container, read with a Docker inspect.
async fn container_address(name: &str) -> anyhow::Result<Option<String>> {
    if name.trim().is_empty() {
        return Ok(None);
    }
    let docker = bollard::Docker::connect_with_local_defaults().context("connecting to Docker")?;
    let inspect = tokio::time::timeout(
        Duration::from_secs(5),
        docker.inspect_container(
            name,
            None::<bollard::query_parameters::InspectContainerOptions>,
        ),
    )
    .await
    .context("inspecting the MySQL container timed out")?
    .with_context(|| format!("inspecting container {name}"))?;

    let running = inspect
        .state
        .as_ref()
        .and_then(|s| s.running)
        .unwrap_or(false);
    if !running {
        return Ok(None);
    }
    let networks = inspect
        .network_settings
        .and_then(|n| n.networks)
        .unwrap_or_default();
    let ip = networks
        .into_values()
        .filter_map(|endpoint| endpoint.ip_address)
        .find(|ip| !ip.is_empty());
    Ok(ip)
}
