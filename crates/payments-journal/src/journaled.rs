//! [`Journaled`]: any provider, with every money-moving call claimed in the journal before it
//! is sent, answered from the journal when repeated, and reconciled when its answer was lost.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use payments_core::{
    CaptureMode, Error, ErrorKind, Lookup, Money, Operation, Payment, PaymentMethod,
    PaymentProvider, PaymentRequest, PaymentStatus, PendingCall, Result,
};

use crate::error::JournalError;
use crate::intent::{Fingerprint, Intent, IntentState, Outcome, from_ms, now_ms, to_ms};
use crate::key::IdempotencyKey;
use crate::store::{Claim, IntentStore, Lease};

/// The default lease on a key while a call is in flight: longer than any call's timeout and
/// retry budget, so a live caller never loses its key to a reconciler.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(120);

/// How long a call waits for another attempt on its key to finish ([`Journaled::wait_for_other_attempts`]).
pub const DEFAULT_WAIT: Duration = Duration::from_secs(5);

/// How often a waiting call looks again.
const WAIT_POLL: Duration = Duration::from_millis(25);

/// How old a pending intent may be before [`Journaled::reconcile_pending`] reports it as stale.
pub const DEFAULT_STALE_AFTER: Duration = Duration::from_secs(15 * 60);

type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<Payment>> + Send + 'a>>;

/// Sends one attempt of a call (called again only after the last provably did nothing).
type Sender<'a> = dyn Fn() -> SendFuture<'a> + Sync + 'a;

/// The journal's record of a payment answered from the journal (a repeated key), attached to
/// the [`Payment`] in place of the provider's record, which the journal does not keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalRecord {
    /// The idempotency key.
    pub key: String,
    /// The attempts that were sent.
    pub attempts: u32,
    /// The merchant's reference.
    pub reference: Option<String>,
}

/// A provider whose money-moving calls go through an intent journal.
///
/// ```no_run
/// # async fn run(provider: std::sync::Arc<dyn payments_core::PaymentProvider>,
/// #              request: payments_core::PaymentRequest) -> payments_core::Result<()> {
/// use std::sync::Arc;
/// use payments_journal::{IdempotencyKey, Journaled, SqliteStore};
///
/// let store = Arc::new(SqliteStore::open("payments-journal.sqlite3")?);
/// let journaled = Journaled::new(provider, store);
/// let key = IdempotencyKey::parse("order-1042")?;
/// // A second call with the same key and request returns the first one's payment, unsent.
/// let payment = journaled.create_payment(&key, &request).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Journaled {
    provider: Arc<dyn PaymentProvider>,
    store: Arc<dyn IntentStore>,
    lease: Duration,
    stale_after: Duration,
    wait: Duration,
}

impl fmt::Debug for Journaled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Journaled")
            .field("provider", &self.provider.name())
            .field("store", &self.store)
            .field("lease", &self.lease)
            .finish()
    }
}

/// A money-moving call, described by what the journal records of it.
struct Call {
    operation: Operation,
    reference: Option<String>,
    target: Option<String>,
    amount: Option<Money>,
    customer_id: Option<String>,
    fingerprint: String,
}

impl Call {
    fn new(operation: Operation, target: Option<&str>, amount: Option<Money>) -> Call {
        Call {
            operation,
            reference: None,
            target: target.map(str::to_owned),
            amount,
            customer_id: None,
            fingerprint: String::new(),
        }
    }

    fn pending(&self, key: &IdempotencyKey, sent_at: SystemTime) -> PendingCall {
        let mut call = PendingCall::new(self.operation, key.as_str(), sent_at)
            .with_amount(self.amount)
            .with_customer_id(self.customer_id.clone());
        if let Some(reference) = &self.reference {
            call = call.with_reference(reference.clone());
        }
        if let Some(target) = &self.target {
            call = call.with_target(target.clone());
        }
        call
    }
}

