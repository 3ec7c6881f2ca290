//! PaymentOptions' typed requests and answers.
//!
//! Requests are validated when built ([`PurchaseRequestBuilder::build`]); [`crate::wire`] turns
//! them into JSON through private wire structs, the only place card secrets are exposed.
//! Responses mask the card number the gateway echoes ([`MaskedPan`]) and hold the stored-card
//! token as a [`Secret`] from the moment they are decoded.

mod hosted;
mod subscription;

pub use crate::fields::Lenient;
pub use hosted::{HostedLink, HostedLinkRequest, LinkAmount, WalletLinkRequest};
pub use subscription::{
    CycleType, Plan, PlanBuilder, SubscriptionCycle, SubscriptionDetails, SubscriptionPlanDetails,
    SubscriptionRequest, SubscriptionStatus, SubscriptionUpdate,
};

use std::fmt;
use std::net::IpAddr;

use payments_core::card::{Card, MaskedPan};
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
    /// `cancel_url`: where the customer returns after cancelling on a hosted page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_url: Option<Url>,
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

    /// Sets `cancel_url` (hosted pages).
    pub fn with_cancel(mut self, url: Url) -> Self {
        self.cancel_url = Some(url);
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

impl BrowserInfo {
    /// The gateway's `browser_info` from the neutral [`payments_core::Browser`]; fields the
    /// browser did not report are sent empty, and `challengeWindow` is `"4"` (the documented
    /// example's full-page challenge).
    pub fn from_browser(browser: &payments_core::Browser) -> BrowserInfo {
        let text = |value: Option<String>| value.unwrap_or_default();
        let number = |value: Option<u32>| value.map(|v| v.to_string()).unwrap_or_default();
        BrowserInfo {
            accept_header: text(browser.accept_header.clone()),
            screen_color_depth: number(browser.color_depth.map(u32::from)),
            java_enabled: browser.java_enabled.unwrap_or(false),
            language: text(browser.language.clone()),
            screen_height: number(browser.screen_height),
            screen_width: number(browser.screen_width),
            challenge_window: "4".to_owned(),
            user_agent: text(browser.user_agent.clone()),
        }
    }
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

/// A transaction id as the follow-up operations take it (`transactionId`, at most 36
/// characters: the documented UUIDs).
fn transaction_id_field(field: &'static str, id: &str) -> Result<String, Error> {
    let id = id.trim();
    validate::text(field, id, Lines::Single)?;
    if id.chars().count() > 36 {
        return Err(Error::invalid_input(field, "is at most 36 characters"));
    }
    // Ids are UUIDs; anything else could change a status URL's path.
    if !id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(Error::invalid_input(
            field,
            "may hold only letters, digits, '-' and '_'",
        ));
    }
    Ok(id.to_owned())
}

/// Optional free text (`notes`): line breaks allowed, blank means absent.
fn notes_field(notes: Option<String>) -> Result<Option<String>, Error> {
    match notes {
        Some(text) if !text.trim().is_empty() => {
            validate::text("notes", &text, Lines::Multi)?;
            Ok(Some(text))
        }
        _ => Ok(None),
    }
}

/// What a capture and a refund both carry: a transaction, an amount and optional notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AmountOperation {
    pub(crate) transaction_id: String,
    pub(crate) amount: Money,
    pub(crate) notes: Option<String>,
}

impl AmountOperation {
    fn new(transaction_id: &str, amount: Money, notes: Option<String>) -> Result<Self, Error> {
        Ok(AmountOperation {
            transaction_id: transaction_id_field("transactionId", transaction_id)?,
            amount: amount
                .ensure_positive()
                .map_err(|e| e.for_field("amount"))?,
            notes: notes_field(notes)?,
        })
    }
}

/// A validated capture of an authorization (`…/capture`). Build it with
/// [`CaptureRequest::new`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureRequest(pub(crate) AmountOperation);

impl CaptureRequest {
    /// Captures `amount` of the authorization `transaction_id` (the `PRE_AUTH`'s
    /// `transaction_details.id`). At most the authorized amount; capturing less releases the
    /// rest. Refuses a blank id and a zero amount before anything is sent.
    pub fn new(
        transaction_id: &str,
        amount: Money,
        notes: Option<String>,
    ) -> Result<CaptureRequest, Error> {
        AmountOperation::new(transaction_id, amount, notes).map(CaptureRequest)
    }

