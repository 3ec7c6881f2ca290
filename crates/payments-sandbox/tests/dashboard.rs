//! The dashboard (`GET /_sandbox/`) after the demo's kind of flows, read over HTTP: the paid
//! invoice, the capture and partial refund with the balance left, the webhook with its answer
//! status, the order paid in two parts, a refused request and why; its forms work (pay an
//! invoice, answer a 3-D Secure challenge, add and clear a fault); no page holds a secret, a
//! full card number or a CVC; and a page renders quickly with 10,000 ledger entries. The
//! browser's view is in `browser.rs`.

#![allow(clippy::unwrap_used)]

mod flows;

use std::time::{Duration, Instant};

use flows::{page, submit};
use futures_util::StreamExt as _;
use payments::interstream::{CreditAction, InterstreamClient, UserId};
use payments::{Decimal, Money};
use payments_sandbox::{Sandbox, SandboxConfig, StoreUser};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_shows_what_happened_and_no_secret() {
    // Confirmations come slowly here: the dashboard's "confirm" brings them at once.
    let mut config = SandboxConfig::default();
    config.zaif.confirmation_interval = Duration::from_secs(3600);
    let sandbox = Sandbox::start(config).await.unwrap();
    let hooks = flows::merchant().await;
    let made = flows::run(&sandbox, &hooks).await;

    // The invoice, paid with the dashboard's own button; its notification answered 200.
    let before = page(&sandbox, "/_sandbox/zaif").await;
    let pay = format!("/_sandbox/dashboard/zaif/{}/pay", made.invoice);
    assert!(before.contains(&pay));
    submit(&sandbox, &pay, &[]).await;
    let confirm = format!("/_sandbox/dashboard/zaif/{}/confirm", made.invoice);
    assert!(
        page(&sandbox, "/_sandbox/zaif").await.contains(&confirm),
        "paid, not yet confirmed"
    );
    submit(&sandbox, &confirm, &[]).await;
    // A 3-D Secure purchase, approved with the dashboard's button; its webhook answered 200.
    let challenged = flows::challenge(&sandbox, &hooks, "DASH-3DS-1").await;
    let approve = format!("/_sandbox/dashboard/challenges/{challenged}/approve");
    assert!(
        page(&sandbox, "/_sandbox/paymentoptions")
            .await
            .contains(&approve)
    );
    submit(&sandbox, &approve, &[]).await;
    flows::settle().await;

    let zaif_page = page(&sandbox, "/_sandbox/zaif").await;
    let row = zaif_page
        .split("<tr>")
        .find(|row| row.contains(&made.invoice))
        .unwrap();
    assert!(
        row.contains("<td>complete</td>"),
        "paid, then confirmed: {row}"
    );
    assert!(row.contains("10800 JPY") && row.contains("btc"), "{row}");
    assert!(zaif_page.contains("notification POST"), "{zaif_page}");
    assert!(zaif_page.contains("<td>200</td>"), "the merchant's answer");

    let po_page = page(&sandbox, "/_sandbox/paymentoptions").await;
    let ledger = po_page
        .split("<tr>")
        .skip_while(|row| !row.contains(&made.authorization))
        .take(3)
        .collect::<Vec<_>>()
        .join("<tr>");
    assert!(ledger.contains("PRE_AUTH"), "{ledger}");
    assert!(
        ledger.contains("CAPTURE") && ledger.contains("700 JPY"),
        "balance left after the partial refund: {ledger}"
    );
    assert!(
        ledger.contains("REFUND") && ledger.contains("300 JPY"),
        "{ledger}"
    );
    assert!(po_page.contains("•••• 1005"), "the card by its last four");
    let webhook = po_page
        .split("<tr>")
        .find(|row| row.contains("<td>webhook</td>") && row.contains(&challenged))
        .unwrap();
    assert!(webhook.contains("<td>200</td>"), "{webhook}");

    let store_page = page(&sandbox, "/_sandbox/interstream").await;
    assert!(store_page.contains("12.50") && store_page.contains("7.50"));
    assert_eq!(store_page.matches("order paid in parts").count(), 2);

    let faults_page = page(&sandbox, "/_sandbox/faults/page").await;
    assert!(faults_page.contains("None: every request is answered normally."));
    let refusal = faults_page
        .split("<tr>")
        .find(|row| row.contains("getInvoiceIdsByOrderNumber"))
        .unwrap_or_else(|| panic!("the refused call is listed: {faults_page}"));
    assert!(
        [
            "account has not permission",
            "signature mismatch",
            "secret mismatch"
        ]
        .iter()
        .any(|why| refusal.contains(why)),
        "and why, in Zaif's words: {refusal}"
    );
    submit(
        &sandbox,
        "/_sandbox/dashboard/faults",
        &[
            ("provider", "zaif"),
            ("kind", "drop_after_processing"),
            ("route", "createInvoice"),
            ("times", "1"),
            ("latency_ms", "0"),
        ],
    )
    .await;
    let with_fault = page(&sandbox, "/_sandbox/faults/page").await;
    assert!(with_fault.contains("DropAfterProcessing") && with_fault.contains("createInvoice"));
    submit(&sandbox, "/_sandbox/dashboard/faults/clear", &[]).await;
    assert!(
        page(&sandbox, "/_sandbox/faults/page")
            .await
            .contains("None: every request is answered normally.")
    );

    // No page holds a secret, a full card number, a CVC or a stored card's token.
    let forbidden = flows::forbidden(&sandbox);
    for (_, path) in flows::PAGES {
        let html = page(&sandbox, path).await;
        assert!(
            html.contains("Loopback only"),
            "{path} says where it listens"
        );
        assert!(
            html.contains("<h1>") && html.contains("<th"),
            "{path}: headings, table headers"
        );
        for secret in &forbidden {
            assert!(!html.contains(secret.as_str()), "{path} shows {secret}");
        }
    }
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_renders_in_under_50_ms_with_ten_thousand_ledger_entries() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    // 10,000 credit changes through the store's own API (INTER-STREAM is the quickest).
    sandbox.set_store_user(StoreUser {
        id: 9,
        order_due: Decimal::ZERO,
        credit: Decimal::ZERO,
        cart: Decimal::ZERO,
    });
    let store = InterstreamClient::from_env_with(&flows::env_of(&sandbox)).unwrap();
    let user = UserId::new(9).unwrap();
    let amount = Money::parse("1.00", store.currency().unwrap()).unwrap();
    let calls = (0..10_000)
        .map(|_| store.add_subtract_credit(user, CreditAction::Add, amount, Some("load")));
    for chunk in futures_util::stream::iter(calls)
        .buffer_unordered(32)
        .collect::<Vec<_>>()
        .await
    {
        chunk.unwrap();
    }
    assert!(sandbox.ledger().len() >= 10_000);
    // Each page, warm, the best of five (the machine is shared): under 50 ms, paged.
    for (_, path) in flows::PAGES {
        let path = if path.ends_with("ledger/page") {
            "/_sandbox/ledger/page?page=3"
        } else {
            path
        };
        page(&sandbox, path).await;
        let mut best = Duration::MAX;
        for _ in 0..5 {
            let started = Instant::now();
            let html = page(&sandbox, path).await;
            best = best.min(started.elapsed());
            if path.contains("ledger") {
                assert!(html.contains("page 3 of 20"), "paged");
            }
        }
        assert!(
            best < Duration::from_millis(50),
            "{path} rendered in {best:?}"
        );
    }
    sandbox.stop().await;
}
