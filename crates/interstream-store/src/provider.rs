//! [`PaymentProvider`] for [`InterstreamClient`].
//!
//! * `create_payment` adds a payment to the current order of the user named by
//!   `request.customer.id`, and answers [`PaymentStatus::Captured`]: INTER-STREAM takes the
//!   payment as done when it accepts it. The API returns no payment id, so the merchant's
//!   `reference` is the payment's id, and it is written into the description
//!   (`"{description} [{reference}]"`, or the reference alone), as the provider advises, so the
//!   payment can be found in the store's records.
//! * `get_payment` and `cancel_payment` are [`payments_core::Error::Unsupported`]: the API has
//!   neither.
//! * Reconciliation (for an intent journal): the API returns no payment id and has no payment
//!   lookup, so the journal records the order's amounts from `get_cart` before the send
//!   (`prepare_reconciliation`) and compares them afterwards; payments to one user are
//!   serialized (`reconciliation_scope` is the user), so a change by exactly the amount is this
//!   payment's. A journal reference is written into the description beside the merchant's.

use payments_core::{
    Capabilities, Decimal, Error, Lookup, Operation, Payment, PaymentMethod, PaymentMethodKind,
    PaymentProvider, PaymentRequest, PaymentStatus, PendingCall, Result,
};

use crate::PROVIDER;
use crate::client::InterstreamClient;
use crate::model::{AddedPayment, Cart, UserId};

/// Payments on a user's order; no lookup, no cancel.
const CAPABILITIES: Capabilities = Capabilities::create_only(&[PaymentMethodKind::ProviderDefault]);

#[async_trait::async_trait]
impl PaymentProvider for InterstreamClient {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn create_payment(&self, request: &PaymentRequest) -> Result<Payment> {
        if !matches!(request.method, PaymentMethod::ProviderDefault) {
            return Err(Error::invalid_input(
                "method",
                "INTER-STREAM takes PaymentMethod::ProviderDefault (a payment on the user's order)",
            ));
        }
        let user_id = user_id(request.customer.id.as_deref())?;
        let tag = match &request.journal_reference {
            Some(journal) if *journal != request.reference => {
                format!("{} {journal}", request.reference)
            }
            _ => request.reference.clone(),
        };
        let description = match &request.description {
            Some(text) if !text.trim().is_empty() => format!("{text} [{tag}]"),
            _ => tag,
        };
        let message = self
            .add_payment(user_id, request.amount, Some(&description))
            .await?;
        let record = AddedPayment {
            user_id,
            description,
            message,
        };
        Ok(Payment::new(
            PROVIDER,
            request.reference.clone(),
            PaymentStatus::Captured,
            record,
        )
        .with_amount(request.amount)
        .with_reference(request.reference.clone()))
    }

    fn reconciliation_scope(&self, call: &PendingCall) -> Option<String> {
        match (call.operation, &call.customer_id) {
            (Operation::CreatePayment, Some(user)) => Some(format!("user:{user}")),
            _ => None,
        }
    }

    async fn prepare_reconciliation(&self, call: &PendingCall) -> Result<Option<String>> {
        if call.operation != Operation::CreatePayment {
            return Ok(None);
        }
        let cart = self.get_cart(user_id(call.customer_id.as_deref())?).await?;
        Ok(Some(order_snapshot(&cart)))
    }

    async fn reconcile(&self, call: &PendingCall) -> Result<Lookup> {
        match call.operation {
            Operation::CreatePayment => self.reconcile_payment(call).await,
            other => Ok(Lookup::Unprovable {
                reason: format!("interstream has no {other}"),
            }),
        }
    }
}

/// The INTER-STREAM user a payment goes to.
fn user_id(customer_id: Option<&str>) -> Result<UserId> {
    customer_id
        .ok_or_else(|| Error::invalid_input("customer.id", "the INTER-STREAM user id is required"))
        .and_then(|id| {
            UserId::parse(id)
                .map_err(|_| Error::invalid_input("customer.id", "must be a whole number from 1"))
        })
}

