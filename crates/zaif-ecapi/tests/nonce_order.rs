//! One key, many concurrent calls, against a local server that enforces Zaif's rule strictly:
//! a nonce not greater than the last one seen for the key is refused (`nonce not incremented`).

// Test helpers panic on failure by design.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::routing::post;
use axum::{Form, Router};
use zaif_ecapi::{CreateInvoice, CryptoCurrency, InProcessNonce, Nonce, ZaifClient, ZaifError};

const SECRET: &str = "strict-secret";

#[derive(Default)]
struct Strict {
    last: Mutex<HashMap<String, Nonce>>,
    accepted: Mutex<Vec<Nonce>>,
    rejected: AtomicUsize,
    reject_next: AtomicUsize,
}

async fn ecapi(
    State(state): State<Arc<Strict>>,
    Form(form): Form<HashMap<String, String>>,
) -> String {
    let refuse = |text: &str| serde_json::json!({"success": 0, "error": text}).to_string();
    let expected_hash = {
        use sha1::Digest;
        hex::encode(sha1::Sha1::digest(SECRET.as_bytes()))
    };
    if form.get("sha1secret") != Some(&expected_hash) {
        return refuse("account has not permission to use ec api");
    }
    let Some(nonce) = form.get("nonce").and_then(|n| Nonce::parse(n)) else {
        return refuse("invalid parameter nonce");
    };
    let key = form.get("key").cloned().unwrap_or_default();
    let mut last = state.last.lock().unwrap();
    if state
        .reject_next
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        // As if another server had just used a larger nonce with this key.
        state.rejected.fetch_add(1, Ordering::SeqCst);
        return refuse("nonce not incremented");
    }
    if last.get(&key).is_some_and(|previous| nonce <= *previous) {
        state.rejected.fetch_add(1, Ordering::SeqCst);
        return refuse("nonce not incremented");
    }
    last.insert(key, nonce);
    let mut accepted = state.accepted.lock().unwrap();
    accepted.push(nonce);
    let id = accepted.len();
    serde_json::json!({"success": 1, "return": {
        "invoiceId": format!("inv-{id}"),
        "invoiceUri": format!("https://zaif.jp/invoice/form/inv-{id}"),
        "invoiceIframeUri": format!("https://zaif.jp/invoice/iframe/inv-{id}"),
        "created": 1434696690, "expired": 1434698490,
        "amount": form.get("amount").and_then(|a| a.parse::<u64>().ok()).unwrap_or(0),
        "currency": "btc", "rate": "30012", "btc": "0.359856",
        "address": "19yhwoY8ysDNy1J1JBZf6nRBsUfLTe2Lvb",
        "BIP21": "bitcoin:19yhwoY8ysDNy1J1JBZf6nRBsUfLTe2Lvb?amount=0.359856",
        "speed": "medium",
        "orderNumber": form.get("orderNumber"),
    }})
    .to_string()
}

async fn start_strict_server() -> (String, Arc<Strict>) {
    let state = Arc::new(Strict::default());
    let app = Router::new()
        .route("/ecapi", post(ecapi))
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/ecapi", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, state)
}

fn client(url: &str, key: &str) -> ZaifClient {
    ZaifClient::builder()
        .api_key(key)
        .api_secret(SECRET)
        .endpoint(url)
        .build()
        .unwrap()
}

fn request(i: usize) -> CreateInvoice {
    CreateInvoice::builder(CryptoCurrency::Btc, 1000 + i as u64)
        .order_number(format!("order-{i}"))
        .build()
        .unwrap()
}

fn assert_strictly_increasing(nonces: &[Nonce]) {
    for pair in nonces.windows(2) {
        assert!(pair[0] < pair[1], "{} then {}", pair[0], pair[1]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_calls_on_one_key_all_succeed() {
    let (url, state) = start_strict_server().await;
    let zaif = client(&url, "key-thousand");
    let tasks: Vec<_> = (0..1000)
        .map(|i| {
            let zaif = zaif.clone();
            tokio::spawn(async move { zaif.create_invoice(&request(i)).await })
        })
        .collect();
    let mut orders = Vec::new();
    for task in tasks {
        let invoice = task.await.unwrap().unwrap();
        orders.push(invoice.order_number.unwrap());
    }
    orders.sort();
    orders.dedup();
    assert_eq!(orders.len(), 1000, "every call created its own invoice");
    let accepted = state.accepted.lock().unwrap().clone();
    assert_eq!(accepted.len(), 1000);
    assert_strictly_increasing(&accepted);
    assert_eq!(
        state.rejected.load(Ordering::SeqCst),
        0,
        "calls reach Zaif in nonce order"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn separate_clients_sharing_a_key_stay_in_order() {
    let (url, state) = start_strict_server().await;
    let first = client(&url, "key-shared");
    let second = client(&url, "key-shared");
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let zaif = if i % 2 == 0 {
                first.clone()
            } else {
                second.clone()
            };
            tokio::spawn(async move { zaif.create_invoice(&request(i)).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(state.accepted.lock().unwrap().len(), 200);
    assert_eq!(state.rejected.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_rejected_nonce_is_retried_fresh_and_succeeds() {
    let (url, state) = start_strict_server().await;
    state.reject_next.store(2, Ordering::SeqCst);
    let invoice = client(&url, "key-retry")
        .create_invoice(&request(1))
        .await
        .unwrap();
    assert_eq!(invoice.order_number.as_deref(), Some("order-1"));
    assert_eq!(state.rejected.load(Ordering::SeqCst), 2);
    assert_eq!(
        state.accepted.lock().unwrap().len(),
        1,
        "one invoice, not three"
    );
}

#[tokio::test]
async fn a_source_behind_the_server_is_refused_after_bounded_retries() {
    let (url, state) = start_strict_server().await;
    // Another "process" already used a nonce far in the future with this key.
    state
        .last
        .lock()
        .unwrap()
        .insert("key-behind".into(), Nonce::from_micros(u64::MAX / 2));
    let zaif = ZaifClient::builder()
        .api_key("key-behind")
        .api_secret(SECRET)
        .endpoint(url.as_str())
        .nonce_source(Arc::new(InProcessNonce::with_clock(|| 1_000_000)))
        .build()
        .unwrap();
    let err = zaif.create_invoice(&request(1)).await.unwrap_err();
    assert!(
        matches!(err, ZaifError::NonceNotIncremented { .. }),
        "{err:?}"
    );
    assert_eq!(state.rejected.load(Ordering::SeqCst), 5);
    assert!(state.accepted.lock().unwrap().is_empty());
}
