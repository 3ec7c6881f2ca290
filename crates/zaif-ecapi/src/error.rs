//! Zaif's errors: the `{"success":0,"error":"..."}` texts it documents, typed, plus everything
//! the shared runtime can report.

use std::time::Duration;

use payments_core::{Classify, Error, ErrorKind};

use crate::PROVIDER;

/// An error from the Zaif client. Converts into [`payments_core::Error`], keeping Zaif's own
/// message verbatim.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ZaifError {
    /// `nonce not incremented`: the nonce was not greater than the last one Zaif saw for this
    /// key. Zaif did nothing; the client already retried with fresh nonces before returning this.
    #[error("zaif: {message}")]
    NonceNotIncremented {
        /// Zaif's text, verbatim.
        message: String,
    },
    /// `account has not permission to use ec api`: the key is not enabled for payments (or is
    /// restricted to other IP addresses).
    #[error("zaif: {message}")]
    NoPermission {
        /// Zaif's text, verbatim.
        message: String,
    },
    /// `invalid parameter {name}`: Zaif refused a parameter.
    #[error("zaif: {message}")]
    InvalidParameter {
        /// The parameter Zaif named.
        parameter: String,
        /// Zaif's text, verbatim.
        message: String,
    },
    /// `nonce out of range`: a nonce above Zaif's (undocumented) maximum reached this key, and
    /// every later one is refused too. **The key is dead: issue a new API key.** Never retried.
    #[error("zaif: {message} (this API key can no longer be used: issue a new one)")]
    NonceOutOfRange {
        /// Zaif's text, verbatim.
        message: String,
    },
    /// `time wait restriction, please try later.`: called too often; refused before processing.
    /// Retried after a bounded wait.
    #[error("zaif: {message}")]
    TimeWaitRestriction {
        /// Zaif's text, verbatim.
        message: String,
    },
    /// `no data found for the key` (an unknown key) or `signature mismatch` / `secret mismatch`
    /// (a wrong secret or hash): the credentials were refused.
    #[error("zaif: {message}")]
    BadCredentials {
        /// Zaif's text, verbatim.
        message: String,
    },
    /// `method not found`.
    #[error("zaif: {message}")]
    MethodNotFound {
        /// Zaif's text, verbatim.
        message: String,
    },
    /// `cancelInvoice` was refused: the invoice is already paid or expired (or unknown).
    #[error("zaif: invoice {invoice_id} cannot be canceled: {message}")]
    CannotCancel {
        /// The invoice.
        invoice_id: String,
        /// Zaif's text, verbatim.
        message: String,
    },
    /// A payment notification could not be confirmed with `getInvoice`.
    #[error("zaif: notification for invoice {invoice_id} not confirmed: {reason}")]
    NotificationNotConfirmed {
        /// The invoice the notification named.
        invoice_id: String,
        /// What did not match.
        reason: String,
    },
    /// Any other error text from Zaif, verbatim.
    #[error("zaif: {message}")]
    Api {
        /// Zaif's text, verbatim.
        message: String,
    },
    /// Input, configuration, transport, HTTP and decoding errors from the shared runtime.
    #[error(transparent)]
    Core(#[from] Error),
}

/// The documented error text for a non-increasing nonce.
pub(crate) const NONCE_NOT_INCREMENTED: &str = "nonce not incremented";
const NO_PERMISSION: &str = "account has not permission to use ec api";
const INVALID_PARAMETER: &str = "invalid parameter";
const NONCE_OUT_OF_RANGE: &str = "nonce out of range";
const TIME_WAIT: &str = "time wait restriction";
/// How long to wait after `time wait restriction` (the trade API's limits are 1–10 s).
const TIME_WAIT_PAUSE: Duration = Duration::from_secs(2);

