//! `payments demo`: the whole story, through the real clients, against a sandbox started
//! in-process on a free loopback port.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use payments::interstream::{
    CreditAction, InterstreamClient, InterstreamError, PlaceOrder, UserId,
};
use payments::paymentoptions::{
    Card, CycleType, HostedLinkRequest, PaymentOptionsClient, PaymentOptionsError, PaymentSource,
    Plan, PurchaseOutcome, PurchaseRequest, ReturnUrl, SubscriptionRequest,
};
use payments::zaif::{CreateInvoice, CryptoCurrency, InvoiceStatus, Speed, ZaifClient};
use payments::{
    Currency, Customer, Money, PaymentMethod, PaymentRequest, PaymentStatus, Providers, ReturnUrls,
    Url,
};
use payments_sandbox::{CHALLENGE_CARD, DECLINE_CARD, Sandbox, SandboxConfig};

use crate::output::{EXIT_OK, EXIT_PROVIDER, EXIT_TRANSPORT};

/// Counts the steps and prints each one.
pub(crate) struct Story {
    passed: usize,
    failed: Vec<String>,
}

impl Story {
    pub(crate) fn step(&mut self, what: &str, outcome: Result<String, String>) {
        match outcome {
            Ok(detail) => {
                self.passed += 1;
                println!("  ✔ {what}\n      {detail}");
            }
            Err(problem) => {
                println!("  ✘ {what}\n      {problem}");
                self.failed.push(what.to_owned());
            }
        }
    }
}

fn yen(amount: &str) -> Money {
    Money::parse(amount, Currency::JPY).unwrap_or_else(|_| Money::zero(Currency::JPY))
}

fn eur(amount: &str) -> Money {
    Money::parse(amount, Currency::EUR).unwrap_or_else(|_| Money::zero(Currency::EUR))
}

pub(crate) async fn run() -> ExitCode {
    let sandbox = match Sandbox::start(SandboxConfig::default()).await {
        Ok(sandbox) => sandbox,
        Err(error) => {
            eprintln!("error: cannot start the sandbox: {error}");
            return ExitCode::from(EXIT_TRANSPORT);
        }
    };
    println!(
        "payments demo: a sandbox of all three providers is running at {}",
        sandbox.url()
    );
    println!(
        "(no account, no network: every request below goes to 127.0.0.1 through the real clients)\n"
    );
    let env = sandbox.env();
    let mut story = Story {
        passed: 0,
        failed: Vec::new(),
    };

    match Providers::from_env_with(&env) {
        Ok(providers) => story.step(
            "Providers::from_env builds every configured provider as Arc<dyn PaymentProvider>",
            Ok(providers.names().collect::<Vec<_>>().join(", ")),
        ),
        Err(error) => story.step("Providers::from_env", Err(error.to_string())),
    }

    println!("\nZaif Payment: crypto invoices priced in JPY");
    zaif_story(&sandbox, &env, &mut story).await;
    println!("\nPaymentOptions: cards");
    paymentoptions_story(&env, &mut story).await;
    paymentoptions_recurring_story(&sandbox, &env, &mut story).await;
    println!("\nINTER-STREAM: store payments and credit");
    interstream_story(&env, &mut story).await;
    println!("\nCrash-safe payments: an idempotency key and the intent journal");
    crate::demo_journal::story(&sandbox, &mut story).await;
    println!("\nCallbacks on a laptop: `payments listen` confirms and forwards them");
    crate::demo_listen::story(&sandbox, &mut story).await;

    sandbox.stop().await;
    println!();
    if story.failed.is_empty() {
        println!("Summary: all {} steps behaved as expected.", story.passed);
        ExitCode::from(EXIT_OK)
    } else {
        println!(
            "Summary: {} steps as expected, {} not: {}",
            story.passed,
            story.failed.len(),
            story.failed.join("; ")
        );
        ExitCode::from(EXIT_PROVIDER)
    }
}

