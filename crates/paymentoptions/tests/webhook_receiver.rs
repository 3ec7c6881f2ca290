//! The ready webhook endpoint, driven by the sandbox's own webhooks: every kind the sandbox
//! posts (3-D Secure approved and declined, hosted page and e-wallet paid and declined, a
//! subscription's next cycle, a webhook sent again) reaches a recording handler once, confirmed by the gateway's status;
//! forged ones (unknown id, changed amount, changed currency, `is_live` in test mode) never do;
//! a hanging status lookup delays nothing.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use paymentoptions::{
    Card, ConfirmedWebhook, CycleType, HostedLinkRequest, LinkAmount, PaymentOptionsClient,
    PaymentSource, Plan, PurchaseOutcome, PurchaseRequest, ReturnUrl, SubscriptionRequest,
    WalletLinkRequest, webhook_receiver,
};
use payments_core::callback::{Outcome, Report};
use payments_core::{Currency, Money, PaymentStatus, Url};
use payments_sandbox::{FaultKind, FaultRule, Provider, Sandbox, SandboxConfig};
use tokio::sync::mpsc;

struct Merchant {
    sandbox: Sandbox,
    gateway: PaymentOptionsClient,
    hook: Url,
    received: Arc<Mutex<Vec<ConfirmedWebhook>>>,
    reports: mpsc::UnboundedReceiver<Report>,
}

impl Merchant {
    async fn start() -> Merchant {
        let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
        let gateway = PaymentOptionsClient::from_env_with(&sandbox.env()).unwrap();
        let received: Arc<Mutex<Vec<ConfirmedWebhook>>> = Arc::default();
        let (sender, reports) = mpsc::unbounded_channel();
        let handed = received.clone();
        let app = webhook_receiver(gateway.clone(), move |event| {
            let handed = handed.clone();
            async move {
                handed.lock().unwrap().push(event);
                Ok(())
            }
        })
        .lookup_timeout(Duration::from_millis(300))
        .first_retry(Duration::from_millis(50))
        .on_report(move |report| {
            let _ = sender.send(report.clone());
        })
        .router("/webhooks/paymentoptions");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let hook = Url::parse(&format!(
            "http://{}/webhooks/paymentoptions",
            listener.local_addr().unwrap()
        ))
        .unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Merchant {
            sandbox,
            gateway,
            hook,
            received,
            reports,
        }
    }

    fn urls(&self) -> ReturnUrl {
        ReturnUrl::default()
            .with_success("https://shop.example/thanks".parse().unwrap())
            .with_webhook(self.hook.clone())
    }

    async fn report(&mut self) -> Report {
        tokio::time::timeout(Duration::from_secs(10), self.reports.recv())
            .await
            .expect("a report within 10 s")
            .unwrap()
    }

    fn received(&self) -> Vec<ConfirmedWebhook> {
        self.received.lock().unwrap().clone()
    }

    /// A 3-D Secure purchase waiting for the customer; its transaction id.
    async fn challenge(&self, reference: &str) -> String {
        let card = Card::new("4000002500003155", "12", "2099", "737", "Jane Doe").unwrap();
        let request = PurchaseRequest::builder(
            yen("3000"),
            PaymentSource::Card(Box::new(card)),
            reference,
            "203.0.113.7".parse().unwrap(),
        )
        .return_url(self.urls())
        .build()
        .unwrap();
        let PurchaseOutcome::ChallengeRequired(challenge) =
            self.gateway.purchase_v2(&request).await.unwrap()
        else {
            panic!("the 3-D Secure test card asks for a challenge")
        };
        payments_sandbox::challenge_id(&challenge.redirect_url).unwrap()
    }

    async fn post(&self, body: &serde_json::Value) -> u16 {
        payments_sandbox::loopback_http()
            .build()
            .unwrap()
            .post(self.hook.clone())
            .json(body)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }
}

