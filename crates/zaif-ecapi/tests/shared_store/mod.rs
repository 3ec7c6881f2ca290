//! What every nonce store shared by hosts must show, whichever it is (Redis, PostgreSQL).

// Test helpers panic on failure by design.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use httpmock::prelude::*;
use payments_core::SendPhase;
use zaif_ecapi::{CreateInvoice, CryptoCurrency, NonceSource, ZaifClient, ZaifError};

/// Two sources on one key ("two hosts") each take `per_host` nonces at once: each host's
/// sequence increases, none is handed out twice, and the floor is the clock. Returns them all,
/// sorted.
pub(crate) async fn two_hosts_share_one_increasing_sequence(
    first: Arc<dyn NonceSource>,
    second: Arc<dyn NonceSource>,
    per_host: usize,
) -> Vec<u64> {
    let take = |source: Arc<dyn NonceSource>| {
        tokio::spawn(async move {
            let mut taken = Vec::new();
            for _ in 0..per_host {
                taken.push(source.next_nonce().await.unwrap().micros());
            }
            taken
        })
    };
    let (a, b) = (take(first), take(second));
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    for sequence in [&a, &b] {
        assert!(
            sequence.windows(2).all(|w| w[0] < w[1]),
            "each host's nonces increase"
        );
    }
    let mut all: Vec<u64> = a.iter().chain(&b).copied().collect();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), 2 * per_host, "no nonce is handed out twice");
    // The floor is the clock: a nonce is close to now in microseconds.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros() as u64;
    let last = all[all.len() - 1];
    assert!(last.abs_diff(now) < 60_000_000, "{last} vs {now}");
    all
}

/// With its nonce store unreachable, a payment fails as a transport error that says nothing was
/// sent; the error, for the store's own wording.
pub(crate) async fn a_payment_fails_unsent(zaif: &ZaifClient) -> ZaifError {
    let err = zaif
        .create_invoice(
            &CreateInvoice::builder(CryptoCurrency::Btc, 100)
                .build()
                .unwrap(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            ZaifError::Core(payments_core::Error::Transport {
                phase: SendPhase::NotSent,
                ..
            })
        ),
        "{err:?}"
    );
    err
}

/// A Zaif stand-in answering every call with "no invoice for that order", for counting what
/// reached it.
pub(crate) async fn ecapi_without_invoices(server: &MockServer) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method(POST).path("/ecapi");
            then.status(200)
                .body(r#"{"success":1,"return":{"invoiceIds":null,"counts":0}}"#);
        })
        .await
}