async fn zaif_story(sandbox: &Sandbox, env: &[(&'static str, String)], story: &mut Story) {
    let zaif = match ZaifClient::builder_from_env(&env.to_vec()).and_then(|b| {
        b.payment_page_base(sandbox.zaif_payment_page_base())
            .build()
    }) {
        Ok(zaif) => zaif,
        Err(error) => return story.step("configure Zaif", Err(error.to_string())),
    };
    let request = CreateInvoice::builder(CryptoCurrency::Btc, 10800)
        .order_number("DEMO-1001")
        .item_name("コーヒー豆 1kg")
        .speed(Speed::Medium)
        .build();
    let created = match request {
        Ok(request) => zaif
            .create_invoice(&request)
            .await
            .map_err(|e| e.to_string()),
        Err(error) => Err(error.to_string()),
    };
    let invoice = match created {
        Ok(invoice) => {
            story.step(
                "create an invoice for 10800 JPY in BTC (order DEMO-1001)",
                Ok(format!(
                    "invoice {}: pay {} BTC at rate {} to {}",
                    invoice.invoice_id,
                    invoice.btc.map(|b| b.to_string()).unwrap_or_default(),
                    invoice.rate.map(|r| r.to_string()).unwrap_or_default(),
                    invoice.invoice_uri
                )),
            );
            invoice
        }
        Err(error) => return story.step("create an invoice", Err(error)),
    };
    story.step(
        "the customer pays the invoice (sandbox control)",
        sandbox
            .pay_zaif_invoice(&invoice.invoice_id)
            .map(|()| "payment seen on the network".into()),
    );
    let spinner = ProgressBar::new_spinner();
    spinner.set_style(
        ProgressStyle::with_template("      {spinner} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    spinner.enable_steady_tick(Duration::from_millis(80));
    let started = Instant::now();
    let settled = loop {
        match zaif.get_invoice(&invoice.invoice_id).await {
            Ok(current) if current.is_settled() => break Ok(current),
            Ok(current) => {
                spinner.set_message(format!("waiting for a confirmation: {}", current.status))
            }
            Err(error) => break Err(error.to_string()),
        }
        if started.elapsed() > Duration::from_secs(10) {
            break Err("not settled within 10 s".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    spinner.finish_and_clear();
    story.step(
        "poll getInvoice until the invoice is settled for its speed (medium: one confirmation)",
        settled.map(|i| {
            format!(
                "status {} after {} ms",
                i.status,
                started.elapsed().as_millis()
            )
        }),
    );
    let second = match CreateInvoice::builder(CryptoCurrency::Mona, 10800)
        .order_number("DEMO-1001")
        .build()
    {
        Ok(request) => zaif
            .create_invoice(&request)
            .await
            .map_err(|e| e.to_string()),
        Err(error) => Err(error.to_string()),
    };
    match second {
        Ok(second) => {
            let canceled = async {
                zaif.cancel_invoice(&second.invoice_id)
                    .await
                    .map_err(|e| e.to_string())?;
                let status = zaif
                    .get_invoice(&second.invoice_id)
                    .await
                    .map_err(|e| e.to_string())?
                    .status;
                if status == InvoiceStatus::Canceled {
                    Ok(format!("invoice {} is canceled", second.invoice_id))
                } else {
                    Err(format!("status is {status}"))
                }
            };
            story.step(
                "a second invoice for the same order (in MONA) is canceled",
                canceled.await,
            );
        }
        Err(error) => story.step("a second invoice", Err(error)),
    }
    story.step(
        "find the order's invoices by order number",
        match zaif.find_invoice_ids("DEMO-1001").await {
            Ok(found) if found.count == 2 => Ok(format!(
                "{} invoices: {}",
                found.count,
                found.ids.join(", ")
            )),
            Ok(found) => Err(format!("expected 2 invoices, found {}", found.count)),
            Err(error) => Err(error.to_string()),
        },
    );
}

fn card_purchase(number: &str, reference: &str, store: bool) -> Result<PurchaseRequest, String> {
    let card =
        Card::new(number, "12", "2099", "123", "Hanako Yamada").map_err(|e| e.to_string())?;
    let source = if store {
        PaymentSource::CardAndStore(Box::new(card))
    } else {
        PaymentSource::Card(Box::new(card))
    };
    let back = Url::parse("https://shop.example/back").map_err(|e| e.to_string())?;
    PurchaseRequest::builder(yen("1000"), source, reference, [203, 0, 113, 7].into())
        .return_url(ReturnUrl::default().with_success(back))
        .build()
        .map_err(|e| e.to_string())
}

async fn paymentoptions_story(env: &[(&'static str, String)], story: &mut Story) {
    let gateway = match PaymentOptionsClient::from_env_with(&env.to_vec()) {
        Ok(gateway) => gateway,
        Err(error) => return story.step("configure PaymentOptions", Err(error.to_string())),
    };
    let approved = async {
        let response = gateway
            .purchase(&card_purchase("5200000000001005", "DEMO-PO-1", false)?)
            .await
            .map_err(|e| e.to_string())?;
        let card = response
            .payment_details()
            .and_then(|p| p.card())
            .map(|c| c.number.to_string())
            .unwrap_or_default();
        Ok(format!(
            "{} ({}), card shown as {card}",
            response.gateway_response.message, response.gateway_response.code
        ))
    };
    story.step("charge 1000 JPY to the approved test card", approved.await);
    let declined = async {
        match gateway
            .purchase(&card_purchase(DECLINE_CARD, "DEMO-PO-2", false)?)
            .await
        {
            Err(PaymentOptionsError::Declined { code, message, .. }) => {
                Ok(format!("declined as expected: {code} {message}"))
            }
            Err(other) => Err(other.to_string()),
            Ok(_) => Err("the decline card was approved".into()),
        }
    };
    story.step(
        "the decline test card is declined, with the gateway's code",
        declined.await,
    );
    let challenge = async {
        match gateway
            .purchase_v2(&card_purchase(CHALLENGE_CARD, "DEMO-PO-3", false)?)
            .await
        {
            Ok(PurchaseOutcome::ChallengeRequired(challenge)) => {
                Ok(format!("send the customer to {}", challenge.redirect_url))
            }
            Ok(_) => Err("no challenge".into()),
            Err(error) => Err(error.to_string()),
        }
    };
    story.step(
        "purchase v2 with the 3-D Secure test card asks for a challenge",
        challenge.await,
    );
    let token = async {
        let stored = gateway
            .purchase(&card_purchase("4000000000001091", "DEMO-PO-4", true)?)
            .await
            .map_err(|e| e.to_string())?;
        let token = stored
            .transaction_details
            .and_then(|t| t.stored_payment_method_id)
            .ok_or("no token came back")?;
        let again = PurchaseRequest::builder(
            yen("500"),
            PaymentSource::StoredCard(token),
            "DEMO-PO-5",
            [203, 0, 113, 7].into(),
        )
        .build()
        .map_err(|e| e.to_string())?;
        let paid = gateway.purchase(&again).await.map_err(|e| e.to_string())?;
        Ok(format!(
            "stored the card, then paid 500 JPY with its token (no card data sent): {}",
            paid.gateway_response.code
        ))
    };
    story.step("tokenize a card, then pay with the token", token.await);
    let through_trait = async {
        let provider: Arc<dyn payments::PaymentProvider> = Arc::new(gateway.clone());
        let card = Card::new("5200000000001005", "12", "2099", "123", "Hanako Yamada")
            .map_err(|e| e.to_string())?;
        let request =
            PaymentRequest::new(yen("2000"), "DEMO-PO-6")
                .map_err(|e| e.to_string())?
                .with_method(PaymentMethod::Card(Box::new(card)))
                .with_customer(Customer::default().with_ip([203, 0, 113, 7].into()))
                .with_urls(ReturnUrls::default().with_success(
                    Url::parse("https://shop.example/back").map_err(|e| e.to_string())?,
                ))
                .authorize_only();
        let fail = |e: payments::Error| e.to_string();
        let authorized = provider.create_payment(&request).await.map_err(fail)?;
        if authorized.status != PaymentStatus::Authorized {
            return Err(format!("authorization is {:?}", authorized.status));
        }
        let captured = provider
            .capture_payment(&authorized.id, None)
            .await
            .map_err(fail)?;
        let refunded = provider
            .refund_payment(&captured.id, Some(yen("500")))
            .await
            .map_err(fail)?;
        let status = provider.get_payment(&captured.id).await.map_err(fail)?;
        match (&captured.status, &refunded.status, &status.status) {
            // The status reports where the capture stands now: refunded (in part).
            (PaymentStatus::Captured, PaymentStatus::Refunded, PaymentStatus::Refunded) => {
                Ok(format!(
                    "authorized 2000 JPY → captured all of it (new id {}) → refunded 500 → status: {:?}",
                    captured.id, status.status
                ))
            }
            other => Err(format!("{other:?}")),
        }
    };
    story.step(
        "authorize → capture → partial refund → status, through Arc<dyn PaymentProvider>",
        through_trait.await,
    );
}

async fn paymentoptions_recurring_story(
    sandbox: &Sandbox,
    env: &[(&'static str, String)],
    story: &mut Story,
) {
    println!("\nPaymentOptions: subscriptions and the hosted payment page");
    let gateway = match PaymentOptionsClient::from_env_with(&env.to_vec()) {
        Ok(gateway) => gateway,
        Err(error) => return story.step("configure PaymentOptions", Err(error.to_string())),
    };
    let subscription = async {
        let fail = |e: PaymentOptionsError| e.to_string();
        let plan = Plan::builder("Premium", CycleType::Monthly, 1, 12)
            .discount(10, 1)
            .build()
            .map_err(|e| e.to_string())?;
        let created = gateway
            .create_subscription(&SubscriptionRequest::new(
                card_purchase("4000000000001091", "DEMO-SUB-1", false)?,
                plan,
            ))
            .await
            .map_err(fail)?;
        let id = created
            .subscription()
            .map(|s| s.id.clone())
            .ok_or("no subscription id came back")?;
        for _ in 0..2 {
            sandbox.advance_paymentoptions_subscription(&id).await?;
        }
        let charged: Vec<String> = gateway
            .subscription(&id)
            .await
            .map_err(fail)?
            .charged_cycles()
            .filter_map(|c| c.amount.map(|a| a.to_string()))
            .collect();
        gateway.pause_subscription(&id).await.map_err(fail)?;
        gateway.resume_subscription(&id).await.map_err(fail)?;
        let cancelled = gateway.cancel_subscription(&id).await.map_err(fail)?;
        let refused = matches!(
            gateway.resume_subscription(&id).await,
            Err(PaymentOptionsError::NotResumable { .. })
        );
        if !refused {
            return Err("a cancelled subscription was resumed".to_owned());
        }
        Ok(format!(
            "cycles charged {} JPY (10% off the first) → paused → resumed → {} (resuming it is refused)",
            charged.join(" + "),
            cancelled.subscription.status.as_str()
        ))
    };
    story.step(
        "a monthly subscription: create, two more cycles, pause, resume, cancel",
        subscription.await,
    );
    let hosted = async {
        let fail = |e: PaymentOptionsError| e.to_string();
        let urls = ReturnUrl::default()
            .with_success(Url::parse("https://shop.example/thanks").map_err(|e| e.to_string())?);
        let link = gateway
            .hosted_link(
                &HostedLinkRequest::new(yen("3000"), "DEMO-HPP-1", urls)
                    .map_err(|e| e.to_string())?,
            )
            .await
            .map_err(fail)?;
        let id = link.id.clone();
        sandbox.answer_paymentoptions_link(&id, true)?;
        Ok(format!(
            "link {} → the customer paid on the gateway's page (no card data touched the shop)",
            link.url
        ))
    };
    story.step(
        "a hosted payment page link, paid by the customer",
        hosted.await,
    );
}

async fn interstream_story(env: &[(&'static str, String)], story: &mut Story) {
    let store = match InterstreamClient::from_env_with(&env.to_vec()) {
        Ok(store) => store,
        Err(error) => return story.step("configure INTER-STREAM", Err(error.to_string())),
    };
    let Ok(user) = UserId::new(2) else { return };
    story.step(
        "add a 12.50 EUR payment to user 2's current order (signed request)",
        store
            .add_payment(user, eur("12.50"), Some("DEMO-IS-1"))
            .await
            .map_err(|e| e.to_string()),
    );
    story.step(
        "a payment larger than the amount due is refused",
        match store
            .add_payment(user, eur("1000"), Some("DEMO-IS-2"))
            .await
        {
            Err(InterstreamError::AmountTooBig { message }) => {
                Ok(format!("ERROR_AMOUNT_TOO_BIG: {message}"))
            }
            Err(other) => Err(other.to_string()),
            Ok(_) => Err("accepted".into()),
        },
    );
    let credit = async {
        let before = store.get_credit(user).await.map_err(|e| e.to_string())?;
        store
            .add_subtract_credit(user, CreditAction::Add, eur("5"), Some("DEMO-IS-3"))
            .await
            .map_err(|e| e.to_string())?;
        store
            .add_subtract_credit(user, CreditAction::Subtract, eur("2.25"), Some("DEMO-IS-4"))
            .await
            .map_err(|e| e.to_string())?;
        let after = store.get_credit(user).await.map_err(|e| e.to_string())?;
        Ok(format!(
            "credit {} → +5.00 → -2.25 → {}",
            before.formatted, after.formatted
        ))
    };
    story.step("add and subtract credit", credit.await);
    let order = async {
        let fail = |e: InterstreamError| e.to_string();
        let buyer = UserId::new(3).map_err(fail)?;
        let config = store.get_config().await.map_err(fail)?;
        let cart = store.get_cart(buyer).await.map_err(fail)?;
        let placed = store
            .place_order(buyer, &PlaceOrder::default().notify_buyer(false))
            .await
            .map_err(fail)?;
        store
            .add_payment(buyer, eur("12.50"), Some("DEMO-IS-5"))
            .await
            .map_err(fail)?;
        let half = store.get_cart(buyer).await.map_err(fail)?;
        store
            .add_payment(buyer, eur("7.50"), Some("DEMO-IS-6"))
            .await
            .map_err(fail)?;
        let done = store.get_cart(buyer).await.map_err(fail)?;
        let content = store.list_current_content(buyer).await.map_err(fail)?;
        if done.is_order() || content.is_empty() {
            return Err("the paid order was not processed".to_owned());
        }
        Ok(format!(
            "store in {} ({} payment methods, credentials withheld); cart {} → order {} → paid 12.50 ({} due) → paid 7.50 → processed, {} item(s) to watch",
            config.currency.code,
            config.payment_methods.len(),
            cart.num_products.unwrap_or_default(),
            placed.id,
            half.amount_due.map(|a| a.to_string()).unwrap_or_default(),
            content.len()
        ))
    };
    story.step(
        "user 3: cart → place order → two partial payments → processed",
        order.await,
    );
}
