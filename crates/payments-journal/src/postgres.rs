//! [`PostgresStore`]: the journal in PostgreSQL, for several servers sharing one journal (feature
//! `postgres`). The same tables, columns and promises as [`crate::SqliteStore`]; every write is
//! one transaction, durable when it returns (PostgreSQL's default `synchronous_commit`), and a
//! key is claimed by a unique constraint, so two servers racing for one key send one payment.

use std::path::PathBuf;
use std::time::SystemTime;

use payments_core::Secret;
use payments_core::postgres::tokio_postgres::types::ToSql;
use payments_core::postgres::tokio_postgres::{self, Row, Statement};
use payments_core::postgres::{Database, DatabaseError, Object};

use crate::error::{JournalError, StoreProblem};
use crate::intent::{COLUMNS, Intent, IntentState, Outcome, now_ms, to_ms};
use crate::store::{Claim, IntentStore, Lease};

/// The newest schema this build writes (the same version numbers as SQLite's).
pub const POSTGRES_SCHEMA_VERSION: i32 = 1;

/// Serializes migrations across servers (`pg_advisory_xact_lock`).
const MIGRATION_LOCK: i64 = 0x7061_796d_6a72_6e6c; // "paymjrnl"

/// The schema's statements for PostgreSQL: `BIGINT` for times.
fn migrations() -> Vec<String> {
    crate::intent::migrations("BIGINT", "")
}

/// The journal in PostgreSQL. Cheap to clone (a pool of connections).
#[derive(Clone)]
pub struct PostgresStore {
    database: Database,
    /// The database, named without credentials, for errors.
    name: PathBuf,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("database", &self.name)
            .finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user:password@host:port/database`; held as a secret, never
    /// printed) and brings the schema up to date. Loopback hosts and Unix sockets are reached
    /// without TLS; any other host requires TLS, verified as the SDK verifies providers.
    ///
    /// # Errors
    /// [`JournalError::Store`] naming the database (without credentials): a URL that does not
    /// parse, a database that cannot be reached, or a schema newer than this build.
    pub async fn connect(url: &Secret) -> Result<PostgresStore, JournalError> {
        let database = Database::open(url, 16).map_err(|err| match err {
            DatabaseError::Url => JournalError::Store {
                path: PathBuf::from("postgres://[unparsable URL]"),
                problem: StoreProblem::Open(err.to_string()),
            },
            DatabaseError::Setup { database, message } => {
                store_problem(std::path::Path::new(&database), StoreProblem::Open(message))
            }
        })?;
        let store = PostgresStore {
            name: PathBuf::from(database.name()),
            database,
        };
        store.migrate().await?;
        Ok(store)
    }

    /// The database, named without credentials (`postgres://host:port/database`).
    pub fn database(&self) -> &std::path::Path {
        &self.name
    }

    async fn client(&self) -> Result<Object, JournalError> {
        self.database
            .connection()
            .await
            .map_err(|err| store_problem(&self.name, StoreProblem::Open(err.to_string())))
    }

    fn fail(&self, err: tokio_postgres::Error) -> JournalError {
        store_problem(&self.name, classify(&err))
    }

