//! How the gateway's answer fields are read: leniently. Only the fields that decide an outcome
//! (`success`, `gateway_response.code`, `transaction_details.id`) can fail a call; every other
//! field is decoded by the helpers here, which keep what does not parse (sanitized) instead of
//! failing. The lowest module of the crate's answer side: the model types name these decoders
//! in their serde attributes, and the wire module decodes whole answers with them.

use payments_core::redact::mask_card_numbers;
use payments_core::{Decimal, Secret};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// A field decoded as leniently as the gateway writes it: the typed value when it parses, the
/// JSON as sent otherwise (card numbers masked, CVCs and tokens blanked). Only the fields that
/// decide an outcome (`success`, `gateway_response.code`, `transaction_details.id`) can fail a
/// call; a cosmetic field in an unexpected shape ends up here instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Lenient<T> {
    /// The field in the documented shape.
    Parsed(T),
    /// The field as sent, sanitized, because it did not parse.
    Unparsed(serde_json::Value),
}

impl<T> Lenient<T> {
    /// The typed value, when the field was in the documented shape.
    pub fn parsed(&self) -> Option<&T> {
        match self {
            Lenient::Parsed(value) => Some(value),
            Lenient::Unparsed(_) => None,
        }
    }
}

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        lenient(deserializer)
    }
}

thread_local! {
    /// Set while [`parse_lenient`] makes its one-pass attempt: [`Lenient`] fields then decode
    /// their value directly instead of capturing it first.
    pub(crate) static STRICT_PASS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Clears [`STRICT_PASS`] when the attempt ends, however it ends.
struct StrictPass;

impl StrictPass {
    fn enter() -> StrictPass {
        STRICT_PASS.with(|strict| strict.set(true));
        StrictPass
    }
}

impl Drop for StrictPass {
    fn drop(&mut self) {
        STRICT_PASS.with(|strict| strict.set(false));
    }
}

/// Decodes an answer with [`Lenient`] fields in one pass when every field is in its documented
/// shape (the usual case), and only otherwise in the lenient pass, which captures each such
/// field and keeps the ones that do not parse as sanitized JSON. Same result, half the work for
/// a well-formed answer.
pub(crate) fn parse_lenient<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> serde_json::Result<T> {
    let strict = {
        let _pass = StrictPass::enter();
        serde_json::from_slice(bytes)
    };
    match strict {
        Ok(value) => Ok(value),
        Err(_) => serde_json::from_slice(bytes),
    }
}

/// [`Lenient`]'s decoder: the typed value when the field parses, the sanitized JSON otherwise.
pub(crate) fn lenient<'de, D: Deserializer<'de>, T: serde::de::DeserializeOwned>(
    deserializer: D,
) -> Result<Lenient<T>, D::Error> {
    if STRICT_PASS.with(std::cell::Cell::get) {
        return T::deserialize(deserializer).map(Lenient::Parsed);
    }
    let raw = Box::<RawValue>::deserialize(deserializer)?;
    match serde_json::from_str::<T>(raw.get()) {
        Ok(value) => Ok(Lenient::Parsed(value)),
        Err(_) => {
            let mut value: serde_json::Value =
                serde_json::from_str(raw.get()).map_err(serde::de::Error::custom)?;
            sanitize(&mut value);
            Ok(Lenient::Unparsed(value))
        }
    }
}

/// Any JSON kept as sent, sanitized.
pub(crate) fn sanitized_json<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<serde_json::Value>, D::Error> {
    let mut value = Option::<serde_json::Value>::deserialize(d)?;
    if let Some(value) = value.as_mut() {
        sanitize(value);
    }
    Ok(value)
}

/// Masks card numbers wherever they appear (in strings, or as bare JSON numbers) and blanks
/// CVC-like fields and stored-card tokens, recursively: what the gateway echoes must never be
/// kept in full.
pub(crate) fn sanitize(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(text) => *text = mask_card_numbers(text),
        serde_json::Value::Number(number) => {
            let text = number.to_string();
            let masked = mask_card_numbers(&text);
            if masked != text {
                *value = serde_json::Value::String(masked);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(sanitize),
        serde_json::Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                let secret_field = matches!(
                    key.to_ascii_lowercase().as_str(),
                    "cvc"
                        | "cvv"
                        | "cvv2"
                        | "card_code"
                        | "security_code"
                        | "stored_payment_method_id"
                        | "store_payment_method_id"
                );
                if secret_field && !item.is_null() {
                    *item = serde_json::Value::String(payments_core::secret::REDACTED.into());
                } else {
                    sanitize(item);
                }
            }
        }
        _ => {}
    }
}

