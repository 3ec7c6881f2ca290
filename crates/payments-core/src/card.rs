//! Card data: the most sensitive thing this SDK touches.
//!
//! A [`Card`] can only be built through validation (digits, length, Luhn, CVC, expiry, holder
//! name). Its number and CVC are [`Secret`]s; `Debug` shows at most the last four digits and
//! never the CVC. Validation errors name the field and never echo its value. A card number that
//! comes back from a provider is decoded straight into a [`MaskedPan`], which keeps only the
//! last four digits.

use std::fmt;

use time::Date;

use crate::error::Error;
use crate::secret::Secret;

/// A validated primary account number. Holds the digits as a secret.
#[derive(Clone)]
pub struct CardNumber {
    digits: Secret,
    last4: MaskedPan,
}

impl CardNumber {
    /// Validates a card number: spaces and dashes are stripped, the rest must be 12 to 19
    /// digits passing the Luhn check.
    pub fn parse(input: &str) -> Result<CardNumber, Error> {
        const FIELD: &str = "card.number";
        let digits: String = input.chars().filter(|c| *c != ' ' && *c != '-').collect();
        if digits.is_empty() {
            return Err(Error::invalid_input(FIELD, "is required"));
        }
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid_input(
                FIELD,
                "must contain only digits (spaces and dashes are ignored)",
            ));
        }
        if !(12..=19).contains(&digits.len()) {
            return Err(Error::invalid_input(FIELD, "must have 12 to 19 digits"));
        }
        if !luhn_valid(&digits) {
            return Err(Error::invalid_input(FIELD, "fails the Luhn check digit"));
        }
        let last4 = MaskedPan::from_digits(&digits);
        Ok(CardNumber {
            digits: Secret::new(digits),
            last4,
        })
    }

    /// The full digits, for the one place that puts them on the wire.
    pub fn expose(&self) -> &str {
        self.digits.expose()
    }

    /// The masked form (`****1005`).
    pub fn masked(&self) -> &MaskedPan {
        &self.last4
    }
}

impl fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardNumber({})", self.last4)
    }
}

impl fmt::Display for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.last4, f)
    }
}

/// The Luhn (mod 10) check over a string of ASCII digits.
pub fn luhn_valid(digits: &str) -> bool {
    let mut sum = 0u32;
    for (i, b) in digits.bytes().rev().enumerate() {
        if !b.is_ascii_digit() {
            return false;
        }
        let mut d = u32::from(b - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    !digits.is_empty() && sum.is_multiple_of(10)
}

/// A card number reduced to its last four digits: what a response or a log may show.
///
/// It deserializes from whatever the provider sends (a full number, an already masked one) and
/// drops everything but the last four digits on the spot.
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(into = "String")]
pub struct MaskedPan {
    last4: String,
}

impl MaskedPan {
    /// Keeps the last four digits of `text` (non-digits are ignored).
    pub fn from_digits(text: &str) -> MaskedPan {
        let digits: Vec<char> = text.chars().filter(char::is_ascii_digit).collect();
        let start = digits.len().saturating_sub(4);
        MaskedPan {
            last4: digits[start..].iter().collect(),
        }
    }

    /// The last four digits (fewer if the provider sent fewer).
    pub fn last4(&self) -> &str {
        &self.last4
    }
}

impl From<MaskedPan> for String {
    fn from(pan: MaskedPan) -> String {
        pan.to_string()
    }
}

impl<'de> serde::Deserialize<'de> for MaskedPan {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A `String` is only a transient buffer here; it is dropped at the end of this call.
        let raw = String::deserialize(deserializer)?;
        Ok(MaskedPan::from_digits(&raw))
    }
}

impl fmt::Debug for MaskedPan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MaskedPan({self})")
    }
}

impl fmt::Display for MaskedPan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "****{}", self.last4)
    }
}

/// A validated card verification code (3 or 4 digits). Never shown.
#[derive(Clone)]
pub struct Cvc(Secret);

impl Cvc {
    /// Validates a CVC: 3 or 4 ASCII digits.
    pub fn parse(input: &str) -> Result<Cvc, Error> {
        let valid = (3..=4).contains(&input.len()) && input.bytes().all(|b| b.is_ascii_digit());
        if valid {
            Ok(Cvc(Secret::new(input)))
        } else {
            Err(Error::invalid_input("card.cvc", "must be 3 or 4 digits"))
        }
    }

    /// The digits, for the one place that puts them on the wire.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

impl fmt::Debug for Cvc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cvc([REDACTED])")
    }
}

/// A card's expiry month; the card is valid through the last day of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CardExpiry {
    year: u16,
    month: u8,
}

