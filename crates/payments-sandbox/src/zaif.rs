//! Zaif's `POST /ecapi`, strictly: key and hashed secret, a nonce greater than the last one for
//! the key, the four methods, invoice states over time, and payment notifications.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use md5::Md5;
use payments_core::Decimal;
use serde_json::{Value, json};
use sha1::{Digest, Sha1};

use crate::AppState;
use crate::faults::{self, Provider, lock};
use crate::random_uuid as new_invoice_id;

const PROVIDER: &str = "zaif";

/// One invoice.
#[derive(Debug, Clone)]
pub(crate) struct Invoice {
    id: String,
    created: u64,
    expired: u64,
    /// Whole yen, or the asset amount when billed in the asset (`billingCurrency`).
    amount: Decimal,
    currency: String,
    rate: Option<Decimal>,
    crypto: Decimal,
    address: String,
    speed: String,
    params: BTreeMap<String, String>,
    paid_at: Option<Instant>,
    canceled: bool,
}

impl Invoice {
    /// The status now: computed from when it was paid, its expiry and cancellation.
    fn status(&self, interval: Duration) -> &'static str {
        if self.canceled {
            return "canceled";
        }
        match self.paid_at {
            Some(paid) => match confirmations(paid, interval) {
                0 => "paid",
                1..=5 => "confirmed",
                _ => "complete",
            },
            None if now_secs() >= self.expired => "expired",
            None => "new",
        }
    }

    /// When it counted as settled for its speed, if it has.
    fn settled(&self, interval: Duration) -> Option<u64> {
        let paid = self.paid_at?;
        let needed = match self.speed.as_str() {
            "high" => 0,
            "low" => 6,
            _ => 1,
        };
        if confirmations(paid, interval) < needed {
            return None;
        }
        let settled_after = interval * needed;
        let paid_unix = now_secs().saturating_sub(paid.elapsed().as_secs());
        Some(paid_unix + settled_after.as_secs())
    }

    /// The currency of `amount`: JPY, or the asset when billed in it (then there is no rate).
    fn priced_in(&self) -> String {
        match self.rate {
            Some(_) => "JPY".to_owned(),
            None => self.currency.to_ascii_uppercase(),
        }
    }

    /// The merchant's order number, empty when none was sent.
    fn order_number(&self) -> String {
        self.params.get("orderNumber").cloned().unwrap_or_default()
    }

    fn bip21(&self) -> String {
        let scheme = match self.currency.as_str() {
            "btc" => "bitcoin",
            "mona" => "monacoin",
            other => other,
        };
        format!("{scheme}:{}?amount={}", self.address, self.crypto)
    }

    fn common_fields(&self) -> serde_json::Map<String, Value> {
        let mut fields = serde_json::Map::new();
        fields.insert("invoiceId".into(), json!(self.id));
        fields.insert("created".into(), json!(self.created));
        fields.insert("expired".into(), json!(self.expired));
        // Yen as a JSON integer, as in the seed's examples; an asset amount as a decimal
        // string, as Zaif writes every asset amount.
        let amount = match self.rate {
            Some(_) => json!(u64::try_from(self.amount).unwrap_or_default()),
            None => json!(self.amount.to_string()),
        };
        fields.insert("amount".into(), amount);
        fields.insert("currency".into(), json!(self.currency));
        if let Some(rate) = self.rate {
            fields.insert("rate".into(), json!(rate.to_string()));
        }
        fields.insert(self.currency.clone(), json!(self.crypto.to_string()));
        fields.insert("address".into(), json!(self.address));
        fields.insert("BIP21".into(), json!(self.bip21()));
        fields.insert("speed".into(), json!(self.speed));
        for key in ["orderNumber", "referenceNumber", "buyerId"] {
            if let Some(value) = self.params.get(key) {
                fields.insert(key.into(), json!(value));
            }
        }
        fields
    }
}

