//! The PaymentOptions client on the wire, against httpmock on 127.0.0.1: exact headers, paths
//! and JSON bodies for v1, v2, tokenization and stored-card payments; the seed's 201 example
//! field by field; declines and broken answers; card data never shown.

// Test helpers panic on failure by design.
#![allow(clippy::unwrap_used)]

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use httpmock::prelude::*;
use paymentoptions::{
    Address, BrowserInfo, Card, Lenient, PaymentOptionsClient, PaymentOptionsError, PaymentSource,
    PurchaseOutcome, PurchaseRequest, ReturnUrl, TransactionType,
};
use payments_core::http::HttpConfig;
use payments_core::{
    Currency, Customer, ErrorKind, Money, PaymentMethod, PaymentProvider, PaymentRequest,
    PaymentStatus, ReturnUrls, Secret, Url,
};
use payments_test_support::{Received, Recorder, record};
use serde_json::{Value, json};
use time::macros::date;

const API_KEY: &str = "pk_test_0123456789abcdef";
const MERCHANT: &str = "M-123456";
const PAN: &str = "5200000000001005";
const CVC: &str = "100";

/// The documented 201 answer of `seeds/001_…`.
const SEED_201: &str = r#"{
"success": true,
"status_code": 201,
"is_live": false,
"transaction_type": "PRE_AUTH",
"gateway_response": {
"version": "1",
"type": "INFO",
"message": "Payment Successful.",
"code": "INFO0000"
},
"merchant_details": {
"legal_name": "Tink15 Factory",
"mid": "< Merchant ID >",
"merchant_txn_ref": "qwe",
"billing_details": {
"billing_address": {
"country": "JP",
"email": "billing@testemail.com",
"phone_number": "8112345678",
"address1": "1-2-3 Shinjuku",
"city": "Shinjuku-ku",
"state": "Tokyo",
"postal_code": "1600022"
}
},
"device_details": {
"visited_ip": "127.0.0.1",
"merchant_ip": "127.0.0.1",
"customer_ip": "127.0.0.1"
}
},
"payment_details": {
"amount": 1000,
"response_code": 0,
"auth_code": "917290",
"currency": "JPY",
"payment_method": "ECMC-SSL",
"scheme": "MASTERCARD",
"card": {
"name": "John Doe",
"number": "5200000000001005",
"exp_month": "12",
"exp_year": "24"
},
"additional_data": {
"payment_data_source": {
"type": "card"
}
}
},
"transaction_details": {
"id": "ab8444e7-fec0-40dd-994d-0ad813785f74",
"ref": 74797,
"timestamp": "2024-11-25T07:22:48.000Z",
"merchant_txn_ref": "qwe",
"stored_payment_method_id": null
},
"risk-details": {
"risk_score": null
}
}"#;

async fn answer<'s>(
    server: &'s MockServer,
    status: u16,
    body: &str,
) -> (Recorder, httpmock::Mock<'s>) {
    record(server, status, body).await
}

fn client(server: &MockServer) -> PaymentOptionsClient {
    PaymentOptionsClient::builder()
        .api_key(API_KEY)
        .merchant_id(MERCHANT)
        .base_url(server.url("/api/v1/api/v1"))
        .build()
        .unwrap()
}

/// The seed's card, valid on the date the seed was written (its expiry is 12/24).
fn seed_card() -> Card {
    Card::new_on(PAN, "12", "24", CVC, "John Doe", date!(2024 - 11 - 25)).unwrap()
}

fn jpy(text: &str) -> Money {
    Money::parse(text, Currency::JPY).unwrap()
}

fn localhost() -> IpAddr {
    "127.0.0.1".parse().unwrap()
}

fn seed_address(email: &str) -> Address {
    serde_json::from_value(json!({
        "country": "JP", "email": email, "phone_number": "8112345678",
        "address1": "1-2-3 Shinjuku", "city": "Shinjuku-ku", "state": "Tokyo",
        "postal_code": "1600022"
    }))
    .unwrap()
}

