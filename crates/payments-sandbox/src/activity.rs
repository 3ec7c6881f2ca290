//! What the sandbox did besides moving money, for the dashboard and for tests: the callbacks it
//! posted (and what came back), and the requests it refused before processing them (and why).
//! Each list keeps the newest 10,000.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::faults::lock;

const KEPT: usize = 10_000;

/// A callback the sandbox posted: a Zaif notification or a PaymentOptions webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallbackRecord {
    /// `zaif` or `paymentoptions`.
    pub provider: &'static str,
    /// `notification POST`, `notification GET` or `webhook`.
    pub kind: &'static str,
    /// The invoice or transaction it is about.
    pub subject: String,
    /// Where it went (the merchant's URL, as the merchant gave it).
    pub target: String,
    /// The merchant's answer: its HTTP status, or why there was none.
    pub answer: String,
    /// Unix milliseconds.
    pub at_ms: u128,
}

/// A request refused before it was processed: a bad key, signature or nonce.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// The provider.
    pub provider: &'static str,
    /// The route (Zaif's method, PaymentOptions' operation, INTER-STREAM's action).
    pub route: String,
    /// Why, as the provider said it.
    pub reason: String,
    /// Unix milliseconds.
    pub at_ms: u128,
}

#[derive(Debug, Default)]
pub(crate) struct Activity {
    callbacks: Mutex<VecDeque<CallbackRecord>>,
    refusals: Mutex<VecDeque<Refusal>>,
}

pub(crate) fn now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0)
}

fn keep<T>(list: &Mutex<VecDeque<T>>, item: T) {
    let mut list = lock(list);
    list.push_back(item);
    while list.len() > KEPT {
        list.pop_front();
    }
}

impl Activity {
    pub(crate) fn callback(
        &self,
        provider: &'static str,
        kind: &'static str,
        subject: &str,
        target: &str,
        answer: Result<u16, String>,
    ) {
        keep(
            &self.callbacks,
            CallbackRecord {
                provider,
                kind,
                subject: subject.to_owned(),
                target: target.to_owned(),
                answer: match answer {
                    Ok(status) => status.to_string(),
                    Err(reason) => format!("no answer: {reason}"),
                },
                at_ms: now_ms(),
            },
        );
    }

    pub(crate) fn refused(&self, provider: &'static str, route: &str, reason: &str) {
        keep(
            &self.refusals,
            Refusal {
                provider,
                route: route.to_owned(),
                reason: reason.to_owned(),
                at_ms: now_ms(),
            },
        );
    }

    pub(crate) fn callbacks(&self) -> Vec<CallbackRecord> {
        lock(&self.callbacks).iter().cloned().collect()
    }

    /// One provider's callbacks, copied under the lock without the others.
    pub(crate) fn callbacks_of(&self, provider: &str) -> Vec<CallbackRecord> {
        lock(&self.callbacks)
            .iter()
            .filter(|c| c.provider == provider)
            .cloned()
            .collect()
    }

    pub(crate) fn refusals(&self) -> Vec<Refusal> {
        lock(&self.refusals).iter().cloned().collect()
    }
}
