//! The INTER-STREAM fixture runner: maps a fixture's operation and input onto the real client.
//! Hand-written; the tests that call it are generated from `fixtures/interstream/`.

use interstream_store::{
    CreditAction, InterstreamClient, InterstreamError, PlaceOrder, UserId, signature,
};
use payments_core::retry::RetryPolicy;
use payments_core::{Currency, Money, Secret};
use payments_test_support::Received;
use payments_test_support::fixture;
use serde::Serialize;
use serde_json::Value;

const KEY_ID: &str = "1b323a1cb879fd4e66530fbad07a32ee";
const SECRET: &str = "MWIzMjNhMWNiODc5ZmQ0ZTY2NTMwZmJhZDA3YTMyZWViOTQ3MDJiOGM2ZTU2NjE3";

/// Runs one fixture (see `payments_test_support::fixture`).
pub(crate) async fn run(fixture_json: &str) {
    fixture::run(
        fixture_json,
        &placeholder,
        |base, _client, operation, input| async move {
            let store = InterstreamClient::builder()
                .api_url(format!("{base}/api.php"))
                .key_id(KEY_ID)
                .shared_secret(SECRET)
                .currency(Currency::EUR)
                .retry_policy(RetryPolicy::never())
                .build()?;
            let user_id = input.get("user_id").and_then(Value::as_u64).unwrap_or(0);
            let user = || UserId::new(user_id);
            let description = input.get("description").and_then(Value::as_str);
            let amount = || -> Result<Money, payments_core::Error> {
                let currency = input
                    .get("currency")
                    .and_then(Value::as_str)
                    .unwrap_or("EUR");
                let text = input
                    .get("amount")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                Ok(Money::parse(text, Currency::from_code(currency)?)?)
            };
            match operation.as_str() {
                "add_payment" => json(store.add_payment(user()?, amount()?, description).await),
                "get_credit" => json(store.get_credit(user()?).await),
                "add_subtract_credit" => {
                    let action = match input.get("action").and_then(Value::as_str) {
                        Some("subtract") => CreditAction::Subtract,
                        _ => CreditAction::Add,
                    };
                    json(
                        store
                            .add_subtract_credit(user()?, action, amount()?, description)
                            .await,
                    )
                }
                "list_current_content" => json(store.list_current_content(user()?).await),
                "get_config" => json(store.get_config().await),
                "get_cart" => json(store.get_cart(user()?).await),
                "place_order" => {
                    let mut options = PlaceOrder::default();
                    if let Some(notify) = input.get("notify_buyer").and_then(Value::as_bool) {
                        options = options.notify_buyer(notify);
                    }
                    if let Some(ip) = input.get("buyer_ip").and_then(Value::as_str) {
                        options = options.buyer_ip(ip.parse().expect("an IP address"));
                    }
                    if let Some(agent) = input.get("buyer_useragent").and_then(Value::as_str) {
                        options = options.buyer_useragent(agent);
                    }
                    json(store.place_order(user()?, &options).await)
                }
                "set_subscription_rp" => {
                    let id = input
                        .get("subscription_id")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    json(store.set_subscription_rp(user()?, id).await)
                }
                other => panic!("unknown operation {other}"),
            }
        },
    )
    .await;
}

fn json<T: Serialize>(result: Result<T, InterstreamError>) -> Result<Value, payments_core::Error> {
    result
        .map(|value| serde_json::to_value(value).unwrap())
        .map_err(Into::into)
}

fn placeholder(name: &str, value: &str, request: &Received) -> Result<(), String> {
    match name {
        "key" if value == KEY_ID => Ok(()),
        "timestamp" => is_recent_unix_time(value),
        "salt" => is_hex_salt(value),
        "signature" => {
            let salt = request.query_param("salt").ok_or("no salt")?;
            let timestamp: u64 = request
                .query_param("timestamp")
                .and_then(|t| t.parse().ok())
                .ok_or("no timestamp")?;
            let expected =
                signature(&Secret::new(SECRET), &salt, timestamp).map_err(|e| e.to_string())?;
            if value == expected.expose() {
                Ok(())
            } else {
                Err("the signature does not verify".into())
            }
        }
        other => Err(format!("{value:?} does not satisfy {{{{{other}}}}}")),
    }
}

/// Unix seconds within five minutes of now.
fn is_recent_unix_time(value: &str) -> Result<(), String> {
    let sent: u64 = value
        .parse()
        .map_err(|_| format!("{value:?} is not unix seconds"))?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    if sent.abs_diff(now) <= 300 {
        Ok(())
    } else {
        Err(format!("{sent} is not close to now ({now})"))
    }
}

/// 32 lowercase hexadecimal characters.
fn is_hex_salt(value: &str) -> Result<(), String> {
    let ok = value.len() == 32
        && value
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if ok {
        Ok(())
    } else {
        Err(format!("{value:?} is not 32 lowercase hex characters"))
    }
}

#[test]
fn the_timestamp_and_salt_placeholder_rules() {
    assert!(is_hex_salt("4f7c1d2e9a8b3c6d5e0f1a2b3c4d5e6f").is_ok());
    assert!(is_hex_salt("4F7C1D2E9A8B3C6D5E0F1A2B3C4D5E6F").is_err());
    assert!(is_recent_unix_time("0").is_err());
}
