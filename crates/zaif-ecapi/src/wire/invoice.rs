//! Invoice answers (`createInvoice`, `getInvoice`, `cancelInvoice`'s `return`), decoded in one
//! pass over their text.
//!
//! An invoice's `amount` is in yen or in the asset depending on its neighbours (`currency`,
//! the asset amount, `rate`), and Zaif may send amounts as JSON numbers that a float would
//! change. So the amounts are captured as raw JSON while the object is read, every other known
//! field is decoded as it comes (the answer types' own field decoders), unknown fields are kept
//! as sent, and the invoice is assembled at the end. Nothing is buffered twice: before this, a
//! `#[serde(flatten)]` re-read every field, which made the typed call cost 0.85 of raw reqwest
//! doing the same signing by hand (docs/performance.md).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use payments_core::{Decimal, Url};
use serde::de::value::StrDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use time::OffsetDateTime;

use super::{Answer, fields, priced_in_asset};
use crate::model::{CreatedInvoice, CryptoCurrency, Invoice, InvoiceStatus, Speed};

impl Answer for CreatedInvoice {
    fn from_return(text: &str) -> serde_json::Result<Self> {
        read(text, Kind::Created)?.created()
    }

    fn next_return<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Self, A::Error> {
        map.next_value_seed(FieldsVisitor(Kind::Created))?
            .created()
            .map_err(de::Error::custom)
    }
}

impl Answer for Invoice {
    fn from_return(text: &str) -> serde_json::Result<Self> {
        read(text, Kind::Looked)?.invoice()
    }

    fn next_return<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Self, A::Error> {
        map.next_value_seed(FieldsVisitor(Kind::Looked))?
            .invoice()
            .map_err(de::Error::custom)
    }
}

/// Which answer is read: `createInvoice`'s (with the form's URLs) or `getInvoice`'s (with its
/// status). A field the other one has is, here, an unknown field kept as sent.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Created,
    Looked,
}

/// The fields of an invoice answer as read: the amounts raw, the rest decoded.
#[derive(Default)]
struct Fields<'a> {
    invoice_id: Option<String>,
    invoice_uri: Option<Cow<'a, str>>,
    invoice_iframe_uri: Option<Cow<'a, str>>,
    created: Option<OffsetDateTime>,
    expired: Option<OffsetDateTime>,
    status: Option<InvoiceStatus>,
    settled: Option<OffsetDateTime>,
    currency: Option<CryptoCurrency>,
    address: Option<String>,
    bip21: Option<String>,
    speed: Option<Speed>,
    order_number: Option<String>,
    reference_number: Option<String>,
    buyer_id: Option<String>,
    /// `amount`, `rate`, `btc`, `mona`, `skeb`, as sent.
    amount: Option<&'a RawValue>,
    rate: Option<&'a RawValue>,
    btc: Option<&'a RawValue>,
    mona: Option<&'a RawValue>,
    skeb: Option<&'a RawValue>,
    /// Everything else, as sent.
    extra: Vec<(String, &'a RawValue)>,
}

fn read(text: &str, kind: Kind) -> serde_json::Result<Fields<'_>> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let fields = deserializer.deserialize_map(FieldsVisitor(kind))?;
    deserializer.end()?;
    Ok(fields)
}

struct FieldsVisitor(Kind);

