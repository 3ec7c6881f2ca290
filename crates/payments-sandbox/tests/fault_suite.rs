//! Every provider through every fault the sandbox can inject. Per fault: the error kind and
//! `outcome_unknown` are right, nothing panics, no secret shows, and the ledger holds at most one
//! payment per merchant reference: the client never pays twice by retrying. For "processed but
//! answer dropped", the recovery path per provider.

// Test helpers panic on failure by design.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{clients, pay, rule};
use payments::ErrorKind;
use payments::interstream::UserId;
use payments_sandbox::{FaultKind, Provider, Sandbox, SandboxConfig, StoreUser};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_on_every_provider() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    sandbox.set_store_user(StoreUser {
        id: 2,
        order_due: payments::Decimal::new(1_000_000, 0),
        credit: payments::Decimal::ZERO,
        cart: payments::Decimal::ZERO,
    });
    let clients = clients(&sandbox);
    let secrets: Vec<String> = sandbox
        .env()
        .into_iter()
        .filter(|(k, _)| k.contains("SECRET") || k.contains("API_KEY"))
        .map(|(_, v)| v)
        .collect();
    // (fault, expected kind, processed by the provider?)
    let faults = [
        (FaultKind::Status, ErrorKind::HttpStatus, Some(false)),
        (FaultKind::Html, ErrorKind::HttpStatus, Some(false)),
        (FaultKind::Truncated, ErrorKind::Decode, Some(true)),
        (FaultKind::Reset, ErrorKind::Transport, Some(false)),
        (FaultKind::Latency, ErrorKind::Timeout, None),
        (
            FaultKind::DropAfterProcessing,
            ErrorKind::Transport,
            Some(true),
        ),
    ];
    for provider in [
        Provider::Zaif,
        Provider::Paymentoptions,
        Provider::Interstream,
    ] {
        for (kind, expected, processed) in faults {
            if provider != Provider::Zaif && kind == FaultKind::Latency {
                continue; // only the Zaif client here has the short timeout
            }
            let reference = format!("{provider:?}-{kind:?}");
            sandbox.set_faults(vec![rule(provider, kind)]);
            let err = pay(&clients, provider, &reference).await.unwrap_err();
            assert_eq!(err.kind(), expected, "{reference}: {err}");
            assert!(
                err.outcome_unknown(),
                "{reference}: the client cannot know: {err}"
            );
            let shown = format!("{err} {err:?}");
            for secret in &secrets {
                assert!(!shown.contains(secret.as_str()), "{reference}: {shown}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await; // a handler finishing late
            let paid = sandbox
                .ledger()
                .iter()
                .filter(|e| e.reference == reference)
                .count();
            assert!(paid <= 1, "{reference}: paid {paid} times");
            if let Some(processed) = processed {
                assert_eq!(paid, usize::from(processed), "{reference}");
            }
        }
    }
    sandbox.set_faults(Vec::new());
    assert!(sandbox.faults_injected() >= 16);
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recovering_from_a_dropped_answer() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let clients = clients(&sandbox);
    let drop_next =
        |provider| sandbox.set_faults(vec![rule(provider, FaultKind::DropAfterProcessing)]);

    // Zaif: the order number finds the invoice that was created.
    drop_next(Provider::Zaif);
    assert!(
        pay(&clients, Provider::Zaif, "ORDER-77")
            .await
            .unwrap_err()
            .outcome_unknown()
    );
    let found = clients.zaif.find_invoice_ids("ORDER-77").await.unwrap();
    assert_eq!(
        found.count, 1,
        "the invoice exists: use it rather than create another"
    );
    let invoice = clients.zaif.get_invoice(&found.ids[0]).await.unwrap();
    assert_eq!(invoice.order_number.as_deref(), Some("ORDER-77"));

    // PaymentOptions: no lookup endpoint; the merchant_txn_ref is the handle in the gateway's
    // records (here the ledger) and the webhook. The client did not charge twice.
    drop_next(Provider::Paymentoptions);
    assert!(
        pay(&clients, Provider::Paymentoptions, "TXN-77")
            .await
            .unwrap_err()
            .outcome_unknown()
    );
    let charges: Vec<_> = sandbox
        .ledger()
        .into_iter()
        .filter(|e| e.reference == "TXN-77")
        .collect();
    assert_eq!(charges.len(), 1);

    // INTER-STREAM: no lookup either; the order's amount due shows the payment was taken.
    let due = |cart: payments::interstream::Cart| cart.amount_due.unwrap().to_string();
    let before = due(clients
        .store
        .get_cart(UserId::new(2).unwrap())
        .await
        .unwrap());
    drop_next(Provider::Interstream);
    assert!(
        pay(&clients, Provider::Interstream, "PAY-77")
            .await
            .unwrap_err()
            .outcome_unknown()
    );
    let after = due(clients
        .store
        .get_cart(UserId::new(2).unwrap())
        .await
        .unwrap());
    assert_eq!(
        (before.as_str(), after.as_str()),
        ("50.00", "49.00"),
        "paid once: do not pay again"
    );
    sandbox.stop().await;
}
