//! The dashboard's pages, one function each.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};
use payments_core::Decimal;

use axum::extract::Query;

use super::{Page, clock, layout, pager};
use crate::AppState;
use crate::activity::CallbackRecord;
use crate::paymentoptions::TransactionView;

/// `1 link`, `2 links`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn callbacks_table(callbacks: &[CallbackRecord], caption: &str) -> Markup {
    html! {
        table {
            caption { (caption) }
            thead { tr { th { "time (UTC)" } th { "kind" } th { "about" } th { "target" } th { "answer" } } }
            tbody {
                @for callback in callbacks.iter().rev() {
                    tr {
                        td { (clock(callback.at_ms)) }
                        td { (callback.kind) }
                        td { code { (callback.subject) } }
                        td { code { (callback.target) } }
                        td { (callback.answer) }
                    }
                }
                @if callbacks.is_empty() { tr { td colspan="5" { "None yet." } } }
            }
        }
    }
}

pub(super) async fn overview(State(state): State<Arc<AppState>>) -> Response {
    let invoices = crate::zaif::invoice_views(&state).len();
    let transactions = crate::paymentoptions::transaction_views(&state).len();
    let users = crate::interstream::user_views(&state).len();
    let ledger = state.ledger.entries().len();
    let refusals = state.activity.refusals().len();
    let faults = state.faults.list().len();
    let body = html! {
        table {
            caption { "What the sandbox holds" }
            thead { tr { th scope="col" { "page" } th scope="col" { "count" } } }
            tbody {
                tr { td { a href="/_sandbox/zaif" { "Zaif invoices" } } td.num { (invoices) } }
                tr { td { a href="/_sandbox/paymentoptions" { "PaymentOptions transactions" } } td.num { (transactions) } }
                tr { td { a href="/_sandbox/interstream" { "INTER-STREAM users" } } td.num { (users) } }
                tr { td { a href="/_sandbox/ledger/page" { "Ledger entries" } } td.num { (ledger) } }
                tr { td { a href="/_sandbox/faults/page" { "Faults in force" } } td.num { (faults) } }
                tr { td { a href="/_sandbox/faults/page" { "Requests refused" } } td.num { (refusals) } }
            }
        }
        p { "The same data as JSON: " code { "/_sandbox/ledger" } ", " code { "/_sandbox/faults" } "." }
    };
    layout(&state, "Overview", body)
}

pub(super) async fn zaif(State(state): State<Arc<AppState>>, Query(page): Query<Page>) -> Response {
    let invoices = crate::zaif::invoice_views(&state);
    let (rows, number, pages) = page.slice(&invoices);
    let callbacks: Vec<CallbackRecord> = state.activity.callbacks_of("zaif");
    let body = html! {
        h2 { "Invoices" }
        table {
            caption { (count(invoices.len(), "invoice", "invoices")) ", newest first" }
            thead { tr {
                th scope="col" { "invoice" } th scope="col" { "order" } th scope="col" { "status" }
                th scope="col" { "amount" } th scope="col" { "due in the asset" }
                th scope="col" { "payment address" } th scope="col" { "customer and chain" }
            } }
            tbody {
                @for invoice in rows {
                    tr {
                        td { code { (invoice.id) } }
                        td { (invoice.order_number.as_deref().unwrap_or("—")) }
                        td { (invoice.status) }
                        td.num { (invoice.amount) }
                        td.num { (invoice.due) }
                        td { code { (invoice.address) } }
                        td {
                            @if invoice.status == "new" {
                                form.inline method="post" action={ "/_sandbox/dashboard/zaif/" (invoice.id) "/pay" } {
                                    button type="submit" aria-label={ "pay invoice " (invoice.id) } { "pay" }
                                }
                            } @else if matches!(invoice.status, "paid" | "confirmed") {
                                form.inline method="post" action={ "/_sandbox/dashboard/zaif/" (invoice.id) "/confirm" } {
                                    button type="submit" aria-label={ "confirm invoice " (invoice.id) } { "confirm" }
                                }
                            } @else { "—" }
                        }
                    }
                }
                @if invoices.is_empty() { tr { td colspan="7" { "No invoice yet." } } }
            }
        }
        (pager("/_sandbox/zaif", number, pages))
        h2 { "Notifications sent" }
        (callbacks_table(&callbacks, "Payment notifications, newest first, with the merchant's answer"))
    };
    layout(&state, "Zaif Payment", body)
}

