//! [`PaymentOptionsClient`]: the builder, `from_env`, and the transaction lifecycle (purchase,
//! authorization, capture, void, refund, status).

use std::fmt;
use std::sync::Arc;

use payments_core::config::{self, EnvSource, EnvVars, ProcessEnv};
use payments_core::http::{ClientOptions, Endpoint, HttpClient, RawResponse, is_loopback};
use payments_core::retry::{Idempotency, RetryPolicy};
use payments_core::{Error, Secret, telemetry};
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::{Method, Url};

use crate::PROVIDER;
use crate::auth::Credentials;
use crate::error::PaymentOptionsError;
use crate::model::{
    CaptureRequest, HostedLink, HostedLinkRequest, PurchaseOutcome, PurchaseRequest, RefundRequest,
    SubscriptionDetails, SubscriptionRequest, SubscriptionUpdate, TransactionResponse,
    WalletLinkRequest,
};
use crate::webhook::WebhookEvent;
use crate::wire::{
    amount_operation_body, check_environment, decode_link, decode_purchase,
    decode_subscription_list, decode_subscription_update, decode_transaction, hosted_link_body,
    purchase_body, subscription_body, void_body, wallet_link_body,
};

/// The gateway's environments. The client is never in one by accident: either an environment
/// or a base URL must be configured, and an answer whose `is_live` contradicts the
/// configuration is refused ([`payments_core::Error::WrongEnvironment`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Environment {
    /// The documented test host, `https://api-dev.paymentoptions.com/api/v1`.
    Test,
    /// Production. No live host is documented, so a live client also needs its base URL (from
    /// the merchant's onboarding documents).
    Live,
}

/// The documented test host with the single `/api/v1` prefix of the OpenAPI paths. The older
/// curl samples double the prefix (`…/api/v1/api/v1`); a deployment that needs that sets it as
/// its base URL, the one line it takes.
pub const TEST_BASE_URL: &str = "https://api-dev.paymentoptions.com/api/v1";

impl Environment {
    /// The base URL the operation paths are appended to, when one is documented.
    pub fn base_url(&self) -> Option<&'static str> {
        match self {
            Environment::Test => Some(TEST_BASE_URL),
            Environment::Live => None,
        }
    }

    /// Whether answers must say `is_live: true`.
    pub fn is_live(&self) -> bool {
        matches!(self, Environment::Live)
    }

    fn name(&self) -> &'static str {
        match self {
            Environment::Test => "test",
            Environment::Live => "live",
        }
    }
}

impl std::str::FromStr for Environment {
    type Err = Error;

    /// `test` or `live`, any case.
    fn from_str(text: &str) -> Result<Environment, Error> {
        match text.trim().to_ascii_lowercase().as_str() {
            "test" => Ok(Environment::Test),
            "live" => Ok(Environment::Live),
            _ => Err(Error::configuration(
                "PAYMENTOPTIONS_ENV",
                "must be test or live",
            )),
        }
    }
}

/// Purchase v1, appended to the base URL.
pub const PURCHASE_V1_PATH: &str = "server-to-server-interface/payment";
/// Purchase v2 (3-D Secure), appended to the base URL.
pub const PURCHASE_V2_PATH: &str = "server-to-server-interface/paymentv2";
/// Authorization v1, appended to the base URL.
pub const AUTHORIZATION_V1_PATH: &str = "server-to-server-interface/authorization";
/// Authorization v2 (3-D Secure), appended to the base URL.
pub const AUTHORIZATION_V2_PATH: &str = "server-to-server-interface/authorizationv2";
/// Capture, appended to the base URL.
pub const CAPTURE_PATH: &str = "server-to-server-interface/capture";
/// Void, appended to the base URL.
pub const VOID_PATH: &str = "server-to-server-interface/void";
/// Refund, appended to the base URL.
pub const REFUND_PATH: &str = "server-to-server-interface/refund";
/// Transaction status, appended to the base URL and followed by `/{transactionId}`.
pub const STATUS_PATH: &str = "server-to-server-interface/transaction/status";
/// Subscriptions: `/payment` creates one, `/list` lists them, `/{id}` is one, and
/// `/{id}/cancel|pause|resume` change it.
pub const SUBSCRIPTION_PATH: &str = "server-to-server-interface/subscription";
/// Hosted payment page and e-wallet links.
pub const HOSTED_LINK_PATH: &str = "server-to-server-interface/hpp/generate/link";

