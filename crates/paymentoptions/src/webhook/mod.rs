//! The body the gateway posts to `return_url.webhook_url`.
//!
//! It has the shape of a transaction answer (the 3-D Secure page's sample), so the parser reads
//! the fields it knows and keeps the rest as JSON, with anything that looks like a card number
//! masked and any CVC or token blanked before it is stored. **A webhook is not authenticated**
//! (the documents only advise "a secret key or signature verification" without naming any):
//! treat it as a hint and confirm it with
//! [`PaymentOptionsClient::confirm_webhook`](crate::PaymentOptionsClient::confirm_webhook),
//! which asks the gateway for the transaction's status, before fulfilling an order. With the
//! `axum` feature, `webhook_receiver` is a ready endpoint that does it (and compares the
//! webhook's `is_live`, amount and currency with the gateway's record, answers at once,
//! de-duplicates, and refuses forgeries and floods).

#[cfg(feature = "axum")]
mod receiver;
#[cfg(feature = "axum")]
pub use receiver::{ConfirmedWebhook, WebhookConfirmer, webhook_receiver};

use payments_core::Error;
use payments_core::redact::mask_card_numbers;
use serde::Deserialize;

use crate::fields::sanitize;
use crate::model::{GatewayResponse, Lenient, PaymentDetails, TransactionDetails, TransactionType};

/// A parsed webhook. Only a hint until confirmed.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WebhookEvent {
    /// `success`, when present.
    pub success: Option<bool>,
    /// `transaction_type`, when present.
    pub transaction_type: Option<TransactionType>,
    /// `gateway_response`, when present.
    pub gateway_response: Option<GatewayResponse>,
    /// `payment_details`, when present (card number masked).
    pub payment_details: Option<Lenient<PaymentDetails>>,
    /// `transaction_details`, when present.
    pub transaction_details: Option<TransactionDetails>,
    /// The whole body, card numbers masked and CVCs blanked.
    pub raw: serde_json::Value,
}

#[derive(Deserialize)]
struct Known {
    #[serde(default)]
    success: Option<bool>,
    #[serde(default)]
    transaction_type: Option<TransactionType>,
    #[serde(default)]
    gateway_response: Option<GatewayResponse>,
    #[serde(default)]
    payment_details: Option<Lenient<PaymentDetails>>,
    #[serde(default)]
    transaction_details: Option<TransactionDetails>,
}

impl WebhookEvent {
    /// Parses a webhook body (JSON).
    pub fn from_json(body: &[u8]) -> Result<WebhookEvent, Error> {
        let known: Known = serde_json::from_slice(body).map_err(|e| {
            Error::invalid_input(
                "webhook",
                format!(
                    "not the expected JSON: {}",
                    mask_card_numbers(&e.to_string())
                ),
            )
        })?;
        let mut raw: serde_json::Value = serde_json::from_slice(body)
            .map_err(|_| Error::invalid_input("webhook", "not JSON"))?;
        sanitize(&mut raw);
        Ok(WebhookEvent {
            success: known.success,
            transaction_type: known.transaction_type,
            gateway_response: known.gateway_response,
            payment_details: known.payment_details,
            transaction_details: known.transaction_details,
            raw,
        })
    }

    /// `transaction_details.id`: what [`crate::PaymentOptionsClient::transaction_status`] takes.
    pub fn transaction_id(&self) -> Option<&str> {
        self.transaction_details.as_ref().map(|t| t.id.as_str())
    }

    /// The merchant's reference of the transaction, to look it up in your own records.
    pub fn merchant_txn_ref(&self) -> Option<&str> {
        self.transaction_details
            .as_ref()
            .and_then(|t| t.merchant_txn_ref.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_known_fields_and_masks_the_rest() {
        let body = br#"{"success":true,"transaction_type":"CAPTURE",
            "gateway_response":{"code":"INFO0000","message":"Payment Successful."},
            "payment_details":{"amount":10.5,"card":{"number":"4000000000001091","cvc":"737"}},
            "transaction_details":{"id":"t-1","merchant_txn_ref":"order-9","stored_payment_method_id":"tok_abc"},
            "extra":{"echo":"card 4000 0000 0000 1091","pan":4000000000001091,"number":4000000000001091}}"#;
        let event = WebhookEvent::from_json(body).unwrap();
        assert_eq!(event.success, Some(true));
        assert_eq!(event.merchant_txn_ref(), Some("order-9"));
        assert_eq!(
            event
                .payment_details
                .as_ref()
                .and_then(Lenient::parsed)
                .and_then(|p| p.amount)
                .unwrap()
                .to_string(),
            "10.5"
        );
        let shown = format!("{event:?} {}", event.raw);
        for leaked in ["4000000000001091", "4000 0000 0000 1091", "737", "tok_abc"] {
            assert!(!shown.contains(leaked), "{leaked} in {shown}");
        }
        assert!(shown.contains("****1091"));
    }

    #[test]
    fn unknown_shapes_are_kept_and_garbage_is_refused() {
        let event = WebhookEvent::from_json(br#"{"event":"refund","id":5}"#).unwrap();
        assert_eq!(event.raw["event"], "refund");
        assert!(event.transaction_details.is_none());
        assert!(WebhookEvent::from_json(b"<html>").is_err());
    }
}