    async fn migrate(&self) -> Result<(), JournalError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(|e| self.fail(e))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(|e| self.fail(e))?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS payments_journal_schema (version INTEGER NOT NULL)",
        )
        .await
        .map_err(|e| self.fail(e))?;
        let found: i32 = tx
            .query_opt("SELECT version FROM payments_journal_schema", &[])
            .await
            .map_err(|e| self.fail(e))?
            .map_or(0, |row| row.get(0));
        if found > POSTGRES_SCHEMA_VERSION {
            return Err(store_problem(
                &self.name,
                StoreProblem::NewerSchema {
                    found: i64::from(found),
                    supported: i64::from(POSTGRES_SCHEMA_VERSION),
                },
            ));
        }
        for sql in migrations()
            .iter()
            .skip(usize::try_from(found).unwrap_or(0))
        {
            tx.batch_execute(sql).await.map_err(|e| self.fail(e))?;
        }
        tx.execute("DELETE FROM payments_journal_schema", &[])
            .await
            .map_err(|e| self.fail(e))?;
        tx.execute(
            "INSERT INTO payments_journal_schema (version) VALUES ($1)",
            &[&POSTGRES_SCHEMA_VERSION],
        )
        .await
        .map_err(|e| self.fail(e))?;
        tx.commit().await.map_err(|e| self.fail(e))
    }

    /// A write under the key's lease: exactly one row, or the lease was lost.
    /// `sql` prepared once per connection and then reused: a statement's parse round trip is
    /// paid once, not on every payment.
    async fn prepared(&self, client: &Object, sql: &str) -> Result<Statement, JournalError> {
        client.prepare_cached(sql).await.map_err(|e| self.fail(e))
    }

    /// Runs `sql`, whose one row holds a count.
    async fn count(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64, JournalError> {
        let client = self.client().await?;
        let statement = self.prepared(&client, sql).await?;
        let row = client
            .query_one(&statement, params)
            .await
            .map_err(|e| self.fail(e))?;
        Ok(u64::try_from(row.get::<_, i64>(0)).unwrap_or(0))
    }

    fn under_lease(&self, changed: u64, key: &str) -> Result<(), JournalError> {
        if changed == 1 {
            Ok(())
        } else {
            Err(JournalError::LeaseLost {
                key: key.to_owned(),
            })
        }
    }
}

/// `postgres://host:port/database`, without user or password.
fn store_problem(name: &std::path::Path, problem: StoreProblem) -> JournalError {
    JournalError::Store {
        path: name.to_path_buf(),
        problem,
    }
}

fn classify(err: &tokio_postgres::Error) -> StoreProblem {
    let text = err.to_string();
    match err.code().map(tokio_postgres::error::SqlState::code) {
        Some("25006") => StoreProblem::ReadOnly(text),
        Some("55P03" | "40P01") => StoreProblem::Locked(text),
        Some("XX001" | "XX002") => StoreProblem::Corrupt(text),
        _ if err.is_closed() => StoreProblem::Open(text),
        _ => StoreProblem::Other(text),
    }
}

fn read_intent(row: &Row) -> Result<Intent, StoreProblem> {
    let state: String = row.get(11);
    let state = IntentState::parse(&state)
        .ok_or_else(|| StoreProblem::Other(format!("unknown intent state {state:?}")))?;
    let attempts: i32 = row.get(12);
    Ok(Intent {
        key: row.get(0),
        provider: row.get(1),
        operation: row.get(2),
        fingerprint: row.get(3),
        reference: row.get(4),
        journal_reference: row.get(5),
        target: row.get(6),
        amount: row.get(7),
        currency: row.get(8),
        customer_id: row.get(9),
        snapshot: row.get(10),
        state,
        attempts: u32::try_from(attempts).unwrap_or(0),
        payment_id: row.get(13),
        payment_status: row.get(14),
        payment_detail: row.get(15),
        reason: row.get(16),
        created_at_ms: row.get(17),
        updated_at_ms: row.get(18),
        sent_at_ms: row.get(19),
        lease_owner: row.get(20),
        lease_until_ms: row.get(21),
    })
}

impl PostgresStore {
    fn intent(&self, row: &Row) -> Result<Intent, JournalError> {
        read_intent(row).map_err(|problem| store_problem(&self.name, problem))
    }
}

