//! The one way this SDK talks HTTP.
//!
//! * TLS through rustls, with certificates always verified: there is no switch to turn
//!   verification off anywhere in this workspace.
//! * Connect and request timeouts with defaults a caller can change ([`HttpConfig`]).
//! * Redirects are never followed: a payment API that redirects a `POST` is misconfigured, and
//!   following it would resend a money-moving request, and headers such as `x-api-key`, to
//!   another place.
//! * Bodies are read up to a size limit, so a hostile or broken answer cannot exhaust memory.
//! * A user agent naming the provider crate and its version.
//!
//! * TLS cryptography from `ring` (feature `ring`, the default) or `aws-lc-rs` (feature
//!   `aws-lc-rs`); roots from the system's store through the platform verifier, or Mozilla's
//!   bundled roots (feature `webpki-roots`), plus any [`HttpConfig::add_root_certificate_pem`].
//! * An explicit proxy only ([`HttpConfig::proxy`]); the environment's proxy variables are not
//!   read.
//!
//! [`HttpClient::from_reqwest`] is the seam for tests and for applications that bring their own
//! `reqwest::Client`: that is the one place this crate's API takes a `reqwest` type on purpose.
//! The SDK's rules still hold for such a client: each request gets the configured timeout,
//! answers are read up to the configured limit, errors are redacted, and an answer that came
//! from another URL (the client followed a redirect, so a payment may have been resent) is an
//! error saying the outcome is unknown. Build it with [`tls_config`] to keep this crate's TLS
//! settings. [`Endpoint`] is how a client is pointed at a local server.

pub use crate::crypto::crypto_provider;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde::de::DeserializeOwned;
use url::Url;

use crate::error::{Error, Result};
use crate::redact::Redactor;
use crate::secret::Secret;

/// Default time allowed to establish a connection (TCP and TLS).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for a whole request, from sending to the end of the answer.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The `tracing` target of wire transcripts: one TRACE event per exchange (method, path and
/// query, headers, body, status, answer), every value through the client's redactor. Off
/// unless a subscriber enables this target (`RUST_LOG=payments::wire=trace`, or the CLI's
/// `--wire`).
pub const WIRE_TARGET: &str = "payments::wire";

/// Default largest answer body read; larger ones are a decode error.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// Settings for the HTTP client a provider builds.
#[derive(Clone)]
#[must_use]
pub struct HttpConfig {
    connect_timeout: Duration,
    request_timeout: Duration,
    user_agent: String,
    max_body_bytes: usize,
    extra_roots: Vec<rustls::pki_types::CertificateDer<'static>>,
    /// The proxy URL; a secret, since it may carry a user name and password.
    proxy: Option<Secret>,
}

impl std::fmt::Debug for HttpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpConfig")
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("user_agent", &self.user_agent)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("extra_roots", &self.extra_roots.len())
            .field(
                "proxy",
                &self.proxy.as_ref().map(|_| crate::secret::REDACTED),
            )
            .finish()
    }
}

impl HttpConfig {
    /// Defaults, with a user agent naming the calling crate: `HttpConfig::new(env!("CARGO_PKG_NAME"),
    /// env!("CARGO_PKG_VERSION"))` gives `zaif-ecapi/0.1.0 payments-core/0.1.0`.
    pub fn new(crate_name: &str, crate_version: &str) -> HttpConfig {
        HttpConfig {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            user_agent: format!(
                "{crate_name}/{crate_version} {}/{}",
                env!("CARGO_PKG_NAME"),
                env!("CARGO_PKG_VERSION")
            ),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            extra_roots: Vec::new(),
            proxy: None,
        }
    }

