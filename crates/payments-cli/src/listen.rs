//! `payments listen`: receives the providers' callbacks on this machine, confirms each with the
//! provider (the SDK's ready receivers), forwards the confirmed ones, exactly as they were
//! sent, to the merchant's app, and prints one line per callback. With a journal given
//! (`--journal` / `--journal-url`), a confirmed PaymentOptions webhook also settles the pending
//! intent under its `merchant_txn_ref`.

use std::sync::Arc;

use clap::Args;
use payments::callback::{Callback, Confirm, HandlerResult, Outcome, Receiver, Report, Verdict};
use payments::config::ProcessEnv;
use payments::http::{Endpoint, HttpClient, HttpConfig};
use payments::journal::{IdempotencyKey, IntentState, Journaled};
use payments::paymentoptions::{ConfirmedWebhook, PaymentOptionsClient, WebhookConfirmer};
use payments::zaif::{NotificationConfirmer, ZaifClient};
use payments::{Error, PaymentProvider};

use crate::journal::Location;

#[derive(Debug, Args)]
pub(crate) struct Listen {
    /// Where confirmed callbacks go, as the provider sent them: `URL/zaif` and
    /// `URL/paymentoptions` (http only to this machine; https anywhere).
    #[arg(long)]
    forward_to: String,
    /// The port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
}

/// A confirmed event and the callback that announced it, to be forwarded as it came.
struct Forwarded<E> {
    event: E,
    callback: Callback,
    what: String,
}

/// A provider's confirmer, keeping each callback so it can be forwarded as it came.
struct Forwarding<C>(C);

#[payments::async_trait]
impl<C: Confirm> Confirm for Forwarding<C> {
    type Claim = (C::Claim, Callback);
    type Event = Forwarded<C::Event>;

    fn provider(&self) -> &'static str {
        self.0.provider()
    }

    fn read(&self, callback: &Callback) -> Result<Self::Claim, String> {
        self.0.read(callback).map(|claim| (claim, callback.clone()))
    }

    fn claim_key(&self, claim: &Self::Claim) -> String {
        self.0.claim_key(&claim.0)
    }

    fn describe(&self, claim: &Self::Claim) -> String {
        self.0.describe(&claim.0)
    }

    async fn confirm(&self, claim: &Self::Claim) -> Verdict<Self::Event> {
        match self.0.confirm(&claim.0).await {
            Verdict::Confirmed(event) => Verdict::Confirmed(Forwarded {
                event,
                callback: claim.1.clone(),
                what: self.0.describe(&claim.0),
            }),
            Verdict::Refused(why) => Verdict::Refused(why),
            Verdict::NotYet(why) => Verdict::NotYet(why),
        }
    }

    fn event_key(&self, event: &Self::Event) -> String {
        self.0.event_key(&event.event)
    }
}

/// Sends a callback on as it came (method, query, content type, body).
#[derive(Clone)]
struct Forwarder {
    http: HttpClient,
    target: Endpoint,
}

impl Forwarder {
    /// Forwards `forwarded`, printing its line; the target's answer decides the handler's.
    async fn forward<E>(&self, provider: &str, forwarded: &Forwarded<E>) -> HandlerResult {
        let mut url = self.target.url().clone();
        url.set_query(forwarded.callback.query.as_deref());
        let mut request = self
            .http
            .reqwest()
            .request(forwarded.callback.method.clone(), url.clone())
            .body(forwarded.callback.body.clone());
        if let Some(content_type) = &forwarded.callback.content_type {
            request = request.header("content-type", content_type);
        }
        let answer = self.http.send("listen", request).await?;
        let status = answer.status;
        if !(200..300).contains(&status) {
            return Err(format!("{} answered {status}", self.target.url()).into());
        }
        println!(
            "{provider} {}: confirmed, forwarded to {} → {status}",
            forwarded.what,
            self.target.url()
        );
        Ok(())
    }
}

/// Prints every callback that did not end in a forward (those print their own line).
fn print_report(report: &Report) {
    if report.outcome != Outcome::Delivered {
        println!("{report}");
    }
}

pub(crate) async fn run(listen: Listen, location: &Location) -> Result<(), Error> {
    let forward_to = Endpoint::parse("--forward-to", &listen.forward_to)?;
    let zaif = ZaifClient::from_env_if_configured(&ProcessEnv)?;
    let paymentoptions = PaymentOptionsClient::from_env_if_configured(&ProcessEnv)?;
    if zaif.is_none() && paymentoptions.is_none() {
        return Err(Error::configuration(
            "ZAIF_* / PAYMENTOPTIONS_*",
            "neither provider that posts callbacks is configured: nothing to listen for",
        ));
    }
    let http = HttpClient::new(&HttpConfig::new(
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION"),
    ))?;
    let journal = match location.is_explicit() {
        true => Some(location.open().await?),
        false => None,
    };
    let (listener, address) = crate::serve::bind_loopback(listen.port).await?;
    let mut app = axum::Router::new();
    let mut lines = vec![format!("listening on http://{address}")];
    if let Some(zaif) = zaif {
        let forwarder = Forwarder {
            http: http.clone(),
            target: Endpoint::parse("--forward-to", forward_to.join("zaif").as_str())?,
        };
        lines.push(format!(
            "  Zaif notificationUri http://{address}/zaif → {}",
            forwarder.target.url()
        ));
        let receiver = Receiver::new(
            Forwarding(NotificationConfirmer::new(zaif)),
            move |forwarded: Forwarded<_>| {
                let forwarder = forwarder.clone();
                async move { forwarder.forward("zaif", &forwarded).await }
            },
        )
        .on_report(print_report);
        app = app.merge(receiver.router("/zaif"));
    }
    if let Some(gateway) = paymentoptions {
        let forwarder = Forwarder {
            http: http.clone(),
            target: Endpoint::parse("--forward-to", forward_to.join("paymentoptions").as_str())?,
        };
        lines.push(format!(
            "  PaymentOptions webhook_url http://{address}/paymentoptions → {}",
            forwarder.target.url()
        ));
        let settler = journal.map(|store| {
            Arc::new(Journaled::new(
                Arc::new(gateway.clone()) as Arc<dyn PaymentProvider>,
                store,
            ))
        });
        let receiver = Receiver::new(
            Forwarding(WebhookConfirmer::new(gateway)),
            move |forwarded: Forwarded<ConfirmedWebhook>| {
                let (forwarder, settler) = (forwarder.clone(), settler.clone());
                async move {
                    if let Some(journaled) = settler {
                        settle(&journaled, &forwarded.event).await;
                    }
                    forwarder.forward("paymentoptions", &forwarded).await
                }
            },
        )
        .on_report(print_report);
        app = app.merge(receiver.router("/paymentoptions"));
    }
    crate::serve::until_ctrl_c(listener, app, &lines).await
}

/// Settles the journal's pending (or needs-attention) intent under the webhook's
/// `merchant_txn_ref`, when there is one, and says so.
async fn settle(journaled: &Journaled, webhook: &ConfirmedWebhook) {
    let Some(key) = webhook
        .merchant_txn_ref()
        .and_then(|r| IdempotencyKey::parse(r).ok())
    else {
        return;
    };
    match journaled.store().get(key.as_str()).await {
        Ok(Some(intent))
            if matches!(
                intent.state,
                IntentState::Pending | IntentState::NeedsAttention
            ) => {}
        _ => return,
    }
    match journaled.settle_confirmed(&key, &webhook.payment()).await {
        Ok(state) => println!("journal: intent {} settled: {state}", key.as_str()),
        Err(error) => println!("journal: intent {} not settled: {error}", key.as_str()),
    }
}
