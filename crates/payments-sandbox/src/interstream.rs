//! INTER-STREAM's `api.php`: signature, salt and timestamp checks, users with a current order
//! and credit, `store > add_payment`, `get_credit`, `add_subtract_credit`,
//! `list_current_content`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use payments_core::{Decimal, Secret};
use serde_json::{Value, json};

use crate::AppState;
use crate::config::StoreUser;
use crate::faults::{self, Provider, lock};

const PROVIDER: &str = "interstream";

#[derive(Debug, Default)]
pub(crate) struct InterstreamState {
    users: BTreeMap<u64, StoreUser>,
}

impl InterstreamState {
    pub(crate) fn new(users: &[StoreUser]) -> InterstreamState {
        InterstreamState {
            users: users.iter().map(|u| (u.id, u.clone())).collect(),
        }
    }

    pub(crate) fn set_user(&mut self, user: StoreUser) {
        self.users.insert(user.id, user);
    }
}

fn answer(value: Value) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

fn refuse(code: &str, text: &str) -> Response {
    answer(json!({"error": code, "error_long": text}))
}

/// `GET` or `POST /api.php`.
pub(crate) async fn api(
    State(state): State<Arc<AppState>>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let action = query.get("do").cloned().unwrap_or_default();
    let fault = state.faults.take(Provider::Interstream, &action);
    faults::apply(fault, || async { handle(&state, &query, &body) }).await
}

fn handle(state: &AppState, query: &HashMap<String, String>, body: &[u8]) -> Response {
    let settings = &state.config.interstream;
    let (Some(key), Some(timestamp), Some(salt), Some(signature)) = (
        query.get("key"),
        query.get("timestamp"),
        query.get("salt"),
        query.get("signature"),
    ) else {
        return refuse("REQUEST_ERROR", "Missing signature");
    };
    if *key != settings.key_id {
        return refuse("REQUEST_ERROR", "Invalid key");
    }
    if salt.len() != 32
        || !salt
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return refuse("REQUEST_ERROR", "Invalid salt");
    }
    let Ok(sent_at) = timestamp.parse::<u64>() else {
        return refuse("REQUEST_ERROR", "Invalid timestamp");
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    if now.abs_diff(sent_at) > settings.request_expiry.as_secs() {
        return refuse("REQUEST_ERROR", "Request expired");
    }
    let expected =
        interstream_store::signature(&Secret::new(settings.shared_secret.clone()), salt, sent_at);
    if !expected.is_ok_and(|e| e.expose() == signature) {
        return refuse("REQUEST_ERROR", "Invalid signature");
    }
    if query.get("go").map(String::as_str) != Some("store") {
        return refuse("REQUEST_ERROR", "Invalid API section");
    }
    let Some(user_id) = query
        .get("iq")
        .and_then(|iq| iq.parse::<u64>().ok())
        .filter(|id| *id >= 1)
    else {
        return refuse("REQUEST_ERROR", "Invalid User ID");
    };
    let form: HashMap<String, String> = serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .map(|pairs| pairs.into_iter().collect())
        .unwrap_or_default();
    let amount = || {
        form.get("amount")
            .and_then(|a| Decimal::from_str_exact(a.trim()).ok())
            .filter(|a| *a > Decimal::ZERO)
    };
    let description = form.get("description").cloned().unwrap_or_default();
    let mut store = lock(&state.interstream);
    let user = store.users.entry(user_id).or_insert(StoreUser {
        id: user_id,
        order_due: Decimal::ZERO,
        credit: Decimal::ZERO,
    });
    let currency = &settings.currency;
    match query.get("do").map(String::as_str) {
        Some("add_payment") => {
            let Some(amount) = amount() else {
                return refuse("REQUEST_ERROR", "Invalid amount");
            };
            if user.order_due.is_zero() {
                return refuse("ERROR_NO_ORDER", "User does not have any current order");
            }
            if amount > user.order_due {
                return refuse(
                    "ERROR_AMOUNT_TOO_BIG",
                    "Amount can't be higher than order amount due",
                );
            }
            user.order_due -= amount;
            state.ledger.record(
                PROVIDER,
                "payment_added",
                &description,
                &user_id.to_string(),
                amount.to_string(),
                currency,
            );
            answer(json!({"ok": "Payment was added"}))
        }
        Some("get_credit") => {
            let mut credit = user.credit;
            credit.rescale(2);
            answer(
                json!({"data": {"buyer_credit": credit.to_string(), "buyer_credit_formatted": format!("{credit}€")}}),
            )
        }
        Some("add_subtract_credit") => {
            let subtract = match form.get("creditAction").map(String::as_str) {
                Some("add") => false,
                Some("subtract") => true,
                _ => return refuse("REQUEST_ERROR", "Invalid credit action"),
            };
            let Some(amount) = amount() else {
                return refuse("REQUEST_ERROR", "Invalid amount");
            };
            if subtract {
                if amount > user.credit {
                    return refuse("ERROR_CANT_SUBTRACT", "Credit can't be lower than zero");
                }
                user.credit -= amount;
            } else {
                user.credit += amount;
            }
            let event = if subtract {
                "credit_subtracted"
            } else {
                "credit_added"
            };
            state.ledger.record(
                PROVIDER,
                event,
                &description,
                &user_id.to_string(),
                amount.to_string(),
                currency,
            );
            answer(json!({"ok": "Credit was updated"}))
        }
        Some("list_current_content") => {
            let mut due = user.order_due;
            due.rescale(2);
            let items = if user.order_due.is_zero() {
                json!([])
            } else {
                json!([{"order_user": user_id, "amount_due": due.to_string()}])
            };
            answer(json!({"data": items}))
        }
        _ => refuse("REQUEST_ERROR", "Invalid API action"),
    }
}
