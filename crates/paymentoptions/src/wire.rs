//! PaymentOptions' wire format, kept apart from the flow: the JSON bodies (the only place card
//! data is exposed), the decoding of the gateway's answers (completed, declined, 3-D Secure
//! challenge, error), and the lenient field decoders the response types use. The credentials go
//! on as headers in [`crate::auth`].

use std::net::IpAddr;

use payments_core::card::Card;
use payments_core::http::RawResponse;
use payments_core::money::wire;
use payments_core::{Error, Money};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::PROVIDER;
use crate::error::PaymentOptionsError;
use crate::fields::parse_lenient;
use crate::model::{
    Address, AmountOperation, BrowserInfo, HostedLink, HostedLinkRequest, LinkAmount,
    PaymentSource, PurchaseOutcome, PurchaseRequest, ReturnUrl, SubscriptionDetails,
    SubscriptionRequest, SubscriptionUpdate, ThreeDsChallenge, TransactionResponse,
    WalletLinkRequest,
};

/// The JSON body of a purchase (or authorization), with `merchant_id` from the client. The only
/// place card data is exposed.
pub(crate) fn purchase_body(
    request: &PurchaseRequest,
    merchant_id: &str,
) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(&wire_purchase(request, merchant_id, None))
        .map_err(|e| Error::invalid_input("body", e.to_string()))
}

/// The body of a subscription: the card payment of its first cycle plus `subscription`.
pub(crate) fn subscription_body(
    request: &SubscriptionRequest,
    merchant_id: &str,
) -> Result<Vec<u8>, Error> {
    let plan = &request.plan;
    let subscription = WireSubscription {
        plan_name: &plan.name,
        plan_desc: &plan.description,
        cycle_type: plan.cycle_type.as_str(),
        subscription_end_type: &plan.end_type,
        cycle_interval: plan.cycle_interval,
        max_cycle_count: plan.max_cycle_count,
        has_trial_period: plan.trial.is_some(),
        trial_period_duration_type: plan.trial.as_ref().map(|(kind, _)| kind.as_str()),
        trial_period_duration: plan.trial.as_ref().map(|(_, days)| *days),
        has_discount: plan.discount.is_some(),
        discount_percentage: plan.discount.map(|(percentage, _)| percentage),
        discount_duration: plan.discount.map(|(_, cycles)| cycles),
    };
    serde_json::to_vec(&wire_purchase(
        &request.payment,
        merchant_id,
        Some(subscription),
    ))
    .map_err(|e| Error::invalid_input("body", e.to_string()))
}

fn wire_purchase<'a>(
    request: &'a PurchaseRequest,
    merchant_id: &'a str,
    subscription: Option<WireSubscription<'a>>,
) -> WirePurchase<'a> {
    let (card, payment_method) = match &request.source {
        // A subscription's card payment says it is not stored, as the create page's example.
        PaymentSource::Card(card) if subscription.is_some() => (
            Some(WireCard::from(card.as_ref())),
            Some(WirePaymentMethod {
                kind: "scheme",
                store_payment_method: Some(false),
                stored_payment_method_id: None,
            }),
        ),
        PaymentSource::Card(card) => (Some(WireCard::from(card.as_ref())), None),
        PaymentSource::CardAndStore(card) => (
            Some(WireCard::from(card.as_ref())),
            Some(WirePaymentMethod {
                kind: "scheme",
                store_payment_method: Some(true),
                stored_payment_method_id: None,
            }),
        ),
        PaymentSource::StoredCard(token) => (
            None,
            Some(WirePaymentMethod {
                kind: "scheme",
                store_payment_method: None,
                stored_payment_method_id: Some(token.expose()),
            }),
        ),
    };
    let currency = request.amount.currency();
    WirePurchase {
        amount: request.amount,
        currency: currency.code().to_owned(),
        card,
        payment_method,
        merchant_txn_ref: &request.merchant_txn_ref,
        customer_ip: request.customer_ip,
        merchant_id,
        return_url: request.return_url.as_ref(),
        billing_address: request.billing_address.as_ref(),
        shipping_address: request.shipping_address.as_ref(),
        browser_info: request.browser_info.as_ref(),
        time_zone: request.time_zone.as_deref(),
        subscription,
    }
}

