//! Turning provider bodies into short excerpts that are safe to put in errors and logs.
//!
//! A provider's answer is not trusted to be free of secrets: PaymentOptions echoes the full card
//! number, and an error page may echo the request (keys, CVCs, signatures). So every excerpt
//! masks anything that looks like a card number (12–19 digits, spaces or dashes allowed between
//! them) down to its last four digits, blanks the values of secret-bearing fields, and is cut
//! to a few hundred characters.

use std::sync::{Arc, LazyLock, RwLock};

use regex_lite::Regex;

use crate::secret::{REDACTED, Secret};

/// Longest excerpt kept, in characters.
pub const EXCERPT_CHARS: usize = 200;

/// Digits of a card-number-like run that survive masking.
const VISIBLE_DIGITS: usize = 4;

/// The longest card-number-like run: 19 digits with a separator between each.
const MAX_CARD_CHARS: usize = 37;

static SECRET_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)("?(?:cvc|cvv2?|card_?code|security_?code|[a-z0-9_]*secret|[a-z0-9_]*password|passwd|api[_-]?key|[a-z0-9]+_key|[a-z0-9_]*signature|token|stored_payment_method_id)"?\s*[:=]\s*"?)([^"&,}\s]+)"#,
    )
    .expect("constant pattern compiles")
});

static AUTH_SCHEME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(basic|bearer)\s+[A-Za-z0-9+/=._~-]+").expect("constant pattern compiles")
});

/// Masks every card-number-like run of digits in `text` to `****` plus its last four digits.
///
/// A run is 12 to 19 digits, with at most one space or dash between two digits; runs are found
/// left to right and a longer one is cut at 19 digits, as the pattern `\d(?:[ -]?\d){11,18}`
/// would find them (the tests hold the two equal). A digit is any character Unicode calls
/// numeric (`٤٠٠٠…`, `４０００…`), so a run in other scripts is masked too.
pub fn mask_card_numbers(text: &str) -> String {
    if !may_hold_card_number(text) {
        return text.to_owned();
    }
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let byte_at = |index: usize| chars.get(index).map_or(text.len(), |&(byte, _)| byte);
    let mut masked = String::with_capacity(text.len());
    let mut copied = 0;
    let mut index = 0;
    while index < chars.len() {
        if !chars[index].1.is_numeric() {
            index += 1;
            continue;
        }
        let run = card_like_run(&chars, index);
        if run.digits.len() >= SHORTEST_CARD_DIGITS {
            masked.push_str(&text[copied..byte_at(index)]);
            masked.push_str("****");
            masked.extend(&run.digits[run.digits.len() - VISIBLE_DIGITS..]);
            copied = byte_at(run.end);
        }
        // A shorter run's later digits start shorter runs still: none can match.
        index = run.end;
    }
    masked.push_str(&text[copied..]);
    masked
}

/// Digits in a card number.
const SHORTEST_CARD_DIGITS: usize = 12;
const LONGEST_CARD_DIGITS: usize = 19;

/// The digits of the run starting at `chars[start]` (a digit), and the index after it.
struct CardLikeRun {
    digits: Vec<char>,
    end: usize,
}

fn card_like_run(chars: &[(usize, char)], start: usize) -> CardLikeRun {
    let digit_at = |index: usize| chars.get(index).map(|&(_, c)| c).filter(|c| c.is_numeric());
    let mut digits = vec![chars[start].1];
    let mut end = start + 1;
    while digits.len() < LONGEST_CARD_DIGITS {
        if let Some(digit) = digit_at(end) {
            digits.push(digit);
            end += 1;
        } else if let (Some((_, ' ' | '-')), Some(digit)) = (chars.get(end), digit_at(end + 1)) {
            digits.push(digit);
            end += 2;
        } else {
            break;
        }
    }
    CardLikeRun { digits, end }
}

/// Whether `text` has the 12 digits the shortest card number needs. Most text a provider
/// echoes (ids, codes, amounts, names) has fewer, and counting them costs less than looking
/// for runs.
fn may_hold_card_number(text: &str) -> bool {
    text.chars()
        .filter(|c| c.is_numeric())
        .take(SHORTEST_CARD_DIGITS)
        .count()
        == SHORTEST_CARD_DIGITS
}

