//! `--idempotency-key`, `payments journal` and `payments reconcile` against the sandbox.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Setup, payments};
use payments_sandbox::{FaultKind, FaultRule, Provider};

fn charges(setup: &Setup, event: &str, reference: &str) -> usize {
    setup
        .sandbox
        .ledger()
        .iter()
        .filter(|e| e.event == event && e.reference.contains(reference))
        .count()
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn drop_once(provider: Provider, route: &str) -> FaultRule {
    FaultRule::new(provider, FaultKind::DropAfterProcessing)
        .with_route(route)
        .with_times(1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_key_answers_from_the_journal_and_a_lost_answer_is_reconciled() {
    let setup = Setup::new().await;
    let journal = setup.dir.join("journal.sqlite3").display().to_string();
    let create = |amount: &'static str, key: &'static str| {
        vec![
            "--json",
            "--journal",
            &journal,
            "zaif",
            "create-invoice",
            "--currency",
            "btc",
            "--amount",
            amount,
            "--idempotency-key",
            key,
        ]
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<String>>()
    };
    let run = |args: Vec<String>| {
        let setup = &setup;
        async move {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            setup.run(&args, None).await
        }
    };

    let first = run(create("1200", "order-77")).await;
    assert_eq!(first.code, 0, "{}", first.all());
    assert!(
        first.stderr.contains(&format!("journal: {journal}")),
        "{}",
        first.stderr
    );
    let again = run(create("1200", "order-77")).await;
    assert_eq!(again.code, 0, "{}", again.all());
    assert_eq!(json(&first.stdout)["id"], json(&again.stdout)["id"]);
    assert_eq!(charges(&setup, "invoice_created", "order-77"), 1);

    // The same key for another amount: refused, naming the key, exit 2, nothing sent.
    let other = run(create("1300", "order-77")).await;
    assert_eq!(other.code, 2, "{}", other.all());
    assert!(
        other.stderr.contains("order-77") && other.stderr.contains("nothing was sent"),
        "{}",
        other.stderr
    );
    assert_eq!(charges(&setup, "invoice_created", "order-77"), 1);
    let bad = run(create("1200", "card 4111111111111111")).await;
    assert_eq!(bad.code, 2, "{}", bad.all());
    assert!(!bad.all().contains("4111111111111111"));

    // The answer is dropped after the invoice was made: exit 3, the outcome unknown.
    setup
        .sandbox
        .set_faults(vec![drop_once(Provider::Zaif, "createInvoice")]);
    let lost = run(create("1500", "order-78")).await;
    assert_eq!(lost.code, 3, "{}", lost.all());
    assert_eq!(charges(&setup, "invoice_created", "order-78"), 1);
    let pending = setup
        .run(
            &[
                "--json",
                "--journal",
                &journal,
                "journal",
                "list",
                "--state",
                "pending",
            ],
            None,
        )
        .await;
    assert_eq!(pending.code, 0, "{}", pending.all());
    assert_eq!(json(&pending.stdout)["intents"][0]["key"], "order-78");

    // `reconcile` finds the invoice the lost attempt made.
    let reconciled = setup
        .run(&["--json", "--journal", &journal, "reconcile"], None)
        .await;
    assert_eq!(reconciled.code, 0, "{}", reconciled.all());
    let report = json(&reconciled.stdout);
    assert_eq!(report["settled"][0]["key"], "order-78");
    assert_eq!(report["settled"][0]["state"], "succeeded");
    let shown = setup
        .run(
            &[
                "--json",
                "--journal",
                &journal,
                "journal",
                "show",
                "order-78",
            ],
            None,
        )
        .await;
    assert_eq!(json(&shown.stdout)["state"], "succeeded");
    // The same command again: the one invoice, no second one.
    let replay = run(create("1500", "order-78")).await;
    assert_eq!(replay.code, 0, "{}", replay.all());
    assert_eq!(
        json(&replay.stdout)["id"],
        json(&shown.stdout)["payment_id"]
    );
    assert_eq!(charges(&setup, "invoice_created", "order-78"), 1);

    let unknown = setup
        .run(&["--journal", &journal, "journal", "show", "nope"], None)
        .await;
    assert_eq!(unknown.code, 2, "{}", unknown.all());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn card_and_store_payments_are_journaled_and_the_file_holds_no_card_data() {
    let setup = Setup::new().await;
    let journal = setup.dir.join("journal.sqlite3").display().to_string();
    let card = setup.card_file(common::PAN);
    let purchase = [
        "--json",
        "--journal",
        &journal,
        "paymentoptions",
        "purchase",
        "--amount",
        "25.00",
        "--currency",
        "USD",
        "--merchant-txn-ref",
        "cart-9",
        "--customer-ip",
        "203.0.113.5",
        "--card",
        &card,
        "--v2",
        "--success-url",
        "https://shop.example/ok",
        "--idempotency-key",
        "pay-9",
    ];
    let paid = setup.run(&purchase, None).await;
    assert_eq!(paid.code, 0, "{}", paid.all());
    let id = json(&paid.stdout)["id"].as_str().unwrap().to_owned();
    let again = setup.run(&purchase, None).await;
    assert_eq!(json(&again.stdout)["id"], id.as_str());
    assert_eq!(
        charges(&setup, "card_charged", "pay-9"),
        1,
        "the key is the merchant_txn_ref"
    );
    let refund = [
        "--json",
        "--journal",
        &journal,
        "paymentoptions",
        "refund",
        "--transaction-id",
        &id,
        "--amount",
        "25.00",
        "--currency",
        "USD",
        "--idempotency-key",
        "refund-9",
    ];
    for _ in 0..2 {
        let refunded = setup.run(&refund, None).await;
        assert_eq!(refunded.code, 0, "{}", refunded.all());
    }
    assert_eq!(charges(&setup, "card_refunded", "pay-9"), 1);
    let without_v2: Vec<&str> = purchase.iter().copied().filter(|a| *a != "--v2").collect();
    let refused = setup.run(&without_v2, None).await;
    assert_eq!(refused.code, 2, "{}", refused.all());
    assert!(refused.stderr.contains("v2"), "{}", refused.stderr);

    let add = [
        "--json",
        "--journal",
        &journal,
        "interstream",
        "add-payment",
        "--user-id",
        "2",
        "--amount",
        "3.00",
        "--idempotency-key",
        "store-3",
    ];
    for _ in 0..2 {
        let added = setup.run(&add, None).await;
        assert_eq!(added.code, 0, "{}", added.all());
    }
    assert_eq!(charges(&setup, "payment_added", "store-3"), 1);

    let list = setup
        .run(&["--json", "--journal", &journal, "journal", "list"], None)
        .await;
    let intents = json(&list.stdout)["intents"].as_array().unwrap().clone();
    let states: Vec<(&str, &str)> = intents
        .iter()
        .map(|i| (i["key"].as_str().unwrap(), i["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        [
            ("pay-9", "succeeded"),
            ("refund-9", "succeeded"),
            ("store-3", "succeeded")
        ]
    );

    // The database itself: no card number, CVC, or any secret the outputs may not show.
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(&setup.dir).unwrap() {
        let path = entry.unwrap().path();
        if path.display().to_string().contains("journal.sqlite3") {
            bytes.extend(std::fs::read(path).unwrap());
        }
    }
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("pay-9"));
    for value in &setup.forbidden {
        assert!(!text.contains(value.as_str()), "{value} is in the journal");
    }
}

#[test]
fn the_help_names_the_journal_commands() {
    let run = payments(&[], &["--help"], None);
    assert!(
        run.stdout.contains("journal") && run.stdout.contains("reconcile"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("a reused idempotency key"),
        "{}",
        run.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_journal_can_live_in_postgresql_and_its_password_never_shows() {
    let Some(server) = payments_test_support::PostgresServer::start() else {
        return;
    };
    let setup = Setup::new().await;
    // The test cluster trusts loopback, so any password gets in: it must still never print.
    let url = server.url().replace("postgres@", "postgres:pg-s3cret@");
    let mut env = setup.env.clone();
    env.push(("PAYMENTS_JOURNAL_URL".into(), url));
    let create = [
        "--json",
        "zaif",
        "create-invoice",
        "--currency",
        "btc",
        "--amount",
        "2200",
        "--idempotency-key",
        "pg-order-1",
    ];
    let first = setup.run_with(&env, &create, None).await;
    assert_eq!(first.code, 0, "{}", first.all());
    let again = setup.run_with(&env, &create, None).await;
    assert_eq!(json(&first.stdout)["id"], json(&again.stdout)["id"]);
    assert_eq!(charges(&setup, "invoice_created", "pg-order-1"), 1);
    let listed = setup
        .run_with(&env, &["--json", "journal", "list"], None)
        .await;
    assert_eq!(json(&listed.stdout)["intents"][0]["key"], "pg-order-1");
    for run in [&first, &again, &listed] {
        assert!(
            run.stderr.contains("journal: postgres://127.0.0.1:"),
            "{}",
            run.stderr
        );
        assert!(!run.all().contains("pg-s3cret"), "{}", run.all());
    }
    let help = setup.run_with(&env, &["--help"], None).await;
    assert!(
        !help.all().contains("pg-s3cret"),
        "--help shows the variable's value"
    );
}
