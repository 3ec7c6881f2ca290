//! The callback receiver against a scripted provider, over real HTTP on 127.0.0.1: answered at
//! once, confirmed before trusted, handed over once, forgeries and floods refused.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use payments_core::callback::{Callback, Confirm, Outcome, Receiver, Report, Verdict};
use tokio::sync::mpsc;

/// `id=…;amount=…` bodies. Ids script the provider: `good-*` is confirmed, `forged-*` refused,
/// `hang-*` hangs on its first lookup, `never-*` is never provable.
#[derive(Debug, Default)]
struct Scripted {
    lookups: Mutex<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Claim {
    id: String,
    amount: String,
}

#[async_trait::async_trait]
impl Confirm for Scripted {
    type Claim = Claim;
    type Event = Claim;

    fn provider(&self) -> &'static str {
        "scripted"
    }

    fn read(&self, callback: &Callback) -> Result<Claim, String> {
        let text = std::str::from_utf8(&callback.body).map_err(|_| "not text".to_owned())?;
        let mut id = None;
        let mut amount = None;
        for part in text.split(';') {
            match part.split_once('=') {
                Some(("id", v)) => id = Some(v.to_owned()),
                Some(("amount", v)) => amount = Some(v.to_owned()),
                Some(("note", _)) => {}
                _ => return Err(format!("unknown part {part:?}")),
            }
        }
        Ok(Claim {
            id: id.ok_or("no id")?,
            amount: amount.ok_or("no amount")?,
        })
    }

    fn claim_key(&self, claim: &Claim) -> String {
        format!("{}:{}", claim.id, claim.amount)
    }

    fn describe(&self, claim: &Claim) -> String {
        format!("payment {}", claim.id)
    }

    async fn confirm(&self, claim: &Claim) -> Verdict<Claim> {
        let first = {
            let mut lookups = self.lookups.lock().unwrap();
            lookups.push(claim.id.clone());
            lookups.iter().filter(|id| **id == claim.id).count() == 1
        };
        match claim.id.split('-').next() {
            Some("good") => Verdict::Confirmed(claim.clone()),
            Some("forged") => Verdict::Refused("no such payment".into()),
            Some("hang") if first => {
                tokio::time::sleep(Duration::from_secs(30)).await;
                Verdict::NotYet("woke".into())
            }
            Some("hang") => Verdict::Confirmed(claim.clone()),
            _ => Verdict::NotYet("not settled yet".into()),
        }
    }

    fn event_key(&self, event: &Claim) -> String {
        event.id.clone()
    }
}

struct Endpoint {
    url: String,
    reports: mpsc::UnboundedReceiver<Report>,
    delivered: Arc<Mutex<Vec<Claim>>>,
    http: reqwest::Client,
}

