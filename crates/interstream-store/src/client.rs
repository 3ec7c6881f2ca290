//! [`InterstreamClient`]: the builder, `from_env`, and the store actions.

use std::fmt;
use std::sync::Arc;

use payments_core::config::{self, EnvSource, EnvVars, ProcessEnv};
use payments_core::http::{ClientOptions, Endpoint, HttpClient};
use payments_core::retry::{Idempotency, RetryPolicy};
use payments_core::validate::{self, Lines};
use payments_core::{Currency, Error, ExposeSecret, Money, Secret, telemetry};
use reqwest::header::CONTENT_TYPE;

use crate::PROVIDER;
use crate::auth::{Clock, SaltSource, Signer};
use crate::error::InterstreamError;
use crate::model::{
    Action, Answer, Cart, ContentItem, Credit, CreditAction, PlaceOrder, PlacedOrder, StoreConfig,
    UserId,
};
use crate::wire::{
    action_url, amount_field, decode_answer, decode_answer_with, decode_cart, decode_config,
    decode_credit, description_field, expect_content, expect_created, expect_data, expect_ok,
    form_body, place_order_form,
};

/// An INTER-STREAM store client. Cheap to clone.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use httpmock::prelude::*;
/// use interstream_store::{InterstreamClient, UserId};
/// use payments_core::{Currency, Money};
///
/// // A local stand-in for the deployment's api.php.
/// let server = MockServer::start_async().await;
/// server.mock_async(|when, then| {
///     when.method(POST).path("/api.php")
///         .query_param("go", "store").query_param("do", "add_payment").query_param("iq", "2")
///         .form_urlencoded_tuple("amount", "4.50");
///     then.status(200).body(r#"{ "ok":"Payment was added" }"#);
/// }).await;
///
/// let store = InterstreamClient::builder()
///     .api_url(server.url("/api.php"))
///     .key_id("1b323a1cb879fd4e66530fbad07a32ee")
///     .shared_secret("MWIzMjNhMWNiODc5ZmQ0ZTY2NTMwZmJhZDA3YTMyZWViOTQ3MDJiOGM2ZTU2NjE3")
///     .currency(Currency::EUR) // or leave it unset: read once from get_config
///     .build()?;
/// let answer = store
///     .add_payment(UserId::new(2)?, Money::parse("4.50", Currency::EUR)?, Some("SuperGateway ID 154YTR984YX"))
///     .await?;
/// assert_eq!(answer, "Payment was added");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct InterstreamClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: HttpClient,
    api_url: Endpoint,
    signer: Signer,
    /// The store's currency: configured, or read once from `get_config`.
    currency: tokio::sync::OnceCell<Currency>,
    /// The `Referer` header, when the key's settings require one.
    referrer: Option<reqwest::header::HeaderValue>,
    retry: RetryPolicy,
}

impl fmt::Debug for InterstreamClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InterstreamClient")
            .field("api_url", &self.inner.api_url.url().as_str())
            .field("signer", &self.inner.signer)
            .field("currency", &self.inner.currency.get())
            .finish()
    }
}

/// The environment variables [`InterstreamClient::from_env`] reads.
pub const ENV_VARS: EnvVars = EnvVars {
    required: &[
        "INTERSTREAM_API_URL",
        "INTERSTREAM_KEY_ID",
        "INTERSTREAM_SHARED_SECRET",
    ],
    optional: &["INTERSTREAM_CURRENCY", "INTERSTREAM_REFERRER"],
};

/// The names settings are reported under: the builder's or the environment's.
#[derive(Debug, Clone, Copy)]
struct SettingNames {
    api_url: &'static str,
    key_id: &'static str,
    shared_secret: &'static str,
}

const BUILDER_NAMES: SettingNames = SettingNames {
    api_url: "api_url",
    key_id: "key_id",
    shared_secret: "shared_secret",
};

const ENV_NAMES: SettingNames = SettingNames {
    api_url: "INTERSTREAM_API_URL",
    key_id: "INTERSTREAM_KEY_ID",
    shared_secret: "INTERSTREAM_SHARED_SECRET",
};

