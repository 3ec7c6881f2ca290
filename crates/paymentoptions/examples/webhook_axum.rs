//! A merchant's PaymentOptions webhook handler with axum: parse, confirm by status, answer.
//!
//! The gateway posts the outcome of a transaction (for example a 3-D Secure purchase the
//! customer just approved) to the request's `return_url.webhook_url`. The documents describe no
//! signature, so the body is only a hint: the handler asks the gateway for the transaction's
//! status and acts on that answer alone.
//!
//! Run it against the local sandbox (everything on 127.0.0.1):
//!
//! ```sh
//! cargo run -p paymentoptions --example webhook_axum
//! ```
//!
//! It starts the sandbox in-process, listens for webhooks, makes a 3-D Secure purchase, lets the
//! "customer" approve it, and prints what the handler confirmed.

// An example: failures end it with a message.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use paymentoptions::{
    Card, PaymentOptionsClient, PaymentSource, PurchaseOutcome, PurchaseRequest, ReturnUrl,
};
use payments_core::{Currency, Money, PaymentStatus};
use tokio::sync::mpsc;

/// What the handler shares: the gateway client, and where to report confirmed payments.
struct Handler {
    gateway: PaymentOptionsClient,
    confirmed: mpsc::UnboundedSender<String>,
}

/// `POST /webhooks/paymentoptions`: confirm, then answer 200 so the gateway stops retrying.
/// A body that cannot be confirmed is answered 202: accepted, nothing fulfilled.
async fn webhook(State(handler): State<Arc<Handler>>, body: Bytes) -> StatusCode {
    match handler.gateway.confirm_webhook(&body).await {
        Ok(transaction) if transaction.status() == PaymentStatus::Captured => {
            // Fulfil the order named by transaction.transaction_details.merchant_txn_ref here.
            let id = transaction.transaction_id().unwrap_or_default().to_owned();
            let _ = handler.confirmed.send(format!(
                "captured {} ({}): fulfil the order",
                id,
                transaction
                    .amount()
                    .map(|a| a.to_string())
                    .unwrap_or_default()
            ));
            StatusCode::OK
        }
        Ok(transaction) => {
            let _ = handler
                .confirmed
                .send(format!("not captured: {:?}", transaction.status()));
            StatusCode::OK
        }
        Err(error) => {
            // Never log the body: it echoes the full card number.
            eprintln!("webhook not confirmed: {error}");
            StatusCode::ACCEPTED
        }
    }
}

#[tokio::main]
async fn main() {
    let sandbox = payments_sandbox_or_exit().await;
    let env: Vec<(&str, String)> = sandbox.env();
    let gateway = PaymentOptionsClient::from_env_with(&env).unwrap();

    let (confirmed, mut reports) = mpsc::unbounded_channel();
    let app = axum::Router::new()
        .route("/webhooks/paymentoptions", post(webhook))
        .with_state(Arc::new(Handler {
            gateway: gateway.clone(),
            confirmed,
        }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_url = format!(
        "http://{}/webhooks/paymentoptions",
        listener.local_addr().unwrap()
    );
    tokio::spawn(async move { axum::serve(listener, app).await });

    let card = Card::new("4000002500003155", "12", "2099", "737", "Jane Doe").unwrap();
    let request = PurchaseRequest::builder(
        Money::parse("3000", Currency::JPY).unwrap(),
        PaymentSource::Card(Box::new(card)),
        "WEBHOOK-DEMO-1",
        "203.0.113.7".parse().unwrap(),
    )
    .return_url(
        ReturnUrl::default()
            .with_success("https://shop.example/thanks".parse().unwrap())
            .with_webhook(hook_url.parse().unwrap()),
    )
    .build()
    .unwrap();
    let PurchaseOutcome::ChallengeRequired(challenge) =
        gateway.purchase_v2(&request).await.unwrap()
    else {
        panic!("the 3-D Secure test card asks for a challenge")
    };
    println!("customer sent to {}", challenge.redirect_url);
    let id = challenge
        .redirect_url
        .path_segments()
        .unwrap()
        .next_back()
        .unwrap()
        .to_owned();
    sandbox.answer_paymentoptions_challenge(&id, true).unwrap();
    println!(
        "customer approved; webhook handler: {}",
        reports.recv().await.unwrap()
    );
    sandbox.stop().await;
}

async fn payments_sandbox_or_exit() -> payments_sandbox::Sandbox {
    payments_sandbox::Sandbox::start(payments_sandbox::SandboxConfig::default())
        .await
        .unwrap()
}
