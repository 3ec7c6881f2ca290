//! The journal's promises, against a scripted provider that records every call it is sent.

// Test helpers panic on failure by design.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;

use payments_core::{
    Currency, Error, Lookup, Money, Operation, Payment, PaymentMethod, PaymentRequest,
    PaymentStatus, Secret,
};
use payments_journal::{IntentState, IntentStore, Journaled, SqliteStore, StoreProblem};

#[tokio::test]
async fn same_key_same_request_is_sent_once() {
    let dir = tempfile::tempdir().unwrap();
    let provider = Scripted::new();
    let journaled = Journaled::new(provider.clone(), open(&dir));
    let request = card_request("1000", "4111111111111111");
    let first = journaled
        .create_payment(&key("k-1"), &request)
        .await
        .unwrap();
    let second = journaled
        .create_payment(&key("k-1"), &request)
        .await
        .unwrap();
    assert_eq!(provider.sent(), 1);
    assert_eq!(first.id, second.id);
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

#[tokio::test]
async fn same_key_other_request_is_refused_with_nothing_sent() {
    let dir = tempfile::tempdir().unwrap();
    let provider = Scripted::new();
    let journaled = Journaled::new(provider.clone(), open(&dir));
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

#[tokio::test]
async fn a_lost_answer_is_reconciled_before_anything_is_sent_again() {
    let dir = tempfile::tempdir().unwrap();
    let provider = Scripted::new();
    let store = open(&dir);
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

#[tokio::test]
async fn provably_not_taken_is_sent_again_once_and_unprovable_needs_attention() {
    let dir = tempfile::tempdir().unwrap();
    let provider = Scripted::new();
    let store = open(&dir);
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

#[tokio::test]
async fn declines_are_recorded_and_nothing_sent_may_be_sent_again() {
    let dir = tempfile::tempdir().unwrap();
    let provider = Scripted::new();
    let store = open(&dir);
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

#[tokio::test]
async fn a_failed_lookup_before_the_payment_says_the_payment_was_not_sent() {
    let dir = tempfile::tempdir().unwrap();
    let provider = Scripted::new();
    let store = open(&dir);
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

#[tokio::test]
async fn reconcile_settles_every_pending_intent_or_says_why_not() {
    let dir = tempfile::tempdir().unwrap();
    let provider = Scripted::new();
    let store = open(&dir);
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

#[tokio::test]
async fn a_live_lease_keeps_a_second_caller_out_and_stale_intents_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let provider = Scripted::new();
    let store = open(&dir);
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_caller_waits_for_the_first_and_answers_with_its_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let provider = Arc::new(Slow::default());
    let first = Journaled::new(provider.clone(), store.clone());
    let second = Journaled::new(provider.clone(), store.clone());
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

#[tokio::test]
async fn the_claim_is_committed_before_the_request_leaves() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    let store = Arc::new(SqliteStore::open(&path).unwrap());
    let provider = Scripted::watching(&path);
    let journaled = Journaled::new(provider.clone(), store);
    for k in ["d-1", "d-2", "d-3"] {
        journaled
            .create_payment(&key(k), &card_request("1000", "4111111111111111"))
            .await
            .unwrap();
    }
    let seen = provider.script.lock().unwrap().seen_in_journal.clone();
    assert_eq!(seen, vec![Some(IntentState::Pending); 3]);
}

#[tokio::test]
async fn a_confirmed_webhook_settles_a_needs_attention_purchase_of_the_same_amount() {
    let dir = tempfile::tempdir().unwrap();
    let provider = Scripted::new();
    let store = open(&dir);
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
    journaled
        .settle_confirmed(&key("w-1"), &right)
        .await
        .unwrap();
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

#[tokio::test]
async fn the_database_file_holds_no_card_number_cvc_or_token() {
    let dir = tempfile::tempdir().unwrap();
    let provider = Scripted::new();
    let store = open(&dir);
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
    drop(journaled);
    drop(store);
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    let text = String::from_utf8_lossy(&bytes);
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

#[tokio::test]
async fn bad_journal_files_are_named_and_nothing_is_sent_without_a_claim() {
    let dir = tempfile::tempdir().unwrap();
    // Corrupt: not a database.
    let corrupt = dir.path().join("corrupt.sqlite3");
    std::fs::write(&corrupt, b"this is not a database, just text ".repeat(200)).unwrap();
    match SqliteStore::open(&corrupt).unwrap_err() {
        payments_journal::JournalError::Store { path, problem } => {
            assert_eq!(path, corrupt);
            assert!(matches!(problem, StoreProblem::Corrupt(_)), "{problem:?}");
        }
        other => panic!("{other:?}"),
    }
    let shown = Error::from(SqliteStore::open(&corrupt).unwrap_err()).to_string();
    assert!(shown.contains("corrupt.sqlite3"), "{shown}");

    // Newer schema: written by a later version.
    let newer = dir.path().join("newer.sqlite3");
    drop(SqliteStore::open(&newer).unwrap());
    {
        let connection = rusqlite_user_version(&newer, 99);
        drop(connection);
    }
    match SqliteStore::open(&newer).unwrap_err() {
        payments_journal::JournalError::Store { path, problem } => {
            assert_eq!(path, newer);
            assert_eq!(
                problem,
                StoreProblem::NewerSchema {
                    found: 99,
                    supported: payments_journal::SCHEMA_VERSION
                }
            );
        }
        other => panic!("{other:?}"),
    }

    // Locked: another process holds the write lock past the busy timeout.
    let locked = dir.path().join("locked.sqlite3");
    let store = Arc::new(SqliteStore::open_with(&locked, Duration::from_millis(200)).unwrap());
    let holder = hold_write_lock(&locked);
    let provider = Scripted::new();
    let journaled = Journaled::new(provider.clone(), store);
    let err = journaled
        .create_payment(&key("b-1"), &card_request("1000", "4111111111111111"))
        .await
        .unwrap_err();
    assert_eq!(journal_code(&err), "store");
    assert!(err.to_string().contains("locked.sqlite3"), "{err}");
    assert!(err.to_string().contains("locked"), "{err}");
    assert_eq!(provider.sent(), 0, "nothing is sent without its claim");
    drop(holder);
}

/// Sets the schema version of a journal file, as a later version of the crate would.
fn rusqlite_user_version(path: &std::path::Path, version: i64) -> rusqlite::Connection {
    let connection = rusqlite::Connection::open(path).unwrap();
    connection
        .pragma_update(None, "user_version", version)
        .unwrap();
    connection
}

/// Another connection holding the write lock (an open write transaction).
fn hold_write_lock(path: &std::path::Path) -> rusqlite::Connection {
    let connection = rusqlite::Connection::open(path).unwrap();
    connection.execute_batch("BEGIN IMMEDIATE").unwrap();
    connection
}

mod properties {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Any sequence of calls over a few keys and amounts, with answers lost at random:
        /// each key is sent at most once (lookups never prove "not taken" here), a key's
        /// other amount is always refused unsent, and a replay returns the first payment.
        #[test]
        fn a_key_is_never_sent_twice(calls in proptest::collection::vec((0usize..4, 0usize..2, any::<bool>()), 1..24)) {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async {
                let dir = tempfile::tempdir().unwrap();
                let provider = Scripted::new();
                let journaled = Journaled::new(provider.clone(), open(&dir));
                let amounts = ["1000", "2000"];
                let mut first_amount: HashMap<usize, usize> = HashMap::new();
                let mut paid: HashMap<usize, String> = HashMap::new();
                for (k, a, lose) in calls {
                    let before = provider.sent();
                    if lose { provider.answer(&[Answer::Lost]); }
                    let request = card_request(amounts[a], "4111111111111111");
                    let result = journaled.create_payment(&key(&format!("p-{k}")), &request).await;
                    let sent = provider.sent() - before;
                    // An unused scripted answer must not leak into the next call.
                    provider.script.lock().unwrap().answers.clear();
                    match first_amount.get(&k) {
                        None => {
                            first_amount.insert(k, a);
                            prop_assert_eq!(sent, 1);
                            if let Ok(payment) = &result { paid.insert(k, payment.id.clone()); }
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
            })?;
        }
    }
}

/// A journal file this user cannot write is refused when opened, naming its path. As root
/// (who may write anything), the check runs again as `nobody` through `setpriv`.
#[test]
fn a_read_only_journal_is_refused_naming_its_path() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    if let Ok(path) = std::env::var("PAYMENTS_JOURNAL_READ_ONLY_PATH") {
        match SqliteStore::open(&path).unwrap_err() {
            payments_journal::JournalError::Store {
                path: named,
                problem,
            } => {
                assert_eq!(named, std::path::PathBuf::from(&path));
                assert!(matches!(problem, StoreProblem::ReadOnly(_)), "{problem:?}");
            }
            other => panic!("{other:?}"),
        }
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("read-only.sqlite3");
    drop(SqliteStore::open(&path).unwrap());
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
    let is_root = std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false);
    let status = if is_root {
        // A copy of this test binary where `nobody` may run it, wherever the checkout is.
        let bin = tempfile::tempdir().unwrap();
        std::fs::set_permissions(bin.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let copy = bin.path().join("journal-test");
        std::fs::copy(std::env::current_exe().unwrap(), &copy).unwrap();
        std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(&copy)
            .args([
                "a_read_only_journal_is_refused_naming_its_path",
                "--exact",
                "--nocapture",
            ])
            .env("PAYMENTS_JOURNAL_READ_ONLY_PATH", &path)
            .status()
            .expect("setpriv runs the check as nobody")
    } else {
        std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "a_read_only_journal_is_refused_naming_its_path",
                "--exact",
                "--nocapture",
            ])
            .env("PAYMENTS_JOURNAL_READ_ONLY_PATH", &path)
            .status()
            .unwrap()
    };
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(
        status.success(),
        "the read-only check failed as another user"
    );
}

#[tokio::test]
async fn fencing_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    a_stale_holder_cannot_record_over_the_one_who_took_its_lease(open(&dir)).await;
}

#[tokio::test]
async fn scope_leases_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    a_scope_lease_belongs_to_the_call_that_took_it(open(&dir)).await;
}

#[tokio::test]
async fn settled_reasons_survive_a_release_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    releasing_a_settled_intent_keeps_its_reason(open(&dir)).await;
}
