//! A scripted provider that records every call it is sent, shared by the journal's test
//! suites (SQLite and PostgreSQL).

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use payments_core::card::Card;
use payments_core::{
    Capabilities, Currency, Error, Lookup, Money, Operation, Payment, PaymentMethod,
    PaymentMethodKind, PaymentProvider, PaymentRequest, PaymentStatus, PendingCall, Result,
    SendPhase,
};
use payments_journal::{IdempotencyKey, IntentState, IntentStore, SqliteStore};

/// What the scripted provider does with the next call.
#[derive(Debug, Clone)]
pub enum Answer {
    Ok,
    Lost,
    Declined,
    NotSent,
}

#[derive(Debug, Default)]
pub struct Script {
    pub answers: VecDeque<Answer>,
    pub lookups: VecDeque<Lookup>,
    pub sent: Vec<(Operation, String)>,
    pub looked_up: usize,
    /// A second connection's view of the journal at the moment each request was "sent".
    pub seen_in_journal: Vec<Option<IntentState>>,
    /// The lookup before each payment times out.
    pub prepare_times_out: bool,
}

#[derive(Debug)]
pub struct Scripted {
    pub script: Mutex<Script>,
    pub journal_path: Option<std::path::PathBuf>,
}

impl Scripted {
    pub fn new() -> Arc<Scripted> {
        Arc::new(Scripted {
            script: Mutex::new(Script::default()),
            journal_path: None,
        })
    }

    pub fn watching(path: &std::path::Path) -> Arc<Scripted> {
        Arc::new(Scripted {
            script: Mutex::new(Script::default()),
            journal_path: Some(path.to_owned()),
        })
    }

    pub fn answer(&self, answers: &[Answer]) {
        self.script
            .lock()
            .unwrap()
            .answers
            .extend(answers.iter().cloned());
    }

    pub fn lookup(&self, lookup: Lookup) {
        self.script.lock().unwrap().lookups.push_back(lookup);
    }

    pub fn sent(&self) -> usize {
        self.script.lock().unwrap().sent.len()
    }

    pub fn looked_up(&self) -> usize {
        self.script.lock().unwrap().looked_up
    }

    async fn send(&self, operation: Operation, what: String) -> Result<Payment> {
        if let Some(path) = &self.journal_path {
            // Another connection, as another process would see the file: the claim must be
            // committed before the request leaves.
            let other = SqliteStore::open(path).unwrap();
            let state = other
                .list(None)
                .await
                .unwrap()
                .into_iter()
                .find(|i| i.sent_at_ms.is_some() && i.state == IntentState::Pending)
                .map(|i| i.state);
            self.script.lock().unwrap().seen_in_journal.push(state);
        }
        let answer = {
            let mut script = self.script.lock().unwrap();
            script.sent.push((operation, what.clone()));
            script.answers.pop_front().unwrap_or(Answer::Ok)
        };
        let n = self.sent();
        match answer {
            Answer::Ok => Ok(Payment::new(
                "scripted",
                format!("pay-{n}"),
                PaymentStatus::Captured,
                what,
            )
            .with_amount(yen("1000"))),
            Answer::Lost => Err(Error::Timeout {
                provider: "scripted",
                phase: SendPhase::MaybeSent,
            }),
            Answer::NotSent => Err(Error::Transport {
                provider: "scripted",
                phase: SendPhase::NotSent,
                message: "connection refused".into(),
                source: None,
            }),
            Answer::Declined => Err(Error::Declined {
                provider: "scripted",
                code: "05".into(),
                message: "Do not honour".into(),
            }),
        }
    }
}

#[async_trait::async_trait]
impl PaymentProvider for Scripted {
    fn name(&self) -> &'static str {
        "scripted"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::create_only(&[PaymentMethodKind::Card, PaymentMethodKind::StoredCard])
            .with_refund_payment()
    }

    async fn create_payment(&self, request: &PaymentRequest) -> Result<Payment> {
        let reference = request.journal_reference.clone().unwrap_or_default();
        self.send(Operation::CreatePayment, reference).await
    }

    async fn refund_payment(&self, payment_id: &str, amount: Option<Money>) -> Result<Payment> {
        self.send(Operation::RefundPayment, format!("{payment_id} {amount:?}"))
            .await
    }

    async fn prepare_reconciliation(&self, _call: &PendingCall) -> Result<Option<String>> {
        if self.script.lock().unwrap().prepare_times_out {
            return Err(Error::Timeout {
                provider: "scripted",
                phase: SendPhase::MaybeSent,
            });
        }
        Ok(None)
    }

    async fn reconcile(&self, _call: &PendingCall) -> Result<Lookup> {
        let mut script = self.script.lock().unwrap();
        script.looked_up += 1;
        Ok(script.lookups.pop_front().unwrap_or(Lookup::NotYet {
            reason: "scripted: nothing yet".into(),
        }))
    }
}

pub fn yen(amount: &str) -> Money {
    Money::parse(amount, Currency::JPY).unwrap()
}

pub fn key(text: &str) -> IdempotencyKey {
    IdempotencyKey::parse(text).unwrap()
}

pub fn card_request(amount: &str, number: &str) -> PaymentRequest {
    let card = Card::new(number, "12", "39", "7391", "Jane Doe").unwrap();
    PaymentRequest::new(yen(amount), "order-1")
        .unwrap()
        .with_method(PaymentMethod::Card(Box::new(card)))
}

pub fn open(dir: &tempfile::TempDir) -> Arc<SqliteStore> {
    Arc::new(SqliteStore::open(dir.path().join("journal.sqlite3")).unwrap())
}