impl ZaifError {
    /// Types an error text from a `{"success":0,"error":...}` answer.
    /// The wording changed between revisions of Zaif's documents, so texts are matched by
    /// prefix or substring, case-insensitively, and kept verbatim.
    #[cold]
    pub(crate) fn from_api_message(message: String) -> ZaifError {
        let trimmed = message.trim();
        let lower = trimmed.to_ascii_lowercase();
        if lower == NONCE_NOT_INCREMENTED {
            ZaifError::NonceNotIncremented { message }
        } else if lower.starts_with(NONCE_OUT_OF_RANGE) {
            ZaifError::NonceOutOfRange { message }
        } else if lower.starts_with(TIME_WAIT) {
            ZaifError::TimeWaitRestriction { message }
        } else if lower == NO_PERMISSION {
            ZaifError::NoPermission { message }
        } else if lower.starts_with("no data found for the key")
            || lower.starts_with("signature mismatch")
            || lower.starts_with("secret mismatch")
        {
            ZaifError::BadCredentials { message }
        } else if lower.starts_with("method not found") {
            ZaifError::MethodNotFound { message }
        } else if let Some(rest) = strip_prefix_ignore_case(trimmed, INVALID_PARAMETER) {
            // `invalid parameter amount` (the payment pages).
            ZaifError::InvalidParameter {
                parameter: rest.trim().to_owned(),
                message,
            }
        } else if let Some(name) = lower
            .strip_prefix("invalid ")
            .and_then(|rest| rest.strip_suffix(" parameter"))
        {
            // `invalid amount parameter` (the general error list's word order).
            ZaifError::InvalidParameter {
                parameter: name.trim().to_owned(),
                message,
            }
        } else {
            ZaifError::Api { message }
        }
    }

    /// Shorthand for an invalid-input error naming a Zaif parameter.
    #[cold]
    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> ZaifError {
        ZaifError::Core(Error::invalid_input(field, reason.into()))
    }
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

impl From<ZaifError> for Error {
    fn from(err: ZaifError) -> Error {
        match err {
            ZaifError::NonceNotIncremented { message } => Error::Provider {
                provider: PROVIDER,
                code: NONCE_NOT_INCREMENTED.to_owned(),
                message,
                transient: true,
            },
            ZaifError::NoPermission { message } => Error::Authentication {
                provider: PROVIDER,
                code: Some(NO_PERMISSION.to_owned()),
                message,
            },
            // Zaif answered and refused: nothing was created, and the key is dead. An answer
            // about the key, not a configuration error (that is "refused before sending").
            ZaifError::NonceOutOfRange { message } => Error::Authentication {
                provider: PROVIDER,
                code: Some(NONCE_OUT_OF_RANGE.to_owned()),
                message: format!(
                    "{message}: Zaif refused the call; nothing was created; this API key can no longer be used: issue a new API key"
                ),
            },
            ZaifError::TimeWaitRestriction { message } => Error::Provider {
                provider: PROVIDER,
                code: TIME_WAIT.to_owned(),
                message,
                transient: true,
            },
            ZaifError::BadCredentials { message } => Error::Authentication {
                provider: PROVIDER,
                code: Some(message.clone()),
                message,
            },
            ZaifError::MethodNotFound { message } => Error::Provider {
                provider: PROVIDER,
                code: "method not found".to_owned(),
                message,
                transient: false,
            },
            ZaifError::InvalidParameter { message, .. } => Error::Provider {
                provider: PROVIDER,
                code: INVALID_PARAMETER.to_owned(),
                message,
                transient: false,
            },
            ZaifError::CannotCancel { message, .. } => Error::Provider {
                provider: PROVIDER,
                code: "cannot_cancel".to_owned(),
                message,
                transient: false,
            },
            ZaifError::NotificationNotConfirmed { reason, .. } => Error::Provider {
                provider: PROVIDER,
                code: "notification_not_confirmed".to_owned(),
                message: reason,
                transient: false,
            },
            ZaifError::Api { message } => Error::Provider {
                provider: PROVIDER,
                code: message.clone(),
                message,
                transient: false,
            },
            ZaifError::Core(error) => error,
        }
    }
}

impl Classify for ZaifError {
    fn kind(&self) -> ErrorKind {
        match self {
            ZaifError::NoPermission { .. }
            | ZaifError::BadCredentials { .. }
            | ZaifError::NonceOutOfRange { .. } => ErrorKind::Authentication,
            ZaifError::Core(error) => error.kind(),
            _ => ErrorKind::Provider,
        }
    }

