//! Idempotency keys: chosen by the caller, checked before anything is written or sent.

use std::fmt;

use crate::error::JournalError;

/// The longest key: it is sent as the provider-side reference, and PaymentOptions'
/// `merchant_txn_ref` takes at most 45 characters.
pub const MAX_KEY_LEN: usize = 40;

/// A validated idempotency key: 1 to [`MAX_KEY_LEN`] characters from `A–Z a–z 0–9 - _ . :`,
/// with no run of 12 or more digits (what a card number would leave behind).
///
/// The key is written to the journal and sent to the provider as the payment's reference, so
/// it must never carry a secret; the digit rule refuses the one secret a key is likely to be
/// built from by mistake.
///
/// ```
/// use payments_journal::IdempotencyKey;
/// assert!(IdempotencyKey::parse("order-1042-attempt-1").is_ok());
/// assert!(IdempotencyKey::parse("pay 4111111111111111").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Checks `key`.
    ///
    /// # Errors
    /// [`JournalError::InvalidKey`], saying why (never quoting the key).
    pub fn parse(key: impl Into<String>) -> Result<IdempotencyKey, JournalError> {
        let key = key.into();
        let invalid = |reason| Err(JournalError::InvalidKey { reason });
        if key.is_empty() {
            return invalid("is empty");
        }
        if key.len() > MAX_KEY_LEN {
            return invalid("is longer than 40 characters");
        }
        if !key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
        {
            return invalid("may hold only letters, digits and - _ . :");
        }
        let mut run = 0;
        for b in key.bytes() {
            run = if b.is_ascii_digit() { run + 1 } else { 0 };
            if run >= 12 {
                return invalid("has a run of 12 or more digits, which could be a card number");
            }
        }
        Ok(IdempotencyKey(key))
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdempotencyKey({:?})", self.0)
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<&str> for IdempotencyKey {
    type Error = JournalError;

    fn try_from(key: &str) -> Result<IdempotencyKey, JournalError> {
        IdempotencyKey::parse(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reason(key: &str) -> &'static str {
        match IdempotencyKey::parse(key) {
            Err(JournalError::InvalidKey { reason }) => reason,
            other => panic!("{key:?} was accepted: {other:?}"),
        }
    }

    #[test]
    fn refuses_what_cannot_be_a_reference() {
        assert_eq!(reason(""), "is empty");
        assert_eq!(reason(&"k".repeat(41)), "is longer than 40 characters");
        assert!(IdempotencyKey::parse("k".repeat(40)).is_ok());
        for bad in ["a b", "a/b", "ключ", "a\nb", "a\"b"] {
            assert_eq!(reason(bad), "may hold only letters, digits and - _ . :");
        }
        assert!(reason("4111111111111111").contains("card number"));
        assert!(reason("x-411111111111-y").contains("card number"));
        assert!(IdempotencyKey::parse("order-41111111111-2").is_ok());
    }

    #[test]
    fn errors_never_quote_the_key() {
        let err = IdempotencyKey::parse("pan:4111111111111111").unwrap_err();
        assert!(!err.to_string().contains("4111"), "{err}");
        assert!(err.to_string().contains("nothing was sent"));
    }

    proptest! {
        #[test]
        fn accepted_keys_fit_every_reference_field(key in "[A-Za-z0-9._:-]{1,40}") {
            if let Ok(parsed) = IdempotencyKey::parse(key.clone()) {
                prop_assert!(parsed.as_str().len() <= 45);
                prop_assert_eq!(parsed.as_str(), key.as_str());
            }
        }

        #[test]
        fn no_accepted_key_holds_a_card_like_run(key in "[0-9a-]{1,40}") {
            if IdempotencyKey::parse(key.clone()).is_ok() {
                prop_assert!(!key.as_bytes().windows(12).any(|w| w.iter().all(u8::is_ascii_digit)));
            }
        }
    }
}
