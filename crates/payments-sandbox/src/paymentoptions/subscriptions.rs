//! PaymentOptions subscriptions: create (the first cycle charged at once), details, list,
//! cancel, pause, resume, and a control endpoint that advances a subscription by one cycle.
//!
//! The state machine follows the pages: pause stops cycles until resumed, resume continues,
//! cancel is final (a cancelled subscription cannot be resumed: refused with the invented
//! `VAL3002`). A discount applies to the first `discount_duration` cycles; a trial delays the
//! next payment by its days (the creation still answers `CAPTURE`, as documented); after
//! `max_cycle_count` charged cycles the subscription expires.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use payments_core::Decimal;

use super::checks::GatewayCurrency;
use serde_json::{Map, Value, json};

use super::{
    Kind, PROVIDER, Transaction, authenticate, error, handle, json_answer, new_transaction_id,
    not_found,
};
use crate::AppState;
use crate::faults::{self, Provider, lock};

/// One subscription and its charged cycles.
#[derive(Debug, Clone)]
pub(crate) struct Subscription {
    status: &'static str,
    name: String,
    description: String,
    cycle_type: String,
    cycle_interval: i64,
    max_cycle_count: i64,
    trial_days: Option<i64>,
    discount: Option<(i64, i64)>,
    amount: Decimal,
    template: Transaction,
    cycles: Vec<(String, i64, Decimal, u64)>,
}

/// One subscription as the dashboard shows it.
#[derive(Debug, Clone)]
pub(crate) struct SubscriptionView {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) status: &'static str,
    pub(crate) plan: String,
    /// Each charged cycle: its number, transaction and amount.
    pub(crate) cycles: Vec<(i64, String, String)>,
}

/// Every subscription, by id.
pub(crate) fn subscription_views(state: &AppState) -> Vec<SubscriptionView> {
    let po = lock(&state.paymentoptions);
    po.subscriptions
        .iter()
        .map(|(id, s)| {
            let currency = s.template.currency.code();
            SubscriptionView {
                id: id.clone(),
                name: s.name.clone(),
                status: s.status,
                plan: format!(
                    "{} {currency} every {} {} ({} cycles at most)",
                    s.amount, s.cycle_interval, s.cycle_type, s.max_cycle_count
                ),
                cycles: s
                    .cycles
                    .iter()
                    .map(|(tx, n, amount, _)| (*n, tx.clone(), format!("{amount} {currency}")))
                    .collect(),
            }
        })
        .collect()
}

/// The fields of the request's `subscription` object, as the create page documents them.
const FIELDS: &[&str] = &[
    "plan_name",
    "plan_desc",
    "cycle_type",
    "subscription_end_type",
    "cycle_interval",
    "max_cycle_count",
    "has_trial_period",
    "trial_period_duration_type",
    "trial_period_duration",
    "has_discount",
    "discount_percentage",
    "discount_duration",
];

/// Reads and checks the `subscription` object: every field typed as documented, none unknown.
fn plan(body: &Value) -> Result<Map<String, Value>, &'static str> {
    let plan = body
        .get("subscription")
        .and_then(Value::as_object)
        .ok_or("subscription is required")?;
    if plan.keys().any(|key| !FIELDS.contains(&key.as_str())) {
        return Err("Unknown field in subscription");
    }
    let text = |key: &str| plan.get(key).and_then(Value::as_str);
    let count = |key: &str| plan.get(key).and_then(Value::as_i64).filter(|n| *n >= 1);
    if text("plan_name").is_none_or(|n| n.trim().is_empty()) {
        return Err("subscription.plan_name is required");
    }
    if !matches!(text("cycle_type"), Some("DAYS" | "WEEKLY" | "MONTHLY")) {
        return Err("Invalid subscription.cycle_type");
    }
    if text("subscription_end_type") != Some("CYCLE") {
        return Err("Invalid subscription.subscription_end_type");
    }
    if count("cycle_interval").is_none() || count("max_cycle_count").is_none() {
        return Err("cycle_interval and max_cycle_count must be whole numbers from 1");
    }
    match plan.get("has_trial_period").and_then(Value::as_bool) {
        Some(true) if count("trial_period_duration").is_none() => {
            return Err("trial_period_duration is required with has_trial_period");
        }
        Some(false) if plan.contains_key("trial_period_duration") => {
            return Err("trial_period_duration without has_trial_period");
        }
        None => return Err("has_trial_period must be a boolean"),
        _ => {}
    }
    match plan.get("has_discount").and_then(Value::as_bool) {
        Some(true) => {
            let percentage = plan.get("discount_percentage").and_then(Value::as_i64);
            if !percentage.is_some_and(|p| (1..=100).contains(&p))
                || count("discount_duration").is_none()
            {
                return Err("Invalid discount_percentage or discount_duration");
            }
        }
        Some(false) if plan.contains_key("discount_percentage") => {
            return Err("discount_percentage without has_discount");
        }
        None => return Err("has_discount must be a boolean"),
        _ => {}
    }
    Ok(plan.clone())
}

