#![doc = include_str!("../README.md")]

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
