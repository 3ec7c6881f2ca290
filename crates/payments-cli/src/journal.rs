//! The intent journal on the command line: `--journal`, `--idempotency-key`, `payments journal
//! list|show` and `payments reconcile`.

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Subcommand, ValueEnum};
use payments::journal::{
    IdempotencyKey, Intent, IntentState, IntentStore, Journaled, PostgresStore, SqliteStore,
    status_parts,
};
use payments::{Error, Payment, PaymentProvider, Providers};
use serde_json::{Value, json};

use crate::output::Report;

/// Where the journal lives: PostgreSQL (`--journal-url`, `PAYMENTS_JOURNAL_URL`), else a SQLite
/// file (`--journal`, `PAYMENTS_JOURNAL`, or the per-user data directory).
#[derive(Debug, Clone)]
pub(crate) struct Location {
    path: PathBuf,
    url: Option<payments::Secret>,
    /// Given by a flag or its variable (not the default file).
    explicit: bool,
}

impl Location {
    /// `url` when it is a `postgres://` URL (a `sqlite:PATH` URL names a file); else `explicit`
    /// (the flag or its variable), else `$XDG_DATA_HOME/payments/journal.sqlite3` or
    /// `~/.local/share/payments/journal.sqlite3`.
    pub(crate) fn new(explicit: Option<PathBuf>, url: Option<String>) -> Location {
        let url = url.filter(|u| !u.trim().is_empty());
        let named = explicit_given(&explicit, &url);
        if let Some(path) = url.as_deref().and_then(|u| u.strip_prefix("sqlite:")) {
            return Location {
                path: PathBuf::from(path),
                url: None,
                explicit: named,
            };
        }
        let url = url.map(payments::Secret::new);
        let path = explicit.unwrap_or_else(|| {
            let data = std::env::var_os("XDG_DATA_HOME")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .or_else(|| {
                    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/share"))
                })
                .unwrap_or_else(std::env::temp_dir);
            data.join("payments").join("journal.sqlite3")
        });
        Location {
            path,
            url,
            explicit: named,
        }
    }

    /// Whether a journal was named (by a flag or its variable) rather than defaulted: a
    /// command that only may use one (`listen`) opens none otherwise.
    pub(crate) fn is_explicit(&self) -> bool {
        self.explicit
    }

    /// Opens the journal, saying on stderr which it is (never the URL's credentials).
    pub(crate) async fn open(&self) -> Result<Arc<dyn IntentStore>, Error> {
        if let Some(url) = &self.url {
            let store = PostgresStore::connect(url).await?;
            eprintln!("journal: {}", store.database().display());
            return Ok(Arc::new(store));
        }
        Ok(self.open_file()?)
    }

    /// Opens the SQLite journal (creating its folder), saying on stderr which file it is.
    fn open_file(&self) -> Result<Arc<SqliteStore>, Error> {
        if let Some(folder) = self.path.parent()
            && !folder.as_os_str().is_empty()
        {
            std::fs::create_dir_all(folder).map_err(|err| {
                Error::configuration(
                    "--journal",
                    format!("cannot create {}: {err}", folder.display()),
                )
            })?;
        }
        eprintln!("journal: {}", self.path.display());
        Ok(Arc::new(SqliteStore::open(&self.path)?))
    }

    /// `provider` journaled in this journal.
    pub(crate) async fn journaled(
        &self,
        provider: Arc<dyn PaymentProvider>,
    ) -> Result<Journaled, Error> {
        Ok(Journaled::new(provider, self.open().await?))
    }
}

fn explicit_given(path: &Option<PathBuf>, url: &Option<String>) -> bool {
    path.is_some() || url.is_some()
}

/// A key given on the command line.
pub(crate) fn key(text: &str) -> Result<IdempotencyKey, Error> {
    Ok(IdempotencyKey::parse(text)?)
}

