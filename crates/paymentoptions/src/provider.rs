//! [`PaymentProvider`] for [`PaymentOptionsClient`].
//!
//! * `create_payment` with [`PaymentMethod::ProviderDefault`] makes a hosted payment page link
//!   and answers `RequiresCustomerAction` with its URL (the merchant never touches card data).
//!   With a card, it uses the v2 operations (3-D Secure): purchase v2, or authorization v2 for
//!   [`CaptureMode::Manual`]. It takes [`PaymentMethod::Card`] or [`PaymentMethod::StoredCard`],
//!   requires `customer.ip` and a return URL (`urls.success`; 3-D Secure is mandatory on v2 and
//!   the customer comes back there), sends `customer.browser` as `browser_info`, and the
//!   request's `reference` as `merchant_txn_ref`. The status is what the gateway's
//!   `transaction_type` says ([`TransactionResponse::status`]), or `RequiresCustomerAction`
//!   with the challenge's `redirect_url`.
//! * `get_payment` is the transaction status; `capture_payment`, `void_payment` and
//!   `refund_payment` are the gateway's capture, void and refund. A capture or refund answers
//!   with a **new** transaction id: the returned [`Payment`] carries it (refund the capture's
//!   id, not the authorization's). An omitted amount means "all of it": the client asks the
//!   status of the transaction for its amount first.
//! * `cancel_payment` is unsupported: the gateway's nearest operation is a void, which the
//!   trait names explicitly.
//! * Reconciliation (for an intent journal): a journal reference is sent as `merchant_txn_ref`
//!   (the only reference field). Capture and void are read back from the target's transaction
//!   status (`CAPTURE`/`VOID` once done, as the status page's "status of a captured txn"
//!   sample shows); a refund compares the status before (`CAPTURE`) with after (`REFUND`), with
//!   refunds of one transaction serialized so the change is this refund's. A purchase or
//!   authorization has no documented lookup by `merchant_txn_ref`: only its webhook
//!   (confirmed by status) or a person can settle it, so it is [`Lookup::Unprovable`].

use payments_core::{
    Capabilities, CaptureMode, Currency, Error, Lookup, Money, Operation, Payment, PaymentMethod,
    PaymentMethodKind, PaymentProvider, PaymentRequest, PaymentStatus, PendingCall, Result,
};

use crate::PROVIDER;
use crate::client::PaymentOptionsClient;
use crate::model::{
    BrowserInfo, CaptureRequest, HostedLinkRequest, PaymentSource, PurchaseOutcome,
    PurchaseRequest, RefundRequest, ReturnUrl, TransactionResponse, TransactionType,
};

const CAPABILITIES: Capabilities = Capabilities::create_only(&[
    PaymentMethodKind::Card,
    PaymentMethodKind::StoredCard,
    PaymentMethodKind::ProviderDefault,
])
.with_get_payment()
.with_capture_payment()
.with_void_payment()
.with_refund_payment();

#[async_trait::async_trait]
impl PaymentProvider for PaymentOptionsClient {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn create_payment(&self, request: &PaymentRequest) -> Result<Payment> {
        if matches!(request.method, PaymentMethod::ProviderDefault) {
            // The hosted payment page: the customer enters the card on the gateway's page.
            let link_request = HostedLinkRequest::new(
                request.amount,
                merchant_txn_ref(request),
                return_url(&request.urls, true),
            )?;
            let link = self.hosted_link(&link_request).await?;
            return Ok(Payment::new(
                PROVIDER,
                link.id.clone(),
                PaymentStatus::RequiresCustomerAction {
                    url: link.url.clone(),
                },
                link,
            )
            .with_amount(request.amount)
            .with_reference(request.reference.clone()));
        }
        let card_request = to_purchase(request)?;
        let outcome = match request.capture {
            CaptureMode::Manual => self.authorize_v2(&card_request).await?,
            _ => self.purchase_v2(&card_request).await?,
        };
        let payment = match outcome {
            PurchaseOutcome::ChallengeRequired(challenge) => Payment::new(
                PROVIDER,
                request.reference.clone(),
                PaymentStatus::RequiresCustomerAction {
                    url: challenge.redirect_url.clone(),
                },
                challenge,
            ),
            PurchaseOutcome::Completed(response) => {
                to_payment(*response, request.amount.currency())
            }
        };
        Ok(payment
            .with_amount(request.amount)
            .with_reference(request.reference.clone()))
    }

