//! A local, stateful emulator of the three providers, for demos and integration tests.
//!
//! It speaks each provider's wire format on its documented path, strictly: Zaif's `POST
//! /ecapi` (key, md5/sha1 secret, strictly increasing nonce per key, invoices moving through
//! `new → paid → confirmed → complete`, `expired`, `canceled`, payment notifications);
//! PaymentOptions' purchase v1 and v2 (both auth headers, body validation, approval or decline
//! by test card, 3-D Secure challenges, stored cards); INTER-STREAM's `api.php` (signature,
//! salt and timestamp checks, users with a current order and credit). Faults can be injected
//! per provider and route. State lives in memory only.
//!
//! ```
//! # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
//! use payments_sandbox::{Sandbox, SandboxConfig};
//!
//! let sandbox = Sandbox::start(SandboxConfig::default()).await?;
//! let zaif = payments::zaif::ZaifClient::from_env_with(&sandbox.env())?;
//! let invoice = zaif
//!     .create_invoice(&payments::zaif::CreateInvoice::builder(payments::zaif::CryptoCurrency::Btc, 10800).build()?)
//!     .await?;
//! assert_eq!(invoice.btc.unwrap().to_string(), "0.359856"); // 10800 / 30012, as in the docs
//! sandbox.pay_zaif_invoice(&invoice.invoice_id)?;
//! sandbox.stop().await;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```
//!
//! # Control endpoints
//!
//! | endpoint | does |
//! | --- | --- |
//! | `POST /_sandbox/zaif/invoices/{id}/pay` | the customer pays the invoice; its notification follows once it settles (`payments sandbox trigger zaif-pay ID`) |
//! | `GET /_sandbox/ledger` | every processed money movement, as JSON |
//! | `GET /_sandbox/faults`, `PUT /_sandbox/faults` | the active fault rules (a JSON list of [`FaultRule`]) |
//! | `POST /_sandbox/interstream/users` | `{"id": 5, "order_due": "20.00", "credit": "0", "cart": "12.00"}` adds or replaces a store user (a current order owing `order_due`, and a cart) |
//! | `POST /_sandbox/paymentoptions/challenges/{id}/approve` (or `decline`) | the customer answers a 3-D Secure challenge; the answer is the webhook body (also posted to a loopback `webhook_url`; `payments sandbox trigger challenge ID [--decline]`) |
//! | `POST /_sandbox/paymentoptions/subscriptions/{id}/advance` | the next cycle of an active subscription comes due and is charged (discount and `max_cycle_count` applied); its webhook goes to the subscription's loopback `webhook_url` (`payments sandbox trigger subscription-cycle ID`) |
//! | `POST /_sandbox/paymentoptions/links/{id}/approve` (or `decline`) | the customer pays (or declines) on a hosted page or wallet link; `{"amount": "…"}` when the customer enters it (`payments sandbox trigger link ID [--decline]`) |
//! | `POST /_sandbox/paymentoptions/webhooks/{id}` | posts a transaction's webhook again (`payments sandbox trigger webhook ID`) |
//! | `GET /_sandbox/` | the dashboard: one page per provider, the faults and refusals, the ledger (HTML, paged; `dashboard/`) |
//!
//! The customer's own 3-D Secure page is `GET /3ds/challenge/{id}`, a form whose buttons post to
//! `/3ds/challenge/{id}/approve` or `/decline` and redirect (303) to `success_url` or
//! `decline_url`.

mod activity;
mod config;
mod dashboard;
mod faults;
mod form;
mod interstream;
mod ledger;
mod paymentoptions;
mod zaif;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use payments_core::Decimal;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use activity::{CallbackRecord, Refusal};
pub use config::{
    InterstreamSettings, PaymentOptionsSettings, SandboxConfig, StoreUser, ZaifErrorTexts,
    ZaifSettings,
};
pub use faults::{FaultKind, FaultRule, Provider};
pub use interstream::{
    GATEWAY_KEY as INTERSTREAM_GATEWAY_KEY, PAYPAL_PASSWORD as INTERSTREAM_PAYPAL_PASSWORD,
    PAYPAL_SIGNATURE as INTERSTREAM_PAYPAL_SIGNATURE,
};
pub use ledger::LedgerEntry;
pub use paymentoptions::{CHALLENGE_CARD, DECLINE_CARD};

use faults::{Faults, lock};
use ledger::Ledger;

/// An HTTP client builder for what the sandbox posts (notifications, webhooks: loopback `http`
/// only) and for tests that talk to it. Its own rustls setup (the `ring` provider, no roots, so
/// no `https` target verifies): the workspace's reqwest has no crypto provider of its own.
pub fn loopback_http() -> reqwest::ClientBuilder {
    let provider = payments_core::http::crypto_provider();
    let builder = reqwest::Client::builder();
    match rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
    {
        Ok(tls) => builder.tls_backend_preconfigured(
            tls.with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth(),
        ),
        // Unreachable with ring's provider; reqwest then reports the missing provider itself.
        Err(_) => builder,
    }
}

