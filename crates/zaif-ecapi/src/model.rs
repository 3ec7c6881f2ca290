//! Zaif's request and response types, and their wire transformers.
//!
//! Requests are validated when built ([`CreateInvoiceBuilder::build`]) and turned into form
//! fields by `to_form`; responses decode the `return` object of Zaif's envelope. Crypto amounts
//! and rates are exact [`Decimal`]s (Zaif sends them as strings), JPY amounts are [`Money`],
//! unix times are [`OffsetDateTime`]s. Unknown enum values are kept, not rejected.

use std::collections::BTreeMap;
use std::fmt;

use payments_core::money::wire;
use payments_core::{Currency, Decimal, Money, Url};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;

use crate::error::ZaifError;

/// Declares a string enum whose unknown values are kept in `Other`.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $wire:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this crate does not know yet, kept verbatim.
            Other(String),
        }

        impl $name {
            /// The value as Zaif writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Other(other) => other,
                }
            }

            /// Parses a wire value, keeping unknown ones in `Other`.
            pub fn from_wire(text: &str) -> $name {
                match text {
                    $( $wire => $name::$variant, )+
                    other => $name::Other(other.to_owned()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map(|text| $name::from_wire(&text))
            }
        }
    };
}

open_enum! {
    /// The crypto asset an invoice is paid in.
    pub enum CryptoCurrency {
        /// Bitcoin.
        Btc => "btc",
        /// Monacoin.
        Mona => "mona",
        /// SkebCoin (added by Zaif on 2024-09-04, per a merchant's report; not in the seed docs).
        Skeb => "skeb",
    }
}

impl CryptoCurrency {
    /// A currency this crate does not list, passed through explicitly: 2 to 16 lowercase ASCII
    /// letters or digits.
    pub fn other(code: &str) -> Result<CryptoCurrency, ZaifError> {
        let valid = (2..=16).contains(&code.len())
            && code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        if !valid {
            return Err(ZaifError::invalid(
                "currency",
                "must be 2 to 16 lowercase ASCII letters or digits",
            ));
        }
        Ok(CryptoCurrency::from_wire(code))
    }

    /// Parses one of the known currencies (`btc`, `mona`, `skeb`, any case); others need
    /// [`CryptoCurrency::other`].
    pub fn known(code: &str) -> Result<CryptoCurrency, ZaifError> {
        match CryptoCurrency::from_wire(&code.trim().to_ascii_lowercase()) {
            CryptoCurrency::Other(_) => Err(ZaifError::invalid(
                "currency",
                "must be btc, mona or skeb (pass other codes explicitly)",
            )),
            known => Ok(known),
        }
    }
}

open_enum! {
    /// When Zaif considers an invoice paid.
    pub enum Speed {
        /// Seen on the network, 0 confirmations (fast, may be reversed).
        High => "high",
        /// 1 confirmation (Zaif's default).
        Medium => "medium",
        /// 6 confirmations.
        Low => "low",
    }
}

open_enum! {
    /// An invoice's state, from `getInvoice`.
    pub enum InvoiceStatus {
        /// Created, not paid.
        New => "new",
        /// Payment seen on the network: settled for `speed = high`.
        Paid => "paid",
        /// One confirmation: settled for `speed = medium`.
        Confirmed => "confirmed",
        /// Six confirmations: settled for `speed = low`.
        Complete => "complete",
        /// Not paid in time.
        Expired => "expired",
        /// Underpaid, or never confirmed.
        Invalid => "invalid",
        /// Canceled by the merchant.
        Canceled => "canceled",
    }
}

impl InvoiceStatus {
    /// Whether an invoice in this status counts as settled for `speed`: `paid` and later for
    /// high, `confirmed` and later for medium, `complete` for low. An unknown speed is treated
    /// as the strictest (low).
    pub fn is_settled_for(&self, speed: &Speed) -> bool {
        let rank = match self {
            InvoiceStatus::Paid => 1,
            InvoiceStatus::Confirmed => 2,
            InvoiceStatus::Complete => 3,
            _ => return false,
        };
        let needed = match speed {
            Speed::High => 1,
            Speed::Medium => 2,
            _ => 3,
        };
        rank >= needed
    }
}

