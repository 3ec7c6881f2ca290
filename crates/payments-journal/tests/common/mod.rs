//! A scripted provider that records every call it is sent, and each store a test's journal
//! can live on: shared by the journal's test suites.

#![allow(dead_code, unused_imports, unreachable_pub, clippy::unwrap_used)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use payments_core::card::Card;
use payments_core::{
    Capabilities, Currency, Error, Lookup, Money, Operation, Payment, PaymentMethod,
    PaymentMethodKind, PaymentProvider, PaymentRequest, PaymentStatus, PendingCall, Result,
    SendPhase,
};
use payments_journal::{IdempotencyKey, IntentState, IntentStore};

mod stores;
pub use stores::TestJournal;

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
    /// The journal through a connection of its own, read as each request leaves.
    pub watcher: Option<Arc<dyn IntentStore>>,
}

impl Scripted {
    pub fn new() -> Arc<Scripted> {
        Arc::new(Scripted {
            script: Mutex::new(Script::default()),
            watcher: None,
        })
    }

    pub fn watching(watcher: Arc<dyn IntentStore>) -> Arc<Scripted> {
        Arc::new(Scripted {
            script: Mutex::new(Script::default()),
            watcher: Some(watcher),
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
        if let Some(other) = &self.watcher {
            // Another connection, as another process would see the journal: the claim must be
            // committed before the request leaves.
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

pub fn journal_code(err: &Error) -> &'static str {
    match err {
        Error::Journal { code, .. } => code,
        other => panic!("not a journal error: {other:?}"),
    }
}
