//! PaymentOptions: purchase and authorization (v1 and v2), capture, void, refund and transaction
//! status, served under both path prefixes the documents use (`/api/v1/…` and `/api/v1/api/v1/…`).
//! Both auth headers, validated bodies, approval or decline by test card, 3-D Secure challenges,
//! stored cards, the documented answer shapes, and a ledger per transaction: a capture takes at
//! most the authorized amount, a void only an uncaptured authorization, refunds at most what was
//! captured (else the documented `ERR3019`), and every id has a status.
//!
//! A purchase is recorded as captured (`CAPTURE`): the purchase pages say it captures at once
//! (their sample's `PRE_AUTH` looks copied from the authorization page); an authorization
//! answers `PRE_AUTH`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use payments_core::Decimal;

use self::checks::GatewayCurrency;
use serde_json::{Value, json};

use crate::AppState;
use crate::faults::{self, Provider, lock};
pub(super) use crate::random_uuid as new_transaction_id;

mod checks;
mod hosted;
mod subscriptions;

pub(crate) use hosted::{answer_link, control_link, create_link, link_answer, link_page};
pub(crate) use subscriptions::{
    change as change_subscription, control_advance, create as create_subscription,
    details as subscription_details, list as subscription_list,
};

const PROVIDER: &str = "paymentoptions";

/// The documented decline card of the sandbox (not in the provider's docs, which list none).
pub const DECLINE_CARD: &str = "4000000000000002";
/// The documented 3-D Secure challenge card.
pub const CHALLENGE_CARD: &str = "4000002500003155";

#[derive(Debug, Clone)]
pub(super) struct StoredCard {
    pub(super) number: String,
    pub(super) name: String,
    pub(super) exp_month: String,
    pub(super) exp_year: String,
}

/// What a transaction did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    PreAuth,
    Capture,
    Refund,
    Void,
}

impl Kind {
    fn wire(self) -> &'static str {
        match self {
            Kind::PreAuth => "PRE_AUTH",
            Kind::Capture => "CAPTURE",
            Kind::Refund => "REFUND",
            Kind::Void => "VOID",
        }
    }

    fn gateway_response(self) -> (&'static str, &'static str) {
        match self {
            Kind::PreAuth => ("INFO0000", "Payment Successful."),
            Kind::Capture => ("INFO0001", "Amount successfully captured."),
            Kind::Refund => ("INFO0002", "Amount successfully refunded."),
            Kind::Void => ("INFO0003", "Authorization Successfully Cancelled."),
        }
    }
}

/// One transaction and its balances.
#[derive(Debug, Clone)]
pub(super) struct Transaction {
    pub(super) kind: Kind,
    pub(super) amount: Decimal,
    pub(super) currency: GatewayCurrency,
    pub(super) reference: String,
    pub(super) card: StoredCard,
    pub(super) reference_number: u64,
    /// For an authorization: the capture or void that closed it (then nothing more may happen).
    pub(super) closed_by: Option<Kind>,
    /// For a capture or purchase: how much has been refunded.
    pub(super) refunded: Decimal,
    /// The answer's `gateway_response`, for status (a purchase keeps `INFO0000`).
    pub(super) code: (&'static str, &'static str),
    /// Where its webhook goes (`return_url.webhook_url`), when one was given.
    pub(super) webhook_url: Option<String>,
    /// The transaction a capture, refund or void acted on.
    pub(super) parent: Option<String>,
    /// When it was recorded (Unix milliseconds), for the dashboard's order.
    pub(super) at_ms: u128,
    /// The request's `billing_address` and `shipping_address`, which the status answer
    /// returns as `transaction_details.billing_details`; `Null` when neither was sent.
    pub(super) addresses: Value,
}

/// A 3-D Secure challenge waiting for the customer: the transaction it becomes once approved.
#[derive(Debug, Clone)]
struct Challenge {
    transaction: Transaction,
    success_url: Option<String>,
    decline_url: Option<String>,
}

/// One transaction as the dashboard shows it: the card by its last four only.
#[derive(Debug, Clone)]
pub(crate) struct TransactionView {
    pub(crate) id: String,
    pub(crate) kind: &'static str,
    pub(crate) amount: Decimal,
    pub(crate) currency: &'static str,
    pub(crate) reference: String,
    pub(crate) card_last4: String,
    pub(crate) parent: Option<String>,
    pub(crate) refunded: Decimal,
    pub(crate) closed_by: Option<&'static str>,
    pub(crate) at_ms: u128,
}

