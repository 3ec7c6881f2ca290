//! Exact money: a non-negative decimal amount tied to a [`Currency`] that knows its minor unit.
//!
//! There is no floating point anywhere in this module. An amount is a [`Decimal`] whose scale is
//! always exactly the currency's exponent, so `Money::parse("12.5", USD)` displays as `12.50` and
//! `Money::parse("10.5", JPY)` is refused instead of being rounded.
//!
//! [`Money`] deliberately does **not** implement `Serialize`: each wire format writes amounts in
//! its own way (a string in major units, an integer of yen, an integer of cents), so a provider
//! crate picks one of the helpers in [`wire`] with `#[serde(serialize_with = ...)]` for every
//! amount field. An amount can therefore never reach the wire in a format chosen by accident.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::error::Error;

/// The largest exponent a [`Currency`] may declare (8 covers BTC and MONA with room to spare).
pub const MAX_EXPONENT: u8 = 18;

const MAX_CODE_LEN: usize = 8;

/// A currency: an upper-case code (ISO 4217 or a crypto ticker) and its minor-unit exponent.
///
/// ```
/// use payments_core::Currency;
///
/// assert_eq!(Currency::from_code("jpy")?, Currency::JPY);
/// assert_eq!(Currency::JPY.exponent(), 0);
/// assert_eq!(Currency::BTC.exponent(), 8);
/// // A currency this crate does not know can still be declared explicitly.
/// let skeb = Currency::new("SKEB", 8)?;
/// assert_eq!(skeb.code(), "SKEB");
/// # Ok::<(), payments_core::MoneyError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    code: [u8; MAX_CODE_LEN],
    len: u8,
    exponent: u8,
}

/// The crypto assets the providers price in, which ISO 4217 does not list, with their decimals.
/// Every other code is looked up in ISO 4217 (the `iso_currency` table, exponents included).
const ASSETS: &[(&str, u8)] = &[("BTC", 8), ("MONA", 8)];

/// The exponent of a known code (upper-case): an asset above, or an ISO 4217 currency with a
/// minor unit (codes without one, such as gold `XAU`, are not payment currencies).
fn known_exponent(upper: &str) -> Option<u8> {
    ASSETS
        .iter()
        .find(|(asset, _)| *asset == upper)
        .map(|(_, exponent)| *exponent)
        .or_else(|| {
            iso_currency::Currency::from_code(upper)?
                .exponent()
                .and_then(|exponent| u8::try_from(exponent).ok())
        })
}

impl Currency {
    /// Japanese yen: no minor unit.
    pub const JPY: Currency = Currency::known("JPY", 0);
    /// US dollar: cents.
    pub const USD: Currency = Currency::known("USD", 2);
    /// Euro: cents.
    pub const EUR: Currency = Currency::known("EUR", 2);
    /// Pound sterling: pence.
    pub const GBP: Currency = Currency::known("GBP", 2);
    /// Bitcoin: satoshis (8 decimals).
    pub const BTC: Currency = Currency::known("BTC", 8);
    /// Monacoin: 8 decimals.
    pub const MONA: Currency = Currency::known("MONA", 8);

    /// Builds a currency from a code already validated (3 to 8 ASCII letters or digits).
    const fn known(code: &str, exponent: u8) -> Currency {
        let bytes = code.as_bytes();
        let mut buf = [0u8; MAX_CODE_LEN];
        let mut i = 0;
        while i < bytes.len() {
            buf[i] = bytes[i];
            i += 1;
        }
        Currency {
            code: buf,
            len: bytes.len() as u8,
            exponent,
        }
    }

    /// Looks a currency up by code, case-insensitively (`"jpy"`, `"SEK"`, `"btc"`): every ISO
    /// 4217 currency with a minor unit, with its exponent, and the crypto assets the providers
    /// price in.
    pub fn from_code(code: &str) -> Result<Currency, MoneyError> {
        let upper = validate_code(code)?;
        match known_exponent(&upper) {
            Some(exponent) => Ok(Currency::known(&upper, exponent)),
            None => Err(MoneyError::UnknownCurrency { code: upper }),
        }
    }

