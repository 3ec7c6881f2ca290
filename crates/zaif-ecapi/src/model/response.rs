//! Zaif's answers: the `return` object of each method's envelope.

use std::collections::BTreeMap;

use payments_core::{Decimal, Money, Url};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{CryptoCurrency, InvoiceStatus, Speed};
use crate::wire::fields;

/// The crypto amounts of an invoice, one field per asset (`btc`, `mona`, `skeb`, ...).
fn crypto_amount(
    currency: &CryptoCurrency,
    btc: Option<Decimal>,
    mona: Option<Decimal>,
    skeb: Option<Decimal>,
    extra: &BTreeMap<String, serde_json::Value>,
) -> Option<Decimal> {
    match currency {
        CryptoCurrency::Btc => btc,
        CryptoCurrency::Mona => mona,
        CryptoCurrency::Skeb => skeb,
        CryptoCurrency::Other(code) => match extra.get(code)? {
            serde_json::Value::String(text) => Decimal::from_str_exact(text).ok(),
            _ => None,
        },
    }
}

/// The answer to `createInvoice`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreatedInvoice {
    /// `invoiceId`.
    pub invoice_id: String,
    /// `invoiceUri`: the payment form.
    pub invoice_uri: Url,
    /// `invoiceIframeUri`: the payment form for an iframe.
    pub invoice_iframe_uri: Url,
    /// `created`.
    #[serde(
        deserialize_with = "fields::unix_time",
        serialize_with = "time::serde::timestamp::serialize"
    )]
    pub created: OffsetDateTime,
    /// `expired`: when the invoice expires.
    #[serde(
        deserialize_with = "fields::unix_time",
        serialize_with = "time::serde::timestamp::serialize"
    )]
    pub expired: OffsetDateTime,
    /// `amount`: the amount sent, in JPY, or in the asset when the invoice is priced in it
    /// (`billingCurrency`).
    #[serde(
        deserialize_with = "fields::invoice_amount",
        serialize_with = "fields::serialize_invoice_amount"
    )]
    pub amount: Money,
    /// `currency`.
    pub currency: CryptoCurrency,
    /// `rate`: JPY per unit of the asset (absent when billing in the asset itself).
    #[serde(default, deserialize_with = "fields::decimal")]
    pub rate: Option<Decimal>,
    /// `btc`: the amount due in BTC (BTC invoices only).
    #[serde(default, deserialize_with = "fields::decimal")]
    pub btc: Option<Decimal>,
    /// `mona`: the amount due in MONA (MONA invoices only).
    #[serde(default, deserialize_with = "fields::decimal")]
    pub mona: Option<Decimal>,
    /// `skeb`: the amount due in SKEB (SKEB invoices only; not in the seed docs).
    #[serde(default, deserialize_with = "fields::decimal")]
    pub skeb: Option<Decimal>,
    /// `address`: where the customer pays.
    pub address: String,
    /// `BIP21`: the payment URI.
    #[serde(rename = "BIP21")]
    pub bip21: String,
    /// `speed`.
    pub speed: Speed,
    /// `orderNumber`, when sent.
    #[serde(default)]
    pub order_number: Option<String>,
    /// `referenceNumber`, when sent.
    #[serde(default)]
    pub reference_number: Option<String>,
    /// `buyerId`, when sent.
    #[serde(default)]
    pub buyer_id: Option<String>,
    /// Fields Zaif added that this crate does not know, kept as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl CreatedInvoice {
    /// The amount due in the invoice's crypto asset.
    pub fn crypto_amount(&self) -> Option<Decimal> {
        crypto_amount(&self.currency, self.btc, self.mona, self.skeb, &self.extra)
    }
}

