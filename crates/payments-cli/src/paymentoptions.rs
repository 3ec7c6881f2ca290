//! `payments paymentoptions …`.

use std::io::Read;
use std::net::IpAddr;

use clap::Subcommand;
use payments::paymentoptions::{
    CaptureRequest, Card, CycleType, HostedLinkRequest, LinkAmount, PaymentOptionsClient,
    PaymentSource, Plan, PurchaseOutcome, PurchaseRequest, PurchaseRequestBuilder, RefundRequest,
    ReturnUrl, SubscriptionDetails, SubscriptionRequest, TransactionResponse, WalletLinkRequest,
};
use payments::{Currency, Customer, Error, Money, PaymentMethod, PaymentRequest, ReturnUrls, Url};
use serde::Deserialize;
use std::sync::Arc;

use crate::journal::Location;
use crate::output::Report;

/// The card payment every card command takes: what, how much, whose card, from where.
#[derive(Debug, clap::Args)]
pub(crate) struct CardPayment {
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
}

impl CardPayment {
    /// The amount and the customer's address, checked (naming the field at fault).
    fn amount_and_ip(&self) -> Result<(Money, IpAddr), Error> {
        let currency = Currency::from_code(&self.currency).map_err(|e| e.for_field("currency"))?;
        let amount =
            Money::parse_positive(&self.amount, currency).map_err(|e| e.for_field("amount"))?;
        let ip: IpAddr = self
            .customer_ip
            .parse()
            .map_err(|_| Error::invalid_input("customer_ip", "is not an IP address"))?;
        Ok((amount, ip))
    }

    /// Validates every field (naming the one at fault) and starts the purchase request.
    fn into_builder(self) -> Result<PurchaseRequestBuilder, Error> {
        let (amount, ip) = self.amount_and_ip()?;
        let card = read_card(&self.card)?;
        Ok(PurchaseRequest::builder(
            amount,
            PaymentSource::Card(Box::new(card)),
            self.merchant_txn_ref,
            ip,
        ))
    }
}

/// What a card operation takes: the same flags for purchase and authorize.
#[derive(Debug, clap::Args)]
pub(crate) struct CardOperation {
    #[command(flatten)]
    payment: CardPayment,
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
    /// Journal the call under this key (see `payments journal`; v2 only): the key is sent as
    /// merchant_txn_ref and --merchant-txn-ref is kept in the journal as your reference.
    #[arg(long)]
    idempotency_key: Option<String>,
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
    /// Journal the call under this key (see `payments journal`).
    #[arg(long)]
    idempotency_key: Option<String>,
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
        /// Journal the call under this key (see `payments journal`).
        #[arg(long)]
        idempotency_key: Option<String>,
    },
    /// Refund a captured or purchased transaction, in part or in whole.
    Refund(AmountOperation),
    /// The gateway's record of any transaction.
    Status {
        /// The transaction id.
        transaction_id: String,
    },
    /// Subscriptions: create, show, list, cancel, pause, resume.
    #[command(subcommand)]
    Subscription(SubscriptionCommand),
    /// A hosted payment page link (or an e-wallet link with --wallet): prints the URL.
    Link {
        /// The amount in major units; with --wallet, leave it out to let the customer type it.
        #[arg(long)]
        amount: Option<String>,
        /// ISO 4217 currency.
        #[arg(long)]
        currency: String,
        /// Your unique reference.
        #[arg(long)]
        merchant_txn_ref: String,
        /// Where the customer returns after paying.
        #[arg(long)]
        success_url: String,
        /// Where the customer returns after a decline or cancel.
        #[arg(long)]
        decline_url: Option<String>,
        /// Where the gateway posts the outcome.
        #[arg(long)]
        webhook_url: Option<String>,
        /// merchant_email (hosted page).
        #[arg(long)]
        merchant_email: Option<String>,
        /// Store the card the customer enters (hosted page).
        #[arg(long)]
        tokenize: bool,
        /// An e-wallet instead of the card page (gcash).
        #[arg(long)]
        wallet: Option<String>,
        /// The customer's IP address (required with --wallet).
        #[arg(long)]
        customer_ip: Option<String>,
    },
}

