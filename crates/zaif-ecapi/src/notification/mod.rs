//! The payment-completion notification Zaif sends to `notificationUri`.
//!
//! **The notification is not signed.** Anyone who learns the URI can post one, so treat it as
//! a hint: take the invoice id from it (or, for a `GET` notification, which carries nothing,
//! from your own URI) and confirm with [`ZaifClient::confirm_notification`], which asks Zaif
//! with `getInvoice`.
//!
//! With the `axum` feature, `notification_receiver` is a ready endpoint that does all of this
//! (and answers at once, de-duplicates, and refuses forgeries and floods). By hand, an axum
//! handler looks like this (it compiles as a doctest):
//!
//! ```
//! use axum::{extract::State, http::StatusCode, routing::post, Router};
//! use zaif_ecapi::{PaymentNotification, ZaifClient};
//!
//! async fn zaif_notify(State(zaif): State<ZaifClient>, body: axum::body::Bytes) -> StatusCode {
//!     let Ok(notification) = PaymentNotification::from_form(&body) else {
//!         return StatusCode::BAD_REQUEST;
//!     };
//!     match zaif.confirm_notification(&notification).await {
//!         // Zaif's own record says it is paid: fulfil the order from `invoice`, not the post.
//!         Ok(invoice) => StatusCode::OK,
//!         // Not settled yet, or not genuine: do nothing.
//!         Err(_) => StatusCode::ACCEPTED,
//!     }
//! }
//!
//! # fn main() -> Result<(), zaif_ecapi::ZaifError> {
//! let zaif = ZaifClient::builder().api_key("key").api_secret("secret").build()?;
//! let app: Router = Router::new().route("/zaif/notify", post(zaif_notify)).with_state(zaif);
//! # Ok(())
//! # }
//! ```

#[cfg(feature = "axum")]
mod receiver;
#[cfg(feature = "axum")]
pub use receiver::{
    ConfirmedNotification, NotificationClaim, NotificationConfirmer, notification_receiver,
};

use std::collections::HashMap;

use payments_core::{Currency, Decimal, Money};
use time::OffsetDateTime;

use crate::client::ZaifClient;
use crate::error::ZaifError;
use crate::model::{CryptoCurrency, Invoice};
use crate::wire;

/// The fields of a `POST` notification. Only a hint until confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PaymentNotification {
    /// `invoiceId`.
    pub invoice_id: String,
    /// `settled`: when the payment counted as complete.
    pub settled: Option<OffsetDateTime>,
    /// `amount`: in JPY, or in the asset when the invoice is priced in it (`billingCurrency`;
    /// told by the asset amount beside it being the same).
    pub amount: Option<Money>,
    /// `btc`: the BTC amount, for BTC invoices.
    pub btc: Option<Decimal>,
    /// `mona`: the MONA amount, for MONA invoices.
    pub mona: Option<Decimal>,
    /// `skeb`: the SKEB amount, for SKEB invoices (SkebCoin, added 2024-09).
    pub skeb: Option<Decimal>,
    /// `address`.
    pub address: Option<String>,
    /// `orderNumber`, when the invoice had one.
    pub order_number: Option<String>,
    /// `referenceNumber`, when the invoice had one.
    pub reference_number: Option<String>,
    /// `buyerId`, when the invoice had one.
    pub buyer_id: Option<String>,
}

impl PaymentNotification {
    /// Parses the form body of a `POST` notification. Only `invoiceId` is required; a malformed
    /// optional field is an error naming it.
    pub fn from_form(body: &[u8]) -> Result<PaymentNotification, ZaifError> {
        let fields: HashMap<String, String> = serde_urlencoded::from_bytes(body)
            .map_err(|_| ZaifError::invalid("notification", "is not a form body"))?;
        Self::from_fields(&fields)
    }

