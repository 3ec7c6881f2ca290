//! [`ZaifClient`]: the builder, `from_env`, and the four methods.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use payments_core::config::{self, EnvSource, EnvVars, ProcessEnv};
use payments_core::http::{ClientOptions, Endpoint, HttpClient};
use payments_core::retry::{Idempotency, RetryPolicy};
use payments_core::{Error, Secret, Url, telemetry};
use reqwest::header::CONTENT_TYPE;

use crate::PROVIDER;
use crate::auth::{
    AuthMethod, Credentials, InProcessNonce, KeyPool, NonceSource, PerKeyStore, Signer,
};
use crate::error::ZaifError;
use crate::model::{CanceledInvoice, CreateInvoice, CreatedInvoice, Invoice, InvoiceIds, text};
use crate::wire::{Answer, Params, create_invoice_form, decode_canceled_invoice, decode_envelope};

/// Zaif's API endpoint.
pub const DEFAULT_ENDPOINT: &str = "https://api.zaif.jp/ecapi";
/// Where Zaif's payment forms live: `{base}form/{invoiceId}` and `{base}iframe/{invoiceId}`.
pub const DEFAULT_PAYMENT_PAGE_BASE: &str = "https://zaif.jp/invoice/";

/// A Zaif Payment client. Cheap to clone; clones share the connection pool, the nonce source
/// and the per-key send order.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use httpmock::prelude::*;
/// use zaif_ecapi::{AuthMethod, CreateInvoice, CryptoCurrency, ZaifClient};
///
/// // A local stand-in for https://api.zaif.jp/ecapi.
/// let server = MockServer::start_async().await;
/// server.mock_async(|when, then| {
///     when.method(POST).path("/ecapi").form_urlencoded_tuple("method", "createInvoice");
///     then.status(200).body(r#"{"success":1,"return":{
///         "invoiceId":"d7dd735c-1650-11e5-b412-4437e6999eec",
///         "invoiceUri":"https://zaif.jp/invoice/form/d7dd735c-1650-11e5-b412-4437e6999eec",
///         "invoiceIframeUri":"https://zaif.jp/invoice/iframe/d7dd735c-1650-11e5-b412-4437e6999eec",
///         "created":1434696690,"expired":1434698490,"amount":10800,"currency":"btc",
///         "rate":"30012","btc":"0.359856","address":"19yhwoY8ysDNy1J1JBZf6nRBsUfLTe2Lvb",
///         "BIP21":"bitcoin:19yhwoY8ysDNy1J1JBZf6nRBsUfLTe2Lvb?amount=0.359856","speed":"high"}}"#);
/// }).await;
///
/// let zaif = ZaifClient::builder()
///     .api_key("490f983a-5fab-49b2-b789-9d1f130874d3")
///     .api_secret("my-api-secret")
///     .auth(AuthMethod::Sha1)
///     .endpoint(server.url("/ecapi"))
///     .build()?;
/// let invoice = zaif
///     .create_invoice(&CreateInvoice::builder(CryptoCurrency::Btc, 10800).order_number("A-1").build()?)
///     .await?;
/// assert_eq!(invoice.crypto_amount().unwrap().to_string(), "0.359856");
/// // Send the customer here:
/// assert_eq!(invoice.invoice_uri.as_str(), "https://zaif.jp/invoice/form/d7dd735c-1650-11e5-b412-4437e6999eec");
/// # Ok::<(), zaif_ecapi::ZaifError>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct ZaifClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: HttpClient,
    endpoint: Endpoint,
    keys: KeyPool,
    retry: RetryPolicy,
    payment_page_base: Url,
}

impl fmt::Debug for ZaifClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZaifClient")
            .field("endpoint", &self.inner.endpoint.url().as_str())
            .field("keys", &self.inner.keys)
            .finish()
    }
}

/// The environment variables [`ZaifClient::from_env`] reads.
pub const ENV_VARS: EnvVars = EnvVars {
    required: &["ZAIF_API_KEY", "ZAIF_API_SECRET"],
    optional: &[
        "ZAIF_AUTH",
        "ZAIF_ENDPOINT",
        "ZAIF_NONCE_FILE",
        "ZAIF_NONCE_REDIS_URL",
        "ZAIF_NONCE_POSTGRES_URL",
        "ZAIF_ADDITIONAL_KEYS",
    ],
};

/// The names settings are reported under: the builder's or the environment's.
#[derive(Debug, Clone, Copy)]
struct SettingNames {
    api_key: &'static str,
    api_secret: &'static str,
    endpoint: &'static str,
    additional_keys: &'static str,
}

