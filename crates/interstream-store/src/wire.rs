//! INTER-STREAM's wire format, kept apart from the flow: the action's query (`go`, `do`, `iq`),
//! the urlencoded form fields, and the decoding of every documented answer shape (`ok`,
//! `ok`+`id`, `data`, `list`, `id`, `exists`, `error`). The
//! signing parameters (`timestamp`, `salt`, `key`, `signature`) are added by [`crate::auth`].

use payments_core::http::RawResponse;
use payments_core::validate::{self, Lines};
use payments_core::{Currency, Decimal, Error, Money, Secret, Url};

use crate::PROVIDER;
use crate::error::InterstreamError;
use crate::model::{
    Action, Answer, Cart, ContentItem, Credit, PlaceOrder, PlacedOrder, StoreConfig, StoreCurrency,
    StorePaymentMethod, SymbolPosition, UserId,
};

/// The action's URL: `go`, `do` and, for a user's action, `iq`, in the order of the provider's
/// PHP sample. The signing parameters are appended after them by [`crate::auth`].
pub(crate) fn action_url(api_url: &Url, action: Action, user_id: Option<UserId>) -> Url {
    let mut url = api_url.clone();
    {
        let mut query = url.query_pairs_mut();
        query
            .append_pair("go", action.section)
            .append_pair("do", action.action);
        if let Some(user_id) = user_id {
            query.append_pair("iq", &user_id.to_string());
        }
    }
    url
}

/// The urlencoded POST body.
pub(crate) fn form_body(form: &[(&str, String)]) -> Result<String, Error> {
    serde_urlencoded::to_string(form).map_err(|e| Error::invalid_input("form", e.to_string()))
}

/// The form field `amount`: an exact decimal greater than zero in the store's currency, as a
/// plain decimal string (`12.50`, never `1.25e1`).
pub(crate) fn amount_field(amount: Money, store: Currency) -> Result<String, InterstreamError> {
    if amount.currency() != store {
        return Err(InterstreamError::invalid(
            "amount",
            format!("must be in the store's currency, {store}"),
        ));
    }
    let amount = amount
        .ensure_positive()
        .map_err(|e| e.for_field("amount"))?;
    Ok(amount.to_major_string())
}

/// The optional `description`: any UTF-8 text except control characters other than line
/// breaks and tabs; blank means absent.
pub(crate) fn description_field(
    description: Option<&str>,
) -> Result<Option<String>, InterstreamError> {
    let Some(text) = description.filter(|d| !d.trim().is_empty()) else {
        return Ok(None);
    };
    validate::text("description", text, Lines::Multi)?;
    Ok(Some(text.to_owned()))
}

/// The form of `place_order`: only the options given (`notify_buyer` as `0`/`1`).
pub(crate) fn place_order_form(
    options: &PlaceOrder,
) -> Result<Vec<(&'static str, String)>, InterstreamError> {
    let mut form = Vec::new();
    if let Some(notify) = options.notify_buyer {
        form.push(("notify_buyer", if notify { "1" } else { "0" }.to_owned()));
    }
    if let Some(ip) = options.buyer_ip {
        form.push(("buyer_ip", ip.to_string()));
    }
    if let Some(agent) = &options.buyer_useragent {
        validate::text("buyer_useragent", agent, Lines::Single)?;
        form.push(("buyer_useragent", agent.clone()));
    }
    Ok(form)
}

/// The `data` of `get_credit`.
pub(crate) fn decode_credit(data: serde_json::Value) -> Result<Credit, InterstreamError> {
    serde_json::from_value(data.clone()).map_err(|err| {
        Error::decode(
            PROVIDER,
            200,
            err,
            payments_core::redact::excerpt(data.to_string().as_bytes()),
        )
        .into()
    })
}

/// An answer of a shape the action does not give: a decode error (the answer was 200 and not
/// understood, so what happened is unknown), with an excerpt unless `sensitive`.
fn unexpected(expected: &str, answer: &Answer, sensitive: bool) -> InterstreamError {
    let excerpt = if sensitive {
        "(withheld: this answer carries credentials)".to_owned()
    } else {
        payments_core::redact::excerpt(serde_json::to_string(answer).unwrap_or_default().as_bytes())
    };
    Error::decode(PROVIDER, 200, format!("expected {expected}"), excerpt).into()
}

pub(crate) fn expect_ok(answer: Answer) -> Result<String, InterstreamError> {
    match answer {
        Answer::Ok(text) | Answer::Created { message: text, .. } => Ok(text),
        other => Err(unexpected("{\"ok\": ...}", &other, false)),
    }
}

