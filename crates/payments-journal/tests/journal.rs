//! The journal's promises, against a scripted provider that records every call it is sent:
//! one suite, run on every store (`name::sqlite`, `name::postgres`). What only one store can
//! get wrong (a corrupt file, a dropped database connection) is in `sqlite.rs` and
//! `postgres.rs`.

// Test helpers panic on failure by design.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;

use payments_core::{
    Capabilities, Currency, Error, Lookup, Money, Operation, Payment, PaymentMethod,
    PaymentMethodKind, PaymentProvider, PaymentRequest, PaymentStatus, PendingCall, Result, Secret,
};
use payments_journal::{IntentState, IntentStore, Journaled};

on_every_store!(
    same_key_same_request_is_sent_once,
    same_key_other_request_is_refused_with_nothing_sent,
    a_lost_answer_is_reconciled_before_anything_is_sent_again,
    provably_not_taken_is_sent_again_once_and_unprovable_needs_attention,
    declines_are_recorded_and_nothing_sent_may_be_sent_again,
    a_failed_lookup_before_the_payment_says_the_payment_was_not_sent,
    reconcile_settles_every_pending_intent_or_says_why_not,
    a_live_lease_keeps_a_second_caller_out_and_stale_intents_are_reported,
    a_second_caller_waits_for_the_first_and_answers_with_its_outcome,
    two_callers_handed_the_same_keys_at_once_send_each_payment_once,
    the_claim_is_committed_before_the_request_leaves,
    a_confirmed_webhook_settles_a_needs_attention_purchase_of_the_same_amount,
    a_confirmed_failure_settles_a_lost_purchase_as_failed,
    the_database_holds_no_card_number_cvc_or_token,
    a_stale_holder_cannot_record_over_the_one_who_took_its_lease,
    a_scope_lease_belongs_to_the_call_that_took_it,
    releasing_a_settled_intent_keeps_its_reason,
);

async fn same_key_same_request_is_sent_once(journal: TestJournal) {
    let provider = Scripted::new();
    let journaled = Journaled::new(provider.clone(), journal.store.clone());
    let request = card_request("1000", "4111111111111111");
    let first = journaled
        .create_payment(&key("k-1"), &request)
        .await
        .unwrap();
    let second = journaled
        .create_payment(&key("k-1"), &request)
        .await
        .unwrap();
    // And from another process (SQLite) or server (PostgreSQL), which finds the schema in place.
    let elsewhere = Journaled::new(provider.clone(), journal.another_connection().await)
        .create_payment(&key("k-1"), &request)
        .await
        .unwrap();
    assert_eq!(provider.sent(), 1);
    assert_eq!(first.id, second.id);
    assert_eq!(elsewhere.id, first.id);
    assert_eq!(second.status, PaymentStatus::Captured);
    assert_eq!(second.amount, Some(yen("1000")));
    let record = second
        .record_as::<payments_journal::JournalRecord>()
        .expect("answered from the journal");
    assert_eq!(record.attempts, 1);
    // The key travelled as the journal reference.
    assert_eq!(
        provider.script.lock().unwrap().sent[0],
        (Operation::CreatePayment, "k-1".to_owned())
    );
}

async fn same_key_other_request_is_refused_with_nothing_sent(journal: TestJournal) {
    let provider = Scripted::new();
    let journaled = Journaled::new(provider.clone(), journal.store.clone());
    journaled
        .create_payment(&key("k-2"), &card_request("1000", "4111111111111111"))
        .await
        .unwrap();
    let others = [
        card_request("1001", "4111111111111111"),
        card_request("1000", "5555555555554444"),
        PaymentRequest::new(Money::parse("1000", Currency::USD).unwrap(), "order-1").unwrap(),
    ];
    for other in others {
        let err = journaled
            .create_payment(&key("k-2"), &other)
            .await
            .unwrap_err();
        assert_eq!(journal_code(&err), "key_reused");
        assert!(err.to_string().contains("\"k-2\""), "{err}");
        assert!(err.to_string().contains("nothing was sent"), "{err}");
        assert!(!err.outcome_unknown());
    }
    // Another operation under the same key.
    let err = journaled
        .refund_payment(&key("k-2"), "pay-1", None)
        .await
        .unwrap_err();
    assert_eq!(journal_code(&err), "key_reused");
    assert_eq!(provider.sent(), 1);
}