/// Text, or any other JSON written as text: a number exactly as the gateway wrote it (never
/// through a float: `1.10` stays `1.10`, a 25-digit reference keeps every digit), booleans as
/// themselves, objects and lists as sanitized JSON; `null` is absent. Never fails on the value's
/// shape.
///
/// The value is borrowed as raw JSON from the answer (every answer is decoded from its bytes),
/// so scalars need no `serde_json::Value` each: these fields are most of an answer, and the
/// round trip's budget is a few microseconds.
pub(crate) fn number_or_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let Some(raw) = Option::<&'de RawValue>::deserialize(d)? else {
        return Ok(None);
    };
    let json = raw.get();
    Ok(Some(match json.as_bytes().first() {
        Some(b'"') => serde_json::from_str::<String>(json).map_err(serde::de::Error::custom)?,
        Some(b'{' | b'[') => {
            sanitized_text(serde_json::from_str(json).map_err(serde::de::Error::custom)?)
        }
        Some(b't' | b'f') => json.to_owned(),
        // A number: its text as sent, card-like digit runs masked.
        _ => mask_card_numbers(json),
    }))
}

fn sanitized_text(mut value: serde_json::Value) -> String {
    sanitize(&mut value);
    value.to_string()
}

/// Like [`number_or_text`], `""` when absent: for `gateway_response.code` and `message`.
pub(crate) fn text_or_empty<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(number_or_text(d)?.unwrap_or_default())
}

/// An integer that only informs (`status_code`): the number (or numeric text) when it is one,
/// the sanitized JSON otherwise; never fails the answer around it.
pub(crate) fn lenient_integer<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Lenient<i64>>, D::Error> {
    let Some(mut value) = Option::<serde_json::Value>::deserialize(d)? else {
        return Ok(None);
    };
    let parsed = match &value {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(text) => text.trim().parse().ok(),
        _ => None,
    };
    Ok(Some(match parsed {
        Some(number) => Lenient::Parsed(number),
        None => {
            sanitize(&mut value);
            Lenient::Unparsed(value)
        }
    }))
}

/// A signed integer sent as a number or as text (`"-8019"`); `null` is absent.
pub(crate) fn signed_integer<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match number_or_text(d)? {
        None => Ok(None),
        Some(text) => text
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom("expected a whole number")),
    }
}

/// Text that decides (an id): a string or a number; anything else fails.
pub(crate) fn required_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(text) if !text.trim().is_empty() => Ok(text),
        serde_json::Value::Number(number) => Ok(number.to_string()),
        _ => Err(serde::de::Error::custom("expected a non-empty id")),
    }
}

/// A count sent as a number or text, `""` meaning none (`trial_period_duration` in answers).
pub(crate) fn optional_count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(number_or_text(d)?.and_then(|text| text.trim().parse().ok()))
}

/// A list whose items are each kept typed or, when they do not parse, as sanitized JSON.
pub(crate) fn lenient_list<'de, D: Deserializer<'de>, T: serde::de::DeserializeOwned>(
    d: D,
) -> Result<Vec<Lenient<T>>, D::Error> {
    // Raw items, parsed from their own text: the exact-amount decoders read JSON numbers as
    // written, which a `serde_json::Value` would already have turned into floats.
    if STRICT_PASS.with(std::cell::Cell::get) {
        let items = Option::<Vec<T>>::deserialize(d)?.unwrap_or_default();
        return Ok(items.into_iter().map(Lenient::Parsed).collect());
    }
    let items = Option::<Vec<Box<RawValue>>>::deserialize(d)?.unwrap_or_default();
    Ok(items
        .into_iter()
        .map(|raw| match serde_json::from_str::<T>(raw.get()) {
            Ok(value) => Lenient::Parsed(value),
            Err(_) => {
                let mut item: serde_json::Value =
                    serde_json::from_str(raw.get()).unwrap_or(serde_json::Value::Null);
                sanitize(&mut item);
                Lenient::Unparsed(item)
            }
        })
        .collect())
}

/// An exact amount: a JSON number read as written, or a decimal string; `null` is absent.
pub(crate) fn exact_amount<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    let raw = Option::<&RawValue>::deserialize(d)?;
    match raw.map(|r| r.get().trim()) {
        None | Some("null") => Ok(None),
        Some(text) => {
            let inner = text
                .strip_prefix('"')
                .and_then(|t| t.strip_suffix('"'))
                .unwrap_or(text);
            // `from_str_exact` keeps the written scale and refuses exponents: no float involved.
            Decimal::from_str_exact(inner.trim())
                .map(Some)
                .map_err(serde::de::Error::custom)
        }
    }
}

/// The stored-card token: text becomes a [`Secret`]; an empty, `null` or non-text value is
/// absent (never kept raw: it is a credential).
pub(crate) fn optional_secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        Some(serde_json::Value::String(token)) if !token.is_empty() => Some(Secret::new(token)),
        _ => None,
    })
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
