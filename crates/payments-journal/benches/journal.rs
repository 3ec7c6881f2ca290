//! What the journal costs a payment: a journaled `create_payment` (claim committed and synced,
//! the call, the outcome committed and synced) against the same call unjournaled, in the same
//! run, to a loopback server that answers at once and to one that answers after 20 ms.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use payments_core::http::{HttpClient, HttpConfig};
use payments_core::{
    Capabilities, Currency, Money, Payment, PaymentMethodKind, PaymentProvider, PaymentRequest,
    PaymentStatus, Result,
};
use payments_journal::{IdempotencyKey, Journaled, SqliteStore};
use payments_test_support::round_trip::{self, Contestant};
use payments_test_support::{StaticServer, round_trip_runtime};

const ANSWER: &str = r#"{"id":"pay-1","status":"captured"}"#;

/// A provider that makes one real HTTP round trip per payment, through the SDK's client.
#[derive(Debug)]
struct OneRoundTrip {
    http: HttpClient,
    url: String,
}

#[async_trait::async_trait]
impl PaymentProvider for OneRoundTrip {
    fn name(&self) -> &'static str {
        "bench"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::create_only(&[PaymentMethodKind::ProviderDefault])
    }

    async fn create_payment(&self, request: &PaymentRequest) -> Result<Payment> {
        let answer = self
            .http
            .send(
                "bench",
                self.http
                    .reqwest()
                    .post(&self.url)
                    .body(request.reference.clone()),
            )
            .await?;
        let answer: serde_json::Value = answer.json("bench")?;
        let id = answer["id"].as_str().unwrap_or_default().to_owned();
        Ok(Payment::new("bench", id, PaymentStatus::Captured, ()).with_amount(request.amount))
    }
}

fn provider(url: &str) -> Arc<OneRoundTrip> {
    Arc::new(OneRoundTrip {
        http: HttpClient::new(&HttpConfig::new("bench", "1")).unwrap(),
        url: url.to_owned(),
    })
}

fn benches(c: &mut Criterion) {
    let runtime = round_trip_runtime();
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path().join("bench.sqlite3")).unwrap());
    let request =
        PaymentRequest::new(Money::parse("1000", Currency::JPY).unwrap(), "bench-order").unwrap();
    let counter = AtomicU64::new(0);
    let next_key =
        || IdempotencyKey::parse(format!("b-{}", counter.fetch_add(1, Ordering::Relaxed))).unwrap();

    // Loopback: the journal against the bare call.
    let fast = runtime
        .block_on(StaticServer::start(200, "application/json", ANSWER))
        .unwrap();
    let bare = provider(fast.url());
    let journaled = Journaled::new(bare.clone(), store.clone());
    round_trip::compare(
        c,
        "journal/loopback",
        &runtime,
        &[Contestant::new("unjournaled", || async {
            bare.create_payment(&request).await.unwrap()
        })],
        &Contestant::new("journaled", || async {
            journaled
                .create_payment(&next_key(), &request)
                .await
                .unwrap()
        }),
    );

    // A provider that takes 20 ms: what share of its round trip the journal adds.
    let slow = runtime
        .block_on(StaticServer::start_delayed(
            200,
            "application/json",
            ANSWER,
            Duration::from_millis(20),
        ))
        .unwrap();
    let bare_slow = provider(slow.url());
    let journaled_slow = Journaled::new(bare_slow.clone(), store.clone());
    let floor = Contestant::new("unjournaled", || async {
        bare_slow.create_payment(&request).await.unwrap()
    });
    let typed = Contestant::new("journaled", || async {
        journaled_slow
            .create_payment(&next_key(), &request)
            .await
            .unwrap()
    });
    let mut group = c.benchmark_group("journal/provider_20ms");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(3));
    group.bench_function("unjournaled", |b| {
        b.to_async(&runtime)
            .iter(|| async { bare_slow.create_payment(&request).await.unwrap() });
    });
    group.bench_function("journaled", |b| {
        b.to_async(&runtime).iter(|| async {
            journaled_slow
                .create_payment(&next_key(), &request)
                .await
                .unwrap()
        });
    });
    group.finish();
    if !std::env::args().any(|a| a == "--test" || a == "--list" || a == "--profile-time") {
        let paired = runtime.block_on(round_trip::paired(&floor, &typed, 20, 5));
        eprintln!(
            "journal/provider_20ms: paired (20 blocks of 5 calls, ABBA): unjournaled {:.2?}, journaled {:.2?}, unjournaled/journaled median {}.{:03}",
            paired.floor,
            paired.typed,
            paired.median_permille / 1000,
            paired.median_permille % 1000,
        );
    }
}

criterion_group!(journal, benches);
criterion_main!(journal);