const BUILDER_NAMES: SettingNames = SettingNames {
    api_key: "api_key",
    api_secret: "api_secret",
    endpoint: "endpoint",
    additional_keys: "additional_key",
};

const ENV_NAMES: SettingNames = SettingNames {
    api_key: "ZAIF_API_KEY",
    api_secret: "ZAIF_API_SECRET",
    endpoint: "ZAIF_ENDPOINT",
    additional_keys: "ZAIF_ADDITIONAL_KEYS",
};

/// Builds a [`ZaifClient`]; [`ZaifClientBuilder::build`] validates the configuration.
#[must_use = "a builder does nothing until `build()` is called"]
pub struct ZaifClientBuilder {
    api_key: Option<Secret>,
    api_secret: Option<Secret>,
    auth: AuthMethod,
    endpoint: Option<String>,
    payment_page_base: Option<String>,
    nonce: Option<Arc<dyn NonceSource>>,
    per_key_store: Option<PerKeyStore>,
    additional_keys: Vec<(Secret, Secret)>,
    options: ClientOptions,
    names: SettingNames,
}

impl fmt::Debug for ZaifClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZaifClientBuilder")
            .field("api_key", &self.api_key)
            .field("api_secret", &self.api_secret)
            .field("auth", &self.auth)
            .field("endpoint", &self.endpoint)
            .field("additional_keys", &self.additional_keys.len())
            .finish_non_exhaustive()
    }
}

impl ZaifClientBuilder {
    /// The API key.
    pub fn api_key(mut self, key: impl Into<Secret>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The API secret. Only its md5 or sha1 hash is kept.
    pub fn api_secret(mut self, secret: impl Into<Secret>) -> Self {
        self.api_secret = Some(secret.into());
        self
    }

    /// Which hash of the secret to send (default sha1).
    pub fn auth(mut self, method: AuthMethod) -> Self {
        self.auth = method;
        self
    }

    /// The API endpoint (default [`DEFAULT_ENDPOINT`]); `http` is accepted for loopback only.
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// Where payment forms live (default [`DEFAULT_PAYMENT_PAGE_BASE`]), for a sandbox.
    pub fn payment_page_base(mut self, url: impl Into<String>) -> Self {
        self.payment_page_base = Some(url.into());
        self
    }

    /// One nonce source for every key (default: [`InProcessNonce::shared`]). With
    /// [additional keys](Self::additional_key), prefer [`Self::nonce_file`] (or
    /// `ZAIF_NONCE_REDIS_URL`): a source that serialises calls across processes, shared by all
    /// keys, would make them take turns.
    pub fn nonce_source(mut self, source: Arc<dyn NonceSource>) -> Self {
        self.nonce = Some(source);
        self
    }

    /// A [`FileNonce`](crate::FileNonce) per key: `path` for the primary key and `{path}.{key id}` for each
    /// additional one (the id is a hash of the key, so the order of the keys does not matter).
    pub fn nonce_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.per_key_store = Some(PerKeyStore::File(path.into()));
        self
    }

    /// Another API key of the same account, for throughput: a call takes the first key free in
    /// this process, so `n` keys carry up to `n` calls per round trip. Each key keeps its own
    /// nonce sequence and send order. Any key may read what another created.
    pub fn additional_key(mut self, key: impl Into<Secret>, secret: impl Into<Secret>) -> Self {
        self.additional_keys.push((key.into(), secret.into()));
        self
    }

    payments_core::client_option_setters!(
        "The retry policy. Whatever it says, `createInvoice` and `cancelInvoice` are resent only when the attempt provably did nothing (`nonce not incremented`, connection refused)."
    );