    /// Declares a currency this crate does not list, with its exponent.
    ///
    /// The code is 3 to 8 ASCII letters or digits (stored upper-case); the exponent is at most
    /// [`MAX_EXPONENT`]. A known code must be declared with its known exponent.
    pub fn new(code: &str, exponent: u8) -> Result<Currency, MoneyError> {
        let upper = validate_code(code)?;
        if exponent > MAX_EXPONENT {
            return Err(MoneyError::InvalidCurrency {
                reason: "exponent is larger than 18",
            });
        }
        if known_exponent(&upper).is_some_and(|known| known != exponent) {
            return Err(MoneyError::InvalidCurrency {
                reason: "a known currency must keep its standard exponent",
            });
        }
        Ok(Currency::known(&upper, exponent))
    }

    /// The upper-case code, e.g. `"JPY"`.
    pub fn code(&self) -> &str {
        // The bytes are ASCII by construction, so this never fails.
        std::str::from_utf8(&self.code[..usize::from(self.len)]).unwrap_or("???")
    }

    /// Number of decimal places of the minor unit (JPY 0, USD 2, BTC 8).
    pub fn exponent(&self) -> u8 {
        self.exponent
    }
}

fn validate_code(code: &str) -> Result<String, MoneyError> {
    let valid =
        (3..=MAX_CODE_LEN).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric());
    if valid {
        Ok(code.to_ascii_uppercase())
    } else {
        Err(MoneyError::InvalidCurrency {
            reason: "a currency code is 3 to 8 ASCII letters or digits",
        })
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::from_code(s)
    }
}

/// Why an amount or a currency was refused. Convert it into an [`Error::InvalidInput`] that
/// names the field with [`MoneyError::for_field`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MoneyError {
    /// The text is not a plain decimal number (digits, optionally one `.` and more digits).
    #[error(
        "not a plain decimal number (digits with an optional '.'; no sign, exponent, spaces or separators)"
    )]
    Malformed,
    /// The amount is below zero.
    #[error("must not be negative")]
    Negative,
    /// The amount is zero where a payment needs a positive amount.
    #[error("must be greater than zero")]
    Zero,
    /// The amount has more significant decimals than the currency's minor unit.
    #[error("{currency} allows at most {max} decimal places")]
    TooManyFractionDigits {
        /// The currency of the amount.
        currency: Currency,
        /// The currency's exponent.
        max: u8,
    },
    /// The amount does not fit the exact representation.
    #[error("is too large")]
    TooLarge,
    /// Two amounts in different currencies were combined.
    #[error("currency mismatch: {left} and {right}")]
    CurrencyMismatch {
        /// The first currency.
        left: Currency,
        /// The second currency.
        right: Currency,
    },
    /// The currency code is not one this crate knows; declare it with [`Currency::new`].
    #[error("unknown currency {code}")]
    UnknownCurrency {
        /// The upper-cased code that was looked up.
        code: String,
    },
    /// The currency code or exponent is not acceptable.
    #[error("invalid currency: {reason}")]
    InvalidCurrency {
        /// What is wrong with it.
        reason: &'static str,
    },
}

impl MoneyError {
    /// Turns this into an [`Error::InvalidInput`] naming `field` (e.g. `"amount"`, `"subTotal"`).
    #[cold]
    pub fn for_field(self, field: impl Into<std::borrow::Cow<'static, str>>) -> Error {
        Error::invalid_input(field, self.to_string())
    }
}

impl From<MoneyError> for Error {
    fn from(err: MoneyError) -> Self {
        err.for_field("amount")
    }
}