/// A 3-D Secure challenge waiting for the customer.
#[derive(Debug, Clone)]
pub(crate) struct ChallengeView {
    pub(crate) id: String,
    pub(crate) amount: String,
    pub(crate) reference: String,
}

fn last4(number: &str) -> String {
    let digits: Vec<char> = number.chars().filter(char::is_ascii_digit).collect();
    digits[digits.len().saturating_sub(4)..].iter().collect()
}

/// Every transaction, oldest first.
pub(crate) fn transaction_views(state: &AppState) -> Vec<TransactionView> {
    let po = lock(&state.paymentoptions);
    let mut views: Vec<TransactionView> = po
        .transactions
        .iter()
        .map(|(id, t)| TransactionView {
            id: id.clone(),
            kind: t.kind.wire(),
            amount: t.amount,
            currency: t.currency.code(),
            reference: t.reference.clone(),
            card_last4: last4(&t.card.number),
            parent: t.parent.clone(),
            refunded: t.refunded,
            closed_by: t.closed_by.map(Kind::wire),
            at_ms: t.at_ms,
        })
        .collect();
    views.sort_by(|a, b| a.at_ms.cmp(&b.at_ms).then_with(|| a.id.cmp(&b.id)));
    views
}

/// The challenges waiting for a decision.
pub(crate) fn challenge_views(state: &AppState) -> Vec<ChallengeView> {
    let po = lock(&state.paymentoptions);
    let mut views: Vec<ChallengeView> = po
        .challenges
        .iter()
        .map(|(id, c)| ChallengeView {
            id: id.clone(),
            amount: format!("{} {}", c.transaction.amount, c.transaction.currency.code()),
            reference: c.transaction.reference.clone(),
        })
        .collect();
    views.sort_by(|a, b| a.id.cmp(&b.id));
    views
}

pub(crate) use hosted::link_views;
pub(crate) use subscriptions::subscription_views;

#[derive(Debug, Default)]
pub(crate) struct PaymentOptionsState {
    tokens: HashMap<String, StoredCard>,
    pub(super) transactions: HashMap<String, Transaction>,
    challenges: HashMap<String, Challenge>,
    pub(super) next_ref: u64,
    pub(super) subscriptions: std::collections::BTreeMap<String, subscriptions::Subscription>,
    pub(super) links: HashMap<String, hosted::Link>,
}

pub(super) fn json_answer(status: StatusCode, value: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

pub(super) fn error(status: StatusCode, code: &str, message: &str) -> Response {
    json_answer(
        status,
        json!({"success": false, "status_code": status.as_u16(),
               "gateway_response": {"version": "1", "type": "ERROR", "message": message, "code": code}}),
    )
}

/// `POST …/server-to-server-interface/{operation}`: the card operations and the follow-ups.
pub(crate) async fn operation(
    State(state): State<Arc<AppState>>,
    Path(operation): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let known = [
        "payment",
        "paymentv2",
        "authorization",
        "authorizationv2",
        "capture",
        "void",
        "refund",
    ];
    if !known.contains(&operation.as_str()) {
        return error(StatusCode::NOT_FOUND, "NOT_FOUND", "Unknown operation");
    }
    let fault = state.faults.take(Provider::Paymentoptions, &operation);
    faults::apply(fault, || async {
        if let Some(refused) = authenticate(&state, &headers, true) {
            return refused;
        }
        let Ok(body) = serde_json::from_slice::<Value>(&body) else {
            return error(StatusCode::BAD_REQUEST, "VAL0001", "Malformed JSON body");
        };
        match operation.as_str() {
            "capture" | "refund" => follow_up_with_amount(&state, &operation, &body),
            "void" => void(&state, &body),
            card_operation => {
                let v2 = card_operation.ends_with("v2");
                let kind = if card_operation.starts_with("authorization") {
                    Kind::PreAuth
                } else {
                    Kind::Capture
                };
                handle(&state, v2, kind, &body)
            }
        }
    })
    .await
}

/// `GET …/server-to-server-interface/transaction/status/{transactionId}`.
pub(crate) async fn status(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let fault = state.faults.take(Provider::Paymentoptions, "status");
    faults::apply(fault, || async {
        if let Some(refused) = authenticate(&state, &headers, false) {
            return refused;
        }
        let po = lock(&state.paymentoptions);
        match po.transactions.get(&id) {
            Some(transaction) => json_answer(StatusCode::OK, status_json(&state, &id, transaction)),
            None => not_found(),
        }
    })
    .await
}

/// Both keys, and JSON where a body is sent.
pub(super) fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    with_body: bool,
) -> Option<Response> {
    let settings = &state.config.paymentoptions;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if header("authorization") != Some(format!("Basic {}", settings.api_key).as_str())
        || header("x-api-key") != Some(settings.api_key.as_str())
    {
        state
            .activity
            .refused(PROVIDER, "any", "AUTH0001: Invalid API key");
        return Some(error(
            StatusCode::UNAUTHORIZED,
            "AUTH0001",
            "Invalid API key",
        ));
    }
    if with_body && !header("content-type").is_some_and(|c| c.starts_with("application/json")) {
        return Some(error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "VAL0000",
            "Content-Type must be application/json",
        ));
    }
    None
}

