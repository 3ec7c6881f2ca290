//! Validation shared by every builder: one definition of an acceptable text field.
//!
//! Provider fields (references, names, descriptions) are sent verbatim, so a control character
//! could break a form body, a log line or a provider's CSV export. Every builder checks its text
//! fields here, so the rule and its error message are the same whichever provider refuses.

use crate::error::Error;

/// Which control characters a text field may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lines {
    /// One line: no control character at all (names, references, ids).
    Single,
    /// Free text: line breaks (`\n`, `\r`) and tabs allowed, other control characters refused.
    Multi,
}

impl Lines {
    fn allows(self, c: char) -> bool {
        !c.is_control() || (self == Lines::Multi && matches!(c, '\n' | '\r' | '\t'))
    }
}

/// Checks a text field: not blank, and no control characters beyond what `lines` allows.
/// The error is an [`Error::InvalidInput`] naming `field`.
///
/// ```
/// use payments_core::validate::{Lines, text};
///
/// assert!(text("reference", "order-42", Lines::Single).is_ok());
/// assert!(text("description", "two\nlines", Lines::Multi).is_ok());
/// let err = text("reference", "a\u{0}b", Lines::Single).unwrap_err();
/// assert_eq!(err.to_string(), "invalid input: reference: must not contain control characters");
/// ```
pub fn text(field: &'static str, value: &str, lines: Lines) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::invalid_input(field, "is required"));
    }
    if !value.chars().all(|c| lines.allows(c)) {
        return Err(Error::invalid_input(
            field,
            "must not contain control characters",
        ));
    }
    Ok(())
}

/// [`text`] for an optional field: `None` stays `None`; a given value must pass [`text`]
/// (a blank one is refused rather than silently dropped).
pub fn optional_text(
    field: &'static str,
    value: Option<String>,
    lines: Lines,
) -> Result<Option<String>, Error> {
    match value {
        None => Ok(None),
        Some(value) => text(field, &value, lines).map(|()| Some(value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn blank_and_control_characters_are_refused_with_the_field_named() {
        for (value, lines) in [
            ("", Lines::Single),
            ("  \t", Lines::Multi),
            ("a\u{7}b", Lines::Single),
            ("a\nb", Lines::Single),
            ("a\u{1b}[31m", Lines::Multi),
            ("a\u{85}b", Lines::Multi),
        ] {
            let err = text("field_x", value, lines).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{value:?}");
            assert!(err.to_string().contains("field_x"), "{err}");
        }
    }

    #[test]
    fn ordinary_text_passes() {
        for (value, lines) in [
            ("order-42", Lines::Single),
            ("山田 太郎", Lines::Single),
            ("line one\r\nline two\tend", Lines::Multi),
        ] {
            assert!(text("f", value, lines).is_ok(), "{value:?}");
        }
        assert_eq!(optional_text("f", None, Lines::Single).unwrap(), None);
        assert_eq!(
            optional_text("f", Some("x".into()), Lines::Single).unwrap(),
            Some("x".into())
        );
        assert!(optional_text("f", Some(" ".into()), Lines::Single).is_err());
    }
}
