//! What a payment is, in provider-neutral terms: the operations, the neutral status, and the
//! [`Payment`] that carries the provider's own record. Below both [`crate::provider`] and
//! [`crate::reconcile`], which use it.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use url::Url;

use crate::money::Money;

/// The operations of [`PaymentProvider`](crate::PaymentProvider).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// [`PaymentProvider::create_payment`](crate::PaymentProvider::create_payment).
    CreatePayment,
    /// [`PaymentProvider::get_payment`](crate::PaymentProvider::get_payment).
    GetPayment,
    /// [`PaymentProvider::cancel_payment`](crate::PaymentProvider::cancel_payment).
    CancelPayment,
    /// [`PaymentProvider::capture_payment`](crate::PaymentProvider::capture_payment).
    CapturePayment,
    /// [`PaymentProvider::void_payment`](crate::PaymentProvider::void_payment).
    VoidPayment,
    /// [`PaymentProvider::refund_payment`](crate::PaymentProvider::refund_payment).
    RefundPayment,
}

impl Operation {
    /// The method name, as used in errors and logs.
    pub fn as_str(&self) -> &'static str {
        match self {
            Operation::CreatePayment => "create_payment",
            Operation::GetPayment => "get_payment",
            Operation::CancelPayment => "cancel_payment",
            Operation::CapturePayment => "capture_payment",
            Operation::VoidPayment => "void_payment",
            Operation::RefundPayment => "refund_payment",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a payment stands, in terms every provider maps onto.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PaymentStatus {
    /// The customer must act first: send them to `url` (a crypto payment page, a 3-D Secure
    /// challenge).
    RequiresCustomerAction {
        /// Where to send the customer.
        url: Url,
    },
    /// Started; the outcome is not known yet (e.g. seen on chain, not yet confirmed).
    Pending,
    /// Authorized but not captured.
    Authorized,
    /// Captured or settled: the money is the merchant's.
    Captured,
    /// Failed or declined.
    Failed {
        /// The provider's reason, verbatim.
        reason: String,
    },
    /// Canceled before completion.
    Canceled,
    /// An authorization released without being captured.
    Voided,
    /// Money returned to the customer, in part or in whole (see the provider's record for how
    /// much); further refunds may follow until the captured amount is used up.
    Refunded,
    /// Expired before the customer paid.
    Expired,
    /// A status the provider reported that this SDK does not know yet, kept verbatim.
    Other {
        /// The provider's status text.
        provider_status: String,
    },
}

impl PaymentStatus {
    /// Whether the payment can no longer change on its own (captured, failed, canceled,
    /// voided, expired). A captured payment can still be refunded by the merchant.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            PaymentStatus::Captured
                | PaymentStatus::Failed { .. }
                | PaymentStatus::Canceled
                | PaymentStatus::Voided
                | PaymentStatus::Expired
        )
    }

    /// Whether the merchant has been paid.
    pub fn is_paid(&self) -> bool {
        matches!(self, PaymentStatus::Captured)
    }
}

/// A provider's own, typed record of a payment (a Zaif invoice, a PaymentOptions transaction).
///
/// Any `Debug + Send + Sync + 'static` type is one; provider crates make sure their record
/// types redact secrets and card data in `Debug`.
pub trait ProviderRecord: Any + fmt::Debug + Send + Sync {}

impl<T: Any + fmt::Debug + Send + Sync> ProviderRecord for T {}

/// A payment as seen through the common trait, with the provider's own record attached.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Payment {
    /// The provider's name (`"zaif"`, `"paymentoptions"`, `"interstream"`).
    pub provider: &'static str,
    /// The provider's id for the payment (an invoice id, a transaction id).
    pub id: String,
    /// Where it stands.
    pub status: PaymentStatus,
    /// The amount, when the provider reports it.
    pub amount: Option<Money>,
    /// The merchant's reference, when the provider reports it.
    pub reference: Option<String>,
    record: Arc<dyn ProviderRecord>,
}

impl Payment {
    /// A payment with the provider's `record` attached.
    pub fn new(
        provider: &'static str,
        id: impl Into<String>,
        status: PaymentStatus,
        record: impl ProviderRecord,
    ) -> Payment {
        Payment {
            provider,
            id: id.into(),
            status,
            amount: None,
            reference: None,
            record: Arc::new(record),
        }
    }

    /// Sets the amount.
    pub fn with_amount(mut self, amount: Money) -> Payment {
        self.amount = Some(amount);
        self
    }

    /// Sets the merchant's reference.
    pub fn with_reference(mut self, reference: impl Into<String>) -> Payment {
        self.reference = Some(reference.into());
        self
    }

    /// The provider's own record, to print or to downcast.
    pub fn record(&self) -> &dyn ProviderRecord {
        self.record.as_ref()
    }

    /// The provider's own record as its concrete type, e.g.
    /// `payment.record_as::<zaif_ecapi::Invoice>()`.
    pub fn record_as<T: ProviderRecord>(&self) -> Option<&T> {
        let any: &dyn Any = self.record.as_ref();
        any.downcast_ref::<T>()
    }
}