/// Blanks the values of secret-bearing fields (`"cvc":"123"`, `sha1secret=...`, `Basic ...`).
pub fn mask_secret_fields(text: &str) -> String {
    // A bare JSON value (`"cvc":100`) is replaced by the string "[REDACTED]", so a redacted
    // JSON body stays JSON (wire transcripts become fixtures); `null` carries nothing.
    let text = SECRET_FIELD.replace_all(text, |caps: &regex_lite::Captures<'_>| {
        let (prefix, value) = (&caps[1], &caps[2]);
        if value == "null" {
            format!("{prefix}{value}")
        } else if prefix.ends_with('"') || !prefix.contains(':') {
            format!("{prefix}{REDACTED}")
        } else {
            format!("{prefix}\"{REDACTED}\"")
        }
    });
    AUTH_SCHEME.replace_all(&text, "$1 [REDACTED]").into_owned()
}

/// Produces excerpts that also blank the exact values of the caller's own secrets, wherever
/// and however the provider echoes them. Each HTTP client carries one holding its credentials.
///
/// Clones share their list: secrets learned later (credentials a provider returns, such as
/// INTER-STREAM's gateway settings) are [added](Redactor::add) once and blanked everywhere.
#[derive(Clone, Default)]
pub struct Redactor {
    known: Arc<RwLock<Vec<Secret>>>,
}

/// Values shorter than this are not scrubbed by value: they would blank ordinary text.
const MIN_KNOWN_SECRET_CHARS: usize = 6;

impl Redactor {
    /// A redactor that also blanks each of `secrets` (values shorter than 6 characters are
    /// left to the pattern masks).
    pub fn new(secrets: impl IntoIterator<Item = Secret>) -> Redactor {
        let known: Vec<Secret> = secrets
            .into_iter()
            .filter(|s| s.expose().chars().count() >= MIN_KNOWN_SECRET_CHARS)
            .collect();
        Redactor {
            known: Arc::new(RwLock::new(known)),
        }
    }

    /// Adds secrets to blank from now on, in this redactor and every clone of it.
    pub fn add(&self, secrets: impl IntoIterator<Item = Secret>) {
        let mut known = self
            .known
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for secret in secrets {
            let long_enough = secret.expose().chars().count() >= MIN_KNOWN_SECRET_CHARS;
            if long_enough && !known.iter().any(|k| k.expose() == secret.expose()) {
                known.push(secret);
            }
        }
    }

    /// A short, single-line, redacted excerpt of a body, for errors and logs.
    ///
    /// ```
    /// use payments_core::{redact::Redactor, Secret};
    ///
    /// let redactor = Redactor::new([Secret::new("my-api-secret")]);
    /// let body = br#"{"card":{"number":"5200000000001005","cvc":"100"},"echo":"my-api-secret"}"#;
    /// assert_eq!(
    ///     redactor.excerpt(body),
    ///     r#"{"card":{"number":"****1005","cvc":"[REDACTED]"},"echo":"[REDACTED]"}"#,
    /// );
    /// ```
    pub fn excerpt(&self, body: &[u8]) -> String {
        let known = self
            .known
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let longest_secret = known
            .iter()
            .map(|s| s.expose().chars().count())
            .max()
            .unwrap_or(0);
        // Masking runs on more than is kept, so a value straddling the cut is masked whole; when
        // the body is longer than the window, the window's tail is dropped too, so no prefix of
        // a secret or card number cut at the window's edge can be shown.
        let margin = longest_secret.max(MAX_CARD_CHARS);
        let window_bytes = (EXCERPT_CHARS + margin) * 4;
        let cut = body.len() > window_bytes;
        let window = &body[..body.len().min(window_bytes)];
        let mut text = one_line(window);
        if cut {
            let keep = text.chars().count().saturating_sub(margin);
            text = text.chars().take(keep).collect();
        }
        let masked = blank(&known, text);
        let masked = masked.trim();
        let mut kept: String = masked.chars().take(EXCERPT_CHARS).collect();
        if cut || masked.chars().nth(EXCERPT_CHARS).is_some() {
            kept.push('…');
        }
        if kept.is_empty() {
            kept.push_str("(empty body)");
        }
        kept
    }

