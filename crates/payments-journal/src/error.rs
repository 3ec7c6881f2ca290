//! The journal's one error enum, convertible into [`payments_core::Error`].

use std::path::PathBuf;

use payments_core::Error;

/// Everything the journal can refuse or fail at. Each variant names the key or the journal's
/// path; none carries a request's data.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JournalError {
    /// The idempotency key itself is not acceptable; nothing was sent.
    #[error("idempotency key: {reason}; nothing was sent")]
    InvalidKey {
        /// What is wrong with it (never the key itself, which may be what leaked a secret).
        reason: &'static str,
    },
    /// The key was used before for a different request; nothing was sent.
    #[error(
        "idempotency key {key:?} was used for a different request ({recorded}); nothing was sent: use a new key for a new payment"
    )]
    KeyReused {
        /// The key.
        key: String,
        /// What the key was first used for (operation and provider).
        recorded: String,
    },
    /// Another caller holds the key's (or its scope's) lease: an attempt is in flight, and it
    /// did not finish within the wait.
    #[error(
        "idempotency key {key:?}: another attempt holds {what} until its lease expires (waited {} ms for it); nothing was sent by this call, and the other attempt's outcome is not known yet",
        waited.as_millis()
    )]
    InProgress {
        /// The key.
        key: String,
        /// What is leased: the key, or a provider's scope (`user:7`).
        what: String,
        /// How long this call waited for the other attempt's outcome.
        waited: std::time::Duration,
    },
    /// An earlier attempt under the key may have taken effect and no lookup can settle it yet.
    #[error(
        "idempotency key {key:?}: an earlier attempt's outcome is unknown ({reason}); nothing was sent again"
    )]
    StillPending {
        /// The key.
        key: String,
        /// Why it is not settled yet.
        reason: String,
    },
    /// The key's payment needs a person: no lookup could prove what happened.
    #[error("idempotency key {key:?} needs attention: {reason}; nothing was sent again")]
    NeedsAttention {
        /// The key.
        key: String,
        /// Why, and what to check.
        reason: String,
    },
    /// The key's request failed earlier (the provider said no, or it was provably never
    /// taken); it is not sent again under this key.
    #[error(
        "idempotency key {key:?} failed earlier: {reason}; nothing was sent again: use a new key to try again"
    )]
    FailedEarlier {
        /// The key.
        key: String,
        /// The recorded failure.
        reason: String,
    },
    /// The provider's lookup before the payment (its reconciliation snapshot) failed; the
    /// payment itself was not sent.
    #[error(
        "idempotency key {key:?}: the provider's lookup before the payment failed, so the payment was not sent: {reason}"
    )]
    LookupFailed {
        /// The key.
        key: String,
        /// The lookup's error.
        reason: String,
    },
    /// The journal file cannot be used.
    #[error("journal {path}: {problem}")]
    Store {
        /// The journal's path.
        path: PathBuf,
        /// What is wrong.
        problem: StoreProblem,
    },
    /// The lease was taken over by a reconciler while this call waited for the provider.
    #[error("idempotency key {key:?}: the lease was taken over while the call was in flight")]
    LeaseLost {
        /// The key.
        key: String,
    },
}

/// What is wrong with a journal file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreProblem {
    /// Not a journal, or damaged.
    #[error("not a journal database, or damaged: {0}")]
    Corrupt(String),
    /// Another process holds a lock longer than the busy timeout.
    #[error("locked by another process: {0}")]
    Locked(String),
    /// The file or its folder cannot be written.
    #[error("read-only: {0}")]
    ReadOnly(String),
    /// Written by a newer version of this crate.
    #[error(
        "schema version {found} is newer than this build understands ({supported}); upgrade payments-journal"
    )]
    NewerSchema {
        /// The file's schema version.
        found: i64,
        /// The newest this build knows.
        supported: i64,
    },
    /// It cannot be opened (missing folder, permissions).
    #[error("cannot be opened: {0}")]
    Open(String),
    /// Any other database failure.
    #[error("{0}")]
    Other(String),
}

impl JournalError {
    /// A stable snake_case code, as in [`Error::Journal`].
    pub fn code(&self) -> &'static str {
        match self {
            JournalError::InvalidKey { .. } => "invalid_key",
            JournalError::KeyReused { .. } => "key_reused",
            JournalError::InProgress { .. } => "in_progress",
            JournalError::StillPending { .. } => "still_pending",
            JournalError::NeedsAttention { .. } => "needs_attention",
            JournalError::FailedEarlier { .. } => "failed_earlier",
            JournalError::Store { .. } => "store",
            JournalError::LeaseLost { .. } => "lease_lost",
            JournalError::LookupFailed { .. } => "lookup_failed",
        }
    }

    /// Whether a request under the key may have taken effect without the journal knowing.
    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self,
            JournalError::InProgress { .. }
                | JournalError::StillPending { .. }
                | JournalError::NeedsAttention { .. }
                | JournalError::LeaseLost { .. }
        )
    }

    fn key(&self) -> Option<&str> {
        match self {
            JournalError::KeyReused { key, .. }
            | JournalError::InProgress { key, .. }
            | JournalError::StillPending { key, .. }
            | JournalError::NeedsAttention { key, .. }
            | JournalError::FailedEarlier { key, .. }
            | JournalError::LookupFailed { key, .. }
            | JournalError::LeaseLost { key } => Some(key),
            JournalError::InvalidKey { .. } | JournalError::Store { .. } => None,
        }
    }
}

impl From<JournalError> for Error {
    fn from(err: JournalError) -> Error {
        Error::Journal {
            key: err.key().map(str::to_owned),
            code: err.code(),
            message: err.to_string(),
            outcome_unknown: err.outcome_unknown(),
        }
    }
}
