//! [`PaymentOptionsClient`]: the builder, `from_env`, purchase v1 and v2.

use std::fmt;
use std::sync::Arc;

use payments_core::config::{self, EnvSource, EnvVars, ProcessEnv};
use payments_core::http::{ClientOptions, Endpoint, HttpClient};
use payments_core::retry::{Idempotency, RetryPolicy};
use payments_core::{Error, Secret, telemetry};
use reqwest::header::{ACCEPT, CONTENT_TYPE};

use crate::PROVIDER;
use crate::auth::Credentials;
use crate::error::PaymentOptionsError;
use crate::model::{PurchaseOutcome, PurchaseRequest, PurchaseResponse};
use crate::wire::{decode_purchase, purchase_body};

/// The environments PaymentOptions documents. Only the test host is documented; live use needs
/// an explicit base URL ([`PaymentOptionsClientBuilder::base_url`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Environment {
    /// `https://api-dev.paymentoptions.com/api/v1/api/v1`, the base of the documented curl
    /// examples.
    #[default]
    Test,
}

impl Environment {
    /// The base URL the operation paths are appended to.
    pub fn base_url(&self) -> &'static str {
        match self {
            Environment::Test => "https://api-dev.paymentoptions.com/api/v1/api/v1",
        }
    }
}

/// Purchase v1, appended to the base URL.
pub const PURCHASE_V1_PATH: &str = "server-to-server-interface/payment";
/// Purchase v2 (3-D Secure), appended to the base URL.
pub const PURCHASE_V2_PATH: &str = "server-to-server-interface/paymentv2";

/// A PaymentOptions client. Cheap to clone.
///
/// # Which path prefix
///
/// The reference heading says `POST /api/v1/server-to-server-interface/payment`, while every
/// documented curl example posts to `https://api-dev.paymentoptions.com/api/v1/api/v1/server-to-server-interface/payment`
/// (the prefix twice). The client appends only [`PURCHASE_V1_PATH`] or [`PURCHASE_V2_PATH`] to
/// its base URL, so the prefix is entirely the base URL's: [`Environment::Test`] reproduces the
/// documented curl URL exactly, and a deployment with a single `/api/v1` sets its base URL to
/// `https://host/api/v1`.
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
///     then.status(201).body(r#"{"success":true,"status_code":201,"transaction_type":"PRE_AUTH",
///         "gateway_response":{"message":"Payment Successful.","code":"INFO0000"},
///         "payment_details":{"amount":1000,"card":{"number":"5200000000001005"}},
///         "transaction_details":{"id":"ab8444e7","merchant_txn_ref":"order-1","stored_payment_method_id":null}}"#);
/// }).await;
///
/// let gateway = PaymentOptionsClient::builder()
///     .api_key("pk_test")
///     .merchant_id("M-1")
///     .base_url(server.url("/api/v1"))
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
/// // The echoed card number is masked from the moment it is decoded.
/// assert_eq!(paid.payment_details.unwrap().card.unwrap().number.to_string(), "****1005");
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
    merchant_id: String,
    credentials: Credentials,
    retry: RetryPolicy,
}

impl fmt::Debug for PaymentOptionsClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PaymentOptionsClient")
            .field("base_url", &self.inner.base.url().as_str())
            .field("merchant_id", &self.inner.merchant_id)
            .field("credentials", &self.inner.credentials)
            .finish()
    }
}

/// The environment variables [`PaymentOptionsClient::from_env`] reads.
pub const ENV_VARS: EnvVars = EnvVars {
    required: &["PAYMENTOPTIONS_API_KEY", "PAYMENTOPTIONS_MERCHANT_ID"],
    optional: &["PAYMENTOPTIONS_BASE_URL"],
};

#[derive(Debug, Clone, Copy)]
struct SettingNames {
    api_key: &'static str,
    merchant_id: &'static str,
    base_url: &'static str,
}

const BUILDER_NAMES: SettingNames = SettingNames {
    api_key: "api_key",
    merchant_id: "merchant_id",
    base_url: "base_url",
};

const ENV_NAMES: SettingNames = SettingNames {
    api_key: "PAYMENTOPTIONS_API_KEY",
    merchant_id: "PAYMENTOPTIONS_MERCHANT_ID",
    base_url: "PAYMENTOPTIONS_BASE_URL",
};

/// Builds a [`PaymentOptionsClient`]; [`PaymentOptionsClientBuilder::build`] validates it.
#[must_use = "a builder does nothing until `build()` is called"]
pub struct PaymentOptionsClientBuilder {
    api_key: Option<Secret>,
    merchant_id: Option<String>,
    base_url: Option<String>,
    options: ClientOptions,
    names: SettingNames,
}

