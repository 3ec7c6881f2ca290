//! [`IntentStore`]: the storage seam under the journal. SQLite ([`crate::SqliteStore`]) is the
//! embedded default; any store must keep the same promises.

use std::fmt;
use std::time::SystemTime;

use crate::error::JournalError;
use crate::intent::{Intent, IntentState, Outcome};

/// Who holds a lease, and until when. The owner is a random token per call, so a stale holder
/// can never write over the one who took the lease from it (it is the fencing token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// The holder's token.
    pub owner: String,
    /// When it expires.
    pub until: SystemTime,
}

/// What [`IntentStore::claim`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The intent is now recorded, pending, leased to its owner: committed and synced.
    Claimed,
    /// The key was already recorded: this is what is there (unchanged).
    Existing(Box<Intent>),
}

/// Durable storage of intents.
///
/// Promises every implementation keeps:
/// * every write is committed (and synced to stable storage) before the call returns, so a
///   claim that returned survives a crash or power loss;
/// * a key is claimed once: a second claim of it returns [`Claim::Existing`];
/// * writes about an intent ([`record_attempt`](Self::record_attempt),
///   [`record_outcome`](Self::record_outcome), [`release`](Self::release)) take effect only
///   while the caller's lease is the one recorded, and fail with
///   [`JournalError::LeaseLost`] otherwise;
/// * a scope lease ([`lease_scope`](Self::lease_scope)) is taken by one call for its key and
///   held until that key leaves `pending`, or until it expires with the key not pending.
#[async_trait::async_trait]
pub trait IntentStore: Send + Sync + fmt::Debug {
    /// Records `intent` (pending, leased per its `lease_owner`/`lease_until_ms`), or returns
    /// the intent already recorded under its key.
    async fn claim(&self, intent: &Intent) -> Result<Claim, JournalError>;

    /// Takes the key's lease when it is free (no holder, expired, or already `lease.owner`'s)
    /// and returns the intent; `None` when another holder's lease is live or the key is
    /// unknown.
    async fn lease(&self, key: &str, lease: &Lease) -> Result<Option<Intent>, JournalError>;

    /// Records an attempt about to be sent: the snapshot, the send time, one more attempt.
    async fn record_attempt(
        &self,
        key: &str,
        owner: &str,
        snapshot: Option<&str>,
        sent_at: SystemTime,
    ) -> Result<(), JournalError>;

    /// Records that the last attempt provably never reached the provider (it stays pending,
    /// with no send time), and releases the key's lease and scope.
    async fn record_not_sent(
        &self,
        key: &str,
        owner: &str,
        reason: &str,
    ) -> Result<(), JournalError>;

    /// Records the outcome of a pending (or needs-attention, settled later by a confirmed
    /// webhook) intent, and releases the key's lease and scope.
    async fn record_outcome(
        &self,
        key: &str,
        owner: &str,
        outcome: &Outcome,
    ) -> Result<(), JournalError>;

    /// Releases the key's lease, leaving the intent as it is: a pending one with `reason`, a
    /// settled one's record untouched.
    async fn release(&self, key: &str, owner: &str, reason: &str) -> Result<(), JournalError>;

    /// The intent under `key`.
    async fn get(&self, key: &str) -> Result<Option<Intent>, JournalError>;

    /// Every intent (in one state, when given), oldest first.
    async fn list(&self, state: Option<IntentState>) -> Result<Vec<Intent>, JournalError>;

    /// Leases `scope` to `key` for the call `owner` until `until`: `true` when taken. It is free
    /// when nobody holds it; when `owner` holds it already; when `key` holds it and `owner`
    /// holds the key's own lease (the key's next attempt); or when the holder's lease expired
    /// and the holder's key is not pending with an attempt sent. A key's outcome releases it.
    async fn lease_scope(
        &self,
        scope: &str,
        key: &str,
        owner: &str,
        until: SystemTime,
    ) -> Result<bool, JournalError>;

    /// Gives up `owner`'s lease on `scope` (nothing was claimed or sent under it); a lease
    /// another call holds is left alone.
    async fn release_scope(&self, scope: &str, owner: &str) -> Result<(), JournalError>;
}