/// The operation paths that never change, joined to the base URL once when the client is built:
/// joining copies the base and re-parses its path, about a microsecond on every call.
const FIXED_PATHS: &[&str] = &[
    PURCHASE_V1_PATH,
    PURCHASE_V2_PATH,
    AUTHORIZATION_V1_PATH,
    AUTHORIZATION_V2_PATH,
    CAPTURE_PATH,
    VOID_PATH,
    REFUND_PATH,
    HOSTED_LINK_PATH,
];

/// A PaymentOptions client. Cheap to clone.
///
/// # Which path prefix
///
/// The OpenAPI paths and the newer pages use one `/api/v1`
/// (`https://api-dev.paymentoptions.com/api/v1/server-to-server-interface/payment`), while older
/// curl examples double it (`…/api/v1/api/v1/…`). The client appends only the operation path
/// ([`PURCHASE_V1_PATH`], …) to its base URL, so the prefix is entirely the base URL's:
/// [`Environment::Test`] uses the single prefix, and a deployment that answers only on the
/// doubled one sets `base_url("https://api-dev.paymentoptions.com/api/v1/api/v1")`.
///
/// # Two credentials
///
/// Every request carries `Authorization: Basic <merchant API key>` and `x-api-key: <key>`. The
/// documents describe the second as "provided along with credentials", which may be a
/// different secret: set it with [`PaymentOptionsClientBuilder::x_api_key`] (it defaults to
/// the API key, as in every documented example).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use httpmock::prelude::*;
/// use paymentoptions::{Card, PaymentOptionsClient, PaymentSource, PurchaseRequest};
/// use payments_core::{Currency, Money};
///
/// let server = MockServer::start_async().await;
/// server.mock_async(|when, then| {
///     when.method(POST).path("/api/v1/server-to-server-interface/payment")
///         .header("x-api-key", "pk_test").header("authorization", "Basic pk_test");
///     then.status(201).body(r#"{"success":true,"status_code":201,"is_live":false,
///         "transaction_type":"PRE_AUTH",
///         "gateway_response":{"message":"Payment Successful.","code":"INFO0000"},
///         "payment_details":{"amount":1000,"card":{"number":"5200000000001005"}},
///         "transaction_details":{"id":"ab8444e7","merchant_txn_ref":"order-1","stored_payment_method_id":null}}"#);
/// }).await;
///
/// let gateway = PaymentOptionsClient::builder()
///     .api_key("pk_test")
///     .merchant_id("M-1")
///     .base_url(server.url("/api/v1")) // a loopback URL is a test environment
///     .build()?;
/// let card = Card::new("5200 0000 0000 1005", "12", "2099", "100", "John Doe")?;
/// let request = PurchaseRequest::builder(
///     Money::parse("1000", Currency::JPY)?,
///     PaymentSource::Card(Box::new(card)),
///     "order-1",
///     "127.0.0.1".parse()?,
/// )
/// .build()?;
/// let paid = gateway.purchase(&request).await?;
/// assert_eq!(paid.gateway_response.code, "INFO0000");
/// assert_eq!(paid.status(), payments_core::PaymentStatus::Authorized);
/// // The echoed card number is masked from the moment it is decoded.
/// assert_eq!(paid.payment_details().unwrap().card().unwrap().number.to_string(), "****1005");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct PaymentOptionsClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: HttpClient,
    base: Endpoint,
    /// [`FIXED_PATHS`], each joined to `base`.
    fixed_urls: Vec<(&'static str, Url)>,
    environment: Environment,
    merchant_id: String,
    credentials: Credentials,
    retry: RetryPolicy,
}

