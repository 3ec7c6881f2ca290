//! The shared foundation of the payments SDK.
//!
//! Every provider crate (`zaif-ecapi`, `paymentoptions`, `interstream-store`) builds on this
//! crate and implements its [`PaymentProvider`] trait, so an application can hold any of them
//! as `Arc<dyn PaymentProvider>`:
//!
//! * [`money`]: exact amounts ([`Money`], [`Currency`]); no floating point anywhere.
//! * [`secret`]: [`Secret`], which never prints and cannot be serialized by accident.
//! * [`card`]: validated card data, masked to the last four digits everywhere it is shown.
//! * [`error`]: one [`Error`] taxonomy, with [`Error::outcome_unknown`] telling whether a failed
//!   request may still have taken effect.
//! * [`http`], [`retry`], [`telemetry`], [`config`], [`redact`]: the shared runtime: one way
//!   to build the HTTP client (rustls, verified TLS, timeouts), a retry policy that never
//!   resends money blindly, tracing spans, `from_env` helpers and body redaction.
//! * [`validate`]: the one rule for text fields every builder applies.
//!
//! # Example
//!
//! A provider implements the trait once; callers only see the trait.
//!
//! ```
//! use std::sync::Arc;
//! use payments_core::{
//!     Capabilities, Currency, Money, Payment, PaymentMethodKind, PaymentProvider,
//!     PaymentRequest, PaymentStatus, Result,
//! };
//!
//! #[derive(Debug)]
//! struct CashRegister;
//!
//! #[async_trait::async_trait]
//! impl PaymentProvider for CashRegister {
//!     fn name(&self) -> &'static str { "cash-register" }
//!
//!     fn capabilities(&self) -> Capabilities {
//!         Capabilities::create_only(&[PaymentMethodKind::ProviderDefault])
//!     }
//!
//!     async fn create_payment(&self, request: &PaymentRequest) -> Result<Payment> {
//!         Ok(Payment::new(self.name(), "till-1", PaymentStatus::Captured, ())
//!             .with_amount(request.amount))
//!     }
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let provider: Arc<dyn PaymentProvider> = Arc::new(CashRegister);
//! let request = PaymentRequest::new(Money::parse("10800", Currency::JPY)?, "order-42")?;
//! let payment = provider.create_payment(&request).await?;
//! assert!(payment.status.is_paid());
//!
//! // What the provider cannot do is a typed error, never a panic.
//! let err = provider.cancel_payment(&payment.id).await.unwrap_err();
//! assert_eq!(err.kind(), payments_core::ErrorKind::Unsupported);
//! assert!(!err.outcome_unknown());
//! # Ok::<(), payments_core::Error>(())
//! # }).unwrap();
//! ```

#[cfg(feature = "axum")]
pub mod callback;
pub mod card;
pub mod config;
mod crypto;
pub mod error;
pub mod http;
pub mod money;
pub mod payment;
#[cfg(feature = "postgres")]
pub mod postgres;
pub mod provider;
pub mod random;
pub mod reconcile;
pub mod redact;
pub mod retry;
pub mod secret;
pub mod telemetry;
pub mod validate;

pub use async_trait::async_trait;
pub use error::{Classify, Error, ErrorKind, Result, SendPhase};
pub use money::{Currency, Money, MoneyError};
pub use provider::{
    Browser, Capabilities, CaptureMode, Customer, Operation, Payment, PaymentMethod,
    PaymentMethodKind, PaymentProvider, PaymentRequest, PaymentStatus, ProviderRecord, ReturnUrls,
};
pub use reconcile::{Lookup, PendingCall};
pub use secret::{ExposeSecret, Secret};

// Re-exported so provider crates and their users agree on the exact versions.
pub use rust_decimal::Decimal;
pub use url::Url;
