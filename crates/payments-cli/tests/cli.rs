//! The `payments` binary against the sandbox on 127.0.0.1: every command, every exit code, and
//! no secret or card data in any output.

// Test helpers panic on failure by design.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use payments_sandbox::{CHALLENGE_CARD, DECLINE_CARD, FaultKind, FaultRule, Provider};

mod common;

use common::{CVC, PAN, Setup, payments};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_runs_offline_and_succeeds() {
    let setup = Setup::new().await;
    let run = setup.run(&["demo"], None).await;
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("Summary: all"), "{}", run.stdout);
    assert!(!run.stdout.contains('✘'), "{}", run.stdout);
    assert!(run.stdout.contains("****1005"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wire_transcripts_of_every_provider_show_no_secret_and_no_card() {
    let setup = Setup::new().await;
    // The demo drives every provider through most of its operations; `run` already checks
    // that no known secret, hashed secret, gateway credential or full card number is printed.
    let run = setup.run(&["--wire", "demo"], None).await;
    assert_eq!(run.code, 0, "{}", run.all());
    let transcripts: Vec<&str> = run
        .stderr
        .lines()
        .filter(|line| line.contains("payments::wire"))
        .collect();
    for path in [
        "/ecapi",
        "server-to-server-interface/authorization",
        "server-to-server-interface/capture",
        "server-to-server-interface/refund",
        "server-to-server-interface/transaction/status",
        "server-to-server-interface/subscription",
        "server-to-server-interface/hpp/generate/link",
        "do=add_payment",
        "do=get_config",
        "do=place_order",
    ] {
        assert!(
            transcripts.iter().any(|t| t.contains(path)),
            "no transcript of {path}:\n{}",
            run.stderr
        );
    }
    let card_like = regex_lite_digits(13);
    for transcript in &transcripts {
        // Signatures and hashed secrets are blanked, the cards' CVC never shows, and no run of
        // 13 or more digits (a card number) survives.
        for field in ["signature=", "sha1secret=", "md5secret=", "\"cvc\":"] {
            if let Some(at) = transcript.find(field) {
                let value = &transcript[at + field.len()..];
                assert!(
                    value.trim_start_matches('"').starts_with("[REDACTED]"),
                    "{field} shown in {transcript}"
                );
            }
        }
        assert!(!card_like(transcript), "{transcript}");
        assert!(!transcript.contains("\"123\""), "a CVC in {transcript}");
    }
    // Stored-card tokens (`pm_…`) are credentials: never in a transcript.
    assert!(
        !run.stderr.contains("\"pm_"),
        "a stored-card token in:\n{}",
        run.stderr
    );
    // The operations the demo leaves out, each with --wire (the card read from a file).
    let card = setup.card_file(PAN);
    let wire = |args: String| {
        let setup = &setup;
        async move {
            let mut all = vec!["--wire".to_owned(), "--json".to_owned()];
            all.extend(args.split(' ').map(str::to_owned));
            setup
                .run(&all.iter().map(String::as_str).collect::<Vec<_>>(), None)
                .await
        }
    };
    let authorized = wire(format!(
        "paymentoptions authorize --amount 1000 --currency JPY --customer-ip 203.0.113.7 --merchant-txn-ref WIRE-1 --card {card}"
    ))
    .await;
    assert_eq!(authorized.code, 0, "{}", authorized.all());
    let answer: serde_json::Value = serde_json::from_str(&authorized.stdout).unwrap();
    let id = answer["transaction_details"]["id"].as_str().unwrap();
    let mut more = vec![authorized.stderr.clone()];
    for (args, path) in [
        (format!("paymentoptions void --transaction-id {id}"), "server-to-server-interface/void"),
        ("paymentoptions subscription list".to_owned(), "subscription/list"),
        (
            "paymentoptions link --currency PHP --merchant-txn-ref WIRE-GC --success-url https://shop.example/ok --wallet gcash --customer-ip 203.0.113.7".to_owned(),
            "hpp/generate/link",
        ),
        ("zaif currencies".to_owned(), "method=getSupportedCurrencies"),
        (
            "interstream set-subscription-rp --user-id 3 --subscription-id 77".to_owned(),
            "do=set_subscription_rp",
        ),
    ] {
        let run = wire(args.clone()).await;
        assert_eq!(run.code, 0, "{args}: {}", run.all());
        assert!(run.stderr.contains(path), "{args}: no transcript of {path}:\n{}", run.stderr);
        more.push(run.stderr);
    }
    for transcript in more
        .iter()
        .flat_map(|e| e.lines())
        .filter(|l| l.contains("payments::wire"))
    {
        assert!(!card_like(transcript), "{transcript}");
        // As a whole JSON string (a port or a timestamp may contain the same digits).
        assert!(
            !transcript.contains(&format!("\\\"{CVC}\\\""))
                && !transcript.contains(&format!("={CVC}")),
            "the CVC in {transcript}"
        );
        if let Some(at) = transcript.find("cvc") {
            let after = transcript.get(at..at + 20).unwrap_or_default();
            assert!(after.contains("[REDACTED]"), "{after} in {transcript}");
        }
        assert!(
            transcript.contains("\"authorization\":\"[REDACTED]\"")
                || !transcript.contains("authorization"),
            "{transcript}"
        );
    }

    // Without --wire there is no transcript.
    let quiet = setup.run(&["demo"], None).await;
    assert!(!quiet.stderr.contains("payments::wire"), "{}", quiet.stderr);
}

/// Whether `text` has a run of at least `n` ASCII digits.
fn regex_lite_digits(n: usize) -> impl Fn(&str) -> bool {
    move |text: &str| {
        let mut run = 0;
        for c in text.chars() {
            run = if c.is_ascii_digit() { run + 1 } else { 0 };
            if run >= n {
                return true;
            }
        }
        false
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zaif_commands_and_their_exit_codes() {
    let setup = Setup::new().await;
    let created = setup
        .run(
            &[
                "--json",
                "zaif",
                "create-invoice",
                "--currency",
                "btc",
                "--amount",
                "10800",
                "--item-name",
                "コーヒー & ミルク",
                "--order-number",
                "CLI-1",
                "--speed",
                "high",
                "--notification-method",
                "POST",
            ],
            None,
        )
        .await;
    assert_eq!(created.code, 0, "{}", created.all());
    let invoice: serde_json::Value = serde_json::from_str(&created.stdout).unwrap();
    let id = invoice["invoiceId"].as_str().unwrap().to_owned();
    assert_eq!(invoice["btc"], "0.359856");

    let human = setup.run(&["zaif", "get-invoice", &id], None).await;
    assert_eq!(human.code, 0);
    assert!(
        human
            .stdout
            .starts_with(&format!("invoice {id} is new (not settled)")),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("  orderNumber: CLI-1"));

    let found = setup
        .run(
            &["--json", "zaif", "find-invoices", "--order-number", "CLI-1"],
            None,
        )
        .await;
    assert_eq!(found.code, 0);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&found.stdout).unwrap()["counts"],
        1
    );

    // Priced in the asset: the amount is a decimal in BTC, and so is the answer's.
    let in_btc = setup
        .run(
            &[
                "--json",
                "zaif",
                "create-invoice",
                "--currency",
                "btc",
                "--billing-currency",
                "btc",
                "--amount",
                "0.0123",
            ],
            None,
        )
        .await;
    assert_eq!(in_btc.code, 0, "{}", in_btc.all());
    let asset: serde_json::Value = serde_json::from_str(&in_btc.stdout).unwrap();
    assert_eq!(
        (&asset["amount"], &asset["rate"]),
        (&"0.0123".into(), &serde_json::Value::Null)
    );
    let mismatch = setup
        .run(
            &[
                "zaif",
                "create-invoice",
                "--currency",
                "btc",
                "--billing-currency",
                "mona",
                "--amount",
                "1",
            ],
            None,
        )
        .await;
    assert_eq!(mismatch.code, 2, "{}", mismatch.all());
    assert!(
        mismatch.stderr.contains("billing_currency"),
        "{}",
        mismatch.stderr
    );

    let canceled = setup.run(&["zaif", "cancel-invoice", &id], None).await;
    assert_eq!(canceled.code, 0, "{}", canceled.all());
    let again = setup.run(&["zaif", "cancel-invoice", &id], None).await;
    assert_eq!(again.code, 1, "{}", again.all());
    assert!(
        again.stderr.contains("provider code: cannot_cancel"),
        "{}",
        again.stderr
    );

    let fraction = setup
        .run(
            &[
                "zaif",
                "create-invoice",
                "--currency",
                "btc",
                "--amount",
                "10.5",
            ],
            None,
        )
        .await;
    assert_eq!(fraction.code, 2, "{}", fraction.all());
    assert!(
        fraction
            .stderr
            .contains("amount: JPY allows at most 0 decimal places")
    );
    assert!(fraction.stderr.contains("nothing was sent"));

    let no_key: Vec<(String, String)> = setup
        .env
        .iter()
        .filter(|(k, _)| k != "ZAIF_API_KEY")
        .cloned()
        .collect();
    let unconfigured = setup
        .run_with(&no_key, &["zaif", "get-invoice", &id], None)
        .await;
    assert_eq!(unconfigured.code, 2);
    assert!(
        unconfigured.stderr.contains("ZAIF_API_KEY"),
        "{}",
        unconfigured.stderr
    );

    setup.sandbox.set_faults(vec![FaultRule {
        provider: Provider::Zaif,
        route: Some("createInvoice".into()),
        kind: FaultKind::Html,
        status: None,
        latency_ms: 0,
        jitter_ms: 0,
        times: Some(1),
        chance_percent: None,
    }]);
    let broken = setup
        .run(
            &[
                "--json",
                "zaif",
                "create-invoice",
                "--currency",
                "mona",
                "--amount",
                "100",
            ],
            None,
        )
        .await;
    assert_eq!(broken.code, 3, "{}", broken.all());
    let error: serde_json::Value = serde_json::from_str(broken.stderr.trim()).unwrap();
    assert_eq!(error["error"]["kind"], "http_status");
    assert_eq!(error["error"]["outcome_unknown"], true);
    let human_broken = {
        setup.sandbox.set_faults(vec![
            FaultRule::new(Provider::Zaif, FaultKind::DropAfterProcessing).with_times(1),
        ]);
        setup
            .run(
                &[
                    "zaif",
                    "create-invoice",
                    "--currency",
                    "mona",
                    "--amount",
                    "100",
                ],
                None,
            )
            .await
    };
    assert_eq!(human_broken.code, 3);
    assert!(
        human_broken.stderr.contains("the outcome is unknown"),
        "{}",
        human_broken.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paymentoptions_purchases_read_the_card_from_a_file_or_stdin() {
    let setup = Setup::new().await;
    let base = [
        "paymentoptions",
        "purchase",
        "--amount",
        "1000",
        "--currency",
        "JPY",
        "--customer-ip",
        "203.0.113.7",
    ];
    let with = |reference: &'static str, card: String, extra: &[&'static str]| {
        let mut args: Vec<String> = base.iter().map(|s| (*s).to_owned()).collect();
        args.extend([
            "--merchant-txn-ref".into(),
            reference.into(),
            "--card".into(),
            card,
        ]);
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        args
    };
    let approved_args = with(
        "CLI-PO-1",
        setup.card_file(PAN),
        &["--webhook-url", "https://shop.example/hook"],
    );
    let approved = setup
        .run(
            &approved_args.iter().map(String::as_str).collect::<Vec<_>>(),
            None,
        )
        .await;
    assert_eq!(approved.code, 0, "{}", approved.all());
    assert!(
        approved.stdout.contains("paid: transaction") && approved.stdout.contains("is CAPTURE"),
        "{}",
        approved.stdout
    );
    assert!(approved.stdout.contains("****1005"));

    let stdin_card = format!(
        r#"{{"number":"{PAN}","expiry_month":"12","expiry_year":"2099","cvc":"{CVC}","name":"Hanako Yamada"}}"#
    );
    let mut json_args = with("CLI-PO-2", "-".into(), &[]);
    json_args.insert(0, "--json".into());
    let piped = setup
        .run(
            &json_args.iter().map(String::as_str).collect::<Vec<_>>(),
            Some(&stdin_card),
        )
        .await;
    assert_eq!(piped.code, 0, "{}", piped.all());
    let body: serde_json::Value = serde_json::from_str(&piped.stdout).unwrap();
    assert_eq!(body["payment_details"]["card"]["number"], "****1005");

    let declined_args = with("CLI-PO-3", setup.card_file(DECLINE_CARD), &[]);
    let declined = setup
        .run(
            &declined_args.iter().map(String::as_str).collect::<Vec<_>>(),
            None,
        )
        .await;
    assert_eq!(declined.code, 1, "{}", declined.all());
    assert!(declined.stderr.contains("provider code: ERR0005"));

    let challenge_args = with(
        "CLI-PO-4",
        setup.card_file(CHALLENGE_CARD),
        &["--v2", "--success-url", "https://shop.example/back"],
    );
    let challenge = setup
        .run(
            &challenge_args
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            None,
        )
        .await;
    assert_eq!(challenge.code, 0, "{}", challenge.all());
    assert!(
        challenge
            .stdout
            .contains("3-D Secure challenge: send the customer to http://127.0.0.1")
    );

    let luhn_args = with("CLI-PO-5", setup.card_file("5200000000001006"), &[]);
    let luhn = setup
        .run(
            &luhn_args.iter().map(String::as_str).collect::<Vec<_>>(),
            None,
        )
        .await;
    assert_eq!(luhn.code, 2);
    assert!(
        luhn.stderr
            .contains("card.number: fails the Luhn check digit")
    );
    assert!(!luhn.all().contains("5200000000001006"));

    // A card number written as a JSON number is refused without being echoed.
    let numeric = format!(
        r#"{{"number":{PAN},"expiry_month":"12","expiry_year":"2099","cvc":"{CVC}","name":"X"}}"#
    );
    let numeric_args = with("CLI-PO-6", "-".into(), &[]);
    let refused = setup
        .run(
            &numeric_args.iter().map(String::as_str).collect::<Vec<_>>(),
            Some(&numeric),
        )
        .await;
    assert_eq!(refused.code, 2, "{}", refused.all());
    let not_utf8_path = setup.dir.join("binary-card");
    std::fs::write(&not_utf8_path, [0xff, 0xfe, 0x00]).unwrap();
    let binary_args = with("CLI-PO-7", not_utf8_path.display().to_string(), &[]);
    let binary = setup
        .run(
            &binary_args.iter().map(String::as_str).collect::<Vec<_>>(),
            None,
        )
        .await;
    assert_eq!(binary.code, 2);
    assert!(binary.stderr.contains("not UTF-8"));
    let charged = setup
        .sandbox
        .ledger()
        .iter()
        .filter(|e| e.event == "card_charged")
        .count();
    assert_eq!(charged, 2, "only the two approved purchases charged a card");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paymentoptions_lifecycle_commands_and_their_exit_codes() {
    let setup = Setup::new().await;
    let card = setup.card_file(PAN);
    let run = |args: Vec<String>| {
        let setup = &setup;
        async move {
            let mut all = vec!["--json".to_owned(), "paymentoptions".to_owned()];
            all.extend(args);
            setup
                .run(&all.iter().map(String::as_str).collect::<Vec<_>>(), None)
                .await
        }
    };
    let words = |text: &str| text.split(' ').map(str::to_owned).collect::<Vec<_>>();
    let authorized = run(words(&format!(
        "authorize --amount 1000 --currency JPY --customer-ip 203.0.113.7 --merchant-txn-ref CLI-LIFE-1 --card {card}"
    )))
    .await;
    assert_eq!(authorized.code, 0, "{}", authorized.all());
    let answer: serde_json::Value = serde_json::from_str(&authorized.stdout).unwrap();
    assert_eq!(answer["transaction_type"], "PRE_AUTH");
    let auth_id = answer["transaction_details"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let captured = run(words(&format!(
        "capture --transaction-id {auth_id} --amount 1000 --currency JPY --notes shipped"
    )))
    .await;
    assert_eq!(captured.code, 0, "{}", captured.all());
    let answer: serde_json::Value = serde_json::from_str(&captured.stdout).unwrap();
    assert_eq!(answer["gateway_response"]["code"], "INFO0001");
    let capture_id = answer["transaction_details"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(capture_id, auth_id);

    for (amount, code) in [("400", 0), ("600", 0), ("1", 1)] {
        let refund = run(words(&format!(
            "refund --transaction-id {capture_id} --amount {amount} --currency JPY"
        )))
        .await;
        assert_eq!(refund.code, code, "refund {amount}: {}", refund.all());
        if code == 1 {
            assert!(refund.stderr.contains("ERR3019"), "{}", refund.stderr);
        }
    }
    let status = run(words(&format!("status {capture_id}"))).await;
    assert_eq!(status.code, 0, "{}", status.all());
    let answer: serde_json::Value = serde_json::from_str(&status.stdout).unwrap();
    // The status says where the transaction stands now: the capture was refunded, and the
    // authorization was captured.
    assert_eq!(answer["transaction_type"], "REFUND");
    let auth_status = run(words(&format!("status {auth_id}"))).await;
    let answer: serde_json::Value = serde_json::from_str(&auth_status.stdout).unwrap();
    assert_eq!(answer["transaction_type"], "CAPTURE");

    // A void of the captured authorization is refused by the gateway (exit 1); bad input is 2.
    let void = run(words(&format!("void --transaction-id {auth_id}"))).await;
    assert_eq!(void.code, 1, "{}", void.all());
    let zero = run(words(&format!(
        "capture --transaction-id {auth_id} --amount 0 --currency JPY"
    )))
    .await;
    assert_eq!(zero.code, 2, "{}", zero.all());
    for output in [&authorized, &captured, &status] {
        assert!(!output.all().contains(PAN), "the echoed card number leaked");
    }
    let events: Vec<_> = setup
        .sandbox
        .ledger()
        .into_iter()
        .filter(|e| e.reference == "CLI-LIFE-1")
        .map(|e| (e.event, e.amount))
        .collect();
    assert_eq!(
        events,
        [
            ("card_authorized", "1000".to_owned()),
            ("card_captured", "1000".to_owned()),
            ("card_refunded", "400".to_owned()),
            ("card_refunded", "600".to_owned()),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paymentoptions_subscription_and_link_commands() {
    let setup = Setup::new().await;
    let card = setup.card_file("4000000000001091");
    let created = setup
        .run(
            &[
                "--json",
                "paymentoptions",
                "subscription",
                "create",
                "--amount",
                "1000",
                "--currency",
                "JPY",
                "--merchant-txn-ref",
                "CLI-SUB-1",
                "--customer-ip",
                "203.0.113.7",
                "--card",
                card.as_str(),
                "--plan-name",
                "Gold",
                "--cycle-type",
                "monthly",
                "--cycle-interval",
                "1",
                "--max-cycle-count",
                "6",
                "--discount-percentage",
                "50",
                "--discount-cycles",
                "1",
            ],
            None,
        )
        .await;
    assert_eq!(created.code, 0, "{}", created.all());
    let answer: serde_json::Value = serde_json::from_str(&created.stdout).unwrap();
    assert_eq!(answer["payment_details"]["amount"], "500");
    let id = answer["subscription_details"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    setup
        .sandbox
        .advance_paymentoptions_subscription(&id)
        .await
        .unwrap();
    let shown = setup
        .run(
            &["paymentoptions", "subscription", "show", id.as_str()],
            None,
        )
        .await;
    assert_eq!(shown.code, 0, "{}", shown.all());
    assert!(
        shown.stdout.contains("is ACTIVE (2 cycle(s) charged)"),
        "{}",
        shown.stdout
    );
    for (action, expected, code) in [
        ("pause", "PAUSED", 0),
        ("resume", "ACTIVE", 0),
        ("cancel", "CANCELLED", 0),
        ("resume", "cannot be resumed", 1),
    ] {
        let run = setup
            .run(
                &["paymentoptions", "subscription", action, id.as_str()],
                None,
            )
            .await;
        assert_eq!(run.code, code, "{action}: {}", run.all());
        assert!(run.all().contains(expected), "{action}: {}", run.all());
    }
    let list = setup
        .run(&["paymentoptions", "subscription", "list"], None)
        .await;
    assert!(list.stdout.contains("1 subscription(s)"), "{}", list.stdout);
    let zero_interval = setup
        .run(
            &[
                "paymentoptions",
                "subscription",
                "create",
                "--amount",
                "1000",
                "--currency",
                "JPY",
                "--merchant-txn-ref",
                "CLI-SUB-2",
                "--customer-ip",
                "203.0.113.7",
                "--card",
                card.as_str(),
                "--plan-name",
                "Gold",
                "--cycle-type",
                "DAYS",
                "--cycle-interval",
                "0",
                "--max-cycle-count",
                "6",
            ],
            None,
        )
        .await;
    assert_eq!(zero_interval.code, 2, "{}", zero_interval.all());
    assert!(zero_interval.stderr.contains("cycle_interval"));

    let link = setup
        .run(
            &[
                "paymentoptions",
                "link",
                "--amount",
                "2000",
                "--currency",
                "JPY",
                "--merchant-txn-ref",
                "CLI-HPP-1",
                "--success-url",
                "https://shop.example/ok",
                "--tokenize",
            ],
            None,
        )
        .await;
    assert_eq!(link.code, 0, "{}", link.all());
    assert!(
        link.stdout
            .contains("send the customer to http://127.0.0.1"),
        "{}",
        link.stdout
    );
    let wallet = setup
        .run(
            &[
                "paymentoptions",
                "link",
                "--currency",
                "PHP",
                "--merchant-txn-ref",
                "CLI-GC-1",
                "--success-url",
                "https://shop.example/ok",
                "--wallet",
                "gcash",
                "--customer-ip",
                "203.0.113.7",
            ],
            None,
        )
        .await;
    assert_eq!(wallet.code, 0, "{}", wallet.all());
    let no_amount = setup
        .run(
            &[
                "paymentoptions",
                "link",
                "--currency",
                "JPY",
                "--merchant-txn-ref",
                "CLI-HPP-2",
                "--success-url",
                "https://shop.example/ok",
            ],
            None,
        )
        .await;
    assert_eq!(no_amount.code, 2, "{}", no_amount.all());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_trigger_webhook_posts_a_transactions_webhook_again() {
    let setup = Setup::new().await;
    let hooks = payments_test_support::httpmock::MockServer::start_async().await;
    let (received, _mock) = payments_test_support::record(&hooks, 200, "ok").await;
    let card = setup.card_file(PAN);
    let hook = hooks.url("/hook");
    let args = [
        "--json",
        "paymentoptions",
        "purchase",
        "--amount",
        "700",
        "--currency",
        "JPY",
        "--customer-ip",
        "203.0.113.7",
        "--merchant-txn-ref",
        "CLI-HOOK-1",
        "--card",
        card.as_str(),
        "--webhook-url",
        hook.as_str(),
    ];
    let paid = setup.run(&args, None).await;
    assert_eq!(paid.code, 0, "{}", paid.all());
    let answer: serde_json::Value = serde_json::from_str(&paid.stdout).unwrap();
    let id = answer["transaction_details"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let triggered = setup
        .run(&["sandbox", "trigger", "webhook", id.as_str()], None)
        .await;
    assert_eq!(triggered.code, 0, "{}", triggered.all());
    assert!(
        triggered.stdout.contains("posted again"),
        "{}",
        triggered.stdout
    );
    let webhook = received.first();
    assert_eq!(webhook.path, "/hook");
    assert_eq!(webhook.json()["transaction_details"]["id"], id.as_str());
    assert!(!webhook.text().is_empty());

    let bad = setup
        .run(&["sandbox", "trigger", "webhook", "../ledger"], None)
        .await;
    assert_eq!(bad.code, 2, "{}", bad.all());
    let unknown = setup
        .run(&["sandbox", "trigger", "webhook", "no-such-id"], None)
        .await;
    assert_ne!(unknown.code, 0, "{}", unknown.all());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interstream_store_commands_and_the_gateway_credentials() {
    let setup = Setup::new().await;
    // Without INTERSTREAM_CURRENCY the CLI reads the store's currency from get_config.
    let no_currency: Vec<(String, String)> = setup
        .env
        .iter()
        .filter(|(name, _)| name != "INTERSTREAM_CURRENCY")
        .cloned()
        .collect();
    let mut trace = no_currency.clone();
    trace.push(("RUST_LOG".into(), "trace".into()));
    for (env, json) in [(&no_currency, false), (&no_currency, true), (&trace, true)] {
        let mut args = vec!["interstream", "get-config"];
        if json {
            args.insert(0, "--json");
        }
        let config = setup.run_with(env, &args, None).await;
        assert_eq!(config.code, 0, "{}", config.all());
        assert!(config.stdout.contains("EUR"), "{}", config.stdout);
        if json {
            let body: serde_json::Value = serde_json::from_str(&config.stdout).unwrap();
            assert_eq!(
                body["payment_methods"][1]["settings"]["external_gateway_key"],
                "[REDACTED]"
            );
        }
    }
    let cart = setup
        .run_with(
            &no_currency,
            &["--json", "interstream", "get-cart", "--user-id", "3"],
            None,
        )
        .await;
    assert_eq!(cart.code, 0, "{}", cart.all());
    let placed = setup
        .run_with(
            &no_currency,
            &[
                "interstream",
                "place-order",
                "--user-id",
                "3",
                "--notify-buyer",
                "0",
                "--buyer-ip",
                "203.0.113.7",
            ],
            None,
        )
        .await;
    assert_eq!(placed.code, 0, "{}", placed.all());
    assert!(
        placed.stdout.contains("Order was placed"),
        "{}",
        placed.stdout
    );
    let again = setup
        .run_with(
            &no_currency,
            &["interstream", "place-order", "--user-id", "3"],
            None,
        )
        .await;
    assert_eq!(again.code, 1, "{}", again.all());
    assert!(
        again.stderr.contains("ERROR_ORDER_ALREADY_PLACED"),
        "{}",
        again.stderr
    );
    let bad = setup
        .run_with(
            &no_currency,
            &[
                "interstream",
                "place-order",
                "--user-id",
                "3",
                "--notify-buyer",
                "2",
            ],
            None,
        )
        .await;
    assert_eq!(bad.code, 2, "{}", bad.all());
    let pay = setup
        .run_with(
            &no_currency,
            &[
                "interstream",
                "add-payment",
                "--user-id",
                "3",
                "--amount",
                "20.00",
            ],
            None,
        )
        .await;
    assert_eq!(pay.code, 0, "{}", pay.all());
    let content = setup
        .run_with(
            &no_currency,
            &["interstream", "list-content", "--user-id", "3"],
            None,
        )
        .await;
    assert_eq!(content.code, 0, "{}", content.all());
    assert!(
        content.stdout.contains("can watch 1 item"),
        "{}",
        content.stdout
    );
    let rp = setup
        .run_with(
            &no_currency,
            &[
                "interstream",
                "set-subscription-rp",
                "--user-id",
                "3",
                "--subscription-id",
                "77",
            ],
            None,
        )
        .await;
    assert_eq!(rp.code, 0, "{}", rp.all());
    let not_a_number = setup
        .run_with(
            &no_currency,
            &[
                "interstream",
                "add-payment",
                "--user-id",
                "3",
                "--amount",
                "ten",
            ],
            None,
        )
        .await;
    assert_eq!(not_a_number.code, 2, "{}", not_a_number.all());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interstream_commands_and_their_exit_codes() {
    let setup = Setup::new().await;
    let ok = setup
        .run(
            &[
                "interstream",
                "add-payment",
                "--user-id",
                "2",
                "--amount",
                "12.50",
                "--description",
                "CLI-IS-1",
            ],
            None,
        )
        .await;
    assert_eq!(ok.code, 0, "{}", ok.all());
    assert!(
        ok.stdout
            .starts_with("Payment was added: 12.50 EUR for user 2")
    );
    let too_big = setup
        .run(
            &[
                "interstream",
                "add-payment",
                "--user-id",
                "2",
                "--amount",
                "1000",
            ],
            None,
        )
        .await;
    assert_eq!(too_big.code, 1);
    assert!(
        too_big
            .stderr
            .contains("provider code: ERROR_AMOUNT_TOO_BIG")
    );
    let credit = setup
        .run(
            &["--json", "interstream", "get-credit", "--user-id", "2"],
            None,
        )
        .await;
    assert_eq!(credit.code, 0);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&credit.stdout).unwrap()["buyer_credit"],
        "3.00"
    );
    assert_eq!(
        setup
            .run(
                &[
                    "interstream",
                    "add-credit",
                    "--user-id",
                    "2",
                    "--amount",
                    "2"
                ],
                None
            )
            .await
            .code,
        0
    );
    assert_eq!(
        setup
            .run(
                &[
                    "interstream",
                    "subtract-credit",
                    "--user-id",
                    "2",
                    "--amount",
                    "4.5"
                ],
                None
            )
            .await
            .code,
        0
    );
    let cant = setup
        .run(
            &[
                "interstream",
                "subtract-credit",
                "--user-id",
                "2",
                "--amount",
                "99",
            ],
            None,
        )
        .await;
    assert_eq!(cant.code, 1);
    let bad_user = setup
        .run(&["interstream", "get-credit", "--user-id", "0"], None)
        .await;
    assert_eq!(bad_user.code, 2);
    let bad_amount = setup
        .run(
            &[
                "interstream",
                "add-payment",
                "--user-id",
                "2",
                "--amount",
                "1e3",
            ],
            None,
        )
        .await;
    assert_eq!(bad_amount.code, 2);

    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut unreachable = setup.env.clone();
    unreachable.retain(|(k, _)| k != "INTERSTREAM_API_URL");
    unreachable.push((
        "INTERSTREAM_API_URL".into(),
        format!("http://127.0.0.1:{closed_port}/api.php"),
    ));
    let down = setup
        .run_with(
            &unreachable,
            &[
                "interstream",
                "add-payment",
                "--user-id",
                "2",
                "--amount",
                "1",
            ],
            None,
        )
        .await;
    assert_eq!(down.code, 3, "{}", down.all());
    assert!(
        down.stderr.contains("before the request was sent"),
        "{}",
        down.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verbose_and_trace_logging_print_no_secret() {
    let setup = Setup::new().await;
    let card = setup.card_file(PAN);
    let mut trace = setup.env.clone();
    trace.push(("RUST_LOG".into(), "trace".into()));
    for (env, flag) in [(&setup.env, "--verbose"), (&trace, "--json")] {
        let zaif = setup
            .run_with(
                env,
                &[
                    flag,
                    "zaif",
                    "create-invoice",
                    "--currency",
                    "btc",
                    "--amount",
                    "500",
                ],
                None,
            )
            .await;
        assert_eq!(zaif.code, 0, "{}", zaif.all());
        let po = setup
            .run_with(
                env,
                &[
                    flag,
                    "paymentoptions",
                    "purchase",
                    "--amount",
                    "1",
                    "--currency",
                    "JPY",
                    "--merchant-txn-ref",
                    "V-1",
                    "--customer-ip",
                    "127.0.0.1",
                    "--card",
                    &card,
                ],
                None,
            )
            .await;
        assert_eq!(po.code, 0, "{}", po.all());
        let is = setup
            .run_with(
                env,
                &[flag, "interstream", "get-credit", "--user-id", "2"],
                None,
            )
            .await;
        assert_eq!(is.code, 0, "{}", is.all());
        assert!(
            !zaif.stderr.is_empty() || !po.stderr.is_empty(),
            "logging was on"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_processes_share_one_zaif_key() {
    let setup = Setup::new().await;
    let env = setup.env.clone();
    let runs = tokio::task::spawn_blocking(move || {
        let children: Vec<_> = (0..20)
            .map(|i| {
                Command::new(env!("CARGO_BIN_EXE_payments"))
                    .env_clear()
                    .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                    .args([
                        "zaif",
                        "create-invoice",
                        "--currency",
                        "btc",
                        "--amount",
                        "1000",
                        "--order-number",
                    ])
                    .arg(format!("P-{i}"))
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    for output in &runs {
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let created = setup
        .sandbox
        .ledger()
        .iter()
        .filter(|e| e.event == "invoice_created")
        .count();
    assert_eq!(created, 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_command_prints_the_variables_to_use() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_payments"))
        .env_clear()
        .arg("sandbox")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut env = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(assignment) = line.strip_prefix("export ") {
            let (name, value) = assignment.split_once('=').unwrap();
            env.push((name.to_owned(), value.trim_matches('\'').to_owned()));
        }
        if line.starts_with("# sandbox listening") {
            break;
        }
    }
    let dir = tempfile::tempdir().unwrap();
    env.push((
        "ZAIF_NONCE_FILE".into(),
        dir.path().join("n").display().to_string(),
    ));
    let run = tokio::task::spawn_blocking(move || {
        payments(&env, &["interstream", "get-credit", "--user-id", "2"], None)
    })
    .await
    .unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("3.00€"));
}

#[test]
fn help_documents_the_exit_codes() {
    let run = payments(&[], &["--help"], None);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout
            .contains("3  transport failure, timeout or undecodable answer")
    );
    let bad = payments(&[], &["zaif", "create-invoice"], None);
    assert_eq!(bad.code, 2, "a usage error is invalid input");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_arguments_are_refused_before_anything_is_sent() {
    let setup = Setup::new().await;
    let huge = "9".repeat(1_000_000 / 8);
    let cases: Vec<Vec<&str>> = vec![
        vec!["zaif", "create-invoice", "--currency", "btc", "--amount=-5"],
        vec![
            "zaif",
            "create-invoice",
            "--currency",
            "btc",
            "--amount",
            "NaN",
        ],
        vec![
            "zaif",
            "create-invoice",
            "--currency",
            "btc",
            "--amount",
            "1e3",
        ],
        vec![
            "zaif",
            "create-invoice",
            "--currency",
            "btc",
            "--amount",
            &huge,
        ],
        vec![
            "zaif",
            "create-invoice",
            "--currency",
            "<script>",
            "--amount",
            "100",
        ],
        vec![
            "zaif",
            "create-invoice",
            "--currency",
            "btc",
            "--amount",
            "100",
            "--notification-uri",
            "javascript:alert(1)",
        ],
        vec!["zaif", "get-invoice", ""],
        vec![
            "interstream",
            "add-payment",
            "--user-id",
            "1; DROP TABLE users",
            "--amount",
            "1",
        ],
        vec![
            "interstream",
            "add-payment",
            "--user-id",
            "2",
            "--amount",
            "-1.00",
        ],
        vec![
            "paymentoptions",
            "purchase",
            "--amount",
            "1000",
            "--currency",
            "JPY",
            "--merchant-txn-ref",
            "R",
            "--customer-ip",
            "not-an-ip",
            "--card",
            "-",
        ],
        vec![
            "paymentoptions",
            "purchase",
            "--amount",
            "1000",
            "--currency",
            "JPY",
            "--merchant-txn-ref",
            "R",
            "--customer-ip",
            "127.0.0.1",
            "--card",
            "/nonexistent/card.json",
        ],
    ];
    for args in cases {
        let run = setup.run(&args, Some("{}")).await;
        assert_eq!(run.code, 2, "{args:?}: {}", run.all());
    }
    assert!(setup.sandbox.ledger().is_empty(), "nothing was sent");
}