/// What a captured amount has left after its refunds.
fn balance(capture: &TransactionView) -> Decimal {
    capture.amount - capture.refunded
}

pub(super) async fn paymentoptions(
    State(state): State<Arc<AppState>>,
    Query(page): Query<Page>,
) -> Response {
    let all = crate::paymentoptions::transaction_views(&state);
    let mut children: HashMap<&str, Vec<&TransactionView>> = HashMap::new();
    for transaction in &all {
        if let Some(parent) = &transaction.parent {
            children
                .entry(parent.as_str())
                .or_default()
                .push(transaction);
        }
    }
    let roots: Vec<&TransactionView> = all.iter().rev().filter(|t| t.parent.is_none()).collect();
    let (rows, number, pages) = page.slice(&roots);
    let challenges = crate::paymentoptions::challenge_views(&state);
    let subscriptions = crate::paymentoptions::subscription_views(&state);
    let links = crate::paymentoptions::link_views(&state);
    let webhooks: Vec<CallbackRecord> = state.activity.callbacks_of("paymentoptions");
    let body = html! {
        h2 { "Transactions" }
        p { "Each purchase or authorization with what followed it: captures, refunds, voids, and the balance left." }
        table {
            caption { (count(roots.len(), "purchase or authorization", "purchases and authorizations")) ", newest first" }
            thead { tr {
                th scope="col" { "transaction" } th scope="col" { "type" } th scope="col" { "amount" }
                th scope="col" { "merchant_txn_ref" } th scope="col" { "card" } th scope="col" { "balance left" }
            } }
            tbody {
                @for root in rows {
                    tr {
                        td { code { (root.id) } }
                        td { (root.kind) }
                        td.num { (root.amount) " " (root.currency) }
                        td { (root.reference) }
                        td { "•••• " (root.card_last4) }
                        td.num {
                            @match (root.kind, root.closed_by) {
                                ("CAPTURE", _) => { (balance(root)) " " (root.currency) },
                                ("PRE_AUTH", None) => { "authorized, not captured" },
                                ("PRE_AUTH", Some("VOID")) => { "voided" },
                                _ => { "see below" },
                            }
                        }
                    }
                    @for child in children.get(root.id.as_str()).into_iter().flatten() {
                        tr {
                            td { "↳ " code { (child.id) } }
                            td { (child.kind) }
                            td.num { (child.amount) " " (child.currency) }
                            td { (child.reference) }
                            td { "•••• " (child.card_last4) }
                            td.num {
                                @if child.kind == "CAPTURE" { (balance(child)) " " (child.currency) } @else { "" }
                            }
                        }
                        @for grandchild in children.get(child.id.as_str()).into_iter().flatten() {
                            tr {
                                td { "  ↳ " code { (grandchild.id) } }
                                td { (grandchild.kind) }
                                td.num { (grandchild.amount) " " (grandchild.currency) }
                                td { (grandchild.reference) }
                                td { "•••• " (grandchild.card_last4) }
                                td { "" }
                            }
                        }
                    }
                }
                @if roots.is_empty() { tr { td colspan="6" { "No transaction yet." } } }
            }
        }
        (pager("/_sandbox/paymentoptions", number, pages))
        h2 { "3-D Secure challenges waiting for the customer" }
        table {
            caption { (challenges.len()) " waiting" }
            thead { tr { th scope="col" { "transaction" } th scope="col" { "amount" } th scope="col" { "merchant_txn_ref" } th scope="col" { "decision" } } }
            tbody {
                @for challenge in &challenges {
                    tr {
                        td { code { (challenge.id) } }
                        td.num { (challenge.amount) }
                        td { (challenge.reference) }
                        td {
                            form.inline method="post" action={ "/_sandbox/dashboard/challenges/" (challenge.id) "/approve" } {
                                button type="submit" aria-label={ "approve " (challenge.id) } { "approve" }
                            }
                            " "
                            form.inline method="post" action={ "/_sandbox/dashboard/challenges/" (challenge.id) "/decline" } {
                                button type="submit" aria-label={ "decline " (challenge.id) } { "decline" }
                            }
                        }
                    }
                }
                @if challenges.is_empty() { tr { td colspan="4" { "None waiting." } } }
            }
        }
        h2 { "Subscriptions" }
        table {
            caption { (count(subscriptions.len(), "subscription", "subscriptions")) }
            thead { tr { th scope="col" { "subscription" } th scope="col" { "plan" } th scope="col" { "status" } th scope="col" { "cycles charged" } } }
            tbody {
                @for subscription in &subscriptions {
                    tr {
                        td { code { (subscription.id) } br; (subscription.name) }
                        td { (subscription.plan) }
                        td { (subscription.status) }
                        td {
                            @for (cycle, transaction, amount) in &subscription.cycles {
                                "#" (cycle) ": " (amount) " (" code { (transaction) } ")" br;
                            }
                        }
                    }
                }
                @if subscriptions.is_empty() { tr { td colspan="4" { "None yet." } } }
            }
        }
        h2 { "Hosted payment pages and e-wallet links" }
        table {
            caption { (count(links.len(), "link", "links")) }
            thead { tr { th scope="col" { "link" } th scope="col" { "amount" } th scope="col" { "merchant_txn_ref" } th scope="col" { "wallet" } th scope="col" { "paid" } } }
            tbody {
                @for link in &links {
                    tr {
                        td { a href={ "/hpp/" (link.id) } { code { (link.id) } } }
                        td { (link.amount) }
                        td { (link.reference) }
                        td { (link.wallet.as_deref().unwrap_or("—")) }
                        td { @if link.paid { "yes" } @else { "no" } }
                    }
                }
                @if links.is_empty() { tr { td colspan="5" { "None yet." } } }
            }
        }
        h2 { "Webhooks posted" }
        (callbacks_table(&webhooks, "Webhooks, newest first, with the merchant's answer"))
    };
    layout(&state, "PaymentOptions", body)
}