    /// Also trusts the root certificates in `pem` (one or more `BEGIN CERTIFICATE` blocks),
    /// for a provider or proxy behind a private CA. Certificates are still verified.
    ///
    /// # Errors
    /// [`Error::Configuration`] naming `http.root_certificate` when `pem` holds no certificate
    /// or one that does not parse.
    pub fn add_root_certificate_pem(mut self, pem: &[u8]) -> Result<HttpConfig> {
        use rustls::pki_types::pem::PemObject;
        let invalid = |reason: String| Error::configuration("http.root_certificate", reason);
        let mut added = 0;
        for cert in rustls::pki_types::CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| invalid(format!("not a PEM certificate: {e}")))?;
            // Parsed now, so a bad certificate fails here rather than at the first call.
            rustls::RootCertStore::empty()
                .add(cert.clone())
                .map_err(|e| invalid(format!("not a usable root certificate: {e}")))?;
            self.extra_roots.push(cert);
            added += 1;
        }
        if added == 0 {
            return Err(invalid("no BEGIN CERTIFICATE block found".into()));
        }
        Ok(self)
    }

    /// Sends every request through the HTTP(S) proxy at `url` (`http://proxy.internal:3128`,
    /// credentials allowed in the URL; they are never printed).
    ///
    /// # Errors
    /// [`Error::Configuration`] naming `http.proxy` when `url` is not an http(s) URL.
    pub fn proxy(mut self, url: &str) -> Result<HttpConfig> {
        let parsed = Url::parse(url.trim()).map_err(|_| {
            Error::configuration("http.proxy", "not a valid URL (http://host:port)")
        })?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
            return Err(Error::configuration(
                "http.proxy",
                "only http:// and https:// proxies with a host are supported",
            ));
        }
        self.proxy = Some(Secret::new(parsed.as_str()));
        Ok(self)
    }

    /// Sets the connect timeout.
    pub fn connect_timeout(mut self, timeout: Duration) -> HttpConfig {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the whole-request timeout, applied to every call (also through a caller's own
    /// `reqwest::Client`).
    pub fn request_timeout(mut self, timeout: Duration) -> HttpConfig {
        self.request_timeout = timeout;
        self
    }

    /// Sets the largest answer body that will be read.
    pub fn max_body_bytes(mut self, limit: usize) -> HttpConfig {
        self.max_body_bytes = limit;
        self
    }

    /// The user agent sent with every request.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }
}

/// The transport settings every provider client builder carries: the HTTP configuration, an
/// optional caller-supplied `reqwest::Client`, and the retry policy. Provider builders expose
/// them through [`client_option_setters!`](crate::client_option_setters).
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Timeouts, limits and user agent for a client built here.
    pub http_config: HttpConfig,
    /// A caller's own client, used instead of building one.
    pub http_client: Option<reqwest::Client>,
    /// What may be retried, and how.
    pub retry: crate::retry::RetryPolicy,
}

impl ClientOptions {
    /// Defaults for the calling crate (see [`HttpConfig::new`]) with `retry`.
    pub fn new(
        crate_name: &str,
        crate_version: &str,
        retry: crate::retry::RetryPolicy,
    ) -> ClientOptions {
        ClientOptions {
            http_config: HttpConfig::new(crate_name, crate_version),
            http_client: None,
            retry,
        }
    }

    /// The HTTP client: the caller's own, or one built from the configuration; either way
    /// blanking `known_secrets` from every error excerpt.
    pub fn build_http(
        &self,
        known_secrets: impl IntoIterator<Item = Secret>,
    ) -> Result<HttpClient> {
        let http = match &self.http_client {
            Some(client) => HttpClient::from_reqwest_with(client.clone(), &self.http_config),
            None => HttpClient::new(&self.http_config)?,
        };
        Ok(http.with_known_secrets(known_secrets))
    }
}

/// Generates the `http_config`, `http_client` and `retry_policy` setters of a provider client
/// builder that keeps a [`ClientOptions`] in a field named `options`. The argument documents
/// what that provider resends.
#[macro_export]
macro_rules! client_option_setters {
    ($retry_doc:literal) => {
        /// Timeouts and limits of the HTTP client.
        pub fn http_config(mut self, config: $crate::http::HttpConfig) -> Self {
            self.options.http_config = config;
            self
        }

        /// Brings your own `reqwest::Client`: its proxy and TLS roots apply (build it with
        /// `payments_core::http::tls_config` to keep the SDK's TLS settings). The SDK's rules
        /// still hold: the `http_config` request timeout on every call, its body limit,
        /// redacted errors, and an answer from a followed redirect refused as an unknown
        /// outcome; build it with `redirect(reqwest::redirect::Policy::none())`.
        pub fn http_client(mut self, client: ::reqwest::Client) -> Self {
            self.options.http_client = Some(client);
            self
        }

        #[doc = $retry_doc]
        pub fn retry_policy(mut self, policy: $crate::retry::RetryPolicy) -> Self {
            self.options.retry = policy;
            self
        }
    };
}

