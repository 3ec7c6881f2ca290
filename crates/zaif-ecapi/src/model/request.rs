//! The `createInvoice` request and its validating builder.

use payments_core::validate::{self, Lines};
use payments_core::{Currency, Decimal, Money, Url};

use super::{CryptoCurrency, NotificationMethod, Speed};
use crate::error::ZaifError;

/// The buyer fields of `createInvoice`. All optional; Zaif shows them on the payment form
/// (except the id), which is public to anyone with the invoice id, so send only what is needed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Buyer {
    /// `buyerId`: the merchant's id for the buyer (not shown on the form).
    pub id: Option<String>,
    /// `buyerName`.
    pub name: Option<String>,
    /// `buyerKana`: the name in kana.
    pub kana: Option<String>,
    /// `buyerZip`.
    pub zip: Option<String>,
    /// `buyerAddr1`.
    pub addr1: Option<String>,
    /// `buyerAddr2`.
    pub addr2: Option<String>,
    /// `buyerAddr3`.
    pub addr3: Option<String>,
    /// `buyerPhone`.
    pub phone: Option<String>,
    /// `buyerCellphone`.
    pub cellphone: Option<String>,
    /// `buyerEmail`.
    pub email: Option<String>,
}

/// A validated `createInvoice` request. Build it with [`CreateInvoice::builder`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateInvoice {
    pub(crate) currency: CryptoCurrency,
    pub(crate) amount: Money,
    pub(crate) speed: Option<Speed>,
    pub(crate) notification_uri: Option<Url>,
    pub(crate) notification_method: Option<NotificationMethod>,
    pub(crate) redirect_uri: Option<Url>,
    pub(crate) sub_total: Option<Money>,
    pub(crate) tax: Option<Money>,
    pub(crate) regular_price: Option<Money>,
    pub(crate) discount: Option<Money>,
    pub(crate) merchant_name: Option<String>,
    pub(crate) order_number: Option<String>,
    pub(crate) reference_number: Option<String>,
    pub(crate) item_name: Option<String>,
    pub(crate) buyer: Buyer,
    /// Whether `amount` is in the asset itself (`billingCurrency`) rather than in yen.
    pub(crate) priced_in_asset: bool,
}

impl CreateInvoice {
    /// Starts a request for `amount_jpy` yen, paid in `currency`.
    ///
    /// ```
    /// use zaif_ecapi::{CreateInvoice, CryptoCurrency, Speed};
    ///
    /// let invoice = CreateInvoice::builder(CryptoCurrency::Btc, 10800)
    ///     .order_number("A-1001")
    ///     .item_name("コーヒー豆 & マグ")
    ///     .speed(Speed::High)
    ///     .notification_uri("https://shop.example/zaif/notify")
    ///     .build()?;
    /// assert_eq!(invoice.amount().to_string(), "10800 JPY");
    /// # Ok::<(), zaif_ecapi::ZaifError>(())
    /// ```
    pub fn builder(currency: CryptoCurrency, amount_jpy: u64) -> CreateInvoiceBuilder {
        CreateInvoiceBuilder {
            currency,
            amount: Money::from_minor_units(amount_jpy, Currency::JPY)
                .map_err(|e| e.for_field("amount")),
            priced_in_asset: false,
            fields: Fields::default(),
        }
    }

    /// Starts a request priced in the crypto asset itself (`billingCurrency`): `amount` is in
    /// `currency` (at most 8 decimals), and the merchant is paid that asset with no conversion.
    /// Zaif's answer then carries no `rate`, and its `amount` is in the asset.
    ///
    /// ```
    /// use zaif_ecapi::{CreateInvoice, CryptoCurrency, Decimal};
    ///
    /// let invoice = CreateInvoice::builder_in_asset(CryptoCurrency::Btc, Decimal::new(123, 4))
    ///     .order_number("A-1002")
    ///     .build()?;
    /// assert_eq!(invoice.amount().to_string(), "0.01230000 BTC");
    /// assert!(invoice.is_priced_in_asset());
    /// # Ok::<(), zaif_ecapi::ZaifError>(())
    /// ```
    pub fn builder_in_asset(currency: CryptoCurrency, amount: Decimal) -> CreateInvoiceBuilder {
        let amount = currency
            .money_currency()
            .map_err(payments_core::Error::from)
            .and_then(|asset| Money::new(amount, asset).map_err(|e| e.for_field("amount")));
        CreateInvoiceBuilder {
            currency,
            amount,
            priced_in_asset: true,
            fields: Fields::default(),
        }
    }

    /// Whether the amount is in the asset (`billingCurrency`) rather than in yen.
    pub fn is_priced_in_asset(&self) -> bool {
        self.priced_in_asset
    }

    /// The crypto asset.
    pub fn currency(&self) -> &CryptoCurrency {
        &self.currency
    }

