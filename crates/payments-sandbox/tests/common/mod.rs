//! What the fault suite and the soak share: clients with a short Zaif timeout, and each
//! provider's money-moving call under a merchant reference.

// Not every test file uses every helper.
#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use payments::http::HttpConfig;
use payments::interstream::{InterstreamClient, UserId};
use payments::paymentoptions::{Card, PaymentOptionsClient, PaymentSource, PurchaseRequest};
use payments::zaif::{CreateInvoice, CryptoCurrency, ZaifClient};
use payments::{Currency, Error, Money};
use payments_sandbox::{FaultKind, FaultRule, Provider, Sandbox};

pub const TIMEOUT: Duration = Duration::from_millis(400);

pub struct Clients {
    pub zaif: ZaifClient,
    pub cards: PaymentOptionsClient,
    pub store: InterstreamClient,
}

pub fn clients(sandbox: &Sandbox) -> Clients {
    let env: Vec<(String, String)> = sandbox
        .env()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    let http = || HttpConfig::new("fault-suite", "0").request_timeout(TIMEOUT);
    Clients {
        zaif: ZaifClient::builder_from_env(&env)
            .unwrap()
            .http_config(http())
            .build()
            .unwrap(),
        cards: PaymentOptionsClient::from_env_with(&env).unwrap(),
        store: InterstreamClient::from_env_with(&env).unwrap(),
    }
}

/// Each client's money-moving call, under a fresh merchant reference.
pub async fn pay(clients: &Clients, provider: Provider, reference: &str) -> Result<(), Error> {
    match provider {
        Provider::Zaif => {
            let request = CreateInvoice::builder(CryptoCurrency::Btc, 1000)
                .order_number(reference)
                .build()?;
            clients
                .zaif
                .create_invoice(&request)
                .await
                .map(drop)
                .map_err(Into::into)
        }
        Provider::Paymentoptions => {
            let card = Card::new("5200000000001005", "12", "2099", "123", "Jane Doe")?;
            let request = PurchaseRequest::builder(
                Money::parse("1000", Currency::JPY)?,
                PaymentSource::Card(Box::new(card)),
                reference,
                "203.0.113.7".parse().unwrap(),
            )
            .build()?;
            clients
                .cards
                .purchase(&request)
                .await
                .map(drop)
                .map_err(Into::into)
        }
        Provider::Interstream => clients
            .store
            .add_payment(
                UserId::new(2)?,
                Money::parse("1.00", Currency::EUR)?,
                Some(reference),
            )
            .await
            .map(drop)
            .map_err(Into::into),
    }
}

pub fn rule(provider: Provider, kind: FaultKind) -> FaultRule {
    FaultRule {
        provider,
        route: None,
        kind,
        status: Some(503),
        latency_ms: if kind == FaultKind::Latency { 1_000 } else { 0 },
        jitter_ms: 0,
        times: Some(1),
        chance_percent: None,
    }
}

/// The ledger event that records a provider's money-moving call.
pub fn money_event(provider: Provider) -> &'static str {
    match provider {
        Provider::Zaif => "invoice_created",
        Provider::Paymentoptions => "card_charged",
        Provider::Interstream => "payment_added",
    }
}
