//! `payments paymentoptions …`.

use std::io::Read;
use std::net::IpAddr;

use clap::Subcommand;
use payments::paymentoptions::{
    Card, PaymentOptionsClient, PaymentSource, PurchaseOutcome, PurchaseRequest, ReturnUrl,
};
use payments::{Currency, Error, Money, Url};
use serde::Deserialize;

use crate::output::Report;

/// PaymentOptions commands.
#[derive(Debug, Subcommand)]
pub(crate) enum PaymentOptionsCommand {
    /// Charge a card (purchase v1, or v2 with --v2).
    Purchase {
        /// The amount in major units (1000 for JPY 1000, 10.50 for USD 10.50).
        #[arg(long)]
        amount: String,
        /// ISO 4217 currency (JPY, USD, ...).
        #[arg(long)]
        currency: String,
        /// Your unique reference for this payment (the idempotency handle).
        #[arg(long)]
        merchant_txn_ref: String,
        /// The customer's IP address.
        #[arg(long)]
        customer_ip: String,
        /// A JSON file with {number, expiry_month, expiry_year, cvc, name}, or - for standard
        /// input. Never pass card data as arguments: every user of the machine can read them.
        #[arg(long)]
        card: String,
        /// return_url.webhook_url.
        #[arg(long)]
        webhook_url: Option<String>,
        /// return_url.success_url.
        #[arg(long)]
        success_url: Option<String>,
        /// return_url.decline_url.
        #[arg(long)]
        decline_url: Option<String>,
        /// Use purchase v2 (3-D Secure).
        #[arg(long)]
        v2: bool,
    },
}

/// The card file. Every field is text, as card forms send them.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CardFile {
    number: String,
    expiry_month: String,
    expiry_year: String,
    cvc: String,
    name: String,
}

/// Reads and validates the card. Errors never quote the file, which holds card data.
fn read_card(source: &str) -> Result<Card, Error> {
    let mut bytes = Vec::new();
    let read = if source == "-" {
        std::io::stdin().read_to_end(&mut bytes)
    } else {
        std::fs::File::open(source).and_then(|mut file| file.read_to_end(&mut bytes))
    };
    read.map_err(|e| Error::invalid_input("card", format!("cannot read {source}: {}", e.kind())))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::invalid_input("card", "the card file is not UTF-8"))?;
    let card: CardFile = serde_json::from_str(&text).map_err(|e| {
        Error::invalid_input(
            "card",
            format!(
                "expected a JSON object with the text fields number, expiry_month, expiry_year, cvc and name (problem at line {}, column {})",
                e.line(),
                e.column()
            ),
        )
    })?;
    Card::new(
        &card.number,
        &card.expiry_month,
        &card.expiry_year,
        &card.cvc,
        &card.name,
    )
}

fn url(field: &'static str, value: Option<String>) -> Result<Option<Url>, Error> {
    value
        .map(|v| Url::parse(&v).map_err(|_| Error::invalid_input(field, "is not a valid URL")))
        .transpose()
}

pub(crate) async fn run(command: PaymentOptionsCommand) -> Result<Report, Error> {
    let PaymentOptionsCommand::Purchase {
        amount,
        currency,
        merchant_txn_ref,
        customer_ip,
        card,
        webhook_url,
        success_url,
        decline_url,
        v2,
    } = command;
    let currency = Currency::from_code(&currency).map_err(|e| e.for_field("currency"))?;
    let amount = Money::parse_positive(&amount, currency).map_err(|e| e.for_field("amount"))?;
    let ip: IpAddr = customer_ip
        .parse()
        .map_err(|_| Error::invalid_input("customer_ip", "is not an IP address"))?;
    let mut urls = ReturnUrl::default();
    if let Some(webhook) = url("webhook_url", webhook_url)? {
        urls = urls.with_webhook(webhook);
    }
    if let Some(success) = url("success_url", success_url)? {
        urls = urls.with_success(success);
    }
    if let Some(decline) = url("decline_url", decline_url)? {
        urls = urls.with_decline(decline);
    }
    let card = read_card(&card)?;
    let mut builder = PurchaseRequest::builder(
        amount,
        PaymentSource::Card(Box::new(card)),
        merchant_txn_ref,
        ip,
    );
    if urls != ReturnUrl::default() {
        builder = builder.return_url(urls);
    }
    let request = builder.build()?;
    let gateway = PaymentOptionsClient::from_env()?;
    if v2 {
        let outcome = gateway.purchase_v2(&request).await?;
        let title = match &outcome {
            PurchaseOutcome::ChallengeRequired(challenge) => format!(
                "3-D Secure challenge: send the customer to {}",
                challenge.redirect_url
            ),
            _ => format!("payment {} approved", request.merchant_txn_ref()),
        };
        Report::new(title, outcome)
    } else {
        let response = gateway.purchase(&request).await?;
        let id = response
            .transaction_details
            .as_ref()
            .map(|t| t.id.clone())
            .unwrap_or_default();
        Report::new(
            format!(
                "payment {} approved (transaction {id})",
                request.merchant_txn_ref()
            ),
            &response,
        )
    }
}