async fn a_lost_answer_is_reconciled_before_anything_is_sent_again(journal: TestJournal) {
    let provider = Scripted::new();
    let store = journal.store.clone();
    let journaled = Journaled::new(provider.clone(), store.clone());
    let request = card_request("1000", "4111111111111111");
    provider.answer(&[Answer::Lost]);
    let lost = journaled
        .create_payment(&key("k-3"), &request)
        .await
        .unwrap_err();
    assert!(lost.outcome_unknown());
    assert_eq!(
        store.get("k-3").await.unwrap().unwrap().state,
        IntentState::Pending
    );

    // Not provable yet: nothing is sent, the error says the outcome is unknown.
    let err = journaled
        .create_payment(&key("k-3"), &request)
        .await
        .unwrap_err();
    assert_eq!(journal_code(&err), "still_pending");
    assert!(err.outcome_unknown());
    assert_eq!(provider.sent(), 1);

    // Found: the lookup's payment is adopted, nothing is sent.
    provider.lookup(Lookup::Found(
        Payment::new("scripted", "pay-found", PaymentStatus::Captured, ()).with_amount(yen("1000")),
    ));
    let found = journaled
        .create_payment(&key("k-3"), &request)
        .await
        .unwrap();
    assert_eq!(found.id, "pay-found");
    assert_eq!(provider.sent(), 1);
    let again = journaled
        .create_payment(&key("k-3"), &request)
        .await
        .unwrap();
    assert_eq!(again.id, "pay-found");
    assert_eq!(provider.looked_up(), 2);
}

async fn provably_not_taken_is_sent_again_once_and_unprovable_needs_attention(
    journal: TestJournal,
) {
    let provider = Scripted::new();
    let store = journal.store.clone();
    let journaled = Journaled::new(provider.clone(), store.clone());
    let request = card_request("1000", "4111111111111111");
    provider.answer(&[Answer::Lost, Answer::Ok]);
    journaled
        .create_payment(&key("k-4"), &request)
        .await
        .unwrap_err();
    provider.lookup(Lookup::NotTaken {
        evidence: "no such order".into(),
    });
    let payment = journaled
        .create_payment(&key("k-4"), &request)
        .await
        .unwrap();
    assert_eq!(payment.id, "pay-2");
    let intent = store.get("k-4").await.unwrap().unwrap();
    assert_eq!((intent.state, intent.attempts), (IntentState::Succeeded, 2));

    provider.answer(&[Answer::Lost]);
    journaled
        .create_payment(&key("k-5"), &request)
        .await
        .unwrap_err();
    provider.lookup(Lookup::Unprovable {
        reason: "no lookup by reference: check the dashboard for k-5".into(),
    });
    let err = journaled
        .create_payment(&key("k-5"), &request)
        .await
        .unwrap_err();
    assert_eq!(journal_code(&err), "needs_attention");
    assert!(
        err.to_string().contains("check the dashboard for k-5"),
        "{err}"
    );
    let intent = store.get("k-5").await.unwrap().unwrap();
    assert_eq!(intent.state, IntentState::NeedsAttention);
    // It stays so: never guessed, never resent.
    let err = journaled
        .create_payment(&key("k-5"), &request)
        .await
        .unwrap_err();
    assert_eq!(journal_code(&err), "needs_attention");
    assert_eq!(provider.sent(), 3);
}

async fn declines_are_recorded_and_nothing_sent_may_be_sent_again(journal: TestJournal) {
    let provider = Scripted::new();
    let store = journal.store.clone();
    let journaled = Journaled::new(provider.clone(), store.clone());
    let request = card_request("1000", "4111111111111111");
    provider.answer(&[Answer::Declined]);
    let declined = journaled
        .create_payment(&key("k-6"), &request)
        .await
        .unwrap_err();
    assert!(matches!(declined, Error::Declined { .. }));
    let err = journaled
        .create_payment(&key("k-6"), &request)
        .await
        .unwrap_err();
    assert_eq!(journal_code(&err), "failed_earlier");
    assert!(err.to_string().contains("Do not honour"), "{err}");
    assert_eq!(provider.sent(), 1);

    // A connection refused proves nothing left: the same key sends again (no lookup).
    provider.answer(&[Answer::NotSent, Answer::Ok]);
    journaled
        .create_payment(&key("k-7"), &request)
        .await
        .unwrap_err();
    let intent = store.get("k-7").await.unwrap().unwrap();
    assert_eq!(
        (intent.state, intent.sent_at_ms, intent.attempts),
        (IntentState::Pending, None, 0)
    );
    journaled
        .create_payment(&key("k-7"), &request)
        .await
        .unwrap();
    assert_eq!(provider.looked_up(), 0);
    assert_eq!(provider.sent(), 3);
}