#[derive(Serialize)]
struct WirePurchase<'a> {
    #[serde(serialize_with = "wire::major_string")]
    amount: Money,
    currency: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    card: Option<WireCard<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_method: Option<WirePaymentMethod<'a>>,
    merchant_txn_ref: &'a str,
    customer_ip: IpAddr,
    merchant_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    return_url: Option<&'a ReturnUrl>,
    #[serde(skip_serializing_if = "Option::is_none")]
    billing_address: Option<&'a Address>,
    #[serde(skip_serializing_if = "Option::is_none")]
    shipping_address: Option<&'a Address>,
    #[serde(skip_serializing_if = "Option::is_none")]
    browser_info: Option<&'a BrowserInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_zone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subscription: Option<WireSubscription<'a>>,
}

/// The request's `subscription` object, with the request's names (the answer's differ).
#[derive(Serialize)]
struct WireSubscription<'a> {
    plan_name: &'a str,
    plan_desc: &'a str,
    cycle_type: &'a str,
    subscription_end_type: &'a str,
    cycle_interval: u32,
    max_cycle_count: u32,
    has_trial_period: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    trial_period_duration_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trial_period_duration: Option<u32>,
    has_discount: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    discount_percentage: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    discount_duration: Option<u32>,
}

/// The body of a hosted payment page link: `amount` as a JSON **number** here.
pub(crate) fn hosted_link_body(
    request: &HostedLinkRequest,
    merchant_id: &str,
) -> Result<Vec<u8>, Error> {
    #[derive(Serialize)]
    struct WireHostedLink<'a> {
        return_url: &'a ReturnUrl,
        amount: &'a RawValue,
        currency: &'a str,
        merchant_id: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        merchant_email: Option<&'a str>,
        merchant_txn_ref: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        payment_method: Option<WirePaymentMethod<'a>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        billing_address: Option<&'a Address>,
        #[serde(skip_serializing_if = "Option::is_none")]
        shipping_address: Option<&'a Address>,
    }
    let number = RawValue::from_string(request.amount.to_major_string())
        .map_err(|e| Error::invalid_input("amount", e.to_string()))?;
    let currency = request.amount.currency();
    let body = WireHostedLink {
        return_url: &request.return_url,
        amount: &number,
        currency: currency.code(),
        merchant_id,
        merchant_email: request.merchant_email.as_deref(),
        merchant_txn_ref: &request.merchant_txn_ref,
        payment_method: request.tokenize.then_some(WirePaymentMethod {
            kind: "scheme",
            store_payment_method: Some(true),
            stored_payment_method_id: None,
        }),
        billing_address: request.billing_address.as_ref(),
        shipping_address: request.shipping_address.as_ref(),
    };
    serde_json::to_vec(&body).map_err(|e| Error::invalid_input("body", e.to_string()))
}

/// The body of an e-wallet link: `amount` as a **string**, empty when the customer enters it.
pub(crate) fn wallet_link_body(
    request: &WalletLinkRequest,
    merchant_id: &str,
) -> Result<Vec<u8>, Error> {
    #[derive(Serialize)]
    struct WireWallet<'a> {
        #[serde(rename = "type")]
        kind: &'a str,
    }
    #[derive(Serialize)]
    struct WireWalletLink<'a> {
        amount: String,
        currency: &'a str,
        merchant_id: &'a str,
        return_url: &'a ReturnUrl,
        payment_method: WireWallet<'a>,
        merchant_txn_ref: &'a str,
        customer_ip: IpAddr,
        #[serde(skip_serializing_if = "Option::is_none")]
        time_zone: Option<&'a str>,
    }
    let (amount, currency) = match request.amount {
        LinkAmount::Fixed(money) => (money.to_major_string(), money.currency()),
        LinkAmount::CustomerEntered(currency) => (String::new(), currency),
    };
    let body = WireWalletLink {
        amount,
        currency: currency.code(),
        merchant_id,
        return_url: &request.return_url,
        payment_method: WireWallet {
            kind: &request.wallet,
        },
        merchant_txn_ref: &request.merchant_txn_ref,
        customer_ip: request.customer_ip,
        time_zone: request.time_zone.as_deref(),
    };
    serde_json::to_vec(&body).map_err(|e| Error::invalid_input("body", e.to_string()))
}

