//! The [`PaymentProvider`] trait: the common ground of all providers.
//!
//! It covers what every provider can express (create a payment; fetch and cancel where the
//! provider supports it) in provider-neutral types. It is a floor, not a ceiling: each provider
//! crate keeps its full, typed native API, and a [`Payment`] carries the provider's own record
//! for callers who need more.

use std::fmt;
use std::net::IpAddr;

use url::Url;

use crate::card::Card;
use crate::error::{Error, Result};
use crate::money::Money;
use crate::reconcile::{Lookup, PendingCall};
use crate::secret::Secret;

pub use crate::payment::{Operation, Payment, PaymentStatus, ProviderRecord};

/// How the customer pays.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum PaymentMethod {
    /// Whatever the provider does by default (a hosted page, the customer's account).
    ProviderDefault,
    /// A card entered now (validated, its number and CVC held as secrets).
    Card(Box<Card>),
    /// A card the provider stored earlier, by its token.
    StoredCard {
        /// The provider's token for the stored card.
        token: Secret,
    },
    /// A crypto asset the customer pays in, e.g. `"btc"` or `"mona"` (the price is still in
    /// the request's currency).
    Crypto {
        /// The provider's code for the asset.
        asset: String,
    },
}

impl PaymentMethod {
    /// The kind of method, without its data.
    pub fn kind(&self) -> PaymentMethodKind {
        match self {
            PaymentMethod::ProviderDefault => PaymentMethodKind::ProviderDefault,
            PaymentMethod::Card(_) => PaymentMethodKind::Card,
            PaymentMethod::StoredCard { .. } => PaymentMethodKind::StoredCard,
            PaymentMethod::Crypto { .. } => PaymentMethodKind::Crypto,
        }
    }
}

/// The kinds of [`PaymentMethod`], for [`Capabilities`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PaymentMethodKind {
    /// [`PaymentMethod::ProviderDefault`].
    ProviderDefault,
    /// [`PaymentMethod::Card`].
    Card,
    /// [`PaymentMethod::StoredCard`].
    StoredCard,
    /// [`PaymentMethod::Crypto`].
    Crypto,
}

/// Who pays. Every field is optional; providers use what they understand.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Customer {
    /// The merchant's or the provider's id for the customer (INTER-STREAM's user id).
    pub id: Option<String>,
    /// The customer's name.
    pub name: Option<String>,
    /// The customer's e-mail address.
    pub email: Option<String>,
    /// The customer's IP address, which card gateways use for risk checks.
    pub ip: Option<IpAddr>,
    /// The customer's browser, which 3-D Secure uses to size and run its challenge.
    pub browser: Option<Browser>,
}

impl Customer {
    /// Sets the id.
    pub fn with_id(mut self, id: impl Into<String>) -> Customer {
        self.id = Some(id.into());
        self
    }

    /// Sets the name.
    pub fn with_name(mut self, name: impl Into<String>) -> Customer {
        self.name = Some(name.into());
        self
    }

    /// Sets the e-mail address.
    pub fn with_email(mut self, email: impl Into<String>) -> Customer {
        self.email = Some(email.into());
        self
    }

    /// Sets the IP address.
    pub fn with_ip(mut self, ip: IpAddr) -> Customer {
        self.ip = Some(ip);
        self
    }

    /// Sets the browser.
    pub fn with_browser(mut self, browser: Browser) -> Customer {
        self.browser = Some(browser);
        self
    }
}

/// What a customer's browser tells a 3-D Secure server (EMV 3DS "browser information"), as
/// read from the customer's request and the page's script.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Browser {
    /// The `Accept` header the browser sent.
    pub accept_header: Option<String>,
    /// The `User-Agent` header the browser sent.
    pub user_agent: Option<String>,
    /// The browser's language (`navigator.language`, e.g. `en-US`).
    pub language: Option<String>,
    /// `screen.colorDepth`, in bits.
    pub color_depth: Option<u16>,
    /// `screen.height`, in pixels.
    pub screen_height: Option<u32>,
    /// `screen.width`, in pixels.
    pub screen_width: Option<u32>,
    /// `navigator.javaEnabled()`.
    pub java_enabled: Option<bool>,
}

