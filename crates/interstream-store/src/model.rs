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
    /// `store > list_current_content`: the content the user can watch now (purchased clips and
    /// channels, with their end dates).
    pub const LIST_CURRENT_CONTENT: Action = Action::new("store", "list_current_content");
    /// `store > get_config`: the store's currency, minimum purchase and payment methods.
    pub const GET_CONFIG: Action = Action::new("store", "get_config");
    /// `store > get_cart`: the user's current order, or the cart when there is none.
    pub const GET_CART: Action = Action::new("store", "get_cart");
    /// `store > place_order`: turns the cart into the current order.
    pub const PLACE_ORDER: Action = Action::new("store", "place_order");
    /// `store > set_subscription_rp`: enables the recurring payment of a subscription.
    pub const SET_SUBSCRIPTION_RP: Action = Action::new("store", "set_subscription_rp");
    /// `store > cancel_order`: named in the store introduction; its page was not found, so its
    /// answer is not typed (use [`crate::InterstreamClient::send_action`]).
    pub const CANCEL_ORDER: Action = Action::new("store", "cancel_order");
    /// `store > modify_cart`: named in the store introduction; answer not typed.
    pub const MODIFY_CART: Action = Action::new("store", "modify_cart");
    /// `store > get_product`: named in the store introduction; answer not typed.
    pub const GET_PRODUCT: Action = Action::new("store", "get_product");
    /// `store > list_subscriptions`: named in the store introduction; answer not typed.
    pub const LIST_SUBSCRIPTIONS: Action = Action::new("store", "list_subscriptions");
    /// `store > get_subscription_pre_rp_info`: named in the store introduction; answer not
    /// typed. Its subscription id is what [`crate::InterstreamClient::set_subscription_rp`]
    /// takes.
    pub const GET_SUBSCRIPTION_PRE_RP_INFO: Action =
        Action::new("store", "get_subscription_pre_rp_info");

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

/// A successful answer, in each documented shape. Numbers arrive as strings except where they
/// do not (`place_order`'s `id` is a JSON number): ids are kept as text either way.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Answer {
    /// `{"ok": text}`: the action was done (`"Payment was added"`).
    Ok(String),
    /// `{"ok": text, "id": n}`: something was created (`place_order`: the order id).
    Created {
        /// The `ok` text.
        message: String,
        /// The new id.
        id: String,
    },
    /// `{"data": value}`: what was asked for.
    Data(serde_json::Value),
    /// `{"list": [...]}`: a list (`list_current_content`).
    List(Vec<serde_json::Value>),
    /// `{"id": "2"}`: an id.
    Id(String),
    /// `{"exists": "1"}`: whether something exists.
    Exists(bool),
}

/// Where the store writes its currency symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SymbolPosition {
    /// `"0"`: before the amount (`€5.00`).
    Before,
    /// `"1"`: after the amount (`5.00€`).
    After,
}

/// The store's currency, from `get_config`: every store amount is in it, and no other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct StoreCurrency {
    /// `currency_code` (`"EUR"`).
    pub code: String,
    /// `currency_id` (`"5"`).
    pub id: Option<String>,
    /// `currency_symbol` (`"€"`).
    pub symbol: Option<String>,
    /// `currency_symbol_position`.
    pub symbol_position: Option<SymbolPosition>,
}

/// One payment method of the store. Its `settings` hold the gateway's credentials (the
/// documented example carries PayPal API credentials), so every value is a [`Secret`](payments_core::Secret): never
/// printed, serialized as `[REDACTED]`, and registered with the client's redactor.
#[derive(Clone, Serialize)]
#[non_exhaustive]
pub struct StorePaymentMethod {
    /// `id`.
    pub id: String,
    /// `name` (`BANK`, `PAYPAL`, `EXTERNAL_GATEWAY`).
    pub name: String,
    /// `enable_rp`: whether recurring payments are enabled for it.
    pub enable_rp: bool,
    /// `settings`, every value secret.
    #[serde(serialize_with = "crate::wire::redacted_settings")]
    pub settings: std::collections::BTreeMap<String, payments_core::Secret>,
}

