//! PaymentOptions' purchase v1 and v2: both auth headers, a validated body, approval or decline
//! by test card, 3-D Secure challenges, stored cards, and the documented 201 shape.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use payments_core::card::{CardExpiry, CardNumber, Cvc};
use payments_core::{Currency, Money};
use serde_json::{Value, json};

use crate::AppState;
use crate::faults::{self, Provider, lock};

const PROVIDER: &str = "paymentoptions";

/// The documented decline card of the sandbox (not in the provider's docs, which list none).
pub const DECLINE_CARD: &str = "4000000000000002";
/// The documented 3-D Secure challenge card.
pub const CHALLENGE_CARD: &str = "4000002500003155";

#[derive(Debug, Clone)]
struct StoredCard {
    number: String,
    name: String,
    exp_month: String,
    exp_year: String,
}

#[derive(Debug, Default)]
pub(crate) struct PaymentOptionsState {
    tokens: HashMap<String, StoredCard>,
    next_ref: u64,
}

fn json_answer(status: StatusCode, value: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    json_answer(
        status,
        json!({"success": false, "status_code": status.as_u16(),
               "gateway_response": {"version": "1", "type": "ERROR", "message": message, "code": code}}),
    )
}

/// `POST /api/v1/api/v1/server-to-server-interface/{payment|paymentv2}`.
pub(crate) async fn purchase(
    State(state): State<Arc<AppState>>,
    Path(operation): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if operation != "payment" && operation != "paymentv2" {
        return error(StatusCode::NOT_FOUND, "NOT_FOUND", "Unknown operation");
    }
    let fault = state.faults.take(Provider::Paymentoptions, &operation);
    faults::apply(fault, || async {
        handle(&state, operation == "paymentv2", &headers, &body)
    })
    .await
}

