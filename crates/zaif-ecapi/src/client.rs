//! [`ZaifClient`]: the builder, `from_env`, and the four methods.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use payments_core::config::{self, EnvSource, ProcessEnv};
use payments_core::http::{ClientOptions, Endpoint, HttpClient, RawResponse};
use payments_core::retry::{Idempotency, RetryPolicy};
use payments_core::{Error, Secret, Url, telemetry};
use reqwest::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;

use crate::PROVIDER;
use crate::auth::{AuthMethod, Credentials, FileNonce, InProcessNonce, NonceSource};
use crate::error::ZaifError;
use crate::model::{CanceledInvoice, CreateInvoice, CreatedInvoice, Invoice, InvoiceIds, text};

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
    credentials: Credentials,
    nonce: Arc<dyn NonceSource>,
    /// Held from taking a nonce until the answer is in, so calls with one key reach Zaif in
    /// nonce order. Shared by every client in the process that uses the same key.
    send_order: Arc<tokio::sync::Mutex<()>>,
    retry: RetryPolicy,
    payment_page_base: Url,
}

impl fmt::Debug for ZaifClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZaifClient")
            .field("endpoint", &self.inner.endpoint.url().as_str())
            .field("credentials", &self.inner.credentials)
            .field("nonce", &self.inner.nonce)
            .finish()
    }
}

/// One send-order lock per API key (keyed by the key's sha1, never the key itself).
static SEND_ORDER: LazyLock<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

fn send_order_for(key: &Secret) -> Arc<tokio::sync::Mutex<()>> {
    let id = AuthMethod::Sha1.hash(key);
    let mut locks = SEND_ORDER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    locks.entry(id.expose().to_owned()).or_default().clone()
}

/// The names settings are reported under: the builder's or the environment's.
#[derive(Debug, Clone, Copy)]
struct SettingNames {
    api_key: &'static str,
    api_secret: &'static str,
    endpoint: &'static str,
}

const BUILDER_NAMES: SettingNames = SettingNames {
    api_key: "api_key",
    api_secret: "api_secret",
    endpoint: "endpoint",
};

const ENV_NAMES: SettingNames = SettingNames {
    api_key: "ZAIF_API_KEY",
    api_secret: "ZAIF_API_SECRET",
    endpoint: "ZAIF_ENDPOINT",
};

/// Builds a [`ZaifClient`]; [`ZaifClientBuilder::build`] validates the configuration.
pub struct ZaifClientBuilder {
    api_key: Option<Secret>,
    api_secret: Option<Secret>,
    auth: AuthMethod,
    endpoint: Option<String>,
    payment_page_base: Option<String>,
    nonce: Option<Arc<dyn NonceSource>>,
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