pub(super) fn not_found() -> Response {
    // Invented: the documents show no answer for an unknown id.
    error(StatusCode::NOT_FOUND, "VAL0404", "Transaction not found")
}

/// A refusal in the documented decline shape (`success: false`), with the risk code.
fn refused(code: &str, message: &str, response_code: i64) -> Response {
    json_answer(
        StatusCode::PAYMENT_REQUIRED,
        json!({"success": false, "status_code": 402, "is_live": false,
               "gateway_response": {"version": "1", "type": "ERROR", "message": message, "code": code},
               "payment_details": {"response_code": response_code}}),
    )
}

/// The `transactionId` and `merchant_id` every follow-up carries.
/// The error is the `VAL0002` message to answer with.
fn follow_up_target<'a>(state: &AppState, body: &'a Value) -> Result<&'a str, &'static str> {
    if body.get("merchant_id").and_then(Value::as_str)
        != Some(state.config.paymentoptions.merchant_id.as_str())
    {
        return Err("Invalid merchant_id");
    }
    body.get("transactionId")
        .and_then(Value::as_str)
        .filter(|id| !id.trim().is_empty())
        .ok_or("transactionId is required")
}

/// Capture (of an open authorization, at most its amount) or refund (of a capture, at most
/// what is left).
fn follow_up_with_amount(state: &AppState, operation: &str, body: &Value) -> Response {
    let invalid = |message: &str| error(StatusCode::BAD_REQUEST, "VAL0002", message);
    let target_id = match follow_up_target(state, body) {
        Ok(id) => id,
        Err(message) => return error(StatusCode::BAD_REQUEST, "VAL0002", message),
    };
    // Documented as a JSON number: a string is refused, as strict as the examples.
    let Some(amount) = body
        .get("amount")
        .filter(|a| a.is_number())
        .and_then(|a| Decimal::from_str_exact(&a.to_string()).ok())
        .filter(|a| *a > Decimal::ZERO)
    else {
        return invalid("amount must be a positive JSON number");
    };
    if body.get("notes").is_some_and(|n| !n.is_string()) {
        return invalid("notes must be text");
    }
    let mut po = lock(&state.paymentoptions);
    let Some(target) = po.transactions.get(target_id).cloned() else {
        return not_found();
    };
    let kind = if operation == "capture" {
        if target.kind != Kind::PreAuth || target.closed_by.is_some() {
            return invalid("Only an open authorization can be captured");
        }
        if amount > target.amount {
            // Invented code: the documents say only that no more than authorized is captured.
            return refused("VAL0101", "Amount exceeds the authorized amount", -1);
        }
        Kind::Capture
    } else {
        if target.kind != Kind::Capture {
            return invalid("Only a captured or purchased transaction can be refunded");
        }
        if target.refunded + amount > target.amount {
            return refused("ERR3019", "Insufficient refund balance", -8019);
        }
        Kind::Refund
    };
    if let Some(parent) = po.transactions.get_mut(target_id) {
        match kind {
            Kind::Capture => parent.closed_by = Some(Kind::Capture),
            _ => parent.refunded += amount,
        }
    }
    let (id, transaction) = po.record(kind, amount, target_id, &target);
    let event = if kind == Kind::Capture {
        "card_captured"
    } else {
        "card_refunded"
    };
    state.ledger.record(
        PROVIDER,
        event,
        &transaction.reference,
        &id,
        amount.to_string(),
        transaction.currency.code(),
    );
    transaction_answer(state, StatusCode::CREATED, &id, &transaction)
}

