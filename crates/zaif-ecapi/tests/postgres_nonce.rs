//! The PostgreSQL nonce store against a private cluster on 127.0.0.1 (started by the test; the
//! tests skip with a message when PostgreSQL is absent, except under CI).

// Test helpers panic on failure by design.
#![allow(clippy::unwrap_used)]

mod shared_store;

use std::sync::Arc;
use std::time::Duration;

use httpmock::prelude::*;
use payments_core::Secret;
use payments_test_support::PostgresServer;
use zaif_ecapi::{NonceSource, PostgresNonce, ZaifClient};

const KEY: &str = "490f983a-5fab-49b2-b789-9d1f130874d3";

/// A fresh database on this process's cluster; `None` where PostgreSQL is not installed
/// outside CI.
async fn database() -> Option<String> {
    PostgresServer::shared_database().await.map(|(_, url)| url)
}

/// The granted advisory locks of this test's database (the cluster is shared by the tests).
const ADVISORY_LOCKS: &str = "FROM pg_locks WHERE locktype = 'advisory' AND granted \
     AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";

fn source(url: &str) -> Arc<PostgresNonce> {
    Arc::new(PostgresNonce::new(&Secret::new(url), &Secret::new(KEY)).unwrap())
}

async fn sql(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hosts_share_one_increasing_sequence() {
    let Some(url) = database().await else {
        return;
    };
    let (first, second) = (source(&url), source(&url));
    assert!(!first.row_key().contains(KEY), "the key is hashed");
    let all = shared_store::two_hosts_share_one_increasing_sequence(first, second, 300).await;
    // The table holds the key's hash, never the key.
    let rows = sql(&url)
        .await
        .query("SELECT key, last_nonce FROM zaif_ecapi_nonces", &[])
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert!(!rows[0].get::<_, String>(0).contains(KEY));
    assert_eq!(rows[0].get::<_, i64>(1) as u64, all[599]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_host_at_a_time_holds_the_keys_turn() {
    let Some(url) = database().await else {
        return;
    };
    let (first, second) = (source(&url), source(&url));
    let held = first.begin_call().await.unwrap();
    let waiting = {
        let second = second.clone();
        tokio::spawn(async move { second.begin_call().await.unwrap().nonce() })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!waiting.is_finished(), "the second host waits for the lock");
    let first_nonce = held.nonce();
    drop(held);
    let second_nonce = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .unwrap()
        .unwrap();
    assert!(second_nonce > first_nonce);

    // A stored nonce far ahead of the database's clock is refused, never handed out.
    let client = sql(&url).await;
    let far = i64::try_from(second_nonce.micros() + 3 * 86_400_000_000).unwrap();
    client
        .execute("UPDATE zaif_ecapi_nonces SET last_nonce = $1", &[&far])
        .await
        .unwrap();
    for err in [
        first.next_nonce().await.unwrap_err(),
        first.begin_call().await.unwrap_err(),
    ] {
        assert!(err.to_string().contains("ZAIF_NONCE_POSTGRES_URL"), "{err}");
        assert!(err.to_string().contains("a day ahead"), "{err}");
    }
    // The refused turn gave its lock back: once fixed, another host gets the turn at once.
    client
        .execute("DELETE FROM zaif_ecapi_nonces", &[])
        .await
        .unwrap();
    tokio::time::timeout(Duration::from_secs(2), second.begin_call())
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_holder_whose_session_dies_frees_the_key() {
    let Some(url) = database().await else {
        return;
    };
    let (first, second) = (source(&url), source(&url));
    let held = first.begin_call().await.unwrap();
    // The holder's process dies: its session ends (terminated here from outside).
    let client = sql(&url).await;
    let ended = client
        .query(
            &format!("SELECT pg_terminate_backend(pid) {ADVISORY_LOCKS}"),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(ended.len(), 1, "one session held the key's lock");
    let next = tokio::time::timeout(Duration::from_secs(5), second.begin_call())
        .await
        .expect("the lock died with its session")
        .unwrap();
    assert!(next.nonce() > held.nonce());
    // The dead turn's release is harmless to the new holder.
    drop(held);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let granted = client
        .query(&format!("SELECT 1 {ADVISORY_LOCKS}"), &[])
        .await
        .unwrap();
    assert_eq!(granted.len(), 1, "the new holder still has the key");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_database_fails_before_anything_is_sent() {
    let server = MockServer::start_async().await;
    let mock = shared_store::ecapi_without_invoices(&server).await;
    // Nothing listens on port 1.
    let zaif = ZaifClient::builder()
        .api_key(KEY)
        .api_secret("secret")
        .endpoint(server.url("/ecapi"))
        .nonce_source(source("postgres://zaif:s3cret-pw@127.0.0.1:1/nonces"))
        .build()
        .unwrap();
    let err = shared_store::a_payment_fails_unsent(&zaif).await;
    let shown = format!("{err} {err:?} {zaif:?}");
    assert!(
        shown.contains("nonce store (PostgreSQL, postgres://127.0.0.1:1/nonces) is unavailable"),
        "{shown}"
    );
    assert!(
        !shown.contains("s3cret-pw") && !shown.contains(KEY),
        "{shown}"
    );
    assert_eq!(mock.calls_async().await, 0, "nothing was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_env_picks_the_postgres_store_for_every_key_and_refuses_two_stores() {
    let Some(url) = database().await else {
        return;
    };
    let server = MockServer::start_async().await;
    let mock = shared_store::ecapi_without_invoices(&server).await;
    let endpoint = server.url("/ecapi");
    let env = [
        ("ZAIF_API_KEY", KEY),
        ("ZAIF_API_SECRET", "s"),
        ("ZAIF_ENDPOINT", endpoint.as_str()),
        ("ZAIF_NONCE_POSTGRES_URL", url.as_str()),
        ("ZAIF_ADDITIONAL_KEYS", "second-key:second-secret"),
    ];
    let zaif = ZaifClient::from_env_with(&env).unwrap();
    let shown = format!("{zaif:?}");
    assert!(shown.contains("PostgresNonce"), "{shown}");
    assert!(
        !shown.contains(KEY) && !shown.contains("second-secret"),
        "{shown}"
    );
    // Both keys draw their nonces from the database, one row each.
    let orders: Vec<String> = (0..6).map(|n| format!("A-{n}")).collect();
    let calls = orders.iter().map(|order| zaif.find_invoice_ids(order));
    for result in futures_util::future::join_all(calls).await {
        result.unwrap();
    }
    assert_eq!(mock.calls_async().await, 6);
    let rows = sql(&url)
        .await
        .query("SELECT key FROM zaif_ecapi_nonces", &[])
        .await
        .unwrap();
    assert_eq!(rows.len(), 2, "one row per key");

    let err = ZaifClient::from_env_with(&[
        ("ZAIF_API_KEY", KEY),
        ("ZAIF_API_SECRET", "s"),
        ("ZAIF_NONCE_FILE", "/tmp/n"),
        (
            "ZAIF_NONCE_POSTGRES_URL",
            "postgres://u:s3cret-pw@127.0.0.1/n",
        ),
    ])
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "configuration error: ZAIF_NONCE_POSTGRES_URL: is set together with ZAIF_NONCE_FILE: choose one nonce store"
    );
    let err = ZaifClient::from_env_with(&[
        ("ZAIF_API_KEY", KEY),
        ("ZAIF_API_SECRET", "s"),
        ("ZAIF_NONCE_POSTGRES_URL", "postgres://u:s3cret-pw@[::1"),
    ])
    .unwrap_err();
    assert!(err.to_string().contains("ZAIF_NONCE_POSTGRES_URL"), "{err}");
    assert!(!format!("{err} {err:?}").contains("s3cret-pw"), "{err:?}");
}
