//! The transaction lifecycle on the wire, against httpmock on 127.0.0.1: the follow-up
//! operations' exact requests, the two credentials, environments, webhook confirmation, the
//! trait's lifecycle, money-moving calls sent once, and the lenient decoder.

// Test helpers panic on failure by design.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use httpmock::prelude::*;
use paymentoptions::{
    CaptureRequest, Environment, PaymentOptionsClient, PaymentOptionsError, RefundRequest,
    TransactionResponse, TransactionType,
};
use payments_core::http::HttpConfig;
use payments_core::{Currency, ErrorKind, Money, PaymentProvider, PaymentStatus};
use payments_test_support::{CapturedLogs, record};
use proptest::prelude::*;
use serde_json::json;

const API_KEY: &str = "pk_lifecycle_0123456789";
const X_API_KEY: &str = "xk_lifecycle_9876543210";
const MERCHANT: &str = "M-LIFE";
const PAN: &str = "5200000000001005";

/// The capture page's documented answer, with `is_live` and the ids as given.
fn answer(transaction_type: &str, code: &str, id: &str, is_live: bool) -> String {
    json!({
        "success": true, "status_code": 201, "is_live": is_live,
        "transaction_type": transaction_type,
        "gateway_response": {"version": "1", "type": "INFO", "message": "ok", "code": code},
        "merchant_details": {"legal_name": "Tink15 Factory", "mid": MERCHANT, "merchant_txn_ref": "qwe"},
        "payment_details": {"amount": 1000, "response_code": 0, "auth_code": "264302", "currency": "JPY",
            "payment_method": "ECMC-SSL", "scheme": "MASTERCARD",
            "card": {"name": "John Doe", "number": PAN, "exp_month": "12", "exp_year": "24"}},
        "transaction_details": {"id": id, "ref": 74819, "timestamp": "2024-11-25T08:41:15.000Z",
            "merchant_txn_ref": "qwe"}
    })
    .to_string()
}

fn client(server: &MockServer) -> PaymentOptionsClient {
    PaymentOptionsClient::builder()
        .api_key(API_KEY)
        .x_api_key(X_API_KEY)
        .merchant_id(MERCHANT)
        .base_url(server.url("/api/v1"))
        .build()
        .unwrap()
}

fn jpy(text: &str) -> Money {
    Money::parse(text, Currency::JPY).unwrap()
}

#[tokio::test]
async fn follow_ups_send_the_documented_requests_with_both_credentials() {
    let server = MockServer::start_async().await;
    let (recorder, _mock) =
        record(&server, 201, &answer("CAPTURE", "INFO0001", "cap-1", false)).await;
    let gateway = client(&server);
    let captured = gateway
        .capture(&CaptureRequest::new("auth-1", jpy("1000"), Some("ship".into())).unwrap())
        .await
        .unwrap();
    assert_eq!(captured.transaction_type, Some(TransactionType::Capture));
    assert_eq!(captured.status(), PaymentStatus::Captured);
    gateway
        .refund(&RefundRequest::new("cap-1", jpy("250"), None).unwrap())
        .await
        .unwrap();
    gateway.void("auth-2").await.unwrap();
    gateway.transaction_status("cap-1").await.unwrap();

    let seen = recorder.all();
    let paths: Vec<(&str, &str)> = seen
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    assert_eq!(
        paths,
        [
            ("POST", "/api/v1/server-to-server-interface/capture"),
            ("POST", "/api/v1/server-to-server-interface/refund"),
            ("POST", "/api/v1/server-to-server-interface/void"),
            (
                "GET",
                "/api/v1/server-to-server-interface/transaction/status/cap-1"
            ),
        ]
    );
    // Field names, JSON types and order as documented: camelCase id, numeric amount.
    assert_eq!(
        seen[0].text(),
        r#"{"transactionId":"auth-1","amount":1000,"merchant_id":"M-LIFE","notes":"ship"}"#
    );
    assert_eq!(
        seen[1].text(),
        r#"{"transactionId":"cap-1","amount":250,"merchant_id":"M-LIFE"}"#
    );
    assert_eq!(
        seen[2].text(),
        r#"{"transactionId":"auth-2","merchant_id":"M-LIFE"}"#
    );
    assert!(seen[3].body.is_empty());
    for request in &seen {
        assert_eq!(
            request.header("authorization"),
            Some(format!("Basic {API_KEY}").as_str())
        );
        assert_eq!(request.header("x-api-key"), Some(X_API_KEY));
    }
    assert_eq!(seen[0].header("content-type"), Some("application/json"));
    assert_eq!(
        seen[3].header("content-type"),
        None,
        "GET carries no body type"
    );
    let shown = format!("{gateway:?}{captured:?}");
    for secret in [API_KEY, X_API_KEY, PAN] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}

