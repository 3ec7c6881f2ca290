//! Zaif's wire format, kept apart from the flow: the form body of each method and the decoding
//! of Zaif's `{"success":1,"return":…}` / `{"success":0,"error":"…"}` envelope. The
//! authentication fields (key, hashed secret, nonce) are added by [`crate::auth`].

use std::borrow::Cow;

use payments_core::http::RawResponse;
use payments_core::{Decimal, Money};

mod invoice;

use crate::PROVIDER;
use crate::error::ZaifError;
use crate::model::{CanceledInvoice, CreateInvoice, Invoice, InvoiceIds, text_fields};

/// A call's own form fields (without the authentication fields), in their order, borrowed from
/// the request where they can be.
pub(crate) type Params<'a> = Vec<(&'static str, Cow<'a, str>)>;

/// The form fields of a `createInvoice` request, in a fixed order, without the authentication
/// fields. Optional fields appear only when set.
pub(crate) fn create_invoice_form<'a>(request: &'a CreateInvoice) -> Params<'a> {
    let mut form: Params<'a> = Vec::with_capacity(8);
    form.push(("currency", Cow::Borrowed(request.currency.as_str())));
    form.push(("amount", Cow::Owned(asset_or_yen(request))));
    let mut push = |name: &'static str, value: Option<Cow<'a, str>>| {
        if let Some(value) = value {
            form.push((name, value));
        }
    };
    let major = |m: &Option<Money>| m.map(|m| Cow::Owned(m.to_major_string()));
    push(
        "speed",
        request.speed.as_ref().map(|s| Cow::Borrowed(s.as_str())),
    );
    push(
        "notificationUri",
        request
            .notification_uri
            .as_ref()
            .map(|u| Cow::Borrowed(u.as_str())),
    );
    push(
        "notificationMethod",
        request
            .notification_method
            .map(|m| Cow::Borrowed(m.as_str())),
    );
    push(
        "redirectUri",
        request
            .redirect_uri
            .as_ref()
            .map(|u| Cow::Borrowed(u.as_str())),
    );
    push("subTotal", major(&request.sub_total));
    push("tax", major(&request.tax));
    push("regularPrice", major(&request.regular_price));
    push("discount", major(&request.discount));
    for (name, value) in text_fields(
        &request.merchant_name,
        &request.order_number,
        &request.reference_number,
        &request.item_name,
        &request.buyer,
    ) {
        push(name, value.as_deref().map(Cow::Borrowed));
    }
    push(
        "billingCurrency",
        request
            .priced_in_asset
            .then(|| Cow::Borrowed(request.currency.as_str())),
    );
    form
}

/// `amount` on the wire: whole yen, or the asset amount without trailing zeros (`0.0123`).
fn asset_or_yen(request: &CreateInvoice) -> String {
    if request.priced_in_asset {
        request.amount.amount().normalize().to_string()
    } else {
        request.amount.to_major_string()
    }
}

/// `cancelInvoice`'s `return`: the invoice, decoded from the text so its amounts stay exact
/// (`None` when it is not an invoice; a cancel answer that succeeded is never an error for
/// its decoration), and kept as sent.
pub(crate) fn decode_canceled_invoice(
    invoice_id: String,
    answer: &serde_json::value::RawValue,
) -> CanceledInvoice {
    CanceledInvoice {
        invoice_id,
        invoice: Invoice::from_return(answer.get()).ok(),
        raw: serde_json::from_str(answer.get()).unwrap_or_default(),
    }
}