    /// Validates the configuration and builds the client. The hashed secret is computed here,
    /// once.
    pub fn build(self) -> Result<ZaifClient, ZaifError> {
        let names = self.names;
        let key = self
            .api_key
            .filter(|k| !k.expose().trim().is_empty())
            .ok_or_else(|| Error::configuration(names.api_key, "is not set or is empty"))?;
        let secret = self
            .api_secret
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::configuration(names.api_secret, "is not set or is empty"))?;
        let endpoint = Endpoint::parse(
            names.endpoint,
            self.endpoint.as_deref().unwrap_or(DEFAULT_ENDPOINT),
        )?;
        let payment_page_base = Endpoint::parse(
            "payment_page_base",
            self.payment_page_base
                .as_deref()
                .unwrap_or(DEFAULT_PAYMENT_PAGE_BASE),
        )?
        .url()
        .clone();
        let mut pairs = vec![(key, secret)];
        for (index, (key, secret)) in self.additional_keys.into_iter().enumerate() {
            let field = names.additional_keys;
            if key.expose().trim().is_empty() || secret.is_empty() {
                return Err(Error::configuration(
                    field,
                    format!("key {} or its secret is empty", index + 1),
                )
                .into());
            }
            if pairs
                .iter()
                .any(|(known, _)| known.expose() == key.expose())
            {
                return Err(Error::configuration(
                    field,
                    format!(
                        "key {} repeats a key: each key needs its own nonces",
                        index + 1
                    ),
                )
                .into());
            }
            pairs.push((key, secret));
        }
        let mut redact = Vec::new();
        let mut signers = Vec::new();
        for (index, (key, secret)) in pairs.into_iter().enumerate() {
            let source = match (&self.nonce, &self.per_key_store) {
                (Some(shared), _) => shared.clone(),
                (None, Some(store)) => store.source_for(index, &key)?,
                (None, None) => Arc::new(InProcessNonce::shared()) as Arc<dyn NonceSource>,
            };
            let credentials = Credentials::new(key, &secret, self.auth);
            redact.extend(credentials.secrets_to_redact(secret));
            signers.push(Signer::new(credentials, source));
        }
        let http = self.options.build_http(redact)?;
        Ok(ZaifClient {
            inner: Arc::new(Inner {
                http,
                endpoint,
                keys: KeyPool::new(signers),
                retry: self.options.retry,
                payment_page_base,
            }),
        })
    }
}

/// Zaif's default retries: only for attempts that did nothing, quickly, a few times.
fn default_retry_policy() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(5)
        .backoff(Duration::from_millis(5), Duration::from_millis(250))
        .max_elapsed(Duration::from_secs(10))
}

impl ZaifClient {
    /// A builder with the defaults: sha1, [`DEFAULT_ENDPOINT`], the shared in-process nonce.
    pub fn builder() -> ZaifClientBuilder {
        ZaifClientBuilder {
            api_key: None,
            api_secret: None,
            auth: AuthMethod::default(),
            endpoint: None,
            payment_page_base: None,
            nonce: None,
            per_key_store: None,
            additional_keys: Vec::new(),
            options: ClientOptions::new(
                env!("CARGO_PKG_NAME"),
                env!("CARGO_PKG_VERSION"),
                default_retry_policy(),
            ),
            names: BUILDER_NAMES,
        }
    }

    /// A client configured from the environment: `ZAIF_API_KEY`, `ZAIF_API_SECRET`,
    /// `ZAIF_AUTH` (`md5` or `sha1`, default `sha1`), `ZAIF_ENDPOINT` (default
    /// [`DEFAULT_ENDPOINT`]) and, optionally, `ZAIF_NONCE_FILE` (a [`FileNonce`](crate::FileNonce) state file
    /// shared by processes on this host), `ZAIF_NONCE_REDIS_URL` (feature `redis`) or
    /// `ZAIF_NONCE_POSTGRES_URL` (feature `postgres`: a nonce row and an advisory lock per key
    /// in a database several hosts share), and
    /// `ZAIF_ADDITIONAL_KEYS` (`key:secret,key:secret`: a key pool, see
    /// [`ZaifClientBuilder::additional_key`]).
    pub fn from_env() -> Result<ZaifClient, ZaifError> {
        ZaifClient::from_env_with(&ProcessEnv)
    }

    /// Like [`ZaifClient::from_env`], reading from `env`.
    pub fn from_env_with(env: &dyn EnvSource) -> Result<ZaifClient, ZaifError> {
        ZaifClient::builder_from_env(env)?.build()
    }

    /// Like [`ZaifClient::from_env_with`], but `Ok(None)` when none of the required
    /// [`ENV_VARS`] is set: the provider is simply not configured. Setting some but not all of
    /// them is still an error naming the missing one.
    pub fn from_env_if_configured(env: &dyn EnvSource) -> Result<Option<ZaifClient>, ZaifError> {
        ENV_VARS.build_if_configured(env, ZaifClient::from_env_with)
    }

