//! What the journal records about one idempotency key: the intent, its state and its outcome.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use payments_core::{Currency, Money, Operation, PaymentStatus, Url};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Where an intent stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IntentState {
    /// Claimed; its outcome is not known yet (not sent, in flight, or lost).
    Pending,
    /// The provider took it; the payment is recorded.
    Succeeded,
    /// The provider said no, or it provably never took effect: safe to retry with a new key.
    Failed,
    /// No lookup could prove what happened: a person must check (the reason says what).
    NeedsAttention,
}

impl IntentState {
    /// Every state, in life-cycle order.
    pub const ALL: [IntentState; 4] = [
        IntentState::Pending,
        IntentState::Succeeded,
        IntentState::Failed,
        IntentState::NeedsAttention,
    ];

    /// The stored name (`pending`, `succeeded`, `failed`, `needs_attention`).
    pub fn as_str(&self) -> &'static str {
        match self {
            IntentState::Pending => "pending",
            IntentState::Succeeded => "succeeded",
            IntentState::Failed => "failed",
            IntentState::NeedsAttention => "needs_attention",
        }
    }

    /// The state named `name`, as stored.
    pub fn parse(name: &str) -> Option<IntentState> {
        IntentState::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl fmt::Display for IntentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The operation stored as `name`.
pub(crate) fn parse_operation(name: &str) -> Option<Operation> {
    [
        Operation::CreatePayment,
        Operation::GetPayment,
        Operation::CancelPayment,
        Operation::CapturePayment,
        Operation::VoidPayment,
        Operation::RefundPayment,
    ]
    .into_iter()
    .find(|op| op.as_str() == name)
}

/// The stored columns of an intent, in the order every store reads them back.
pub(crate) const COLUMNS: &str = "key, provider, operation, fingerprint, reference, journal_reference, target, \
    amount, currency, customer_id, snapshot, state, attempts, payment_id, payment_status, \
    payment_detail, reason, created_at_ms, updated_at_ms, sent_at_ms, lease_owner, lease_until_ms";

/// The schema's migrations, one per version (the first takes it from nothing to version 1),
/// written once for every store: `big_integer` is the dialect's 64-bit integer type for the
/// Unix-millisecond columns, `table_options` what follows each `CREATE TABLE`.
pub(crate) fn migrations(big_integer: &str, table_options: &str) -> Vec<String> {
    vec![format!(
        "CREATE TABLE intents (
            key TEXT PRIMARY KEY NOT NULL,
            provider TEXT NOT NULL,
            operation TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            reference TEXT,
            journal_reference TEXT NOT NULL,
            target TEXT,
            amount TEXT,
            currency TEXT,
            customer_id TEXT,
            snapshot TEXT,
            state TEXT NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed', 'needs_attention')),
            attempts INTEGER NOT NULL DEFAULT 0,
            payment_id TEXT,
            payment_status TEXT,
            payment_detail TEXT,
            reason TEXT,
            created_at_ms {big_integer} NOT NULL,
            updated_at_ms {big_integer} NOT NULL,
            sent_at_ms {big_integer},
            lease_owner TEXT,
            lease_until_ms {big_integer}
        ){table_options};
        CREATE INDEX intents_by_state ON intents (state, created_at_ms);
        CREATE TABLE scope_leases (
            scope TEXT PRIMARY KEY NOT NULL,
            key TEXT NOT NULL,
            owner TEXT NOT NULL,
            until_ms {big_integer} NOT NULL
        ){table_options};"
    )]
}

