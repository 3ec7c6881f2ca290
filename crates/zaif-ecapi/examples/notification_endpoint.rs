//! A complete Zaif notification endpoint: what Zaif posts (or GETs) to `…/zaif/notify` is
//! confirmed with `getInvoice` before `paid` sees it; forgeries and repeats never reach it.
//! `ZAIF_*` from the environment (`payments sandbox` prints a set); `LISTEN` (default
//! 127.0.0.1:3000). Run: `cargo run -p zaif-ecapi --features axum --example notification_endpoint`.
#![allow(clippy::print_stdout)] // an example: it prints what it was handed

use payments_core::callback::HandlerResult;
use zaif_ecapi::{ConfirmedNotification, ZaifClient, notification_receiver};

/// Called once per paid invoice, after Zaif's own record confirmed it.
async fn paid(event: ConfirmedNotification) -> HandlerResult {
    let invoice = &event.invoice;
    // Fulfil the order here, from Zaif's record (not from the post).
    println!(
        "paid: invoice {} for order {} ({})",
        invoice.invoice_id,
        invoice.order_number.as_deref().unwrap_or("-"),
        invoice.amount
    );
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let zaif = ZaifClient::from_env()?;
    let app = notification_receiver(zaif, paid).router("/zaif/notify");
    let address = std::env::var("LISTEN").unwrap_or_else(|_| "127.0.0.1:3000".into());
    let listener = tokio::net::TcpListener::bind(address).await?;
    println!("listening on http://{}/zaif/notify", listener.local_addr()?);
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).await?;
    Ok(())
}
