//! PaymentOptions' errors: declines and API errors keep `gateway_response.code` and `message`.

use std::time::Duration;

use payments_core::{Classify, Error, ErrorKind};

use crate::PROVIDER;
use crate::codes::ResponseCode;
use crate::model::TransactionResponse;

/// An error from the PaymentOptions client. Converts into [`payments_core::Error`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PaymentOptionsError {
    /// The gateway processed the request and refused it (`success: false`): a card decline,
    /// a risk rule, a capture or refund over the balance (`ERR3019`).
    #[error("paymentoptions: declined ({code}): {message}")]
    Declined {
        /// `gateway_response.code`, verbatim (see [`crate::codes`]).
        code: String,
        /// `gateway_response.message`, verbatim.
        message: String,
        /// `payment_details.response_code`, when sent: the issuer's or the risk rule's code.
        response_code: Option<ResponseCode>,
        /// The whole answer, card number masked.
        response: Box<TransactionResponse>,
    },
    /// The gateway answered with an error status and a `gateway_response`.
    #[error("paymentoptions: HTTP {status} ({code}): {message}")]
    Api {
        /// The HTTP status.
        status: u16,
        /// `gateway_response.code` (or the status when there was none), verbatim.
        code: String,
        /// `gateway_response.message`, verbatim.
        message: String,
        /// `payment_details.response_code`, when sent.
        response_code: Option<ResponseCode>,
    },
    /// The gateway refused to resume a subscription: a cancelled one never resumes.
    #[error("paymentoptions: subscription {subscription_id} cannot be resumed ({code}): {message}")]
    NotResumable {
        /// The subscription.
        subscription_id: String,
        /// `gateway_response.code`, verbatim.
        code: String,
        /// `gateway_response.message`, verbatim.
        message: String,
    },
    /// Input, configuration, transport, HTTP and decoding errors from the shared runtime.
    #[error(transparent)]
    Core(#[from] Error),
}

impl From<PaymentOptionsError> for Error {
    fn from(err: PaymentOptionsError) -> Error {
        match err {
            PaymentOptionsError::Declined { code, message, .. } => Error::Declined {
                provider: PROVIDER,
                code,
                message,
            },
            PaymentOptionsError::Api {
                status: 401 | 403,
                code,
                message,
                ..
            } => Error::Authentication {
                provider: PROVIDER,
                code: Some(code),
                message,
            },
            PaymentOptionsError::Api { status: 429, .. } => Error::RateLimited {
                provider: PROVIDER,
                retry_after: None,
            },
            PaymentOptionsError::Api {
                status,
                code,
                message,
                ..
            } if status >= 500 => Error::HttpStatus {
                provider: PROVIDER,
                status,
                excerpt: format!("{code}: {message}"),
            },
            PaymentOptionsError::Api { code, message, .. } => Error::Provider {
                provider: PROVIDER,
                code,
                message,
                transient: false,
            },
            PaymentOptionsError::NotResumable { code, message, .. } => Error::Provider {
                provider: PROVIDER,
                code,
                message,
                transient: false,
            },
            PaymentOptionsError::Core(error) => error,
        }
    }
}

impl PaymentOptionsError {
    /// `payment_details.response_code`, when the gateway sent one with its refusal.
    pub fn response_code(&self) -> Option<ResponseCode> {
        match self {
            PaymentOptionsError::Declined { response_code, .. }
            | PaymentOptionsError::Api { response_code, .. } => *response_code,
            PaymentOptionsError::NotResumable { .. } | PaymentOptionsError::Core(_) => None,
        }
    }

    /// The gateway's code, when it sent one.
    pub fn code(&self) -> Option<&str> {
        match self {
            PaymentOptionsError::Declined { code, .. }
            | PaymentOptionsError::Api { code, .. }
            | PaymentOptionsError::NotResumable { code, .. } => Some(code),
            PaymentOptionsError::Core(error) => error.provider_code(),
        }
    }

    fn status(&self) -> Option<u16> {
        match self {
            PaymentOptionsError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }
}

impl Classify for PaymentOptionsError {
    fn kind(&self) -> ErrorKind {
        match self {
            PaymentOptionsError::Declined { .. } => ErrorKind::Declined,
            PaymentOptionsError::NotResumable { .. } => ErrorKind::Provider,
            PaymentOptionsError::Api { status, .. } => match status {
                401 | 403 => ErrorKind::Authentication,
                429 => ErrorKind::RateLimited,
                500.. => ErrorKind::HttpStatus,
                _ => ErrorKind::Provider,
            },
            PaymentOptionsError::Core(error) => error.kind(),
        }
    }

    fn outcome_unknown(&self) -> bool {
        match self {
            PaymentOptionsError::Core(error) => error.outcome_unknown(),
            // A 5xx, even with a gateway_response, does not prove the card was not charged.
            _ => self.status().is_some_and(|s| s >= 500),
        }
    }

    fn nothing_happened_and_retryable(&self) -> bool {
        match self {
            PaymentOptionsError::Core(error) => error.nothing_happened_and_retryable(),
            _ => self.status() == Some(429),
        }
    }

    fn transient_for_idempotent(&self) -> bool {
        match self {
            PaymentOptionsError::Core(error) => Classify::transient_for_idempotent(error),
            _ => self.status().is_some_and(|s| s >= 500 || s == 408),
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            PaymentOptionsError::Core(error) => Classify::retry_after(error),
            _ => None,
        }
    }
}
