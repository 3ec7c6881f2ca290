//! `payments journal dashboard`: the intents beside the sandbox's ledger, on a loopback page;
//! a journaled payment shows its ledger entry, an intent the sandbox never saw is flagged.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::BufRead;
use std::sync::Arc;

use common::*;
use payments::journal::{IdempotencyKey, IntentStore, Journaled, SqliteStore};
use payments::{
    Capabilities, Currency, Money, Payment, PaymentMethodKind, PaymentProvider, PaymentRequest,
    PaymentStatus,
};

/// A "PaymentOptions" that answers without ever reaching the sandbox: its intent succeeds in
/// the journal, and the sandbox's ledger has nothing for it.
#[derive(Debug)]
struct Elsewhere;

#[payments::async_trait]
impl PaymentProvider for Elsewhere {
    fn name(&self) -> &'static str {
        "paymentoptions"
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities::create_only(&[PaymentMethodKind::ProviderDefault])
    }
    async fn create_payment(&self, request: &PaymentRequest) -> payments::Result<Payment> {
        Ok(Payment::new(
            "paymentoptions",
            "never-seen-1",
            PaymentStatus::Captured,
            (),
        )
        .with_amount(request.amount))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_journal_beside_the_ledger_shows_a_mismatch() {
    let setup = Setup::new().await;
    let journal = setup.dir.join("journal.sqlite3").display().to_string();
    let card = setup.card_file("5200000000001005");
    let purchase = [
        "--json",
        "--journal",
        &journal,
        "paymentoptions",
        "purchase",
        "--amount",
        "1000",
        "--currency",
        "JPY",
        "--merchant-txn-ref",
        "cart-1",
        "--customer-ip",
        "203.0.113.5",
        "--card",
        &card,
        "--v2",
        "--success-url",
        "https://shop.example/ok",
        "--idempotency-key",
        "dash-pay-1",
    ];
    let paid = setup.run(&purchase, None).await;
    assert_eq!(paid.code, 0, "{}", paid.all());
    {
        let store: Arc<dyn IntentStore> = Arc::new(SqliteStore::open(&journal).unwrap());
        Journaled::new(Arc::new(Elsewhere), store)
            .create_payment(
                &IdempotencyKey::parse("dash-ghost-1").unwrap(),
                &PaymentRequest::new(Money::parse("500", Currency::JPY).unwrap(), "o").unwrap(),
            )
            .await
            .unwrap();
    }

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_payments"))
        .env_clear()
        .envs(setup.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .args(["--journal", &journal, "journal", "dashboard"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let address = first
        .strip_prefix("journal dashboard: ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("{first}"))
        .to_owned();
    let page = payments_sandbox::loopback_http()
        .build()
        .unwrap()
        .get(&address)
        .send()
        .await
        .unwrap()
        .text()
        .await;
    let _ = child.kill();
    let _ = child.wait();
    let page = page.unwrap();

    let row = |key: &str| {
        page.split("<tr>")
            .find(|row| row.contains(key))
            .unwrap_or_else(|| panic!("{key} is listed: {page}"))
            .to_owned()
    };
    let paid = row("dash-pay-1");
    assert!(
        paid.contains("succeeded") && paid.contains("card_charged 1000 JPY"),
        "{paid}"
    );
    assert!(!paid.contains("no entry"), "{paid}");
    let ghost = row("dash-ghost-1");
    assert!(
        ghost.contains("succeeded here, but the sandbox has no entry for it"),
        "{ghost}"
    );
    assert!(page.contains("Loopback only"));
    assert_clean(
        &Run {
            code: 0,
            stdout: page.clone(),
            stderr: String::new(),
        },
        &setup.forbidden,
    );
    assert!(!page.contains("5200000000001005"));
}
