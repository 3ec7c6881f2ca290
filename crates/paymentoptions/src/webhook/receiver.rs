//! The ready webhook endpoint (feature `axum`): [`webhook_receiver`] builds a
//! [`Receiver`](payments_core::callback::Receiver) that reads the gateway's webhook as it is
//! posted (JSON, the shape of a transaction answer), confirms it with `transaction/status`
//! before anything is trusted, and hands the merchant's handler a [`ConfirmedWebhook`].
//!
//! What confirms a webhook, since the gateway signs none:
//! - its `is_live` (when sent) matches the client's environment;
//! - a success claim: the gateway's status record exists, is a success, and carries the amount
//!   and currency the webhook claims (when it claims them);
//! - a failure claim (`success: false`, a declined 3-D Secure challenge or hosted page): the
//!   gateway holds no successful transaction under that id.
//!
//! Anything else is refused and never reaches the handler. A lookup that fails (transport,
//! 5xx) is retried until the receiver's bound.

use payments_core::callback::{Callback, Confirm, HandlerResult, Receiver, Verdict};
use payments_core::{Payment, PaymentStatus};
use std::hash::BuildHasher;

use crate::client::PaymentOptionsClient;
use crate::error::PaymentOptionsError;
use crate::model::TransactionResponse;
use crate::webhook::WebhookEvent;

/// A webhook the gateway's own record backs.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ConfirmedWebhook {
    /// What was posted (card numbers masked, CVCs and tokens blanked): a hint only.
    pub event: WebhookEvent,
    /// The gateway's status record (`None` when a failure claim was confirmed by the gateway
    /// holding no such transaction).
    pub record: Option<Box<TransactionResponse>>,
    /// The status to act on, from the gateway's record.
    pub status: PaymentStatus,
}

impl ConfirmedWebhook {
    /// `transaction_details.id`.
    pub fn transaction_id(&self) -> &str {
        self.event.transaction_id().unwrap_or_default()
    }

    /// The merchant's reference (`merchant_txn_ref`), from the record when it has one: with the
    /// intent journal this is the idempotency key whose pending purchase this webhook settles.
    pub fn merchant_txn_ref(&self) -> Option<&str> {
        self.record
            .as_ref()
            .and_then(|r| r.transaction_details.as_ref())
            .and_then(|t| t.merchant_txn_ref.as_deref())
            .or_else(|| self.event.merchant_txn_ref())
    }

    /// The confirmed payment, as the rest of the SDK speaks of it (for `Journaled::settle_confirmed`).
    pub fn payment(&self) -> Payment {
        let amount = self
            .record
            .as_ref()
            .and_then(|r| crate::provider::transaction_money(r, None));
        let payment = Payment::new(
            crate::PROVIDER,
            self.transaction_id(),
            self.status.clone(),
            (),
        );
        match amount {
            Some(amount) => payment.with_amount(amount),
            None => payment,
        }
    }
}

/// Confirms PaymentOptions webhooks with the gateway (see the module's rules).
#[derive(Debug, Clone)]
pub struct WebhookConfirmer {
    gateway: PaymentOptionsClient,
    /// Keyed at random per process: a forger cannot craft a body whose key collides with a
    /// genuine one's and so have it ignored as a repeat.
    hasher: std::collections::hash_map::RandomState,
}

impl WebhookConfirmer {
    /// Confirms with `gateway`'s `transaction/status`, in its environment.
    pub fn new(gateway: PaymentOptionsClient) -> WebhookConfirmer {
        WebhookConfirmer {
            gateway,
            hasher: std::collections::hash_map::RandomState::new(),
        }
    }
}

/// A ready receiver: confirmed webhooks go to `handler`. Mount it with
/// `.router("/webhooks/paymentoptions")`; adjust its limits first if needed.
pub fn webhook_receiver<F, Fut>(
    gateway: PaymentOptionsClient,
    handler: F,
) -> Receiver<WebhookConfirmer>
where
    F: Fn(ConfirmedWebhook) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = HandlerResult> + Send + 'static,
{
    Receiver::new(WebhookConfirmer::new(gateway), handler)
}

fn claims_success(event: &WebhookEvent) -> bool {
    event.success != Some(false)
}

#[async_trait::async_trait]
impl Confirm for WebhookConfirmer {
    type Claim = WebhookEvent;
    type Event = ConfirmedWebhook;

