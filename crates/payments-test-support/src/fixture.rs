//! The engine behind the generated fixture tests (`cargo xtask fixtures`).
//!
//! A fixture (`fixtures/<provider>/<case>.json`) holds one exchange with a provider: the
//! operation and its input, the exact request the client must send, the provider's answer, and
//! the expected outcome. [`run`] starts an `httpmock` server on 127.0.0.1 that gives the answer,
//! lets the provider crate's runner call the real client, then checks every request field by
//! field and the outcome. Values that change per request (nonce, timestamp, salt, signature)
//! are written as `{{placeholder}}` and checked by the provider's rule, not by value.
//!
//! ```json
//! {
//!   "description": "what this case shows",
//!   "source": { "documented": "../shared/seeds/002_ddd34b56ec1a5873.txt" },
//!   "operation": "create_invoice",
//!   "client": {},
//!   "input": { "currency": "btc", "amount": 10800 },
//!   "request": {
//!     "method": "POST", "path": "/ecapi",
//!     "headers": { "content-type": "application/x-www-form-urlencoded" },
//!     "form": { "method": "createInvoice", "nonce": "{{nonce}}", "currency": "btc", "amount": "10800" }
//!   },
//!   "response": { "status": 200, "json": { "success": 1, "return": {} } },
//!   "expect": { "ok": { "invoiceId": "..." } },
//!   "calls": 1
//! }
//! ```
//!
//! `request` may also hold `query` (the decoded query string, every parameter) and `json` (the
//! exact JSON body). `form`, `query` and `json` must match exactly: no field missing, none
//! extra. `response` takes `body` (text) or `json`, and optional `headers`. `expect` is either
//! `{"ok": value}`, compared as a subset of the decoded result serialized to JSON, or
//! `{"error": {"kind": ..., "outcome_unknown": ..., "code": ..., "message_contains": ...}}`
//! (all but `kind` optional). `calls` (default 1) is how many requests the client must send; 0
//! for input refused before sending, in which case `request` may be omitted.

use std::collections::BTreeMap;
use std::future::Future;

use serde::Deserialize;
use serde_json::Value;

use super::{Received, record_with_headers};
use payments_core::Error;

/// A fixture file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    /// What the case shows.
    pub description: String,
    /// Where the case comes from (checked by `cargo xtask fixtures`).
    pub source: Source,
    /// The provider operation (`create_invoice`, `purchase`, `add_payment`, ...).
    pub operation: String,
    /// Client settings the runner applies (e.g. `{"auth": "md5"}`).
    #[serde(default)]
    pub client: Value,
    /// The operation's input.
    pub input: Value,
    /// The request the client must send.
    #[serde(default)]
    pub request: Option<ExpectedRequest>,
    /// The provider's answer.
    pub response: CannedResponse,
    /// The expected outcome.
    pub expect: Expectation,
    /// How many requests the client must send.
    #[serde(default = "one")]
    pub calls: usize,
    /// What the documented request needs from the sandbox; read by the sandbox's own runner
    /// (`crates/payments-sandbox/tests/fixture_support`), not by the client's.
    #[serde(default)]
    pub sandbox: Value,
}

/// Where a fixture comes from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Source {
    /// A provider's documented example: the page (a seed file or a URL).
    Documented(String),
    /// A shape no page shows (a failure, a local refusal), and why it is needed.
    Invented(String),
}

fn one() -> usize {
    1
}

/// The request a fixture expects.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedRequest {
    /// The HTTP method.
    pub method: String,
    /// The path.
    pub path: String,
    /// Every query parameter, decoded.
    #[serde(default)]
    pub query: Option<BTreeMap<String, String>>,
    /// Headers that must be present with these values (names are case-insensitive).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Every form field, decoded.
    #[serde(default)]
    pub form: Option<BTreeMap<String, String>>,
    /// The exact JSON body.
    #[serde(default)]
    pub json: Option<Value>,
}

/// The answer a fixture gives.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CannedResponse {
    /// The HTTP status.
    pub status: u16,
    /// Extra headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The body as text.
    #[serde(default)]
    pub body: Option<String>,
    /// The body as JSON.
    #[serde(default)]
    pub json: Option<Value>,
}

impl CannedResponse {
    /// The body to send.
    pub fn text(&self) -> String {
        match (&self.body, &self.json) {
            (Some(body), _) => body.clone(),
            (None, Some(json)) => json.to_string(),
            (None, None) => String::new(),
        }
    }
}

/// The outcome a fixture expects.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Expectation {
    /// Success, with a subset of the decoded result (serialized to JSON).
    Ok(Value),
    /// An error.
    Error(ExpectedError),
}

/// An expected error.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedError {
    /// The [`payments_core::ErrorKind`] name (`decode`, `declined`, ...).
    pub kind: String,
    /// Whether the outcome must be unknown.
    #[serde(default)]
    pub outcome_unknown: Option<bool>,
    /// The provider's code.
    #[serde(default)]
    pub code: Option<String>,
    /// Text the error's message must contain.
    #[serde(default)]
    pub message_contains: Option<String>,
}

