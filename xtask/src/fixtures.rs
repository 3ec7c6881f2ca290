//! `cargo xtask fixtures`: one generated test per fixture file.
//!
//! Each `fixtures/<provider>/<case>.json` is validated (a malformed file or an unknown
//! operation is an error naming the file) and embedded, as canonical JSON, in a test of the
//! provider crate's `tests/fixtures_generated.rs`. The test hands it to the crate's
//! hand-written `tests/fixture_support/mod.rs`, which runs the real client against `httpmock`.
//! Output is sorted by file name and formatted with rustfmt, so the same fixtures always give
//! byte-identical files; because the fixture text is embedded, editing a fixture without
//! regenerating makes `--check` fail.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

/// A provider's fixtures and where its generated tests go.
pub(crate) struct Provider {
    /// The folder under `fixtures/`.
    dir: &'static str,
    /// The crate the tests are generated into.
    crate_dir: &'static str,
    /// The operations its fixture runner knows.
    operations: &'static [&'static str],
}

pub(crate) const PROVIDERS: &[Provider] = &[
    Provider {
        dir: "zaif",
        crate_dir: "crates/zaif-ecapi",
        operations: &[
            "create_invoice",
            "get_invoice",
            "find_invoice_ids",
            "cancel_invoice",
        ],
    },
    Provider {
        dir: "paymentoptions",
        crate_dir: "crates/paymentoptions",
        operations: &[
            "purchase",
            "purchase_v2",
            "authorize",
            "authorize_v2",
            "capture",
            "void",
            "refund",
            "transaction_status",
            "create_subscription",
            "subscription",
            "subscriptions",
            "cancel_subscription",
            "pause_subscription",
            "resume_subscription",
            "hosted_link",
            "wallet_link",
        ],
    },
    Provider {
        dir: "interstream",
        crate_dir: "crates/interstream-store",
        operations: &[
            "add_payment",
            "get_credit",
            "add_subtract_credit",
            "get_config",
            "get_cart",
            "place_order",
            "set_subscription_rp",
            "list_current_content",
        ],
    },
];

/// The generated file, relative to the provider crate.
const GENERATED: &str = "tests/fixtures_generated.rs";

/// The error kinds an `expect.error.kind` may name (`payments_core::ErrorKind::as_str`).
const ERROR_KINDS: &[&str] = &[
    "invalid_input",
    "configuration",
    "authentication",
    "declined",
    "provider",
    "rate_limited",
    "transport",
    "timeout",
    "http_status",
    "decode",
    "unsupported",
    "wrong_environment",
];

/// Every generated file: (path relative to the root, content, number of cases).
/// One validated fixture file.
struct Case {
    /// `fixtures/<provider>/<file>`, for messages.
    shown: String,
    /// The test function name.
    name: String,
    fixture: Value,
    /// `documented: <page>` or `invented: <why>`.
    origin: String,
}

/// Reads and validates a provider's fixtures, sorted by file name.
fn read_cases(root: &Path, provider: &Provider) -> Result<Vec<Case>, String> {
    let dir = root.join("fixtures").join(provider.dir);
    let mut files: Vec<_> = fs::read_dir(&dir)
        .map_err(|e| format!("fixtures/{}: {e}", provider.dir))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    let mut names = BTreeSet::new();
    let mut cases = Vec::new();
    for path in &files {
        let shown = format!(
            "fixtures/{}/{}",
            provider.dir,
            path.file_name().and_then(|n| n.to_str()).unwrap_or("?")
        );
        let text = fs::read_to_string(path).map_err(|e| format!("{shown}: {e}"))?;
        let fixture: Value =
            serde_json::from_str(&text).map_err(|e| format!("{shown}: not valid JSON: {e}"))?;
        let origin = validate(&fixture, provider).map_err(|e| format!("{shown}: {e}"))?;
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let name = test_name(stem).map_err(|e| format!("{shown}: {e}"))?;
        if !names.insert(name.clone()) {
            return Err(format!(
                "{shown}: another fixture already makes a test called {name}"
            ));
        }
        cases.push(Case {
            shown,
            name,
            fixture,
            origin,
        });
    }
    Ok(cases)
}

