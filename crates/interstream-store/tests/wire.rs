//! The INTER-STREAM client on the wire, against httpmock on 127.0.0.1: the exact query and form
//! of every action, the documented answers, failures, and secrecy.

// Test helpers panic on failure by design.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use httpmock::prelude::*;
use interstream_store::{
    AddedPayment, CreditAction, InterstreamClient, InterstreamError, RequestErrorReason, UserId,
    signature,
};
use payments_core::{
    Currency, Customer, ErrorKind, Money, PaymentProvider, PaymentRequest, PaymentStatus, Secret,
};
use payments_test_support::{Received, Recorder, record};

const KEY_ID: &str = "1b323a1cb879fd4e66530fbad07a32ee";
const SECRET: &str = "MWIzMjNhMWNiODc5ZmQ0ZTY2NTMwZmJhZDA3YTMyZWViOTQ3MDJiOGM2ZTU2NjE3";
const SALT_BYTES: [u8; 16] = [
    0x4f, 0x7c, 0x1d, 0x2e, 0x9a, 0x8b, 0x3c, 0x6d, 0x5e, 0x0f, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f,
];
const SALT: &str = "4f7c1d2e9a8b3c6d5e0f1a2b3c4d5e6f";
/// printf '%s' "${SALT}1732521601" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64
const SIGNATURE_AT_1732521601: &str = "Zguzbm8L9cSZcps9TABoG8/KmwZfABQj+RF4p48sGBk=";

async fn answer<'s>(
    server: &'s MockServer,
    status: u16,
    body: &str,
) -> (Recorder, httpmock::Mock<'s>) {
    record(server, status, body).await
}

/// Query parameter `name` of a request that must carry it.
fn q(seen: &Received, name: &str) -> String {
    seen.query_param(name)
        .unwrap_or_else(|| panic!("no {name} in {}", seen.raw_query))
}

/// A client with the clock and salt pinned, so the signature is a known answer.
fn pinned(server: &MockServer) -> InterstreamClient {
    InterstreamClient::builder()
        .api_url(server.url("/api.php"))
        .key_id(KEY_ID)
        .shared_secret(SECRET)
        .currency(Currency::EUR)
        .clock(Arc::new(|| 1_732_521_601))
        .salt_source(Arc::new(|| SALT_BYTES))
        .build()
        .unwrap()
}

fn real(server: &MockServer) -> InterstreamClient {
    InterstreamClient::builder()
        .api_url(server.url("/api.php"))
        .key_id(KEY_ID)
        .shared_secret(SECRET)
        .currency(Currency::EUR)
        .build()
        .unwrap()
}

fn eur(text: &str) -> Money {
    Money::parse(text, Currency::EUR).unwrap()
}

fn assert_signed(seen: &Received, go: &str, action: &str, iq: &str) {
    assert_eq!(q(seen, "go"), go);
    assert_eq!(q(seen, "do"), action);
    assert_eq!(q(seen, "iq"), iq);
    assert_eq!(q(seen, "key"), KEY_ID);
    let salt = q(seen, "salt");
    assert_eq!(salt.len(), 32);
    assert!(
        salt.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    );
    let timestamp: u64 = q(seen, "timestamp").parse().unwrap();
    let expected = signature(&Secret::new(SECRET), &salt, timestamp).unwrap();
    assert_eq!(
        q(seen, "signature"),
        expected.expose(),
        "the signature verifies"
    );
}