#[derive(Serialize)]
struct WireCard<'a> {
    cvc: &'a str,
    expiry_month: String,
    expiry_year: String,
    name: &'a str,
    number: &'a str,
}

impl<'a> From<&'a Card> for WireCard<'a> {
    fn from(card: &'a Card) -> Self {
        WireCard {
            cvc: card.cvc().expose(),
            expiry_month: card.expiry().month_2digit(),
            expiry_year: card.expiry().year_2digit(),
            name: card.holder_name(),
            number: card.number().expose(),
        }
    }
}

#[derive(Serialize)]
struct WirePaymentMethod<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    store_payment_method: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stored_payment_method_id: Option<&'a str>,
}

/// The JSON body of a capture or a refund: `transactionId` (camelCase, as documented),
/// `amount` as a JSON **number**, `merchant_id`, `notes`.
pub(crate) fn amount_operation_body(
    operation: &AmountOperation,
    merchant_id: &str,
) -> Result<Vec<u8>, Error> {
    amount_body(
        &operation.transaction_id,
        operation.amount,
        merchant_id,
        operation.notes.as_deref(),
    )
}

fn amount_body(
    transaction_id: &str,
    amount: Money,
    merchant_id: &str,
    notes: Option<&str>,
) -> Result<Vec<u8>, Error> {
    #[derive(Serialize)]
    struct WireAmountOperation<'a> {
        #[serde(rename = "transactionId")]
        transaction_id: &'a str,
        amount: &'a RawValue,
        merchant_id: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        notes: Option<&'a str>,
    }
    // The exact decimal text, written as a JSON number (`1000`, `10.50`): never a float.
    let number = RawValue::from_string(amount.to_major_string())
        .map_err(|e| Error::invalid_input("amount", e.to_string()))?;
    let body = WireAmountOperation {
        transaction_id,
        amount: &number,
        merchant_id,
        notes,
    };
    serde_json::to_vec(&body).map_err(|e| Error::invalid_input("body", e.to_string()))
}

/// The JSON body of a void: `transactionId` and `merchant_id`.
pub(crate) fn void_body(transaction_id: &str, merchant_id: &str) -> Result<Vec<u8>, Error> {
    #[derive(Serialize)]
    struct WireVoid<'a> {
        #[serde(rename = "transactionId")]
        transaction_id: &'a str,
        merchant_id: &'a str,
    }
    serde_json::to_vec(&WireVoid {
        transaction_id,
        merchant_id,
    })
    .map_err(|e| Error::invalid_input("body", e.to_string()))
}

/// Decodes a v2 purchase or authorization answer: a completed transaction, a 3-D Secure
/// challenge (`redirect_url`, no transaction), a decline, or an error. The body is read once;
/// only an answer without `transaction_details` is looked at again for a challenge.
pub(crate) fn decode_purchase(
    response: &RawResponse,
) -> Result<PurchaseOutcome, PaymentOptionsError> {
    if !response.is_success() {
        return Err(refusal(response));
    }
    let answer = parse(response)?;
    if answer.transaction_details.is_none()
        && let Some(challenge) = challenge(response)?
    {
        return Ok(PurchaseOutcome::ChallengeRequired(challenge));
    }
    completed(answer, response).map(PurchaseOutcome::Completed)
}

/// Decodes any transaction answer. `success: false` (or HTTP 402 with a transaction body) is a
/// decline; a success needs `transaction_details.id`; anything else that does not decode is a
/// status or decode error (outcome unknown on a 2xx or 5xx).
pub(crate) fn decode_transaction(
    response: &RawResponse,
) -> Result<Box<TransactionResponse>, PaymentOptionsError> {
    if !response.is_success() {
        return Err(refusal(response));
    }
    completed(parse(response)?, response)
}