fn handle(state: &AppState, v2: bool, headers: &HeaderMap, body: &[u8]) -> Response {
    let settings = &state.config.paymentoptions;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if header("authorization") != Some(format!("Basic {}", settings.api_key).as_str())
        || header("x-api-key") != Some(settings.api_key.as_str())
    {
        return error(StatusCode::UNAUTHORIZED, "AUTH0001", "Invalid API key");
    }
    if !header("content-type").is_some_and(|c| c.starts_with("application/json")) {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "VAL0000",
            "Content-Type must be application/json",
        );
    }
    let Ok(body) = serde_json::from_slice::<Value>(body) else {
        return error(StatusCode::BAD_REQUEST, "VAL0001", "Malformed JSON body");
    };
    let text = |key: &str| body.get(key).and_then(Value::as_str);
    let invalid = |message: &str| error(StatusCode::BAD_REQUEST, "VAL0002", message);
    let Some(currency) = text("currency").and_then(|c| Currency::from_code(c).ok()) else {
        return invalid("Invalid currency");
    };
    let Some(amount) = text("amount").and_then(|a| Money::parse_positive(a, currency).ok()) else {
        return invalid("Invalid amount");
    };
    if text("merchant_id") != Some(settings.merchant_id.as_str()) {
        return invalid("Invalid merchant_id");
    }
    let Some(reference) = text("merchant_txn_ref").filter(|r| !r.trim().is_empty()) else {
        return invalid("merchant_txn_ref is required");
    };
    let Some(customer_ip) = text("customer_ip").filter(|ip| ip.parse::<std::net::IpAddr>().is_ok())
    else {
        return invalid("Invalid customer_ip");
    };
    let method = body.get("payment_method");
    let store = method
        .and_then(|m| m.get("store_payment_method"))
        .and_then(Value::as_bool)
        == Some(true);
    let stored_id = method
        .and_then(|m| m.get("stored_payment_method_id"))
        .and_then(Value::as_str);
    let mut po = lock(&state.paymentoptions);
    let card = match (body.get("card"), stored_id) {
        (Some(card), None) => match validate_card(card) {
            Ok(card) => card,
            Err(message) => return invalid(message),
        },
        (None, Some(token)) => match po.tokens.get(token) {
            Some(card) => card.clone(),
            None => return invalid("Unknown stored_payment_method_id"),
        },
        _ => return invalid("Send either card or payment_method.stored_payment_method_id"),
    };
    if card.number == DECLINE_CARD {
        return json_answer(
            StatusCode::PAYMENT_REQUIRED,
            json!({"success": false, "status_code": 402, "is_live": false,
                   "gateway_response": {"version": "1", "type": "ERROR", "message": "Do not honor", "code": "ERR0005"},
                   "transaction_details": {"id": new_transaction_id(), "merchant_txn_ref": reference,
                                           "stored_payment_method_id": null}}),
        );
    }
    po.next_ref += 1;
    let reference_number = 74_797 + po.next_ref;
    let transaction_id = new_transaction_id();
    if v2 && card.number == CHALLENGE_CARD && stored_id.is_none() {
        return json_answer(
            StatusCode::OK,
            json!({"url": format!("{}/3ds", state.base_url), "statusCode": 200, "success": true,
                   "redirect_url": format!("{}/3ds/challenge/{transaction_id}", state.base_url)}),
        );
    }
    let token = store.then(|| {
        let token = format!("pm_{}", hex::encode(rand::random::<[u8; 12]>()));
        po.tokens.insert(token.clone(), card.clone());
        token
    });
    state.ledger.record(
        PROVIDER,
        "card_charged",
        reference,
        &transaction_id,
        amount.to_major_string(),
        currency.code(),
    );
    let transaction_type = if store || stored_id.is_some() {
        "CAPTURE"
    } else {
        "PRE_AUTH"
    };
    // A JSON number, written exactly as the major-unit decimal (as the documented `1000`).
    let amount_number: Value =
        serde_json::from_str(&amount.to_major_string()).unwrap_or(Value::Null);
    json_answer(
        StatusCode::CREATED,
        json!({
            "success": true, "status_code": 201, "is_live": false, "transaction_type": transaction_type,
            "gateway_response": {"version": "1", "type": "INFO", "message": "Payment Successful.", "code": "INFO0000"},
            "merchant_details": {
                "legal_name": "Sandbox Merchant", "mid": settings.merchant_id, "merchant_txn_ref": reference,
                "billing_details": {"billing_address": body.get("billing_address").cloned().unwrap_or(Value::Null)},
                "device_details": {"visited_ip": customer_ip, "merchant_ip": "127.0.0.1", "customer_ip": customer_ip}
            },
            "payment_details": {
                "amount": amount_number, "response_code": 0, "auth_code": format!("{:06}", reference_number % 1_000_000),
                "currency": currency.code(), "payment_method": "ECMC-SSL", "scheme": scheme(&card.number),
                // Echoed in full, like the real gateway: the client must mask it.
                "card": {"name": card.name, "number": card.number, "exp_month": card.exp_month, "exp_year": card.exp_year},
                "additional_data": {"payment_data_source": {"type": "card"}}
            },
            "transaction_details": {
                "id": transaction_id, "ref": reference_number,
                "timestamp": "2024-11-25T07:22:48.000Z", "merchant_txn_ref": reference,
                "stored_payment_method_id": token
            },
            "risk-details": {"risk_score": null}
        }),
    )
}

fn validate_card(card: &Value) -> Result<StoredCard, &'static str> {
    let field = |key: &str| card.get(key).and_then(Value::as_str).unwrap_or_default();
    let number = CardNumber::parse(field("number")).map_err(|_| "Invalid card number")?;
    Cvc::parse(field("cvc")).map_err(|_| "Invalid cvc")?;
    CardExpiry::parse(field("expiry_month"), field("expiry_year")).map_err(|_| "Invalid expiry")?;
    if field("name").trim().is_empty() {
        return Err("Card holder name is required");
    }
    Ok(StoredCard {
        number: number.expose().to_owned(),
        name: field("name").to_owned(),
        exp_month: field("expiry_month").to_owned(),
        exp_year: field("expiry_year").to_owned(),
    })
}

fn scheme(number: &str) -> &'static str {
    match number.as_bytes().first() {
        Some(b'4') => "VISA",
        Some(b'5') => "MASTERCARD",
        _ => "UNKNOWN",
    }
}

fn new_transaction_id() -> String {
    let hex = hex::encode(rand::random::<[u8; 16]>());
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// `GET /3ds/challenge/{id}`: where a 3-D Secure challenge sends the customer.
pub(crate) async fn challenge_page(Path(id): Path<String>) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        format!("<html><body><h1>Sandbox 3-D Secure</h1><p>Challenge for {id}</p></body></html>"),
    )
        .into_response()
}