/// The answer to `getInvoice`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Invoice {
    /// `invoiceId`.
    pub invoice_id: String,
    /// `created`.
    #[serde(
        deserialize_with = "fields::unix_time",
        serialize_with = "time::serde::timestamp::serialize"
    )]
    pub created: OffsetDateTime,
    /// `expired`: when the invoice expires.
    #[serde(
        deserialize_with = "fields::unix_time",
        serialize_with = "time::serde::timestamp::serialize"
    )]
    pub expired: OffsetDateTime,
    /// `status`.
    pub status: InvoiceStatus,
    /// `settled`: when the payment counted as complete for its speed; `None` until then.
    #[serde(
        default,
        deserialize_with = "fields::optional_unix_time",
        serialize_with = "time::serde::timestamp::option::serialize"
    )]
    pub settled: Option<OffsetDateTime>,
    /// `amount`: in JPY, or in the asset when the invoice is priced in it (`billingCurrency`).
    #[serde(
        deserialize_with = "fields::invoice_amount",
        serialize_with = "fields::serialize_invoice_amount"
    )]
    pub amount: Money,
    /// `currency`.
    pub currency: CryptoCurrency,
    /// `rate`.
    #[serde(default, deserialize_with = "fields::decimal")]
    pub rate: Option<Decimal>,
    /// `btc`.
    #[serde(default, deserialize_with = "fields::decimal")]
    pub btc: Option<Decimal>,
    /// `mona`.
    #[serde(default, deserialize_with = "fields::decimal")]
    pub mona: Option<Decimal>,
    /// `skeb`.
    #[serde(default, deserialize_with = "fields::decimal")]
    pub skeb: Option<Decimal>,
    /// `address`.
    pub address: String,
    /// `BIP21`.
    #[serde(rename = "BIP21")]
    pub bip21: String,
    /// `speed`.
    pub speed: Speed,
    /// `orderNumber`, when sent.
    #[serde(default)]
    pub order_number: Option<String>,
    /// `referenceNumber`, when sent (the create answer has it; `getInvoice`'s page omits it).
    #[serde(default)]
    pub reference_number: Option<String>,
    /// `buyerId`, when sent.
    #[serde(default)]
    pub buyer_id: Option<String>,
    /// Fields Zaif added that this crate does not know, kept as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl Invoice {
    /// Whether the invoice counts as paid for its own speed.
    pub fn is_settled(&self) -> bool {
        self.status.is_settled_for(&self.speed)
    }

    /// The amount due in the invoice's crypto asset.
    pub fn crypto_amount(&self) -> Option<Decimal> {
        crypto_amount(&self.currency, self.btc, self.mona, self.skeb, &self.extra)
    }
}

/// The answer to `getInvoiceIdsByOrderNumber`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InvoiceIds {
    /// The invoices for the order number (empty when none). Zaif documents the key as
    /// `invoideIds` (sic); `invoiceIds` is accepted too, and is what this type writes.
    #[serde(
        rename(serialize = "invoiceIds", deserialize = "invoideIds"),
        alias = "invoiceIds",
        default,
        deserialize_with = "fields::ids"
    )]
    pub ids: Vec<String>,
    /// `counts`: documented as a string in one table and shown as an integer; both accepted.
    #[serde(rename = "counts", default, deserialize_with = "fields::count")]
    pub count: u64,
}

/// The answer to `cancelInvoice`: the whole invoice, its status `canceled` (documented in the
/// method's page; an earlier reading of this crate kept it raw). A partly paid invoice that is
/// cancelled turns what was paid into an overpayment, which Zaif keeps for the merchant.
///
/// The cancellation is done once Zaif says `success`, so an answer that is not in the invoice
/// shape never fails the call: `invoice` is then `None` and `raw` holds what came.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CanceledInvoice {
    /// The invoice that was canceled.
    pub invoice_id: String,
    /// The invoice as Zaif returned it, when in the documented shape.
    pub invoice: Option<Invoice>,
    /// The `return` value Zaif sent.
    pub raw: serde_json::Value,
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invoice_ids_accept_both_spellings_null_and_string_counts() {
        let documented: InvoiceIds =
            serde_json::from_str(r#"{"invoideIds":["a","b"],"counts":2}"#).unwrap();
        assert_eq!(documented.ids, ["a", "b"]);
        assert_eq!(documented.count, 2);
        let corrected: InvoiceIds =
            serde_json::from_str(r#"{"invoiceIds":["a"],"counts":"1"}"#).unwrap();
        assert_eq!(corrected.ids, ["a"]);
        assert_eq!(corrected.count, 1);
        let none: InvoiceIds = serde_json::from_str(r#"{"invoideIds":null,"counts":0}"#).unwrap();
        assert!(none.ids.is_empty());
        assert_eq!(none.count, 0);
    }

    #[test]
    fn get_invoice_decodes_every_documented_field() {
        let invoice: Invoice = serde_json::from_str(
            r#"{"invoiceId":"d7dd735c","created":1434696690,"expired":1434698490,
                "status":"paid","settled":1434697000,"amount":10800,"currency":"btc",
                "rate":"30012","btc":"0.359856","address":"19yhwoY8ysDNy1J1JBZf6nRBsUfLTe2Lvb",
                "BIP21":"bitcoin:19yhwoY8ysDNy1J1JBZf6nRBsUfLTe2Lvb?amount=0.359856",
                "speed":"high","orderNumber":"A-1","newField":true}"#,
        )
        .unwrap();
        assert_eq!(invoice.status, InvoiceStatus::Paid);
        assert!(invoice.is_settled());
        assert_eq!(invoice.settled.unwrap().unix_timestamp(), 1434697000);
        assert_eq!(invoice.crypto_amount().unwrap().to_string(), "0.359856");
        assert_eq!(invoice.extra["newField"], serde_json::Value::Bool(true));

        let unsettled: Invoice = serde_json::from_str(
            r#"{"invoiceId":"x","created":1,"expired":2,"status":"new","settled":0,
                "amount":"1","currency":"mona","mona":"1.5","address":"M","BIP21":"monacoin:M",
                "speed":"medium"}"#,
        )
        .unwrap();
        assert_eq!(unsettled.settled, None);
        assert_eq!(unsettled.rate, None);
        assert!(!unsettled.is_settled());
    }
}