/// The amount of `cycle` (1-based), after any discount.
fn cycle_amount(subscription: &Subscription, cycle: i64) -> Decimal {
    match subscription.discount {
        Some((percentage, cycles)) if cycle <= cycles => {
            let mut discounted =
                subscription.amount * Decimal::from(100 - percentage) / Decimal::from(100);
            discounted.rescale(subscription.amount.scale());
            discounted
        }
        _ => subscription.amount,
    }
}

/// The documented `subscription_details` object.
fn details_json(id: &str, subscription: &Subscription) -> Value {
    let completed = i64::try_from(subscription.cycles.len()).unwrap_or(i64::MAX);
    let number = |amount: Decimal| -> Value {
        serde_json::from_str(&amount.to_string()).unwrap_or(Value::Null)
    };
    let currency = subscription.template.currency.code().to_owned();
    let cycles: Vec<Value> = subscription
        .cycles
        .iter()
        .map(|(tx, cycle, amount, reference)| {
            json!({"id": tx, "ref": reference, "cycle": cycle, "status": "SUCCESSFUL",
                   "transaction_date": "2024-11-25T08:41:15.000Z", "amount": number(*amount),
                   "ccy": currency, "event": "CAPTURED"})
        })
        .collect();
    let (discount_percentage, discount_duration) = subscription.discount.unwrap_or((0, 0));
    json!({
        "id": id, "type": "CYCLE", "max_cycle_count": subscription.max_cycle_count,
        "status": subscription.status, "completed_payment_cycle": completed,
        "last_payment_status": "SUCCESSFUL",
        "next_payment_date": "2024-12-25T08:41:15.000Z",
        "next_payment_cycle": completed + 1,
        "subscription_plan_details": {
            "name": subscription.name, "desc": subscription.description,
            "billing_cycle_type": subscription.cycle_type,
            "billing_cycle_interval": subscription.cycle_interval,
            "amount": number(subscription.amount), "ccy": currency,
            // A string in answers, "" without a trial, unlike the request's integer.
            "trial_period_duration": subscription.trial_days.map(|d| d.to_string()).unwrap_or_default(),
            "trial_period_duration_type": if subscription.trial_days.is_some() { "DAYS" } else { "NONE" },
            "plan_discount_percentage": discount_percentage,
            "plan_discount_duration": discount_duration
        },
        "subscription_transaction_details": cycles
    })
}