/// Void of an open authorization.
fn void(state: &AppState, body: &Value) -> Response {
    let target_id = match follow_up_target(state, body) {
        Ok(id) => id,
        Err(message) => return error(StatusCode::BAD_REQUEST, "VAL0002", message),
    };
    let mut po = lock(&state.paymentoptions);
    let Some(target) = po.transactions.get(target_id).cloned() else {
        return not_found();
    };
    if target.kind != Kind::PreAuth || target.closed_by.is_some() {
        return error(
            StatusCode::BAD_REQUEST,
            "VAL0002",
            "Only an authorization that was not captured can be voided",
        );
    }
    if let Some(parent) = po.transactions.get_mut(target_id) {
        parent.closed_by = Some(Kind::Void);
    }
    let (id, transaction) = po.record(Kind::Void, target.amount, target_id, &target);
    state.ledger.record(
        PROVIDER,
        "authorization_voided",
        &transaction.reference,
        &id,
        target.amount.to_string(),
        transaction.currency.code(),
    );
    transaction_answer(state, StatusCode::CREATED, &id, &transaction)
}

impl PaymentOptionsState {
    /// Records a follow-up transaction of `kind` on `parent`, under a new id.
    fn record(
        &mut self,
        kind: Kind,
        amount: Decimal,
        parent_id: &str,
        parent: &Transaction,
    ) -> (String, Transaction) {
        self.next_ref += 1;
        let transaction = Transaction {
            kind,
            amount,
            currency: parent.currency,
            reference: parent.reference.clone(),
            card: parent.card.clone(),
            reference_number: 74_797 + self.next_ref,
            closed_by: None,
            refunded: Decimal::ZERO,
            code: kind.gateway_response(),
            webhook_url: parent.webhook_url.clone(),
            addresses: parent.addresses.clone(),
            parent: Some(parent_id.to_owned()),
            at_ms: crate::activity::now_ms(),
        };
        let id = new_transaction_id();
        self.transactions.insert(id.clone(), transaction.clone());
        (id, transaction)
    }
}

/// The documented answer shape for one transaction (capture/refund/void/status samples).
fn transaction_answer(
    state: &AppState,
    status: StatusCode,
    id: &str,
    transaction: &Transaction,
) -> Response {
    json_answer(
        status,
        transaction_json(state, status.as_u16(), id, transaction),
    )
}

/// The documented answer (and webhook) body for one transaction.
pub(super) fn transaction_json(
    state: &AppState,
    status_code: u16,
    id: &str,
    transaction: &Transaction,
) -> Value {
    // A JSON number, written exactly as the major-unit decimal (as the documented `1000`).
    let amount: Value =
        serde_json::from_str(&transaction.amount.to_string()).unwrap_or(Value::Null);
    let card = &transaction.card;
    json!({
        "success": true, "status_code": status_code, "is_live": false,
        "transaction_type": transaction.kind.wire(),
        "gateway_response": {"version": "1", "type": "INFO", "message": transaction.code.1, "code": transaction.code.0},
        "merchant_details": {"legal_name": "Sandbox Merchant", "mid": state.config.paymentoptions.merchant_id,
                             "merchant_txn_ref": transaction.reference},
        "payment_details": {
            "amount": amount, "response_code": 0,
            "auth_code": format!("{:06}", transaction.reference_number % 1_000_000),
            "currency": transaction.currency.code(), "payment_method": "ECMC-SSL", "scheme": scheme(&card.number),
            // Echoed in full, like the real gateway: the client must mask it.
            "card": {"name": card.name, "number": card.number, "exp_month": card.exp_month, "exp_year": card.exp_year},
            "additional_data": {"payment_data_source": {"type": "card"}}
        },
        "transaction_details": {"id": id, "ref": transaction.reference_number,
                                "timestamp": "2024-11-25T08:41:15.000Z", "merchant_txn_ref": transaction.reference}
    })
}

