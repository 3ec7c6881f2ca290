//! 1,000 `create_invoice` calls in flight at once from one process, for `cargo xtask peak-rss`.
//!
//! Needs a sandbox started with `payments-sandbox --zaif-keys 1000` and its `ZAIF_*` variables.
//! With `--one-key`, one client (cloned) makes every call: 999 of them wait behind the key's
//! send order while one is on the wire. Otherwise each call has its own key (the clients share
//! one `reqwest::Client`, as an application should), and a 200 ms sandbox latency keeps all
//! 1,000 on the wire together. Prints this process's peak resident set size (Linux `/proc`).

// An example prints; it panics on failure by design.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use payments_core::config::ProcessEnv;
use zaif_ecapi::{CreateInvoice, CryptoCurrency, ZaifClient};

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let one_key = std::env::args().any(|a| a == "--one-key");
    let endpoint = std::env::var("ZAIF_ENDPOINT").unwrap();
    let control = endpoint.replace("/ecapi", "/_sandbox/faults");
    let latency = if one_key {
        "[]"
    } else {
        r#"[{"provider":"zaif","kind":"latency","latency_ms":200}]"#
    };
    payments_test_support::raw_reqwest()
        .build()
        .unwrap()
        .put(control)
        .header("content-type", "application/json")
        .body(latency)
        .send()
        .await
        .unwrap();
    let before = peak_rss_kib();
    let shared = payments_test_support::raw_reqwest().build().unwrap();
    let clients: Vec<ZaifClient> = if one_key {
        vec![
            ZaifClient::builder_from_env(&ProcessEnv)
                .unwrap()
                .build()
                .unwrap();
            1000
        ]
    } else {
        (1..=1000)
            .map(|i| {
                ZaifClient::builder_from_env(&ProcessEnv)
                    .unwrap()
                    .api_key(format!("sandbox-zaif-key-{i}"))
                    .http_client(shared.clone())
                    .build()
                    .unwrap()
            })
            .collect()
    };
    let started = std::time::Instant::now();
    let calls = clients.iter().map(|client| async move {
        let request = CreateInvoice::builder(CryptoCurrency::Btc, 1000)
            .build()
            .unwrap();
        client.create_invoice(&request).await
    });
    let results = futures_util::future::join_all(calls).await;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    println!(
        "calls: 1000 ({}), succeeded: {ok}, elapsed: {} ms, peak RSS before: {} KiB, after: {} KiB",
        if one_key { "one key" } else { "1000 keys" },
        started.elapsed().as_millis(),
        before.unwrap_or(0),
        peak_rss_kib().unwrap_or(0)
    );
}