impl<'de> DeserializeSeed<'de> for FieldsVisitor {
    type Value = Fields<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Fields<'de>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FieldsVisitor {
    type Value = Fields<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an invoice object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields<'de>, A::Error> {
        let mut fields = Fields::default();
        // The last of a repeated key wins, as in a JSON object read into a map.
        while let Some(super::Text(key)) = map.next_key::<super::Text<'de>>()? {
            let created = self.0 == Kind::Created;
            match key.as_ref() {
                "invoiceId" => fields.invoice_id = Some(map.next_value()?),
                "invoiceUri" if created => {
                    fields.invoice_uri = Some(map.next_value::<super::Text<'de>>()?.0);
                }
                "invoiceIframeUri" if created => {
                    fields.invoice_iframe_uri = Some(map.next_value::<super::Text<'de>>()?.0);
                }
                "created" => fields.created = Some(map.next_value_seed(UnixTime)?),
                "expired" => fields.expired = Some(map.next_value_seed(UnixTime)?),
                "status" if !created => fields.status = Some(map.next_value()?),
                "settled" if !created => fields.settled = map.next_value_seed(OptionalUnixTime)?,
                "currency" => fields.currency = Some(map.next_value()?),
                "address" => fields.address = Some(map.next_value()?),
                "BIP21" => fields.bip21 = Some(map.next_value()?),
                "speed" => fields.speed = Some(map.next_value()?),
                "orderNumber" => fields.order_number = map.next_value()?,
                "referenceNumber" => fields.reference_number = map.next_value()?,
                "buyerId" => fields.buyer_id = map.next_value()?,
                "amount" => fields.amount = Some(map.next_value()?),
                "rate" => fields.rate = Some(map.next_value()?),
                "btc" => fields.btc = Some(map.next_value()?),
                "mona" => fields.mona = Some(map.next_value()?),
                "skeb" => fields.skeb = Some(map.next_value()?),
                _ => {
                    let value = map.next_value::<&'de RawValue>()?;
                    let name = key.into_owned();
                    fields.extra.retain(|(known, _)| *known != name);
                    fields.extra.push((name, value));
                }
            }
        }
        Ok(fields)
    }
}

/// `created`/`expired`: [`fields::unix_time`].
struct UnixTime;

impl<'de> DeserializeSeed<'de> for UnixTime {
    type Value = OffsetDateTime;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<OffsetDateTime, D::Error> {
        fields::unix_time(d)
    }
}

/// `settled`: [`fields::optional_unix_time`].
struct OptionalUnixTime;

impl<'de> DeserializeSeed<'de> for OptionalUnixTime {
    type Value = Option<OffsetDateTime>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<OffsetDateTime>, D::Error> {
        fields::optional_unix_time(d)
    }
}

/// What an amount field holds.
enum Text<'a> {
    /// Absent or `null`.
    Absent,
    /// A JSON number's text as written, or a string's content.
    Plain(Cow<'a, str>),
    /// Anything else (`true`, an object, ...).
    Other,
}

fn text_of(raw: &RawValue) -> Text<'_> {
    let text = raw.get().trim();
    if text == "null" {
        Text::Absent
    } else if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        Text::Plain(Cow::Borrowed(text))
    } else if text.starts_with('"') {
        serde_json::from_str::<Cow<'_, str>>(text).map_or(Text::Other, Text::Plain)
    } else {
        Text::Other
    }
}

/// An optional exact decimal ([`fields::decimal`]), read from the amount's text directly; other
/// shapes go through the decoder as sent, for its error.
fn decimal(raw: Option<&RawValue>) -> serde_json::Result<Option<Decimal>> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    match text_of(raw) {
        Text::Absent => Ok(None),
        Text::Plain(text) => {
            payments_core::money::wire::decimal_string_or_integer(StrDeserializer::<
                serde_json::Error,
            >::new(&text))
            .map(Some)
        }
        Text::Other => fields::decimal(amount_value(raw)?),
    }
}

/// A raw amount as the answer types' decoders read it: a JSON number becomes a string of its
/// exact text (a float would change it); anything else is decoded as sent.
fn amount_value(raw: &RawValue) -> serde_json::Result<serde_json::Value> {
    let text = raw.get().trim();
    if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        Ok(serde_json::Value::String(text.to_owned()))
    } else {
        serde_json::from_str(raw.get())
    }
}

#[cold]
fn missing(field: &'static str) -> serde_json::Error {
    de::Error::missing_field(field)
}

