//! `payments interstream …`.

use clap::Subcommand;
use payments::interstream::{CreditAction, InterstreamClient, PlaceOrder, UserId};
use payments::{Customer, Error, Money, PaymentRequest};
use std::sync::Arc;

use crate::journal::Location;
use crate::output::Report;

/// INTER-STREAM commands.
#[derive(Debug, Subcommand)]
pub(crate) enum InterstreamCommand {
    /// Add a payment to the user's current order (store > add_payment).
    AddPayment {
        /// The user id.
        #[arg(long)]
        user_id: String,
        /// The amount in the store's currency (12.50).
        #[arg(long)]
        amount: String,
        /// Put your own payment id here: it is the only way to reconcile later.
        #[arg(long)]
        description: Option<String>,
        /// Journal the call under this key (see `payments journal`): the key goes into the
        /// description, and payments to one user are serialized so a lost answer can be
        /// settled by comparing the order's amounts.
        #[arg(long)]
        idempotency_key: Option<String>,
    },
    /// Show the user's credit (store > get_credit).
    GetCredit {
        /// The user id.
        #[arg(long)]
        user_id: String,
    },
    /// Add to the user's credit (store > add_subtract_credit).
    AddCredit {
        /// The user id.
        #[arg(long)]
        user_id: String,
        /// The amount.
        #[arg(long)]
        amount: String,
        /// A description.
        #[arg(long)]
        description: Option<String>,
    },
    /// Subtract from the user's credit (store > add_subtract_credit).
    SubtractCredit {
        /// The user id.
        #[arg(long)]
        user_id: String,
        /// The amount.
        #[arg(long)]
        amount: String,
        /// A description.
        #[arg(long)]
        description: Option<String>,
    },
    /// The store's configuration (store > get_config); gateway credentials are never printed.
    GetConfig,
    /// The user's current order, or the cart (store > get_cart).
    GetCart {
        /// The user id.
        #[arg(long)]
        user_id: String,
    },
    /// Turn the user's cart into the current order (store > place_order).
    PlaceOrder {
        /// The user id.
        #[arg(long)]
        user_id: String,
        /// Whether the store e-mails the buyer (1, the store's default, or 0).
        #[arg(long)]
        notify_buyer: Option<u8>,
        /// The buyer's IP address.
        #[arg(long)]
        buyer_ip: Option<String>,
        /// The buyer's user agent.
        #[arg(long)]
        buyer_useragent: Option<String>,
    },
    /// The content the user can watch now (store > list_current_content).
    ListContent {
        /// The user id.
        #[arg(long)]
        user_id: String,
    },
    /// Enable a subscription's recurring payment (store > set_subscription_rp).
    SetSubscriptionRp {
        /// The user id.
        #[arg(long)]
        user_id: String,
        /// The subscription id, as get_subscription_pre_rp_info reports it.
        #[arg(long)]
        subscription_id: String,
    },
}

/// An amount in the store's currency: its syntax is checked before anything is sent; the
/// currency is the configured one, or read from get_config.
async fn store_amount(store: &InterstreamClient, text: &str) -> Result<Money, Error> {
    // What no currency can make valid is refused before the store's currency is asked for.
    let value = payments::Decimal::from_str_exact(text.trim())
        .map_err(|_| Error::invalid_input("amount", "is not a decimal number"))?;
    if value <= payments::Decimal::ZERO {
        return Err(Error::invalid_input("amount", "must be greater than zero"));
    }
    let currency = store
        .store_currency()
        .await
        .map_err(|err| before_the_call("reading the store's currency (get_config)", err.into()))?;
    Money::parse_positive(text, currency).map_err(|e| e.for_field("amount"))
}

/// A lookup that failed before the command's own call: that call was not sent, so an unknown
/// outcome of the lookup (a read) must not read as one of the payment.
fn before_the_call(what: &str, err: Error) -> Error {
    if !err.outcome_unknown() {
        return err;
    }
    Error::Provider {
        provider: "interstream",
        code: "lookup_failed".into(),
        message: format!("{what} failed, so the command's own call was not sent: {err}"),
        transient: false,
    }
}