/// Builds an [`InterstreamClient`]; [`InterstreamClientBuilder::build`] validates it.
#[must_use = "a builder does nothing until `build()` is called"]
pub struct InterstreamClientBuilder {
    api_url: Option<String>,
    key_id: Option<String>,
    shared_secret: Option<Secret>,
    currency: Option<Currency>,
    referrer: Option<String>,
    clock: Option<Clock>,
    salt_source: Option<SaltSource>,
    options: ClientOptions,
    names: SettingNames,
}

impl fmt::Debug for InterstreamClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InterstreamClientBuilder")
            .field("api_url", &self.api_url)
            .field("key_id", &self.key_id)
            .field("shared_secret", &self.shared_secret)
            .field("currency", &self.currency)
            .finish_non_exhaustive()
    }
}

impl InterstreamClientBuilder {
    /// The deployment's full API URL, ending in `api.php` (there is no default host).
    pub fn api_url(mut self, url: impl Into<String>) -> Self {
        self.api_url = Some(url.into());
        self
    }

    /// The API key id (`key`), which identifies the application.
    pub fn key_id(mut self, key_id: impl Into<String>) -> Self {
        self.key_id = Some(key_id.into());
        self
    }

    /// The shared secret the requests are signed with.
    pub fn shared_secret(mut self, secret: impl Into<Secret>) -> Self {
        self.shared_secret = Some(secret.into());
        self
    }

    /// The store's currency: amounts in another currency are refused, since the API takes a
    /// bare number. When unset, the client reads it from `get_config` before its first amount
    /// (every store amount is in the currency configured in Store > Settings).
    pub fn currency(mut self, currency: Currency) -> Self {
        self.currency = Some(currency);
        self
    }

    /// A `Referer` sent with every request, for a key whose settings allow only listed
    /// referrers (by default none is sent, which a key with a blank allowed referrer accepts).
    pub fn referrer(mut self, referrer: impl Into<String>) -> Self {
        self.referrer = Some(referrer.into());
        self
    }

    /// Replaces the clock used for `timestamp` (unix seconds), for tests.
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Replaces the source of salt bytes, for tests. Keep the default (a CSPRNG) in production.
    pub fn salt_source(mut self, salt: SaltSource) -> Self {
        self.salt_source = Some(salt);
        self
    }

    payments_core::client_option_setters!(
        "The retry policy. Money-moving actions are resent only when the attempt provably did nothing (a refused connection); every attempt is signed afresh."
    );

    /// Validates the configuration and builds the client.
    pub fn build(self) -> Result<InterstreamClient, InterstreamError> {
        let names = self.names;
        let api_url = self
            .api_url
            .ok_or_else(|| Error::configuration(names.api_url, "is not set or is empty"))?;
        let api_url = Endpoint::parse(names.api_url, &api_url)?;
        let key_id = self
            .key_id
            .map(|k| k.trim().to_owned())
            .filter(|k| !k.is_empty())
            .ok_or_else(|| Error::configuration(names.key_id, "is not set or is empty"))?;
        let shared_secret = self
            .shared_secret
            .filter(|s| !s.expose_secret().trim().is_empty())
            .ok_or_else(|| Error::configuration(names.shared_secret, "is not set or is empty"))?;
        let referrer = self
            .referrer
            .map(|r| {
                reqwest::header::HeaderValue::from_str(r.trim())
                    .map_err(|_| Error::configuration("referrer", "is not a valid header value"))
            })
            .transpose()?;
        let http = self.options.build_http([shared_secret.clone()])?;
        let mut signer = Signer::new(key_id, &shared_secret)?;
        if let Some(clock) = self.clock {
            signer = signer.with_clock(clock);
        }
        if let Some(salt) = self.salt_source {
            signer = signer.with_salt_source(salt);
        }
        Ok(InterstreamClient {
            inner: Arc::new(Inner {
                http,
                api_url,
                signer,
                currency: self.currency.map_or_else(tokio::sync::OnceCell::new, |c| {
                    tokio::sync::OnceCell::new_with(Some(c))
                }),
                referrer,
                retry: self.options.retry,
            }),
        })
    }
}

