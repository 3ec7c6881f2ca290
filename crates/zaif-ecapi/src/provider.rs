//! [`PaymentProvider`] for [`ZaifClient`]: the common ground.
//!
//! * `create_payment` creates an invoice and answers
//!   [`PaymentStatus::RequiresCustomerAction`] with the payment form URL. It needs
//!   [`PaymentMethod::Crypto`] (`btc`, `mona`, `skeb` or another code) and a JPY amount; the
//!   request's `reference` becomes the invoice's `orderNumber`, so an invoice whose creation
//!   had an unknown outcome can be found with [`ZaifClient::find_invoice_ids`].
//! * `get_payment` maps the invoice status: settled for its speed → `Captured`; paid but not
//!   yet settled → `Pending`; `new` → still requires the customer; `expired`, `canceled`,
//!   `invalid` (→ `Failed`) as named.
//! * `cancel_payment` cancels the invoice → `Canceled`.

use payments_core::{
    Capabilities, Currency, Error, Money, Payment, PaymentMethod, PaymentMethodKind,
    PaymentProvider, PaymentRequest, PaymentStatus, ProviderRecord, Result,
};

use crate::PROVIDER;
use crate::client::ZaifClient;
use crate::model::{Buyer, CreateInvoice, CryptoCurrency, Invoice, InvoiceStatus};

const CAPABILITIES: Capabilities = Capabilities::create_only(&[PaymentMethodKind::Crypto])
    .with_get_payment()
    .with_cancel_payment();

#[async_trait::async_trait]
impl PaymentProvider for ZaifClient {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn create_payment(&self, request: &PaymentRequest) -> Result<Payment> {
        let invoice_request = to_create_invoice(request)?;
        let invoice = self.create_invoice(&invoice_request).await?;
        let status = PaymentStatus::RequiresCustomerAction {
            url: invoice.invoice_uri.clone(),
        };
        Ok(to_payment(
            &invoice.invoice_id,
            status,
            invoice.amount,
            invoice.order_number.clone(),
            invoice.clone(),
        ))
    }

    async fn get_payment(&self, payment_id: &str) -> Result<Payment> {
        let invoice = self.get_invoice(payment_id).await?;
        let status = payment_status(self, &invoice)?;
        Ok(to_payment(
            &invoice.invoice_id,
            status,
            invoice.amount,
            invoice.order_number.clone(),
            invoice.clone(),
        ))
    }

    async fn cancel_payment(&self, payment_id: &str) -> Result<Payment> {
        let canceled = self.cancel_invoice(payment_id).await?;
        Ok(Payment::new(
            PROVIDER,
            canceled.invoice_id.clone(),
            PaymentStatus::Canceled,
            canceled,
        ))
    }
}

/// A neutral payment carrying the invoice record; the order number is the merchant's reference.
fn to_payment(
    invoice_id: &str,
    status: PaymentStatus,
    amount: Money,
    order_number: Option<String>,
    record: impl ProviderRecord,
) -> Payment {
    let payment = Payment::new(PROVIDER, invoice_id, status, record).with_amount(amount);
    match order_number {
        Some(order) => payment.with_reference(order),
        None => payment,
    }
}

/// The request transformer: a neutral payment request into `createInvoice`.
fn to_create_invoice(request: &PaymentRequest) -> Result<CreateInvoice> {
    let PaymentMethod::Crypto { asset } = &request.method else {
        return Err(Error::invalid_input(
            "method",
            "Zaif takes PaymentMethod::Crypto { asset: \"btc\" | \"mona\" | ... }",
        ));
    };
    let currency = CryptoCurrency::other(&asset.trim().to_ascii_lowercase())?;
    if request.amount.currency() != Currency::JPY {
        return Err(Error::invalid_input(
            "amount",
            "Zaif prices invoices in JPY",
        ));
    }
    let yen = request
        .amount
        .to_minor_units()
        .map_err(|e| e.for_field("amount"))?;
    let mut builder = CreateInvoice::builder(currency, yen).order_number(request.reference.clone());
    if let Some(description) = &request.description {
        builder = builder.item_name(description.clone());
    }
    if let Some(url) = &request.urls.notification {
        builder = builder.notification_uri(url.as_str());
    }
    if let Some(url) = &request.urls.success {
        builder = builder.redirect_uri(url.as_str());
    }
    let customer = &request.customer;
    let buyer = Buyer {
        id: customer.id.clone(),
        name: customer.name.clone(),
        email: customer.email.clone(),
        ..Buyer::default()
    };
    Ok(builder.buyer(buyer).build()?)
}

/// The response transformer: an invoice's status in neutral terms.
fn payment_status(client: &ZaifClient, invoice: &Invoice) -> Result<PaymentStatus> {
    if invoice.is_settled() {
        return Ok(PaymentStatus::Captured);
    }
    Ok(match &invoice.status {
        InvoiceStatus::New => PaymentStatus::RequiresCustomerAction {
            url: client.payment_form_url(&invoice.invoice_id)?,
        },
        InvoiceStatus::Paid | InvoiceStatus::Confirmed | InvoiceStatus::Complete => {
            PaymentStatus::Pending
        }
        InvoiceStatus::Expired => PaymentStatus::Expired,
        InvoiceStatus::Canceled => PaymentStatus::Canceled,
        InvoiceStatus::Invalid => PaymentStatus::Failed {
            reason: "invalid: underpaid or never confirmed".into(),
        },
        other => PaymentStatus::Other {
            provider_status: other.as_str().to_owned(),
        },
    })
}
