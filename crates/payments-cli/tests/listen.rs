//! `payments listen`: the sandbox's callbacks reach the listener, are confirmed with the
//! provider, and are forwarded as they came to a recording "merchant app"; one line each.
//! Forgeries are refused and never forwarded; a confirmed webhook settles the journal's intent.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::BufRead;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use payments::journal::{IdempotencyKey, IntentState, IntentStore, Journaled, SqliteStore};
use payments::paymentoptions::{
    Card, PaymentOptionsClient, PaymentSource, PurchaseOutcome, PurchaseRequest, ReturnUrl,
};
use payments::zaif::{CreateInvoice, CryptoCurrency, ZaifClient};
use payments::{
    Capabilities, Currency, Error, Lookup, Money, Payment, PaymentMethodKind, PaymentProvider,
    PaymentRequest, PendingCall, SendPhase,
};

/// What the merchant's app received: method, path, query, body.
type Received = Arc<Mutex<Vec<(String, String, Option<String>, String)>>>;

async fn merchant_app() -> (String, Received) {
    let received: Received = Arc::default();
    let record = received.clone();
    let app = axum::Router::new().fallback(move |request: axum::extract::Request| {
        let record = record.clone();
        async move {
            let (parts, body) = request.into_parts();
            let body = axum::body::to_bytes(body, 1 << 20).await.unwrap();
            record.lock().unwrap().push((
                parts.method.to_string(),
                parts.uri.path().to_owned(),
                parts.uri.query().map(str::to_owned),
                String::from_utf8_lossy(&body).into_owned(),
            ));
            "ok"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

/// `payments listen`, running; its stdout, line by line.
struct Listening {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    address: String,
}

impl Listening {
    fn start(env: &[(String, String)], args: &[&str]) -> Listening {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_payments"))
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .arg("listen")
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if sender.send(line).is_err() {
                    return;
                }
            }
        });
        let first = lines.recv_timeout(Duration::from_secs(20)).unwrap();
        let address = first
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("{first}"))
            .to_owned();
        Listening {
            child,
            lines,
            address,
        }
    }

    /// The next line that is not part of the start-up banner.
    fn line(&self) -> String {
        loop {
            let line = self.lines.recv_timeout(Duration::from_secs(20)).unwrap();
            if !line.starts_with("  ") {
                return line;
            }
        }
    }
}

impl Drop for Listening {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A PaymentOptions purchase whose answer was lost and that no lookup can prove: what the
/// journal holds before its webhook comes.
#[derive(Debug)]
struct LostPurchase;

#[payments::async_trait]
impl PaymentProvider for LostPurchase {
    fn name(&self) -> &'static str {
        "paymentoptions"
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities::create_only(&[PaymentMethodKind::ProviderDefault])
    }
    async fn create_payment(&self, _request: &PaymentRequest) -> payments::Result<Payment> {
        Err(Error::Timeout {
            provider: "paymentoptions",
            phase: SendPhase::MaybeSent,
        })
    }
    async fn reconcile(&self, _call: &PendingCall) -> payments::Result<Lookup> {
        Ok(Lookup::Unprovable {
            reason: "no lookup by merchant_txn_ref".into(),
        })
    }
}

