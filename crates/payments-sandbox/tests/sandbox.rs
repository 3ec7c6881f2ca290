//! The sandbox, driven by the real clients on 127.0.0.1.

// Test helpers panic on failure by design.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use payments::interstream::{
    CreditAction, InterstreamClient, InterstreamError, PlaceOrder, UserId,
};
use payments::paymentoptions::{
    BrowserInfo, CaptureRequest, Card, CycleType, HostedLinkRequest, LinkAmount,
    PaymentOptionsClient, PaymentOptionsError, PaymentSource, Plan, PurchaseOutcome,
    PurchaseRequest, RefundRequest, ReturnUrl, SubscriptionRequest, SubscriptionStatus,
    TransactionType, WalletLinkRequest,
};
use payments::zaif::{
    CreateInvoice, CryptoCurrency, InProcessNonce, InvoiceStatus, Speed, ZaifClient, ZaifError,
};
use payments::{
    Classify, Currency, Customer, ErrorKind, Money, PaymentMethod, PaymentProvider, PaymentRequest,
    PaymentStatus, ReturnUrls, Secret,
};
use payments_sandbox::{
    CHALLENGE_CARD, DECLINE_CARD, FaultKind, FaultRule, Provider, Sandbox, SandboxConfig, StoreUser,
};

async fn sandbox() -> Sandbox {
    let mut config = SandboxConfig::default();
    config.zaif.confirmation_interval = Duration::from_millis(40);
    Sandbox::start(config).await.unwrap()
}

fn env_of(sandbox: &Sandbox) -> HashMap<String, String> {
    sandbox
        .env()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
}

fn zaif(sandbox: &Sandbox) -> ZaifClient {
    ZaifClient::builder_from_env(&env_of(sandbox))
        .unwrap()
        .payment_page_base(sandbox.zaif_payment_page_base())
        .build()
        .unwrap()
}

fn cards(sandbox: &Sandbox) -> PaymentOptionsClient {
    PaymentOptionsClient::from_env_with(&env_of(sandbox)).unwrap()
}

fn store(sandbox: &Sandbox) -> InterstreamClient {
    InterstreamClient::from_env_with(&env_of(sandbox)).unwrap()
}