    /// The amount to charge: in JPY, or in the asset when [priced in it](Self::builder_in_asset).
    pub fn amount(&self) -> Money {
        self.amount
    }

    /// The merchant's order number, if set.
    pub fn order_number(&self) -> Option<&str> {
        self.order_number.as_deref()
    }
}

/// Text fields as given, validated at [`CreateInvoiceBuilder::build`].
#[derive(Debug, Clone, Default)]
struct Fields {
    speed: Option<Speed>,
    notification_uri: Option<String>,
    notification_method: Option<NotificationMethod>,
    redirect_uri: Option<String>,
    sub_total: Option<u64>,
    tax: Option<u64>,
    regular_price: Option<u64>,
    discount: Option<u64>,
    merchant_name: Option<String>,
    order_number: Option<String>,
    reference_number: Option<String>,
    item_name: Option<String>,
    buyer: Buyer,
}

/// Builds a [`CreateInvoice`]; [`CreateInvoiceBuilder::build`] validates every field and names
/// the first one that is wrong, using Zaif's parameter names.
#[derive(Debug)]
#[must_use = "a builder does nothing until `build()` is called"]
pub struct CreateInvoiceBuilder {
    currency: CryptoCurrency,
    amount: Result<Money, payments_core::Error>,
    priced_in_asset: bool,
    fields: Fields,
}