/// An exact, non-negative amount of one currency.
///
/// Invariant: the decimal's scale equals the currency's exponent, so equal amounts compare equal
/// and display identically (`12.50 USD`, `1000 JPY`, `0.35985600 BTC`).
///
/// ```
/// use payments_core::{Currency, Money, MoneyError};
///
/// let price = Money::parse("12.5", Currency::USD)?;
/// assert_eq!(price.to_string(), "12.50 USD");
/// assert_eq!(price.to_minor_units()?, 1250);
/// assert_eq!(Money::parse("10.5", Currency::JPY), Err(MoneyError::TooManyFractionDigits {
///     currency: Currency::JPY,
///     max: 0,
/// }));
/// assert_eq!(Money::parse("-1", Currency::JPY), Err(MoneyError::Malformed));
/// # Ok::<(), MoneyError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// An exact amount from a decimal, refused when negative or when it has significant digits
    /// beyond the currency's exponent. Trailing zeros are fine (`10.500` USD is `10.50`).
    pub fn new(amount: Decimal, currency: Currency) -> Result<Money, MoneyError> {
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err(MoneyError::Negative);
        }
        let exponent = u32::from(currency.exponent);
        let normalized = amount.normalize();
        if normalized.scale() > exponent {
            return Err(MoneyError::TooManyFractionDigits {
                currency,
                max: currency.exponent,
            });
        }
        let mut rescaled = normalized;
        rescaled.rescale(exponent);
        // rescale() saturates instead of failing when the digits do not fit: check it kept the value.
        if rescaled != normalized || rescaled.scale() != exponent {
            return Err(MoneyError::TooLarge);
        }
        // Normalizing `-0` must not leave a negative zero behind.
        rescaled.set_sign_positive(true);
        Ok(Money {
            amount: rescaled,
            currency,
        })
    }

    /// Parses a plain decimal string in major units: `"1000"`, `"12.50"`, `"0.00000001"`.
    ///
    /// Signs, exponents (`1e3`), separators (`1,000`, `1_000`), surrounding spaces and empty
    /// fractions (`"5."`, `".5"`) are refused rather than guessed at.
    pub fn parse(text: &str, currency: Currency) -> Result<Money, MoneyError> {
        if !is_plain_decimal(text) {
            return Err(MoneyError::Malformed);
        }
        let amount = Decimal::from_str_exact(text).map_err(|_| MoneyError::TooLarge)?;
        Money::new(amount, currency)
    }

    /// Parses like [`Money::parse`] and also requires the amount to be greater than zero.
    pub fn parse_positive(text: &str, currency: Currency) -> Result<Money, MoneyError> {
        Money::parse(text, currency)?.ensure_positive()
    }

    /// An amount from an integer count of minor units (cents, satoshis, yen).
    pub fn from_minor_units(minor: u64, currency: Currency) -> Result<Money, MoneyError> {
        // A count of minor units at the currency's scale already is the invariant (non-negative,
        // scale = exponent): nothing to normalize or rescale.
        let amount = Decimal::try_from_i128_with_scale(i128::from(minor), currency.exponent.into())
            .map_err(|_| MoneyError::TooLarge)?;
        Ok(Money { amount, currency })
    }

    /// Zero of `currency`.
    pub fn zero(currency: Currency) -> Money {
        Money {
            amount: Decimal::new(0, u32::from(currency.exponent)),
            currency,
        }
    }

    /// The exact amount in major units, with the currency's scale.
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Whether the amount is zero.
    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    /// Returns the amount unchanged when it is greater than zero, [`MoneyError::Zero`] otherwise.
    pub fn ensure_positive(self) -> Result<Money, MoneyError> {
        if self.is_zero() {
            Err(MoneyError::Zero)
        } else {
            Ok(self)
        }
    }

    /// The amount as an integer count of minor units.
    pub fn to_minor_units(&self) -> Result<u64, MoneyError> {
        let mantissa = self.amount.mantissa();
        u64::try_from(mantissa).map_err(|_| MoneyError::TooLarge)
    }

    /// The amount in major units as a plain decimal string with exactly the currency's number of
    /// decimals: `"1000"` (JPY), `"12.50"` (USD), `"0.35985600"` (BTC). Never uses an exponent.
    pub fn to_major_string(&self) -> String {
        // A whole-unit currency (JPY) prints its integer; `Decimal`'s `Display` walks the 96-bit
        // mantissa digit by digit, several times the work.
        if self.amount.scale() == 0 {
            return self.amount.mantissa().to_string();
        }
        self.amount.to_string()
    }

    /// Adds two amounts of the same currency.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            });
        }
        let sum = self
            .amount
            .checked_add(other.amount)
            .ok_or(MoneyError::TooLarge)?;
        Money::new(sum, self.currency)
    }
}