pub(super) async fn interstream(State(state): State<Arc<AppState>>) -> Response {
    let users = crate::interstream::user_views(&state);
    let payments: Vec<crate::LedgerEntry> = state
        .ledger
        .entries()
        .into_iter()
        .filter(|e| e.provider == "interstream")
        .collect();
    let body = html! {
        h2 { "Users" }
        table {
            caption { (count(users.len(), "store user", "store users")) }
            thead { tr {
                th scope="col" { "user" } th scope="col" { "current order" } th scope="col" { "total" }
                th scope="col" { "paid" } th scope="col" { "due" } th scope="col" { "credit" }
                th scope="col" { "cart" } th scope="col" { "items bought" }
            } }
            tbody {
                @for user in &users {
                    tr {
                        td.num { (user.id) }
                        @if let Some((order, total, paid, due)) = &user.order {
                            td.num { (order) } td.num { (total) } td.num { (paid) } td.num { (due) }
                        } @else {
                            td { "none" } td { "" } td { "" } td { "" }
                        }
                        td.num { (user.credit) }
                        td.num { (user.cart) }
                        td.num { (user.processed_items) }
                    }
                }
            }
        }
        h2 { "Payments and credit changes" }
        table {
            caption { (count(payments.len(), "entry", "entries")) ", newest first" }
            thead { tr { th scope="col" { "time (UTC)" } th scope="col" { "event" } th scope="col" { "user" } th scope="col" { "description" } th scope="col" { "amount" } } }
            tbody {
                @for entry in payments.iter().rev().take(super::PER_PAGE) {
                    tr {
                        td { (clock(entry.at_ms)) }
                        td { (entry.event) }
                        td.num { (entry.id) }
                        td { (entry.reference) }
                        td.num { (entry.amount) " " (entry.currency) }
                    }
                }
            }
        }
    };
    layout(&state, "INTER-STREAM", body)
}

