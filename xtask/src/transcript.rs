//! `cargo xtask fixtures --from-transcript FILE --operation OP [--name NAME]`: a captured wire
//! exchange becomes a fixture, so a real provider's answer is a regression test in one step.
//!
//! The transcript is a `payments::wire` line, as `payments --wire …` or any `tracing`
//! subscriber with `payments::wire=trace` prints it (the last one in the file is taken). The SDK
//! has already redacted it, so its credentials come back as the fixture's placeholders
//! (`{{key}}`, `{{nonce}}`, `{{sha1secret}}`, `{{api_key}}`, `{{timestamp}}`, `{{salt}}`,
//! `{{signature}}`), and a masked card becomes the sandbox's approved test card. The fixture
//! is labelled `invented` ("captured from a wire transcript"), expects the call to succeed when
//! the answer was a 2xx, and is written to `fixtures/<provider>/<name>.json` for review; then
//! `cargo xtask fixtures` makes its test.

use std::path::Path;

use serde_json::{Map, Value, json};

/// The merchant id of the fixture runners' PaymentOptions client.
const FIXTURE_MERCHANT: &str = "M-FIXTURE";

/// The card a masked transcript card becomes (the sandbox's approved test card).
const TEST_CARD: &str = "5200000000001005";

/// Writes the fixture; returns its path relative to `root`.
pub(crate) fn from_transcript(
    root: &Path,
    file: &Path,
    operation: &str,
    name: Option<&str>,
) -> Result<String, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let (provider, exchange) = last_exchange(&text)
        .ok_or_else(|| format!("{}: no payments::wire transcript line", file.display()))?;
    let fixture = fixture(&provider, &exchange, operation, &file.display().to_string())?;
    let name = name.map_or_else(|| format!("captured_{operation}"), str::to_owned);
    let relative = format!("fixtures/{provider}/{name}.json");
    let path = root.join(&relative);
    if path.exists() {
        return Err(format!("{relative} exists; pass another --name"));
    }
    let body = serde_json::to_string_pretty(&fixture).map_err(|e| e.to_string())?;
    std::fs::write(&path, body + "\n").map_err(|e| format!("{relative}: {e}"))?;
    Ok(relative)
}

/// The provider and the exchange of the last transcript line in `text`.
fn last_exchange(text: &str) -> Option<(String, Value)> {
    text.lines().rev().find_map(|line| {
        let at = line.find("payments::wire: ")? + "payments::wire: ".len();
        let rest = &line[at..];
        let end = rest.rfind('}')?;
        let exchange: Value = serde_json::from_str(&rest[..=end]).ok()?;
        let provider = rest[end..]
            .split("provider=\"")
            .nth(1)?
            .split('"')
            .next()?
            .to_owned();
        Some((provider, exchange))
    })
}