pub(crate) async fn run(command: InterstreamCommand, journal: &Location) -> Result<Report, Error> {
    let store = InterstreamClient::from_env()?;
    match command {
        InterstreamCommand::AddPayment {
            user_id,
            amount: text,
            description,
            idempotency_key: Some(key),
        } => {
            let key = crate::journal::key(&key)?;
            UserId::parse(&user_id)?;
            let amount = store_amount(&store, &text).await?;
            let mut request = PaymentRequest::new(amount, key.as_str())?
                .with_customer(Customer::default().with_id(user_id));
            if let Some(description) = description {
                request = request.with_description(description);
            }
            let journaled = journal.journaled(Arc::new(store)).await?;
            let payment = journaled.create_payment(&key, &request).await?;
            crate::journal::payment_report("payment added", &key, &payment)
        }
        InterstreamCommand::AddPayment {
            user_id,
            amount: text,
            description,
            idempotency_key: None,
        } => {
            let user = UserId::parse(&user_id)?;
            let amount = store_amount(&store, &text).await?;
            let message = store
                .add_payment(user, amount, description.as_deref())
                .await?;
            Report::new(
                format!("{message}: {amount} for user {user}"),
                serde_json::json!({"ok": message}),
            )
        }
        InterstreamCommand::GetCredit { user_id } => {
            let user = UserId::parse(&user_id)?;
            let credit = store.get_credit(user).await?;
            Report::new(
                format!("user {user} has {} credit", credit.formatted),
                &credit,
            )
        }
        InterstreamCommand::AddCredit {
            user_id,
            amount: text,
            description,
        } => {
            let user = UserId::parse(&user_id)?;
            let amount = store_amount(&store, &text).await?;
            credit(&store, CreditAction::Add, user, amount, description).await
        }
        InterstreamCommand::SubtractCredit {
            user_id,
            amount: text,
            description,
        } => {
            let user = UserId::parse(&user_id)?;
            let amount = store_amount(&store, &text).await?;
            credit(&store, CreditAction::Subtract, user, amount, description).await
        }
        InterstreamCommand::GetConfig => {
            let config = store.get_config().await?;
            let methods: Vec<&str> = config
                .payment_methods
                .iter()
                .map(|m| m.name.as_str())
                .collect();
            Report::new(
                format!(
                    "store currency {}, minimum purchase {}, payment methods: {}",
                    config.currency.code,
                    config
                        .min_purchase_amount
                        .map(|a| a.to_string())
                        .unwrap_or_else(|| "none".into()),
                    methods.join(", ")
                ),
                &config,
            )
        }
        InterstreamCommand::GetCart { user_id } => {
            let user = UserId::parse(&user_id)?;
            let cart = store.get_cart(user).await?;
            let what = match &cart.order_id {
                Some(id) => format!("current order {id}"),
                None => "cart".to_owned(),
            };
            let due = cart
                .amount_due
                .map(|a| format!(", {a} due"))
                .unwrap_or_default();
            Report::new(format!("user {user}: {what}{due}"), &cart)
        }
        InterstreamCommand::PlaceOrder {
            user_id,
            notify_buyer,
            buyer_ip,
            buyer_useragent,
        } => {
            let user = UserId::parse(&user_id)?;
            let mut options = PlaceOrder::default();
            match notify_buyer {
                None => {}
                Some(flag @ (0 | 1)) => options = options.notify_buyer(flag == 1),
                Some(_) => return Err(Error::invalid_input("notify_buyer", "must be 0 or 1")),
            }
            if let Some(ip) = buyer_ip {
                let ip = ip
                    .parse()
                    .map_err(|_| Error::invalid_input("buyer_ip", "is not an IP address"))?;
                options = options.buyer_ip(ip);
            }
            if let Some(agent) = buyer_useragent {
                options = options.buyer_useragent(agent);
            }
            let placed = store.place_order(user, &options).await?;
            Report::new(
                format!("{}: order {} for user {user}", placed.message, placed.id),
                &placed,
            )
        }
        InterstreamCommand::ListContent { user_id } => {
            let user = UserId::parse(&user_id)?;
            let content = store.list_current_content(user).await?;
            Report::new(
                format!("user {user} can watch {} item(s)", content.len()),
                &content,
            )
        }
        InterstreamCommand::SetSubscriptionRp {
            user_id,
            subscription_id,
        } => {
            let user = UserId::parse(&user_id)?;
            let message = store.set_subscription_rp(user, &subscription_id).await?;
            Report::new(
                format!("{message}: subscription {subscription_id} of user {user}"),
                serde_json::json!({"ok": message}),
            )
        }
    }
}

async fn credit(
    store: &InterstreamClient,
    action: CreditAction,
    user: UserId,
    amount: Money,
    description: Option<String>,
) -> Result<Report, Error> {
    // Only the provider's answer is reported: a follow-up read that failed would make a
    // completed credit change look like a failure.
    let message = store
        .add_subtract_credit(user, action, amount, description.as_deref())
        .await?;
    Report::new(
        format!("{message}: {} {amount} for user {user}", action.as_str()),
        serde_json::json!({"ok": message}),
    )
}