/// `POST …/subscription/payment`.
pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fault = state.faults.take(Provider::Paymentoptions, "subscription");
    faults::apply(fault, || async {
        if let Some(refused) = authenticate(&state, &headers, true) {
            return refused;
        }
        let Ok(mut body) = serde_json::from_slice::<Value>(&body) else {
            return error(StatusCode::BAD_REQUEST, "VAL0001", "Malformed JSON body");
        };
        let plan = match plan(&body) {
            Ok(plan) => plan,
            Err(message) => return error(StatusCode::BAD_REQUEST, "VAL0002", message),
        };
        let discount =
            (plan.get("has_discount").and_then(Value::as_bool) == Some(true)).then(|| {
                (
                    plan.get("discount_percentage")
                        .and_then(Value::as_i64)
                        .unwrap_or(0),
                    plan.get("discount_duration")
                        .and_then(Value::as_i64)
                        .unwrap_or(0),
                )
            });
        let Some(full) = body
            .get("amount")
            .and_then(Value::as_str)
            .and_then(|a| Decimal::from_str_exact(a).ok())
        else {
            return error(StatusCode::BAD_REQUEST, "VAL0002", "Invalid amount");
        };
        let mut subscription = Subscription {
            status: "ACTIVE",
            name: plan
                .get("plan_name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            description: plan
                .get("plan_desc")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            cycle_type: plan
                .get("cycle_type")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            cycle_interval: plan
                .get("cycle_interval")
                .and_then(Value::as_i64)
                .unwrap_or(1),
            max_cycle_count: plan
                .get("max_cycle_count")
                .and_then(Value::as_i64)
                .unwrap_or(1),
            trial_days: plan.get("trial_period_duration").and_then(Value::as_i64),
            discount,
            amount: full,
            template: placeholder_template(),
            cycles: Vec::new(),
        };
        // The first cycle is charged at once: the card payment, at the first cycle's amount.
        let first = cycle_amount(&subscription, 1);
        body["amount"] = json!(first.to_string());
        let charged = handle(&state, false, Kind::Capture, &body);
        if charged.status() != StatusCode::CREATED {
            return charged;
        }
        let bytes = match axum::body::to_bytes(charged.into_body(), 1 << 20).await {
            Ok(bytes) => bytes,
            Err(_) => return error(StatusCode::INTERNAL_SERVER_ERROR, "SANDBOX", "no answer"),
        };
        let Ok(mut answer) = serde_json::from_slice::<Value>(&bytes) else {
            return error(StatusCode::INTERNAL_SERVER_ERROR, "SANDBOX", "no answer");
        };
        let transaction_id = answer["transaction_details"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let id = new_transaction_id();
        let mut po = lock(&state.paymentoptions);
        let Some(template) = po.transactions.get(&transaction_id).cloned() else {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "SANDBOX",
                "no transaction",
            );
        };
        let reference = template.reference_number;
        subscription.template = template;
        subscription
            .cycles
            .push((transaction_id, 1, first, reference));
        answer["subscription_details"] = details_json(&id, &subscription);
        po.subscriptions.insert(id, subscription);
        json_answer(StatusCode::CREATED, answer)
    })
    .await
}

/// Replaced by the first cycle's transaction before the subscription is stored.
fn placeholder_template() -> Transaction {
    Transaction {
        kind: Kind::Capture,
        amount: Decimal::ZERO,
        currency: GatewayCurrency::JPY,
        reference: String::new(),
        card: super::StoredCard {
            number: String::new(),
            name: String::new(),
            exp_month: String::new(),
            exp_year: String::new(),
        },
        reference_number: 0,
        closed_by: None,
        refunded: Decimal::ZERO,
        code: ("INFO0000", "Payment Successful."),
        webhook_url: None,
        addresses: Value::Null,
        parent: None,
        at_ms: crate::activity::now_ms(),
    }
}

fn answer(state: &AppState, update: bool, details: Value) -> Response {
    let mut body = json!({"success": true, "status_code": 200, "subscription_details": details});
    if update {
        body["gateway_response"] = json!({"version": "1", "type": "INFO", "message": "Subscription Updated.", "code": "INFO3000"});
    }
    let _ = state;
    json_answer(StatusCode::OK, body)
}

/// `GET …/subscription/{id}`.
pub(crate) async fn details(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = authenticate(&state, &headers, false) {
        return refused;
    }
    let po = lock(&state.paymentoptions);
    match po.subscriptions.get(&id) {
        Some(subscription) => answer(&state, false, details_json(&id, subscription)),
        None => not_found(),
    }
}