fn confirmations(paid: Instant, interval: Duration) -> u32 {
    if interval.is_zero() {
        return 6;
    }
    u32::try_from(paid.elapsed().as_millis() / interval.as_millis().max(1)).unwrap_or(u32::MAX)
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[derive(Debug, Default)]
pub(crate) struct ZaifState {
    last_nonce: HashMap<String, Decimal>,
    /// Invoices with a `notificationUri` whose notification has not been sent yet.
    awaiting_notification: std::collections::BTreeSet<String>,
    pub(crate) nonce_rejections: u64,
    /// Authenticated calls per API key.
    pub(crate) calls_by_key: BTreeMap<String, u64>,
    invoices: BTreeMap<String, Invoice>,
    /// When each (key, method) was last called, for `ZaifSettings::method_interval`.
    last_call: HashMap<(String, String), std::time::Instant>,
}

impl ZaifState {
    fn invoice_mut(&mut self, invoice_id: &str) -> Result<&mut Invoice, String> {
        self.invoices
            .get_mut(invoice_id)
            .ok_or_else(|| format!("no invoice {invoice_id}"))
    }
}

/// One invoice as the dashboard shows it.
#[derive(Debug, Clone)]
pub(crate) struct InvoiceView {
    pub(crate) id: String,
    pub(crate) order_number: Option<String>,
    pub(crate) status: &'static str,
    /// `10800 JPY`, or the asset amount when billed in the asset.
    pub(crate) amount: String,
    /// `0.359856 btc`.
    pub(crate) due: String,
    pub(crate) address: String,
    pub(crate) created: u64,
}

/// Every invoice, newest first.
pub(crate) fn invoice_views(state: &AppState) -> Vec<InvoiceView> {
    let interval = state.config.zaif.confirmation_interval;
    let zaif = lock(&state.zaif);
    let mut views: Vec<InvoiceView> = zaif
        .invoices
        .values()
        .map(|invoice| InvoiceView {
            id: invoice.id.clone(),
            order_number: invoice.params.get("orderNumber").cloned(),
            status: invoice.status(interval),
            amount: match invoice.rate {
                Some(_) => format!("{} JPY", invoice.amount),
                None => format!("{} {}", invoice.amount, invoice.currency),
            },
            due: format!("{} {}", invoice.crypto, invoice.currency),
            address: invoice.address.clone(),
            created: invoice.created,
        })
        .collect();
    views.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| a.id.cmp(&b.id)));
    views
}

fn answer(value: Value) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

fn success(value: Value) -> Response {
    answer(json!({"success": 1, "return": value}))
}

fn failure(text: &str) -> Response {
    answer(json!({"success": 0, "error": text}))
}

/// `POST /ecapi`.
///
/// Fields come from a form body (urlencoded or multipart, as a PHP server reads them); any other
/// body carries none, and the request then fails the credential check.
pub(crate) async fn ecapi(
    State(state): State<Arc<AppState>>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Response {
    let form = crate::form::post_fields(&headers, body).await;
    let method = form.get("method").cloned().unwrap_or_default();
    let fault = state.faults.take(Provider::Zaif, &method);
    faults::apply(fault, || async { handle(&state, &method, &form) }).await
}

/// A nonce as the common page documents it: an integer of 1 or more, or (since 2016) a
/// decimal such as a unixtime with microseconds. Signs, exponents and blanks are refused.
fn parse_nonce(text: &str) -> Option<Decimal> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) {
        return None;
    }
    Decimal::from_str_exact(text)
        .ok()
        .filter(|nonce| *nonce >= Decimal::ONE)
}