    /// Builds a notification from already-parsed fields (a `GET` notification has none: build
    /// one with just the invoice id your URI carries).
    pub fn from_fields(fields: &HashMap<String, String>) -> Result<PaymentNotification, ZaifError> {
        let get = |name: &str| fields.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
        let invoice_id = get("invoiceId")
            .ok_or_else(|| ZaifError::invalid("invoiceId", "is required"))?
            .to_owned();
        let settled = get("settled")
            .map(|v| {
                v.parse::<i64>()
                    .ok()
                    .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
                    .ok_or_else(|| ZaifError::invalid("settled", "is not a unix time"))
            })
            .transpose()?;
        let decimal = |name: &'static str| {
            get(name)
                .map(|v| {
                    Decimal::from_str_exact(v)
                        .map_err(|_| ZaifError::invalid(name, "is not a decimal number"))
                })
                .transpose()
        };
        let (btc, mona, skeb) = (decimal("btc")?, decimal("mona")?, decimal("skeb")?);
        let asset_amount = [
            (CryptoCurrency::Btc, btc),
            (CryptoCurrency::Mona, mona),
            (CryptoCurrency::Skeb, skeb),
        ]
        .into_iter()
        .find_map(|(asset, amount)| Some((asset, amount?)));
        let amount = get("amount")
            .map(|v| {
                // A notification has no `rate`: only the asset amount beside it can show that
                // the invoice was priced in the asset.
                let exact = Decimal::from_str_exact(v).ok();
                match (exact, &asset_amount) {
                    (Some(exact), Some((asset, asset_amount)))
                        if wire::priced_in_asset(exact, Some(*asset_amount), true) =>
                    {
                        Money::new(exact, asset.money_currency()?)
                            .map_err(|e| ZaifError::from(e.for_field("amount")))
                    }
                    _ => Money::parse(v, Currency::JPY)
                        .map_err(|e| ZaifError::from(e.for_field("amount"))),
                }
            })
            .transpose()?;
        Ok(PaymentNotification {
            invoice_id,
            settled,
            amount,
            btc,
            mona,
            skeb,
            address: get("address").map(str::to_owned),
            order_number: get("orderNumber").map(str::to_owned),
            reference_number: get("referenceNumber").map(str::to_owned),
            buyer_id: get("buyerId").map(str::to_owned),
        })
    }
}

impl ZaifClient {
    /// Confirms a notification with `getInvoice`: the invoice must be settled for its speed,
    /// and the amount and order number the notification claims must match Zaif's. Returns
    /// Zaif's invoice, the only record to act on.
    pub async fn confirm_notification(
        &self,
        notification: &PaymentNotification,
    ) -> Result<Invoice, ZaifError> {
        let invoice = self.get_invoice(&notification.invoice_id).await?;
        match disagreement(Some(notification), &invoice) {
            None => Ok(invoice),
            Some(Disagreement::NotSettled(reason) | Disagreement::Mismatch(reason)) => {
                Err(ZaifError::NotificationNotConfirmed {
                    invoice_id: notification.invoice_id.clone(),
                    reason,
                })
            }
        }
    }
}

/// Why Zaif's invoice does not back a notification.
pub(crate) enum Disagreement {
    /// Not settled for its speed (yet, or ever).
    NotSettled(String),
    /// The notification claims what the invoice contradicts.
    Mismatch(String),
}

/// What stops `invoice` from backing `notification` (a bare `GET` claims nothing but the
/// invoice), if anything: it must be settled for its speed, and the amount and order number the
/// notification claims must be Zaif's.
pub(crate) fn disagreement(
    notification: Option<&PaymentNotification>,
    invoice: &Invoice,
) -> Option<Disagreement> {
    if let Some(amount) = notification.and_then(|n| n.amount)
        && amount != invoice.amount
    {
        return Some(Disagreement::Mismatch(
            "the amount does not match the invoice".into(),
        ));
    }
    if let Some(order_number) = notification.and_then(|n| n.order_number.as_ref())
        && invoice.order_number.as_ref() != Some(order_number)
    {
        return Some(Disagreement::Mismatch(
            "the order number does not match the invoice".into(),
        ));
    }
    if !invoice.is_settled() {
        return Some(Disagreement::NotSettled(format!(
            "the invoice is {} (speed {})",
            invoice.status, invoice.speed
        )));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_post_fields() {
        let body = "invoiceId=d7dd735c&settled=1434697000&amount=10800&btc=0.359856\
                    &address=19yhwoY8&orderNumber=A%2D1&referenceNumber=R+1&buyerId=u1";
        let n = PaymentNotification::from_form(body.as_bytes()).unwrap();
        assert_eq!(n.invoice_id, "d7dd735c");
        assert_eq!(n.settled.unwrap().unix_timestamp(), 1434697000);
        assert_eq!(n.amount.unwrap().to_string(), "10800 JPY");
        assert_eq!(n.btc.unwrap().to_string(), "0.359856");
        assert_eq!(n.mona, None);
        let skeb = PaymentNotification::from_form(b"invoiceId=s1&amount=500&skeb=1000.5").unwrap();
        assert_eq!(skeb.skeb.unwrap().to_string(), "1000.5");
        assert_eq!(n.order_number.as_deref(), Some("A-1"));
        assert_eq!(n.reference_number.as_deref(), Some("R 1"));
        assert_eq!(n.buyer_id.as_deref(), Some("u1"));
    }

    #[test]
    fn malformed_notifications_name_the_field() {
        for (body, field) in [
            ("amount=1", "invoiceId"),
            ("invoiceId=x&amount=10.5", "amount"),
            ("invoiceId=x&settled=soon", "settled"),
            ("invoiceId=x&mona=1e3", "mona"),
        ] {
            let err = PaymentNotification::from_form(body.as_bytes()).unwrap_err();
            assert!(
                matches!(&err, ZaifError::Core(payments_core::Error::InvalidInput { field: f, .. }) if f == field),
                "{body}: {err:?}"
            );
        }
    }
}
