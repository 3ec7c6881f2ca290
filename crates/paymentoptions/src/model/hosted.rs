//! Hosted payment page and e-wallet links: the customer pays on the gateway's page, so the
//! merchant never touches card data.

use std::net::IpAddr;

use payments_core::{Currency, Decimal, Error, Money, Url};
use serde::{Deserialize, Serialize};

use super::{Address, ReturnUrl};

/// A hosted payment page link (`…/hpp/generate/link`). Build it with
/// [`HostedLinkRequest::new`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedLinkRequest {
    pub(crate) amount: Money,
    pub(crate) merchant_txn_ref: String,
    pub(crate) return_url: ReturnUrl,
    pub(crate) merchant_email: Option<String>,
    pub(crate) billing_address: Option<Address>,
    pub(crate) shipping_address: Option<Address>,
    pub(crate) tokenize: bool,
}

impl HostedLinkRequest {
    /// A page charging `amount`, under the merchant's reference (at most 45 characters). The
    /// return URLs must include `success_url`.
    pub fn new(
        amount: Money,
        merchant_txn_ref: impl Into<String>,
        return_url: ReturnUrl,
    ) -> Result<HostedLinkRequest, Error> {
        let amount = amount
            .ensure_positive()
            .map_err(|e| e.for_field("amount"))?;
        Ok(HostedLinkRequest {
            amount,
            merchant_txn_ref: reference(merchant_txn_ref.into())?,
            return_url: return_urls(return_url)?,
            merchant_email: None,
            billing_address: None,
            shipping_address: None,
            tokenize: false,
        })
    }

    /// `merchant_email` (at most 45 characters).
    pub fn merchant_email(mut self, email: impl Into<String>) -> Result<Self, Error> {
        self.merchant_email = Some(email_field(email.into())?);
        Ok(self)
    }

    /// Pre-fills the billing address (what is missing, the page asks for).
    pub fn billing_address(mut self, address: Address) -> Self {
        self.billing_address = Some(address);
        self
    }

    /// Pre-fills the shipping address.
    pub fn shipping_address(mut self, address: Address) -> Self {
        self.shipping_address = Some(address);
        self
    }

    /// Stores the card the customer enters (`payment_method {type: "scheme",
    /// store_payment_method: true}`); the token comes back with the transaction.
    pub fn tokenize(mut self) -> Self {
        self.tokenize = true;
        self
    }
}

/// What an e-wallet link charges: a fixed amount, or whatever the customer types on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LinkAmount {
    /// This amount (sent as a string, as documented for wallets).
    Fixed(Money),
    /// The customer enters the amount, in this currency (sent as an empty `amount`).
    CustomerEntered(Currency),
}

/// An e-wallet link (GCash documented): a hosted page offering the wallet. Build it with
/// [`WalletLinkRequest::new`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalletLinkRequest {
    pub(crate) wallet: String,
    pub(crate) amount: LinkAmount,
    pub(crate) merchant_txn_ref: String,
    pub(crate) customer_ip: IpAddr,
    pub(crate) return_url: ReturnUrl,
    pub(crate) time_zone: Option<String>,
}

impl WalletLinkRequest {
    /// A link for `wallet` (`"gcash"`, the documented one; the merchant must be configured for
    /// it).
    pub fn new(
        wallet: impl Into<String>,
        amount: LinkAmount,
        merchant_txn_ref: impl Into<String>,
        customer_ip: IpAddr,
        return_url: ReturnUrl,
    ) -> Result<WalletLinkRequest, Error> {
        let wallet = wallet.into().trim().to_ascii_lowercase();
        if wallet.is_empty()
            || !wallet
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(Error::invalid_input(
                "payment_method.type",
                "must be a wallet name such as gcash",
            ));
        }
        if let LinkAmount::Fixed(money) = amount {
            money.ensure_positive().map_err(|e| e.for_field("amount"))?;
        }
        Ok(WalletLinkRequest {
            wallet,
            amount,
            merchant_txn_ref: reference(merchant_txn_ref.into())?,
            customer_ip,
            return_url: return_urls(return_url)?,
            time_zone: None,
        })
    }

    /// `time_zone` (an IANA name).
    pub fn time_zone(mut self, zone: impl Into<String>) -> Result<Self, Error> {
        let zone = zone.into();
        payments_core::validate::text("time_zone", &zone, payments_core::validate::Lines::Single)?;
        self.time_zone = Some(zone);
        Ok(self)
    }
}

