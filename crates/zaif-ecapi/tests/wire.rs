//! The Zaif client on the wire, against httpmock on 127.0.0.1: the exact form fields of every
//! method, the decoding of the documents' example answers, and every failure shape.

// Test helpers panic on failure by design.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::Arc;

use httpmock::prelude::*;
use payments_core::{
    Currency, Customer, ErrorKind, Money, PaymentMethod, PaymentProvider, PaymentRequest,
    PaymentStatus, ReturnUrls, Url,
};
use payments_test_support::{Recorder, record};
use time::OffsetDateTime;
use zaif_ecapi::{
    AuthMethod, CreateInvoice, CreatedInvoice, CryptoCurrency, InvoiceStatus, NotificationMethod,
    PaymentNotification, Speed, ZaifClient, ZaifError,
};

const KEY: &str = "490f983a-5fab-49b2-b789-9d1f130874d3";
const SECRET: &str = "my-very-secret-api-secret";

/// The BTC example answer of `seeds/002_…` (orderNumber as sent in the test).
const BTC_EXAMPLE: &str = r#"{
    "success": 1,
    "return": {
        "invoiceId": "d7dd735c-1650-11e5-b412-4437e6999eec",
        "invoiceUri": "https://zaif.jp/invoice/form/d7dd735c-1650-11e5-b412-4437e6999eec",
        "invoiceIframeUri": "https://zaif.jp/invoice/iframe/d7dd735c-1650-11e5-b412-4437e6999eec",
        "created": 1434696690,
        "expired": 1434698490,
        "amount": 10800,
        "currency": "btc",
        "rate": "30012",
        "btc": "0.359856",
        "address": "19yhwoY8ysDNy1J1JBZf6nRBsUfLTe2Lvb",
        "BIP21": "bitcoin:19yhwoY8ysDNy1J1JBZf6nRBsUfLTe2Lvb?amount=0.359856",
        "speed": "high",
        "orderNumber": "<the order number if you sent>"
    }
}"#;

/// The MONA example answer of `seeds/002_…`.
const MONA_EXAMPLE: &str = r#"{
    "success": 1,
    "return": {
        "invoiceId": "d0e521f5-287a-4d24-95d2-ec83a00ce173",
        "invoiceUri": "https://zaif.jp/invoice/form/d0e521f5-287a-4d24-95d2-ec83a00ce173",
        "invoiceIframeUri": "https://zaif.jp/invoice/iframe/d0e521f5-287a-4d24-95d2-ec83a00ce173",
        "created": 1434696670,
        "expired": 1434698470,
        "amount": 10000,
        "currency": "mona",
        "rate": "20.0000",
        "mona": "500.000000",
        "address": "M81ZgKgg16GCQ9a9dGzrtnSWma3dB15HDw",
        "BIP21": "monacoin:M81ZgKgg16GCQ9a9dGzrtnSWma3dB15HDw?amount=500.000000",
        "speed": "medium",
        "orderNumber": "<the order number if you sent>"
    }
}"#;

fn invoice_answer(status: &str, speed: &str) -> String {
    format!(
        r#"{{"success":1,"return":{{"invoiceId":"d7dd735c","created":1434696690,
        "expired":1434698490,"status":"{status}","settled":0,"amount":10800,"currency":"btc",
        "rate":"30012","btc":"0.359856","address":"19yhwoY8ysDNy1J1JBZf6nRBsUfLTe2Lvb",
        "BIP21":"bitcoin:19yhwoY8ysDNy1J1JBZf6nRBsUfLTe2Lvb?amount=0.359856","speed":"{speed}",
        "orderNumber":"A-1"}}}}"#
    )
}

/// Mocks every request with `body`, recording what arrives.
async fn answer<'s>(
    server: &'s MockServer,
    status: u16,
    body: &str,
) -> (Recorder, httpmock::Mock<'s>) {
    record(server, status, body).await
}