impl CardExpiry {
    /// Validates a month (1–12) and a year, given as four digits or two (`24` is 2024).
    pub fn new(month: u8, year: u16) -> Result<CardExpiry, Error> {
        if !(1..=12).contains(&month) {
            return Err(Error::invalid_input(
                "card.expiry_month",
                "must be between 1 and 12",
            ));
        }
        let year = match year {
            0..=99 => 2000 + year,
            2000..=2199 => year,
            _ => {
                return Err(Error::invalid_input(
                    "card.expiry_year",
                    "must be two digits or a four-digit year from 2000",
                ));
            }
        };
        Ok(CardExpiry { year, month })
    }

    /// Parses month and year as text (`"12"`, `"24"` or `"2024"`), as card forms send them.
    pub fn parse(month: &str, year: &str) -> Result<CardExpiry, Error> {
        let month = parse_digits(month, 1..=2)
            .ok_or_else(|| Error::invalid_input("card.expiry_month", "must be 1 or 2 digits"))?;
        let year = parse_digits(year, 2..=4)
            .filter(|_| year.len() != 3)
            .ok_or_else(|| Error::invalid_input("card.expiry_year", "must be 2 or 4 digits"))?;
        let month = u8::try_from(month)
            .map_err(|_| Error::invalid_input("card.expiry_month", "must be between 1 and 12"))?;
        CardExpiry::new(month, year)
    }

    /// The month, 1–12.
    pub fn month(&self) -> u8 {
        self.month
    }

    /// The four-digit year.
    pub fn year(&self) -> u16 {
        self.year
    }

    /// The month as two digits (`"03"`).
    pub fn month_2digit(&self) -> String {
        format!("{:02}", self.month)
    }

    /// The year as its last two digits (`"24"`), the form most gateways want.
    pub fn year_2digit(&self) -> String {
        format!("{:02}", self.year % 100)
    }

    /// Whether the card has expired on `today` (it is still valid during its expiry month).
    pub fn is_expired_on(&self, today: Date) -> bool {
        let this_month = (i32::from(self.year), self.month);
        let current = (today.year(), u8::from(today.month()));
        this_month < current
    }
}

fn parse_digits(text: &str, lengths: std::ops::RangeInclusive<usize>) -> Option<u16> {
    if lengths.contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse().ok()
    } else {
        None
    }
}

/// A card ready to be charged: every field validated, number and CVC held as secrets.
///
/// ```
/// use payments_core::card::Card;
/// use time::macros::date;
///
/// let card = Card::new_on("5200 0000 0000 1005", "12", "30", "100", "John Doe", date!(2026-11-22))?;
/// assert_eq!(format!("{card:?}"), r#"Card { number: CardNumber(****1005), expiry: 12/2030, cvc: Cvc([REDACTED]), holder_name: "John Doe" }"#);
///
/// let err = Card::new_on("5200 0000 0000 1006", "12", "30", "100", "John Doe", date!(2026-11-22)).unwrap_err();
/// assert_eq!(err.to_string(), "invalid input: card.number: fails the Luhn check digit");
/// # Ok::<(), payments_core::Error>(())
/// ```
#[derive(Clone)]
pub struct Card {
    number: CardNumber,
    expiry: CardExpiry,
    cvc: Cvc,
    holder_name: String,
}

impl Card {
    /// Validates a card against today's date (UTC).
    pub fn new(
        number: &str,
        expiry_month: &str,
        expiry_year: &str,
        cvc: &str,
        holder_name: &str,
    ) -> Result<Card, Error> {
        let today = time::OffsetDateTime::now_utc().date();
        Card::new_on(number, expiry_month, expiry_year, cvc, holder_name, today)
    }

    /// Validates a card against a given date, so tests can pin the clock.
    pub fn new_on(
        number: &str,
        expiry_month: &str,
        expiry_year: &str,
        cvc: &str,
        holder_name: &str,
        today: Date,
    ) -> Result<Card, Error> {
        let number = CardNumber::parse(number)?;
        let expiry = CardExpiry::parse(expiry_month, expiry_year)?;
        if expiry.is_expired_on(today) {
            return Err(Error::invalid_input("card.expiry", "the card has expired"));
        }
        let cvc = Cvc::parse(cvc)?;
        let holder_name = holder_name.trim();
        crate::validate::text("card.name", holder_name, crate::validate::Lines::Single)?;
        Ok(Card {
            number,
            expiry,
            cvc,
            holder_name: holder_name.to_owned(),
        })
    }

    /// The card number.
    pub fn number(&self) -> &CardNumber {
        &self.number
    }

    /// The expiry.
    pub fn expiry(&self) -> CardExpiry {
        self.expiry
    }

    /// The verification code.
    pub fn cvc(&self) -> &Cvc {
        &self.cvc
    }

    /// The cardholder's name, trimmed.
    pub fn holder_name(&self) -> &str {
        &self.holder_name
    }
}