fn yen(amount: &str) -> Money {
    Money::parse(amount, Currency::JPY).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_webhook_arrives_once_confirmed() {
    let mut merchant = Merchant::start().await;

    // 3-D Secure, approved: captured, with the merchant's reference (the journal's key).
    let approved = merchant.challenge("HOOK-3DS-1").await;
    merchant
        .sandbox
        .answer_paymentoptions_challenge(&approved, true)
        .unwrap();
    let report = merchant.report().await;
    assert_eq!(report.outcome, Outcome::Delivered, "{report}");
    assert_eq!(report.what, format!("transaction {approved} (CAPTURE)"));

    // 3-D Secure, declined: a failure, confirmed by the gateway holding no such success.
    let declined = merchant.challenge("HOOK-3DS-2").await;
    merchant
        .sandbox
        .answer_paymentoptions_challenge(&declined, false)
        .unwrap();
    assert_eq!(merchant.report().await.outcome, Outcome::Delivered);

    // A hosted payment page, paid; another, declined.
    for (reference, pay) in [("HOOK-HPP-1", true), ("HOOK-HPP-2", false)] {
        let link = merchant
            .gateway
            .hosted_link(&HostedLinkRequest::new(yen("1200"), reference, merchant.urls()).unwrap())
            .await
            .unwrap();
        merchant
            .sandbox
            .answer_paymentoptions_link(&link.id, pay)
            .unwrap();
        assert_eq!(merchant.report().await.outcome, Outcome::Delivered);
    }

    // An e-wallet link, paid.
    let wallet = merchant
        .gateway
        .wallet_link(
            &WalletLinkRequest::new(
                "gcash",
                LinkAmount::Fixed(
                    Money::parse("500", Currency::from_code("PHP").unwrap()).unwrap(),
                ),
                "HOOK-WALLET-1",
                "203.0.113.7".parse().unwrap(),
                merchant.urls(),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    merchant
        .sandbox
        .answer_paymentoptions_link(&wallet.id, true)
        .unwrap();
    assert_eq!(merchant.report().await.outcome, Outcome::Delivered);

    // A subscription's next cycle, charged with no caller waiting: its webhook.
    let card = Card::new("4000000000001091", "12", "2099", "112", "Jane Doe").unwrap();
    let first = PurchaseRequest::builder(
        yen("980"),
        PaymentSource::Card(Box::new(card)),
        "HOOK-SUB-1",
        "203.0.113.7".parse().unwrap(),
    )
    .return_url(merchant.urls())
    .build()
    .unwrap();
    let plan = Plan::builder("Premium", CycleType::Monthly, 1, 12)
        .build()
        .unwrap();
    let subscription = merchant
        .gateway
        .create_subscription(&SubscriptionRequest::new(first, plan))
        .await
        .unwrap();
    let subscription_id = subscription.subscription().unwrap().id.clone();
    merchant
        .sandbox
        .advance_paymentoptions_subscription(&subscription_id)
        .await
        .unwrap();
    assert_eq!(merchant.report().await.outcome, Outcome::Delivered);

    // The approved 3-D Secure webhook sent again: not handed over twice.
    let resent = payments_sandbox::loopback_http()
        .build()
        .unwrap()
        .post(format!(
            "{}/_sandbox/paymentoptions/webhooks/{approved}",
            merchant.sandbox.url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resent.status().as_u16(), 200);
    assert_eq!(merchant.report().await.outcome, Outcome::Repeated);

    let received = merchant.received();
    let seen: Vec<(Option<&str>, String)> = received
        .iter()
        .map(|w| {
            (
                w.merchant_txn_ref(),
                match &w.status {
                    PaymentStatus::Failed { .. } => "failed".to_owned(),
                    other => format!("{other:?}"),
                },
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (Some("HOOK-3DS-1"), "Captured".to_owned()),
            (Some("HOOK-3DS-2"), "failed".to_owned()),
            (Some("HOOK-HPP-1"), "Captured".to_owned()),
            (Some("HOOK-HPP-2"), "failed".to_owned()),
            (Some("HOOK-WALLET-1"), "Captured".to_owned()),
            (Some("HOOK-SUB-1"), "Captured".to_owned()),
        ]
    );
    // What a journal settles with: the gateway's amount, not the post's.
    let payment = received[0].payment();
    assert_eq!(payment.id, approved);
    assert_eq!(payment.amount, Some(yen("3000")));
    assert!(received[0].record.is_some() && received[1].record.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_webhooks_never_reach_the_handler() {
    let mut merchant = Merchant::start().await;
    let approved = merchant.challenge("HOOK-REAL-1").await;
    merchant
        .sandbox
        .answer_paymentoptions_challenge(&approved, true)
        .unwrap();
    assert_eq!(merchant.report().await.outcome, Outcome::Delivered);
    let genuine = |id: &str, amount: f64, currency: &str, live: bool| {
        serde_json::json!({"success": true, "status_code": 200, "is_live": live,
            "transaction_type": "CAPTURE",
            "gateway_response": {"code": "INFO0000", "message": "Payment Successful."},
            "payment_details": {"amount": amount, "currency": currency},
            "transaction_details": {"id": id, "merchant_txn_ref": "HOOK-REAL-1"}})
    };
    let forgeries = [
        (
            genuine("no-such-transaction", 3000.0, "JPY", false),
            "no successful transaction",
        ),
        (genuine(&approved, 30.0, "JPY", false), "claims amount 30"),
        (
            genuine(&approved, 3000.0, "USD", false),
            "claims currency USD",
        ),
        (genuine(&approved, 3000.0, "JPY", true), "says is_live true"),
        (
            serde_json::json!({"success": false, "transaction_details": {"id": approved}}),
            "reports a failure, but transaction",
        ),
    ];
    for (body, why) in forgeries {
        assert_eq!(merchant.post(&body).await, 200);
        let report = merchant.report().await;
        match &report.outcome {
            Outcome::Refused(reason) => assert!(reason.contains(why), "{reason} vs {why}"),
            other => panic!("{body}: {other:?}"),
        }
    }
    // A forgery carrying a card number and CVC: refused, and neither appears in what is
    // reported (or logged: the log line is the report).
    let carded = serde_json::json!({"success": true, "is_live": false,
        "payment_details": {"amount": 1, "card": {"number": "4000002500003155", "cvc": "737"}},
        "transaction_details": {"id": "forged-card-1"}});
    assert_eq!(merchant.post(&carded).await, 200);
    let report = merchant.report().await;
    assert!(matches!(report.outcome, Outcome::Refused(_)), "{report:?}");
    let shown = format!("{report} {report:?}");
    assert!(
        !shown.contains("4000002500003155") && !shown.contains("737"),
        "{shown}"
    );
    let garbage = br#"{"transaction_details": {"id": "x"}, "payment_details": "4000002500003155"#;
    let status = payments_sandbox::loopback_http()
        .build()
        .unwrap()
        .post(merchant.hook.clone())
        .body(garbage.to_vec())
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 400);
    let report = merchant.report().await;
    assert!(
        !format!("{report} {report:?}").contains("4000002500003155"),
        "{report}"
    );

    // Not a webhook at all: refused at the door.
    for body in [
        serde_json::json!({"transaction_details": {}}),
        serde_json::json!([1, 2]),
    ] {
        assert_eq!(merchant.post(&body).await, 400);
        assert!(matches!(
            merchant.report().await.outcome,
            Outcome::Malformed(_)
        ));
    }
    assert_eq!(merchant.received().len(), 1, "only the genuine one");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_status_lookup_delays_nothing_and_the_event_follows() {
    let mut merchant = Merchant::start().await;
    // A purchase whose webhook this test posts itself, to time the receiver's answer.
    let quiet = ReturnUrl::default().with_success("https://shop.example/thanks".parse().unwrap());
    let card = Card::new("4000002500003155", "12", "2099", "737", "Jane Doe").unwrap();
    let request = PurchaseRequest::builder(
        yen("800"),
        PaymentSource::Card(Box::new(card)),
        "HOOK-SLOW-1",
        "203.0.113.7".parse().unwrap(),
    )
    .return_url(quiet)
    .build()
    .unwrap();
    let PurchaseOutcome::ChallengeRequired(challenge) =
        merchant.gateway.purchase_v2(&request).await.unwrap()
    else {
        panic!("the 3-D Secure test card asks for a challenge")
    };
    let id = payments_sandbox::challenge_id(&challenge.redirect_url).unwrap();
    let webhook: serde_json::Value = payments_sandbox::loopback_http()
        .build()
        .unwrap()
        .post(format!(
            "{}/_sandbox/paymentoptions/challenges/{id}/approve",
            merchant.sandbox.url()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // The first status lookup hangs for 5 s; the receiver gives up on it after 300 ms.
    let mut hang = FaultRule::new(Provider::Paymentoptions, FaultKind::Latency)
        .with_route("status")
        .with_times(1);
    hang.latency_ms = 5_000;
    merchant.sandbox.set_faults(vec![hang]);
    let started = Instant::now();
    assert_eq!(merchant.post(&webhook).await, 200);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "answered in {:?}",
        started.elapsed()
    );
    assert!(merchant.received().is_empty(), "not before it is confirmed");
    let report = merchant.report().await;
    assert_eq!(report.outcome, Outcome::Delivered, "{report}");
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "the hung lookup was abandoned"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "it did not wait for the hang"
    );
    assert_eq!(merchant.received().len(), 1);
}

mod hostile {
    use axum::body::Bytes;
    use axum::http::Method;
    use paymentoptions::{Environment, PaymentOptionsClient, WebhookConfirmer, WebhookEvent};
    use payments_core::callback::{Callback, Confirm};
    use proptest::prelude::*;

    fn confirmer() -> WebhookConfirmer {
        WebhookConfirmer::new(
            PaymentOptionsClient::builder()
                .api_key("k")
                .merchant_id("m")
                .environment(Environment::Test)
                .build()
                .unwrap(),
        )
    }

    /// JSON values of any shape, a few levels deep.
    fn json() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<f64>().prop_map(serde_json::Value::from),
            ".{0,16}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(3, 32, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
                proptest::collection::hash_map(
                    prop_oneof![
                        Just("success".to_owned()),
                        Just("transaction_details".to_owned()),
                        Just("payment_details".to_owned()),
                        Just("id".to_owned()),
                        Just("amount".to_owned()),
                        Just("is_live".to_owned()),
                        ".{0,8}"
                    ],
                    inner,
                    0..6
                )
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Any bytes: a claim or a reason, never a panic.
        #[test]
        fn any_bytes_read_or_are_refused(body in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = WebhookEvent::from_json(&body);
            let callback = Callback {
                path_params: Vec::new(),
                method: Method::POST,
                query: None,
                content_type: Some("application/json".into()),
                body: Bytes::from(body),
            };
            let _ = confirmer().read(&callback);
        }

        /// Any JSON, with the documented keys likely.
        #[test]
        fn any_json_reads_or_is_refused(value in json()) {
            let body = serde_json::to_vec(&value).unwrap();
            if let Ok(event) = WebhookEvent::from_json(&body) {
                let _ = event.transaction_id();
                let _ = event.merchant_txn_ref();
            }
        }
    }
}