/// The call an intent recorded, for the provider's lookups.
fn pending_from(intent: &Intent) -> Result<PendingCall> {
    let operation = intent.operation().ok_or_else(|| {
        Error::from(JournalError::NeedsAttention {
            key: intent.key.clone(),
            reason: format!("unknown operation {:?} in the journal", intent.operation),
        })
    })?;
    let mut call = PendingCall::new(
        operation,
        intent.journal_reference.clone(),
        from_ms(intent.sent_at_ms.unwrap_or(intent.created_at_ms)),
    )
    .with_amount(intent.money())
    .with_customer_id(intent.customer_id.clone())
    .with_snapshot(intent.snapshot.clone());
    if let Some(reference) = &intent.reference {
        call = call.with_reference(reference.clone());
    }
    if let Some(target) = &intent.target {
        call = call.with_target(target.clone());
    }
    Ok(call)
}

/// Whether a failed call provably did nothing at the provider, so the key may send again.
fn nothing_happened(err: &Error) -> bool {
    err.nothing_happened_and_retryable()
        || matches!(
            err.kind(),
            ErrorKind::InvalidInput
                | ErrorKind::Configuration
                | ErrorKind::Authentication
                | ErrorKind::Unsupported
        )
}

/// A failed lookup before the payment: the payment was not sent, whatever the lookup's own
/// outcome (an unknown outcome of a read must not read as one of the payment).
fn lookup_failed(key: &IdempotencyKey, err: Error) -> Error {
    if err.outcome_unknown() {
        JournalError::LookupFailed {
            key: key.as_str().to_owned(),
            reason: err.to_string(),
        }
        .into()
    } else {
        err
    }
}

/// A fresh lease owner: the fencing token of one call.
fn new_owner() -> Result<String> {
    Ok(hex::encode(payments_core::random::secure_bytes::<16>()?))
}

/// What [`Journaled::reconcile_pending`] did with each pending intent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReconcileReport {
    /// Keys settled now, with the state each reached and why.
    pub settled: Vec<(String, IntentState, String)>,
    /// Keys still pending, with why (in flight, not provable yet, a lookup failed).
    pub still_pending: Vec<(String, String)>,
    /// Pending keys older than the stale bound (also in `still_pending`).
    pub stale: Vec<String>,
}

impl Journaled {
    /// Wraps `provider`, journaling into `store`.
    pub fn new(provider: Arc<dyn PaymentProvider>, store: Arc<dyn IntentStore>) -> Journaled {
        Journaled {
            provider,
            store,
            lease: DEFAULT_LEASE,
            stale_after: DEFAULT_STALE_AFTER,
            wait: DEFAULT_WAIT,
        }
    }

    /// Sets how long a call waits for another attempt holding the same key (or scope) to
    /// finish, before it gives up with `in_progress` ([`DEFAULT_WAIT`]). Two servers handed the
    /// same key at once: the loser waits, then answers with the winner's outcome.
    pub fn wait_for_other_attempts(mut self, wait: Duration) -> Journaled {
        self.wait = wait;
        self
    }

    /// Sets how long a call holds its key ([`DEFAULT_LEASE`]); keep it above the provider's
    /// request timeout and retry budget.
    pub fn lease(mut self, lease: Duration) -> Journaled {
        self.lease = lease;
        self
    }

    /// Sets when a pending intent is reported as stale ([`DEFAULT_STALE_AFTER`]).
    pub fn stale_after(mut self, stale_after: Duration) -> Journaled {
        self.stale_after = stale_after;
        self
    }

