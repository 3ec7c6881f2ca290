//! `GET /_sandbox/`: what the sandbox saw and did, as pages a person reads — one per provider,
//! the faults in force and the requests refused, the ledger — server-rendered with `maud`
//! (no JavaScript, no build step), with forms for what a customer or a tester does (pay an
//! invoice, answer a 3-D Secure challenge, add or clear a fault).
//!
//! Nothing secret is shown: card numbers by their last four only, no CVC (the sandbox keeps
//! none), no token, no key or secret. Long lists are paged (50 rows a page, newest first).

mod pages;

use std::sync::Arc;

use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde::Deserialize;

use crate::AppState;
use crate::faults::{FaultKind, FaultRule, Provider};

/// Rows per page.
pub(crate) const PER_PAGE: usize = 50;

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/_sandbox/", get(pages::overview))
        .route("/_sandbox/zaif", get(pages::zaif))
        .route("/_sandbox/paymentoptions", get(pages::paymentoptions))
        .route("/_sandbox/interstream", get(pages::interstream))
        .route("/_sandbox/faults/page", get(pages::faults))
        .route("/_sandbox/ledger/page", get(pages::ledger))
        .route("/_sandbox/dashboard/zaif/{id}/pay", post(pay_invoice))
        .route(
            "/_sandbox/dashboard/zaif/{id}/confirm",
            post(confirm_invoice),
        )
        .route(
            "/_sandbox/dashboard/challenges/{id}/{decision}",
            post(answer_challenge),
        )
        .route("/_sandbox/dashboard/faults", post(add_fault))
        .route("/_sandbox/dashboard/faults/clear", post(clear_faults))
}

/// `?page=N` (1-based).
#[derive(Debug, Deserialize)]
pub(crate) struct Page {
    page: Option<usize>,
}

impl Page {
    /// The rows of `all` on this page, and the page's number and count.
    pub(crate) fn slice<'a, T>(&self, all: &'a [T]) -> (&'a [T], usize, usize) {
        let pages = all.len().div_ceil(PER_PAGE).max(1);
        let page = self.page.unwrap_or(1).clamp(1, pages);
        let start = (page - 1) * PER_PAGE;
        let end = (start + PER_PAGE).min(all.len());
        (&all[start.min(end)..end], page, pages)
    }
}

/// Links to the other pages of a paged list.
pub(crate) fn pager(path: &str, page: usize, pages: usize) -> Markup {
    html! {
        @if pages > 1 {
            nav aria-label="pages" {
                @if page > 1 { a href={ (path) "?page=" (page - 1) } { "← newer" } " " }
                "page " (page) " of " (pages)
                @if page < pages { " " a href={ (path) "?page=" (page + 1) } { "older →" } }
            }
        }
    }
}

const STYLE: &str = "
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:0 1rem 3rem;color:#1b1b1b}
header{border-bottom:1px solid #ccc;margin-bottom:1rem}
header nav a{margin-right:1rem}
.note{background:#fff6d6;border:1px solid #e6d28a;padding:.4rem .7rem;border-radius:4px}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem;display:block;overflow-x:auto}
th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top;white-space:nowrap}
th{background:#f3f3f3}
caption{text-align:left;font-weight:600;padding:.2rem 0}
td.num{text-align:right;font-variant-numeric:tabular-nums}
code{font-size:90%}
form.inline{display:inline}
button{font:inherit;padding:.15rem .6rem}
label{display:inline-block;margin:.2rem .6rem .2rem 0}
@media (max-width:40rem){body{font-size:14px}th,td{padding:.25rem .3rem}}
";

/// The page around `body`: title, navigation, and where the sandbox listens.
pub(crate) fn layout(state: &AppState, title: &str, body: Markup) -> Response {
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — payments sandbox" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    p {
                        strong { "payments sandbox" }
                        " at " code { (state.base_url) }
                    }
                    nav aria-label="sandbox" {
                        a href="/_sandbox/" { "Overview" }
                        a href="/_sandbox/zaif" { "Zaif" }
                        a href="/_sandbox/paymentoptions" { "PaymentOptions" }
                        a href="/_sandbox/interstream" { "INTER-STREAM" }
                        a href="/_sandbox/faults/page" { "Faults and refusals" }
                        a href="/_sandbox/ledger/page" { "Ledger" }
                    }
                    p.note {
                        "Loopback only: this sandbox listens on " code { (state.base_url) }
                        " and is not reachable from other machines. Card numbers show their last four digits only."
                    }
                }
                main {
                    h1 { (title) }
                    (body)
                }
            }
        }
    };
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page.into_string(),
    )
        .into_response()
}

/// Back to `path` after a form (303, so a reload does not post again).
fn back(path: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, path.to_owned())]).into_response()
}

async fn pay_invoice(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    match crate::zaif::pay(&state, &id) {
        Ok(()) => back("/_sandbox/zaif"),
        Err(reason) => (StatusCode::NOT_FOUND, reason).into_response(),
    }
}

async fn confirm_invoice(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    match crate::zaif::confirm(&state, &id) {
        Ok(()) => back("/_sandbox/zaif"),
        Err(reason) => (StatusCode::CONFLICT, reason).into_response(),
    }
}

async fn answer_challenge(
    State(state): State<Arc<AppState>>,
    Path((id, decision)): Path<(String, String)>,
) -> Response {
    match crate::paymentoptions::answer_challenge(&state, &id, decision == "approve") {
        Ok(()) => back("/_sandbox/paymentoptions"),
        Err(reason) => (StatusCode::NOT_FOUND, reason).into_response(),
    }
}

/// The add-a-fault form: the provider and the fault by the names the JSON control
/// (`PUT /_sandbox/faults`) uses.
#[derive(Debug, Deserialize)]
struct NewFault {
    provider: Provider,
    kind: FaultKind,
    #[serde(default)]
    route: String,
    #[serde(default)]
    times: String,
    #[serde(default)]
    latency_ms: String,
}

async fn add_fault(
    State(state): State<Arc<AppState>>,
    form: Result<Form<NewFault>, FormRejection>,
) -> Response {
    let Form(NewFault {
        provider,
        kind,
        route,
        times,
        latency_ms,
    }) = match form {
        Ok(form) => form,
        Err(rejection) => return (StatusCode::BAD_REQUEST, rejection.body_text()).into_response(),
    };
    let mut rule = FaultRule::new(provider, kind);
    if !route.trim().is_empty() {
        rule = rule.with_route(route.trim());
    }
    if let Ok(times) = times.trim().parse() {
        rule = rule.with_times(times);
    }
    rule.latency_ms = latency_ms.trim().parse().unwrap_or(0);
    let mut rules = state.faults.list();
    rules.push(rule);
    state.faults.replace(rules);
    back("/_sandbox/faults/page")
}

async fn clear_faults(State(state): State<Arc<AppState>>) -> Response {
    state.faults.replace(Vec::new());
    back("/_sandbox/faults/page")
}

/// A time in Unix milliseconds, as UTC `HH:MM:SS.mmm`.
pub(crate) fn clock(at_ms: u128) -> String {
    let ms = at_ms % 1000;
    let seconds = at_ms / 1000;
    format!(
        "{:02}:{:02}:{:02}.{ms:03}",
        (seconds / 3600) % 24,
        (seconds / 60) % 60,
        seconds % 60
    )
}
