//! [`PostgresNonce`]: one nonce sequence and send order per API key, shared by every process
//! and host that uses the same PostgreSQL database (feature `postgres`): for a merchant who
//! runs PostgreSQL and no Redis.
//!
//! **The nonce** is one row per key (`zaif_ecapi_nonces`, the key's sha1, never the key),
//! advanced in one statement on the database's own clock: `max(now, last + 1)` in microseconds,
//! under the row's lock, so every instance draws from one strictly increasing sequence. A
//! stored nonce more than a day ahead of the database's clock is refused, never sent.
//!
//! **The key's turn across hosts** ([`NonceSource::begin_call`]): a session-level advisory
//! lock (`pg_advisory_lock`) on a number derived from the key's sha1, taken in the same
//! transaction that issues the nonce, so a nonce is only ever handed to the lock's holder.
//! The turn keeps its connection until it is dropped, which releases the lock; a holder whose
//! process dies loses its session, and PostgreSQL releases the lock with it (no lease to wait
//! out). A waiter gives up after 60 seconds (`lock_timeout`), nothing sent.
//!
//! If the database cannot be reached, taking a nonce fails with a transport error *before*
//! anything is sent to Zaif; there is no fallback to a local clock, which would break the
//! other instances.

use payments_core::postgres::tokio_postgres::{self, SimpleQueryMessage};
use payments_core::postgres::{Database, Object};
use payments_core::{Error, Secret, SendPhase};
use tokio::sync::OnceCell;

use super::method::AuthMethod;
use super::nonce::{MAX_NONCE_LEAD, Nonce, NonceSource, NonceTurn, check_lead};
use crate::PROVIDER;

/// The setting the store is configured by, named in its errors.
const SETTING: &str = "ZAIF_NONCE_POSTGRES_URL";

/// How long a call waits for the key's turn before giving up (nothing sent).
const TURN_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// Creating the table is serialized across hosts (`pg_advisory_xact_lock`) on this number.
const SCHEMA_LOCK: i64 = 0x7a61_6966_6e6f_6e63; // "zaifnonc"

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS zaif_ecapi_nonces (
    key TEXT PRIMARY KEY,
    last_nonce BIGINT NOT NULL
)";

/// A nonce source backed by PostgreSQL. Connects on first use; a broken connection is replaced
/// by the pool.
pub struct PostgresNonce {
    database: Database,
    /// The key's sha1: the row's key and the source of the lock number.
    key: String,
    lock: i64,
    schema: OnceCell<()>,
}

