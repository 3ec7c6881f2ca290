//! The ready notification endpoint, driven by the sandbox's own notifications: a form `POST`
//! and a bare `GET` (to a `notificationUri` naming the order) each reach a recording handler
//! once, confirmed by `getInvoice`; a repeat is not handed over again; forged ones (unknown
//! invoice, changed amount, changed order, an order with no invoice) never are; a notification
//! for an invoice that never settles is reported unconfirmed after the bound.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use payments_core::callback::{Outcome, Report};
use payments_core::{Currency, Money};
use payments_sandbox::{Sandbox, SandboxConfig};
use tokio::sync::mpsc;
use zaif_ecapi::{
    ConfirmedNotification, CreateInvoice, CreatedInvoice, CryptoCurrency, NotificationMethod,
    ZaifClient, notification_receiver,
};

struct Merchant {
    sandbox: Sandbox,
    zaif: ZaifClient,
    hook: String,
    received: Arc<Mutex<Vec<ConfirmedNotification>>>,
    reports: mpsc::UnboundedReceiver<Report>,
}

impl Merchant {
    async fn start() -> Merchant {
        Merchant::start_at("/zaif/notify").await
    }

    /// With the endpoint at `route` (which may name path segments).
    async fn start_at(route: &str) -> Merchant {
        let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
        let zaif = ZaifClient::builder_from_env(&sandbox.env())
            .unwrap()
            .payment_page_base(sandbox.zaif_payment_page_base())
            .build()
            .unwrap();
        let received: Arc<Mutex<Vec<ConfirmedNotification>>> = Arc::default();
        let (sender, reports) = mpsc::unbounded_channel();
        let handed = received.clone();
        let app = notification_receiver(zaif.clone(), move |event| {
            let handed = handed.clone();
            async move {
                handed.lock().unwrap().push(event);
                Ok(())
            }
        })
        .first_retry(Duration::from_millis(50))
        .confirm_for(Duration::from_millis(1500))
        .on_report(move |report| {
            let _ = sender.send(report.clone());
        })
        .router(route);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let hook = format!("http://{}/zaif/notify", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Merchant {
            sandbox,
            zaif,
            hook,
            received,
            reports,
        }
    }

    async fn invoice(&self, order: &str, method: NotificationMethod, uri: &str) -> CreatedInvoice {
        self.zaif
            .create_invoice(
                &CreateInvoice::builder(CryptoCurrency::Btc, 10800)
                    .order_number(order)
                    .notification_uri(uri)
                    .notification_method(method)
                    .build()
                    .unwrap(),
            )
            .await
            .unwrap()
    }

    async fn report(&mut self) -> Report {
        tokio::time::timeout(Duration::from_secs(10), self.reports.recv())
            .await
            .expect("a report within 10 s")
            .unwrap()
    }

    async fn post(&self, form: &[(&str, &str)]) -> u16 {
        payments_sandbox::loopback_http()
            .build()
            .unwrap()
            .post(&self.hook)
            .form(form)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_notification_arrives_once_confirmed() {
    let mut merchant = Merchant::start().await;
    // A form POST, Zaif's default.
    let posted = merchant
        .invoice("ZN-1", NotificationMethod::Post, &merchant.hook.clone())
        .await;
    merchant
        .sandbox
        .pay_zaif_invoice(&posted.invoice_id)
        .unwrap();
    let report = merchant.report().await;
    assert_eq!(report.outcome, Outcome::Delivered, "{report}");
    assert_eq!(report.what, format!("invoice {}", posted.invoice_id));

    // A bare GET to a URI naming the order.
    let uri = format!("{}?orderNumber=ZN-2", merchant.hook);
    let got = merchant
        .invoice("ZN-2", NotificationMethod::Get, &uri)
        .await;
    merchant.sandbox.pay_zaif_invoice(&got.invoice_id).unwrap();
    let report = merchant.report().await;
    assert_eq!(report.outcome, Outcome::Delivered, "{report}");
    assert_eq!(report.what, "order ZN-2");

    // The POST again, as sent: not handed over twice.
    let invoice_id = posted.invoice_id.clone();
    assert_eq!(
        merchant
            .post(&[
                ("invoiceId", &invoice_id),
                ("amount", "10800"),
                ("orderNumber", "ZN-1")
            ])
            .await,
        200
    );
    assert_eq!(merchant.report().await.outcome, Outcome::Repeated);

    let received = merchant.received.lock().unwrap().clone();
    let seen: Vec<(&str, Option<&str>, bool)> = received
        .iter()
        .map(|n| {
            (
                n.invoice.invoice_id.as_str(),
                n.invoice.order_number.as_deref(),
                n.notification.is_some(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (posted.invoice_id.as_str(), Some("ZN-1"), true),
            (got.invoice_id.as_str(), Some("ZN-2"), false),
        ]
    );
    assert_eq!(
        received[0].payment().amount,
        Some(Money::parse("10800", Currency::JPY).unwrap())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bare_get_to_a_per_order_path_is_confirmed() {
    let mut merchant = Merchant::start_at("/zaif/{orderNumber}/notify").await;
    let base = merchant.hook.trim_end_matches("/zaif/notify").to_owned();
    // The merchant's usual layout: the order in the path (here with a character to decode).
    let uri = format!("{base}/zaif/ZN%2D7/notify");
    let got = merchant
        .invoice("ZN-7", NotificationMethod::Get, &uri)
        .await;
    merchant.sandbox.pay_zaif_invoice(&got.invoice_id).unwrap();
    let report = merchant.report().await;
    assert_eq!(report.outcome, Outcome::Delivered, "{report}");
    assert_eq!(report.what, "order ZN-7");
    let received = merchant.received.lock().unwrap().clone();
    assert_eq!(received[0].invoice.invoice_id, got.invoice_id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_notifications_never_reach_the_handler() {
    let mut merchant = Merchant::start().await;
    // A real, paid invoice whose notification goes nowhere (the test posts the forgeries).
    let real = merchant
        .invoice(
            "ZF-1",
            NotificationMethod::Post,
            "http://127.0.0.1:9/nowhere",
        )
        .await;
    merchant.sandbox.pay_zaif_invoice(&real.invoice_id).unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let id = real.invoice_id.as_str();
    let forgeries: [(&[(&str, &str)], &str); 4] = [
        (
            &[("invoiceId", "no-such-invoice"), ("amount", "10800")],
            "does not know invoice",
        ),
        (
            &[("invoiceId", id), ("amount", "1")],
            "amount does not match",
        ),
        (
            &[("invoiceId", id), ("orderNumber", "ZF-OTHER")],
            "order number does not match",
        ),
        (
            &[("orderNumber", "ZF-NONE")],
            "holds no invoice for order ZF-NONE",
        ),
    ];
    for (form, why) in forgeries {
        assert_eq!(merchant.post(form).await, 200);
        match merchant.report().await.outcome {
            Outcome::Refused(reason) => assert!(reason.contains(why), "{reason} vs {why}"),
            other => panic!("{form:?}: {other:?}"),
        }
    }
    // Names nothing, or is not a form: refused at the door.
    assert_eq!(merchant.post(&[("amount", "10800")]).await, 400);
    assert!(matches!(
        merchant.report().await.outcome,
        Outcome::Malformed(_)
    ));
    // An invoice that is never paid: asked about until the bound, then reported.
    let unpaid = merchant
        .invoice(
            "ZF-2",
            NotificationMethod::Post,
            "http://127.0.0.1:9/nowhere",
        )
        .await;
    assert_eq!(
        merchant.post(&[("invoiceId", &unpaid.invoice_id)]).await,
        200
    );
    match merchant.report().await.outcome {
        Outcome::Unconfirmed(reason) => assert!(reason.contains("the invoice is new"), "{reason}"),
        other => panic!("{other:?}"),
    }
    assert!(merchant.received.lock().unwrap().is_empty());
}

mod hostile {
    use axum::body::Bytes;
    use axum::http::Method;
    use payments_core::callback::{Callback, Confirm};
    use proptest::prelude::*;
    use zaif_ecapi::{NotificationConfirmer, PaymentNotification, ZaifClient};

    fn confirmer() -> NotificationConfirmer {
        NotificationConfirmer::new(
            ZaifClient::builder()
                .api_key("k")
                .api_secret("s")
                .build()
                .unwrap(),
        )
    }

    proptest! {
        /// Any bytes, any query, either method: a claim or a reason, never a panic.
        #[test]
        fn any_input_reads_or_is_refused(
            body in proptest::collection::vec(any::<u8>(), 0..512),
            query in proptest::option::of(".{0,64}"),
            post in any::<bool>(),
        ) {
            let _ = PaymentNotification::from_form(&body);
            let callback = Callback {
                path_params: Vec::new(),
                method: if post { Method::POST } else { Method::GET },
                query,
                content_type: Some("application/x-www-form-urlencoded".into()),
                body: Bytes::from(body),
            };
            let _ = confirmer().read(&callback);
        }

        /// Forms made of the documented fields with arbitrary values.
        #[test]
        fn documented_fields_with_any_values(values in proptest::collection::vec(".{0,24}", 9)) {
            let names = ["invoiceId", "settled", "amount", "btc", "mona", "address",
                         "orderNumber", "referenceNumber", "buyerId"];
            let form: Vec<(&str, &str)> =
                names.iter().copied().zip(values.iter().map(String::as_str)).collect();
            let body = serde_urlencoded::to_string(&form).unwrap();
            let _ = PaymentNotification::from_form(body.as_bytes());
        }
    }
}