    /// The whole of `body` as one redacted line, for wire transcripts: every known secret,
    /// card-number-like run and secret-bearing field blanked as in [`excerpt`](Self::excerpt),
    /// nothing cut.
    pub fn scrub(&self, body: &[u8]) -> String {
        let known = self
            .known
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        blank(&known, one_line(body))
    }
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = self
            .known
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len();
        write!(f, "Redactor {{ known_secrets: {count} }}")
    }
}

/// `bytes` as one line of text: invalid UTF-8 replaced, control characters (line breaks
/// included) turned into spaces.
fn one_line(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Every known secret blanked, then the card-number and secret-field masks: what excerpts and
/// transcripts both show.
fn blank(known: &[Secret], mut text: String) -> String {
    for secret in known {
        text = text.replace(secret.expose(), REDACTED);
    }
    mask_secret_fields(&mask_card_numbers(&text))
}

/// A short, single-line, redacted excerpt of a body, with the pattern masks only (no known
/// secret values); see [`Redactor::excerpt`].
///
/// ```
/// let body = br#"{"card":{"number":"5200000000001005","cvc":"100"},"msg":"oops"}"#;
/// let shown = payments_core::redact::excerpt(body);
/// assert_eq!(shown, r#"{"card":{"number":"****1005","cvc":"[REDACTED]"},"msg":"oops"}"#);
/// ```
pub fn excerpt(body: &[u8]) -> String {
    Redactor::default().excerpt(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What `\d(?:[ -]?\d){11,18}` masks (Unicode decimal digits), by the `regex` crate.
    fn by_pattern(text: &str) -> String {
        static CARD_LIKE: LazyLock<regex::Regex> = LazyLock::new(|| {
            regex::Regex::new(r"\d(?:[ -]?\d){11,18}").expect("constant pattern compiles")
        });
        CARD_LIKE
            .replace_all(text, |caps: &regex::Captures<'_>| {
                let digits: Vec<char> = caps[0].chars().filter(|c| c.is_numeric()).collect();
                let mut masked = String::from("****");
                masked.extend(&digits[digits.len() - VISIBLE_DIGITS..]);
                masked
            })
            .into_owned()
    }

    #[test]
    fn card_numbers_keep_only_their_last_four() {
        assert_eq!(mask_card_numbers("pan 4000000000001091."), "pan ****1091.");
        assert_eq!(
            mask_card_numbers("4000 0025 0000 3155 and 5200-0000-0000-1005"),
            "****3155 and ****1005"
        );
        // Any Unicode decimal digits count, and masking them never panics.
        assert_eq!(
            mask_card_numbers(
                "\u{0664}\u{0660}\u{0660}\u{0660}\u{0660}\u{0660}\u{0660}\u{0660}\u{0660}\u{0660}\u{0661}\u{0660}\u{0669}\u{0661}"
            ),
            "****\u{0661}\u{0660}\u{0669}\u{0661}"
        );
        // Short numbers (ids, amounts, unix times) are left alone.
        assert_eq!(
            mask_card_numbers("ref 74797 at 1434696690"),
            "ref 74797 at 1434696690"
        );
    }

    #[test]
    fn secret_fields_are_blanked() {
        let shown = mask_secret_fields(
            r#"{"cvc": "100", "CVV2":"999"} sha1secret=abc123&key=pub&nonce=1 Authorization: Basic a2V5Cg== x-api-key: k3y"#,
        );
        for leaked in ["100", "999", "abc123", "a2V5Cg==", "k3y"] {
            assert!(!shown.contains(leaked), "{leaked} in {shown}");
        }
        assert!(shown.contains("nonce=1"), "{shown}");
        // Redacted JSON stays JSON: bare values become the string, null stays null.
        let json =
            mask_secret_fields(r#"{"cvc":100,"stored_payment_method_id":null,"pp_password":"x1"}"#);
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&json).unwrap(),
            serde_json::json!({"cvc": "[REDACTED]", "stored_payment_method_id": null, "pp_password": "[REDACTED]"})
        );
    }

    #[test]
    fn excerpts_are_single_line_and_bounded() {
        let html = format!(
            "<html>\n<body>{}</body>\r\n</html>",
            "Bad Gateway ".repeat(100)
        );
        let shown = excerpt(html.as_bytes());
        assert!(!shown.contains('\n') && !shown.contains('\r'));
        assert!(shown.chars().count() <= EXCERPT_CHARS + 1);
        assert!(shown.ends_with('…'));
        assert_eq!(excerpt(b""), "(empty body)");
        assert_eq!(excerpt(b"\xff\xfe{"), "\u{fffd}\u{fffd}{");
    }

    #[test]
    fn a_card_number_straddling_the_cut_is_masked_whole() {
        let mut body = "a".repeat(EXCERPT_CHARS - 6);
        body.push_str("5200000000001005 tail");
        let shown = excerpt(body.as_bytes());
        assert!(!shown.contains("520000"), "{shown}");
    }

    #[test]
    fn known_secrets_are_blanked_wherever_they_appear() {
        let redactor = Redactor::new([Secret::new("sk_live_abcdef"), Secret::new("abc")]);
        let shown = redactor.excerpt(b"unexpected echo sk_live_abcdef in text, abc stays");
        assert_eq!(shown, "unexpected echo [REDACTED] in text, abc stays");
        assert_eq!(format!("{redactor:?}"), "Redactor { known_secrets: 1 }");
        // Secrets learned later are blanked by every clone; short and repeated ones are skipped.
        let clone = redactor.clone();
        redactor.add([
            Secret::new("paypal-api-signature-xyz"),
            Secret::new("abc"),
            Secret::new("paypal-api-signature-xyz"),
        ]);
        assert_eq!(format!("{clone:?}"), "Redactor { known_secrets: 2 }");
        assert!(
            !clone
                .excerpt(b"sig=paypal-api-signature-xyz")
                .contains("paypal-api")
        );
    }

    #[test]
    fn a_secret_cut_at_the_window_edge_shows_no_prefix() {
        let secret = "Z".repeat(40);
        let redactor = Redactor::new([Secret::new(secret.clone())]);
        for pad in 0..80 {
            let body = format!(
                "{}{secret}{}",
                " ".repeat(EXCERPT_CHARS * 4 + pad),
                "y".repeat(100)
            );
            let shown = redactor.excerpt(body.as_bytes());
            assert!(!shown.contains("ZZZZ"), "pad {pad}: {shown}");
        }
    }

    /// Mostly digits (ASCII, Arabic-Indic, full-width), so runs past 19 digits are common, with
    /// separators (single and doubled) and letters between them.
    fn digit_heavy_text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            12 => "[0-9]",
            3 => "[\\u{0660}-\\u{0669}\\u{ff10}-\\u{ff19}]",
            2 => "[ \\-]",
            1 => "[ab]",
        ];
        proptest::collection::vec(piece, 0..60).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #[test]
        fn no_sixteen_digit_number_survives(prefix in "[a-z :\"{]{0,300}", digits in "[0-9]{16}", suffix in "[a-z \"}]{0,50}") {
            let body = format!("{prefix}{digits}{suffix}");
            let shown = excerpt(body.as_bytes());
            prop_assert!(!shown.contains(&digits[..12]), "{}", shown);
        }

        /// The `regex` crate (a dev-dependency only) is the oracle for the hand-written scan.
        #[test]
        fn runs_are_found_as_the_pattern_finds_them(text in digit_heavy_text()) {
            prop_assert_eq!(mask_card_numbers(&text), by_pattern(&text));
        }

        #[test]
        fn any_bytes_give_a_bounded_excerpt(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
            let shown = excerpt(&bytes);
            prop_assert!(shown.chars().count() <= EXCERPT_CHARS + 1);
        }
    }
}
