//! Receiving what providers post back (feature `axum`): the machinery every provider's ready
//! callback handler shares. A provider crate says how its callback reads and how it is
//! confirmed ([`Confirm`]); a [`Receiver`] does the rest the same way for all of them:
//!
//! - **answers at once**: a well-formed callback is answered `200` before anything is looked
//!   up, so a slow provider lookup never makes the provider's own callback time out;
//! - **confirms before trusting**: the provider is asked in the background (bounded
//!   concurrency, each lookup bounded, retried with backoff until [`Receiver::confirm_for`] runs
//!   out); only a confirmed event reaches the merchant's handler;
//! - **once**: a repeated callback (same claim) is not looked up again, and a confirmed event
//!   (same provider record and state) is handed over once;
//! - **refuses**: forged or mismatched callbacks are refused and reported without secrets;
//!   bodies over [`Receiver::body_limit`] get `413`, a source over its rate `429`, a body that
//!   does not read as the provider's callback `400`. No input panics.
//!
//! Every callback ends in one [`Report`] (given to [`Receiver::on_report`] and logged with
//! `tracing`), which is what `payments listen` prints.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{ConnectInfo, RawPathParams, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::routing::any;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::sync::Semaphore;

/// A callback as it arrived: what a provider's [`Confirm::read`] decodes.
#[derive(Clone)]
pub struct Callback {
    /// The request's method (Zaif posts a form, or sends a bare `GET`).
    pub method: Method,
    /// The query string, without `?` (the merchant's own per-order parameters).
    pub query: Option<String>,
    /// The route's `{name}` segments as this request filled them (a per-order path such as
    /// `/zaif/{orderNumber}/notify`), percent-decoded.
    pub path_params: Vec<(String, String)>,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The body, at most the receiver's body limit.
    pub body: Bytes,
}

impl fmt::Debug for Callback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A body may echo a card number: only its size is shown.
        f.debug_struct("Callback")
            .field("method", &self.method)
            .field("content_type", &self.content_type)
            .field("body_bytes", &self.body.len())
            .finish_non_exhaustive()
    }
}

/// What asking the provider about a claim showed.
#[derive(Debug)]
pub enum Verdict<E> {
    /// The provider's own record backs the callback: this is the event to act on.
    Confirmed(E),
    /// The provider's record contradicts the callback (unknown id, other amount or currency,
    /// the other environment): a forgery or a mistake, never handed over.
    Refused(String),
    /// Not provable yet (the lookup failed, the payment is not settled yet): asked again.
    NotYet(String),
}

/// How one provider's callback reads and is confirmed.
#[async_trait::async_trait]
pub trait Confirm: Send + Sync + 'static {
    /// What the callback claims, decoded.
    type Claim: Send + Sync + 'static;
    /// A confirmed event, as the merchant's handler receives it.
    type Event: Send + 'static;

    /// The provider's name, for reports.
    fn provider(&self) -> &'static str;

    /// Decodes the callback exactly as the provider sends it; the error says why it does not
    /// read as one (never quoting secrets).
    fn read(&self, callback: &Callback) -> Result<Self::Claim, String>;

    /// What makes two callbacks the same claim (a repeat is not looked up again).
    fn claim_key(&self, claim: &Self::Claim) -> String;

    /// The claim in a few words, for reports ("invoice 4f3…", "transaction T-1").
    fn describe(&self, claim: &Self::Claim) -> String;

    /// Asks the provider.
    async fn confirm(&self, claim: &Self::Claim) -> Verdict<Self::Event>;

    /// What makes two confirmed events the same (delivered once).
    fn event_key(&self, event: &Self::Event) -> String;
}

/// What the merchant's handler returns: an error is reported, and a repeat of the callback
/// may then be handed over again.
pub type HandlerResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

type ReportHook = Arc<dyn Fn(&Report) + Send + Sync>;