/// The rustls configuration this SDK's clients use: the crate's crypto provider (`ring`, or
/// `aws-lc-rs` with that feature), certificates verified against the system's roots (or, with
/// the `webpki-roots` feature, Mozilla's bundled ones) plus `config`'s extra roots, HTTP/1.1
/// offered (and HTTP/2 first, with the `http2` feature). Give it to your own
/// `reqwest::ClientBuilder::tls_backend_preconfigured` to keep the SDK's TLS settings with a
/// client of your own.
///
/// # Errors
/// [`Error::Configuration`] naming `http.tls_roots` when no root certificate can be loaded
/// (a container without CA certificates: enable the `webpki-roots` feature).
pub fn tls_config(config: &HttpConfig) -> Result<rustls::ClientConfig> {
    let provider = crypto_provider();
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::configuration("http.tls", e.to_string()))?;
    // A custom verifier only in name: it is the platform's (or webpki's) full verification.
    let mut tls = builder
        .dangerous()
        .with_custom_certificate_verifier(verifier(provider, &config.extra_roots)?)
        .with_no_client_auth();
    tls.alpn_protocols = alpn_protocols();
    Ok(tls)
}

/// The protocols offered in the TLS handshake: `h2` only when reqwest can speak it (feature
/// `http2`), or a server choosing it would leave the connection unusable.
fn alpn_protocols() -> Vec<Vec<u8>> {
    let mut protocols = Vec::new();
    if cfg!(feature = "http2") {
        protocols.push(b"h2".to_vec());
    }
    protocols.push(b"http/1.1".to_vec());
    protocols
}

#[cfg(not(feature = "webpki-roots"))]
const NO_ROOTS: &str = "no root certificate could be loaded from this system's store; install \
    the CA certificates (ca-certificates), enable the `webpki-roots` feature (Mozilla's roots \
    bundled), or add roots with HttpConfig::add_root_certificate_pem";

/// The verifier over the system's roots is built once per process: loading the store costs
/// milliseconds and a few hundred kilobytes, which every client (one per key) would repeat.
fn verifier(
    provider: Arc<rustls::crypto::CryptoProvider>,
    extra_roots: &[rustls::pki_types::CertificateDer<'static>],
) -> Result<Arc<dyn rustls::client::danger::ServerCertVerifier>> {
    #[cfg(feature = "webpki-roots")]
    {
        let mut roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        for root in extra_roots {
            roots
                .add(root.clone())
                .map_err(|e| Error::configuration("http.root_certificate", e.to_string()))?;
        }
        let verifier =
            rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| Error::configuration("http.tls_roots", e.to_string()))?;
        Ok(verifier)
    }
    #[cfg(not(feature = "webpki-roots"))]
    {
        let build = |extra: Vec<rustls::pki_types::CertificateDer<'static>>| {
            rustls_platform_verifier::Verifier::new_with_extra_roots(extra, provider.clone())
                .map(|v| Arc::new(v) as Arc<dyn rustls::client::danger::ServerCertVerifier>)
                .map_err(|e| match e {
                    rustls::Error::General(_) => NO_ROOTS.to_owned(),
                    other => other.to_string(),
                })
        };
        let verifier = if extra_roots.is_empty() {
            static SYSTEM: std::sync::OnceLock<
                std::result::Result<Arc<dyn rustls::client::danger::ServerCertVerifier>, String>,
            > = std::sync::OnceLock::new();
            SYSTEM.get_or_init(|| build(Vec::new())).clone()
        } else {
            build(extra_roots.to_vec())
        };
        verifier.map_err(|reason| Error::configuration("http.tls_roots", reason))
    }
}