#[async_trait::async_trait]
impl IntentStore for PostgresStore {
    async fn claim(&self, intent: &Intent) -> Result<Claim, JournalError> {
        let client = self.client().await?;
        let attempts = i32::try_from(intent.attempts).unwrap_or(i32::MAX);
        let inserted = client
            .execute(
                &self.prepared(&client, &format!(
                    "INSERT INTO intents ({COLUMNS}) VALUES \
                     ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', $12, NULL, NULL, NULL, NULL, $13, $14, $15, $16, $17) \
                     ON CONFLICT (key) DO NOTHING"
                )).await?,
                &[
                    &intent.key,
                    &intent.provider,
                    &intent.operation,
                    &intent.fingerprint,
                    &intent.reference,
                    &intent.journal_reference,
                    &intent.target,
                    &intent.amount,
                    &intent.currency,
                    &intent.customer_id,
                    &intent.snapshot,
                    &attempts,
                    &intent.created_at_ms,
                    &intent.updated_at_ms,
                    &intent.sent_at_ms,
                    &intent.lease_owner,
                    &intent.lease_until_ms,
                ],
            )
            .await
            .map_err(|e| self.fail(e))?;
        if inserted == 1 {
            return Ok(Claim::Claimed);
        }
        let row = client
            .query_one(
                &self
                    .prepared(
                        &client,
                        &format!("SELECT {COLUMNS} FROM intents WHERE key = $1"),
                    )
                    .await?,
                &[&intent.key],
            )
            .await
            .map_err(|e| self.fail(e))?;
        Ok(Claim::Existing(Box::new(self.intent(&row)?)))
    }

