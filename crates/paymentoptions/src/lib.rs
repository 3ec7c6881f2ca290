#![doc = include_str!("../README.md")]

mod auth;
mod client;
pub mod codes;
mod error;
mod fields;
mod model;
mod provider;
mod webhook;
mod wire;

/// The provider's name in errors, logs and [`payments_core::Payment::provider`].
pub const PROVIDER: &str = "paymentoptions";

pub use client::{
    AUTHORIZATION_V1_PATH, AUTHORIZATION_V2_PATH, CAPTURE_PATH, ENV_VARS, Environment,
    HOSTED_LINK_PATH, PURCHASE_V1_PATH, PURCHASE_V2_PATH, PaymentOptionsClient,
    PaymentOptionsClientBuilder, REFUND_PATH, STATUS_PATH, SUBSCRIPTION_PATH, TEST_BASE_URL,
    VOID_PATH,
};
pub use error::PaymentOptionsError;
pub use model::{
    Address, BillingDetails, BrowserInfo, CaptureRequest, CycleType, DeviceDetails,
    GatewayResponse, HostedLink, HostedLinkRequest, Lenient, LinkAmount, MerchantDetails,
    PaymentDetails, PaymentSource, Plan, PlanBuilder, PurchaseOutcome, PurchaseRequest,
    PurchaseRequestBuilder, PurchaseResponse, RefundRequest, ResponseCard, ReturnUrl, RiskDetails,
    SubscriptionCycle, SubscriptionDetails, SubscriptionPlanDetails, SubscriptionRequest,
    SubscriptionStatus, SubscriptionUpdate, ThreeDsChallenge, TransactionDetails,
    TransactionResponse, TransactionType, WalletLinkRequest,
};
pub use payments_core::card::{Card, CardExpiry, CardNumber, Cvc, MaskedPan};
pub use webhook::WebhookEvent;
#[cfg(feature = "axum")]
pub use webhook::{ConfirmedWebhook, WebhookConfirmer, webhook_receiver};

/// The request and response transformers, for this workspace's benchmarks. Not part of the API.
#[doc(hidden)]
pub mod bench_support {
    use payments_core::http::RawResponse;

    use crate::{PaymentOptionsError, PurchaseOutcome, PurchaseRequest};

    /// The JSON body of a purchase, as sent.
    pub fn purchase_body(
        request: &PurchaseRequest,
        merchant_id: &str,
    ) -> Result<Vec<u8>, PaymentOptionsError> {
        Ok(crate::wire::purchase_body(request, merchant_id)?)
    }

    /// Decodes a purchase answer.
    pub fn decode(answer: &RawResponse) -> Result<PurchaseOutcome, PaymentOptionsError> {
        crate::wire::decode_purchase(answer)
    }
}