/// How many requests [`HttpClient::send`] has handed to the network in this process.
static REQUESTS_STARTED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many requests any [`HttpClient`] of this process has started to send (counted just
/// before the request is handed to the connection, whatever happens next). A tool that
/// reports "nothing was sent" checks this is still zero, so the sentence is true.
pub fn requests_started() -> u64 {
    REQUESTS_STARTED.load(std::sync::atomic::Ordering::SeqCst)
}

/// A configured HTTP client, cheap to clone (it shares one connection pool).
#[derive(Debug, Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    max_body_bytes: usize,
    request_timeout: Duration,
    redactor: Redactor,
    /// A caller's own client: it may follow redirects (ours never does) and has no request
    /// timeout of ours (ours has it built in).
    callers_client: bool,
}

impl HttpClient {
    /// Builds a client from `config`: rustls, verified certificates, no redirects.
    pub fn new(config: &HttpConfig) -> Result<HttpClient> {
        let mut builder = reqwest::Client::builder()
            .tls_backend_preconfigured(tls_config(config)?)
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .user_agent(config.user_agent.clone())
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy();
        if let Some(proxy) = &config.proxy {
            let proxy = reqwest::Proxy::all(proxy.expose()).map_err(|_| {
                Error::configuration("http.proxy", "not a URL reqwest accepts as a proxy")
            })?;
            builder = builder.proxy(proxy);
        }
        let client = builder
            .build()
            .map_err(|err| Error::configuration("http client", err.without_url().to_string()))?;
        Ok(HttpClient {
            client,
            max_body_bytes: config.max_body_bytes,
            request_timeout: config.request_timeout,
            redactor: Redactor::default(),
            callers_client: false,
        })
    }

    /// The whole-request timeout applied to every call.
    pub fn request_timeout(&self) -> Duration {
        self.request_timeout
    }

    /// Registers the client's own credentials (API secret, hashed secret, API key), so that
    /// any echo of them in an answer is blanked from error excerpts, whatever field it is in.
    pub fn with_known_secrets(mut self, secrets: impl IntoIterator<Item = Secret>) -> HttpClient {
        self.redactor = Redactor::new(secrets);
        self
    }

    /// Registers secrets learned from answers (credentials a provider returns), so they are
    /// blanked from every later excerpt of this client and its clones.
    pub fn register_secrets(&self, secrets: impl IntoIterator<Item = Secret>) {
        self.redactor.add(secrets);
    }

    /// Wraps a caller's own `reqwest::Client` (its proxy and TLS roots are the caller's; see
    /// [`tls_config`]), with the defaults' timeout and body limit.
    pub fn from_reqwest(client: reqwest::Client) -> HttpClient {
        HttpClient {
            client,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            redactor: Redactor::default(),
            callers_client: true,
        }
    }

    /// Wraps a caller's own `reqwest::Client`, keeping `config`'s request timeout (applied to
    /// each call) and body limit: what a builder given both `http_client` and `http_config`
    /// does.
    pub fn from_reqwest_with(client: reqwest::Client, config: &HttpConfig) -> HttpClient {
        HttpClient {
            client,
            max_body_bytes: config.max_body_bytes,
            request_timeout: config.request_timeout,
            redactor: Redactor::default(),
            callers_client: true,
        }
    }

    /// The underlying client, to build requests with.
    pub fn reqwest(&self) -> &reqwest::Client {
        &self.client
    }