type Handler<E> =
    Arc<dyn Fn(E) -> Pin<Box<dyn Future<Output = HandlerResult> + Send>> + Send + Sync>;

/// How a callback ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// Its source sent more than its rate allows (`429`).
    RateLimited,
    /// Its body was over the limit (`413`).
    TooLarge,
    /// Too many callbacks were waiting for confirmation (`503`; the provider may send again).
    Overloaded,
    /// It did not read as the provider's callback (`400`).
    Malformed(String),
    /// The same claim, or the same confirmed event, was already received: not handed over again.
    Repeated,
    /// The provider's record contradicts it: never handed over.
    Refused(String),
    /// Not confirmed within the bound: not handed over.
    Unconfirmed(String),
    /// Confirmed and handed to the handler, which accepted it.
    Delivered,
    /// Confirmed, handed over, and the handler failed.
    HandlerFailed(String),
}

/// One callback's end, for `on_report` and the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The provider.
    pub provider: &'static str,
    /// The claim in a few words ("" when the callback did not read).
    pub what: String,
    /// How it ended.
    pub outcome: Outcome,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.what.is_empty() {
            "callback"
        } else {
            &self.what
        };
        write!(f, "{} {what}: ", self.provider)?;
        match &self.outcome {
            Outcome::RateLimited => f.write_str("refused, its source is over the rate limit"),
            Outcome::TooLarge => f.write_str("refused, the body is over the size limit"),
            Outcome::Overloaded => f.write_str("refused, too many callbacks await confirmation"),
            Outcome::Malformed(why) => write!(f, "refused, not a callback: {why}"),
            Outcome::Repeated => f.write_str("repeated, already received"),
            Outcome::Refused(why) => write!(f, "refused by the provider's record: {why}"),
            Outcome::Unconfirmed(why) => write!(f, "unconfirmed, not handed over: {why}"),
            Outcome::Delivered => f.write_str("confirmed, handler ok"),
            Outcome::HandlerFailed(why) => write!(f, "confirmed, handler failed: {why}"),
        }
    }
}

/// The most recent keys, forgetting the oldest past a capacity.
struct Recent {
    order: VecDeque<String>,
    set: HashSet<String>,
    capacity: usize,
}

impl Recent {
    fn new(capacity: usize) -> Recent {
        Recent {
            order: VecDeque::new(),
            set: HashSet::new(),
            capacity,
        }
    }

    /// `true` when `key` is new (and now remembered).
    fn insert(&mut self, key: String) -> bool {
        if !self.set.insert(key.clone()) {
            return false;
        }
        self.order.push_back(key);
        while self.order.len() > self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.set.remove(&old);
            }
        }
        true
    }

    fn forget(&mut self, key: &str) {
        if self.set.remove(key) {
            self.order.retain(|k| k != key);
        }
    }
}

/// A ready callback endpoint for one provider: build it with the provider's confirmer and the
/// merchant's handler, adjust its limits, and mount [`Receiver::router`].
pub struct Receiver<C: Confirm> {
    confirmer: Arc<C>,
    handler: Handler<C::Event>,
    body_limit: usize,
    per_source_per_minute: u32,
    concurrency: usize,
    max_waiting: usize,
    confirm_for: Duration,
    lookup_timeout: Duration,
    first_retry: Duration,
    on_report: Option<ReportHook>,
}

impl<C: Confirm> fmt::Debug for Receiver<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("provider", &self.confirmer.provider())
            .field("body_limit", &self.body_limit)
            .field("per_source_per_minute", &self.per_source_per_minute)
            .field("concurrency", &self.concurrency)
            .field("confirm_for", &self.confirm_for)
            .finish_non_exhaustive()
    }
}