    fn provider(&self) -> &'static str {
        crate::PROVIDER
    }

    fn read(&self, callback: &Callback) -> Result<WebhookEvent, String> {
        if callback.method != axum::http::Method::POST {
            return Err(format!("a webhook is a POST, not a {}", callback.method));
        }
        let event = WebhookEvent::from_json(&callback.body).map_err(|e| e.to_string())?;
        match event.transaction_id() {
            Some(id) if !id.trim().is_empty() => Ok(event),
            _ => Err("the webhook has no transaction_details.id to confirm".into()),
        }
    }

    fn claim_key(&self, claim: &WebhookEvent) -> String {
        // The sanitized body: the same post twice is the same claim.
        format!("{:016x}", self.hasher.hash_one(claim.raw.to_string()))
    }

    fn describe(&self, claim: &WebhookEvent) -> String {
        let kind = match (&claim.transaction_type, claims_success(claim)) {
            (_, false) => "failure".to_owned(),
            (Some(kind), true) => kind.as_str().to_owned(),
            (None, true) => "success".to_owned(),
        };
        format!(
            "transaction {} ({kind})",
            claim.transaction_id().unwrap_or_default()
        )
    }

    async fn confirm(&self, claim: &WebhookEvent) -> Verdict<ConfirmedWebhook> {
        let id = claim.transaction_id().unwrap_or_default();
        let live = self.gateway.environment().is_live();
        if let Some(claimed) = claim
            .raw
            .get("is_live")
            .and_then(serde_json::Value::as_bool)
            && claimed != live
        {
            return Verdict::Refused(format!(
                "the webhook says is_live {claimed}, this client is in {} mode",
                if live { "live" } else { "test" }
            ));
        }
        let record = match self.gateway.transaction_status(id).await {
            Ok(record) => Some(record),
            // The gateway answered: it holds no (successful) transaction under this id.
            Err(PaymentOptionsError::Api { status, .. })
                if (400..500).contains(&status) && status != 429 =>
            {
                None
            }
            Err(PaymentOptionsError::Declined { .. }) => None,
            Err(other) => return Verdict::NotYet(other.to_string()),
        };
        let succeeded = record
            .as_ref()
            .is_some_and(|r| r.success && !matches!(r.status(), PaymentStatus::Failed { .. }));
        match (claims_success(claim), record) {
            (true, Some(record)) if succeeded => {
                if let Some(mismatch) = mismatch(claim, &record) {
                    return Verdict::Refused(mismatch);
                }
                Verdict::Confirmed(ConfirmedWebhook {
                    event: claim.clone(),
                    status: record.status(),
                    record: Some(Box::new(record)),
                })
            }
            (true, _) => {
                Verdict::Refused(format!("the gateway holds no successful transaction {id}"))
            }
            (false, Some(_)) if succeeded => Verdict::Refused(format!(
                "the webhook reports a failure, but transaction {id} succeeded at the gateway"
            )),
            (false, _) => Verdict::Confirmed(ConfirmedWebhook {
                event: claim.clone(),
                record: None,
                status: PaymentStatus::Failed {
                    reason: claim.gateway_response.as_ref().map_or_else(
                        || "the payment failed".to_owned(),
                        |g| format!("{}: {}", g.code, g.message),
                    ),
                },
            }),
        }
    }

    fn event_key(&self, event: &ConfirmedWebhook) -> String {
        format!("{}:{:?}", event.transaction_id(), event.status)
    }
}

/// What the webhook claims that the gateway's record contradicts (amount, currency).
fn mismatch(claim: &WebhookEvent, record: &TransactionResponse) -> Option<String> {
    let claimed = claim
        .payment_details
        .as_ref()
        .and_then(crate::model::Lenient::parsed)?;
    let actual = record.payment_details();
    if let Some(amount) = claimed.amount
        && actual.and_then(|p| p.amount) != Some(amount)
    {
        return Some(format!(
            "the webhook claims amount {amount}, the gateway's record says {}",
            actual
                .and_then(|p| p.amount)
                .map_or_else(|| "none".to_owned(), |a| a.to_string())
        ));
    }
    if let Some(currency) = &claimed.currency
        && actual.and_then(|p| p.currency.as_deref()) != Some(currency.as_str())
    {
        return Some(format!(
            "the webhook claims currency {currency}, the gateway's record says {}",
            actual.and_then(|p| p.currency.as_deref()).unwrap_or("none")
        ));
    }
    None
}