/// One pass over the bytes, so amounts are read exactly as written. Boxed as soon as decoded:
/// the response is nearly 2 KB, and the flow hands it through a dozen frames (the decode, the
/// environment check, retry, telemetry, the operation), each a copy when moved by value.
fn parse(response: &RawResponse) -> Result<Box<TransactionResponse>, PaymentOptionsError> {
    parse_lenient(&response.body)
        .map_err(|err| PaymentOptionsError::from(response.decode_error(PROVIDER, err)))
}

/// A decoded 2xx answer: declined, or completed with its transaction id.
fn completed(
    answer: Box<TransactionResponse>,
    response: &RawResponse,
) -> Result<Box<TransactionResponse>, PaymentOptionsError> {
    if !answer.success {
        return Err(declined_error(answer));
    }
    if answer.transaction_details.is_none() {
        return Err(response
            .decode_error(PROVIDER, "`success` without `transaction_details.id`")
            .into());
    }
    Ok(answer)
}

/// A non-2xx answer: 402 Payment Required with a transaction body is a decline (the gateway
/// processed the card and refused it); anything else keeps the gateway's codes when sent.
fn refusal(response: &RawResponse) -> PaymentOptionsError {
    if response.status == 402
        && let Ok(declined) = parse_lenient::<Box<TransactionResponse>>(&response.body)
    {
        return declined_error(declined);
    }
    error_answer(response)
}

/// The `subscription_details` of a details, cancel, pause or resume answer, and its
/// `gateway_response` when sent.
pub(crate) fn decode_subscription_update(
    response: &RawResponse,
) -> Result<SubscriptionUpdate, PaymentOptionsError> {
    #[derive(Deserialize)]
    struct Envelope {
        #[serde(default)]
        success: Option<bool>,
        #[serde(default)]
        gateway_response: Option<crate::model::GatewayResponse>,
        subscription_details: SubscriptionDetails,
    }
    if !response.is_success() {
        return Err(refusal(response));
    }
    let envelope =
        subscription_envelope::<Envelope>(response, |e| (e.success, e.gateway_response.clone()))?;
    Ok(SubscriptionUpdate {
        gateway_response: envelope.gateway_response.unwrap_or_default(),
        subscription: envelope.subscription_details,
    })
}

/// The subscriptions of a list answer (`subscription_details` is an array there); an entry in
/// another shape is skipped (it is a listing, not an outcome).
pub(crate) fn decode_subscription_list(
    response: &RawResponse,
) -> Result<Vec<SubscriptionDetails>, PaymentOptionsError> {
    #[derive(Deserialize)]
    struct Envelope {
        #[serde(default)]
        success: Option<bool>,
        #[serde(default)]
        gateway_response: Option<crate::model::GatewayResponse>,
        #[serde(default)]
        subscription_details: Vec<Box<RawValue>>,
    }
    if !response.is_success() {
        return Err(refusal(response));
    }
    let envelope =
        subscription_envelope::<Envelope>(response, |e| (e.success, e.gateway_response.clone()))?;
    Ok(envelope
        .subscription_details
        .into_iter()
        .filter_map(|raw| serde_json::from_str(raw.get()).ok())
        .collect())
}

/// Parses a 2xx subscription answer; `success: false` is the gateway refusing (typed with its
/// code).
fn subscription_envelope<T: serde::de::DeserializeOwned>(
    response: &RawResponse,
    verdict: fn(&T) -> (Option<bool>, Option<crate::model::GatewayResponse>),
) -> Result<T, PaymentOptionsError> {
    let envelope: T = parse_lenient(&response.body)
        .map_err(|err| PaymentOptionsError::from(response.decode_error(PROVIDER, err)))?;
    if let (Some(false), gateway) = verdict(&envelope) {
        let gateway = gateway.unwrap_or_default();
        return Err(PaymentOptionsError::Api {
            status: response.status,
            code: gateway.code,
            message: gateway.message,
            response_code: None,
        });
    }
    Ok(envelope)
}

