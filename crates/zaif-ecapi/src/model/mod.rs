//! Zaif's typed requests and answers.
//!
//! * [`request`]: what the merchant sends, validated when built ([`CreateInvoiceBuilder::build`]).
//! * [`response`]: what Zaif answers (the `return` object of its envelope).
//!
//! Crypto amounts and rates are exact [`Decimal`](payments_core::Decimal)s (Zaif sends them as
//! strings), JPY amounts are [`Money`](payments_core::Money), unix times are
//! [`OffsetDateTime`](time::OffsetDateTime)s. Unknown enum values are kept, not rejected. How
//! these types are written to and read from the wire is in [`crate::wire`].

mod request;
mod response;

pub use request::{Buyer, CreateInvoice, CreateInvoiceBuilder};
pub(crate) use request::{text, text_fields};
pub use response::{CanceledInvoice, CreatedInvoice, Invoice, InvoiceIds};

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use payments_core::Currency;

use crate::error::ZaifError;

/// The decimals of an amount priced in a crypto asset (`billingCurrency`).
const ASSET_DECIMALS: u8 = 8;

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
    /// The asset as a [`Currency`] for amounts priced in it: its upper-case code, with 8
    /// decimals (satoshi for BTC; Zaif writes every asset amount with at most 8).
    pub fn money_currency(&self) -> Result<Currency, ZaifError> {
        Currency::new(&self.as_str().to_ascii_uppercase(), ASSET_DECIMALS)
            .map_err(|_| ZaifError::invalid("currency", "cannot price an amount"))
    }

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
