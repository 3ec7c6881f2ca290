//! The whole store API on the wire, against httpmock on 127.0.0.1: every action is a signed
//! POST with the query in the provider's order, the documented answers decode, the store's
//! currency comes from `get_config` when not configured, and `get_config`'s gateway credentials
//! never show.

// Test helpers panic on failure by design.
#![allow(clippy::unwrap_used)]

use httpmock::prelude::*;
use interstream_store::{
    Action, Answer, InterstreamClient, InterstreamError, PlaceOrder, SymbolPosition, UserId,
};
use payments_core::retry::Idempotency;
use payments_core::{Currency, Money};
use payments_test_support::{CapturedLogs, record};

const KEY_ID: &str = "1b323a1cb879fd4e66530fbad07a32ee";
const SECRET: &str = "MWIzMjNhMWNiODc5ZmQ0ZTY2NTMwZmJhZDA3YTMyZWViOTQ3MDJiOGM2ZTU2NjE3";
/// Credentials from the documented `get_config` example.
const GATEWAY_SECRETS: [&str; 3] = [
    "XASW89GGH34RTZDF",
    "R302XBAQDAYFJ8HP",
    "XnS5s1Kso7MWUdW2ErQKJJJ4qi4-8F-OrbybrDfT0oJ3IGAklzfkhUy.",
];

fn config_answer() -> String {
    serde_json::json!({"data": {"currency_code": "EUR", "currency_id": "5", "currency_symbol": "€",
        "currency_symbol_position": "1", "min_purchase_amount": "4.00",
        "payment_methods": [
            {"id": "3", "name": "EXTERNAL_GATEWAY", "enable_rp": "1",
             "settings": {"external_gateway_url": "http://www.mywebtvdomain.com/external_payment_processor.php",
                          "external_gateway_key": GATEWAY_SECRETS[0]}},
            {"id": "2", "name": "PAYPAL", "enable_rp": "1",
             "settings": {"pp_username": "info_api1.mywebtvdomain.com", "pp_password": GATEWAY_SECRETS[1],
                          "pp_signature": GATEWAY_SECRETS[2], "pp_sandbox": "0"}}],
        "support_email": "admin@mywebtvdomain.com"}})
    .to_string()
}

fn store(server: &MockServer) -> InterstreamClient {
    InterstreamClient::builder()
        .api_url(server.url("/api.php"))
        .key_id(KEY_ID)
        .shared_secret(SECRET)
        .build()
        .unwrap()
}

fn store_in_eur(server: &MockServer) -> InterstreamClient {
    InterstreamClient::builder()
        .api_url(server.url("/api.php"))
        .key_id(KEY_ID)
        .shared_secret(SECRET)
        .currency(Currency::EUR)
        .build()
        .unwrap()
}

fn user() -> UserId {
    UserId::new(9).unwrap()
}