/// One intent as stored: the request's money-relevant fields (never a secret, card number,
/// CVC or token), its state, and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Intent {
    /// The idempotency key.
    pub key: String,
    /// The provider's name.
    pub provider: String,
    /// The trait operation (`create_payment`, `capture_payment`, …).
    pub operation: String,
    /// SHA-256 (hex) of the money-relevant fields: what "the same request" means.
    pub fingerprint: String,
    /// The merchant's reference (create only).
    pub reference: Option<String>,
    /// The reference sent to the provider, derived from the key (the key itself).
    pub journal_reference: String,
    /// The provider's id of the payment acted on (capture, void, refund, cancel).
    pub target: Option<String>,
    /// The amount, as exact decimal text.
    pub amount: Option<String>,
    /// The amount's currency code.
    pub currency: Option<String>,
    /// The customer id, where the provider keys payments by customer.
    pub customer_id: Option<String>,
    /// What the provider reported just before the send, for reconciliation.
    pub snapshot: Option<String>,
    /// Where it stands.
    pub state: IntentState,
    /// How many attempts were sent.
    pub attempts: u32,
    /// The provider's id of the resulting payment.
    pub payment_id: Option<String>,
    /// The resulting payment's neutral status name.
    pub payment_status: Option<String>,
    /// The status's detail: the customer's URL, a failure reason, a provider status.
    pub payment_detail: Option<String>,
    /// Why it failed, needs attention, or was last left pending.
    pub reason: Option<String>,
    /// When it was claimed (Unix milliseconds).
    pub created_at_ms: i64,
    /// When it last changed.
    pub updated_at_ms: i64,
    /// When its last attempt was claimed for sending (`None`: nothing was sent).
    pub sent_at_ms: Option<i64>,
    /// Who holds its lease.
    #[serde(skip)]
    pub lease_owner: Option<String>,
    /// Until when.
    #[serde(skip)]
    pub lease_until_ms: Option<i64>,
}

impl Intent {
    /// The amount as [`Money`], when recorded and valid.
    pub fn money(&self) -> Option<Money> {
        let currency = Currency::from_code(self.currency.as_deref()?).ok()?;
        Money::parse(self.amount.as_deref()?, currency).ok()
    }

    /// The operation, when it is one this build knows.
    pub fn operation(&self) -> Option<Operation> {
        parse_operation(&self.operation)
    }

    /// How long it has been since it was claimed.
    pub fn age(&self) -> Duration {
        Duration::from_millis(now_ms().saturating_sub(self.created_at_ms).max(0) as u64)
    }

    /// The recorded payment status, when it succeeded.
    pub fn status(&self) -> Option<PaymentStatus> {
        status_from_parts(self.payment_status.as_deref()?, self.payment_detail.clone())
    }
}

/// What an attempt ended in.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// The provider took it.
    Succeeded {
        /// The provider's id of the payment.
        payment_id: String,
        /// The neutral status name ([`status_parts`]).
        status: String,
        /// The status's detail.
        detail: Option<String>,
    },
    /// The provider said no, or it provably never took effect.
    Failed {
        /// Why.
        reason: String,
    },
    /// No lookup could prove what happened.
    NeedsAttention {
        /// Why, and what to check.
        reason: String,
    },
}

impl Outcome {
    /// The outcome of a successful call.
    pub fn succeeded(payment: &payments_core::Payment) -> Outcome {
        let (status, detail) = status_parts(&payment.status);
        Outcome::Succeeded {
            payment_id: payment.id.clone(),
            status: status.to_owned(),
            detail,
        }
    }

    /// The stored columns it sets: payment id, status, status detail, reason.
    pub(crate) fn columns(&self) -> OutcomeColumns {
        match self {
            Outcome::Succeeded {
                payment_id,
                status,
                detail,
            } => OutcomeColumns {
                payment_id: Some(payment_id.clone()),
                status: Some(status.clone()),
                detail: detail.clone(),
                reason: None,
            },
            Outcome::Failed { reason } | Outcome::NeedsAttention { reason } => OutcomeColumns {
                reason: Some(reason.clone()),
                ..OutcomeColumns::default()
            },
        }
    }

    /// The state it leaves the intent in.
    pub fn state(&self) -> IntentState {
        match self {
            Outcome::Succeeded { .. } => IntentState::Succeeded,
            Outcome::Failed { .. } => IntentState::Failed,
            Outcome::NeedsAttention { .. } => IntentState::NeedsAttention,
        }
    }
}

/// What an [`Outcome`] writes into an intent's row.
#[derive(Debug, Default)]
pub(crate) struct OutcomeColumns {
    pub(crate) payment_id: Option<String>,
    pub(crate) status: Option<String>,
    pub(crate) detail: Option<String>,
    pub(crate) reason: Option<String>,
}