impl fmt::Debug for StorePaymentMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StorePaymentMethod")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("enable_rp", &self.enable_rp)
            .field("settings", &self.settings.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// The store's configuration (`get_config`).
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct StoreConfig {
    /// The currency every amount is in.
    pub currency: StoreCurrency,
    /// `min_purchase_amount`: the least an order may total.
    pub min_purchase_amount: Option<Decimal>,
    /// `payment_methods`.
    pub payment_methods: Vec<StorePaymentMethod>,
}

/// The user's cart, or the current order when one exists (`get_cart`). Fields the store did not
/// send are `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Cart {
    /// `order_id`: set only when this is the current order.
    pub order_id: Option<String>,
    /// `order_amount_due`.
    pub amount_due: Option<Decimal>,
    /// `order_amount_paid`.
    pub amount_paid: Option<Decimal>,
    /// `order_num_products`.
    pub num_products: Option<u64>,
    /// `order_min_purchase_check`: whether the minimum purchase is reached.
    pub min_purchase_check: Option<bool>,
    /// `order_has_credit_product`: when true, store credit cannot pay this order.
    pub has_credit_product: Option<bool>,
    /// `order_contains_subscription`.
    pub contains_subscription: Option<bool>,
    /// `order_contains_subscription_trial` (since WS.WebTV 3.0.2).
    pub contains_subscription_trial: Option<bool>,
    /// `order_trial_requires_rp` (since 3.0.2).
    pub trial_requires_rp: Option<bool>,
    /// `buyer_credit`.
    pub buyer_credit: Option<Decimal>,
    /// `buyer_credit_formatted`.
    pub buyer_credit_formatted: Option<String>,
    /// Every field as sent (numbers as the store wrote them).
    pub raw: serde_json::Value,
}

impl Cart {
    /// Whether this is the user's current (placed) order rather than the cart.
    pub fn is_order(&self) -> bool {
        self.order_id.is_some()
    }
}

/// Options of `place_order`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PlaceOrder {
    /// `notify_buyer` (the store's default: yes).
    pub notify_buyer: Option<bool>,
    /// `buyer_ip`.
    pub buyer_ip: Option<std::net::IpAddr>,
    /// `buyer_useragent`.
    pub buyer_useragent: Option<String>,
}

impl PlaceOrder {
    /// Whether the store e-mails the buyer.
    pub fn notify_buyer(mut self, notify: bool) -> PlaceOrder {
        self.notify_buyer = Some(notify);
        self
    }

    /// The buyer's IP address.
    pub fn buyer_ip(mut self, ip: std::net::IpAddr) -> PlaceOrder {
        self.buyer_ip = Some(ip);
        self
    }

    /// The buyer's user agent.
    pub fn buyer_useragent(mut self, agent: impl Into<String>) -> PlaceOrder {
        self.buyer_useragent = Some(agent.into());
        self
    }
}

/// A placed order (`{"ok": "Order was placed", "id": 319}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PlacedOrder {
    /// The `ok` text.
    pub message: String,
    /// The order id (a JSON number on the wire, kept as text).
    pub id: String,
}

/// One item of `list_current_content`: a clip or a channel the user can watch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ContentItem {
    /// `title`.
    #[serde(default, deserialize_with = "crate::wire::text")]
    pub title: Option<String>,
    /// `description`.
    #[serde(default, deserialize_with = "crate::wire::text")]
    pub description: Option<String>,
    /// `id_clip` (`null` for a channel).
    #[serde(default, deserialize_with = "crate::wire::text")]
    pub id_clip: Option<String>,
    /// `id_channel` (`null` for a clip).
    #[serde(default, deserialize_with = "crate::wire::text")]
    pub id_channel: Option<String>,
    /// `img_thumbnail`.
    #[serde(default, deserialize_with = "crate::wire::text")]
    pub img_thumbnail: Option<String>,
    /// `img_social`.
    #[serde(default, deserialize_with = "crate::wire::text")]
    pub img_social: Option<String>,
    /// `img_poster`.
    #[serde(default, deserialize_with = "crate::wire::text")]
    pub img_poster: Option<String>,
    /// `date_end`: unix seconds (sent as text).
    #[serde(default, deserialize_with = "crate::wire::text")]
    pub date_end: Option<String>,
    /// `date_end_formatted_d`.
    #[serde(default, deserialize_with = "crate::wire::text")]
    pub date_end_formatted_d: Option<String>,
    /// `date_end_formatted_t`.
    #[serde(default, deserialize_with = "crate::wire::text")]
    pub date_end_formatted_t: Option<String>,
    /// `in_grace_period` (`"0"`/`"1"`).
    #[serde(default, deserialize_with = "crate::wire::flag")]
    pub in_grace_period: Option<bool>,
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
