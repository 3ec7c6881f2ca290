//! What only the PostgreSQL store can get wrong, against a private cluster on a loopback port:
//! credentials in its URL, a newer schema, a database connection dropped mid-payment. The
//! promises every store keeps are in `journal.rs`.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use payments_core::{
    Capabilities, Error, Lookup, Payment, PaymentMethodKind, PaymentProvider, PaymentRequest,
    PaymentStatus, PendingCall, Result, Secret,
};
use payments_journal::{
    IntentState, IntentStore, JournalError, Journaled, PostgresStore, StoreProblem,
};
use payments_test_support::PostgresServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_never_show_and_a_newer_schema_is_refused() {
    // Nothing listens there: the error names the database, never the password.
    let unreachable = Secret::new("postgres://journal:s3cret-pw@127.0.0.1:1/payments");
    let err = PostgresStore::connect(&unreachable).await.unwrap_err();
    let mut shown = format!("{err} {err:?}");
    shown.push_str(&Error::from(err).to_string());
    assert!(!shown.contains("s3cret-pw"), "{shown}");
    assert!(shown.contains("postgres://127.0.0.1:1/payments"), "{shown}");
    let garbage = PostgresStore::connect(&Secret::new("postgres://a:s3cret-pw@[::1")).await;
    assert!(!format!("{:?}", garbage.unwrap_err()).contains("s3cret-pw"));

    let Some((_, url)) = PostgresServer::shared_database().await else {
        return;
    };
    let store = PostgresStore::connect(&Secret::new(url.clone()))
        .await
        .unwrap();
    assert!(!format!("{store:?}").contains("postgres@"));
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
        .execute("UPDATE payments_journal_schema SET version = 99", &[])
        .await
        .unwrap();
    match PostgresStore::connect(&Secret::new(url)).await.unwrap_err() {
        JournalError::Store { problem, .. } => assert_eq!(
            problem,
            StoreProblem::NewerSchema {
                found: 99,
                supported: 1
            }
        ),
        other => panic!("{other:?}"),
    }
}

/// A TCP relay in front of the database that can be cut (every connection dropped, new ones
/// refused) and restored, as a network partition or a database restart would.
struct Relay {
    port: u16,
    up: Arc<std::sync::atomic::AtomicBool>,
    connections: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Relay {
    async fn start(upstream: u16) -> Relay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let connections: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>> = Arc::default();
        let (accepting, tasks) = (up.clone(), connections.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !accepting.load(std::sync::atomic::Ordering::SeqCst) {
                    continue; // dropped: refused
                }
                let task = tokio::spawn(async move {
                    if let Ok(mut server) =
                        tokio::net::TcpStream::connect(("127.0.0.1", upstream)).await
                    {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                tasks.lock().unwrap().push(task);
            }
        });
        Relay {
            port,
            up,
            connections,
        }
    }

    fn cut(&self) {
        self.up.store(false, std::sync::atomic::Ordering::SeqCst);
        for task in self.connections.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    fn restore(&self) {
        self.up.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// A provider that cuts the database's connections while the payment is on its way: the
/// payment is made, and the journal cannot record it.
#[derive(Debug)]
struct CutsTheDatabase {
    relay: Arc<RelayHandle>,
    sent: std::sync::atomic::AtomicUsize,
}

/// The relay's controls, shareable with the provider.
struct RelayHandle(Relay);

impl std::fmt::Debug for RelayHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RelayHandle")
    }
}

#[async_trait::async_trait]
impl PaymentProvider for CutsTheDatabase {
    fn name(&self) -> &'static str {
        "cuts"
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities::create_only(&[PaymentMethodKind::Card])
    }
    async fn create_payment(&self, request: &PaymentRequest) -> Result<Payment> {
        self.sent.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.relay.0.cut();
        Ok(Payment::new("cuts", "made-1", PaymentStatus::Captured, ()).with_amount(request.amount))
    }
    async fn reconcile(&self, _call: &PendingCall) -> Result<Lookup> {
        Ok(Lookup::Found(
            Payment::new("cuts", "made-1", PaymentStatus::Captured, ()).with_amount(yen("1000")),
        ))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_database_connection_never_lets_a_payment_out_unclaimed_and_is_reconciled() {
    let Some((server, url)) = PostgresServer::shared_database().await else {
        return;
    };
    let relay = Arc::new(RelayHandle(Relay::start(server.port()).await));
    let url = url.replace(
        &format!(":{}/", server.port()),
        &format!(":{}/", relay.0.port),
    );
    let store = Arc::new(PostgresStore::connect(&Secret::new(url)).await.unwrap());
    let provider = Arc::new(CutsTheDatabase {
        relay: relay.clone(),
        sent: std::sync::atomic::AtomicUsize::new(0),
    });
    // A short lease: the call that lost its database cannot release it, so the reconciler
    // waits for it to expire (2 minutes by default).
    let journaled =
        Journaled::new(provider.clone(), store.clone()).lease(Duration::from_millis(300));
    let request = card_request("1000", "4111111111111111");

    // Down before the claim: a store error, and nothing is sent.
    relay.0.cut();
    let err = journaled
        .create_payment(&key("drop-1"), &request)
        .await
        .unwrap_err();
    assert_eq!(journal_code(&err), "store", "{err}");
    assert_eq!(provider.sent.load(std::sync::atomic::Ordering::SeqCst), 0);

    // Up for the claim, down between the send and the record: the payment was made, so the
    // caller gets it; the journal still says pending.
    relay.0.restore();
    let made = journaled
        .create_payment(&key("drop-2"), &request)
        .await
        .unwrap();
    assert_eq!(made.id, "made-1");
    assert_eq!(provider.sent.load(std::sync::atomic::Ordering::SeqCst), 1);

    // After reconnecting (and the lost call's lease running out), the reconciler settles it
    // from the provider's lookup.
    relay.0.restore();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let report = journaled.reconcile_pending().await.unwrap();
    assert_eq!(report.settled.len(), 1, "{report:?}");
    assert_eq!(report.settled[0].0, "drop-2");
    assert_eq!(report.settled[0].1, IntentState::Succeeded);
    let intent = store.get("drop-2").await.unwrap().unwrap();
    assert_eq!(intent.payment_id.as_deref(), Some("made-1"));
    assert!(
        store.get("drop-1").await.unwrap().is_none(),
        "drop-1 was never claimed"
    );
    assert_eq!(provider.sent.load(std::sync::atomic::Ordering::SeqCst), 1);
}