impl std::fmt::Debug for PostgresNonce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password: the database is named without it.
        f.debug_struct("PostgresNonce")
            .field("database", &self.database.name())
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl PostgresNonce {
    /// A source for `api_key` in the database at `url` (`postgres://user:password@host/db`,
    /// held as a secret and never shown). Nothing is connected until the first nonce.
    pub fn new(url: &Secret, api_key: &Secret) -> Result<PostgresNonce, Error> {
        let database =
            Database::open(url, 16).map_err(|e| Error::configuration(SETTING, e.to_string()))?;
        Ok(PostgresNonce::on(database, api_key))
    }

    /// A source for `api_key` on an already opened pool (several keys may share one).
    pub fn on(database: Database, api_key: &Secret) -> PostgresNonce {
        let key = AuthMethod::Sha1.hash(api_key).expose().to_owned();
        // The first eight bytes of the sha1, as the advisory lock's 64-bit number.
        let lock =
            u64::from_str_radix(&key[..16], 16).map_or(0, |n| i64::from_ne_bytes(n.to_ne_bytes()));
        PostgresNonce {
            database,
            key,
            lock,
            schema: OnceCell::new(),
        }
    }

    /// The row's key (the API key's sha1).
    pub fn row_key(&self) -> &str {
        &self.key
    }

    async fn connection(&self) -> Result<Object, Error> {
        let client = self
            .database
            .connection()
            .await
            .map_err(|e| self.unavailable(&e.to_string()))?;
        self.schema
            .get_or_try_init(|| async {
                client
                    .batch_execute(&format!(
                        "BEGIN; SELECT pg_advisory_xact_lock({SCHEMA_LOCK}); {SCHEMA}; COMMIT"
                    ))
                    .await
                    .map_err(|e| self.failed(&e))
            })
            .await?;
        Ok(client)
    }

    /// The statement that advances the key's row, on the database's clock; no row when the
    /// stored nonce is more than a day ahead of it. Only our own hex and numbers are formatted
    /// in: it runs as a simple query, in one round trip with the lock.
    fn advance(&self) -> String {
        let lead = u64::try_from(MAX_NONCE_LEAD.as_micros()).unwrap_or(u64::MAX);
        format!(
            "WITH now AS (SELECT floor(extract(epoch FROM clock_timestamp()) * 1000000)::bigint AS micros)
             INSERT INTO zaif_ecapi_nonces AS n (key, last_nonce) SELECT '{key}', micros FROM now
             ON CONFLICT (key) DO UPDATE SET last_nonce = GREATEST(EXCLUDED.last_nonce, n.last_nonce + 1)
             WHERE n.last_nonce <= EXCLUDED.last_nonce + {lead}
             RETURNING last_nonce",
            key = self.key,
        )
    }

    /// Runs `sql` and reads the nonce it returned; a refusal when the row was too far ahead.
    async fn take(&self, client: &Object, sql: &str) -> Result<Nonce, Error> {
        let messages = client
            .simple_query(sql)
            .await
            .map_err(|e| self.failed(&e))?;
        let returned = messages.iter().find_map(|message| match message {
            // The lock's own row (a void) comes first in a turn's batch: only ours counts.
            SimpleQueryMessage::Row(row)
                if row.columns().first().map(|c| c.name()) == Some("last_nonce") =>
            {
                Some(row.get(0).and_then(|v| v.parse::<u64>().ok()))
            }
            _ => None,
        });
        match returned {
            Some(Some(micros)) => Ok(Nonce::from_micros(micros)),
            Some(None) => Err(self.unavailable("the nonce row does not hold a whole number")),
            None => Err(check_lead(SETTING, u64::MAX, 0)
                .err()
                .unwrap_or_else(|| self.unavailable("no nonce was returned"))),
        }
    }

    fn failed(&self, error: &tokio_postgres::Error) -> Error {
        if error.code() == Some(&tokio_postgres::error::SqlState::LOCK_NOT_AVAILABLE) {
            return Error::Transport {
                provider: PROVIDER,
                phase: SendPhase::NotSent,
                message: format!(
                    "another process held this API key's turn longer than {}s; nothing was sent",
                    TURN_WAIT.as_secs()
                ),
                source: None,
            };
        }
        self.unavailable(&error.to_string())
    }

    fn unavailable(&self, why: &str) -> Error {
        Error::Transport {
            provider: PROVIDER,
            phase: SendPhase::NotSent,
            message: format!(
                "the nonce store (PostgreSQL, {}) is unavailable, nothing was sent to Zaif: {why}",
                self.database.name()
            ),
            source: None,
        }
    }
}

/// The key's turn: its connection, holding the advisory lock until dropped.
struct Turn {
    client: Option<Object>,
    lock: i64,
}

impl Drop for Turn {
    fn drop(&mut self) {
        let Some(client) = self.client.take() else {
            return;
        };
        let lock = self.lock;
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    let unlocked = client
                        .simple_query(&format!("SELECT pg_advisory_unlock({lock})"))
                        .await;
                    if unlocked.is_err() {
                        // Closing the session releases every lock it held.
                        drop(Object::take(client));
                    }
                });
            }
            // No runtime to unlock on: closing the session releases the lock.
            Err(_) => drop(Object::take(client)),
        }
    }
}

#[async_trait::async_trait]
impl NonceSource for PostgresNonce {
    async fn next_nonce(&self) -> Result<Nonce, Error> {
        let client = self.connection().await?;
        self.take(&client, &self.advance()).await
    }

    /// Takes the key's advisory lock (waiting while another session holds it) and the nonce in
    /// one transaction; the lock is held until the returned turn is dropped.
    async fn begin_call(&self) -> Result<NonceTurn, Error> {
        let client = self.connection().await?;
        let sql = format!(
            "BEGIN; SET LOCAL lock_timeout = '{wait}s'; SELECT pg_advisory_lock({lock}); {advance}; COMMIT",
            wait = TURN_WAIT.as_secs(),
            lock = self.lock,
            advance = self.advance(),
        );
        let turn = Turn {
            client: Some(client),
            lock: self.lock,
        };
        let Some(client) = turn.client.as_ref() else {
            return Err(self.unavailable("no connection"));
        };
        // On any failure the turn is dropped, which gives the lock back (a session-level lock
        // outlives the failed transaction).
        let nonce = self.take(client, &sql).await?;
        Ok(NonceTurn::new(nonce, Some(Box::new(turn))))
    }
}