impl Browser {
    /// The two headers every browser sends; set the script-read fields directly.
    pub fn new(accept_header: impl Into<String>, user_agent: impl Into<String>) -> Browser {
        Browser {
            accept_header: Some(accept_header.into()),
            user_agent: Some(user_agent.into()),
            ..Browser::default()
        }
    }
}

/// Whether `create_payment` takes the money at once or only reserves it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CaptureMode {
    /// Take the money now (a sale).
    #[default]
    Automatic,
    /// Only authorize: the money is reserved until [`PaymentProvider::capture_payment`] or
    /// [`PaymentProvider::void_payment`] (for providers whose capabilities say `capture`).
    Manual,
}

/// Where the provider sends the customer and its notifications.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReturnUrls {
    /// Where the customer returns after paying.
    pub success: Option<Url>,
    /// Where the customer returns after a failure or decline.
    pub failure: Option<Url>,
    /// Where the provider posts its server-to-server notification.
    pub notification: Option<Url>,
}

impl ReturnUrls {
    /// Sets the success URL.
    pub fn with_success(mut self, url: Url) -> ReturnUrls {
        self.success = Some(url);
        self
    }

    /// Sets the failure URL.
    pub fn with_failure(mut self, url: Url) -> ReturnUrls {
        self.failure = Some(url);
        self
    }

    /// Sets the notification URL.
    pub fn with_notification(mut self, url: Url) -> ReturnUrls {
        self.notification = Some(url);
        self
    }
}

/// A provider-neutral request to take a payment.
///
/// `reference` is the merchant's own id for this payment (order number, transaction
/// reference). It is how a payment whose outcome is unknown is found again, so it is required
/// and should be unique per payment attempt.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PaymentRequest {
    /// The amount to charge; greater than zero.
    pub amount: Money,
    /// The merchant's reference; not empty.
    pub reference: String,
    /// A description shown to the customer or kept with the payment.
    pub description: Option<String>,
    /// How the customer pays.
    pub method: PaymentMethod,
    /// Who pays.
    pub customer: Customer,
    /// Return and notification URLs.
    pub urls: ReturnUrls,
    /// Take the money now, or only authorize it.
    pub capture: CaptureMode,
    /// A second reference, derived from an idempotency key by an intent journal, which the
    /// provider sends where it has a field for it (Zaif's `referenceNumber`, PaymentOptions'
    /// `merchant_txn_ref`, INTER-STREAM's description), so a lost attempt can be found again.
    pub journal_reference: Option<String>,
}

impl PaymentRequest {
    /// A request for `amount` under the merchant's `reference`. Refuses a zero amount and an
    /// empty or control-character reference.
    pub fn new(amount: Money, reference: impl Into<String>) -> Result<PaymentRequest> {
        let amount = amount
            .ensure_positive()
            .map_err(|e| e.for_field("amount"))?;
        let reference = reference.into();
        crate::validate::text("reference", &reference, crate::validate::Lines::Single)?;
        Ok(PaymentRequest {
            amount,
            reference,
            description: None,
            method: PaymentMethod::ProviderDefault,
            customer: Customer::default(),
            urls: ReturnUrls::default(),
            capture: CaptureMode::Automatic,
            journal_reference: None,
        })
    }

    /// Sets the description.
    pub fn with_description(mut self, description: impl Into<String>) -> PaymentRequest {
        self.description = Some(description.into());
        self
    }

    /// Sets the payment method.
    pub fn with_method(mut self, method: PaymentMethod) -> PaymentRequest {
        self.method = method;
        self
    }

    /// Sets the customer.
    pub fn with_customer(mut self, customer: Customer) -> PaymentRequest {
        self.customer = customer;
        self
    }

    /// Sets the return and notification URLs.
    pub fn with_urls(mut self, urls: ReturnUrls) -> PaymentRequest {
        self.urls = urls;
        self
    }

    /// Sets the journal's reference (see [`PaymentRequest::journal_reference`]); refuses one
    /// that is empty, has control characters or is longer than 45 characters (the shortest
    /// reference field among the providers: PaymentOptions' `merchant_txn_ref`).
    pub fn with_journal_reference(
        mut self,
        journal_reference: impl Into<String>,
    ) -> Result<PaymentRequest> {
        let journal_reference = journal_reference.into();
        crate::validate::text(
            "journal_reference",
            &journal_reference,
            crate::validate::Lines::Single,
        )?;
        if journal_reference.chars().count() > 45 {
            return Err(Error::invalid_input(
                "journal_reference",
                "at most 45 characters",
            ));
        }
        self.journal_reference = Some(journal_reference);
        Ok(self)
    }

