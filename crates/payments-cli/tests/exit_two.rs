//! Every exit-2 path of the command line, against a server that counts connections: exit 2
//! means the refused call was not sent, and "nothing was sent" is printed only when the server
//! saw nothing at all.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::payments;

/// A server on 127.0.0.1 that counts every connection and answers each with a 500.
fn counting_server() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            counter.fetch_add(1, Ordering::SeqCst);
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer);
            let _ = stream.write_all(
                b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            );
        }
    });
    (url, seen)
}

fn env(url: &str, journal: &std::path::Path) -> Vec<(String, String)> {
    [
        ("ZAIF_API_KEY", "k".to_owned()),
        ("ZAIF_API_SECRET", "s".to_owned()),
        ("ZAIF_ENDPOINT", format!("{url}/ecapi")),
        (
            "ZAIF_NONCE_FILE",
            journal.with_file_name("nonce").display().to_string(),
        ),
        ("PAYMENTOPTIONS_API_KEY", "k".to_owned()),
        ("PAYMENTOPTIONS_MERCHANT_ID", "m".to_owned()),
        ("PAYMENTOPTIONS_ENV", "test".to_owned()),
        ("PAYMENTOPTIONS_BASE_URL", format!("{url}/api/v1")),
        ("INTERSTREAM_API_URL", format!("{url}/api.php")),
        ("INTERSTREAM_KEY_ID", "k".to_owned()),
        ("INTERSTREAM_SHARED_SECRET", "s".to_owned()),
        // No INTERSTREAM_CURRENCY: the store's currency would have to be asked for.
        ("PAYMENTS_JOURNAL", journal.display().to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

const CARD: &str = r#"{"number":"5200000000001005","expiry_month":"12","expiry_year":"2099","cvc":"123","name":"A B"}"#;

fn words(line: &str) -> Vec<String> {
    line.split(' ').map(str::to_owned).collect()
}

#[test]
fn every_exit_two_path_sends_nothing_and_says_so_truly() {
    let (url, seen) = counting_server();
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.sqlite3");
    let env = env(&url, &journal);
    let corrupt = dir.path().join("corrupt.sqlite3");
    std::fs::write(&corrupt, b"not a journal at all ".repeat(100)).unwrap();
    let card = dir.path().join("card.json");
    std::fs::write(&card, CARD).unwrap();
    let card = card.display().to_string();
    let purchase = format!(
        "paymentoptions purchase --amount 1000 --currency JPY --merchant-txn-ref R --customer-ip 203.0.113.7 --card {card}"
    );
    let mut cases: Vec<Vec<String>> = [
        // Zaif
        "zaif create-invoice --currency btc --amount=-5",
        "zaif create-invoice --currency btc --amount 0",
        "zaif create-invoice --currency btc --amount 10.5",
        "zaif create-invoice --currency <script> --amount 100",
        "zaif create-invoice --currency btc --amount 100 --notification-uri javascript:x",
        "zaif create-invoice --currency btc --amount 100 --billing-currency mona",
        "zaif create-invoice --currency btc --amount 100 --idempotency-key bad/key",
        "zaif create-invoice --currency btc --amount 100 --idempotency-key k-1 --speed high",
        "zaif create-invoice --currency btc --amount 0 --idempotency-key k-1",
        "zaif get-invoice ",
        "zaif find-invoices --order-number ",
        "zaif cancel-invoice ",
        "zaif cancel-invoice x --idempotency-key 4111111111111111",
        // PaymentOptions
        "paymentoptions capture --transaction-id t-1 --amount 0",
        "paymentoptions capture --transaction-id t-1 --amount 1 --currency ZZZ",
        "paymentoptions refund --transaction-id t-1 --amount 1.5 --currency JPY",
        "paymentoptions refund --transaction-id t-1 --amount 1 --notes n --idempotency-key k-2",
        "paymentoptions void --transaction-id ",
        "paymentoptions status ",
        "paymentoptions subscription show ",
        "paymentoptions subscription cancel ",
        "paymentoptions subscription pause ",
        "paymentoptions subscription resume ",
        "paymentoptions link --amount 0 --currency JPY --merchant-txn-ref R --success-url https://shop.example/ok",
        "paymentoptions link --amount 1 --currency JPY --merchant-txn-ref R --success-url not-a-url",
        // INTER-STREAM: refused before the store's currency is asked for
        "interstream add-payment --user-id 2 --amount 0",
        "interstream add-payment --user-id 2 --amount -1.00",
        "interstream add-payment --user-id 2 --amount abc",
        "interstream add-payment --user-id x --amount 1",
        "interstream add-payment --user-id 2 --amount 0 --idempotency-key k-3",
        "interstream add-credit --user-id 2 --amount 0",
        "interstream subtract-credit --user-id 0 --amount 1",
        "interstream get-credit --user-id 0",
        "interstream get-cart --user-id abc",
        "interstream place-order --user-id 0",
        "interstream list-content --user-id 0",
        "interstream set-subscription-rp --user-id 2 --subscription-id ",
        // The journal
        "journal show bad/key",
        "journal show no-such-key",
        "sandbox trigger webhook t-1 --url https://example.com",
        "sandbox trigger zaif-pay ../ledger",
        "sandbox trigger challenge t/1",
        "sandbox trigger link ",
        "sandbox trigger subscription-cycle s-1 --url https://example.com",
        "journal dashboard --sandbox https://example.com",
    ]
    .iter()
    .map(|line| words(line))
    .collect();
    let without_ip = purchase.replace(" --customer-ip 203.0.113.7", "");
    cases.push(words(&format!("{without_ip} --customer-ip not-an-ip")));
    cases.push(words(&format!("{purchase} --idempotency-key k-4")));
    cases.push(words(&format!(
        "{purchase} --v2 --idempotency-key bad/key --success-url https://shop.example/ok"
    )));
    cases.push(words(&format!(
        "{} --v2 --idempotency-key k-5 --success-url https://shop.example/ok",
        purchase.replace("--amount 1000", "--amount 0")
    )));
    cases.push(words(&purchase.replace("--amount 1000", "--amount 0")));
    cases.push(words(&purchase.replace(&card, "/nonexistent/card.json")));
    cases.push(words(&format!("--journal {} reconcile", corrupt.display())));
    cases.push(words("--journal /dev/null/journal.sqlite3 journal list"));

    for args in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let before = seen.load(Ordering::SeqCst);
        let run = payments(&env, &args, Some("{}"));
        assert_eq!(run.code, 2, "{args:?}: {}", run.all());
        assert_eq!(
            seen.load(Ordering::SeqCst),
            before,
            "{args:?} sent a request: {}",
            run.all()
        );
        // Usage errors come from the argument parser; every other refusal says what is true.
        if !run.stderr.contains("Usage:") {
            assert!(
                run.stderr.contains("nothing was sent"),
                "{args:?}: {}",
                run.stderr
            );
        }
    }
    // Configuration: a provider's variable missing.
    let mut missing = env.clone();
    missing.retain(|(name, _)| name != "ZAIF_API_SECRET");
    let run = payments(&missing, &["zaif", "currencies"], None);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("ZAIF_API_SECRET") && run.stderr.contains("nothing was sent"));
    assert_eq!(
        seen.load(Ordering::SeqCst),
        0,
        "the server saw nothing in all"
    );
}

#[test]
fn a_refusal_after_a_lookup_does_not_say_nothing_was_sent() {
    let (url, seen) = counting_server();
    let dir = tempfile::tempdir().unwrap();
    let env = env(&url, &dir.path().join("journal.sqlite3"));
    // 1.234 could be valid in some currency: the store's currency is asked for first. The
    // counting server answers 500 (the read is retried): the payment itself was not sent, and
    // the message says that, not "nothing was sent" nor "the outcome is unknown".
    let run = payments(
        &env,
        &[
            "interstream",
            "add-payment",
            "--user-id",
            "2",
            "--amount",
            "1.234",
        ],
        None,
    );
    assert!(seen.load(Ordering::SeqCst) >= 1);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stderr.contains("the command's own call was not sent"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("nothing was sent"), "{}", run.stderr);
    assert!(!run.stderr.contains("outcome is unknown"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_zaif_key_says_zaif_refused_and_nothing_was_created() {
    // The sandbox answers `nonce out of range` once a nonce passes its ceiling: every nonce is
    // a microsecond timestamp, far above 1.
    let mut config = payments_sandbox::SandboxConfig::default();
    config.zaif.max_nonce = Some(payments::Decimal::ONE);
    let setup = common::Setup::with_config(config).await;
    let run = setup
        .run(
            &[
                "zaif",
                "create-invoice",
                "--currency",
                "btc",
                "--amount",
                "1000",
            ],
            None,
        )
        .await;
    assert_eq!(run.code, 1, "the provider's refusal: {}", run.all());
    assert!(run.stderr.contains("nonce out of range"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("Zaif refused the call; nothing was created"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("issue a new API key"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("nothing was sent"),
        "a request was sent: {}",
        run.stderr
    );
    assert!(setup.sandbox.ledger().is_empty(), "no invoice was made");
}