    /// The authorization captured.
    pub fn transaction_id(&self) -> &str {
        &self.0.transaction_id
    }

    /// The amount.
    pub fn amount(&self) -> Money {
        self.0.amount
    }
}

/// A validated refund (`…/refund`). Build it with [`RefundRequest::new`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest(pub(crate) AmountOperation);

impl RefundRequest {
    /// Refunds `amount` of the captured or purchased transaction `transaction_id` (the
    /// capture's own id, not the authorization's). Partial refunds may follow one another until
    /// the captured amount is used up (then the gateway answers `ERR3019`).
    pub fn new(
        transaction_id: &str,
        amount: Money,
        notes: Option<String>,
    ) -> Result<RefundRequest, Error> {
        AmountOperation::new(transaction_id, amount, notes).map(RefundRequest)
    }

    /// The transaction refunded.
    pub fn transaction_id(&self) -> &str {
        &self.0.transaction_id
    }

    /// The amount.
    pub fn amount(&self) -> Money {
        self.0.amount
    }
}

/// A transaction id for `void` and `status`, validated like the follow-up bodies'.
pub(crate) fn transaction_id(id: &str) -> Result<String, Error> {
    transaction_id_field("transactionId", id)
}

/// `transaction_type`: what the transaction did. The gateway's word decides the status, not
/// the endpoint that was called (the purchase pages say "captured immediately" while their own
/// sample answers `PRE_AUTH`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransactionType {
    /// `PRE_AUTH`: authorized, not captured.
    PreAuth,
    /// `CAPTURE`: captured (a capture, a sale, a stored-card or subscription charge).
    Capture,
    /// `REFUND`.
    Refund,
    /// `VOID`: the authorization was released.
    Void,
    /// Anything else, verbatim.
    Other(String),
}

impl TransactionType {
    /// The value as the gateway writes it.
    pub fn as_str(&self) -> &str {
        match self {
            TransactionType::PreAuth => "PRE_AUTH",
            TransactionType::Capture => "CAPTURE",
            TransactionType::Refund => "REFUND",
            TransactionType::Void => "VOID",
            TransactionType::Other(other) => other,
        }
    }

    /// Parses the gateway's word, keeping unknown ones.
    pub fn from_wire(text: &str) -> TransactionType {
        match text {
            "PRE_AUTH" => TransactionType::PreAuth,
            "CAPTURE" => TransactionType::Capture,
            "REFUND" => TransactionType::Refund,
            "VOID" => TransactionType::Void,
            other => TransactionType::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for TransactionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for TransactionType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for TransactionType {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = crate::fields::number_or_text(deserializer)?;
        Ok(TransactionType::from_wire(
            text.as_deref().unwrap_or_default(),
        ))
    }
}

/// `gateway_response`: the gateway's verdict (`INFO0000` is success; `ERR…` and `VAL…` are
/// refusals, see [`crate::codes`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GatewayResponse {
    /// `version`.
    #[serde(default, deserialize_with = "crate::fields::number_or_text")]
    pub version: Option<String>,
    /// `type` (`INFO`, ...).
    #[serde(
        rename = "type",
        default,
        deserialize_with = "crate::fields::number_or_text"
    )]
    pub kind: Option<String>,
    /// `message`.
    #[serde(default, deserialize_with = "crate::fields::text_or_empty")]
    pub message: String,
    /// `code`.
    #[serde(default, deserialize_with = "crate::fields::text_or_empty")]
    pub code: String,
}

/// `merchant_details.billing_details`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BillingDetails {
    /// `billing_address`.
    #[serde(default)]
    pub billing_address: Option<Address>,
    /// `shipping_address` (in status answers).
    #[serde(default)]
    pub shipping_address: Option<Address>,
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
    #[serde(default, deserialize_with = "crate::fields::number_or_text")]
    pub mid: Option<String>,
    /// `merchant_txn_ref`.
    #[serde(default, deserialize_with = "crate::fields::number_or_text")]
    pub merchant_txn_ref: Option<String>,
    /// `billing_details`.
    #[serde(default)]
    pub billing_details: Option<Lenient<BillingDetails>>,
    /// `device_details`.
    #[serde(default)]
    pub device_details: Option<Lenient<DeviceDetails>>,
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
    #[serde(default, deserialize_with = "crate::fields::number_or_text")]
    pub exp_month: Option<String>,
    /// `exp_year`.
    #[serde(default, deserialize_with = "crate::fields::number_or_text")]
    pub exp_year: Option<String>,
}