/// The status sample's shape: the transaction answer plus `payment_details.responseDescription`,
/// `risk_details` (spelled with an underscore here, unlike the purchase samples' `risk-details`)
/// and the addresses under `transaction_details.billing_details`, without the transaction's
/// `merchant_txn_ref` (which stays in `merchant_details`).
///
/// The status reports where the transaction stands now, as the status page's sample of "a
/// captured txn" answers `CAPTURE` with `INFO0000`: an authorization captured or voided since
/// answers `CAPTURE` or `VOID`, a capture or purchase refunded (in part or whole) `REFUND`.
fn status_json(state: &AppState, id: &str, transaction: &Transaction) -> Value {
    let mut answer = transaction_json(state, StatusCode::OK.as_u16(), id, transaction);
    let now = match (transaction.kind, transaction.closed_by) {
        (Kind::PreAuth, Some(closed_by)) => closed_by,
        (Kind::Capture, _) if !transaction.refunded.is_zero() => Kind::Refund,
        (kind, _) => kind,
    };
    answer["transaction_type"] = json!(now.wire());
    answer["payment_details"]["responseDescription"] =
        json!("The transaction was completed successfully.");
    answer["risk_details"] = json!({"risk_score": null});
    if let Some(details) = answer["transaction_details"].as_object_mut() {
        details.remove("merchant_txn_ref");
        if !transaction.addresses.is_null() {
            details.insert("billing_details".into(), transaction.addresses.clone());
        }
    }
    answer
}

/// The request's addresses as the status answer's `billing_details`.
fn addresses(body: &Value) -> Value {
    let mut details = serde_json::Map::new();
    for key in ["billing_address", "shipping_address"] {
        if let Some(address) = body.get(key).filter(|a| a.is_object()) {
            details.insert(key.into(), address.clone());
        }
    }
    if details.is_empty() {
        Value::Null
    } else {
        Value::Object(details)
    }
}

/// The fields of `billing_address` and `shipping_address`.
const ADDRESS_FIELDS: &[&str] = &[
    "country",
    "email",
    "phone_number",
    "address1",
    "city",
    "state",
    "postal_code",
];

/// The documented fields of each object inside a payment request (harvest §1.4, the 3-D Secure
/// attribute table and the tokenization pages). Unknown top-level fields are accepted, as the
/// gateway's samples differ there; a misspelt field inside one of these objects is refused.
const REQUEST_OBJECTS: &[(&str, &[&str])] = &[
    ("billing_address", ADDRESS_FIELDS),
    ("shipping_address", ADDRESS_FIELDS),
    (
        "card",
        &["number", "expiry_month", "expiry_year", "cvc", "name"],
    ),
    (
        "return_url",
        &["webhook_url", "success_url", "decline_url", "cancel_url"],
    ),
    (
        "payment_method",
        &["type", "store_payment_method", "stored_payment_method_id"],
    ),
    (
        "browser_info",
        &[
            "acceptHeader",
            "screenColorDepth",
            "javaEnabled",
            "language",
            "screenHeight",
            "screenWidth",
            "challengeWindow",
            "userAgent",
        ],
    ),
];

/// The first field inside a request object that the documents do not list, as `object.field`.
pub(super) fn unknown_nested_field(body: &Value) -> Option<String> {
    REQUEST_OBJECTS.iter().find_map(|(object, known)| {
        body.get(*object)?
            .as_object()?
            .keys()
            .find(|key| !known.contains(&key.as_str()))
            .map(|key| format!("{object}.{key}"))
    })
}