fn handle(state: &AppState, method: &str, form: &HashMap<String, String>) -> Response {
    let settings = &state.config.zaif;
    let key = form.get("key").cloned().unwrap_or_default();
    let texts = settings.error_texts;
    let secret = std::iter::once((&settings.api_key, &settings.api_secret))
        .chain(settings.additional_keys.iter().map(|(k, s)| (k, s)))
        .find(|(accepted, _)| **accepted == key)
        .map(|(_, secret)| secret.as_bytes());
    // Refused before processing: recorded for the dashboard, with Zaif's own words.
    let refuse = |text: &str| {
        state.activity.refused(PROVIDER, method, text);
        failure(text)
    };
    let Some(secret) = secret else {
        return refuse(texts.unknown_key());
    };
    // The documented credentials: the lowercase hex md5 or sha1 of the secret, computed here
    // with the hashing crates, not with the client's code.
    let authenticated = match (form.get("sha1secret"), form.get("md5secret")) {
        (Some(hash), None) => *hash == hex::encode(Sha1::digest(secret)),
        (None, Some(hash)) => *hash == hex::encode(Md5::digest(secret)),
        _ => false,
    };
    if !authenticated {
        return refuse(texts.wrong_secret());
    }
    let Some(nonce) = form.get("nonce").and_then(|n| parse_nonce(n)) else {
        return refuse(&texts.invalid_parameter("nonce"));
    };
    if settings.max_nonce.is_some_and(|max| nonce > max) {
        return refuse("nonce out of range");
    }
    let mut zaif = lock(&state.zaif);
    if zaif.last_nonce.get(&key).is_some_and(|last| nonce <= *last) {
        zaif.nonce_rejections += 1;
        drop(zaif);
        return refuse("nonce not incremented");
    }
    if let Some(interval) = settings.method_interval {
        let now = std::time::Instant::now();
        let turn = (key.clone(), method.to_owned());
        if zaif
            .last_call
            .get(&turn)
            .is_some_and(|last| now.duration_since(*last) < interval)
        {
            return failure("time wait restriction, please try later.");
        }
        zaif.last_call.insert(turn, now);
    }
    *zaif.calls_by_key.entry(key.clone()).or_default() += 1;
    zaif.last_nonce.insert(key, nonce);
    let interval = settings.confirmation_interval;
    match method {
        "createInvoice" => create_invoice(state, &mut zaif, form),
        "getInvoice" => {
            let Some(invoice) = form.get("invoiceId").and_then(|id| zaif.invoices.get(id)) else {
                return failure(&texts.invalid_parameter("invoiceId"));
            };
            let mut fields = invoice.common_fields();
            fields.insert("status".into(), json!(invoice.status(interval)));
            fields.insert(
                "settled".into(),
                json!(invoice.settled(interval).unwrap_or(0)),
            );
            success(Value::Object(fields))
        }
        "getInvoiceIdsByOrderNumber" => {
            let Some(order) = form.get("orderNumber") else {
                return failure(&texts.invalid_parameter("orderNumber"));
            };
            let ids: Vec<&String> = zaif
                .invoices
                .values()
                .filter(|i| i.params.get("orderNumber") == Some(order))
                .map(|i| &i.id)
                .collect();
            let count = ids.len();
            let ids = if ids.is_empty() {
                Value::Null
            } else {
                json!(ids)
            };
            success(json!({"invoideIds": ids, "counts": count}))
        }
        "cancelInvoice" => {
            let Some(invoice) = form
                .get("invoiceId")
                .and_then(|id| zaif.invoices.get_mut(id))
            else {
                return failure(&texts.invalid_parameter("invoiceId"));
            };
            match invoice.status(interval) {
                "new" => {
                    invoice.canceled = true;
                    // The documented answer: the whole invoice, its status now `canceled`.
                    let mut fields = invoice.common_fields();
                    fields.insert("status".into(), json!("canceled"));
                    fields.insert("settled".into(), json!(0));
                    let (id, amount) = (invoice.id.clone(), invoice.amount);
                    let order = invoice.order_number();
                    state.ledger.record(
                        PROVIDER,
                        "invoice_canceled",
                        &order,
                        &id,
                        amount.to_string(),
                        &invoice.priced_in(),
                    );
                    success(Value::Object(fields))
                }
                "expired" => failure("invoice is already expired"),
                "canceled" => failure("invoice is already canceled"),
                _ => failure("invoice is already paid"),
            }
        }
        "getSupportedCurrencies" => {
            // Undocumented (public plugins call it); the sandbox answers with its rates' codes.
            let currencies: serde_json::Map<String, Value> = settings
                .rates
                .keys()
                .map(|code| (code.clone(), json!(code.to_ascii_uppercase())))
                .collect();
            success(Value::Object(currencies))
        }
        // The general error list's text for an unknown method.
        _ => failure("method not found"),
    }
}