fn seed_browser_info() -> BrowserInfo {
    let mut info = BrowserInfo::default();
    info.accept_header = "text/html".into();
    info.screen_color_depth = "48".into();
    info.java_enabled = false;
    info.language = "en".into();
    info.screen_height = "1200".into();
    info.screen_width = "1600".into();
    info.challenge_window = "4".into();
    info.user_agent = "Mozilla/4.0 (MSIE 6.0; Windows NT 5.0)".into();
    info
}

/// The seed's full request, with real URLs where it shows placeholders.
fn seed_request(source: PaymentSource) -> PurchaseRequest {
    PurchaseRequest::builder(jpy("1000"), source, "qwe", localhost())
        .return_url(
            ReturnUrl::default()
                .with_webhook(Url::parse("https://shop.example/webhook").unwrap())
                .with_success(Url::parse("http://www.successurl.com/").unwrap())
                .with_decline(Url::parse("http://www.declineurl.com/").unwrap()),
        )
        .billing_address(seed_address("billing@testemail.com"))
        .shipping_address(seed_address("shipping@testemail.com"))
        .browser_info(seed_browser_info())
        .time_zone("Asia/Kuala_Lumpur")
        .build()
        .unwrap()
}

/// The seed's curl body, with the same real URLs and merchant id.
fn seed_body() -> Value {
    json!({
        "amount": "1000",
        "currency": "JPY",
        "card": {"cvc": "100", "expiry_month": "12", "expiry_year": "24", "name": "John Doe", "number": "5200000000001005"},
        "merchant_txn_ref": "qwe",
        "customer_ip": "127.0.0.1",
        "merchant_id": MERCHANT,
        "return_url": {
            "webhook_url": "https://shop.example/webhook",
            "success_url": "http://www.successurl.com/",
            "decline_url": "http://www.declineurl.com/"
        },
        "billing_address": {"country": "JP", "email": "billing@testemail.com", "phone_number": "8112345678", "address1": "1-2-3 Shinjuku", "city": "Shinjuku-ku", "state": "Tokyo", "postal_code": "1600022"},
        "shipping_address": {"country": "JP", "email": "shipping@testemail.com", "phone_number": "8112345678", "address1": "1-2-3 Shinjuku", "city": "Shinjuku-ku", "state": "Tokyo", "postal_code": "1600022"},
        "browser_info": {"acceptHeader": "text/html", "screenColorDepth": "48", "javaEnabled": false, "language": "en", "screenHeight": "1200", "screenWidth": "1600", "challengeWindow": "4", "userAgent": "Mozilla/4.0 (MSIE 6.0; Windows NT 5.0)"},
        "time_zone": "Asia/Kuala_Lumpur"
    })
}

