//! The sandbox under load.
//!
//! * `nonce_contention`: 1, 8, 64 and 1,000 concurrent `create_invoice` calls on one Zaif key
//!   against the sandbox's strict nonce check (calls/s from the throughput figures), and the same
//!   load spread over 8 keys, which need no ordering between them. The share of calls that
//!   needed a nonce retry is printed at the end (from the sandbox's own count of refusals).
//! * `zaif_key_pool`: one client over 1, 2, 4 and 8 keys with 20 ms added latency, 32 reads in
//!   flight: calls/s per pool size (the scaling ratio is in `docs/performance.md`).
//! * `sandbox_throughput`: requests/s the sandbox serves per provider, with the sandbox running
//!   in a second process (`payments-sandbox --zaif-keys 8`) and this process as the load
//!   generator (256 requests per iteration, all in flight at once).

// Benchmarks panic on failure by design.
#![allow(clippy::unwrap_used, missing_docs)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use futures_util::future::join_all;
use payments::interstream::{InterstreamClient, UserId};
use payments::paymentoptions::{Card, PaymentOptionsClient, PaymentSource, PurchaseRequest};
use payments::zaif::{CreateInvoice, CryptoCurrency, ZaifClient};
use payments::{Currency, Money};
use payments_sandbox::{Sandbox, SandboxConfig};
use payments_test_support::bench_runtime;

fn invoice() -> CreateInvoice {
    CreateInvoice::builder(CryptoCurrency::Btc, 1000)
        .order_number("bench")
        .build()
        .unwrap()
}

/// A client from `env` (the in-process sandbox's or the second process's) using `key`.
fn zaif_client(env: &[(impl AsRef<str>, String)], key: &str) -> ZaifClient {
    let mut env: Vec<(&str, &str)> = env
        .iter()
        .map(|(k, v)| (k.as_ref(), v.as_str()))
        .filter(|(k, _)| *k != "ZAIF_API_KEY")
        .collect();
    env.push(("ZAIF_API_KEY", key));
    ZaifClient::from_env_with(&env).unwrap()
}

/// Awaits every call at once; a failed call stops the benchmark.
async fn all_succeed<T, E: std::fmt::Debug>(
    calls: impl IntoIterator<Item = impl std::future::Future<Output = Result<T, E>>>,
) {
    for result in join_all(calls).await {
        result.unwrap();
    }
}

/// `calls` concurrent `create_invoice` calls, spread over `clients` round-robin.
async fn fire(clients: &[ZaifClient], calls: usize) {
    all_succeed((0..calls).map(|i| {
        let client = &clients[i % clients.len()];
        async move { client.create_invoice(&invoice()).await }
    }))
    .await;
}

fn nonce_contention(c: &mut Criterion) {
    let runtime = bench_runtime();
    let mut config = SandboxConfig::default();
    config.zaif.additional_keys = (1..=8)
        .map(|i| (format!("key-{i}"), config.zaif.api_secret.clone()))
        .collect();
    let sandbox = runtime.block_on(Sandbox::start(config)).unwrap();
    let env = sandbox.env();
    let one_key = vec![zaif_client(&env, "sandbox-zaif-key")];
    let eight_keys: Vec<ZaifClient> = (1..=8)
        .map(|i| zaif_client(&env, &format!("key-{i}")))
        .collect();

    let mut group = c.benchmark_group("nonce_contention");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(6))
        .warm_up_time(Duration::from_secs(1));
    let mut total_calls = 0u64;
    for calls in [1usize, 8, 64, 1000] {
        group.throughput(Throughput::Elements(calls as u64));
        group.bench_with_input(BenchmarkId::new("one_key", calls), &calls, |b, &calls| {
            b.to_async(&runtime).iter(|| fire(&one_key, calls));
        });
        if calls >= 8 {
            group.bench_with_input(
                BenchmarkId::new("eight_keys", calls),
                &calls,
                |b, &calls| {
                    b.to_async(&runtime).iter(|| fire(&eight_keys, calls));
                },
            );
        }
        total_calls += calls as u64;
    }
    group.finish();
    let created = sandbox
        .ledger()
        .iter()
        .filter(|e| e.event == "invoice_created")
        .count();
    let rejections = sandbox.zaif_nonce_rejections();
    eprintln!(
        "nonce_contention: {rejections} nonce retries out of {created} calls ({total_calls} calls per sweep)"
    );
    runtime.block_on(sandbox.stop());
}

/// `calls` concurrent `get_invoice` calls through one client.
async fn read_all(client: &ZaifClient, invoice_id: &str, calls: usize) {
    all_succeed((0..calls).map(|_| client.get_invoice(invoice_id))).await;
}