/// The transaction id of a 3-D Secure challenge this sandbox issued, read from its
/// `redirect_url` (`…/3ds/challenge/{id}`): what [`Sandbox::answer_paymentoptions_challenge`]
/// and the `/_sandbox/paymentoptions/challenges/{id}/…` controls take. `None` for any other URL.
pub fn challenge_id(redirect_url: &payments_core::Url) -> Option<String> {
    let mut segments = redirect_url.path_segments()?;
    let id = segments.next_back()?;
    (segments.next_back() == Some("challenge") && segments.next_back() == Some("3ds"))
        .then(|| id.to_owned())
        .filter(|id| !id.is_empty())
}

/// Everything the handlers share.
pub(crate) struct AppState {
    pub(crate) config: SandboxConfig,
    pub(crate) base_url: String,
    pub(crate) zaif: Mutex<zaif::ZaifState>,
    pub(crate) paymentoptions: Mutex<paymentoptions::PaymentOptionsState>,
    pub(crate) interstream: Mutex<interstream::InterstreamState>,
    pub(crate) faults: Faults,
    pub(crate) ledger: Ledger,
    pub(crate) activity: Arc<activity::Activity>,
}

/// A running sandbox on 127.0.0.1.
pub struct Sandbox {
    address: SocketAddr,
    state: Arc<AppState>,
    shutdown: Option<oneshot::Sender<()>>,
    server: JoinHandle<()>,
    notifier: JoinHandle<()>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Starts on a free loopback port.
    pub async fn start(config: SandboxConfig) -> std::io::Result<Sandbox> {
        Sandbox::start_on(config, 0).await
    }

