//! A pool of connections to one PostgreSQL database, opened from a URL held as a [`Secret`]
//! (feature `postgres`), for what the SDK keeps in a database several servers share: the
//! intent journal (`payments-journal`) and Zaif's nonces and send order (`zaif-ecapi`).
//!
//! One policy for both: loopback hosts and Unix sockets are reached without TLS; any other
//! host requires TLS, verified exactly as the SDK verifies providers ([`crate::http::tls_config`]).
//! The URL may hold a password, so it is never shown: errors and `Debug` name the database as
//! `postgres://host:port/database`.

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::config::{Host, SslMode};

pub use deadpool_postgres::{self, Object};
pub use tokio_postgres;

use crate::Secret;

/// Why a database could not be opened. The URL is never part of it.
#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    /// The URL does not parse as a PostgreSQL connection URL.
    #[error("not a postgres:// URL (the URL is not shown: it may hold a password)")]
    Url,
    /// The pool could not be set up (TLS configuration, pool settings).
    #[error("{database}: {message}")]
    Setup {
        /// The database, without credentials.
        database: String,
        /// What went wrong.
        message: String,
    },
}

/// A pool of connections to one database (connecting lazily), and its name without
/// credentials. Cheap to clone.
#[derive(Clone)]
pub struct Database {
    pool: Pool,
    name: String,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Database {
    /// A pool of up to `max_connections` connections to `url`
    /// (`postgres://user:password@host:port/database`). Nothing is connected yet.
    ///
    /// # Errors
    /// [`DatabaseError::Url`] for a URL that does not parse; [`DatabaseError::Setup`] when TLS
    /// or the pool cannot be configured.
    pub fn open(url: &Secret, max_connections: usize) -> Result<Database, DatabaseError> {
        let mut config: tokio_postgres::Config =
            url.expose().parse().map_err(|_| DatabaseError::Url)?;
        let name = describe(&config);
        let setup = |message: String| DatabaseError::Setup {
            database: name.clone(),
            message,
        };
        let local = config.get_hosts().iter().all(|host| match host {
            Host::Tcp(name) => {
                name == "localhost"
                    || name
                        .parse::<std::net::IpAddr>()
                        .is_ok_and(|ip| ip.is_loopback())
            }
            Host::Unix(_) => true,
        });
        config.ssl_mode(if local {
            SslMode::Disable
        } else {
            SslMode::Require
        });
        let mut tls = crate::http::tls_config(&crate::http::HttpConfig::new(
            env!("CARGO_PKG_NAME"),
            env!("CARGO_PKG_VERSION"),
        ))
        .map_err(|err| setup(err.to_string()))?;
        // The SDK's config offers HTTP's ALPN; PostgreSQL's handshake wants none of it.
        tls.alpn_protocols.clear();
        let manager = Manager::from_config(
            config,
            tokio_postgres_rustls::MakeRustlsConnect::new(tls),
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(max_connections)
            .build()
            .map_err(|err| setup(err.to_string()))?;
        Ok(Database { pool, name })
    }

    /// The database, without credentials: `postgres://host:port/database`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A connection from the pool (connecting if none is idle).
    ///
    /// # Errors
    /// The pool's error when no connection can be made; it holds no credentials.
    pub async fn connection(&self) -> Result<Object, deadpool_postgres::PoolError> {
        self.pool.get().await
    }
}

/// `postgres://host:port/database`, from the parsed config: never the user or password.
fn describe(config: &tokio_postgres::Config) -> String {
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(name)) => name.clone(),
        Some(Host::Unix(path)) => path.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let database = config.get_dbname().unwrap_or("postgres");
    format!("postgres://{host}:{port}/{database}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_database_and_never_the_password() {
        let database = Database::open(
            &Secret::new("postgres://journal:s3cret-pw@db.internal:6543/payments"),
            4,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(database.name(), "postgres://db.internal:6543/payments");
        assert!(!format!("{database:?}").contains("s3cret-pw"));
        let err = Database::open(&Secret::new("postgres://a:s3cret-pw@[::1"), 4)
            .err()
            .map(|e| format!("{e} {e:?}"))
            .unwrap_or_default();
        assert!(err.contains("not a postgres:// URL"), "{err}");
        assert!(!err.contains("s3cret-pw"), "{err}");
    }
}