    /// Sends a request and reads the whole answer, whatever its status. Transport failures are
    /// classified by whether the request may have been sent (see [`Error::outcome_unknown`]).
    ///
    /// The returned future is a pointer to the exchange's state (reqwest's, hyper's, the
    /// answer's chunks: close to a kilobyte), so the futures of the layers around it (signing,
    /// retry, telemetry) stay small instead of each copying that state when built and moved.
    pub fn send(
        &self,
        provider: &'static str,
        request: reqwest::RequestBuilder,
    ) -> Pin<Box<impl Future<Output = Result<RawResponse>> + Send + '_>> {
        Box::pin(self.exchange(provider, request))
    }

    async fn exchange(
        &self,
        provider: &'static str,
        request: reqwest::RequestBuilder,
    ) -> Result<RawResponse> {
        let mut request = request
            .build()
            .map_err(|err| Error::invalid_input("request", err.without_url().to_string()))?;
        // Our own client carries the timeout already; setting it per request would allocate the
        // request's extension map on every call for nothing.
        if self.callers_client && request.timeout().is_none() {
            *request.timeout_mut() = Some(self.request_timeout);
        }
        // Only a caller's own client can follow a redirect: only then is the URL kept to compare.
        let sent_to = self.callers_client.then(|| request.url().clone());
        let transcript = tracing::enabled!(target: WIRE_TARGET, tracing::Level::TRACE)
            .then(|| self.transcribe_request(&request));
        REQUESTS_STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut response = self
            .client
            .execute(request)
            .await
            .map_err(|err| Error::from_reqwest(provider, err))?;
        let status = response.status().as_u16();
        if sent_to.is_some_and(|sent_to| response.url() != &sent_to) {
            // Only a caller's own client can follow redirects; a followed redirect may have
            // sent a payment (and its credentials) twice, or somewhere else.
            return Err(Error::Decode {
                provider,
                status,
                reason: "the answer came from another URL: the HTTP client followed a redirect \
                         (build it with redirect::Policy::none()); the request may have been \
                         sent again"
                    .into(),
                excerpt: String::new(),
            });
        }
        let headers = std::mem::take(response.headers_mut());
        // An answer usually arrives as one chunk, kept as it came; only several are joined
        // (copied) into one buffer.
        let mut chunks: Vec<Bytes> = Vec::new();
        let mut read = 0usize;
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|err| Error::from_reqwest(provider, err))?
        {
            read = read.saturating_add(chunk.len());
            if read > self.max_body_bytes {
                return Err(Error::decode(
                    provider,
                    status,
                    format_args!("answer larger than {} bytes", self.max_body_bytes),
                    self.redactor.excerpt(&chunks.concat()),
                ));
            }
            chunks.push(chunk);
        }
        let body = match <[Bytes; 1]>::try_from(chunks) {
            Ok([only]) => only,
            Err(chunks) => Bytes::from(chunks.concat()),
        };
        if let Some(exchange) = transcript {
            self.log_exchange(provider, exchange, status, &body);
        }
        tracing::debug!(
            provider,
            http.status = status,
            body.bytes = body.len(),
            "http answer"
        );
        Ok(RawResponse {
            status,
            headers,
            body,
            redactor: self.redactor.clone(),
        })
    }

    /// Logs a whole wire transcript: the request side with the answer's status and redacted body.
    #[cold]
    fn log_exchange(
        &self,
        provider: &'static str,
        mut exchange: serde_json::Value,
        status: u16,
        body: &[u8],
    ) {
        exchange["status"] = status.into();
        exchange["answer"] = self.redactor.scrub(body).into();
        tracing::trace!(target: WIRE_TARGET, provider, "{exchange}");
    }

    /// The request side of a wire transcript, redacted: sensitive headers (the API keys) are
    /// blanked whole, everything else goes through the redactor.
    #[cold]
    fn transcribe_request(&self, request: &reqwest::Request) -> serde_json::Value {
        let url = request.url();
        let target = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        };
        let headers: serde_json::Map<String, serde_json::Value> = request
            .headers()
            .iter()
            .map(|(name, value)| {
                let shown = if value.is_sensitive() {
                    crate::secret::REDACTED.to_owned()
                } else {
                    self.redactor.scrub(value.as_bytes())
                };
                (name.as_str().to_owned(), shown.into())
            })
            .collect();
        let body = request
            .body()
            .and_then(reqwest::Body::as_bytes)
            .map(|bytes| self.redactor.scrub(bytes))
            .unwrap_or_default();
        serde_json::json!({
            "method": request.method().as_str(),
            "path": self.redactor.scrub(target.as_bytes()),
            "headers": headers,
            "body": body,
        })
    }
}