/// The forms received, each checked to be a form `POST` to `/ecapi`.
fn forms(recorder: &Recorder) -> Vec<Vec<(String, String)>> {
    recorder
        .all()
        .iter()
        .map(|received| {
            assert_eq!(received.method, "POST");
            assert_eq!(received.path, "/ecapi");
            assert_eq!(
                received.header("content-type"),
                Some("application/x-www-form-urlencoded")
            );
            received.form()
        })
        .collect()
}

fn client(server: &MockServer, auth: AuthMethod) -> ZaifClient {
    ZaifClient::builder()
        .api_key(KEY)
        .api_secret(SECRET)
        .auth(auth)
        .endpoint(server.url("/ecapi"))
        .build()
        .unwrap()
}

fn sha1_hex(text: &str) -> String {
    use sha1::Digest;
    hex::encode(sha1::Sha1::digest(text.as_bytes()))
}

fn md5_hex(text: &str) -> String {
    use md5::Digest;
    hex::encode(md5::Md5::digest(text.as_bytes()))
}

/// Checks the four authentication fields and returns the rest, in order.
fn split_auth(form: &[(String, String)], method: &str, auth: AuthMethod) -> Vec<(String, String)> {
    assert_eq!(form[0], ("method".into(), method.into()));
    assert_eq!(form[1], ("key".into(), KEY.into()));
    match auth {
        AuthMethod::Md5 => assert_eq!(form[2], ("md5secret".into(), md5_hex(SECRET))),
        AuthMethod::Sha1 => assert_eq!(form[2], ("sha1secret".into(), sha1_hex(SECRET))),
    }
    assert_eq!(form[3].0, "nonce");
    let nonce = &form[3].1;
    let (seconds, micros) = nonce.split_once('.').unwrap();
    assert_eq!(micros.len(), 6, "{nonce}");
    assert!(
        seconds.len() == 10 && seconds.bytes().all(|b| b.is_ascii_digit()),
        "{nonce}"
    );
    let secrets = form
        .iter()
        .filter(|(k, _)| k == "md5secret" || k == "sha1secret");
    assert_eq!(secrets.count(), 1, "exactly one hashed secret is sent");
    form[4..].to_vec()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn the_test_hash_helpers_give_known_answers() {
    // `printf secret | sha1sum` and `printf secret | md5sum`.
    assert_eq!(
        sha1_hex("secret"),
        "e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4"
    );
    assert_eq!(md5_hex("secret"), "5ebe2294ecd0e0f08eab7690d2a6ee69");
}

#[tokio::test]
async fn create_invoice_sends_every_parameter_and_decodes_the_btc_example() {
    let server = MockServer::start_async().await;
    let (received, mock) = answer(&server, 200, BTC_EXAMPLE).await;
    let request = CreateInvoice::builder(CryptoCurrency::Btc, 10800)
        .speed(Speed::High)
        .notification_uri("https://shop.example/notify?order=A-1&x=1")
        .notification_method(NotificationMethod::Post)
        .redirect_uri("https://shop.example/thanks")
        .sub_total(10000)
        .tax(800)
        .regular_price(12000)
        .discount(1200)
        .merchant_name("珈琲店 & Co.")
        .order_number("A-1")
        .reference_number("R=1+2")
        .item_name("コーヒー豆 & マグ = 2+1")
        .buyer_id("u-1")
        .buyer_name("山田 太郎")
        .buyer_kana("やまだ たろう")
        .buyer_zip("160-0022")
        .buyer_addr1("東京都新宿区")
        .buyer_addr2("1-2-3")
        .buyer_addr3("101")
        .buyer_phone("03-1234-5678")
        .buyer_cellphone("090-1234-5678")
        .buyer_email("taro+shop@example.jp")
        .build()
        .unwrap();
    let invoice = client(&server, AuthMethod::Sha1)
        .create_invoice(&request)
        .await
        .unwrap();
    mock.assert_async().await;

    let forms = forms(&received);
    let params = split_auth(&forms[0], "createInvoice", AuthMethod::Sha1);
    assert_eq!(
        params,
        pairs(&[
            ("currency", "btc"),
            ("amount", "10800"),
            ("speed", "high"),
            (
                "notificationUri",
                "https://shop.example/notify?order=A-1&x=1"
            ),
            ("notificationMethod", "POST"),
            ("redirectUri", "https://shop.example/thanks"),
            ("subTotal", "10000"),
            ("tax", "800"),
            ("regularPrice", "12000"),
            ("discount", "1200"),
            ("merchantName", "珈琲店 & Co."),
            ("orderNumber", "A-1"),
            ("referenceNumber", "R=1+2"),
            ("itemName", "コーヒー豆 & マグ = 2+1"),
            ("buyerId", "u-1"),
            ("buyerName", "山田 太郎"),
            ("buyerKana", "やまだ たろう"),
            ("buyerZip", "160-0022"),
            ("buyerAddr1", "東京都新宿区"),
            ("buyerAddr2", "1-2-3"),
            ("buyerAddr3", "101"),
            ("buyerPhone", "03-1234-5678"),
            ("buyerCellphone", "090-1234-5678"),
            ("buyerEmail", "taro+shop@example.jp"),
        ])
    );
    // The raw body percent-encodes UTF-8 and the form's own delimiters.
    let raw = &received.first().text();
    assert!(raw.contains("itemName=%E3%82%B3%E3%83%BC"), "{raw}");
    assert!(
        raw.contains("%26") && raw.contains("%3D") && raw.contains("%2B"),
        "{raw}"
    );

    // The seed's BTC example, field by field.
    assert_eq!(invoice.invoice_id, "d7dd735c-1650-11e5-b412-4437e6999eec");
    assert_eq!(
        invoice.invoice_uri.as_str(),
        "https://zaif.jp/invoice/form/d7dd735c-1650-11e5-b412-4437e6999eec"
    );
    assert_eq!(
        invoice.invoice_iframe_uri.as_str(),
        "https://zaif.jp/invoice/iframe/d7dd735c-1650-11e5-b412-4437e6999eec"
    );
    assert_eq!(
        invoice.created,
        OffsetDateTime::from_unix_timestamp(1434696690).unwrap()
    );
    assert_eq!(
        invoice.expired,
        OffsetDateTime::from_unix_timestamp(1434698490).unwrap()
    );
    assert_eq!(
        invoice.amount,
        Money::parse("10800", Currency::JPY).unwrap()
    );
    assert_eq!(invoice.currency, CryptoCurrency::Btc);
    assert_eq!(invoice.rate.unwrap().to_string(), "30012");
    assert_eq!(invoice.btc.unwrap().to_string(), "0.359856");
    assert_eq!(invoice.mona, None);
    assert_eq!(invoice.crypto_amount().unwrap().to_string(), "0.359856");
    assert_eq!(invoice.address, "19yhwoY8ysDNy1J1JBZf6nRBsUfLTe2Lvb");
    assert_eq!(
        invoice.bip21,
        "bitcoin:19yhwoY8ysDNy1J1JBZf6nRBsUfLTe2Lvb?amount=0.359856"
    );
    assert_eq!(invoice.speed, Speed::High);
    assert_eq!(
        invoice.order_number.as_deref(),
        Some("<the order number if you sent>")
    );
    assert_eq!(invoice.reference_number, None);
    assert_eq!(invoice.buyer_id, None);
    assert!(invoice.extra.is_empty());
}

#[tokio::test]
async fn md5_auth_sends_md5secret_only_and_decodes_the_mona_example() {
    let server = MockServer::start_async().await;
    let (received, _mock) = answer(&server, 200, MONA_EXAMPLE).await;
    let request = CreateInvoice::builder(CryptoCurrency::Mona, 10000)
        .build()
        .unwrap();
    let invoice: CreatedInvoice = client(&server, AuthMethod::Md5)
        .create_invoice(&request)
        .await
        .unwrap();
    let form = &forms(&received)[0];
    let params = split_auth(form, "createInvoice", AuthMethod::Md5);
    assert!(!form.iter().any(|(k, _)| k == "sha1secret"));
    // Optional parameters are absent, not empty.
    assert_eq!(params, pairs(&[("currency", "mona"), ("amount", "10000")]));

    assert_eq!(invoice.invoice_id, "d0e521f5-287a-4d24-95d2-ec83a00ce173");
    assert_eq!(
        invoice.invoice_uri.as_str(),
        "https://zaif.jp/invoice/form/d0e521f5-287a-4d24-95d2-ec83a00ce173"
    );
    assert_eq!(
        invoice.invoice_iframe_uri.as_str(),
        "https://zaif.jp/invoice/iframe/d0e521f5-287a-4d24-95d2-ec83a00ce173"
    );
    assert_eq!(invoice.created.unix_timestamp(), 1434696670);
    assert_eq!(invoice.expired.unix_timestamp(), 1434698470);
    assert_eq!(invoice.amount.to_string(), "10000 JPY");
    assert_eq!(invoice.currency, CryptoCurrency::Mona);
    // Exact decimals keep the trailing zeros Zaif sent.
    assert_eq!(invoice.rate.unwrap().to_string(), "20.0000");
    assert_eq!(invoice.mona.unwrap().to_string(), "500.000000");
    assert_eq!(invoice.btc, None);
    assert_eq!(invoice.address, "M81ZgKgg16GCQ9a9dGzrtnSWma3dB15HDw");
    assert_eq!(
        invoice.bip21,
        "monacoin:M81ZgKgg16GCQ9a9dGzrtnSWma3dB15HDw?amount=500.000000"
    );
    assert_eq!(invoice.speed, Speed::Medium);
}

#[tokio::test]
async fn get_invoice_sends_its_id_and_decodes_the_status() {
    let server = MockServer::start_async().await;
    let (received, _mock) = answer(&server, 200, &invoice_answer("confirmed", "medium")).await;
    let invoice = client(&server, AuthMethod::Sha1)
        .get_invoice("d7dd735c")
        .await
        .unwrap();
    let params = split_auth(&forms(&received)[0], "getInvoice", AuthMethod::Sha1);
    assert_eq!(params, pairs(&[("invoiceId", "d7dd735c")]));
    assert_eq!(invoice.status, InvoiceStatus::Confirmed);
    assert!(invoice.is_settled());
    assert_eq!(invoice.settled, None);
    assert_eq!(invoice.order_number.as_deref(), Some("A-1"));
}

#[tokio::test]
async fn find_invoice_ids_sends_the_order_number() {
    let server = MockServer::start_async().await;
    let (received, _mock) = answer(
        &server,
        200,
        r#"{"success":1,"return":{"invoideIds":["a","b"],"counts":"2"}}"#,
    )
    .await;
    let ids = client(&server, AuthMethod::Sha1)
        .find_invoice_ids("A-1")
        .await
        .unwrap();
    let params = split_auth(
        &forms(&received)[0],
        "getInvoiceIdsByOrderNumber",
        AuthMethod::Sha1,
    );
    assert_eq!(params, pairs(&[("orderNumber", "A-1")]));
    assert_eq!(ids.ids, ["a", "b"]);
    assert_eq!(ids.count, 2);
}

#[tokio::test]
async fn cancel_invoice_sends_its_id_and_types_a_refusal() {
    let server = MockServer::start_async().await;
    let (received, _mock) = answer(
        &server,
        200,
        r#"{"success":1,"return":{"status":"canceled"}}"#,
    )
    .await;
    let zaif = client(&server, AuthMethod::Sha1);
    let canceled = zaif.cancel_invoice("d7dd735c").await.unwrap();
    let params = split_auth(&forms(&received)[0], "cancelInvoice", AuthMethod::Sha1);
    assert_eq!(params, pairs(&[("invoiceId", "d7dd735c")]));
    assert_eq!(canceled.invoice_id, "d7dd735c");
    assert_eq!(canceled.raw["status"], "canceled");

    let refusing = MockServer::start_async().await;
    let (_received, _mock) = answer(
        &refusing,
        200,
        r#"{"success":0,"error":"this invoice is already paid"}"#,
    )
    .await;
    let err = client(&refusing, AuthMethod::Sha1)
        .cancel_invoice("d7dd735c")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ZaifError::CannotCancel { invoice_id, message } if invoice_id == "d7dd735c" && message == "this invoice is already paid"),
        "{err:?}"
    );
}