pub(crate) fn expect_data(answer: Answer) -> Result<serde_json::Value, InterstreamError> {
    match answer {
        Answer::Data(data) => Ok(data),
        other => Err(unexpected("{\"data\": ...}", &other, false)),
    }
}

/// `{"ok": "Order was placed", "id": 319}`.
pub(crate) fn expect_created(answer: Answer) -> Result<PlacedOrder, InterstreamError> {
    match answer {
        Answer::Created { message, id } => Ok(PlacedOrder { message, id }),
        other => Err(unexpected("{\"ok\": ..., \"id\": ...}", &other, false)),
    }
}

/// `{"list": [...]}` of content items; an item in another shape is skipped rather than failing
/// the list (it is informational).
pub(crate) fn expect_content(answer: Answer) -> Result<Vec<ContentItem>, InterstreamError> {
    match answer {
        Answer::List(items) => Ok(items
            .into_iter()
            .filter_map(|item| serde_json::from_value(item).ok())
            .collect()),
        // Some deployments may wrap it in `data`, as other reads do.
        Answer::Data(serde_json::Value::Array(items)) => Ok(items
            .into_iter()
            .filter_map(|item| serde_json::from_value(item).ok())
            .collect()),
        other => Err(unexpected("{\"list\": [...]}", &other, false)),
    }
}

