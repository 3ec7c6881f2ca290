//! Invoices priced in the asset itself (`billingCurrency`, seeds/002 "Bitcoin建てまたはMonacoin建て
//! の決済"): the amount goes out and comes back in the asset, exactly, and Zaif drops `rate`.

// Test helpers panic on failure by design.
#![allow(clippy::unwrap_used)]

use httpmock::prelude::*;
use payments_core::{Classify, Currency, ErrorKind, Money};
use payments_test_support::record;
use zaif_ecapi::{
    AuthMethod, CreateInvoice, CryptoCurrency, Decimal, PaymentNotification, ZaifClient,
};

fn client(server: &MockServer) -> ZaifClient {
    ZaifClient::builder()
        .api_key("490f983a-5fab-49b2-b789-9d1f130874d3")
        .api_secret("secret")
        .auth(AuthMethod::Sha1)
        .endpoint(server.url("/ecapi"))
        .build()
        .unwrap()
}

fn btc(text: &str) -> Money {
    Money::parse(text, Currency::BTC).unwrap()
}

/// A created invoice billed in BTC: the seed's BTC example without `rate`, its amount in BTC.
fn asset_answer(amount: &str, btc: &str) -> String {
    format!(
        r#"{{"success":1,"return":{{"invoiceId":"d7dd735c-1650-11e5-b412-4437e6999eec",
        "invoiceUri":"https://zaif.jp/invoice/form/d7dd735c-1650-11e5-b412-4437e6999eec",
        "invoiceIframeUri":"https://zaif.jp/invoice/iframe/d7dd735c-1650-11e5-b412-4437e6999eec",
        "created":1434696690,"expired":1434698490,"amount":{amount},"currency":"btc",
        "btc":{btc},"address":"19yhwoY8ysDNy1J1JBZf6nRBsUfLTe2Lvb",
        "BIP21":"bitcoin:19yhwoY8ysDNy1J1JBZf6nRBsUfLTe2Lvb?amount=0.0123","speed":"high"}}}}"#
    )
}

#[tokio::test]
async fn an_asset_priced_invoice_sends_and_reads_its_amount_in_the_asset() {
    let server = MockServer::start_async().await;
    let (received, _mock) = record(&server, 200, &asset_answer("\"0.0123\"", "\"0.0123\"")).await;
    let request = CreateInvoice::builder_in_asset(CryptoCurrency::Btc, Decimal::new(123, 4))
        .order_number("A-1002")
        .build()
        .unwrap();
    assert_eq!(request.amount(), btc("0.0123"));
    let invoice = client(&server).create_invoice(&request).await.unwrap();

    let form = received.all()[0].form();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(field("currency"), Some("btc"));
    assert_eq!(
        field("amount"),
        Some("0.0123"),
        "exact, without trailing zeros"
    );
    assert_eq!(field("billingCurrency"), Some("btc"));
    assert_eq!(field("orderNumber"), Some("A-1002"));

    assert_eq!(invoice.amount, btc("0.0123"));
    assert_eq!(invoice.rate, None);
    assert_eq!(invoice.crypto_amount(), Some(Decimal::new(123, 4)));
    // Written back as Zaif writes asset amounts.
    let json = serde_json::to_value(&invoice).unwrap();
    assert_eq!(json["amount"], "0.0123");
}

#[tokio::test]
async fn a_json_number_amount_and_a_whole_asset_amount_stay_in_the_asset() {
    let server = MockServer::start_async().await;
    // One whole BTC: an integer, yet not yen, because it equals the BTC amount beside it.
    let (_received, _mock) = record(&server, 200, &asset_answer("1", "\"1.00000000\"")).await;
    let request = CreateInvoice::builder_in_asset(CryptoCurrency::Btc, Decimal::ONE)
        .build()
        .unwrap();
    let invoice = client(&server).create_invoice(&request).await.unwrap();
    assert_eq!(invoice.amount, btc("1"));
}