#[tokio::test]
async fn documented_error_texts_become_typed_errors() {
    for (text, check) in [
        (
            "account has not permission to use ec api",
            (|e: &ZaifError| matches!(e, ZaifError::NoPermission { .. })) as fn(&ZaifError) -> bool,
        ),
        (
            "invalid parameter currency",
            |e| matches!(e, ZaifError::InvalidParameter { parameter, .. } if parameter == "currency"),
        ),
        (
            "the moon is not full",
            |e| matches!(e, ZaifError::Api { message } if message == "the moon is not full"),
        ),
    ] {
        let server = MockServer::start_async().await;
        let body = serde_json::json!({"success": 0, "error": text}).to_string();
        let (_received, mock) = answer(&server, 200, &body).await;
        let err = client(&server, AuthMethod::Sha1)
            .create_invoice(
                &CreateInvoice::builder(CryptoCurrency::Btc, 1)
                    .build()
                    .unwrap(),
            )
            .await
            .unwrap_err();
        assert!(check(&err), "{text}: {err:?}");
        assert!(!payments_core::Classify::outcome_unknown(&err));
        // A refusal is final: sent once.
        assert_eq!(mock.calls_async().await, 1, "{text}");
    }
}

#[tokio::test]
async fn a_nonce_rejection_is_retried_with_a_fresh_nonce_a_bounded_number_of_times() {
    let server = MockServer::start_async().await;
    let (received, mock) = answer(
        &server,
        200,
        r#"{"success":0,"error":"nonce not incremented"}"#,
    )
    .await;
    let err = client(&server, AuthMethod::Sha1)
        .create_invoice(
            &CreateInvoice::builder(CryptoCurrency::Btc, 1)
                .build()
                .unwrap(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, ZaifError::NonceNotIncremented { .. }),
        "{err:?}"
    );
    assert_eq!(mock.calls_async().await, 5);
    let nonces: Vec<String> = forms(&received).iter().map(|f| f[3].1.clone()).collect();
    let mut sorted = nonces.clone();
    sorted.sort_by_key(|n| zaif_ecapi::Nonce::parse(n).unwrap());
    sorted.dedup();
    assert_eq!(sorted, nonces, "each retry carries a fresh, larger nonce");
}

