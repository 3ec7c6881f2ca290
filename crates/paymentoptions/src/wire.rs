//! PaymentOptions' wire format, kept apart from the flow: the JSON bodies (the only place card
//! data is exposed), the decoding of the gateway's answers (completed, declined, 3-D Secure
//! challenge, error), and the lenient field decoders the response types use. The credentials go
//! on as headers in [`crate::auth`].

use std::net::IpAddr;

use payments_core::card::Card;
use payments_core::http::RawResponse;
use payments_core::money::wire;
use payments_core::{Error, Money, Secret};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::PROVIDER;
use crate::error::PaymentOptionsError;
use crate::model::{
    Address, BrowserInfo, PaymentSource, PurchaseOutcome, PurchaseRequest, PurchaseResponse,
    ReturnUrl, ThreeDsChallenge,
};

/// The JSON body of a purchase (or authorization), with `merchant_id` from the client. The only
/// place card data is exposed.
pub(crate) fn purchase_body(
    request: &PurchaseRequest,
    merchant_id: &str,
) -> Result<Vec<u8>, Error> {
    let (card, payment_method) = match &request.source {
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
    let body = WirePurchase {
        amount: request.amount,
        currency: currency.code(),
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
    };
    serde_json::to_vec(&body).map_err(|e| Error::invalid_input("body", e.to_string()))
}

#[derive(Serialize)]
struct WirePurchase<'a> {
    #[serde(serialize_with = "wire::major_string")]
    amount: Money,
    currency: &'a str,
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

/// Decodes a purchase answer: a completed payment (a decline if `success` is false), a
/// 3-D Secure challenge, or an error with the gateway's code and message.
pub(crate) fn decode_purchase(
    response: &RawResponse,
) -> Result<PurchaseOutcome, PaymentOptionsError> {
    if !response.is_success() {
        if response.status == 402
            && let Ok(declined) = serde_json::from_slice::<PurchaseResponse>(&response.body)
        {
            // 402 Payment Required: the gateway processed the card and declined it.
            return Err(PaymentOptionsError::Declined {
                code: declined.gateway_response.code.clone(),
                message: declined.gateway_response.message.clone(),
                response: Box::new(declined),
            });
        }
        return Err(error_answer(response));
    }
    // One pass over the bytes, so amounts are read exactly as written. A challenge answer also
    // decodes as a (detail-less) purchase; only such answers are looked at a second time.
    let purchase: PurchaseResponse = serde_json::from_slice(&response.body)
        .map_err(|err| PaymentOptionsError::from(response.decode_error(PROVIDER, err)))?;
    if purchase.payment_details.is_none()
        && purchase.transaction_details.is_none()
        && let Some(challenge) = challenge(response)?
    {
        return Ok(PurchaseOutcome::ChallengeRequired(challenge));
    }
    if !purchase.success {
        return Err(PaymentOptionsError::Declined {
            code: purchase.gateway_response.code.clone(),
            message: purchase.gateway_response.message.clone(),
            response: Box::new(purchase),
        });
    }
    Ok(PurchaseOutcome::Completed(Box::new(purchase)))
}

/// The 3-D Secure challenge in an answer that has a `redirect_url`.
fn challenge(response: &RawResponse) -> Result<Option<ThreeDsChallenge>, PaymentOptionsError> {
    let value: serde_json::Value = serde_json::from_slice(&response.body)
        .map_err(|err| PaymentOptionsError::from(response.decode_error(PROVIDER, err)))?;
    if value.get("redirect_url").is_none() {
        return Ok(None);
    }
    serde_json::from_value(value)
        .map(Some)
        .map_err(|err| response.decode_error(PROVIDER, err).into())
}

/// An error status: the gateway's code and message when it sent them.
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
    match (text("code"), text("message")) {
        (Some(code), message) => PaymentOptionsError::Api {
            status: response.status,
            code,
            message: message.unwrap_or_default(),
        },
        (None, Some(message)) => PaymentOptionsError::Api {
            status: response.status,
            code: response.status.to_string(),
            message,
        },
        (None, None) => status_error(response),
    }
}

fn status_error(response: &RawResponse) -> PaymentOptionsError {
    response.unrecognised(PROVIDER, "unexpected answer").into()
}

pub(crate) fn number_or_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(text)) => Some(text),
        Some(other) => Some(other.to_string()),
    })
}

pub(crate) fn optional_secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
    Ok(Option::<String>::deserialize(d)?
        .filter(|token| !token.is_empty())
        .map(Secret::new))
}

/// A token is a credential: written out as `[REDACTED]` (or `null`), never its value.
pub(crate) fn redacted_secret<S: Serializer>(
    token: &Option<Secret>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match token {
        Some(_) => serializer.serialize_str(payments_core::secret::REDACTED),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
}
