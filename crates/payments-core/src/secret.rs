//! A string that never shows itself: API secrets, derived credentials (a hashed secret is as
//! good as the secret on the wire), tokens and card data.

use std::fmt;

pub use secrecy::ExposeSecret;
use secrecy::SecretString;

/// The text every redacted value prints as.
pub const REDACTED: &str = "[REDACTED]";

/// A secret string, zeroized on drop, that prints as `[REDACTED]` through both `Debug` and
/// `Display`, and has no `Serialize` implementation, so it cannot be logged or serialized by
/// accident. Reading it is a deliberate call to [`Secret::expose`].
///
/// ```
/// use payments_core::Secret;
///
/// let secret = Secret::new("s3cr3t-api-key");
/// assert_eq!(format!("{secret:?} {secret}"), "[REDACTED] [REDACTED]");
/// assert_eq!(secret.expose(), "s3cr3t-api-key");
/// ```
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    /// Wraps a value; the caller's copy should go out of scope soon after.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(SecretString::from(value.into()))
    }

    /// The secret text, for the one place that must put it on the wire or hash it.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// Whether the secret is empty (a configuration mistake worth catching at build time).
    pub fn is_empty(&self) -> bool {
        self.expose().is_empty()
    }
}

impl ExposeSecret<str> for Secret {
    fn expose_secret(&self) -> &str {
        self.expose()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_display_and_alternate_debug_are_redacted() {
        let secret = Secret::new("hunter2-very-secret");
        for shown in [
            format!("{secret:?}"),
            format!("{secret:#?}"),
            format!("{secret}"),
            format!("{:?}", Some(secret.clone())),
            format!("{:?}", vec![secret.clone()]),
        ] {
            assert!(!shown.contains("hunter2"), "{shown}");
            assert!(shown.contains(REDACTED), "{shown}");
        }
        assert_eq!(secret.expose(), "hunter2-very-secret");
        assert!(!secret.is_empty());
        assert!(Secret::from("").is_empty());
    }
}