#[tokio::test]
async fn broken_answers_are_typed_errors_and_create_invoice_is_sent_once() {
    let cases: [(u16, &str, ErrorKind); 5] = [
        (
            502,
            "<html><body>502 Bad Gateway</body></html>",
            ErrorKind::HttpStatus,
        ),
        (
            200,
            "<html><body>maintenance</body></html>",
            ErrorKind::Decode,
        ),
        (200, "", ErrorKind::Decode),
        (
            200,
            r#"{"success":1,"return":{"invoiceId":"d7dd"#,
            ErrorKind::Decode,
        ),
        (
            200,
            r#"{"success":1,"return":{"invoiceId":12}}"#,
            ErrorKind::Decode,
        ),
    ];
    for (status, body, kind) in cases {
        let server = MockServer::start_async().await;
        let (_received, mock) = answer(&server, status, body).await;
        let err = client(&server, AuthMethod::Sha1)
            .create_invoice(
                &CreateInvoice::builder(CryptoCurrency::Btc, 1)
                    .build()
                    .unwrap(),
            )
            .await
            .unwrap_err();
        let ZaifError::Core(core) = &err else {
            panic!("{body}: {err:?}")
        };
        assert_eq!(core.kind(), kind, "{body}");
        assert!(core.outcome_unknown(), "{body}: the invoice may exist");
        assert_eq!(
            mock.calls_async().await,
            1,
            "{body}: createInvoice is never resent"
        );
    }
}