fn assert_documented_headers(seen: &Received) {
    assert_eq!(
        seen.header("authorization"),
        Some(format!("Basic {API_KEY}").as_str())
    );
    assert_eq!(seen.header("x-api-key"), Some(API_KEY));
    assert_eq!(seen.header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn purchase_v1_sends_the_seed_request_and_decodes_the_seed_answer_field_by_field() {
    let server = MockServer::start_async().await;
    let (recorder, mock) = answer(&server, 201, SEED_201).await;
    let response = client(&server)
        .purchase(&seed_request(PaymentSource::Card(Box::new(seed_card()))))
        .await
        .unwrap();
    mock.assert_async().await;
    let seen = &recorder.all()[0];
    assert_eq!(
        seen.path,
        "/api/v1/api/v1/server-to-server-interface/payment"
    );
    assert_documented_headers(seen);
    assert_eq!(seen.json(), seed_body());

    assert!(response.success);
    assert_eq!(response.status_code, Some(Lenient::Parsed(201)));
    assert_eq!(response.is_live(), Some(false));
    assert_eq!(response.transaction_type, Some(TransactionType::PreAuth));
    assert_eq!(response.status(), PaymentStatus::Authorized);
    let gateway = &response.gateway_response;
    assert_eq!(gateway.version.as_deref(), Some("1"));
    assert_eq!(gateway.kind.as_deref(), Some("INFO"));
    assert_eq!(gateway.message, "Payment Successful.");
    assert_eq!(gateway.code, "INFO0000");
    let merchant = response.merchant_details().unwrap();
    assert_eq!(merchant.legal_name.as_deref(), Some("Tink15 Factory"));
    assert_eq!(merchant.mid.as_deref(), Some("< Merchant ID >"));
    assert_eq!(merchant.merchant_txn_ref.as_deref(), Some("qwe"));
    let billing = merchant
        .billing_details
        .as_ref()
        .and_then(Lenient::parsed)
        .unwrap()
        .billing_address
        .as_ref()
        .unwrap();
    assert_eq!(billing, &seed_address("billing@testemail.com"));
    let device = merchant
        .device_details
        .as_ref()
        .and_then(Lenient::parsed)
        .unwrap();
    assert_eq!(device.visited_ip.as_deref(), Some("127.0.0.1"));
    assert_eq!(device.merchant_ip.as_deref(), Some("127.0.0.1"));
    assert_eq!(device.customer_ip.as_deref(), Some("127.0.0.1"));
    let payment = response.payment_details().unwrap();
    assert_eq!(payment.amount.unwrap().to_string(), "1000");
    assert_eq!(payment.response_code, Some(0));
    assert_eq!(payment.auth_code.as_deref(), Some("917290"));
    assert_eq!(payment.currency.as_deref(), Some("JPY"));
    assert_eq!(payment.payment_method.as_deref(), Some("ECMC-SSL"));
    assert_eq!(payment.scheme.as_deref(), Some("MASTERCARD"));
    let card = payment.card().unwrap();
    assert_eq!(card.name.as_deref(), Some("John Doe"));
    assert_eq!(card.number.to_string(), "****1005");
    assert_eq!(card.exp_month.as_deref(), Some("12"));
    assert_eq!(card.exp_year.as_deref(), Some("24"));
    assert_eq!(
        payment.additional_data.as_ref().unwrap()["payment_data_source"]["type"],
        "card"
    );
    let transaction = response.transaction_details.as_ref().unwrap();
    assert_eq!(transaction.id, "ab8444e7-fec0-40dd-994d-0ad813785f74");
    assert_eq!(transaction.reference.as_deref(), Some("74797"));
    assert_eq!(
        transaction.timestamp().unwrap(),
        time::macros::datetime!(2024-11-25 07:22:48 UTC)
    );
    assert_eq!(transaction.merchant_txn_ref.as_deref(), Some("qwe"));
    assert!(transaction.stored_payment_method_id.is_none());
    assert_eq!(
        response
            .risk_details
            .as_ref()
            .and_then(Lenient::parsed)
            .unwrap()
            .risk_score,
        None,
        "risk_score is null"
    );
    // The echoed card number never shows.
    assert!(!format!("{response:?}").contains(PAN));
}

#[tokio::test]
async fn purchase_v2_sends_browser_info_and_returns_a_challenge_or_a_result() {
    let server = MockServer::start_async().await;
    let (recorder, _mock) = answer(
        &server,
        200,
        r#"{"url":"https://acs.example/3ds","statusCode":200,"success":true,"redirect_url":"https://acs.example/3ds/challenge?id=42"}"#,
    )
    .await;
    let card = Card::new_on(
        "4000002500003155",
        "12",
        "30",
        "737",
        "Jane Doe",
        date!(2026 - 11 - 22),
    )
    .unwrap();
    let request = PurchaseRequest::builder(
        jpy("5000"),
        PaymentSource::Card(Box::new(card)),
        "order-3ds",
        localhost(),
    )
    .return_url(ReturnUrl::default().with_success(Url::parse("https://shop.example/back").unwrap()))
    .browser_info(seed_browser_info())
    .build()
    .unwrap();
    let outcome = client(&server).purchase_v2(&request).await.unwrap();
    let PurchaseOutcome::ChallengeRequired(challenge) = outcome else {
        panic!("expected a challenge: {outcome:?}")
    };
    assert_eq!(
        challenge.redirect_url.as_str(),
        "https://acs.example/3ds/challenge?id=42"
    );
    assert_eq!(challenge.url.as_deref(), Some("https://acs.example/3ds"));
    assert_eq!(challenge.status_code, Some(200));
    let seen = &recorder.all()[0];
    assert_eq!(
        seen.path,
        "/api/v1/api/v1/server-to-server-interface/paymentv2"
    );
    assert_documented_headers(seen);
    assert_eq!(seen.json()["browser_info"], seed_body()["browser_info"]);
    assert_eq!(seen.json()["card"]["number"], "4000002500003155");
    assert_eq!(seen.json()["card"]["expiry_year"], "30");

    let server = MockServer::start_async().await;
    let (_recorder, _mock) = answer(&server, 201, SEED_201).await;
    let outcome = client(&server).purchase_v2(&request).await.unwrap();
    assert!(
        matches!(outcome, PurchaseOutcome::Completed(r) if r.gateway_response.code == "INFO0000")
    );
}

#[tokio::test]
async fn tokenize_then_pay_with_the_token_and_no_card() {
    let server = MockServer::start_async().await;
    let stored = SEED_201
        .replace(
            "\"stored_payment_method_id\": null",
            "\"stored_payment_method_id\": \"pm_7f3e9c\"",
        )
        .replace("PRE_AUTH", "CAPTURE");
    let (recorder, _mock) = answer(&server, 201, &stored).await;
    let gateway = client(&server);
    let card = Card::new_on(
        "4000000000001091",
        "12",
        "30",
        "123",
        "John Doe",
        date!(2026 - 11 - 22),
    )
    .unwrap();
    let minimal = |source| {
        PurchaseRequest::builder(jpy("1000"), source, "order-token", localhost())
            .build()
            .unwrap()
    };
    let first = gateway
        .purchase(&minimal(PaymentSource::CardAndStore(Box::new(card))))
        .await
        .unwrap();
    let token = first
        .transaction_details
        .unwrap()
        .stored_payment_method_id
        .unwrap();
    assert_eq!(token.expose(), "pm_7f3e9c");
    assert!(!format!("{token:?}").contains("pm_7f3e9c"));

    gateway
        .purchase(&minimal(PaymentSource::StoredCard(token)))
        .await
        .unwrap();
    let seen = recorder.all();
    assert_eq!(
        seen[0].json()["payment_method"],
        json!({"type": "scheme", "store_payment_method": true})
    );
    assert_eq!(seen[0].json()["card"]["number"], "4000000000001091");
    assert_eq!(
        seen[1].json()["payment_method"],
        json!({"type": "scheme", "stored_payment_method_id": "pm_7f3e9c"})
    );
    assert!(
        seen[1].json().get("card").is_none(),
        "no card with a stored card"
    );
    // Optional fields are omitted, not null.
    let second = seen[1].json();
    let mut keys: Vec<&str> = second
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "amount",
            "currency",
            "customer_ip",
            "merchant_id",
            "merchant_txn_ref",
            "payment_method"
        ]
    );
}