/// A provider's answer, fully read.
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The answer's headers.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Bytes,
    redactor: Redactor,
}

impl RawResponse {
    /// An answer read some other way (a custom transport, a test), excerpted with the
    /// pattern masks only.
    pub fn new(status: u16, headers: HeaderMap, body: impl Into<Bytes>) -> RawResponse {
        RawResponse {
            status,
            headers,
            body: body.into(),
            redactor: Redactor::default(),
        }
    }

    /// A short excerpt of the body, safe for errors and logs (see [`Redactor::excerpt`]).
    pub fn excerpt(&self) -> String {
        self.redactor.excerpt(&self.body)
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The `Retry-After` header, when given in seconds.
    pub fn retry_after(&self) -> Option<Duration> {
        self.headers
            .get(RETRY_AFTER)?
            .to_str()
            .ok()?
            .trim()
            .parse::<u64>()
            .ok()
            .map(Duration::from_secs)
    }

    /// `Ok(self)` for a 2xx answer, otherwise the classified status error
    /// ([`Error::from_status`]).
    pub fn error_for_status(self, provider: &'static str) -> Result<RawResponse> {
        if self.is_success() {
            Ok(self)
        } else {
            Err(Error::from_status(
                provider,
                self.status,
                self.retry_after(),
                self.excerpt(),
            ))
        }
    }

    /// Decodes the body as JSON into `T`; anything else (HTML, empty, truncated, wrong types)
    /// is an [`Error::Decode`] with a redacted excerpt.
    pub fn json<T: DeserializeOwned>(&self, provider: &'static str) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|err| self.decode_error(provider, err))
    }

    /// An [`Error::Decode`] for this answer. Both the reason (decoders quote what they choked
    /// on) and the body excerpt go through the client's redactor.
    pub fn decode_error(&self, provider: &'static str, reason: impl std::fmt::Display) -> Error {
        Error::Decode {
            provider,
            status: self.status,
            reason: self.redactor.excerpt(reason.to_string().as_bytes()),
            excerpt: self.excerpt(),
        }
    }

    /// The error for an answer the provider's decoder does not recognise: the HTTP status
    /// error when the status is not 2xx (so a 5xx stays "outcome unknown" and a 401 stays an
    /// authentication error), otherwise an [`Error::Decode`] saying `reason`.
    pub fn unrecognised(&self, provider: &'static str, reason: impl std::fmt::Display) -> Error {
        if self.is_success() {
            self.decode_error(provider, reason)
        } else {
            Error::from_status(provider, self.status, self.retry_after(), self.excerpt())
        }
    }
}

/// A validated base URL for a provider.
///
/// `https` is always accepted. Plain `http` is accepted only for loopback hosts (`127.0.0.0/8`,
/// `::1`, `localhost`), which is what tests and the local sandbox use: credentials never travel
/// unencrypted to another machine. URLs with a user name, password or fragment are refused.
///
/// ```
/// use payments_core::http::Endpoint;
///
/// assert!(Endpoint::parse("ZAIF_ENDPOINT", "https://api.zaif.jp/ecapi").is_ok());
/// assert!(Endpoint::parse("ZAIF_ENDPOINT", "http://127.0.0.1:8080/ecapi").is_ok());
/// let err = Endpoint::parse("ZAIF_ENDPOINT", "http://api.zaif.jp/ecapi").unwrap_err();
/// assert_eq!(err.to_string(), "configuration error: ZAIF_ENDPOINT: plain http is only allowed for loopback hosts; use https");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    url: Url,
}