/// `digits ['.' digits]`, ASCII only.
fn is_plain_decimal(text: &str) -> bool {
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && fraction.is_none_or(all_digits)
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Money({} {})", self.amount, self.currency)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

/// Serde helpers a provider crate chooses per field, so each wire format gets amounts in the
/// shape its documents show.
///
/// ```
/// use payments_core::{money::wire, Currency, Money};
///
/// #[derive(serde::Serialize)]
/// struct Body {
///     #[serde(serialize_with = "wire::major_string")]
///     amount: Money,
///     #[serde(serialize_with = "wire::major_integer")]
///     yen: Money,
/// }
///
/// let body = Body {
///     amount: Money::parse("12.5", Currency::USD)?,
///     yen: Money::parse("1000", Currency::JPY)?,
/// };
/// assert_eq!(serde_json::to_string(&body).unwrap(), r#"{"amount":"12.50","yen":1000}"#);
/// # Ok::<(), payments_core::MoneyError>(())
/// ```
pub mod wire {
    use std::fmt;

    use rust_decimal::Decimal;
    use serde::de::Visitor as _;
    use serde::{Deserializer, Serializer, de};

    use super::Money;

    /// Writes the amount as a string in major units: `"1000"`, `"12.50"`.
    pub fn major_string<S: Serializer>(money: &Money, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&money.amount)
    }

    /// Writes the amount as an integer in major units (`1000` for JPY 1000). Fails to serialize
    /// when the currency has a minor unit, since that would drop digits.
    pub fn major_integer<S: Serializer>(money: &Money, serializer: S) -> Result<S::Ok, S::Error> {
        if money.currency.exponent() != 0 {
            return Err(serde::ser::Error::custom(format_args!(
                "{} has a minor unit and cannot be written as a whole number",
                money.currency
            )));
        }
        let whole = money.to_minor_units().map_err(serde::ser::Error::custom)?;
        serializer.serialize_u64(whole)
    }

    /// Writes the amount as an integer count of minor units (`1250` for USD 12.50).
    pub fn minor_integer<S: Serializer>(money: &Money, serializer: S) -> Result<S::Ok, S::Error> {
        let minor = money.to_minor_units().map_err(serde::ser::Error::custom)?;
        serializer.serialize_u64(minor)
    }

    /// Reads an exact decimal that a provider sends either as a JSON string (`"0.359856"`) or as
    /// a JSON integer (`1000`). A JSON float is refused: once parsed as binary floating point
    /// its exact digits are gone, and guessing them back is how money goes wrong.
    pub fn decimal_string_or_integer<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Decimal, D::Error> {
        deserializer.deserialize_any(DecimalVisitor)
    }

    /// Reads an exact decimal from a JSON number **as written** (`10.5`, `1000`) or a string
    /// (`"10.50"`), for providers that send fractional amounts as JSON numbers. The number's
    /// original text is read through `serde_json`'s raw value, so no binary floating point is
    /// ever involved. Exponent notation is refused. Works with `serde_json` only, and not
    /// under `#[serde(flatten)]` or untagged enums (which buffer the input).
    pub fn exact_json_decimal<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Decimal, D::Error> {
        let raw: &serde_json::value::RawValue = serde::Deserialize::deserialize(deserializer)?;
        let text = raw.get().trim();
        let unquoted = match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
            Some(inner) => inner,
            None => text,
        };
        DecimalVisitor.visit_str(unquoted)
    }

    /// Like [`decimal_string_or_integer`], for an optional field that may be `null` or absent
    /// (pair it with `#[serde(default)]`).
    pub fn option_decimal_string_or_integer<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Decimal>, D::Error> {
        deserializer.deserialize_option(OptionalDecimalVisitor)
    }

    struct DecimalVisitor;

    impl de::Visitor<'_> for DecimalVisitor {
        type Value = Decimal;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an exact decimal as a string or an integer")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
            let plain = v.strip_prefix('-').unwrap_or(v);
            if !super::is_plain_decimal(plain) {
                return Err(E::invalid_value(de::Unexpected::Str(v), &self));
            }
            Decimal::from_str_exact(v).map_err(E::custom)
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }
    }

    struct OptionalDecimalVisitor;

    impl<'de> de::Visitor<'de> for OptionalDecimalVisitor {
        type Value = Option<Decimal>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("null or an exact decimal as a string or an integer")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            decimal_string_or_integer(d).map(Some)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_currencies_have_their_iso_exponents() {
        for (code, exponent) in [("JPY", 0), ("USD", 2), ("EUR", 2), ("KWD", 3), ("BTC", 8)] {
            let currency = Currency::from_code(code).unwrap();
            assert_eq!(currency.exponent(), exponent, "{code}");
            assert_eq!(currency.code(), code);
        }
        assert_eq!(Currency::from_code("mona").unwrap(), Currency::MONA);
        // The whole ISO 4217 table, not a short list: krona, dinar, the Chilean UF (4 decimals).
        for (code, exponent) in [("SEK", 2), ("BHD", 3), ("CLF", 4), ("UGX", 0), ("ISK", 0)] {
            assert_eq!(
                Currency::from_code(code).unwrap().exponent(),
                exponent,
                "{code}"
            );
        }
        assert_eq!(
            Money::parse("12.5", Currency::from_code("sek").unwrap())
                .unwrap()
                .to_string(),
            "12.50 SEK"
        );
        // ISO codes without a minor unit (gold, the SDR) are not payment currencies.
        for code in ["XAU", "XDR"] {
            assert!(
                matches!(
                    Currency::from_code(code),
                    Err(MoneyError::UnknownCurrency { .. })
                ),
                "{code}"
            );
        }
    }

    #[test]
    fn currency_codes_are_validated() {
        assert!(matches!(
            Currency::from_code("XYZ"),
            Err(MoneyError::UnknownCurrency { code }) if code == "XYZ"
        ));
        for bad in ["", "JP", "J PY", "DOLLARSXX", "€UR"] {
            assert!(
                matches!(
                    Currency::from_code(bad),
                    Err(MoneyError::InvalidCurrency { .. })
                ),
                "{bad:?}"
            );
        }
        assert!(
            Currency::new("JPY", 2).is_err(),
            "known code, wrong exponent"
        );
        assert!(Currency::new("TOK", 19).is_err());
        assert_eq!(Currency::new("skeb", 8).unwrap().code(), "SKEB");
    }

    #[test]
    fn jpy_refuses_fractions_and_usd_refuses_a_third_decimal() {
        assert_eq!(
            Money::parse("10.5", Currency::JPY),
            Err(MoneyError::TooManyFractionDigits {
                currency: Currency::JPY,
                max: 0
            })
        );
        assert!(matches!(
            Money::parse("1.005", Currency::USD),
            Err(MoneyError::TooManyFractionDigits { max: 2, .. })
        ));
        assert_eq!(
            Money::parse("1000", Currency::JPY)
                .unwrap()
                .to_major_string(),
            "1000"
        );
    }

    #[test]
    fn trailing_zeros_are_not_extra_digits() {
        let yen = Money::parse("1000.000", Currency::JPY).unwrap();
        assert_eq!(yen.to_major_string(), "1000");
        let usd = Money::parse("10.500", Currency::USD).unwrap();
        assert_eq!(usd.to_major_string(), "10.50");
        assert_eq!(usd, Money::parse("10.5", Currency::USD).unwrap());
    }

    #[test]
    fn malformed_and_negative_text_is_refused() {
        for bad in [
            "", " 1", "1 ", "-1", "+1", "1e3", "1E3", "1,000", "1_000", ".5", "5.", "1.2.3", "NaN",
            "inf", "0x10", "１０",
        ] {
            assert_eq!(
                Money::parse(bad, Currency::USD),
                Err(MoneyError::Malformed),
                "{bad:?}"
            );
        }
        assert_eq!(
            Money::new(Decimal::new(-1, 0), Currency::JPY),
            Err(MoneyError::Negative)
        );
    }

    #[test]
    fn zero_is_a_value_but_not_a_payment() {
        let zero = Money::parse("0", Currency::JPY).unwrap();
        assert!(zero.is_zero());
        assert_eq!(zero.ensure_positive(), Err(MoneyError::Zero));
        assert_eq!(
            Money::parse_positive("0.00", Currency::USD),
            Err(MoneyError::Zero)
        );
        assert!(
            !Money::new(Decimal::new(-0, 2), Currency::USD)
                .unwrap()
                .amount()
                .is_sign_negative()
        );
    }

    #[test]
    fn too_many_digits_are_too_large_not_rounded() {
        let huge = "9".repeat(40);
        assert_eq!(
            Money::parse(&huge, Currency::JPY),
            Err(MoneyError::TooLarge)
        );
        // 28 digits fit the decimal but not with 8 more places for BTC.
        let wide = "9".repeat(27);
        assert_eq!(
            Money::parse(&wide, Currency::BTC),
            Err(MoneyError::TooLarge)
        );
    }

    #[test]
    fn minor_units_round_trip() {
        let cents = Money::from_minor_units(1250, Currency::USD).unwrap();
        assert_eq!(cents.to_major_string(), "12.50");
        assert_eq!(cents.to_minor_units().unwrap(), 1250);
        let sats = Money::from_minor_units(1, Currency::BTC).unwrap();
        assert_eq!(sats.to_major_string(), "0.00000001");
        for (minor, currency, shown) in [
            (0, Currency::USD, "0.00"),
            (5, Currency::USD, "0.05"),
            (50, Currency::USD, "0.50"),
            (100, Currency::USD, "1.00"),
            (0, Currency::JPY, "0"),
            (12_345_678_900, Currency::BTC, "123.45678900"),
        ] {
            let money = Money::from_minor_units(minor, currency).unwrap();
            assert_eq!(money.to_major_string(), shown);
            assert_eq!(money.to_string(), format!("{shown} {}", currency.code()));
        }
    }

    #[test]
    fn addition_checks_currency() {
        let a = Money::parse("1.10", Currency::USD).unwrap();
        let b = Money::parse("2.05", Currency::USD).unwrap();
        assert_eq!(a.checked_add(b).unwrap().to_major_string(), "3.15");
        assert!(matches!(
            a.checked_add(Money::zero(Currency::EUR)),
            Err(MoneyError::CurrencyMismatch { .. })
        ));
    }

    #[test]
    fn money_error_names_the_field() {
        let err = MoneyError::Zero.for_field("subTotal");
        assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
        assert_eq!(
            err.to_string(),
            "invalid input: subTotal: must be greater than zero"
        );
    }

    #[derive(serde::Serialize)]
    struct WireBody {
        #[serde(serialize_with = "wire::major_string")]
        text: Money,
        #[serde(serialize_with = "wire::minor_integer")]
        cents: Money,
    }

    #[test]
    fn wire_helpers_write_the_chosen_shape() {
        let usd = Money::parse("12.5", Currency::USD).unwrap();
        let body = WireBody {
            text: usd,
            cents: usd,
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"text":"12.50","cents":1250}"#
        );

        #[derive(serde::Serialize)]
        struct Whole {
            #[serde(serialize_with = "wire::major_integer")]
            amount: Money,
        }
        let refused = serde_json::to_string(&Whole { amount: usd });
        assert!(refused.is_err(), "USD cannot be written as whole units");
    }

    #[derive(Debug, serde::Deserialize)]
    struct Decoded {
        #[serde(deserialize_with = "wire::decimal_string_or_integer")]
        value: Decimal,
        #[serde(default, deserialize_with = "wire::option_decimal_string_or_integer")]
        optional: Option<Decimal>,
    }

    #[derive(Debug, serde::Deserialize)]
    struct AsWritten {
        #[serde(deserialize_with = "wire::exact_json_decimal")]
        value: Decimal,
    }

    #[test]
    fn json_numbers_decode_exactly_as_written() {
        for (json, expected) in [
            (r#"{"value":10.5}"#, "10.5"),
            (r#"{"value":0.1}"#, "0.1"),
            (r#"{"value":1000}"#, "1000"),
            (r#"{"value":12.50}"#, "12.50"),
            (r#"{"value":"0.359856"}"#, "0.359856"),
            (
                r#"{"value":123456789012345678.99}"#,
                "123456789012345678.99",
            ),
            (r#"{"value":-2.5}"#, "-2.5"),
        ] {
            let decoded: AsWritten = serde_json::from_str(json).unwrap();
            assert_eq!(decoded.value.to_string(), expected, "{json}");
        }
        for bad in [
            r#"{"value":1e3}"#,
            r#"{"value":true}"#,
            r#"{"value":"x"}"#,
            r#"{"value":null}"#,
        ] {
            assert!(serde_json::from_str::<AsWritten>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn exact_decimals_decode_from_strings_and_integers_but_not_floats() {
        let d: Decoded = serde_json::from_str(r#"{"value":"0.359856","optional":null}"#).unwrap();
        assert_eq!(d.value.to_string(), "0.359856");
        assert_eq!(d.optional, None);
        let d: Decoded = serde_json::from_str(r#"{"value":1000,"optional":"20.0000"}"#).unwrap();
        assert_eq!(d.value, Decimal::from(1000));
        assert_eq!(d.optional.unwrap().to_string(), "20.0000");
        let d: Decoded = serde_json::from_str(r#"{"value":"-3.5"}"#).unwrap();
        assert_eq!(d.value.to_string(), "-3.5");
        for bad in [
            r#"{"value":0.1}"#,
            r#"{"value":"1e3"}"#,
            r#"{"value":"abc"}"#,
            r#"{"value":true}"#,
        ] {
            assert!(serde_json::from_str::<Decoded>(bad).is_err(), "{bad}");
        }
    }
}