#[tokio::test]
async fn every_action_is_a_signed_post_with_the_query_in_the_samples_order() {
    let server = MockServer::start_async().await;
    let (recorder, _mock) = record(&server, 200, r#"{"ok":"done","id":7}"#).await;
    let store = store_in_eur(&server);
    let _ = store
        .add_payment(user(), Money::parse("1", Currency::EUR).unwrap(), None)
        .await;
    let _ = store.get_credit(user()).await;
    let _ = store.list_current_content(user()).await;
    let _ = store.get_cart(user()).await;
    let _ = store.place_order(user(), &PlaceOrder::default()).await;
    let _ = store.set_subscription_rp(user(), "77").await;
    let _ = store.get_config().await;
    let _ = store
        .send_action(
            Action::CANCEL_ORDER,
            Some(user()),
            &[],
            Idempotency::NonIdempotent,
        )
        .await;
    let seen = recorder.all();
    let actions: Vec<String> = seen
        .iter()
        .map(|r| r.query_param("do").unwrap_or_default())
        .collect();
    assert_eq!(
        actions,
        [
            "add_payment",
            "get_credit",
            "list_current_content",
            "get_cart",
            "place_order",
            "set_subscription_rp",
            "get_config",
            "cancel_order",
        ]
    );
    for request in &seen {
        assert_eq!(request.method, "POST", "{:?}", request.query_param("do"));
        assert_eq!(
            request.header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
        let names: Vec<String> = request.query().into_iter().map(|(k, _)| k).collect();
        let expected: &[&str] = if request.query_param("do").as_deref() == Some("get_config") {
            &["go", "do", "timestamp", "salt", "key", "signature"]
        } else {
            &["go", "do", "iq", "timestamp", "salt", "key", "signature"]
        };
        assert_eq!(names, expected);
    }
    assert_eq!(
        seen[5].form(),
        [("subscriptionID".to_owned(), "77".to_owned())]
    );
    assert!(seen[4].form().is_empty(), "no options, no fields");
}

#[tokio::test]
async fn the_store_currency_comes_from_get_config_once() {
    let server = MockServer::start_async().await;
    let config = server
        .mock_async(|when, then| {
            when.method(POST).query_param("do", "get_config");
            then.status(200).body(config_answer());
        })
        .await;
    let payment = server
        .mock_async(|when, then| {
            when.method(POST)
                .query_param("do", "add_payment")
                .form_urlencoded_tuple("amount", "12.50");
            then.status(200).body(r#"{"ok":"Payment was added"}"#);
        })
        .await;
    let store = store(&server);
    assert_eq!(store.currency(), None);
    for _ in 0..2 {
        store
            .add_payment(user(), Money::parse("12.5", Currency::EUR).unwrap(), None)
            .await
            .unwrap();
    }
    assert_eq!(store.currency(), Some(Currency::EUR));
    assert_eq!(config.calls_async().await, 1, "read once, then kept");
    assert_eq!(payment.calls_async().await, 2);
    // An amount in another currency is refused before sending.
    let err = store
        .add_payment(user(), Money::parse("1", Currency::USD).unwrap(), None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("store's currency, EUR"), "{err}");
    assert_eq!(payment.calls_async().await, 2);
}

#[tokio::test]
async fn gateway_credentials_from_get_config_never_show() {
    let logs = CapturedLogs::start();
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).query_param("do", "get_config");
            then.status(200).body(config_answer());
        })
        .await;
    // Another action whose (broken) answer echoes the credentials.
    server
        .mock_async(|when, then| {
            when.method(POST).query_param("do", "get_cart");
            then.status(200).body(format!(
                "<html>gateway key {} and {}</html>",
                GATEWAY_SECRETS[0], GATEWAY_SECRETS[2]
            ));
        })
        .await;
    let store = store(&server);
    let config = store.get_config().await.unwrap();
    assert_eq!(config.currency.code, "EUR");
    assert_eq!(config.currency.symbol_position, Some(SymbolPosition::After));
    assert_eq!(config.min_purchase_amount.unwrap().to_string(), "4.00");
    let paypal = &config.payment_methods[1];
    assert_eq!(paypal.name, "PAYPAL");
    assert!(paypal.enable_rp);
    assert_eq!(paypal.settings["pp_password"].expose(), GATEWAY_SECRETS[1]);
    let serialized = serde_json::to_string(&config).unwrap();
    let shown = format!("{config:?} {serialized}");

    // Once learned, the credentials are blanked from this client's later error excerpts.
    let echoed = store.get_cart(user()).await.unwrap_err();
    let echoed = format!("{echoed} {echoed:?}");
    assert!(echoed.contains("[REDACTED]"), "{echoed}");
    // A get_config answer that cannot be decoded is never quoted.
    let broken = MockServer::start_async().await;
    let (_recorder, _mock) = record(
        &broken,
        200,
        &format!(
            r#"{{"data": {{"payment_methods": [{{"settings": {{"pp_password": "{}"}}}}]"#,
            GATEWAY_SECRETS[1]
        ),
    )
    .await;
    let err = InterstreamClient::builder()
        .api_url(broken.url("/api.php"))
        .key_id(KEY_ID)
        .shared_secret(SECRET)
        .build()
        .unwrap()
        .get_config()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("withheld"), "{err}");
    // The test's own mock server logs what it was told to answer; only the SDK's lines count.
    let sdk_logs: String = logs
        .text()
        .lines()
        .filter(|line| !line.contains("httpmock"))
        .collect();
    let all = format!("{shown} {echoed} {err:?} {sdk_logs}");
    for secret in GATEWAY_SECRETS {
        assert!(!all.contains(secret), "{secret} leaked: {all}");
    }
    assert!(serialized.contains("[REDACTED]"));
    drop(logs);

    // A client that never read the config has nothing to blank them with: registration is
    // what protects the first.
    let unaware = store_in_eur(&server).get_cart(user()).await.unwrap_err();
    assert!(unaware.to_string().contains(GATEWAY_SECRETS[0]));
}