impl<C: Confirm> Receiver<C> {
    /// A receiver handing each confirmed event to `handler`. Defaults: 64 KiB bodies, 600
    /// callbacks a minute per source address, 8 lookups at once (1,024 waiting), each lookup
    /// bounded to 10 s, retried for 10 minutes.
    pub fn new<F, Fut>(confirmer: C, handler: F) -> Receiver<C>
    where
        F: Fn(C::Event) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HandlerResult> + Send + 'static,
    {
        Receiver {
            confirmer: Arc::new(confirmer),
            handler: Arc::new(move |event| Box::pin(handler(event))),
            body_limit: 64 * 1024,
            per_source_per_minute: 600,
            concurrency: 8,
            max_waiting: 1024,
            confirm_for: Duration::from_secs(600),
            lookup_timeout: Duration::from_secs(10),
            first_retry: Duration::from_secs(1),
            on_report: None,
        }
    }

    /// The largest body accepted, in bytes.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Callbacks accepted per minute from one source address (the peer's address when the
    /// server is run with `into_make_service_with_connect_info`, else one bucket for all).
    pub fn per_source_per_minute(mut self, callbacks: u32) -> Self {
        self.per_source_per_minute = callbacks.max(1);
        self
    }

    /// Provider lookups (and handler calls) at once.
    pub fn concurrency(mut self, lookups: usize) -> Self {
        self.concurrency = lookups.max(1);
        self
    }

    /// How long a claim is retried before it is reported unconfirmed.
    pub fn confirm_for(mut self, bound: Duration) -> Self {
        self.confirm_for = bound;
        self
    }

    /// One lookup's bound (a lookup that hangs is abandoned and retried).
    pub fn lookup_timeout(mut self, bound: Duration) -> Self {
        self.lookup_timeout = bound;
        self
    }

    /// The first pause before a lookup is retried (doubling, at most 30 s).
    pub fn first_retry(mut self, pause: Duration) -> Self {
        self.first_retry = pause;
        self
    }

    /// Called with every callback's [`Report`].
    pub fn on_report(mut self, report: impl Fn(&Report) + Send + Sync + 'static) -> Self {
        self.on_report = Some(Arc::new(report));
        self
    }

    /// An axum router answering callbacks at `path` (any method: Zaif may send a bare `GET`).
    /// `path` may name segments (`/zaif/{orderNumber}/notify`): they reach the provider's
    /// [`Confirm::read`] as [`Callback::path_params`]. Merge it into the merchant's app.
    pub fn router(self, path: &str) -> Router {
        let per_minute = NonZeroU32::new(self.per_source_per_minute).unwrap_or(NonZeroU32::MIN);
        let shared = Arc::new(Shared {
            limiter: RateLimiter::keyed(Quota::per_minute(per_minute)),
            claims: Mutex::new(Recent::new(10_000)),
            events: Mutex::new(Recent::new(10_000)),
            permits: Arc::new(Semaphore::new(self.concurrency)),
            waiting: AtomicUsize::new(0),
            receiver: self,
        });
        Router::new()
            .route(path, any(receive::<C>))
            .with_state(shared)
    }
}

struct Shared<C: Confirm> {
    receiver: Receiver<C>,
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    claims: Mutex<Recent>,
    events: Mutex<Recent>,
    permits: Arc<Semaphore>,
    waiting: AtomicUsize,
}

impl<C: Confirm> Shared<C> {
    fn report(&self, what: String, outcome: Outcome) {
        let report = Report {
            provider: self.receiver.confirmer.provider(),
            what,
            outcome,
        };
        match &report.outcome {
            Outcome::Delivered | Outcome::Repeated => tracing::info!("{report}"),
            _ => tracing::warn!("{report}"),
        }
        if let Some(on_report) = &self.receiver.on_report {
            on_report(&report);
        }
    }

    fn forget_claim(&self, key: &str) {
        if let Ok(mut claims) = self.claims.lock() {
            claims.forget(key);
        }
    }
}

