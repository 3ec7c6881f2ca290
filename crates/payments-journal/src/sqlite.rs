//! [`SqliteStore`]: the journal in one SQLite file (compiled in, no system library), in WAL
//! mode with `synchronous = FULL`, so every commit is on stable storage when it returns.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use rusqlite::{
    Connection, ErrorCode, OpenFlags, OptionalExtension, Row, TransactionBehavior, params,
};

use crate::error::{JournalError, StoreProblem};
use crate::intent::{COLUMNS, Intent, IntentState, Outcome, now_ms, to_ms};
use crate::store::{Claim, IntentStore, Lease};

/// The newest schema this build writes.
pub const SCHEMA_VERSION: i64 = 1;

/// The schema's statements for SQLite: strict tables, 64-bit `INTEGER`s.
fn migrations() -> Vec<String> {
    crate::intent::migrations("INTEGER", " STRICT")
}

/// The default wait for another process's write lock before giving up with
/// [`StoreProblem::Locked`].
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The journal in a SQLite file. Cheap to clone; calls run on tokio's blocking pool.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    path: Arc<PathBuf>,
    connection: Arc<Mutex<Session>>,
}

/// The connection and the `synchronous` level it is set to, so it is changed only when a
/// write needs another.
#[derive(Debug)]
struct Session {
    connection: Connection,
    level: Option<Durability>,
}

impl SqliteStore {
    /// Opens (or creates) the journal at `path` and brings its schema up to date.
    ///
    /// # Errors
    /// [`JournalError::Store`] naming the path: not a journal or damaged
    /// ([`StoreProblem::Corrupt`]), locked by another process past the busy timeout
    /// ([`StoreProblem::Locked`]), not writable ([`StoreProblem::ReadOnly`]), written by a
    /// newer version ([`StoreProblem::NewerSchema`]), or not openable.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore, JournalError> {
        SqliteStore::open_with(path, DEFAULT_BUSY_TIMEOUT)
    }

    /// [`open`](Self::open), waiting at most `busy_timeout` for another process's lock.
    pub fn open_with(
        path: impl AsRef<Path>,
        busy_timeout: Duration,
    ) -> Result<SqliteStore, JournalError> {
        let path = path.as_ref().to_path_buf();
        let fail = |err: rusqlite::Error| store_error(&path, err);
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let mut connection = Connection::open_with_flags(&path, flags).map_err(fail)?;
        connection.busy_timeout(busy_timeout).map_err(fail)?;
        if connection.is_readonly(rusqlite::MAIN_DB).map_err(fail)? {
            return Err(JournalError::Store {
                path,
                problem: StoreProblem::ReadOnly("the file is not writable".into()),
            });
        }
        // WAL: readers never block the writer; FULL: each commit syncs the log, so a commit
        // that returned survives power loss (NORMAL would only survive a process crash).
        let mode: String = connection
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(fail)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(JournalError::Store {
                path,
                problem: StoreProblem::Other(format!("cannot use WAL mode (got {mode})")),
            });
        }
        connection
            .execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
            .map_err(fail)?;
        migrate(&mut connection).map_err(|problem| JournalError::Store {
            path: path.clone(),
            problem,
        })?;
        Ok(SqliteStore {
            path: Arc::new(path),
            connection: Arc::new(Mutex::new(Session {
                connection,
                level: None,
            })),
        })
    }

    /// The journal's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `work` on the connection on tokio's blocking pool; its commit is synced to stable
    /// storage before this returns (`synchronous = FULL`).
    async fn run<T, F>(&self, work: F) -> Result<T, JournalError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, rusqlite::Error> + Send + 'static,
    {
        self.run_with(Durability::Synced, work).await
    }

    async fn run_with<T, F>(&self, durability: Durability, work: F) -> Result<T, JournalError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, rusqlite::Error> + Send + 'static,
    {
        let connection = Arc::clone(&self.connection);
        let path = Arc::clone(&self.path);
        let joined = tokio::task::spawn_blocking(move || {
            let mut session = connection
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if session.level != Some(durability) {
                let level = match durability {
                    Durability::Synced => "FULL",
                    Durability::Ordered => "NORMAL",
                };
                session.level = None;
                session
                    .connection
                    .pragma_update(None, "synchronous", level)?;
                session.level = Some(durability);
            }
            work(&mut session.connection)
        })
        .await;
        match joined {
            Ok(result) => result.map_err(|err| store_error(&path, err)),
            Err(join) => Err(JournalError::Store {
                path: path.to_path_buf(),
                problem: StoreProblem::Other(format!("the journal's worker stopped: {join}")),
            }),
        }
    }
}