const KNOWN_PARAMS: &[&str] = &[
    "method",
    "key",
    "md5secret",
    "sha1secret",
    "nonce",
    "speed",
    "notificationUri",
    "notificationMethod",
    "redirectUri",
    "currency",
    "amount",
    "subTotal",
    "tax",
    "regularPrice",
    "discount",
    "merchantName",
    "orderNumber",
    "referenceNumber",
    "itemName",
    "buyerId",
    "buyerName",
    "buyerKana",
    "buyerZip",
    "buyerAddr1",
    "buyerAddr2",
    "buyerAddr3",
    "buyerPhone",
    "buyerCellphone",
    "buyerEmail",
    "billingCurrency",
];

fn create_invoice(
    state: &AppState,
    zaif: &mut ZaifState,
    form: &HashMap<String, String>,
) -> Response {
    let settings = &state.config.zaif;
    let texts = settings.error_texts;
    if let Some(unknown) = form.keys().find(|k| !KNOWN_PARAMS.contains(&k.as_str())) {
        return failure(&texts.invalid_parameter(unknown));
    }
    let currency = form.get("currency").cloned().unwrap_or_default();
    let Some(rate) = settings.rates.get(&currency).copied() else {
        return failure(&texts.invalid_parameter("currency"));
    };
    // Whole yen, or the name of the parameter that is not.
    let whole_yen = |name: &'static str| -> Result<Option<u64>, &'static str> {
        form.get(name)
            .map(|v| v.parse::<u64>().map_err(|_| name))
            .transpose()
    };
    let billing = form.get("billingCurrency");
    if billing.is_some_and(|b| *b != currency) {
        return failure(&texts.invalid_parameter("billingCurrency"));
    }
    let amount = match billing {
        // In the asset: a positive decimal with at most 8 places.
        Some(_) => match form
            .get("amount")
            .and_then(|a| Decimal::from_str_exact(a).ok())
        {
            Some(amount) if amount > Decimal::ZERO && amount.scale() <= 8 => amount,
            _ => return failure(&texts.invalid_parameter("amount")),
        },
        None => match whole_yen("amount") {
            Ok(Some(amount)) if amount > 0 => Decimal::from(amount),
            _ => return failure(&texts.invalid_parameter("amount")),
        },
    };
    for name in ["subTotal", "tax", "regularPrice", "discount"] {
        if let Err(name) = whole_yen(name) {
            return failure(&texts.invalid_parameter(name));
        }
    }
    let speed = form
        .get("speed")
        .cloned()
        .unwrap_or_else(|| "medium".into());
    if !matches!(speed.as_str(), "high" | "medium" | "low") {
        return failure(&texts.invalid_parameter("speed"));
    }
    if form
        .get("notificationMethod")
        .is_some_and(|m| m != "GET" && m != "POST")
    {
        return failure(&texts.invalid_parameter("notificationMethod"));
    }
    let crypto = match billing {
        // Billed in the asset itself: the amount is in the asset, and there is no rate.
        Some(_) => amount,
        None => {
            let mut crypto = (amount / rate)
                .round_dp_with_strategy(6, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
            crypto.rescale(6);
            crypto
        }
    };
    let id = new_invoice_id();
    let created = now_secs();
    let invoice = Invoice {
        address: format!("SBX{}", id.replace('-', "")[..29].to_ascii_uppercase()),
        id: id.clone(),
        created,
        expired: created + settings.invoice_ttl.as_secs(),
        amount,
        currency,
        rate: billing.is_none().then_some(rate),
        crypto,
        speed,
        params: form
            .iter()
            .filter(|(k, _)| {
                !matches!(
                    k.as_str(),
                    "method" | "key" | "md5secret" | "sha1secret" | "nonce"
                )
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        paid_at: None,
        canceled: false,
    };
    let mut fields = invoice.common_fields();
    fields.insert(
        "invoiceUri".into(),
        json!(format!("{}/invoice/form/{id}", state.base_url)),
    );
    fields.insert(
        "invoiceIframeUri".into(),
        json!(format!("{}/invoice/iframe/{id}", state.base_url)),
    );
    let order = invoice.order_number();
    state.ledger.record(
        PROVIDER,
        "invoice_created",
        &order,
        &id,
        amount.to_string(),
        &invoice.priced_in(),
    );
    if invoice.params.contains_key("notificationUri") {
        zaif.awaiting_notification.insert(id.clone());
    }
    zaif.invoices.insert(id, invoice);
    success(Value::Object(fields))
}

/// The customer pays: the invoice becomes `paid` now and gains a confirmation per interval.
/// The blockchain catches up at once: a paid invoice gets all six confirmations (complete),
/// instead of one per confirmation interval.
pub(crate) fn confirm(state: &AppState, invoice_id: &str) -> Result<(), String> {
    let mut zaif = lock(&state.zaif);
    let interval = state.config.zaif.confirmation_interval;
    let invoice = zaif.invoice_mut(invoice_id)?;
    match invoice.status(interval) {
        "paid" | "confirmed" => {
            invoice.paid_at = Instant::now().checked_sub(interval * 6).or(invoice.paid_at);
            Ok(())
        }
        other => Err(format!(
            "invoice {invoice_id} is {other}: only a paid invoice confirms"
        )),
    }
}

pub(crate) fn pay(state: &AppState, invoice_id: &str) -> Result<(), String> {
    let mut zaif = lock(&state.zaif);
    let interval = state.config.zaif.confirmation_interval;
    let invoice = zaif.invoice_mut(invoice_id)?;
    match invoice.status(interval) {
        "new" => {
            invoice.paid_at = Some(Instant::now());
            let order = invoice.order_number();
            state.ledger.record(
                PROVIDER,
                "invoice_paid",
                &order,
                invoice_id,
                invoice.crypto.to_string(),
                &invoice.currency,
            );
            Ok(())
        }
        other => Err(format!(
            "invoice {invoice_id} is {other} and cannot be paid"
        )),
    }
}

/// `GET /invoice/form/{id}`: a minimal payment page.
pub(crate) async fn payment_form(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Response {
    let zaif = lock(&state.zaif);
    match zaif.invoices.get(&id) {
        Some(invoice) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            format!(
                "<html><body><h1>Sandbox invoice</h1><p>Pay {} {} to {}</p><p>Status: {}</p></body></html>",
                invoice.crypto,
                invoice.currency.to_ascii_uppercase(),
                invoice.address,
                invoice.status(state.config.zaif.confirmation_interval)
            ),
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such invoice").into_response(),
    }
}

/// A notification to send: where, how, and the form fields.
struct Notification {
    uri: String,
    method: String,
    fields: Vec<(String, String)>,
}

/// Sends the payment-completion notification of each invoice that became settled and has a
/// `notificationUri`: a form `POST` with the documented fields, or a bare `GET`. Only loopback
/// addresses are notified: the sandbox never calls out of this machine.
pub(crate) async fn notify_settled_invoices(state: Arc<AppState>) {
    let client = crate::loopback_http()
        .timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default();
    let mut ticker = tokio::time::interval(Duration::from_millis(50));
    loop {
        ticker.tick().await;
        let due: Vec<Notification> = {
            let mut zaif = lock(&state.zaif);
            let interval = state.config.zaif.confirmation_interval;
            // Only invoices still awaiting their notification are looked at: scanning every
            // invoice under the lock would slow the sandbox as a load test fills it.
            let ZaifState {
                invoices,
                awaiting_notification,
                ..
            } = &mut *zaif;
            let pending: Vec<String> = awaiting_notification.iter().cloned().collect();
            pending
                .into_iter()
                .filter_map(|id| {
                    let invoice = invoices.get(&id)?;
                    if matches!(invoice.status(interval), "canceled" | "expired") {
                        awaiting_notification.remove(&id);
                        return None;
                    }
                    let settled = invoice.settled(interval)?;
                    awaiting_notification.remove(&id);
                    let uri = invoice.params.get("notificationUri")?.clone();
                    let method = invoice
                        .params
                        .get("notificationMethod")
                        .cloned()
                        .unwrap_or_else(|| "POST".into());
                    let mut fields = vec![
                        ("invoiceId".to_owned(), invoice.id.clone()),
                        ("settled".to_owned(), settled.to_string()),
                        ("amount".to_owned(), invoice.amount.to_string()),
                        (invoice.currency.clone(), invoice.crypto.to_string()),
                        ("address".to_owned(), invoice.address.clone()),
                    ];
                    for key in ["orderNumber", "referenceNumber", "buyerId"] {
                        if let Some(value) = invoice.params.get(key) {
                            fields.push((key.to_owned(), value.clone()));
                        }
                    }
                    Some(Notification {
                        uri,
                        method,
                        fields,
                    })
                })
                .collect()
        };
        for Notification {
            uri,
            method,
            fields,
        } in due
        {
            let Ok(url) = payments_core::Url::parse(&uri) else {
                continue;
            };
            if !payments_core::http::is_loopback(&url) {
                tracing::warn!(host = ?url.host_str(), "not notifying a non-loopback address from the sandbox");
                continue;
            }
            let request = if method == "GET" {
                client.get(url)
            } else {
                client.post(url).form(&fields)
            };
            let answer = request
                .send()
                .await
                .map(|r| r.status().as_u16())
                .map_err(|e| e.without_url().to_string());
            if let Err(error) = &answer {
                tracing::warn!(%error, "notification failed");
            }
            let invoice = fields
                .first()
                .map(|(_, id)| id.as_str())
                .unwrap_or_default();
            let kind = if method == "GET" {
                "notification GET"
            } else {
                "notification POST"
            };
            state
                .activity
                .callback(PROVIDER, kind, invoice, &uri, answer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invoice_ids_look_like_uuids() {
        let id = new_invoice_id();
        assert_eq!(id.len(), 36);
        assert_eq!(id.matches('-').count(), 4);
        assert_ne!(id, new_invoice_id());
    }

    #[test]
    fn nonces_are_integers_or_decimals_of_one_or_more() {
        assert_eq!(parse_nonce("1"), Some(Decimal::ONE));
        assert_eq!(
            parse_nonce("1434696690.123456").map(|n| n.to_string()),
            Some("1434696690.123456".into())
        );
        for refused in [
            "0", "0.5", "", ".5", "-1", "+1", "1e5", " 1", "1.2.3", "abc",
        ] {
            assert_eq!(parse_nonce(refused), None, "{refused:?}");
        }
    }

    #[test]
    fn credential_hashes_match_openssl() {
        // printf '%s' sandbox-secret | openssl dgst -sha1 (and -md5)
        assert_eq!(
            hex::encode(Sha1::digest(b"sandbox-secret")),
            "b9f0bc003beb4b222b61947215266bd55e87db7d"
        );
        assert_eq!(
            hex::encode(Md5::digest(b"sandbox-secret")),
            "a592886fa7f71d22380b4c6aa8f190f0"
        );
    }
}
