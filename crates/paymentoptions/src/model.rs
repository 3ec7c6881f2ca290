//! PaymentOptions' typed requests and answers.
//!
//! Requests are validated when built ([`PurchaseRequestBuilder::build`]); [`crate::wire`] turns
//! them into JSON through private wire structs, the only place card secrets are exposed.
//! Responses mask the card number the gateway echoes ([`MaskedPan`]) and hold the stored-card
//! token as a [`Secret`] from the moment they are decoded.

use std::fmt;
use std::net::IpAddr;

use payments_core::card::{Card, MaskedPan};
use payments_core::money::wire;
use payments_core::validate::{self, Lines};
use payments_core::{Decimal, Error, Money, Secret, Url};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Where the card comes from.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum PaymentSource {
    /// Charge this card.
    Card(Box<Card>),
    /// Charge this card and store it (`payment_method.store_payment_method: true`); the token
    /// comes back as `transaction_details.stored_payment_method_id`.
    CardAndStore(Box<Card>),
    /// Charge a card stored earlier, by its token; no card data is sent.
    StoredCard(Secret),
}

/// The URLs of `return_url`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ReturnUrl {
    /// `webhook_url`: where the gateway posts the outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<Url>,
    /// `success_url`: where the customer returns after paying.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_url: Option<Url>,
    /// `decline_url`: where the customer returns after a decline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decline_url: Option<Url>,
}

impl ReturnUrl {
    /// Sets `webhook_url`.
    pub fn with_webhook(mut self, url: Url) -> Self {
        self.webhook_url = Some(url);
        self
    }

    /// Sets `success_url`.
    pub fn with_success(mut self, url: Url) -> Self {
        self.success_url = Some(url);
        self
    }

    /// Sets `decline_url`.
    pub fn with_decline(mut self, url: Url) -> Self {
        self.decline_url = Some(url);
        self
    }
}

/// A billing or shipping address, as documented.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Address {
    /// `country`: ISO 3166-1 alpha-2 (`JP`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// `email`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// `phone_number`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// `address1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address1: Option<String>,
    /// `city`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// `state`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// `postal_code`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
}

/// The customer's browser, for 3-D Secure (`browser_info`, camelCase keys as documented).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BrowserInfo {
    /// `acceptHeader`: the browser's `Accept` header.
    pub accept_header: String,
    /// `screenColorDepth`, as a string (`"48"`).
    pub screen_color_depth: String,
    /// `javaEnabled`.
    pub java_enabled: bool,
    /// `language` (`"en"`).
    pub language: String,
    /// `screenHeight`, as a string.
    pub screen_height: String,
    /// `screenWidth`, as a string.
    pub screen_width: String,
    /// `challengeWindow` (`"4"`).
    pub challenge_window: String,
    /// `userAgent`.
    pub user_agent: String,
}

/// A validated purchase. Build it with [`PurchaseRequest::builder`].
#[derive(Debug, Clone)]
pub struct PurchaseRequest {
    pub(crate) amount: Money,
    pub(crate) source: PaymentSource,
    pub(crate) merchant_txn_ref: String,
    pub(crate) customer_ip: IpAddr,
    pub(crate) return_url: Option<ReturnUrl>,
    pub(crate) billing_address: Option<Address>,
    pub(crate) shipping_address: Option<Address>,
    pub(crate) browser_info: Option<BrowserInfo>,
    pub(crate) time_zone: Option<String>,
}

impl PurchaseRequest {
    /// Starts a purchase of `amount` from `source`.
    ///
    /// `merchant_txn_ref` is the merchant's idempotency handle: after a timeout, do **not**
    /// resend the purchase under a new reference; look the transaction up by this reference
    /// (or wait for the webhook) first.
    pub fn builder(
        amount: Money,
        source: PaymentSource,
        merchant_txn_ref: impl Into<String>,
        customer_ip: IpAddr,
    ) -> PurchaseRequestBuilder {
        PurchaseRequestBuilder {
            request: PurchaseRequest {
                amount,
                source,
                merchant_txn_ref: merchant_txn_ref.into(),
                customer_ip,
                return_url: None,
                billing_address: None,
                shipping_address: None,
                browser_info: None,
                time_zone: None,
            },
        }
    }

    /// The amount.
    pub fn amount(&self) -> Money {
        self.amount
    }