fn reference(reference: String) -> Result<String, Error> {
    let reference = reference.trim().to_owned();
    payments_core::validate::text(
        "merchant_txn_ref",
        &reference,
        payments_core::validate::Lines::Single,
    )?;
    if reference.chars().count() > 45 {
        return Err(Error::invalid_input(
            "merchant_txn_ref",
            "is at most 45 characters",
        ));
    }
    Ok(reference)
}

fn email_field(email: String) -> Result<String, Error> {
    let email = email.trim().to_owned();
    let plausible = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && domain.contains('.') && !email.chars().any(char::is_whitespace)
    });
    if !plausible || email.chars().count() > 45 {
        return Err(Error::invalid_input(
            "merchant_email",
            "must be an e-mail address of at most 45 characters",
        ));
    }
    Ok(email)
}

fn return_urls(urls: ReturnUrl) -> Result<ReturnUrl, Error> {
    if urls.success_url.is_none() {
        return Err(Error::invalid_input(
            "return_url.success_url",
            "is required: the customer comes back there",
        ));
    }
    Ok(urls)
}

/// A generated link (`id`, `url`, and what it was made for). The URL is opaque: send the
/// customer to it as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HostedLink {
    /// `id`: the link's transaction reference.
    #[serde(deserialize_with = "crate::fields::required_text")]
    pub id: String,
    /// `url`: where to send the customer.
    pub url: Url,
    /// `amount` (absent or `null` when the customer enters it).
    #[serde(default, deserialize_with = "crate::fields::exact_amount")]
    pub amount: Option<Decimal>,
    /// `currency`.
    #[serde(default, deserialize_with = "crate::fields::number_or_text")]
    pub currency: Option<String>,
    /// `merchant_txn_ref`.
    #[serde(default, deserialize_with = "crate::fields::number_or_text")]
    pub merchant_txn_ref: Option<String>,
    /// `merchant_email`.
    #[serde(default, deserialize_with = "crate::fields::number_or_text")]
    pub merchant_email: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls() -> ReturnUrl {
        ReturnUrl::default().with_success("https://shop.example/ok".parse().unwrap())
    }

    fn field(err: Error) -> String {
        match err {
            Error::InvalidInput { field, .. } => field.into_owned(),
            other => panic!("expected invalid input, got {other:?}"),
        }
    }

    #[test]
    fn invalid_links_name_the_field() {
        let yen = |t| Money::parse(t, Currency::JPY).unwrap();
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        assert_eq!(
            field(HostedLinkRequest::new(yen("0"), "r", urls()).unwrap_err()),
            "amount"
        );
        assert_eq!(
            field(HostedLinkRequest::new(yen("1"), "x".repeat(46), urls()).unwrap_err()),
            "merchant_txn_ref"
        );
        assert_eq!(
            field(HostedLinkRequest::new(yen("1"), "r", ReturnUrl::default()).unwrap_err()),
            "return_url.success_url"
        );
        assert_eq!(
            field(
                HostedLinkRequest::new(yen("1"), "r", urls())
                    .unwrap()
                    .merchant_email("not-an-address")
                    .unwrap_err()
            ),
            "merchant_email"
        );
        assert_eq!(
            field(
                WalletLinkRequest::new("g cash", LinkAmount::Fixed(yen("1")), "r", ip, urls())
                    .unwrap_err()
            ),
            "payment_method.type"
        );
        assert_eq!(
            field(
                WalletLinkRequest::new("gcash", LinkAmount::Fixed(yen("0")), "r", ip, urls())
                    .unwrap_err()
            ),
            "amount"
        );
        let open = WalletLinkRequest::new(
            "GCash",
            LinkAmount::CustomerEntered(Currency::JPY),
            "r",
            ip,
            urls(),
        )
        .unwrap();
        assert_eq!(open.wallet, "gcash");
    }
}
