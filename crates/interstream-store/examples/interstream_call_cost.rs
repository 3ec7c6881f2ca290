//! `interstream_call_cost typed|fair_floor|fair_floor_without_timeout|bare N`: N `add_payment`
//! round trips of one contestant against a local server on one thread, after a warm-up, for `cargo
//! xtask instructions` to count under callgrind (instructions are repeatable where times are not).
//! The fair floor is raw reqwest with the SDK's transport settings; the same without its request
//! timeout is measured beside it.

#![allow(clippy::unwrap_used, missing_docs)]

#[path = "../benches/support/fair_floor.rs"]
mod fair_floor;

use interstream_store::{InterstreamClient, UserId};
use payments_core::{Currency, Money};
use payments_test_support::{StaticServer, raw_json, round_trip_runtime};

const SECRET: &str = "MWIzMjNhMWNiODc5ZmQ0ZTY2NTMwZmJhZDA3YTMyZWViOTQ3MDJiOGM2ZTU2NjE3";

fn main() {
    let (contestant, calls) = payments_test_support::call_cost_args();
    let runtime = round_trip_runtime();
    runtime.block_on(async {
        let server =
            StaticServer::start(200, "application/json", r#"{ "ok":"Payment was added" }"#)
                .await
                .unwrap();
        let store = InterstreamClient::builder()
            .api_url(format!("{}/api.php", server.url()))
            .key_id(fair_floor::KEY_ID)
            .shared_secret(SECRET)
            .currency(Currency::EUR)
            .build()
            .unwrap();
        let user = UserId::new(2).unwrap();
        let amount = Money::parse("4.50", Currency::EUR).unwrap();
        let (url, body) = fair_floor::presigned(&store);
        let unsigned = fair_floor::unsigned(&url);
        let raw = payments_test_support::raw_reqwest().build().unwrap();
        let configured = payments_test_support::sdk_configured_reqwest()
            .build()
            .unwrap();
        for _ in 0..20 + calls {
            match contestant.as_str() {
                "typed" => drop(
                    store
                        .add_payment(user, amount, Some("payment 154YTR984YX"))
                        .await
                        .unwrap(),
                ),
                "fair_floor" => {
                    drop(fair_floor::add_payment(&configured, &unsigned, SECRET).await);
                }
                "fair_floor_without_timeout" => {
                    drop(fair_floor::add_payment(&raw, &unsigned, SECRET).await);
                }
                _ => drop(
                    raw_json(
                        raw.post(url.clone())
                            .header("content-type", "application/x-www-form-urlencoded")
                            .body(body.clone()),
                    )
                    .await,
                ),
            }
        }
    });
}
