//! INTER-STREAM's `api.php`: signature, salt and timestamp checks on signed POSTs (a GET is
//! refused), and the documented order model: one current order per user, `place_order` turns
//! the cart into it (refused while one exists, for an empty cart, or under the minimum
//! purchase), `get_cart` returns the order when there is one, payments add up until the amount
//! due is 0 and the order is processed (its content then listed by `list_current_content`),
//! credit, `get_config` (with gateway credentials, as the documented example), and
//! `set_subscription_rp`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, KeyInit, Mac};
use payments_core::Decimal;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::AppState;
use crate::config::StoreUser;
use crate::faults::{self, Provider, lock};

const PROVIDER: &str = "interstream";

/// The external gateway's key in the sandbox's `get_config` answer: a credential, as in the
/// documented example, which clients must never print.
pub const GATEWAY_KEY: &str = "sandbox-external-gateway-key-5f1c";

/// A placed order: what it totals and what has been paid.
#[derive(Debug, Clone)]
struct Order {
    id: u64,
    total: Decimal,
    paid: Decimal,
}

/// One store user: credit, cart, current order, and what processed orders gave access to.
#[derive(Debug, Clone)]
struct Account {
    credit: Decimal,
    cart: Decimal,
    order: Option<Order>,
    content: Vec<u64>,
}

/// One store user as the dashboard shows it.
#[derive(Debug, Clone)]
pub(crate) struct UserView {
    pub(crate) id: u64,
    pub(crate) credit: String,
    pub(crate) cart: String,
    /// The current order: id, total, paid, due.
    pub(crate) order: Option<(u64, String, String, String)>,
    pub(crate) processed_items: usize,
}

/// Every user, by id.
pub(crate) fn user_views(state: &AppState) -> Vec<UserView> {
    let store = lock(&state.interstream);
    store
        .accounts
        .iter()
        .map(|(id, account)| UserView {
            id: *id,
            credit: money_text(account.credit),
            cart: money_text(account.cart),
            order: account.order.as_ref().map(|order| {
                (
                    order.id,
                    money_text(order.total),
                    money_text(order.paid),
                    money_text(order.total - order.paid),
                )
            }),
            processed_items: account.content.len(),
        })
        .collect()
}

#[derive(Debug, Default)]
pub(crate) struct InterstreamState {
    accounts: BTreeMap<u64, Account>,
    next_order: u64,
}

impl InterstreamState {
    pub(crate) fn new(users: &[StoreUser]) -> InterstreamState {
        let mut state = InterstreamState::default();
        for user in users {
            state.set_user(user.clone());
        }
        state
    }

    pub(crate) fn set_user(&mut self, user: StoreUser) {
        let order = (!user.order_due.is_zero()).then(|| {
            self.next_order += 1;
            Order {
                id: 318 + self.next_order,
                total: user.order_due,
                paid: Decimal::ZERO,
            }
        });
        self.accounts.insert(
            user.id,
            Account {
                credit: user.credit,
                cart: user.cart,
                order,
                content: Vec::new(),
            },
        );
    }
}

/// `GET /api.php`: every signed request is a POST in the provider's sample; refused in the
/// provider's error shape (the text is invented: the general-errors page was not found).
pub(crate) async fn refuse_get() -> Response {
    refuse("REQUEST_ERROR", "Invalid request method")
}

/// Two decimals, as the store writes amounts.
fn money_text(mut amount: Decimal) -> String {
    amount.rescale(2);
    amount.to_string()
}

fn answer(value: Value) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

fn refuse(code: &str, text: &str) -> Response {
    answer(json!({"error": code, "error_long": text}))
}

