//! The gateway's own checks on request values, written here rather than borrowed from the
//! client's `payments-core` validation, so that a mistake there cannot pass on both sides.

use payments_core::Decimal;

/// A currency the gateway takes, with the number of decimals its amounts may carry (ISO 4217).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct GatewayCurrency {
    code: &'static str,
    decimals: u32,
}

/// The currencies the sandbox accepts: the documents' JPY, PHP and USD, and the usual others.
const CURRENCIES: &[(&str, u32)] = &[
    ("AUD", 2),
    ("BHD", 3),
    ("CAD", 2),
    ("CHF", 2),
    ("CNY", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("IDR", 2),
    ("INR", 2),
    ("JOD", 3),
    ("JPY", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("MYR", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PHP", 2),
    ("SGD", 2),
    ("THB", 2),
    ("TND", 3),
    ("TWD", 2),
    ("USD", 2),
    ("VND", 0),
];

impl GatewayCurrency {
    /// JPY, the documents' currency.
    pub(super) const JPY: GatewayCurrency = GatewayCurrency {
        code: "JPY",
        decimals: 0,
    };

    /// The currency for an exact upper-case ISO 4217 code the gateway takes.
    pub(super) fn parse(code: &str) -> Option<GatewayCurrency> {
        CURRENCIES
            .iter()
            .find(|(known, _)| *known == code)
            .map(|(code, decimals)| GatewayCurrency {
                code,
                decimals: *decimals,
            })
    }

    pub(super) fn code(&self) -> &'static str {
        self.code
    }

    /// A positive amount in major units with at most the currency's decimals, written with
    /// exactly that many (`"10.5"` USD becomes 10.50).
    pub(super) fn amount(&self, text: &str) -> Option<Decimal> {
        let plain = !text.is_empty()
            && text.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && text.bytes().filter(|b| *b == b'.').count() <= 1;
        let mut amount = Decimal::from_str_exact(text)
            .ok()
            .filter(|a| plain && *a > Decimal::ZERO && a.scale() <= self.decimals)?;
        amount.rescale(self.decimals);
        Some(amount)
    }
}

/// A card number: 12 to 19 digits passing the Luhn check.
pub(super) fn card_number_is_valid(number: &str) -> bool {
    let digits: Option<Vec<u32>> = number.chars().map(|c| c.to_digit(10)).collect();
    let Some(digits) = digits.filter(|d| (12..=19).contains(&d.len())) else {
        return false;
    };
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| match (i % 2, d * 2) {
            (0, _) => *d,
            (_, doubled) if doubled > 9 => doubled - 9,
            (_, doubled) => doubled,
        })
        .sum();
    sum.is_multiple_of(10)
}

/// A CVC: 3 or 4 digits.
pub(super) fn cvc_is_valid(cvc: &str) -> bool {
    (3..=4).contains(&cvc.len()) && cvc.bytes().all(|b| b.is_ascii_digit())
}

/// An expiry: month 1 to 12 in 1 or 2 digits, year in 2 or 4 digits. Whether it has passed is
/// not checked: the documents' own samples use 12/24 and are approved.
pub(super) fn expiry_is_valid(month: &str, year: &str) -> bool {
    let digits = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    digits(month)
        && month.len() <= 2
        && month.parse::<u8>().is_ok_and(|m| (1..=12).contains(&m))
        && digits(year)
        && matches!(year.len(), 2 | 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_follow_the_currency_decimals() {
        let usd = GatewayCurrency::parse("USD").unwrap();
        assert_eq!(usd.amount("10.5").unwrap().to_string(), "10.50");
        assert_eq!(usd.amount("1000").unwrap().to_string(), "1000.00");
        for refused in ["0", "10.505", "-1", "+1", "1e3", "", " 1", "1.2.3"] {
            assert_eq!(usd.amount(refused), None, "{refused:?}");
        }
        assert_eq!(GatewayCurrency::JPY.amount("1.5"), None);
        assert_eq!(
            GatewayCurrency::JPY.amount("1000").unwrap().to_string(),
            "1000"
        );
        assert_eq!(GatewayCurrency::parse("jpy"), None);
        assert_eq!(GatewayCurrency::parse("XXX"), None);
    }

    #[test]
    fn cards_are_checked_like_the_gateway() {
        // The documents' test cards pass; one changed digit fails the Luhn check.
        for good in ["5200000000001005", "4000000000001091", "4000002500003155"] {
            assert!(card_number_is_valid(good), "{good}");
        }
        for bad in [
            "5200000000001006",
            "52000000000",
            "5200 0000 0000 1005",
            "",
            "x",
        ] {
            assert!(!card_number_is_valid(bad), "{bad:?}");
        }
        assert!(cvc_is_valid("100") && cvc_is_valid("1234"));
        assert!(!cvc_is_valid("12") && !cvc_is_valid("12a") && !cvc_is_valid("12345"));
        assert!(expiry_is_valid("12", "24") && expiry_is_valid("1", "2099"));
        for (month, year) in [
            ("13", "24"),
            ("0", "24"),
            ("12", "999"),
            ("12", ""),
            ("ab", "24"),
        ] {
            assert!(!expiry_is_valid(month, year), "{month}/{year}");
        }
    }
}