/// Options a journaled command cannot take, refused by name before anything is sent.
pub(crate) fn refuse_with_key(options: &[(&'static str, bool)]) -> Result<(), Error> {
    match options.iter().find(|(_, given)| *given) {
        Some((name, _)) => Err(Error::invalid_input(
            *name,
            "is not available with --idempotency-key: journaled payments go through the common PaymentProvider request",
        )),
        None => Ok(()),
    }
}

/// A journaled payment as a report.
pub(crate) fn payment_report(
    what: &str,
    key: &IdempotencyKey,
    payment: &Payment,
) -> Result<Report, Error> {
    let (status, status_detail) = status_parts(&payment.status);
    let value = json!({
        "idempotency_key": key.as_str(),
        "provider": payment.provider,
        "id": payment.id,
        "status": status,
        "status_detail": status_detail,
        "amount": payment.amount.map(|m| m.amount().to_string()),
        "currency": payment.amount.map(|m| m.currency().code().to_owned()),
        "reference": payment.reference,
    });
    Report::new(
        format!(
            "{what} under key {key}: {} {}",
            payment.provider, payment.id
        ),
        value,
    )
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum StateArg {
    Pending,
    Succeeded,
    Failed,
    NeedsAttention,
}

impl From<StateArg> for IntentState {
    fn from(state: StateArg) -> IntentState {
        match state {
            StateArg::Pending => IntentState::Pending,
            StateArg::Succeeded => IntentState::Succeeded,
            StateArg::Failed => IntentState::Failed,
            StateArg::NeedsAttention => IntentState::NeedsAttention,
        }
    }
}

/// `payments journal …`.
#[derive(Debug, Subcommand)]
pub(crate) enum JournalCommand {
    /// The intents, oldest first (in one state with --state).
    List {
        /// Only intents in this state.
        #[arg(long, value_enum)]
        state: Option<StateArg>,
    },
    /// One intent, by its idempotency key.
    Show {
        /// The idempotency key.
        key: String,
    },
    /// Serve a page (on 127.0.0.1, until Ctrl-C) of the intents beside the sandbox's ledger,
    /// and print its address.
    Dashboard {
        /// The port on 127.0.0.1 (0 picks a free one).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// The running sandbox whose ledger is shown beside the intents (printed by
        /// `payments sandbox` as PAYMENTS_SANDBOX_URL).
        #[arg(long = "sandbox", env = "PAYMENTS_SANDBOX_URL")]
        sandbox: Option<String>,
    },
}

fn intent_json(intent: &Intent) -> Value {
    serde_json::to_value(intent).unwrap_or(Value::Null)
}

pub(crate) async fn run(command: JournalCommand, location: &Location) -> Result<Report, Error> {
    let store = location.open().await?;
    match command {
        JournalCommand::List { state } => {
            let intents = store.list(state.map(IntentState::from)).await?;
            let lines: Vec<Value> = intents.iter().map(intent_json).collect();
            let mut counts = std::collections::BTreeMap::new();
            for intent in &intents {
                *counts.entry(intent.state.as_str()).or_insert(0usize) += 1;
            }
            let summary: Vec<String> = counts.iter().map(|(s, n)| format!("{n} {s}")).collect();
            Report::new(
                format!("{} intent(s): {}", intents.len(), summary.join(", ")),
                json!({"intents": lines}),
            )
        }
        // Served by `journal_dashboard`, never reported.
        JournalCommand::Dashboard { .. } => Err(Error::invalid_input(
            "journal dashboard",
            "is a page served until Ctrl-C, not a report",
        )),
        JournalCommand::Show { key: text } => {
            let key = key(&text)?;
            let intent = store.get(key.as_str()).await?.ok_or_else(|| {
                Error::invalid_input("key", format!("no intent under {key} in this journal"))
            })?;
            let reason = intent
                .reason
                .as_deref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default();
            Report::new(
                format!(
                    "{key}: {} {} on {}{reason}",
                    intent.state, intent.operation, intent.provider
                ),
                intent_json(&intent),
            )
        }
    }
}

/// `payments reconcile`: every pending intent of every configured provider, settled through
/// the provider's lookups, with a progress bar on a terminal.
pub(crate) async fn reconcile(location: &Location) -> Result<Report, Error> {
    let store = location.open().await?;
    let providers = Providers::from_env()?;
    let pending = store.list(Some(IntentState::Pending)).await?;
    let bar = indicatif::ProgressBar::new(pending.len() as u64);
    if pending.len() < 20 {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let mut settled = Vec::new();
    let mut still_pending = Vec::new();
    let mut stale = Vec::new();
    let names: std::collections::BTreeSet<&str> =
        pending.iter().map(|i| i.provider.as_str()).collect();
    for name in names {
        let Some(provider) = providers.get(name) else {
            for intent in pending.iter().filter(|i| i.provider == name) {
                still_pending.push(json!({"key": intent.key, "reason": format!("{name} is not configured here (its variables are not set)")}));
                bar.inc(1);
            }
            continue;
        };
        let report = Journaled::new(provider, store.clone())
            .reconcile_pending()
            .await?;
        bar.inc((report.settled.len() + report.still_pending.len()) as u64);
        for (key, state, why) in report.settled {
            settled.push(json!({"key": key, "state": state.as_str(), "why": why}));
        }
        for (key, why) in report.still_pending {
            still_pending.push(json!({"key": key, "reason": why}));
        }
        stale.extend(report.stale);
    }
    bar.finish_and_clear();
    Report::new(
        format!(
            "reconciled {} intent(s): {} settled, {} still pending{}",
            pending.len(),
            settled.len(),
            still_pending.len(),
            if stale.is_empty() {
                String::new()
            } else {
                format!(" ({} stale)", stale.len())
            }
        ),
        json!({"settled": settled, "still_pending": still_pending, "stale": stale}),
    )
}
