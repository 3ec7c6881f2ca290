//! The Redis nonce store against a real `redis-server` on 127.0.0.1 (started by the test; the
//! tests skip with a message when the binary is absent, except under CI).

// Test helpers panic on failure by design.
#![allow(clippy::unwrap_used)]

mod shared_store;

use std::sync::Arc;

use httpmock::prelude::*;
use payments_core::Secret;
use payments_test_support::RedisServer;
use zaif_ecapi::{NonceSource, RedisNonce, ZaifClient};

const KEY: &str = "490f983a-5fab-49b2-b789-9d1f130874d3";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hosts_share_one_increasing_sequence() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let first = Arc::new(RedisNonce::new(&redis.url(), &Secret::new(KEY)).unwrap());
    let second = Arc::new(RedisNonce::new(&redis.url(), &Secret::new(KEY)).unwrap());
    assert!(!first.redis_key().contains(KEY), "the key is hashed");
    assert!(first.redis_key().starts_with("zaif-ecapi:nonce:"));
    shared_store::two_hosts_share_one_increasing_sequence(first, second, 500).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_redis_fails_before_anything_is_sent_and_recovers() {
    let Some(mut redis) = RedisServer::start() else {
        return;
    };
    let server = MockServer::start_async().await;
    let mock = shared_store::ecapi_without_invoices(&server).await;
    let zaif = ZaifClient::builder()
        .api_key(KEY)
        .api_secret("secret")
        .endpoint(server.url("/ecapi"))
        .nonce_source(Arc::new(
            RedisNonce::new(&redis.url(), &Secret::new(KEY)).unwrap(),
        ))
        .retry_policy(
            payments_core::retry::RetryPolicy::default()
                .max_attempts(2)
                .backoff(
                    std::time::Duration::from_millis(1),
                    std::time::Duration::from_millis(2),
                ),
        )
        .build()
        .unwrap();
    let source = RedisNonce::new(&redis.url(), &Secret::new(KEY)).unwrap();
    zaif.find_invoice_ids("A-1").await.unwrap();
    let before = source.next_nonce().await.unwrap();

    redis.stop();
    let err = shared_store::a_payment_fails_unsent(&zaif).await;
    assert!(
        err.to_string()
            .contains("nonce store (Redis) is unavailable"),
        "{err}"
    );
    assert!(!err.to_string().contains(KEY));
    assert_eq!(
        mock.calls_async().await,
        1,
        "nothing was sent while Redis was down"
    );

    redis.restart();
    // Persistence is off: Redis forgot the last nonce, and the clock keeps the sequence going up.
    let mut recovered = None;
    for _ in 0..50 {
        if let Ok(nonce) = source.next_nonce().await {
            recovered = Some(nonce);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(recovered.unwrap() > before);
    let mut found = None;
    for _ in 0..50 {
        if let Ok(ids) = zaif.find_invoice_ids("A-1").await {
            found = Some(ids);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(found.is_some(), "calls succeed again after Redis restarts");
}

#[test]
fn from_env_picks_the_redis_store_and_refuses_two_stores() {
    let zaif = ZaifClient::from_env_with(&[
        ("ZAIF_API_KEY", KEY),
        ("ZAIF_API_SECRET", "s"),
        ("ZAIF_NONCE_REDIS_URL", "redis://127.0.0.1:6399/"),
    ])
    .unwrap();
    let shown = format!("{zaif:?}");
    assert!(shown.contains("RedisNonce"), "{shown}");
    assert!(!shown.contains(KEY));
    let err = ZaifClient::from_env_with(&[
        ("ZAIF_API_KEY", KEY),
        ("ZAIF_API_SECRET", "s"),
        ("ZAIF_NONCE_REDIS_URL", "redis://127.0.0.1:6399/"),
        ("ZAIF_NONCE_FILE", "/tmp/n"),
    ])
    .unwrap_err();
    assert!(err.to_string().contains("choose one nonce store"), "{err}");
    let err = ZaifClient::from_env_with(&[
        ("ZAIF_API_KEY", KEY),
        ("ZAIF_API_SECRET", "s"),
        ("ZAIF_NONCE_REDIS_URL", "http://not-redis"),
    ])
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "configuration error: ZAIF_NONCE_REDIS_URL: is not a valid redis:// URL"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_host_at_a_time_holds_the_keys_turn() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let first = RedisNonce::new(&redis.url(), &Secret::new(KEY)).unwrap();
    let second = Arc::new(RedisNonce::new(&redis.url(), &Secret::new(KEY)).unwrap());
    let held = first.begin_call().await.unwrap();
    let waiting = {
        let second = second.clone();
        tokio::spawn(async move { second.begin_call().await.unwrap().nonce() })
    };
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(
        !waiting.is_finished(),
        "the second host waits for the lease"
    );
    let first_nonce = held.nonce();
    drop(held);
    let second_nonce = tokio::time::timeout(std::time::Duration::from_secs(5), waiting)
        .await
        .unwrap()
        .unwrap();
    assert!(second_nonce > first_nonce);

    // A stored nonce far ahead of Redis's clock is refused, never handed out.
    let mut connection = redis::Client::open(redis.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let far = (second_nonce.micros() + 3 * 86_400_000_000).to_string();
    let _: () = redis::AsyncCommands::set(&mut connection, first.redis_key(), &far)
        .await
        .unwrap();
    for err in [
        first.next_nonce().await.unwrap_err(),
        first.begin_call().await.unwrap_err(),
    ] {
        assert!(err.to_string().contains("ZAIF_NONCE_REDIS_URL"), "{err}");
        assert!(err.to_string().contains("a day ahead"), "{err}");
    }
    // The refused turn released its lease: once fixed, the next call gets the turn at once.
    let _: () = redis::AsyncCommands::del(&mut connection, first.redis_key())
        .await
        .unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(2), first.begin_call())
        .await
        .unwrap()
        .unwrap();
}