/// How Zaif calls `notificationUri`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotificationMethod {
    /// A form `POST` carrying the payment's fields (Zaif's default).
    Post,
    /// A bare `GET` carrying nothing: put what identifies the order in the URI.
    Get,
}

impl NotificationMethod {
    /// The value as Zaif expects it.
    pub fn as_str(&self) -> &'static str {
        match self {
            NotificationMethod::Post => "POST",
            NotificationMethod::Get => "GET",
        }
    }
}

/// The buyer fields of `createInvoice`. All optional; Zaif shows them on the payment form
/// (except the id), which is public to anyone with the invoice id, so send only what is needed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Buyer {
    /// `buyerId`: the merchant's id for the buyer (not shown on the form).
    pub id: Option<String>,
    /// `buyerName`.
    pub name: Option<String>,
    /// `buyerKana`: the name in kana.
    pub kana: Option<String>,
    /// `buyerZip`.
    pub zip: Option<String>,
    /// `buyerAddr1`.
    pub addr1: Option<String>,
    /// `buyerAddr2`.
    pub addr2: Option<String>,
    /// `buyerAddr3`.
    pub addr3: Option<String>,
    /// `buyerPhone`.
    pub phone: Option<String>,
    /// `buyerCellphone`.
    pub cellphone: Option<String>,
    /// `buyerEmail`.
    pub email: Option<String>,
}

/// A validated `createInvoice` request. Build it with [`CreateInvoice::builder`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateInvoice {
    currency: CryptoCurrency,
    amount: Money,
    speed: Option<Speed>,
    notification_uri: Option<Url>,
    notification_method: Option<NotificationMethod>,
    redirect_uri: Option<Url>,
    sub_total: Option<Money>,
    tax: Option<Money>,
    regular_price: Option<Money>,
    discount: Option<Money>,
    merchant_name: Option<String>,
    order_number: Option<String>,
    reference_number: Option<String>,
    item_name: Option<String>,
    buyer: Buyer,
    billing_currency: Option<CryptoCurrency>,
}

impl CreateInvoice {
    /// Starts a request for `amount_jpy` yen, paid in `currency`.
    ///
    /// ```
    /// use zaif_ecapi::{CreateInvoice, CryptoCurrency, Speed};
    ///
    /// let invoice = CreateInvoice::builder(CryptoCurrency::Btc, 10800)
    ///     .order_number("A-1001")
    ///     .item_name("コーヒー豆 & マグ")
    ///     .speed(Speed::High)
    ///     .notification_uri("https://shop.example/zaif/notify")
    ///     .build()?;
    /// assert_eq!(invoice.amount().to_string(), "10800 JPY");
    /// # Ok::<(), zaif_ecapi::ZaifError>(())
    /// ```
    pub fn builder(currency: CryptoCurrency, amount_jpy: u64) -> CreateInvoiceBuilder {
        CreateInvoiceBuilder {
            currency,
            amount: Money::from_minor_units(amount_jpy, Currency::JPY)
                .map_err(|e| e.for_field("amount")),
            fields: Fields::default(),
        }
    }

    /// The crypto asset.
    pub fn currency(&self) -> &CryptoCurrency {
        &self.currency
    }

    /// The amount to charge, in JPY.
    pub fn amount(&self) -> Money {
        self.amount
    }

    /// The merchant's order number, if set.
    pub fn order_number(&self) -> Option<&str> {
        self.order_number.as_deref()
    }