    async fn lease(&self, key: &str, lease: &Lease) -> Result<Option<Intent>, JournalError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                &self.prepared(&client, &format!(
                    "UPDATE intents SET lease_owner = $2, lease_until_ms = $3, updated_at_ms = $4 \
                     WHERE key = $1 AND (lease_owner IS NULL OR lease_owner = $2 OR lease_until_ms < $4) \
                     RETURNING {COLUMNS}"
                )).await?,
                &[&key, &lease.owner, &to_ms(lease.until), &now_ms()],
            )
            .await
            .map_err(|e| self.fail(e))?;
        row.map(|row| self.intent(&row)).transpose()
    }

    async fn record_attempt(
        &self,
        key: &str,
        owner: &str,
        snapshot: Option<&str>,
        sent_at: SystemTime,
    ) -> Result<(), JournalError> {
        let client = self.client().await?;
        let changed = client
            .execute(
                &self.prepared(&client, "UPDATE intents SET snapshot = $3, sent_at_ms = $4, attempts = attempts + 1, \
                 reason = NULL, updated_at_ms = $5 \
                 WHERE key = $1 AND lease_owner = $2 AND state = 'pending'").await?,
                &[&key, &owner, &snapshot, &to_ms(sent_at), &now_ms()],
            )
            .await
            .map_err(|e| self.fail(e))?;
        self.under_lease(changed, key)
    }

    async fn record_not_sent(
        &self,
        key: &str,
        owner: &str,
        reason: &str,
    ) -> Result<(), JournalError> {
        let changed = self
            .count(
                "WITH changed AS (UPDATE intents SET sent_at_ms = NULL, \
                 attempts = GREATEST(attempts - 1, 0), reason = $3, lease_owner = NULL, \
                 lease_until_ms = NULL, updated_at_ms = $4 \
                 WHERE key = $1 AND lease_owner = $2 AND state = 'pending' RETURNING 1), \
                 cleared AS (DELETE FROM scope_leases WHERE key = $1 \
                 AND EXISTS (SELECT 1 FROM changed)) \
                 SELECT count(*) FROM changed",
                &[&key, &owner, &reason, &now_ms()],
            )
            .await?;
        self.under_lease(changed, key)
    }

    async fn record_outcome(
        &self,
        key: &str,
        owner: &str,
        outcome: &Outcome,
    ) -> Result<(), JournalError> {
        let columns = outcome.columns();
        let changed = self
            .count(
                "WITH changed AS (UPDATE intents SET state = $3, payment_id = $4, \
                 payment_status = $5, payment_detail = $6, reason = $7, lease_owner = NULL, \
                 lease_until_ms = NULL, updated_at_ms = $8 \
                 WHERE key = $1 AND lease_owner = $2 AND state IN ('pending', 'needs_attention') \
                 RETURNING 1), \
                 cleared AS (DELETE FROM scope_leases WHERE key = $1 \
                 AND EXISTS (SELECT 1 FROM changed)) \
                 SELECT count(*) FROM changed",
                &[
                    &key,
                    &owner,
                    &outcome.state().as_str(),
                    &columns.payment_id,
                    &columns.status,
                    &columns.detail,
                    &columns.reason,
                    &now_ms(),
                ],
            )
            .await?;
        self.under_lease(changed, key)
    }

    async fn release(&self, key: &str, owner: &str, reason: &str) -> Result<(), JournalError> {
        let client = self.client().await?;
        let changed = client
            .execute(
                &self
                    .prepared(
                        &client,
                        "UPDATE intents SET lease_owner = NULL, lease_until_ms = NULL, \
                 reason = CASE WHEN state = 'pending' THEN $3 ELSE reason END, \
                 updated_at_ms = $4 WHERE key = $1 AND lease_owner = $2",
                    )
                    .await?,
                &[&key, &owner, &reason, &now_ms()],
            )
            .await
            .map_err(|e| self.fail(e))?;
        self.under_lease(changed, key)
    }

    async fn get(&self, key: &str) -> Result<Option<Intent>, JournalError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                &self
                    .prepared(
                        &client,
                        &format!("SELECT {COLUMNS} FROM intents WHERE key = $1"),
                    )
                    .await?,
                &[&key],
            )
            .await
            .map_err(|e| self.fail(e))?;
        row.map(|row| self.intent(&row)).transpose()
    }

    async fn list(&self, state: Option<IntentState>) -> Result<Vec<Intent>, JournalError> {
        let client = self.client().await?;
        let rows = client
            .query(
                &self
                    .prepared(
                        &client,
                        &format!(
                            "SELECT {COLUMNS} FROM intents WHERE $1::TEXT IS NULL OR state = $1 \
                     ORDER BY created_at_ms, key"
                        ),
                    )
                    .await?,
                &[&state.map(|s| s.as_str())],
            )
            .await
            .map_err(|e| self.fail(e))?;
        rows.iter().map(|row| self.intent(row)).collect()
    }

    async fn lease_scope(
        &self,
        scope: &str,
        key: &str,
        owner: &str,
        until: SystemTime,
    ) -> Result<bool, JournalError> {
        let client = self.client().await?;
        let changed = client
            .execute(
                &self.prepared(&client, "INSERT INTO scope_leases (scope, key, owner, until_ms) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (scope) DO UPDATE SET key = EXCLUDED.key, owner = EXCLUDED.owner, \
                 until_ms = EXCLUDED.until_ms \
                 WHERE scope_leases.owner = EXCLUDED.owner \
                    OR (scope_leases.key = EXCLUDED.key AND EXISTS \
                        (SELECT 1 FROM intents WHERE intents.key = EXCLUDED.key \
                         AND intents.lease_owner = EXCLUDED.owner)) \
                    OR (scope_leases.until_ms < $5 AND NOT EXISTS \
                        (SELECT 1 FROM intents WHERE intents.key = scope_leases.key \
                         AND intents.state = 'pending' AND intents.sent_at_ms IS NOT NULL))").await?,
                &[&scope, &key, &owner, &to_ms(until), &now_ms()],
            )
            .await
            .map_err(|e| self.fail(e))?;
        Ok(changed == 1)
    }

    async fn release_scope(&self, scope: &str, owner: &str) -> Result<(), JournalError> {
        let client = self.client().await?;
        client
            .execute(
                &self
                    .prepared(
                        &client,
                        "DELETE FROM scope_leases WHERE scope = $1 AND owner = $2",
                    )
                    .await?,
                &[&scope, &owner],
            )
            .await
            .map_err(|e| self.fail(e))?;
        Ok(())
    }
}
