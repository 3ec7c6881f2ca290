//! The gateway's two code tables, typed: `payment_details.response_code` (the issuer's answer,
//! or a negative gateway risk code) and `gateway_response.code` (`INFO…`, `ERR…`, `VAL…`).
//!
//! Sources: the response-code page
//! (<https://docs.paymentoptions.com/api-reference/en/error-and-response/responsecodes>) and the
//! gateway-error page
//! (<https://docs.paymentoptions.com/api-reference/en/error-and-response/gatewayerrors>). Both
//! tables were cut short in every copy found, so unknown codes are kept, never refused. A
//! response code does not identify a single gateway code (`-8013` is listed for both `ERR3009`
//! and `ERR3013`), which is why errors keep both.

use std::fmt;

/// `payment_details.response_code`: a signed integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct ResponseCode(pub i64);

/// The issuer codes the documents list (0–82, and −1 for the gateway itself).
const ISSUER_CODES: &[(i64, &str)] = &[
    (-1, "DAS gateway error"),
    (0, "Payment successful"),
    (1, "Refer to card issuer"),
    (2, "Refer to card issuer, special condition"),
    (3, "Invalid merchant or service provider"),
    (4, "Capture card"),
    (5, "Do not honour"),
    (6, "Error"),
    (7, "Failed signature"),
    (8, "Honour with identification"),
    (10, "Partial approval"),
    (12, "Invalid transaction"),
    (13, "Invalid amount"),
    (14, "Invalid card number"),
    (15, "Invalid issuer"),
    (19, "Re-enter transaction"),
    (20, "Error, no action taken"),
    (25, "Unable to locate record"),
    (28, "File temporarily unavailable"),
    (30, "Format error"),
    (34, "Fraud suspicion"),
    (39, "No credit account"),
    (41, "Lost card"),
    (43, "Stolen card"),
    (51, "Insufficient funds or over limit"),
    (52, "No checking account"),
    (53, "No savings account"),
    (54, "Expired card"),
    (55, "Invalid PIN"),
    (57, "Transaction not permitted to issuer or cardholder"),
    (58, "Transaction not permitted to acquirer or terminal"),
    (59, "Suspected fraud"),
    (61, "Exceeds withdrawal amount limit"),
    (62, "Restricted card"),
    (63, "Unable to authorize"),
    (64, "Unable to authorize"),
    (
        65,
        "Exceeds withdrawal count limit, or authentication requested",
    ),
    (68, "Time out"),
    (70, "Contact card issuer"),
    (71, "PIN not changed"),
    (75, "PIN tries exceeded"),
    (76, "Invalid or nonexistent account specified"),
    (77, "Invalid or nonexistent account specified"),
    (78, "Invalid or nonexistent account"),
    (79, "Already reversed, or lifecycle error"),
    (80, "Credit issuer unavailable"),
    (82, "Negative CVV result, or policy"),
];

impl ResponseCode {
    /// Whether the issuer approved: 0 (approved), 8 (approved with identification) or 10
    /// (partial approval: the approved amount, in `payment_details.amount`, may be less than
    /// requested).
    pub fn is_approved(self) -> bool {
        matches!(self.0, 0 | 8 | 10)
    }

    /// Whether this is a partial approval (10).
    pub fn is_partial_approval(self) -> bool {
        self.0 == 10
    }

    /// Whether this is one of the gateway's own risk-rule codes (−8000 to −8019).
    pub fn is_gateway_risk_rule(self) -> bool {
        (-8019..=-8000).contains(&self.0)
    }

    /// The documented meaning, when the code is in the documented tables.
    pub fn meaning(self) -> Option<&'static str> {
        if self.is_gateway_risk_rule() {
            return Some("Declined by a gateway risk rule");
        }
        ISSUER_CODES
            .iter()
            .find(|(code, _)| *code == self.0)
            .map(|(_, meaning)| *meaning)
    }
}

impl fmt::Display for ResponseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.meaning() {
            Some(meaning) => write!(f, "{} ({meaning})", self.0),
            None => write!(f, "{}", self.0),
        }
    }
}

/// What kind of answer a `gateway_response.code` is, by its documented prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GatewayCodeKind {
    /// `INFO…`: the operation succeeded (`INFO0000` payment, `INFO0001` capture, `INFO0002`
    /// refund, `INFO0003` void, `INFO3000` subscription updated).
    Info,
    /// `ERR…`: refused by the gateway (risk rules, balances).
    Error,
    /// `VAL…`: refused as invalid input.
    Validation,
    /// Anything else.
    Other,
}