/// Checks one `{{placeholder}}` against the value sent; the request is there for rules that
/// need other fields (a signature over the salt and timestamp).
pub type PlaceholderRule<'a> = &'a dyn Fn(&str, &str, &Received) -> Result<(), String>;

/// Runs a fixture: `call` gets the mock server's base URL, the fixture's client settings,
/// operation and input, and runs the real client, returning the result as JSON.
pub async fn run<F, Fut>(fixture_json: &str, rule: PlaceholderRule<'_>, call: F)
where
    F: FnOnce(String, Value, String, Value) -> Fut,
    Fut: Future<Output = Result<Value, Error>>,
{
    let fixture: Fixture = serde_json::from_str(fixture_json)
        .unwrap_or_else(|e| panic!("the fixture does not parse: {e}"));
    let server = httpmock::MockServer::start_async().await;
    let (recorder, _mock) = record_with_headers(
        &server,
        fixture.response.status,
        &fixture.response.headers,
        &fixture.response.text(),
    )
    .await;
    let outcome = call(
        server.base_url(),
        fixture.client.clone(),
        fixture.operation.clone(),
        fixture.input.clone(),
    )
    .await;
    let received = recorder.all();
    assert_eq!(
        received.len(),
        fixture.calls,
        "{}: the client sent {} requests, the fixture expects {}",
        fixture.description,
        received.len(),
        fixture.calls
    );
    if let Some(expected) = &fixture.request {
        for request in &received {
            check_request(request, expected, rule)
                .unwrap_or_else(|e| panic!("{}: {e}", fixture.description));
        }
    }
    check_outcome(&fixture.expect, outcome)
        .unwrap_or_else(|e| panic!("{}: {e}", fixture.description));
}

/// Compares a received request with the expected one.
pub fn check_request(
    received: &Received,
    expected: &ExpectedRequest,
    rule: PlaceholderRule<'_>,
) -> Result<(), String> {
    if !received.method.eq_ignore_ascii_case(&expected.method) {
        return Err(format!(
            "method {} instead of {}",
            received.method, expected.method
        ));
    }
    if received.path != expected.path {
        return Err(format!(
            "path {} instead of {}",
            received.path, expected.path
        ));
    }
    for (name, value) in &expected.headers {
        let sent = received
            .header(name)
            .ok_or_else(|| format!("header {name} is missing"))?;
        check_value(&format!("header {name}"), value, sent, received, rule)?;
    }
    if let Some(query) = &expected.query {
        check_fields("query", query, &received.query(), received, rule)?;
    }
    if let Some(form) = &expected.form {
        check_fields("form", form, &received.form(), received, rule)?;
    }
    if let Some(json) = &expected.json {
        let sent = received.json();
        if &sent != json {
            return Err(format!(
                "JSON body differs:\n  sent     {sent}\n  expected {json}"
            ));
        }
    }
    Ok(())
}

fn check_fields(
    what: &str,
    expected: &BTreeMap<String, String>,
    sent: &[(String, String)],
    received: &Received,
    rule: PlaceholderRule<'_>,
) -> Result<(), String> {
    let mut seen = BTreeMap::new();
    for (name, value) in sent {
        if seen.insert(name.clone(), value.clone()).is_some() {
            return Err(format!("{what} field {name} is sent twice"));
        }
    }
    for name in seen.keys() {
        if !expected.contains_key(name) {
            return Err(format!("{what} field {name} is sent but not expected"));
        }
    }
    for (name, value) in expected {
        let sent = seen
            .get(name)
            .ok_or_else(|| format!("{what} field {name} is missing"))?;
        check_value(&format!("{what} field {name}"), value, sent, received, rule)?;
    }
    Ok(())
}

fn check_value(
    what: &str,
    expected: &str,
    sent: &str,
    received: &Received,
    rule: PlaceholderRule<'_>,
) -> Result<(), String> {
    // A value may embed one placeholder: "Basic {{api_key}}".
    if let (Some(start), Some(end)) = (expected.find("{{"), expected.find("}}")) {
        let (prefix, suffix) = (&expected[..start], &expected[end + 2..]);
        let name = &expected[start + 2..end];
        let inner = sent
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(suffix))
            .ok_or_else(|| format!("{what}: {sent:?} does not match {expected:?}"))?;
        return rule(name, inner, received).map_err(|e| format!("{what}: {{{{{name}}}}}: {e}"));
    }
    if expected == sent {
        Ok(())
    } else {
        Err(format!("{what} is {sent:?}, expected {expected:?}"))
    }
}

