//! A complete PaymentOptions webhook endpoint: what the gateway posts to `…/webhooks/po` is
//! confirmed with `transaction/status` before `settled` sees it; forgeries and repeats never
//! reach it. `PAYMENTOPTIONS_*` from the environment (`payments sandbox` prints a set); `LISTEN`
//! (default 127.0.0.1:3000). Run: `cargo run -p paymentoptions --features axum --example webhook_endpoint`.
#![allow(clippy::print_stdout)] // an example: it prints what it was handed

use paymentoptions::{ConfirmedWebhook, PaymentOptionsClient, webhook_receiver};
use payments_core::callback::HandlerResult;

/// Called once per transaction outcome, after the gateway's own record confirmed it.
async fn settled(event: ConfirmedWebhook) -> HandlerResult {
    // Fulfil (or release) the order named by merchant_txn_ref here, from the confirmed status.
    println!(
        "{:?}: transaction {} for order {}",
        event.status,
        event.transaction_id(),
        event.merchant_txn_ref().unwrap_or("-")
    );
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let gateway = PaymentOptionsClient::from_env()?;
    let app = webhook_receiver(gateway, settled).router("/webhooks/po");
    let address = std::env::var("LISTEN").unwrap_or_else(|_| "127.0.0.1:3000".into());
    let listener = tokio::net::TcpListener::bind(address).await?;
    println!("listening on http://{}/webhooks/po", listener.local_addr()?);
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).await?;
    Ok(())
}
