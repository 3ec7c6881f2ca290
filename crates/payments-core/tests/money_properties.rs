//! Property tests: amounts never lose a digit, and what is shown parses back to the same amount.

// Test helpers panic on failure by design.
#![allow(clippy::unwrap_used)]

use payments_core::{Currency, Money, MoneyError};
use proptest::prelude::*;

fn currency() -> impl Strategy<Value = Currency> {
    prop_oneof![
        Just(Currency::JPY),
        Just(Currency::USD),
        Just(Currency::EUR),
        Just(Currency::from_code("KWD").unwrap()),
        Just(Currency::BTC),
        Just(Currency::MONA),
    ]
}

proptest! {
    #[test]
    fn display_then_parse_is_the_same_amount(minor in 0u64..=u64::MAX / 2, currency in currency()) {
        let money = Money::from_minor_units(minor, currency).unwrap();
        let shown = money.to_major_string();
        let parsed = Money::parse(&shown, currency).unwrap();
        prop_assert_eq!(parsed, money);
        prop_assert_eq!(parsed.to_minor_units().unwrap(), minor);
        prop_assert_eq!(format!("{money}"), format!("{shown} {}", currency.code()));
    }

    #[test]
    fn minor_units_are_the_same_amount_as_through_new(minor in any::<u64>(), currency in currency()) {
        let exponent = u32::from(currency.exponent());
        let decimal = rust_decimal::Decimal::try_from_i128_with_scale(i128::from(minor), exponent).unwrap();
        let direct = Money::from_minor_units(minor, currency).unwrap();
        let checked = Money::new(decimal, currency).unwrap();
        prop_assert_eq!(direct, checked);
        prop_assert_eq!(direct.amount().scale(), exponent);
        prop_assert_eq!(direct.to_major_string(), decimal.to_string());
        prop_assert_eq!(direct.to_major_string(), checked.to_major_string());
    }

    #[test]
    fn shown_as_the_decimal_shows_itself(mantissa in any::<u128>(), currency in currency()) {
        // Every mantissa a `Decimal` holds (96 bits), at the currency's scale.
        let mantissa = i128::try_from(mantissa % (1u128 << 96)).unwrap();
        let decimal = rust_decimal::Decimal::from_i128_with_scale(mantissa, u32::from(currency.exponent()));
        let money = Money::new(decimal, currency).unwrap();
        prop_assert_eq!(money.to_major_string(), decimal.to_string());
    }

    #[test]
    fn no_digit_is_ever_lost(
        whole in "[0-9]{1,15}",
        fraction in "[0-9]{0,8}",
        currency in currency(),
    ) {
        let text = if fraction.is_empty() { whole.clone() } else { format!("{whole}.{fraction}") };
        let significant = fraction.trim_end_matches('0').len();
        match Money::parse(&text, currency) {
            Ok(money) => {
                prop_assert!(significant <= usize::from(currency.exponent()));
                // Same value, written with exactly the currency's number of decimals.
                let shown = money.to_major_string();
                let (shown_whole, shown_fraction) = shown.split_once('.').unwrap_or((&shown, ""));
                prop_assert_eq!(shown_fraction.len(), usize::from(currency.exponent()));
                let expected_whole = whole.trim_start_matches('0');
                prop_assert_eq!(shown_whole.trim_start_matches('0'), expected_whole);
                prop_assert!(shown_fraction.starts_with(fraction.trim_end_matches('0')));
                prop_assert!(shown_fraction[significant..].bytes().all(|b| b == b'0'));
            }
            Err(err) => {
                prop_assert!(significant > usize::from(currency.exponent()));
                let is_too_many_digits = matches!(err, MoneyError::TooManyFractionDigits { .. });
                prop_assert!(is_too_many_digits);
            }
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,40}", currency in currency()) {
        let _ = Money::parse(&text, currency);
    }

    #[test]
    fn sums_are_exact(a in 0u64..1u64 << 40, b in 0u64..1u64 << 40, currency in currency()) {
        let sum = Money::from_minor_units(a, currency).unwrap()
            .checked_add(Money::from_minor_units(b, currency).unwrap())
            .unwrap();
        prop_assert_eq!(sum.to_minor_units().unwrap(), a + b);
    }
}
