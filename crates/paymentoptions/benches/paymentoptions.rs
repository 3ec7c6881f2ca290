//! PaymentOptions: what the client adds to a purchase, next to the floor in the same run.
//!
//! * `round_trip/paymentoptions`: `purchase` (validate the card, serialize, send over loopback,
//!   decode and mask) vs. raw `reqwest` posting the same JSON and decoding a `Value`, against one
//!   local server answering the seed's 201 example; and raw `reqwest` carrying the SDK's own
//!   request and decoder, to tell the codec's cost from the client's transport path. Measured
//!   on one thread, interleaved, with a paired ABBA run (`payments_test_support::round_trip`).
//! * `cpu/paymentoptions`: card validation + body serialization, and decoding the seed answer.

// Benchmarks panic on failure by design.
#![allow(clippy::unwrap_used, missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use paymentoptions::bench_support::{decode, purchase_body};
use paymentoptions::{Card, PaymentOptionsClient, PaymentSource, PurchaseRequest};
use payments_core::http::RawResponse;
use payments_core::{Currency, Money};
use payments_test_support::round_trip::{self, Contestant};
use payments_test_support::{StaticServer, raw_json, round_trip_runtime};

const SEED_201: &str = r#"{"success":true,"status_code":201,"is_live":false,"transaction_type":"PRE_AUTH","gateway_response":{"version":"1","type":"INFO","message":"Payment Successful.","code":"INFO0000"},"merchant_details":{"legal_name":"Tink15 Factory","mid":"M-1","merchant_txn_ref":"qwe","billing_details":{"billing_address":{"country":"JP","email":"billing@testemail.com","phone_number":"8112345678","address1":"1-2-3 Shinjuku","city":"Shinjuku-ku","state":"Tokyo","postal_code":"1600022"}},"device_details":{"visited_ip":"127.0.0.1","merchant_ip":"127.0.0.1","customer_ip":"127.0.0.1"}},"payment_details":{"amount":1000,"response_code":0,"auth_code":"917290","currency":"JPY","payment_method":"ECMC-SSL","scheme":"MASTERCARD","card":{"name":"John Doe","number":"5200000000001005","exp_month":"12","exp_year":"24"},"additional_data":{"payment_data_source":{"type":"card"}}},"transaction_details":{"id":"ab8444e7-fec0-40dd-994d-0ad813785f74","ref":74797,"timestamp":"2024-11-25T07:22:48.000Z","merchant_txn_ref":"qwe","stored_payment_method_id":null},"risk-details":{"risk_score":null}}"#;

fn request() -> PurchaseRequest {
    let card = Card::new("5200000000001005", "12", "2099", "100", "John Doe").unwrap();
    PurchaseRequest::builder(
        Money::parse("1000", Currency::JPY).unwrap(),
        PaymentSource::Card(Box::new(card)),
        "qwe",
        "127.0.0.1".parse().unwrap(),
    )
    .build()
    .unwrap()
}

fn benches(c: &mut Criterion) {
    let runtime = round_trip_runtime();
    let server = runtime
        .block_on(StaticServer::start(201, "application/json", SEED_201))
        .unwrap();
    let base = format!("{}/api/v1/api/v1", server.url());
    let gateway = PaymentOptionsClient::builder()
        .api_key("pk_bench")
        .merchant_id("M-1")
        .base_url(base.clone())
        .build()
        .unwrap();
    let url = format!("{base}/server-to-server-interface/payment");
    let body = purchase_body(&request(), "M-1").unwrap();
    let raw = payments_test_support::raw_reqwest().build().unwrap();

    // The same floor with the SDK's transport settings (timeouts, user agent, no redirects), to
    // tell the client's own cost from reqwest's configuration.
    let configured = payments_test_support::sdk_configured_reqwest()
        .user_agent("paymentoptions/bench")
        .build()
        .unwrap();
    let post = |client: &reqwest::Client| {
        client
            .post(&url)
            .header("authorization", "Basic pk_bench")
            .header("x-api-key", "pk_bench")
            .header("content-type", "application/json")
    };
    round_trip::compare(
        c,
        "round_trip/paymentoptions",
        &runtime,
        &[
            Contestant::new("raw_reqwest", || raw_json(post(&raw).body(body.clone()))),
            Contestant::new("raw_reqwest_sdk_settings", || {
                raw_json(post(&configured).body(body.clone()))
            }),
            // Raw transport, the SDK's own work: build and validate the request, serialize it,
            // decode the answer typed. What is left between this and the typed client is the
            // client's transport path (URL, headers, telemetry, retry, environment check).
            Contestant::new("raw_reqwest_sdk_codec", || async {
                let body = purchase_body(&request(), "M-1").unwrap();
                let answer = post(&raw).body(body).send().await.unwrap();
                let status = answer.status().as_u16();
                let bytes = answer.bytes().await.unwrap();
                decode(&RawResponse::new(status, Default::default(), bytes)).unwrap()
            }),
        ],
        &Contestant::new("typed_client", || async {
            gateway.purchase(&request()).await.unwrap()
        }),
    );

    let mut group = c.benchmark_group("cpu/paymentoptions");
    group.bench_function("validate_card_and_serialize_body", |b| {
        b.iter(|| purchase_body(&request(), "M-1").unwrap());
    });
    let answer = RawResponse::new(201, Default::default(), SEED_201);
    group.bench_function("decode_seed_201_typed", |b| {
        b.iter(|| decode(&answer).unwrap())
    });
    group.bench_function("decode_seed_201_value_floor", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(&answer.body).unwrap());
    });
    group.finish();
}

criterion_group!(paymentoptions, benches);
criterion_main!(paymentoptions);