impl Endpoint {
    /// Parses and validates `text`; errors name `setting` (the builder field or environment
    /// variable it came from).
    pub fn parse(setting: &'static str, text: &str) -> Result<Endpoint> {
        let url = Url::parse(text.trim())
            .map_err(|err| Error::configuration(setting, format!("not a valid URL: {err}")))?;
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&url) => {}
            "http" => {
                return Err(Error::configuration(
                    setting,
                    "plain http is only allowed for loopback hosts; use https",
                ));
            }
            _ => {
                return Err(Error::configuration(
                    setting,
                    "only https (or http on loopback) URLs are accepted",
                ));
            }
        }
        if url.host().is_none() {
            return Err(Error::configuration(setting, "the URL has no host"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Error::configuration(
                setting,
                "credentials do not belong in the URL",
            ));
        }
        if url.fragment().is_some() {
            return Err(Error::configuration(
                setting,
                "the URL must not have a fragment",
            ));
        }
        Ok(Endpoint { url })
    }

    /// The URL.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// This URL with `path` appended to its path (one `/` between them, whatever the ends).
    pub fn join(&self, path: &str) -> Url {
        let mut url = self.url.clone();
        let joined = format!(
            "{}/{}",
            url.path().trim_end_matches('/'),
            path.trim_start_matches('/')
        );
        url.set_path(&joined);
        url
    }
}

/// Whether `url`'s host is a loopback address (`127.0.0.0/8`, `::1`, `localhost`).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_require_tls_off_loopback() {
        for ok in [
            "https://api-dev.paymentoptions.com",
            "https://example.tv/api.php",
            "http://127.0.0.1:9000/ecapi",
            "http://127.8.9.1/",
            "http://[::1]:8080/x",
            "http://localhost:1/x",
        ] {
            assert!(Endpoint::parse("URL", ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://example.com/",
            "http://10.0.0.1/",
            "ftp://127.0.0.1/",
            "file:///etc/passwd",
            "https://user:pass@example.com/",
            "https://example.com/#frag",
            "not a url",
            "",
        ] {
            let err = Endpoint::parse("URL", bad).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::Configuration, "{bad}");
            assert!(!err.to_string().contains("pass@"), "{err}");
        }
    }

    #[test]
    fn join_puts_one_slash_between() {
        let base = Endpoint::parse("URL", "https://api-dev.paymentoptions.com/api/v1/").unwrap();
        assert_eq!(
            base.join("/server-to-server-interface/payment").as_str(),
            "https://api-dev.paymentoptions.com/api/v1/server-to-server-interface/payment"
        );
        let bare = Endpoint::parse("URL", "https://h.example").unwrap();
        assert_eq!(bare.join("x").as_str(), "https://h.example/x");
    }

    #[test]
    fn user_agent_names_both_crates() {
        let config = HttpConfig::new("zaif-ecapi", "9.9.9");
        assert_eq!(
            config.user_agent(),
            format!(
                "zaif-ecapi/9.9.9 payments-core/{}",
                env!("CARGO_PKG_VERSION")
            )
        );
        assert_eq!(config.connect_timeout, DEFAULT_CONNECT_TIMEOUT);
        let config = config.request_timeout(Duration::from_millis(5));
        assert_eq!(config.request_timeout, Duration::from_millis(5));
    }

    #[test]
    fn retry_after_seconds_are_read() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, "7".parse().unwrap());
        let response = RawResponse {
            status: 429,
            headers,
            body: Bytes::new(),
            redactor: Redactor::default(),
        };
        assert_eq!(response.retry_after(), Some(Duration::from_secs(7)));
        let err = response.error_for_status("p").unwrap_err();
        assert!(matches!(err, Error::RateLimited { retry_after: Some(d), .. } if d.as_secs() == 7));
    }

    #[test]
    fn unrecognised_answers_keep_the_status_meaning() {
        let answer = |status| RawResponse::new(status, HeaderMap::new(), "<html>x</html>");
        let cases = [
            (200, crate::ErrorKind::Decode, true),
            (201, crate::ErrorKind::Decode, true),
            (502, crate::ErrorKind::HttpStatus, true),
            (401, crate::ErrorKind::Authentication, false),
        ];
        for (status, kind, unknown) in cases {
            let err = answer(status).unrecognised("p", "not an answer");
            assert_eq!(
                (err.kind(), err.outcome_unknown()),
                (kind, unknown),
                "{status}"
            );
        }
        assert!(
            answer(200)
                .unrecognised("p", "not an answer")
                .to_string()
                .contains("not an answer")
        );
    }
}