#[tokio::test]
async fn a_yen_invoice_without_its_rate_stays_in_yen() {
    // Not documented, but possible: a yen invoice whose rate is missing. The BTC amount beside
    // it differs from the amount, so the amount is still yen, never 10800 BTC.
    let server = MockServer::start_async().await;
    let (_received, _mock) = record(&server, 200, &asset_answer("10800", "\"0.359856\"")).await;
    let request = CreateInvoice::builder(CryptoCurrency::Btc, 10800)
        .build()
        .unwrap();
    let invoice = client(&server).create_invoice(&request).await.unwrap();
    assert_eq!(invoice.amount.to_string(), "10800 JPY");
}

#[test]
fn asset_amounts_are_validated_before_sending() {
    let field = |builder: zaif_ecapi::CreateInvoiceBuilder| {
        let err = builder.build().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        err.to_string()
    };
    // More decimals than a satoshi.
    let tiny = field(CreateInvoice::builder_in_asset(
        CryptoCurrency::Btc,
        Decimal::new(1, 9),
    ));
    assert!(tiny.contains("amount"), "{tiny}");
    let zero = field(CreateInvoice::builder_in_asset(
        CryptoCurrency::Mona,
        Decimal::ZERO,
    ));
    assert!(zero.contains("amount"), "{zero}");
    let negative = field(CreateInvoice::builder_in_asset(
        CryptoCurrency::Btc,
        Decimal::new(-1, 2),
    ));
    assert!(negative.contains("amount"), "{negative}");
    // A yen invoice never sends billingCurrency.
    let yen = CreateInvoice::builder(CryptoCurrency::Btc, 10800)
        .build()
        .unwrap();
    assert!(!yen.is_priced_in_asset());
}

#[test]
fn notifications_read_the_amount_in_the_asset_when_it_is_the_asset_amount() {
    let asset = PaymentNotification::from_form(
        b"invoiceId=d7dd735c&settled=1434697000&amount=0.0123&btc=0.0123",
    )
    .unwrap();
    assert_eq!(asset.amount, Some(btc("0.0123")));
    let mona = PaymentNotification::from_form(b"invoiceId=m1&amount=500&mona=500.000000").unwrap();
    assert_eq!(
        mona.amount,
        Some(Money::parse("500", Currency::from_code("MONA").unwrap()).unwrap())
    );
    let yen = PaymentNotification::from_form(b"invoiceId=y1&amount=10800&btc=0.359856").unwrap();
    assert_eq!(yen.amount.unwrap().to_string(), "10800 JPY");
}

#[tokio::test]
async fn amounts_sent_as_json_numbers_are_read_from_their_exact_text() {
    // More digits than a float holds: through an f64, 0.35985600000000000001 would become
    // 0.359856 and the rate would lose its tail.
    let server = MockServer::start_async().await;
    let body = r#"{"success":1,"return":{"invoiceId":"d7dd735c","invoiceUri":"https://zaif.jp/invoice/form/d7dd735c",
        "invoiceIframeUri":"https://zaif.jp/invoice/iframe/d7dd735c","created":1434696690,
        "expired":1434698490,"amount":10800,"currency":"btc","rate":30012.000000000000000001,
        "btc":0.35985600000000000001,"address":"19yh","BIP21":"bitcoin:19yh","speed":"high",
        "newField":0.1}}"#;
    let (_received, _mock) = record(&server, 200, body).await;
    let request = CreateInvoice::builder(CryptoCurrency::Btc, 10800)
        .build()
        .unwrap();
    let invoice = client(&server).create_invoice(&request).await.unwrap();
    assert_eq!(
        invoice.rate.unwrap().to_string(),
        "30012.000000000000000001"
    );
    assert_eq!(invoice.btc.unwrap().to_string(), "0.35985600000000000001");
    assert_eq!(invoice.amount.to_string(), "10800 JPY");
    // Other fields are kept as sent.
    assert_eq!(invoice.extra["newField"], serde_json::json!(0.1));
}
