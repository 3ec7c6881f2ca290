//! A tour of `payments-core`, offline: `cargo run -p payments-core --example tour`.
//!
//! It shows exact money, redaction, card validation, the error taxonomy, and the retry policy
//! against real sockets on 127.0.0.1, and exits non-zero if anything behaves unexpectedly.

#![allow(clippy::print_stdout)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use payments_core::card::Card;
use payments_core::http::{HttpClient, HttpConfig};
use payments_core::retry::{Idempotency, RetryPolicy};
use payments_core::{
    Capabilities, Currency, Error, Money, Payment, PaymentMethodKind, PaymentProvider,
    PaymentRequest, PaymentStatus, Secret,
};
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

fn check(ok: bool, what: &str) -> Result<(), String> {
    println!("  [{}] {what}", if ok { "ok" } else { "FAILED" });
    if ok { Ok(()) } else { Err(what.to_owned()) }
}

#[derive(Debug)]
struct DemoProvider;

#[async_trait::async_trait]
impl PaymentProvider for DemoProvider {
    fn name(&self) -> &'static str {
        "demo"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::create_only(&[PaymentMethodKind::ProviderDefault])
    }

    async fn create_payment(&self, request: &PaymentRequest) -> payments_core::Result<Payment> {
        Ok(
            Payment::new(self.name(), "demo-1", PaymentStatus::Captured, ())
                .with_amount(request.amount)
                .with_reference(request.reference.clone()),
        )
    }
}

/// Accepts connections, reads the request, and hangs up without answering.
async fn swallowing_server() -> std::io::Result<(String, Arc<AtomicU32>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let seen = Arc::new(AtomicU32::new(0));
    let counter = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            counter.fetch_add(1, Ordering::SeqCst);
        }
    });
    Ok((format!("http://{address}/purchase"), seen))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), String> {
    println!("1. Money is exact");
    let usd = Money::parse("12.5", Currency::USD).map_err(|e| e.to_string())?;
    println!(
        "  12.5 USD is stored as {usd} ({} cents)",
        usd.to_minor_units().map_err(|e| e.to_string())?
    );
    let refused = Money::parse("10.5", Currency::JPY).map_err(|e| e.for_field("amount"));
    if let Err(err) = &refused {
        println!("  10.5 JPY -> {err}");
    }
    check(refused.is_err(), "a yen amount with a fraction is refused")?;

    println!("2. Secrets and cards never show themselves");
    let secret = Secret::new("sk_live_0123456789");
    println!("  Debug of an API secret: {secret:?}");
    let card = Card::new("5200 0000 0000 1005", "12", "2099", "100", "John Doe")
        .map_err(|e| e.to_string())?;
    println!("  Debug of a card: {card:?}");
    check(
        !format!("{secret:?}{card:?}").contains("0123456789")
            && !format!("{card:?}").contains("5200000000001005"),
        "no secret or full card number in Debug output",
    )?;

    println!("3. One provider behind the common trait");
    let provider: Arc<dyn PaymentProvider> = Arc::new(DemoProvider);
    let request = PaymentRequest::new(
        Money::parse("10800", Currency::JPY).map_err(|e| e.to_string())?,
        "order-42",
    )
    .map_err(|e| e.to_string())?;
    let payment = provider
        .create_payment(&request)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "  {} payment {} is {:?}",
        payment.provider, payment.id, payment.status
    );
    let unsupported = provider.cancel_payment(&payment.id).await;
    if let Err(err) = &unsupported {
        println!("  cancel -> {err}");
    }
    check(
        unsupported.is_err(),
        "an operation the provider lacks is a typed error",
    )?;

    println!("4. Failures say whether the payment may have happened");
    let http =
        HttpClient::new(&HttpConfig::new("tour", "0").request_timeout(Duration::from_secs(2)))
            .map_err(|e| e.to_string())?;
    let policy =
        RetryPolicy::default().backoff(Duration::from_millis(10), Duration::from_millis(50));

    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let attempts = AtomicU32::new(0);
    let refused: Result<_, Error> = policy
        .run(Idempotency::NonIdempotent, |_| {
            attempts.fetch_add(1, Ordering::SeqCst);
            http.send(
                "demo",
                http.reqwest()
                    .post(format!("http://127.0.0.1:{closed_port}/purchase")),
            )
        })
        .await;
    if let Err(err) = &refused {
        println!(
            "  connection refused: {err}\n    outcome unknown: {}, attempts: {}",
            err.outcome_unknown(),
            attempts.load(Ordering::SeqCst)
        );
        check(
            !err.outcome_unknown() && attempts.load(Ordering::SeqCst) == policy.attempts(),
            "a purchase that never left is retried, and known not to have happened",
        )?;
    }

    let (url, seen) = swallowing_server().await.map_err(|e| e.to_string())?;
    let swallowed = policy
        .run(Idempotency::NonIdempotent, |_| {
            http.send(
                "demo",
                http.reqwest().post(url.as_str()).body("amount=1000"),
            )
        })
        .await;
    match &swallowed {
        Err(err) => {
            println!(
                "  answer lost after sending: {err}\n    outcome unknown: {}, requests the server saw: {}",
                err.outcome_unknown(),
                seen.load(Ordering::SeqCst)
            );
            check(
                err.outcome_unknown() && seen.load(Ordering::SeqCst) == 1,
                "a purchase that may have arrived is sent once and reported as unknown",
            )?;
        }
        Ok(_) => return Err("the swallowing server answered".into()),
    }

    println!("\nAll checks passed.");
    Ok(())
}