/// The documented `ERR30xx` risk-rule codes and their messages.
const GATEWAY_ERRORS: &[(&str, &str)] = &[
    ("ERR3001", "Transaction is restricted (blacklist)"),
    ("ERR3002", "Transaction is restricted (IP address)"),
    ("ERR3003", "Transaction is restricted (BIN blocking)"),
    ("ERR3004", "Transaction is restricted (PAN blocking)"),
    ("ERR3005", "Transaction is restricted (blacklist)"),
    ("ERR3006", "Amount is outside the allowed range"),
    ("ERR3007", "Transaction is restricted (IP address)"),
    ("ERR3008", "Transaction is restricted (PAN limit)"),
    ("ERR3009", "Risk rule decline (PAN limit)"),
    ("ERR3010", "Risk rule decline (PAN limit)"),
    ("ERR3011", "Risk rule decline (PAN limit)"),
    ("ERR3012", "Risk rule decline (IP limit)"),
    ("ERR3013", "Risk rule decline (IP limit)"),
    ("ERR3014", "Risk rule decline (IP limit)"),
    ("ERR3015", "Risk rule decline (IP limit)"),
    ("ERR3016", "Amount is outside the allowed range"),
    ("ERR3017", "Transaction is restricted (IP address)"),
    ("ERR3018", "Transaction is restricted (BIN)"),
    ("ERR3019", "Insufficient refund balance"),
    ("ERR3020", "Insufficient refund balance (refund volume)"),
];

/// The kind of a `gateway_response.code`.
pub fn gateway_code_kind(code: &str) -> GatewayCodeKind {
    let prefix = |p: &str| {
        code.get(..p.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(p))
    };
    if prefix("INFO") {
        GatewayCodeKind::Info
    } else if prefix("ERR") {
        GatewayCodeKind::Error
    } else if prefix("VAL") {
        GatewayCodeKind::Validation
    } else {
        GatewayCodeKind::Other
    }
}

/// The documented meaning of a gateway risk-rule code (`ERR3001`…`ERR3020`).
pub fn gateway_error_meaning(code: &str) -> Option<&'static str> {
    GATEWAY_ERRORS
        .iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(code))
        .map(|(_, meaning)| *meaning)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approved_variants_are_told_apart_from_declines() {
        for approved in [0, 8, 10] {
            assert!(ResponseCode(approved).is_approved(), "{approved}");
        }
        for declined in [-1, 1, 5, 51, 54, 82, -8018, 999] {
            assert!(!ResponseCode(declined).is_approved(), "{declined}");
        }
        assert!(ResponseCode(10).is_partial_approval());
        assert!(!ResponseCode(0).is_partial_approval());
    }

    #[test]
    fn documented_codes_have_meanings_and_unknown_ones_are_kept() {
        assert_eq!(
            ResponseCode(51).meaning(),
            Some("Insufficient funds or over limit")
        );
        assert_eq!(ResponseCode(-1).meaning(), Some("DAS gateway error"));
        assert!(ResponseCode(-8019).is_gateway_risk_rule());
        assert!(ResponseCode(-8013).meaning().is_some());
        assert!(!ResponseCode(-7999).is_gateway_risk_rule());
        assert_eq!(ResponseCode(83).meaning(), None);
        assert_eq!(ResponseCode(83).to_string(), "83");
        assert_eq!(ResponseCode(5).to_string(), "5 (Do not honour)");
    }

    #[test]
    fn gateway_codes_by_prefix() {
        assert_eq!(gateway_code_kind("INFO0002"), GatewayCodeKind::Info);
        assert_eq!(gateway_code_kind("ERR3019"), GatewayCodeKind::Error);
        assert_eq!(gateway_code_kind("VAL0035"), GatewayCodeKind::Validation);
        assert_eq!(gateway_code_kind("AUTH0001"), GatewayCodeKind::Other);
        assert_eq!(gateway_code_kind(""), GatewayCodeKind::Other);
        assert_eq!(
            gateway_error_meaning("ERR3019"),
            Some("Insufficient refund balance")
        );
        assert_eq!(gateway_error_meaning("ERR9999"), None);
    }
}
