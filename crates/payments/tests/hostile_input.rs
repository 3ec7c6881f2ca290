//! Hostile input against every public constructor: empty, huge (1 MB), control characters,
//! negative/NaN/exponent amounts, SQL and HTML in text, URLs with other schemes. Each case is a
//! typed error naming the field, or is sent safely encoded; none panics, and nothing is sent for
//! invalid input.

// Test helpers panic on failure by design.
#![allow(clippy::unwrap_used)]

use httpmock::prelude::*;
use payments::card::Card;
use payments::http::Endpoint;
use payments::interstream::{InterstreamClient, UserId};
use payments::paymentoptions::{PaymentSource, PurchaseRequest};
use payments::zaif::{CreateInvoice, CryptoCurrency};
use payments::{Currency, ErrorKind, Money};
use payments_test_support::record;

fn huge() -> String {
    "9".repeat(1_000_000)
}

#[test]
fn amounts_refuse_everything_but_plain_decimals() {
    let huge = huge();
    for text in [
        "", " ", "-1", "-0.01", "NaN", "nan", "inf", "1e3", "1E-2", "0x10", "1,000", "1_000",
        "１０", "1.2.3", "\u{0}1", &huge,
    ] {
        for currency in [Currency::JPY, Currency::USD, Currency::BTC] {
            let err = Money::parse(text, currency).unwrap_err();
            assert_eq!(
                err.clone().for_field("amount").kind(),
                ErrorKind::InvalidInput,
                "{text:.20}"
            );
        }
    }
    for code in ["", "<script>", "US D", "€", "DROP TABLE", &huge] {
        assert!(Currency::from_code(code).is_err(), "{code:.20}");
    }
}

#[test]
fn cards_refuse_hostile_fields_without_echoing_them() {
    let huge = huge();
    let cases: [(&str, &str, &str, &str, &str); 8] = [
        ("", "12", "30", "123", "A"),
        (&huge, "12", "30", "123", "A"),
        ("5200\u{0}000000001005", "12", "30", "123", "A"),
        ("5200000000001005", "-1", "30", "123", "A"),
        ("5200000000001005", "12", "1e3", "123", "A"),
        ("5200000000001005", "12", "30", "<b>", "A"),
        ("5200000000001005", "12", "30", "123", "\u{1b}[31m"),
        ("5200000000001005", "12", "30", "123", ""),
    ];
    for (number, month, year, cvc, name) in cases {
        let err = Card::new(number, month, year, cvc, name).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(
            err.to_string().len() < 200,
            "the message does not echo the input"
        );
    }
}

#[test]
fn urls_with_other_schemes_are_refused() {
    for url in [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "ftp://x.example/",
        "data:text/html,<b>",
        "http://evil.example/",
        "",
    ] {
        assert_eq!(
            Endpoint::parse("URL", url).unwrap_err().kind(),
            ErrorKind::Configuration,
            "{url}"
        );
        let err = CreateInvoice::builder(CryptoCurrency::Btc, 1)
            .notification_uri(url)
            .build();
        if !url.starts_with("http://") {
            assert!(err.is_err(), "{url}");
        }
    }
    for url in ["javascript:alert(1)", "file:///etc/passwd", "gopher://x"] {
        let err = CreateInvoice::builder(CryptoCurrency::Btc, 1)
            .redirect_uri(url)
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("redirectUri"), "{err}");
    }
}

#[test]
fn identifiers_and_references_refuse_control_characters() {
    for id in [
        "",
        "0",
        "-1",
        "NaN",
        "1e3",
        "1; DROP TABLE users",
        "99999999999999999999999",
    ] {
        assert!(UserId::parse(id).is_err(), "{id}");
    }
    let card = Card::new("5200000000001005", "12", "2099", "123", "A").unwrap();
    for reference in ["", "  ", "a\nb", "a\u{0}b"] {
        let err = PurchaseRequest::builder(
            Money::parse("1", Currency::JPY).unwrap(),
            PaymentSource::Card(Box::new(card.clone())),
            reference,
            "127.0.0.1".parse().unwrap(),
        )
        .build()
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
    }
    for text in ["", "   ", "a\u{7}b"] {
        assert!(
            CreateInvoice::builder(CryptoCurrency::Btc, 1)
                .item_name(text)
                .build()
                .is_err(),
            "{text:?}"
        );
    }
}

#[tokio::test]
async fn hostile_text_is_sent_exactly_and_invalid_input_sends_nothing() {
    let server = MockServer::start_async().await;
    let (received, mock) = record(&server, 200, r#"{"ok":"Payment was added"}"#).await;
    let store = InterstreamClient::builder()
        .api_url(server.url("/api.php"))
        .key_id("k")
        .shared_secret("s")
        .currency(Currency::EUR)
        .build()
        .unwrap();
    let user = UserId::new(2).unwrap();
    let eur = |t| Money::parse(t, Currency::EUR).unwrap();
    // Invalid: nothing goes out.
    assert!(store.add_payment(user, eur("0"), None).await.is_err());
    assert!(
        store
            .add_payment(user, Money::parse("1", Currency::JPY).unwrap(), None)
            .await
            .is_err()
    );
    assert!(
        store
            .add_payment(user, eur("1"), Some("a\u{0}b"))
            .await
            .is_err()
    );
    assert_eq!(mock.calls_async().await, 0);
    // Hostile but valid: sent byte for byte, encoded.
    let hostile = [
        "'; DROP TABLE payments; --",
        "<script>alert('x')</script> & <b>bold</b>",
        "a=b&c=d+e%20f",
        "日本語の説明 🎉",
    ];
    for text in hostile {
        store.add_payment(user, eur("1"), Some(text)).await.unwrap();
    }
    let big = "x".repeat(1_000_000);
    store.add_payment(user, eur("1"), Some(&big)).await.unwrap();
    let sent: Vec<String> = received
        .all()
        .iter()
        .map(|r| {
            r.form()
                .into_iter()
                .find(|(k, _)| k == "description")
                .unwrap()
                .1
        })
        .collect();
    assert_eq!(&sent[..4], &hostile);
    assert_eq!(sent[4].len(), 1_000_000);
}