/// A generated hosted-page or wallet link (`id` and `url` decide; the rest is informational).
pub(crate) fn decode_link(response: &RawResponse) -> Result<HostedLink, PaymentOptionsError> {
    if !response.is_success() {
        return Err(refusal(response));
    }
    #[derive(Deserialize)]
    struct Verdict {
        #[serde(default)]
        success: Option<bool>,
    }
    if let Ok(Verdict {
        success: Some(false),
    }) = serde_json::from_slice::<Verdict>(&response.body)
    {
        return Err(error_answer(response));
    }
    serde_json::from_slice(&response.body)
        .map_err(|err| PaymentOptionsError::from(response.decode_error(PROVIDER, err)))
}

/// Refuses an answer from the other environment: a live answer to a test client would mean
/// real money moved where the merchant thought it was testing, and the reverse that nothing
/// did. Either way the caller must not trust the outcome.
pub(crate) fn check_environment(
    answer: &TransactionResponse,
    live: bool,
) -> Result<(), PaymentOptionsError> {
    match answer.is_live() {
        Some(answered) if answered != live => {
            let name = |live: bool| if live { "live" } else { "test" };
            Err(Error::WrongEnvironment {
                provider: PROVIDER,
                configured: name(live),
                answered: name(answered),
            }
            .into())
        }
        _ => Ok(()),
    }
}

fn declined_error(answer: Box<TransactionResponse>) -> PaymentOptionsError {
    PaymentOptionsError::Declined {
        code: answer.gateway_response.code.clone(),
        message: answer.gateway_response.message.clone(),
        response_code: answer.response_code(),
        response: answer,
    }
}

/// The 3-D Secure challenge in an answer that has a `redirect_url` (and no transaction).
fn challenge(response: &RawResponse) -> Result<Option<ThreeDsChallenge>, PaymentOptionsError> {
    #[derive(Deserialize)]
    struct Probe<'a> {
        #[serde(borrow, default)]
        redirect_url: Option<&'a RawValue>,
    }
    let Ok(probe) = serde_json::from_slice::<Probe<'_>>(&response.body) else {
        return Ok(None);
    };
    if probe.redirect_url.is_none() {
        return Ok(None);
    }
    serde_json::from_slice(&response.body)
        .map(Some)
        .map_err(|err| response.decode_error(PROVIDER, err).into())
}