/// Compares the outcome with the expectation.
pub fn check_outcome(expected: &Expectation, outcome: Result<Value, Error>) -> Result<(), String> {
    match (expected, outcome) {
        (Expectation::Ok(subset), Ok(actual)) => check_subset("result", subset, &actual),
        (Expectation::Ok(_), Err(error)) => Err(format!("expected success, got {error}")),
        (Expectation::Error(_), Ok(actual)) => Err(format!("expected an error, got {actual}")),
        (Expectation::Error(expected), Err(error)) => {
            if error.kind().as_str() != expected.kind {
                return Err(format!(
                    "error kind {} instead of {}: {error}",
                    error.kind(),
                    expected.kind
                ));
            }
            if let Some(unknown) = expected.outcome_unknown
                && error.outcome_unknown() != unknown
            {
                return Err(format!(
                    "outcome_unknown is {}: {error}",
                    error.outcome_unknown()
                ));
            }
            if let Some(code) = &expected.code
                && error.provider_code() != Some(code.as_str())
            {
                return Err(format!(
                    "code {:?} instead of {code}: {error}",
                    error.provider_code()
                ));
            }
            if let Some(text) = &expected.message_contains
                && !error.to_string().contains(text.as_str())
            {
                return Err(format!("message {error:?} does not contain {text:?}"));
            }
            Ok(())
        }
    }
}

/// Every key of `expected` is in `actual` with the same value, recursively; arrays match
/// element by element and must have the same length.
pub fn check_subset(path: &str, expected: &Value, actual: &Value) -> Result<(), String> {
    match (expected, actual) {
        (Value::Object(expected), Value::Object(actual)) => {
            for (key, value) in expected {
                let found = actual.get(key).ok_or_else(|| {
                    format!(
                        "{path}.{key} is missing in {}",
                        Value::Object(actual.clone())
                    )
                })?;
                check_subset(&format!("{path}.{key}"), value, found)?;
            }
            Ok(())
        }
        (Value::Array(expected), Value::Array(actual)) => {
            if expected.len() != actual.len() {
                return Err(format!(
                    "{path} has {} items, expected {}",
                    actual.len(),
                    expected.len()
                ));
            }
            for (i, (e, a)) in expected.iter().zip(actual).enumerate() {
                check_subset(&format!("{path}[{i}]"), e, a)?;
            }
            Ok(())
        }
        _ if expected == actual => Ok(()),
        _ => Err(format!("{path} is {actual}, expected {expected}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn subsets_match_recursively_and_report_the_path() {
        let actual = json!({"a": 1, "b": {"c": [1, 2], "d": "x"}});
        assert!(check_subset("r", &json!({"b": {"d": "x"}}), &actual).is_ok());
        assert!(check_subset("r", &json!({"b": {"c": [1, 2]}}), &actual).is_ok());
        let err = check_subset("r", &json!({"b": {"d": "y"}}), &actual).unwrap_err();
        assert!(err.starts_with("r.b.d is \"x\""), "{err}");
        assert!(check_subset("r", &json!({"b": {"c": [1]}}), &actual).is_err());
        assert!(check_subset("r", &json!({"z": 1}), &actual).is_err());
    }

    fn received(form: &str) -> Received {
        Received {
            method: "POST".into(),
            path: "/ecapi".into(),
            raw_query: String::new(),
            headers: vec![("authorization".into(), "Basic k3y".into())],
            body: form.as_bytes().to_vec(),
        }
    }

    #[test]
    fn requests_must_match_exactly() {
        let expected: ExpectedRequest = serde_json::from_value(json!({
            "method": "POST", "path": "/ecapi",
            "headers": {"Authorization": "Basic {{key}}"},
            "form": {"method": "getInvoice", "nonce": "{{nonce}}"}
        }))
        .unwrap();
        let rule = |name: &str, value: &str, _: &Received| match name {
            "nonce" if value.contains('.') => Ok(()),
            "key" if value == "k3y" => Ok(()),
            _ => Err(format!("unexpected {name}={value}")),
        };
        assert!(
            check_request(
                &received("method=getInvoice&nonce=1.000001"),
                &expected,
                &rule
            )
            .is_ok()
        );
        let extra = check_request(
            &received("method=getInvoice&nonce=1.000001&x=1"),
            &expected,
            &rule,
        );
        assert_eq!(extra.unwrap_err(), "form field x is sent but not expected");
        let missing = check_request(&received("method=getInvoice"), &expected, &rule);
        assert_eq!(missing.unwrap_err(), "form field nonce is missing");
        let bad_nonce = check_request(&received("method=getInvoice&nonce=7"), &expected, &rule);
        assert!(bad_nonce.unwrap_err().contains("{{nonce}}"));
    }

    #[test]
    fn errors_are_matched_by_kind_code_and_outcome() {
        let expected: Expectation = serde_json::from_value(
            json!({"error": {"kind": "declined", "code": "05", "outcome_unknown": false}}),
        )
        .unwrap();
        let declined = Error::Declined {
            provider: "p",
            code: "05".into(),
            message: "no".into(),
        };
        assert!(check_outcome(&expected, Err(declined)).is_ok());
        let other = Error::Declined {
            provider: "p",
            code: "51".into(),
            message: "no".into(),
        };
        assert!(check_outcome(&expected, Err(other)).is_err());
        assert!(check_outcome(&expected, Ok(json!({}))).is_err());
        let garbage = serde_json::from_value::<Fixture>(json!({"description": "x"}));
        assert!(garbage.is_err());
    }
}