impl InterstreamClient {
    /// A builder with the defaults: the store's own currency (from `get_config`), no
    /// `Referer`, the system clock, a CSPRNG salt.
    pub fn builder() -> InterstreamClientBuilder {
        InterstreamClientBuilder {
            api_url: None,
            key_id: None,
            shared_secret: None,
            currency: None,
            referrer: None,
            clock: None,
            salt_source: None,
            options: ClientOptions::new(
                env!("CARGO_PKG_NAME"),
                env!("CARGO_PKG_VERSION"),
                RetryPolicy::default(),
            ),
            names: BUILDER_NAMES,
        }
    }

    /// A client configured from the environment: `INTERSTREAM_API_URL` (the deployment's full
    /// `.../api.php` URL), `INTERSTREAM_KEY_ID`, `INTERSTREAM_SHARED_SECRET`, and optionally
    /// `INTERSTREAM_CURRENCY` (default: the store's own, from `get_config`) and
    /// `INTERSTREAM_REFERRER`.
    pub fn from_env() -> Result<InterstreamClient, InterstreamError> {
        InterstreamClient::from_env_with(&ProcessEnv)
    }

    /// Like [`InterstreamClient::from_env`], reading from `env`.
    pub fn from_env_with(env: &dyn EnvSource) -> Result<InterstreamClient, InterstreamError> {
        InterstreamClient::builder_from_env(env)?.build()
    }

    /// A builder preset from `env`, to adjust before building.
    pub fn builder_from_env(
        env: &dyn EnvSource,
    ) -> Result<InterstreamClientBuilder, InterstreamError> {
        let mut builder = InterstreamClient::builder()
            .api_url(config::required(env, "INTERSTREAM_API_URL")?)
            .key_id(config::required(env, "INTERSTREAM_KEY_ID")?)
            .shared_secret(config::required_secret(env, "INTERSTREAM_SHARED_SECRET")?);
        if let Some(code) = config::optional(env, "INTERSTREAM_CURRENCY") {
            let currency = Currency::from_code(&code)
                .map_err(|e| Error::configuration("INTERSTREAM_CURRENCY", e.to_string()))?;
            builder = builder.currency(currency);
        }
        if let Some(referrer) = config::optional(env, "INTERSTREAM_REFERRER") {
            builder = builder.referrer(referrer);
        }
        builder.names = ENV_NAMES;
        Ok(builder)
    }

    /// Like [`InterstreamClient::from_env_with`], but `Ok(None)` when none of the required
    /// [`ENV_VARS`] is set: the provider is simply not configured. Setting some but not all of
    /// them is still an error naming the missing one.
    pub fn from_env_if_configured(
        env: &dyn EnvSource,
    ) -> Result<Option<InterstreamClient>, InterstreamError> {
        ENV_VARS.build_if_configured(env, InterstreamClient::from_env_with)
    }

    /// The store's currency when it is known: configured, or already read from `get_config`.
    pub fn currency(&self) -> Option<Currency> {
        self.inner.currency.get().copied()
    }

    /// The store's currency: configured, or read once from `get_config` (and kept).
    pub async fn store_currency(&self) -> Result<Currency, InterstreamError> {
        self.inner
            .currency
            .get_or_try_init(|| async {
                let config = self.get_config().await?;
                Currency::from_code(&config.currency.code).map_err(|e| {
                    InterstreamError::from(Error::configuration(
                        "INTERSTREAM_CURRENCY",
                        format!("the store's currency from get_config is not usable: {e}"),
                    ))
                })
            })
            .await
            .copied()
    }