async fn a_failed_lookup_before_the_payment_says_the_payment_was_not_sent(journal: TestJournal) {
    let provider = Scripted::new();
    let store = journal.store.clone();
    let journaled = Journaled::new(provider.clone(), store.clone());
    provider.script.lock().unwrap().prepare_times_out = true;
    let err = journaled
        .create_payment(&key("lf-1"), &card_request("1000", "4111111111111111"))
        .await
        .unwrap_err();
    assert_eq!(journal_code(&err), "lookup_failed");
    assert!(
        !err.outcome_unknown(),
        "the payment's outcome is known: not sent"
    );
    assert!(
        err.to_string().contains("the payment was not sent"),
        "{err}"
    );
    assert_eq!(provider.sent(), 0);
    assert!(
        store.get("lf-1").await.unwrap().is_none(),
        "nothing was claimed"
    );
}

async fn reconcile_settles_every_pending_intent_or_says_why_not(journal: TestJournal) {
    let provider = Scripted::new();
    let store = journal.store.clone();
    let journaled = Journaled::new(provider.clone(), store.clone());
    let request = card_request("1000", "4111111111111111");
    provider.answer(&[
        Answer::Lost,
        Answer::Lost,
        Answer::Lost,
        Answer::Lost,
        Answer::NotSent,
    ]);
    for k in ["r-1", "r-2", "r-3", "r-4", "r-5"] {
        journaled
            .create_payment(&key(k), &request)
            .await
            .unwrap_err();
    }
    provider.lookup(Lookup::Found(Payment::new(
        "scripted",
        "pay-r1",
        PaymentStatus::Captured,
        (),
    )));
    provider.lookup(Lookup::NotTaken {
        evidence: "none under r-2".into(),
    });
    provider.lookup(Lookup::Unprovable {
        reason: "no lookup".into(),
    });
    provider.lookup(Lookup::NotYet {
        reason: "too early".into(),
    });
    let report = journaled.reconcile_pending().await.unwrap();
    let states: Vec<(&str, IntentState)> = report
        .settled
        .iter()
        .map(|(k, state, _)| (k.as_str(), *state))
        .collect();
    assert_eq!(
        states,
        [
            ("r-1", IntentState::Succeeded),
            ("r-2", IntentState::Failed),
            ("r-3", IntentState::NeedsAttention),
            ("r-5", IntentState::Failed),
        ]
    );
    assert!(
        report.settled[3].2.contains("never sent"),
        "{:?}",
        report.settled[3]
    );
    assert_eq!(report.still_pending.len(), 1);
    assert_eq!(report.still_pending[0].0, "r-4");
    assert!(report.still_pending[0].1.contains("too early"));
    assert_eq!(provider.sent(), 5);
    assert_eq!(
        store.list(Some(IntentState::Pending)).await.unwrap().len(),
        1
    );
}

async fn a_live_lease_keeps_a_second_caller_out_and_stale_intents_are_reported(
    journal: TestJournal,
) {
    let provider = Scripted::new();
    let store = journal.store.clone();
    let journaled = Journaled::new(provider.clone(), store.clone())
        .stale_after(Duration::ZERO)
        .wait_for_other_attempts(Duration::from_millis(100));
    let request = card_request("1000", "4111111111111111");
    provider.answer(&[Answer::Lost]);
    journaled
        .create_payment(&key("l-1"), &request)
        .await
        .unwrap_err();
    // Someone else holds the key (a call in flight elsewhere).
    let other = payments_journal::Lease {
        owner: "someone-else".into(),
        until: std::time::SystemTime::now() + Duration::from_secs(60),
    };
    assert!(store.lease("l-1", &other).await.unwrap().is_some());
    let err = journaled
        .create_payment(&key("l-1"), &request)
        .await
        .unwrap_err();
    assert_eq!(journal_code(&err), "in_progress");
    assert!(err.outcome_unknown());
    let text = err.to_string();
    let waited: u64 = text
        .split("waited ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|ms| ms.parse().ok())
        .unwrap_or_else(|| panic!("the wait is in the error: {text}"));
    assert!(waited >= 100, "{text}");
    let report = journaled.reconcile_pending().await.unwrap();
    assert_eq!(report.stale, ["l-1"]);
    assert_eq!(report.still_pending[0].1, "another attempt holds its lease");
    assert_eq!((provider.sent(), provider.looked_up()), (1, 0));
}

/// A provider that takes its time, so a second caller arrives while the first is in flight.
#[derive(Debug, Default)]
struct Slow(std::sync::atomic::AtomicUsize);

#[async_trait::async_trait]
impl payments_core::PaymentProvider for Slow {
    fn name(&self) -> &'static str {
        "slow"
    }
    fn capabilities(&self) -> payments_core::Capabilities {
        payments_core::Capabilities::create_only(&[payments_core::PaymentMethodKind::Card])
    }
    async fn create_payment(&self, request: &PaymentRequest) -> payments_core::Result<Payment> {
        let n = self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        tokio::time::sleep(Duration::from_millis(300)).await;
        Ok(
            Payment::new("slow", format!("slow-{n}"), PaymentStatus::Captured, ())
                .with_amount(request.amount),
        )
    }
}

