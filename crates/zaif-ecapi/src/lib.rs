//! Client for [Zaif Payment](https://zaif.jp)'s `ecapi`: crypto invoices (BTC, MONA, SKEB)
//! priced in JPY.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use httpmock::prelude::*;
//! use zaif_ecapi::{CreateInvoice, CryptoCurrency, InvoiceStatus, ZaifClient};
//!
//! // A local stand-in for https://api.zaif.jp/ecapi, answering getInvoice.
//! let server = MockServer::start_async().await;
//! server.mock_async(|when, then| {
//!     when.method(POST).path("/ecapi").form_urlencoded_tuple("method", "getInvoice");
//!     then.status(200).body(r#"{"success":1,"return":{"invoiceId":"d7dd735c","created":1434696690,
//!         "expired":1434698490,"status":"confirmed","settled":1434697200,"amount":10800,
//!         "currency":"btc","rate":"30012","btc":"0.359856","address":"19yhwoY8ysDNy1J1JBZf6nRBsUfLTe2Lvb",
//!         "BIP21":"bitcoin:19yhwoY8ysDNy1J1JBZf6nRBsUfLTe2Lvb?amount=0.359856","speed":"medium",
//!         "orderNumber":"A-1001"}}"#);
//! }).await;
//!
//! let zaif = ZaifClient::builder()
//!     .api_key("490f983a-5fab-49b2-b789-9d1f130874d3")
//!     .api_secret("my-api-secret")
//!     .endpoint(server.url("/ecapi"))
//!     .build()?;
//! let invoice = zaif.get_invoice("d7dd735c").await?;
//! assert_eq!(invoice.status, InvoiceStatus::Confirmed);
//! assert!(invoice.is_settled()); // confirmed is enough for speed=medium
//! # Ok::<(), zaif_ecapi::ZaifError>(())
//! # }).unwrap();
//! ```
//!
//! # What it does
//!
//! * [`ZaifClient`]: `builder()` or `from_env()` (`ZAIF_API_KEY`, `ZAIF_API_SECRET`, `ZAIF_AUTH`,
//!   `ZAIF_ENDPOINT`, `ZAIF_NONCE_FILE`); the four methods `createInvoice`
//!   ([`ZaifClient::create_invoice`]), `getInvoice`, `getInvoiceIdsByOrderNumber`
//!   ([`ZaifClient::find_invoice_ids`]) and `cancelInvoice`; payment form and iframe URLs.
//! * Authentication by the md5 or sha1 hex of the secret ([`AuthMethod`]), computed once and held
//!   as a secret: the hash is as good as the secret on the wire.
//! * Nonces ([`NonceSource`]): microsecond unixtime, strictly increasing. Calls sharing a key
//!   take their nonce and send under one per-key lock, so they reach Zaif in nonce order; a
//!   `nonce not incremented` answer (which proves nothing happened) is retried with a fresh
//!   nonce, a bounded number of times. [`FileNonce`] shares the sequence between processes.
//! * [`PaymentNotification`] and [`ZaifClient::confirm_notification`]: the notification is not
//!   signed, so it is confirmed with `getInvoice` before anything is fulfilled.
//! * [`payments_core::PaymentProvider`] for `ZaifClient`.
//!
//! # Where the docs are silent
//!
//! * `cancelInvoice`'s success body is undocumented: it is kept as raw JSON. Any error text it
//!   returns other than the documented ones becomes [`ZaifError::CannotCancel`].
//! * `settled` before settlement may be absent, `null`, `0` or `""`: all read as `None`.
//! * The crypto amount field is named after the asset (`btc`, `mona`, `skeb`); unknown fields
//!   are kept in `extra`.

mod auth;
mod client;
mod error;
mod model;
mod notification;
mod provider;

/// The provider's name in errors, logs and [`payments_core::Payment::provider`].
pub const PROVIDER: &str = "zaif";

pub use auth::{AuthMethod, FileNonce, InProcessNonce, Nonce, NonceSource};
pub use client::{DEFAULT_ENDPOINT, DEFAULT_PAYMENT_PAGE_BASE, ZaifClient, ZaifClientBuilder};
pub use error::ZaifError;
pub use model::{
    Buyer, CanceledInvoice, CreateInvoice, CreateInvoiceBuilder, CreatedInvoice, CryptoCurrency,
    Invoice, InvoiceIds, InvoiceStatus, NotificationMethod, Speed,
};
pub use notification::PaymentNotification;