impl fmt::Debug for PaymentOptionsClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PaymentOptionsClient")
            .field("base_url", &self.inner.base.url().as_str())
            .field("environment", &self.inner.environment)
            .field("merchant_id", &self.inner.merchant_id)
            .field("credentials", &self.inner.credentials)
            .finish()
    }
}

/// The environment variables [`PaymentOptionsClient::from_env`] reads.
pub const ENV_VARS: EnvVars = EnvVars {
    required: &["PAYMENTOPTIONS_API_KEY", "PAYMENTOPTIONS_MERCHANT_ID"],
    optional: &[
        "PAYMENTOPTIONS_ENV",
        "PAYMENTOPTIONS_BASE_URL",
        "PAYMENTOPTIONS_X_API_KEY",
    ],
};

#[derive(Debug, Clone, Copy)]
struct SettingNames {
    api_key: &'static str,
    x_api_key: &'static str,
    merchant_id: &'static str,
    base_url: &'static str,
    environment: &'static str,
}

const BUILDER_NAMES: SettingNames = SettingNames {
    api_key: "api_key",
    x_api_key: "x_api_key",
    merchant_id: "merchant_id",
    base_url: "base_url",
    environment: "environment",
};

const ENV_NAMES: SettingNames = SettingNames {
    api_key: "PAYMENTOPTIONS_API_KEY",
    x_api_key: "PAYMENTOPTIONS_X_API_KEY",
    merchant_id: "PAYMENTOPTIONS_MERCHANT_ID",
    base_url: "PAYMENTOPTIONS_BASE_URL",
    environment: "PAYMENTOPTIONS_ENV",
};

/// Builds a [`PaymentOptionsClient`]; [`PaymentOptionsClientBuilder::build`] validates it.
#[must_use = "a builder does nothing until `build()` is called"]
pub struct PaymentOptionsClientBuilder {
    api_key: Option<Secret>,
    x_api_key: Option<Secret>,
    merchant_id: Option<String>,
    base_url: Option<String>,
    environment: Option<Environment>,
    options: ClientOptions,
    names: SettingNames,
}

impl fmt::Debug for PaymentOptionsClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PaymentOptionsClientBuilder")
            .field("api_key", &self.api_key)
            .field("x_api_key", &self.x_api_key)
            .field("merchant_id", &self.merchant_id)
            .field("base_url", &self.base_url)
            .field("environment", &self.environment)
            .finish_non_exhaustive()
    }
}

impl PaymentOptionsClientBuilder {
    /// The merchant API key, sent as `Authorization: Basic <key>` (and as `x-api-key` unless
    /// [`x_api_key`](Self::x_api_key) is set).
    pub fn api_key(mut self, key: impl Into<Secret>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The `x-api-key` credential, when it differs from the API key.
    pub fn x_api_key(mut self, key: impl Into<Secret>) -> Self {
        self.x_api_key = Some(key.into());
        self
    }

    /// The merchant id sent as `merchant_id` in every body.
    pub fn merchant_id(mut self, merchant_id: impl Into<String>) -> Self {
        self.merchant_id = Some(merchant_id.into());
        self
    }

    /// The base URL the operation paths are appended to (see the client's docs on the path
    /// prefix). Required for [`Environment::Live`]. Without an explicit environment, the
    /// documented test host and loopback hosts count as test, any other host as live.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The environment: which `is_live` answers must carry, and for [`Environment::Test`] the
    /// default base URL.
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = Some(environment);
        self
    }

    payments_core::client_option_setters!(
        "The retry policy. Purchases, authorizations, captures, voids and refunds are resent only when the attempt provably did nothing (a refused connection, a 429); never after they may have reached the gateway. Status lookups are retried on transient failures."
    );