macro_rules! text_setters {
    ($( $(#[$doc:meta])* $method:ident => $($field:ident).+ ),+ $(,)?) => {
        $(
            $(#[$doc])*
            pub fn $method(mut self, value: impl Into<String>) -> Self {
                self.fields.$($field).+ = Some(value.into());
                self
            }
        )+
    };
}

impl CreateInvoiceBuilder {
    /// `speed`: when the payment counts as done (Zaif's default is medium).
    pub fn speed(mut self, speed: Speed) -> Self {
        self.fields.speed = Some(speed);
        self
    }

    /// `notificationMethod`: how Zaif calls `notificationUri` (default POST).
    pub fn notification_method(mut self, method: NotificationMethod) -> Self {
        self.fields.notification_method = Some(method);
        self
    }

    /// `subTotal` in yen.
    pub fn sub_total(mut self, yen: u64) -> Self {
        self.fields.sub_total = Some(yen);
        self
    }

    /// `tax` in yen.
    pub fn tax(mut self, yen: u64) -> Self {
        self.fields.tax = Some(yen);
        self
    }

    /// `regularPrice` in yen, before discount.
    pub fn regular_price(mut self, yen: u64) -> Self {
        self.fields.regular_price = Some(yen);
        self
    }

    /// `discount` in yen.
    pub fn discount(mut self, yen: u64) -> Self {
        self.fields.discount = Some(yen);
        self
    }

    /// All buyer fields at once.
    pub fn buyer(mut self, buyer: Buyer) -> Self {
        self.fields.buyer = buyer;
        self
    }

    text_setters! {
        /// `notificationUri`: where Zaif reports the completed payment (http or https).
        notification_uri => notification_uri,
        /// `redirectUri`: where the payment form sends the customer after paying.
        redirect_uri => redirect_uri,
        /// `merchantName`.
        merchant_name => merchant_name,
        /// `orderNumber`: the merchant's order id; how an invoice is found again.
        order_number => order_number,
        /// `referenceNumber`.
        reference_number => reference_number,
        /// `itemName`.
        item_name => item_name,
        /// `buyerId`.
        buyer_id => buyer.id,
        /// `buyerName`.
        buyer_name => buyer.name,
        /// `buyerKana`.
        buyer_kana => buyer.kana,
        /// `buyerZip`.
        buyer_zip => buyer.zip,
        /// `buyerAddr1`.
        buyer_addr1 => buyer.addr1,
        /// `buyerAddr2`.
        buyer_addr2 => buyer.addr2,
        /// `buyerAddr3`.
        buyer_addr3 => buyer.addr3,
        /// `buyerPhone`.
        buyer_phone => buyer.phone,
        /// `buyerCellphone`.
        buyer_cellphone => buyer.cellphone,
        /// `buyerEmail`.
        buyer_email => buyer.email,
    }

    /// Validates every field; nothing is sent for an invalid request.
    pub fn build(self) -> Result<CreateInvoice, ZaifError> {
        let amount = self
            .amount?
            .ensure_positive()
            .map_err(|e| e.for_field("amount"))?;
        if let CryptoCurrency::Other(code) = &self.currency {
            CryptoCurrency::other(code)?;
        }
        let f = self.fields;
        // One loop over the single-line texts (one copy of the check, not one per field).
        for (field, value) in text_fields(
            &f.merchant_name,
            &f.order_number,
            &f.reference_number,
            &f.item_name,
            &f.buyer,
        ) {
            if let Some(value) = value {
                validate::text(field, value, Lines::Single)?;
            }
        }
        if let Some(address) = &f.buyer.email {
            email("buyerEmail", address)?;
        }
        let yen = |field: &'static str, value: Option<u64>| -> Result<Option<Money>, ZaifError> {
            value
                .map(|v| Money::from_minor_units(v, Currency::JPY).map_err(|e| e.for_field(field)))
                .transpose()
                .map_err(ZaifError::from)
        };
        Ok(CreateInvoice {
            currency: self.currency,
            amount,
            speed: f.speed,
            notification_uri: web_url("notificationUri", f.notification_uri)?,
            notification_method: f.notification_method,
            redirect_uri: web_url("redirectUri", f.redirect_uri)?,
            sub_total: yen("subTotal", f.sub_total)?,
            tax: yen("tax", f.tax)?,
            regular_price: yen("regularPrice", f.regular_price)?,
            discount: yen("discount", f.discount)?,
            merchant_name: f.merchant_name,
            order_number: f.order_number,
            reference_number: f.reference_number,
            item_name: f.item_name,
            buyer: f.buyer,
            priced_in_asset: self.priced_in_asset,
        })
    }
}
/// The single-line text fields of `createInvoice` by their Zaif names, in the form's order: the
/// one list the builder checks and the form sends.
pub(crate) fn text_fields<'a>(
    merchant_name: &'a Option<String>,
    order_number: &'a Option<String>,
    reference_number: &'a Option<String>,
    item_name: &'a Option<String>,
    buyer: &'a Buyer,
) -> [(&'static str, &'a Option<String>); 14] {
    [
        ("merchantName", merchant_name),
        ("orderNumber", order_number),
        ("referenceNumber", reference_number),
        ("itemName", item_name),
        ("buyerId", &buyer.id),
        ("buyerName", &buyer.name),
        ("buyerKana", &buyer.kana),
        ("buyerZip", &buyer.zip),
        ("buyerAddr1", &buyer.addr1),
        ("buyerAddr2", &buyer.addr2),
        ("buyerAddr3", &buyer.addr3),
        ("buyerPhone", &buyer.phone),
        ("buyerCellphone", &buyer.cellphone),
        ("buyerEmail", &buyer.email),
    ]
}

/// An optional single-line text field: absent, or not blank and free of control characters.
pub(crate) fn text(
    field: &'static str,
    value: Option<String>,
) -> Result<Option<String>, ZaifError> {
    Ok(validate::optional_text(field, value, Lines::Single)?)
}
fn web_url(field: &'static str, value: Option<String>) -> Result<Option<Url>, ZaifError> {
    let Some(value) = value else { return Ok(None) };
    let url =
        Url::parse(value.trim()).map_err(|_| ZaifError::invalid(field, "is not a valid URL"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(ZaifError::invalid(field, "must be an http or https URL"));
    }
    Ok(Some(url))
}

/// `buyerEmail`, already checked as text: something@domain.tld, without spaces.
fn email(field: &'static str, value: &str) -> Result<(), ZaifError> {
    let looks_valid = value.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !value.chars().any(char::is_whitespace)
    });
    if looks_valid {
        Ok(())
    } else {
        Err(ZaifError::invalid(
            field,
            "does not look like an e-mail address",
        ))
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(err: ZaifError) -> String {
        match err {
            ZaifError::Core(payments_core::Error::InvalidInput { field, .. }) => field.into_owned(),
            other => panic!("expected invalid input, got {other:?}"),
        }
    }

    #[test]
    fn invalid_fields_are_named() {
        let cases: Vec<(CreateInvoiceBuilder, &str)> = vec![
            (CreateInvoice::builder(CryptoCurrency::Btc, 0), "amount"),
            (
                CreateInvoice::builder(CryptoCurrency::Btc, 1).notification_uri("ftp://x.example/"),
                "notificationUri",
            ),
            (
                CreateInvoice::builder(CryptoCurrency::Btc, 1).redirect_uri("not a url"),
                "redirectUri",
            ),
            (
                CreateInvoice::builder(CryptoCurrency::Btc, 1).buyer_email("nobody"),
                "buyerEmail",
            ),
            (
                CreateInvoice::builder(CryptoCurrency::Btc, 1).buyer_email("a@b"),
                "buyerEmail",
            ),
            (
                CreateInvoice::builder(CryptoCurrency::Btc, 1).buyer_email("a b@c.jp"),
                "buyerEmail",
            ),
            (
                CreateInvoice::builder(CryptoCurrency::Btc, 1).item_name("   "),
                "itemName",
            ),
            (
                CreateInvoice::builder(CryptoCurrency::Btc, 1).order_number("a\u{0}b"),
                "orderNumber",
            ),
            (
                CreateInvoice::builder(CryptoCurrency::Other("BAD!".into()), 1),
                "currency",
            ),
        ];
        for (builder, field) in cases {
            assert_eq!(field_of(builder.build().unwrap_err()), field);
        }
    }
}
