//! One error taxonomy for every provider, built around the question that matters for money:
//! **may the request have taken effect?** ([`Error::outcome_unknown`]).

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

/// A boxed error source, kept for `Error::source()` chains.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// How far a request got before it failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SendPhase {
    /// It failed before any byte of the request could have reached the provider (DNS failure,
    /// connection refused, TLS handshake failure, connect timeout). Nothing happened there.
    NotSent,
    /// It may have been sent, in whole or in part, and no complete answer came back (a timeout
    /// while waiting, a connection reset). The provider may have acted on it.
    MaybeSent,
}

impl fmt::Display for SendPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SendPhase::NotSent => "before the request was sent",
            SendPhase::MaybeSent => "after the request may have been sent",
        })
    }
}

/// Every error the SDK returns. Provider crates have their own richer error enums, each
/// convertible into this one.
///
/// Errors never carry secrets, full card numbers or whole response bodies: body excerpts are
/// short and pass through [`crate::redact::excerpt`], and transport errors drop the request URL.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The caller's input was refused before anything was sent.
    #[error("invalid input: {field}: {reason}")]
    InvalidInput {
        /// The field, in the provider's or the SDK's naming (`amount`, `card.number`).
        field: Cow<'static, str>,
        /// Why it was refused. Never contains the value itself.
        reason: Cow<'static, str>,
    },
    /// The client is misconfigured (missing key, bad URL); nothing was sent.
    #[error("configuration error: {setting}: {reason}")]
    Configuration {
        /// The setting or environment variable, e.g. `ZAIF_API_KEY`.
        setting: Cow<'static, str>,
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },
    /// The provider refused the credentials (HTTP 401/403 or an equivalent error code).
    #[error("{provider}: authentication rejected: {message}")]
    Authentication {
        /// The provider's name.
        provider: &'static str,
        /// The provider's own error code, if it sent one.
        code: Option<String>,
        /// The provider's message, verbatim.
        message: String,
    },
    /// The provider processed the payment and declined it.
    #[error("{provider}: payment declined ({code}): {message}")]
    Declined {
        /// The provider's name.
        provider: &'static str,
        /// The provider's decline code, verbatim.
        code: String,
        /// The provider's message, verbatim.
        message: String,
    },
    /// The provider answered with an error of its own.
    #[error("{provider}: provider error {code}: {message}")]
    Provider {
        /// The provider's name.
        provider: &'static str,
        /// The provider's error code, verbatim.
        code: String,
        /// The provider's message, verbatim.
        message: String,
        /// `true` when the provider's answer proves it did nothing and a fresh attempt may
        /// succeed (Zaif's `nonce not incremented`).
        transient: bool,
    },
    /// The provider asked the caller to slow down; the request was not processed.
    #[error("{provider}: rate limited")]
    RateLimited {
        /// The provider's name.
        provider: &'static str,
        /// The delay the provider asked for, when it said.
        retry_after: Option<Duration>,
    },
    /// The connection failed (DNS, connect, TLS, reset).
    #[error("{provider}: transport error {phase}: {message}")]
    Transport {
        /// The provider's name.
        provider: &'static str,
        /// Whether the request may have been sent.
        phase: SendPhase,
        /// What went wrong, without the URL.
        message: String,
        /// The underlying error.
        #[source]
        source: Option<BoxError>,
    },
    /// No answer within the configured time.
    #[error("{provider}: timed out {phase}")]
    Timeout {
        /// The provider's name.
        provider: &'static str,
        /// Whether the request may have been sent.
        phase: SendPhase,
    },
    /// The provider answered with an HTTP status this client does not treat as success.
    #[error("{provider}: HTTP {status}: {excerpt}")]
    HttpStatus {
        /// The provider's name.
        provider: &'static str,
        /// The HTTP status code.
        status: u16,
        /// A short, redacted excerpt of the body.
        excerpt: String,
    },
    /// The answer did not match the documented shape (HTML, truncated JSON, wrong types).
    #[error("{provider}: undecodable answer (HTTP {status}): {reason}; body starts: {excerpt}")]
    Decode {
        /// The provider's name.
        provider: &'static str,
        /// The HTTP status of the answer.
        status: u16,
        /// What did not match.
        reason: String,
        /// A short, redacted excerpt of the body.
        excerpt: String,
    },
    /// The provider answered from another environment than the one configured (a live answer
    /// to a client configured for test, or the reverse). What happened to the money is
    /// unknown: check the transaction in the provider's dashboard for that environment.
    #[error(
        "{provider}: the answer comes from the {answered} environment, but the client is configured for {configured}; the outcome is unknown"
    )]
    WrongEnvironment {
        /// The provider.
        provider: &'static str,
        /// The configured environment (`test` or `live`).
        configured: &'static str,
        /// The environment the answer says it comes from.
        answered: &'static str,
    },
    /// The intent journal refused the call or could not settle it: a reused idempotency key,
    /// an earlier attempt still pending or needing attention, or a journal that cannot be
    /// written. `outcome_unknown` says whether a request under this key may have taken effect
    /// without the journal knowing its result.
    #[error("journal: {message}")]
    Journal {
        /// The idempotency key, when the error is about one.
        key: Option<String>,
        /// A stable snake_case code (`key_reused`, `in_progress`, `needs_attention`, `store`).
        code: &'static str,
        /// What happened, naming the key or the journal's path.
        message: String,
        /// Whether a request under this key may have taken effect unseen.
        outcome_unknown: bool,
    },
    /// The provider cannot do this operation at all.
    #[error("{provider} does not support {operation}")]
    Unsupported {
        /// The provider's name.
        provider: &'static str,
        /// The operation that was asked for.
        operation: &'static str,
    },
}