#[tokio::test]
async fn declines_and_error_answers_keep_the_gateway_code_and_message() {
    let server = MockServer::start_async().await;
    let declined = r#"{"success":false,"status_code":402,"gateway_response":{"type":"ERROR","message":"Do not honor","code":"ERR0005"},"payment_details":{"amount":1000,"card":{"number":"4000000000000002"}}}"#;
    let (_recorder, mock) = answer(&server, 201, declined).await;
    let err = client(&server)
        .purchase(&seed_request(PaymentSource::Card(Box::new(seed_card()))))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, PaymentOptionsError::Declined { code, message, .. } if code == "ERR0005" && message == "Do not honor"),
        "{err:?}"
    );
    assert!(!format!("{err:?}").contains("4000000000000002"));
    let core: payments_core::Error = err.into();
    assert_eq!(core.kind(), ErrorKind::Declined);
    assert!(!core.outcome_unknown());
    assert_eq!(mock.calls_async().await, 1);

    let server = MockServer::start_async().await;
    let (_recorder, _mock) = answer(
        &server,
        401,
        r#"{"success":false,"gateway_response":{"message":"Invalid API key","code":"AUTH0001"}}"#,
    )
    .await;
    let err = client(&server)
        .purchase(&seed_request(PaymentSource::Card(Box::new(seed_card()))))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, PaymentOptionsError::Api { status: 401, code, .. } if code == "AUTH0001")
    );
    let core: payments_core::Error = err.into();
    assert_eq!(core.kind(), ErrorKind::Authentication);
    assert_eq!(core.provider_code(), Some("AUTH0001"));
}

