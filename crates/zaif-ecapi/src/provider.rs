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
//! * Reconciliation (for an intent journal): with a journal reference, the invoice's
//!   `orderNumber` is that reference and `referenceNumber` the merchant's (the documented
//!   `getInvoice` answer omits `referenceNumber`, so only the order number can be looked up).
//!   A lost `createInvoice` is found with `getInvoiceIdsByOrderNumber` and adopted; none found
//!   once the retry budget and a request timeout have passed proves none was created. A lost
//!   `cancelInvoice` is read back with `getInvoice`.

use payments_core::{
    Capabilities, Currency, Error, Lookup, Money, Operation, Payment, PaymentMethod,
    PaymentMethodKind, PaymentProvider, PaymentRequest, PaymentStatus, PendingCall, ProviderRecord,
    Result,
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

    async fn reconcile(&self, call: &PendingCall) -> Result<Lookup> {
        match call.operation {
            Operation::CreatePayment => self.reconcile_create(call).await,
            Operation::CancelPayment => self.reconcile_cancel(call).await,
            other => Ok(Lookup::Unprovable {
                reason: format!("zaif has no {other}"),
            }),
        }
    }
}

impl ZaifClient {
    /// A lost `createInvoice`: the invoice under the journal's order number, if any.
    async fn reconcile_create(&self, call: &PendingCall) -> Result<Lookup> {
        let found = self.find_invoice_ids(&call.journal_reference).await?;
        // Zaif allows several invoices per order number; the journal sends one per key, so
        // more than one means someone else used the number too.
        match found.ids.as_slice() {
            [] if call.quiet_for(self.quiet_period()) => Ok(Lookup::NotTaken {
                evidence: format!(
                    "getInvoiceIdsByOrderNumber({}) lists no invoice after the retry budget and request timeout passed",
                    call.journal_reference
                ),
            }),
            [] => Ok(Lookup::NotYet {
                reason: "no invoice yet, and the request could still be in flight".into(),
            }),
            [id] => Ok(Lookup::Found(self.get_payment(id).await?)),
            ids => Ok(Lookup::Unprovable {
                reason: format!(
                    "{} invoices carry order number {}; check which one the customer was sent to",
                    ids.len(),
                    call.journal_reference
                ),
            }),
        }
    }

    /// A lost `cancelInvoice`: the invoice's status says whether it was canceled.
    async fn reconcile_cancel(&self, call: &PendingCall) -> Result<Lookup> {
        let Some(target) = call.target.as_deref() else {
            return Err(Error::invalid_input("target", "a cancel names its invoice"));
        };
        let payment = self.get_payment(target).await?;
        Ok(match payment.status {
            PaymentStatus::Canceled => Lookup::Found(payment),
            _ if call.quiet_for(self.quiet_period()) => Lookup::NotTaken {
                evidence: format!("getInvoice({target}) is not canceled"),
            },
            _ => Lookup::NotYet {
                reason: "not canceled yet, and the request could still be in flight".into(),
            },
        })
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
    // With a journal, the order number is the journal's reference (the one field Zaif can look
    // up), and the merchant's reference travels as `referenceNumber`.
    let mut builder = match &request.journal_reference {
        Some(journal) => CreateInvoice::builder(currency, yen)
            .order_number(journal.clone())
            .reference_number(request.reference.clone()),
        None => CreateInvoice::builder(currency, yen).order_number(request.reference.clone()),
    };
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