#[tokio::test]
async fn amounts_with_a_fraction_go_out_as_exact_json_numbers() {
    let server = MockServer::start_async().await;
    let (recorder, _mock) = record(&server, 201, &answer("REFUND", "INFO0002", "r-1", false)).await;
    let usd = Money::parse("10.50", Currency::USD).unwrap();
    client(&server)
        .refund(&RefundRequest::new("cap-1", usd, None).unwrap())
        .await
        .unwrap();
    assert_eq!(
        recorder.first().text(),
        r#"{"transactionId":"cap-1","amount":10.50,"merchant_id":"M-LIFE"}"#
    );
}

#[tokio::test]
async fn money_moving_follow_ups_are_sent_once_and_say_the_outcome_is_unknown() {
    for operation in ["capture", "refund", "void"] {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.any_request();
                then.status(201)
                    .delay(Duration::from_millis(400))
                    .body(answer("CAPTURE", "INFO0001", "x", false));
            })
            .await;
        let gateway = PaymentOptionsClient::builder()
            .api_key(API_KEY)
            .merchant_id(MERCHANT)
            .base_url(server.url("/api/v1"))
            .http_config(HttpConfig::new("test", "0").request_timeout(Duration::from_millis(100)))
            .build()
            .unwrap();
        let result = match operation {
            "capture" => {
                gateway
                    .capture(&CaptureRequest::new("a", jpy("1"), None).unwrap())
                    .await
            }
            "refund" => {
                gateway
                    .refund(&RefundRequest::new("a", jpy("1"), None).unwrap())
                    .await
            }
            _ => gateway.void("a").await,
        };
        let err = payments_core::Error::from(result.unwrap_err());
        assert!(err.outcome_unknown(), "{operation}: {err}");
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(mock.calls_async().await, 1, "{operation} was resent");
    }
}

#[tokio::test]
async fn an_answer_from_the_other_environment_is_refused_as_unknown() {
    let server = MockServer::start_async().await;
    let (_recorder, _mock) = record(&server, 201, &answer("CAPTURE", "INFO0001", "c", true)).await;
    let err = client(&server)
        .capture(&CaptureRequest::new("a", jpy("1"), None).unwrap())
        .await
        .unwrap_err();
    let err = payments_core::Error::from(err);
    assert_eq!(err.kind(), ErrorKind::WrongEnvironment);
    assert!(err.outcome_unknown());
    assert!(err.to_string().contains("live environment"), "{err}");

    // A client configured live refuses a test answer.
    let server = MockServer::start_async().await;
    let (_recorder, _mock) = record(&server, 200, &answer("CAPTURE", "INFO0000", "c", false)).await;
    let live = PaymentOptionsClient::builder()
        .api_key(API_KEY)
        .merchant_id(MERCHANT)
        .environment(Environment::Live)
        .base_url(server.url("/api/v1"))
        .build()
        .unwrap();
    let err = live.transaction_status("c").await.unwrap_err();
    assert_eq!(
        payments_core::Error::from(err).kind(),
        ErrorKind::WrongEnvironment
    );
}

#[tokio::test]
async fn a_webhook_is_confirmed_by_the_status_of_its_transaction() {
    let server = MockServer::start_async().await;
    let status = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v1/server-to-server-interface/transaction/status/tx-42");
            then.status(200)
                .body(answer("CAPTURE", "INFO0000", "tx-42", false));
        })
        .await;
    let webhook = json!({"success": true, "status_code": 200, "transaction_type": "CAPTURE",
        "gateway_response": {"code": "INFO0000", "message": "Payment Successful."},
        "payment_details": {"amount": 1000, "card": {"number": PAN}},
        "transaction_details": {"id": "tx-42", "merchant_txn_ref": "order-9"}});
    let confirmed = client(&server)
        .confirm_webhook(webhook.to_string().as_bytes())
        .await
        .unwrap();
    status.assert_async().await;
    assert_eq!(confirmed.transaction_id(), Some("tx-42"));
    assert_eq!(confirmed.status(), PaymentStatus::Captured);
    let err = client(&server)
        .confirm_webhook(br#"{"success":true}"#)
        .await
        .unwrap_err();
    assert_eq!(
        payments_core::Error::from(err).kind(),
        ErrorKind::InvalidInput
    );
}

#[tokio::test]
async fn the_trait_captures_everything_by_asking_the_status_first() {
    let server = MockServer::start_async().await;
    let status = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v1/server-to-server-interface/transaction/status/auth-7");
            then.status(200)
                .body(answer("PRE_AUTH", "INFO0000", "auth-7", false));
        })
        .await;
    let capture = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v1/server-to-server-interface/capture")
                .json_body(
                    json!({"transactionId": "auth-7", "amount": 1000, "merchant_id": MERCHANT}),
                );
            then.status(201)
                .body(answer("CAPTURE", "INFO0001", "cap-7", false));
        })
        .await;
    let provider: Arc<dyn PaymentProvider> = Arc::new(client(&server));
    let caps = provider.capabilities();
    assert!(caps.capture_payment && caps.void_payment && caps.refund_payment && caps.get_payment);
    let captured = provider.capture_payment("auth-7", None).await.unwrap();
    status.assert_async().await;
    capture.assert_async().await;
    assert_eq!(captured.id, "cap-7", "a capture is its own transaction");
    assert_eq!(captured.status, PaymentStatus::Captured);
    assert_eq!(captured.amount, Some(jpy("1000")));
    assert_eq!(captured.reference.as_deref(), Some("qwe"));
    let record = captured.record_as::<TransactionResponse>().unwrap();
    assert_eq!(record.gateway_response.code, "INFO0001");
}

