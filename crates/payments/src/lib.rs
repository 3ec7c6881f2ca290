#![doc = include_str!("../README.md")]

mod registry;

pub use payments_core::*;
pub use registry::Providers;

/// Zaif Payment: the [`zaif_ecapi`] crate, one to one (feature `zaif`).
#[cfg(feature = "zaif")]
pub use zaif_ecapi as zaif;

/// PaymentOptions: the [`paymentoptions`] crate, one to one (feature
/// `paymentoptions`).
#[cfg(feature = "paymentoptions")]
pub use ::paymentoptions;

/// INTER-STREAM: the [`interstream_store`] crate, one to one (feature `interstream`).
#[cfg(feature = "interstream")]
pub use interstream_store as interstream;

/// The intent journal: crash-safe payments with idempotency keys, the [`payments_journal`]
/// crate, one to one (feature `journal`).
#[cfg(feature = "journal")]
pub use payments_journal as journal;