fn invoice(order: &str, speed: Speed) -> CreateInvoice {
    CreateInvoice::builder(CryptoCurrency::Btc, 10800)
        .order_number(order)
        .speed(speed)
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zaif_invoices_move_through_their_states() {
    let sandbox = sandbox().await;
    let zaif = zaif(&sandbox);
    let created = zaif
        .create_invoice(&invoice("A-1", Speed::Medium))
        .await
        .unwrap();
    assert_eq!(created.rate.unwrap().to_string(), "30012");
    assert_eq!(created.btc.unwrap().to_string(), "0.359856");
    assert!(created.bip21.starts_with("bitcoin:SBX"));
    assert!(created.invoice_uri.as_str().starts_with(&sandbox.url()));
    assert_eq!(
        zaif.get_invoice(&created.invoice_id).await.unwrap().status,
        InvoiceStatus::New
    );

    sandbox.pay_zaif_invoice(&created.invoice_id).unwrap();
    let paid = zaif.get_invoice(&created.invoice_id).await.unwrap();
    assert_eq!(paid.status, InvoiceStatus::Paid);
    assert!(!paid.is_settled(), "medium needs a confirmation");
    tokio::time::sleep(Duration::from_millis(60)).await;
    let confirmed = zaif.get_invoice(&created.invoice_id).await.unwrap();
    assert_eq!(confirmed.status, InvoiceStatus::Confirmed);
    assert!(confirmed.is_settled() && confirmed.settled.is_some());
    tokio::time::sleep(Duration::from_millis(260)).await;
    assert_eq!(
        zaif.get_invoice(&created.invoice_id).await.unwrap().status,
        InvoiceStatus::Complete
    );
    // A paid invoice cannot be canceled; a new one can, once.
    let refused = zaif.cancel_invoice(&created.invoice_id).await.unwrap_err();
    assert!(
        matches!(refused, ZaifError::CannotCancel { .. }),
        "{refused:?}"
    );
    let second = zaif
        .create_invoice(&invoice("A-1", Speed::High))
        .await
        .unwrap();
    let canceled = zaif.cancel_invoice(&second.invoice_id).await.unwrap();
    // The documented answer: the whole invoice, status canceled.
    let invoice = canceled.invoice.expect("the invoice shape");
    assert_eq!(invoice.status, InvoiceStatus::Canceled);
    assert_eq!(invoice.invoice_id, second.invoice_id);
    let currencies = zaif.supported_currencies().await.unwrap();
    assert_eq!(
        currencies.keys().map(String::as_str).collect::<Vec<_>>(),
        ["btc", "mona", "skeb"]
    );
    assert_eq!(currencies["btc"], "BTC");
    assert_eq!(
        zaif.get_invoice(&second.invoice_id).await.unwrap().status,
        InvoiceStatus::Canceled
    );
    let ids = zaif.find_invoice_ids("A-1").await.unwrap();
    assert_eq!(ids.count, 2);
    assert!(zaif.find_invoice_ids("none").await.unwrap().ids.is_empty());
    let form = payments_sandbox::loopback_http()
        .build()
        .unwrap()
        .get(zaif.payment_form_url(&created.invoice_id).unwrap())
        .send()
        .await
        .unwrap();
    assert!(form.text().await.unwrap().contains("0.359856"));
    sandbox.stop().await;
}

#[tokio::test]
async fn zaif_invoices_priced_in_the_asset_keep_their_amount_in_it() {
    let sandbox = sandbox().await;
    let zaif = zaif(&sandbox);
    let request =
        CreateInvoice::builder_in_asset(CryptoCurrency::Mona, payments::Decimal::new(12_345, 2))
            .order_number("A-ASSET")
            .build()
            .unwrap();
    let created = zaif.create_invoice(&request).await.unwrap();
    let mona = |text: &str| Money::parse(text, Currency::from_code("MONA").unwrap()).unwrap();
    assert_eq!(created.amount, mona("123.45"));
    assert_eq!(created.rate, None, "Zaif drops the rate");
    assert_eq!(created.mona.unwrap().to_string(), "123.45");
    let fetched = zaif.get_invoice(&created.invoice_id).await.unwrap();
    assert_eq!(fetched.amount, mona("123.45"));
    let canceled = zaif.cancel_invoice(&created.invoice_id).await.unwrap();
    assert_eq!(canceled.invoice.unwrap().amount, mona("123.45"));
    assert_eq!(
        canceled.raw["amount"], "123.45",
        "the raw answer stays as Zaif sent it"
    );
    let created_entry = sandbox
        .ledger()
        .into_iter()
        .find(|e| e.event == "invoice_created" && e.reference == "A-ASSET")
        .unwrap();
    assert_eq!(
        (
            created_entry.amount.as_str(),
            created_entry.currency.as_str()
        ),
        ("123.45", "MONA")
    );
    sandbox.stop().await;
}

#[tokio::test]
async fn zaif_expiry_and_strict_checks() {
    let mut config = SandboxConfig::default();
    config.zaif.invoice_ttl = Duration::ZERO;
    config.zaif.additional_keys = vec![("second-key".into(), "second-secret".into())];
    let sandbox = Sandbox::start(config).await.unwrap();
    let zaif = zaif(&sandbox);
    let created = zaif
        .create_invoice(&invoice("E-1", Speed::High))
        .await
        .unwrap();
    assert_eq!(
        zaif.get_invoice(&created.invoice_id).await.unwrap().status,
        InvoiceStatus::Expired
    );
    assert!(sandbox.pay_zaif_invoice(&created.invoice_id).is_err());
    assert!(matches!(
        zaif.cancel_invoice(&created.invoice_id).await.unwrap_err(),
        ZaifError::CannotCancel { .. }
    ));

    // A client whose clock is behind what the sandbox saw is refused, and retries are bounded.
    let behind = ZaifClient::builder_from_env(&env_of(&sandbox))
        .unwrap()
        .nonce_source(Arc::new(InProcessNonce::with_clock(|| 1_000_000)))
        .build()
        .unwrap();
    let err = behind.get_invoice(&created.invoice_id).await.unwrap_err();
    assert!(
        matches!(err, ZaifError::NonceNotIncremented { .. }),
        "{err:?}"
    );

    let mut env = env_of(&sandbox);
    env.insert("ZAIF_API_SECRET".into(), "wrong".into());
    let err = ZaifClient::from_env_with(&env)
        .unwrap()
        .get_invoice("x")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zaif_notifies_a_local_handler_when_an_invoice_settles() {
    let sandbox = sandbox().await;
    let received: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = received.clone();
    let app = axum::Router::new().route(
        "/notify",
        axum::routing::post(move |body: String| {
            let sink = sink.clone();
            async move {
                sink.lock().unwrap().push(body);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let notify = format!("http://{}/notify", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let zaif = zaif(&sandbox);
    let request = CreateInvoice::builder(CryptoCurrency::Mona, 2000)
        .order_number("N-1")
        .speed(Speed::High)
        .notification_uri(notify)
        .build()
        .unwrap();
    let created = zaif.create_invoice(&request).await.unwrap();
    sandbox.pay_zaif_invoice(&created.invoice_id).unwrap();
    for _ in 0..100 {
        if !received.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let body = received
        .lock()
        .unwrap()
        .first()
        .cloned()
        .expect("a notification");
    let notification = payments::zaif::PaymentNotification::from_form(body.as_bytes()).unwrap();
    assert_eq!(notification.invoice_id, created.invoice_id);
    assert_eq!(notification.order_number.as_deref(), Some("N-1"));
    assert_eq!(notification.mona, created.mona);
    let confirmed = zaif.confirm_notification(&notification).await.unwrap();
    assert!(confirmed.is_settled());
    sandbox.stop().await;
}

fn purchase(
    number: &str,
    reference: &str,
    source: fn(Box<Card>) -> PaymentSource,
) -> PurchaseRequest {
    let card = Card::new(number, "12", "2099", "123", "Jane Doe").unwrap();
    PurchaseRequest::builder(
        Money::parse("1000", Currency::JPY).unwrap(),
        source(Box::new(card)),
        reference,
        "203.0.113.7".parse().unwrap(),
    )
    .return_url(ReturnUrl::default().with_success("https://shop.example/back".parse().unwrap()))
    .browser_info(BrowserInfo::default())
    .build()
    .unwrap()
}

#[tokio::test]
async fn paymentoptions_approves_declines_challenges_and_stores() {
    let sandbox = sandbox().await;
    let gateway = cards(&sandbox);
    let approved = gateway
        .purchase(&purchase("5200000000001005", "po-1", PaymentSource::Card))
        .await
        .unwrap();
    assert_eq!(approved.gateway_response.code, "INFO0000");
    assert_eq!(
        approved
            .payment_details()
            .unwrap()
            .card()
            .unwrap()
            .number
            .last4(),
        "1005"
    );
    assert_eq!(
        approved.status(),
        PaymentStatus::Captured,
        "a purchase captures"
    );

    let declined = gateway
        .purchase(&purchase(DECLINE_CARD, "po-2", PaymentSource::Card))
        .await
        .unwrap_err();
    assert!(matches!(&declined, PaymentOptionsError::Declined { code, .. } if code == "ERR0005"));

    let challenge = gateway
        .purchase_v2(&purchase(CHALLENGE_CARD, "po-3", PaymentSource::Card))
        .await
        .unwrap();
    let PurchaseOutcome::ChallengeRequired(challenge) = challenge else {
        panic!("{challenge:?}")
    };
    assert!(challenge.redirect_url.as_str().starts_with(&sandbox.url()));

    let stored = gateway
        .purchase(&purchase(
            "4000000000001091",
            "po-4",
            PaymentSource::CardAndStore,
        ))
        .await
        .unwrap();
    let token = stored
        .transaction_details
        .unwrap()
        .stored_payment_method_id
        .unwrap();
    let again = PurchaseRequest::builder(
        Money::parse("500", Currency::JPY).unwrap(),
        PaymentSource::StoredCard(token),
        "po-5",
        "203.0.113.7".parse().unwrap(),
    )
    .build()
    .unwrap();
    let paid = gateway.purchase(&again).await.unwrap();
    assert_eq!(paid.transaction_type, Some(TransactionType::Capture));
    let unknown = PurchaseRequest::builder(
        Money::parse("500", Currency::JPY).unwrap(),
        PaymentSource::StoredCard(Secret::new("pm_unknown")),
        "po-6",
        "203.0.113.7".parse().unwrap(),
    )
    .build()
    .unwrap();
    assert!(matches!(
        gateway.purchase(&unknown).await.unwrap_err(),
        PaymentOptionsError::Api { status: 400, .. }
    ));

    let mut env = env_of(&sandbox);
    env.insert("PAYMENTOPTIONS_API_KEY".into(), "wrong".into());
    let err = PaymentOptionsClient::from_env_with(&env)
        .unwrap()
        .purchase(&purchase("5200000000001005", "po-7", PaymentSource::Card))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    let charged: Vec<_> = sandbox
        .ledger()
        .into_iter()
        .filter(|e| e.event == "card_charged")
        .collect();
    assert_eq!(
        charged
            .iter()
            .map(|e| e.reference.as_str())
            .collect::<Vec<_>>(),
        ["po-1", "po-4", "po-5"]
    );
    sandbox.stop().await;
}

fn eur(text: &str) -> Money {
    Money::parse(text, Currency::EUR).unwrap()
}

fn yen(text: &str) -> Money {
    Money::parse(text, Currency::JPY).unwrap()
}

#[tokio::test]
async fn paymentoptions_lifecycle_keeps_a_ledger_per_transaction() {
    let sandbox = sandbox().await;
    let gateway = cards(&sandbox);
    let authorized = gateway
        .authorize(&purchase("5200000000001005", "life-1", PaymentSource::Card))
        .await
        .unwrap();
    assert_eq!(authorized.status(), PaymentStatus::Authorized);
    let auth_id = authorized.transaction_id().unwrap().to_owned();

    // More than authorized is refused; the authorization stays open.
    let over = gateway
        .capture(&CaptureRequest::new(&auth_id, yen("1001"), None).unwrap())
        .await
        .unwrap_err();
    assert_eq!(over.kind(), ErrorKind::Declined);
    let captured = gateway
        .capture(&CaptureRequest::new(&auth_id, yen("800"), Some("ship".into())).unwrap())
        .await
        .unwrap();
    assert_eq!(captured.gateway_response.code, "INFO0001");
    assert_eq!(captured.status(), PaymentStatus::Captured);
    let capture_id = captured.transaction_id().unwrap().to_owned();
    assert_ne!(capture_id, auth_id, "a capture is a new transaction");
    // A captured authorization cannot be captured again, nor voided.
    assert!(
        gateway
            .capture(&CaptureRequest::new(&auth_id, yen("100"), None).unwrap())
            .await
            .is_err()
    );
    assert!(gateway.void(&auth_id).await.is_err());

    // Partial refund, then the rest, then one too many (ERR3019).
    let first = gateway
        .refund(&RefundRequest::new(&capture_id, yen("300"), None).unwrap())
        .await
        .unwrap();
    assert_eq!(first.status(), PaymentStatus::Refunded);
    assert_eq!(first.amount().unwrap().to_string(), "300");
    gateway
        .refund(&RefundRequest::new(&capture_id, yen("500"), None).unwrap())
        .await
        .unwrap();
    let too_many = gateway
        .refund(&RefundRequest::new(&capture_id, yen("1"), None).unwrap())
        .await
        .unwrap_err();
    assert_eq!(too_many.code(), Some("ERR3019"));
    assert_eq!(too_many.response_code().map(|c| c.0), Some(-8019));
    assert!(!too_many.outcome_unknown());

    // Every id has a status, saying where it stands now: the capture was refunded.
    let status = gateway.transaction_status(&capture_id).await.unwrap();
    assert_eq!(status.status(), PaymentStatus::Refunded);
    let status = gateway
        .transaction_status(first.transaction_id().unwrap())
        .await
        .unwrap();
    assert_eq!(status.status(), PaymentStatus::Refunded);
    assert!(gateway.transaction_status("no-such-id").await.is_err());

    // Void an open authorization.
    let held = gateway
        .authorize(&purchase("5200000000001005", "life-2", PaymentSource::Card))
        .await
        .unwrap();
    let voided = gateway.void(held.transaction_id().unwrap()).await.unwrap();
    assert_eq!(voided.status(), PaymentStatus::Voided);
    // The authorization's own status now says it was voided.
    let released = gateway
        .transaction_status(held.transaction_id().unwrap())
        .await
        .unwrap();
    assert_eq!(released.status(), PaymentStatus::Voided);
    assert_eq!(voided.gateway_response.code, "INFO0003");

    let events: Vec<(String, String)> = sandbox
        .ledger()
        .into_iter()
        .filter(|e| e.reference.starts_with("life-"))
        .map(|e| (e.event.to_owned(), e.amount))
        .collect();
    let expected = [
        ("card_authorized", "1000"),
        ("card_captured", "800"),
        ("card_refunded", "300"),
        ("card_refunded", "500"),
        ("card_authorized", "1000"),
        ("authorization_voided", "1000"),
    ];
    assert_eq!(
        events,
        expected.map(|(e, a)| (e.to_owned(), a.to_owned())).to_vec()
    );
    sandbox.stop().await;
}

#[tokio::test]
async fn paymentoptions_lifecycle_through_the_trait() {
    let sandbox = sandbox().await;
    let provider: Arc<dyn PaymentProvider> = Arc::new(cards(&sandbox));
    let card = Card::new("5200000000001005", "12", "2099", "123", "Jane Doe").unwrap();
    let request = PaymentRequest::new(yen("2000"), "trait-1")
        .unwrap()
        .with_method(PaymentMethod::Card(Box::new(card)))
        .with_customer(Customer::default().with_ip("203.0.113.7".parse().unwrap()))
        .with_urls(ReturnUrls::default().with_success("https://shop.example/back".parse().unwrap()))
        .authorize_only();
    let authorized = provider.create_payment(&request).await.unwrap();
    assert_eq!(authorized.status, PaymentStatus::Authorized);
    // No amount: the whole authorization, read from the gateway's status.
    let captured = provider
        .capture_payment(&authorized.id, None)
        .await
        .unwrap();
    assert_eq!(captured.status, PaymentStatus::Captured);
    assert_eq!(captured.amount, Some(yen("2000")));
    let refunded = provider
        .refund_payment(&captured.id, Some(yen("500")))
        .await
        .unwrap();
    assert_eq!(refunded.status, PaymentStatus::Refunded);
    let rest = provider
        .refund_payment(&captured.id, Some(yen("1500")))
        .await
        .unwrap();
    assert_eq!(rest.amount, Some(yen("1500")));
    let err = provider
        .refund_payment(&captured.id, Some(yen("1")))
        .await
        .unwrap_err();
    assert_eq!(err.provider_code(), Some("ERR3019"));
    // The capture, refunded in whole since.
    let looked_up = provider.get_payment(&captured.id).await.unwrap();
    assert_eq!(looked_up.status, PaymentStatus::Refunded);
    assert_eq!(looked_up.reference.as_deref(), Some("trait-1"));

    // The provider's default method is its hosted payment page.
    let hosted = PaymentRequest::new(yen("1200"), "trait-hpp")
        .unwrap()
        .with_urls(
            ReturnUrls::default().with_success("https://shop.example/back".parse().unwrap()),
        );
    let page = provider.create_payment(&hosted).await.unwrap();
    match &page.status {
        PaymentStatus::RequiresCustomerAction { url } => {
            assert!(url.as_str().starts_with(&sandbox.url()), "{url}");
        }
        other => panic!("{other:?}"),
    }
    sandbox.stop().await;
}

#[tokio::test]
async fn paymentoptions_3ds_challenge_approve_and_decline_post_the_webhook() {
    let sandbox = sandbox().await;
    let gateway = cards(&sandbox);
    let hooks = payments_test_support::httpmock::MockServer::start_async().await;
    let (received, _mock) = payments_test_support::record(&hooks, 200, "ok").await;
    let challenged = |reference: &'static str| {
        let card = Card::new(CHALLENGE_CARD, "12", "2099", "123", "Jane Doe").unwrap();
        PurchaseRequest::builder(
            Money::parse("1500", Currency::JPY).unwrap(),
            PaymentSource::Card(Box::new(card)),
            reference,
            "203.0.113.7".parse().unwrap(),
        )
        .return_url(
            ReturnUrl::default()
                .with_success("https://shop.example/paid".parse().unwrap())
                .with_decline("https://shop.example/declined".parse().unwrap())
                .with_webhook(hooks.url("/po-webhook").parse().unwrap()),
        )
        .build()
        .unwrap()
    };
    let no_redirects = payments_sandbox::loopback_http()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    // Approved on the customer's page: a redirect to success_url, and the webhook.
    let PurchaseOutcome::ChallengeRequired(challenge) =
        gateway.purchase_v2(&challenged("3ds-1")).await.unwrap()
    else {
        panic!("expected a challenge")
    };
    let page = no_redirects
        .get(challenge.redirect_url.clone())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Approve") && page.contains("Decline"),
        "{page}"
    );
    let id = payments_sandbox::challenge_id(&challenge.redirect_url).unwrap();
    let approved = no_redirects
        .post(format!("{}/approve", challenge.redirect_url))
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status(), 303);
    assert_eq!(approved.headers()["location"], "https://shop.example/paid");
    let webhook = wait_for(&received, 1).await;
    let event = payments::paymentoptions::WebhookEvent::from_json(&webhook.body).unwrap();
    assert_eq!(event.transaction_id(), Some(id.as_str()));
    assert_eq!(event.success, Some(true));
    let confirmed = gateway.confirm_webhook(&webhook.body).await.unwrap();
    assert_eq!(confirmed.status(), PaymentStatus::Captured);
    assert_eq!(confirmed.amount().unwrap().to_string(), "1500");
    assert!(!String::from_utf8_lossy(&webhook.body).is_empty());

    // The control endpoint re-sends it.
    let resent = no_redirects
        .post(format!(
            "{}/_sandbox/paymentoptions/webhooks/{id}",
            sandbox.url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resent.status(), 200);
    wait_for(&received, 2).await;

    // Declined through the library: the webhook says so, and nothing was charged.
    let PurchaseOutcome::ChallengeRequired(challenge) =
        gateway.purchase_v2(&challenged("3ds-2")).await.unwrap()
    else {
        panic!("expected a challenge")
    };
    let declined_id = payments_sandbox::challenge_id(&challenge.redirect_url).unwrap();
    sandbox
        .answer_paymentoptions_challenge(&declined_id, false)
        .unwrap();
    let webhook = wait_for(&received, 3).await;
    let event = payments::paymentoptions::WebhookEvent::from_json(&webhook.body).unwrap();
    assert_eq!(event.success, Some(false));
    assert!(gateway.transaction_status(&declined_id).await.is_err());
    assert!(
        sandbox
            .answer_paymentoptions_challenge(&declined_id, true)
            .is_err(),
        "answered once"
    );
    let charged: Vec<_> = sandbox
        .ledger()
        .into_iter()
        .filter(|e| e.reference.starts_with("3ds-"))
        .map(|e| e.reference)
        .collect();
    assert_eq!(charged, ["3ds-1"]);
    sandbox.stop().await;
}

/// The `count`-th request a recorder received, waiting for it (webhooks are posted in the
/// background).
async fn wait_for(
    recorder: &payments_test_support::Recorder,
    count: usize,
) -> payments_test_support::Received {
    for _ in 0..200 {
        let all = recorder.all();
        if all.len() >= count {
            return all[count - 1].clone();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("no webhook number {count} arrived")
}

#[tokio::test]
async fn paymentoptions_subscription_lifecycle_and_hosted_links() {
    let sandbox = sandbox().await;
    let gateway = cards(&sandbox);
    let card = Card::new("4000000000001091", "12", "2099", "112", "Jane Doe").unwrap();
    let payment = PurchaseRequest::builder(
        yen("1000"),
        PaymentSource::Card(Box::new(card)),
        "sub-1",
        "203.0.113.7".parse().unwrap(),
    )
    .build()
    .unwrap();
    let plan = Plan::builder("Gold", CycleType::Days, 30, 4)
        .description("Monthly-ish")
        .discount(10, 2)
        .build()
        .unwrap();
    let created = gateway
        .create_subscription(&SubscriptionRequest::new(payment, plan))
        .await
        .unwrap();
    assert_eq!(
        created.status(),
        PaymentStatus::Captured,
        "the first cycle is charged"
    );
    assert_eq!(
        created.amount().unwrap().to_string(),
        "900",
        "10% off the first cycle"
    );
    let id = created.subscription().unwrap().id.clone();

    // Two more cycles: the second still discounted, the third at full price.
    sandbox
        .advance_paymentoptions_subscription(&id)
        .await
        .unwrap();
    sandbox
        .advance_paymentoptions_subscription(&id)
        .await
        .unwrap();
    let details = gateway.subscription(&id).await.unwrap();
    assert_eq!(details.status, SubscriptionStatus::Active);
    assert_eq!(details.completed_payment_cycle, Some(3));
    let amounts: Vec<String> = details
        .charged_cycles()
        .map(|c| c.amount.unwrap().to_string())
        .collect();
    assert_eq!(amounts, ["900", "900", "1000"]);
    let plan = details.plan().unwrap();
    assert_eq!(plan.billing_cycle_type, Some(CycleType::Days));
    assert_eq!(plan.plan_discount_percentage, Some(10));
    assert_eq!(plan.trial_period_duration, None, "\"\" without a trial");

    // Pause: no charge; resume; cancel; a cancelled subscription cannot be resumed.
    let paused = gateway.pause_subscription(&id).await.unwrap();
    assert_eq!(paused.gateway_response.code, "INFO3000");
    assert_eq!(paused.subscription.status, SubscriptionStatus::Paused);
    assert!(
        sandbox
            .advance_paymentoptions_subscription(&id)
            .await
            .is_err()
    );
    let resumed = gateway.resume_subscription(&id).await.unwrap();
    assert_eq!(resumed.subscription.status, SubscriptionStatus::Active);
    let cancelled = gateway.cancel_subscription(&id).await.unwrap();
    assert_eq!(cancelled.subscription.status, SubscriptionStatus::Cancelled);
    let err = gateway.resume_subscription(&id).await.unwrap_err();
    assert!(
        matches!(&err, PaymentOptionsError::NotResumable { subscription_id, .. } if *subscription_id == id),
        "{err:?}"
    );
    let all = gateway.subscriptions().await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(
        all[0].last_payment_status, None,
        "the list omits it, as documented"
    );

    // A hosted payment page: the customer pays on the page; the webhook confirms it.
    let hooks = payments_test_support::httpmock::MockServer::start_async().await;
    let (received, _mock) = payments_test_support::record(&hooks, 200, "ok").await;
    let urls = ReturnUrl::default()
        .with_success("https://shop.example/paid".parse().unwrap())
        .with_decline("https://shop.example/declined".parse().unwrap())
        .with_webhook(hooks.url("/hook").parse().unwrap());
    let link = gateway
        .hosted_link(
            &HostedLinkRequest::new(yen("2500"), "hpp-1", urls.clone())
                .unwrap()
                .merchant_email("shop@example.jp")
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(link.amount.unwrap().to_string(), "2500");
    let no_redirects = payments_sandbox::loopback_http()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = no_redirects
        .get(link.url.clone())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("2500 JPY"), "{page}");
    let paid = no_redirects
        .post(format!("{}/approve", link.url))
        .send()
        .await
        .unwrap();
    assert_eq!(paid.headers()["location"], "https://shop.example/paid");
    let webhook = wait_for(&received, 1).await;
    let confirmed = gateway.confirm_webhook(&webhook.body).await.unwrap();
    assert_eq!(confirmed.amount().unwrap().to_string(), "2500");

    // An e-wallet link whose amount the customer types.
    let wallet = gateway
        .wallet_link(
            &WalletLinkRequest::new(
                "gcash",
                LinkAmount::CustomerEntered(Currency::from_code("PHP").unwrap()),
                "wallet-1",
                "203.0.113.7".parse().unwrap(),
                urls,
            )
            .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(wallet.amount, None);
    let page = no_redirects
        .get(wallet.url.clone())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("gcash") && page.contains("name=\"amount\""),
        "{page}"
    );
    let paid = no_redirects
        .post(format!("{}/approve", wallet.url))
        .form(&[("amount", "750.00")])
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status(), 303);
    let events: Vec<(String, String)> = sandbox
        .ledger()
        .into_iter()
        .filter(|e| e.provider == "paymentoptions" && e.event != "subscription_changed")
        .map(|e| (e.event.to_owned(), e.amount))
        .collect();
    assert_eq!(
        events,
        [
            ("card_charged", "900"),
            ("subscription_charged", "900"),
            ("subscription_charged", "1000"),
            ("card_charged", "2500"),
            ("wallet_charged", "750.00"),
        ]
        .map(|(e, a)| (e.to_owned(), a.to_owned()))
    );
    sandbox.stop().await;
}

#[tokio::test]
async fn interstream_order_model_cart_to_processed() {
    let sandbox = sandbox().await;
    // No currency configured: the client reads the store's from get_config.
    let mut env = env_of(&sandbox);
    env.remove("INTERSTREAM_CURRENCY");
    let store = InterstreamClient::from_env_with(&env).unwrap();
    let config = store.get_config().await.unwrap();
    assert_eq!(config.currency.code, "EUR");
    assert_eq!(config.min_purchase_amount.unwrap().to_string(), "4.00");
    let buyer = UserId::new(3).unwrap();

    let cart = store.get_cart(buyer).await.unwrap();
    assert!(!cart.is_order());
    assert_eq!(cart.min_purchase_check, Some(true));
    // Nothing to pay before an order is placed.
    assert!(matches!(
        store.add_payment(buyer, eur("1"), None).await.unwrap_err(),
        InterstreamError::NoOrder { .. }
    ));
    let placed = store
        .place_order(buyer, &PlaceOrder::default().notify_buyer(false))
        .await
        .unwrap();
    assert_eq!(placed.message, "Order was placed");
    // One current order at a time.
    assert!(matches!(
        store
            .place_order(buyer, &PlaceOrder::default())
            .await
            .unwrap_err(),
        InterstreamError::OrderAlreadyPlaced { .. }
    ));
    let order = store.get_cart(buyer).await.unwrap();
    assert_eq!(order.order_id.as_deref(), Some(placed.id.as_str()));
    assert_eq!(order.amount_due.unwrap().to_string(), "20.00");

    // Two partial payments add up; a zero amount is refused before sending.
    assert!(store.add_payment(buyer, eur("0"), None).await.is_err());
    store
        .add_payment(buyer, eur("12.50"), Some("part 1"))
        .await
        .unwrap();
    let order = store.get_cart(buyer).await.unwrap();
    assert_eq!(order.amount_due.unwrap().to_string(), "7.50");
    assert_eq!(order.amount_paid.unwrap().to_string(), "12.50");
    store
        .add_payment(buyer, eur("7.50"), Some("part 2"))
        .await
        .unwrap();

    // Paid in full: processed, no current order, and its content is listed.
    let after = store.get_cart(buyer).await.unwrap();
    assert!(!after.is_order());
    let content = store.list_current_content(buyer).await.unwrap();
    assert_eq!(content.len(), 1);
    assert_eq!(content[0].id_clip.as_deref(), Some(placed.id.as_str()));
    assert!(matches!(
        store
            .place_order(buyer, &PlaceOrder::default())
            .await
            .unwrap_err(),
        InterstreamError::EmptyCart { .. }
    ));
    sandbox.set_store_user(StoreUser {
        id: 5,
        order_due: payments::Decimal::ZERO,
        credit: payments::Decimal::ZERO,
        cart: payments::Decimal::new(150, 2),
    });
    assert!(matches!(
        store
            .place_order(UserId::new(5).unwrap(), &PlaceOrder::default())
            .await
            .unwrap_err(),
        InterstreamError::MinPurchase { .. }
    ));
    assert_eq!(
        store.set_subscription_rp(buyer, "77").await.unwrap(),
        "Recurring payment was set"
    );
    let events: Vec<&str> = sandbox
        .ledger()
        .iter()
        .filter(|e| e.provider == "interstream" && e.id == "3")
        .map(|e| e.event)
        .collect();
    assert_eq!(
        events,
        [
            "order_placed",
            "payment_added",
            "payment_added",
            "order_processed"
        ]
    );

    // A GET is refused, as the provider's sample only posts.
    let refused = payments_sandbox::loopback_http()
        .build()
        .unwrap()
        .get(format!(
            "{}/api.php?go=store&do=get_credit&iq=3",
            sandbox.url()
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(refused.contains("REQUEST_ERROR"), "{refused}");
    sandbox.stop().await;

    // A key limited to listed referrers refuses requests without one.
    let mut config = SandboxConfig::default();
    config.interstream.allowed_referrers = vec!["https://shop.example/".into()];
    let sandbox = Sandbox::start(config).await.unwrap();
    let env = env_of(&sandbox);
    let anonymous = InterstreamClient::from_env_with(&env).unwrap();
    let err = anonymous.get_credit(buyer).await.unwrap_err();
    assert!(err.to_string().contains("Invalid referrer"), "{err}");
    let referred = InterstreamClient::builder_from_env(&env)
        .unwrap()
        .referrer("https://shop.example/")
        .build()
        .unwrap();
    referred.get_credit(buyer).await.unwrap();
    sandbox.stop().await;
}

#[tokio::test]
async fn interstream_orders_credit_and_signatures() {
    let sandbox = sandbox().await;
    let store = store(&sandbox);
    let eur = |text: &str| Money::parse(text, Currency::EUR).unwrap();
    let two = UserId::new(2).unwrap();
    assert_eq!(
        store
            .add_payment(two, eur("12.50"), Some("pay-1"))
            .await
            .unwrap(),
        "Payment was added"
    );
    let too_big = store.add_payment(two, eur("100"), None).await.unwrap_err();
    assert!(matches!(too_big, InterstreamError::AmountTooBig { .. }));
    let no_order = store
        .add_payment(UserId::new(3).unwrap(), eur("1"), None)
        .await
        .unwrap_err();
    assert!(matches!(no_order, InterstreamError::NoOrder { .. }));
    sandbox.set_store_user(StoreUser {
        id: 3,
        order_due: payments::Decimal::new(100, 0),
        credit: payments::Decimal::ZERO,
        cart: payments::Decimal::ZERO,
    });
    store
        .add_payment(UserId::new(3).unwrap(), eur("100"), None)
        .await
        .unwrap();

    assert_eq!(
        store.get_credit(two).await.unwrap().amount.to_string(),
        "3.00"
    );
    store
        .add_subtract_credit(two, CreditAction::Add, eur("2"), None)
        .await
        .unwrap();
    store
        .add_subtract_credit(two, CreditAction::Subtract, eur("4.50"), None)
        .await
        .unwrap();
    assert_eq!(
        store.get_credit(two).await.unwrap().amount.to_string(),
        "0.50"
    );
    let cant = store
        .add_subtract_credit(two, CreditAction::Subtract, eur("1"), None)
        .await
        .unwrap_err();
    assert!(matches!(cant, InterstreamError::CantSubtract { .. }));
    let cart = store.get_cart(two).await.unwrap();
    assert_eq!(cart.amount_due.unwrap().to_string(), "37.50");
    assert!(cart.is_order());

    let mut env = env_of(&sandbox);
    env.insert("INTERSTREAM_SHARED_SECRET".into(), "wrong".into());
    let err = InterstreamClient::from_env_with(&env)
        .unwrap()
        .get_credit(two)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    assert!(err.to_string().contains("Invalid signature"));

    // An old request is refused as expired.
    let old = InterstreamClient::builder()
        .api_url(format!("{}/api.php", sandbox.url()))
        .key_id("sandbox-interstream-key")
        .shared_secret("sandbox-interstream-secret")
        .clock(Arc::new(|| 1_000_000))
        .build()
        .unwrap();
    let err = old.get_credit(two).await.unwrap_err();
    assert!(err.to_string().contains("Request expired"), "{err}");
    sandbox.stop().await;
}

#[tokio::test]
async fn faults_are_injected_per_provider_and_route() {
    let sandbox = sandbox().await;
    let zaif = zaif(&sandbox);
    let rule = |kind, route: &str| FaultRule {
        provider: Provider::Zaif,
        route: Some(route.to_owned()),
        kind,
        status: None,
        latency_ms: 0,
        jitter_ms: 0,
        times: Some(1),
        chance_percent: None,
    };
    let cases = [
        (FaultKind::Status, ErrorKind::HttpStatus, false),
        (FaultKind::Html, ErrorKind::HttpStatus, false),
        (FaultKind::Truncated, ErrorKind::Decode, true),
        (FaultKind::Reset, ErrorKind::Transport, false),
        (FaultKind::DropAfterProcessing, ErrorKind::Transport, true),
    ];
    for (i, (kind, expected, processed)) in cases.into_iter().enumerate() {
        let order = format!("F-{i}");
        sandbox.set_faults(vec![rule(kind, "createInvoice")]);
        let err = zaif
            .create_invoice(&invoice(&order, Speed::High))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), expected, "{kind:?}: {err}");
        assert!(err.outcome_unknown(), "{kind:?}: {err}");
        let created = sandbox
            .ledger()
            .iter()
            .filter(|e| e.reference == order)
            .count();
        assert_eq!(created, usize::from(processed), "{kind:?}");
        // The fault was used up: the recovery path finds what happened.
        assert_eq!(
            zaif.find_invoice_ids(&order).await.unwrap().count,
            u64::from(processed)
        );
    }
    sandbox.set_faults(vec![FaultRule {
        provider: Provider::Interstream,
        route: None,
        kind: FaultKind::Latency,
        status: None,
        latency_ms: 150,
        jitter_ms: 0,
        times: None,
        chance_percent: None,
    }]);
    let started = std::time::Instant::now();
    store(&sandbox)
        .get_credit(UserId::new(2).unwrap())
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(150));
    sandbox.stop().await;
}

#[tokio::test]
async fn control_endpoints_drive_the_sandbox_over_http() {
    let sandbox = sandbox().await;
    let zaif = zaif(&sandbox);
    let created = zaif
        .create_invoice(&invoice("C-1", Speed::High))
        .await
        .unwrap();
    let http = payments_sandbox::loopback_http().build().unwrap();
    let pay = http
        .post(format!(
            "{}/_sandbox/zaif/invoices/{}/pay",
            sandbox.url(),
            created.invoice_id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(pay.status(), 200);
    assert!(
        zaif.get_invoice(&created.invoice_id)
            .await
            .unwrap()
            .is_settled()
    );
    let faults = r#"[{"provider":"paymentoptions","route":"payment","kind":"html","times":1}]"#;
    let set = http
        .put(format!("{}/_sandbox/faults", sandbox.url()))
        .header("content-type", "application/json")
        .body(faults)
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    let err = cards(&sandbox)
        .purchase(&purchase("5200000000001005", "c-2", PaymentSource::Card))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::HttpStatus);
    let ledger: serde_json::Value = http
        .get(format!("{}/_sandbox/ledger", sandbox.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ledger[0]["event"], "invoice_created");
    assert_eq!(ledger[1]["event"], "invoice_paid");
    sandbox.stop().await;
}

/// The provider's PHP sample passes an array to `CURLOPT_POSTFIELDS`, so curl posts
/// multipart/form-data; the provider's PHP reads it into `$_POST` like an urlencoded body.
#[tokio::test]
async fn interstream_reads_multipart_bodies_as_the_php_sample_sends_them() {
    let sandbox = sandbox().await;
    let timestamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let salt = "0123456789abcdef0123456789abcdef";
    let signature = payments::interstream::signature(
        &Secret::new("sandbox-interstream-secret"),
        salt,
        timestamp,
    )
    .unwrap();
    let timestamp = timestamp.to_string();
    let url = reqwest::Url::parse_with_params(
        &format!("{}/api.php", sandbox.url()),
        [
            ("go", "store"),
            ("do", "add_payment"),
            ("iq", "2"),
            ("key", "sandbox-interstream-key"),
            ("timestamp", timestamp.as_str()),
            ("salt", salt),
            ("signature", signature.expose()),
        ],
    )
    .unwrap();
    let boundary = "------------------------d74496d66958873e";
    let multipart = |amount: &str| {
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"amount\"\r\n\r\n{amount}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\nPHP sample\r\n\
             --{boundary}--\r\n"
        )
    };
    let post = |content_type: String, body: String| {
        let url = url.clone();
        async move {
            payments_sandbox::loopback_http()
                .build()
                .unwrap()
                .post(url)
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    let paid = post(
        format!("multipart/form-data; boundary={boundary}"),
        multipart("12.50"),
    )
    .await;
    assert_eq!(paid, serde_json::json!({"ok": "Payment was added"}));
    let paid = sandbox
        .ledger()
        .into_iter()
        .find(|e| e.provider == "interstream" && e.event == "payment_added")
        .unwrap();
    assert_eq!(
        (paid.amount.as_str(), paid.reference.as_str()),
        ("12.50", "PHP sample")
    );

    // A body PHP does not read into $_POST carries no amount, whatever it holds.
    let plain = post("text/plain".into(), "amount=12.50".into()).await;
    assert_eq!(plain["error_long"], "Invalid amount", "{plain}");
    // A multipart body without its boundary is unreadable too.
    let broken = post("multipart/form-data".into(), multipart("12.50")).await;
    assert_eq!(broken["error_long"], "Invalid amount", "{broken}");
    sandbox.stop().await;
}
