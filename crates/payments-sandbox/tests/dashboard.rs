//! The dashboard (`GET /_sandbox/`) after the demo's kind of flows, read as a person would:
//! the paid invoice, the capture and partial refund with the balance left, the webhook with
//! its answer status, the order paid in two parts, a refused request and why; its forms work
//! (pay an invoice, answer a 3-D Secure challenge, add and clear a fault); no page holds a
//! secret, a full card number or a CVC; and a page renders quickly with 10,000 ledger entries.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use payments::interstream::{CreditAction, InterstreamClient, UserId};
use payments::paymentoptions::{
    CaptureRequest, Card, PaymentOptionsClient, PaymentSource, PurchaseOutcome, PurchaseRequest,
    RefundRequest, ReturnUrl,
};
use payments::zaif::{CreateInvoice, CryptoCurrency, ZaifClient};
use payments::{Currency, Decimal, Money};
use payments_sandbox::{CHALLENGE_CARD, Sandbox, SandboxConfig, StoreUser};

const CARD: &str = "5200000000001005";
const CVC: &str = "9217";

fn env_of(sandbox: &Sandbox) -> HashMap<String, String> {
    sandbox
        .env()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
}

fn http() -> reqwest::Client {
    payments_sandbox::loopback_http()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn page(sandbox: &Sandbox, path: &str) -> String {
    let answer = http()
        .get(format!("{}{path}", sandbox.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 200, "{path}");
    assert!(
        answer.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    answer.text().await.unwrap()
}

/// Posts a dashboard form; it answers 303 back to its page.
async fn submit(sandbox: &Sandbox, path: &str, form: &[(&str, &str)]) {
    let answer = http()
        .post(format!("{}{path}", sandbox.url()))
        .form(form)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 303, "{path}");
}

/// A merchant endpoint that answers 200 to whatever is posted.
async fn merchant() -> String {
    let app = axum::Router::new().fallback(|| async { "ok" });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

fn yen(amount: &str) -> Money {
    Money::parse(amount, Currency::JPY).unwrap()
}

fn purchase(card: &str, reference: &str, hooks: &str) -> PurchaseRequest {
    let card = Card::new(card, "12", "2099", CVC, "Hanako Yamada").unwrap();
    PurchaseRequest::builder(
        yen("1000"),
        PaymentSource::Card(Box::new(card)),
        reference,
        "203.0.113.7".parse().unwrap(),
    )
    .return_url(
        ReturnUrl::default()
            .with_success("https://shop.example/thanks".parse().unwrap())
            .with_webhook(hooks.parse().unwrap()),
    )
    .build()
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_shows_what_happened_and_no_secret() {
    let mut config = SandboxConfig::default();
    config.zaif.confirmation_interval = Duration::from_millis(20);
    let sandbox = Sandbox::start(config).await.unwrap();
    let env = env_of(&sandbox);
    let hooks = merchant().await;

    // Zaif: an invoice, paid with the dashboard's own button; its notification answered 200.
    let zaif = ZaifClient::builder_from_env(&env).unwrap().build().unwrap();
    let invoice = zaif
        .create_invoice(
            &CreateInvoice::builder(CryptoCurrency::Btc, 10800)
                .order_number("DASH-Z1")
                .notification_uri(format!("{hooks}/zaif"))
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    let before = page(&sandbox, "/_sandbox/zaif").await;
    assert!(before.contains(&format!(
        "/_sandbox/dashboard/zaif/{}/pay",
        invoice.invoice_id
    )));
    submit(
        &sandbox,
        &format!("/_sandbox/dashboard/zaif/{}/pay", invoice.invoice_id),
        &[],
    )
    .await;
    tokio::time::sleep(Duration::from_millis(400)).await;

    // PaymentOptions: an authorization, captured, then partly refunded.
    let gateway = PaymentOptionsClient::from_env_with(&env).unwrap();
    let authorization = gateway
        .authorize(&purchase(CARD, "DASH-AUTH-1", &hooks))
        .await
        .unwrap();
    let authorization = authorization.transaction_id().unwrap().to_owned();
    let capture = gateway
        .capture(&CaptureRequest::new(&authorization, yen("1000"), None).unwrap())
        .await
        .unwrap();
    let capture = capture.transaction_id().unwrap().to_owned();
    gateway
        .refund(&RefundRequest::new(&capture, yen("300"), None).unwrap())
        .await
        .unwrap();
    // A 3-D Secure purchase, approved with the dashboard's button; its webhook answered 200.
    let PurchaseOutcome::ChallengeRequired(challenge) = gateway
        .purchase_v2(&purchase(CHALLENGE_CARD, "DASH-3DS-1", &hooks))
        .await
        .unwrap()
    else {
        panic!("the challenge card asks for a challenge")
    };
    let challenged = challenge
        .redirect_url
        .path_segments()
        .unwrap()
        .next_back()
        .unwrap()
        .to_owned();
    let waiting = page(&sandbox, "/_sandbox/paymentoptions").await;
    assert!(waiting.contains(&format!(
        "/_sandbox/dashboard/challenges/{challenged}/approve"
    )));
    submit(
        &sandbox,
        &format!("/_sandbox/dashboard/challenges/{challenged}/approve"),
        &[],
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    // INTER-STREAM: an order of 20.00 paid in two parts.
    sandbox.set_store_user(StoreUser {
        id: 8,
        order_due: Decimal::new(2000, 2),
        credit: Decimal::ZERO,
        cart: Decimal::ZERO,
    });
    let store = InterstreamClient::from_env_with(&env).unwrap();
    let user = UserId::new(8).unwrap();
    for part in ["12.50", "7.50"] {
        let amount = Money::parse(part, store.currency().unwrap()).unwrap();
        store
            .add_payment(user, amount, Some("order paid in parts"))
            .await
            .unwrap();
    }
    // A refused request: a wrong Zaif secret.
    let mut wrong = env.clone();
    wrong.insert("ZAIF_API_SECRET".into(), "not-the-secret".into());
    ZaifClient::builder_from_env(&wrong)
        .unwrap()
        .build()
        .unwrap()
        .find_invoice_ids("DASH-Z1")
        .await
        .unwrap_err();

    let zaif_page = page(&sandbox, "/_sandbox/zaif").await;
    let row = zaif_page
        .split("<tr>")
        .find(|row| row.contains(&invoice.invoice_id))
        .unwrap();
    assert!(
        ["paid", "confirmed", "complete"]
            .iter()
            .any(|s| row.contains(&format!("<td>{s}</td>"))),
        "{row}"
    );
    assert!(row.contains("10800 JPY") && row.contains("btc"), "{row}");
    assert!(zaif_page.contains("notification POST"), "{zaif_page}");
    assert!(zaif_page.contains("<td>200</td>"), "the merchant's answer");

    let po_page = page(&sandbox, "/_sandbox/paymentoptions").await;
    let ledger = po_page
        .split("<tr>")
        .skip_while(|row| !row.contains(&authorization))
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
    let mut forbidden: Vec<String> = [
        "ZAIF_API_KEY",
        "ZAIF_API_SECRET",
        "PAYMENTOPTIONS_API_KEY",
        "INTERSTREAM_SHARED_SECRET",
    ]
    .iter()
    .map(|name| env[*name].clone())
    .collect();
    forbidden.extend(
        [
            CARD,
            CHALLENGE_CARD,
            payments_sandbox::INTERSTREAM_GATEWAY_KEY,
            payments_sandbox::INTERSTREAM_PAYPAL_PASSWORD,
            payments_sandbox::INTERSTREAM_PAYPAL_SIGNATURE,
        ]
        .map(str::to_owned),
    );
    for path in [
        "/_sandbox/",
        "/_sandbox/zaif",
        "/_sandbox/paymentoptions",
        "/_sandbox/interstream",
        "/_sandbox/faults/page",
        "/_sandbox/ledger/page",
    ] {
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
        assert!(!html.contains(CVC), "{path} shows the CVC");
    }
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_renders_quickly_with_ten_thousand_ledger_entries() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    // 10,000 credit changes through the store's own API (INTER-STREAM is the quickest).
    sandbox.set_store_user(StoreUser {
        id: 9,
        order_due: Decimal::ZERO,
        credit: Decimal::ZERO,
        cart: Decimal::ZERO,
    });
    let store = InterstreamClient::from_env_with(&env_of(&sandbox)).unwrap();
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
    // Warm, then the best of five (the machine is shared): a page of the ledger, paged.
    page(&sandbox, "/_sandbox/ledger/page?page=3").await;
    let mut best = Duration::MAX;
    for _ in 0..5 {
        let started = Instant::now();
        let html = page(&sandbox, "/_sandbox/ledger/page?page=3").await;
        best = best.min(started.elapsed());
        assert!(html.contains("page 3 of 20"), "paged");
    }
    let bound = if cfg!(debug_assertions) {
        Duration::from_millis(250)
    } else {
        Duration::from_millis(50)
    };
    assert!(best < bound, "rendered in {best:?} (bound {bound:?})");
    sandbox.stop().await;
}

use futures_util::StreamExt as _;