    /// Only authorize the payment; capture it later with [`PaymentProvider::capture_payment`].
    pub fn authorize_only(mut self) -> PaymentRequest {
        self.capture = CaptureMode::Manual;
        self
    }
}

/// What a provider can do, so a caller can tell before calling.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Capabilities {
    /// Whether [`PaymentProvider::get_payment`] is supported.
    pub get_payment: bool,
    /// Whether [`PaymentProvider::cancel_payment`] is supported.
    pub cancel_payment: bool,
    /// Whether [`PaymentProvider::capture_payment`] is supported (and so
    /// [`CaptureMode::Manual`] in `create_payment`).
    pub capture_payment: bool,
    /// Whether [`PaymentProvider::void_payment`] is supported.
    pub void_payment: bool,
    /// Whether [`PaymentProvider::refund_payment`] is supported.
    pub refund_payment: bool,
    /// The payment methods [`PaymentProvider::create_payment`] accepts.
    pub methods: &'static [PaymentMethodKind],
}

impl Capabilities {
    /// A provider that can only create payments, with these methods.
    pub const fn create_only(methods: &'static [PaymentMethodKind]) -> Capabilities {
        Capabilities {
            get_payment: false,
            cancel_payment: false,
            capture_payment: false,
            void_payment: false,
            refund_payment: false,
            methods,
        }
    }

    /// Adds [`PaymentProvider::get_payment`].
    pub const fn with_get_payment(mut self) -> Capabilities {
        self.get_payment = true;
        self
    }

    /// Adds [`PaymentProvider::cancel_payment`].
    pub const fn with_cancel_payment(mut self) -> Capabilities {
        self.cancel_payment = true;
        self
    }

    /// Adds [`PaymentProvider::capture_payment`] (authorize first, capture later).
    pub const fn with_capture_payment(mut self) -> Capabilities {
        self.capture_payment = true;
        self
    }

    /// Adds [`PaymentProvider::void_payment`].
    pub const fn with_void_payment(mut self) -> Capabilities {
        self.void_payment = true;
        self
    }

    /// Adds [`PaymentProvider::refund_payment`].
    pub const fn with_refund_payment(mut self) -> Capabilities {
        self.refund_payment = true;
        self
    }

    /// Whether `operation` is supported.
    pub fn supports(&self, operation: Operation) -> bool {
        match operation {
            Operation::CreatePayment => true,
            Operation::GetPayment => self.get_payment,
            Operation::CancelPayment => self.cancel_payment,
            Operation::CapturePayment => self.capture_payment,
            Operation::VoidPayment => self.void_payment,
            Operation::RefundPayment => self.refund_payment,
        }
    }

    /// Whether `method` is accepted by `create_payment`.
    pub fn accepts(&self, method: &PaymentMethod) -> bool {
        self.methods.contains(&method.kind())
    }
}

/// A payment provider behind a common, object-safe interface: hold any of them as
/// `Arc<dyn PaymentProvider>`.
///
/// Operations a provider lacks return [`Error::Unsupported`] (the default implementations do);
/// check [`PaymentProvider::capabilities`] first to avoid the call.
///
/// `create_payment` moves money: implementations never resend it after it may have reached the
/// provider, and report such a failure with [`Error::outcome_unknown`] = `true`.
#[async_trait::async_trait]
pub trait PaymentProvider: Send + Sync + fmt::Debug {
    /// The provider's name (`"zaif"`, `"paymentoptions"`, `"interstream"`).
    fn name(&self) -> &'static str;

    /// What this provider can do.
    fn capabilities(&self) -> Capabilities;

    /// Starts or takes a payment.
    async fn create_payment(&self, request: &PaymentRequest) -> Result<Payment>;

    /// The current state of a payment, by the provider's id.
    async fn get_payment(&self, payment_id: &str) -> Result<Payment> {
        let _ = payment_id;
        Err(Error::unsupported(
            self.name(),
            Operation::GetPayment.as_str(),
        ))
    }

    /// Cancels a payment that has not completed, by the provider's id.
    async fn cancel_payment(&self, payment_id: &str) -> Result<Payment> {
        let _ = payment_id;
        Err(Error::unsupported(
            self.name(),
            Operation::CancelPayment.as_str(),
        ))
    }

