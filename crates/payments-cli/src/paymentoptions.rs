//! `payments paymentoptions …`.

use std::io::Read;
use std::net::IpAddr;

use clap::Subcommand;
use payments::paymentoptions::{
    CaptureRequest, Card, PaymentOptionsClient, PaymentSource, PurchaseOutcome, PurchaseRequest,
    RefundRequest, ReturnUrl, TransactionResponse,
};
use payments::{Currency, Error, Money, Url};
use serde::Deserialize;

use crate::output::Report;

/// What a card operation takes: the same flags for purchase and authorize.
#[derive(Debug, clap::Args)]
pub(crate) struct CardOperation {
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
    /// return_url.success_url (mandatory with --v2: 3-D Secure returns the customer there).
    #[arg(long)]
    success_url: Option<String>,
    /// return_url.decline_url.
    #[arg(long)]
    decline_url: Option<String>,
    /// Use the v2 operation (3-D Secure).
    #[arg(long)]
    v2: bool,
}

/// What capture and refund take.
#[derive(Debug, clap::Args)]
pub(crate) struct AmountOperation {
    /// The transaction: the authorization to capture, or the capture/purchase to refund.
    #[arg(long)]
    transaction_id: String,
    /// The amount in major units.
    #[arg(long)]
    amount: String,
    /// Its ISO 4217 currency (the transaction's).
    #[arg(long, default_value = "JPY")]
    currency: String,
    /// Free text kept with the operation.
    #[arg(long)]
    notes: Option<String>,
}

/// PaymentOptions commands.
#[derive(Debug, Subcommand)]
pub(crate) enum PaymentOptionsCommand {
    /// Charge a card (purchase v1, or v2 with --v2).
    Purchase(CardOperation),
    /// Authorize a card without capturing (authorization v1, or v2 with --v2).
    Authorize(CardOperation),
    /// Capture an authorization (at most the authorized amount; a new transaction id).
    Capture(AmountOperation),
    /// Release an authorization that was not captured.
    Void {
        /// The authorization.
        #[arg(long)]
        transaction_id: String,
    },
    /// Refund a captured or purchased transaction, in part or in whole.
    Refund(AmountOperation),
    /// The gateway's record of any transaction.
    Status {
        /// The transaction id.
        transaction_id: String,
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
    match command {
        PaymentOptionsCommand::Purchase(operation) => card_operation(operation, false).await,
        PaymentOptionsCommand::Authorize(operation) => card_operation(operation, true).await,
        PaymentOptionsCommand::Capture(operation) => {
            let (id, amount, notes) = amount_operation(operation)?;
            let request = CaptureRequest::new(&id, amount, notes)?;
            let gateway = PaymentOptionsClient::from_env()?;
            let captured = gateway.capture(&request).await?;
            transaction_report("captured", &captured)
        }
        PaymentOptionsCommand::Refund(operation) => {
            let (id, amount, notes) = amount_operation(operation)?;
            let request = RefundRequest::new(&id, amount, notes)?;
            let gateway = PaymentOptionsClient::from_env()?;
            let refunded = gateway.refund(&request).await?;
            transaction_report("refunded", &refunded)
        }
        PaymentOptionsCommand::Void { transaction_id } => {
            let gateway = PaymentOptionsClient::from_env()?;
            let voided = gateway.void(&transaction_id).await?;
            transaction_report("voided", &voided)
        }
        PaymentOptionsCommand::Status { transaction_id } => {
            let gateway = PaymentOptionsClient::from_env()?;
            let status = gateway.transaction_status(&transaction_id).await?;
            transaction_report("status", &status)
        }
    }
}

fn amount_operation(operation: AmountOperation) -> Result<(String, Money, Option<String>), Error> {
    let currency = Currency::from_code(&operation.currency).map_err(|e| e.for_field("currency"))?;
    let amount =
        Money::parse_positive(&operation.amount, currency).map_err(|e| e.for_field("amount"))?;
    Ok((operation.transaction_id, amount, operation.notes))
}

/// One line for a transaction answer: what happened, its new id, its status and amount.
fn transaction_report(what: &str, answer: &TransactionResponse) -> Result<Report, Error> {
    let amount = answer
        .amount()
        .map(|a| format!(", amount {a}"))
        .unwrap_or_default();
    Report::new(
        format!(
            "{what}: transaction {} is {} ({}){amount}",
            answer.transaction_id().unwrap_or_default(),
            answer.transaction_type.as_ref().map_or("?", |t| t.as_str()),
            answer.gateway_response.code,
        ),
        answer,
    )
}

async fn card_operation(operation: CardOperation, authorize_only: bool) -> Result<Report, Error> {
    let CardOperation {
        amount,
        currency,
        merchant_txn_ref,
        customer_ip,
        card,
        webhook_url,
        success_url,
        decline_url,
        v2,
    } = operation;
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
    let what = if authorize_only { "authorized" } else { "paid" };
    if v2 {
        let outcome = if authorize_only {
            gateway.authorize_v2(&request).await?
        } else {
            gateway.purchase_v2(&request).await?
        };
        match &outcome {
            PurchaseOutcome::ChallengeRequired(challenge) => Report::new(
                format!(
                    "3-D Secure challenge: send the customer to {}",
                    challenge.redirect_url
                ),
                &outcome,
            ),
            PurchaseOutcome::Completed(response) => transaction_report(what, response),
            _ => Report::new("an answer this version does not know", &outcome),
        }
    } else {
        let response = if authorize_only {
            gateway.authorize(&request).await?
        } else {
            gateway.purchase(&request).await?
        };
        transaction_report(what, &response)
    }
}
