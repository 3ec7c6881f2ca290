//! The ready notification endpoint (feature `axum`): [`notification_receiver`] builds a
//! [`Receiver`](payments_core::callback::Receiver) that takes Zaif's payment-completion
//! notification as Zaif sends it — a form `POST` with the documented fields, or a bare `GET`
//! that carries nothing — confirms it with Zaif before anything is trusted, and hands the
//! merchant's handler a [`ConfirmedNotification`].
//!
//! A bare `GET` names its invoice only through the merchant's own `notificationUri`: give each
//! invoice a URI naming its order, as a query (`…/notify?orderNumber=A-1`) or as a path segment
//! the router names (`.router("/zaif/{orderNumber}/notify")`, the usual merchant layout), or
//! naming the invoice (`invoiceId`, known only after `createInvoice`). A `POST` may carry them
//! too; its form fields win.
//!
//! What confirms a notification, since Zaif signs none: `getInvoice` (after
//! `getInvoiceIdsByOrderNumber` for an order number) shows the invoice settled for its speed,
//! with the amount and order number the notification claims. A claim Zaif's record contradicts
//! (no such invoice, another amount or order) is refused and never reaches the handler; an
//! invoice not settled yet is asked about again until the receiver's bound.

use std::collections::HashMap;

use payments_core::callback::{Callback, Confirm, HandlerResult, Receiver, Verdict};
use payments_core::{Payment, PaymentStatus};

use crate::client::ZaifClient;
use crate::error::ZaifError;
use crate::model::Invoice;
use crate::notification::{Disagreement, PaymentNotification, disagreement};

/// What a notification claims: a `POST`'s fields, or only the order a `GET`'s URI names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotificationClaim {
    /// An invoice, with whatever else the notification said.
    Invoice(Box<PaymentNotification>),
    /// Only the merchant's order number (a bare `GET` to `…?orderNumber=…`).
    Order(String),
}

/// A notification Zaif's own record backs.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ConfirmedNotification {
    /// Zaif's invoice: the only record to act on.
    pub invoice: Invoice,
    /// What was posted, when it was a `POST`: a hint only.
    pub notification: Option<PaymentNotification>,
}

impl ConfirmedNotification {
    /// The invoice, as the rest of the SDK speaks of a payment.
    pub fn payment(&self) -> Payment {
        Payment::new(
            crate::PROVIDER,
            self.invoice.invoice_id.clone(),
            PaymentStatus::Captured,
            (),
        )
        .with_amount(self.invoice.amount)
    }
}

/// Confirms Zaif's notifications with Zaif (see the module's rules).
#[derive(Debug, Clone)]
pub struct NotificationConfirmer {
    zaif: ZaifClient,
}

impl NotificationConfirmer {
    /// Confirms with `zaif`'s `getInvoice`.
    pub fn new(zaif: ZaifClient) -> NotificationConfirmer {
        NotificationConfirmer { zaif }
    }
}

/// A ready receiver: confirmed notifications go to `handler`. Mount it with
/// `.router("/zaif/notify")`, the path of your `notificationUri`.
pub fn notification_receiver<F, Fut>(
    zaif: ZaifClient,
    handler: F,
) -> Receiver<NotificationConfirmer>
where
    F: Fn(ConfirmedNotification) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = HandlerResult> + Send + 'static,
{
    Receiver::new(NotificationConfirmer::new(zaif), handler)
}

/// A refusal or a reason to ask again, from a failed lookup.
fn lookup_failed<E>(error: ZaifError, what: &str) -> Verdict<E> {
    match error {
        // Zaif answered that it knows no such thing.
        ZaifError::InvalidParameter { .. } | ZaifError::Api { .. } => {
            Verdict::Refused(format!("Zaif does not know {what}: {error}"))
        }
        // The lookup did not happen or did not finish: ask again.
        other => Verdict::NotYet(other.to_string()),
    }
}

#[async_trait::async_trait]
impl Confirm for NotificationConfirmer {
    type Claim = NotificationClaim;
    type Event = ConfirmedNotification;

    fn provider(&self) -> &'static str {
        crate::PROVIDER
    }

    fn read(&self, callback: &Callback) -> Result<NotificationClaim, String> {
        // The merchant's own URI first (a per-order path, then its query), the form last.
        let mut fields: HashMap<String, String> = callback.path_params.iter().cloned().collect();
        if let Some(query) = &callback.query {
            let query: HashMap<String, String> = serde_urlencoded::from_str(query)
                .map_err(|_| "the query is not a form".to_owned())?;
            fields.extend(query);
        }
        match callback.method.as_str() {
            "GET" => {}
            "POST" if callback.body.is_empty() => {}
            "POST" => {
                let form: HashMap<String, String> = serde_urlencoded::from_bytes(&callback.body)
                    .map_err(|_| "the body is not a form".to_owned())?;
                fields.extend(form);
            }
            other => return Err(format!("a notification is a POST or a GET, not a {other}")),
        }
        if fields
            .get("invoiceId")
            .is_some_and(|v| !v.trim().is_empty())
        {
            return PaymentNotification::from_fields(&fields)
                .map(|n| NotificationClaim::Invoice(Box::new(n)))
                .map_err(|e| e.to_string());
        }
        match fields.get("orderNumber").map(|v| v.trim()) {
            Some(order) if !order.is_empty() => Ok(NotificationClaim::Order(order.to_owned())),
            _ => Err("names no invoice: no invoiceId, and no orderNumber in the URI".into()),
        }
    }

    fn claim_key(&self, claim: &NotificationClaim) -> String {
        format!("{claim:?}")
    }

    fn describe(&self, claim: &NotificationClaim) -> String {
        match claim {
            NotificationClaim::Invoice(n) => format!("invoice {}", n.invoice_id),
            NotificationClaim::Order(order) => format!("order {order}"),
        }
    }

    async fn confirm(&self, claim: &NotificationClaim) -> Verdict<ConfirmedNotification> {
        let (invoice_id, notification) = match claim {
            NotificationClaim::Invoice(n) => (n.invoice_id.clone(), Some(n.as_ref())),
            NotificationClaim::Order(order) => {
                let ids = match self.zaif.find_invoice_ids(order).await {
                    Ok(ids) => ids.ids,
                    Err(error) => return lookup_failed(error, &format!("order {order}")),
                };
                match ids.as_slice() {
                    [id] => (id.clone(), None),
                    [] => {
                        return Verdict::Refused(format!(
                            "Zaif holds no invoice for order {order}"
                        ));
                    }
                    several => {
                        return Verdict::Refused(format!(
                            "Zaif holds {} invoices for order {order}: the notification cannot say which was paid",
                            several.len()
                        ));
                    }
                }
            }
        };
        let invoice = match self.zaif.get_invoice(&invoice_id).await {
            Ok(invoice) => invoice,
            Err(error) => return lookup_failed(error, &format!("invoice {invoice_id}")),
        };
        match disagreement(notification, &invoice) {
            None => Verdict::Confirmed(ConfirmedNotification {
                invoice,
                notification: notification.cloned(),
            }),
            Some(Disagreement::Mismatch(why)) => Verdict::Refused(why),
            Some(Disagreement::NotSettled(why)) => Verdict::NotYet(why),
        }
    }

    fn event_key(&self, event: &ConfirmedNotification) -> String {
        event.invoice.invoice_id.clone()
    }
}
