//! `payments sandbox trigger …`: make a running sandbox do what a provider does on its own, so
//! each kind of callback can be fired at a merchant's endpoint (or at `payments listen`).

use clap::{Args, Subcommand};
use payments::Error;
use payments::http::{Endpoint, HttpClient, HttpConfig};
use serde_json::{Value, json};

use crate::output::Report;

/// The running sandbox.
#[derive(Debug, Args)]
pub(crate) struct SandboxUrl {
    /// The running sandbox (printed by `payments sandbox` as PAYMENTS_SANDBOX_URL).
    #[arg(long = "url", env = "PAYMENTS_SANDBOX_URL")]
    url: String,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Trigger {
    /// A Zaif customer pays an invoice; Zaif's payment notification (POST or GET, as the
    /// invoice asked) goes to its notificationUri once the invoice settles for its speed.
    ZaifPay {
        /// The invoice id.
        invoice_id: String,
        #[command(flatten)]
        sandbox: SandboxUrl,
    },
    /// A PaymentOptions customer answers a 3-D Secure challenge (approves, unless --decline);
    /// the result's webhook goes to the purchase's webhook_url.
    Challenge {
        /// The transaction id (the last part of the challenge's redirect_url).
        transaction_id: String,
        /// The customer declines.
        #[arg(long)]
        decline: bool,
        #[command(flatten)]
        sandbox: SandboxUrl,
    },
    /// A PaymentOptions customer pays (unless --decline) on a hosted page or e-wallet link;
    /// its webhook goes to the link's webhook_url.
    Link {
        /// The link's id.
        link_id: String,
        /// The customer declines.
        #[arg(long)]
        decline: bool,
        /// What the customer enters, for a link without a fixed amount.
        #[arg(long)]
        amount: Option<String>,
        #[command(flatten)]
        sandbox: SandboxUrl,
    },
    /// A PaymentOptions subscription's next cycle comes due and is charged; its webhook goes
    /// to the subscription's webhook_url.
    SubscriptionCycle {
        /// The subscription id.
        subscription_id: String,
        #[command(flatten)]
        sandbox: SandboxUrl,
    },
    /// Post a PaymentOptions transaction's webhook again, to its loopback webhook_url.
    Webhook {
        /// The transaction id.
        transaction_id: String,
        #[command(flatten)]
        sandbox: SandboxUrl,
    },
}

pub(crate) async fn run(trigger: Trigger) -> Result<Report, Error> {
    match trigger {
        Trigger::ZaifPay {
            invoice_id,
            sandbox,
        } => {
            let id = identifier("invoice_id", &invoice_id)?;
            post(&sandbox, &format!("_sandbox/zaif/invoices/{id}/pay"), None).await?;
            Report::new(
                format!("invoice {id} paid: Zaif's notification follows once it settles"),
                json!({"invoice_id": id, "paid": true}),
            )
        }
        Trigger::Challenge {
            transaction_id,
            decline,
            sandbox,
        } => {
            let id = identifier("transaction_id", &transaction_id)?;
            let decision = if decline { "decline" } else { "approve" };
            let path = format!("_sandbox/paymentoptions/challenges/{id}/{decision}");
            let webhook = post(&sandbox, &path, None).await?;
            Report::new(
                format!("3-D Secure challenge {id}: {decision}d; its webhook follows"),
                summary(&webhook),
            )
        }
        Trigger::Link {
            link_id,
            decline,
            amount,
            sandbox,
        } => {
            let id = identifier("link_id", &link_id)?;
            let decision = if decline { "decline" } else { "approve" };
            let body = amount.map(|amount| json!({"amount": amount}));
            let path = format!("_sandbox/paymentoptions/links/{id}/{decision}");
            let webhook = post(&sandbox, &path, body).await?;
            let done = if decline { "declined" } else { "paid" };
            Report::new(
                format!("link {id}: the customer {done}; its webhook follows"),
                summary(&webhook),
            )
        }
        Trigger::SubscriptionCycle {
            subscription_id,
            sandbox,
        } => {
            let id = identifier("subscription_id", &subscription_id)?;
            let path = format!("_sandbox/paymentoptions/subscriptions/{id}/advance");
            let answer = post(&sandbox, &path, None).await?;
            let details = &answer["subscription_details"];
            Report::new(
                format!("subscription {id}: next cycle charged; its webhook follows"),
                json!({"subscription_id": id, "status": details["status"],
                       "cycles_charged": details["completed_payment_cycle"]}),
            )
        }
        Trigger::Webhook {
            transaction_id,
            sandbox,
        } => {
            let id = identifier("transaction_id", &transaction_id)?;
            let path = format!("_sandbox/paymentoptions/webhooks/{id}");
            let answer = post(&sandbox, &path, None).await?;
            Report::new(format!("webhook of {id} posted again"), answer)
        }
    }
}

/// An id as the sandbox writes them: letters, digits, '-' and '_'.
fn identifier<'a>(field: &'static str, id: &'a str) -> Result<&'a str, Error> {
    let id = id.trim();
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(Error::invalid_input(
            field,
            "may hold only letters, digits, '-' and '_'",
        ));
    }
    Ok(id)
}

/// What a webhook body says, without its card data (the sandbox echoes the card number in full,
/// as the gateway does).
fn summary(webhook: &Value) -> Value {
    json!({
        "success": webhook["success"],
        "transaction_id": webhook["transaction_details"]["id"],
        "merchant_txn_ref": webhook["transaction_details"]["merchant_txn_ref"],
        "code": webhook["gateway_response"]["code"],
    })
}

/// The running sandbox's URL (`PAYMENTS_SANDBOX_URL`): it runs on this machine, so only a
/// loopback URL is accepted.
pub(crate) fn sandbox_endpoint(url: &str) -> Result<Endpoint, Error> {
    let base = Endpoint::parse("PAYMENTS_SANDBOX_URL", url)?;
    if !payments::http::is_loopback(base.url()) {
        return Err(Error::configuration(
            "PAYMENTS_SANDBOX_URL",
            "the sandbox runs on this machine: a loopback URL is expected",
        ));
    }
    Ok(base)
}

/// POSTs to a control endpoint of the sandbox (loopback only); its JSON answer, or `null`.
async fn post(sandbox: &SandboxUrl, path: &str, body: Option<Value>) -> Result<Value, Error> {
    let base = sandbox_endpoint(&sandbox.url)?;
    let http = HttpClient::new(&HttpConfig::new(
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION"),
    ))?;
    let mut request = http.reqwest().post(base.join(path));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let answer = http.send("sandbox", request).await?;
    let answer = answer.error_for_status("sandbox")?;
    Ok(answer.json("sandbox").unwrap_or(Value::Null))
}