/// `GET …/subscription/list`.
pub(crate) async fn list(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if let Some(refused) = authenticate(&state, &headers, false) {
        return refused;
    }
    let po = lock(&state.paymentoptions);
    let all: Vec<Value> = po
        .subscriptions
        .iter()
        .map(|(id, subscription)| {
            let mut item = details_json(id, subscription);
            // The list sample has no last_payment_status.
            if let Some(object) = item.as_object_mut() {
                object.remove("last_payment_status");
            }
            item
        })
        .collect();
    answer(&state, false, Value::Array(all))
}

/// `POST …/subscription/{id}/{cancel|pause|resume}`, without a body.
pub(crate) async fn change(
    State(state): State<Arc<AppState>>,
    Path((id, change)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refused) = authenticate(&state, &headers, false) {
        return refused;
    }
    if !body.is_empty() {
        return error(StatusCode::BAD_REQUEST, "VAL0002", "No body is expected");
    }
    let mut po = lock(&state.paymentoptions);
    let Some(subscription) = po.subscriptions.get_mut(&id) else {
        return not_found();
    };
    let next = match (change.as_str(), subscription.status) {
        ("cancel", "ACTIVE" | "PAUSED") => "CANCELLED",
        ("pause", "ACTIVE") => "PAUSED",
        ("resume", "PAUSED") => "ACTIVE",
        // Invented codes: the pages describe the rule, not the refusal.
        ("resume", "CANCELLED") => {
            return refusal("VAL3002", "A cancelled subscription cannot be resumed");
        }
        ("cancel" | "pause" | "resume", _) => {
            return refusal("VAL3001", "The subscription cannot change to that state");
        }
        _ => return not_found(),
    };
    subscription.status = next;
    let details = details_json(&id, subscription);
    state.ledger.record(
        PROVIDER,
        "subscription_changed",
        next,
        &id,
        "0".into(),
        subscription.template.currency.code(),
    );
    answer(&state, true, details)
}

fn refusal(code: &str, message: &str) -> Response {
    json_answer(
        StatusCode::BAD_REQUEST,
        json!({"success": false, "status_code": 400,
               "gateway_response": {"version": "1", "type": "ERROR", "message": message, "code": code}}),
    )
}

/// `POST /_sandbox/paymentoptions/subscriptions/{id}/advance`: the next cycle comes due.
pub(crate) async fn control_advance(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Response {
    let mut po = lock(&state.paymentoptions);
    po.next_ref += 1;
    let reference = 74_797 + po.next_ref;
    let Some(subscription) = po.subscriptions.get_mut(&id) else {
        return not_found();
    };
    if subscription.status != "ACTIVE" {
        return refusal("VAL3001", "Only an active subscription is charged");
    }
    let cycle = i64::try_from(subscription.cycles.len()).unwrap_or(i64::MAX) + 1;
    let amount = cycle_amount(subscription, cycle);
    let transaction_id = new_transaction_id();
    subscription
        .cycles
        .push((transaction_id.clone(), cycle, amount, reference));
    if cycle >= subscription.max_cycle_count {
        subscription.status = "EXPIRED";
    }
    let mut transaction = subscription.template.clone();
    transaction.amount = amount;
    transaction.parent = None;
    transaction.at_ms = crate::activity::now_ms();
    transaction.reference_number = reference;
    let details = details_json(&id, subscription);
    let currency = transaction.currency.code().to_owned();
    let merchant_ref = transaction.reference.clone();
    let webhook_url = transaction.webhook_url.clone();
    po.transactions
        .insert(transaction_id.clone(), transaction.clone());
    drop(po);
    // A cycle charged with no caller waiting: its webhook (the transaction's answer, as a 3-D
    // Secure webhook is) goes to the subscription's webhook_url. Invented: the documents name
    // "completed payments" as webhook events but show no subscription cycle's.
    super::spawn_webhook(
        &state,
        webhook_url,
        &super::transaction_json(&state, 200, &transaction_id, &transaction),
    );
    state.ledger.record(
        PROVIDER,
        "subscription_charged",
        &merchant_ref,
        &transaction_id,
        amount.to_string(),
        &currency,
    );
    answer(&state, false, details)
}