/// Decodes `{"success":1,"return":...}` into `T`, and `{"success":0,"error":"..."}` into a typed
/// error, whatever the method. Anything else is a status or decode error.
pub(crate) fn decode_envelope<T: Answer>(response: &RawResponse) -> Result<T, ZaifError> {
    // The usual answer, a success, is read in one pass; anything else (an error, a shape that
    // does not read) is read again below, where each case gets its own error.
    if response.is_success()
        && let Ok(answer) = read_success::<T>(&response.body)
    {
        return Ok(answer);
    }
    #[derive(serde::Deserialize)]
    struct Envelope {
        success: serde_json::Value,
        // Kept as text: invoice answers read their numbers from it exactly.
        #[serde(rename = "return", default)]
        value: Option<Box<serde_json::value::RawValue>>,
        #[serde(default)]
        error: Option<serde_json::Value>,
    }

    let envelope: Envelope = match serde_json::from_slice(&response.body) {
        Ok(envelope) => envelope,
        Err(err) if response.is_success() => {
            return Err(response.decode_error(PROVIDER, err).into());
        }
        Err(_) => return Err(response.unrecognised(PROVIDER, "not a Zaif answer").into()),
    };
    match success(&envelope.success) {
        Some(false) => {
            let message = match envelope.error {
                Some(serde_json::Value::String(text)) => text,
                Some(other) => other.to_string(),
                None => String::new(),
            };
            Err(ZaifError::from_api_message(message))
        }
        Some(true) if response.is_success() => {
            let text = envelope
                .value
                .as_deref()
                .map_or("null", serde_json::value::RawValue::get);
            T::from_return(text).map_err(|err| response.decode_error(PROVIDER, err).into())
        }
        Some(true) => Err(response
            .unrecognised(PROVIDER, "success with an error status")
            .into()),
        None => Err(response
            .decode_error(PROVIDER, "`success` is neither 1 nor 0")
            .into()),
    }
}

/// A JSON string borrowed from the answer's text when it holds no escape (the usual case),
/// copied otherwise: map keys and texts read without an allocation each. (`Cow<str>`'s own
/// `Deserialize` always copies.)
pub(crate) struct Text<'de>(pub(crate) std::borrow::Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Text<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Text<'de>, D::Error> {
        struct TextVisitor;

        impl<'de> serde::de::Visitor<'de> for TextVisitor {
            type Value = Text<'de>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }

            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(std::borrow::Cow::Borrowed(v)))
            }

            fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(std::borrow::Cow::Owned(v.to_owned())))
            }

            fn visit_string<E>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(std::borrow::Cow::Owned(v)))
            }
        }

        d.deserialize_str(TextVisitor)
    }
}

/// `success`: `1`/`0`, `true`/`false` or `"1"`/`"0"`; `None` for anything else.
fn success(value: &serde_json::Value) -> Option<bool> {
    match value {
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(1) => Some(true),
            Some(0) => Some(false),
            _ => None,
        },
        serde_json::Value::Bool(b) => Some(*b),
        serde_json::Value::String(s) => match s.as_str() {
            "1" => Some(true),
            "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// A successful envelope's `return`, read as the envelope is (no second pass over its text);
/// an error for anything that is not plainly a success with a `return` that reads.
fn read_success<T: Answer>(body: &[u8]) -> serde_json::Result<T> {
    struct Envelope<T>(std::marker::PhantomData<T>);

    impl<'de, T: Answer> serde::de::Visitor<'de> for Envelope<T> {
        type Value = T;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a Zaif envelope")
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
            use serde::de::Error as _;
            let (mut succeeded, mut answer) = (false, None);
            while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
                match key.as_ref() {
                    "success" => succeeded = success(&map.next_value()?) == Some(true),
                    "return" => answer = Some(T::next_return(&mut map)?),
                    _ => drop(map.next_value::<serde::de::IgnoredAny>()?),
                }
            }
            match (succeeded, answer) {
                (true, Some(answer)) => Ok(answer),
                _ => Err(A::Error::custom("not a plain success")),
            }
        }
    }

    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let answer = serde::Deserializer::deserialize_map(
        &mut deserializer,
        Envelope(std::marker::PhantomData),
    )?;
    deserializer.end()?;
    Ok(answer)
}

/// A method's `return` value: how it is decoded from the envelope.
pub(crate) trait Answer: Sized {
    /// Decodes the `return` value from its JSON text.
    fn from_return(text: &str) -> serde_json::Result<Self>;

    /// Decodes the `return` value as the envelope is read.
    fn next_return<'de, A: serde::de::MapAccess<'de>>(map: &mut A) -> Result<Self, A::Error>;
}

/// Answers decoded as sent.
macro_rules! plain_answers {
    ($($answer:ty),+) => {
        $(impl Answer for $answer {
            fn from_return(text: &str) -> serde_json::Result<Self> {
                serde_json::from_str(text)
            }

            fn next_return<'de, A: serde::de::MapAccess<'de>>(
                map: &mut A,
            ) -> Result<Self, A::Error> {
                map.next_value()
            }
        })+
    };
}