    /// The wrapped provider.
    pub fn provider(&self) -> &Arc<dyn PaymentProvider> {
        &self.provider
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn IntentStore> {
        &self.store
    }

    /// [`PaymentProvider::create_payment`] under `key`. The key is sent as the request's
    /// [`journal_reference`](PaymentRequest::journal_reference).
    pub async fn create_payment(
        &self,
        key: &IdempotencyKey,
        request: &PaymentRequest,
    ) -> Result<Payment> {
        let request = request.clone().with_journal_reference(key.as_str())?;
        let (method, card_last4) = match &request.method {
            PaymentMethod::Card(card) => ("card", Some(card.number().masked().last4().to_owned())),
            PaymentMethod::StoredCard { .. } => ("stored_card", None),
            PaymentMethod::Crypto { asset } => ("crypto", Some(asset.to_ascii_lowercase())),
            _ => ("provider_default", None),
        };
        let mut call = Call::new(Operation::CreatePayment, None, Some(request.amount));
        call.reference = Some(request.reference.clone());
        call.customer_id = request.customer.id.clone();
        call.fingerprint = self
            .fingerprint(&call)
            .field("reference", Some(&request.reference))
            .field("method", Some(method))
            .field("method_detail", card_last4.as_deref())
            .field(
                "capture",
                Some(match request.capture {
                    CaptureMode::Manual => "manual",
                    _ => "automatic",
                }),
            )
            .finish();
        let provider = &self.provider;
        let request = &request;
        self.run(key, call, &move || {
            Box::pin(async move { provider.create_payment(request).await })
        })
        .await
    }

    /// [`PaymentProvider::capture_payment`] under `key`.
    pub async fn capture_payment(
        &self,
        key: &IdempotencyKey,
        payment_id: &str,
        amount: Option<Money>,
    ) -> Result<Payment> {
        self.follow_up(key, Operation::CapturePayment, payment_id, amount)
            .await
    }

    /// [`PaymentProvider::void_payment`] under `key`.
    pub async fn void_payment(&self, key: &IdempotencyKey, payment_id: &str) -> Result<Payment> {
        self.follow_up(key, Operation::VoidPayment, payment_id, None)
            .await
    }

    /// [`PaymentProvider::refund_payment`] under `key`.
    pub async fn refund_payment(
        &self,
        key: &IdempotencyKey,
        payment_id: &str,
        amount: Option<Money>,
    ) -> Result<Payment> {
        self.follow_up(key, Operation::RefundPayment, payment_id, amount)
            .await
    }

    /// [`PaymentProvider::cancel_payment`] under `key`.
    pub async fn cancel_payment(&self, key: &IdempotencyKey, payment_id: &str) -> Result<Payment> {
        self.follow_up(key, Operation::CancelPayment, payment_id, None)
            .await
    }

    /// A call on an existing payment (`target`), journaled under `key`.
    async fn follow_up(
        &self,
        key: &IdempotencyKey,
        operation: Operation,
        target: &str,
        amount: Option<Money>,
    ) -> Result<Payment> {
        let mut call = Call::new(operation, Some(target), amount);
        call.fingerprint = self.fingerprint(&call).finish();
        let provider = &self.provider;
        self.run(key, call, &move || {
            Box::pin(async move {
                match operation {
                    Operation::CapturePayment => provider.capture_payment(target, amount).await,
                    Operation::VoidPayment => provider.void_payment(target).await,
                    Operation::RefundPayment => provider.refund_payment(target, amount).await,
                    Operation::CancelPayment => provider.cancel_payment(target).await,
                    other => Err(Error::invalid_input(
                        "operation",
                        format!("{other} does not act on an existing payment"),
                    )),
                }
            })
        })
        .await
    }

    /// The fields every call's fingerprint starts with.
    fn fingerprint(&self, call: &Call) -> Fingerprint {
        let amount = call.amount.map(|m| m.amount().to_string());
        let currency = call.amount.map(|m| m.currency().code().to_owned());
        Fingerprint::default()
            .field("provider", Some(self.provider.name()))
            .field("operation", Some(call.operation.as_str()))
            .field("target", call.target.as_deref())
            .field("amount", amount.as_deref())
            .field("currency", currency.as_deref())
            .field("customer", call.customer_id.as_deref())
    }

    fn lease_for(&self, owner: &str) -> Lease {
        Lease {
            owner: owner.to_owned(),
            until: SystemTime::now() + self.lease,
        }
    }

    /// Claim (or find), send once, record.
    async fn run<'s>(
        &self,
        key: &IdempotencyKey,
        call: Call,
        send: &Sender<'s>,
    ) -> Result<Payment> {
        let owner = new_owner()?;
        // A key seen before is answered by the claim below; with a scope it is looked for
        // first, so a replay is not held up by another key's lease on the scope.
        let pending = call.pending(key, SystemTime::now());
        if self.provider.reconciliation_scope(&pending).is_some()
            && let Some(existing) = self.store.get(key.as_str()).await?
        {
            return self.resume(key, existing, &call, &owner, send).await;
        }
        let (scope, snapshot) = self.prepare_send(key, &owner, &pending).await?;
        let lease = self.lease_for(&owner);
        let now = now_ms();
        let intent = Intent {
            key: key.as_str().to_owned(),
            provider: self.provider.name().to_owned(),
            operation: call.operation.as_str().to_owned(),
            fingerprint: call.fingerprint.clone(),
            reference: call.reference.clone(),
            journal_reference: key.as_str().to_owned(),
            target: call.target.clone(),
            amount: call.amount.map(|m| m.amount().to_string()),
            currency: call.amount.map(|m| m.currency().code().to_owned()),
            customer_id: call.customer_id.clone(),
            snapshot,
            state: IntentState::Pending,
            attempts: 1,
            payment_id: None,
            payment_status: None,
            payment_detail: None,
            reason: None,
            created_at_ms: now,
            updated_at_ms: now,
            // The claim is the attempt: one commit, synced, before the first byte is sent.
            sent_at_ms: Some(now),
            lease_owner: Some(owner.clone()),
            lease_until_ms: Some(to_ms(lease.until)),
        };
        match self.store.claim(&intent).await {
            Ok(Claim::Claimed) => self.send_and_record(key, &owner, send).await,
            Ok(Claim::Existing(existing)) => {
                self.give_back_scope(key, &owner, scope.as_deref()).await;
                self.resume(key, *existing, &call, &owner, send).await
            }
            Err(err) => {
                self.give_back_scope(key, &owner, scope.as_deref()).await;
                Err(err.into())
            }
        }
    }

