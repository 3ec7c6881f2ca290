//! [`PaymentProvider`] for [`InterstreamClient`].
//!
//! * `create_payment` adds a payment to the current order of the user named by
//!   `request.customer.id`, and answers [`PaymentStatus::Captured`]: INTER-STREAM takes the
//!   payment as done when it accepts it. The API returns no payment id, so the merchant's
//!   `reference` is the payment's id, and it is written into the description
//!   (`"{description} [{reference}]"`, or the reference alone), as the provider advises, so the
//!   payment can be found in the store's records.
//! * `get_payment` and `cancel_payment` are [`payments_core::Error::Unsupported`]: the API has
//!   neither.

use payments_core::{
    Capabilities, Error, Payment, PaymentMethod, PaymentMethodKind, PaymentProvider,
    PaymentRequest, PaymentStatus, Result,
};

use crate::PROVIDER;
use crate::client::InterstreamClient;
use crate::model::{AddedPayment, UserId};

/// Payments on a user's order; no lookup, no cancel.
const CAPABILITIES: Capabilities = Capabilities::create_only(&[PaymentMethodKind::ProviderDefault]);

#[async_trait::async_trait]
impl PaymentProvider for InterstreamClient {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn create_payment(&self, request: &PaymentRequest) -> Result<Payment> {
        if !matches!(request.method, PaymentMethod::ProviderDefault) {
            return Err(Error::invalid_input(
                "method",
                "INTER-STREAM takes PaymentMethod::ProviderDefault (a payment on the user's order)",
            ));
        }
        let user_id = request
            .customer
            .id
            .as_deref()
            .ok_or_else(|| {
                Error::invalid_input("customer.id", "the INTER-STREAM user id is required")
            })
            .and_then(|id| {
                UserId::parse(id).map_err(|_| {
                    Error::invalid_input("customer.id", "must be a whole number from 1")
                })
            })?;
        let description = match &request.description {
            Some(text) if !text.trim().is_empty() => format!("{text} [{}]", request.reference),
            _ => request.reference.clone(),
        };
        let message = self
            .add_payment(user_id, request.amount, Some(&description))
            .await?;
        let record = AddedPayment {
            user_id,
            description,
            message,
        };
        Ok(Payment::new(
            PROVIDER,
            request.reference.clone(),
            PaymentStatus::Captured,
            record,
        )
        .with_amount(request.amount)
        .with_reference(request.reference.clone()))
    }
}
