#![doc = include_str!("../README.md")]

mod auth;
mod client;
mod error;
mod model;
mod provider;
mod webhook;

/// The provider's name in errors, logs and [`payments_core::Payment::provider`].
pub const PROVIDER: &str = "paymentoptions";

pub use client::{
    Environment, PURCHASE_V1_PATH, PURCHASE_V2_PATH, PaymentOptionsClient,
    PaymentOptionsClientBuilder,
};
pub use error::PaymentOptionsError;
pub use model::{
    Address, BillingDetails, BrowserInfo, DeviceDetails, GatewayResponse, MerchantDetails,
    PaymentDetails, PaymentSource, PurchaseOutcome, PurchaseRequest, PurchaseRequestBuilder,
    PurchaseResponse, ResponseCard, ReturnUrl, RiskDetails, ThreeDsChallenge, TransactionDetails,
};
pub use payments_core::card::{Card, CardExpiry, CardNumber, Cvc, MaskedPan};
pub use webhook::WebhookEvent;