/// How far a write must have reached when it returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Durability {
    /// On stable storage (`synchronous = FULL`): claims and attempts, which must survive power
    /// loss before anything is sent.
    Synced,
    /// Committed, in order after every synced write, and synced with the next one
    /// (`synchronous = NORMAL` in WAL mode): outcomes and lease releases. Power loss can undo
    /// the newest of them, never corrupt the file; an undone outcome leaves its intent
    /// pending, which the provider's lookups settle again.
    Ordered,
}

/// Brings the schema to [`SCHEMA_VERSION`] in one transaction.
fn migrate(connection: &mut Connection) -> Result<(), StoreProblem> {
    let problem = |err: rusqlite::Error| classify(&err);
    let tx = connection
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(problem)?;
    let found: i64 = tx
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(problem)?;
    if found > SCHEMA_VERSION {
        return Err(StoreProblem::NewerSchema {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (version, sql) in migrations()
        .iter()
        .enumerate()
        .skip(usize::try_from(found).unwrap_or(0))
    {
        tx.execute_batch(sql).map_err(problem)?;
        tx.pragma_update(None, "user_version", version as i64 + 1)
            .map_err(problem)?;
    }
    tx.commit().map_err(problem)
}

fn classify(err: &rusqlite::Error) -> StoreProblem {
    let text = err.to_string();
    match err.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => StoreProblem::Corrupt(text),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreProblem::Locked(text),
        Some(ErrorCode::ReadOnly) => StoreProblem::ReadOnly(text),
        Some(ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => StoreProblem::Open(text),
        _ => StoreProblem::Other(text),
    }
}

fn store_error(path: &Path, err: rusqlite::Error) -> JournalError {
    JournalError::Store {
        path: path.to_path_buf(),
        problem: classify(&err),
    }
}

fn read_intent(row: &Row<'_>) -> Result<Intent, rusqlite::Error> {
    let state: String = row.get(11)?;
    let state = IntentState::parse(&state).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            11,
            rusqlite::types::Type::Text,
            format!("unknown intent state {state:?}").into(),
        )
    })?;
    Ok(Intent {
        key: row.get(0)?,
        provider: row.get(1)?,
        operation: row.get(2)?,
        fingerprint: row.get(3)?,
        reference: row.get(4)?,
        journal_reference: row.get(5)?,
        target: row.get(6)?,
        amount: row.get(7)?,
        currency: row.get(8)?,
        customer_id: row.get(9)?,
        snapshot: row.get(10)?,
        state,
        attempts: row.get(12)?,
        payment_id: row.get(13)?,
        payment_status: row.get(14)?,
        payment_detail: row.get(15)?,
        reason: row.get(16)?,
        created_at_ms: row.get(17)?,
        updated_at_ms: row.get(18)?,
        sent_at_ms: row.get(19)?,
        lease_owner: row.get(20)?,
        lease_until_ms: row.get(21)?,
    })
}