/// A neutral status as a stored name and detail.
pub fn status_parts(status: &PaymentStatus) -> (&'static str, Option<String>) {
    match status {
        PaymentStatus::RequiresCustomerAction { url } => {
            ("requires_customer_action", Some(url.to_string()))
        }
        PaymentStatus::Pending => ("pending", None),
        PaymentStatus::Authorized => ("authorized", None),
        PaymentStatus::Captured => ("captured", None),
        PaymentStatus::Failed { reason } => ("failed", Some(reason.clone())),
        PaymentStatus::Canceled => ("canceled", None),
        PaymentStatus::Voided => ("voided", None),
        PaymentStatus::Refunded => ("refunded", None),
        PaymentStatus::Expired => ("expired", None),
        PaymentStatus::Other { provider_status } => ("other", Some(provider_status.clone())),
        _ => ("other", Some(format!("{status:?}"))),
    }
}

/// A stored status name and detail read back.
pub fn status_from_parts(name: &str, detail: Option<String>) -> Option<PaymentStatus> {
    Some(match name {
        "requires_customer_action" => PaymentStatus::RequiresCustomerAction {
            url: Url::parse(detail.as_deref()?).ok()?,
        },
        "pending" => PaymentStatus::Pending,
        "authorized" => PaymentStatus::Authorized,
        "captured" => PaymentStatus::Captured,
        "failed" => PaymentStatus::Failed {
            reason: detail.unwrap_or_default(),
        },
        "canceled" => PaymentStatus::Canceled,
        "voided" => PaymentStatus::Voided,
        "refunded" => PaymentStatus::Refunded,
        "expired" => PaymentStatus::Expired,
        "other" => PaymentStatus::Other {
            provider_status: detail.unwrap_or_default(),
        },
        _ => return None,
    })
}

/// The fingerprint of a request: SHA-256 over its money-relevant fields, one per line, so a
/// different amount, currency, card's last four, target or operation is a different request.
#[derive(Debug, Default)]
pub(crate) struct Fingerprint {
    hasher: Sha256,
}

impl Fingerprint {
    pub(crate) fn field(mut self, name: &str, value: Option<&str>) -> Fingerprint {
        self.hasher.update(name.as_bytes());
        self.hasher.update(b"=");
        match value {
            Some(value) => {
                self.hasher.update(b"1");
                self.hasher.update(value.len().to_le_bytes());
                self.hasher.update(value.as_bytes());
            }
            None => self.hasher.update(b"0"),
        }
        self.hasher.update(b"\n");
        self
    }

    pub(crate) fn finish(self) -> String {
        hex::encode(self.hasher.finalize())
    }
}

/// Now, in Unix milliseconds.
pub(crate) fn now_ms() -> i64 {
    to_ms(SystemTime::now())
}

/// A time in Unix milliseconds (0 before 1970).
pub(crate) fn to_ms(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Unix milliseconds as a time.
pub(crate) fn from_ms(ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_through_their_stored_names() {
        let statuses = [
            PaymentStatus::RequiresCustomerAction {
                url: Url::parse("https://pay.example/x").unwrap(),
            },
            PaymentStatus::Pending,
            PaymentStatus::Authorized,
            PaymentStatus::Captured,
            PaymentStatus::Failed {
                reason: "declined".into(),
            },
            PaymentStatus::Canceled,
            PaymentStatus::Voided,
            PaymentStatus::Refunded,
            PaymentStatus::Expired,
            PaymentStatus::Other {
                provider_status: "odd".into(),
            },
        ];
        for status in statuses {
            let (name, detail) = status_parts(&status);
            assert_eq!(status_from_parts(name, detail), Some(status));
        }
        assert_eq!(status_from_parts("nonsense", None), None);
        for state in IntentState::ALL {
            assert_eq!(IntentState::parse(state.as_str()), Some(state));
        }
    }

    #[test]
    fn fingerprints_tell_fields_apart() {
        let a = Fingerprint::default()
            .field("amount", Some("10"))
            .field("x", None)
            .finish();
        let b = Fingerprint::default()
            .field("amount", Some("1"))
            .field("x", Some("0"))
            .finish();
        let c = Fingerprint::default()
            .field("amount", Some("10"))
            .field("x", None)
            .finish();
        assert_ne!(a, b);
        assert_eq!(a, c);
        assert_eq!(a.len(), 64);
    }
}