impl Fields<'_> {
    /// The amount fields, decoded (`None` when absent or `null`), and `amount` as money.
    fn amounts(&self) -> serde_json::Result<Amounts> {
        let (rate, btc, mona, skeb) = (
            decimal(self.rate)?,
            decimal(self.btc)?,
            decimal(self.mona)?,
            decimal(self.skeb)?,
        );
        let currency = self.currency.as_ref().ok_or_else(|| missing("currency"))?;
        let amount = self.amount.ok_or_else(|| missing("amount"))?;
        let asset_amount = match currency {
            CryptoCurrency::Btc => btc,
            CryptoCurrency::Mona => mona,
            CryptoCurrency::Skeb => skeb,
            CryptoCurrency::Other(code) => {
                let sent = self.extra.iter().find(|(name, _)| name == code);
                decimal(sent.map(|(_, raw)| *raw))?
            }
        };
        let amount = match text_of(amount) {
            Text::Plain(text) => match Decimal::from_str_exact(text.trim()) {
                // Priced in the asset: the amount is in it, not in yen.
                Ok(exact) if priced_in_asset(exact, asset_amount, rate.is_some()) => {
                    let asset = currency.money_currency().map_err(de::Error::custom)?;
                    payments_core::Money::new(exact, asset).map_err(de::Error::custom)?
                }
                _ => fields::jpy(StrDeserializer::<serde_json::Error>::new(&text))?,
            },
            // `null`, or a shape no amount has: the answer types' decoder says why.
            Text::Absent | Text::Other => fields::invoice_amount(amount_value(amount)?)?,
        };
        Ok(Amounts {
            amount,
            rate,
            btc,
            mona,
            skeb,
        })
    }

    /// Unknown fields as sent (an unlisted asset's amount as the text of its number).
    fn extra(&self) -> serde_json::Result<BTreeMap<String, serde_json::Value>> {
        let asset = match &self.currency {
            Some(CryptoCurrency::Other(code)) => Some(code.as_str()),
            _ => None,
        };
        self.extra
            .iter()
            .map(|(name, raw)| {
                let value = if Some(name.as_str()) == asset {
                    amount_value(raw)?
                } else {
                    serde_json::from_str(raw.get())?
                };
                Ok((name.clone(), value))
            })
            .collect()
    }

    fn created(self) -> serde_json::Result<CreatedInvoice> {
        let amounts = self.amounts()?;
        let extra = self.extra()?;
        let form = self.invoice_uri.ok_or_else(|| missing("invoiceUri"))?;
        let iframe = self
            .invoice_iframe_uri
            .ok_or_else(|| missing("invoiceIframeUri"))?;
        let invoice_uri = Url::parse(&form).map_err(de::Error::custom)?;
        let invoice_iframe_uri = match sibling(&invoice_uri, &iframe) {
            Some(url) => url,
            None => Url::parse(&iframe).map_err(de::Error::custom)?,
        };
        Ok(CreatedInvoice {
            invoice_id: self.invoice_id.ok_or_else(|| missing("invoiceId"))?,
            invoice_uri,
            invoice_iframe_uri,
            created: self.created.ok_or_else(|| missing("created"))?,
            expired: self.expired.ok_or_else(|| missing("expired"))?,
            amount: amounts.amount,
            currency: self.currency.ok_or_else(|| missing("currency"))?,
            rate: amounts.rate,
            btc: amounts.btc,
            mona: amounts.mona,
            skeb: amounts.skeb,
            address: self.address.ok_or_else(|| missing("address"))?,
            bip21: self.bip21.ok_or_else(|| missing("BIP21"))?,
            speed: self.speed.ok_or_else(|| missing("speed"))?,
            order_number: self.order_number,
            reference_number: self.reference_number,
            buyer_id: self.buyer_id,
            extra,
        })
    }

    fn invoice(self) -> serde_json::Result<Invoice> {
        let amounts = self.amounts()?;
        let extra = self.extra()?;
        Ok(Invoice {
            invoice_id: self.invoice_id.ok_or_else(|| missing("invoiceId"))?,
            created: self.created.ok_or_else(|| missing("created"))?,
            expired: self.expired.ok_or_else(|| missing("expired"))?,
            status: self.status.ok_or_else(|| missing("status"))?,
            settled: self.settled,
            amount: amounts.amount,
            currency: self.currency.ok_or_else(|| missing("currency"))?,
            rate: amounts.rate,
            btc: amounts.btc,
            mona: amounts.mona,
            skeb: amounts.skeb,
            address: self.address.ok_or_else(|| missing("address"))?,
            bip21: self.bip21.ok_or_else(|| missing("BIP21"))?,
            speed: self.speed.ok_or_else(|| missing("speed"))?,
            order_number: self.order_number,
            reference_number: self.reference_number,
            buyer_id: self.buyer_id,
            extra,
        })
    }
}

