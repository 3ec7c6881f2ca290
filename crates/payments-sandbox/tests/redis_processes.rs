//! One Zaif key shared by several processes through the Redis nonce store and through the file
//! store, against the sandbox's strict nonce check, with and without random network jitter
//! between connections, and what happens when Redis dies mid-run.
//!
//! The worker processes are this test binary run again (`worker` with `NONCE_WORKER_CALLS`
//! set), so no extra program is needed.

// Test helpers panic on failure by design.
#![allow(clippy::unwrap_used)]

use std::process::Command;
use std::time::Duration;

use payments::retry::RetryPolicy;
use payments::zaif::{CreateInvoice, CryptoCurrency, ZaifClient, ZaifError};
use payments::{ErrorKind, SendPhase};
use payments_sandbox::{Sandbox, SandboxConfig};
use payments_test_support::RedisServer;

const WORKER_CALLS: &str = "NONCE_WORKER_CALLS";
/// Unix milliseconds at which every worker starts, so the processes really overlap.
const WORKER_START: &str = "NONCE_WORKER_START_MS";
/// Set: the worker never retries, so a single `nonce not incremented` fails the run.
const WORKER_STRICT: &str = "NONCE_WORKER_STRICT";

fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
const PROCESSES: usize = 6;
const CALLS: usize = 50;

fn invoice(order: String) -> CreateInvoice {
    CreateInvoice::builder(CryptoCurrency::Btc, 1000)
        .order_number(order)
        .build()
        .unwrap()
}

/// Processes race for the key: a nonce taken earlier may arrive later, so the bounded
/// `nonce not incremented` retry is what makes every call succeed.
fn contended_client() -> ZaifClient {
    ZaifClient::builder_from_env(&payments::config::ProcessEnv)
        .unwrap()
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(30)
                .backoff(Duration::from_millis(1), Duration::from_millis(40))
                .max_elapsed(Duration::from_secs(30)),
        )
        .build()
        .unwrap()
}

/// The worker: `NONCE_WORKER_CALLS` concurrent calls; a no-op in a normal test run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worker() {
    let Some(calls) = std::env::var(WORKER_CALLS)
        .ok()
        .and_then(|c| c.parse::<usize>().ok())
    else {
        return;
    };
    let zaif = if std::env::var_os(WORKER_STRICT).is_some() {
        ZaifClient::builder_from_env(&payments::config::ProcessEnv)
            .unwrap()
            .retry_policy(RetryPolicy::never())
            .build()
            .unwrap()
    } else {
        contended_client()
    };
    let start: u64 = std::env::var(WORKER_START)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    tokio::time::sleep(Duration::from_millis(start.saturating_sub(unix_ms()))).await;
    let pid = std::process::id();
    let results = futures_util::future::join_all((0..calls).map(|i| {
        let zaif = zaif.clone();
        async move { zaif.create_invoice(&invoice(format!("R-{pid}-{i}"))).await }
    }))
    .await;
    for result in results {
        result.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_sharing_a_key_through_redis_all_succeed() {
    if std::env::var_os(WORKER_CALLS).is_some() {
        return;
    }
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let mut env: Vec<(String, String)> = sandbox
        .env()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    env.push(("ZAIF_NONCE_REDIS_URL".into(), redis.url()));
    env.push((WORKER_CALLS.into(), CALLS.to_string()));
    env.push((WORKER_START.into(), (unix_ms() + 2_000).to_string()));
    let outputs = tokio::task::spawn_blocking(move || {
        let children: Vec<_> = (0..PROCESSES)
            .map(|_| {
                Command::new(std::env::current_exe().unwrap())
                    .args(["worker", "--exact", "--nocapture"])
                    .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                    .output()
            })
            .collect();
        children.into_iter().map(|c| c.unwrap()).collect::<Vec<_>>()
    })
    .await
    .unwrap();
    for output in &outputs {
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stdout)
        );
    }
    let created = sandbox
        .ledger()
        .iter()
        .filter(|e| e.event == "invoice_created")
        .count();
    assert_eq!(
        created,
        PROCESSES * CALLS,
        "every call created exactly one invoice"
    );
    eprintln!(
        "{PROCESSES} processes x {CALLS} calls on one key: {created} invoices, {} nonce retries",
        sandbox.zaif_nonce_rejections()
    );
    sandbox.stop().await;
}