    /// Starts on `127.0.0.1:port` (0 for a free one).
    pub async fn start_on(config: SandboxConfig, port: u16) -> std::io::Result<Sandbox> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let address = listener.local_addr()?;
        let base_url = format!("http://{address}");
        let state = Arc::new(AppState {
            zaif: Mutex::new(zaif::ZaifState::default()),
            paymentoptions: Mutex::new(paymentoptions::PaymentOptionsState::default()),
            interstream: Mutex::new(interstream::InterstreamState::new(
                &config.interstream.users,
            )),
            faults: Faults::new(config.faults.clone()),
            ledger: Ledger::default(),
            activity: Arc::default(),
            config,
            base_url,
        });
        let app = router(state.clone());
        let (shutdown, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(error) = serve.await {
                tracing::error!(%error, "sandbox server stopped");
            }
        });
        let notifier = tokio::spawn(zaif::notify_settled_invoices(state.clone()));
        Ok(Sandbox {
            address,
            state,
            shutdown: Some(shutdown),
            server,
            notifier,
        })
    }

    /// `http://127.0.0.1:port`.
    pub fn url(&self) -> String {
        self.state.base_url.clone()
    }

    /// The address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The environment variables that point each provider's `from_env()` at this sandbox, with
    /// the sandbox's credentials.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        let c = &self.state.config;
        let url = &self.state.base_url;
        vec![
            ("ZAIF_API_KEY", c.zaif.api_key.clone()),
            ("ZAIF_API_SECRET", c.zaif.api_secret.clone()),
            ("ZAIF_AUTH", "sha1".into()),
            ("ZAIF_ENDPOINT", format!("{url}/ecapi")),
            ("PAYMENTOPTIONS_API_KEY", c.paymentoptions.api_key.clone()),
            (
                "PAYMENTOPTIONS_MERCHANT_ID",
                c.paymentoptions.merchant_id.clone(),
            ),
            ("PAYMENTOPTIONS_ENV", "test".into()),
            ("PAYMENTOPTIONS_BASE_URL", format!("{url}/api/v1")),
            ("INTERSTREAM_API_URL", format!("{url}/api.php")),
            ("INTERSTREAM_KEY_ID", c.interstream.key_id.clone()),
            (
                "INTERSTREAM_SHARED_SECRET",
                c.interstream.shared_secret.clone(),
            ),
            ("INTERSTREAM_CURRENCY", c.interstream.currency.clone()),
            ("PAYMENTS_SANDBOX_URL", url.clone()),
        ]
    }

    /// [`Sandbox::env`] as shell `export` lines, to paste or `eval`.
    pub fn env_exports(&self) -> String {
        self.env()
            .into_iter()
            .map(|(name, value)| format!("export {name}='{value}'\n"))
            .collect()
    }

    /// Where the sandbox serves Zaif's payment forms (`{base}form/{id}`), for
    /// `ZaifClientBuilder::payment_page_base`.
    pub fn zaif_payment_page_base(&self) -> String {
        format!("{}/invoice/", self.state.base_url)
    }

    /// The customer pays a Zaif invoice now.
    pub fn pay_zaif_invoice(&self, invoice_id: &str) -> Result<(), String> {
        zaif::pay(&self.state, invoice_id)
    }

    /// The customer answers a PaymentOptions 3-D Secure challenge (the transaction id from its
    /// `redirect_url`): approve records the transaction; either way the webhook is posted to
    /// the request's loopback `webhook_url`.
    pub fn answer_paymentoptions_challenge(
        &self,
        transaction_id: &str,
        approve: bool,
    ) -> Result<(), String> {
        paymentoptions::answer_challenge(&self.state, transaction_id, approve)
    }

    /// The next cycle of a PaymentOptions subscription comes due (charged when active).
    pub async fn advance_paymentoptions_subscription(&self, id: &str) -> Result<(), String> {
        let response = paymentoptions::control_advance(
            axum::extract::State(self.state.clone()),
            axum::extract::Path(id.to_owned()),
        )
        .await;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!(
                "subscription {id} was not charged ({})",
                response.status()
            ))
        }
    }

    /// The customer pays (or declines) a PaymentOptions hosted page or wallet link with a
    /// fixed amount; the webhook is posted to the link's loopback `webhook_url`.
    pub fn answer_paymentoptions_link(&self, link_id: &str, approve: bool) -> Result<(), String> {
        paymentoptions::answer_link(&self.state, link_id, approve)
    }

    /// The callbacks posted so far (the newest 10,000), and what came back.
    pub fn callbacks(&self) -> Vec<CallbackRecord> {
        self.state.activity.callbacks()
    }

    /// The requests refused before processing so far (the newest 10,000), and why.
    pub fn refusals(&self) -> Vec<Refusal> {
        self.state.activity.refusals()
    }

    /// How many Zaif requests were refused with `nonce not incremented` so far.
    pub fn zaif_nonce_rejections(&self) -> u64 {
        lock(&self.state.zaif).nonce_rejections
    }

    /// How many calls each Zaif API key made that passed authentication and the nonce check.
    pub fn zaif_calls_by_key(&self) -> std::collections::BTreeMap<String, u64> {
        lock(&self.state.zaif).calls_by_key.clone()
    }

    /// Replaces the active fault rules.
    pub fn set_faults(&self, rules: Vec<FaultRule>) {
        self.state.faults.replace(rules);
    }

    /// How many requests a fault rule has applied to so far.
    pub fn faults_injected(&self) -> u64 {
        self.state.faults.injected()
    }

    /// Every processed money movement so far.
    pub fn ledger(&self) -> Vec<LedgerEntry> {
        self.state.ledger.entries()
    }

    /// Adds or replaces a store user.
    pub fn set_store_user(&self, user: StoreUser) {
        lock(&self.state.interstream).set_user(user);
    }

    /// Stops the server and waits for it.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        self.notifier.abort();
        let _ = (&mut self.server).await;
    }
}

fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/ecapi", post(zaif::ecapi))
        .route("/invoice/form/{id}", get(zaif::payment_form))
        .route("/invoice/iframe/{id}", get(zaif::payment_form))
        // Both prefixes the documents use: the OpenAPI paths' single `/api/v1`, and the older
        // curl examples' doubled one.
        .route(
            "/api/v1/server-to-server-interface/{operation}",
            post(paymentoptions::operation),
        )
        .route(
            "/api/v1/api/v1/server-to-server-interface/{operation}",
            post(paymentoptions::operation),
        )
        .route(
            "/api/v1/server-to-server-interface/transaction/status/{id}",
            get(paymentoptions::status),
        )
        .route(
            "/api/v1/server-to-server-interface/subscription/payment",
            post(paymentoptions::create_subscription),
        )
        .route(
            "/api/v1/server-to-server-interface/subscription/list",
            get(paymentoptions::subscription_list),
        )
        .route(
            "/api/v1/server-to-server-interface/subscription/{id}",
            get(paymentoptions::subscription_details),
        )
        .route(
            "/api/v1/server-to-server-interface/subscription/{id}/{change}",
            post(paymentoptions::change_subscription),
        )
        .route(
            "/api/v1/server-to-server-interface/hpp/generate/link",
            post(paymentoptions::create_link),
        )
        .route(
            "/api/v1/api/v1/server-to-server-interface/subscription/payment",
            post(paymentoptions::create_subscription),
        )
        .route(
            "/api/v1/api/v1/server-to-server-interface/subscription/list",
            get(paymentoptions::subscription_list),
        )
        .route(
            "/api/v1/api/v1/server-to-server-interface/subscription/{id}",
            get(paymentoptions::subscription_details),
        )
        .route(
            "/api/v1/api/v1/server-to-server-interface/subscription/{id}/{change}",
            post(paymentoptions::change_subscription),
        )
        .route(
            "/api/v1/api/v1/server-to-server-interface/hpp/generate/link",
            post(paymentoptions::create_link),
        )
        .route(
            "/api/v1/api/v1/server-to-server-interface/transaction/status/{id}",
            get(paymentoptions::status),
        )
        .route("/3ds/challenge/{id}", get(paymentoptions::challenge_page))
        .route(
            "/3ds/challenge/{id}/{decision}",
            post(paymentoptions::challenge_answer),
        )
        .route(
            "/_sandbox/paymentoptions/challenges/{id}/{decision}",
            post(paymentoptions::control_challenge),
        )
        .route("/hpp/{id}", get(paymentoptions::link_page))
        .route("/hpp/{id}/{decision}", post(paymentoptions::link_answer))
        .route(
            "/_sandbox/paymentoptions/links/{id}/{decision}",
            post(paymentoptions::control_link),
        )
        .route(
            "/_sandbox/paymentoptions/subscriptions/{id}/advance",
            post(paymentoptions::control_advance),
        )
        .route(
            "/_sandbox/paymentoptions/webhooks/{id}",
            post(paymentoptions::control_resend_webhook),
        )
        .route(
            "/api.php",
            get(interstream::refuse_get).post(interstream::api),
        )
        .route("/_sandbox/zaif/invoices/{id}/pay", post(control_pay))
        .route("/_sandbox/ledger", get(control_ledger))
        .route(
            "/_sandbox/faults",
            get(control_faults).put(control_set_faults),
        )
        .route("/_sandbox/interstream/users", post(control_user))
        .merge(dashboard::routes())
        .with_state(state)
}

async fn control_pay(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    match zaif::pay(&state, &id) {
        Ok(()) => (StatusCode::OK, "paid\n").into_response(),
        Err(reason) => (StatusCode::NOT_FOUND, reason).into_response(),
    }
}

async fn control_ledger(State(state): State<Arc<AppState>>) -> Response {
    axum::Json(state.ledger.entries()).into_response()
}

async fn control_faults(State(state): State<Arc<AppState>>) -> Response {
    axum::Json(state.faults.list()).into_response()
}

async fn control_set_faults(
    State(state): State<Arc<AppState>>,
    axum::Json(rules): axum::Json<Vec<FaultRule>>,
) -> Response {
    state.faults.replace(rules);
    (StatusCode::OK, "faults set\n").into_response()
}

#[derive(serde::Deserialize)]
struct UserBody {
    id: u64,
    #[serde(default)]
    order_due: Option<String>,
    #[serde(default)]
    credit: Option<String>,
    #[serde(default)]
    cart: Option<String>,
}

async fn control_user(
    State(state): State<Arc<AppState>>,
    axum::Json(body): axum::Json<UserBody>,
) -> Response {
    let parse = |text: Option<String>| -> Result<Decimal, String> {
        text.map_or(Ok(Decimal::ZERO), |t| {
            Decimal::from_str_exact(&t).map_err(|_| format!("{t:?} is not a decimal"))
        })
    };
    match (parse(body.order_due), parse(body.credit), parse(body.cart)) {
        (Ok(order_due), Ok(credit), Ok(cart)) if body.id > 0 => {
            lock(&state.interstream).set_user(StoreUser {
                id: body.id,
                order_due,
                credit,
                cart,
            });
            (StatusCode::OK, "user set\n").into_response()
        }
        (Err(reason), _, _) | (_, Err(reason), _) | (_, _, Err(reason)) => {
            (StatusCode::BAD_REQUEST, reason).into_response()
        }
        _ => (StatusCode::BAD_REQUEST, "id must be 1 or more").into_response(),
    }
}

/// A random id laid out as a UUID (8-4-4-4-12 hex digits), as both Zaif's invoice ids and
/// PaymentOptions' transaction ids are written.
pub(crate) fn random_uuid() -> String {
    let hex = hex::encode(rand::random::<[u8; 16]>());
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod challenge_tests {
    use super::challenge_id;

    #[test]
    fn challenge_ids_come_only_from_challenge_urls() {
        let url = |text: &str| payments_core::Url::parse(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            challenge_id(&url("http://127.0.0.1:9/3ds/challenge/5d48-1f6b")).as_deref(),
            Some("5d48-1f6b")
        );
        for other in [
            "http://127.0.0.1:9/hpp/5d48",
            "http://127.0.0.1:9/3ds/challenge/",
            "http://127.0.0.1:9/challenge/5d48",
        ] {
            assert_eq!(challenge_id(&url(other)), None, "{other}");
        }
    }
}