/// The order's state as `prepare_reconciliation` records it: `order=ID;paid=P` or `order=none`.
fn order_snapshot(cart: &Cart) -> String {
    match &cart.order_id {
        Some(id) => format!(
            "order={id};paid={};due={}",
            cart.amount_paid.unwrap_or_default(),
            cart.amount_due.unwrap_or_default()
        ),
        None => "order=none".to_owned(),
    }
}

/// An order snapshot read back: (order id, paid, due), or `None` for "no current order".
fn parse_snapshot(text: &str) -> Result<Option<(String, Decimal, Decimal)>> {
    let bad = || Error::invalid_input("snapshot", "not an INTER-STREAM order snapshot");
    let mut order = None;
    let mut paid = None;
    let mut due = None;
    for part in text.split(';') {
        match part.split_once('=').ok_or_else(bad)? {
            ("order", "none") => return Ok(None),
            ("order", id) => order = Some(id.to_owned()),
            ("paid", value) => paid = Some(value.parse::<Decimal>().map_err(|_| bad())?),
            ("due", value) => due = Some(value.parse::<Decimal>().map_err(|_| bad())?),
            _ => return Err(bad()),
        }
    }
    match (order, paid, due) {
        (Some(order), Some(paid), Some(due)) => Ok(Some((order, paid, due))),
        _ => Err(bad()),
    }
}

impl InterstreamClient {
    /// Compares the order now with the snapshot taken before the payment was sent.
    async fn reconcile_payment(&self, call: &PendingCall) -> Result<Lookup> {
        let user = user_id(call.customer_id.as_deref())?;
        let money = call
            .amount
            .ok_or_else(|| Error::invalid_input("amount", "a payment names its amount"))?;
        let amount = money.amount();
        let Some(snapshot) = call.snapshot.as_deref() else {
            return Ok(Lookup::Unprovable {
                reason: "no order snapshot was recorded before the send, so the order's amounts cannot be compared: check the user's order in the store's admin".into(),
            });
        };
        let before = parse_snapshot(snapshot)?;
        let cart = self.get_cart(user).await?;
        let quiet = call.quiet_for(self.quiet_period());
        let found = |cart: Cart| {
            Lookup::Found(
                Payment::new(
                    PROVIDER,
                    call.reference.clone(),
                    PaymentStatus::Captured,
                    cart,
                )
                .with_amount(money)
                .with_reference(call.reference.clone()),
            )
        };
        let unchanged = |what: String| {
            if quiet {
                Lookup::NotTaken { evidence: what }
            } else {
                Lookup::NotYet {
                    reason: format!("{what}, and the request could still be in flight"),
                }
            }
        };
        Ok(match (before, cart.order_id.clone()) {
            (None, None) => unchanged(format!("user {user} had and has no current order")),
            (None, Some(order)) => Lookup::Unprovable {
                reason: format!(
                    "user {user} had no current order before the payment and has order {order} now: check it in the store's admin"
                ),
            },
            (Some((order, paid, _)), Some(now)) if order == now => {
                let paid_now = cart.amount_paid.unwrap_or_default();
                if paid_now - paid == amount {
                    found(cart)
                } else if paid_now == paid {
                    unchanged(format!("order {order} still shows {paid} paid"))
                } else {
                    Lookup::Unprovable {
                        reason: format!(
                            "order {order}'s paid amount moved from {paid} to {paid_now}, not by {amount}: check it in the store's admin"
                        ),
                    }
                }
            }
            // The order is no longer current: it was processed once its amount due reached 0.
            (Some((_, _, due)), _) if due == amount => found(cart),
            (Some((order, _, due)), _) => Lookup::Unprovable {
                reason: format!(
                    "order {order} is no longer current and owed {due}, not this payment's {amount}: check it in the store's admin"
                ),
            },
        })
    }
}