impl Endpoint {
    async fn start(adjust: impl FnOnce(Receiver<Scripted>) -> Receiver<Scripted>) -> Endpoint {
        let delivered: Arc<Mutex<Vec<Claim>>> = Arc::default();
        let (sender, reports) = mpsc::unbounded_channel();
        let handed = delivered.clone();
        let receiver = Receiver::new(Scripted::default(), move |event: Claim| {
            let handed = handed.clone();
            async move {
                handed.lock().unwrap().push(event);
                Ok(())
            }
        })
        .on_report(move |report| {
            let _ = sender.send(report.clone());
        });
        let app = adjust(receiver).router("/hooks/scripted");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks/scripted", listener.local_addr().unwrap());
        tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
        });
        Endpoint {
            url,
            reports,
            delivered,
            // The SDK's own TLS setup names the crypto provider (plain HTTP here, but reqwest
            // wants one configured).
            http: reqwest::Client::builder()
                .use_preconfigured_tls(
                    payments_core::http::tls_config(&payments_core::http::HttpConfig::new(
                        "callback-test",
                        "1",
                    ))
                    .unwrap(),
                )
                .build()
                .unwrap(),
        }
    }

    async fn post(&self, body: &str) -> u16 {
        self.http
            .post(&self.url)
            .body(body.to_owned())
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    async fn next_report(&mut self) -> Report {
        tokio::time::timeout(Duration::from_secs(5), self.reports.recv())
            .await
            .expect("a report within 5 s")
            .unwrap()
    }

    fn delivered(&self) -> Vec<Claim> {
        self.delivered.lock().unwrap().clone()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_confirmed_callback_is_handed_over_once_however_often_it_comes() {
    let mut endpoint = Endpoint::start(|r| r).await;
    assert_eq!(endpoint.post("id=good-1;amount=500").await, 200);
    assert_eq!(endpoint.next_report().await.outcome, Outcome::Delivered);
    // The same claim again: not even looked up.
    assert_eq!(endpoint.post("id=good-1;amount=500").await, 200);
    assert_eq!(endpoint.next_report().await.outcome, Outcome::Repeated);
    // Another body for the same payment (a note added): looked up, not handed over again.
    assert_eq!(endpoint.post("id=good-1;amount=500;note=x").await, 200);
    let report = endpoint.next_report().await;
    assert_eq!(report.outcome, Outcome::Repeated);
    assert_eq!(
        report.to_string(),
        "scripted payment good-1: repeated, already received"
    );
    assert_eq!(
        endpoint.delivered(),
        [Claim {
            id: "good-1".into(),
            amount: "500".into()
        }]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_callback_never_reaches_the_handler() {
    let mut endpoint = Endpoint::start(|r| r).await;
    assert_eq!(endpoint.post("id=forged-1;amount=500").await, 200);
    let report = endpoint.next_report().await;
    assert_eq!(report.outcome, Outcome::Refused("no such payment".into()));
    assert_eq!(
        report.to_string(),
        "scripted payment forged-1: refused by the provider's record: no such payment"
    );
    assert!(endpoint.delivered().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_lookup_never_delays_the_answer_and_the_event_follows() {
    let mut endpoint = Endpoint::start(|r| {
        r.lookup_timeout(Duration::from_millis(300))
            .first_retry(Duration::from_millis(50))
            .confirm_for(Duration::from_secs(3))
    })
    .await;
    let started = Instant::now();
    assert_eq!(endpoint.post("id=hang-1;amount=700").await, 200);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "answered in {:?}",
        started.elapsed()
    );
    assert!(
        endpoint.delivered().is_empty(),
        "not before it is confirmed"
    );
    assert_eq!(endpoint.next_report().await.outcome, Outcome::Delivered);
    assert_eq!(endpoint.delivered().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_never_confirmed_is_reported_unconfirmed_after_the_bound() {
    let mut endpoint = Endpoint::start(|r| {
        r.first_retry(Duration::from_millis(20))
            .confirm_for(Duration::from_millis(300))
    })
    .await;
    let started = Instant::now();
    assert_eq!(endpoint.post("id=never-1;amount=1").await, 200);
    let report = endpoint.next_report().await;
    assert_eq!(
        report.outcome,
        Outcome::Unconfirmed("not settled yet".into())
    );
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert!(endpoint.delivered().is_empty());
    // Forgotten, so a later repeat is looked up again.
    assert_eq!(endpoint.post("id=never-1;amount=1").await, 200);
    assert!(matches!(
        endpoint.next_report().await.outcome,
        Outcome::Unconfirmed(_)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_malformed_and_flooding_callbacks_are_refused() {
    let mut endpoint = Endpoint::start(|r| r.body_limit(64).per_source_per_minute(4)).await;
    let long = format!("id=good-2;amount=1;note={}", "x".repeat(100));
    assert_eq!(endpoint.post(&long).await, 413);
    assert_eq!(endpoint.next_report().await.outcome, Outcome::TooLarge);
    assert_eq!(endpoint.post("<html>").await, 400);
    let report = endpoint.next_report().await;
    assert!(
        matches!(report.outcome, Outcome::Malformed(_)),
        "{report:?}"
    );
    assert_eq!(endpoint.post("id=good-3;amount=1").await, 200);
    assert_eq!(endpoint.next_report().await.outcome, Outcome::Delivered);
    assert_eq!(endpoint.post("id=good-4;amount=1").await, 200);
    assert_eq!(endpoint.next_report().await.outcome, Outcome::Delivered);
    // The fifth from this address within the minute.
    assert_eq!(endpoint.post("id=good-5;amount=1").await, 429);
    assert_eq!(endpoint.next_report().await.outcome, Outcome::RateLimited);
    assert_eq!(endpoint.delivered().len(), 2);
}