    async fn get_payment(&self, payment_id: &str) -> Result<Payment> {
        let status = self.transaction_status(payment_id).await?;
        Ok(to_payment(status, None))
    }

    async fn capture_payment(&self, payment_id: &str, amount: Option<Money>) -> Result<Payment> {
        let amount = match amount {
            Some(amount) => amount,
            None => self.full_amount(payment_id).await?,
        };
        let captured = self
            .capture(&CaptureRequest::new(payment_id, amount, None)?)
            .await?;
        Ok(to_payment(captured, amount.currency()))
    }

    async fn void_payment(&self, payment_id: &str) -> Result<Payment> {
        let voided = self.void(payment_id).await?;
        Ok(to_payment(voided, None))
    }

    async fn refund_payment(&self, payment_id: &str, amount: Option<Money>) -> Result<Payment> {
        let amount = match amount {
            Some(amount) => amount,
            None => self.full_amount(payment_id).await?,
        };
        let refunded = self
            .refund(&RefundRequest::new(payment_id, amount, None)?)
            .await?;
        Ok(to_payment(refunded, amount.currency()))
    }

    fn reconciliation_scope(&self, call: &PendingCall) -> Option<String> {
        // Two refunds of one transaction would show the same `REFUND` status.
        match (call.operation, &call.target) {
            (Operation::RefundPayment, Some(target)) => Some(format!("refund:{target}")),
            _ => None,
        }
    }

    async fn prepare_reconciliation(&self, call: &PendingCall) -> Result<Option<String>> {
        match (call.operation, &call.target) {
            (Operation::RefundPayment, Some(target)) => {
                let status = self.transaction_status(target).await?;
                Ok(Some(type_text(&status)))
            }
            _ => Ok(None),
        }
    }

    async fn reconcile(&self, call: &PendingCall) -> Result<Lookup> {
        let reference = &call.journal_reference;
        let (target, done, before) = match (call.operation, call.target.as_deref()) {
            (Operation::CreatePayment, _) => {
                return Ok(Lookup::Unprovable {
                    reason: format!(
                        "PaymentOptions has no lookup by merchant_txn_ref: its webhook settles it, or check the merchant dashboard for merchant_txn_ref {reference}"
                    ),
                });
            }
            (Operation::CapturePayment, Some(target)) => (target, TransactionType::Capture, None),
            (Operation::VoidPayment, Some(target)) => (target, TransactionType::Void, None),
            (Operation::RefundPayment, Some(target)) => {
                (target, TransactionType::Refund, call.snapshot.as_deref())
            }
            (operation, _) => {
                return Err(Error::invalid_input(
                    "target",
                    format!("{operation} names the transaction it acts on"),
                ));
            }
        };
        let status = self.transaction_status(target).await?;
        let now = type_text(&status);
        if before == Some(done.as_str()) {
            return Ok(Lookup::Unprovable {
                reason: format!(
                    "transaction {target} was already {now} before this call, so its status cannot tell this one apart: check the merchant dashboard"
                ),
            });
        }
        if now == done.as_str() {
            return Ok(Lookup::Found(to_payment(
                status,
                call.amount.map(|m| m.currency()),
            )));
        }
        Ok(if call.quiet_for(self.quiet_period()) {
            Lookup::NotTaken {
                evidence: format!(
                    "transaction status of {target} is still {now} after the retry budget and request timeout passed"
                ),
            }
        } else {
            Lookup::NotYet {
                reason: format!("{target} is {now}, and the request could still be in flight"),
            }
        })
    }
}

/// The answer's `transaction_type` as the gateway wrote it (`"none"` when absent).
fn type_text(answer: &TransactionResponse) -> String {
    answer
        .transaction_type
        .as_ref()
        .map_or("none", TransactionType::as_str)
        .to_owned()
}