    async fn take_scope(
        &self,
        key: &IdempotencyKey,
        owner: &str,
        scope: Option<&str>,
    ) -> Result<()> {
        let Some(scope) = scope else {
            return Ok(());
        };
        let started = std::time::Instant::now();
        loop {
            let until = SystemTime::now() + self.lease;
            if self
                .store
                .lease_scope(scope, key.as_str(), owner, until)
                .await?
            {
                return Ok(());
            }
            if started.elapsed() >= self.wait {
                return Err(JournalError::InProgress {
                    key: key.as_str().to_owned(),
                    what: format!("the scope {scope}"),
                    waited: started.elapsed(),
                }
                .into());
            }
            tokio::time::sleep(WAIT_POLL).await;
        }
    }

    async fn give_back_scope(&self, key: &IdempotencyKey, owner: &str, scope: Option<&str>) {
        if let Some(scope) = scope
            && let Err(err) = self.store.release_scope(scope, owner).await
        {
            tracing::warn!(key = key.as_str(), error = %err, "could not release a scope lease; it expires on its own");
        }
    }

    /// What comes before an attempt is claimed for sending: the provider's scope leased to
    /// this call (waiting, bounded, while another holds it), then the provider's snapshot. On
    /// a failed snapshot the scope is given back; nothing of the payment was sent.
    async fn prepare_send(
        &self,
        key: &IdempotencyKey,
        owner: &str,
        pending: &PendingCall,
    ) -> Result<(Option<String>, Option<String>)> {
        let scope = self.provider.reconciliation_scope(pending);
        self.take_scope(key, owner, scope.as_deref()).await?;
        match self.provider.prepare_reconciliation(pending).await {
            Ok(snapshot) => Ok((scope, snapshot)),
            Err(err) => {
                self.give_back_scope(key, owner, scope.as_deref()).await;
                Err(lookup_failed(key, err))
            }
        }
    }