/// The variant of an [`Error`], without its data: handy for `match`, metrics and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// See [`Error::InvalidInput`].
    InvalidInput,
    /// See [`Error::Configuration`].
    Configuration,
    /// See [`Error::Authentication`].
    Authentication,
    /// See [`Error::Declined`].
    Declined,
    /// See [`Error::Provider`].
    Provider,
    /// See [`Error::RateLimited`].
    RateLimited,
    /// See [`Error::Transport`].
    Transport,
    /// See [`Error::Timeout`].
    Timeout,
    /// See [`Error::HttpStatus`].
    HttpStatus,
    /// See [`Error::Decode`].
    Decode,
    /// See [`Error::Unsupported`].
    Unsupported,
    /// See [`Error::WrongEnvironment`].
    WrongEnvironment,
    /// See [`Error::Journal`].
    Journal,
}

impl ErrorKind {
    /// A stable snake_case name, used in logs and the command line's JSON output.
    pub fn as_str(&self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::Configuration => "configuration",
            ErrorKind::Authentication => "authentication",
            ErrorKind::Declined => "declined",
            ErrorKind::Provider => "provider",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Transport => "transport",
            ErrorKind::Timeout => "timeout",
            ErrorKind::HttpStatus => "http_status",
            ErrorKind::Decode => "decode",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::WrongEnvironment => "wrong_environment",
            ErrorKind::Journal => "journal",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Error {
    /// An [`Error::InvalidInput`] for `field`.
    #[cold]
    pub fn invalid_input(
        field: impl Into<Cow<'static, str>>,
        reason: impl Into<Cow<'static, str>>,
    ) -> Error {
        Error::InvalidInput {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// An [`Error::Configuration`] for `setting`.
    #[cold]
    pub fn configuration(
        setting: impl Into<Cow<'static, str>>,
        reason: impl Into<Cow<'static, str>>,
    ) -> Error {
        Error::Configuration {
            setting: setting.into(),
            reason: reason.into(),
        }
    }

    /// An [`Error::Unsupported`].
    #[cold]
    pub fn unsupported(provider: &'static str, operation: &'static str) -> Error {
        Error::Unsupported {
            provider,
            operation,
        }
    }

    /// An [`Error::Decode`]. `excerpt` comes from [`crate::redact::Redactor::excerpt`] (the
    /// HTTP client's [`crate::http::RawResponse::excerpt`]); the reason is redacted here too,
    /// since decoders quote what they choked on.
    #[cold]
    pub fn decode(
        provider: &'static str,
        status: u16,
        reason: impl fmt::Display,
        excerpt: String,
    ) -> Error {
        Error::Decode {
            provider,
            status,
            reason: crate::redact::excerpt(reason.to_string().as_bytes()),
            excerpt,
        }
    }

    /// Classifies a non-success HTTP status: 401/403 are authentication failures, 429 is rate
    /// limiting (with its `Retry-After` seconds), anything else keeps the status and the
    /// redacted `excerpt` of the body.
    #[cold]
    pub fn from_status(
        provider: &'static str,
        status: u16,
        retry_after: Option<Duration>,
        excerpt: String,
    ) -> Error {
        match status {
            401 | 403 => Error::Authentication {
                provider,
                code: Some(status.to_string()),
                message: excerpt,
            },
            429 => Error::RateLimited {
                provider,
                retry_after,
            },
            _ => Error::HttpStatus {
                provider,
                status,
                excerpt,
            },
        }
    }

    /// The variant, without its data.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidInput { .. } => ErrorKind::InvalidInput,
            Error::Configuration { .. } => ErrorKind::Configuration,
            Error::Authentication { .. } => ErrorKind::Authentication,
            Error::Declined { .. } => ErrorKind::Declined,
            Error::Provider { .. } => ErrorKind::Provider,
            Error::RateLimited { .. } => ErrorKind::RateLimited,
            Error::Transport { .. } => ErrorKind::Transport,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::HttpStatus { .. } => ErrorKind::HttpStatus,
            Error::Decode { .. } => ErrorKind::Decode,
            Error::Unsupported { .. } => ErrorKind::Unsupported,
            Error::WrongEnvironment { .. } => ErrorKind::WrongEnvironment,
            Error::Journal { .. } => ErrorKind::Journal,
        }
    }

    /// **May the request have taken effect at the provider, without the caller knowing?**
    ///
    /// `true` means: the request may have reached the provider and no trustworthy answer came
    /// back (a timeout or reset after sending, a 5xx, an answer that could not be decoded). For
    /// a request that moves money, do not simply send it again: look the payment up (by its
    /// merchant reference, or through the provider's notification) first.
    ///
    /// `false` means the outcome is known: either nothing was sent (bad input, configuration,
    /// connection refused) or the provider answered clearly (a decline, an error, a 4xx).
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Error::Transport { phase, .. } | Error::Timeout { phase, .. } => {
                *phase == SendPhase::MaybeSent
            }
            Error::HttpStatus { status, .. } => *status >= 500,
            Error::Decode { .. } | Error::WrongEnvironment { .. } => true,
            Error::Journal {
                outcome_unknown, ..
            } => *outcome_unknown,
            Error::InvalidInput { .. }
            | Error::Configuration { .. }
            | Error::Authentication { .. }
            | Error::Declined { .. }
            | Error::Provider { .. }
            | Error::RateLimited { .. }
            | Error::Unsupported { .. } => false,
        }
    }

