#![doc = include_str!("../README.md")]

mod auth;
mod client;
mod error;
mod model;
mod provider;

/// The provider's name in errors, logs and [`payments_core::Payment::provider`].
pub const PROVIDER: &str = "interstream";

pub use auth::{Clock, SaltSource, SignedParams, Signer, signature};
pub use client::{InterstreamClient, InterstreamClientBuilder};
pub use error::{InterstreamError, RequestErrorReason};
pub use model::{Action, Answer, Credit, CreditAction, UserId};
pub use provider::AddedPayment;