    /// The nonce source (default: [`InProcessNonce::shared`]).
    pub fn nonce_source(mut self, source: Arc<dyn NonceSource>) -> Self {
        self.nonce = Some(source);
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
        let credentials = Credentials {
            hashed_secret: self.auth.hash(&secret),
            key,
            method: self.auth,
        };
        let http = self.options.build_http([
            AuthMethod::Md5.hash(&secret),
            AuthMethod::Sha1.hash(&secret),
            secret,
            credentials.key.clone(),
        ])?;
        Ok(ZaifClient {
            inner: Arc::new(Inner {
                send_order: send_order_for(&credentials.key),
                http,
                endpoint,
                credentials,
                nonce: self
                    .nonce
                    .unwrap_or_else(|| Arc::new(InProcessNonce::shared())),
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
    /// [`DEFAULT_ENDPOINT`]) and, optionally, `ZAIF_NONCE_FILE` (a [`FileNonce`] state file
    /// shared by processes on this host).
    pub fn from_env() -> Result<ZaifClient, ZaifError> {
        ZaifClient::from_env_with(&ProcessEnv)
    }

    /// Like [`ZaifClient::from_env`], reading from `env`.
    pub fn from_env_with(env: &dyn EnvSource) -> Result<ZaifClient, ZaifError> {
        ZaifClient::builder_from_env(env)?.build()
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
        match (file, redis) {
            (Some(_), Some(_)) => {
                return Err(Error::configuration(
                    "ZAIF_NONCE_REDIS_URL",
                    "is set together with ZAIF_NONCE_FILE: choose one nonce store",
                )
                .into());
            }
            (Some(path), None) => builder = builder.nonce_source(Arc::new(FileNonce::new(path))),
            (None, Some(url)) => builder = builder.nonce_source(redis_nonce(&url, env)?),
            (None, None) => {}
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
            request.to_form(),
            Idempotency::NonIdempotent,
        )
        .await
    }

    /// `getInvoice`: an invoice's current state.
    pub async fn get_invoice(&self, invoice_id: &str) -> Result<Invoice, ZaifError> {
        let invoice_id = invoice_id_param(invoice_id)?;
        self.call(
            "getInvoice",
            vec![("invoiceId", invoice_id)],
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
            vec![("orderNumber", order_number)],
            Idempotency::Idempotent,
        )
        .await
    }

    /// `cancelInvoice`: cancels an unpaid invoice. A paid or expired invoice gives
    /// [`ZaifError::CannotCancel`].
    pub async fn cancel_invoice(&self, invoice_id: &str) -> Result<CanceledInvoice, ZaifError> {
        let invoice_id = invoice_id_param(invoice_id)?;
        let raw: serde_json::Value = self
            .call(
                "cancelInvoice",
                vec![("invoiceId", invoice_id.clone())],
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
        Ok(CanceledInvoice { invoice_id, raw })
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
    async fn call<T: DeserializeOwned>(
        &self,
        method: &'static str,
        params: Vec<(&'static str, String)>,
        idempotency: Idempotency,
    ) -> Result<T, ZaifError> {
        let attempts = self
            .inner
            .retry
            .run(idempotency, |_| self.attempt(method, &params));
        telemetry::instrument(PROVIDER, method, attempts).await
    }

    async fn attempt<T: DeserializeOwned>(
        &self,
        method: &'static str,
        params: &[(&'static str, String)],
    ) -> Result<T, ZaifError> {
        let inner = &self.inner;
        let _in_order = inner.send_order.lock().await;
        let nonce = inner.nonce.next_nonce().await?;
        let body = self.signed_form(method, nonce, params)?;
        let request = inner
            .http
            .reqwest()
            .post(inner.endpoint.url().clone())
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body);
        let response = inner.http.send(PROVIDER, request).await?;
        decode_envelope(&response)
    }
}

impl ZaifClient {
    /// The form body of one call: method, key, hashed secret, nonce, then the parameters.
    pub(crate) fn signed_form(
        &self,
        method: &str,
        nonce: crate::auth::Nonce,
        params: &[(&'static str, String)],
    ) -> Result<String, Error> {
        let credentials = &self.inner.credentials;
        let nonce_text = nonce.to_string();
        let mut form: Vec<(&str, &str)> = Vec::with_capacity(params.len() + 4);
        form.push(("method", method));
        form.push(("key", credentials.key.expose()));
        form.push((
            credentials.method.field(),
            credentials.hashed_secret.expose(),
        ));
        form.push(("nonce", &nonce_text));
        form.extend(params.iter().map(|(name, value)| (*name, value.as_str())));
        serde_urlencoded::to_string(&form).map_err(|e| Error::invalid_input("form", e.to_string()))
    }
}

/// The Redis nonce store for `ZAIF_NONCE_REDIS_URL`. Never a silent fallback: without the
/// `redis` feature, the variable is a configuration error.
#[cfg(feature = "redis")]
fn redis_nonce(url: &str, env: &dyn EnvSource) -> Result<Arc<dyn NonceSource>, ZaifError> {
    let key = Secret::new(config::required(env, "ZAIF_API_KEY")?);
    Ok(Arc::new(crate::redis_nonce::RedisNonce::new(url, &key)?))
}

#[cfg(not(feature = "redis"))]
fn redis_nonce(_url: &str, _env: &dyn EnvSource) -> Result<Arc<dyn NonceSource>, ZaifError> {
    Err(Error::configuration(
        "ZAIF_NONCE_REDIS_URL",
        "is set, but zaif-ecapi was built without its `redis` feature",
    )
    .into())
}

fn invoice_id_param(invoice_id: &str) -> Result<String, ZaifError> {
    text("invoiceId", Some(invoice_id.to_owned()))?
        .ok_or_else(|| ZaifError::invalid("invoiceId", "is required"))
}

/// Decodes `{"success":1,"return":...}` into `T`, and `{"success":0,"error":"..."}` into a typed
/// error, whatever the method. Anything else is a status or decode error.
pub(crate) fn decode_envelope<T: DeserializeOwned>(response: &RawResponse) -> Result<T, ZaifError> {
    #[derive(serde::Deserialize)]
    struct Envelope {
        success: serde_json::Value,
        #[serde(rename = "return", default)]
        value: serde_json::Value,
        #[serde(default)]
        error: Option<serde_json::Value>,
    }

    let envelope: Envelope = match serde_json::from_slice(&response.body) {
        Ok(envelope) => envelope,
        Err(err) if response.is_success() => {
            return Err(response.decode_error(PROVIDER, err).into());
        }
        Err(_) => {
            return Err(response
                .clone()
                .error_for_status(PROVIDER)
                .err()
                .map_or_else(
                    || response.decode_error(PROVIDER, "not a Zaif answer").into(),
                    ZaifError::from,
                ));
        }
    };
    let success = match &envelope.success {
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(1) => Some(true),
            Some(0) => Some(false),
            _ => None,
        },
        serde_json::Value::Bool(b) => Some(*b),
        serde_json::Value::String(s) => match s.as_str() {
            "1" => Some(true),
            "0" => Some(false),
            _ => None,
        },
        _ => None,
    };
    match success {
        Some(false) => {
            let message = match envelope.error {
                Some(serde_json::Value::String(text)) => text,
                Some(other) => other.to_string(),
                None => String::new(),
            };
            Err(ZaifError::from_api_message(message))
        }
        Some(true) if response.is_success() => serde_json::from_value(envelope.value)
            .map_err(|err| response.decode_error(PROVIDER, err).into()),
        Some(true) => Err(response
            .clone()
            .error_for_status(PROVIDER)
            .err()
            .map_or_else(
                || {
                    response
                        .decode_error(PROVIDER, "success with an error status")
                        .into()
                },
                ZaifError::from,
            )),
        None => Err(response
            .decode_error(PROVIDER, "`success` is neither 1 nor 0")
            .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use payments_core::ErrorKind;
    use proptest::prelude::*;
    use reqwest::header::HeaderMap;

    fn answer(status: u16, body: &str) -> RawResponse {
        RawResponse::new(status, HeaderMap::new(), body.to_owned())
    }

    fn decode(status: u16, body: &str) -> Result<serde_json::Value, ZaifError> {
        decode_envelope(&answer(status, body))
    }

    #[test]
    fn envelope_success_and_error_shapes() {
        assert_eq!(
            decode(200, r#"{"success":1,"return":{"a":1}}"#).unwrap()["a"],
            1
        );
        assert_eq!(
            decode(200, r#"{"success":true,"return":[]}"#).unwrap(),
            serde_json::json!([])
        );
        assert_eq!(
            decode(200, r#"{"success":1}"#).unwrap(),
            serde_json::Value::Null
        );
        assert!(matches!(
            decode(200, r#"{"success":0,"error":"nonce not incremented"}"#),
            Err(ZaifError::NonceNotIncremented { .. })
        ));
        // An error envelope keeps its meaning whatever the status.
        assert!(matches!(
            decode(500, r#"{"success":0,"error":"invalid parameter amount"}"#),
            Err(ZaifError::InvalidParameter { .. })
        ));
        assert!(matches!(
            decode(200, r#"{"success":"0","error":{"code":7}}"#),
            Err(ZaifError::Api { message }) if message == r#"{"code":7}"#
        ));
    }

    #[test]
    fn non_envelopes_are_typed_errors() {
        let kind = |status, body| match decode(status, body) {
            Err(ZaifError::Core(error)) => (error.kind(), error.outcome_unknown()),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            kind(200, "<html>maintenance</html>"),
            (ErrorKind::Decode, true)
        );
        assert_eq!(kind(200, ""), (ErrorKind::Decode, true));
        assert_eq!(
            kind(200, r#"{"success":1,"return":{"invoiceId":"#),
            (ErrorKind::Decode, true)
        );
        assert_eq!(kind(200, r#"{"success":2}"#), (ErrorKind::Decode, true));
        assert_eq!(
            kind(502, "<html>Bad Gateway</html>"),
            (ErrorKind::HttpStatus, true)
        );
        assert_eq!(kind(503, ""), (ErrorKind::HttpStatus, true));
        assert_eq!(kind(401, "nope"), (ErrorKind::Authentication, false));
        assert_eq!(
            kind(500, r#"{"success":1,"return":{}}"#),
            (ErrorKind::HttpStatus, true)
        );
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512), status in 100u16..600) {
            let response = RawResponse::new(status, HeaderMap::new(), bytes);
            let _ = decode_envelope::<CreatedInvoice>(&response);
            let _ = decode_envelope::<Invoice>(&response);
            let _ = decode_envelope::<InvoiceIds>(&response);
        }

        #[test]
        fn random_json_never_panics(value in arbitrary_json(), status in prop_oneof![Just(200u16), Just(500u16)]) {
            for wrapped in [
                value.clone(),
                serde_json::json!({"success": 1, "return": value.clone()}),
                serde_json::json!({"success": 0, "error": value.clone()}),
            ] {
                let body = wrapped.to_string();
                let _ = decode_envelope::<CreatedInvoice>(&answer(status, &body));
                let _ = decode_envelope::<Invoice>(&answer(status, &body));
                let _ = decode_envelope::<InvoiceIds>(&answer(status, &body));
            }
        }
    }

    fn arbitrary_json() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<i64>().prop_map(|n| serde_json::json!(n)),
            "[ -~]{0,12}".prop_map(serde_json::Value::String),
        ];
        leaf.prop_recursive(3, 32, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
                proptest::collection::btree_map(
                    prop_oneof![
                        Just("invoiceId".to_owned()),
                        Just("amount".to_owned()),
                        Just("created".to_owned()),
                        Just("status".to_owned()),
                        Just("invoideIds".to_owned()),
                        Just("counts".to_owned()),
                        "[a-z]{1,6}".prop_map(String::from),
                    ],
                    inner,
                    0..6,
                )
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }
}