#[tokio::test]
async fn broken_answers_are_typed_and_a_purchase_is_sent_once() {
    for (status, body, kind) in [
        (
            502,
            "<html><body>502 Bad Gateway</body></html>",
            ErrorKind::HttpStatus,
        ),
        (
            500,
            r#"{"success":false,"gateway_response":{"message":"Internal","code":"SYS0001"}}"#,
            ErrorKind::HttpStatus,
        ),
        (201, "<html>maintenance</html>", ErrorKind::Decode),
        (201, "", ErrorKind::Decode),
        (201, &SEED_201[..300], ErrorKind::Decode),
        (201, r#"{"success":"yes"}"#, ErrorKind::Decode),
    ] {
        let server = MockServer::start_async().await;
        let (_recorder, mock) = answer(&server, status, body).await;
        let err = client(&server)
            .purchase(&seed_request(PaymentSource::Card(Box::new(seed_card()))))
            .await
            .unwrap_err();
        assert_eq!(payments_core::Classify::kind(&err), kind, "{body}");
        assert!(
            payments_core::Classify::outcome_unknown(&err),
            "{body}: the card may be charged"
        );
        assert_eq!(mock.calls_async().await, 1, "{body}: never resent");
        assert!(!format!("{err:?} {err}").contains(PAN), "{err:?}");
    }
}

#[tokio::test]
async fn a_purchase_that_times_out_after_sending_is_unknown_and_not_retried() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST);
            then.status(201)
                .delay(Duration::from_millis(1500))
                .body(SEED_201);
        })
        .await;
    let gateway = PaymentOptionsClient::builder()
        .api_key(API_KEY)
        .merchant_id(MERCHANT)
        .base_url(server.url("/api/v1"))
        .http_config(HttpConfig::new("test", "0").request_timeout(Duration::from_millis(200)))
        .build()
        .unwrap();
    let err = gateway
        .purchase(&seed_request(PaymentSource::Card(Box::new(seed_card()))))
        .await
        .unwrap_err();
    assert_eq!(payments_core::Classify::kind(&err), ErrorKind::Timeout);
    assert!(payments_core::Classify::outcome_unknown(&err));
    assert_eq!(mock.calls_async().await, 1);
}

#[tokio::test]
async fn card_data_and_the_api_key_never_show_in_debug_errors_or_logs() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST);
            then.status(500).body(format!(
                r#"<pre>{{"card":{{"number":"{PAN}","cvc":"{CVC}"}},"x-api-key":"{API_KEY}","echo":"{API_KEY}"}}</pre>"#
            ));
        })
        .await;
    let logs = payments_test_support::CapturedLogs::start();
    let gateway = client(&server);
    let request = seed_request(PaymentSource::Card(Box::new(seed_card())));
    let err = gateway.purchase(&request).await.unwrap_err();
    let builder = PaymentOptionsClient::builder().api_key(API_KEY);
    let stored = PurchaseRequest::builder(
        jpy("1"),
        PaymentSource::StoredCard(Secret::new("pm_secret_token")),
        "r",
        localhost(),
    )
    .build()
    .unwrap();
    for shown in [
        format!("{gateway:?}"),
        format!("{builder:?}"),
        format!("{request:?}"),
        format!("{stored:?}"),
        format!("{err:?}"),
        format!("{err}"),
        logs.text(),
    ] {
        for leaked in [PAN, "520000", API_KEY, "pm_secret_token"] {
            assert!(!shown.contains(leaked), "{leaked} in {shown}");
        }
        assert!(!shown.contains(&format!("\"{CVC}\"")), "{shown}");
    }
    assert!(logs.text().contains("payment_provider_call"));
}