    /// The form fields of this request, in a fixed order, without the authentication fields.
    /// Optional fields appear only when set.
    pub(crate) fn to_form(&self) -> Vec<(&'static str, String)> {
        let mut form = vec![
            ("currency", self.currency.as_str().to_owned()),
            ("amount", self.amount.to_major_string()),
        ];
        let mut push = |name: &'static str, value: Option<String>| {
            if let Some(value) = value {
                form.push((name, value));
            }
        };
        let yen = |m: &Option<Money>| m.map(|m| m.to_major_string());
        push("speed", self.speed.as_ref().map(|s| s.as_str().to_owned()));
        push(
            "notificationUri",
            self.notification_uri.as_ref().map(Url::to_string),
        );
        push(
            "notificationMethod",
            self.notification_method.map(|m| m.as_str().to_owned()),
        );
        push(
            "redirectUri",
            self.redirect_uri.as_ref().map(Url::to_string),
        );
        push("subTotal", yen(&self.sub_total));
        push("tax", yen(&self.tax));
        push("regularPrice", yen(&self.regular_price));
        push("discount", yen(&self.discount));
        push("merchantName", self.merchant_name.clone());
        push("orderNumber", self.order_number.clone());
        push("referenceNumber", self.reference_number.clone());
        push("itemName", self.item_name.clone());
        let buyer = &self.buyer;
        push("buyerId", buyer.id.clone());
        push("buyerName", buyer.name.clone());
        push("buyerKana", buyer.kana.clone());
        push("buyerZip", buyer.zip.clone());
        push("buyerAddr1", buyer.addr1.clone());
        push("buyerAddr2", buyer.addr2.clone());
        push("buyerAddr3", buyer.addr3.clone());
        push("buyerPhone", buyer.phone.clone());
        push("buyerCellphone", buyer.cellphone.clone());
        push("buyerEmail", buyer.email.clone());
        push(
            "billingCurrency",
            self.billing_currency
                .as_ref()
                .map(|c| c.as_str().to_owned()),
        );
        form
    }
}

/// Text fields as given, validated at [`CreateInvoiceBuilder::build`].
#[derive(Debug, Clone, Default)]
struct Fields {
    speed: Option<Speed>,
    notification_uri: Option<String>,
    notification_method: Option<NotificationMethod>,
    redirect_uri: Option<String>,
    sub_total: Option<u64>,
    tax: Option<u64>,
    regular_price: Option<u64>,
    discount: Option<u64>,
    merchant_name: Option<String>,
    order_number: Option<String>,
    reference_number: Option<String>,
    item_name: Option<String>,
    buyer: Buyer,
    billing_currency: Option<CryptoCurrency>,
}

/// Builds a [`CreateInvoice`]; [`CreateInvoiceBuilder::build`] validates every field and names
/// the first one that is wrong, using Zaif's parameter names.
#[derive(Debug)]
pub struct CreateInvoiceBuilder {
    currency: CryptoCurrency,
    amount: Result<Money, payments_core::Error>,
    fields: Fields,
}

