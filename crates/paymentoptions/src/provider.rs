//! [`PaymentProvider`] for [`PaymentOptionsClient`].
//!
//! * `create_payment` uses purchase v2 (v1 is to be deprecated): [`PaymentMethod::Card`] or
//!   [`PaymentMethod::StoredCard`], `customer.ip` required, the request's `reference` as
//!   `merchant_txn_ref`, the URLs as `success_url` / `decline_url` / `webhook_url`. The answer
//!   maps to `Captured` (`transaction_type` `CAPTURE`/`SALE`), `Authorized` (`PRE_AUTH`, as in
//!   the documented example) or `RequiresCustomerAction` with the 3-D Secure `redirect_url`. A
//!   decline is [`payments_core::Error::Declined`].
//! * `get_payment` and `cancel_payment` are unsupported: the documents describe no lookup or
//!   void endpoint.

use payments_core::{
    Capabilities, Error, Payment, PaymentMethod, PaymentMethodKind, PaymentProvider,
    PaymentRequest, PaymentStatus, Result,
};

use crate::PROVIDER;
use crate::client::PaymentOptionsClient;
use crate::model::{PaymentSource, PurchaseOutcome, PurchaseRequest, ReturnUrl};

const CAPABILITIES: Capabilities =
    Capabilities::create_only(&[PaymentMethodKind::Card, PaymentMethodKind::StoredCard]);

#[async_trait::async_trait]
impl PaymentProvider for PaymentOptionsClient {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn create_payment(&self, request: &PaymentRequest) -> Result<Payment> {
        let purchase = to_purchase(request)?;
        let payment = match self.purchase_v2(&purchase).await? {
            PurchaseOutcome::ChallengeRequired(challenge) => Payment::new(
                PROVIDER,
                request.reference.clone(),
                PaymentStatus::RequiresCustomerAction {
                    url: challenge.redirect_url.clone(),
                },
                challenge,
            ),
            PurchaseOutcome::Completed(response) => {
                let status = match response.transaction_type.as_deref() {
                    Some("CAPTURE" | "SALE" | "PURCHASE") => PaymentStatus::Captured,
                    Some("PRE_AUTH" | "AUTH" | "AUTHORIZATION") => PaymentStatus::Authorized,
                    Some(other) => PaymentStatus::Other {
                        provider_status: other.to_owned(),
                    },
                    None => PaymentStatus::Other {
                        provider_status: String::new(),
                    },
                };
                let id = response
                    .transaction_details
                    .as_ref()
                    .map_or_else(|| request.reference.clone(), |t| t.id.clone());
                Payment::new(PROVIDER, id, status, *response)
            }
        };
        Ok(payment
            .with_amount(request.amount)
            .with_reference(request.reference.clone()))
    }
}

/// The request transformer: a neutral payment request into a purchase.
fn to_purchase(request: &PaymentRequest) -> Result<PurchaseRequest> {
    let source = match &request.method {
        PaymentMethod::Card(card) => PaymentSource::Card(card.clone()),
        PaymentMethod::StoredCard { token } => PaymentSource::StoredCard(token.clone()),
        _ => {
            return Err(Error::invalid_input(
                "method",
                "PaymentOptions takes PaymentMethod::Card or PaymentMethod::StoredCard",
            ));
        }
    };
    let customer_ip = request
        .customer
        .ip
        .ok_or_else(|| Error::invalid_input("customer.ip", "is required by the card gateway"))?;
    let mut builder = PurchaseRequest::builder(
        request.amount,
        source,
        request.reference.clone(),
        customer_ip,
    );
    let urls = &request.urls;
    if urls.success.is_some() || urls.failure.is_some() || urls.notification.is_some() {
        builder = builder.return_url(ReturnUrl {
            webhook_url: urls.notification.clone(),
            success_url: urls.success.clone(),
            decline_url: urls.failure.clone(),
        });
    }
    builder.build()
}