    /// The merchant's reference.
    pub fn merchant_txn_ref(&self) -> &str {
        &self.merchant_txn_ref
    }
}

/// Builds a [`PurchaseRequest`]; [`PurchaseRequestBuilder::build`] validates it.
#[derive(Debug)]
#[must_use = "a builder does nothing until `build()` is called"]
pub struct PurchaseRequestBuilder {
    request: PurchaseRequest,
}

impl PurchaseRequestBuilder {
    /// `return_url`.
    pub fn return_url(mut self, urls: ReturnUrl) -> Self {
        self.request.return_url = Some(urls);
        self
    }

    /// `billing_address`.
    pub fn billing_address(mut self, address: Address) -> Self {
        self.request.billing_address = Some(address);
        self
    }

    /// `shipping_address`.
    pub fn shipping_address(mut self, address: Address) -> Self {
        self.request.shipping_address = Some(address);
        self
    }

    /// `browser_info`, for 3-D Secure (purchase v2).
    pub fn browser_info(mut self, info: BrowserInfo) -> Self {
        self.request.browser_info = Some(info);
        self
    }

    /// `time_zone` (an IANA name such as `Asia/Tokyo`).
    pub fn time_zone(mut self, zone: impl Into<String>) -> Self {
        self.request.time_zone = Some(zone.into());
        self
    }

    /// Validates the request; nothing is sent for an invalid one.
    pub fn build(self) -> Result<PurchaseRequest, Error> {
        let request = self.request;
        request
            .amount
            .ensure_positive()
            .map_err(|e| e.for_field("amount"))?;
        validate::text(
            "merchant_txn_ref",
            request.merchant_txn_ref.trim(),
            Lines::Single,
        )?;
        if let PaymentSource::StoredCard(token) = &request.source
            && token.expose().trim().is_empty()
        {
            return Err(Error::invalid_input(
                "payment_method.stored_payment_method_id",
                "is required",
            ));
        }
        for (field, address) in [
            ("billing_address", &request.billing_address),
            ("shipping_address", &request.shipping_address),
        ] {
            if let Some(country) = address.as_ref().and_then(|a| a.country.as_deref())
                && !(country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase()))
            {
                return Err(Error::invalid_input(
                    field,
                    "country must be an ISO 3166-1 alpha-2 code such as JP",
                ));
            }
        }
        if let Some(zone) = &request.time_zone {
            validate::text("time_zone", zone, Lines::Single)?;
        }
        Ok(request)
    }
}

/// `gateway_response`: the gateway's verdict (`INFO0000` is success).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GatewayResponse {
    /// `version`.
    #[serde(default)]
    pub version: Option<String>,
    /// `type` (`INFO`, ...).
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// `message`.
    #[serde(default)]
    pub message: String,
    /// `code`.
    #[serde(default)]
    pub code: String,
}

/// `merchant_details.billing_details`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BillingDetails {
    /// `billing_address`.
    #[serde(default)]
    pub billing_address: Option<Address>,
}

/// `merchant_details.device_details`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DeviceDetails {
    /// `visited_ip`.
    #[serde(default)]
    pub visited_ip: Option<String>,
    /// `merchant_ip`.
    #[serde(default)]
    pub merchant_ip: Option<String>,
    /// `customer_ip`.
    #[serde(default)]
    pub customer_ip: Option<String>,
}

/// `merchant_details`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MerchantDetails {
    /// `legal_name`.
    #[serde(default)]
    pub legal_name: Option<String>,
    /// `mid`: the merchant id.
    #[serde(default)]
    pub mid: Option<String>,
    /// `merchant_txn_ref`.
    #[serde(default)]
    pub merchant_txn_ref: Option<String>,
    /// `billing_details`.
    #[serde(default)]
    pub billing_details: Option<BillingDetails>,
    /// `device_details`.
    #[serde(default)]
    pub device_details: Option<DeviceDetails>,
}

/// `payment_details.card`: the number is masked to its last four digits on decoding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResponseCard {
    /// `name`.
    #[serde(default)]
    pub name: Option<String>,
    /// `number`, masked: the gateway echoes the full number, which is dropped here.
    pub number: MaskedPan,
    /// `exp_month`.
    #[serde(default)]
    pub exp_month: Option<String>,
    /// `exp_year`.
    #[serde(default)]
    pub exp_year: Option<String>,
}

