//! The fair floor of INTER-STREAM's round trip: raw `reqwest` doing the client's work by hand (a
//! salt from the same CSPRNG, the time, HMAC-SHA256, base64, the query and the form encoded per
//! call), for the benchmark and for `cargo xtask instructions` (the `interstream_call_cost` example).

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use payments_core::Url;
use sha2::Sha256;

/// The documented key id the benchmarks use.
pub(crate) const KEY_ID: &str = "1b323a1cb879fd4e66530fbad07a32ee";

/// The `add_payment` form both sides send.
pub(crate) fn form() -> [(&'static str, String); 2] {
    [
        ("amount", "4.50".to_owned()),
        ("description", "payment 154YTR984YX".to_owned()),
    ]
}

/// The client's own signed `add_payment` (URL and body), for bare reqwest to post as it is.
pub(crate) fn presigned(store: &interstream_store::InterstreamClient) -> (Url, Vec<u8>) {
    let user = interstream_store::UserId::new(2).unwrap();
    let request =
        interstream_store::bench_support::signed_add_payment(store, user, &form()).unwrap();
    let body = request.body().and_then(|b| b.as_bytes()).unwrap().to_vec();
    (request.url().clone(), body)
}

/// A signed request's URL without its four signing parameters.
pub(crate) fn unsigned(signed: &Url) -> Url {
    let kept: Vec<(String, String)> = signed
        .query_pairs()
        .filter(|(name, _)| !["timestamp", "salt", "key", "signature"].contains(&name.as_ref()))
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    let mut unsigned = signed.clone();
    unsigned.query_pairs_mut().clear().extend_pairs(&kept);
    unsigned
}

/// One `add_payment` by hand, its answer decoded into a `serde_json::Value`.
pub(crate) async fn add_payment(
    raw: &reqwest::Client,
    unsigned: &Url,
    secret: &str,
) -> serde_json::Value {
    let salt = hex::encode(payments_core::random::secure_bytes::<16>().unwrap());
    let timestamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(salt.as_bytes());
    mac.update(timestamp.as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let mut signed = unsigned.clone();
    signed
        .query_pairs_mut()
        .append_pair("timestamp", &timestamp)
        .append_pair("salt", &salt)
        .append_pair("key", KEY_ID)
        .append_pair("signature", &signature);
    let form =
        serde_urlencoded::to_string([("amount", "4.50"), ("description", "payment 154YTR984YX")])
            .unwrap();
    payments_test_support::raw_json(
        raw.post(signed)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form),
    )
    .await
}