pub(super) fn handle(state: &AppState, v2: bool, kind: Kind, body: &Value) -> Response {
    let settings = &state.config.paymentoptions;
    let text = |key: &str| body.get(key).and_then(Value::as_str);
    let invalid = |message: &str| error(StatusCode::BAD_REQUEST, "VAL0002", message);
    // Invented wording: no page shows the validation answer for an unknown field.
    if let Some(field) = unknown_nested_field(body) {
        return invalid(&format!("Unknown field {field}"));
    }
    let Some(currency) = text("currency").and_then(GatewayCurrency::parse) else {
        return invalid("Invalid currency");
    };
    let Some(amount) = text("amount").and_then(|a| currency.amount(a)) else {
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
    if v2
        && body
            .get("return_url")
            .and_then(|r| r.get("success_url"))
            .and_then(Value::as_str)
            .is_none()
    {
        return invalid("return_url.success_url is mandatory for 3-D Secure");
    }
    let return_url = |key: &str| {
        body.get("return_url")
            .and_then(|r| r.get(key))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let transaction = Transaction {
        kind,
        amount,
        currency,
        reference: reference.to_owned(),
        card: card.clone(),
        reference_number,
        closed_by: None,
        refunded: Decimal::ZERO,
        code: ("INFO0000", "Payment Successful."),
        webhook_url: return_url("webhook_url"),
        addresses: addresses(body),
        parent: None,
        at_ms: crate::activity::now_ms(),
    };
    if v2 && card.number == CHALLENGE_CARD && stored_id.is_none() {
        po.challenges.insert(
            transaction_id.clone(),
            Challenge {
                transaction,
                success_url: return_url("success_url"),
                decline_url: return_url("decline_url"),
            },
        );
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
    let kind = if store || stored_id.is_some() {
        // Tokenizing and paying with a token charge the card, as the token pages show.
        Kind::Capture
    } else {
        kind
    };
    po.transactions.insert(
        transaction_id.clone(),
        Transaction {
            kind,
            ..transaction
        },
    );
    state.ledger.record(
        PROVIDER,
        if kind == Kind::PreAuth {
            "card_authorized"
        } else {
            "card_charged"
        },
        reference,
        &transaction_id,
        amount.to_string(),
        currency.code(),
    );
    // A JSON number, written exactly as the major-unit decimal (as the documented `1000`).
    let amount_number: Value = serde_json::from_str(&amount.to_string()).unwrap_or(Value::Null);
    json_answer(
        StatusCode::CREATED,
        json!({
            "success": true, "status_code": 201, "is_live": false, "transaction_type": kind.wire(),
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
                // The token stored now, or the one paid with (as the use-token sample echoes it).
                "stored_payment_method_id": token.as_deref().or(stored_id)
            },
            "risk-details": {"risk_score": null}
        }),
    )
}

pub(super) fn validate_card(card: &Value) -> Result<StoredCard, &'static str> {
    let field = |key: &str| card.get(key).and_then(Value::as_str).unwrap_or_default();
    let number = field("number");
    if !checks::card_number_is_valid(number) {
        return Err("Invalid card number");
    }
    if !checks::cvc_is_valid(field("cvc")) {
        return Err("Invalid cvc");
    }
    if !checks::expiry_is_valid(field("expiry_month"), field("expiry_year")) {
        return Err("Invalid expiry");
    }
    if field("name").trim().is_empty() {
        return Err("Card holder name is required");
    }
    Ok(StoredCard {
        number: number.to_owned(),
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

/// `GET /3ds/challenge/{id}`: the customer's 3-D Secure page, with approve and decline buttons.
pub(crate) async fn challenge_page(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Response {
    if !lock(&state.paymentoptions).challenges.contains_key(&id) {
        return (StatusCode::NOT_FOUND, "no such challenge\n").into_response();
    }
    // The id is one the sandbox made (hex and dashes): safe to put in the page as it is.
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        format!(
            "<!doctype html><html><body><h1>Sandbox 3-D Secure</h1>\
             <p>Challenge for transaction {id}</p>\
             <form method=\"post\" action=\"/3ds/challenge/{id}/approve\"><button>Approve</button></form>\
             <form method=\"post\" action=\"/3ds/challenge/{id}/decline\"><button>Decline</button></form>\
             </body></html>"
        ),
    )
        .into_response()
}

/// `POST /3ds/challenge/{id}/{approve|decline}`: the customer's answer. The gateway posts the
/// webhook and sends the customer to `success_url` or `decline_url` (303).
pub(crate) async fn challenge_answer(
    State(state): State<Arc<AppState>>,
    Path((id, decision)): Path<(String, String)>,
) -> Response {
    customer_answer(resolve_challenge(&state, &id, &decision))
}

/// What a customer's answer on a gateway page led to: the webhook body, and where the
/// customer goes next (or the refusal).
pub(super) type Resolution = Result<(Value, Option<String>), Box<Response>>;

/// The customer's browser is sent on (303), or shown the webhook body when there is nowhere.
pub(super) fn customer_answer(resolution: Resolution) -> Response {
    match resolution {
        Ok((_, Some(url))) => (StatusCode::SEE_OTHER, [(header::LOCATION, url)]).into_response(),
        Ok((body, None)) => json_answer(StatusCode::OK, body),
        Err(response) => *response,
    }
}

/// A control endpoint answers with the webhook body.
pub(super) fn control_answer(resolution: Resolution) -> Response {
    match resolution {
        Ok((body, _)) => json_answer(StatusCode::OK, body),
        Err(response) => *response,
    }
}

/// Posts a webhook in the background (the customer's redirect does not wait for it).
pub(super) fn spawn_webhook(state: &AppState, url: Option<String>, body: &Value) {
    if let Some(url) = url {
        let body = body.clone();
        let activity = state.activity.clone();
        tokio::spawn(async move {
            if let Err(reason) = post_webhook(&activity, &url, &body).await {
                tracing::warn!(%reason, "webhook failed");
            }
        });
    }
}

/// `POST /_sandbox/paymentoptions/challenges/{id}/{approve|decline}`: the same, for tests; the
/// answer is the webhook body.
pub(crate) async fn control_challenge(
    State(state): State<Arc<AppState>>,
    Path((id, decision)): Path<(String, String)>,
) -> Response {
    control_answer(resolve_challenge(&state, &id, &decision))
}

/// `POST /_sandbox/paymentoptions/webhooks/{id}`: sends a transaction's webhook again.
pub(crate) async fn control_resend_webhook(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Response {
    let found = lock(&state.paymentoptions).transactions.get(&id).cloned();
    let Some(transaction) = found else {
        return not_found();
    };
    let Some(url) = transaction.webhook_url.clone() else {
        return error(
            StatusCode::BAD_REQUEST,
            "VAL0002",
            "The transaction has no webhook_url",
        );
    };
    let body = transaction_json(&state, 200, &id, &transaction);
    match post_webhook(&state.activity, &url, &body).await {
        Ok(status) => json_answer(StatusCode::OK, json!({"sent_to": url, "status": status})),
        Err(reason) => error(StatusCode::BAD_GATEWAY, "SANDBOX", &reason),
    }
}

/// Approves or declines a pending challenge: records the transaction (approve), posts the
/// webhook in the background, and returns its body with where the customer goes next.
fn resolve_challenge(state: &Arc<AppState>, id: &str, decision: &str) -> Resolution {
    let approve = match decision {
        "approve" => true,
        "decline" => false,
        _ => return Err(Box::new(not_found())),
    };
    let mut po = lock(&state.paymentoptions);
    let Some(challenge) = po.challenges.remove(id) else {
        return Err(Box::new(not_found()));
    };
    let transaction = challenge.transaction;
    let (body, next) = if approve {
        po.transactions.insert(id.to_owned(), transaction.clone());
        state.ledger.record(
            PROVIDER,
            if transaction.kind == Kind::PreAuth {
                "card_authorized"
            } else {
                "card_charged"
            },
            &transaction.reference,
            id,
            transaction.amount.to_string(),
            transaction.currency.code(),
        );
        (
            transaction_json(state, 200, id, &transaction),
            challenge.success_url,
        )
    } else {
        // Invented shape and code: the documents show no failed 3-D Secure webhook.
        let body = json!({"success": false, "status_code": 200, "is_live": false,
            "gateway_response": {"version": "1", "type": "ERROR",
                                 "message": "3-D Secure authentication failed", "code": "ERR0006"},
            "transaction_details": {"id": id, "merchant_txn_ref": transaction.reference}});
        (body, challenge.decline_url)
    };
    drop(po);
    spawn_webhook(state, transaction.webhook_url.clone(), &body);
    Ok((body, next))
}

/// [`resolve_challenge`] for the library's API.
pub(crate) fn answer_challenge(
    state: &Arc<AppState>,
    id: &str,
    approve: bool,
) -> Result<(), String> {
    resolve_challenge(state, id, if approve { "approve" } else { "decline" })
        .map(|_| ())
        .map_err(|_| format!("no pending challenge {id}"))
}

/// Posts a webhook body to a loopback URL (the sandbox never calls out of this machine), and
/// records it with what came back.
pub(super) async fn post_webhook(
    activity: &crate::activity::Activity,
    url: &str,
    body: &Value,
) -> Result<u16, String> {
    let answer = post_webhook_now(url, body).await;
    let subject = body["transaction_details"]["id"]
        .as_str()
        .unwrap_or_default();
    activity.callback(PROVIDER, "webhook", subject, url, answer.clone());
    answer
}

async fn post_webhook_now(url: &str, body: &Value) -> Result<u16, String> {
    let parsed =
        payments_core::Url::parse(url).map_err(|_| "webhook_url is not a URL".to_owned())?;
    if !payments_core::http::is_loopback(&parsed) {
        return Err("the sandbox posts webhooks to loopback addresses only".into());
    }
    let client = crate::loopback_http()
        .timeout(std::time::Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    client
        .post(parsed)
        .json(body)
        .send()
        .await
        .map(|r| r.status().as_u16())
        .map_err(|e| e.without_url().to_string())
}