/// The sandbox's generated file: every documented request against the sandbox.
const SANDBOX_GENERATED: &str = "crates/payments-sandbox/tests/fixtures_generated.rs";

fn generate(root: &Path) -> Result<Vec<(String, String, usize)>, String> {
    let mut outputs = Vec::new();
    let mut sandbox_tests = String::new();
    let mut sandbox_cases = 0;
    for provider in PROVIDERS {
        let cases = read_cases(root, provider)?;
        let mut tests = String::new();
        for case in &cases {
            let Case {
                shown,
                name,
                fixture,
                origin,
            } = case;
            // One canonical text per fixture, embedded in its client test and, for a
            // documented one, in its sandbox test.
            let canonical = raw_string(
                &serde_json::to_string_pretty(fixture).map_err(|e| format!("{shown}: {e}"))?,
            );
            let description = fixture["description"].as_str().unwrap_or_default();
            tests.push_str(&format!(
                "\n/// {}\n///\n/// From `{shown}`; {origin}.\n#[tokio::test]\nasync fn {name}() {{\n    fixture_support::run({canonical}).await;\n}}\n",
                description.split_whitespace().collect::<Vec<_>>().join(" "),
            ));
            if checked_against_sandbox(case) {
                sandbox_tests.push_str(&format!(
                    "\n/// The sandbox answers `{shown}`'s documented request in the documented shape.\n\
                     ///\n/// {origin}.\n#[tokio::test]\nasync fn {}_{name}() {{\n    fixture_support::run({:?}, {canonical}).await;\n}}\n",
                    provider.dir, provider.dir,
                ));
                sandbox_cases += 1;
            }
        }
        let source = format!(
            "//! Generated by `cargo xtask fixtures` from `fixtures/{}/*.json`: do not edit.\n\
             //! To add a test, add a fixture file there and run `cargo xtask fixtures`.\n\n\
             // Test helpers panic on failure by design.\n#![allow(clippy::unwrap_used)]\n\n\
             mod fixture_support;\n{tests}",
            provider.dir
        );
        outputs.push((
            format!("{}/{GENERATED}", provider.crate_dir),
            rustfmt(&source)?,
            cases.len(),
        ));
    }
    let source = format!(
        "//! Generated by `cargo xtask fixtures` from the documented fixtures in `fixtures/`: do\n\
         //! not edit. Each test sends a documented request to the sandbox and checks that the\n\
         //! answer has the documented shape (`tests/fixture_support/mod.rs`).\n\n\
         mod fixture_support;\n{sandbox_tests}"
    );
    outputs.push((
        SANDBOX_GENERATED.to_owned(),
        rustfmt(&source)?,
        sandbox_cases,
    ));
    Ok(outputs)
}

/// Per provider: documented and invented fixtures, and the operations no documented fixture
/// covers yet. One line per provider, then one per uncovered operation.
pub(crate) fn report(root: &Path) -> Result<Vec<String>, String> {
    let mut lines = Vec::new();
    for provider in PROVIDERS {
        let cases = read_cases(root, provider)?;
        let documented: Vec<&Case> = cases
            .iter()
            .filter(|c| c.origin.starts_with("documented"))
            .collect();
        let covered: BTreeSet<&str> = documented
            .iter()
            .filter_map(|c| c.fixture["operation"].as_str())
            .collect();
        let uncovered: Vec<&str> = provider
            .operations
            .iter()
            .copied()
            .filter(|op| !covered.contains(op))
            .collect();
        let not_emulated: Vec<String> = documented
            .iter()
            .filter(|c| !checked_against_sandbox(c))
            .map(|c| {
                format!(
                    "  {}: {} is not checked against the sandbox: {}",
                    provider.dir,
                    c.name,
                    c.fixture["sandbox"]["not_emulated"]
                        .as_str()
                        .unwrap_or_default()
                )
            })
            .collect();
        lines.push(format!(
            "{}: {} documented, {} invented; {} of {} operations have a documented fixture; \
             {} documented requests checked against the sandbox",
            provider.dir,
            documented.len(),
            cases.len() - documented.len(),
            covered.len(),
            provider.operations.len(),
            documented.len() - not_emulated.len(),
        ));
        lines.extend(not_emulated);
        lines.extend(
            uncovered
                .iter()
                .map(|op| format!("  {}: no documented fixture for {op}", provider.dir)),
        );
    }
    Ok(lines)
}

