//! PaymentOptions hosted payment page and e-wallet links: `…/hpp/generate/link` answers a link
//! to a small page where the customer "pays" (approve or decline); the gateway then records the
//! charge, posts the webhook to a loopback `webhook_url`, and redirects the customer.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use payments_core::Decimal;

use super::checks::GatewayCurrency;
use serde_json::{Value, json};

use super::{
    Kind, PROVIDER, Resolution, StoredCard, Transaction, authenticate, control_answer,
    customer_answer, error, json_answer, new_transaction_id, not_found, spawn_webhook,
    transaction_json,
};
use crate::AppState;
use crate::faults::{self, Provider, lock};

/// One link as the dashboard shows it.
#[derive(Debug, Clone)]
pub(crate) struct LinkView {
    pub(crate) id: String,
    /// The fixed amount, or "entered by the customer".
    pub(crate) amount: String,
    pub(crate) reference: String,
    pub(crate) wallet: Option<String>,
    pub(crate) paid: bool,
}

/// Every link, by id.
pub(crate) fn link_views(state: &AppState) -> Vec<LinkView> {
    let po = crate::faults::lock(&state.paymentoptions);
    let mut views: Vec<LinkView> = po
        .links
        .iter()
        .map(|(id, link)| LinkView {
            id: id.clone(),
            amount: link.amount.map_or_else(
                || format!("entered by the customer ({})", link.currency.code()),
                |a| format!("{a} {}", link.currency.code()),
            ),
            reference: link.reference.clone(),
            wallet: link.wallet.clone(),
            paid: link.paid,
        })
        .collect();
    views.sort_by(|a, b| a.id.cmp(&b.id));
    views
}

/// A generated link, waiting for the customer.
#[derive(Debug, Clone)]
pub(crate) struct Link {
    amount: Option<Decimal>,
    currency: GatewayCurrency,
    reference: String,
    success_url: Option<String>,
    decline_url: Option<String>,
    webhook_url: Option<String>,
    wallet: Option<String>,
    paid: bool,
}

/// `POST …/hpp/generate/link`: a hosted page (amount a JSON number) or, with a wallet
/// `payment_method.type`, an e-wallet link (amount a string, empty for the customer to enter).
pub(crate) async fn create_link(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fault = state.faults.take(Provider::Paymentoptions, "link");
    faults::apply(fault, || async {
        if let Some(refused) = authenticate(&state, &headers, true) {
            return refused;
        }
        let Ok(body) = serde_json::from_slice::<Value>(&body) else {
            return error(StatusCode::BAD_REQUEST, "VAL0001", "Malformed JSON body");
        };
        match create(&state, &body) {
            // The generate-link pages answer 200 (no `success` envelope), unlike payments (201).
            Ok(answer) => json_answer(StatusCode::OK, answer),
            Err(message) => error(StatusCode::BAD_REQUEST, "VAL0002", message),
        }
    })
    .await
}

fn create(state: &AppState, body: &Value) -> Result<Value, &'static str> {
    let settings = &state.config.paymentoptions;
    let text = |key: &str| body.get(key).and_then(Value::as_str);
    if text("merchant_id") != Some(settings.merchant_id.as_str()) {
        return Err("Invalid merchant_id");
    }
    let currency = text("currency")
        .and_then(GatewayCurrency::parse)
        .ok_or("Invalid currency")?;
    let reference = text("merchant_txn_ref")
        .filter(|r| !r.trim().is_empty() && r.chars().count() <= 45)
        .ok_or("merchant_txn_ref is required (at most 45 characters)")?;
    let urls = body.get("return_url").ok_or("return_url is required")?;
    let url = |key: &str| urls.get(key).and_then(Value::as_str).map(str::to_owned);
    if url("success_url").is_none() {
        return Err("return_url.success_url is required");
    }
    let method = body
        .get("payment_method")
        .and_then(|m| m.get("type"))
        .and_then(Value::as_str);
    let wallet = method.filter(|m| *m != "scheme").map(str::to_owned);
    let amount = match (&wallet, body.get("amount")) {
        // E-wallet: a string; empty lets the customer type the amount.
        (Some(_), Some(Value::String(text))) if text.is_empty() => None,
        (Some(_), Some(Value::String(text))) => Some(
            Decimal::from_str_exact(text)
                .ok()
                .filter(|a| *a > Decimal::ZERO)
                .ok_or("Invalid amount")?,
        ),
        // Hosted page: a JSON number.
        (None, Some(number @ Value::Number(_))) => Some(
            Decimal::from_str_exact(&number.to_string())
                .ok()
                .filter(|a| *a > Decimal::ZERO)
                .ok_or("Invalid amount")?,
        ),
        _ => return Err("Invalid amount"),
    };
    if wallet.is_some()
        && text("customer_ip").is_none_or(|ip| ip.parse::<std::net::IpAddr>().is_err())
    {
        return Err("Invalid customer_ip");
    }
    let id = new_transaction_id();
    let link = Link {
        amount,
        currency,
        reference: reference.to_owned(),
        success_url: url("success_url"),
        decline_url: url("decline_url"),
        webhook_url: url("webhook_url"),
        wallet,
        paid: false,
    };
    let amount_json = amount
        .map(|a| serde_json::from_str::<Value>(&a.to_string()).unwrap_or(Value::Null))
        .unwrap_or(Value::Null);
    let answer = json!({
        "id": id, "url": format!("{}/hpp/{id}", state.base_url), "amount": amount_json,
        "currency": currency.code(), "merchant_txn_ref": reference,
        "merchant_id": settings.merchant_id,
        "merchant_email": body.get("merchant_email").cloned().unwrap_or(Value::Null),
        "return_url": urls.clone(),
        "billing_address": body.get("billing_address").cloned().unwrap_or(Value::Null),
        "shipping_address": body.get("shipping_address").cloned().unwrap_or(Value::Null)
    });
    lock(&state.paymentoptions).links.insert(id, link);
    Ok(answer)
}