/// `payment_details`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PaymentDetails {
    /// `amount`: a JSON number (or, leniently, a decimal string), read exactly as written.
    #[serde(default, deserialize_with = "crate::fields::exact_amount")]
    pub amount: Option<Decimal>,
    /// `response_code`: the issuer's (0–82) or the gateway's risk code (−8000…); see
    /// [`crate::codes::ResponseCode`].
    #[serde(default, deserialize_with = "crate::fields::signed_integer")]
    pub response_code: Option<i64>,
    /// `responseDescription` (status answers).
    #[serde(rename = "responseDescription", default)]
    pub response_description: Option<String>,
    /// `auth_code`.
    #[serde(default, deserialize_with = "crate::fields::number_or_text")]
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
    pub card: Option<Lenient<ResponseCard>>,
    /// `additional_data`, kept as sent (sanitized).
    #[serde(default, deserialize_with = "crate::fields::sanitized_json")]
    pub additional_data: Option<serde_json::Value>,
}

impl PaymentDetails {
    /// The echoed card, when it was in the documented shape.
    pub fn card(&self) -> Option<&ResponseCard> {
        self.card.as_ref().and_then(Lenient::parsed)
    }

    /// The typed `response_code`.
    pub fn response_code(&self) -> Option<crate::codes::ResponseCode> {
        self.response_code.map(crate::codes::ResponseCode)
    }
}

/// `transaction_details`.
#[derive(Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TransactionDetails {
    /// `id`: the transaction's id (a UUID). Every capture, void and refund gets a new one.
    pub id: String,
    /// `ref`: the gateway's numeric reference (kept as text).
    #[serde(
        rename = "ref",
        default,
        deserialize_with = "crate::fields::number_or_text"
    )]
    pub reference: Option<String>,
    /// `timestamp`, as sent (ISO 8601 in the documents; see
    /// [`TransactionDetails::timestamp`]).
    #[serde(
        rename = "timestamp",
        default,
        deserialize_with = "crate::fields::number_or_text"
    )]
    pub timestamp_text: Option<String>,
    /// `merchant_txn_ref`.
    #[serde(default, deserialize_with = "crate::fields::number_or_text")]
    pub merchant_txn_ref: Option<String>,
    /// `billing_details` (status answers carry the addresses here).
    #[serde(default)]
    pub billing_details: Option<Lenient<BillingDetails>>,
    /// `stored_payment_method_id`: the stored card's token (`null` unless the card was stored),
    /// held as a secret.
    #[serde(
        default,
        deserialize_with = "crate::fields::optional_secret",
        serialize_with = "crate::fields::redacted_secret"
    )]
    pub stored_payment_method_id: Option<Secret>,
}

impl TransactionDetails {
    /// `timestamp` as a time, when it is RFC 3339 (as documented).
    pub fn timestamp(&self) -> Option<OffsetDateTime> {
        let text = self.timestamp_text.as_deref()?;
        OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()
    }
}

impl fmt::Debug for TransactionDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransactionDetails")
            .field("id", &self.id)
            .field("reference", &self.reference)
            .field("timestamp", &self.timestamp_text)
            .field("merchant_txn_ref", &self.merchant_txn_ref)
            .field("billing_details", &self.billing_details)
            .field("stored_payment_method_id", &self.stored_payment_method_id)
            .finish()
    }
}

/// `risk-details` (purchase samples) or `risk_details` (status sample).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RiskDetails {
    /// `risk_score` (`null` in the documented examples), kept as sent.
    #[serde(default)]
    pub risk_score: Option<serde_json::Value>,
}