#[tokio::test]
async fn invalid_follow_ups_are_refused_before_sending() {
    let server = MockServer::start_async().await;
    let (_recorder, mock) = record(&server, 201, "{}").await;
    let gateway = client(&server);
    for (result, field) in [
        (
            CaptureRequest::new(" ", jpy("1"), None).err(),
            "transactionId",
        ),
        (
            CaptureRequest::new("a", Money::zero(Currency::JPY), None).err(),
            "amount",
        ),
        (
            CaptureRequest::new(&"x".repeat(37), jpy("1"), None).err(),
            "transactionId",
        ),
        (
            CaptureRequest::new("a", jpy("1"), Some("a\u{0}".into())).err(),
            "notes",
        ),
    ] {
        assert!(result.unwrap().to_string().contains(field), "{field}");
    }
    for id in ["", "../payment", "a/b", "a?b"] {
        assert!(gateway.void(id).await.is_err(), "{id:?}");
        assert!(gateway.transaction_status(id).await.is_err(), "{id:?}");
    }
    assert_eq!(mock.calls_async().await, 0);
}

#[tokio::test]
async fn echoed_card_numbers_never_reach_logs_or_errors() {
    let logs = CapturedLogs::start();
    let server = MockServer::start_async().await;
    let declined = json!({"success": false, "transaction_type": "REFUND",
        "gateway_response": {"code": "ERR3019", "message": "Insufficient refund balance"},
        "payment_details": {"amount": 1, "response_code": -8019, "card": {"number": PAN, "cvc": "737"}}});
    let (_recorder, _mock) = record(&server, 201, &declined.to_string()).await;
    let err = client(&server)
        .refund(&RefundRequest::new("cap-1", jpy("1"), None).unwrap())
        .await
        .unwrap_err();
    assert!(matches!(&err, PaymentOptionsError::Declined { code, .. } if code == "ERR3019"));
    assert_eq!(err.response_code().map(|c| c.0), Some(-8019));
    let shown = format!("{err} {err:?} {}", logs.text());
    assert!(!shown.contains(PAN), "{shown}");
    // As a whole number: log timestamps and ports are digits too, and once held "…148737Z".
    assert!(
        !shown
            .split(|c: char| !c.is_ascii_digit())
            .any(|n| n == "737"),
        "{shown}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever shape the informational fields take, `success: true` with a transaction id is
    /// a completed transaction, and no card number survives decoding.
    #[test]
    fn informational_fields_never_turn_a_success_into_an_error(
        status_code in prop_oneof![Just("201"), Just("\"201\""), Just("null"), Just("[]"), Just("true")],
        is_live in prop_oneof![Just("false"), Just("\"no\""), Just("0"), Just("null")],
        amount in prop_oneof![Just("1000"), Just("\"1000.00\""), Just("1e3"), Just("null"), Just("{}")],
        card in prop_oneof![Just(r#"{"number":"5200000000001005"}"#), Just("5200000000001005"), Just("null"), Just("[1]"), Just(r#"{"number":5200000000001005}"#)],
        timestamp in prop_oneof![Just("\"2024-11-25T08:41:15.000Z\""), Just("\"25/11/2024\""), Just("1732523000"), Just("null")],
        risk_key in prop_oneof![Just("risk-details"), Just("risk_details"), Just("risk")],
        risk in prop_oneof![Just("{\"risk_score\":null}"), Just("\"high\""), Just("7")],
        merchant in prop_oneof![Just("{}"), Just("\"text\""), Just(r#"{"mid":12}"#), Just(r#"{"billing_details":5}"#)],
        extra in prop_oneof![Just(""), Just(r#","surprise":{"nested":[1,2,3]}"#)],
    ) {
        let body = format!(
            r#"{{"success":true,"status_code":{status_code},"is_live":{is_live},"transaction_type":"CAPTURE",
                "gateway_response":{{"code":"INFO0001","message":"ok"}},"merchant_details":{merchant},
                "payment_details":{{"amount":{amount},"card":{card}}},
                "transaction_details":{{"id":"tx-1","timestamp":{timestamp},"ref":"r"}},
                "{risk_key}":{risk}{extra}}}"#
        );
        let decoded: TransactionResponse = serde_json::from_str(&body)
            .map_err(|e| TestCaseError::fail(format!("{e}: {body}")))?;
        prop_assert!(decoded.success);
        prop_assert_eq!(decoded.transaction_id(), Some("tx-1"));
        prop_assert_eq!(decoded.status(), PaymentStatus::Captured);
        let shown = format!("{decoded:?} {}", serde_json::to_string(&decoded).unwrap());
        prop_assert!(!shown.contains(PAN), "{}", shown);
    }
}
