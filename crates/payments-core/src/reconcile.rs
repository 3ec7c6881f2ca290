//! What a provider can prove about a money-moving call whose answer never arrived.
//!
//! None of the providers offers server-side idempotency, so an intent journal (the
//! `payments-journal` crate) records each money-moving call before it is sent, and asks the
//! provider afterwards what became of it. These are the questions it asks, through
//! [`PaymentProvider`](crate::PaymentProvider): each provider answers them with its own
//! lookups, and says so plainly when it has none ([`Lookup::Unprovable`]).

use std::fmt;
use std::time::{Duration, SystemTime};

use crate::money::Money;
use crate::payment::{Operation, Payment};

/// A money-moving call as the journal recorded it before sending: what it asked for, and
/// what the provider said about the world just before ([`PendingCall::snapshot`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PendingCall {
    /// The operation.
    pub operation: Operation,
    /// The merchant's reference (for `create_payment`; empty otherwise).
    pub reference: String,
    /// The reference derived from the idempotency key, sent with the request where the
    /// provider has a field for it ([`crate::PaymentRequest::journal_reference`]).
    pub journal_reference: String,
    /// The provider's id of the payment the call acts on (capture, void, refund, cancel).
    pub target: Option<String>,
    /// The amount, when the call names one.
    pub amount: Option<Money>,
    /// The customer's id, where the provider keys payments by customer (INTER-STREAM's user).
    pub customer_id: Option<String>,
    /// What [`crate::PaymentProvider::prepare_reconciliation`] returned before the send.
    pub snapshot: Option<String>,
    /// When the last attempt may have left (recorded before it was sent).
    pub sent_at: SystemTime,
}

impl PendingCall {
    /// A call of `operation` under `journal_reference`, sent at `sent_at`; set the rest with
    /// the `with_*` methods.
    pub fn new(
        operation: Operation,
        journal_reference: impl Into<String>,
        sent_at: SystemTime,
    ) -> PendingCall {
        PendingCall {
            operation,
            reference: String::new(),
            journal_reference: journal_reference.into(),
            target: None,
            amount: None,
            customer_id: None,
            snapshot: None,
            sent_at,
        }
    }

    /// Sets the merchant's reference.
    pub fn with_reference(mut self, reference: impl Into<String>) -> PendingCall {
        self.reference = reference.into();
        self
    }

    /// Sets the target payment id.
    pub fn with_target(mut self, target: impl Into<String>) -> PendingCall {
        self.target = Some(target.into());
        self
    }

    /// Sets the amount.
    pub fn with_amount(mut self, amount: Option<Money>) -> PendingCall {
        self.amount = amount;
        self
    }

    /// Sets the customer id.
    pub fn with_customer_id(mut self, customer_id: Option<String>) -> PendingCall {
        self.customer_id = customer_id;
        self
    }

    /// Sets the snapshot taken before the send.
    pub fn with_snapshot(mut self, snapshot: Option<String>) -> PendingCall {
        self.snapshot = snapshot;
        self
    }

    /// Whether at least `quiet` has passed since the call may have left: after that, a request
    /// still in flight has been given up by the client (its timeout and retry budget spent).
    pub fn quiet_for(&self, quiet: Duration) -> bool {
        SystemTime::now()
            .duration_since(self.sent_at)
            .is_ok_and(|elapsed| elapsed >= quiet)
    }
}

/// What a provider's lookups prove about a [`PendingCall`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Lookup {
    /// The call took effect: this is the payment it made or changed.
    Found(Payment),
    /// The call provably did not take effect (and can no longer arrive): sending it again is
    /// safe.
    NotTaken {
        /// What proves it, for the journal's record.
        evidence: String,
    },
    /// Nothing is proved yet (the call could still be in flight); ask again later.
    NotYet {
        /// Why, for the journal's record.
        reason: String,
    },
    /// No lookup this provider offers can prove what happened: a person must check.
    Unprovable {
        /// Why, and what to check in the provider's dashboard.
        reason: String,
    },
}

impl fmt::Display for Lookup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Lookup::Found(payment) => write!(f, "found {} ({:?})", payment.id, payment.status),
            Lookup::NotTaken { evidence } => write!(f, "not taken: {evidence}"),
            Lookup::NotYet { reason } => write!(f, "not yet provable: {reason}"),
            Lookup::Unprovable { reason } => write!(f, "unprovable: {reason}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_counts_from_the_send() {
        let now = SystemTime::now();
        let call = PendingCall::new(Operation::CreatePayment, "k-1", now);
        assert!(!call.quiet_for(Duration::from_secs(60)));
        assert!(call.quiet_for(Duration::ZERO));
        let old = PendingCall::new(
            Operation::CreatePayment,
            "k-1",
            now - Duration::from_secs(120),
        );
        assert!(old.quiet_for(Duration::from_secs(60)));
        let shown = Lookup::NotTaken {
            evidence: "no invoice under order k-1".into(),
        }
        .to_string();
        assert_eq!(shown, "not taken: no invoice under order k-1");
    }
}