    /// `store > add_payment`: adds a payment of `amount` to the user's current order. Put your
    /// own payment id in the description: it is the only way to reconcile later.
    ///
    /// Moves money: never resent after it may have reached the provider. There is no lookup
    /// by payment id, so on an error whose `outcome_unknown()` is true, check the order in the
    /// store's back office (or with [`InterstreamClient::list_current_content`]) before paying
    /// again.
    pub async fn add_payment(
        &self,
        user_id: UserId,
        amount: Money,
        description: Option<&str>,
    ) -> Result<String, InterstreamError> {
        // What can be checked without the store is checked first: invalid input sends nothing,
        // not even the get_config that learns the currency.
        let description = description_field(description)?;
        amount
            .ensure_positive()
            .map_err(|e| InterstreamError::from(e.for_field("amount")))?;
        let currency = self.store_currency().await?;
        let mut form = vec![("amount", amount_field(amount, currency)?)];
        if let Some(description) = description {
            form.push(("description", description));
        }
        let answer = self
            .send_action(
                Action::ADD_PAYMENT,
                Some(user_id),
                &form,
                Idempotency::NonIdempotent,
            )
            .await?;
        expect_ok(answer)
    }

    /// `store > get_credit`: the user's store credit.
    pub async fn get_credit(&self, user_id: UserId) -> Result<Credit, InterstreamError> {
        let answer = self
            .send_action(
                Action::GET_CREDIT,
                Some(user_id),
                &[],
                Idempotency::Idempotent,
            )
            .await?;
        decode_credit(expect_data(answer)?)
    }

    /// `store > add_subtract_credit`: adds to or subtracts from the user's credit. Moves money,
    /// so it is never resent after it may have reached the provider.
    pub async fn add_subtract_credit(
        &self,
        user_id: UserId,
        action: CreditAction,
        amount: Money,
        description: Option<&str>,
    ) -> Result<String, InterstreamError> {
        let description = description_field(description)?;
        amount
            .ensure_positive()
            .map_err(|e| InterstreamError::from(e.for_field("amount")))?;
        let currency = self.store_currency().await?;
        let mut form = vec![
            ("creditAction", action.as_str().to_owned()),
            ("amount", amount_field(amount, currency)?),
        ];
        if let Some(description) = description {
            form.push(("description", description));
        }
        let answer = self
            .send_action(
                Action::ADD_SUBTRACT_CREDIT,
                Some(user_id),
                &form,
                Idempotency::NonIdempotent,
            )
            .await?;
        expect_ok(answer)
    }

    /// `store > list_current_content`: the content the user can watch now (clips and channels
    /// bought, with their end dates).
    pub async fn list_current_content(
        &self,
        user_id: UserId,
    ) -> Result<Vec<ContentItem>, InterstreamError> {
        let answer = self
            .send_action(
                Action::LIST_CURRENT_CONTENT,
                Some(user_id),
                &[],
                Idempotency::Idempotent,
            )
            .await?;
        expect_content(answer)
    }

    /// `store > get_config`: the store's currency, minimum purchase and payment methods. The
    /// answer carries payment-gateway credentials (`settings`): they are decoded into
    /// [`Secret`]s, registered with this client's redactor, and never logged or quoted.
    pub async fn get_config(&self) -> Result<StoreConfig, InterstreamError> {
        let attempts = self.inner.retry.run(Idempotency::Idempotent, |_| async {
            let request = self.signed_request(Action::GET_CONFIG, None, &[])?;
            let response = self.inner.http.send(PROVIDER, request).await?;
            decode_config(decode_answer_with(&response, true)?)
        });
        let config = telemetry::instrument(PROVIDER, Action::GET_CONFIG.action, attempts).await?;
        self.inner.http.register_secrets(
            config
                .payment_methods
                .iter()
                .flat_map(|method| method.settings.values().cloned()),
        );
        Ok(config)
    }

    /// How long after a call's first send no attempt of it can still be in flight: the retry
    /// budget plus one request timeout.
    pub(crate) fn quiet_period(&self) -> std::time::Duration {
        self.inner
            .retry
            .quiet_period(self.inner.http.request_timeout())
    }

