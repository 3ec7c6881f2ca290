//! Power-loss honesty: the claim is on disk before the first byte of the request leaves.
//! Checked by ordering, not by timing: a TCP relay between the client and the sandbox reads
//! the journal file through its own connection (as another process would after a crash) at the
//! moment the request's first byte reaches it, before passing anything on.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use payments::journal::{IdempotencyKey, IntentState, IntentStore, Journaled, SqliteStore};
use payments::zaif::ZaifClient;
use payments::{Currency, Money, PaymentMethod, PaymentRequest};
use payments_sandbox::{Sandbox, SandboxConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the relay saw in the journal when each connection's first byte arrived.
type Seen = Arc<Mutex<Vec<Vec<(String, IntentState, bool)>>>>;

async fn relay(listener: TcpListener, upstream: String, journal: std::path::PathBuf, seen: Seen) {
    loop {
        let Ok((mut client, _)) = listener.accept().await else {
            return;
        };
        let (upstream, journal, seen) = (upstream.clone(), journal.clone(), seen.clone());
        tokio::spawn(async move {
            let mut first = [0u8; 1];
            if client.read_exact(&mut first).await.is_err() {
                return;
            }
            // The request has started to arrive: what does the disk say now?
            let store = SqliteStore::open(&journal).unwrap();
            let intents = store.list(None).await.unwrap();
            seen.lock().unwrap().push(
                intents
                    .into_iter()
                    .map(|i| (i.key, i.state, i.sent_at_ms.is_some()))
                    .collect(),
            );
            let mut server = TcpStream::connect(&upstream).await.unwrap();
            server.write_all(&first).await.unwrap();
            let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
        });
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_claim_is_on_disk_before_the_first_byte_reaches_the_provider() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.sqlite3");
    let store = Arc::new(SqliteStore::open(&journal).unwrap());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let relay_url = format!("http://{}/ecapi", listener.local_addr().unwrap());
    let upstream = sandbox.address().to_string();
    let seen: Seen = Arc::default();
    tokio::spawn(relay(listener, upstream, journal.clone(), seen.clone()));

    let mut env = sandbox.env();
    env.retain(|(name, _)| *name != "ZAIF_ENDPOINT");
    env.push(("ZAIF_ENDPOINT", relay_url));
    for key in ["power-1", "power-2", "power-3"] {
        // A new client each time: a new connection, whose first byte the relay checks.
        let zaif = ZaifClient::builder_from_env(&env)
            .unwrap()
            .nonce_file(dir.path().join("nonce"))
            .build()
            .unwrap();
        let journaled = Journaled::new(Arc::new(zaif), store.clone());
        let request = PaymentRequest::new(Money::parse("1000", Currency::JPY).unwrap(), key)
            .unwrap()
            .with_method(PaymentMethod::Crypto {
                asset: "btc".into(),
            });
        journaled
            .create_payment(&IdempotencyKey::parse(key).unwrap(), &request)
            .await
            .unwrap();
        // The connection's first byte found this key claimed, pending, with its send time.
        let snapshot = seen.lock().unwrap().last().cloned().unwrap();
        assert!(
            snapshot.contains(&(key.to_owned(), IntentState::Pending, true)),
            "{key} was not on disk when its request arrived: {snapshot:?}"
        );
    }
    assert_eq!(
        store
            .list(Some(IntentState::Succeeded))
            .await
            .unwrap()
            .len(),
        3
    );
    sandbox.stop().await;
}