macro_rules! text_setters {
    ($( $(#[$doc:meta])* $method:ident => $($field:ident).+ ),+ $(,)?) => {
        $(
            $(#[$doc])*
            pub fn $method(mut self, value: impl Into<String>) -> Self {
                self.fields.$($field).+ = Some(value.into());
                self
            }
        )+
    };
}

impl CreateInvoiceBuilder {
    /// `speed`: when the payment counts as done (Zaif's default is medium).
    pub fn speed(mut self, speed: Speed) -> Self {
        self.fields.speed = Some(speed);
        self
    }

    /// `notificationMethod`: how Zaif calls `notificationUri` (default POST).
    pub fn notification_method(mut self, method: NotificationMethod) -> Self {
        self.fields.notification_method = Some(method);
        self
    }

    /// `subTotal` in yen.
    pub fn sub_total(mut self, yen: u64) -> Self {
        self.fields.sub_total = Some(yen);
        self
    }

    /// `tax` in yen.
    pub fn tax(mut self, yen: u64) -> Self {
        self.fields.tax = Some(yen);
        self
    }

    /// `regularPrice` in yen, before discount.
    pub fn regular_price(mut self, yen: u64) -> Self {
        self.fields.regular_price = Some(yen);
        self
    }

    /// `discount` in yen.
    pub fn discount(mut self, yen: u64) -> Self {
        self.fields.discount = Some(yen);
        self
    }

    /// All buyer fields at once.
    pub fn buyer(mut self, buyer: Buyer) -> Self {
        self.fields.buyer = buyer;
        self
    }

    /// `billingCurrency`: bill in the crypto asset itself instead of JPY; must equal the
    /// invoice's currency (Zaif then omits `rate`).
    pub fn billing_currency(mut self, currency: CryptoCurrency) -> Self {
        self.fields.billing_currency = Some(currency);
        self
    }

    text_setters! {
        /// `notificationUri`: where Zaif reports the completed payment (http or https).
        notification_uri => notification_uri,
        /// `redirectUri`: where the payment form sends the customer after paying.
        redirect_uri => redirect_uri,
        /// `merchantName`.
        merchant_name => merchant_name,
        /// `orderNumber`: the merchant's order id; how an invoice is found again.
        order_number => order_number,
        /// `referenceNumber`.
        reference_number => reference_number,
        /// `itemName`.
        item_name => item_name,
        /// `buyerId`.
        buyer_id => buyer.id,
        /// `buyerName`.
        buyer_name => buyer.name,
        /// `buyerKana`.
        buyer_kana => buyer.kana,
        /// `buyerZip`.
        buyer_zip => buyer.zip,
        /// `buyerAddr1`.
        buyer_addr1 => buyer.addr1,
        /// `buyerAddr2`.
        buyer_addr2 => buyer.addr2,
        /// `buyerAddr3`.
        buyer_addr3 => buyer.addr3,
        /// `buyerPhone`.
        buyer_phone => buyer.phone,
        /// `buyerCellphone`.
        buyer_cellphone => buyer.cellphone,
        /// `buyerEmail`.
        buyer_email => buyer.email,
    }

    /// Validates every field; nothing is sent for an invalid request.
    pub fn build(self) -> Result<CreateInvoice, ZaifError> {
        let amount = self
            .amount?
            .ensure_positive()
            .map_err(|e| e.for_field("amount"))?;
        if let CryptoCurrency::Other(code) = &self.currency {
            CryptoCurrency::other(code)?;
        }
        let f = self.fields;
        if let Some(billing) = &f.billing_currency
            && *billing != self.currency
        {
            return Err(ZaifError::invalid(
                "billingCurrency",
                "must be the same crypto asset as currency",
            ));
        }
        let yen = |field: &'static str, value: Option<u64>| -> Result<Option<Money>, ZaifError> {
            value
                .map(|v| Money::from_minor_units(v, Currency::JPY).map_err(|e| e.for_field(field)))
                .transpose()
                .map_err(ZaifError::from)
        };
        let buyer = Buyer {
            id: text("buyerId", f.buyer.id)?,
            name: text("buyerName", f.buyer.name)?,
            kana: text("buyerKana", f.buyer.kana)?,
            zip: text("buyerZip", f.buyer.zip)?,
            addr1: text("buyerAddr1", f.buyer.addr1)?,
            addr2: text("buyerAddr2", f.buyer.addr2)?,
            addr3: text("buyerAddr3", f.buyer.addr3)?,
            phone: text("buyerPhone", f.buyer.phone)?,
            cellphone: text("buyerCellphone", f.buyer.cellphone)?,
            email: email("buyerEmail", f.buyer.email)?,
        };
        Ok(CreateInvoice {
            currency: self.currency,
            amount,
            speed: f.speed,
            notification_uri: web_url("notificationUri", f.notification_uri)?,
            notification_method: f.notification_method,
            redirect_uri: web_url("redirectUri", f.redirect_uri)?,
            sub_total: yen("subTotal", f.sub_total)?,
            tax: yen("tax", f.tax)?,
            regular_price: yen("regularPrice", f.regular_price)?,
            discount: yen("discount", f.discount)?,
            merchant_name: text("merchantName", f.merchant_name)?,
            order_number: text("orderNumber", f.order_number)?,
            reference_number: text("referenceNumber", f.reference_number)?,
            item_name: text("itemName", f.item_name)?,
            buyer,
            billing_currency: f.billing_currency,
        })
    }
}

/// An optional text field: not blank, no control characters.
pub(crate) fn text(
    field: &'static str,
    value: Option<String>,
) -> Result<Option<String>, ZaifError> {
    match value {
        None => Ok(None),
        Some(v) if v.trim().is_empty() => Err(ZaifError::invalid(field, "must not be blank")),
        Some(v) if v.chars().any(char::is_control) => Err(ZaifError::invalid(
            field,
            "must not contain control characters",
        )),
        Some(v) => Ok(Some(v)),
    }
}

fn web_url(field: &'static str, value: Option<String>) -> Result<Option<Url>, ZaifError> {
    let Some(value) = value else { return Ok(None) };
    let url =
        Url::parse(value.trim()).map_err(|_| ZaifError::invalid(field, "is not a valid URL"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(ZaifError::invalid(field, "must be an http or https URL"));
    }
    Ok(Some(url))
}

fn email(field: &'static str, value: Option<String>) -> Result<Option<String>, ZaifError> {
    let Some(value) = text(field, value)? else {
        return Ok(None);
    };
    let looks_valid = value.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !value.chars().any(char::is_whitespace)
    });
    if looks_valid {
        Ok(Some(value))
    } else {
        Err(ZaifError::invalid(
            field,
            "does not look like an e-mail address",
        ))
    }
}

/// Decoding helpers for Zaif's loosely typed fields.
mod de {
    use payments_core::money::wire;
    use payments_core::{Currency, Decimal, Money};
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer};
    use time::OffsetDateTime;

    /// A JPY amount sent as an integer (or an integer string).
    pub(super) fn yen<'de, D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        let value = wire::decimal_string_or_integer(d)?;
        Money::new(value, Currency::JPY).map_err(D::Error::custom)
    }

    /// A unix time sent as an integer (or an integer string).
    pub(super) fn unix_time<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        let value = wire::decimal_string_or_integer(d)?;
        to_time(value).map_err(D::Error::custom)
    }

    /// An optional unix time: absent, `null`, `0` or `""` mean "not yet".
    pub(super) fn optional_unix_time<'de, D: Deserializer<'de>>(
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
    pub(super) fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        wire::option_decimal_string_or_integer(d)
    }

    /// A count sent as an integer or a string.
    pub(super) fn count<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let value = wire::decimal_string_or_integer(d)?;
        u64::try_from(value).map_err(D::Error::custom)
    }

    /// A list of ids that may be `null`.
    pub(super) fn ids<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        Ok(Option::<Vec<String>>::deserialize(d)?.unwrap_or_default())
    }
}

