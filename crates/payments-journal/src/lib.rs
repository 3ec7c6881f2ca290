#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod error;
mod intent;
mod journaled;
mod key;
#[cfg(feature = "postgres")]
mod postgres;
mod sqlite;
mod store;

pub use error::{JournalError, StoreProblem};
pub use intent::{Intent, IntentState, Outcome, status_from_parts, status_parts};
pub use journaled::{
    DEFAULT_LEASE, DEFAULT_STALE_AFTER, DEFAULT_WAIT, JournalRecord, Journaled, ReconcileReport,
};
pub use key::{IdempotencyKey, MAX_KEY_LEN};
#[cfg(feature = "postgres")]
pub use postgres::{POSTGRES_SCHEMA_VERSION, PostgresStore};
pub use sqlite::{DEFAULT_BUSY_TIMEOUT, SCHEMA_VERSION, SqliteStore};
pub use store::{Claim, IntentStore, Lease};