#[tokio::test]
async fn invalid_input_is_refused_before_anything_is_sent() {
    let server = MockServer::start_async().await;
    let (_recorder, mock) = answer(&server, 201, SEED_201).await;
    let card = || PaymentSource::Card(Box::new(seed_card()));
    for (builder, field) in [
        (
            PurchaseRequest::builder(jpy("0"), card(), "r", localhost()),
            "amount",
        ),
        (
            PurchaseRequest::builder(jpy("1"), card(), "  ", localhost()),
            "merchant_txn_ref",
        ),
        (
            PurchaseRequest::builder(
                jpy("1"),
                PaymentSource::StoredCard(Secret::new("")),
                "r",
                localhost(),
            ),
            "payment_method.stored_payment_method_id",
        ),
        (
            PurchaseRequest::builder(jpy("1"), card(), "r", localhost())
                .billing_address(seed_address("a@b.jp"))
                .shipping_address({
                    let mut address = seed_address("a@b.jp");
                    address.country = Some("Japan".into());
                    address
                }),
            "shipping_address",
        ),
    ] {
        let err = builder.build().unwrap_err();
        assert!(
            matches!(&err, payments_core::Error::InvalidInput { field: f, .. } if f == field),
            "{field}: {err:?}"
        );
    }
    assert!(
        Money::parse("10.5", Currency::JPY).is_err(),
        "a JPY fraction cannot even be built"
    );
    assert!(
        Card::new("5200000000001005", "12", "20", "100", "J").is_err(),
        "expired"
    );

    let gateway: Arc<dyn PaymentProvider> = Arc::new(client(&server));
    let no_ip = PaymentRequest::new(jpy("1000"), "r")
        .unwrap()
        .with_method(PaymentMethod::Card(Box::new(seed_card())));
    let err = gateway.create_payment(&no_ip).await.unwrap_err();
    assert!(
        matches!(&err, payments_core::Error::InvalidInput { field, .. } if field == "customer.ip")
    );
    let crypto = no_ip.clone().with_method(PaymentMethod::Crypto {
        asset: "btc".into(),
    });
    let err = gateway.create_payment(&crypto).await.unwrap_err();
    assert!(matches!(&err, payments_core::Error::InvalidInput { field, .. } if field == "method"));
    assert_eq!(mock.calls_async().await, 0);
}

#[tokio::test]
async fn the_common_trait_maps_outcomes() {
    let server = MockServer::start_async().await;
    let (recorder, _mock) = answer(&server, 201, SEED_201).await;
    let gateway: Arc<dyn PaymentProvider> = Arc::new(client(&server));
    assert!(gateway.capabilities().accepts(&PaymentMethod::StoredCard {
        token: Secret::new("t")
    }));
    let request = PaymentRequest::new(jpy("1000"), "qwe")
        .unwrap()
        .with_method(PaymentMethod::Card(Box::new(seed_card())))
        .with_customer(Customer::default().with_ip(localhost()))
        .with_urls(
            ReturnUrls::default()
                .with_success(Url::parse("https://shop.example/back").unwrap())
                .with_notification(Url::parse("https://shop.example/webhook").unwrap()),
        );
    let payment = gateway.create_payment(&request).await.unwrap();
    assert_eq!(payment.status, PaymentStatus::Authorized, "PRE_AUTH");
    assert_eq!(payment.id, "ab8444e7-fec0-40dd-994d-0ad813785f74");
    assert_eq!(payment.reference.as_deref(), Some("qwe"));
    let seen = &recorder.all()[0];
    assert_eq!(
        seen.path,
        "/api/v1/api/v1/server-to-server-interface/paymentv2"
    );
    assert_eq!(
        seen.json()["return_url"],
        json!({"webhook_url": "https://shop.example/webhook", "success_url": "https://shop.example/back"})
    );

    let server = MockServer::start_async().await;
    let (_recorder, _mock) = answer(
        &server,
        200,
        r#"{"success":true,"redirect_url":"https://acs.example/c"}"#,
    )
    .await;
    let gateway: Arc<dyn PaymentProvider> = Arc::new(client(&server));
    let payment = gateway.create_payment(&request).await.unwrap();
    assert_eq!(
        payment.status,
        PaymentStatus::RequiresCustomerAction {
            url: Url::parse("https://acs.example/c").unwrap()
        }
    );
    assert_eq!(
        gateway.cancel_payment("x").await.unwrap_err().kind(),
        ErrorKind::Unsupported
    );
}

