//! What the sandbox actually did with money: one entry per processed money-moving request, so
//! tests can reconcile a client's view with the provider's.

use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::faults::lock;

/// One processed money movement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerEntry {
    /// `zaif`, `paymentoptions` or `interstream`.
    pub provider: &'static str,
    /// What happened: `invoice_created`, `invoice_paid`, `invoice_canceled`, `card_charged`,
    /// `payment_added`, `credit_added`, `credit_subtracted`.
    pub event: &'static str,
    /// The merchant's reference: Zaif's order number, PaymentOptions' `merchant_txn_ref`,
    /// INTER-STREAM's description.
    pub reference: String,
    /// The provider's id (invoice id, transaction id, user id).
    pub id: String,
    /// The amount, as a plain decimal.
    pub amount: String,
    /// The currency.
    pub currency: String,
    /// Unix milliseconds.
    pub at_ms: u128,
}

#[derive(Debug, Default)]
pub(crate) struct Ledger {
    entries: Mutex<Vec<LedgerEntry>>,
}

impl Ledger {
    pub(crate) fn record(
        &self,
        provider: &'static str,
        event: &'static str,
        reference: &str,
        id: &str,
        amount: String,
        currency: &str,
    ) {
        let at_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0);
        lock(&self.entries).push(LedgerEntry {
            provider,
            event,
            reference: reference.to_owned(),
            id: id.to_owned(),
            amount,
            currency: currency.to_owned(),
            at_ms,
        });
    }

    pub(crate) fn entries(&self) -> Vec<LedgerEntry> {
        lock(&self.entries).clone()
    }
}
