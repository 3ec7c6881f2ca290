//! INTER-STREAM's wire format, kept apart from the flow: the action's query (`go`, `do`, `iq`),
//! the urlencoded form fields, and the decoding of the `ok` / `data` / `error` answers. The
//! signing parameters (`timestamp`, `salt`, `key`, `signature`) are added by [`crate::auth`].

use payments_core::http::RawResponse;
use payments_core::validate::{self, Lines};
use payments_core::{Currency, Error, Money, Url};

use crate::PROVIDER;
use crate::error::InterstreamError;
use crate::model::{Action, Answer, Credit, UserId};

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

pub(crate) fn expect_ok(answer: Answer) -> Result<String, InterstreamError> {
    match answer {
        Answer::Ok(text) => Ok(text),
        Answer::Data(data) => Err(Error::decode(
            PROVIDER,
            200,
            "expected {\"ok\": ...}",
            payments_core::redact::excerpt(data.to_string().as_bytes()),
        )
        .into()),
    }
}

pub(crate) fn expect_data(answer: Answer) -> Result<serde_json::Value, InterstreamError> {
    match answer {
        Answer::Data(data) => Ok(data),
        Answer::Ok(text) => Err(Error::decode(
            PROVIDER,
            200,
            "expected {\"data\": ...}",
            payments_core::redact::excerpt(text.as_bytes()),
        )
        .into()),
    }
}

/// Decodes `{"ok": ...}`, `{"data": ...}` and `{"error": ..., "error_long": ...}`, whatever the
/// action; anything else is a status or decode error.
pub(crate) fn decode_answer(response: &RawResponse) -> Result<Answer, InterstreamError> {
    let object = match serde_json::from_slice::<serde_json::Value>(&response.body) {
        Ok(serde_json::Value::Object(object)) => object,
        Ok(_) | Err(_) if !response.is_success() => {
            return Err(response
                .unrecognised(PROVIDER, "not an INTER-STREAM answer")
                .into());
        }
        Ok(_) => return Err(response.decode_error(PROVIDER, "not a JSON object").into()),
        Err(err) => return Err(response.decode_error(PROVIDER, err).into()),
    };
    let text = |value: &serde_json::Value| match value {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    if let Some(code) = object.get("error") {
        let message = object.get("error_long").map(text).unwrap_or_default();
        return Err(InterstreamError::from_answer(text(code), message));
    }
    if !response.is_success() {
        return Err(response.unrecognised(PROVIDER, "unexpected status").into());
    }
    if let Some(ok) = object.get("ok") {
        return Ok(Answer::Ok(text(ok)));
    }
    if let Some(data) = object.get("data") {
        return Ok(Answer::Data(data.clone()));
    }
    Err(response
        .decode_error(PROVIDER, "neither ok, data nor error")
        .into())
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
