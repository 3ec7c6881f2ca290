//! The sandbox's settings: the credentials it accepts, rates, timings, seeded users and faults.

use std::collections::BTreeMap;
use std::time::Duration;

use payments_core::Decimal;

use crate::faults::FaultRule;

/// The sandbox's Zaif settings.
#[derive(Debug, Clone)]
pub struct ZaifSettings {
    /// The API key it accepts.
    pub api_key: String,
    /// The API secret whose md5 or sha1 hash it accepts.
    pub api_secret: String,
    /// More `(key, secret)` pairs it accepts, each with its own nonce sequence.
    pub additional_keys: Vec<(String, String)>,
    /// JPY per unit of each asset (`btc`, `mona`, `skeb`).
    pub rates: BTreeMap<String, Decimal>,
    /// How long an invoice stays payable.
    pub invoice_ttl: Duration,
    /// Time between confirmations after an invoice is paid (`paid` → `confirmed` after one,
    /// `complete` after six).
    pub confirmation_interval: Duration,
    /// Which documented error texts the sandbox answers with (the payment pages' or the
    /// generic error FAQ's; the documents disagree).
    pub error_texts: ZaifErrorTexts,
    /// The largest nonce accepted (above it: `nonce out of range`); none by default, since Zaif
    /// documents that a maximum exists but not its value.
    pub max_nonce: Option<Decimal>,
    /// How soon the same key may call the same method again (sooner: `time wait restriction,
    /// please try later.`, and nothing happens); none by default, since the limit is
    /// documented for the trade API only.
    pub method_interval: Option<Duration>,
}

/// The two documented sets of Zaif error texts. The ecapi payment pages (and the provider's
/// own examples) give a bad key or secret `account has not permission to use ec api` and a bad
/// parameter `invalid parameter {name}`; the generic error FAQ gives `no data found for the
/// key`, `signature mismatch` (`secret mismatch` in its 2016 revision) and `invalid {name}
/// parameter`. The sandbox follows the payment pages unless told otherwise.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ZaifErrorTexts {
    /// The ecapi payment pages' texts.
    #[default]
    PaymentPages,
    /// The generic error FAQ's current texts.
    GenericFaq,
    /// The generic error FAQ's 2016 revision (`secret mismatch`).
    GenericFaq2016,
}

impl ZaifErrorTexts {
    /// The answer to a key the sandbox does not know.
    pub(crate) fn unknown_key(self) -> &'static str {
        match self {
            ZaifErrorTexts::PaymentPages => "account has not permission to use ec api",
            _ => "no data found for the key",
        }
    }

    /// The answer to a known key with the wrong hashed secret.
    pub(crate) fn wrong_secret(self) -> &'static str {
        match self {
            ZaifErrorTexts::PaymentPages => "account has not permission to use ec api",
            ZaifErrorTexts::GenericFaq => "signature mismatch",
            ZaifErrorTexts::GenericFaq2016 => "secret mismatch",
        }
    }

    /// The answer to a parameter it refuses.
    pub(crate) fn invalid_parameter(self, name: &str) -> String {
        match self {
            ZaifErrorTexts::PaymentPages => format!("invalid parameter {name}"),
            _ => format!("invalid {name} parameter"),
        }
    }
}

/// The sandbox's PaymentOptions settings.
#[derive(Debug, Clone)]
pub struct PaymentOptionsSettings {
    /// The API key it accepts.
    pub api_key: String,
    /// The merchant id it accepts.
    pub merchant_id: String,
}

/// A store user the sandbox starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreUser {
    /// The user id.
    pub id: u64,
    /// What the current order still owes (zero: no current order).
    pub order_due: Decimal,
    /// The user's credit.
    pub credit: Decimal,
    /// What the products in the user's cart total (zero: an empty cart).
    pub cart: Decimal,
}

/// The sandbox's INTER-STREAM settings.
#[derive(Debug, Clone)]
pub struct InterstreamSettings {
    /// The API key id it accepts.
    pub key_id: String,
    /// The shared secret requests must be signed with.
    pub shared_secret: String,
    /// How old a request's timestamp may be.
    pub request_expiry: Duration,
    /// The currency amounts are in.
    pub currency: String,
    /// The least an order may total (`min_purchase_amount`).
    pub min_purchase: Decimal,
    /// The credential's allowed referrers (`Referer` values); empty allows any request.
    pub allowed_referrers: Vec<String>,
    /// The users it starts with.
    pub users: Vec<StoreUser>,
}

/// Everything the sandbox is configured with.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Zaif.
    pub zaif: ZaifSettings,
    /// PaymentOptions.
    pub paymentoptions: PaymentOptionsSettings,
    /// INTER-STREAM.
    pub interstream: InterstreamSettings,
    /// Faults active from the start.
    pub faults: Vec<FaultRule>,
}

impl Default for SandboxConfig {
    /// Fixed sandbox credentials (printed by `payments sandbox`), the seed's rates, 30-minute
    /// invoices confirmed every 300 ms once paid, and two store users: 2 owes 50.00 on a
    /// current order with 3.00 credit; 3 has no current order and 20.00 in the cart.
    fn default() -> Self {
        let rates = [
            ("btc", Decimal::new(30012, 0)),
            ("mona", Decimal::new(200_000, 4)),
            ("skeb", Decimal::new(5, 1)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        SandboxConfig {
            zaif: ZaifSettings {
                api_key: "sandbox-zaif-key".into(),
                api_secret: "sandbox-zaif-secret".into(),
                additional_keys: Vec::new(),
                rates,
                invoice_ttl: Duration::from_secs(30 * 60),
                confirmation_interval: Duration::from_millis(300),
                error_texts: ZaifErrorTexts::PaymentPages,
                max_nonce: None,
                method_interval: None,
            },
            paymentoptions: PaymentOptionsSettings {
                api_key: "sandbox-paymentoptions-key".into(),
                merchant_id: "SANDBOX-MERCHANT".into(),
            },
            interstream: InterstreamSettings {
                key_id: "sandbox-interstream-key".into(),
                shared_secret: "sandbox-interstream-secret".into(),
                request_expiry: Duration::from_secs(300),
                currency: "EUR".into(),
                min_purchase: Decimal::new(400, 2),
                allowed_referrers: Vec::new(),
                users: vec![
                    StoreUser {
                        id: 2,
                        order_due: Decimal::new(5000, 2),
                        credit: Decimal::new(300, 2),
                        cart: Decimal::ZERO,
                    },
                    StoreUser {
                        id: 3,
                        order_due: Decimal::ZERO,
                        credit: Decimal::ZERO,
                        cart: Decimal::new(2000, 2),
                    },
                ],
            },
            faults: Vec::new(),
        }
    }
}