#[tokio::test]
async fn reads_are_retried_after_a_5xx() {
    let server = MockServer::start_async().await;
    let (_received, mock) = answer(&server, 503, "<html>busy</html>").await;
    let err = client(&server, AuthMethod::Sha1)
        .get_invoice("x")
        .await
        .unwrap_err();
    assert!(matches!(&err, ZaifError::Core(e) if e.kind() == ErrorKind::HttpStatus));
    assert_eq!(mock.calls_async().await, 5);
}

#[tokio::test]
async fn no_secret_key_or_hash_in_debug_errors_or_logs() {
    let server = MockServer::start_async().await;
    // A broken server that echoes the whole request back in its error page.
    server
        .mock_async(|when, then| {
            when.method(POST).path("/ecapi");
            then.status(500).body(format!(
                "<pre>method=createInvoice&key={KEY}&sha1secret={}&nonce=1 echo {SECRET} {}</pre>",
                sha1_hex(SECRET),
                md5_hex(SECRET)
            ));
        })
        .await;
    let zaif = ZaifClient::builder()
        .api_key(KEY)
        .api_secret(SECRET)
        .endpoint(server.url("/ecapi"))
        .build()
        .unwrap();
    let err = zaif
        .create_invoice(
            &CreateInvoice::builder(CryptoCurrency::Btc, 1)
                .build()
                .unwrap(),
        )
        .await
        .unwrap_err();
    let core: payments_core::Error =
        ZaifError::from(payments_core::Error::invalid_input("x", "y")).into();
    let builder = ZaifClient::builder().api_key(KEY).api_secret(SECRET);
    for shown in [
        format!("{zaif:?}"),
        format!("{builder:?}"),
        format!("{err:?}"),
        format!("{err}"),
        format!("{core:?}"),
    ] {
        for leaked in [KEY, SECRET, &sha1_hex(SECRET), &md5_hex(SECRET)] {
            assert!(!shown.contains(leaked), "{leaked} in {shown}");
        }
    }
}