async fn a_second_caller_waits_for_the_first_and_answers_with_its_outcome(journal: TestJournal) {
    let provider = Arc::new(Slow::default());
    let first = Journaled::new(provider.clone(), journal.store.clone());
    // Another process (SQLite) or server (PostgreSQL) handed the same key.
    let second = Journaled::new(provider.clone(), journal.another_connection().await);
    let request = card_request("1000", "4111111111111111");
    let winner = {
        let request = request.clone();
        tokio::spawn(async move { first.create_payment(&key("w-2"), &request).await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    let waited = std::time::Instant::now();
    let loser = second.create_payment(&key("w-2"), &request).await.unwrap();
    assert!(
        waited.elapsed() >= Duration::from_millis(150),
        "it waited for the winner"
    );
    let winner = winner.await.unwrap().unwrap();
    assert_eq!(loser.id, winner.id);
    assert_eq!(
        provider.0.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "sent once"
    );
}

async fn the_claim_is_committed_before_the_request_leaves(journal: TestJournal) {
    let provider = Scripted::watching(journal.another_connection().await);
    let journaled = Journaled::new(provider.clone(), journal.store.clone());
    for k in ["d-1", "d-2", "d-3"] {
        journaled
            .create_payment(&key(k), &card_request("1000", "4111111111111111"))
            .await
            .unwrap();
    }
    let seen = provider.script.lock().unwrap().seen_in_journal.clone();
    assert_eq!(seen, vec![Some(IntentState::Pending); 3]);
}

async fn a_confirmed_webhook_settles_a_needs_attention_purchase_of_the_same_amount(
    journal: TestJournal,
) {
    let provider = Scripted::new();
    let store = journal.store.clone();
    let journaled = Journaled::new(provider.clone(), store.clone());
    let request = card_request("1000", "4111111111111111");
    provider.answer(&[Answer::Lost]);
    journaled
        .create_payment(&key("w-1"), &request)
        .await
        .unwrap_err();
    provider.lookup(Lookup::Unprovable {
        reason: "no lookup".into(),
    });
    journaled.reconcile_pending().await.unwrap();
    let wrong =
        Payment::new("scripted", "t-9", PaymentStatus::Captured, ()).with_amount(yen("999"));
    let err = journaled
        .settle_confirmed(&key("w-1"), &wrong)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("999"), "{err}");
    let right =
        Payment::new("scripted", "t-1", PaymentStatus::Captured, ()).with_amount(yen("1000"));
    let settled = journaled
        .settle_confirmed(&key("w-1"), &right)
        .await
        .unwrap();
    assert_eq!(settled, IntentState::Succeeded);
    let intent = store.get("w-1").await.unwrap().unwrap();
    assert_eq!(
        (intent.state, intent.payment_id.as_deref()),
        (IntentState::Succeeded, Some("t-1"))
    );
    let replay = journaled
        .create_payment(&key("w-1"), &request)
        .await
        .unwrap();
    assert_eq!(replay.id, "t-1");
    assert_eq!(provider.sent(), 1);
}

async fn the_database_holds_no_card_number_cvc_or_token(journal: TestJournal) {
    let provider = Scripted::new();
    let store = journal.store.clone();
    let journaled = Journaled::new(provider.clone(), store.clone());
    let pan = "4111111111111111";
    journaled
        .create_payment(&key("s-1"), &card_request("1000", pan))
        .await
        .unwrap();
    let token = "tok_live_c3VwZXJzZWNyZXQ";
    let stored = PaymentRequest::new(yen("500"), "order-2")
        .unwrap()
        .with_method(PaymentMethod::StoredCard {
            token: Secret::new(token),
        });
    provider.answer(&[Answer::Lost]);
    journaled
        .create_payment(&key("s-2"), &stored)
        .await
        .unwrap_err();
    let text = journal.everything_stored().await;
    assert!(
        text.contains("s-1") && text.contains("order-2"),
        "the scan reads the rows"
    );
    for secret in [pan, "411111", token, "c3VwZXJzZWNyZXQ"] {
        assert!(!text.contains(secret), "{secret} is in the journal");
    }
    // The CVC as a whole number (hex fingerprints may hold its digits inside longer runs).
    let cvc_alone = text.match_indices("7391").any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + 4..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    });
    assert!(!cvc_alone, "the CVC is in the journal");
}