/// Runs one statement, prepared once per connection.
fn exec(
    connection: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<usize, rusqlite::Error> {
    connection.prepare_cached(sql)?.execute(params)
}

fn select_intent(connection: &Connection, key: &str) -> Result<Option<Intent>, rusqlite::Error> {
    connection
        .prepare_cached(&format!("SELECT {COLUMNS} FROM intents WHERE key = ?1"))?
        .query_row([key], read_intent)
        .optional()
}

/// A write under the key's lease: `changed` rows must be exactly one, else the lease was lost.
fn under_lease(changed: usize, key: &str) -> Result<(), LeaseCheck> {
    if changed == 1 {
        Ok(())
    } else {
        Err(LeaseCheck::Lost(key.to_owned()))
    }
}

/// A lease check inside a blocking closure, told apart from database errors afterwards.
enum LeaseCheck {
    Lost(String),
    Database(rusqlite::Error),
}

impl From<rusqlite::Error> for LeaseCheck {
    fn from(err: rusqlite::Error) -> LeaseCheck {
        LeaseCheck::Database(err)
    }
}

impl SqliteStore {
    async fn leased_write<F>(&self, durability: Durability, work: F) -> Result<(), JournalError>
    where
        F: FnOnce(&mut Connection) -> Result<(), LeaseCheck> + Send + 'static,
    {
        let outcome = self
            .run_with(durability, move |connection| match work(connection) {
                Ok(()) => Ok(Ok(())),
                Err(LeaseCheck::Lost(key)) => Ok(Err(key)),
                Err(LeaseCheck::Database(err)) => Err(err),
            })
            .await?;
        outcome.map_err(|key| JournalError::LeaseLost { key })
    }
}

#[async_trait::async_trait]
impl IntentStore for SqliteStore {
    async fn claim(&self, intent: &Intent) -> Result<Claim, JournalError> {
        let intent = intent.clone();
        self.run(move |connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if let Some(existing) = select_intent(&tx, &intent.key)? {
                return Ok(Claim::Existing(Box::new(existing)));
            }
            exec(&tx,
                &format!(
                    "INSERT INTO intents ({COLUMNS}) VALUES \
                     (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)"
                ),
                params![
                    intent.key,
                    intent.provider,
                    intent.operation,
                    intent.fingerprint,
                    intent.reference,
                    intent.journal_reference,
                    intent.target,
                    intent.amount,
                    intent.currency,
                    intent.customer_id,
                    intent.snapshot,
                    IntentState::Pending.as_str(),
                    intent.attempts,
                    Option::<String>::None,
                    Option::<String>::None,
                    Option::<String>::None,
                    Option::<String>::None,
                    intent.created_at_ms,
                    intent.updated_at_ms,
                    intent.sent_at_ms,
                    intent.lease_owner,
                    intent.lease_until_ms,
                ],
            )?;
            tx.commit()?;
            Ok(Claim::Claimed)
        })
        .await
    }

    async fn lease(&self, key: &str, lease: &Lease) -> Result<Option<Intent>, JournalError> {
        let key = key.to_owned();
        let owner = lease.owner.clone();
        let until = to_ms(lease.until);
        self.run_with(Durability::Ordered, move |connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let changed = exec(&tx,
                "UPDATE intents SET lease_owner = ?2, lease_until_ms = ?3, updated_at_ms = ?4 \
                 WHERE key = ?1 AND (lease_owner IS NULL OR lease_owner = ?2 OR lease_until_ms < ?4)",
                params![key, owner, until, now_ms()],
            )?;
            let intent = if changed == 1 {
                select_intent(&tx, &key)?
            } else {
                None
            };
            tx.commit()?;
            Ok(intent)
        })
        .await
    }

    async fn record_attempt(
        &self,
        key: &str,
        owner: &str,
        snapshot: Option<&str>,
        sent_at: SystemTime,
    ) -> Result<(), JournalError> {
        let (key, owner, snapshot) = (
            key.to_owned(),
            owner.to_owned(),
            snapshot.map(str::to_owned),
        );
        let sent_at = to_ms(sent_at);
        self.leased_write(Durability::Synced, move |connection| {
            let changed = exec(
                connection,
                "UPDATE intents SET snapshot = ?3, sent_at_ms = ?4, attempts = attempts + 1, \
                 reason = NULL, updated_at_ms = ?5 \
                 WHERE key = ?1 AND lease_owner = ?2 AND state = 'pending'",
                params![key, owner, snapshot, sent_at, now_ms()],
            )?;
            under_lease(changed, &key)
        })
        .await
    }

    async fn record_not_sent(
        &self,
        key: &str,
        owner: &str,
        reason: &str,
    ) -> Result<(), JournalError> {
        let (key, owner, reason) = (key.to_owned(), owner.to_owned(), reason.to_owned());
        self.leased_write(Durability::Ordered, move |connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let changed = exec(
                &tx,
                "UPDATE intents SET sent_at_ms = NULL, attempts = MAX(attempts - 1, 0), \
                 reason = ?3, lease_owner = NULL, lease_until_ms = NULL, updated_at_ms = ?4 \
                 WHERE key = ?1 AND lease_owner = ?2 AND state = 'pending'",
                params![key, owner, reason, now_ms()],
            )?;
            under_lease(changed, &key)?;
            exec(&tx, "DELETE FROM scope_leases WHERE key = ?1", [&key])?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn record_outcome(
        &self,
        key: &str,
        owner: &str,
        outcome: &Outcome,
    ) -> Result<(), JournalError> {
        let (key, owner, outcome) = (key.to_owned(), owner.to_owned(), outcome.clone());
        self.leased_write(Durability::Ordered, move |connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let state = outcome.state().as_str();
            let columns = outcome.columns();
            let changed = exec(
                &tx,
                "UPDATE intents SET state = ?3, payment_id = ?4, payment_status = ?5, \
                 payment_detail = ?6, reason = ?7, lease_owner = NULL, lease_until_ms = NULL, \
                 updated_at_ms = ?8 \
                 WHERE key = ?1 AND lease_owner = ?2 AND state IN ('pending', 'needs_attention')",
                params![
                    key,
                    owner,
                    state,
                    columns.payment_id,
                    columns.status,
                    columns.detail,
                    columns.reason,
                    now_ms()
                ],
            )?;
            under_lease(changed, &key)?;
            exec(&tx, "DELETE FROM scope_leases WHERE key = ?1", [&key])?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn release(&self, key: &str, owner: &str, reason: &str) -> Result<(), JournalError> {
        let (key, owner, reason) = (key.to_owned(), owner.to_owned(), reason.to_owned());
        self.leased_write(Durability::Ordered, move |connection| {
            let changed = exec(
                connection,
                "UPDATE intents SET lease_owner = NULL, lease_until_ms = NULL, \
                 reason = CASE WHEN state = 'pending' THEN ?3 ELSE reason END, \
                 updated_at_ms = ?4 WHERE key = ?1 AND lease_owner = ?2",
                params![key, owner, reason, now_ms()],
            )?;
            under_lease(changed, &key)
        })
        .await
    }

    async fn get(&self, key: &str) -> Result<Option<Intent>, JournalError> {
        let key = key.to_owned();
        self.run(move |connection| select_intent(connection, &key))
            .await
    }

    async fn list(&self, state: Option<IntentState>) -> Result<Vec<Intent>, JournalError> {
        self.run(move |connection| {
            let mut statement = connection.prepare(&format!(
                "SELECT {COLUMNS} FROM intents WHERE ?1 IS NULL OR state = ?1 \
                 ORDER BY created_at_ms, key"
            ))?;
            let rows = statement.query_map([state.map(|s| s.as_str())], read_intent)?;
            rows.collect()
        })
        .await
    }

    async fn lease_scope(
        &self,
        scope: &str,
        key: &str,
        owner: &str,
        until: SystemTime,
    ) -> Result<bool, JournalError> {
        let (scope, key, owner) = (scope.to_owned(), key.to_owned(), owner.to_owned());
        let until = to_ms(until);
        self.run_with(Durability::Ordered, move |connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let changed = exec(
                &tx,
                "INSERT INTO scope_leases (scope, key, owner, until_ms) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (scope) DO UPDATE SET key = excluded.key, owner = excluded.owner, \
                 until_ms = excluded.until_ms \
                 WHERE scope_leases.owner = excluded.owner \
                    OR (scope_leases.key = excluded.key AND EXISTS \
                        (SELECT 1 FROM intents WHERE intents.key = excluded.key \
                         AND intents.lease_owner = excluded.owner)) \
                    OR (scope_leases.until_ms < ?5 AND NOT EXISTS \
                        (SELECT 1 FROM intents WHERE intents.key = scope_leases.key \
                         AND intents.state = 'pending' AND intents.sent_at_ms IS NOT NULL))",
                params![scope, key, owner, until, now_ms()],
            )?;
            tx.commit()?;
            Ok(changed == 1)
        })
        .await
    }

    async fn release_scope(&self, scope: &str, owner: &str) -> Result<(), JournalError> {
        let (scope, owner) = (scope.to_owned(), owner.to_owned());
        self.run_with(Durability::Ordered, move |connection| {
            exec(
                connection,
                "DELETE FROM scope_leases WHERE scope = ?1 AND owner = ?2",
                [&scope, &owner],
            )?;
            Ok(())
        })
        .await
    }
}