/// `payments paymentoptions subscription …`.
#[derive(Debug, Subcommand)]
pub(crate) enum SubscriptionCommand {
    /// Create one: the first cycle is charged at once with the card.
    Create {
        /// The first cycle's payment (each cycle charges its amount).
        #[command(flatten)]
        payment: CardPayment,
        /// plan_name.
        #[arg(long)]
        plan_name: String,
        /// plan_desc.
        #[arg(long)]
        plan_desc: Option<String>,
        /// DAYS, WEEKLY or MONTHLY.
        #[arg(long)]
        cycle_type: String,
        /// cycle_interval (1 or more).
        #[arg(long)]
        cycle_interval: u32,
        /// max_cycle_count (1 or more).
        #[arg(long)]
        max_cycle_count: u32,
        /// A free trial of this many days.
        #[arg(long)]
        trial_days: Option<u32>,
        /// A discount percentage (1-100)...
        #[arg(long, requires = "discount_cycles")]
        discount_percentage: Option<u32>,
        /// ...for this many cycles.
        #[arg(long, requires = "discount_percentage")]
        discount_cycles: Option<u32>,
    },
    /// One subscription.
    Show {
        /// The subscription id.
        id: String,
    },
    /// Every subscription.
    List,
    /// Cancel for good (it cannot be resumed).
    Cancel {
        /// The subscription id.
        id: String,
    },
    /// Pause until resumed.
    Pause {
        /// The subscription id.
        id: String,
    },
    /// Resume a paused subscription.
    Resume {
        /// The subscription id.
        id: String,
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

pub(crate) async fn run(
    command: PaymentOptionsCommand,
    journal: &Location,
) -> Result<Report, Error> {
    match command {
        PaymentOptionsCommand::Purchase(operation) if operation.idempotency_key.is_some() => {
            journaled_card(operation, false, journal).await
        }
        PaymentOptionsCommand::Authorize(operation) if operation.idempotency_key.is_some() => {
            journaled_card(operation, true, journal).await
        }
        PaymentOptionsCommand::Capture(operation) if operation.idempotency_key.is_some() => {
            journaled_follow_up(operation, true, journal).await
        }
        PaymentOptionsCommand::Refund(operation) if operation.idempotency_key.is_some() => {
            journaled_follow_up(operation, false, journal).await
        }
        PaymentOptionsCommand::Void {
            transaction_id,
            idempotency_key: Some(key),
        } => {
            let key = crate::journal::key(&key)?;
            let journaled = journal
                .journaled(Arc::new(PaymentOptionsClient::from_env()?))
                .await?;
            let payment = journaled.void_payment(&key, &transaction_id).await?;
            crate::journal::payment_report("voided", &key, &payment)
        }
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
        PaymentOptionsCommand::Void {
            transaction_id,
            idempotency_key: None,
        } => {
            let gateway = PaymentOptionsClient::from_env()?;
            let voided = gateway.void(&transaction_id).await?;
            transaction_report("voided", &voided)
        }
        PaymentOptionsCommand::Subscription(command) => subscription(command).await,
        PaymentOptionsCommand::Link {
            amount,
            currency,
            merchant_txn_ref,
            success_url,
            decline_url,
            webhook_url,
            merchant_email,
            tokenize,
            wallet,
            customer_ip,
        } => {
            let currency = Currency::from_code(&currency).map_err(|e| e.for_field("currency"))?;
            let amount = amount
                .map(|a| Money::parse_positive(&a, currency).map_err(|e| e.for_field("amount")))
                .transpose()?;
            let mut urls = ReturnUrl::default();
            if let Some(success) = url("success_url", Some(success_url))? {
                urls = urls.with_success(success);
            }
            if let Some(decline) = url("decline_url", decline_url)? {
                urls = urls.with_decline(decline.clone()).with_cancel(decline);
            }
            if let Some(webhook) = url("webhook_url", webhook_url)? {
                urls = urls.with_webhook(webhook);
            }
            let gateway_link = match wallet {
                Some(wallet) => {
                    let ip: IpAddr = customer_ip
                        .ok_or_else(|| {
                            Error::invalid_input("customer_ip", "is required with --wallet")
                        })?
                        .parse()
                        .map_err(|_| Error::invalid_input("customer_ip", "is not an IP address"))?;
                    let amount = match amount {
                        Some(money) => LinkAmount::Fixed(money),
                        None => LinkAmount::CustomerEntered(currency),
                    };
                    let request =
                        WalletLinkRequest::new(wallet, amount, merchant_txn_ref, ip, urls)?;
                    PaymentOptionsClient::from_env()?
                        .wallet_link(&request)
                        .await?
                }
                None => {
                    let amount = amount.ok_or_else(|| {
                        Error::invalid_input("amount", "is required for a hosted page link")
                    })?;
                    let mut request = HostedLinkRequest::new(amount, merchant_txn_ref, urls)?;
                    if let Some(email) = merchant_email {
                        request = request.merchant_email(email)?;
                    }
                    if tokenize {
                        request = request.tokenize();
                    }
                    PaymentOptionsClient::from_env()?
                        .hosted_link(&request)
                        .await?
                }
            };
            Report::new(
                format!("send the customer to {}", gateway_link.url),
                &gateway_link,
            )
        }
        PaymentOptionsCommand::Status { transaction_id } => {
            let gateway = PaymentOptionsClient::from_env()?;
            let status = gateway.transaction_status(&transaction_id).await?;
            transaction_report("status", &status)
        }
    }
}

async fn subscription(command: SubscriptionCommand) -> Result<Report, Error> {
    let summary = |details: &SubscriptionDetails| {
        format!(
            "subscription {} is {} ({} cycle(s) charged)",
            details.id,
            details.status.as_str(),
            details.completed_payment_cycle.unwrap_or_default()
        )
    };
    let gateway = || PaymentOptionsClient::from_env();
    match command {
        SubscriptionCommand::Create {
            payment,
            plan_name,
            plan_desc,
            cycle_type,
            cycle_interval,
            max_cycle_count,
            trial_days,
            discount_percentage,
            discount_cycles,
        } => {
            let cycle_type = match cycle_type.trim().to_ascii_uppercase().as_str() {
                "DAYS" => CycleType::Days,
                "WEEKLY" => CycleType::Weekly,
                "MONTHLY" => CycleType::Monthly,
                _ => {
                    return Err(Error::invalid_input(
                        "cycle_type",
                        "must be DAYS, WEEKLY or MONTHLY",
                    ));
                }
            };
            let mut plan = Plan::builder(plan_name, cycle_type, cycle_interval, max_cycle_count);
            if let Some(text) = plan_desc {
                plan = plan.description(text);
            }
            if let Some(days) = trial_days {
                plan = plan.trial_days(days);
            }
            if let (Some(percentage), Some(cycles)) = (discount_percentage, discount_cycles) {
                plan = plan.discount(percentage, cycles);
            }
            let plan = plan.build()?;
            let payment = payment.into_builder()?.build()?;
            let created = gateway()?
                .create_subscription(&SubscriptionRequest::new(payment, plan))
                .await?;
            let id = created
                .subscription()
                .map(|s| s.id.clone())
                .unwrap_or_else(|| "(not reported)".into());
            Report::new(
                format!(
                    "subscription {id} created; first cycle charged: {}",
                    created.amount().map(|a| a.to_string()).unwrap_or_default()
                ),
                &created,
            )
        }
        SubscriptionCommand::Show { id } => {
            let details = gateway()?.subscription(&id).await?;
            Report::new(summary(&details), &details)
        }
        SubscriptionCommand::List => {
            let all = gateway()?.subscriptions().await?;
            Report::new(format!("{} subscription(s)", all.len()), &all)
        }
        SubscriptionCommand::Cancel { id } => {
            let update = gateway()?.cancel_subscription(&id).await?;
            Report::new(summary(&update.subscription), &update)
        }
        SubscriptionCommand::Pause { id } => {
            let update = gateway()?.pause_subscription(&id).await?;
            Report::new(summary(&update.subscription), &update)
        }
        SubscriptionCommand::Resume { id } => {
            let update = gateway()?.resume_subscription(&id).await?;
            Report::new(summary(&update.subscription), &update)
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

/// A card payment through the journal and the common trait (v2: 3-D Secure).
async fn journaled_card(
    operation: CardOperation,
    authorize_only: bool,
    journal: &Location,
) -> Result<Report, Error> {
    let CardOperation {
        payment,
        webhook_url,
        success_url,
        decline_url,
        v2,
        idempotency_key,
    } = operation;
    let key = crate::journal::key(idempotency_key.as_deref().unwrap_or_default())?;
    if !v2 {
        return Err(Error::invalid_input(
            "v2",
            "journaled card payments use the v2 operations (3-D Secure): add --v2",
        ));
    }
    let (amount, ip) = payment.amount_and_ip()?;
    let gateway_urls = return_url(webhook_url, success_url, decline_url)?;
    let mut urls = ReturnUrls::default();
    urls.notification = gateway_urls.webhook_url;
    urls.success = gateway_urls.success_url;
    urls.failure = gateway_urls.decline_url;
    let card = read_card(&payment.card)?;
    let mut request = PaymentRequest::new(amount, payment.merchant_txn_ref)?
        .with_method(PaymentMethod::Card(Box::new(card)))
        .with_customer(Customer::default().with_ip(ip))
        .with_urls(urls);
    if authorize_only {
        request = request.authorize_only();
    }
    let journaled = journal
        .journaled(Arc::new(PaymentOptionsClient::from_env()?))
        .await?;
    let payment = journaled.create_payment(&key, &request).await?;
    let what = if authorize_only { "authorized" } else { "paid" };
    crate::journal::payment_report(what, &key, &payment)
}

/// A capture or refund through the journal and the common trait.
async fn journaled_follow_up(
    operation: AmountOperation,
    capture: bool,
    journal: &Location,
) -> Result<Report, Error> {
    let key = crate::journal::key(operation.idempotency_key.as_deref().unwrap_or_default())?;
    crate::journal::refuse_with_key(&[("notes", operation.notes.is_some())])?;
    let (id, amount, _) = amount_operation(operation)?;
    let journaled = journal
        .journaled(Arc::new(PaymentOptionsClient::from_env()?))
        .await?;
    let (what, payment) = if capture {
        (
            "captured",
            journaled.capture_payment(&key, &id, Some(amount)).await?,
        )
    } else {
        (
            "refunded",
            journaled.refund_payment(&key, &id, Some(amount)).await?,
        )
    };
    crate::journal::payment_report(what, &key, &payment)
}

/// A card operation's three return URLs, each checked and named by its flag.
fn return_url(
    webhook_url: Option<String>,
    success_url: Option<String>,
    decline_url: Option<String>,
) -> Result<ReturnUrl, Error> {
    let mut urls = ReturnUrl::default();
    urls.webhook_url = url("webhook_url", webhook_url)?;
    urls.success_url = url("success_url", success_url)?;
    urls.decline_url = url("decline_url", decline_url)?;
    Ok(urls)
}

async fn card_operation(operation: CardOperation, authorize_only: bool) -> Result<Report, Error> {
    let CardOperation {
        payment,
        webhook_url,
        success_url,
        decline_url,
        v2,
        idempotency_key: _,
    } = operation;
    let urls = return_url(webhook_url, success_url, decline_url)?;
    let mut builder = payment.into_builder()?;
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