/// The fixture for one exchange.
fn fixture(provider: &str, exchange: &Value, operation: &str, file: &str) -> Result<Value, String> {
    let text = |key: &str| exchange[key].as_str().unwrap_or_default();
    let status = exchange["status"]
        .as_u64()
        .ok_or("the transcript has no status")?;
    let (path, query) = match text("path").split_once('?') {
        Some((path, query)) => (path.to_owned(), pairs(query)),
        None => (text("path").to_owned(), Map::new()),
    };
    let content_type = exchange["headers"]["content-type"]
        .as_str()
        .unwrap_or_default();
    let mut request = json!({"method": text("method"), "path": path});
    let mut headers = Map::new();
    if !content_type.is_empty() {
        headers.insert("content-type".into(), content_type.into());
    }
    let input = match provider {
        "zaif" => {
            let form = with_placeholders(pairs(text("body")));
            request["form"] = Value::Object(form.clone());
            zaif_input(&form)
        }
        "interstream" => {
            let form = pairs(text("body"));
            request["query"] = Value::Object(with_placeholders(query.clone()));
            request["form"] = Value::Object(form.clone());
            interstream_input(&query, &form)
        }
        "paymentoptions" => {
            // The fixture runners point the client at the curl samples' doubled prefix; the
            // captured client's own base URL does not matter.
            if let Some(at) = path.find("server-to-server-interface/") {
                request["path"] = format!("/api/v1/api/v1/{}", &path[at..]).into();
            }
            headers.insert("authorization".into(), "Basic {{api_key}}".into());
            headers.insert("x-api-key".into(), "{{api_key}}".into());
            let mut body: Value = match text("body") {
                "" => Value::Null,
                body => serde_json::from_str(body)
                    .map_err(|e| format!("the request body is not JSON: {e}"))?,
            };
            unmask_card(&mut body);
            // The fixture runner's client has its own merchant id.
            if let Some(merchant) = body.get_mut("merchant_id") {
                *merchant = FIXTURE_MERCHANT.into();
            }
            if !body.is_null() {
                request["json"] = body.clone();
            }
            body
        }
        other => return Err(format!("unknown provider {other:?} in the transcript")),
    };
    request["headers"] = Value::Object(headers);
    let answer = text("answer");
    let response = match serde_json::from_str::<Value>(answer) {
        Ok(json) => json!({"status": status, "json": json}),
        Err(_) => json!({"status": status, "body": answer}),
    };
    let expect = if (200..300).contains(&status) {
        json!({"ok": {}})
    } else {
        json!({"error": {"kind": "http_status"}})
    };
    Ok(json!({
        "description": format!(
            "Captured {} {} (status {status}): review the input and the expectation",
            text("method"),
            path
        ),
        "source": {"invented": format!(
            "captured from a wire transcript ({file}); values redacted by the SDK, credentials replaced by placeholders"
        )},
        "operation": operation,
        "input": if input.is_null() { json!({}) } else { input },
        "request": request,
        "response": response,
        "expect": expect,
    }))
}

/// `a=1&b=x` into a map (percent-decoded).
fn pairs(encoded: &str) -> Map<String, Value> {
    url::form_urlencoded::parse(encoded.as_bytes())
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect()
}

/// Credentials and per-request values as the fixtures' placeholders.
fn with_placeholders(mut fields: Map<String, Value>) -> Map<String, Value> {
    for (field, placeholder) in [
        ("key", "{{key}}"),
        ("nonce", "{{nonce}}"),
        ("sha1secret", "{{sha1secret}}"),
        ("md5secret", "{{md5secret}}"),
        ("timestamp", "{{timestamp}}"),
        ("salt", "{{salt}}"),
        ("signature", "{{signature}}"),
    ] {
        if let Some(value) = fields.get_mut(field) {
            *value = placeholder.into();
        }
    }
    fields
}

/// Zaif's input is its parameters, without the credentials and the method.
fn zaif_input(form: &Map<String, Value>) -> Value {
    let mut input = form.clone();
    for field in ["method", "key", "nonce", "sha1secret", "md5secret"] {
        input.remove(field);
    }
    if let Some(amount) = input.get("amount").and_then(Value::as_str)
        && let Ok(yen) = amount.parse::<u64>()
    {
        input.insert("amount".into(), yen.into());
    }
    Value::Object(input)
}

/// INTER-STREAM's input: the user (`iq`), and the form's fields under the runner's names.
fn interstream_input(query: &Map<String, Value>, form: &Map<String, Value>) -> Value {
    let mut input = form.clone();
    if let Some(user) = query
        .get("iq")
        .and_then(Value::as_str)
        .and_then(|iq| iq.parse::<u64>().ok())
    {
        input.insert("user_id".into(), user.into());
    }
    if let Some(action) = input.remove("creditAction") {
        input.insert("action".into(), action);
    }
    Value::Object(input)
}