fn yen(amount: &str) -> Money {
    Money::parse(amount, Currency::JPY).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callbacks_are_confirmed_forwarded_and_settle_the_journal() {
    let setup = Setup::new().await;
    let (forward_to, received) = merchant_app().await;
    // The journal holds a purchase under key LISTEN-K1 whose answer was lost.
    let journal = setup.dir.join("journal.sqlite3");
    {
        let store: Arc<dyn IntentStore> = Arc::new(SqliteStore::open(&journal).unwrap());
        let journaled = Journaled::new(Arc::new(LostPurchase), store.clone());
        let key = IdempotencyKey::parse("LISTEN-K1").unwrap();
        let request = PaymentRequest::new(yen("3000"), "order-9").unwrap();
        journaled.create_payment(&key, &request).await.unwrap_err();
        journaled.reconcile_pending().await.unwrap();
        assert_eq!(
            store.get("LISTEN-K1").await.unwrap().unwrap().state,
            IntentState::NeedsAttention
        );
    }
    let journal_arg = journal.display().to_string();
    let listening = Listening::start(
        &setup.env,
        &["--forward-to", &forward_to, "--journal", &journal_arg],
    );
    let base = &listening.address;

    // Zaif: a form POST notification.
    let env: Vec<(&str, String)> = setup
        .env
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    let zaif = ZaifClient::from_env_with(&env).unwrap();
    let invoice = zaif
        .create_invoice(
            &CreateInvoice::builder(CryptoCurrency::Btc, 10800)
                .order_number("LISTEN-Z1")
                .notification_uri(format!("{base}/zaif"))
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    setup.sandbox.pay_zaif_invoice(&invoice.invoice_id).unwrap();
    assert_eq!(
        listening.line(),
        format!(
            "zaif invoice {}: confirmed, forwarded to {forward_to}/zaif → 200",
            invoice.invoice_id
        )
    );

    // PaymentOptions: a 3-D Secure result, under the journal's key.
    let gateway = PaymentOptionsClient::from_env_with(&env).unwrap();
    let card = Card::new("4000002500003155", "12", "2099", "737", "Jane Doe").unwrap();
    let request = PurchaseRequest::builder(
        yen("3000"),
        PaymentSource::Card(Box::new(card)),
        "LISTEN-K1",
        "203.0.113.7".parse().unwrap(),
    )
    .return_url(
        ReturnUrl::default()
            .with_success("https://shop.example/thanks".parse().unwrap())
            .with_webhook(format!("{base}/paymentoptions").parse().unwrap()),
    )
    .build()
    .unwrap();
    let PurchaseOutcome::ChallengeRequired(challenge) =
        gateway.purchase_v2(&request).await.unwrap()
    else {
        panic!("the 3-D Secure card asks for a challenge")
    };
    let id = payments_sandbox::challenge_id(&challenge.redirect_url).unwrap();
    setup
        .sandbox
        .answer_paymentoptions_challenge(&id, true)
        .unwrap();
    assert_eq!(
        listening.line(),
        "journal: intent LISTEN-K1 settled: succeeded"
    );
    assert_eq!(
        listening.line(),
        format!(
            "paymentoptions transaction {id} (CAPTURE): confirmed, forwarded to {forward_to}/paymentoptions → 200"
        )
    );

    // A forgery: refused, never forwarded.
    let forged = serde_json::json!({"success": true, "transaction_type": "CAPTURE",
        "transaction_details": {"id": "no-such-transaction"}});
    let status = payments_sandbox::loopback_http()
        .build()
        .unwrap()
        .post(format!("{base}/paymentoptions"))
        .json(&forged)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 200);
    assert_eq!(
        listening.line(),
        "paymentoptions transaction no-such-transaction (CAPTURE): refused by the provider's record: the gateway holds no successful transaction no-such-transaction"
    );

    let received = received.lock().unwrap().clone();
    assert_eq!(received.len(), 2, "{received:?}");
    assert_eq!(
        (received[0].0.as_str(), received[0].1.as_str()),
        ("POST", "/hooks/zaif")
    );
    assert!(
        received[0]
            .3
            .contains(&format!("invoiceId={}", invoice.invoice_id))
    );
    assert_eq!(received[1].1, "/hooks/paymentoptions");
    assert!(received[1].3.contains(&id), "forwarded as it came");
    let store = SqliteStore::open(&journal).unwrap();
    let intent = store.get("LISTEN-K1").await.unwrap().unwrap();
    assert_eq!(
        (intent.state, intent.payment_id.as_deref()),
        (IntentState::Succeeded, Some(id.as_str()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_refuses_to_forward_in_clear_off_this_machine_and_needs_a_provider() {
    let setup = Setup::new().await;
    let run = setup
        .run(
            &["listen", "--forward-to", "http://shop.example/hooks"],
            None,
        )
        .await;
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("--forward-to"), "{}", run.stderr);
    let run = setup
        .run_with(
            &[],
            &["listen", "--forward-to", "http://127.0.0.1:3000/hooks"],
            None,
        )
        .await;
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(
        run.stderr.contains("nothing to listen for"),
        "{}",
        run.stderr
    );
}