/// The crypto amounts of an invoice, one field per asset (`btc`, `mona`, `skeb`, ...).
fn crypto_amount(
    currency: &CryptoCurrency,
    btc: Option<Decimal>,
    mona: Option<Decimal>,
    skeb: Option<Decimal>,
    extra: &BTreeMap<String, serde_json::Value>,
) -> Option<Decimal> {
    match currency {
        CryptoCurrency::Btc => btc,
        CryptoCurrency::Mona => mona,
        CryptoCurrency::Skeb => skeb,
        CryptoCurrency::Other(code) => match extra.get(code)? {
            serde_json::Value::String(text) => Decimal::from_str_exact(text).ok(),
            _ => None,
        },
    }
}

/// The answer to `createInvoice`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreatedInvoice {
    /// `invoiceId`.
    pub invoice_id: String,
    /// `invoiceUri`: the payment form.
    pub invoice_uri: Url,
    /// `invoiceIframeUri`: the payment form for an iframe.
    pub invoice_iframe_uri: Url,
    /// `created`.
    #[serde(
        deserialize_with = "de::unix_time",
        serialize_with = "time::serde::timestamp::serialize"
    )]
    pub created: OffsetDateTime,
    /// `expired`: when the invoice expires.
    #[serde(
        deserialize_with = "de::unix_time",
        serialize_with = "time::serde::timestamp::serialize"
    )]
    pub expired: OffsetDateTime,
    /// `amount`: the JPY amount sent.
    #[serde(deserialize_with = "de::yen", serialize_with = "wire::major_integer")]
    pub amount: Money,
    /// `currency`.
    pub currency: CryptoCurrency,
    /// `rate`: JPY per unit of the asset (absent when billing in the asset itself).
    #[serde(default, deserialize_with = "de::decimal")]
    pub rate: Option<Decimal>,
    /// `btc`: the amount due in BTC (BTC invoices only).
    #[serde(default, deserialize_with = "de::decimal")]
    pub btc: Option<Decimal>,
    /// `mona`: the amount due in MONA (MONA invoices only).
    #[serde(default, deserialize_with = "de::decimal")]
    pub mona: Option<Decimal>,
    /// `skeb`: the amount due in SKEB (SKEB invoices only; not in the seed docs).
    #[serde(default, deserialize_with = "de::decimal")]
    pub skeb: Option<Decimal>,
    /// `address`: where the customer pays.
    pub address: String,
    /// `BIP21`: the payment URI.
    #[serde(rename = "BIP21")]
    pub bip21: String,
    /// `speed`.
    pub speed: Speed,
    /// `orderNumber`, when sent.
    #[serde(default)]
    pub order_number: Option<String>,
    /// `referenceNumber`, when sent.
    #[serde(default)]
    pub reference_number: Option<String>,
    /// `buyerId`, when sent.
    #[serde(default)]
    pub buyer_id: Option<String>,
    /// Fields Zaif added that this crate does not know, kept as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl CreatedInvoice {
    /// The amount due in the invoice's crypto asset.
    pub fn crypto_amount(&self) -> Option<Decimal> {
        crypto_amount(&self.currency, self.btc, self.mona, self.skeb, &self.extra)
    }
}

