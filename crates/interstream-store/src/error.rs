//! INTER-STREAM's `{"error": CODE, "error_long": TEXT}` answers, typed.

use std::time::Duration;

use payments_core::{Classify, Error, ErrorKind};

use crate::PROVIDER;

/// What a `REQUEST_ERROR` was about, read from its long text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RequestErrorReason {
    /// `Missing signature` (or another signing problem: a wrong or expired signature).
    Signature,
    /// `Invalid User ID`: below 1 or not numeric.
    InvalidUserId,
    /// `Invalid amount`: missing, or zero or less.
    InvalidAmount,
    /// `Invalid credit action`.
    InvalidCreditAction,
    /// Another text, kept in the error's message.
    Other,
}

impl RequestErrorReason {
    fn from_text(text: &str) -> RequestErrorReason {
        let lower = text.to_ascii_lowercase();
        if lower.contains("signature") || lower.contains("expired") {
            RequestErrorReason::Signature
        } else if lower.contains("user id") {
            RequestErrorReason::InvalidUserId
        } else if lower.contains("credit action") {
            RequestErrorReason::InvalidCreditAction
        } else if lower.contains("amount") {
            RequestErrorReason::InvalidAmount
        } else {
            RequestErrorReason::Other
        }
    }
}

/// An error from the INTER-STREAM client. Converts into [`payments_core::Error`], keeping the
/// provider's code and long text verbatim.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InterstreamError {
    /// `REQUEST_ERROR`: the request was refused (signature, user id, amount, ...).
    #[error("interstream: REQUEST_ERROR: {message}")]
    RequestError {
        /// What it was about.
        reason: RequestErrorReason,
        /// The provider's `error_long`, verbatim.
        message: String,
    },
    /// `ERROR_NO_ORDER`: the user has no current order to pay.
    #[error("interstream: ERROR_NO_ORDER: {message}")]
    NoOrder {
        /// The provider's `error_long`, verbatim.
        message: String,
    },
    /// `ERROR_AMOUNT_TOO_BIG`: more than the order's amount due.
    #[error("interstream: ERROR_AMOUNT_TOO_BIG: {message}")]
    AmountTooBig {
        /// The provider's `error_long`, verbatim.
        message: String,
    },
    /// `ERROR_CANT_SUBTRACT`: the user's credit is too small.
    #[error("interstream: ERROR_CANT_SUBTRACT: {message}")]
    CantSubtract {
        /// The provider's `error_long`, verbatim.
        message: String,
    },
    /// `ERROR_ORDER_ALREADY_PLACED`: the user already has a current order (one at a time).
    #[error("interstream: ERROR_ORDER_ALREADY_PLACED: {message}")]
    OrderAlreadyPlaced {
        /// The provider's `error_long`, verbatim.
        message: String,
    },
    /// `ERROR_EMPTY_CART`: nothing to order.
    #[error("interstream: ERROR_EMPTY_CART: {message}")]
    EmptyCart {
        /// The provider's `error_long`, verbatim.
        message: String,
    },
    /// `ERROR_MIN_PURCHASE`: the cart is below the store's minimum purchase.
    #[error("interstream: ERROR_MIN_PURCHASE: {message}")]
    MinPurchase {
        /// The provider's `error_long`, verbatim.
        message: String,
    },
    /// Any other error code, verbatim.
    #[error("interstream: {code}: {message}")]
    Api {
        /// The provider's `error`.
        code: String,
        /// The provider's `error_long`.
        message: String,
    },
    /// Input, configuration, transport, HTTP and decoding errors from the shared runtime.
    #[error(transparent)]
    Core(#[from] Error),
}

impl InterstreamError {
    /// Types an `{"error": code, "error_long": message}` answer.
    pub(crate) fn from_answer(code: String, message: String) -> InterstreamError {
        match code.as_str() {
            "REQUEST_ERROR" => InterstreamError::RequestError {
                reason: RequestErrorReason::from_text(&message),
                message,
            },
            "ERROR_NO_ORDER" => InterstreamError::NoOrder { message },
            "ERROR_AMOUNT_TOO_BIG" => InterstreamError::AmountTooBig { message },
            "ERROR_CANT_SUBTRACT" => InterstreamError::CantSubtract { message },
            "ERROR_ORDER_ALREADY_PLACED" => InterstreamError::OrderAlreadyPlaced { message },
            "ERROR_EMPTY_CART" => InterstreamError::EmptyCart { message },
            "ERROR_MIN_PURCHASE" => InterstreamError::MinPurchase { message },
            _ => InterstreamError::Api { code, message },
        }
    }

    /// Shorthand for an invalid-input error naming a field.
    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> InterstreamError {
        InterstreamError::Core(Error::invalid_input(field, reason.into()))
    }

