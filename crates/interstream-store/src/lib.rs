#![doc = include_str!("../README.md")]

mod auth;
mod client;
mod error;
mod model;
mod provider;
mod wire;

/// The provider's name in errors, logs and [`payments_core::Payment::provider`].
pub const PROVIDER: &str = "interstream";

pub use auth::{Clock, SaltSource, signature};
pub use client::{ENV_VARS, InterstreamClient, InterstreamClientBuilder};
pub use error::{InterstreamError, RequestErrorReason};
pub use model::{
    Action, AddedPayment, Answer, Cart, ContentItem, Credit, CreditAction, PlaceOrder, PlacedOrder,
    StoreConfig, StoreCurrency, StorePaymentMethod, SymbolPosition, UserId,
};

/// The request and response transformers, for this workspace's benchmarks. Not part of the API.
#[doc(hidden)]
pub mod bench_support {
    use payments_core::http::RawResponse;

    use crate::{Action, Answer, InterstreamClient, InterstreamError, UserId};

    /// A signed `add_payment` request (salt, HMAC, base64, query and form encoding), built.
    pub fn signed_add_payment(
        client: &InterstreamClient,
        user: UserId,
        form: &[(&str, String)],
    ) -> Result<reqwest::Request, InterstreamError> {
        client
            .signed_request(Action::ADD_PAYMENT, Some(user), form)?
            .build()
            .map_err(|e| payments_core::Error::invalid_input("request", e.to_string()).into())
    }

    /// Decodes an answer.
    pub fn decode(answer: &RawResponse) -> Result<Answer, InterstreamError> {
        crate::wire::decode_answer(answer)
    }
}