impl fmt::Debug for PaymentOptionsClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PaymentOptionsClientBuilder")
            .field("api_key", &self.api_key)
            .field("merchant_id", &self.merchant_id)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl PaymentOptionsClientBuilder {
    /// The API key (sent as `Authorization: Basic <key>` and `x-api-key: <key>`).
    pub fn api_key(mut self, key: impl Into<Secret>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The merchant id sent as `merchant_id` in every body.
    pub fn merchant_id(mut self, merchant_id: impl Into<String>) -> Self {
        self.merchant_id = Some(merchant_id.into());
        self
    }

    /// The base URL the operation paths are appended to (see the client's docs on the path
    /// prefix). Required for live use; defaults to [`Environment::Test`].
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// A documented environment's base URL.
    pub fn environment(mut self, environment: Environment) -> Self {
        self.base_url = Some(environment.base_url().to_owned());
        self
    }

    payments_core::client_option_setters!(
        "The retry policy. A purchase is resent only when the attempt provably did nothing (a refused connection, a 429); never after it may have reached the gateway."
    );

    /// Validates the configuration and builds the client.
    pub fn build(self) -> Result<PaymentOptionsClient, PaymentOptionsError> {
        let names = self.names;
        let api_key = self
            .api_key
            .filter(|k| !k.expose().trim().is_empty())
            .ok_or_else(|| Error::configuration(names.api_key, "is not set or is empty"))?;
        let merchant_id = self
            .merchant_id
            .map(|m| m.trim().to_owned())
            .filter(|m| !m.is_empty())
            .ok_or_else(|| Error::configuration(names.merchant_id, "is not set or is empty"))?;
        let base = Endpoint::parse(
            names.base_url,
            self.base_url
                .as_deref()
                .unwrap_or(Environment::Test.base_url()),
        )?;
        let credentials = Credentials::new(&api_key, names.api_key)?;
        let http = self.options.build_http([api_key])?;
        Ok(PaymentOptionsClient {
            inner: Arc::new(Inner {
                http,
                base,
                merchant_id,
                credentials,
                retry: self.options.retry,
            }),
        })
    }
}

impl PaymentOptionsClient {
    /// A builder for [`Environment::Test`].
    pub fn builder() -> PaymentOptionsClientBuilder {
        PaymentOptionsClientBuilder {
            api_key: None,
            merchant_id: None,
            base_url: None,
            options: ClientOptions::new(
                env!("CARGO_PKG_NAME"),
                env!("CARGO_PKG_VERSION"),
                RetryPolicy::default(),
            ),
            names: BUILDER_NAMES,
        }
    }

    /// A client configured from the environment: `PAYMENTOPTIONS_API_KEY`,
    /// `PAYMENTOPTIONS_MERCHANT_ID` and `PAYMENTOPTIONS_BASE_URL` (default: the documented test
    /// host, [`Environment::Test`]).
    pub fn from_env() -> Result<PaymentOptionsClient, PaymentOptionsError> {
        PaymentOptionsClient::from_env_with(&ProcessEnv)
    }

    /// Like [`PaymentOptionsClient::from_env`], reading from `env`.
    pub fn from_env_with(env: &dyn EnvSource) -> Result<PaymentOptionsClient, PaymentOptionsError> {
        let mut builder = PaymentOptionsClient::builder()
            .api_key(config::required_secret(env, "PAYMENTOPTIONS_API_KEY")?)
            .merchant_id(config::required(env, "PAYMENTOPTIONS_MERCHANT_ID")?);
        if let Some(url) = config::optional(env, "PAYMENTOPTIONS_BASE_URL") {
            builder = builder.base_url(url);
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

    /// Purchase v1 (`.../server-to-server-interface/payment`): authorizes and captures at once.
    /// A decline is [`PaymentOptionsError::Declined`]. The docs mark v1 as to be deprecated;
    /// prefer [`PaymentOptionsClient::purchase_v2`].
    ///
    /// Never resent after it may have reached the gateway. On an error whose `outcome_unknown()`
    /// is true, do not retry under a new `merchant_txn_ref`: find the transaction by its
    /// reference or wait for the webhook.
    pub async fn purchase(
        &self,
        request: &PurchaseRequest,
    ) -> Result<PurchaseResponse, PaymentOptionsError> {
        match self.send(PURCHASE_V1_PATH, "purchase", request).await? {
            PurchaseOutcome::Completed(response) => Ok(*response),
            PurchaseOutcome::ChallengeRequired(_) => Err(Error::Decode {
                provider: PROVIDER,
                status: 200,
                reason: "purchase v1 answered with a 3-D Secure challenge; use purchase_v2".into(),
                excerpt: String::new(),
            }
            .into()),
        }
    }

    /// Purchase v2 (`.../server-to-server-interface/paymentv2`), with `browser_info` for
    /// 3-D Secure: either completed, or a challenge whose `redirect_url` the customer must
    /// visit (the outcome then arrives by webhook and at the return URL).
    pub async fn purchase_v2(
        &self,
        request: &PurchaseRequest,
    ) -> Result<PurchaseOutcome, PaymentOptionsError> {
        self.send(PURCHASE_V2_PATH, "purchase_v2", request).await
    }

    async fn send(
        &self,
        path: &str,
        operation: &'static str,
        request: &PurchaseRequest,
    ) -> Result<PurchaseOutcome, PaymentOptionsError> {
        let inner = &self.inner;
        let body = purchase_body(request, &inner.merchant_id)?;
        let url = inner.base.join(path);
        let attempts = inner.retry.run(Idempotency::NonIdempotent, |_| async {
            let http_request = inner.credentials.sign(
                inner
                    .http
                    .reqwest()
                    .post(url.clone())
                    .header(CONTENT_TYPE, "application/json")
                    .header(ACCEPT, "application/json")
                    .body(body.clone()),
            );
            let response = inner.http.send(PROVIDER, http_request).await?;
            decode_purchase(&response)
        });
        telemetry::instrument(PROVIDER, operation, attempts).await
    }
}