/// Regenerates every file; returns (path, number of cases).
pub(crate) fn write(root: &Path) -> Result<Vec<(String, usize)>, String> {
    let outputs = generate(root)?;
    let mut written = Vec::new();
    for (path, content, cases) in outputs {
        let target = root.join(&path);
        if fs::read_to_string(&target).ok().as_deref() != Some(content.as_str()) {
            fs::write(&target, content).map_err(|e| format!("{path}: {e}"))?;
        }
        written.push((path, cases));
    }
    Ok(written)
}

/// The generated files that are missing or differ from what the fixtures give.
pub(crate) fn check(root: &Path) -> Result<Vec<String>, String> {
    Ok(generate(root)?
        .into_iter()
        .filter(|(path, content, _)| {
            fs::read_to_string(root.join(path)).ok().as_deref() != Some(content.as_str())
        })
        .map(|(path, _, _)| path)
        .collect())
}

/// Checks a fixture's shape; returns where it comes from (see [`source`]).
pub(crate) fn validate(fixture: &Value, provider: &Provider) -> Result<String, String> {
    let object = fixture.as_object().ok_or("a fixture is a JSON object")?;
    const KEYS: &[&str] = &[
        "description",
        "source",
        "operation",
        "client",
        "input",
        "request",
        "response",
        "expect",
        "calls",
        "sandbox",
    ];
    if let Some(unknown) = object.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(format!(
            "unknown key {unknown:?} (expected some of: {})",
            KEYS.join(", ")
        ));
    }
    let text = |key: &str| object.get(key).and_then(Value::as_str);
    if text("description").is_none_or(|d| d.trim().is_empty()) {
        return Err("\"description\" must be a non-empty string".into());
    }
    let origin = source(object.get("source"))?;
    if let Some(plan) = object.get("sandbox") {
        sandbox_plan(plan, &origin)?;
    }
    let operation = text("operation").ok_or("\"operation\" must be a string")?;
    if !provider.operations.contains(&operation) {
        return Err(format!(
            "unknown operation {operation:?} for {} (expected one of: {})",
            provider.dir,
            provider.operations.join(", ")
        ));
    }
    if !object.get("input").is_some_and(Value::is_object) {
        return Err("\"input\" must be an object".into());
    }
    let calls = match object.get("calls") {
        None => 1,
        Some(calls) => calls.as_u64().ok_or("\"calls\" must be a whole number")?,
    };
    match object.get("request") {
        Some(request) => {
            let request = request.as_object().ok_or("\"request\" must be an object")?;
            for key in ["method", "path"] {
                if !request.get(key).is_some_and(Value::is_string) {
                    return Err(format!("\"request.{key}\" must be a string"));
                }
            }
        }
        None if calls == 0 => {}
        None => return Err("\"request\" is required unless \"calls\" is 0".into()),
    }
    let response = object
        .get("response")
        .and_then(Value::as_object)
        .ok_or("\"response\" must be an object")?;
    if !response
        .get("status")
        .and_then(Value::as_u64)
        .is_some_and(|s| (100..=599).contains(&s))
    {
        return Err("\"response.status\" must be an HTTP status".into());
    }
    if response.contains_key("body") && response.contains_key("json") {
        return Err("\"response\" takes \"body\" or \"json\", not both".into());
    }
    let expect = object
        .get("expect")
        .and_then(Value::as_object)
        .ok_or("\"expect\" must be an object")?;
    match (expect.get("ok"), expect.get("error")) {
        (Some(_), None) if expect.len() == 1 => Ok(origin),
        (None, Some(error)) if expect.len() == 1 => {
            let kind = error
                .get("kind")
                .and_then(Value::as_str)
                .ok_or("\"expect.error.kind\" must be a string")?;
            if ERROR_KINDS.contains(&kind) {
                Ok(origin)
            } else {
                Err(format!(
                    "unknown error kind {kind:?} (expected one of: {})",
                    ERROR_KINDS.join(", ")
                ))
            }
        }
        _ => Err("\"expect\" holds exactly one of \"ok\" or \"error\"".into()),
    }
}