    /// A builder preset from `env`, to adjust before building.
    pub fn builder_from_env(env: &dyn EnvSource) -> Result<ZaifClientBuilder, ZaifError> {
        let mut builder = ZaifClient::builder()
            .api_key(Secret::new(config::required(env, "ZAIF_API_KEY")?))
            .api_secret(config::required_secret(env, "ZAIF_API_SECRET")?);
        if let Some(auth) = config::optional(env, "ZAIF_AUTH") {
            builder = builder.auth(auth.parse()?);
        }
        if let Some(endpoint) = config::optional(env, "ZAIF_ENDPOINT") {
            builder = builder.endpoint(endpoint);
        }
        let file = config::optional(env, "ZAIF_NONCE_FILE");
        let redis = config::optional(env, "ZAIF_NONCE_REDIS_URL");
        // Held as a secret from the start: the URL may hold the database's password.
        let postgres = env
            .var("ZAIF_NONCE_POSTGRES_URL")
            .map(Secret::new)
            .filter(|url| !url.expose().trim().is_empty());
        let chosen: Vec<&'static str> = [
            file.as_ref().map(|_| "ZAIF_NONCE_FILE"),
            redis.as_ref().map(|_| "ZAIF_NONCE_REDIS_URL"),
            postgres.as_ref().map(|_| "ZAIF_NONCE_POSTGRES_URL"),
        ]
        .into_iter()
        .flatten()
        .collect();
        if let [_, second, ..] = chosen.as_slice() {
            return Err(Error::configuration(
                *second,
                format!("is set together with {}: choose one nonce store", chosen[0]),
            )
            .into());
        }
        if let Some(path) = file {
            builder = builder.nonce_file(path);
        } else if let Some(url) = redis {
            builder.per_key_store = Some(PerKeyStore::Redis(url));
        } else if let Some(url) = postgres {
            builder.per_key_store = Some(PerKeyStore::postgres(&url)?);
        }
        // Held as a secret from the start: the list holds the keys' secrets.
        if let Some(list) = env
            .var("ZAIF_ADDITIONAL_KEYS")
            .map(Secret::new)
            .filter(|list| !list.expose().trim().is_empty())
        {
            for pair in list.expose().split(',').filter(|p| !p.trim().is_empty()) {
                let (key, secret) = pair.trim().split_once(':').ok_or_else(|| {
                    Error::configuration(
                        "ZAIF_ADDITIONAL_KEYS",
                        "must be a comma-separated list of key:secret pairs",
                    )
                })?;
                builder = builder.additional_key(
                    Secret::new(key.trim().to_owned()),
                    Secret::new(secret.trim().to_owned()),
                );
            }
        }
        builder.names = ENV_NAMES;
        Ok(builder)
    }

    /// `createInvoice`: starts a crypto payment. Send the customer to
    /// [`CreatedInvoice::invoice_uri`].
    ///
    /// Not resent after it may have reached Zaif: on an error whose
    /// [`outcome_unknown`](payments_core::Error::outcome_unknown) is true, look the invoice up
    /// with [`ZaifClient::find_invoice_ids`] by its order number before creating another.
    pub async fn create_invoice(
        &self,
        request: &CreateInvoice,
    ) -> Result<CreatedInvoice, ZaifError> {
        self.call(
            "createInvoice",
            create_invoice_form(request),
            Idempotency::NonIdempotent,
        )
        .await
    }

    /// How long after a call's first send no attempt of it can still be in flight: the retry
    /// budget plus one request timeout. A lookup that finds nothing after this proves nothing
    /// was created.
    pub(crate) fn quiet_period(&self) -> std::time::Duration {
        self.inner
            .retry
            .quiet_period(self.inner.http.request_timeout())
    }

    /// `getInvoice`: an invoice's current state.
    pub async fn get_invoice(&self, invoice_id: &str) -> Result<Invoice, ZaifError> {
        let invoice_id = invoice_id_param(invoice_id)?;
        self.call(
            "getInvoice",
            vec![("invoiceId", Cow::Owned(invoice_id))],
            Idempotency::Idempotent,
        )
        .await
    }

    /// `getInvoiceIdsByOrderNumber`: every invoice created for an order number (Zaif allows
    /// several per order).
    pub async fn find_invoice_ids(&self, order_number: &str) -> Result<InvoiceIds, ZaifError> {
        let order_number = text("orderNumber", Some(order_number.to_owned()))?
            .ok_or_else(|| ZaifError::invalid("orderNumber", "is required"))?;
        self.call(
            "getInvoiceIdsByOrderNumber",
            vec![("orderNumber", Cow::Owned(order_number))],
            Idempotency::Idempotent,
        )
        .await
    }

    /// `cancelInvoice`: cancels an unpaid invoice. A paid or expired invoice gives
    /// [`ZaifError::CannotCancel`].
    pub async fn cancel_invoice(&self, invoice_id: &str) -> Result<CanceledInvoice, ZaifError> {
        let invoice_id = invoice_id_param(invoice_id)?;
        let answer: Box<serde_json::value::RawValue> = self
            .call(
                "cancelInvoice",
                vec![("invoiceId", Cow::Borrowed(invoice_id.as_str()))],
                Idempotency::NonIdempotent,
            )
            .await
            .map_err(|err| match err {
                ZaifError::Api { message } => ZaifError::CannotCancel {
                    invoice_id: invoice_id.clone(),
                    message,
                },
                other => other,
            })?;
        Ok(decode_canceled_invoice(invoice_id, &answer))
    }

    /// `getSupportedCurrencies`: the assets the payment service takes, code → display name
    /// (`btc` → `BTC`). **Not in Zaif's official documents**: public merchant plugins call it
    /// (with only `method` and `nonce`; this client signs it like every call), so it is
    /// best-effort: use it to discover new codes, not as a contract.
    pub async fn supported_currencies(
        &self,
    ) -> Result<std::collections::BTreeMap<String, String>, ZaifError> {
        let raw: serde_json::Value = self
            .call(
                "getSupportedCurrencies",
                Vec::new(),
                Idempotency::Idempotent,
            )
            .await?;
        let serde_json::Value::Object(map) = raw else {
            return Err(Error::decode(
                PROVIDER,
                200,
                "getSupportedCurrencies: expected a map of code to name",
                payments_core::redact::excerpt(raw.to_string().as_bytes()),
            )
            .into());
        };
        Ok(map
            .into_iter()
            .map(|(code, name)| {
                let name = match name {
                    serde_json::Value::String(text) => text,
                    other => other.to_string(),
                };
                (code, name)
            })
            .collect())
    }

    /// The payment form for an invoice: `https://zaif.jp/invoice/form/{invoiceId}`.
    pub fn payment_form_url(&self, invoice_id: &str) -> Result<Url, ZaifError> {
        self.payment_page("form", invoice_id)
    }

    /// The iframe payment form for an invoice: `https://zaif.jp/invoice/iframe/{invoiceId}`.
    pub fn payment_iframe_url(&self, invoice_id: &str) -> Result<Url, ZaifError> {
        self.payment_page("iframe", invoice_id)
    }

    fn payment_page(&self, kind: &str, invoice_id: &str) -> Result<Url, ZaifError> {
        let invoice_id = invoice_id_param(invoice_id)?;
        let mut url = self.inner.payment_page_base.clone();
        url.path_segments_mut()
            .map_err(|_| Error::configuration("payment_page_base", "cannot hold a path"))?
            .pop_if_empty()
            .push(kind)
            .push(&invoice_id);
        Ok(url)
    }

    /// One API call: instrumented, retried only as the policy allows, each attempt with a
    /// fresh nonce taken under the key's send-order lock.
    async fn call<T: Answer>(
        &self,
        method: &'static str,
        params: Params<'_>,
        idempotency: Idempotency,
    ) -> Result<T, ZaifError> {
        // Built in place, not bound first: a bound future keeps a slot of its own in this
        // one's state after it is moved (twice the size, copied on every call).
        telemetry::instrument(
            PROVIDER,
            method,
            self.inner
                .retry
                .run(idempotency, |_| self.attempt(method, &params)),
        )
        .await
    }

    async fn attempt<T: Answer>(
        &self,
        method: &'static str,
        params: &[(&'static str, Cow<'_, str>)],
    ) -> Result<T, ZaifError> {
        let inner = &self.inner;
        let mut signed = inner.keys.sign(method, params).await?;
        let request = inner
            .http
            .reqwest()
            .post(inner.endpoint.url().clone())
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(std::mem::take(&mut signed.body));
        let response = inner.http.send(PROVIDER, request).await?;
        let answer = decode_envelope(&response);
        if let Err(ZaifError::NonceOutOfRange { .. }) = &answer {
            signed.key_is_dead();
        }
        // `signed` (the key's turn) is held until here: the answer is in.
        drop(signed);
        answer
    }

    /// The primary key's signer, for this workspace's benchmarks.
    pub(crate) fn signer(&self) -> &Signer {
        self.inner.keys.primary()
    }

    /// How many API keys the client spreads its calls over (1 without additional keys).
    pub fn key_count(&self) -> usize {
        self.inner.keys.len()
    }
}

fn invoice_id_param(invoice_id: &str) -> Result<String, ZaifError> {
    text("invoiceId", Some(invoice_id.to_owned()))?
        .ok_or_else(|| ZaifError::invalid("invoiceId", "is required"))
}
