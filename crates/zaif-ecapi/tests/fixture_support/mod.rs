//! The Zaif fixture runner: maps a fixture's operation and input onto the real client.
//! Hand-written; the tests that call it are generated from `fixtures/zaif/`.

use std::time::Duration;

use payments_core::retry::RetryPolicy;
use payments_test_support::Received;
use payments_test_support::fixture;
use serde::Serialize;
use serde_json::Value;
use zaif_ecapi::{
    AuthMethod, CreateInvoice, CryptoCurrency, NotificationMethod, Speed, ZaifClient, ZaifError,
};

/// The credentials every fixture's client uses.
const KEY: &str = "490f983a-5fab-49b2-b789-9d1f130874d3";
const SECRET: &str = "fixture-api-secret";

/// Runs one fixture (see `payments_test_support::fixture`).
pub(crate) async fn run(fixture_json: &str) {
    fixture::run(
        fixture_json,
        &placeholder,
        |base, client, operation, input| async move {
            let auth = match client.get("auth").and_then(Value::as_str) {
                Some("md5") => AuthMethod::Md5,
                _ => AuthMethod::Sha1,
            };
            let zaif = ZaifClient::builder()
                .api_key(KEY)
                .api_secret(SECRET)
                .auth(auth)
                .endpoint(format!("{base}/ecapi"))
                .retry_policy(
                    RetryPolicy::default()
                        .max_attempts(
                            client
                                .get("max_attempts")
                                .and_then(Value::as_u64)
                                .map_or(5, |n| n as u32),
                        )
                        .backoff(Duration::from_millis(1), Duration::from_millis(5)),
                )
                .build()?;
            let text = |key: &str| {
                input
                    .get(key)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            match operation.as_str() {
                "create_invoice" => json(zaif.create_invoice(&create_invoice(&input)?).await),
                "get_invoice" => json(zaif.get_invoice(&text("invoiceId")).await),
                "find_invoice_ids" => json(zaif.find_invoice_ids(&text("orderNumber")).await),
                "cancel_invoice" => json(zaif.cancel_invoice(&text("invoiceId")).await),
                other => panic!("unknown operation {other}"),
            }
        },
    )
    .await;
}

fn json<T: Serialize>(result: Result<T, ZaifError>) -> Result<Value, payments_core::Error> {
    result
        .map(|value| serde_json::to_value(value).unwrap())
        .map_err(Into::into)
}

fn placeholder(name: &str, value: &str, _: &Received) -> Result<(), String> {
    let hashed = |method: AuthMethod| {
        method
            .hash(&payments_core::Secret::new(SECRET))
            .expose()
            .to_owned()
    };
    let expect = |wanted: String| {
        if value == wanted {
            Ok(())
        } else {
            Err(format!("{value:?} is not the expected value"))
        }
    };
    match name {
        "nonce" => is_microsecond_nonce(value),
        "key" => expect(KEY.to_owned()),
        "sha1secret" => expect(hashed(AuthMethod::Sha1)),
        "md5secret" => expect(hashed(AuthMethod::Md5)),
        other => Err(format!("unknown placeholder {other}")),
    }
}

/// A `createInvoice` request from the fixture's input, keyed by Zaif's parameter names.
fn create_invoice(input: &Value) -> Result<CreateInvoice, ZaifError> {
    let object = input.as_object().expect("input is an object");
    let currency = match object
        .get("currency")
        .and_then(Value::as_str)
        .unwrap_or("btc")
    {
        code @ ("btc" | "mona" | "skeb") => CryptoCurrency::known(code)?,
        other => CryptoCurrency::other(other)?,
    };
    // With billingCurrency, the amount is a decimal string in the asset; otherwise whole yen.
    let mut builder = match object.get("billingCurrency").and_then(Value::as_str) {
        Some(billing) => {
            assert_eq!(
                billing,
                currency.as_str(),
                "billingCurrency is the currency"
            );
            let amount = object
                .get("amount")
                .and_then(Value::as_str)
                .expect("an asset amount is a decimal string");
            CreateInvoice::builder_in_asset(
                currency,
                amount.parse().expect("an asset amount is a decimal"),
            )
        }
        None => CreateInvoice::builder(
            currency,
            object.get("amount").and_then(Value::as_u64).unwrap_or(0),
        ),
    };
    for (key, value) in object {
        let text = || value.as_str().expect("a text parameter").to_owned();
        let yen = || value.as_u64().expect("a yen parameter");
        builder = match key.as_str() {
            "currency" | "amount" | "billingCurrency" => builder,
            "speed" => builder.speed(match value.as_str() {
                Some("high") => Speed::High,
                Some("low") => Speed::Low,
                _ => Speed::Medium,
            }),
            "notificationMethod" => builder.notification_method(match value.as_str() {
                Some("GET") => NotificationMethod::Get,
                _ => NotificationMethod::Post,
            }),
            "notificationUri" => builder.notification_uri(text()),
            "redirectUri" => builder.redirect_uri(text()),
            "subTotal" => builder.sub_total(yen()),
            "tax" => builder.tax(yen()),
            "regularPrice" => builder.regular_price(yen()),
            "discount" => builder.discount(yen()),
            "merchantName" => builder.merchant_name(text()),
            "orderNumber" => builder.order_number(text()),
            "referenceNumber" => builder.reference_number(text()),
            "itemName" => builder.item_name(text()),
            "buyerId" => builder.buyer_id(text()),
            "buyerName" => builder.buyer_name(text()),
            "buyerKana" => builder.buyer_kana(text()),
            "buyerZip" => builder.buyer_zip(text()),
            "buyerAddr1" => builder.buyer_addr1(text()),
            "buyerAddr2" => builder.buyer_addr2(text()),
            "buyerAddr3" => builder.buyer_addr3(text()),
            "buyerPhone" => builder.buyer_phone(text()),
            "buyerCellphone" => builder.buyer_cellphone(text()),
            "buyerEmail" => builder.buyer_email(text()),
            other => panic!("unknown createInvoice parameter {other}"),
        };
    }
    builder.build()
}

/// `seconds.micros`, as Zaif's nonce.
fn is_microsecond_nonce(value: &str) -> Result<(), String> {
    let ok = value.split_once('.').is_some_and(|(s, m)| {
        !s.is_empty() && m.len() == 6 && s.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit())
    });
    if ok {
        Ok(())
    } else {
        Err(format!("{value:?} is not seconds.micros"))
    }
}

#[test]
fn the_nonce_placeholder_rule() {
    assert!(is_microsecond_nonce("1732521600.123456").is_ok());
    for bad in ["1732521600", "1.12345", "a.123456", ".123456"] {
        assert!(is_microsecond_nonce(bad).is_err(), "{bad}");
    }
}
