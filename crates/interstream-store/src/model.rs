//! INTER-STREAM's typed requests and answers. How they are written to and read from the wire
//! is in [`crate::wire`].

use std::fmt;

use payments_core::Decimal;
use payments_core::money::wire;
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

/// What `create_payment` recorded: the user, the description sent and the provider's answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct AddedPayment {
    /// The user whose order was paid.
    pub user_id: UserId,
    /// The description sent with the payment (it carries the merchant's reference).
    pub description: String,
    /// The provider's `ok` text (`"Payment was added"`).
    pub message: String,
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
    fn credit_decodes_the_documented_example() {
        let credit: Credit =
            serde_json::from_str(r#"{"buyer_credit": "3.00", "buyer_credit_formatted": "3.00€"}"#)
                .unwrap();
        assert_eq!(credit.amount.to_string(), "3.00");
        assert_eq!(credit.formatted, "3.00€");
    }
}