/// The gateway's answer for a transaction (purchase, authorization, capture, void, refund,
/// status, webhook). Only `success`, `gateway_response.code` and `transaction_details.id`
/// decide the outcome; every other field is optional and kept as sent when it does not parse.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TransactionResponse {
    /// `success`.
    pub success: bool,
    /// `status_code` (or `statusCode`, as some answers spell it).
    #[serde(
        alias = "statusCode",
        default,
        deserialize_with = "crate::fields::lenient_integer"
    )]
    pub status_code: Option<Lenient<i64>>,
    /// `is_live`: whether the answer comes from the live environment.
    #[serde(default)]
    pub is_live: Option<Lenient<bool>>,
    /// `transaction_type`.
    #[serde(default)]
    pub transaction_type: Option<TransactionType>,
    /// `gateway_response`.
    #[serde(default)]
    pub gateway_response: GatewayResponse,
    /// `merchant_details`.
    #[serde(default)]
    pub merchant_details: Option<Lenient<MerchantDetails>>,
    /// `payment_details`.
    #[serde(default)]
    pub payment_details: Option<Lenient<PaymentDetails>>,
    /// `transaction_details`.
    #[serde(default)]
    pub transaction_details: Option<TransactionDetails>,
    /// `risk-details` / `risk_details`.
    #[serde(rename = "risk-details", alias = "risk_details", default)]
    pub risk_details: Option<Lenient<RiskDetails>>,
    /// `subscription_details`, when the answer creates a subscription (the documented sample is
    /// cut off after `transaction_type`; the details/list answers carry this object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_details: Option<Lenient<SubscriptionDetails>>,
}

/// The answer to a purchase: a [`TransactionResponse`].
pub type PurchaseResponse = TransactionResponse;

impl TransactionResponse {
    /// The subscription this answer created, when it says.
    pub fn subscription(&self) -> Option<&SubscriptionDetails> {
        self.subscription_details.as_ref().and_then(Lenient::parsed)
    }

    /// `transaction_details.id`.
    pub fn transaction_id(&self) -> Option<&str> {
        self.transaction_details.as_ref().map(|t| t.id.as_str())
    }

    /// `payment_details`, when in the documented shape.
    pub fn payment_details(&self) -> Option<&PaymentDetails> {
        self.payment_details.as_ref().and_then(Lenient::parsed)
    }

    /// `merchant_details`, when in the documented shape.
    pub fn merchant_details(&self) -> Option<&MerchantDetails> {
        self.merchant_details.as_ref().and_then(Lenient::parsed)
    }

    /// `is_live`, when it is a boolean.
    pub fn is_live(&self) -> Option<bool> {
        self.is_live.as_ref().and_then(Lenient::parsed).copied()
    }

    /// The amount the gateway reports (`payment_details.amount`). For a partial approval
    /// (`response_code` 10) it is the approved amount, which may be less than requested.
    pub fn amount(&self) -> Option<Decimal> {
        self.payment_details().and_then(|p| p.amount)
    }

    /// `payment_details.response_code`, typed.
    pub fn response_code(&self) -> Option<crate::codes::ResponseCode> {
        self.payment_details()
            .and_then(PaymentDetails::response_code)
    }

    /// The neutral status this answer reports, from `transaction_type`.
    pub fn status(&self) -> payments_core::PaymentStatus {
        use payments_core::PaymentStatus;
        if !self.success {
            return PaymentStatus::Failed {
                reason: format!(
                    "{}: {}",
                    self.gateway_response.code, self.gateway_response.message
                ),
            };
        }
        match &self.transaction_type {
            Some(TransactionType::PreAuth) => PaymentStatus::Authorized,
            Some(TransactionType::Capture) => PaymentStatus::Captured,
            Some(TransactionType::Refund) => PaymentStatus::Refunded,
            Some(TransactionType::Void) => PaymentStatus::Voided,
            Some(TransactionType::Other(other)) => PaymentStatus::Other {
                provider_status: other.clone(),
            },
            None => PaymentStatus::Other {
                provider_status: String::new(),
            },
        }
    }
}

/// A purchase or authorization v2 that needs the customer to pass a 3-D Secure challenge first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ThreeDsChallenge {
    /// `redirect_url`: where to send the customer.
    pub redirect_url: Url,
    /// `url`, as sent.
    #[serde(default, deserialize_with = "crate::fields::number_or_text")]
    pub url: Option<String>,
    /// `statusCode` (or `status_code`).
    #[serde(
        rename = "statusCode",
        alias = "status_code",
        default,
        deserialize_with = "crate::fields::signed_integer"
    )]
    pub status_code: Option<i64>,
    /// `success`.
    #[serde(default)]
    pub success: Option<bool>,
}

/// The answer to a v2 purchase or authorization: done, or a 3-D Secure challenge the customer
/// must complete (the outcome then arrives by webhook and at the return URL; confirm it with
/// [`crate::PaymentOptionsClient::transaction_status`]).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PurchaseOutcome {
    /// The payment completed.
    Completed(Box<TransactionResponse>),
    /// Send the customer to `redirect_url`.
    ChallengeRequired(ThreeDsChallenge),
}