/// The `data` of `get_config`: every `settings` value becomes a [`Secret`]. Errors never
/// quote the answer.
pub(crate) fn decode_config(answer: Answer) -> Result<StoreConfig, InterstreamError> {
    let data = match answer {
        Answer::Data(serde_json::Value::Object(data)) => data,
        other => return Err(unexpected("{\"data\": {...}}", &other, true)),
    };
    let text = |key: &str| data.get(key).and_then(scalar_text);
    let code = text("currency_code").ok_or_else(|| {
        InterstreamError::from(Error::decode(
            PROVIDER,
            200,
            "get_config without currency_code",
            "(withheld: this answer carries credentials)".to_owned(),
        ))
    })?;
    let symbol_position = text("currency_symbol_position").and_then(|p| match p.trim() {
        "0" => Some(SymbolPosition::Before),
        "1" => Some(SymbolPosition::After),
        _ => None,
    });
    let payment_methods = data
        .get("payment_methods")
        .and_then(serde_json::Value::as_array)
        .map(|methods| {
            methods
                .iter()
                .filter_map(|method| {
                    let field = |key: &str| method.get(key).and_then(scalar_text);
                    let settings = method
                        .get("settings")
                        .and_then(serde_json::Value::as_object)
                        .map(|settings| {
                            settings
                                .iter()
                                .map(|(key, value)| {
                                    let value =
                                        scalar_text(value).unwrap_or_else(|| value.to_string());
                                    (key.clone(), Secret::new(value))
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    Some(StorePaymentMethod {
                        id: field("id")?,
                        name: field("name").unwrap_or_default(),
                        enable_rp: method
                            .get("enable_rp")
                            .and_then(flag_value)
                            .unwrap_or(false),
                        settings,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(StoreConfig {
        currency: StoreCurrency {
            code,
            id: text("currency_id"),
            symbol: text("currency_symbol"),
            symbol_position,
        },
        min_purchase_amount: text("min_purchase_amount")
            .and_then(|a| Decimal::from_str_exact(a.trim()).ok()),
        payment_methods,
    })
}

/// The `data` of `get_cart`: the known fields typed, every field kept as sent.
pub(crate) fn decode_cart(answer: Answer) -> Result<Cart, InterstreamError> {
    let data = match answer {
        Answer::Data(data @ serde_json::Value::Object(_)) => data,
        other => return Err(unexpected("{\"data\": {...}}", &other, false)),
    };
    let text = |key: &str| data.get(key).and_then(scalar_text);
    let decimal = |key: &str| text(key).and_then(|t| Decimal::from_str_exact(t.trim()).ok());
    let flag = |key: &str| data.get(key).and_then(flag_value);
    Ok(Cart {
        order_id: text("order_id").filter(|id| !id.trim().is_empty() && id.trim() != "0"),
        amount_due: decimal("order_amount_due"),
        amount_paid: decimal("order_amount_paid"),
        num_products: text("order_num_products").and_then(|n| n.trim().parse().ok()),
        min_purchase_check: flag("order_min_purchase_check"),
        has_credit_product: flag("order_has_credit_product"),
        contains_subscription: flag("order_contains_subscription"),
        contains_subscription_trial: flag("order_contains_subscription_trial"),
        trial_requires_rp: flag("order_trial_requires_rp"),
        buyer_credit: decimal("buyer_credit"),
        buyer_credit_formatted: text("buyer_credit_formatted"),
        raw: data,
    })
}

/// A string, or a number or boolean written as text; anything else is absent.
fn scalar_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(text) => Some(text.clone()),
        serde_json::Value::Number(number) => Some(number.to_string()),
        serde_json::Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// `"1"`/`"0"`, `1`/`0` or `true`/`false`.
fn flag_value(value: &serde_json::Value) -> Option<bool> {
    match scalar_text(value)?.trim() {
        "1" | "true" => Some(true),
        "0" | "false" | "" => Some(false),
        _ => None,
    }
}

/// serde: text from a string or a number; `null`, objects and lists are absent.
pub(crate) fn text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    use serde::Deserialize;
    Ok(Option::<serde_json::Value>::deserialize(d)?
        .as_ref()
        .and_then(scalar_text))
}

/// serde: a `"0"`/`"1"` flag.
pub(crate) fn flag<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    use serde::Deserialize;
    Ok(Option::<serde_json::Value>::deserialize(d)?
        .as_ref()
        .and_then(flag_value))
}

/// serde: a settings map written with every value `[REDACTED]`.
pub(crate) fn redacted_settings<S: serde::Serializer>(
    settings: &std::collections::BTreeMap<String, Secret>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = serializer.serialize_map(Some(settings.len()))?;
    for key in settings.keys() {
        map.serialize_entry(key, payments_core::secret::REDACTED)?;
    }
    map.end()
}

/// Decodes every documented answer shape (`ok`, `ok`+`id`, `data`, `list`, `id`, `exists`) and
/// `{"error": ..., "error_long": ...}`, whatever the action; anything else is a status or
/// decode error. With `sensitive`, a decode error never quotes the body.
pub(crate) fn decode_answer_with(
    response: &RawResponse,
    sensitive: bool,
) -> Result<Answer, InterstreamError> {
    let withheld = |reason: &str| -> InterstreamError {
        if sensitive {
            Error::decode(
                PROVIDER,
                response.status,
                reason,
                "(withheld: this answer carries credentials)".to_owned(),
            )
            .into()
        } else {
            response.decode_error(PROVIDER, reason).into()
        }
    };
    let object = match serde_json::from_slice::<serde_json::Value>(&response.body) {
        Ok(serde_json::Value::Object(object)) => object,
        Ok(_) | Err(_) if !response.is_success() => {
            return Err(response
                .unrecognised(PROVIDER, "not an INTER-STREAM answer")
                .into());
        }
        Ok(_) => return Err(withheld("not a JSON object")),
        Err(err) => return Err(withheld(&err.to_string())),
    };
    let text = |value: &serde_json::Value| scalar_text(value).unwrap_or_else(|| value.to_string());
    if let Some(code) = object.get("error") {
        let message = object.get("error_long").map(text).unwrap_or_default();
        return Err(InterstreamError::from_answer(text(code), message));
    }
    if !response.is_success() {
        return Err(response.unrecognised(PROVIDER, "unexpected status").into());
    }
    if let Some(ok) = object.get("ok") {
        return Ok(match object.get("id") {
            Some(id) if !id.is_null() => Answer::Created {
                message: text(ok),
                id: text(id),
            },
            _ => Answer::Ok(text(ok)),
        });
    }
    if let Some(data) = object.get("data") {
        return Ok(Answer::Data(data.clone()));
    }
    if let Some(list) = object.get("list") {
        return match list {
            serde_json::Value::Array(items) => Ok(Answer::List(items.clone())),
            serde_json::Value::Null => Ok(Answer::List(Vec::new())),
            _ => Err(withheld("`list` is not a list")),
        };
    }
    if let Some(id) = object.get("id") {
        return Ok(Answer::Id(text(id)));
    }
    if let Some(exists) = object.get("exists") {
        return flag_value(exists)
            .map(Answer::Exists)
            .ok_or_else(|| withheld("`exists` is neither 0 nor 1"));
    }
    Err(withheld("neither ok, data, list, id, exists nor error"))
}

/// [`decode_answer_with`] for an answer that carries no credentials.
pub(crate) fn decode_answer(response: &RawResponse) -> Result<Answer, InterstreamError> {
    decode_answer_with(response, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use payments_core::{Currency, ErrorKind, Money};
    use proptest::prelude::*;
    use reqwest::header::HeaderMap;

    fn decode(status: u16, body: &str) -> Result<Answer, InterstreamError> {
        decode_answer(&RawResponse::new(status, HeaderMap::new(), body.to_owned()))
    }

    #[test]
    fn every_documented_answer_decodes() {
        assert_eq!(
            decode(200, r#"{ "ok":"Payment was added" }"#).unwrap(),
            Answer::Ok("Payment was added".into())
        );
        let data = decode(200, r#"{"data": {"buyer_credit": "3.00"}}"#).unwrap();
        assert!(matches!(data, Answer::Data(d) if d["buyer_credit"] == "3.00"));
        for (body, code) in [
            (
                r#"{ "error" : "REQUEST_ERROR", "error_long" : "Missing signature" }"#,
                "REQUEST_ERROR",
            ),
            (
                r#"{"error":"ERROR_NO_ORDER","error_long":"User does not have any current order"}"#,
                "ERROR_NO_ORDER",
            ),
            (
                r#"{"error":"ERROR_AMOUNT_TOO_BIG","error_long":"Amount can't be higher than order amount due"}"#,
                "ERROR_AMOUNT_TOO_BIG",
            ),
            (
                r#"{"error":"ERROR_CANT_SUBTRACT","error_long":"x"}"#,
                "ERROR_CANT_SUBTRACT",
            ),
        ] {
            assert_eq!(decode(200, body).unwrap_err().code(), Some(code));
            // An error envelope keeps its meaning with an error status too.
            assert_eq!(decode(400, body).unwrap_err().code(), Some(code));
        }
    }

    #[test]
    fn broken_answers_are_typed_errors() {
        let kind = |status, body| match decode(status, body) {
            Err(InterstreamError::Core(e)) => (e.kind(), e.outcome_unknown()),
            other => panic!("{other:?}"),
        };
        assert_eq!(kind(200, "<html>error</html>"), (ErrorKind::Decode, true));
        assert_eq!(kind(200, ""), (ErrorKind::Decode, true));
        assert_eq!(kind(200, r#"{"ok":"Payment w"#), (ErrorKind::Decode, true));
        assert_eq!(kind(200, r#"["ok"]"#), (ErrorKind::Decode, true));
        assert_eq!(kind(200, r#"{"status":"fine"}"#), (ErrorKind::Decode, true));
        assert_eq!(
            kind(502, "<html>Bad Gateway</html>"),
            (ErrorKind::HttpStatus, true)
        );
        assert_eq!(
            kind(500, r#"{"ok":"Payment was added"}"#),
            (ErrorKind::HttpStatus, true)
        );
        assert_eq!(kind(403, "Forbidden"), (ErrorKind::Authentication, false));
    }

    proptest! {
        #[test]
        fn random_bodies_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512), status in 100u16..600) {
            let _ = decode_answer(&RawResponse::new(status, HeaderMap::new(), bytes));
        }

        #[test]
        fn random_json_objects_never_panic(
            keys in proptest::collection::vec(prop_oneof![Just("ok"), Just("data"), Just("error"), Just("error_long"), Just("x")], 0..4),
            values in proptest::collection::vec(prop_oneof![Just("null"), Just("1"), Just("\"t\""), Just("{}"), Just("[1]")], 4),
        ) {
            let body = format!(
                "{{{}}}",
                keys.iter().zip(&values).map(|(k, v)| format!("\"{k}\":{v}")).collect::<Vec<_>>().join(",")
            );
            let _ = decode(200, &body);
        }
    }

    #[test]
    fn amounts_are_plain_positive_decimals_in_the_store_currency() {
        let eur = |s| Money::parse(s, Currency::EUR).unwrap();
        assert_eq!(amount_field(eur("12.5"), Currency::EUR).unwrap(), "12.50");
        assert_eq!(amount_field(eur("4.50"), Currency::EUR).unwrap(), "4.50");
        assert_eq!(
            amount_field(eur("1000000"), Currency::EUR).unwrap(),
            "1000000.00"
        );
        assert!(amount_field(eur("0"), Currency::EUR).is_err());
        let yen = Money::parse("100", Currency::JPY).unwrap();
        let err = amount_field(yen, Currency::EUR).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid input: amount: must be in the store's currency, EUR"
        );
    }

    #[test]
    fn descriptions_allow_utf8_and_line_breaks_only() {
        assert_eq!(description_field(None).unwrap(), None);
        assert_eq!(description_field(Some("  ")).unwrap(), None);
        let text = "Pagado a través de SuperGateway, ID: 154YTR984YX\n<b>'; DROP TABLE--";
        assert_eq!(
            description_field(Some(text)).unwrap().as_deref(),
            Some(text)
        );
        assert!(description_field(Some("a\u{0}b")).is_err());
    }
}