    /// Validates the configuration and builds the client.
    pub fn build(self) -> Result<PaymentOptionsClient, PaymentOptionsError> {
        let names = self.names;
        let api_key = self
            .api_key
            .filter(|k| !k.expose().trim().is_empty())
            .ok_or_else(|| Error::configuration(names.api_key, "is not set or is empty"))?;
        let x_api_key = match self.x_api_key {
            Some(key) if key.expose().trim().is_empty() => {
                return Err(Error::configuration(names.x_api_key, "is empty").into());
            }
            Some(key) => key,
            None => api_key.clone(),
        };
        let merchant_id = self
            .merchant_id
            .map(|m| m.trim().to_owned())
            .filter(|m| !m.is_empty())
            .ok_or_else(|| Error::configuration(names.merchant_id, "is not set or is empty"))?;
        let base_text = match (&self.base_url, self.environment) {
            (Some(url), _) => url.clone(),
            (None, Some(environment)) => environment
                .base_url()
                .ok_or_else(|| {
                    Error::configuration(
                        names.base_url,
                        "is required for the live environment (no live host is documented)",
                    )
                })?
                .to_owned(),
            (None, None) => {
                return Err(Error::configuration(
                    names.environment,
                    format!(
                        "is not set: choose test or live (or set {}), so the client is never in an environment by accident",
                        names.base_url
                    ),
                )
                .into());
            }
        };
        let base = Endpoint::parse(names.base_url, &base_text)?;
        let environment = self.environment.unwrap_or_else(|| {
            let documented_test = base.url().host_str() == Some("api-dev.paymentoptions.com");
            if documented_test || is_loopback(base.url()) {
                Environment::Test
            } else {
                Environment::Live
            }
        });
        let credentials = Credentials::new(&api_key, &x_api_key, names.api_key, names.x_api_key)?;
        let http = self.options.build_http([api_key, x_api_key])?;
        Ok(PaymentOptionsClient {
            inner: Arc::new(Inner {
                http,
                fixed_urls: FIXED_PATHS
                    .iter()
                    .map(|path| (*path, base.join(path)))
                    .collect(),
                base,
                environment,
                merchant_id,
                credentials,
                retry: self.options.retry,
            }),
        })
    }
}

impl PaymentOptionsClient {
    /// A builder. Set an [`Environment`] or a base URL: neither is a configuration error.
    pub fn builder() -> PaymentOptionsClientBuilder {
        PaymentOptionsClientBuilder {
            api_key: None,
            x_api_key: None,
            merchant_id: None,
            base_url: None,
            environment: None,
            options: ClientOptions::new(
                env!("CARGO_PKG_NAME"),
                env!("CARGO_PKG_VERSION"),
                RetryPolicy::default(),
            ),
            names: BUILDER_NAMES,
        }
    }

    /// A client configured from the environment: `PAYMENTOPTIONS_API_KEY`,
    /// `PAYMENTOPTIONS_MERCHANT_ID`, `PAYMENTOPTIONS_ENV` (`test` or `live`) and/or
    /// `PAYMENTOPTIONS_BASE_URL` (at least one of the two), and optionally
    /// `PAYMENTOPTIONS_X_API_KEY` (default: the API key).
    pub fn from_env() -> Result<PaymentOptionsClient, PaymentOptionsError> {
        PaymentOptionsClient::from_env_with(&ProcessEnv)
    }

    /// Like [`PaymentOptionsClient::from_env`], reading from `env`.
    pub fn from_env_with(env: &dyn EnvSource) -> Result<PaymentOptionsClient, PaymentOptionsError> {
        let mut builder = PaymentOptionsClient::builder()
            .api_key(config::required_secret(env, "PAYMENTOPTIONS_API_KEY")?)
            .merchant_id(config::required(env, "PAYMENTOPTIONS_MERCHANT_ID")?);
        if let Some(environment) = config::optional(env, "PAYMENTOPTIONS_ENV") {
            builder = builder.environment(environment.parse()?);
        }
        if let Some(url) = config::optional(env, "PAYMENTOPTIONS_BASE_URL") {
            builder = builder.base_url(url);
        }
        if env.var("PAYMENTOPTIONS_X_API_KEY").is_some() {
            builder = builder.x_api_key(config::required_secret(env, "PAYMENTOPTIONS_X_API_KEY")?);
        }
        builder.names = ENV_NAMES;
        builder.build()
    }