    /// Captures an authorized payment: `amount`, or the whole authorization when `None`.
    /// Moves money: never resent after it may have reached the provider. The returned
    /// payment may carry a new id (providers record a capture as its own transaction).
    async fn capture_payment(&self, payment_id: &str, amount: Option<Money>) -> Result<Payment> {
        let _ = (payment_id, amount);
        Err(Error::unsupported(
            self.name(),
            Operation::CapturePayment.as_str(),
        ))
    }

    /// Releases an authorization that was not captured.
    async fn void_payment(&self, payment_id: &str) -> Result<Payment> {
        let _ = payment_id;
        Err(Error::unsupported(
            self.name(),
            Operation::VoidPayment.as_str(),
        ))
    }

    /// Refunds a captured payment: `amount`, or everything not yet refunded when `None`.
    /// Moves money: never resent after it may have reached the provider.
    async fn refund_payment(&self, payment_id: &str, amount: Option<Money>) -> Result<Payment> {
        let _ = (payment_id, amount);
        Err(Error::unsupported(
            self.name(),
            Operation::RefundPayment.as_str(),
        ))
    }

    /// Calls that must not overlap for [`reconcile`](Self::reconcile) to tell them apart
    /// share a scope (INTER-STREAM: payments to one user's order, told apart by the amount
    /// due); an intent journal holds a lease on it from the snapshot until the outcome is
    /// recorded. `None` (the default): calls are told apart by their references.
    fn reconciliation_scope(&self, call: &PendingCall) -> Option<String> {
        let _ = call;
        None
    }

    /// What the provider reports just before a money-moving call, for
    /// [`reconcile`](Self::reconcile) to compare with afterwards (INTER-STREAM: the order's
    /// amount due). Sent before the call; `None` (the default) when nothing is needed.
    async fn prepare_reconciliation(&self, call: &PendingCall) -> Result<Option<String>> {
        let _ = call;
        Ok(None)
    }