async fn receive<C: Confirm>(
    State(shared): State<Arc<Shared<C>>>,
    // Decoded by axum's router; a segment that is not UTF-8 leaves none (the provider's
    // `read` then says what is missing).
    path_params: Result<RawPathParams, RawPathParamsRejection>,
    request: Request,
) -> StatusCode {
    let source = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip());
    if shared.limiter.check_key(&source).is_err() {
        shared.report(String::new(), Outcome::RateLimited);
        return StatusCode::TOO_MANY_REQUESTS;
    }
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, shared.receiver.body_limit).await else {
        shared.report(String::new(), Outcome::TooLarge);
        return StatusCode::PAYLOAD_TOO_LARGE;
    };
    let callback = Callback {
        path_params: path_params.map_or_else(
            |_| Vec::new(),
            |params| {
                params
                    .iter()
                    .map(|(name, value)| (name.to_owned(), value.to_owned()))
                    .collect()
            },
        ),
        method: parts.method,
        query: parts.uri.query().map(str::to_owned),
        content_type: parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body,
    };
    let confirmer = &shared.receiver.confirmer;
    let claim = match confirmer.read(&callback) {
        Ok(claim) => claim,
        Err(why) => {
            shared.report(String::new(), Outcome::Malformed(why));
            return StatusCode::BAD_REQUEST;
        }
    };
    let what = confirmer.describe(&claim);
    let key = confirmer.claim_key(&claim);
    let new = shared
        .claims
        .lock()
        .is_ok_and(|mut c| c.insert(key.clone()));
    if !new {
        shared.report(what, Outcome::Repeated);
        return StatusCode::OK;
    }
    if shared.waiting.fetch_add(1, Ordering::SeqCst) >= shared.receiver.max_waiting {
        shared.waiting.fetch_sub(1, Ordering::SeqCst);
        shared.forget_claim(&key);
        shared.report(what, Outcome::Overloaded);
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    tokio::spawn(confirm_and_deliver(shared, claim, key, what));
    StatusCode::OK
}

/// In the background: ask the provider until it confirms, refuses or the bound runs out; hand
/// a confirmed event over once.
async fn confirm_and_deliver<C: Confirm>(
    shared: Arc<Shared<C>>,
    claim: C::Claim,
    key: String,
    what: String,
) {
    let permit = shared.permits.clone().acquire_owned().await;
    shared.waiting.fetch_sub(1, Ordering::SeqCst);
    let Ok(_permit) = permit else {
        return;
    };
    let receiver = &shared.receiver;
    let deadline = tokio::time::Instant::now() + receiver.confirm_for;
    let mut pause = receiver.first_retry;
    let event = loop {
        let why =
            match tokio::time::timeout(receiver.lookup_timeout, receiver.confirmer.confirm(&claim))
                .await
            {
                Ok(Verdict::Confirmed(event)) => break event,
                Ok(Verdict::Refused(why)) => {
                    shared.report(what, Outcome::Refused(why));
                    return;
                }
                Ok(Verdict::NotYet(why)) => why,
                Err(_) => format!(
                    "the provider's lookup took longer than {} ms",
                    receiver.lookup_timeout.as_millis()
                ),
            };
        let now = tokio::time::Instant::now();
        if now >= deadline {
            // A later repeat of the callback may try again.
            shared.forget_claim(&key);
            shared.report(what, Outcome::Unconfirmed(why));
            return;
        }
        tokio::time::sleep(pause.min(deadline - now)).await;
        pause = (pause * 2).min(Duration::from_secs(30));
    };
    let event_key = receiver.confirmer.event_key(&event);
    let new = shared
        .events
        .lock()
        .is_ok_and(|mut e| e.insert(event_key.clone()));
    if !new {
        shared.report(what, Outcome::Repeated);
        return;
    }
    match (receiver.handler)(event).await {
        Ok(()) => shared.report(what, Outcome::Delivered),
        Err(error) => {
            // Not taken: a repeat of the callback is handed over again.
            if let Ok(mut events) = shared.events.lock() {
                events.forget(&event_key);
            }
            shared.forget_claim(&key);
            shared.report(what, Outcome::HandlerFailed(error.to_string()));
        }
    }
}