    /// `store > get_cart`: the user's current order when one exists (`order_id` set), else the
    /// cart.
    pub async fn get_cart(&self, user_id: UserId) -> Result<Cart, InterstreamError> {
        let answer = self
            .send_action(
                Action::GET_CART,
                Some(user_id),
                &[],
                Idempotency::Idempotent,
            )
            .await?;
        decode_cart(answer)
    }

    /// `store > place_order`: turns the user's cart into the current order. Refused with
    /// [`InterstreamError::OrderAlreadyPlaced`], [`InterstreamError::EmptyCart`] or
    /// [`InterstreamError::MinPurchase`]. Not resent after it may have reached the store: on
    /// an unknown outcome, [`get_cart`](Self::get_cart) tells whether the order exists.
    pub async fn place_order(
        &self,
        user_id: UserId,
        options: &PlaceOrder,
    ) -> Result<PlacedOrder, InterstreamError> {
        let form = place_order_form(options)?;
        let answer = self
            .send_action(
                Action::PLACE_ORDER,
                Some(user_id),
                &form,
                Idempotency::NonIdempotent,
            )
            .await?;
        expect_created(answer)
    }

    /// `store > set_subscription_rp`: enables the recurring payment of a subscription
    /// (`subscriptionID`, as `get_subscription_pre_rp_info` reports it; that action's answer is
    /// not typed yet: call it through [`send_action`](Self::send_action)).
    pub async fn set_subscription_rp(
        &self,
        user_id: UserId,
        subscription_id: &str,
    ) -> Result<String, InterstreamError> {
        let id = subscription_id.trim();
        validate::text("subscriptionID", id, Lines::Single)?;
        let answer = self
            .send_action(
                Action::SET_SUBSCRIPTION_RP,
                Some(user_id),
                &[("subscriptionID", id.to_owned())],
                Idempotency::NonIdempotent,
            )
            .await?;
        expect_ok(answer)
    }

    /// Sends any signed action: `go`/`do` from `action`, `iq` from `user_id`, and `form` as the
    /// POST body (empty when there are no fields: the provider's sample posts every signed
    /// request). Each attempt is signed afresh. This is what the typed methods use, and how the
    /// actions whose pages were not found are called (their answers are not typed):
    ///
    /// ```no_run
    /// # async fn run(store: interstream_store::InterstreamClient) -> Result<(), interstream_store::InterstreamError> {
    /// use interstream_store::{Action, UserId};
    /// use payments_core::retry::Idempotency;
    ///
    /// let info = store
    ///     .send_action(Action::GET_SUBSCRIPTION_PRE_RP_INFO, Some(UserId::new(2)?), &[], Idempotency::Idempotent)
    ///     .await?;
    /// println!("{info:?}");
    /// # Ok(()) }
    /// ```
    pub async fn send_action(
        &self,
        action: Action,
        user_id: Option<UserId>,
        form: &[(&str, String)],
        idempotency: Idempotency,
    ) -> Result<Answer, InterstreamError> {
        let attempts = self
            .inner
            .retry
            .run(idempotency, |_| self.attempt(action, user_id, form));
        telemetry::instrument(PROVIDER, action.action, attempts).await
    }

    async fn attempt(
        &self,
        action: Action,
        user_id: Option<UserId>,
        form: &[(&str, String)],
    ) -> Result<Answer, InterstreamError> {
        let request = self.signed_request(action, user_id, form)?;
        let response = self.inner.http.send(PROVIDER, request).await?;
        decode_answer(&response)
    }

    /// The request of one attempt, signed now (a fresh salt and timestamp): always a POST.
    pub(crate) fn signed_request(
        &self,
        action: Action,
        user_id: Option<UserId>,
        form: &[(&str, String)],
    ) -> Result<reqwest::RequestBuilder, InterstreamError> {
        let inner = &self.inner;
        let mut url = action_url(inner.api_url.url(), action, user_id);
        inner.signer.sign_url(&mut url)?;
        let mut request = inner
            .http
            .reqwest()
            .post(url)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form_body(form)?);
        if let Some(referrer) = &inner.referrer {
            request = request.header(reqwest::header::REFERER, referrer.clone());
        }
        Ok(request)
    }
}