#[tokio::test]
async fn documented_answer_shapes_decode_and_store_errors_are_typed() {
    for (body, expected) in [
        (
            r#"{"ok":"Order was placed","id":319}"#,
            Answer::Created {
                message: "Order was placed".into(),
                id: "319".into(),
            },
        ),
        (
            r#"{"ok":"Order was placed","id":"319"}"#,
            Answer::Created {
                message: "Order was placed".into(),
                id: "319".into(),
            },
        ),
        (r#"{"list":[]}"#, Answer::List(Vec::new())),
        (r#"{"id":"2"}"#, Answer::Id("2".into())),
        (r#"{"exists":"1"}"#, Answer::Exists(true)),
        (r#"{"exists":0}"#, Answer::Exists(false)),
    ] {
        let server = MockServer::start_async().await;
        let (_recorder, _mock) = record(&server, 200, body).await;
        let answer = store(&server)
            .send_action(Action::GET_PRODUCT, None, &[], Idempotency::Idempotent)
            .await
            .unwrap();
        assert_eq!(answer, expected, "{body}");
    }
    for (code, check) in [
        (
            "ERROR_ORDER_ALREADY_PLACED",
            (|e: &InterstreamError| matches!(e, InterstreamError::OrderAlreadyPlaced { .. }))
                as fn(&InterstreamError) -> bool,
        ),
        ("ERROR_EMPTY_CART", |e| {
            matches!(e, InterstreamError::EmptyCart { .. })
        }),
        ("ERROR_MIN_PURCHASE", |e| {
            matches!(e, InterstreamError::MinPurchase { .. })
        }),
    ] {
        let server = MockServer::start_async().await;
        let (_recorder, mock) = record(
            &server,
            200,
            &format!(r#"{{"error":"{code}","error_long":"text"}}"#),
        )
        .await;
        let err = store(&server)
            .place_order(user(), &PlaceOrder::default().notify_buyer(true))
            .await
            .unwrap_err();
        assert!(check(&err), "{code}: {err:?}");
        assert_eq!(err.code(), Some(code));
        assert_eq!(mock.calls_async().await, 1, "place_order is sent once");
    }
}

#[tokio::test]
async fn invalid_input_sends_nothing_even_before_the_currency_is_known() {
    let server = MockServer::start_async().await;
    let (_recorder, mock) = record(&server, 200, &config_answer()).await;
    let store = store(&server);
    let zero = Money::zero(Currency::EUR);
    assert!(store.add_payment(user(), zero, None).await.is_err());
    let one = Money::parse("1", Currency::EUR).unwrap();
    assert!(
        store
            .add_payment(user(), one, Some("a\u{0}b"))
            .await
            .is_err()
    );
    assert!(
        store
            .add_subtract_credit(user(), interstream_store::CreditAction::Add, zero, None)
            .await
            .is_err()
    );
    assert!(store.set_subscription_rp(user(), " ").await.is_err());
    assert_eq!(mock.calls_async().await, 0, "not even get_config");
}