/// `payment_details`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PaymentDetails {
    /// `amount`: a JSON number, read exactly as written.
    #[serde(deserialize_with = "wire::exact_json_decimal")]
    pub amount: Decimal,
    /// `response_code` (`0` on success).
    #[serde(default)]
    pub response_code: Option<i64>,
    /// `auth_code`.
    #[serde(default)]
    pub auth_code: Option<String>,
    /// `currency`.
    #[serde(default)]
    pub currency: Option<String>,
    /// `payment_method` (`ECMC-SSL`).
    #[serde(default)]
    pub payment_method: Option<String>,
    /// `scheme` (`MASTERCARD`).
    #[serde(default)]
    pub scheme: Option<String>,
    /// `card`.
    #[serde(default)]
    pub card: Option<ResponseCard>,
    /// `additional_data`, kept as sent.
    #[serde(default)]
    pub additional_data: Option<serde_json::Value>,
}

/// `transaction_details`.
#[derive(Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TransactionDetails {
    /// `id`: the transaction's id (a UUID).
    pub id: String,
    /// `ref`: the gateway's numeric reference (kept as text).
    #[serde(
        rename = "ref",
        default,
        deserialize_with = "crate::wire::number_or_text"
    )]
    pub reference: Option<String>,
    /// `timestamp`.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub timestamp: Option<OffsetDateTime>,
    /// `merchant_txn_ref`.
    #[serde(default)]
    pub merchant_txn_ref: Option<String>,
    /// `stored_payment_method_id`: the stored card's token (`null` unless the card was stored),
    /// held as a secret.
    #[serde(
        default,
        deserialize_with = "crate::wire::optional_secret",
        serialize_with = "crate::wire::redacted_secret"
    )]
    pub stored_payment_method_id: Option<Secret>,
}

impl fmt::Debug for TransactionDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransactionDetails")
            .field("id", &self.id)
            .field("reference", &self.reference)
            .field("timestamp", &self.timestamp)
            .field("merchant_txn_ref", &self.merchant_txn_ref)
            .field("stored_payment_method_id", &self.stored_payment_method_id)
            .finish()
    }
}

/// `risk-details`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RiskDetails {
    /// `risk_score` (`null` in the documented example), kept as sent.
    #[serde(default)]
    pub risk_score: Option<serde_json::Value>,
}

/// A completed purchase: the documented 201 answer, every field.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PurchaseResponse {
    /// `success`.
    pub success: bool,
    /// `status_code`.
    #[serde(default)]
    pub status_code: Option<u16>,
    /// `is_live`.
    #[serde(default)]
    pub is_live: Option<bool>,
    /// `transaction_type` (`PRE_AUTH`, `CAPTURE`, ...).
    #[serde(default)]
    pub transaction_type: Option<String>,
    /// `gateway_response`.
    #[serde(default)]
    pub gateway_response: GatewayResponse,
    /// `merchant_details`.
    #[serde(default)]
    pub merchant_details: Option<MerchantDetails>,
    /// `payment_details`.
    #[serde(default)]
    pub payment_details: Option<PaymentDetails>,
    /// `transaction_details`.
    #[serde(default)]
    pub transaction_details: Option<TransactionDetails>,
    /// `risk-details`.
    #[serde(rename = "risk-details", default)]
    pub risk_details: Option<RiskDetails>,
}

/// A purchase v2 that needs the customer to pass a 3-D Secure challenge first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ThreeDsChallenge {
    /// `redirect_url`: where to send the customer.
    pub redirect_url: Url,
    /// `url`, as sent.
    #[serde(default)]
    pub url: Option<String>,
    /// `statusCode`.
    #[serde(rename = "statusCode", default)]
    pub status_code: Option<u16>,
    /// `success`.
    #[serde(default)]
    pub success: Option<bool>,
}

/// The answer to purchase v2: done, or a 3-D Secure challenge the customer must complete (the
/// outcome then arrives by webhook and at the return URL).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PurchaseOutcome {
    /// The payment completed.
    Completed(Box<PurchaseResponse>),
    /// Send the customer to `redirect_url`.
    ChallengeRequired(ThreeDsChallenge),
}
