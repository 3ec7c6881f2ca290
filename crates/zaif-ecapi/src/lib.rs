#![doc = include_str!("../README.md")]

mod auth;
mod client;
mod error;
mod model;
mod notification;
mod provider;
mod wire;

/// The provider's name in errors, logs and [`payments_core::Payment::provider`].
pub const PROVIDER: &str = "zaif";

#[cfg(feature = "postgres")]
pub use auth::postgres::PostgresNonce;
#[cfg(feature = "redis")]
pub use auth::redis::RedisNonce;
pub use auth::{
    AuthMethod, FileNonce, InProcessNonce, MAX_NONCE_LEAD, Nonce, NonceSource, NonceTurn,
};
pub use client::{
    DEFAULT_ENDPOINT, DEFAULT_PAYMENT_PAGE_BASE, ENV_VARS, ZaifClient, ZaifClientBuilder,
};
pub use error::ZaifError;
pub use model::{
    Buyer, CanceledInvoice, CreateInvoice, CreateInvoiceBuilder, CreatedInvoice, CryptoCurrency,
    Invoice, InvoiceIds, InvoiceStatus, NotificationMethod, Speed,
};
pub use notification::PaymentNotification;
#[cfg(feature = "axum")]
pub use notification::{
    ConfirmedNotification, NotificationClaim, NotificationConfirmer, notification_receiver,
};
/// Exact decimals, for amounts priced in an asset ([`CreateInvoice::builder_in_asset`]).
pub use payments_core::Decimal;

/// The request and response transformers, for this workspace's benchmarks. Not part of the API.
#[doc(hidden)]
pub mod bench_support {
    use payments_core::http::RawResponse;

    use crate::{CreateInvoice, CreatedInvoice, Nonce, ZaifClient, ZaifError};

    /// The `createInvoice` form body with `nonce`, as sent.
    pub fn create_invoice_body(
        client: &ZaifClient,
        request: &CreateInvoice,
        nonce: Nonce,
    ) -> Result<String, ZaifError> {
        let form = crate::wire::create_invoice_form(request);
        Ok(client
            .signer()
            .credentials()
            .signed_form("createInvoice", nonce, &form)?)
    }

    /// Decodes a `createInvoice` answer through the envelope.
    pub fn decode_created_invoice(answer: &RawResponse) -> Result<CreatedInvoice, ZaifError> {
        crate::wire::decode_envelope(answer)
    }
}