pub fn journal_code(err: &Error) -> &'static str {
    match err {
        Error::Journal { code, .. } => code,
        other => panic!("not a journal error: {other:?}"),
    }
}

/// Fencing: a holder whose lease expired (a paused winner) cannot record over the caller that
/// took the lease from it (a reconciler); the new holder can. Run against every store.
pub async fn a_stale_holder_cannot_record_over_the_one_who_took_its_lease(
    store: Arc<dyn IntentStore>,
) {
    use payments_journal::{JournalError, Journaled, Lease, Outcome};
    use std::time::{Duration, SystemTime};
    let provider = Scripted::new();
    provider.answer(&[Answer::Lost]);
    Journaled::new(provider, store.clone())
        .create_payment(&key("fence-1"), &card_request("1000", "4111111111111111"))
        .await
        .unwrap_err();
    let expired = Lease {
        owner: "paused-winner".into(),
        until: SystemTime::now() - Duration::from_secs(1),
    };
    assert!(store.lease("fence-1", &expired).await.unwrap().is_some());
    let reconciler = Lease {
        owner: "reconciler".into(),
        until: SystemTime::now() + Duration::from_secs(60),
    };
    assert!(store.lease("fence-1", &reconciler).await.unwrap().is_some());
    // While the reconciler's lease is live, nobody else takes it.
    let third = Lease {
        owner: "third".into(),
        until: SystemTime::now() + Duration::from_secs(60),
    };
    assert!(store.lease("fence-1", &third).await.unwrap().is_none());
    let late = store
        .record_outcome(
            "fence-1",
            "paused-winner",
            &Outcome::Failed {
                reason: "late".into(),
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(late, JournalError::LeaseLost { .. }), "{late:?}");
    store
        .record_outcome(
            "fence-1",
            "reconciler",
            &Outcome::NeedsAttention {
                reason: "checked".into(),
            },
        )
        .await
        .unwrap();
    let intent = store.get("fence-1").await.unwrap().unwrap();
    assert_eq!(intent.state, IntentState::NeedsAttention);
    assert_eq!(intent.reason.as_deref(), Some("checked"));
}

/// A scope lease belongs to the call that took it: a second call for the same key neither
/// shares it nor releases it (two servers handed one key at once must not let a third payment
/// to the same user slip between them). Run against every store.
pub async fn a_scope_lease_belongs_to_the_call_that_took_it(store: Arc<dyn IntentStore>) {
    use std::time::{Duration, SystemTime};
    let until = SystemTime::now() + Duration::from_secs(60);
    assert!(
        store
            .lease_scope("user:7", "k-7", "call-a", until)
            .await
            .unwrap()
    );
    // The same call again: still its own.
    assert!(
        store
            .lease_scope("user:7", "k-7", "call-a", until)
            .await
            .unwrap()
    );
    // Another call for the same key, and one for another key: refused.
    assert!(
        !store
            .lease_scope("user:7", "k-7", "call-b", until)
            .await
            .unwrap()
    );
    assert!(
        !store
            .lease_scope("user:7", "k-8", "call-c", until)
            .await
            .unwrap()
    );
    // The other call giving up its (never taken) lease leaves the holder's in place.
    store.release_scope("user:7", "call-b").await.unwrap();
    assert!(
        !store
            .lease_scope("user:7", "k-8", "call-c", until)
            .await
            .unwrap()
    );
    // The holder gives it back: free.
    store.release_scope("user:7", "call-a").await.unwrap();
    assert!(
        store
            .lease_scope("user:7", "k-8", "call-c", until)
            .await
            .unwrap()
    );
    // An expired lease whose key is not pending is free again.
    let past = SystemTime::now() - Duration::from_secs(1);
    assert!(
        store
            .lease_scope("user:9", "k-9", "call-d", past)
            .await
            .unwrap()
    );
    assert!(
        store
            .lease_scope("user:9", "k-10", "call-e", until)
            .await
            .unwrap()
    );
}

/// Giving back a lease on a settled intent leaves its record (and reason) as it is.
pub async fn releasing_a_settled_intent_keeps_its_reason(store: Arc<dyn IntentStore>) {
    use payments_journal::{Journaled, Lease, Outcome};
    use std::time::{Duration, SystemTime};
    let provider = Scripted::new();
    provider.answer(&[Answer::Lost]);
    Journaled::new(provider, store.clone())
        .create_payment(&key("keep-1"), &card_request("1000", "4111111111111111"))
        .await
        .unwrap_err();
    let lease = Lease {
        owner: "settler".into(),
        until: SystemTime::now() + Duration::from_secs(60),
    };
    assert!(store.lease("keep-1", &lease).await.unwrap().is_some());
    let reason = "no lookup: check the dashboard for merchant_txn_ref keep-1";
    store
        .record_outcome(
            "keep-1",
            "settler",
            &Outcome::NeedsAttention {
                reason: reason.into(),
            },
        )
        .await
        .unwrap();
    let late = Lease {
        owner: "late-caller".into(),
        until: SystemTime::now() + Duration::from_secs(60),
    };
    assert!(store.lease("keep-1", &late).await.unwrap().is_some());
    store
        .release("keep-1", "late-caller", "answered from the record")
        .await
        .unwrap();
    let intent = store.get("keep-1").await.unwrap().unwrap();
    assert_eq!(intent.state, IntentState::NeedsAttention);
    assert_eq!(intent.reason.as_deref(), Some(reason));
}