    /// Like [`PaymentOptionsClient::from_env_with`], but `Ok(None)` when none of the required
    /// [`ENV_VARS`] is set: the provider is simply not configured. Setting some but not all of
    /// them is still an error naming the missing one.
    pub fn from_env_if_configured(
        env: &dyn EnvSource,
    ) -> Result<Option<PaymentOptionsClient>, PaymentOptionsError> {
        ENV_VARS.build_if_configured(env, PaymentOptionsClient::from_env_with)
    }

    /// The merchant id.
    pub fn merchant_id(&self) -> &str {
        &self.inner.merchant_id
    }

    /// The environment answers must come from.
    pub fn environment(&self) -> Environment {
        self.inner.environment
    }

    /// Purchase v1 (`…/payment`). A decline is [`PaymentOptionsError::Declined`]. The docs mark
    /// v1 as to be deprecated; prefer [`PaymentOptionsClient::purchase_v2`].
    ///
    /// The purchase pages say a purchase is captured at once, while their own example answers
    /// `PRE_AUTH`: the answer's [`TransactionResponse::status`] reports what the gateway says,
    /// and [`PaymentOptionsClient::transaction_status`] tells what became of it.
    ///
    /// Never resent after it may have reached the gateway. On an error whose `outcome_unknown()`
    /// is true, do not retry under a new `merchant_txn_ref`: wait for the webhook, or ask the
    /// gateway's back office by that reference.
    pub async fn purchase(
        &self,
        request: &PurchaseRequest,
    ) -> Result<TransactionResponse, PaymentOptionsError> {
        self.card_v1(PURCHASE_V1_PATH, "purchase", request).await
    }

    /// Purchase v2 (`…/paymentv2`), with 3-D Secure: either completed, or a challenge whose
    /// `redirect_url` the customer must visit (the outcome then arrives by webhook and at the
    /// return URL). `return_url` is mandatory for 3-D Secure, so a request without one is
    /// refused before sending.
    pub async fn purchase_v2(
        &self,
        request: &PurchaseRequest,
    ) -> Result<PurchaseOutcome, PaymentOptionsError> {
        self.card_v2(PURCHASE_V2_PATH, "purchase_v2", request).await
    }

    /// Authorization v1 (`…/authorization`): reserves the amount (`PRE_AUTH`) until
    /// [`capture`](Self::capture) or [`void`](Self::void). Never resent blindly.
    pub async fn authorize(
        &self,
        request: &PurchaseRequest,
    ) -> Result<TransactionResponse, PaymentOptionsError> {
        self.card_v1(AUTHORIZATION_V1_PATH, "authorize", request)
            .await
    }

    /// Authorization v2 (`…/authorizationv2`), with 3-D Secure, like
    /// [`purchase_v2`](Self::purchase_v2).
    pub async fn authorize_v2(
        &self,
        request: &PurchaseRequest,
    ) -> Result<PurchaseOutcome, PaymentOptionsError> {
        self.card_v2(AUTHORIZATION_V2_PATH, "authorize_v2", request)
            .await
    }

    /// Capture (`…/capture`): takes up to the authorized amount; the answer (`CAPTURE`,
    /// `INFO0001`) carries a **new** transaction id, the one to refund. Moves money: never
    /// resent after it may have reached the gateway; on an unknown outcome, ask
    /// [`transaction_status`](Self::transaction_status) of the authorization first.
    pub async fn capture(
        &self,
        request: &CaptureRequest,
    ) -> Result<TransactionResponse, PaymentOptionsError> {
        let body = amount_operation_body(&request.0, &self.inner.merchant_id)?;
        self.post_follow_up("capture", CAPTURE_PATH, body).await
    }

    /// Void (`…/void`): releases an authorization that was not captured (`VOID`,
    /// `INFO0003`). Never resent after it may have reached the gateway.
    pub async fn void(
        &self,
        transaction_id: &str,
    ) -> Result<TransactionResponse, PaymentOptionsError> {
        let id = crate::model::transaction_id(transaction_id)?;
        let body = void_body(&id, &self.inner.merchant_id)?;
        self.post_follow_up("void", VOID_PATH, body).await
    }