    fn outcome_unknown(&self) -> bool {
        match self {
            ZaifError::Core(error) => error.outcome_unknown(),
            _ => false,
        }
    }

    fn nothing_happened_and_retryable(&self) -> bool {
        match self {
            ZaifError::NonceNotIncremented { .. } | ZaifError::TimeWaitRestriction { .. } => true,
            ZaifError::Core(error) => error.nothing_happened_and_retryable(),
            _ => false,
        }
    }

    fn transient_for_idempotent(&self) -> bool {
        match self {
            ZaifError::Core(error) => Classify::transient_for_idempotent(error),
            _ => false,
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            ZaifError::TimeWaitRestriction { .. } => Some(TIME_WAIT_PAUSE),
            ZaifError::Core(error) => Classify::retry_after(error),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_texts_are_typed_and_kept_verbatim() {
        let nonce = ZaifError::from_api_message("nonce not incremented".into());
        assert!(matches!(nonce, ZaifError::NonceNotIncremented { .. }));
        assert!(nonce.nothing_happened_and_retryable());
        assert!(!nonce.outcome_unknown());

        let permission =
            ZaifError::from_api_message("account has not permission to use ec api".into());
        assert_eq!(permission.kind(), ErrorKind::Authentication);

        let invalid = ZaifError::from_api_message("invalid parameter amount".into());
        assert!(
            matches!(&invalid, ZaifError::InvalidParameter { parameter, .. } if parameter == "amount")
        );
        assert_eq!(invalid.to_string(), "zaif: invalid parameter amount");

        for (text, kind) in [
            ("nonce out of range", ErrorKind::Authentication),
            (
                "time wait restriction, please try later.",
                ErrorKind::Provider,
            ),
            (
                "time wait restriction, please wait a minute.",
                ErrorKind::Provider,
            ),
            ("no data found for the key", ErrorKind::Authentication),
            ("signature mismatch", ErrorKind::Authentication),
            ("secret mismatch", ErrorKind::Authentication),
            ("method not found", ErrorKind::Provider),
        ] {
            let err = ZaifError::from_api_message(text.into());
            assert_eq!(err.kind(), kind, "{text}");
            assert!(err.to_string().contains(text), "kept verbatim: {err}");
            assert!(!matches!(err, ZaifError::Api { .. }), "{text} is typed");
        }
        let dead = ZaifError::from_api_message("nonce out of range".into());
        assert!(!dead.nothing_happened_and_retryable(), "never retried");
        assert!(dead.to_string().contains("issue a new one"));
        let dead: Error = dead.into();
        assert!(dead.to_string().contains("issue a new API key"), "{dead}");
        let wait = ZaifError::from_api_message("time wait restriction, please try later.".into());
        assert!(wait.nothing_happened_and_retryable());
        assert_eq!(wait.retry_after(), Some(TIME_WAIT_PAUSE));
        let swapped = ZaifError::from_api_message("invalid amount parameter".into());
        assert!(
            matches!(&swapped, ZaifError::InvalidParameter { parameter, .. } if parameter == "amount")
        );
        let other = ZaifError::from_api_message("something new happened".into());
        assert_eq!(other.to_string(), "zaif: something new happened");
        assert!(!other.nothing_happened_and_retryable());
    }

    #[test]
    fn converts_into_the_core_taxonomy() {
        let core: Error = ZaifError::from_api_message("nonce not incremented".into()).into();
        assert!(matches!(
            &core,
            Error::Provider { code, transient: true, .. } if code == "nonce not incremented"
        ));
        let core: Error = ZaifError::from_api_message("invalid parameter currency".into()).into();
        assert_eq!(core.provider_code(), Some("invalid parameter"));
        assert_eq!(
            core.to_string(),
            "zaif: provider error invalid parameter: invalid parameter currency"
        );
        let core: Error =
            ZaifError::from_api_message("account has not permission to use ec api".into()).into();
        assert_eq!(core.kind(), ErrorKind::Authentication);
    }
}