plain_answers!(
    serde_json::Value,
    Box<serde_json::value::RawValue>,
    InvoiceIds
);

/// Whether an invoice's `amount` is in its asset (`billingCurrency`) rather than in yen. The
/// asset amount Zaif reports beside it (`btc`, `mona`, ...) decides when present: it equals
/// `amount` only when the invoice is priced in the asset (a yen invoice would need a rate of 1).
/// Without it, the documented signal decides: Zaif drops `rate` from asset-priced invoices.
pub(crate) fn priced_in_asset(
    amount: Decimal,
    asset_amount: Option<Decimal>,
    has_rate: bool,
) -> bool {
    match asset_amount {
        Some(asset_amount) => asset_amount == amount,
        None => !has_rate,
    }
}

/// The separator of an `amount` tagged with its asset by [`invoice_value`].
const ASSET_TAG: char = ' ';

/// Decoders for Zaif's loosely typed answer fields (numbers as strings, `0` for "not yet").
pub(crate) mod fields {
    use payments_core::money::wire;
    use payments_core::{Currency, Decimal, Money};
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer};
    use time::OffsetDateTime;

    /// An invoice's `amount`: whole yen (an integer or an integer string), or an asset amount
    /// tagged by `invoice_value` (`"0.0123 btc"`), kept exactly.
    pub(crate) fn invoice_amount<'de, D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Tagged(String),
            Other(serde_json::Value),
        }
        match Raw::deserialize(d)? {
            Raw::Tagged(text) if text.contains(super::ASSET_TAG) => {
                let (amount, code) = text
                    .split_once(super::ASSET_TAG)
                    .ok_or_else(|| D::Error::custom("not an asset amount"))?;
                let asset = crate::CryptoCurrency::from_wire(code)
                    .money_currency()
                    .map_err(D::Error::custom)?;
                let amount = Decimal::from_str_exact(amount).map_err(D::Error::custom)?;
                Money::new(amount, asset).map_err(D::Error::custom)
            }
            Raw::Tagged(text) => jpy(serde_json::Value::String(text)).map_err(D::Error::custom),
            Raw::Other(value) => jpy(value).map_err(D::Error::custom),
        }
    }

    /// Writes an invoice's amount as Zaif does: whole yen as an integer, an asset amount as a
    /// decimal string without trailing zeros.
    pub(crate) fn serialize_invoice_amount<S: serde::Serializer>(
        amount: &Money,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        if amount.currency() == Currency::JPY {
            wire::major_integer(amount, s)
        } else {
            s.serialize_str(&amount.amount().normalize().to_string())
        }
    }

    /// A JPY amount (`yen`) sent as an integer (or an integer string).
    pub(crate) fn jpy<'de, D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        let value = wire::decimal_string_or_integer(d)?;
        Money::new(value, Currency::JPY).map_err(D::Error::custom)
    }

    /// A unix time sent as an integer (or an integer string).
    pub(crate) fn unix_time<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        let value = wire::decimal_string_or_integer(d)?;
        to_time(value).map_err(D::Error::custom)
    }

    /// An optional unix time: absent, `null`, `0` or `""` mean "not yet".
    pub(crate) fn optional_unix_time<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<OffsetDateTime>, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(i64),
            Text(String),
        }
        match Option::<Raw>::deserialize(d)? {
            None => Ok(None),
            Some(Raw::Number(0)) => Ok(None),
            Some(Raw::Text(t)) if t.trim().is_empty() || t.trim() == "0" => Ok(None),
            Some(Raw::Number(n)) => to_time(Decimal::from(n))
                .map(Some)
                .map_err(D::Error::custom),
            Some(Raw::Text(t)) => {
                let n: i64 = t.trim().parse().map_err(D::Error::custom)?;
                to_time(Decimal::from(n))
                    .map(Some)
                    .map_err(D::Error::custom)
            }
        }
    }

    fn to_time(value: Decimal) -> Result<OffsetDateTime, String> {
        if !value.fract().is_zero() {
            return Err("a unix time must be a whole number of seconds".into());
        }
        let seconds = i64::try_from(value).map_err(|e| e.to_string())?;
        OffsetDateTime::from_unix_timestamp(seconds).map_err(|e| e.to_string())
    }

    /// An optional exact decimal sent as a string (or a number without a fraction).
    pub(crate) fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        wire::option_decimal_string_or_integer(d)
    }

    /// A count sent as an integer or a string.
    pub(crate) fn count<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let value = wire::decimal_string_or_integer(d)?;
        u64::try_from(value).map_err(D::Error::custom)
    }

    /// A list of ids that may be `null`.
    pub(crate) fn ids<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        Ok(Option::<Vec<String>>::deserialize(d)?.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::model::{NotificationMethod, Speed};
    use crate::{CreatedInvoice, CryptoCurrency, Invoice, InvoiceIds};
    use payments_core::ErrorKind;

    /// The one-pass read of a success gives what reading the envelope, then its `return`,
    /// gives; anything but a plain success is left to the second reading.
    #[test]
    fn a_success_reads_the_same_in_one_pass_as_in_two() {
        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/zaif");
        let mut bodies: Vec<String> = Vec::new();
        for entry in std::fs::read_dir(folder).unwrap() {
            let fixture: serde_json::Value =
                serde_json::from_slice(&std::fs::read(entry.unwrap().path()).unwrap()).unwrap();
            if let Some(body) = fixture.pointer("/response/json")
                && body.get("success") == Some(&serde_json::json!(1))
            {
                bodies.push(body.to_string());
            }
        }
        assert!(bodies.len() >= 5, "{} documented successes", bodies.len());
        bodies.push(r#"{"return":{"n":1},"extra":[1],"success":"1"}"#.into());
        bodies.push(r#"{"success":true,"return":null}"#.into());
        let mut invoices = 0;
        for body in &bodies {
            let two: serde_json::Value = serde_json::from_str(body).unwrap();
            let one = read_success::<serde_json::Value>(body.as_bytes()).unwrap();
            assert_eq!(one, two["return"], "{body}");
            let text = two["return"].to_string();
            if let Ok(expected) = CreatedInvoice::from_return(&text) {
                let read = read_success::<CreatedInvoice>(body.as_bytes()).unwrap();
                assert_eq!(read, expected, "{body}");
                invoices += 1;
            }
        }
        assert!(invoices >= 2, "the comparison must see invoices");
        for refused in [
            r#"{"success":0,"error":"nonce not incremented"}"#,
            r#"{"success":1}"#,
            r#"{"success":2,"return":{}}"#,
            r#"{"success":1,"return":{}} trailing"#,
        ] {
            assert!(
                read_success::<serde_json::Value>(refused.as_bytes()).is_err(),
                "{refused}"
            );
        }
    }

    use proptest::prelude::*;
    use reqwest::header::HeaderMap;

    fn answer(status: u16, body: &str) -> RawResponse {
        RawResponse::new(status, HeaderMap::new(), body.to_owned())
    }

    fn decode(status: u16, body: &str) -> Result<serde_json::Value, ZaifError> {
        decode_envelope(&answer(status, body))
    }

    #[test]
    fn envelope_success_and_error_shapes() {
        assert_eq!(
            decode(200, r#"{"success":1,"return":{"a":1}}"#).unwrap()["a"],
            1
        );
        assert_eq!(
            decode(200, r#"{"success":true,"return":[]}"#).unwrap(),
            serde_json::json!([])
        );
        assert_eq!(
            decode(200, r#"{"success":1}"#).unwrap(),
            serde_json::Value::Null
        );
        assert!(matches!(
            decode(200, r#"{"success":0,"error":"nonce not incremented"}"#),
            Err(ZaifError::NonceNotIncremented { .. })
        ));
        // An error envelope keeps its meaning whatever the status.
        assert!(matches!(
            decode(500, r#"{"success":0,"error":"invalid parameter amount"}"#),
            Err(ZaifError::InvalidParameter { .. })
        ));
        assert!(matches!(
            decode(200, r#"{"success":"0","error":{"code":7}}"#),
            Err(ZaifError::Api { message }) if message == r#"{"code":7}"#
        ));
    }

    #[test]
    fn non_envelopes_are_typed_errors() {
        let kind = |status, body| match decode(status, body) {
            Err(ZaifError::Core(error)) => (error.kind(), error.outcome_unknown()),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            kind(200, "<html>maintenance</html>"),
            (ErrorKind::Decode, true)
        );
        assert_eq!(kind(200, ""), (ErrorKind::Decode, true));
        assert_eq!(
            kind(200, r#"{"success":1,"return":{"invoiceId":"#),
            (ErrorKind::Decode, true)
        );
        assert_eq!(kind(200, r#"{"success":2}"#), (ErrorKind::Decode, true));
        assert_eq!(
            kind(502, "<html>Bad Gateway</html>"),
            (ErrorKind::HttpStatus, true)
        );
        assert_eq!(kind(503, ""), (ErrorKind::HttpStatus, true));
        assert_eq!(kind(401, "nope"), (ErrorKind::Authentication, false));
        assert_eq!(
            kind(500, r#"{"success":1,"return":{}}"#),
            (ErrorKind::HttpStatus, true)
        );
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512), status in 100u16..600) {
            let response = RawResponse::new(status, HeaderMap::new(), bytes);
            let _ = decode_envelope::<CreatedInvoice>(&response);
            let _ = decode_envelope::<Invoice>(&response);
            let _ = decode_envelope::<InvoiceIds>(&response);
        }

        #[test]
        fn random_json_never_panics(value in arbitrary_json(), status in prop_oneof![Just(200u16), Just(500u16)]) {
            for wrapped in [
                value.clone(),
                serde_json::json!({"success": 1, "return": value.clone()}),
                serde_json::json!({"success": 0, "error": value.clone()}),
            ] {
                let body = wrapped.to_string();
                let _ = decode_envelope::<CreatedInvoice>(&answer(status, &body));
                let _ = decode_envelope::<Invoice>(&answer(status, &body));
                let _ = decode_envelope::<InvoiceIds>(&answer(status, &body));
            }
        }
    }

    fn arbitrary_json() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<i64>().prop_map(|n| serde_json::json!(n)),
            "[ -~]{0,12}".prop_map(serde_json::Value::String),
        ];
        leaf.prop_recursive(3, 32, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
                proptest::collection::btree_map(
                    prop_oneof![
                        Just("invoiceId".to_owned()),
                        Just("amount".to_owned()),
                        Just("created".to_owned()),
                        Just("status".to_owned()),
                        Just("invoideIds".to_owned()),
                        Just("counts".to_owned()),
                        "[a-z]{1,6}".prop_map(String::from),
                    ],
                    inner,
                    0..6,
                )
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn every_valid_request_round_trips_through_the_form_body(
            amount in 1u64..=10_000_000_000,
            sub_total in proptest::option::of(0u64..=u64::MAX / 2),
            item_name in proptest::option::of("\\PC{1,40}"),
            order_number in proptest::option::of("[ -~]{1,40}"),
            buyer_name in proptest::option::of("[ぁ-んァ-ン一-龠 &=+%]{1,20}"),
            email_local in "[a-z0-9.+_-]{1,12}",
            speed in proptest::sample::select(vec![Speed::High, Speed::Medium, Speed::Low]),
        ) {
            let mut builder = CreateInvoice::builder(CryptoCurrency::Mona, amount)
                .speed(speed)
                .buyer_email(format!("{email_local}@example.jp"));
            if let Some(v) = sub_total { builder = builder.sub_total(v); }
            if let Some(v) = &item_name { builder = builder.item_name(v.clone()); }
            if let Some(v) = &order_number { builder = builder.order_number(v.clone()); }
            if let Some(v) = &buyer_name { builder = builder.buyer_name(v.clone()); }
            let Ok(request) = builder.build() else {
                // Only blank text may be refused.
                let blank = |v: &Option<String>| v.as_ref().is_some_and(|v| v.trim().is_empty());
                proptest::prop_assert!(blank(&item_name) || blank(&order_number) || blank(&buyer_name));
                return Ok(());
            };
            let form = create_invoice_form(&request);
            let body = serde_urlencoded::to_string(&form).unwrap();
            let decoded: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap();
            let expected: Vec<(String, String)> =
                form.iter().map(|(k, v)| ((*k).to_owned(), v.to_string())).collect();
            proptest::prop_assert_eq!(&decoded, &expected);
            let get = |name: &str| decoded.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
            proptest::prop_assert_eq!(get("amount"), Some(amount.to_string()));
            proptest::prop_assert_eq!(get("subTotal"), sub_total.map(|v| v.to_string()));
            proptest::prop_assert_eq!(get("itemName"), item_name);
            proptest::prop_assert_eq!(get("orderNumber"), order_number);
            proptest::prop_assert_eq!(get("buyerName"), buyer_name);
            proptest::prop_assert_eq!(get("buyerEmail"), Some(format!("{email_local}@example.jp")));
        }
    }

    #[test]
    fn every_text_field_is_checked_and_named() {
        type Setter = fn(crate::CreateInvoiceBuilder, &str) -> crate::CreateInvoiceBuilder;
        let setters: [(&str, Setter); 14] = [
            ("merchantName", |b, v| b.merchant_name(v)),
            ("orderNumber", |b, v| b.order_number(v)),
            ("referenceNumber", |b, v| b.reference_number(v)),
            ("itemName", |b, v| b.item_name(v)),
            ("buyerId", |b, v| b.buyer_id(v)),
            ("buyerName", |b, v| b.buyer_name(v)),
            ("buyerKana", |b, v| b.buyer_kana(v)),
            ("buyerZip", |b, v| b.buyer_zip(v)),
            ("buyerAddr1", |b, v| b.buyer_addr1(v)),
            ("buyerAddr2", |b, v| b.buyer_addr2(v)),
            ("buyerAddr3", |b, v| b.buyer_addr3(v)),
            ("buyerPhone", |b, v| b.buyer_phone(v)),
            ("buyerCellphone", |b, v| b.buyer_cellphone(v)),
            ("buyerEmail", |b, v| b.buyer_email(v)),
        ];
        for (field, set) in setters {
            for bad in ["", " \t", "a\u{7}b@c.jp", "a\nb@c.jp"] {
                let builder = set(CreateInvoice::builder(CryptoCurrency::Btc, 1), bad);
                let err = builder.build().unwrap_err();
                assert!(err.to_string().contains(field), "{field} {bad:?}: {err}");
                let named = matches!(
                    &err,
                    ZaifError::Core(payments_core::Error::InvalidInput { field: named, .. }) if named == field
                );
                assert!(named, "{field} {bad:?}: {err:?}");
            }
            let fine = set(
                CreateInvoice::builder(CryptoCurrency::Btc, 1),
                "ok-1@example.jp",
            )
            .build()
            .unwrap();
            let sent: Vec<_> = create_invoice_form(&fine)
                .into_iter()
                .filter(|(name, _)| *name == field)
                .map(|(_, value)| value.into_owned())
                .collect();
            assert_eq!(sent, ["ok-1@example.jp"], "{field}");
        }
    }

    #[test]
    fn minimal_request_sends_only_currency_and_amount() {
        let request = CreateInvoice::builder(CryptoCurrency::Mona, 10000)
            .build()
            .unwrap();
        assert_eq!(
            create_invoice_form(&request),
            vec![("currency", "mona".into()), ("amount", "10000".into())]
        );
    }

    #[test]
    fn every_parameter_has_its_documented_name() {
        let request = CreateInvoice::builder(CryptoCurrency::Btc, 10800)
            .speed(Speed::Low)
            .notification_uri("https://shop.example/notify?order=1")
            .notification_method(NotificationMethod::Get)
            .redirect_uri("http://shop.example/done")
            .sub_total(10000)
            .tax(800)
            .regular_price(12000)
            .discount(2000)
            .merchant_name("Shop")
            .order_number("A-1")
            .reference_number("R-1")
            .item_name("Beans")
            .buyer_id("u1")
            .buyer_name("山田太郎")
            .buyer_kana("やまだたろう")
            .buyer_zip("1600022")
            .buyer_addr1("a1")
            .buyer_addr2("a2")
            .buyer_addr3("a3")
            .buyer_phone("0312345678")
            .buyer_cellphone("09012345678")
            .buyer_email("taro@example.jp")
            .build()
            .unwrap();
        let names: Vec<&str> = create_invoice_form(&request)
            .iter()
            .map(|(k, _)| *k)
            .collect();
        assert_eq!(
            names,
            [
                "currency",
                "amount",
                "speed",
                "notificationUri",
                "notificationMethod",
                "redirectUri",
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
            ]
        );
        let form: BTreeMap<_, _> = create_invoice_form(&request).into_iter().collect();
        assert_eq!(form["speed"], "low");
        assert_eq!(form["notificationMethod"], "GET");
        assert_eq!(
            form["notificationUri"],
            "https://shop.example/notify?order=1"
        );
        assert_eq!(form["tax"], "800");
    }
}
