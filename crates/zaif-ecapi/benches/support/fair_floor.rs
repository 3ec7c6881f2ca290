//! The fair floor of Zaif's round trip: raw `reqwest` doing the client's work by hand (a fresh
//! nonce from the same `InProcessNonce`, the sha1 secret hashed once, the form encoded per
//! call), for the benchmark and for `cargo xtask instructions` (the `zaif_call_cost` example).

use zaif_ecapi::InProcessNonce;

/// The documented test key the benchmarks use.
pub(crate) const KEY: &str = "490f983a-5fab-49b2-b789-9d1f130874d3";

/// `secret` hashed as the `sha1secret` field carries it (once, as a client would).
pub(crate) fn hashed_secret(secret: &str) -> String {
    use sha1::Digest;
    hex::encode(sha1::Sha1::digest(secret.as_bytes()))
}

/// One `createInvoice` by hand, its answer decoded into a `serde_json::Value`.
pub(crate) async fn create_invoice(
    raw: &reqwest::Client,
    endpoint: &str,
    nonces: &InProcessNonce,
    hashed_secret: &str,
) -> serde_json::Value {
    payments_test_support::raw_json(request(raw, endpoint, nonces, hashed_secret)).await
}

/// The `createInvoice` request by hand: the form with a fresh nonce, posted to `endpoint`.
pub(crate) fn request(
    raw: &reqwest::Client,
    endpoint: &str,
    nonces: &InProcessNonce,
    hashed_secret: &str,
) -> reqwest::RequestBuilder {
    raw.post(endpoint)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(nonces, hashed_secret))
}

/// The `createInvoice` form with a fresh nonce.
pub(crate) fn form(nonces: &InProcessNonce, hashed_secret: &str) -> String {
    let nonce = nonces.next().to_string();
    serde_urlencoded::to_string([
        ("method", "createInvoice"),
        ("key", KEY),
        ("sha1secret", hashed_secret),
        ("nonce", nonce.as_str()),
        ("currency", "btc"),
        ("amount", "10800"),
        ("itemName", "コーヒー豆 1kg"),
        ("orderNumber", "A-1001"),
    ])
    .unwrap()
}