    /// Refund (`…/refund`) of a captured or purchased transaction (`REFUND`, `INFO0002`, a new
    /// id). Partial refunds may follow one another until the captured amount is used up; one
    /// too many is declined with `ERR3019`. Moves money: never resent after it may have
    /// reached the gateway.
    pub async fn refund(
        &self,
        request: &RefundRequest,
    ) -> Result<TransactionResponse, PaymentOptionsError> {
        let body = amount_operation_body(&request.0, &self.inner.merchant_id)?;
        self.post_follow_up("refund", REFUND_PATH, body).await
    }

    /// How long after a call's first send no attempt of it can still be in flight: the retry
    /// budget plus one request timeout.
    pub(crate) fn quiet_period(&self) -> std::time::Duration {
        self.inner
            .retry
            .quiet_period(self.inner.http.request_timeout())
    }

    /// Transaction status (`GET …/transaction/status/{transactionId}`): the gateway's record of
    /// any transaction (authorization, capture, refund, void). The source of truth after a
    /// timeout or a webhook.
    pub async fn transaction_status(
        &self,
        transaction_id: &str,
    ) -> Result<TransactionResponse, PaymentOptionsError> {
        let id = crate::model::transaction_id(transaction_id)?;
        let mut path = STATUS_PATH.to_owned();
        path.push('/');
        path.push_str(&id);
        self.call(
            "transaction_status",
            Method::GET,
            &path,
            None,
            Idempotency::Idempotent,
            decode_transaction,
        )
        .await
        .map(|status| *status)
    }

    /// Confirms a webhook: parses the body, then asks the gateway for the status of its
    /// transaction. The webhook itself carries no verifiable signature, so only the returned
    /// status may be trusted.
    pub async fn confirm_webhook(
        &self,
        body: &[u8],
    ) -> Result<TransactionResponse, PaymentOptionsError> {
        let event = WebhookEvent::from_json(body)?;
        let id = event.transaction_id().ok_or_else(|| {
            Error::invalid_input("webhook", "has no transaction_details.id to confirm")
        })?;
        self.transaction_status(id).await
    }

    /// Creates a subscription (`…/subscription/payment`): the first cycle is charged at once
    /// (`CAPTURE`), so it is never resent after it may have reached the gateway. v1-style: no
    /// 3-D Secure, as in the documented example.
    pub async fn create_subscription(
        &self,
        request: &SubscriptionRequest,
    ) -> Result<TransactionResponse, PaymentOptionsError> {
        let body = subscription_body(request, &self.inner.merchant_id)?;
        self.call(
            "create_subscription",
            Method::POST,
            &format!("{SUBSCRIPTION_PATH}/payment"),
            Some(body),
            Idempotency::NonIdempotent,
            decode_transaction,
        )
        .await
        .map(|transaction| *transaction)
    }

    /// A subscription's details (`GET …/subscription/{id}`).
    pub async fn subscription(
        &self,
        subscription_id: &str,
    ) -> Result<SubscriptionDetails, PaymentOptionsError> {
        let id = crate::model::transaction_id(subscription_id)?;
        let update = self
            .call(
                "subscription",
                Method::GET,
                &format!("{SUBSCRIPTION_PATH}/{id}"),
                None,
                Idempotency::Idempotent,
                decode_subscription_update,
            )
            .await?;
        Ok(update.subscription)
    }

    /// Every subscription of the merchant (`GET …/subscription/list`; no paging is documented).
    pub async fn subscriptions(&self) -> Result<Vec<SubscriptionDetails>, PaymentOptionsError> {
        self.call(
            "subscriptions",
            Method::GET,
            &format!("{SUBSCRIPTION_PATH}/list"),
            None,
            Idempotency::Idempotent,
            decode_subscription_list,
        )
        .await
    }

    /// Cancels a subscription for good (`…/{id}/cancel`, `INFO3000`): it cannot be resumed.
    pub async fn cancel_subscription(
        &self,
        subscription_id: &str,
    ) -> Result<SubscriptionUpdate, PaymentOptionsError> {
        self.change_subscription("cancel_subscription", subscription_id, "cancel")
            .await
    }

