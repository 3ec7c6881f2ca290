//! Zaif: what the client adds to a call, next to the floor measured in the same run.
//!
//! * `round_trip/zaif`: `create_invoice` (validate, nonce, sign, encode, send over loopback,
//!   decode into typed values) vs. two floors, both against one local server answering the
//!   seed's BTC example and decoding it into a `serde_json::Value`: the **fair floor**, raw
//!   `reqwest` doing the same work by hand (a fresh nonce from the same `InProcessNonce`, the
//!   sha1 secret hashed once, the form encoded per call), and bare `reqwest` posting fixed bytes.
//! * `cpu/zaif`: the form body with a fresh nonce, and decoding the seed answer.

// Benchmarks panic on failure by design.
#![allow(clippy::unwrap_used, missing_docs)]

#[path = "support/fair_floor.rs"]
mod fair_floor;

use criterion::{Criterion, criterion_group, criterion_main};
use payments_core::http::RawResponse;
use payments_test_support::round_trip::{self, Contestant};
use payments_test_support::{StaticServer, raw_json, round_trip_runtime};
use zaif_ecapi::bench_support::{create_invoice_body, decode_created_invoice};
use zaif_ecapi::{CreateInvoice, CryptoCurrency, InProcessNonce, ZaifClient};

const BTC_EXAMPLE: &str = r#"{"success":1,"return":{"invoiceId":"d7dd735c-1650-11e5-b412-4437e6999eec","invoiceUri":"https://zaif.jp/invoice/form/d7dd735c-1650-11e5-b412-4437e6999eec","invoiceIframeUri":"https://zaif.jp/invoice/iframe/d7dd735c-1650-11e5-b412-4437e6999eec","created":1434696690,"expired":1434698490,"amount":10800,"currency":"btc","rate":"30012","btc":"0.359856","address":"19yhwoY8ysDNy1J1JBZf6nRBsUfLTe2Lvb","BIP21":"bitcoin:19yhwoY8ysDNy1J1JBZf6nRBsUfLTe2Lvb?amount=0.359856","speed":"high","orderNumber":"A-1001"}}"#;

fn request() -> CreateInvoice {
    CreateInvoice::builder(CryptoCurrency::Btc, 10800)
        .order_number("A-1001")
        .item_name("コーヒー豆 1kg")
        .build()
        .unwrap()
}

fn benches(c: &mut Criterion) {
    let runtime = round_trip_runtime();
    let server = runtime
        .block_on(StaticServer::start(200, "application/json", BTC_EXAMPLE))
        .unwrap();
    let endpoint = format!("{}/ecapi", server.url());
    let zaif = ZaifClient::builder()
        .api_key(fair_floor::KEY)
        .api_secret("bench-secret")
        .endpoint(endpoint.clone())
        .build()
        .unwrap();
    let nonces = InProcessNonce::with_clock(|| 1_732_521_600_000_000);
    let body = create_invoice_body(&zaif, &request(), nonces.next()).unwrap();
    let raw = payments_test_support::raw_reqwest().build().unwrap();
    // The fair floor: raw reqwest with the SDK's transport settings (a request timeout above
    // all), doing the client's work by hand.
    let configured = payments_test_support::sdk_configured_reqwest()
        .build()
        .unwrap();
    // The fair floor's own nonce source and hashed secret (hashed once, as a client would).
    let floor_nonces = InProcessNonce::shared();
    let hashed_secret = fair_floor::hashed_secret("bench-secret");

    round_trip::compare(
        c,
        "round_trip/zaif",
        &runtime,
        &[
            Contestant::new("fair_floor", || {
                fair_floor::create_invoice(&configured, &endpoint, &floor_nonces, &hashed_secret)
            }),
            Contestant::new("fair_floor_without_timeout", || {
                fair_floor::create_invoice(&raw, &endpoint, &floor_nonces, &hashed_secret)
            }),
            Contestant::new("raw_reqwest", || {
                raw_json(
                    raw.post(&endpoint)
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(body.clone()),
                )
            }),
        ],
        &Contestant::new("typed_client", || async {
            zaif.create_invoice(&request()).await.unwrap()
        }),
    );

    let mut group = c.benchmark_group("cpu/zaif");
    group.bench_function("form_with_nonce", |b| {
        let request = request();
        b.iter(|| create_invoice_body(&zaif, &request, nonces.next()).unwrap());
    });
    let answer = RawResponse::new(200, Default::default(), BTC_EXAMPLE);
    group.bench_function("decode_seed_btc_typed", |b| {
        b.iter(|| decode_created_invoice(&answer).unwrap());
    });
    group.bench_function("decode_seed_btc_value_floor", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(&answer.body).unwrap());
    });
    group.finish();
}

criterion_group!(zaif, benches);
criterion_main!(zaif);