/// `text` as a URL built from `base`, its sibling on the same origin (the iframe form beside
/// the payment form), without parsing the scheme and host again (a third of a URL's parse,
/// two thirds of it with the host's IDNA mapping); `None` when `text` is on another origin or
/// does not come out exactly as written. Exact: a URL whose serialization is `text` is what
/// parsing `text` gives, since parsing a URL's own serialization gives that URL back.
fn sibling(base: &Url, text: &str) -> Option<Url> {
    let origin = &base[..url::Position::BeforePath];
    let rest = text.strip_prefix(origin)?;
    let (rest, fragment) = match rest.split_once('#') {
        Some((rest, fragment)) => (rest, Some(fragment)),
        None => (rest, None),
    };
    let (path, query) = match rest.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (rest, None),
    };
    let mut url = base.clone();
    url.set_path(path);
    url.set_query(query);
    url.set_fragment(fragment);
    (url.as_str() == text).then_some(url)
}

/// An invoice's amounts, decoded.
struct Amounts {
    amount: payments_core::Money,
    rate: Option<Decimal>,
    btc: Option<Decimal>,
    mona: Option<Decimal>,
    skeb: Option<Decimal>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::ASSET_TAG;

    /// The fields of an invoice answer that hold amounts (`amount`, `rate`, and the asset
    /// amount named after its currency), which the documents write as strings but Zaif may send
    /// as JSON numbers.
    const AMOUNT_FIELDS: &[&str] = &["amount", "rate", "btc", "mona", "skeb"];

    /// The reference the one-pass reader is compared with: the answer rewritten as a
    /// `serde_json::Value` (amounts as their exact text, an asset-priced amount tagged with its
    /// asset), then decoded by the answer types' derived `Deserialize`.
    fn invoice_value(text: &str) -> serde_json::Result<serde_json::Value> {
        use serde_json::value::RawValue;
        let Ok(fields) = serde_json::from_str::<BTreeMap<String, Box<RawValue>>>(text) else {
            // Not an object: the typed decode reports it.
            return serde_json::from_str(text);
        };
        let asset = fields
            .get("currency")
            .and_then(|raw| serde_json::from_str::<String>(raw.get()).ok());
        let mut object = serde_json::Map::new();
        for (name, raw) in fields {
            let is_amount = AMOUNT_FIELDS.contains(&name.as_str()) || Some(&name) == asset.as_ref();
            let raw_text = raw.get().trim();
            let is_number = raw_text.starts_with(|c: char| c == '-' || c.is_ascii_digit());
            let value = if is_amount && is_number {
                serde_json::Value::String(raw_text.to_owned())
            } else {
                serde_json::from_str(raw.get())?
            };
            object.insert(name, value);
        }
        if let Some(asset) = asset {
            // Every amount field is text by now, whether Zaif sent a string or a number.
            let decimal = |name: &str| match object.get(name) {
                Some(serde_json::Value::String(text)) => Decimal::from_str_exact(text.trim()).ok(),
                _ => None,
            };
            let has_rate = !object.get("rate").is_none_or(serde_json::Value::is_null);
            if let Some(amount) = decimal("amount")
                && priced_in_asset(amount, decimal(&asset), has_rate)
            {
                object.insert(
                    "amount".into(),
                    serde_json::Value::String(format!("{amount}{ASSET_TAG}{asset}")),
                );
            }
        }
        Ok(serde_json::Value::Object(object))
    }

    /// A sibling built from the form's URL is the URL parsing the text gives, or none at all.
    #[test]
    fn siblings_are_what_parsing_gives() {
        let base = Url::parse("https://zaif.jp/invoice/form/d7dd735c").unwrap();
        let built = sibling(&base, "https://zaif.jp/invoice/iframe/d7dd735c").unwrap();
        assert_eq!(
            built,
            Url::parse("https://zaif.jp/invoice/iframe/d7dd735c").unwrap()
        );
        for text in [
            "https://zaif.jp/invoice/iframe/d7dd735c?x=1#top",
            "https://ZAIF.jp/invoice/iframe/x",
            "https://zaif.jp:443/invoice/iframe/x",
            "https://zaif.jp/a b/../c/%7e?q=a b",
            "https://zaif.jp",
            "https://other.example/invoice/iframe/x",
            "http://zaif.jp/invoice/iframe/x",
        ] {
            if let Some(url) = sibling(&base, text) {
                assert_eq!(Some(url), Url::parse(text).ok(), "{text}");
            }
        }
        proptest::proptest!(|(tail in "[ -~]{0,40}")| {
            let text = format!("https://zaif.jp/{tail}");
            if let Some(url) = sibling(&base, &text) {
                proptest::prop_assert_eq!(Some(url), Url::parse(&text).ok());
            }
        });
    }

