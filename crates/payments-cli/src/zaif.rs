//! `payments zaif …`.

use clap::{Subcommand, ValueEnum};
use payments::config::{self, ProcessEnv};
use payments::zaif::{
    AuthMethod, CreateInvoice, CreateInvoiceBuilder, CryptoCurrency, NotificationMethod, Speed,
    ZaifClient,
};
use payments::{
    Currency, Customer, Decimal, Error, Money, PaymentMethod, PaymentRequest, ReturnUrls, Secret,
    Url,
};
use std::sync::Arc;

use crate::journal::Location;
use crate::output::Report;

fn url(field: &'static str, text: &str) -> Result<Url, Error> {
    Url::parse(text).map_err(|_| Error::invalid_input(field, "is not a valid URL"))
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum SpeedArg {
    High,
    Medium,
    Low,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum NotificationMethodArg {
    #[value(name = "GET")]
    Get,
    #[value(name = "POST")]
    Post,
}

/// A `CreateInvoiceBuilder` method setting one optional text parameter.
type SetText = fn(CreateInvoiceBuilder, String) -> CreateInvoiceBuilder;

/// What `payments zaif create-invoice` takes.
#[derive(Debug, clap::Args)]
pub(crate) struct CreateInvoiceArgs {
    /// btc, mona, skeb, or another asset code Zaif accepts.
    #[arg(long)]
    currency: String,
    /// The price: whole yen, or with --billing-currency an exact decimal in the asset.
    #[arg(long)]
    amount: String,
    /// billingCurrency: price the invoice in the asset itself (the same code as
    /// --currency); --amount is then in that asset, and the merchant is paid it unconverted.
    #[arg(long)]
    billing_currency: Option<String>,
    /// itemName.
    #[arg(long)]
    item_name: Option<String>,
    /// orderNumber: how the invoice is found again.
    #[arg(long)]
    order_number: Option<String>,
    /// When the payment counts as done.
    #[arg(long, value_enum)]
    speed: Option<SpeedArg>,
    /// notificationUri.
    #[arg(long)]
    notification_uri: Option<String>,
    /// notificationMethod.
    #[arg(long, value_enum)]
    notification_method: Option<NotificationMethodArg>,
    /// redirectUri.
    #[arg(long)]
    redirect_uri: Option<String>,
    /// referenceNumber.
    #[arg(long)]
    reference_number: Option<String>,
    /// merchantName.
    #[arg(long)]
    merchant_name: Option<String>,
    /// buyerId.
    #[arg(long)]
    buyer_id: Option<String>,
    /// buyerName.
    #[arg(long)]
    buyer_name: Option<String>,
    /// buyerEmail.
    #[arg(long)]
    buyer_email: Option<String>,
    /// buyerPhone.
    #[arg(long)]
    buyer_phone: Option<String>,
    /// Journal the call under this key (see `payments journal`): sent as the orderNumber,
    /// with --order-number (default: the key) as the referenceNumber; a repeat with the
    /// same key returns the first invoice without creating another.
    #[arg(long)]
    idempotency_key: Option<String>,
}

/// Zaif commands.
#[derive(Debug, Subcommand)]
pub(crate) enum ZaifCommand {
    /// The assets the payment service takes (getSupportedCurrencies; unofficial, best-effort).
    Currencies,
    /// Create an invoice (createInvoice).
    CreateInvoice(Box<CreateInvoiceArgs>),
    /// Show an invoice (getInvoice).
    GetInvoice {
        /// The invoice id.
        id: String,
    },
    /// Find the invoices of an order (getInvoiceIdsByOrderNumber).
    FindInvoices {
        /// The order number.
        #[arg(long)]
        order_number: String,
    },
    /// Cancel an unpaid invoice (cancelInvoice).
    CancelInvoice {
        /// The invoice id.
        id: String,
        /// Journal the call under this key (see `payments journal`).
        #[arg(long)]
        idempotency_key: Option<String>,
    },
}

/// The client from `ZAIF_*`. Processes sharing a key keep their nonces increasing through
/// `ZAIF_NONCE_REDIS_URL` or `ZAIF_NONCE_POSTGRES_URL` (several hosts), `ZAIF_NONCE_FILE`, or by
/// default a state file per key in the temporary directory (one host).
fn client() -> Result<ZaifClient, Error> {
    let mut builder = ZaifClient::builder_from_env(&ProcessEnv)?;
    let configured = [
        "ZAIF_NONCE_FILE",
        "ZAIF_NONCE_REDIS_URL",
        "ZAIF_NONCE_POSTGRES_URL",
    ]
    .iter()
    .any(|name| config::optional(&ProcessEnv, name).is_some());
    if !configured {
        let key = config::required(&ProcessEnv, "ZAIF_API_KEY")?;
        // Named after a hash of the key, never the key itself.
        let digest = AuthMethod::Sha1.hash(&Secret::new(key));
        let path =
            std::env::temp_dir().join(format!("payments-zaif-nonce-{}", &digest.expose()[..16]));
        // One file per key: additional keys (ZAIF_ADDITIONAL_KEYS) get their own beside it.
        builder = builder.nonce_file(path);
    }
    Ok(builder.build()?)
}

pub(crate) async fn run(command: ZaifCommand, journal: &Location) -> Result<Report, Error> {
    match command {
        ZaifCommand::CreateInvoice(args) => match args.idempotency_key.clone() {
            Some(key) => journaled_invoice(*args, &key, journal).await,
            None => create_invoice(*args).await,
        },
        ZaifCommand::CancelInvoice {
            id,
            idempotency_key: Some(key),
        } => {
            let key = crate::journal::key(&key)?;
            let journaled = journal.journaled(Arc::new(client()?)).await?;
            let payment = journaled.cancel_payment(&key, &id).await?;
            crate::journal::payment_report("canceled", &key, &payment)
        }
        ZaifCommand::GetInvoice { id } => {
            let invoice = client()?.get_invoice(&id).await?;
            let settled = if invoice.is_settled() {
                "settled"
            } else {
                "not settled"
            };
            Report::new(
                format!(
                    "invoice {} is {} ({settled})",
                    invoice.invoice_id, invoice.status
                ),
                &invoice,
            )
        }
        ZaifCommand::FindInvoices { order_number } => {
            let found = client()?.find_invoice_ids(&order_number).await?;
            Report::new(
                format!("{} invoice(s) for order {order_number}", found.count),
                &found,
            )
        }
        ZaifCommand::CancelInvoice {
            id,
            idempotency_key: None,
        } => {
            let canceled = client()?.cancel_invoice(&id).await?;
            let status = canceled
                .invoice
                .as_ref()
                .map(|invoice| invoice.status.to_string())
                .unwrap_or_else(|| "canceled".into());
            Report::new(
                format!("invoice {} is {status}", canceled.invoice_id),
                &canceled,
            )
        }
        ZaifCommand::Currencies => {
            let currencies = client()?.supported_currencies().await?;
            let listed: Vec<String> = currencies
                .iter()
                .map(|(code, name)| format!("{code} ({name})"))
                .collect();
            Report::new(
                format!("Zaif takes: {} (unofficial method)", listed.join(", ")),
                &currencies,
            )
        }
    }
}

/// `create-invoice --idempotency-key`: through the journal and the common trait.
async fn journaled_invoice(
    args: CreateInvoiceArgs,
    key: &str,
    journal: &Location,
) -> Result<Report, Error> {
    let key = crate::journal::key(key)?;
    crate::journal::refuse_with_key(&[
        ("billing_currency", args.billing_currency.is_some()),
        ("speed", args.speed.is_some()),
        ("notification_method", args.notification_method.is_some()),
        ("reference_number", args.reference_number.is_some()),
        ("merchant_name", args.merchant_name.is_some()),
        ("buyer_phone", args.buyer_phone.is_some()),
    ])?;
    let yen =
        Money::parse_positive(&args.amount, Currency::JPY).map_err(|e| e.for_field("amount"))?;
    let reference = args.order_number.unwrap_or_else(|| key.as_str().to_owned());
    let mut request = PaymentRequest::new(yen, reference)?.with_method(PaymentMethod::Crypto {
        asset: args.currency.trim().to_ascii_lowercase(),
    });
    if let Some(item) = args.item_name {
        request = request.with_description(item);
    }
    let mut urls = ReturnUrls::default();
    if let Some(uri) = args.notification_uri {
        urls = urls.with_notification(url("notification_uri", &uri)?);
    }
    if let Some(uri) = args.redirect_uri {
        urls = urls.with_success(url("redirect_uri", &uri)?);
    }
    let mut customer = Customer::default();
    customer.id = args.buyer_id;
    customer.name = args.buyer_name;
    customer.email = args.buyer_email;
    let request = request.with_urls(urls).with_customer(customer);
    let journaled = journal.journaled(Arc::new(client()?)).await?;
    let payment = journaled.create_payment(&key, &request).await?;
    crate::journal::payment_report("invoice", &key, &payment)
}

/// `create-invoice`: the native request, every option Zaif documents.
async fn create_invoice(args: CreateInvoiceArgs) -> Result<Report, Error> {
    let CreateInvoiceArgs {
        currency,
        amount,
        billing_currency,
        item_name,
        order_number,
        speed,
        notification_uri,
        notification_method,
        redirect_uri,
        reference_number,
        merchant_name,
        buyer_id,
        buyer_name,
        buyer_email,
        buyer_phone,
        idempotency_key: _,
    } = args;
    let currency = CryptoCurrency::other(&currency.trim().to_ascii_lowercase())?;
    let mut builder = match billing_currency {
        Some(billing) => {
            if !billing.trim().eq_ignore_ascii_case(currency.as_str()) {
                return Err(Error::invalid_input(
                    "billing_currency",
                    "must be the same asset as --currency",
                ));
            }
            let in_asset = Decimal::from_str_exact(amount.trim())
                .map_err(|_| Error::invalid_input("amount", "is not a decimal number"))?;
            CreateInvoice::builder_in_asset(currency, in_asset)
        }
        None => {
            let yen = Money::parse_positive(&amount, Currency::JPY)
                .map_err(|e| e.for_field("amount"))?
                .to_minor_units()
                .map_err(|e| e.for_field("amount"))?;
            CreateInvoice::builder(currency, yen)
        }
    };
    // Each optional text parameter with the builder method that sets it.
    let text_options: [(Option<String>, SetText); 10] = [
        (item_name, |b, v| b.item_name(v)),
        (order_number, |b, v| b.order_number(v)),
        (notification_uri, |b, v| b.notification_uri(v)),
        (redirect_uri, |b, v| b.redirect_uri(v)),
        (reference_number, |b, v| b.reference_number(v)),
        (merchant_name, |b, v| b.merchant_name(v)),
        (buyer_id, |b, v| b.buyer_id(v)),
        (buyer_name, |b, v| b.buyer_name(v)),
        (buyer_email, |b, v| b.buyer_email(v)),
        (buyer_phone, |b, v| b.buyer_phone(v)),
    ];
    for (value, set) in text_options {
        if let Some(value) = value {
            builder = set(builder, value);
        }
    }
    if let Some(speed) = speed {
        builder = builder.speed(match speed {
            SpeedArg::High => Speed::High,
            SpeedArg::Medium => Speed::Medium,
            SpeedArg::Low => Speed::Low,
        });
    }
    if let Some(method) = notification_method {
        builder = builder.notification_method(match method {
            NotificationMethodArg::Get => NotificationMethod::Get,
            NotificationMethodArg::Post => NotificationMethod::Post,
        });
    }
    let request = builder.build()?;
    let invoice = client()?.create_invoice(&request).await?;
    Report::new(
        format!(
            "invoice {} created: the customer pays at {}",
            invoice.invoice_id, invoice.invoice_uri
        ),
        &invoice,
    )
}
