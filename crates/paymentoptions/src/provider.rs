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

use payments_core::{
    Capabilities, CaptureMode, Currency, Error, Money, Payment, PaymentMethod, PaymentMethodKind,
    PaymentProvider, PaymentRequest, PaymentStatus, Result,
};

use crate::PROVIDER;
use crate::client::PaymentOptionsClient;
use crate::model::{
    BrowserInfo, CaptureRequest, HostedLinkRequest, PaymentSource, PurchaseOutcome,
    PurchaseRequest, RefundRequest, ReturnUrl, TransactionResponse,
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
                request.reference.clone(),
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
fn transaction_money(answer: &TransactionResponse, currency: Option<Currency>) -> Option<Money> {
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
        request.reference.clone(),
        customer_ip,
    )
    .return_url(return_url(urls, false));
    if let Some(browser) = &request.customer.browser {
        builder = builder.browser_info(BrowserInfo::from_browser(browser));
    }
    builder.build()
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