    /// Sends the claimed attempt and records what came back.
    async fn send_and_record<'s>(
        &self,
        key: &IdempotencyKey,
        owner: &str,
        send: &Sender<'s>,
    ) -> Result<Payment> {
        match send().await {
            Ok(payment) => {
                self.record(key, owner, &Outcome::succeeded(&payment)).await;
                Ok(payment)
            }
            Err(err) if err.outcome_unknown() => {
                // Stays pending, with its scope: the provider's lookups settle it.
                if let Err(store) = self
                    .store
                    .release(key.as_str(), owner, &err.to_string())
                    .await
                {
                    tracing::warn!(key = key.as_str(), error = %store, "could not release the key's lease; it expires on its own");
                }
                Err(err)
            }
            Err(err) if nothing_happened(&err) => {
                if let Err(store) = self
                    .store
                    .record_not_sent(key.as_str(), owner, &err.to_string())
                    .await
                {
                    tracing::warn!(key = key.as_str(), error = %store, "could not record that nothing was sent; the intent stays pending");
                }
                Err(err)
            }
            Err(err) => {
                let outcome = Outcome::Failed {
                    reason: err.to_string(),
                };
                self.record(key, owner, &outcome).await;
                Err(err)
            }
        }
    }

    /// Records an outcome the provider gave; if the journal cannot take it, the caller still
    /// gets the provider's answer (it is what happened) and the intent stays pending, for the
    /// reconciler.
    async fn record(&self, key: &IdempotencyKey, owner: &str, outcome: &Outcome) {
        if let Err(err) = self
            .store
            .record_outcome(key.as_str(), owner, outcome)
            .await
        {
            tracing::error!(key = key.as_str(), error = %err, "the provider answered, but the journal could not record it; the intent stays pending until reconciled");
        }
    }

    /// A key seen before: answer from the journal, or settle the earlier attempt first.
    async fn resume<'s>(
        &self,
        key: &IdempotencyKey,
        existing: Intent,
        call: &Call,
        owner: &str,
        send: &Sender<'s>,
    ) -> Result<Payment> {
        if existing.fingerprint != call.fingerprint {
            return Err(JournalError::KeyReused {
                key: key.as_str().to_owned(),
                recorded: format!("{} on {}", existing.operation, existing.provider),
            }
            .into());
        }
        if let Some(answer) = self.recorded_answer(&existing) {
            return answer;
        }
        // Pending: take its lease, waiting (bounded) while another attempt holds it; if that
        // attempt finishes meanwhile, its outcome is the answer.
        let started = std::time::Instant::now();
        let intent = loop {
            if let Some(intent) = self
                .store
                .lease(key.as_str(), &self.lease_for(owner))
                .await?
            {
                break intent;
            }
            if started.elapsed() >= self.wait {
                return Err(JournalError::InProgress {
                    key: key.as_str().to_owned(),
                    what: "the key".into(),
                    waited: started.elapsed(),
                }
                .into());
            }
            tokio::time::sleep(WAIT_POLL).await;
            if let Some(now) = self.store.get(key.as_str()).await?
                && let Some(answer) = self.recorded_answer(&now)
            {
                return answer;
            }
        };
        if let Some(answer) = self.recorded_answer(&intent) {
            // Settled between the look and the lease: answer from the record, and give the
            // lease back leaving the record (its reason included) as it is.
            self.store
                .release(
                    key.as_str(),
                    owner,
                    intent.reason.as_deref().unwrap_or_default(),
                )
                .await?;
            return answer;
        }
        if intent.sent_at_ms.is_some() {
            let key = key.as_str().to_owned();
            match self.look_up(&intent, owner).await? {
                Settled::Payment(payment) => return Ok(*payment),
                Settled::NeedsAttention(reason) => {
                    return Err(JournalError::NeedsAttention { key, reason }.into());
                }
                Settled::StillPending(reason) => {
                    return Err(JournalError::StillPending { key, reason }.into());
                }
                Settled::NotTaken(_) => {}
            }
        }
        self.attempt_again(key, call, owner, send).await
    }

    /// Asks the provider what became of an intent's last attempt, and records what is proved.
    async fn look_up(&self, intent: &Intent, owner: &str) -> Result<Settled> {
        let key = intent.key.clone();
        let lookup = match pending_from(intent) {
            Ok(call) => self.provider.reconcile(&call).await,
            Err(err) => Err(err),
        };
        let lookup = match lookup {
            Ok(lookup) => lookup,
            Err(err) => {
                let reason = format!("the provider's lookup failed: {err}");
                self.store.release(&key, owner, &reason).await?;
                return Ok(Settled::StillPending(reason));
            }
        };
        Ok(match lookup {
            Lookup::Found(payment) => {
                self.store
                    .record_outcome(&key, owner, &Outcome::succeeded(&payment))
                    .await?;
                Settled::Payment(Box::new(payment))
            }
            Lookup::NotTaken { evidence } => Settled::NotTaken(evidence),
            Lookup::Unprovable { reason } => {
                let outcome = Outcome::NeedsAttention {
                    reason: reason.clone(),
                };
                self.store.record_outcome(&key, owner, &outcome).await?;
                Settled::NeedsAttention(reason)
            }
            Lookup::NotYet { reason } => {
                self.store.release(&key, owner, &reason).await?;
                Settled::StillPending(reason)
            }
            other => {
                let reason = format!("an answer this journal does not know: {other}");
                self.store.release(&key, owner, &reason).await?;
                Settled::StillPending(reason)
            }
        })
    }

    /// Sends a key's request again after its earlier attempt provably did nothing.
    async fn attempt_again<'s>(
        &self,
        key: &IdempotencyKey,
        call: &Call,
        owner: &str,
        send: &Sender<'s>,
    ) -> Result<Payment> {
        let pending = call.pending(key, SystemTime::now());
        let snapshot = match self.prepare_send(key, owner, &pending).await {
            Ok((_, snapshot)) => snapshot,
            Err(err) => {
                // Nothing was sent this time: the intent stays as it was, with the reason.
                self.store
                    .release(key.as_str(), owner, &format!("not sent this time: {err}"))
                    .await?;
                return Err(err);
            }
        };
        self.store
            .record_attempt(key.as_str(), owner, snapshot.as_deref(), SystemTime::now())
            .await?;
        self.send_and_record(key, owner, send).await
    }

    /// The answer a settled intent gives a repeated key (`None` while it is pending).
    fn recorded_answer(&self, intent: &Intent) -> Option<Result<Payment>> {
        let key = intent.key.clone();
        let reason = || intent.reason.clone().unwrap_or_default();
        match intent.state {
            IntentState::Pending => None,
            IntentState::Succeeded => Some(self.recorded_payment(intent)),
            IntentState::Failed => Some(Err(JournalError::FailedEarlier {
                key,
                reason: reason(),
            }
            .into())),
            IntentState::NeedsAttention => Some(Err(JournalError::NeedsAttention {
                key,
                reason: reason(),
            }
            .into())),
        }
    }

    /// A succeeded intent as a [`Payment`] carrying a [`JournalRecord`].
    fn recorded_payment(&self, intent: &Intent) -> Result<Payment> {
        let status = intent.status().ok_or_else(|| {
            Error::from(JournalError::NeedsAttention {
                key: intent.key.clone(),
                reason: format!(
                    "the journal's record of its payment is unreadable (status {:?})",
                    intent.payment_status
                ),
            })
        })?;
        let record = JournalRecord {
            key: intent.key.clone(),
            attempts: intent.attempts,
            reference: intent.reference.clone(),
        };
        let mut payment = Payment::new(
            self.provider.name(),
            intent.payment_id.clone().unwrap_or_default(),
            status,
            record,
        );
        if let Some(money) = intent.money() {
            payment = payment.with_amount(money);
        }
        if let Some(reference) = &intent.reference {
            payment = payment.with_reference(reference.clone());
        }
        Ok(payment)
    }

    /// Settles every pending intent of this provider that no one holds, through the
    /// provider's lookups: found → `succeeded`; provably not taken or never sent → `failed`
    /// (safe to retry with a new key); unprovable → `needs_attention`; not provable yet →
    /// left pending and reported.
    pub async fn reconcile_pending(&self) -> Result<ReconcileReport> {
        let mut report = ReconcileReport::default();
        let name = self.provider.name();
        for intent in self.store.list(Some(IntentState::Pending)).await? {
            if intent.provider != name {
                continue;
            }
            if intent.age() >= self.stale_after {
                report.stale.push(intent.key.clone());
            }
            let owner = new_owner()?;
            let Some(intent) = self
                .store
                .lease(&intent.key, &self.lease_for(&owner))
                .await?
            else {
                report
                    .still_pending
                    .push((intent.key.clone(), "another attempt holds its lease".into()));
                continue;
            };
            if intent.state != IntentState::Pending {
                self.store
                    .release(&intent.key, &owner, "settled meanwhile")
                    .await?;
                continue;
            }
            let key = intent.key.clone();
            let failure = if intent.sent_at_ms.is_none() {
                format!(
                    "never sent ({}); nothing reached the provider: retry with a new key",
                    intent
                        .reason
                        .as_deref()
                        .unwrap_or("the process stopped before sending")
                )
            } else {
                match self.look_up(&intent, &owner).await? {
                    Settled::Payment(payment) => {
                        let found = format!("found {} ({:?})", payment.id, payment.status);
                        report.settled.push((key, IntentState::Succeeded, found));
                        continue;
                    }
                    Settled::NeedsAttention(reason) => {
                        let why = JournalError::NeedsAttention {
                            key: key.clone(),
                            reason,
                        }
                        .to_string();
                        report.settled.push((key, IntentState::NeedsAttention, why));
                        continue;
                    }
                    Settled::StillPending(reason) => {
                        let why = Error::from(JournalError::StillPending {
                            key: key.clone(),
                            reason,
                        })
                        .to_string();
                        report.still_pending.push((key, why));
                        continue;
                    }
                    Settled::NotTaken(evidence) => {
                        format!("provably not taken: {evidence}; retry with a new key")
                    }
                }
            };
            let outcome = Outcome::Failed {
                reason: failure.clone(),
            };
            self.store.record_outcome(&key, &owner, &outcome).await?;
            report.settled.push((key, IntentState::Failed, failure));
        }
        Ok(report)
    }

    /// Settles the intent under `key` with a payment the caller has confirmed with the
    /// provider (a webhook checked by a status lookup): the documented way to resolve a
    /// PaymentOptions purchase whose answer was lost. Only a pending or needs-attention
    /// create of this provider, for the same amount, is settled; a confirmed failure
    /// (`PaymentStatus::Failed`) settles it as failed. Returns the state it was settled in.
    pub async fn settle_confirmed(
        &self,
        key: &IdempotencyKey,
        confirmed: &Payment,
    ) -> Result<IntentState> {
        let owner = new_owner()?;
        let refuse = |reason: String| -> Result<IntentState> {
            Err(JournalError::NeedsAttention {
                key: key.as_str().to_owned(),
                reason,
            }
            .into())
        };
        let Some(intent) = self
            .store
            .lease(key.as_str(), &self.lease_for(&owner))
            .await?
        else {
            return Err(JournalError::InProgress {
                key: key.as_str().to_owned(),
                what: "the key".into(),
                waited: Duration::ZERO,
            }
            .into());
        };
        let release = |reason: &'static str| self.store.release(key.as_str(), &owner, reason);
        if intent.provider != self.provider.name()
            || !matches!(
                intent.state,
                IntentState::Pending | IntentState::NeedsAttention
            )
        {
            release("a confirmation did not match").await?;
            return refuse(format!(
                "a confirmed {} payment cannot settle a {} intent of {}",
                self.provider.name(),
                intent.state,
                intent.provider
            ));
        }
        if let (Some(recorded), Some(confirmed_amount)) = (intent.money(), confirmed.amount)
            && recorded != confirmed_amount
        {
            release("a confirmation did not match").await?;
            return refuse(format!(
                "the confirmed payment is for {confirmed_amount}, the intent for {recorded}"
            ));
        }
        // A confirmed failure (a declined 3-D Secure challenge, say) settles it as failed.
        let outcome = match &confirmed.status {
            PaymentStatus::Failed { reason } => Outcome::Failed {
                reason: format!("confirmed by {}: {reason}", self.provider.name()),
            },
            _ => Outcome::succeeded(confirmed),
        };
        self.store
            .record_outcome(key.as_str(), &owner, &outcome)
            .await?;
        Ok(outcome.state())
    }
}

/// What a lookup settled.
enum Settled {
    /// Found: recorded as succeeded.
    Payment(Box<Payment>),
    /// Provably not taken: the caller decides (send again, or record a failure).
    NotTaken(String),
    /// Unprovable: recorded as needs-attention, with this reason.
    NeedsAttention(String),
    /// Not settled: left pending (lease released), with this reason.
    StillPending(String),
}
