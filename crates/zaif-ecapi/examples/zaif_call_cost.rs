//! `zaif_call_cost CONTESTANT N`: N `createInvoice` round trips of one contestant against a
//! local server on one thread, after a warm-up, for `cargo xtask instructions` to count under
//! cachegrind (instructions are repeatable where times are not). The contestants: `typed`;
//! `typed_prebuilt`, one request built (and validated) once, to tell the builder's share;
//! `floor_typed_decode`, the fair floor's request with the typed decoder, to tell the decoder's;
//! `fair_floor`, raw reqwest with the SDK's transport settings doing the client's work by hand;
//! `fair_floor_without_timeout`, the same without its request timeout; `bare`, fixed bytes.

#![allow(clippy::unwrap_used, missing_docs)]

#[path = "../benches/support/fair_floor.rs"]
mod fair_floor;

use payments_test_support::{StaticServer, raw_json, round_trip_runtime};
use zaif_ecapi::{CreateInvoice, CryptoCurrency, InProcessNonce, ZaifClient};

const ANSWER: &str = r#"{"success":1,"return":{"invoiceId":"d7dd735c-1650-11e5-b412-4437e6999eec","invoiceUri":"https://zaif.jp/invoice/form/d7dd735c-1650-11e5-b412-4437e6999eec","invoiceIframeUri":"https://zaif.jp/invoice/iframe/d7dd735c-1650-11e5-b412-4437e6999eec","created":1434696690,"expired":1434698490,"amount":10800,"currency":"btc","rate":"30012","btc":"0.359856","address":"19yhwoY8ysDNy1J1JBZf6nRBsUfLTe2Lvb","BIP21":"bitcoin:19yhwoY8ysDNy1J1JBZf6nRBsUfLTe2Lvb?amount=0.359856","speed":"high","orderNumber":"A-1001"}}"#;

fn main() {
    let (contestant, calls) = payments_test_support::call_cost_args();
    let runtime = round_trip_runtime();
    runtime.block_on(async {
        let server = StaticServer::start(200, "application/json", ANSWER)
            .await
            .unwrap();
        let endpoint = format!("{}/ecapi", server.url());
        let zaif = ZaifClient::builder()
            .api_key(fair_floor::KEY)
            .api_secret("bench-secret")
            .endpoint(endpoint.clone())
            .build()
            .unwrap();
        let raw = payments_test_support::raw_reqwest().build().unwrap();
        let configured = payments_test_support::sdk_configured_reqwest()
            .build()
            .unwrap();
        let nonces = InProcessNonce::shared();
        let hashed = fair_floor::hashed_secret("bench-secret");
        let request = || {
            CreateInvoice::builder(CryptoCurrency::Btc, 10800)
                .order_number("A-1001")
                .item_name("コーヒー豆 1kg")
                .build()
                .unwrap()
        };
        let fixed = fair_floor::form(&nonces, &hashed);
        let prebuilt = request();
        for _ in 0..20 + calls {
            match contestant.as_str() {
                "typed" => drop(zaif.create_invoice(&request()).await.unwrap()),
                "typed_prebuilt" => drop(zaif.create_invoice(&prebuilt).await.unwrap()),
                "floor_typed_decode" => {
                    let response = fair_floor::request(&configured, &endpoint, &nonces, &hashed)
                        .send()
                        .await
                        .unwrap();
                    let status = response.status().as_u16();
                    let body = response.bytes().await.unwrap();
                    let raw =
                        payments_core::http::RawResponse::new(status, Default::default(), body);
                    drop(zaif_ecapi::bench_support::decode_created_invoice(&raw).unwrap());
                }
                "fair_floor" => {
                    drop(fair_floor::create_invoice(&configured, &endpoint, &nonces, &hashed).await)
                }
                "fair_floor_without_timeout" => {
                    drop(fair_floor::create_invoice(&raw, &endpoint, &nonces, &hashed).await)
                }
                _ => drop(
                    raw_json(
                        raw.post(&endpoint)
                            .header("content-type", "application/x-www-form-urlencoded")
                            .body(fixed.clone()),
                    )
                    .await,
                ),
            }
        }
    });
}
