//! INTER-STREAM's request and response types, and their wire transformers.

use std::fmt;

use payments_core::money::wire;
use payments_core::{Currency, Decimal, Money};
use serde::{Deserialize, Serialize};

use crate::error::InterstreamError;

/// A `go`/`do` pair: one action of the API (`store` / `add_payment`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Action {
    /// `go`: the API section.
    pub section: &'static str,
    /// `do`: the action.
    pub action: &'static str,
}

impl Action {
    /// `store > add_payment`: adds a payment to the user's current order.
    pub const ADD_PAYMENT: Action = Action::new("store", "add_payment");
    /// `store > get_credit`: the user's store credit.
    pub const GET_CREDIT: Action = Action::new("store", "get_credit");
    /// `store > add_subtract_credit`: adds to or subtracts from the user's credit.
    pub const ADD_SUBTRACT_CREDIT: Action = Action::new("store", "add_subtract_credit");
    /// `store > list_current_content`: what the user's current order holds.
    pub const LIST_CURRENT_CONTENT: Action = Action::new("store", "list_current_content");

    /// Another action of the API, signed like every other.
    pub const fn new(section: &'static str, action: &'static str) -> Action {
        Action { section, action }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.section, self.action)
    }
}

/// A user id (`iq`): a whole number from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct UserId(u64);

impl UserId {
    /// Refuses 0, which the provider answers with `Invalid User ID`.
    pub fn new(id: u64) -> Result<UserId, InterstreamError> {
        if id == 0 {
            return Err(InterstreamError::invalid("user_id", "must be 1 or greater"));
        }
        Ok(UserId(id))
    }

    /// Parses a decimal user id (`"42"`).
    pub fn parse(text: &str) -> Result<UserId, InterstreamError> {
        let id = text
            .trim()
            .parse::<u64>()
            .map_err(|_| InterstreamError::invalid("user_id", "must be a whole number from 1"))?;
        UserId::new(id)
    }

    /// The number.
    pub fn get(&self) -> u64 {
        self.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Whether `add_subtract_credit` adds or subtracts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CreditAction {
    /// `add`.
    Add,
    /// `subtract`.
    Subtract,
}

impl CreditAction {
    /// The value of `creditAction`.
    pub fn as_str(&self) -> &'static str {
        match self {
            CreditAction::Add => "add",
            CreditAction::Subtract => "subtract",
        }
    }
}

/// A user's store credit, from `get_credit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Credit {
    /// `buyer_credit`: the exact amount (`"3.00"`).
    #[serde(
        rename = "buyer_credit",
        deserialize_with = "wire::decimal_string_or_integer"
    )]
    pub amount: Decimal,
    /// `buyer_credit_formatted`: as the store shows it (`"3.00€"`).
    #[serde(rename = "buyer_credit_formatted", default)]
    pub formatted: String,
}

/// A successful answer: `{"ok": "..."}` or `{"data": ...}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Answer {
    /// `{"ok": text}`: the action was done (`"Payment was added"`).
    Ok(String),
    /// `{"data": value}`: what was asked for.
    Data(serde_json::Value),
}

/// The form field `amount`: an exact decimal greater than zero in the store's currency, as a
/// plain decimal string (`12.50`, never `1.25e1`).
pub(crate) fn amount_field(amount: Money, store: Currency) -> Result<String, InterstreamError> {
    if amount.currency() != store {
        return Err(InterstreamError::invalid(
            "amount",
            format!("must be in the store's currency, {store}"),
        ));
    }
    let amount = amount
        .ensure_positive()
        .map_err(|e| e.for_field("amount"))?;
    Ok(amount.to_major_string())
}

/// The optional `description`: any UTF-8 text except control characters other than line
/// breaks and tabs; blank means absent.
pub(crate) fn description_field(
    description: Option<&str>,
) -> Result<Option<String>, InterstreamError> {
    let Some(text) = description.filter(|d| !d.trim().is_empty()) else {
        return Ok(None);
    };
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(InterstreamError::invalid(
            "description",
            "must not contain control characters",
        ));
    }
    Ok(Some(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ids_start_at_one() {
        assert!(UserId::new(0).is_err());
        assert_eq!(UserId::parse(" 42 ").unwrap().get(), 42);
        for bad in ["", "-1", "0", "1.5", "abc", "99999999999999999999999"] {
            assert!(UserId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn amounts_are_plain_positive_decimals_in_the_store_currency() {
        let eur = |s| Money::parse(s, Currency::EUR).unwrap();
        assert_eq!(amount_field(eur("12.5"), Currency::EUR).unwrap(), "12.50");
        assert_eq!(amount_field(eur("4.50"), Currency::EUR).unwrap(), "4.50");
        assert_eq!(
            amount_field(eur("1000000"), Currency::EUR).unwrap(),
            "1000000.00"
        );
        assert!(amount_field(eur("0"), Currency::EUR).is_err());
        let yen = Money::parse("100", Currency::JPY).unwrap();
        let err = amount_field(yen, Currency::EUR).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid input: amount: must be in the store's currency, EUR"
        );
    }

    #[test]
    fn descriptions_allow_utf8_and_line_breaks_only() {
        assert_eq!(description_field(None).unwrap(), None);
        assert_eq!(description_field(Some("  ")).unwrap(), None);
        let text = "Pagado a través de SuperGateway, ID: 154YTR984YX\n<b>'; DROP TABLE--";
        assert_eq!(
            description_field(Some(text)).unwrap().as_deref(),
            Some(text)
        );
        assert!(description_field(Some("a\u{0}b")).is_err());
    }

    #[test]
    fn credit_decodes_the_documented_example() {
        let credit: Credit =
            serde_json::from_str(r#"{"buyer_credit": "3.00", "buyer_credit_formatted": "3.00€"}"#)
                .unwrap();
        assert_eq!(credit.amount.to_string(), "3.00");
        assert_eq!(credit.formatted, "3.00€");
    }
}