/// A card the SDK masked (`****1005`, `[REDACTED]`) becomes the approved test card.
fn unmask_card(body: &mut Value) {
    let Some(card) = body.get_mut("card").and_then(Value::as_object_mut) else {
        return;
    };
    if card
        .get("number")
        .and_then(Value::as_str)
        .is_some_and(|n| n.contains('*'))
    {
        card.insert("number".into(), TEST_CARD.into());
    }
    if card.get("cvc").and_then(Value::as_str) == Some("[REDACTED]") {
        card.insert("cvc".into(), "100".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZAIF_LINE: &str = r#"2026-12-02T14:35:11.810377Z TRACE payments::wire: {"answer":"{\"return\":{\"invoiceId\":\"1c24ab43\",\"amount\":10800,\"currency\":\"btc\",\"btc\":\"0.359856\"},\"success\":1}","body":"method=createInvoice&key=[REDACTED]&sha1secret=[REDACTED]&nonce=1796222111.794059&currency=btc&amount=10800&orderNumber=DEMO-1001&itemName=%E3%82%B3%E3%83%BC%E3%83%92%E3%83%BC","headers":{"content-type":"application/x-www-form-urlencoded"},"method":"POST","path":"/ecapi","status":200} provider="zaif""#;

    #[test]
    fn a_zaif_transcript_becomes_a_valid_fixture_with_placeholders() {
        let (provider, exchange) = last_exchange(&format!("noise\n{ZAIF_LINE}\n")).unwrap();
        assert_eq!(provider, "zaif");
        let made = fixture(&provider, &exchange, "create_invoice", "wire.log").unwrap();
        let form = &made["request"]["form"];
        assert_eq!(form["key"], "{{key}}");
        assert_eq!(form["sha1secret"], "{{sha1secret}}");
        assert_eq!(form["nonce"], "{{nonce}}");
        assert_eq!(form["itemName"], "コーヒー");
        assert_eq!(made["input"]["amount"], 10800);
        assert!(made["input"].get("key").is_none());
        assert_eq!(made["response"]["json"]["return"]["btc"], "0.359856");
        assert!(
            made["source"]["invented"]
                .as_str()
                .unwrap()
                .contains("captured")
        );
        let zaif = &crate::fixtures::PROVIDERS[0];
        crate::fixtures::validate(&made, zaif).unwrap();
    }

    #[test]
    fn a_masked_card_becomes_the_test_card_and_interstream_keeps_its_user() {
        let po = json!({"method": "POST", "path": "/api/v1/server-to-server-interface/payment",
            "headers": {"content-type": "application/json", "x-api-key": "[REDACTED]"},
            "body": r#"{"amount":"1000","card":{"number":"****1005","cvc":"[REDACTED]"}}"#,
            "status": 402, "answer": r#"{"success":false}"#});
        let made = fixture("paymentoptions", &po, "purchase", "f").unwrap();
        assert_eq!(made["request"]["json"]["card"]["number"], TEST_CARD);
        assert_eq!(
            made["request"]["path"],
            "/api/v1/api/v1/server-to-server-interface/payment"
        );
        assert_eq!(made["input"]["card"]["cvc"], "100");
        assert_eq!(made["request"]["headers"]["x-api-key"], "{{api_key}}");
        assert_eq!(made["expect"]["error"]["kind"], "http_status");

        let store = json!({"method": "POST",
            "path": "/api.php?go=store&do=add_subtract_credit&iq=7&timestamp=1&salt=ab&key=[REDACTED]&signature=[REDACTED]",
            "headers": {"content-type": "application/x-www-form-urlencoded"},
            "body": "creditAction=add&amount=3.00", "status": 200, "answer": r#"{"ok":"Credit was updated"}"#});
        let made = fixture("interstream", &store, "add_subtract_credit", "f").unwrap();
        assert_eq!(made["request"]["query"]["signature"], "{{signature}}");
        assert_eq!(made["request"]["query"]["salt"], "{{salt}}");
        assert_eq!(made["input"]["user_id"], 7);
        assert_eq!(made["input"]["action"], "add");
        assert!(fixture("nowhere", &store, "x", "f").is_err());
        assert!(last_exchange("no transcript here").is_none());
    }
}