/// The answer to `getInvoice`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Invoice {
    /// `invoiceId`.
    pub invoice_id: String,
    /// `created`.
    #[serde(
        deserialize_with = "de::unix_time",
        serialize_with = "time::serde::timestamp::serialize"
    )]
    pub created: OffsetDateTime,
    /// `expired`: when the invoice expires.
    #[serde(
        deserialize_with = "de::unix_time",
        serialize_with = "time::serde::timestamp::serialize"
    )]
    pub expired: OffsetDateTime,
    /// `status`.
    pub status: InvoiceStatus,
    /// `settled`: when the payment counted as complete for its speed; `None` until then.
    #[serde(
        default,
        deserialize_with = "de::optional_unix_time",
        serialize_with = "time::serde::timestamp::option::serialize"
    )]
    pub settled: Option<OffsetDateTime>,
    /// `amount`: the JPY amount.
    #[serde(deserialize_with = "de::yen", serialize_with = "wire::major_integer")]
    pub amount: Money,
    /// `currency`.
    pub currency: CryptoCurrency,
    /// `rate`.
    #[serde(default, deserialize_with = "de::decimal")]
    pub rate: Option<Decimal>,
    /// `btc`.
    #[serde(default, deserialize_with = "de::decimal")]
    pub btc: Option<Decimal>,
    /// `mona`.
    #[serde(default, deserialize_with = "de::decimal")]
    pub mona: Option<Decimal>,
    /// `skeb`.
    #[serde(default, deserialize_with = "de::decimal")]
    pub skeb: Option<Decimal>,
    /// `address`.
    pub address: String,
    /// `BIP21`.
    #[serde(rename = "BIP21")]
    pub bip21: String,
    /// `speed`.
    pub speed: Speed,
    /// `orderNumber`, when sent.
    #[serde(default)]
    pub order_number: Option<String>,
    /// Fields Zaif added that this crate does not know, kept as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl Invoice {
    /// Whether the invoice counts as paid for its own speed.
    pub fn is_settled(&self) -> bool {
        self.status.is_settled_for(&self.speed)
    }

    /// The amount due in the invoice's crypto asset.
    pub fn crypto_amount(&self) -> Option<Decimal> {
        crypto_amount(&self.currency, self.btc, self.mona, self.skeb, &self.extra)
    }
}

