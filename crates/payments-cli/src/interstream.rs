//! `payments interstream …`.

use clap::Subcommand;
use payments::interstream::{CreditAction, InterstreamClient, UserId};
use payments::{Error, Money};

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
}

pub(crate) async fn run(command: InterstreamCommand) -> Result<Report, Error> {
    let store = InterstreamClient::from_env()?;
    let amount = |text: &str| {
        Money::parse_positive(text, store.currency()).map_err(|e| e.for_field("amount"))
    };
    match command {
        InterstreamCommand::AddPayment {
            user_id,
            amount: text,
            description,
        } => {
            let user = UserId::parse(&user_id)?;
            let amount = amount(&text)?;
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
            credit(
                &store,
                CreditAction::Add,
                &user_id,
                amount(&text)?,
                description,
            )
            .await
        }
        InterstreamCommand::SubtractCredit {
            user_id,
            amount: text,
            description,
        } => {
            credit(
                &store,
                CreditAction::Subtract,
                &user_id,
                amount(&text)?,
                description,
            )
            .await
        }
    }
}

async fn credit(
    store: &InterstreamClient,
    action: CreditAction,
    user_id: &str,
    amount: Money,
    description: Option<String>,
) -> Result<Report, Error> {
    let user = UserId::parse(user_id)?;
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
