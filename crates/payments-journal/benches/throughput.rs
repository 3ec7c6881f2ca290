//! Journaled payments per second with 1, 4 and 16 concurrent callers (distinct keys) in front
//! of a provider that answers after 20 ms, on SQLite and on PostgreSQL (a private cluster),
//! against the same calls unjournaled, in the same run: is the journal ever the bottleneck?

#![allow(clippy::unwrap_used, missing_docs, clippy::print_stderr)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use payments_core::{
    Capabilities, Currency, Money, Payment, PaymentMethodKind, PaymentProvider, PaymentRequest,
    PaymentStatus, Result, Secret,
};
use payments_journal::{IdempotencyKey, IntentStore, Journaled, PostgresStore, SqliteStore};
use payments_test_support::PostgresServer;

/// A provider that takes 20 ms per payment, as a real one would on a good day.
#[derive(Debug)]
struct TwentyMillis;

#[async_trait::async_trait]
impl PaymentProvider for TwentyMillis {
    fn name(&self) -> &'static str {
        "twenty"
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities::create_only(&[PaymentMethodKind::ProviderDefault])
    }
    async fn create_payment(&self, request: &PaymentRequest) -> Result<Payment> {
        tokio::time::sleep(Duration::from_millis(20)).await;
        Ok(Payment::new(
            "twenty",
            request.reference.clone(),
            PaymentStatus::Captured,
            (),
        ))
    }
}

const CALLERS: [usize; 3] = [1, 4, 16];
/// Payments each caller makes per measured round.
const PER_CALLER: usize = 10;

/// One round: `callers` tasks, each making PER_CALLER payments one after another.
async fn round(
    journaled: Option<&Arc<Journaled>>,
    callers: usize,
    keys: &Arc<AtomicU64>,
) -> Duration {
    let provider: Arc<dyn PaymentProvider> = Arc::new(TwentyMillis);
    let request =
        PaymentRequest::new(Money::parse("1000", Currency::JPY).unwrap(), "bench").unwrap();
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..callers {
        let (journaled, provider, request, keys) = (
            journaled.cloned(),
            provider.clone(),
            request.clone(),
            keys.clone(),
        );
        tasks.spawn(async move {
            for _ in 0..PER_CALLER {
                match &journaled {
                    Some(journaled) => {
                        let n = keys.fetch_add(1, Ordering::Relaxed);
                        let key = IdempotencyKey::parse(format!("t-{n}")).unwrap();
                        journaled.create_payment(&key, &request).await.unwrap();
                    }
                    None => drop(provider.create_payment(&request).await.unwrap()),
                }
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    started.elapsed()
}

fn benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let postgres = PostgresServer::start();
    let mut stores: Vec<(&str, Arc<dyn IntentStore>)> = vec![(
        "sqlite",
        Arc::new(SqliteStore::open(dir.path().join("t.sqlite3")).unwrap()),
    )];
    if let Some(server) = &postgres {
        let store = runtime
            .block_on(PostgresStore::connect(&Secret::new(server.url())))
            .unwrap();
        stores.push(("postgres", Arc::new(store)));
    }
    let keys = Arc::new(AtomicU64::new(0));
    let listing = std::env::args().any(|a| a == "--test" || a == "--list");
    for (name, store) in &stores {
        let journaled = Arc::new(Journaled::new(Arc::new(TwentyMillis), store.clone()));
        let mut group = c.benchmark_group(format!("throughput/{name}"));
        group
            .sample_size(10)
            .measurement_time(Duration::from_secs(2));
        for callers in CALLERS {
            group.throughput(criterion::Throughput::Elements(
                (callers * PER_CALLER) as u64,
            ));
            group.bench_function(format!("journaled_{callers}_callers"), |b| {
                b.to_async(&runtime).iter_custom(|rounds| {
                    let (journaled, keys) = (journaled.clone(), keys.clone());
                    async move {
                        let mut total = Duration::ZERO;
                        for _ in 0..rounds {
                            total += round(Some(&journaled), callers, &keys).await;
                        }
                        total
                    }
                });
            });
            if listing {
                continue;
            }
            // Paired rounds, alternating which goes first: payments per second both ways.
            let (mut bare, mut journal) = (Duration::ZERO, Duration::ZERO);
            for i in 0..6 {
                let (b, j) = runtime.block_on(async {
                    if i % 2 == 0 {
                        let b = round(None, callers, &keys).await;
                        (b, round(Some(&journaled), callers, &keys).await)
                    } else {
                        let j = round(Some(&journaled), callers, &keys).await;
                        (round(None, callers, &keys).await, j)
                    }
                });
                bare += b;
                journal += j;
            }
            let payments = (6 * callers * PER_CALLER) as u128;
            let per_second = |d: Duration| payments * 1_000_000 / d.as_micros().max(1);
            let ratio = bare.as_micros() * 1000 / journal.as_micros().max(1);
            eprintln!(
                "throughput/{name}: {callers} callers: unjournaled {} payments/s, journaled {} payments/s, journaled/unjournaled {}.{:03}",
                per_second(bare),
                per_second(journal),
                ratio / 1000,
                ratio % 1000
            );
        }
        group.finish();
    }
}

criterion_group!(throughput, benches);
criterion_main!(throughput);