/// The recipes `crates/payments-sandbox/tests/fixture_support` knows.
const SANDBOX_RECIPES: &[&str] = &[
    "zaif_invoice",
    "zaif_invoice_confirmed",
    "po_authorization",
    "po_purchase",
    "po_capture",
    "po_subscription",
    "po_subscription_paused",
    "po_stored_card",
    "is_order_paid",
];

/// Checks a fixture's `sandbox` plan: what its documented request needs from the sandbox
/// (see `crates/payments-sandbox/tests/fixture_support/mod.rs`).
fn sandbox_plan(plan: &Value, origin: &str) -> Result<(), String> {
    const KEYS: &[&str] = &[
        "zaif",
        "user",
        "setup",
        "replaces",
        "form",
        "json",
        "query",
        "repeat",
        "resend",
        "same",
        "optional",
        "partial",
        "not_emulated",
    ];
    let plan = plan.as_object().ok_or("\"sandbox\" must be an object")?;
    if !origin.starts_with("documented") {
        return Err("\"sandbox\" plans belong to documented fixtures only".into());
    }
    if let Some(unknown) = plan.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(format!(
            "unknown key \"sandbox.{unknown}\" (expected some of: {})",
            KEYS.join(", ")
        ));
    }
    if let Some(why) = plan.get("not_emulated") {
        if why.as_str().is_none_or(|w| w.trim().is_empty()) || plan.len() != 1 {
            return Err("\"sandbox.not_emulated\" is a reason, alone".into());
        }
        return Ok(());
    }
    match (plan.get("setup"), plan.get("replaces")) {
        (None, None) => {}
        (Some(Value::String(recipe)), None | Some(Value::String(_))) => {
            if !SANDBOX_RECIPES.contains(&recipe.as_str()) {
                return Err(format!(
                    "unknown sandbox recipe {recipe:?} (expected one of: {})",
                    SANDBOX_RECIPES.join(", ")
                ));
            }
        }
        _ => {
            return Err(
                "\"sandbox.setup\" is a recipe's name; \"sandbox.replaces\" (a string) needs it"
                    .into(),
            );
        }
    }
    for key in ["form", "json", "query"] {
        if plan.get(key).is_some_and(|v| !v.is_object()) {
            return Err(format!("\"sandbox.{key}\" must be an object"));
        }
    }
    if plan.get("user").is_some_and(|u| !u["id"].is_u64()) {
        return Err("\"sandbox.user\" needs a numeric \"id\"".into());
    }
    for key in ["same", "optional"] {
        let pointers = |list: &Value| {
            list.as_array().is_some_and(|a| {
                a.iter()
                    .all(|p| p.as_str().is_some_and(|p| p.starts_with('/')))
            })
        };
        if plan.get(key).is_some_and(|list| !pointers(list)) {
            return Err(format!(
                "\"sandbox.{key}\" is a list of JSON pointers (\"/error\")"
            ));
        }
    }
    if let Some(zaif) = plan.get("zaif") {
        let zaif = zaif
            .as_object()
            .ok_or("\"sandbox.zaif\" must be an object")?;
        const SETTINGS: &[&str] = &["error_texts", "max_nonce", "method_interval_ms"];
        if let Some(unknown) = zaif.keys().find(|k| !SETTINGS.contains(&k.as_str())) {
            return Err(format!(
                "unknown Zaif setting {unknown:?} (expected some of: {})",
                SETTINGS.join(", ")
            ));
        }
        if zaif.get("error_texts").is_some_and(|t| {
            !matches!(
                t.as_str(),
                Some("payment_pages" | "generic_faq" | "generic_faq_2016")
            )
        }) {
            return Err(
                "\"sandbox.zaif.error_texts\" is payment_pages, generic_faq or generic_faq_2016"
                    .into(),
            );
        }
    }
    for key in ["repeat", "resend", "partial"] {
        if plan.get(key).is_some_and(|v| !v.is_boolean()) {
            return Err(format!("\"sandbox.{key}\" must be true or false"));
        }
    }
    Ok(())
}

