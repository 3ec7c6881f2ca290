//! INTER-STREAM: what signing and the client add, next to the floor in the same run.
//!
//! * `round_trip/interstream`: `add_payment` (validate, sign with a fresh salt, encode, send over
//!   loopback, decode) vs. two floors against one local server answering `{"ok":"Payment was
//!   added"}`, decoding it into a `serde_json::Value`: the **fair floor**, raw `reqwest` doing
//!   the same work by hand (a salt from the same CSPRNG, the time, HMAC-SHA256, base64, the
//!   query and form encoded per call), and bare `reqwest` posting a pre-signed request.
//! * `cpu/interstream`: a signed request (salt, HMAC-SHA256, base64, query and form encoding)
//!   vs. the bare `hmac` + `base64` calls as its floor; decoding the answer.

// Benchmarks panic on failure by design.
#![allow(clippy::unwrap_used, missing_docs)]

use base64::Engine;
#[path = "support/fair_floor.rs"]
mod fair_floor;

use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{Hmac, KeyInit, Mac};
use interstream_store::bench_support::{decode, signed_add_payment};
use interstream_store::{InterstreamClient, UserId};
use payments_core::http::RawResponse;
use payments_core::{Currency, Money};
use payments_test_support::round_trip::{self, Contestant};
use payments_test_support::{StaticServer, raw_json, round_trip_runtime};
use sha2::Sha256;

const OK: &str = r#"{ "ok":"Payment was added" }"#;
const SECRET: &str = "MWIzMjNhMWNiODc5ZmQ0ZTY2NTMwZmJhZDA3YTMyZWViOTQ3MDJiOGM2ZTU2NjE3";

fn benches(c: &mut Criterion) {
    let runtime = round_trip_runtime();
    let server = runtime
        .block_on(StaticServer::start(200, "application/json", OK))
        .unwrap();
    let store = InterstreamClient::builder()
        .api_url(format!("{}/api.php", server.url()))
        .key_id(fair_floor::KEY_ID)
        .shared_secret(SECRET)
        // Told, so the round trip is one call (otherwise the first learns it from get_config).
        .currency(Currency::EUR)
        .build()
        .unwrap();
    let user = UserId::new(2).unwrap();
    let amount = Money::parse("4.50", Currency::EUR).unwrap();
    let form = fair_floor::form();
    let (url, body) = fair_floor::presigned(&store);
    let raw = payments_test_support::raw_reqwest().build().unwrap();
    // The fair floor: raw reqwest with the SDK's transport settings (a request timeout above
    // all), doing the client's work by hand.
    let configured = payments_test_support::sdk_configured_reqwest()
        .build()
        .unwrap();
    let unsigned = fair_floor::unsigned(&url);

    round_trip::compare(
        c,
        "round_trip/interstream",
        &runtime,
        &[
            Contestant::new("fair_floor", || {
                fair_floor::add_payment(&configured, &unsigned, SECRET)
            }),
            Contestant::new("fair_floor_without_timeout", || {
                fair_floor::add_payment(&raw, &unsigned, SECRET)
            }),
            Contestant::new("raw_reqwest", || {
                raw_json(
                    raw.post(url.clone())
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(body.clone()),
                )
            }),
        ],
        &Contestant::new("typed_client", || async {
            store
                .add_payment(user, amount, Some("payment 154YTR984YX"))
                .await
                .unwrap()
        }),
    );

    let mut group = c.benchmark_group("cpu/interstream");
    group.bench_function("signed_request", |b| {
        b.iter(|| signed_add_payment(&store, user, &form).unwrap());
    });
    group.bench_function("bare_hmac_base64_floor", |b| {
        let salt = "4f7c1d2e9a8b3c6d5e0f1a2b3c4d5e6f";
        b.iter(|| {
            let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
            mac.update(salt.as_bytes());
            mac.update(b"1732521600");
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
        });
    });
    let answer = RawResponse::new(200, Default::default(), OK);
    group.bench_function("decode_ok_typed", |b| b.iter(|| decode(&answer).unwrap()));
    group.finish();
}

criterion_group!(interstream, benches);
criterion_main!(interstream);
