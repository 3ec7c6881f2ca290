//! The demo's kind of flows against a sandbox, for the dashboard's tests (HTTP and browser):
//! a paid Zaif invoice, a PaymentOptions authorization captured and partly refunded, an order
//! paid in two parts, a refused request; and helpers to read pages and post forms.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::collections::HashMap;
use std::time::Duration;

use payments::interstream::{InterstreamClient, UserId};
use payments::paymentoptions::{
    CaptureRequest, Card, PaymentOptionsClient, PaymentSource, PurchaseOutcome, PurchaseRequest,
    RefundRequest, ReturnUrl,
};
use payments::zaif::{CreateInvoice, CryptoCurrency, ZaifClient};
use payments::{Currency, Decimal, Money};
use payments_sandbox::{CHALLENGE_CARD, Sandbox, StoreUser};

pub const CARD: &str = "5200000000001005";
pub const CVC: &str = "9217";

pub fn env_of(sandbox: &Sandbox) -> HashMap<String, String> {
    sandbox
        .env()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
}

pub fn http() -> reqwest::Client {
    payments_sandbox::loopback_http()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub async fn page(sandbox: &Sandbox, path: &str) -> String {
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
pub async fn submit(sandbox: &Sandbox, path: &str, form: &[(&str, &str)]) {
    let answer = http()
        .post(format!("{}{path}", sandbox.url()))
        .form(form)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 303, "{path}");
}

/// A merchant endpoint that answers 200 to whatever comes (webhooks, notifications, the
/// customer's return); its base URL.
pub async fn merchant() -> String {
    let app = axum::Router::new().fallback(|| async { "ok" });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

pub fn yen(amount: &str) -> Money {
    Money::parse(amount, Currency::JPY).unwrap()
}

pub fn purchase(card: &str, reference: &str, hooks: &str) -> PurchaseRequest {
    let card = Card::new(card, "12", "2099", CVC, "Hanako Yamada").unwrap();
    PurchaseRequest::builder(
        yen("1000"),
        PaymentSource::Card(Box::new(card)),
        reference,
        "203.0.113.7".parse().unwrap(),
    )
    .return_url(
        ReturnUrl::default()
            .with_success(format!("{hooks}/thanks").parse().unwrap())
            .with_webhook(hooks.parse().unwrap()),
    )
    .build()
    .unwrap()
}

/// What the flows made.
pub struct Flows {
    pub invoice: String,
    pub authorization: String,
    pub capture: String,
}

/// Everything but the customer's own clicks: an invoice (paid by `pay`), an authorization
/// captured and partly refunded, an order of 20.00 paid in two parts, a refused Zaif call.
pub async fn run(sandbox: &Sandbox, hooks: &str) -> Flows {
    let env = env_of(sandbox);
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
        .unwrap()
        .invoice_id;
    let gateway = PaymentOptionsClient::from_env_with(&env).unwrap();
    let authorization = gateway
        .authorize(&purchase(CARD, "DASH-AUTH-1", hooks))
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
    let mut wrong = env.clone();
    wrong.insert("ZAIF_API_SECRET".into(), "not-the-secret".into());
    ZaifClient::builder_from_env(&wrong)
        .unwrap()
        .build()
        .unwrap()
        .find_invoice_ids("DASH-Z1")
        .await
        .unwrap_err();
    Flows {
        invoice,
        authorization,
        capture,
    }
}

/// A 3-D Secure purchase waiting for the customer; its transaction id.
pub async fn challenge(sandbox: &Sandbox, hooks: &str, reference: &str) -> String {
    let gateway = PaymentOptionsClient::from_env_with(&env_of(sandbox)).unwrap();
    let PurchaseOutcome::ChallengeRequired(challenge) = gateway
        .purchase_v2(&purchase(CHALLENGE_CARD, reference, hooks))
        .await
        .unwrap()
    else {
        panic!("the challenge card asks for a challenge")
    };
    payments_sandbox::challenge_id(&challenge.redirect_url).unwrap()
}

/// Every value no page may show: the test credentials, the full card numbers, the store's
/// gateway secrets.
pub fn forbidden(sandbox: &Sandbox) -> Vec<String> {
    let env = env_of(sandbox);
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
            CVC,
            payments_sandbox::INTERSTREAM_GATEWAY_KEY,
            payments_sandbox::INTERSTREAM_PAYPAL_PASSWORD,
            payments_sandbox::INTERSTREAM_PAYPAL_SIGNATURE,
        ]
        .map(str::to_owned),
    );
    forbidden
}

/// Waits for the sandbox's background work (notifications, webhooks) to land.
pub async fn settle() {
    tokio::time::sleep(Duration::from_millis(400)).await;
}

pub const PAGES: [(&str, &str); 6] = [
    ("overview", "/_sandbox/"),
    ("zaif", "/_sandbox/zaif"),
    ("paymentoptions", "/_sandbox/paymentoptions"),
    ("interstream", "/_sandbox/interstream"),
    ("faults", "/_sandbox/faults/page"),
    ("ledger", "/_sandbox/ledger/page"),
];