    /// Pauses a subscription (`…/{id}/pause`): no cycles until resumed.
    pub async fn pause_subscription(
        &self,
        subscription_id: &str,
    ) -> Result<SubscriptionUpdate, PaymentOptionsError> {
        self.change_subscription("pause_subscription", subscription_id, "pause")
            .await
    }

    /// Resumes a paused subscription (`…/{id}/resume`); a due cycle is then charged. The
    /// gateway refuses to resume a cancelled one: [`PaymentOptionsError::NotResumable`].
    pub async fn resume_subscription(
        &self,
        subscription_id: &str,
    ) -> Result<SubscriptionUpdate, PaymentOptionsError> {
        self.change_subscription("resume_subscription", subscription_id, "resume")
            .await
            .map_err(|err| match err {
                PaymentOptionsError::Api {
                    status,
                    code,
                    message,
                    ..
                } if status < 500 => PaymentOptionsError::NotResumable {
                    subscription_id: subscription_id.trim().to_owned(),
                    code,
                    message,
                },
                other => other,
            })
    }

    /// A hosted payment page link (`…/hpp/generate/link`): send the customer to
    /// [`HostedLink::url`]; the outcome arrives by webhook (confirm it with
    /// [`confirm_webhook`](Self::confirm_webhook)). Creating a link moves no money.
    pub async fn hosted_link(
        &self,
        request: &HostedLinkRequest,
    ) -> Result<HostedLink, PaymentOptionsError> {
        let body = hosted_link_body(request, &self.inner.merchant_id)?;
        self.call(
            "hosted_link",
            Method::POST,
            HOSTED_LINK_PATH,
            Some(body),
            Idempotency::Idempotent,
            decode_link,
        )
        .await
    }

    /// An e-wallet link (GCash documented), generated like a hosted page link.
    pub async fn wallet_link(
        &self,
        request: &WalletLinkRequest,
    ) -> Result<HostedLink, PaymentOptionsError> {
        let body = wallet_link_body(request, &self.inner.merchant_id)?;
        self.call(
            "wallet_link",
            Method::POST,
            HOSTED_LINK_PATH,
            Some(body),
            Idempotency::Idempotent,
            decode_link,
        )
        .await
    }

    async fn change_subscription(
        &self,
        operation: &'static str,
        subscription_id: &str,
        change: &str,
    ) -> Result<SubscriptionUpdate, PaymentOptionsError> {
        let id = crate::model::transaction_id(subscription_id)?;
        // Documented without a body: nothing is sent but the path.
        self.call(
            operation,
            Method::POST,
            &format!("{SUBSCRIPTION_PATH}/{id}/{change}"),
            None,
            Idempotency::NonIdempotent,
            decode_subscription_update,
        )
        .await
    }

    /// A money-moving follow-up (capture, void, refund): posted once, decoded as a transaction.
    async fn post_follow_up(
        &self,
        operation: &'static str,
        path: &'static str,
        body: Vec<u8>,
    ) -> Result<TransactionResponse, PaymentOptionsError> {
        self.call(
            operation,
            Method::POST,
            path,
            Some(body),
            Idempotency::NonIdempotent,
            decode_transaction,
        )
        .await
        .map(|transaction| *transaction)
    }

    async fn card_v1(
        &self,
        path: &'static str,
        operation: &'static str,
        request: &PurchaseRequest,
    ) -> Result<TransactionResponse, PaymentOptionsError> {
        let body = purchase_body(request, &self.inner.merchant_id)?;
        let outcome = self
            .call(
                operation,
                Method::POST,
                path,
                Some(body),
                Idempotency::NonIdempotent,
                decode_purchase,
            )
            .await?;
        match outcome {
            PurchaseOutcome::Completed(response) => Ok(*response),
            PurchaseOutcome::ChallengeRequired(_) => Err(Error::Decode {
                provider: PROVIDER,
                status: 200,
                reason: format!(
                    "{operation} (v1) answered with a 3-D Secure challenge; use the v2 operation"
                ),
                excerpt: String::new(),
            }
            .into()),
        }
    }