/// Whether the sandbox test is generated for a case: documented, and emulated.
fn checked_against_sandbox(case: &Case) -> bool {
    case.origin.starts_with("documented") && case.fixture["sandbox"].get("not_emulated").is_none()
}

/// Where a fixture comes from, as one line for the generated test's docs: exactly one of
/// `{"documented": "<page>"}` (a seed file or a provider URL) or `{"invented": "<why>"}` (a
/// shape no page shows), never empty.
fn source(value: Option<&Value>) -> Result<String, String> {
    const NEEDED: &str =
        "\"source\" must be {\"documented\": \"<page>\"} or {\"invented\": \"<why>\"}";
    let object = value.and_then(Value::as_object).ok_or(NEEDED)?;
    match object.iter().next() {
        Some((kind, Value::String(text)))
            if object.len() == 1
                && (kind == "documented" || kind == "invented")
                && !text.trim().is_empty() =>
        {
            Ok(format!(
                "{kind}: {}",
                text.split_whitespace().collect::<Vec<_>>().join(" ")
            ))
        }
        _ => Err(NEEDED.into()),
    }
}

/// A test function name from a file stem: lowercase ASCII letters, digits and underscores.
fn test_name(stem: &str) -> Result<String, String> {
    let name: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if name.starts_with(|c: char| c.is_ascii_lowercase()) {
        Ok(name)
    } else {
        Err("a fixture's file name must start with a letter".into())
    }
}

/// `text` as a Rust raw string literal with enough `#` to hold it.
fn raw_string(text: &str) -> String {
    let mut hashes = 1;
    while text.contains(&format!("\"{}", "#".repeat(hashes))) {
        hashes += 1;
    }
    let fence = "#".repeat(hashes);
    format!("r{fence}\"{text}\"{fence}")
}