impl PaymentOptionsClient {
    /// The amount and currency the gateway reports for a transaction, for "all of it".
    async fn full_amount(&self, transaction_id: &str) -> Result<Money> {
        let status = self.transaction_status(transaction_id).await?;
        transaction_money(&status, None).ok_or_else(|| {
            Error::invalid_input(
                "amount",
                "the gateway's status reports no amount and currency for this transaction: pass the amount",
            )
        })
    }
}

/// The money an answer reports (`payment_details.amount` in `payment_details.currency`, or in
/// `currency` when the answer names none).
pub(crate) fn transaction_money(
    answer: &TransactionResponse,
    currency: Option<Currency>,
) -> Option<Money> {
    let details = answer.payment_details()?;
    let currency = details
        .currency
        .as_deref()
        .and_then(|code| Currency::from_code(code).ok())
        .or(currency)?;
    Money::new(details.amount?, currency).ok()
}

/// The neutral payment for a transaction answer: its own id, the status its
/// `transaction_type` says, and the amount it reports.
fn to_payment(answer: TransactionResponse, currency: impl Into<Option<Currency>>) -> Payment {
    let id = answer.transaction_id().unwrap_or_default().to_owned();
    let status = answer.status();
    let money = transaction_money(&answer, currency.into());
    // The status sample carries the reference in `merchant_details` only.
    let reference = answer
        .transaction_details
        .as_ref()
        .and_then(|t| t.merchant_txn_ref.clone())
        .or_else(|| {
            answer
                .merchant_details()
                .and_then(|m| m.merchant_txn_ref.clone())
        });
    let mut payment = Payment::new(PROVIDER, id, status, answer);
    if let Some(money) = money {
        payment = payment.with_amount(money);
    }
    if let Some(reference) = reference {
        payment = payment.with_reference(reference);
    }
    payment
}

/// The request transformer: a neutral payment request into a v2 card request.
fn to_purchase(request: &PaymentRequest) -> Result<PurchaseRequest> {
    let source = match &request.method {
        PaymentMethod::Card(card) => PaymentSource::Card(card.clone()),
        PaymentMethod::StoredCard { token } => PaymentSource::StoredCard(token.clone()),
        _ => {
            return Err(Error::invalid_input(
                "method",
                "PaymentOptions takes PaymentMethod::Card, PaymentMethod::StoredCard or PaymentMethod::ProviderDefault (a hosted page)",
            ));
        }
    };
    let customer_ip = request
        .customer
        .ip
        .ok_or_else(|| Error::invalid_input("customer.ip", "is required by the card gateway"))?;
    let urls = &request.urls;
    if urls.success.is_none() {
        return Err(Error::invalid_input(
            "urls.success",
            "is required: PaymentOptions' v2 operations run 3-D Secure, which returns the customer there",
        ));
    }
    let mut builder = PurchaseRequest::builder(
        request.amount,
        source,
        merchant_txn_ref(request),
        customer_ip,
    )
    .return_url(return_url(urls, false));
    if let Some(browser) = &request.customer.browser {
        builder = builder.browser_info(BrowserInfo::from_browser(browser));
    }
    builder.build()
}

/// `merchant_txn_ref`: the journal's reference when a journal sends the request (the one
/// field a webhook can be matched by), else the merchant's.
fn merchant_txn_ref(request: &PaymentRequest) -> String {
    request
        .journal_reference
        .clone()
        .unwrap_or_else(|| request.reference.clone())
}

/// The gateway's `return_url` from the neutral URLs; on a hosted page, a customer who cancels
/// returns to the failure URL too.
fn return_url(urls: &payments_core::ReturnUrls, hosted: bool) -> ReturnUrl {
    ReturnUrl {
        webhook_url: urls.notification.clone(),
        success_url: urls.success.clone(),
        decline_url: urls.failure.clone(),
        cancel_url: if hosted { urls.failure.clone() } else { None },
    }
}
