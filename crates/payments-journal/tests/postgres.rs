//! The journal on PostgreSQL, against a private cluster on a loopback port: the same promises
//! as on SQLite, across two stores standing for two servers.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashMap;
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

async fn store(server: &PostgresServer) -> Arc<PostgresStore> {
    Arc::new(
        PostgresStore::connect(&Secret::new(server.url()))
            .await
            .unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_journal_keeps_its_promises_on_postgres() {
    let Some(server) = PostgresServer::start() else {
        return;
    };
    let store = store(&server).await;
    // Connecting again (another server) finds the schema in place.
    let again = store_again(&server).await;
    let provider = Scripted::new();
    let journaled = Journaled::new(provider.clone(), store.clone());
    let request = card_request("1000", "4111111111111111");

    // Same key, same request: sent once; the replay comes from the other store.
    let first = journaled
        .create_payment(&key("pg-1"), &request)
        .await
        .unwrap();
    let replay = Journaled::new(provider.clone(), again.clone())
        .create_payment(&key("pg-1"), &request)
        .await
        .unwrap();
    assert_eq!(
        (first.id.as_str(), replay.id.as_str(), provider.sent()),
        ("pay-1", "pay-1", 1)
    );

    // Same key, other request: refused, nothing sent.
    let err = journaled
        .create_payment(&key("pg-1"), &card_request("1001", "4111111111111111"))
        .await
        .unwrap_err();
    assert_eq!(journal_code(&err), "key_reused");
    assert_eq!(provider.sent(), 1);

    // A lost answer: pending, then settled by the lookup, never resent.
    provider.answer(&[Answer::Lost]);
    journaled
        .create_payment(&key("pg-2"), &request)
        .await
        .unwrap_err();
    assert_eq!(
        again.get("pg-2").await.unwrap().unwrap().state,
        IntentState::Pending
    );
    provider.lookup(Lookup::Found(
        Payment::new("scripted", "pay-found", PaymentStatus::Captured, ()).with_amount(yen("1000")),
    ));
    let report = Journaled::new(provider.clone(), again.clone())
        .reconcile_pending()
        .await
        .unwrap();
    assert_eq!(report.settled[0].0, "pg-2");
    assert_eq!(report.settled[0].1, IntentState::Succeeded);
    assert_eq!(provider.sent(), 2);

    // A failed lookup before the payment, and a decline.
    provider.answer(&[Answer::Declined]);
    let declined = journaled
        .create_payment(&key("pg-3"), &request)
        .await
        .unwrap_err();
    assert!(matches!(declined, Error::Declined { .. }));
    let states: Vec<(String, IntentState)> = store
        .list(None)
        .await
        .unwrap()
        .into_iter()
        .map(|i| (i.key, i.state))
        .collect();
    assert_eq!(
        states,
        [
            ("pg-1".to_owned(), IntentState::Succeeded),
            ("pg-2".to_owned(), IntentState::Succeeded),
            ("pg-3".to_owned(), IntentState::Failed),
        ]
    );
}

async fn store_again(server: &PostgresServer) -> Arc<PostgresStore> {
    store(server).await
}

/// A provider that takes its time and counts what each key made it send.
#[derive(Debug, Default)]
struct Counting {
    sent: Mutex<HashMap<String, usize>>,
}

#[async_trait::async_trait]
impl PaymentProvider for Counting {
    fn name(&self) -> &'static str {
        "counting"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::create_only(&[PaymentMethodKind::Card])
    }

    async fn create_payment(&self, request: &PaymentRequest) -> Result<Payment> {
        let reference = request.journal_reference.clone().unwrap_or_default();
        *self
            .sent
            .lock()
            .unwrap()
            .entry(reference.clone())
            .or_default() += 1;
        tokio::time::sleep(Duration::from_millis(5)).await;
        Ok(Payment::new(
            "counting",
            format!("pay-{reference}"),
            PaymentStatus::Captured,
            (),
        ))
    }

    async fn reconcile(&self, _call: &PendingCall) -> Result<Lookup> {
        Ok(Lookup::NotYet {
            reason: "in flight".into(),
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_handed_the_same_keys_at_once_send_each_payment_once() {
    let Some(server) = PostgresServer::start() else {
        return;
    };
    let provider = Arc::new(Counting::default());
    let servers = [store(&server).await, store(&server).await];
    let mut callers = tokio::task::JoinSet::new();
    for caller in 0..8 {
        let journaled = Journaled::new(provider.clone(), servers[caller % 2].clone());
        callers.spawn(async move {
            let mut paid = Vec::new();
            for n in 0..20 {
                let key = key(&format!("race-{n}"));
                match journaled
                    .create_payment(&key, &card_request("500", "4111111111111111"))
                    .await
                {
                    Ok(payment) => paid.push(payment.id),
                    // Another caller holds the key, or its payment is still in flight.
                    Err(err) => assert!(
                        matches!(journal_code(&err), "in_progress" | "still_pending"),
                        "{err}"
                    ),
                }
            }
            paid
        });
    }
    let mut answered = 0;
    while let Some(paid) = callers.join_next().await {
        answered += paid.unwrap().len();
    }
    let sent = provider.sent.lock().unwrap().clone();
    assert_eq!(sent.len(), 20, "every key was paid");
    assert!(sent.values().all(|n| *n == 1), "a key sent twice: {sent:?}");
    assert!(answered >= 20, "each payment answered at least its winner");
}

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

    let Some(server) = PostgresServer::start() else {
        return;
    };
    let store = store(&server).await;
    assert!(!format!("{store:?}").contains("postgres@"));
    let (client, connection) = tokio_postgres::connect(&server.url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
        .execute("UPDATE payments_journal_schema SET version = 99", &[])
        .await
        .unwrap();
    match PostgresStore::connect(&Secret::new(server.url()))
        .await
        .unwrap_err()
    {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fencing_on_postgres() {
    let Some(server) = PostgresServer::start() else {
        return;
    };
    a_stale_holder_cannot_record_over_the_one_who_took_its_lease(store(&server).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scope_leases_on_postgres() {
    let Some(server) = PostgresServer::start() else {
        return;
    };
    a_scope_lease_belongs_to_the_call_that_took_it(store(&server).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settled_reasons_survive_a_release_on_postgres() {
    let Some(server) = PostgresServer::start() else {
        return;
    };
    releasing_a_settled_intent_keeps_its_reason(store(&server).await).await;
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
    let Some(server) = PostgresServer::start() else {
        return;
    };
    let upstream: u16 = server
        .url()
        .rsplit(':')
        .next()
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let relay = Arc::new(RelayHandle(Relay::start(upstream).await));
    let url = format!("postgres://postgres@127.0.0.1:{}/postgres", relay.0.port);
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