/// One client over a pool of 1, 2, 4 and 8 keys, with 20 ms added to every Zaif answer (a
/// round trip to Tokyo, shortened): calls/s should grow with the keys, since one key carries
/// one call per round trip. 32 calls in flight per iteration.
fn zaif_key_pool(c: &mut Criterion) {
    let runtime = bench_runtime();
    let mut config = SandboxConfig::default();
    config.zaif.additional_keys = (2..=8)
        .map(|i| (format!("pool-key-{i}"), format!("pool-secret-{i}")))
        .collect();
    config.faults = vec![payments_sandbox::FaultRule {
        provider: payments_sandbox::Provider::Zaif,
        route: None,
        kind: payments_sandbox::FaultKind::Latency,
        status: None,
        latency_ms: 20,
        jitter_ms: 0,
        times: None,
        chance_percent: None,
    }];
    let sandbox = runtime.block_on(Sandbox::start(config)).unwrap();
    let env = sandbox.env();
    let pool = |keys: usize| {
        let mut env = env.clone();
        let additional: Vec<String> = (2..=keys)
            .map(|i| format!("pool-key-{i}:pool-secret-{i}"))
            .collect();
        env.push(("ZAIF_ADDITIONAL_KEYS", additional.join(",")));
        ZaifClient::from_env_with(&env).unwrap()
    };
    let invoice_id = runtime
        .block_on(pool(1).create_invoice(&invoice()))
        .unwrap()
        .invoice_id;
    let calls = 32;
    let mut group = c.benchmark_group("zaif_key_pool");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5))
        .warm_up_time(Duration::from_secs(1))
        .throughput(Throughput::Elements(calls as u64));
    for keys in [1usize, 2, 4, 8] {
        let client = pool(keys);
        assert_eq!(client.key_count(), keys);
        group.bench_with_input(BenchmarkId::new("keys", keys), &keys, |b, _| {
            b.to_async(&runtime)
                .iter(|| read_all(&client, &invoice_id, calls));
        });
    }
    group.finish();
    eprintln!(
        "zaif_key_pool: {} nonce retries; calls per key {:?}",
        sandbox.zaif_nonce_rejections(),
        sandbox.zaif_calls_by_key()
    );
    runtime.block_on(sandbox.stop());
}

/// The sandbox binary in its own process; killed on drop.
struct SandboxProcess {
    child: Child,
    env: Vec<(String, String)>,
}

impl SandboxProcess {
    fn start() -> SandboxProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_payments-sandbox"))
            .args(["--zaif-keys", "8"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut env = Vec::new();
        for line in BufReader::new(child.stdout.take().unwrap()).lines() {
            let line = line.unwrap();
            if let Some((name, value)) =
                line.strip_prefix("export ").and_then(|a| a.split_once('='))
            {
                env.push((name.to_owned(), value.trim_matches('\'').to_owned()));
            }
            if line.starts_with("# sandbox listening") {
                break;
            }
        }
        SandboxProcess { child, env }
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn sandbox_throughput(c: &mut Criterion) {
    const BATCH: usize = 256;
    let runtime = bench_runtime();
    let sandbox = SandboxProcess::start();
    let zaif: Vec<ZaifClient> = (1..=8)
        .map(|i| zaif_client(&sandbox.env, &format!("sandbox-zaif-key-{i}")))
        .collect();
    let cards = PaymentOptionsClient::from_env_with(&sandbox.env).unwrap();
    let store = InterstreamClient::from_env_with(&sandbox.env).unwrap();
    let card = Card::new("5200000000001005", "12", "2099", "100", "John Doe").unwrap();
    let purchase = PurchaseRequest::builder(
        Money::parse("1000", Currency::JPY).unwrap(),
        PaymentSource::Card(Box::new(card)),
        "bench",
        "127.0.0.1".parse().unwrap(),
    )
    .build()
    .unwrap();
    let user = UserId::new(2).unwrap();

    let mut group = c.benchmark_group("sandbox_throughput");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(6))
        .warm_up_time(Duration::from_secs(1));
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("zaif_create_invoice", |b| {
        b.to_async(&runtime).iter(|| fire(&zaif, BATCH))
    });
    group.bench_function("paymentoptions_purchase", |b| {
        b.to_async(&runtime).iter(|| async {
            for result in join_all((0..BATCH).map(|_| cards.purchase(&purchase))).await {
                result.unwrap();
            }
        });
    });
    group.bench_function("interstream_get_credit", |b| {
        b.to_async(&runtime).iter(|| async {
            for result in join_all((0..BATCH).map(|_| store.get_credit(user))).await {
                result.unwrap();
            }
        });
    });
    group.finish();
}

criterion_group!(sandbox, nonce_contention, zaif_key_pool, sandbox_throughput);
criterion_main!(sandbox);