    /// What became of a money-moving call whose answer never arrived, from the provider's own
    /// lookups. The default has none: [`Lookup::Unprovable`].
    async fn reconcile(&self, call: &PendingCall) -> Result<Lookup> {
        Ok(Lookup::Unprovable {
            reason: format!(
                "{} offers no lookup for {}: check the provider's dashboard for reference {}",
                self.name(),
                call.operation,
                call.journal_reference
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Currency, ErrorKind};
    use std::sync::Arc;

    /// A provider that can only create: the defaults must answer the rest.
    #[derive(Debug)]
    struct CreateOnly;

    #[derive(Debug, PartialEq)]
    struct Receipt {
        number: u32,
    }

    #[async_trait::async_trait]
    impl PaymentProvider for CreateOnly {
        fn name(&self) -> &'static str {
            "create-only"
        }

        fn capabilities(&self) -> Capabilities {
            Capabilities::create_only(&[PaymentMethodKind::ProviderDefault])
        }

        async fn create_payment(&self, request: &PaymentRequest) -> Result<Payment> {
            Ok(Payment::new(
                self.name(),
                "r-1",
                PaymentStatus::Captured,
                Receipt { number: 7 },
            )
            .with_amount(request.amount)
            .with_reference(request.reference.clone()))
        }
    }

    fn request() -> PaymentRequest {
        PaymentRequest::new(Money::parse("1000", Currency::JPY).unwrap(), "order-1").unwrap()
    }

    #[tokio::test]
    async fn works_as_arc_and_box_dyn() {
        let shared: Arc<dyn PaymentProvider> = Arc::new(CreateOnly);
        let boxed: Box<dyn PaymentProvider> = Box::new(CreateOnly);
        for provider in [shared.as_ref(), boxed.as_ref()] {
            let payment = provider.create_payment(&request()).await.unwrap();
            assert_eq!(payment.status, PaymentStatus::Captured);
            assert_eq!(payment.reference.as_deref(), Some("order-1"));
            assert_eq!(payment.record_as::<Receipt>(), Some(&Receipt { number: 7 }));
            assert!(payment.record_as::<String>().is_none());
            assert_eq!(format!("{:?}", payment.record()), "Receipt { number: 7 }");
        }
    }

    #[tokio::test]
    async fn missing_operations_are_unsupported_not_panics() {
        let provider: Arc<dyn PaymentProvider> = Arc::new(CreateOnly);
        let caps = provider.capabilities();
        assert!(caps.supports(Operation::CreatePayment));
        assert!(!caps.supports(Operation::GetPayment));
        assert!(!caps.supports(Operation::CancelPayment));
        let get = provider.get_payment("r-1").await.unwrap_err();
        assert_eq!(get.kind(), ErrorKind::Unsupported);
        assert_eq!(get.to_string(), "create-only does not support get_payment");
        let cancel = provider.cancel_payment("r-1").await.unwrap_err();
        assert_eq!(
            cancel.to_string(),
            "create-only does not support cancel_payment"
        );
        let some = Some(Money::parse("1", Currency::JPY).unwrap());
        let lifecycle = [
            (
                Operation::CapturePayment,
                provider.capture_payment("r-1", some).await,
            ),
            (Operation::VoidPayment, provider.void_payment("r-1").await),
            (
                Operation::RefundPayment,
                provider.refund_payment("r-1", None).await,
            ),
        ];
        for (operation, result) in lifecycle {
            assert!(!caps.supports(operation));
            let err = result.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Unsupported);
            assert!(!err.outcome_unknown());
            assert!(err.to_string().ends_with(operation.as_str()), "{err}");
        }
    }

    #[test]
    fn capabilities_compose() {
        let caps = Capabilities::create_only(&[PaymentMethodKind::Crypto])
            .with_get_payment()
            .with_cancel_payment();
        assert!(caps.supports(Operation::GetPayment) && caps.supports(Operation::CancelPayment));
        assert!(!caps.supports(Operation::CapturePayment));
        let card = Capabilities::create_only(&[PaymentMethodKind::Card])
            .with_capture_payment()
            .with_void_payment()
            .with_refund_payment();
        for operation in [
            Operation::CapturePayment,
            Operation::VoidPayment,
            Operation::RefundPayment,
        ] {
            assert!(card.supports(operation), "{operation}");
        }
        assert!(PaymentStatus::Voided.is_final() && !PaymentStatus::Refunded.is_final());
        assert!(!PaymentStatus::Refunded.is_paid());
        assert!(caps.accepts(&PaymentMethod::Crypto {
            asset: "btc".into()
        }));
        assert!(!caps.accepts(&PaymentMethod::ProviderDefault));
    }

    #[test]
    fn requests_are_validated() {
        let zero = Money::zero(Currency::JPY);
        let err = PaymentRequest::new(zero, "r").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid input: amount: must be greater than zero"
        );
        let yen = Money::parse("1", Currency::JPY).unwrap();
        for bad in ["", "   ", "a\nb"] {
            let err = PaymentRequest::new(yen, bad).unwrap_err();
            assert!(
                matches!(&err, Error::InvalidInput { field, .. } if field == "reference"),
                "{err:?}"
            );
        }
    }

    #[test]
    fn request_debug_redacts_card_and_token() {
        let card = Card::new_on(
            "4000000000001091",
            "12",
            "30",
            "123",
            "John Doe",
            time::macros::date!(2026 - 01 - 01),
        )
        .unwrap();
        let with_card = request().with_method(PaymentMethod::Card(Box::new(card)));
        let with_token = request().with_method(PaymentMethod::StoredCard {
            token: Secret::new("tok_live_abcdef"),
        });
        let shown = format!("{with_card:?} {with_token:#?}");
        assert!(!shown.contains("4000000000001091"), "{shown}");
        assert!(!shown.contains("123\""), "{shown}");
        assert!(!shown.contains("tok_live"), "{shown}");
        assert!(shown.contains("****1091"));
    }

    #[test]
    fn status_finality() {
        assert!(PaymentStatus::Captured.is_final() && PaymentStatus::Captured.is_paid());
        assert!(!PaymentStatus::Pending.is_final());
        assert!(!PaymentStatus::Authorized.is_paid());
        let action = PaymentStatus::RequiresCustomerAction {
            url: Url::parse("https://zaif.jp/invoice/form/x").unwrap(),
        };
        assert!(!action.is_final());
        assert!(
            !PaymentStatus::Other {
                provider_status: "refunding".into()
            }
            .is_final()
        );
    }
}