/// Runs `processes` workers of `calls` strict calls each against a sandbox that delays every
/// Zaif request by a random 0–40 ms, sharing one key through `store` (a `ZAIF_NONCE_*`
/// variable); every call must succeed at once, with no `nonce not incremented` at all.
async fn strict_workers_under_jitter(store: (&str, String), processes: usize, calls: usize) {
    let config = SandboxConfig {
        faults: vec![payments_sandbox::FaultRule {
            provider: payments_sandbox::Provider::Zaif,
            route: None,
            kind: payments_sandbox::FaultKind::Latency,
            status: None,
            latency_ms: 0,
            jitter_ms: 40,
            times: None,
            chance_percent: None,
        }],
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start(config).await.unwrap();
    let mut env: Vec<(String, String)> = sandbox
        .env()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    env.push((store.0.to_owned(), store.1));
    env.push((WORKER_CALLS.into(), calls.to_string()));
    env.push((WORKER_STRICT.into(), "1".into()));
    env.push((WORKER_START.into(), (unix_ms() + 2_000).to_string()));
    let outputs = tokio::task::spawn_blocking(move || {
        let children: Vec<_> = (0..processes)
            .map(|_| {
                Command::new(std::env::current_exe().unwrap())
                    .args(["worker", "--exact", "--nocapture"])
                    .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                    .spawn()
                    .unwrap()
            })
            .collect();
        children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    for output in &outputs {
        assert!(
            output.status.success(),
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let created = sandbox
        .ledger()
        .iter()
        .filter(|e| e.event == "invoice_created")
        .count();
    assert_eq!(created, processes * calls);
    assert_eq!(
        sandbox.zaif_nonce_rejections(),
        0,
        "the key's turn spans the processes: no request overtook another"
    );
    eprintln!(
        "{processes} processes x {calls} strict calls under 0-40 ms jitter: {created} invoices, 0 nonce rejections"
    );
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_sharing_a_key_through_a_file_under_jitter_never_collide() {
    if std::env::var_os(WORKER_CALLS).is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("zaif-nonce");
    strict_workers_under_jitter(("ZAIF_NONCE_FILE", file.display().to_string()), 4, 12).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hosts_sharing_a_key_through_redis_under_jitter_never_collide() {
    if std::env::var_os(WORKER_CALLS).is_some() {
        return;
    }
    let Some(redis) = RedisServer::start() else {
        return;
    };
    strict_workers_under_jitter(("ZAIF_NONCE_REDIS_URL", redis.url()), 4, 12).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_redis_fails_calls_cleanly_until_it_is_back() {
    if std::env::var_os(WORKER_CALLS).is_some() {
        return;
    }
    let Some(mut redis) = RedisServer::start() else {
        return;
    };
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let mut env: Vec<(String, String)> = sandbox
        .env()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    env.push(("ZAIF_NONCE_REDIS_URL".into(), redis.url()));
    let zaif = ZaifClient::builder_from_env(&env)
        .unwrap()
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap();
    for i in 0..10 {
        zaif.create_invoice(&invoice(format!("K-before-{i}")))
            .await
            .unwrap();
    }
    redis.stop();
    for i in 0..5 {
        let err = zaif
            .create_invoice(&invoice(format!("K-down-{i}")))
            .await
            .unwrap_err();
        let ZaifError::Core(core) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(core.kind(), ErrorKind::Transport, "{err}");
        assert!(matches!(
            core,
            payments::Error::Transport {
                phase: SendPhase::NotSent,
                ..
            }
        ));
        assert!(!core.outcome_unknown());
    }
    assert!(
        sandbox
            .ledger()
            .iter()
            .all(|e| !e.reference.starts_with("K-down")),
        "nothing reached Zaif"
    );
    redis.restart();
    let mut succeeded = 0;
    for i in 0..40 {
        if zaif
            .create_invoice(&invoice(format!("K-after-{i}")))
            .await
            .is_ok()
        {
            succeeded += 1;
        }
        if succeeded == 10 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        succeeded, 10,
        "calls succeed again, and the sandbox's strict check accepts their nonces"
    );
    assert_eq!(
        sandbox.zaif_nonce_rejections(),
        0,
        "the nonces never went backwards"
    );
    sandbox.stop().await;
}