    async fn card_v2(
        &self,
        path: &'static str,
        operation: &'static str,
        request: &PurchaseRequest,
    ) -> Result<PurchaseOutcome, PaymentOptionsError> {
        if request.return_url.is_none() {
            return Err(Error::invalid_input(
                "return_url",
                "is mandatory for 3-D Secure (v2) requests: the customer returns to it",
            )
            .into());
        }
        let body = purchase_body(request, &self.inner.merchant_id)?;
        self.call(
            operation,
            Method::POST,
            path,
            Some(body),
            Idempotency::NonIdempotent,
            decode_purchase,
        )
        .await
    }

    /// One operation: instrumented, retried only as `idempotency` allows, decoded by `decode`,
    /// and refused when the answer comes from the other environment.
    async fn call<T: Completed>(
        &self,
        operation: &'static str,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        idempotency: Idempotency,
        decode: fn(&RawResponse) -> Result<T, PaymentOptionsError>,
    ) -> Result<T, PaymentOptionsError> {
        let inner = &self.inner;
        let url = inner.url(path);
        let attempts = inner.retry.run(idempotency, |_| async {
            let mut request = inner
                .http
                .reqwest()
                .request(method.clone(), url.clone())
                .header(ACCEPT, "application/json");
            if let Some(body) = &body {
                request = request
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.clone());
            }
            let response = inner
                .http
                .send(PROVIDER, inner.credentials.sign(request))
                .await?;
            let answer = decode(&response)?;
            if let Some(transaction) = answer.transaction() {
                check_environment(transaction, inner.environment.is_live())?;
            }
            Ok(answer)
        });
        telemetry::instrument(PROVIDER, operation, attempts).await
    }
}

impl Inner {
    /// The URL of an operation path: joined when the client was built for a fixed one.
    fn url(&self, path: &str) -> Url {
        match self.fixed_urls.iter().find(|(fixed, _)| *fixed == path) {
            Some((_, url)) => url.clone(),
            None => self.base.join(path),
        }
    }
}

/// An answer that may carry a transaction whose `is_live` must match the configuration.
trait Completed {
    fn transaction(&self) -> Option<&TransactionResponse>;
}

impl Completed for Box<TransactionResponse> {
    fn transaction(&self) -> Option<&TransactionResponse> {
        Some(self)
    }
}

/// Subscription and link answers carry no `is_live`.
impl Completed for SubscriptionUpdate {
    fn transaction(&self) -> Option<&TransactionResponse> {
        None
    }
}

impl Completed for Vec<SubscriptionDetails> {
    fn transaction(&self) -> Option<&TransactionResponse> {
        None
    }
}

impl Completed for HostedLink {
    fn transaction(&self) -> Option<&TransactionResponse> {
        None
    }
}

impl Completed for PurchaseOutcome {
    fn transaction(&self) -> Option<&TransactionResponse> {
        match self {
            PurchaseOutcome::Completed(response) => Some(response),
            PurchaseOutcome::ChallengeRequired(_) => None,
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_paths_are_joined_once_and_others_on_each_call() {
        let client = PaymentOptionsClient::builder()
            .api_key("pk_test")
            .merchant_id("M-1")
            .base_url("http://127.0.0.1:9/api/v1/api/v1/")
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let inner = &client.inner;
        assert_eq!(inner.fixed_urls.len(), FIXED_PATHS.len());
        for path in FIXED_PATHS {
            assert_eq!(inner.url(path), inner.base.join(path), "{path}");
        }
        assert_eq!(
            inner.url(PURCHASE_V1_PATH).as_str(),
            "http://127.0.0.1:9/api/v1/api/v1/server-to-server-interface/payment"
        );
        let status = format!("{STATUS_PATH}/abc");
        assert_eq!(
            inner.url(&status).as_str(),
            "http://127.0.0.1:9/api/v1/api/v1/server-to-server-interface/transaction/status/abc"
        );
    }
}
