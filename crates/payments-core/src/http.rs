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
//! [`HttpClient::from_reqwest`] is the seam for tests and for applications that bring their own
//! `reqwest::Client` (proxies, custom roots). [`Endpoint`] is how a client is pointed at a local
//! server.

use std::net::IpAddr;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
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
/// Default largest answer body read; larger ones are a decode error.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// Settings for the HTTP client a provider builds.
#[derive(Debug, Clone)]
#[must_use]
pub struct HttpConfig {
    connect_timeout: Duration,
    request_timeout: Duration,
    user_agent: String,
    max_body_bytes: usize,
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
        }
    }

    /// Sets the connect timeout.
    pub fn connect_timeout(mut self, timeout: Duration) -> HttpConfig {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the whole-request timeout.
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
            Some(client) => HttpClient::from_reqwest(client.clone()),
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

        /// Brings your own `reqwest::Client` (its timeouts, proxy and TLS roots apply).
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

/// A configured HTTP client, cheap to clone (it shares one connection pool).
#[derive(Debug, Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    max_body_bytes: usize,
    redactor: Redactor,
}

impl HttpClient {
    /// Builds a client from `config`: rustls, verified certificates, no redirects.
    pub fn new(config: &HttpConfig) -> Result<HttpClient> {
        let client = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .user_agent(config.user_agent.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|err| Error::configuration("http client", err.without_url().to_string()))?;
        Ok(HttpClient {
            client,
            max_body_bytes: config.max_body_bytes,
            redactor: Redactor::default(),
        })
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

    /// Wraps a caller's own `reqwest::Client` (its timeouts, proxy and TLS roots are the
    /// caller's responsibility). Answers are still read up to [`DEFAULT_MAX_BODY_BYTES`].
    pub fn from_reqwest(client: reqwest::Client) -> HttpClient {
        HttpClient {
            client,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            redactor: Redactor::default(),
        }
    }

    /// The underlying client, to build requests with.
    pub fn reqwest(&self) -> &reqwest::Client {
        &self.client
    }

    /// Sends a request and reads the whole answer, whatever its status. Transport failures are
    /// classified by whether the request may have been sent (see [`Error::outcome_unknown`]).
    pub async fn send(
        &self,
        provider: &'static str,
        request: reqwest::RequestBuilder,
    ) -> Result<RawResponse> {
        let request = request
            .build()
            .map_err(|err| Error::invalid_input("request", err.without_url().to_string()))?;
        let mut response = self
            .client
            .execute(request)
            .await
            .map_err(|err| Error::from_reqwest(provider, err))?;
        let status = response.status().as_u16();
        let headers = std::mem::take(response.headers_mut());
        // An answer usually arrives as one chunk: it is kept as it came, and only a body in
        // several chunks is gathered (and copied) into one buffer.
        let mut first: Option<Bytes> = None;
        let mut gathered = BytesMut::new();
        let mut read = 0usize;
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|err| Error::from_reqwest(provider, err))?
        {
            read = read.saturating_add(chunk.len());
            if read > self.max_body_bytes {
                gathered.extend_from_slice(first.as_deref().unwrap_or_default());
                return Err(Error::decode(
                    provider,
                    status,
                    format_args!("answer larger than {} bytes", self.max_body_bytes),
                    self.redactor.excerpt(&gathered),
                ));
            }
            match first.take() {
                None if gathered.is_empty() => first = Some(chunk),
                earlier => {
                    gathered.extend_from_slice(earlier.as_deref().unwrap_or_default());
                    gathered.extend_from_slice(&chunk);
                }
            }
        }
        let body = first.unwrap_or_else(|| gathered.freeze());
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