#[tokio::test]
async fn add_payment_sends_the_documented_query_form_and_a_known_signature() {
    let server = MockServer::start_async().await;
    let (recorder, mock) = answer(&server, 200, r#"{ "ok":"Payment was added" }"#).await;
    let description = "Pagado a través de SuperGateway, ID: 154YTR984YX & más = 1+1";
    let message = pinned(&server)
        .add_payment(UserId::new(2).unwrap(), eur("4.5"), Some(description))
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(message, "Payment was added");

    let seen = &recorder.all()[0];
    assert_eq!(seen.method, "POST");
    assert_eq!(
        seen.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    // The query, in the order of the PHP sample, with the signature percent-encoded.
    assert_eq!(
        seen.raw_query,
        format!(
            "go=store&do=add_payment&iq=2&timestamp=1732521601&salt={SALT}&key={KEY_ID}\
             &signature=Zguzbm8L9cSZcps9TABoG8%2FKmwZfABQj%2BRF4p48sGBk%3D"
        )
    );
    assert_eq!(q(seen, "signature"), SIGNATURE_AT_1732521601);
    assert_signed(seen, "store", "add_payment", "2");
    assert_eq!(
        seen.form(),
        vec![
            ("amount".to_owned(), "4.50".to_owned()),
            ("description".to_owned(), description.to_owned()),
        ]
    );
}

#[tokio::test]
async fn every_action_is_signed_and_shaped_as_documented() {
    let server = MockServer::start_async().await;
    let (recorder, _mock) = answer(&server, 200, r#"{"ok":"Credit was updated"}"#).await;
    let store = real(&server);
    store
        .add_subtract_credit(
            UserId::new(7).unwrap(),
            CreditAction::Subtract,
            eur("1.25"),
            None,
        )
        .await
        .unwrap();
    store
        .add_subtract_credit(
            UserId::new(7).unwrap(),
            CreditAction::Add,
            eur("3"),
            Some("refund R-1"),
        )
        .await
        .unwrap();
    let seen = recorder.all();
    assert_eq!(seen[0].method, "POST");
    assert_signed(&seen[0], "store", "add_subtract_credit", "7");
    assert_eq!(
        seen[0].form(),
        vec![
            ("creditAction".to_owned(), "subtract".to_owned()),
            ("amount".to_owned(), "1.25".to_owned()),
        ]
    );
    assert_eq!(
        seen[1].form()[0],
        ("creditAction".to_owned(), "add".to_owned())
    );
    assert_eq!(seen[1].form()[1], ("amount".to_owned(), "3.00".to_owned()));
    assert_eq!(
        seen[1].form()[2],
        ("description".to_owned(), "refund R-1".to_owned())
    );
    // Every request carries its own salt.
    assert_ne!(q(&seen[0], "salt"), q(&seen[1], "salt"));

    let server = MockServer::start_async().await;
    let (recorder, _mock) = answer(
        &server,
        200,
        r#"{"data": {"buyer_credit": "3.00", "buyer_credit_formatted": "3.00€"}}"#,
    )
    .await;
    let credit = real(&server)
        .get_credit(UserId::new(9).unwrap())
        .await
        .unwrap();
    assert_eq!(credit.amount.to_string(), "3.00");
    assert_eq!(credit.formatted, "3.00€");
    let seen = &recorder.all()[0];
    // Every signed request is a POST, as in the provider's sample; no fields, an empty form.
    assert_eq!(seen.method, "POST");
    assert!(seen.form().is_empty());
    assert_eq!(
        seen.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_signed(seen, "store", "get_credit", "9");

    let server = MockServer::start_async().await;
    let (recorder, _mock) = answer(
        &server,
        200,
        r#"{"list": [{"title": "Film", "id_clip": "5", "id_channel": null, "date_end": "1735689600", "in_grace_period": "0"}, "not an item"]}"#,
    )
    .await;
    let content = real(&server)
        .list_current_content(UserId::new(9).unwrap())
        .await
        .unwrap();
    assert_eq!(content.len(), 1, "an item in another shape is skipped");
    assert_eq!(content[0].title.as_deref(), Some("Film"));
    assert_eq!(content[0].id_clip.as_deref(), Some("5"));
    assert_eq!(content[0].id_channel, None);
    assert_eq!(content[0].in_grace_period, Some(false));
    assert_eq!(recorder.all()[0].method, "POST");
    assert_signed(&recorder.all()[0], "store", "list_current_content", "9");
}

#[tokio::test]
async fn every_documented_error_is_typed() {
    let cases = [
        (
            r#"{ "error" : "REQUEST_ERROR", "error_long" : "Missing signature" }"#,
            Some(RequestErrorReason::Signature),
            "REQUEST_ERROR",
        ),
        (
            r#"{"error":"REQUEST_ERROR","error_long":"Invalid User ID"}"#,
            Some(RequestErrorReason::InvalidUserId),
            "REQUEST_ERROR",
        ),
        (
            r#"{"error":"REQUEST_ERROR","error_long":"Invalid amount"}"#,
            Some(RequestErrorReason::InvalidAmount),
            "REQUEST_ERROR",
        ),
        (
            r#"{"error":"ERROR_NO_ORDER","error_long":"User does not have any current order"}"#,
            None,
            "ERROR_NO_ORDER",
        ),
        (
            r#"{"error":"ERROR_AMOUNT_TOO_BIG","error_long":"Amount can't be higher than order amount due"}"#,
            None,
            "ERROR_AMOUNT_TOO_BIG",
        ),
        (
            r#"{"error":"ERROR_CANT_SUBTRACT","error_long":"Not enough credit"}"#,
            None,
            "ERROR_CANT_SUBTRACT",
        ),
        (
            r#"{"error":"ERROR_SOMETHING_NEW","error_long":"kept verbatim"}"#,
            None,
            "ERROR_SOMETHING_NEW",
        ),
    ];
    for (body, reason, code) in cases {
        let server = MockServer::start_async().await;
        let (_recorder, mock) = answer(&server, 200, body).await;
        let err = real(&server)
            .add_payment(UserId::new(2).unwrap(), eur("1"), None)
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some(code), "{body}");
        if let Some(expected) = reason {
            assert!(
                matches!(&err, InterstreamError::RequestError { reason, .. } if *reason == expected),
                "{err:?}"
            );
        }
        assert_eq!(mock.calls_async().await, 1, "a refusal is final");
    }
}

#[tokio::test]
async fn broken_answers_are_typed_and_add_payment_is_sent_once() {
    for (status, body, kind) in [
        (
            502,
            "<html><body>502 Bad Gateway</body></html>",
            ErrorKind::HttpStatus,
        ),
        (500, "", ErrorKind::HttpStatus),
        (200, "<html>PHP Warning: ...</html>", ErrorKind::Decode),
        (200, "", ErrorKind::Decode),
        (200, r#"{"ok":"Payment w"#, ErrorKind::Decode),
    ] {
        let server = MockServer::start_async().await;
        let (_recorder, mock) = answer(&server, status, body).await;
        let err = real(&server)
            .add_payment(UserId::new(2).unwrap(), eur("1"), None)
            .await
            .unwrap_err();
        let InterstreamError::Core(core) = &err else {
            panic!("{body}: {err:?}")
        };
        assert_eq!(core.kind(), kind, "{body}");
        assert!(
            core.outcome_unknown(),
            "{body}: the payment may have been added"
        );
        assert_eq!(
            mock.calls_async().await,
            1,
            "{body}: add_payment is never resent"
        );
    }
}

#[tokio::test]
async fn reads_are_retried_and_each_retry_is_signed_again() {
    let server = MockServer::start_async().await;
    let (recorder, mock) = answer(&server, 503, "busy").await;
    let store = InterstreamClient::builder()
        .api_url(server.url("/api.php"))
        .key_id(KEY_ID)
        .shared_secret(SECRET)
        .currency(Currency::EUR)
        .retry_policy(payments_core::retry::RetryPolicy::default().backoff(
            std::time::Duration::from_millis(1),
            std::time::Duration::from_millis(2),
        ))
        .build()
        .unwrap();
    assert!(store.get_credit(UserId::new(1).unwrap()).await.is_err());
    assert_eq!(mock.calls_async().await, 3);
    let salts: std::collections::HashSet<String> =
        recorder.all().iter().map(|s| q(s, "salt")).collect();
    assert_eq!(salts.len(), 3, "a fresh salt and signature per attempt");
    for seen in recorder.all() {
        assert_signed(&seen, "store", "get_credit", "1");
    }
}

#[tokio::test]
async fn invalid_input_is_refused_before_anything_is_sent() {
    let server = MockServer::start_async().await;
    let (_recorder, mock) = answer(&server, 200, r#"{"ok":"Payment was added"}"#).await;
    let store = real(&server);
    let user = UserId::new(2).unwrap();
    assert!(store.add_payment(user, eur("0"), None).await.is_err());
    let yen = Money::parse("100", Currency::JPY).unwrap();
    assert!(store.add_payment(user, yen, None).await.is_err());
    assert!(
        store
            .add_payment(user, eur("1"), Some("a\u{0}b"))
            .await
            .is_err()
    );
    assert!(UserId::new(0).is_err());
    let request = PaymentRequest::new(eur("10"), "pay-1").unwrap();
    let err = store.create_payment(&request).await.unwrap_err();
    assert!(
        matches!(&err, payments_core::Error::InvalidInput { field, .. } if field == "customer.id")
    );
    let err = store
        .create_payment(
            &request
                .clone()
                .with_customer(Customer::default().with_id("zero")),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, payments_core::Error::InvalidInput { field, .. } if field == "customer.id")
    );
    assert_eq!(mock.calls_async().await, 0);
}

#[tokio::test]
async fn the_common_trait_adds_a_payment_with_the_reference_in_the_description() {
    let server = MockServer::start_async().await;
    let (recorder, _mock) = answer(&server, 200, r#"{"ok":"Payment was added"}"#).await;
    let store: Arc<dyn PaymentProvider> = Arc::new(real(&server));
    assert!(!store.capabilities().get_payment);
    let request = PaymentRequest::new(eur("12.5"), "pay-42")
        .unwrap()
        .with_description("Season pass")
        .with_customer(Customer::default().with_id("2"));
    let payment = store.create_payment(&request).await.unwrap();
    assert_eq!(payment.status, PaymentStatus::Captured);
    assert_eq!(payment.id, "pay-42");
    assert_eq!(payment.amount, Some(eur("12.50")));
    let record = payment.record_as::<AddedPayment>().unwrap();
    assert_eq!(record.description, "Season pass [pay-42]");
    assert_eq!(record.message, "Payment was added");
    let seen = &recorder.all()[0];
    assert_eq!(seen.form()[0], ("amount".to_owned(), "12.50".to_owned()));
    assert_eq!(
        seen.form()[1],
        ("description".to_owned(), "Season pass [pay-42]".to_owned())
    );

    let unsupported = store.get_payment("pay-42").await.unwrap_err();
    assert_eq!(unsupported.kind(), ErrorKind::Unsupported);
    let unsupported = store.cancel_payment("pay-42").await.unwrap_err();
    assert_eq!(
        unsupported.to_string(),
        "interstream does not support cancel_payment"
    );
}

#[tokio::test]
async fn the_shared_secret_never_shows() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/api.php");
            then.status(500)
                .body(format!("<pre>debug: secret={SECRET} echo {SECRET}</pre>"));
        })
        .await;
    let logs = payments_test_support::CapturedLogs::start();
    let store = pinned(&server);
    let err = store
        .add_payment(UserId::new(2).unwrap(), eur("1"), None)
        .await
        .unwrap_err();
    let builder = InterstreamClient::builder().shared_secret(SECRET);
    let core: payments_core::Error =
        InterstreamError::from(payments_core::Error::invalid_input("x", "y")).into();
    for shown in [
        format!("{store:?}"),
        format!("{builder:?}"),
        format!("{err:?}"),
        format!("{err}"),
        format!("{core:?}"),
        logs.text(),
    ] {
        assert!(!shown.contains(SECRET), "{shown}");
        assert!(!shown.contains("MWIzMjNh"), "{shown}");
        assert!(!shown.contains(SIGNATURE_AT_1732521601), "{shown}");
    }
    assert!(
        logs.text().contains("payment_provider_call"),
        "logs: {}",
        logs.text()
    );
}

#[test]
fn from_env_names_each_missing_variable() {
    let err = InterstreamClient::from_env_with(&[
        ("INTERSTREAM_KEY_ID", "k"),
        ("INTERSTREAM_SHARED_SECRET", "s"),
    ])
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "configuration error: INTERSTREAM_API_URL: is not set or is empty"
    );
    let err = InterstreamClient::from_env_with(&[
        ("INTERSTREAM_API_URL", "https://tv.example/api.php"),
        ("INTERSTREAM_SHARED_SECRET", "s"),
    ])
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "configuration error: INTERSTREAM_KEY_ID: is not set or is empty"
    );
    let err = InterstreamClient::from_env_with(&[
        ("INTERSTREAM_API_URL", "https://tv.example/api.php"),
        ("INTERSTREAM_KEY_ID", "k"),
        ("INTERSTREAM_SHARED_SECRET", " "),
    ])
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "configuration error: INTERSTREAM_SHARED_SECRET: is not set or is empty"
    );
    let err = InterstreamClient::from_env_with(&[
        ("INTERSTREAM_API_URL", "http://tv.example/api.php"),
        ("INTERSTREAM_KEY_ID", "k"),
        ("INTERSTREAM_SHARED_SECRET", "s"),
    ])
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("configuration error: INTERSTREAM_API_URL:")
    );
    let store = InterstreamClient::from_env_with(&[
        ("INTERSTREAM_API_URL", "https://tv.example/api.php"),
        ("INTERSTREAM_KEY_ID", "k"),
        ("INTERSTREAM_SHARED_SECRET", "s"),
        ("INTERSTREAM_CURRENCY", "usd"),
    ])
    .unwrap();
    assert_eq!(store.currency(), Some(Currency::USD));
}