#[tokio::test]
async fn logs_at_trace_level_carry_no_credential() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/ecapi");
            then.status(500)
                .body(format!("echo key={KEY} secret={SECRET}"));
        })
        .await;
    let (_r, _m) = answer(&server, 200, BTC_EXAMPLE).await;
    let logs = payments_test_support::CapturedLogs::start();
    let zaif = client(&server, AuthMethod::Md5);
    let _ = zaif
        .create_invoice(
            &CreateInvoice::builder(CryptoCurrency::Btc, 1)
                .build()
                .unwrap(),
        )
        .await;
    let _ = zaif.get_invoice("d7dd735c").await;
    let logs = logs.text();
    assert!(logs.contains("payment_provider_call"), "{logs}");
    assert!(logs.contains(r#"operation="createInvoice""#), "{logs}");
    for leaked in [KEY, SECRET, &sha1_hex(SECRET), &md5_hex(SECRET)] {
        assert!(!logs.contains(leaked), "{leaked} in logs:\n{logs}");
    }
}

#[tokio::test]
async fn invalid_input_is_refused_before_anything_is_sent() {
    let server = MockServer::start_async().await;
    let (_received, mock) = answer(&server, 200, BTC_EXAMPLE).await;
    let zaif = client(&server, AuthMethod::Sha1);
    assert!(zaif.get_invoice("").await.is_err());
    assert!(zaif.cancel_invoice(" \n").await.is_err());
    assert!(zaif.find_invoice_ids("").await.is_err());
    let not_crypto =
        PaymentRequest::new(Money::parse("1000", Currency::JPY).unwrap(), "A-1").unwrap();
    let err = zaif.create_payment(&not_crypto).await.unwrap_err();
    assert!(matches!(&err, payments_core::Error::InvalidInput { field, .. } if field == "method"));
    let dollars = PaymentRequest::new(Money::parse("10", Currency::USD).unwrap(), "A-1")
        .unwrap()
        .with_method(PaymentMethod::Crypto {
            asset: "btc".into(),
        });
    let err = zaif.create_payment(&dollars).await.unwrap_err();
    assert!(matches!(&err, payments_core::Error::InvalidInput { field, .. } if field == "amount"));
    assert_eq!(mock.calls_async().await, 0);
}

#[test]
fn from_env_names_each_missing_variable_and_reads_the_options() {
    let err = ZaifClient::from_env_with(&[("ZAIF_API_SECRET", "s")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "configuration error: ZAIF_API_KEY: is not set or is empty"
    );
    let err =
        ZaifClient::from_env_with(&[("ZAIF_API_KEY", "k"), ("ZAIF_API_SECRET", "")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "configuration error: ZAIF_API_SECRET: is not set or is empty"
    );
    let err = ZaifClient::from_env_with(&[
        ("ZAIF_API_KEY", "k"),
        ("ZAIF_API_SECRET", "s"),
        ("ZAIF_AUTH", "sha256"),
    ])
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "configuration error: ZAIF_AUTH: must be md5 or sha1"
    );
    let err = ZaifClient::from_env_with(&[
        ("ZAIF_API_KEY", "k"),
        ("ZAIF_API_SECRET", "s"),
        ("ZAIF_ENDPOINT", "http://api.zaif.jp/ecapi"),
    ])
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("configuration error: ZAIF_ENDPOINT:"),
        "{err}"
    );

    let zaif =
        ZaifClient::from_env_with(&[("ZAIF_API_KEY", "k"), ("ZAIF_API_SECRET", "s")]).unwrap();
    assert!(format!("{zaif:?}").contains("https://api.zaif.jp/ecapi"));
    assert!(format!("{zaif:?}").contains("Sha1"));
    let zaif = ZaifClient::from_env_with(&[
        ("ZAIF_API_KEY", "k"),
        ("ZAIF_API_SECRET", "s"),
        ("ZAIF_AUTH", "md5"),
        ("ZAIF_NONCE_FILE", "/tmp/zaif-nonce-test"),
    ])
    .unwrap();
    assert!(format!("{zaif:?}").contains("Md5"));
    assert!(format!("{zaif:?}").contains("FileNonce"));

    let err = ZaifClient::builder().api_secret("s").build().unwrap_err();
    assert_eq!(
        err.to_string(),
        "configuration error: api_key: is not set or is empty"
    );
}

#[test]
fn payment_form_and_iframe_urls() {
    let zaif = ZaifClient::builder()
        .api_key("k")
        .api_secret("s")
        .build()
        .unwrap();
    assert_eq!(
        zaif.payment_form_url("d7dd735c-1650").unwrap().as_str(),
        "https://zaif.jp/invoice/form/d7dd735c-1650"
    );
    assert_eq!(
        zaif.payment_iframe_url("d7dd735c-1650").unwrap().as_str(),
        "https://zaif.jp/invoice/iframe/d7dd735c-1650"
    );
    // An id cannot escape its path segment.
    assert_eq!(
        zaif.payment_form_url("../../x?y").unwrap().as_str(),
        "https://zaif.jp/invoice/form/..%2F..%2Fx%3Fy"
    );
}

#[tokio::test]
async fn the_common_trait_creates_gets_and_cancels() {
    let server = MockServer::start_async().await;
    let created = server
        .mock_async(|when, then| {
            when.form_urlencoded_tuple("method", "createInvoice")
                .form_urlencoded_tuple("currency", "btc")
                .form_urlencoded_tuple("amount", "10800")
                .form_urlencoded_tuple("orderNumber", "A-1")
                .form_urlencoded_tuple("itemName", "Beans")
                .form_urlencoded_tuple("notificationUri", "https://shop.example/notify")
                .form_urlencoded_tuple("redirectUri", "https://shop.example/thanks")
                .form_urlencoded_tuple("buyerEmail", "taro@example.jp");
            then.status(200)
                .body(BTC_EXAMPLE.replace("<the order number if you sent>", "A-1"));
        })
        .await;
    let zaif: Arc<dyn PaymentProvider> = Arc::new(client(&server, AuthMethod::Sha1));
    assert!(zaif.capabilities().get_payment && zaif.capabilities().cancel_payment);
    let request = PaymentRequest::new(Money::parse("10800", Currency::JPY).unwrap(), "A-1")
        .unwrap()
        .with_description("Beans")
        .with_method(PaymentMethod::Crypto {
            asset: "BTC".into(),
        })
        .with_customer(Customer::default().with_email("taro@example.jp"))
        .with_urls(
            ReturnUrls::default()
                .with_notification(Url::parse("https://shop.example/notify").unwrap())
                .with_success(Url::parse("https://shop.example/thanks").unwrap()),
        );
    let payment = zaif.create_payment(&request).await.unwrap();
    created.assert_async().await;
    assert_eq!(payment.id, "d7dd735c-1650-11e5-b412-4437e6999eec");
    assert_eq!(
        payment.status,
        PaymentStatus::RequiresCustomerAction {
            url: Url::parse("https://zaif.jp/invoice/form/d7dd735c-1650-11e5-b412-4437e6999eec")
                .unwrap()
        }
    );
    assert_eq!(payment.reference.as_deref(), Some("A-1"));
    assert_eq!(
        payment.record_as::<CreatedInvoice>().unwrap().address,
        "19yhwoY8ysDNy1J1JBZf6nRBsUfLTe2Lvb"
    );

    for (status, speed, expected) in [
        ("new", "medium", "requires"),
        ("paid", "medium", "pending"),
        ("paid", "high", "captured"),
        ("complete", "low", "captured"),
        ("expired", "medium", "expired"),
        ("canceled", "medium", "canceled"),
        ("invalid", "medium", "failed"),
        ("refunded", "medium", "other"),
    ] {
        let server = MockServer::start_async().await;
        let (_r, _m) = answer(&server, 200, &invoice_answer(status, speed)).await;
        let payment = client(&server, AuthMethod::Sha1)
            .get_payment("d7dd735c")
            .await
            .unwrap();
        let got = match payment.status {
            PaymentStatus::RequiresCustomerAction { url } => {
                assert_eq!(url.as_str(), "https://zaif.jp/invoice/form/d7dd735c");
                "requires"
            }
            PaymentStatus::Pending => "pending",
            PaymentStatus::Captured => "captured",
            PaymentStatus::Expired => "expired",
            PaymentStatus::Canceled => "canceled",
            PaymentStatus::Failed { .. } => "failed",
            PaymentStatus::Other { provider_status } => {
                assert_eq!(provider_status, "refunded");
                "other"
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(got, expected, "{status}/{speed}");
    }

    let server = MockServer::start_async().await;
    let (_r, _m) = answer(&server, 200, r#"{"success":1,"return":true}"#).await;
    let canceled = client(&server, AuthMethod::Sha1)
        .cancel_payment("d7dd735c")
        .await
        .unwrap();
    assert_eq!(canceled.status, PaymentStatus::Canceled);
}

#[tokio::test]
async fn notifications_are_confirmed_with_get_invoice() {
    let server = MockServer::start_async().await;
    let (_r, _m) = answer(&server, 200, &invoice_answer("paid", "high")).await;
    let zaif = client(&server, AuthMethod::Sha1);
    let genuine =
        PaymentNotification::from_form(b"invoiceId=d7dd735c&amount=10800&orderNumber=A-1").unwrap();
    let invoice = zaif.confirm_notification(&genuine).await.unwrap();
    assert_eq!(invoice.status, InvoiceStatus::Paid);

    let forged =
        PaymentNotification::from_form(b"invoiceId=d7dd735c&amount=1&orderNumber=A-1").unwrap();
    let err = zaif.confirm_notification(&forged).await.unwrap_err();
    assert!(
        matches!(err, ZaifError::NotificationNotConfirmed { .. }),
        "{err:?}"
    );

    let early = MockServer::start_async().await;
    let (_r, _m) = answer(&early, 200, &invoice_answer("paid", "low")).await;
    let get_only = PaymentNotification::from_fields(&HashMap::from([(
        "invoiceId".to_owned(),
        "d7dd735c".to_owned(),
    )]))
    .unwrap();
    let err = client(&early, AuthMethod::Sha1)
        .confirm_notification(&get_only)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("the invoice is paid (speed low)"),
        "{err}"
    );
}
