//! `nonce out of range` kills a key: the call says so truthfully (Zaif refused it, nothing was
//! created), the pool stops using that key and says so once, and with no live key left nothing
//! is sent.

#![allow(clippy::unwrap_used)]

use httpmock::prelude::*;
use payments_core::{Error, ErrorKind};
use payments_test_support::CapturedLogs;
use zaif_ecapi::{CreateInvoice, CryptoCurrency, ZaifClient};

const DEAD: &str = "dead-key-0000";
const LIVE: &str = "live-key-1111";

fn request() -> CreateInvoice {
    CreateInvoice::builder(CryptoCurrency::Btc, 1000)
        .order_number("o-1")
        .build()
        .unwrap()
}

/// The createInvoice page's BTC example answer.
const INVOICE: &str = r#"{"success":1,"return":{"invoiceId":"d7dd735c-1650-11e5-b412-4437e6999eec","invoiceUri":"https://zaif.jp/invoice/form/d7dd735c-1650-11e5-b412-4437e6999eec","invoiceIframeUri":"https://zaif.jp/invoice/iframe/d7dd735c-1650-11e5-b412-4437e6999eec","created":1434696690,"expired":1434698490,"amount":10800,"currency":"btc","rate":"30012","btc":"0.359856","address":"19yhwoY8ysDNy1J1JBZf6nRBsUfLTe2Lvb","BIP21":"bitcoin:19yhwoY8ysDNy1J1JBZf6nRBsUfLTe2Lvb?amount=0.359856","speed":"high","orderNumber":"A-1001"}}"#;

#[tokio::test]
async fn a_dead_key_is_reported_once_and_left_out_of_the_pool() {
    let server = MockServer::start_async().await;
    let dead = server
        .mock_async(|when, then| {
            when.method(POST).body_includes(format!("key={DEAD}"));
            then.status(200)
                .header("content-type", "application/json")
                .body(r#"{"success":0,"error":"nonce out of range"}"#);
        })
        .await;
    let live = server
        .mock_async(|when, then| {
            when.method(POST).body_includes(format!("key={LIVE}"));
            then.status(200)
                .header("content-type", "application/json")
                .body(INVOICE);
        })
        .await;
    let logs = CapturedLogs::start();
    let zaif = ZaifClient::builder()
        .api_key(DEAD)
        .api_secret("s-1")
        .additional_key(LIVE, "s-2")
        .endpoint(server.url("/ecapi"))
        .build()
        .unwrap();

    let refused: Error = zaif.create_invoice(&request()).await.unwrap_err().into();
    assert_eq!(refused.kind(), ErrorKind::Authentication, "{refused}");
    assert!(!refused.outcome_unknown());
    let text = refused.to_string();
    assert!(text.contains("nonce out of range"), "{text}");
    assert!(
        text.contains("Zaif refused the call; nothing was created"),
        "{text}"
    );
    assert!(text.contains("issue a new API key"), "{text}");
    assert!(
        !text.contains("nothing was sent"),
        "a request was sent: {text}"
    );

    for _ in 0..3 {
        zaif.create_invoice(&request()).await.unwrap();
    }
    assert_eq!(
        dead.calls_async().await,
        1,
        "the dead key is not used again"
    );
    assert_eq!(live.calls_async().await, 3);
    let warnings = logs
        .text()
        .matches("can no longer be used: this client stops using it")
        .count();
    assert_eq!(warnings, 1, "said once: {}", logs.text());
    assert!(!logs.text().contains(DEAD));
}

#[tokio::test]
async fn with_no_live_key_left_nothing_is_sent() {
    let server = MockServer::start_async().await;
    let dead = server
        .mock_async(|when, then| {
            when.method(POST);
            then.status(200)
                .header("content-type", "application/json")
                .body(r#"{"success":0,"error":"nonce out of range"}"#);
        })
        .await;
    // A key of its own: keys share their send order across the process (and the tests).
    let zaif = ZaifClient::builder()
        .api_key("dead-key-2222")
        .api_secret("s-1")
        .endpoint(server.url("/ecapi"))
        .build()
        .unwrap();
    zaif.create_invoice(&request()).await.unwrap_err();
    let none_left: Error = zaif.get_invoice("inv-1").await.unwrap_err().into();
    assert_eq!(none_left.kind(), ErrorKind::Configuration);
    assert!(
        none_left.to_string().contains("issue a new API key"),
        "{none_left}"
    );
    assert_eq!(
        dead.calls_async().await,
        1,
        "nothing was sent the second time"
    );
}