/// The answer to `getInvoiceIdsByOrderNumber`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InvoiceIds {
    /// The invoices for the order number (empty when none). Zaif documents the key as
    /// `invoideIds` (sic); `invoiceIds` is accepted too, and is what this type writes.
    #[serde(
        rename(serialize = "invoiceIds", deserialize = "invoideIds"),
        alias = "invoiceIds",
        default,
        deserialize_with = "de::ids"
    )]
    pub ids: Vec<String>,
    /// `counts`: documented as a string in one table and shown as an integer; both accepted.
    #[serde(rename = "counts", default, deserialize_with = "de::count")]
    pub count: u64,
}

/// The answer to `cancelInvoice`. Its body is not documented, so it is kept as sent.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CanceledInvoice {
    /// The invoice that was canceled.
    pub invoice_id: String,
    /// The `return` value Zaif sent.
    pub raw: serde_json::Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(err: ZaifError) -> String {
        match err {
            ZaifError::Core(payments_core::Error::InvalidInput { field, .. }) => field.into_owned(),
            other => panic!("expected invalid input, got {other:?}"),
        }
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
            let form = request.to_form();
            let body = serde_urlencoded::to_string(&form).unwrap();
            let decoded: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap();
            let expected: Vec<(String, String)> =
                form.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
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
    fn minimal_request_sends_only_currency_and_amount() {
        let request = CreateInvoice::builder(CryptoCurrency::Mona, 10000)
            .build()
            .unwrap();
        assert_eq!(
            request.to_form(),
            vec![
                ("currency", "mona".to_owned()),
                ("amount", "10000".to_owned())
            ]
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
            .billing_currency(CryptoCurrency::Btc)
            .build()
            .unwrap();
        let names: Vec<&str> = request.to_form().iter().map(|(k, _)| *k).collect();
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
                "billingCurrency",
            ]
        );
        let form: BTreeMap<_, _> = request.to_form().into_iter().collect();
        assert_eq!(form["speed"], "low");
        assert_eq!(form["notificationMethod"], "GET");
        assert_eq!(
            form["notificationUri"],
            "https://shop.example/notify?order=1"
        );
        assert_eq!(form["tax"], "800");
    }

    #[test]
    fn invalid_fields_are_named() {
        let cases: Vec<(CreateInvoiceBuilder, &str)> = vec![
            (CreateInvoice::builder(CryptoCurrency::Btc, 0), "amount"),
            (
                CreateInvoice::builder(CryptoCurrency::Btc, 1).notification_uri("ftp://x.example/"),
                "notificationUri",
            ),
            (
                CreateInvoice::builder(CryptoCurrency::Btc, 1).redirect_uri("not a url"),
                "redirectUri",
            ),
            (
                CreateInvoice::builder(CryptoCurrency::Btc, 1).buyer_email("nobody"),
                "buyerEmail",
            ),
            (
                CreateInvoice::builder(CryptoCurrency::Btc, 1).buyer_email("a@b"),
                "buyerEmail",
            ),
            (
                CreateInvoice::builder(CryptoCurrency::Btc, 1).buyer_email("a b@c.jp"),
                "buyerEmail",
            ),
            (
                CreateInvoice::builder(CryptoCurrency::Btc, 1).item_name("   "),
                "itemName",
            ),
            (
                CreateInvoice::builder(CryptoCurrency::Btc, 1).order_number("a\u{0}b"),
                "orderNumber",
            ),
            (
                CreateInvoice::builder(CryptoCurrency::Btc, 1)
                    .billing_currency(CryptoCurrency::Mona),
                "billingCurrency",
            ),
            (
                CreateInvoice::builder(CryptoCurrency::Other("BAD!".into()), 1),
                "currency",
            ),
        ];
        for (builder, field) in cases {
            assert_eq!(field_of(builder.build().unwrap_err()), field);
        }
    }

    #[test]
    fn currencies_known_and_explicit() {
        assert_eq!(CryptoCurrency::known("BTC").unwrap(), CryptoCurrency::Btc);
        assert_eq!(CryptoCurrency::known("skeb").unwrap(), CryptoCurrency::Skeb);
        assert!(CryptoCurrency::known("xym").is_err());
        assert_eq!(
            CryptoCurrency::other("xym").unwrap(),
            CryptoCurrency::Other("xym".into())
        );
        assert_eq!(CryptoCurrency::other("mona").unwrap(), CryptoCurrency::Mona);
        assert!(CryptoCurrency::other("X").is_err());
    }

    #[test]
    fn settled_depends_on_speed() {
        use InvoiceStatus::*;
        let table = [
            (New, [false, false, false]),
            (Paid, [true, false, false]),
            (Confirmed, [true, true, false]),
            (Complete, [true, true, true]),
            (Expired, [false, false, false]),
            (Invalid, [false, false, false]),
            (Canceled, [false, false, false]),
        ];
        for (status, expected) in table {
            let got = [Speed::High, Speed::Medium, Speed::Low].map(|s| status.is_settled_for(&s));
            assert_eq!(got, expected, "{status}");
        }
        assert!(!Paid.is_settled_for(&Speed::Other("instant".into())));
        assert_eq!(
            InvoiceStatus::from_wire("refunded"),
            Other("refunded".into())
        );
    }

    #[test]
    fn invoice_ids_accept_both_spellings_null_and_string_counts() {
        let documented: InvoiceIds =
            serde_json::from_str(r#"{"invoideIds":["a","b"],"counts":2}"#).unwrap();
        assert_eq!(documented.ids, ["a", "b"]);
        assert_eq!(documented.count, 2);
        let corrected: InvoiceIds =
            serde_json::from_str(r#"{"invoiceIds":["a"],"counts":"1"}"#).unwrap();
        assert_eq!(corrected.ids, ["a"]);
        assert_eq!(corrected.count, 1);
        let none: InvoiceIds = serde_json::from_str(r#"{"invoideIds":null,"counts":0}"#).unwrap();
        assert!(none.ids.is_empty());
        assert_eq!(none.count, 0);
    }

    #[test]
    fn get_invoice_decodes_every_documented_field() {
        let invoice: Invoice = serde_json::from_str(
            r#"{"invoiceId":"d7dd735c","created":1434696690,"expired":1434698490,
                "status":"paid","settled":1434697000,"amount":10800,"currency":"btc",
                "rate":"30012","btc":"0.359856","address":"19yhwoY8ysDNy1J1JBZf6nRBsUfLTe2Lvb",
                "BIP21":"bitcoin:19yhwoY8ysDNy1J1JBZf6nRBsUfLTe2Lvb?amount=0.359856",
                "speed":"high","orderNumber":"A-1","newField":true}"#,
        )
        .unwrap();
        assert_eq!(invoice.status, InvoiceStatus::Paid);
        assert!(invoice.is_settled());
        assert_eq!(invoice.settled.unwrap().unix_timestamp(), 1434697000);
        assert_eq!(invoice.crypto_amount().unwrap().to_string(), "0.359856");
        assert_eq!(invoice.extra["newField"], serde_json::Value::Bool(true));

        let unsettled: Invoice = serde_json::from_str(
            r#"{"invoiceId":"x","created":1,"expired":2,"status":"new","settled":0,
                "amount":"1","currency":"mona","mona":"1.5","address":"M","BIP21":"monacoin:M",
                "speed":"medium"}"#,
        )
        .unwrap();
        assert_eq!(unsettled.settled, None);
        assert_eq!(unsettled.rate, None);
        assert!(!unsettled.is_settled());
    }
}