impl fmt::Debug for Card {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Card")
            .field("number", &self.number)
            .field(
                "expiry",
                &format_args!("{}/{}", self.expiry.month_2digit(), self.expiry.year),
            )
            .field("cvc", &self.cvc)
            .field("holder_name", &self.holder_name)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 22);

    fn field_of(err: Error) -> String {
        match err {
            Error::InvalidInput { field, .. } => field.into_owned(),
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }

    #[test]
    fn documented_test_cards_are_valid() {
        for number in ["5200000000001005", "4000000000001091", "4000002500003155"] {
            let card = Card::new_on(number, "12", "2030", "100", "John Doe", TODAY).unwrap();
            assert_eq!(card.number().expose(), number);
            assert_eq!(card.number().masked().last4(), &number[12..]);
        }
    }

    #[test]
    fn each_field_is_validated_and_named() {
        let cases = [
            (("", "12", "30", "100", "J"), "card.number"),
            (
                ("5200 0000 0000 100x", "12", "30", "100", "J"),
                "card.number",
            ),
            (("52000000001", "12", "30", "100", "J"), "card.number"),
            (
                ("52000000000010050000", "12", "30", "100", "J"),
                "card.number",
            ),
            (("5200000000001006", "12", "30", "100", "J"), "card.number"),
            (
                ("5200000000001005", "13", "30", "100", "J"),
                "card.expiry_month",
            ),
            (
                ("5200000000001005", "0", "30", "100", "J"),
                "card.expiry_month",
            ),
            (
                ("5200000000001005", "12", "303", "100", "J"),
                "card.expiry_year",
            ),
            (("5200000000001005", "10", "26", "100", "J"), "card.expiry"),
            (("5200000000001005", "12", "30", "10", "J"), "card.cvc"),
            (("5200000000001005", "12", "30", "10a", "J"), "card.cvc"),
            (("5200000000001005", "12", "30", "12345", "J"), "card.cvc"),
            (("5200000000001005", "12", "30", "100", "  "), "card.name"),
            (
                ("5200000000001005", "12", "30", "100", "Jo\u{7}hn"),
                "card.name",
            ),
        ];
        for ((number, month, year, cvc, name), field) in cases {
            let err = Card::new_on(number, month, year, cvc, name, TODAY).unwrap_err();
            let shown = err.to_string();
            assert_eq!(field_of(err), field, "{number} {month}/{year}");
            // The message never echoes the value.
            if number.len() > 4 {
                assert!(!shown.contains(number), "{shown}");
            }
        }
    }

    #[test]
    fn expiry_month_is_still_valid_during_it() {
        assert!(Card::new_on("5200000000001005", "11", "26", "100", "J", TODAY).is_ok());
        assert!(!CardExpiry::new(11, 2026).unwrap().is_expired_on(TODAY));
        assert!(CardExpiry::new(10, 2026).unwrap().is_expired_on(TODAY));
        assert!(CardExpiry::new(12, 2025).unwrap().is_expired_on(TODAY));
        assert_eq!(CardExpiry::new(3, 24).unwrap().year_2digit(), "24");
        assert_eq!(CardExpiry::new(3, 2024).unwrap().month_2digit(), "03");
    }

    #[test]
    fn debug_never_shows_the_number_or_cvc() {
        let card =
            Card::new_on("5200-0000-0000-1005", "12", "30", "739", "John Doe", TODAY).unwrap();
        for shown in [
            format!("{card:?}"),
            format!("{card:#?}"),
            format!("{}", card.number()),
        ] {
            assert!(!shown.contains("5200000000001005"), "{shown}");
            assert!(!shown.contains("520000"), "{shown}");
            assert!(!shown.contains("739"), "{shown}");
            assert!(shown.contains("1005"), "{shown}");
        }
    }

    #[test]
    fn masked_pan_decodes_only_the_last_four() {
        let pan: MaskedPan = serde_json::from_str(r#""5200000000001005""#).unwrap();
        assert_eq!(pan.last4(), "1005");
        assert_eq!(format!("{pan:?}"), "MaskedPan(****1005)");
        assert_eq!(serde_json::to_string(&pan).unwrap(), r#""****1005""#);
        let already: MaskedPan = serde_json::from_str(r#""520000******1005""#).unwrap();
        assert_eq!(already.last4(), "1005");
    }

    /// Appends the Luhn check digit to `body`.
    fn with_check_digit(body: &str) -> String {
        (0..10)
            .map(|d| format!("{body}{d}"))
            .find(|candidate| luhn_valid(candidate))
            .unwrap()
    }

    proptest! {
        #[test]
        fn every_luhn_valid_number_passes(body in "[0-9]{11,18}") {
            let number = with_check_digit(&body);
            prop_assert!(CardNumber::parse(&number).is_ok());
        }

        #[test]
        fn every_single_digit_corruption_fails(body in "[0-9]{11,18}", position in any::<prop::sample::Index>(), delta in 1u8..10) {
            let number = with_check_digit(&body);
            let mut bytes = number.into_bytes();
            let i = position.index(bytes.len());
            bytes[i] = b'0' + (bytes[i] - b'0' + delta) % 10;
            let corrupted = String::from_utf8(bytes).unwrap();
            prop_assert!(CardNumber::parse(&corrupted).is_err());
        }
    }
}
