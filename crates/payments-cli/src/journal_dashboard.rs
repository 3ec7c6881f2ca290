//! `payments journal dashboard`: the intent journal beside the sandbox's ledger, as a page on
//! loopback, so a mismatch (an intent the provider never saw, a charge no intent explains) is
//! visible at a glance. It reads both afresh on every request.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use payments::Error;
use payments::http::{Endpoint, HttpClient, HttpConfig};
use payments::journal::{Intent, IntentState, IntentStore};

use crate::journal::Location;

/// One entry of the sandbox's ledger (`GET /_sandbox/ledger`).
#[derive(Debug, serde::Deserialize)]
struct LedgerEntry {
    event: String,
    reference: String,
    id: String,
    amount: String,
    currency: String,
}

struct Page {
    store: Arc<dyn IntentStore>,
    sandbox: Option<Endpoint>,
    http: HttpClient,
}

/// What the ledger shows for an intent: entries under its reference or its payment's id.
fn matches<'a>(intent: &Intent, ledger: &'a [LedgerEntry]) -> Vec<&'a LedgerEntry> {
    ledger
        .iter()
        .filter(|entry| {
            entry.reference == intent.journal_reference
                || intent.payment_id.as_deref() == Some(entry.id.as_str())
        })
        .collect()
}

/// Why an intent and the ledger disagree, if they do.
fn mismatch(intent: &Intent, seen: &[&LedgerEntry]) -> Option<&'static str> {
    match intent.state {
        IntentState::Succeeded if seen.is_empty() => {
            Some("succeeded here, but the sandbox has no entry for it")
        }
        IntentState::Failed if !seen.is_empty() => {
            Some("failed here, but the sandbox processed it")
        }
        _ => None,
    }
}

async fn render(State(page): State<Arc<Page>>) -> Response {
    let intents = page.store.list(None).await;
    let ledger: Result<Vec<LedgerEntry>, String> = match &page.sandbox {
        Some(sandbox) => {
            let request = page.http.reqwest().get(sandbox.join("_sandbox/ledger"));
            match page.http.send("sandbox", request).await {
                Ok(answer) => answer.json("sandbox").map_err(|e| e.to_string()),
                Err(error) => Err(error.to_string()),
            }
        }
        None => Ok(Vec::new()),
    };
    let body = html! {
        @match (&intents, &ledger) {
            (Err(error), _) => { p { "The journal cannot be read: " (error) } },
            (Ok(intents), ledger) => {
                @if let Err(error) = ledger { p.note { "The sandbox's ledger cannot be read: " (error) } }
                @if page.sandbox.is_none() { p.note { "No sandbox given (PAYMENTS_SANDBOX_URL): intents only." } }
                (table(intents, ledger.as_deref().unwrap_or(&[])))
            },
        }
    };
    let html = layout(body);
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html.into_string(),
    )
        .into_response()
}

fn table(intents: &[Intent], ledger: &[LedgerEntry]) -> Markup {
    html! {
        table {
            caption { (intents.len()) " intents, oldest first, beside what the sandbox's ledger holds for each" }
            thead { tr {
                th scope="col" { "idempotency key" } th scope="col" { "provider" } th scope="col" { "operation" }
                th scope="col" { "state" } th scope="col" { "amount" } th scope="col" { "payment" }
                th scope="col" { "the sandbox's ledger" } th scope="col" { "mismatch" }
            } }
            tbody {
                @for intent in intents {
                    @let seen = matches(intent, ledger);
                    tr {
                        td { code { (intent.key) } }
                        td { (intent.provider) }
                        td { (intent.operation) }
                        td { (intent.state.as_str()) @if let Some(reason) = &intent.reason { br; small { (reason) } } }
                        td { (intent.amount.as_deref().unwrap_or("")) " " (intent.currency.as_deref().unwrap_or("")) }
                        td { code { (intent.payment_id.as_deref().unwrap_or("—")) } }
                        td {
                            @for entry in &seen { (entry.event) " " (entry.amount) " " (entry.currency) br; }
                            @if seen.is_empty() { "nothing" }
                        }
                        td { (mismatch(intent, &seen).unwrap_or("")) }
                    }
                }
                @if intents.is_empty() { tr { td colspan="8" { "The journal is empty." } } }
            }
        }
    }
}

fn layout(body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Intent journal — payments" }
                style { (PreEscaped("body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:0 1rem 3rem}table{border-collapse:collapse;width:100%;display:block;overflow-x:auto}th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#f3f3f3}caption{text-align:left;font-weight:600}.note{background:#fff6d6;padding:.4rem .7rem}")) }
            }
            body {
                p.note { "Loopback only: this page is served on 127.0.0.1 and is not reachable from other machines." }
                h1 { "Intent journal" }
                (body)
            }
        }
    }
}

/// Serves the page until Ctrl-C, printing its address first.
pub(crate) async fn serve(
    location: &Location,
    port: u16,
    sandbox: Option<String>,
) -> Result<(), Error> {
    let sandbox = sandbox
        .map(|url| crate::trigger::sandbox_endpoint(&url))
        .transpose()?;
    let store = location.open().await?;
    let http = HttpClient::new(&HttpConfig::new(
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION"),
    ))?;
    let (listener, address) = crate::serve::bind_loopback(port).await?;
    let app = axum::Router::new()
        .route("/", axum::routing::get(render))
        .with_state(Arc::new(Page {
            store,
            sandbox,
            http,
        }));
    let banner = [format!(
        "journal dashboard: http://{address}/ (Ctrl-C stops it)"
    )];
    crate::serve::until_ctrl_c(listener, app, &banner).await
}