    /// Every documented invoice answer in `fixtures/zaif`, and shapes Zaif might send: the
    /// one-pass reader and the reference (`Value`) path must agree on each, error or not.
    #[test]
    fn invoices_decode_the_same_in_one_pass_as_through_a_value() {
        let mut bodies: Vec<String> = Vec::new();
        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/zaif");
        for entry in std::fs::read_dir(folder).unwrap() {
            let fixture: serde_json::Value =
                serde_json::from_slice(&std::fs::read(entry.unwrap().path()).unwrap()).unwrap();
            if let Some(answer) = fixture.pointer("/response/json/return")
                && answer.get("invoiceId").is_some()
            {
                bodies.push(answer.to_string());
            }
        }
        assert!(bodies.len() >= 4, "{} documented invoices", bodies.len());
        let base = r#""invoiceId":"i","invoiceUri":"https://zaif.jp/invoice/form/i","invoiceIframeUri":"https://zaif.jp/invoice/iframe/i","created":1,"expired":2,"address":"a","BIP21":"b","speed":"high","status":"new","settled":false"#;
        for tail in [
            // Numbers as JSON numbers, beyond a float's precision.
            r#""amount":10800,"currency":"btc","rate":30012.000000000001,"btc":0.35985600000000000001"#,
            // Priced in the asset: amount equal to the asset amount.
            r#""amount":"0.0123","currency":"btc","btc":"0.0123","rate":null"#,
            // Priced in the asset, no asset amount and no rate.
            r#""amount":"0.5","currency":"mona""#,
            // An unlisted asset, unknown fields, escapes in values.
            r#""amount":"1000","currency":"xem","xem":12.5,"rate":"80","note":"café "x"","extra":{"a":[1,2.50]}"#,
            // Wrong types: both must refuse.
            r#""amount":true,"currency":"btc""#,
            // A key written with an escape, and a repeated key (the last one counts).
            r#""amount":"500","currency":"btc","b\u0074c":"0.1","note":1,"note":2"#,
            // Amounts with spaces, escapes, `null`s and wrong shapes.
            r#""amount":" 500","currency":"btc","btc":null,"rate":"80""#,
            r#""amount":"1\u00300","currency":"btc","btc":"0.1","rate":" 80 ""#,
            r#""amount":null,"currency":"btc""#,
            r#""amount":"500","currency":"btc","btc":false"#,
            r#""amount":500,"currency":"btc","rate":{"jpy":1}"#,
            r#""amount":"0.5","currency":"xem","xem":"0.5""#,
            r#""amount":-5,"currency":"btc","btc":"-5""#,
            // A repeated amount, the second priced in the asset.
            r#""amount":"10800","amount":"0.25","currency":"mona","mona":"0.25""#,
        ] {
            bodies.push(format!("{{{base},{tail}}}"));
        }
        bodies.push("[1,2]".into());
        bodies.push("null".into());
        let mut decoded = 0;
        for body in &bodies {
            let one_pass = CreatedInvoice::from_return(body).map(|i| format!("{i:?}"));
            let through_value = invoice_value(body)
                .and_then(serde_json::from_value::<CreatedInvoice>)
                .map(|i| format!("{i:?}"));
            assert_eq!(one_pass.is_ok(), through_value.is_ok(), "{body}");
            if let (Ok(a), Ok(b)) = (&one_pass, &through_value) {
                assert_eq!(a, b, "{body}");
                decoded += 1;
            }
            let one_pass = Invoice::from_return(body).map(|i| format!("{i:?}"));
            let through_value = invoice_value(body)
                .and_then(serde_json::from_value::<Invoice>)
                .map(|i| format!("{i:?}"));
            assert_eq!(one_pass.is_ok(), through_value.is_ok(), "{body}");
            if let (Ok(a), Ok(b)) = (&one_pass, &through_value) {
                assert_eq!(a, b, "{body}");
            }
        }
        assert!(
            decoded >= 7,
            "only {decoded} bodies decoded: the comparison must see invoices"
        );
    }
}