/// `GET /hpp/{id}`: the customer's page, with an amount field when the customer enters it.
pub(crate) async fn link_page(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Response {
    let po = lock(&state.paymentoptions);
    let Some(link) = po.links.get(&id).filter(|l| !l.paid) else {
        return (StatusCode::NOT_FOUND, "no such link\n").into_response();
    };
    let amount = match link.amount {
        Some(amount) => format!("<p>Amount: {amount} {}</p>", link.currency.code()),
        None => "<p>Amount: <input name=\"amount\" form=\"pay\"></p>".to_owned(),
    };
    let what = link.wallet.as_deref().unwrap_or("card");
    // The id and the amounts are the sandbox's own: safe to put in the page as they are.
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        format!(
            "<!doctype html><html><body><h1>Sandbox hosted payment page ({what})</h1>{amount}\
             <form id=\"pay\" method=\"post\" action=\"/hpp/{id}/approve\"><button>Pay</button></form>\
             <form method=\"post\" action=\"/hpp/{id}/decline\"><button>Decline</button></form>\
             </body></html>"
        ),
    )
        .into_response()
}

/// `POST /hpp/{id}/{approve|decline}`: the customer's answer (form field `amount` when the
/// customer enters it); a 303 to the success or decline URL.
pub(crate) async fn link_answer(
    State(state): State<Arc<AppState>>,
    Path((id, decision)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let form: HashMap<String, String> =
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
            .map(|pairs| pairs.into_iter().collect())
            .unwrap_or_default();
    customer_answer(resolve(
        &state,
        &id,
        &decision,
        form.get("amount").map(String::as_str),
    ))
}

/// `POST /_sandbox/paymentoptions/links/{id}/{approve|decline}` with an optional JSON
/// `{"amount": "…"}`: the same, for tests; the answer is the webhook body.
pub(crate) async fn control_link(
    State(state): State<Arc<AppState>>,
    Path((id, decision)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let amount: Option<String> = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("amount").and_then(Value::as_str).map(str::to_owned));
    control_answer(resolve(&state, &id, &decision, amount.as_deref()))
}

/// [`resolve`] for the library's API (a fixed-amount link).
pub(crate) fn answer_link(state: &Arc<AppState>, id: &str, approve: bool) -> Result<(), String> {
    resolve(state, id, if approve { "approve" } else { "decline" }, None)
        .map(|_| ())
        .map_err(|_| format!("no pending link {id} with a fixed amount"))
}

fn resolve(state: &Arc<AppState>, id: &str, decision: &str, entered: Option<&str>) -> Resolution {
    let approve = match decision {
        "approve" => true,
        "decline" => false,
        _ => return Err(Box::new(not_found())),
    };
    let mut po = lock(&state.paymentoptions);
    let Some(link) = po.links.get(id).filter(|l| !l.paid).cloned() else {
        return Err(Box::new(not_found()));
    };
    let amount = match (link.amount, entered) {
        (Some(amount), _) => amount,
        (None, Some(text)) => match Decimal::from_str_exact(text.trim()) {
            Ok(amount) if amount > Decimal::ZERO => amount,
            _ => {
                return Err(Box::new(error(
                    StatusCode::BAD_REQUEST,
                    "VAL0002",
                    "Invalid amount",
                )));
            }
        },
        (None, None) if !approve => Decimal::ZERO,
        (None, None) => {
            return Err(Box::new(error(
                StatusCode::BAD_REQUEST,
                "VAL0002",
                "Enter the amount",
            )));
        }
    };
    let (body, next) = if approve {
        po.next_ref += 1;
        let transaction = Transaction {
            kind: Kind::Capture,
            amount,
            currency: link.currency,
            reference: link.reference.clone(),
            // The customer's card entered on the page (the sandbox's approved test card).
            card: StoredCard {
                number: "5200000000001005".into(),
                name: "Hosted Customer".into(),
                exp_month: "12".into(),
                exp_year: "30".into(),
            },
            reference_number: 74_797 + po.next_ref,
            closed_by: None,
            refunded: Decimal::ZERO,
            code: ("INFO0000", "Payment Successful."),
            webhook_url: link.webhook_url.clone(),
            addresses: Value::Null,
            parent: None,
            at_ms: crate::activity::now_ms(),
        };
        let transaction_id = new_transaction_id();
        po.transactions
            .insert(transaction_id.clone(), transaction.clone());
        if let Some(stored) = po.links.get_mut(id) {
            stored.paid = true;
        }
        let event = if link.wallet.is_some() {
            "wallet_charged"
        } else {
            "card_charged"
        };
        state.ledger.record(
            PROVIDER,
            event,
            &link.reference,
            &transaction_id,
            amount.to_string(),
            link.currency.code(),
        );
        (
            transaction_json(state, 200, &transaction_id, &transaction),
            link.success_url.clone(),
        )
    } else {
        // Invented shape: the documents show no failed hosted-page webhook.
        let body = json!({"success": false, "status_code": 200, "is_live": false,
            "gateway_response": {"version": "1", "type": "ERROR", "message": "Payment declined", "code": "ERR0005"},
            "transaction_details": {"id": id, "merchant_txn_ref": link.reference}});
        (body, link.decline_url.clone())
    };
    drop(po);
    spawn_webhook(state, link.webhook_url, &body);
    Ok((body, next))
}