/// `GET` or `POST /api.php`.
pub(crate) async fn api(
    State(state): State<Arc<AppState>>,
    Query(query): Query<HashMap<String, String>>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Response {
    let action = query.get("do").cloned().unwrap_or_default();
    let fault = state.faults.take(Provider::Interstream, &action);
    let referrer = headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .map(str::to_owned);
    let form = crate::form::post_fields(&headers, body).await;
    faults::apply(fault, || async {
        handle(&state, &query, referrer.as_deref(), &form)
    })
    .await
}

/// The provider's sample signs `base64(hmac_sha256(salt . timestamp, shared_secret))`, with the
/// timestamp as sent. Computed here with the hashing crates, not with the client's code, and
/// compared in constant time.
fn signature_matches(shared_secret: &str, salt: &str, timestamp: &str, signature: &str) -> bool {
    let Ok(sent) = BASE64.decode(signature) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(shared_secret.as_bytes()) else {
        return false;
    };
    mac.update(salt.as_bytes());
    mac.update(timestamp.as_bytes());
    mac.verify_slice(&sent).is_ok()
}

fn handle(
    state: &AppState,
    query: &HashMap<String, String>,
    referrer: Option<&str>,
    form: &HashMap<String, String>,
) -> Response {
    let settings = &state.config.interstream;
    // Refused before processing: recorded for the dashboard.
    let action = query.get("do").map(String::as_str).unwrap_or_default();
    let refuse = |code: &str, text: &str| {
        state.activity.refused(PROVIDER, action, text);
        refuse(code, text)
    };
    // The credential's allowed referrers; empty allows any (the admin's "blank" entry allows a
    // request without one). The error text is invented: the general-errors page was not found.
    if !settings.allowed_referrers.is_empty()
        && !settings
            .allowed_referrers
            .iter()
            .any(|allowed| Some(allowed.as_str()) == referrer)
    {
        return refuse("REQUEST_ERROR", "Invalid referrer");
    }
    let (Some(key), Some(timestamp), Some(salt), Some(signature)) = (
        query.get("key"),
        query.get("timestamp"),
        query.get("salt"),
        query.get("signature"),
    ) else {
        return refuse("REQUEST_ERROR", "Missing signature");
    };
    if *key != settings.key_id {
        return refuse("REQUEST_ERROR", "Invalid key");
    }
    if salt.len() != 32
        || !salt
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return refuse("REQUEST_ERROR", "Invalid salt");
    }
    let Ok(sent_at) = timestamp.parse::<u64>() else {
        return refuse("REQUEST_ERROR", "Invalid timestamp");
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    if now.abs_diff(sent_at) > settings.request_expiry.as_secs() {
        return refuse("REQUEST_ERROR", "Request expired");
    }
    if !signature_matches(&settings.shared_secret, salt, timestamp, signature) {
        return refuse("REQUEST_ERROR", "Invalid signature");
    }
    if query.get("go").map(String::as_str) != Some("store") {
        return refuse("REQUEST_ERROR", "Invalid API section");
    }
    let currency = &settings.currency;
    let action = query.get("do").map(String::as_str).unwrap_or_default();
    if action == "get_config" {
        return answer(get_config(state));
    }
    let Some(user_id) = query
        .get("iq")
        .and_then(|iq| iq.parse::<u64>().ok())
        .filter(|id| *id >= 1)
    else {
        return refuse("REQUEST_ERROR", "Invalid User ID");
    };
    let amount = || {
        form.get("amount")
            .and_then(|a| Decimal::from_str_exact(a.trim()).ok())
            .filter(|a| *a > Decimal::ZERO)
    };
    let description = form.get("description").cloned().unwrap_or_default();
    let mut store = lock(&state.interstream);
    let next_order = store.next_order;
    let account = store.accounts.entry(user_id).or_insert(Account {
        credit: Decimal::ZERO,
        cart: Decimal::ZERO,
        order: None,
        content: Vec::new(),
    });
    let symbol = |amount: Decimal| format!("{}€", money_text(amount));
    match action {
        "add_payment" => {
            // Zero-amount payments are discarded by the store: refused as an invalid amount.
            let Some(amount) = amount() else {
                return refuse("REQUEST_ERROR", "Invalid amount");
            };
            let Some(order) = account.order.as_mut() else {
                return refuse("ERROR_NO_ORDER", "User does not have any current order");
            };
            if amount > order.total - order.paid {
                return refuse(
                    "ERROR_AMOUNT_TOO_BIG",
                    "Amount can't be higher than order amount due",
                );
            }
            order.paid += amount;
            let order_id = order.id;
            let processed = order.paid == order.total;
            state.ledger.record(
                PROVIDER,
                "payment_added",
                &description,
                &user_id.to_string(),
                amount.to_string(),
                currency,
            );
            if processed {
                // Fully paid: the order is processed and its content becomes available.
                account.order = None;
                account.content.push(order_id);
                state.ledger.record(
                    PROVIDER,
                    "order_processed",
                    &format!("order {order_id}"),
                    &user_id.to_string(),
                    "0".into(),
                    currency,
                );
            }
            answer(json!({"ok": "Payment was added"}))
        }
        "get_credit" => answer(json!({"data": {
            "buyer_credit": money_text(account.credit),
            "buyer_credit_formatted": symbol(account.credit)}})),
        "add_subtract_credit" => {
            let subtract = match form.get("creditAction").map(String::as_str) {
                Some("add") => false,
                Some("subtract") => true,
                _ => return refuse("REQUEST_ERROR", "Invalid credit action"),
            };
            let Some(amount) = amount() else {
                return refuse("REQUEST_ERROR", "Invalid amount");
            };
            if subtract {
                // The sandbox refuses to go below zero (the documents name the error only for
                // a credit already at zero).
                if amount > account.credit {
                    return refuse("ERROR_CANT_SUBTRACT", "Credit can't be lower than zero");
                }
                account.credit -= amount;
            } else {
                account.credit += amount;
            }
            let event = if subtract {
                "credit_subtracted"
            } else {
                "credit_added"
            };
            state.ledger.record(
                PROVIDER,
                event,
                &description,
                &user_id.to_string(),
                amount.to_string(),
                currency,
            );
            answer(json!({"ok": "Credit action was performed"}))
        }
        "get_cart" => {
            let mut data = json!({
                "order_contains_subscription": "0",
                "order_contains_subscription_trial": "0",
                "order_trial_requires_rp": "0",
                "order_has_credit_product": "0",
                "buyer_credit": money_text(account.credit),
                "buyer_credit_formatted": symbol(account.credit),
            });
            match &account.order {
                Some(order) => {
                    data["order_id"] = json!(order.id.to_string());
                    data["order_num_products"] = json!("1");
                    data["order_min_purchase_check"] = json!("1");
                    data["order_amount_due"] = json!(money_text(order.total - order.paid));
                    data["order_amount_paid"] = json!(money_text(order.paid));
                }
                None => {
                    let products = if account.cart.is_zero() { "0" } else { "1" };
                    let enough = account.cart >= settings.min_purchase;
                    data["order_num_products"] = json!(products);
                    data["order_min_purchase_check"] = json!(if enough { "1" } else { "0" });
                }
            }
            answer(json!({ "data": data }))
        }
        "place_order" => {
            if account.order.is_some() {
                return refuse(
                    "ERROR_ORDER_ALREADY_PLACED",
                    "The user already has a current order",
                );
            }
            if account.cart.is_zero() {
                return refuse("ERROR_EMPTY_CART", "The cart is empty");
            }
            if account.cart < settings.min_purchase {
                return refuse(
                    "ERROR_MIN_PURCHASE",
                    "The minimum purchase amount was not reached",
                );
            }
            for (key, allowed) in [("notify_buyer", &["0", "1"][..])] {
                if let Some(value) = form.get(key)
                    && !allowed.contains(&value.as_str())
                {
                    return refuse("REQUEST_ERROR", "Invalid notify_buyer");
                }
            }
            let id = 319 + next_order;
            account.order = Some(Order {
                id,
                total: account.cart,
                paid: Decimal::ZERO,
            });
            let total = account.cart;
            account.cart = Decimal::ZERO;
            store.next_order += 1;
            state.ledger.record(
                PROVIDER,
                "order_placed",
                &format!("order {id}"),
                &user_id.to_string(),
                total.to_string(),
                currency,
            );
            // The id is a JSON number here, as documented (elsewhere numbers are strings).
            answer(json!({"ok": "Order was placed", "id": id}))
        }
        "list_current_content" => {
            let items: Vec<Value> = account
                .content
                .iter()
                .map(|order| {
                    json!({"title": format!("Order {order}"), "description": "Sandbox content",
                           "id_clip": order.to_string(), "id_channel": null,
                           "img_thumbnail": "", "img_social": "", "img_poster": "",
                           "date_end": "4102444800", "date_end_formatted_d": "01/01/2100",
                           "date_end_formatted_t": "00:00", "in_grace_period": "0"})
                })
                .collect();
            answer(json!({ "list": items }))
        }
        "set_subscription_rp" => match form.get("subscriptionID") {
            // Invented answer: the page shows none.
            Some(id) if !id.trim().is_empty() => answer(json!({"ok": "Recurring payment was set"})),
            _ => refuse("REQUEST_ERROR", "Invalid subscription ID"),
        },
        _ => refuse("REQUEST_ERROR", "Invalid API action"),
    }
}

/// The fake PayPal API password `get_config` returns (a credential the client must hide).
pub const PAYPAL_PASSWORD: &str = "SBXPAYPALPASS4213";
/// The fake PayPal API signature `get_config` returns.
pub const PAYPAL_SIGNATURE: &str = "SbxPaypalSignature-0123456789abcdefABCDEF.";

/// The documented `get_config` shape, with the sandbox's own (fake) gateway credentials.
fn get_config(state: &AppState) -> Value {
    let settings = &state.config.interstream;
    let symbol = if settings.currency == "EUR" {
        "€".to_owned()
    } else {
        settings.currency.clone()
    };
    json!({"data": {
        "currency_code": settings.currency, "currency_id": "5", "currency_symbol": symbol,
        "currency_symbol_position": "1", "min_purchase_amount": money_text(settings.min_purchase),
        "payment_methods": [
            {"id": "1", "name": "BANK", "enable_rp": "0",
             "settings": {"bank_name": "", "bank_address": "", "bank_account": "", "bank_iban": "",
                          "bank_swift": "", "bank_message": ""}},
            {"id": "3", "name": "EXTERNAL_GATEWAY", "enable_rp": "1",
             "settings": {"external_gateway_url": format!("{}/gateway", state.base_url),
                          "external_gateway_key": GATEWAY_KEY}},
            // The documented PayPal entry's credentials, as fake as the gateway key.
            {"id": "2", "name": "PAYPAL", "enable_rp": "1",
             "settings": {"pp_client_id": "", "pp_secret": "", "pp_username": "sandbox_api1.sandbox.invalid",
                          "pp_password": PAYPAL_PASSWORD, "pp_signature": PAYPAL_SIGNATURE, "pp_sandbox": "1"}}
        ],
        "support_email": "support@sandbox.invalid"}})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_checked_against_an_openssl_known_answer() {
        // printf '%s' "${salt}1700000000" | openssl dgst -sha256 -hmac "$secret" -binary | base64
        let secret = "MWIzMjNhMWNiODc5ZmQ0ZTY2NTMwZmJhZDA3YTMyZWViOTQ3MDJiOGM2ZTU2NjE3";
        let salt = "0123456789abcdef0123456789abcdef";
        let good = "odEervCLGjDOlux1MF+5cPK+EZWKKHBxlOclfC7OwAI=";
        assert!(signature_matches(secret, salt, "1700000000", good));
        assert!(!signature_matches(secret, salt, "1700000001", good));
        assert!(!signature_matches("other", salt, "1700000000", good));
        assert!(!signature_matches(
            secret,
            salt,
            "1700000000",
            "not base64!"
        ));
        let mut flipped = good.to_owned();
        flipped.replace_range(0..1, "p");
        assert!(!signature_matches(secret, salt, "1700000000", &flipped));
    }
}