    /// The provider's error code, when it sent one.
    pub fn code(&self) -> Option<&str> {
        match self {
            InterstreamError::RequestError { .. } => Some("REQUEST_ERROR"),
            InterstreamError::NoOrder { .. } => Some("ERROR_NO_ORDER"),
            InterstreamError::AmountTooBig { .. } => Some("ERROR_AMOUNT_TOO_BIG"),
            InterstreamError::CantSubtract { .. } => Some("ERROR_CANT_SUBTRACT"),
            InterstreamError::OrderAlreadyPlaced { .. } => Some("ERROR_ORDER_ALREADY_PLACED"),
            InterstreamError::EmptyCart { .. } => Some("ERROR_EMPTY_CART"),
            InterstreamError::MinPurchase { .. } => Some("ERROR_MIN_PURCHASE"),
            InterstreamError::Api { code, .. } => Some(code),
            InterstreamError::Core(_) => None,
        }
    }
}

impl From<InterstreamError> for Error {
    fn from(err: InterstreamError) -> Error {
        let code = err.code().map(str::to_owned);
        match err {
            InterstreamError::RequestError {
                reason: RequestErrorReason::Signature,
                message,
            } => Error::Authentication {
                provider: PROVIDER,
                code,
                message,
            },
            InterstreamError::RequestError { message, .. }
            | InterstreamError::NoOrder { message }
            | InterstreamError::AmountTooBig { message }
            | InterstreamError::CantSubtract { message }
            | InterstreamError::OrderAlreadyPlaced { message }
            | InterstreamError::EmptyCart { message }
            | InterstreamError::MinPurchase { message }
            | InterstreamError::Api { message, .. } => Error::Provider {
                provider: PROVIDER,
                code: code.unwrap_or_default(),
                message,
                transient: false,
            },
            InterstreamError::Core(error) => error,
        }
    }
}

impl Classify for InterstreamError {
    fn kind(&self) -> ErrorKind {
        match self {
            InterstreamError::Core(error) => error.kind(),
            InterstreamError::RequestError {
                reason: RequestErrorReason::Signature,
                ..
            } => ErrorKind::Authentication,
            _ => ErrorKind::Provider,
        }
    }

    fn outcome_unknown(&self) -> bool {
        match self {
            InterstreamError::Core(error) => error.outcome_unknown(),
            _ => false,
        }
    }

    fn nothing_happened_and_retryable(&self) -> bool {
        match self {
            InterstreamError::Core(error) => error.nothing_happened_and_retryable(),
            _ => false,
        }
    }

    fn transient_for_idempotent(&self) -> bool {
        match self {
            InterstreamError::Core(error) => Classify::transient_for_idempotent(error),
            _ => false,
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            InterstreamError::Core(error) => Classify::retry_after(error),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_codes_and_texts_are_typed() {
        let cases = [
            ("REQUEST_ERROR", "Missing signature", "signature"),
            ("REQUEST_ERROR", "Invalid User ID", "user"),
            ("REQUEST_ERROR", "Invalid amount", "amount"),
            ("REQUEST_ERROR", "Invalid credit action", "credit"),
            ("REQUEST_ERROR", "Something else", "other"),
            (
                "ERROR_NO_ORDER",
                "User does not have any current order",
                "no_order",
            ),
            (
                "ERROR_AMOUNT_TOO_BIG",
                "Amount can't be higher than order amount due",
                "too_big",
            ),
            ("ERROR_CANT_SUBTRACT", "Not enough credit", "cant_subtract"),
            (
                "ERROR_ORDER_ALREADY_PLACED",
                "Order already placed",
                "already_placed",
            ),
            ("ERROR_EMPTY_CART", "The cart is empty", "empty_cart"),
            (
                "ERROR_MIN_PURCHASE",
                "Minimum purchase not reached",
                "min_purchase",
            ),
            ("ERROR_NEW", "New thing", "api"),
        ];
        for (code, text, expected) in cases {
            let err = InterstreamError::from_answer(code.into(), text.into());
            let got = match &err {
                InterstreamError::RequestError { reason, .. } => match reason {
                    RequestErrorReason::Signature => "signature",
                    RequestErrorReason::InvalidUserId => "user",
                    RequestErrorReason::InvalidAmount => "amount",
                    RequestErrorReason::InvalidCreditAction => "credit",
                    _ => "other",
                },
                InterstreamError::NoOrder { .. } => "no_order",
                InterstreamError::AmountTooBig { .. } => "too_big",
                InterstreamError::CantSubtract { .. } => "cant_subtract",
                InterstreamError::OrderAlreadyPlaced { .. } => "already_placed",
                InterstreamError::EmptyCart { .. } => "empty_cart",
                InterstreamError::MinPurchase { .. } => "min_purchase",
                InterstreamError::Api { .. } => "api",
                InterstreamError::Core(_) => "core",
            };
            assert_eq!(got, expected, "{code} {text}");
            assert_eq!(err.code(), Some(code));
            assert_eq!(err.to_string(), format!("interstream: {code}: {text}"));
            assert!(!err.outcome_unknown() && !err.nothing_happened_and_retryable());
            let core: Error = err.into();
            assert_eq!(core.provider_code(), Some(code));
        }
    }

    #[test]
    fn a_signature_refusal_is_an_authentication_error() {
        let core: Error =
            InterstreamError::from_answer("REQUEST_ERROR".into(), "Missing signature".into())
                .into();
        assert_eq!(core.kind(), ErrorKind::Authentication);
        assert_eq!(
            core.to_string(),
            "interstream: authentication rejected: Missing signature"
        );
    }
}