fn rustfmt(source: &str) -> Result<String, String> {
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2024", "--emit", "stdout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run rustfmt: {e}"))?;
    child
        .stdin
        .take()
        .ok_or("rustfmt has no stdin")?
        .write_all(source.as_bytes())
        .map_err(|e| format!("rustfmt: {e}"))?;
    let output = child
        .wait_with_output()
        .map_err(|e| format!("rustfmt: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "rustfmt refused the generated code: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout).map_err(|e| format!("rustfmt: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = r#"{"description":"d","source":{"invented":"a test"},"operation":"get_invoice","input":{"invoiceId":"x"},
        "request":{"method":"POST","path":"/ecapi"},"response":{"status":200,"body":"{}"},
        "expect":{"error":{"kind":"decode"}}}"#;

    /// A workspace root with one valid fixture per provider.
    fn workspace() -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        fs::create_dir_all(root.path().join("crates/payments-sandbox/tests")).unwrap();
        for provider in PROVIDERS {
            fs::create_dir_all(root.path().join("fixtures").join(provider.dir)).unwrap();
            fs::create_dir_all(root.path().join(provider.crate_dir).join("tests")).unwrap();
            let fixture = VALID.replace("get_invoice", provider.operations[0]);
            fs::write(
                root.path()
                    .join("fixtures")
                    .join(provider.dir)
                    .join("b_case.json"),
                &fixture,
            )
            .unwrap();
            fs::write(
                root.path()
                    .join("fixtures")
                    .join(provider.dir)
                    .join("a-case.json"),
                &fixture,
            )
            .unwrap();
        }
        root
    }

    #[test]
    fn generation_is_sorted_deterministic_and_checked() {
        let root = workspace();
        assert_eq!(
            check(root.path()).unwrap().len(),
            4,
            "missing files are stale"
        );
        write(root.path()).unwrap();
        assert!(check(root.path()).unwrap().is_empty());
        let first =
            fs::read_to_string(root.path().join("crates/zaif-ecapi").join(GENERATED)).unwrap();
        assert!(first.starts_with("//! Generated by `cargo xtask fixtures`"));
        let a = first.find("async fn a_case()").unwrap();
        let b = first.find("async fn b_case()").unwrap();
        assert!(a < b, "sorted by file name");
        write(root.path()).unwrap();
        let second =
            fs::read_to_string(root.path().join("crates/zaif-ecapi").join(GENERATED)).unwrap();
        assert_eq!(first, second, "byte-identical");
    }

    #[test]
    fn editing_a_fixture_without_regenerating_is_caught() {
        let root = workspace();
        write(root.path()).unwrap();
        let fixture = root.path().join("fixtures/interstream/a-case.json");
        let edited = fs::read_to_string(&fixture)
            .unwrap()
            .replace("\"d\"", "\"edited\"");
        fs::write(&fixture, edited).unwrap();
        assert_eq!(
            check(root.path()).unwrap(),
            ["crates/interstream-store/tests/fixtures_generated.rs"]
        );
    }

    #[test]
    fn documented_fixtures_get_a_sandbox_test_unless_not_emulated() {
        let root = workspace();
        let documented = VALID.replace(
            r#"{"invented":"a test"}"#,
            r#"{"documented":"https://example.invalid/page"}"#,
        );
        let dir = root.path().join("fixtures/zaif");
        fs::write(dir.join("c_doc.json"), &documented).unwrap();
        let skipped = documented.replace(
            r#""expect""#,
            r#""sandbox":{"not_emulated":"no such state"},"expect""#,
        );
        fs::write(dir.join("d_doc.json"), skipped).unwrap();
        write(root.path()).unwrap();
        let sandbox = fs::read_to_string(root.path().join(SANDBOX_GENERATED)).unwrap();
        assert!(sandbox.contains("async fn zaif_c_doc()"), "{sandbox}");
        assert!(!sandbox.contains("d_doc"), "not emulated: no test");
        assert!(!sandbox.contains("a_case"), "invented: no sandbox test");
        let report = report(root.path()).unwrap();
        assert!(
            report[0].contains("1 documented requests checked against the sandbox"),
            "{report:?}"
        );
        assert!(
            report
                .iter()
                .any(|l| l.contains("d_doc is not checked against the sandbox: no such state"))
        );
    }

    #[test]
    fn bad_sandbox_plans_are_errors() {
        let documented = VALID.replace(
            r#"{"invented":"a test"}"#,
            r#"{"documented":"https://example.invalid/page"}"#,
        );
        let zaif = &PROVIDERS[0];
        let with = |plan: &str| {
            let text = documented.replace(r#""expect""#, &format!(r#""sandbox":{plan},"expect""#));
            validate(&serde_json::from_str(&text).unwrap(), zaif)
        };
        assert!(with(r#"{"setup":"zaif_invoice","replaces":"x","same":["/error"]}"#).is_ok());
        for (plan, message) in [
            (r#"{"setup":"mint_money"}"#, "unknown sandbox recipe"),
            (r#"{"replaces":"x"}"#, "sandbox.setup"),
            (r#"{"not_emulated":"why","repeat":true}"#, "alone"),
            (r#"{"same":["error"]}"#, "JSON pointers"),
            (r#"{"colour":"red"}"#, "unknown key \"sandbox.colour\""),
            (r#"{"repeat":"yes"}"#, "true or false"),
            (
                r#"{"zaif":{"error_texts":"klingon"}}"#,
                "payment_pages, generic_faq",
            ),
            (r#"{"zaif":{"nonce_limit":5}}"#, "unknown Zaif setting"),
        ] {
            let err = with(plan).unwrap_err();
            assert!(err.contains(message), "{plan}: {err}");
        }
        let invented = VALID.replace(r#""expect""#, r#""sandbox":{"repeat":true},"expect""#);
        let err = validate(&serde_json::from_str(&invented).unwrap(), zaif).unwrap_err();
        assert!(err.contains("documented fixtures only"), "{err}");
    }

    #[test]
    fn bad_fixtures_are_errors_naming_the_file() {
        let cases = [
            ("{not json", "not valid JSON"),
            (
                &VALID.replace("get_invoice", "pay_everyone") as &str,
                "unknown operation \"pay_everyone\"",
            ),
            (
                &VALID.replace("\"decode\"", "\"boom\""),
                "unknown error kind",
            ),
            (
                &VALID.replace("\"description\":\"d\",", ""),
                "\"description\"",
            ),
            (
                &VALID.replace("\"source\":{\"invented\":\"a test\"},", ""),
                "\"source\" must be",
            ),
            (
                &VALID.replace("\"invented\":\"a test\"", "\"invented\":\" \""),
                "\"source\" must be",
            ),
            (
                &VALID.replace("\"invented\"", "\"guessed\""),
                "\"source\" must be",
            ),
            (
                &VALID.replace(
                    "\"invented\":\"a test\"",
                    "\"invented\":\"a\",\"documented\":\"b\"",
                ),
                "\"source\" must be",
            ),
            (
                &VALID.replace("\"status\":200", "\"status\":42"),
                "response.status",
            ),
            (
                &VALID.replace("\"input\"", "\"inputs\""),
                "unknown key \"inputs\"",
            ),
        ];
        for (text, message) in cases {
            let root = workspace();
            fs::write(root.path().join("fixtures/zaif/broken.json"), text).unwrap();
            let err = check(root.path()).unwrap_err();
            assert!(err.starts_with("fixtures/zaif/broken.json: "), "{err}");
            assert!(err.contains(message), "{err}");
        }
    }

    #[test]
    fn the_report_counts_documented_and_invented_cases() {
        let root = workspace();
        fs::write(
            root.path().join("fixtures/zaif/c_case.json"),
            VALID.replace("{\"invented\":\"a test\"}", "{\"documented\":\"seed 002\"}"),
        )
        .unwrap();
        let lines = report(root.path()).unwrap();
        assert_eq!(
            lines[0],
            "zaif: 1 documented, 2 invented; 1 of 4 operations have a documented fixture; \
             1 documented requests checked against the sandbox"
        );
        // The documented case is a get_invoice; the other three operations are listed.
        assert_eq!(
            &lines[1..4],
            [
                "  zaif: no documented fixture for create_invoice",
                "  zaif: no documented fixture for find_invoice_ids",
                "  zaif: no documented fixture for cancel_invoice",
            ]
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("paymentoptions: 0 documented, 2 invented"))
        );
    }

    #[test]
    fn names_and_raw_strings() {
        assert_eq!(
            test_name("Create-Invoice BTC").unwrap(),
            "create_invoice_btc"
        );
        assert!(test_name("1st").is_err());
        assert_eq!(raw_string("a\"b"), "r#\"a\"b\"#");
        assert_eq!(raw_string("x\"#y"), "r##\"x\"#y\"##");
    }
}