/// Fencing: a holder whose lease expired (a paused winner) cannot record over the caller that
/// took the lease from it (a reconciler); the new holder can.
async fn a_stale_holder_cannot_record_over_the_one_who_took_its_lease(journal: TestJournal) {
    let store = journal.store.clone();
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
/// to the same user slip between them).
async fn a_scope_lease_belongs_to_the_call_that_took_it(journal: TestJournal) {
    let store = journal.store.clone();
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
async fn releasing_a_settled_intent_keeps_its_reason(journal: TestJournal) {
    let store = journal.store.clone();
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

/// A provider that takes its time and counts what each key made it send.
#[derive(Debug, Default)]
struct Counting {
    sent: std::sync::Mutex<std::collections::HashMap<String, usize>>,
}

#[async_trait::async_trait]
impl PaymentProvider for Counting {
    fn name(&self) -> &'static str {
        "counting"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::create_only(&[PaymentMethodKind::Card])
    }

    async fn create_payment(&self, request: &PaymentRequest) -> Result<Payment> {
        let reference = request.journal_reference.clone().unwrap_or_default();
        *self
            .sent
            .lock()
            .unwrap()
            .entry(reference.clone())
            .or_default() += 1;
        tokio::time::sleep(Duration::from_millis(5)).await;
        Ok(Payment::new(
            "counting",
            format!("pay-{reference}"),
            PaymentStatus::Captured,
            (),
        ))
    }

    async fn reconcile(&self, _call: &PendingCall) -> Result<Lookup> {
        Ok(Lookup::NotYet {
            reason: "in flight".into(),
        })
    }
}

/// Eight callers over two connections (two processes, or two servers) handed the same twenty
/// keys at once: each key is paid exactly once.
async fn two_callers_handed_the_same_keys_at_once_send_each_payment_once(journal: TestJournal) {
    let provider = Arc::new(Counting::default());
    let connections = [journal.store.clone(), journal.another_connection().await];
    let mut callers = tokio::task::JoinSet::new();
    for caller in 0..8 {
        let journaled = Journaled::new(provider.clone(), connections[caller % 2].clone());
        callers.spawn(async move {
            let mut paid = Vec::new();
            for n in 0..20 {
                let key = key(&format!("race-{n}"));
                match journaled
                    .create_payment(&key, &card_request("500", "4111111111111111"))
                    .await
                {
                    Ok(payment) => paid.push(payment.id),
                    // Another caller holds the key, or its payment is still in flight.
                    Err(err) => assert!(
                        matches!(journal_code(&err), "in_progress" | "still_pending"),
                        "{err}"
                    ),
                }
            }
            paid
        });
    }
    let mut answered = 0;
    while let Some(paid) = callers.join_next().await {
        answered += paid.unwrap().len();
    }
    let sent = provider.sent.lock().unwrap().clone();
    assert_eq!(sent.len(), 20, "every key was paid");
    assert!(sent.values().all(|n| *n == 1), "a key sent twice: {sent:?}");
    assert!(answered >= 20, "each payment answered at least its winner");
}

mod properties {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    type Call = (usize, usize, bool);

    /// Any sequence of calls over a few keys and amounts, with answers lost at random: each
    /// key is sent at most once (lookups never prove "not taken" here), a key's other amount
    /// is always refused unsent, and a replay returns the first payment. `prefix` keeps each
    /// case's keys apart on a database the cases share.
    async fn a_key_is_never_sent_twice(
        store: Arc<dyn IntentStore>,
        prefix: &str,
        calls: Vec<Call>,
    ) -> std::result::Result<(), TestCaseError> {
        let provider = Scripted::new();
        let journaled = Journaled::new(provider.clone(), store);
        let amounts = ["1000", "2000"];
        let mut first_amount: HashMap<usize, usize> = HashMap::new();
        let mut paid: HashMap<usize, String> = HashMap::new();
        for (k, a, lose) in calls {
            let before = provider.sent();
            if lose {
                provider.answer(&[Answer::Lost]);
            }
            let request = card_request(amounts[a], "4111111111111111");
            let result = journaled
                .create_payment(&key(&format!("{prefix}-{k}")), &request)
                .await;
            let sent = provider.sent() - before;
            // An unused scripted answer must not leak into the next call.
            provider.script.lock().unwrap().answers.clear();
            match first_amount.get(&k) {
                None => {
                    first_amount.insert(k, a);
                    prop_assert_eq!(sent, 1);
                    if let Ok(payment) = &result {
                        paid.insert(k, payment.id.clone());
                    }
                }
                Some(&first) if first != a => {
                    prop_assert_eq!(sent, 0);
                    prop_assert_eq!(journal_code(result.as_ref().unwrap_err()), "key_reused");
                }
                Some(_) => {
                    prop_assert_eq!(sent, 0);
                    match (&result, paid.get(&k)) {
                        (Ok(payment), Some(id)) => prop_assert_eq!(&payment.id, id),
                        (Err(err), None) => prop_assert_eq!(journal_code(err), "still_pending"),
                        (other, recorded) => prop_assert!(false, "{other:?} vs {recorded:?}"),
                    }
                }
            }
        }
        prop_assert_eq!(provider.sent(), first_amount.len());
        Ok(())
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    /// One database for every PostgreSQL case (a database per case would cost a `createdb`
    /// each); `None` where PostgreSQL is not installed outside CI.
    fn postgres_url() -> Option<&'static str> {
        static URL: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
        URL.get_or_init(|| {
            payments_test_support::PostgresServer::shared().map(|s| s.create_database())
        })
        .as_deref()
    }

    static CASE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn on_sqlite(calls in proptest::collection::vec((0usize..4, 0usize..2, any::<bool>()), 1..24)) {
            runtime().block_on(async {
                let journal = TestJournal::sqlite();
                a_key_is_never_sent_twice(journal.store.clone(), "p", calls).await
            })?;
        }

        #[test]
        fn on_postgres(calls in proptest::collection::vec((0usize..4, 0usize..2, any::<bool>()), 1..24)) {
            let Some(url) = postgres_url() else { return Ok(()) };
            let case = CASE.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            runtime().block_on(async {
                let store = payments_journal::PostgresStore::connect(&Secret::new(url)).await.unwrap();
                a_key_is_never_sent_twice(Arc::new(store), &format!("p{case}"), calls).await
            })?;
        }
    }
}

/// A declined 3-D Secure challenge's webhook, confirmed: the purchase whose answer was lost
/// failed, and the key says so (and sends nothing again).
async fn a_confirmed_failure_settles_a_lost_purchase_as_failed(journal: TestJournal) {
    let provider = Scripted::new();
    let journaled = Journaled::new(provider.clone(), journal.store.clone());
    let request = card_request("1000", "4111111111111111");
    provider.answer(&[Answer::Lost]);
    journaled
        .create_payment(&key("wf-1"), &request)
        .await
        .unwrap_err();
    let declined = Payment::new(
        "scripted",
        "t-2",
        PaymentStatus::Failed {
            reason: "ERR0006: 3-D Secure authentication failed".into(),
        },
        (),
    );
    let settled = journaled
        .settle_confirmed(&key("wf-1"), &declined)
        .await
        .unwrap();
    assert_eq!(settled, IntentState::Failed);
    let intent = journal.store.get("wf-1").await.unwrap().unwrap();
    assert_eq!(intent.state, IntentState::Failed);
    assert_eq!(
        intent.reason.as_deref(),
        Some("confirmed by scripted: ERR0006: 3-D Secure authentication failed")
    );
    let err = journaled
        .create_payment(&key("wf-1"), &request)
        .await
        .unwrap_err();
    assert_eq!(journal_code(&err), "failed_earlier");
    assert_eq!(provider.sent(), 1);
}