/// An error status: the gateway's codes and message when it sent them.
fn error_answer(response: &RawResponse) -> PaymentOptionsError {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(&response.body) else {
        return status_error(response);
    };
    let gateway = value.get("gateway_response");
    let text = |key: &str| {
        gateway
            .and_then(|g| g.get(key))
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    let response_code = value
        .get("payment_details")
        .and_then(|p| p.get("response_code"))
        .and_then(|c| {
            c.as_i64()
                .or_else(|| c.as_str().and_then(|t| t.trim().parse().ok()))
        })
        .map(crate::codes::ResponseCode);
    match (text("code"), text("message")) {
        (Some(code), message) => PaymentOptionsError::Api {
            status: response.status,
            code,
            message: message.unwrap_or_default(),
            response_code,
        },
        (None, Some(message)) => PaymentOptionsError::Api {
            status: response.status,
            code: response.status.to_string(),
            message,
            response_code,
        },
        (None, None) => status_error(response),
    }
}

fn status_error(response: &RawResponse) -> PaymentOptionsError {
    response.unrecognised(PROVIDER, "unexpected answer").into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::STRICT_PASS;
    use proptest::prelude::*;
    use reqwest::header::HeaderMap;

    proptest! {
        #[test]
        fn random_bodies_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512), status in 100u16..600) {
            let _ = decode_purchase(&RawResponse::new(status, HeaderMap::new(), bytes));
        }

        #[test]
        fn random_json_shapes_never_panic(
            success in proptest::option::of(any::<bool>()),
            amount in prop_oneof![Just("1000"), Just("10.5"), Just("\"12.50\""), Just("null"), Just("1e3"), Just("[]")],
            number in prop_oneof![Just("\"5200000000001005\""), Just("5200000000001005"), Just("null"), Just("{}")],
            redirect in prop_oneof![Just(""), Just(r#","redirect_url":"https://acs.example/x""#), Just(r#","redirect_url":"not a url""#)],
            status in prop_oneof![Just(200u16), Just(201), Just(400), Just(502)],
        ) {
            let success = success.map_or("null".to_owned(), |b| b.to_string());
            let body = format!(
                r#"{{"success":{success},"gateway_response":{{"code":"X","message":"m"}},"payment_details":{{"amount":{amount},"card":{{"number":{number}}}}}{redirect}}}"#
            );
            let result = decode_purchase(&RawResponse::new(status, HeaderMap::new(), body));
            if let Err(err) = result {
                let shown = format!("{err:?}");
                prop_assert!(!shown.contains("5200000000001005"), "{}", shown);
            }
        }
    }

    #[test]
    fn the_one_pass_and_the_lenient_pass_decode_alike() {
        let body = br#"{"success":true,"status_code":201,"is_live":false,"transaction_type":"CAPTURE",
            "gateway_response":{"code":"INFO0001","message":"ok"},
            "merchant_details":{"legal_name":"T","mid":"M","billing_details":{"billing_address":{"country":"JP"}}},
            "payment_details":{"amount":10.50,"response_code":0,"card":{"number":"5200000000001005"}},
            "transaction_details":{"id":"t-1","ref":7,"timestamp":"2024-11-25T08:41:15.000Z"},
            "risk_details":{"risk_score":null}}"#;
        let one_pass: TransactionResponse = parse_lenient(body).unwrap();
        // Outside parse_lenient every Lenient field takes the capturing path.
        let lenient: TransactionResponse = serde_json::from_slice(body).unwrap();
        assert_eq!(
            serde_json::to_value(&one_pass).unwrap(),
            serde_json::to_value(&lenient).unwrap()
        );
        assert_eq!(one_pass.amount().unwrap().to_string(), "10.50");
        // A field in another shape makes the one pass fail; the lenient pass keeps it raw.
        let odd = String::from_utf8_lossy(body).replace(
            r#""card":{"number":"5200000000001005"}"#,
            r#""card":5200000000001005"#,
        );
        let kept: TransactionResponse = parse_lenient(odd.as_bytes()).unwrap();
        assert!(kept.payment_details().unwrap().card().is_none());
        assert!(!format!("{kept:?}").contains("5200000000001005"));
        assert!(
            !STRICT_PASS.with(std::cell::Cell::get),
            "the flag is cleared"
        );
    }

    #[test]
    fn numbers_in_text_fields_keep_the_text_the_gateway_wrote() {
        let body = br#"{"version": 1.10, "type": 2.50e3, "code": 1000000000000000000000001,
            "message": "caf\u00e9 \"ok\""}"#;
        let verdict: crate::model::GatewayResponse = serde_json::from_slice(body).unwrap();
        // Through a float these would read 1.1, 2500.0 and 1e24.
        assert_eq!(verdict.version.as_deref(), Some("1.10"));
        assert_eq!(verdict.kind.as_deref(), Some("2.50e3"));
        // 25 digits: a 19-digit card-like run masked, then the 6 left over.
        assert_eq!(verdict.code, "****0000000001");
        assert_eq!(verdict.message, "caf\u{e9} \"ok\"");
        let details: crate::model::MerchantDetails =
            serde_json::from_slice(br#"{"mid": 123456789.000000001, "merchant_txn_ref": null}"#)
                .unwrap();
        assert_eq!(details.mid.as_deref(), Some("123456789.000000001"));
        assert_eq!(details.merchant_txn_ref, None);
        // Booleans as themselves, lists and objects as sanitized JSON.
        let odd: crate::model::GatewayResponse =
            serde_json::from_slice(br#"{"version": true, "type": [{"cvc": "123"}], "code": "x"}"#)
                .unwrap();
        assert_eq!(odd.version.as_deref(), Some("true"));
        assert_eq!(odd.kind.as_deref(), Some(r#"[{"cvc":"[REDACTED]"}]"#));
    }
}