pub(super) async fn faults(State(state): State<Arc<AppState>>) -> Response {
    let rules = state.faults.list();
    let refusals = state.activity.refusals();
    let body = html! {
        h2 { "Faults in force" }
        table {
            caption { (count(rules.len(), "rule", "rules")) ", applied in order" }
            thead { tr { th scope="col" { "provider" } th scope="col" { "route" } th scope="col" { "fault" } th scope="col" { "latency" } th scope="col" { "times left" } } }
            tbody {
                @for rule in &rules {
                    tr {
                        td { (format!("{:?}", rule.provider).to_lowercase()) }
                        td { (rule.route.as_deref().unwrap_or("every route")) }
                        td { (format!("{:?}", rule.kind)) }
                        td.num { (rule.latency_ms) " ms" @if rule.jitter_ms > 0 { " + 0–" (rule.jitter_ms) " ms" } }
                        td.num { (rule.times.map_or_else(|| "always".to_owned(), |t| t.to_string())) }
                    }
                }
                @if rules.is_empty() { tr { td colspan="5" { "None: every request is answered normally." } } }
            }
        }
        form method="post" action="/_sandbox/dashboard/faults" {
            fieldset {
                legend { "Add a fault" }
                label { "provider " select name="provider" {
                    option value="zaif" { "Zaif" } option value="paymentoptions" { "PaymentOptions" } option value="interstream" { "INTER-STREAM" }
                } }
                label { "fault " select name="kind" {
                    option value="drop_after_processing" { "drop the answer after processing" }
                    option value="status" { "HTTP 503, not processed" }
                    option value="html" { "an HTML error page" }
                    option value="truncated" { "a truncated answer" }
                    option value="reset" { "reset the connection" }
                    option value="latency" { "latency only" }
                } }
                label { "route " input type="text" name="route" placeholder="every route" size="14"; }
                label { "times " input type="number" name="times" min="1" placeholder="always" size="6"; }
                label { "latency (ms) " input type="number" name="latency_ms" min="0" value="0" size="6"; }
                button type="submit" { "add" }
            }
        }
        form method="post" action="/_sandbox/dashboard/faults/clear" {
            button type="submit" { "clear every fault" }
        }
        h2 { "Requests refused" }
        table {
            caption { (count(refusals.len(), "request", "requests")) " refused before processing, newest first" }
            thead { tr { th scope="col" { "time (UTC)" } th scope="col" { "provider" } th scope="col" { "route" } th scope="col" { "why" } } }
            tbody {
                @for refusal in refusals.iter().rev().take(super::PER_PAGE) {
                    tr {
                        td { (clock(refusal.at_ms)) }
                        td { (refusal.provider) }
                        td { (refusal.route) }
                        td { (refusal.reason) }
                    }
                }
                @if refusals.is_empty() { tr { td colspan="4" { "None." } } }
            }
        }
    };
    layout(&state, "Faults and refusals", body)
}

pub(super) async fn ledger(
    State(state): State<Arc<AppState>>,
    Query(page): Query<Page>,
) -> Response {
    let mut entries = state.ledger.entries();
    entries.reverse();
    let (rows, number, pages) = page.slice(&entries);
    let body = html! {
        p { "Every money movement the sandbox processed, as the providers' books would show it." }
        table {
            caption { (count(entries.len(), "entry", "entries")) ", newest first" }
            thead { tr {
                th scope="col" { "time (UTC)" } th scope="col" { "provider" } th scope="col" { "event" }
                th scope="col" { "reference" } th scope="col" { "id" } th scope="col" { "amount" }
            } }
            tbody {
                @for entry in rows {
                    tr {
                        td { (clock(entry.at_ms)) }
                        td { (entry.provider) }
                        td { (entry.event) }
                        td { (entry.reference) }
                        td { code { (entry.id) } }
                        td.num { (entry.amount) " " (entry.currency) }
                    }
                }
                @if entries.is_empty() { tr { td colspan="6" { "Nothing yet." } } }
            }
        }
        (pager("/_sandbox/ledger/page", number, pages))
    };
    layout(&state, "Ledger", body)
}