#[test]
fn from_env_and_the_documented_test_host() {
    let err =
        PaymentOptionsClient::from_env_with(&[("PAYMENTOPTIONS_MERCHANT_ID", "m")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "configuration error: PAYMENTOPTIONS_API_KEY: is not set or is empty"
    );
    let err = PaymentOptionsClient::from_env_with(&[("PAYMENTOPTIONS_API_KEY", "k")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "configuration error: PAYMENTOPTIONS_MERCHANT_ID: is not set or is empty"
    );
    let err = PaymentOptionsClient::from_env_with(&[
        ("PAYMENTOPTIONS_API_KEY", "k"),
        ("PAYMENTOPTIONS_MERCHANT_ID", "m"),
        ("PAYMENTOPTIONS_BASE_URL", "http://live.example/api/v1"),
    ])
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("configuration error: PAYMENTOPTIONS_BASE_URL:")
    );
    let err = PaymentOptionsClient::from_env_with(&[
        ("PAYMENTOPTIONS_API_KEY", "k"),
        ("PAYMENTOPTIONS_MERCHANT_ID", "m"),
    ])
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("configuration error: PAYMENTOPTIONS_ENV: is not set"),
        "never in an environment by accident: {err}"
    );
    let err = PaymentOptionsClient::from_env_with(&[
        ("PAYMENTOPTIONS_API_KEY", "k"),
        ("PAYMENTOPTIONS_MERCHANT_ID", "m"),
        ("PAYMENTOPTIONS_ENV", "live"),
    ])
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("configuration error: PAYMENTOPTIONS_BASE_URL:")
    );
    let err = PaymentOptionsClient::from_env_with(&[
        ("PAYMENTOPTIONS_API_KEY", "k"),
        ("PAYMENTOPTIONS_MERCHANT_ID", "m"),
        ("PAYMENTOPTIONS_ENV", "staging"),
    ])
    .unwrap_err();
    assert!(err.to_string().contains("PAYMENTOPTIONS_ENV"));
    let gateway = PaymentOptionsClient::from_env_with(&[
        ("PAYMENTOPTIONS_API_KEY", "k"),
        ("PAYMENTOPTIONS_MERCHANT_ID", "m"),
        ("PAYMENTOPTIONS_ENV", "test"),
    ])
    .unwrap();
    assert!(format!("{gateway:?}").contains("\"https://api-dev.paymentoptions.com/api/v1\""));
    assert_eq!(gateway.environment(), paymentoptions::Environment::Test);
    let live = PaymentOptionsClient::from_env_with(&[
        ("PAYMENTOPTIONS_API_KEY", "k"),
        ("PAYMENTOPTIONS_MERCHANT_ID", "m"),
        ("PAYMENTOPTIONS_BASE_URL", "https://gateway.example/api/v1"),
    ])
    .unwrap();
    assert_eq!(live.environment(), paymentoptions::Environment::Live);
    assert_eq!(gateway.merchant_id(), "m");
}