    /// Whether the request certainly did nothing at the provider and may be sent again as it
    /// is (re-signed where the provider needs a fresh nonce or timestamp): it never left this
    /// machine, or the provider's answer proves it was not acted on.
    pub fn nothing_happened_and_retryable(&self) -> bool {
        match self {
            Error::Transport { phase, .. } | Error::Timeout { phase, .. } => {
                *phase == SendPhase::NotSent
            }
            Error::RateLimited { .. } => true,
            Error::Provider { transient, .. } => *transient,
            _ => false,
        }
    }

    /// The provider's own error or decline code, when it sent one.
    pub fn provider_code(&self) -> Option<&str> {
        match self {
            Error::Declined { code, .. } | Error::Provider { code, .. } => Some(code),
            Error::Authentication { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// The provider the error came from, when it came from one.
    pub fn provider(&self) -> Option<&'static str> {
        match self {
            Error::Authentication { provider, .. }
            | Error::Declined { provider, .. }
            | Error::Provider { provider, .. }
            | Error::RateLimited { provider, .. }
            | Error::Transport { provider, .. }
            | Error::Timeout { provider, .. }
            | Error::HttpStatus { provider, .. }
            | Error::Decode { provider, .. }
            | Error::Unsupported { provider, .. }
            | Error::WrongEnvironment { provider, .. } => Some(provider),
            Error::InvalidInput { .. } | Error::Configuration { .. } | Error::Journal { .. } => {
                None
            }
        }
    }

    /// Classifies a `reqwest` error by how far the request got. The URL is dropped from the
    /// error first: query strings can carry signatures and identifiers.
    #[cold]
    pub fn from_reqwest(provider: &'static str, err: reqwest::Error) -> Error {
        let err = err.without_url();
        // A connect error (DNS, refused, TLS handshake, connect timeout) happens before the
        // request line is written. Everything else may have reached the provider.
        let phase = if err.is_connect() {
            SendPhase::NotSent
        } else {
            SendPhase::MaybeSent
        };
        if err.is_builder() {
            return Error::configuration("http request", err.to_string());
        }
        if err.is_timeout() {
            return Error::Timeout { provider, phase };
        }
        Error::Transport {
            provider,
            phase,
            message: describe_chain(&err),
            source: Some(Box::new(err)),
        }
    }
}

/// `outer: inner: innermost`, so "connection reset" is visible behind reqwest's generic text.
fn describe_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// What the retry policy and telemetry need to know about an error. Implemented by [`Error`]
/// and by each provider crate's own error enum, so both can run over either.
pub trait Classify: fmt::Display {
    /// The [`ErrorKind`] this error converts into.
    fn kind(&self) -> ErrorKind;
    /// See [`Error::outcome_unknown`].
    fn outcome_unknown(&self) -> bool;
    /// See [`Error::nothing_happened_and_retryable`].
    fn nothing_happened_and_retryable(&self) -> bool;
    /// A transient failure after which an idempotent request may be resent (a reset, a
    /// timeout, a 5xx, a 408).
    fn transient_for_idempotent(&self) -> bool;
    /// The delay the provider asked for, if any.
    fn retry_after(&self) -> Option<Duration>;
}

impl Classify for Error {
    fn kind(&self) -> ErrorKind {
        Error::kind(self)
    }

    fn outcome_unknown(&self) -> bool {
        Error::outcome_unknown(self)
    }

    fn nothing_happened_and_retryable(&self) -> bool {
        Error::nothing_happened_and_retryable(self)
    }

    fn transient_for_idempotent(&self) -> bool {
        match self {
            Error::Transport { .. } | Error::Timeout { .. } => true,
            Error::HttpStatus { status, .. } => *status >= 500 || *status == 408,
            _ => false,
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// The `Result` every fallible SDK call returns.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    fn one_of_each() -> Vec<(Error, bool, bool)> {
        // (error, outcome_unknown, nothing_happened_and_retryable)
        vec![
            (Error::invalid_input("amount", "must be > 0"), false, false),
            (
                Error::configuration("ZAIF_API_KEY", "missing"),
                false,
                false,
            ),
            (
                Error::Authentication {
                    provider: "p",
                    code: None,
                    message: "bad key".into(),
                },
                false,
                false,
            ),
            (
                Error::Declined {
                    provider: "p",
                    code: "05".into(),
                    message: "do not honor".into(),
                },
                false,
                false,
            ),
            (
                Error::Provider {
                    provider: "p",
                    code: "invalid parameter".into(),
                    message: "x".into(),
                    transient: false,
                },
                false,
                false,
            ),
            (
                Error::Provider {
                    provider: "p",
                    code: "nonce not incremented".into(),
                    message: "x".into(),
                    transient: true,
                },
                false,
                true,
            ),
            (
                Error::RateLimited {
                    provider: "p",
                    retry_after: None,
                },
                false,
                true,
            ),
            (
                Error::Transport {
                    provider: "p",
                    phase: SendPhase::NotSent,
                    message: "connection refused".into(),
                    source: None,
                },
                false,
                true,
            ),
            (
                Error::Transport {
                    provider: "p",
                    phase: SendPhase::MaybeSent,
                    message: "connection reset".into(),
                    source: None,
                },
                true,
                false,
            ),
            (
                Error::Timeout {
                    provider: "p",
                    phase: SendPhase::NotSent,
                },
                false,
                true,
            ),
            (
                Error::Timeout {
                    provider: "p",
                    phase: SendPhase::MaybeSent,
                },
                true,
                false,
            ),
            (
                Error::from_status("p", 502, None, "<html>".into()),
                true,
                false,
            ),
            (
                Error::from_status("p", 400, None, "bad".into()),
                false,
                false,
            ),
            (
                Error::decode("p", 200, "EOF", "{\"success\":".into()),
                true,
                false,
            ),
            (Error::unsupported("p", "cancel_payment"), false, false),
        ]
    }

    #[test]
    fn outcome_unknown_for_each_kind() {
        for (error, unknown, _) in one_of_each() {
            assert_eq!(error.outcome_unknown(), unknown, "{error:?}");
        }
    }

    #[test]
    fn nothing_happened_for_each_kind() {
        for (error, _, retryable) in one_of_each() {
            assert_eq!(
                error.nothing_happened_and_retryable(),
                retryable,
                "{error:?}"
            );
            // An error can never both prove nothing happened and leave the outcome unknown.
            assert!(!(error.outcome_unknown() && error.nothing_happened_and_retryable()));
        }
    }

    #[test]
    fn status_classification() {
        assert_eq!(
            Error::from_status("p", 401, None, String::new()).kind(),
            ErrorKind::Authentication
        );
        assert_eq!(
            Error::from_status("p", 403, None, String::new()).kind(),
            ErrorKind::Authentication
        );
        let limited = Error::from_status("p", 429, Some(Duration::from_secs(3)), String::new());
        assert!(matches!(
            limited,
            Error::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(3)
        ));
        assert_eq!(
            Error::from_status("p", 503, None, String::new()).kind(),
            ErrorKind::HttpStatus
        );
    }

    #[test]
    fn body_excerpts_are_short_and_mask_card_numbers() {
        let body = format!(
            "{{\"card\":{{\"number\":\"5200000000001005\"}},\"pad\":\"{}\"}}",
            "x".repeat(5000)
        );
        let error = Error::from_status("p", 500, None, crate::redact::excerpt(body.as_bytes()));
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains("5200000000001005"), "{shown}");
        assert!(shown.contains("1005"));
        assert!(shown.len() < 1000, "{}", shown.len());
    }

    #[test]
    fn provider_code_and_name_are_kept() {
        let declined = Error::Declined {
            provider: "paymentoptions",
            code: "DECLINE0005".into(),
            message: "Do not honor".into(),
        };
        assert_eq!(declined.provider_code(), Some("DECLINE0005"));
        assert_eq!(declined.provider(), Some("paymentoptions"));
        assert_eq!(
            declined.to_string(),
            "paymentoptions: payment declined (DECLINE0005): Do not honor"
        );
        assert_eq!(Error::invalid_input("a", "b").provider(), None);
        assert_eq!(ErrorKind::RateLimited.to_string(), "rate_limited");
    }
}
